// Background flush of frozen memtables, and the manifest edits that make a
// new table part of the database (spec/README.md "Flush").
//
// Order, per frozen memtable: write + fsync the table and the directory
// (flush_job), then in one log_and_apply append + fsync the manifest edit
// {add table, wal_number = the next memtable's WAL} and swap in a view
// without the memtable, and only then delete the WAL it came from.
#include <algorithm>

#include "db/db_impl.hpp"
#include "db/filenames.hpp"
#include "db/flush_job.hpp"

namespace sand {

void DB::Impl::flush_loop() {
  UniqueLock lock(state_mu_);
  while (true) {
    while (!closing_ && !(versions_.frozen_count() > 0 && background_error_.is_ok())) {
      state_cv_.wait(state_mu_);
    }
    if (versions_.frozen_count() == 0 || !background_error_.is_ok()) return;  // closing
    // Flush in order even while closing: close() waits for queued flushes so
    // their WALs need not be replayed at the next open.
    lock.unlock();
    Status s = flush_oldest();
    lock.lock();
    if (!s.is_ok()) set_background_error(s);
    state_cv_.notify_all();
  }
}

Status DB::Impl::flush_oldest() {
  // Only this thread removes frozen memtables, so the oldest stays put.
  std::optional<VersionSet::Frozen> frozen = versions_.oldest_frozen();
  SAND_ASSIGN_OR_RETURN(
      manifest::TableMeta meta,
      write_level0_table(*fs_, path_, versions_.new_file_number(), *frozen->mem, options_));
  SAND_ASSIGN_OR_RETURN(auto live, open_table(meta));
  // A memtable references values only in its own WAL (insert_batch), so a
  // table with references keeps that WAL, as a value file.
  const std::string wal_path = join_path(path_, wal_file_name(frozen->wal_number));
  std::optional<manifest::ValueFileMeta> kept_wal;
  if (!meta.value_refs.empty()) {
    if (meta.value_refs.size() != 1 || meta.value_refs[0].file != frozen->wal_number) {
      return Status::corruption(table_file_name(meta.number) +
                                ": a flushed memtable references values outside its WAL " +
                                wal_file_name(frozen->wal_number));
    }
    SAND_ASSIGN_OR_RETURN(auto wal, fs_->open_readable_file(wal_path));
    kept_wal = manifest::ValueFileMeta{.number = frozen->wal_number,
                                       .kind = manifest::ValueFileKind::kWal,
                                       .size = wal->contents().size(),
                                       .value_bytes = meta.value_refs[0].bytes};
  }
  {
    MutexLock lock(state_mu_);
    manifest::Edit edit;
    edit.added.push_back(meta);
    if (kept_wal) edit.added_value_files.push_back(*kept_wal);
    edit.last_version = meta.max_version;
    // Counted before the new view wakes flush() waiters, so a stats() call
    // right after flush() returns sees this flush.
    ++counters_.flushes;
    counters_.flush_bytes_written += meta.file_size;
    // One swap: the memtable leaves the view as its table enters it.
    ViewChange change;
    change.added.push_back(std::move(live));
    change.drop_oldest_frozen = true;
    SAND_RETURN_IF_ERROR(log_and_apply(std::move(edit), std::move(change)));
  }
  // The memtable left the view: free it now (usually the last reference),
  // not after the WAL's removal, which takes tens of milliseconds for a
  // 64 MiB WAL while the next memtable fills (measured: it was alive ~30 ms
  // past its flush, at the process's peak memory).
  frozen.reset();
  // Only now is the WAL's content durable elsewhere (or the WAL a value file
  // that compaction retires once no table references it).
  if (!kept_wal) fs_->remove_file(wal_path).ignore();
  return Status::ok();
}

Status DB::Impl::log_and_apply(manifest::Edit edit, ViewChange change) {
  Status s = versions_.log_and_apply(std::move(edit), std::move(change));
  // Whether a failed edit is durable is unknown (and a failed append leaves
  // the log unusable): stop every write, whoever asked for the edit.
  if (!s.is_ok()) set_background_error(s);
  state_cv_.notify_all();  // the compactor, flush() and stalled writers re-check
  return s;
}

Status DB::Impl::flush() {
  {
    MutexLock wlock(write_mu_);
    {
      MutexLock lock(state_mu_);
      SAND_RETURN_IF_ERROR(writable_status());
    }
    if (!current_view()->mem->empty()) SAND_RETURN_IF_ERROR(freeze_memtable());
  }
  MutexLock lock(state_mu_);
  while (versions_.frozen_count() > 0 && background_error_.is_ok()) state_cv_.wait(state_mu_);
  return background_error_;
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
    st.table_index_filter_bytes += t->table->memory_bytes();
  }
  st.l1_runs = view->l1.size();
  st.wal_bytes = wal_bytes_.load();
  st.user_bytes_written = counters_.user_bytes_written.load();
  st.write_groups = counters_.write_groups.load();
  st.wal_syncs = counters_.wal_syncs.load();
  st.flushes = counters_.flushes.load();
  st.flush_bytes_written = counters_.flush_bytes_written.load();
  st.compactions = counters_.compactions.load();
  st.compaction_bytes_read = counters_.compaction_bytes_read.load();
  st.compaction_bytes_written = counters_.compaction_bytes_written.load();
  if (st.user_bytes_written > 0) {
    st.write_amplification =
        static_cast<double>(st.flush_bytes_written + st.compaction_bytes_written) /
        static_cast<double>(st.user_bytes_written);
  }
  if (st.table_bytes[2] > 0) {
    st.space_amplification =
        static_cast<double>(total_bytes) / static_cast<double>(st.table_bytes[2]);
  }
  st.stalls = counters_.stalls.load();
  st.stall_micros = counters_.stall_micros.load();
  st.live_snapshots = snapshots_->count();
  st.manifest_bytes = read_only_ ? followed_manifest_bytes_.load() : versions_.manifest_bytes();
  // Memory, from the same view (a read-only handle's memtables are the
  // follower's, one per live WAL; table_index_filter_bytes is summed above).
  st.memtables_used_bytes = view->mem->approximate_bytes();
  st.memtables_reserved_bytes = view->mem->reserved_bytes();
  for (const auto& mem : view->frozen) {
    st.memtables_used_bytes += mem->approximate_bytes();
    st.memtables_reserved_bytes += mem->reserved_bytes();
  }
  st.block_cache_bytes = block_cache_->usage();
  st.block_cache_capacity = block_cache_->capacity();
  st.wal_buffer_bytes = wal_buffer_bytes();
  return st;
}

}  // namespace sand
