// DB::Impl: the state behind a DB handle and the locks that guard it. One
// class, written in the db_impl_*.cpp files, one per concern:
//   db_impl_open.cpp       open (recovery from the files), close, options
//   db_impl_read_only.cpp  read-only handles: open_read_only, refresh
//   db_impl_write.cpp      write, group commit, freezing the memtable
//   db_impl_read.cpp       get, history, scan, read-version checks
//   db_impl_versioned_read.cpp  get_versioned, multi_get, key versions for
//                          write preconditions
//   db_impl_changes.cpp    the change feed, wait_for_version
//   db_impl_flush.cpp      the flush thread, flush(), stats()
//   db_impl_compaction.cpp the compaction threads, compact(), forget_before
//   db_impl_checkpoint.cpp checkpoint(): an online copy by links
// What the database consists of (manifest, file numbers, frozen memtables,
// the read view) is owned by versions_ (version_set.hpp); the Impl decides
// when it changes.
//
// Locking (doc/design.md section 5), checked by clang's -Wthread-safety:
//  - write_mu_ serialises writers: version assignment, the WAL append, the
//    memtable insert, publishing last_version_, freezing a full memtable.
//  - state_mu_ guards the background status, closing, the running jobs and
//    compact() tickets, and orders every change of versions_ with the waits
//    on state_cv_ (flush drained, work arrived, stall over).
//  - refresh_mu_ (read-only handles) serialises refresh().
//  - VersionSet's own mutexes and SnapshotList's are taken last.
//  Lock order: write_mu_ or refresh_mu_, then state_mu_, then VersionSet's
//  (then its view mutex); SnapshotList's takes nothing after it.
//  - last_version_ is atomic: a reader never sees a version whose batch is
//    only partly in the memtable, because it is published after the insert.
// Background threads: one flushes frozen memtables to level-0 tables, two
// run compactions (db_impl_compaction.cpp), so a long compaction never holds
// up a flush and an L0 merge can run beside a deep one.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <thread>

#include "db/compaction_picker.hpp"
#include "db/db_counters.hpp"
#include "db/follower.hpp"
#include "db/read_view.hpp"
#include "db/recovery.hpp"
#include "db/snapshot_list.hpp"
#include "db/value_gc.hpp"
#include "db/value_rewriter.hpp"
#include "db/version_set.hpp"
#include "db/version_waiters.hpp"
#include "db/write_queue.hpp"
#include "sand/db.hpp"
#include "table/block_cache.hpp"
#include "util/mutex.hpp"
#include "wal/record_writer.hpp"

namespace sand {

// Hidden: DB is exported, and a nested class would inherit that; the Impl is
// no part of a shared libsand's ABI.
struct [[gnu::visibility("hidden")]] DB::Impl {
 public:
  // What DB forwards to (db.cpp); each entry point is in the file below.
  Impl(std::string path, Options options);
  ~Impl();

  // db_impl_open.cpp
  Status open() SAND_EXCLUDES(write_mu_, state_mu_);
  Status close() SAND_EXCLUDES(write_mu_, state_mu_);
  // db_impl_read_only.cpp: opens without the lock, without writing anything
  // and without background threads; reads follow the writer through
  // refresh() (a no-op for a writer).
  Status open_read_only() SAND_EXCLUDES(refresh_mu_, state_mu_);
  Status refresh() SAND_EXCLUDES(refresh_mu_, state_mu_);
  // db_impl_write.cpp
  Result<Version> write(const WriteBatch& batch, WriteOptions wo) SAND_EXCLUDES(write_mu_);
  Version last_version() const { return last_version_.load(std::memory_order_acquire); }
  // db_impl_read.cpp; `at` nullopt reads the latest state.
  Result<std::optional<std::string>> get(std::string_view key, std::optional<Version> at) const;
  Result<std::vector<HistoryEntry>> history(std::string_view key) const;
  Result<Iterator> scan(const ScanOptions& options) const;
  Snapshot snapshot() const SAND_EXCLUDES(state_mu_);
  // db_impl_versioned_read.cpp
  Result<std::optional<HistoryEntry>> get_versioned(std::string_view key, std::optional<Version> at)
      const;
  Result<std::vector<std::optional<std::string>>> multi_get(std::span<const std::string_view> keys,
                                                            std::optional<Version> at) const;
  // The version write preconditions compare (WriteBatch::expect_version):
  // the newest put's in the latest state, 0 if the newest entry is a
  // tombstone or there is none. REQUIRES: write_mu_ (the leader, so the
  // memtable holds every earlier group).
  Result<Version> key_version(std::string_view key) const SAND_REQUIRES(write_mu_);
  // db_impl_changes.cpp
  Result<ChangeIterator> changes(const ChangeOptions& options) const;
  // Not const, unlike DB::wait_for_version(): a read-only handle refreshes
  // while it waits, which changes the view later reads see.
  Result<Version> wait_for_version(Version v, std::chrono::milliseconds timeout);
  // What a whole-database export reads (src/archive/): a view holding every
  // version up to `last`, and the mark `mark` <= `last` that history() applies.
  struct ReadPoint {
    std::shared_ptr<const ReadView> view;
    Version last = 0;
    Version mark = 0;
  };
  ReadPoint read_point() const SAND_EXCLUDES(state_mu_);
  // db_impl_open.cpp: InvalidArgument naming the first option out of range
  // (also checked by import_archive, which writes tables with them).
  static Status validate_options(const Options& o);
  // db_impl_flush.cpp
  Status flush() SAND_EXCLUDES(write_mu_, state_mu_);
  Stats stats() const;
  // db_impl_compaction.cpp
  Status compact() SAND_EXCLUDES(write_mu_, state_mu_);
  Status forget_before(Version v) SAND_EXCLUDES(write_mu_, state_mu_);
  // The mark M reads are checked against (retention decides).
  Version effective_mark() const;
  // db_impl_checkpoint.cpp
  Result<Version> checkpoint(const std::string& dir) SAND_EXCLUDES(write_mu_, state_mu_);

