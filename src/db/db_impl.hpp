// DB::Impl: the state behind a DB handle and the locks that guard it.
//
// Locking (doc/design.md section 5):
//  - write_mu_ serialises writers: version assignment, the WAL append, the
//    memtable insert, publishing last_version_, freezing a full memtable.
//  - state_mu_ guards the manifest state and log, the frozen queue, the
//    background status, and changes to the view. It is held across manifest
//    appends (rare; they must be ordered with the view swap).
//  - view_mu_ guards only the view pointer: readers copy it under view_mu_,
//    which no one holds across I/O, so readers never wait for a flush,
//    compaction or manifest fsync.
//  - refresh_mu_ (read-only handles) serialises refresh(); SnapshotList::mu_
//    guards the live snapshots.
//  Lock order: write_mu_ or refresh_mu_, then state_mu_, then view_mu_;
//  SnapshotList::mu_ may be taken under state_mu_ and takes nothing itself.
//  - last_version_ is atomic: a reader never sees a version whose batch is
//    only partly in the memtable, because it is published after the insert.
// Two background threads: one flushes frozen memtables to level-0 tables,
// one runs compactions (db_compaction.cpp), so a long compaction never holds
// up a flush.
#pragma once

#include <atomic>
#include <bitset>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "db/follower.hpp"
#include "db/read_view.hpp"
#include "db/snapshot_list.hpp"
#include "db/write_queue.hpp"
#include "manifest/manifest_log.hpp"
#include "sand/db.hpp"
#include "table/block_cache.hpp"
#include "wal/record_writer.hpp"

namespace sand {

// Hidden: DB is exported, and a nested class would inherit that; the Impl is
// no part of a shared libsand's ABI.
struct [[gnu::visibility("hidden")]] DB::Impl {
  Impl(std::string path, Options options);
  ~Impl();

  // --- open and close (db_open.cpp) ---
  Status open();
  Status close();
  static Status validate_options(const Options& o);

  // --- read-only handles (db_read_only.cpp) ---
  // Opens without the lock, without writing anything, and without
  // background threads; reads follow the writer through refresh().
  Status open_read_only();
  // Catches up with the files (read-only handles; a no-op for a writer).
  Status refresh();

  // --- writes (db_write.cpp) ---
  Result<Version> write(const WriteBatch& batch, WriteOptions wo);
  // The leader's work for one group; sets each writer's status and version.
  void commit_group(const std::vector<WriteQueue::Writer*>& group);
  // A group stops growing past this many batch bytes (the leader's batch
  // always goes): bounds the latency a small write waits behind big ones.
  static constexpr std::size_t kMaxGroupBytes = 1 << 20;

  // --- reads (db_read.cpp) ---
  // nullopt reads the latest state.
  Result<std::optional<std::string>> get(std::string_view key,
                                         std::optional<Version> at) const;
  Result<std::vector<HistoryEntry>> history(std::string_view key) const;
  Result<Iterator> scan(const ScanOptions& options) const;
  std::shared_ptr<const ReadView> current_view() const;
  // Swaps in a new view. REQUIRES: state_mu_ (so its holders may read view_
  // directly); takes view_mu_ for the swap.
  void publish_view(std::shared_ptr<const ReadView> view);
  // The newest version a read through `view` sees: the writer's last
  // version, or for a read-only handle the view's own (ReadView).
  Version view_last_version(const ReadView& view) const;
  // Refuses an explicit read version that is too new or below the mark.
  Status check_read_version(const ReadView& view, Version at) const;
  // The version a read through `view` uses: the latest (never refused), or
  // `at` checked. REQUIRES: the caller took its view before calling.
  Version resolve_read_version(const ReadView& view, std::optional<Version> at,
                               Status* status) const;

  // --- flush (db_flush.cpp) ---
  Status flush();
  Stats stats() const;

  // --- compaction and retention (db_compaction.cpp) ---
  Status compact();
  Status forget_before(Version v);
  // The mark M reads are checked against (retention decides).
  Version effective_mark() const;
  void compaction_loop();
  enum class Job { kLevel0, kDeep, kFull };  // L0->L1, L1+L2->L2, all->L2
  // Picks and runs one compaction if one is due and does not conflict with
  // a running one. REQUIRES: state_mu_ held on entry and exit (released
  // while the job runs).
  Status maybe_compact(std::unique_lock<std::mutex>& lock, bool* did_work);
  Status run_job(std::unique_lock<std::mutex>& lock, const ReadView& view, Job job);
  // Replaces `removed` with `added` in the view, after the manifest edit,
  // in one swap (with a flush, also dropping the flushed memtable): readers
  // must never see data in neither place. REQUIRES: state_mu_.
  void install_tables(const std::vector<std::uint64_t>& removed,
                      std::vector<TableRef> added, bool drop_oldest_frozen = false);

