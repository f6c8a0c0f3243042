// The write path with group commit: writers queue (write_queue.hpp); the
// leader takes the group behind it and, under write_mu_, drops the batches
// whose preconditions fail (preconditions.hpp), assigns consecutive versions
// to the rest, appends their WAL records in one piece (a copy into the
// mapped WAL window, or one pwrite(2) for large groups), fsyncs once if any
// member asked for sync, inserts into the memtable, and only then publishes
// the last version, so a reader never sees part of a group. A failed append
// or sync is never retried or acknowledged: the DB turns read-only (the WAL
// may end in a partial record that a later append would bury).
#include <algorithm>
#include <chrono>
#include <span>
#include <vector>

#include "db/db_impl.hpp"
#include "db/filenames.hpp"
#include "db/preconditions.hpp"
#include "db/wal_replay.hpp"
#include "util/heap_bytes.hpp"
#include "wal/wal_file.hpp"
#include "wal/write_batch_codec.hpp"

namespace sand {
namespace {

// Options::memtable_budget, its default resolved; saturates instead of
// wrapping for sizes no machine has.
std::uint64_t memtable_budget(const Options& o) {
  if (o.memtable_budget != 0) return o.memtable_budget;
  const std::uint64_t size = o.memtable_size;
  const auto frozen = static_cast<std::uint64_t>(o.max_frozen_memtables);
  if (size > (UINT64_MAX - size / 4) / frozen) return UINT64_MAX;
  return frozen * size + size / 4;
}

bool any_preconditions(const std::vector<WriteQueue::Writer*>& group) {
  return std::any_of(group.begin(), group.end(), [](const WriteQueue::Writer* w) {
    return w->batch->precondition_count() > 0;
  });
}

// The writers of `group` that commit: those whose batch's preconditions hold
// when the passing writers before them commit from `first` on. The others
// get their Conflict (or lookup error) status here and commit nothing.
std::vector<WriteQueue::Writer*> admitted_writers(const std::vector<WriteQueue::Writer*>& group,
                                                  Version first,
                                                  const CommittedVersionFn& committed_version) {
  std::vector<const WriteBatch*> batches;
  batches.reserve(group.size());
  for (const WriteQueue::Writer* w : group) batches.push_back(w->batch);
  std::vector<Status> outcome = check_preconditions(batches, first, committed_version);
  std::vector<WriteQueue::Writer*> admitted;
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (outcome[i].is_ok()) {
      admitted.push_back(group[i]);
    } else {
      group[i]->status = std::move(outcome[i]);
    }
  }
  return admitted;
}

}  // namespace

Status DB::Impl::writable_status() const {
  if (read_only_) return Status::read_only(path_ + ": opened read-only");
  if (closing_ || closed_) return Status::read_only(path_ + ": database is closed");
  if (!background_error_.is_ok()) {
    return Status::read_only(
        path_ + ": read-only after an earlier error: " + background_error_.to_string());
  }
  return Status::ok();
}

void DB::Impl::set_background_error(const Status& s) {
  if (background_error_.is_ok()) background_error_ = s;
  state_cv_.notify_all();
}

Result<Version> DB::Impl::write(const WriteBatch& batch, WriteOptions wo) {
  if (batch.empty()) return Status::invalid_argument("empty write batch");
  SAND_RETURN_IF_ERROR(WriteBatchAccess::check_limits(batch));
  // Large values are compressed here, on the writer's own thread, before it
  // queues: concurrent writers compress in parallel, and the group's leader
  // only copies.
  std::string compressed;
  const bool compressed_any =
      compresses_values() &&
      WriteBatchAccess::compress_values(
          WriteBatchAccess::rep(batch),
          std::max(options_.value_separation_threshold, kMinCompressedValueSize), &compressed);
  WriteQueue::Writer w{
      .batch = &batch,
      .rep = compressed_any ? &compressed : &WriteBatchAccess::rep(batch),
      .sync = wo.sync == SyncMode::kSync || (wo.sync == SyncMode::kDefault && options_.sync)};
  if (write_queue_.join(&w)) {
    // This writer leads: commit everything queued behind it in one go. A
    // synced group first waits briefly for writers of the last groups that
    // are about to queue again (WriteQueue::await_company).
    if (w.sync) write_queue_.await_company(kSyncCompanyWait);
    const std::vector<WriteQueue::Writer*> group = write_queue_.take_group(kMaxGroupBytes);
    commit_group(group);
    write_queue_.finish(group);
  }
  if (!w.status.is_ok()) return w.status;
  return w.version;
}

