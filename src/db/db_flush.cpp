// Background flush of frozen memtables, and the manifest edits that make a
// new table part of the database (spec/README.md "Flush").
//
// Order, per frozen memtable: write + fsync the table and the directory
// (flush_job), append + fsync the manifest edit {add table, wal_number = the
// next memtable's WAL}, swap in a view without the memtable, and only then
// delete the WAL it came from.
#include <algorithm>

#include "db/db_impl.hpp"
#include "db/filenames.hpp"
#include "db/flush_job.hpp"

namespace sand {

void DB::Impl::background_loop() {
  std::unique_lock lock(state_mu_);
  while (true) {
    state_cv_.wait(lock, [&] {
      return closing_ || (!frozen_.empty() && background_error_.is_ok());
    });
    if (frozen_.empty() || !background_error_.is_ok()) {
      if (closing_) return;
      continue;
    }
    // Flush in order even while closing: close() waits for queued flushes so
    // their WALs need not be replayed at the next open.
    auto mem = frozen_.front().mem;
    lock.unlock();
    Status s = flush_frozen(mem);
    lock.lock();
    if (!s.is_ok()) set_background_error(s);
    state_cv_.notify_all();
  }
}

Status DB::Impl::flush_frozen(const std::shared_ptr<MemTable>& mem) {
  std::uint64_t number;
  {
    std::lock_guard lock(state_mu_);
    number = manifest_state_.next_file_number++;
  }
  SAND_ASSIGN_OR_RETURN(manifest::TableMeta meta,
                        write_level0_table(*fs_, path_, number, *mem, options_));
  SAND_ASSIGN_OR_RETURN(auto live, open_table(meta));

  std::uint64_t obsolete_wal;
  {
    std::lock_guard lock(state_mu_);
    obsolete_wal = frozen_.front().wal_number;
    manifest::Edit edit;
    edit.added.push_back(meta);
    // The oldest WAL still needed: the next frozen memtable's, else the
    // active memtable's.
    edit.wal_number = frozen_.size() > 1 ? frozen_[1].wal_number : active_wal_number_;
    edit.last_version = std::max(manifest_state_.last_version, meta.max_version);
    SAND_RETURN_IF_ERROR(write_manifest_edit(edit));

    frozen_.pop_front();
    // Counted before install_tables wakes flush() waiters, so a stats() call
    // right after flush() returns sees this flush.
    ++flushes_;
    flush_bytes_written_ += meta.file_size;
    // One swap: the memtable leaves the view as its table enters it.
    install_tables({}, {std::move(live)}, /*drop_oldest_frozen=*/true);
  }
  // Only now is the WAL's content durable elsewhere.
  fs_->remove_file(join_path(path_, wal_file_name(obsolete_wal))).ignore();
  return Status::ok();
}

Status DB::Impl::write_manifest_edit(manifest::Edit& edit) {
  edit.next_file_number = manifest_state_.next_file_number;
  manifest::State next = manifest_state_;
  SAND_RETURN_IF_ERROR(next.apply(edit, kManifestName, 0));
  Status s;
  if (manifest_->size() >= options_.manifest_rollover_size) {
    // Rewrite the whole state as one snapshot record (tmp + rename).
    auto fresh = manifest::ManifestLog::create(*fs_, path_, next);
    if (fresh.is_ok()) {
      std::swap(manifest_, *fresh);
      // The new log is durable and current; the old one is garbage now, so
      // an error closing it changes nothing.
      (*fresh)->close().ignore();
    } else {
      s = fresh.status();
    }
  } else {
    s = manifest_->append(edit);
  }
  if (!s.is_ok()) {
    // Whether the edit is durable is unknown (and a failed append leaves the
    // log unusable): stop every write, whoever asked for the edit.
    set_background_error(s);
    return s;
  }
  manifest_state_ = std::move(next);
  return Status::ok();
}

Status DB::Impl::flush() {
  {
    std::lock_guard wlock(write_mu_);
    {
      std::lock_guard lock(state_mu_);
      SAND_RETURN_IF_ERROR(writable_status());
    }
    if (!current_view()->mem->empty()) SAND_RETURN_IF_ERROR(freeze_memtable());
  }
  std::unique_lock lock(state_mu_);
  state_cv_.wait(lock, [&] { return frozen_.empty() || !background_error_.is_ok(); });
  if (!background_error_.is_ok()) return background_error_;
  return Status::ok();
}

void DB::Impl::install_tables(const std::vector<std::uint64_t>& removed,
                              std::vector<TableRef> added, bool drop_oldest_frozen) {
  std::vector<TableRef> tables = view_->all_tables();
  std::erase_if(tables, [&](const TableRef& t) {
    if (std::find(removed.begin(), removed.end(), t->meta.number) == removed.end()) return false;
    t->obsolete.store(true);  // deleted once the last reader lets go
    return true;
  });
  for (auto& t : added) tables.push_back(std::move(t));
  ReadView base = *view_;
  if (drop_oldest_frozen) base.frozen.pop_back();  // the oldest is last
  publish_view(base.with_tables(std::move(tables)));
  state_cv_.notify_all();  // the compactor and stalled writers re-check
}

Stats DB::Impl::stats() const {
  Stats st;
  st.last_version = last_version_.load();
  st.low_water_mark = effective_mark();
  const auto view = current_view();
  st.memtable_bytes = view->mem->approximate_bytes();
  st.immutable_memtables = view->frozen.size();
  std::uint64_t total_bytes = 0;
  for (const auto& t : view->all_tables()) {
    const auto level = static_cast<std::size_t>(std::clamp(t->meta.level, 0, 2));
    ++st.tables[level];
    st.table_bytes[level] += t->meta.file_size;
    total_bytes += t->meta.file_size;
  }
  st.l1_runs = view->l1.size();
  st.wal_bytes = wal_bytes_.load();
  st.user_bytes_written = user_bytes_written_.load();
  st.write_groups = wal_appends_.load();
  st.wal_syncs = wal_syncs_.load();
  st.flushes = flushes_.load();
  st.flush_bytes_written = flush_bytes_written_.load();
  st.compactions = compactions_.load();
  st.compaction_bytes_read = compaction_bytes_read_.load();
  st.compaction_bytes_written = compaction_bytes_written_.load();
  if (st.user_bytes_written > 0) {
    st.write_amplification =
        static_cast<double>(st.flush_bytes_written + st.compaction_bytes_written) /
        static_cast<double>(st.user_bytes_written);
  }
  if (st.table_bytes[2] > 0) {
    st.space_amplification =
        static_cast<double>(total_bytes) / static_cast<double>(st.table_bytes[2]);
  }
  st.stalls = stalls_.load();
  st.stall_micros = stall_micros_.load();
  st.live_snapshots = snapshots_->count();
  std::lock_guard lock(state_mu_);
  st.manifest_bytes = manifest_ ? manifest_->size() : followed_manifest_bytes_.load();
  return st;
}

}  // namespace sand
