// Tiered compaction (doc/design.md section 7) and the retention mark.
//
// The policy, which job runs when, is compaction_picker.hpp, checked
// whenever the table set changes. A compaction always takes *all* of its
// input levels, so sorted runs keep disjoint version ranges (read_view.hpp).
// Only outputs to level 2, which then hold every older version of their
// keys, may drop bottom tombstones. Two compactor threads let an L0 -> L1
// merge run while a long L1+L2 -> L2 merge is under way.
//
// Crash ordering: outputs written and synced (compaction_job), then one
// manifest edit {remove inputs, add outputs} with the new view
// (log_and_apply); inputs are deleted when the last reader lets go of them
// (LiveTable).
#include <algorithm>
#include <chrono>

#include "db/compaction_job.hpp"
#include "db/db_impl.hpp"
#include "db/level_iterator.hpp"
#include "db/merging_iterator.hpp"
#include "db/value_gc.hpp"

namespace sand {

Version DB::Impl::effective_mark() const {
  if (options_.retention == Retention::kLatestOnly) return last_version_.load();
  return low_water_mark_.load();
}

void DB::Impl::compaction_loop() {
  MutexLock lock(state_mu_);
  while (!closing_) {
    bool did_work = false;
    if (background_error_.is_ok()) {
      Status s = maybe_compact(&did_work);
      if (!s.is_ok()) set_background_error(s);
    }
    // The lock is held from the check to the wait, so no notify is missed.
    if (!did_work && !closing_) state_cv_.wait(state_mu_);
  }
}

Status DB::Impl::maybe_compact(bool* did_work) {
  // Held for the whole job: without the memtables, which flushes free.
  const std::shared_ptr<const ReadView> view = current_view()->tables_only();
  const std::uint64_t ticket = manual_requested_;
  const std::set<std::uint64_t> due =
      value_files_due(versions_.value_file_usage(), ValueGcMode::kHalfDead);
  const std::optional<CompactionKind> kind = pick_compaction(
      LevelShape{.l0_tables = view->l0.size(),
                 .l1_runs = view->l1.size(),
                 .value_gc_due = !deep_tables_referencing(*view, due).empty()},
      running_, manual_requested_ > manual_done_,
      CompactionTriggers{.l0_trigger = options_.l0_trigger, .l1_trigger = options_.l1_trigger});
  if (!kind) return Status::ok();
  *did_work = true;
  const auto bit = static_cast<std::size_t>(*kind);
  running_.set(bit);
  Status s = run_job(*view, *kind);
  running_.reset(bit);
  if (s.is_ok() && *kind == CompactionKind::kFull) manual_done_ = ticket;
  state_cv_.notify_all();
  return s;
}

Status DB::Impl::run_job(const ReadView& view, CompactionKind kind) {
  if (kind == CompactionKind::kValueGc) return run_value_gc(ValueGcMode::kHalfDead);
  const CompactionPlan plan = plan_for(kind);
  CompactionSpec spec;
  spec.output_level = plan.output_level;
  spec.last_level = plan.last_level;
  std::vector<TableRef> inputs;
  std::vector<std::unique_ptr<InternalIterator>> streams;
  // The inputs are read once, and their tables die with the job: their
  // blocks would only push the readers' out of the cache (and, allocated on
  // this thread and freed on a reader's, leave glibc holes behind).
  constexpr auto kNoFill = table::CacheFill::kSkip;
  auto add_run = [&](const SortedRun& run) {
    if (run.files.empty()) return;
    inputs.insert(inputs.end(), run.files.begin(), run.files.end());
    streams.push_back(new_level_iterator(run.files, kNoFill));
  };
  if (plan.takes_level0) {
    for (const auto& t : view.l0) {
      inputs.push_back(t);
      streams.push_back(t->table->new_iterator(kNoFill));
    }
  }
  if (plan.takes_deep) {
    for (const auto& run : view.l1) add_run(run);
    add_run(view.l2);
  }
  if (plan.output_level == 1) spec.output_run = versions_.new_file_number();  // never reused
  if (inputs.empty()) return Status::ok();
  // Never cut with a mark above what a power loss leaves (db_impl.hpp,
  // durable_version_): under kLatestOnly the mark follows unsynced writes.
  spec.low_water_mark = std::min(effective_mark(), durable_version_.load());
  spec.snapshots = snapshots_->pinned();
  std::uint64_t bytes_read = 0;
  for (const auto& t : inputs) bytes_read += t->meta.file_size;
  // compact() is asked for to give space back: it moves every value of a
  // file that lost any (value_gc.hpp).
  ValueRewriter rewriter = value_rewriter_for(
      view, kind == CompactionKind::kFull ? ValueGcMode::kAnyDead : ValueGcMode::kHalfDead);
  if (!rewriter.idle()) spec.values = &rewriter;

  // The merge runs without the lock; the view and its tables stay alive.
  state_mu_.unlock();
  Status status;
  std::vector<TableRef> outputs;
  std::vector<manifest::ValueFileMeta> value_logs;
  auto merged = new_merging_iterator(std::move(streams));
  auto result = run_compaction(*fs_, path_, *merged, spec, options_,
                               [this] { return versions_.new_file_number(); });
  if (result.is_ok()) {
    status = open_outputs(result->outputs, &outputs);
    if (status.is_ok()) status = finish_value_logs(rewriter, &value_logs);
  } else {
    status = result.status();
  }
  merged.reset();
  state_mu_.lock();
  // On failure the outputs are orphans; they are removed at the next open.
  SAND_RETURN_IF_ERROR(status);

  manifest::Edit edit;
  ViewChange change;
  const std::uint64_t log_bytes = value_log_bytes(value_logs);
  replace_tables(inputs, std::move(outputs), std::move(value_logs), &edit, &change);
  // Record the mark the outputs were cut with (it moves with every write
  // under Retention::kLatestOnly), so whoever reads this manifest later (a
  // read-only process, or this database reopened with kAll) refuses reads at
  // versions the outputs no longer hold. log_and_apply never lowers it.
  edit.low_water_mark = spec.low_water_mark;
  // Counted before the new view is published, so whoever sees the view (in
  // stats() too) also sees the compaction that made it. A failed edit turns
  // the database read-only anyway.
  counters_.compactions.fetch_add(1);
  counters_.compaction_bytes_read.fetch_add(bytes_read);
  counters_.compaction_bytes_written.fetch_add(result->bytes_written + log_bytes);
  SAND_RETURN_IF_ERROR(log_and_apply(std::move(edit), std::move(change)));
  const Version mark = versions_.low_water_mark();
  if (mark > low_water_mark_.load()) low_water_mark_.store(mark);
  // The merge dropped versions, so files it did not find due may be now:
  // compact() leaves no value file holding a value nothing references.
  if (kind == CompactionKind::kFull) return run_value_gc(ValueGcMode::kAnyDead);
  return Status::ok();
}

Status DB::Impl::open_outputs(const std::vector<manifest::TableMeta>& metas,
                              std::vector<TableRef>* outputs) const {
  for (const auto& meta : metas) {
    SAND_ASSIGN_OR_RETURN(TableRef opened, open_table(meta));
    outputs->push_back(std::move(opened));
  }
  return Status::ok();
}

void DB::Impl::replace_tables(const std::vector<TableRef>& inputs, std::vector<TableRef> outputs,
                              std::vector<manifest::ValueFileMeta> value_logs, manifest::Edit* edit,
                              ViewChange* change) {
  for (const TableRef& t : inputs) {
    edit->removed.push_back(t->meta.number);
    change->removed.push_back(t->meta.number);
  }
  for (TableRef& t : outputs) {
    edit->added.push_back(t->meta);
    change->added.push_back(std::move(t));
  }
  edit->added_value_files = std::move(value_logs);
}

Status DB::Impl::compact() {
  SAND_RETURN_IF_ERROR(flush());
  MutexLock lock(state_mu_);
  SAND_RETURN_IF_ERROR(writable_status());
  const std::uint64_t ticket = ++manual_requested_;
  state_cv_.notify_all();
  while (manual_done_ < ticket && background_error_.is_ok() && !closing_) {
    state_cv_.wait(state_mu_);
  }
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
  MutexLock wlock(write_mu_);
  MutexLock lock(state_mu_);
  SAND_RETURN_IF_ERROR(writable_status());
  if (v <= versions_.low_water_mark()) return Status::ok();  // never lowers
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
  SAND_RETURN_IF_ERROR(log_and_apply(std::move(edit), ViewChange{}));
  low_water_mark_.store(v);
  return Status::ok();
}

}  // namespace sand