  // Freezes the active memtable and starts a new WAL; on failure the DB turns
  // read-only (set_background_error). REQUIRES: write_mu_.
  Status freeze_memtable();
  Status switch_wal();  // freeze_memtable's steps. REQUIRES: write_mu_.
  // The active memtable has reached memtable_size. REQUIRES: write_mu_ and
  // state_mu_.
  bool memtable_full() const;
  // Fewer than max_frozen_memtables wait for flush, so the active one may be
  // frozen without exceeding the memory budget. REQUIRES: state_mu_.
  bool room_to_freeze() const;
  void background_loop();
  // Writes `mem` to a new table and records it in the manifest.
  Status flush_frozen(const std::shared_ptr<MemTable>& mem);
  // Opens table `number` described by `meta`.
  Result<TableRef> open_table(const manifest::TableMeta& meta) const;
  Status write_manifest_edit(manifest::Edit& edit);  // REQUIRES: state_mu_
  void set_background_error(const Status& s);        // REQUIRES: state_mu_
  Status writable_status() const;                    // REQUIRES: state_mu_

  const std::string path_;
  const Options options_;
  const std::shared_ptr<FileSystem> fs_;
  const std::shared_ptr<table::BlockCache> block_cache_;
  const std::shared_ptr<SnapshotList> snapshots_ = std::make_shared<SnapshotList>();

  std::unique_ptr<FileLock> lock_;

  // Read-only handles: no lock, WAL, manifest log or threads; the follower
  // supplies every view. refresh_mu_ serialises refresh() calls.
  bool read_only_ = false;
  std::unique_ptr<Follower> follower_;  // GUARDED_BY(refresh_mu_)
  std::mutex refresh_mu_;
  std::atomic<std::uint64_t> followed_manifest_bytes_{0};

  // Writers.
  std::mutex write_mu_;
  std::unique_ptr<wal::RecordWriter> wal_;  // GUARDED_BY(write_mu_)
  std::uint64_t wal_number_ = 0;            // GUARDED_BY(write_mu_)
  std::vector<std::string> group_reps_;     // GUARDED_BY(write_mu_), reused
  WriteQueue write_queue_;
  std::atomic<Version> last_version_{0};
  // The newest version a power loss cannot take back (its WAL record is
  // synced). A retention mark that reaches the manifest never exceeds it:
  // otherwise a power loss could leave a durable mark above the recovered
  // last version, and the reused versions would count as forgotten.
  std::atomic<Version> durable_version_{0};
  std::atomic<std::uint64_t> wal_bytes_{0};  // size of the active WAL, for stats

  // Shared state.
  mutable std::mutex state_mu_;
  std::condition_variable state_cv_;  // frozen queue drained / work arrived
  mutable std::mutex view_mu_;                 // guards the pointer swap only
  std::shared_ptr<const ReadView> view_;       // written under state_mu_ + view_mu_
  struct Frozen {
    std::shared_ptr<MemTable> mem;
    std::uint64_t wal_number;  // the WAL holding its writes
  };
  std::deque<Frozen> frozen_;                  // GUARDED_BY(state_mu_), oldest first
  std::uint64_t active_wal_number_ = 0;        // GUARDED_BY(state_mu_), = wal_number_
  manifest::State manifest_state_;             // GUARDED_BY(state_mu_)
  std::unique_ptr<manifest::ManifestLog> manifest_;  // GUARDED_BY(state_mu_)
  Status background_error_;                    // GUARDED_BY(state_mu_)
  bool closing_ = false;                       // GUARDED_BY(state_mu_)
  bool closed_ = false;                        // GUARDED_BY(state_mu_)
  std::bitset<3> running_;                     // GUARDED_BY(state_mu_), by Job
  std::uint64_t manual_requested_ = 0;         // GUARDED_BY(state_mu_), compact() calls
  std::uint64_t manual_done_ = 0;              // GUARDED_BY(state_mu_)
  std::thread background_;                     // flushes
  std::thread compactors_[2];                  // compactions
  std::atomic<Version> low_water_mark_{0};     // the persisted mark

  // Counters for stats().
  std::atomic<std::uint64_t> user_bytes_written_{0};
  std::atomic<std::uint64_t> flushes_{0};
  std::atomic<std::uint64_t> flush_bytes_written_{0};
  std::atomic<std::uint64_t> compactions_{0};
  std::atomic<std::uint64_t> compaction_bytes_read_{0};
  std::atomic<std::uint64_t> compaction_bytes_written_{0};
  std::atomic<std::uint64_t> stalls_{0};
  std::atomic<std::uint64_t> stall_micros_{0};
  std::atomic<std::uint64_t> wal_appends_{0};  // one per group
  std::atomic<std::uint64_t> wal_syncs_{0};    // fsyncs of the WAL by writes
};

}  // namespace sand