 private:
  // --- open and close (db_impl_open.cpp) ---
  // Step 2 of open: the manifest's state (or a new database's), its file
  // counter past every number in the directory, every file it needs there.
  Result<manifest::State> load_manifest(const DirListing& listing);
  // Steps 3-5 of open: opens the tables, replays the WALs into a new table,
  // starts a new WAL and writes the fresh MANIFEST through versions_.
  Status recover(manifest::State state, const DirListing& listing)
      SAND_EXCLUDES(write_mu_, state_mu_);
  // Deletes what the manifest no longer references among `names` (the
  // directory at open): flushed WALs, orphan tables, MANIFEST.tmp.
  void remove_obsolete_files(std::vector<std::string> names);
  // Opens table `number` described by `meta`.
  Result<TableRef> open_table(const manifest::TableMeta& meta) const;

  // --- writes (db_impl_write.cpp) ---
  // The leader's work for one group; sets each writer's status and version.
  void commit_group(const std::vector<WriteQueue::Writer*>& group) SAND_EXCLUDES(write_mu_);
  // A group stops growing past this many batch bytes (the leader's batch
  // always goes): bounds the latency a small write waits behind big ones.
  static constexpr std::size_t kMaxGroupBytes = 1 << 20;
  // How long a synced group's leader waits for writers of recent groups to
  // queue again: well under one fsync (~100 us to ms), so a lone synced
  // writer that stopped writing costs its successor at most this once.
  static constexpr std::chrono::microseconds kSyncCompanyWait{50};
  // Freezes the active memtable and starts a new WAL; on failure the DB turns
  // read-only (set_background_error).
  Status freeze_memtable() SAND_REQUIRES(write_mu_) SAND_EXCLUDES(state_mu_);
  Status switch_wal() SAND_REQUIRES(write_mu_) SAND_EXCLUDES(state_mu_);  // its steps
  // The active memtable has reached memtable_size.
  // Whether puts of separated values are written LZ4-compressed (kind 3 in
  // the WAL, WAL format version 3): value separation on, compression LZ4.
  bool compresses_values() const {
    return options_.value_separation_threshold != 0 && options_.compression == Compression::kLz4;
  }
  bool memtable_full() const;
  // The same for `mem`, the active memtable the caller already holds (the
  // write path, which pins it with write_mu_, skips the view lookup).
  bool memtable_full(const MemTable& mem) const;
  // Fewer than max_frozen_memtables wait for flush, so the active one may be
  // frozen without exceeding the memory budget.
  bool room_to_freeze() const;
  // `view`'s frozen memtables wait for flush and, with its active one, hold
  // the memtable budget or more: writers wait for the flush.
  bool over_memtable_budget(const ReadView& view) const;
  // Heap bytes the write path keeps between groups (Stats::wal_buffer_bytes):
  // the WAL writer's buffer and group_reps_ (its slots and each copy's
  // capacity).
  std::uint64_t held_wal_buffer_bytes() const SAND_REQUIRES(write_mu_);
  // The same for stats(), which must not wait for write_mu_ (held through a
  // whole group, and through a stall): computed when write_mu_ is free, else
  // what the last group or WAL switch published (wal_buffer_bytes_). 0 for a
  // read-only handle.
  std::uint64_t wal_buffer_bytes() const SAND_EXCLUDES(write_mu_);

  // --- reads (db_impl_read.cpp) ---
  std::shared_ptr<const ReadView> current_view() const { return versions_.current(); }
  // The newest version a read through `view` sees: the writer's last
  // version, or for a read-only handle the view's own (ReadView).
  Version view_last_version(const ReadView& view) const;
  // Refuses an explicit read version that is too new or below the mark.
  Status check_read_version(const ReadView& view, Version at) const;
  // The version a read through `view` uses: the latest (never refused), or
  // `at` checked. REQUIRES: the caller took its view before calling.
  Version resolve_read_version(const ReadView& view, std::optional<Version> at, Status* status)
      const;

