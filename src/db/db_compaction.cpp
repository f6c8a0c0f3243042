// Tiered compaction (doc/design.md section 7) and the retention mark.
//
// Policy, checked whenever the table set changes:
//  1. compact() was asked for: merge every table into level 2;
//  2. level 0 holds l0_trigger tables: merge all of level 0 into one new
//     level-1 sorted run;
//  3. level 1 holds l1_trigger runs: merge all of level 1 and level 2 into
//     level 2.
// A compaction always takes *all* of its input levels, so sorted runs keep
// disjoint version ranges (read_view.hpp). Only outputs to level 2, which
// then hold every older version of their keys, may drop bottom tombstones.
// Two compactor threads let an L0 -> L1 merge run while a long L1+L2 -> L2
// merge is under way: their inputs are disjoint, and the new L1 run is newer
// than everything the deep merge writes. A full compaction runs alone.
//
// Crash ordering: outputs written and synced (compaction_job), then one
// manifest edit {remove inputs, add outputs}, then the new view; inputs are
// deleted when the last reader lets go of them (LiveTable).
#include <algorithm>
#include <chrono>

#include "db/compaction_job.hpp"
#include "db/db_impl.hpp"
#include "db/level_iterator.hpp"
#include "db/merging_iterator.hpp"

namespace sand {

Version DB::Impl::effective_mark() const {
  if (options_.retention == Retention::kLatestOnly) return last_version_.load();
  return low_water_mark_.load();
}

void DB::Impl::compaction_loop() {
  std::unique_lock lock(state_mu_);
  while (!closing_) {
    bool did_work = false;
    if (background_error_.is_ok()) {
      Status s = maybe_compact(lock, &did_work);
      if (!s.is_ok()) set_background_error(s);
    }
    // The lock is held from the check to the wait, so no notify is missed.
    if (!did_work && !closing_) state_cv_.wait(lock);
  }
}

Status DB::Impl::maybe_compact(std::unique_lock<std::mutex>& lock, bool* did_work) {
  const std::shared_ptr<const ReadView> view = view_;
  const bool manual = manual_requested_ > manual_done_;
  const std::uint64_t ticket = manual_requested_;
  const bool l0_due = view->l0.size() >= static_cast<std::size_t>(options_.l0_trigger);
  const bool l1_due = view->l1.size() >= static_cast<std::size_t>(options_.l1_trigger);
  Job job;
  if (manual) {
    if (running_.any()) return Status::ok();  // wait for the others to finish
    job = Job::kFull;
  } else if (l0_due && !running_[static_cast<int>(Job::kLevel0)] &&
             !running_[static_cast<int>(Job::kFull)]) {
    job = Job::kLevel0;
  } else if (l1_due && !running_[static_cast<int>(Job::kDeep)] &&
             !running_[static_cast<int>(Job::kFull)]) {
    job = Job::kDeep;
  } else {
    return Status::ok();
  }
  *did_work = true;
  running_.set(static_cast<int>(job));
  Status s = run_job(lock, *view, job);
  running_.reset(static_cast<int>(job));
  if (s.is_ok() && job == Job::kFull) manual_done_ = ticket;
  state_cv_.notify_all();
  return s;
}

Status DB::Impl::run_job(std::unique_lock<std::mutex>& lock, const ReadView& view, Job job) {
  CompactionSpec spec;
  std::vector<TableRef> inputs;
  std::vector<std::unique_ptr<InternalIterator>> streams;
  auto add_run = [&](const SortedRun& run) {
    if (run.files.empty()) return;
    inputs.insert(inputs.end(), run.files.begin(), run.files.end());
    streams.push_back(new_level_iterator(run.files));
  };
  if (job != Job::kDeep) {
    for (const auto& t : view.l0) {
      inputs.push_back(t);
      streams.push_back(t->table->new_iterator());
    }
  }
  if (job != Job::kLevel0) {
    for (const auto& run : view.l1) add_run(run);
    add_run(view.l2);
    spec.output_level = 2;
    spec.last_level = true;
  } else {
    spec.output_level = 1;
    spec.output_run = manifest_state_.next_file_number++;  // never reused
  }
  // Never cut with a mark above what a power loss leaves (db_impl.hpp,
  // durable_version_): under kLatestOnly the mark follows unsynced writes.
  spec.low_water_mark = std::min(effective_mark(), durable_version_.load());
  spec.snapshots = snapshots_->pinned();

  Status status;
  std::vector<TableRef> outputs;
  std::uint64_t bytes_read = 0;
  if (!inputs.empty()) {
    for (const auto& t : inputs) bytes_read += t->meta.file_size;
    lock.unlock();
    auto merged = new_merging_iterator(std::move(streams));
    auto result = run_compaction(*fs_, path_, *merged, spec, options_, [this] {
      std::lock_guard l(state_mu_);
      return manifest_state_.next_file_number++;
    });
    if (result.is_ok()) {
      for (const auto& meta : result->outputs) {
        auto opened = open_table(meta);
        if (!opened.is_ok()) {
          status = opened.status();
          break;
        }
        outputs.push_back(std::move(opened).value());
      }
    } else {
      status = result.status();
    }
    merged.reset();
    lock.lock();
    if (status.is_ok()) {
      manifest::Edit edit;
      for (const auto& t : inputs) edit.removed.push_back(t->meta.number);
      for (const auto& t : outputs) edit.added.push_back(t->meta);
      // Record the mark the outputs were cut with (it moves with every write
      // under Retention::kLatestOnly), so whoever reads this manifest later
      // (a read-only process, or this database reopened with kAll) refuses
      // reads at versions the outputs no longer hold.
      if (spec.low_water_mark > manifest_state_.low_water_mark) {
        edit.low_water_mark = spec.low_water_mark;
      }
      status = write_manifest_edit(edit);
    }
    if (!status.is_ok()) {
      // Outputs are orphans now; they are removed at the next open.
      return status;
    }
    std::vector<std::uint64_t> removed;
    for (const auto& t : inputs) removed.push_back(t->meta.number);
    install_tables(removed, std::move(outputs));
    if (manifest_state_.low_water_mark > low_water_mark_.load()) {
      low_water_mark_.store(manifest_state_.low_water_mark);
    }
    compactions_.fetch_add(1);
    compaction_bytes_read_.fetch_add(bytes_read);
    compaction_bytes_written_.fetch_add(result->bytes_written);
  }
  return Status::ok();
}

Status DB::Impl::compact() {
  SAND_RETURN_IF_ERROR(flush());
  std::unique_lock lock(state_mu_);
  SAND_RETURN_IF_ERROR(writable_status());
  const std::uint64_t ticket = ++manual_requested_;
  state_cv_.notify_all();
  state_cv_.wait(lock, [&] {
    return manual_done_ >= ticket || !background_error_.is_ok() || closing_;
  });
  if (!background_error_.is_ok()) return background_error_;
  if (manual_done_ < ticket) return Status::read_only(path_ + ": database is closed");
  return Status::ok();
}

Status DB::Impl::forget_before(Version v) {
  const Version last = last_version_.load();
  if (v > last) {
    return Status::invalid_argument("forget_before: version " + std::to_string(v) +
                                    " is newer than the last committed version " +
                                    std::to_string(last));
  }
  std::lock_guard wlock(write_mu_);
  std::lock_guard lock(state_mu_);
  SAND_RETURN_IF_ERROR(writable_status());
  if (v <= manifest_state_.low_water_mark) return Status::ok();  // never lowers
  if (v > durable_version_.load()) {
    // The mark is durable on return, so the writes below it must be too:
    // otherwise a power loss could leave the mark above the recovered last
    // version (db_impl.hpp, durable_version_).
    if (Status s = wal_->sync(); !s.is_ok()) {
      set_background_error(s);
      return s;
    }
    durable_version_.store(last_version_.load());
  }
  manifest::Edit edit;
  edit.low_water_mark = v;
  SAND_RETURN_IF_ERROR(write_manifest_edit(edit));
  low_water_mark_.store(v);
  return Status::ok();
}

}  // namespace sand
