// VersionSet: the one owner of what the database consists of right now: the
// manifest state and its log, the file-number counter, the frozen memtables
// waiting for flush, and the read view published to readers
// (doc/design.md section 6).
//
// Every change to the set of live files goes through log_and_apply(): the
// edit is made durable in the manifest first, then the new view is published
// in one swap. The manifest state and the view are therefore never out of
// step, and a reader never sees data in neither place (a flushed memtable
// leaves the view in the same swap that brings its table in).
//
// Recovery goes through it too: recover() adopts the state replayed from the
// old MANIFEST, and the first log_and_apply() after it writes the whole new
// state as a fresh MANIFEST (as a rollover does) instead of appending to the
// replayed file, whose torn tail would otherwise sit before the new records.
//
// Value files (spec/values.md) live here too: the view's ValueFiles holds
// the manifest's live value files and the WALs of the active and frozen
// memtables, whose values those memtables reference. An edit that leaves a
// value file without references removes it in the same edit (see
// log_and_apply), and the file is deleted when the last view holding it
// lets go, as a retired table is.
//
// Thread-safety: internally locked. mu_ guards the state, the log, the
// counter and the frozen queue and is held across a manifest append (rare);
// view_mu_ guards only the view pointer, so current() never waits for a
// manifest fsync. Lock order: DB::Impl's write_mu_, then state_mu_, then mu_,
// then view_mu_. DB::Impl calls the mutators with its state_mu_ held, so that
// a thread waiting on its condition variable cannot miss a change.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/read_view.hpp"
#include "db/value_gc.hpp"
#include "manifest/manifest_log.hpp"
#include "manifest/state.hpp"
#include "util/mutex.hpp"

namespace sand {

// What a manifest edit does to the read view.
struct ViewChange {
  std::vector<TableRef> added;
  std::vector<std::uint64_t> removed;  // table numbers; marked obsolete
  // A flush: the oldest frozen memtable leaves the view as its table
  // (in `added`) enters it, and the edit's wal_number moves past its WAL.
  bool drop_oldest_frozen = false;
};

class VersionSet {
 public:
  // New memtables use `memtable_index` (Options::memtable).
  VersionSet(std::shared_ptr<FileSystem> fs, std::string dir, std::uint64_t manifest_rollover_size,
             MemTableIndex memtable_index = MemTableIndex::kBTree);

  // Adopts `state`, replayed from the files, with an empty view and no
  // manifest log; the next log_and_apply() writes a fresh MANIFEST. The
  // caller raised state.next_file_number past every file number it saw.
  void recover(manifest::State state) SAND_EXCLUDES(mu_);

  // A number no file of this database has used (tables, WALs, runs).
  std::uint64_t new_file_number() SAND_EXCLUDES(mu_);

  // Makes `edit` durable, then publishes the view with `change` applied.
  // Fills in next_file_number; with change.drop_oldest_frozen also
  // wal_number (the next frozen memtable's WAL, else the active one's).
  // last_version and low_water_mark only ever rise: a value at or below the
  // current one is left out of the edit. Every live value file that no table
  // references once the edit is applied is removed by the same edit (tag 11)
  // and marked obsolete. With drop_oldest_frozen, the flushed memtable's WAL
  // stays readable if the edit adds it as a value file; otherwise the caller
  // deletes it. Errors: IOError or Corruption from
  // the manifest; then the edit's durability is unknown, nothing changed in
  // memory, and the caller must stop writing (a failed append leaves the
  // log unusable).
  Status log_and_apply(manifest::Edit edit, ViewChange change) SAND_EXCLUDES(mu_);

  // Freezes the active memtable (its writes are in the active WAL) and
  // publishes a view with a fresh one, whose writes go to WAL `new_wal`.
  void freeze_active(std::uint64_t new_wal) SAND_EXCLUDES(mu_);

  struct Frozen {
    std::shared_ptr<MemTable> mem;
    std::uint64_t wal_number;  // the WAL holding its writes
  };
  std::optional<Frozen> oldest_frozen() const SAND_EXCLUDES(mu_);
  std::size_t frozen_count() const SAND_EXCLUDES(mu_);

  // The view readers use; never waits for I/O.
  std::shared_ptr<const ReadView> current() const SAND_EXCLUDES(view_mu_);
  // Read-only handles: their views come from the Follower, not from edits.
  void publish_followed(std::shared_ptr<const ReadView> view) SAND_EXCLUDES(mu_);

  // What a checkpoint copies, taken in one step (db_impl_checkpoint.cpp): the
  // manifest state, the view (which pins its tables' files: none is deleted
  // while the caller holds it), and the WALs the state still needs, oldest
  // first: the frozen memtables' (sealed), then the active one. REQUIRES
  // (for the WAL list to be complete): the caller holds DB::Impl's
  // write_mu_, so no WAL switch runs.
  struct Pinned {
    manifest::State state;
    std::shared_ptr<const ReadView> view;
    std::vector<std::uint64_t> sealed_wals;  // the frozen memtables' WALs
    std::uint64_t active_wal = 0;
  };
  Pinned pin() const SAND_EXCLUDES(mu_);

  // Every live value file with its value bytes and what live tables
  // reference in it now (garbage collection, db/value_gc.hpp).
  std::vector<ValueFileUsage> value_file_usage() const SAND_EXCLUDES(mu_);

  Version low_water_mark() const SAND_EXCLUDES(mu_);
  // The manifest's wal_number: older WALs are flushed.
  std::uint64_t oldest_needed_wal() const SAND_EXCLUDES(mu_);
  std::uint64_t manifest_bytes() const SAND_EXCLUDES(mu_);  // 0 without a log
  // Closes the manifest log (if any). Errors: IOError.
  Status close() SAND_EXCLUDES(mu_);

 private:
  // Appends `edit`, or writes `next` as a fresh MANIFEST (which may advance
  // next.next_file_number).
  Status write_edit(const manifest::Edit& edit, manifest::State& next) SAND_REQUIRES(mu_);
  void publish(std::shared_ptr<const ReadView> view) SAND_EXCLUDES(view_mu_);
  // The ValueFile of value file `meta`, or of WAL `number`, from
  // value_files_ or new.
  std::shared_ptr<value::ValueFile> value_file(const manifest::ValueFileMeta& meta)
      SAND_REQUIRES(mu_);
  std::shared_ptr<value::ValueFile> wal_value_file(std::uint64_t number) SAND_REQUIRES(mu_);
  std::shared_ptr<const value::ValueFiles> values_for_view() const SAND_REQUIRES(mu_);

  const std::shared_ptr<FileSystem> fs_;
  const std::string dir_;
  const std::uint64_t rollover_size_;
  const MemTableIndex memtable_index_;

  mutable Mutex mu_;
  manifest::State state_ SAND_GUARDED_BY(mu_);
  std::unique_ptr<manifest::ManifestLog> log_ SAND_GUARDED_BY(mu_);  // null until recovered
  std::deque<Frozen> frozen_ SAND_GUARDED_BY(mu_);                   // oldest first
  std::uint64_t active_wal_ SAND_GUARDED_BY(mu_) = 0;
  // The state's value files and the active and frozen memtables' WALs.
  value::ValueFiles::Map value_files_ SAND_GUARDED_BY(mu_);

  mutable Mutex view_mu_;
  std::shared_ptr<const ReadView> view_ SAND_GUARDED_BY(view_mu_);
};

}  // namespace sand