void DB::Impl::commit_group(const std::vector<WriteQueue::Writer*>& whole_group) {
  // Until the preconditions are checked every writer is in; after that, only
  // those that passed (a writer that failed keeps its Conflict).
  std::span<WriteQueue::Writer* const> group = whole_group;
  std::vector<WriteQueue::Writer*> admitted;
  auto fail_all = [&](const Status& s) {
    for (WriteQueue::Writer* w : group) w->status = s;
  };
  MutexLock wlock(write_mu_);
  bool freeze_first = false;
  {
    MutexLock lock(state_mu_);
    // Stall while the memtable is full and max_frozen_memtables already wait
    // for flush, while a flush is pending and the memtables hold
    // memtable_budget, or while level 0 is full: the background threads need
    // to catch up (documented limits in Options). A memtable that merely
    // waits for flush stalls nobody while the budget has room.
    auto full = [&] {
      const std::shared_ptr<const ReadView> view = current_view();
      return (memtable_full(*view->mem) && !room_to_freeze()) || over_memtable_budget(*view) ||
             view->l0.size() >= static_cast<std::size_t>(options_.l0_stop);
    };
    if (writable_status().is_ok() && full()) {
      const auto start = std::chrono::steady_clock::now();
      while (writable_status().is_ok() && full()) state_cv_.wait(state_mu_);
      counters_.stalls.fetch_add(1, std::memory_order_relaxed);
      counters_.stall_micros.fetch_add(
          static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                         std::chrono::steady_clock::now() - start)
                                         .count()));
    }
    if (Status s = writable_status(); !s.is_ok()) return fail_all(s);
    // Left full by an earlier group that found no room to freeze it.
    freeze_first = memtable_full();
  }
  if (freeze_first) {
    if (Status s = freeze_memtable(); !s.is_ok()) return fail_all(s);
  }

  // Versions in queue order; one record per batch, all in one append.
  const Version first = last_version_.load(std::memory_order_relaxed) + 1;
  // Checked in this critical section, so nothing commits between a batch's
  // check and its own commit. The lookups may read tables (block cache or
  // disk) while holding write_mu_: only groups with preconditions pay that.
  if (any_preconditions(whole_group)) {
    admitted = admitted_writers(whole_group, first, [this](std::string_view key) {
      write_mu_.assert_held();  // called right here, under wlock
      return key_version(key);
    });
    group = admitted;
    if (group.empty()) return;  // every batch failed: nothing to append or sync
  }
  if (first + group.size() - 1 > kMaxVersion) {
    return fail_all(Status::invalid_argument("version space exhausted"));
  }
  group_reps_.resize(group.size());
  std::vector<std::string_view> records;
  bool sync = false;
  for (std::size_t i = 0; i < group.size(); ++i) {
    group_reps_[i] = *group[i]->rep;
    WriteBatchAccess::set_version(&group_reps_[i], first + i);
    records.push_back(group_reps_[i]);
    sync = sync || group[i]->sync;
  }
  const std::uint64_t first_record = wal_->size();  // where the group's records start
  Status s = wal_->add_records(records);
  if (s.is_ok() && sync) s = wal_->sync();  // one fsync for the whole group
  if (!s.is_ok()) {
    MutexLock lock(state_mu_);
    set_background_error(s);
    return fail_all(s);
  }
  if (sync) durable_version_.store(first + group.size() - 1);

  // The batches were validated when built; decoding our own bytes cannot
  // fail, but a failure must still not be ignored.
  MemTable& mem = *current_view()->mem;
  std::uint64_t user_bytes = 0;
  std::uint64_t record = first_record;
  for (std::size_t i = 0; i < group.size(); ++i) {
    const Version v = first + i;
    group[i]->version = v;
    Result<std::uint64_t> added = insert_batch(mem, group_reps_[i], v, wal_name_, wal_number_,
                                               record, options_.value_separation_threshold);
    record += wal::kRecordHeaderSize + group_reps_[i].size();
    group[i]->status = added.status();
    if (added.is_ok()) user_bytes += *added;
  }
  // Published only now: a reader never sees part of a group's batches.
  last_version_.store(first + group.size() - 1, std::memory_order_release);
  version_waiters_.published();
  wal_bytes_.store(wal_->size(), std::memory_order_relaxed);
  wal_buffer_bytes_.store(held_wal_buffer_bytes(), std::memory_order_relaxed);
  counters_.user_bytes_written.fetch_add(user_bytes, std::memory_order_relaxed);
  counters_.write_groups.fetch_add(1, std::memory_order_relaxed);
  if (sync) counters_.wal_syncs.fetch_add(1, std::memory_order_relaxed);

  // The fullness check needs no lock (write_mu_ pins the memtable); only a
  // full one costs the state_mu_ round trip for the frozen count.
  bool freeze_now = false;
  if (memtable_full(mem)) {
    MutexLock lock(state_mu_);
    freeze_now = room_to_freeze();
  }
  if (freeze_now) {
    // The writes are durable and visible; a failure to switch memtables only
    // affects later writes (the DB turns read-only).
    freeze_memtable().ignore();  // on failure it turns the DB read-only
  }
}