  // --- flush (db_impl_flush.cpp) ---
  void flush_loop() SAND_EXCLUDES(state_mu_);
  // Writes the oldest frozen memtable to a new table and records it.
  Status flush_oldest() SAND_EXCLUDES(state_mu_);
  // Records `edit` and changes the view (versions_.log_and_apply); on failure
  // every later write fails (set_background_error). Wakes state_cv_ waiters.
  Status log_and_apply(manifest::Edit edit, ViewChange change) SAND_REQUIRES(state_mu_);

  // --- compaction (db_impl_compaction.cpp) ---
  void compaction_loop() SAND_EXCLUDES(state_mu_);
  // Picks and runs one compaction if one is due and does not conflict with
  // a running one; state_mu_ is released while the job runs.
  Status maybe_compact(bool* did_work) SAND_REQUIRES(state_mu_);
  Status run_job(const ReadView& view, CompactionKind kind) SAND_REQUIRES(state_mu_);
  // Opens the tables a job wrote, appending them to *outputs.
  Status open_outputs(const std::vector<manifest::TableMeta>& metas, std::vector<TableRef>* outputs)
      const;
  // The edit and view change of a job: `inputs` go, `outputs` and the value
  // logs it wrote come.
  static void replace_tables(const std::vector<TableRef>& inputs, std::vector<TableRef> outputs,
                             std::vector<manifest::ValueFileMeta> value_logs, manifest::Edit* edit,
                             ViewChange* change);

  // --- value-file garbage collection (db_impl_value_gc.cpp) ---
  // Rewrites the level-1 and level-2 tables that reference a value file due
  // under `mode` (db/value_gc.hpp), moving those values to new value logs,
  // in one manifest edit; state_mu_ is released while it writes.
  Status run_value_gc(ValueGcMode mode) SAND_REQUIRES(state_mu_);
  // A rewriter for the files due under `mode`, reading from `view`.
  ValueRewriter value_rewriter_for(const ReadView& view, ValueGcMode mode);
  // Finishes `rewriter`'s logs and syncs the directory if it wrote any.
  Status finish_value_logs(ValueRewriter & rewriter, std::vector<manifest::ValueFileMeta> * logs);

  // --- the background status (db_impl_write.cpp) ---
  void set_background_error(const Status& s) SAND_REQUIRES(state_mu_);
  Status writable_status() const SAND_REQUIRES(state_mu_);

  const std::string path_;
  const Options options_;
  const std::shared_ptr<FileSystem> fs_;
  const std::shared_ptr<table::BlockCache> block_cache_;
  const std::shared_ptr<SnapshotList> snapshots_ = std::make_shared<SnapshotList>();
  VersionSet versions_;

  std::unique_ptr<FileLock> lock_;

  // Read-only handles: no lock, WAL, manifest log or threads; the follower
  // supplies every view.
  bool read_only_ = false;  // set once, before any other thread sees the DB
  Mutex refresh_mu_;
  std::unique_ptr<Follower> follower_ SAND_GUARDED_BY(refresh_mu_);
  std::atomic<std::uint64_t> followed_manifest_bytes_{0};

  // Writers. Mutable: stats() try-locks it (wal_buffer_bytes()).
  mutable Mutex write_mu_;
  std::unique_ptr<wal::RecordWriter> wal_ SAND_GUARDED_BY(write_mu_);
  std::uint64_t wal_number_ SAND_GUARDED_BY(write_mu_) = 0;
  std::string wal_name_ SAND_GUARDED_BY(write_mu_);  // wal_file_name(wal_number_), for errors
  std::vector<std::string> group_reps_ SAND_GUARDED_BY(write_mu_);  // reused
  WriteQueue write_queue_;
  std::atomic<Version> last_version_{0};
  // wait_for_version's sleepers; woken after last_version_ grows and at close.
  VersionWaiters version_waiters_;
  // The newest version a power loss cannot take back (its WAL record is
  // synced). A retention mark that reaches the manifest never exceeds it:
  // otherwise a power loss could leave a durable mark above the recovered
  // last version, and the reused versions would count as forgotten.
  std::atomic<Version> durable_version_{0};
  std::atomic<std::uint64_t> wal_bytes_{0};  // size of the active WAL, for stats
  // held_wal_buffer_bytes() as of the last group or WAL switch, for stats.
  std::atomic<std::uint64_t> wal_buffer_bytes_{0};

  // Background work.
  mutable Mutex state_mu_;
  CondVar state_cv_;  // frozen queue drained / work arrived / stall over
  Status background_error_ SAND_GUARDED_BY(state_mu_);
  bool closing_ SAND_GUARDED_BY(state_mu_) = false;
  bool closed_ SAND_GUARDED_BY(state_mu_) = false;
  RunningJobs running_ SAND_GUARDED_BY(state_mu_);
  std::uint64_t manual_requested_ SAND_GUARDED_BY(state_mu_) = 0;  // compact() calls
  std::uint64_t manual_done_ SAND_GUARDED_BY(state_mu_) = 0;
  std::thread flusher_;
  std::thread compactors_[2];
  std::atomic<Version> low_water_mark_{0};  // the persisted mark

  DbCounters counters_;
};

}  // namespace sand