bool DB::Impl::memtable_full() const { return memtable_full(*current_view()->mem); }

bool DB::Impl::memtable_full(const MemTable& mem) const {
  // With separated values the memtable holds only references, so the WAL
  // (which holds the values) must bound it too: it is replayed at open and
  // becomes a value file of about this size.
  return mem.approximate_bytes() >= options_.memtable_size ||
         wal_bytes_.load(std::memory_order_relaxed) >= options_.memtable_size;
}

bool DB::Impl::over_memtable_budget(const ReadView& view) const {
  if (view.frozen.empty()) return false;  // the active one alone may fill up
  std::uint64_t bytes = view.mem->approximate_bytes();
  for (const auto& m : view.frozen) bytes += m->approximate_bytes();
  return bytes >= memtable_budget(options_);
}

bool DB::Impl::room_to_freeze() const {
  return versions_.frozen_count() < static_cast<std::size_t>(options_.max_frozen_memtables);
}

std::uint64_t DB::Impl::held_wal_buffer_bytes() const {
  std::uint64_t bytes = group_reps_.capacity() * sizeof(std::string);
  for (const std::string& rep : group_reps_) {
    bytes += util::heap_bytes(rep);
  }
  if (wal_ != nullptr) bytes += wal_->buffer_bytes();
  return bytes;
}

std::uint64_t DB::Impl::wal_buffer_bytes() const {
  if (read_only_) return 0;
  if (write_mu_.try_lock()) {
    const std::uint64_t bytes = held_wal_buffer_bytes();
    write_mu_.unlock();
    return bytes;
  }
  // A writer holds the lock: its buffers are as the last group or WAL switch
  // left them (a stalled leader has not touched them yet).
  return wal_buffer_bytes_.load(std::memory_order_relaxed);
}

Status DB::Impl::freeze_memtable() {
  Status s = switch_wal();
  if (!s.is_ok()) {
    // Whichever step failed, the WALs' state is unknown (the old one may not
    // be durable, writes must not go on into it after a newer WAL exists):
    // no later write may be acknowledged.
    MutexLock lock(state_mu_);
    set_background_error(s);
  }
  return s;
}

Status DB::Impl::switch_wal() {
  // The old WAL is sealed and made durable first: then every WAL but the
  // newest ends with its seal, and recovery can tell an older WAL that lost
  // its tail (even one cut at a record boundary) from a complete one.
  SAND_RETURN_IF_ERROR(wal::append_seal(*wal_));
  SAND_RETURN_IF_ERROR(wal_->sync());
  durable_version_.store(last_version_.load());
  const std::uint64_t number = versions_.new_file_number();
  // The new WAL's directory entry must be durable before a synced write in it
  // is acknowledged.
  SAND_ASSIGN_OR_RETURN(auto new_wal, wal::create_wal(*fs_, join_path(path_, wal_file_name(number)),
                                                      number, compresses_values()));
  SAND_RETURN_IF_ERROR(new_wal->sync());
  SAND_RETURN_IF_ERROR(fs_->sync_dir(path_));
  // Swapped before the old one is closed, so wal_ never names a closed
  // writer even if the close fails.
  std::unique_ptr<wal::RecordWriter> old_wal = std::move(wal_);
  wal_ = std::move(new_wal);
  Status closed = old_wal->close();

  MutexLock lock(state_mu_);
  versions_.freeze_active(number);
  wal_number_ = number;
  wal_name_ = wal_file_name(number);
  wal_bytes_.store(wal_->size(), std::memory_order_relaxed);
  wal_buffer_bytes_.store(held_wal_buffer_bytes(), std::memory_order_relaxed);
  state_cv_.notify_all();  // the flush thread has work
  return closed;           // its data was synced above; an error still stops writes
}

}  // namespace sand
