/// @file
/// DB: an open sanddb database directory.
///
/// Every committed write gets the next version (a u64 that only grows, also
/// across restarts); reads see the latest state or the state as of any
/// retained version. See README.md for a tour and doc/design.md for the contracts.
///
/// Errors: calls return Status / Result<T> and never throw (a std::bad_alloc
/// may still escape).
///
/// @par Thread-safety
/// A DB is safe to use from many threads at once, every method included
/// (close() too: calls racing it either finish or return ReadOnly). Writers
/// queue and commit in groups (one WAL append and at most one fsync per
/// group); reads never wait for writers, flushes, compactions or fsyncs: they
/// take an immutable view and read it without locks. Iterator and Snapshot
/// objects may outlive the DB (see each type). Across processes: one writer
/// (DB::open takes LOCK) and any number of read-only handles
/// (DB::open_read_only).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sand/export.hpp"
#include "sand/options.hpp"
#include "sand/status.hpp"
#include "sand/write_batch.hpp"

namespace sand {

namespace detail {
struct SnapshotPin;      // src/db/snapshot_list.hpp
struct IteratorState;    // src/db/iterator_state.hpp
struct ChangeFeedState;  // src/db/change_feed.hpp
struct DbAccess;         // src/db/db_access.hpp: the engine's own components reach DB::Impl
}  // namespace detail

/// A pinned version: reads at it stay repeatable and compaction keeps what it
/// needs.
///
/// Copies share the pin; the pin is released when the last copy goes. Read
/// at it with `db->get(key, s.version())` or `db->scan({.at = s.version()})`:
/// those reads are allowed even below DB::low_water_mark() (except on a
/// read-only handle, see DB::open_read_only()). DB::snapshot() makes one.
///
/// @par Thread-safety
/// Safe to copy and use from many threads. May outlive its DB.
class SAND_EXPORT Snapshot {
 public:
  Snapshot() = default;  ///< Pins nothing; version() is 0.
  /// The pinned version (0 for a default-constructed Snapshot).
  Version version() const { return version_; }

 private:
  friend class DB;
  Snapshot(Version v, std::shared_ptr<const detail::SnapshotPin> pin)
      : version_(v), pin_(std::move(pin)) {}
  Version version_ = 0;
  std::shared_ptr<const detail::SnapshotPin> pin_;
};

/// One retained version of a key: an entry of DB::history(), or what
/// DB::get_versioned() finds.
struct HistoryEntry {
  Version version = 0;   ///< The version that wrote this entry.
  bool deleted = false;  ///< A tombstone: the key was deleted at `version`.
  std::string value;     ///< Empty when deleted.

  /// Equal when every field is equal.
  friend bool operator==(const HistoryEntry&, const HistoryEntry&) = default;
};

/// What a scan covers. Bounds are user keys: from <= key < to, and the key
/// starts with `prefix`; an iterator never leaves them, whatever it seeks.
struct ScanOptions {
  std::optional<std::string> from{};  ///< First key (inclusive). Default: from the first key.
  std::optional<std::string> to{};    ///< End key (exclusive). Default: to past the last key.
  std::optional<Version> at{};        ///< Version to read at. Default: the latest version.
  bool reverse = false;               ///< Descending keys if true. Default: ascending keys.
  /// Only keys that start with these bytes (together with from and to).
  /// Default: every key.
  std::optional<std::string> prefix{};
};

/// The live keys of a scan, one at a time, in the scan's direction; it can
/// also seek and step back.
///
/// It reads a fixed version, so writes after scan() returned never show. It
/// keeps the files it reads alive until it is destroyed. DB::scan() makes
/// one, positioned at the scan's first key; it is move-only. A typical loop:
/// @code{.cpp}
/// auto it = db->scan({.prefix = "user:"});  // Result<Iterator>
/// if (!it) return it.status();
/// for (; it->valid(); it->next()) { use(it->key(), it->value(), it->version()); }
/// if (!it->status().is_ok()) return it->status();  // the scan ended early
/// @endcode
///
/// The seek functions name keys in ascending byte order whatever the scan's
/// direction, and stay inside the scan's bounds (from, to, prefix); next()
/// steps in the scan's direction and prev() against it, and either may
/// follow any other call. A seek uses each table's index (and skips tables
/// whose key range misses the bounds), never a walk from the first key.
/// After an error every call leaves the iterator not valid() and status()
/// keeps the error.
///
/// @par Thread-safety
/// Use from one thread at a time. May outlive its DB.
class SAND_EXPORT Iterator {
 public:
  /// Takes over the source's position; the source is left not valid(), with
  /// an OK status().
  Iterator(Iterator&&) noexcept;
  /// Takes over the source's position, releasing what this iterator held;
  /// the source is left not valid(), with an OK status().
  Iterator& operator=(Iterator&&) noexcept;
  /// Releases the files the iterator kept alive.
  ~Iterator();

  /// Whether the iterator is at an entry. False at the end or after an error.
  bool valid() const;
  /// Moves to the next key in the scan's direction. On a not-valid()
  /// iterator it does nothing (seek to position it again).
  void next();
  /// Moves to the previous key in the scan's direction (the next one
  /// against it): in an ascending scan, the largest key below the current.
  /// On a not-valid() iterator it does nothing.
  void prev();
  /// Moves to the first key >= `key` within the bounds (not valid() if none).
  void seek(std::string_view key);
  /// Moves to the last key <= `key` within the bounds (not valid() if none).
  void seek_for_prev(std::string_view key);
  /// Moves to the smallest key within the bounds.
  void seek_to_first();
  /// Moves to the largest key within the bounds.
  void seek_to_last();
  /// The current key. The view stays valid until the iterator moves or is
  /// destroyed.
  /// @pre valid().
  std::string_view key() const;
  /// The current key's value. The view stays valid until the iterator moves
  /// or is destroyed.
  ///
  /// A large value stored in a value file (Options::value_separation_threshold)
  /// is read here, on the first call for the key, so a scan that only looks
  /// at keys never reads one. If it cannot be read (its file is missing or
  /// the bytes fail their checksum), the result is empty and the scan ends:
  /// valid() turns false and status() is the Corruption naming the file and
  /// offset.
  /// @pre valid().
  std::string_view value() const;
  /// The version that wrote the current key and value.
  /// @pre valid().
  Version version() const;
  /// OK, or the error (e.g.\ Corruption naming file and offset) that ended the
  /// scan early. Check it once valid() turns false.
  Status status() const;

 private:
  friend class DB;
  explicit Iterator(std::unique_ptr<detail::IteratorState> state);
  std::unique_ptr<detail::IteratorState> state_;
};

/// What a change feed covers: the writes with versions in (since, until],
/// to keys in [from, to) that start with `prefix`.
struct ChangeOptions {
  /// Versions after this one. Default: 0 (from the first write). Must not
  /// be below DB::low_water_mark().
  Version since = 0;
  /// Up to and including this version. Default: the last committed version
  /// when changes() is called.
  std::optional<Version> until{};
  std::optional<std::string> from{};    ///< First key (inclusive). Default: no bound.
  std::optional<std::string> to{};      ///< End key (exclusive). Default: no bound.
  std::optional<std::string> prefix{};  ///< Only keys that start with it. Default: every key.
};

/// One operation of a committed batch, as the change feed shows it.
struct Change {
  std::string key;       ///< The key written.
  bool deleted = false;  ///< A tombstone: the key was deleted.
  std::string value;     ///< The value put; empty when deleted.

  /// Equal when every field is equal.
  friend bool operator==(const Change&, const Change&) = default;
};

/// One committed batch in the change feed: its version and its operations.
struct ChangeBatch {
  Version version = 0;          ///< The version the batch committed at.
  std::vector<Change> changes;  ///< Its operations, in ascending key order.

  /// Equal when every field is equal.
  friend bool operator==(const ChangeBatch&, const ChangeBatch&) = default;
};

/// The change feed: committed batches one at a time, in version order.
///
/// DB::changes() makes one, positioned at the first batch. It reads a fixed
/// range of versions, keeps the files it reads alive until destroyed, and
/// holds at most a bounded window of batches in memory at a time. A typical
/// loop:
/// @code{.cpp}
/// auto feed = db->changes({.since = seen});  // Result<ChangeIterator>
/// if (!feed) return feed.status();
/// for (; feed->valid(); feed->next()) apply(feed->batch());
/// if (!feed->status().is_ok()) return feed->status();
/// seen = feed->until();
/// @endcode
///
/// @par Thread-safety
/// Use from one thread at a time. May outlive its DB.
class SAND_EXPORT ChangeIterator {
 public:
  /// Takes over the source's position; the source is left not valid().
  ChangeIterator(ChangeIterator&&) noexcept;
  /// Takes over the source's position; the source is left not valid().
  ChangeIterator& operator=(ChangeIterator&&) noexcept;
  /// Releases the files the feed kept alive.
  ~ChangeIterator();

  /// Whether the feed is at a batch. False at the end or after an error.
  bool valid() const;
  /// Moves to the next batch (the next higher version with a change).
  /// @pre valid().
  void next();
  /// The current batch. The reference stays valid until next() or
  /// destruction.
  /// @pre valid().
  const ChangeBatch& batch() const;
  /// The last version the feed covers (the resolved `until`): once the feed
  /// is done with an OK status, the next catch-up starts with since = until().
  Version until() const;
  /// OK, or the error (e.g.\ Corruption naming file and offset) that ended
  /// the feed early.
  Status status() const;

 private:
  friend class DB;
  explicit ChangeIterator(std::unique_ptr<detail::ChangeFeedState> state);
  std::unique_ptr<detail::ChangeFeedState> state_;
};

/// Counters and shape; a consistent-enough picture for monitoring. A plain
/// value.
///
/// DB::stats() fills it. The counters (user_bytes_written, write_groups,
/// wal_syncs, flushes, flush_bytes_written, compactions,
/// compaction_bytes_read, compaction_bytes_written, stalls, stall_micros)
/// count from when this DB handle was opened (a flush of recovered WAL data
/// during open included); the other fields describe the current state.
///
/// The memory fields (memtables_used_bytes .. wal_buffer_bytes) say where the
/// handle's memory goes now. Each counts what the current view holds: a
/// memtable or table that left the view but is still pinned by an iterator
/// is not counted. Memory outside the heap never is: tables and value files
/// are read through read-only file mappings and the WAL is appended through
/// a shared file mapping (page cache, not anonymous memory).
struct Stats {
  Version last_version = 0;                    ///< Newest committed version.
  Version low_water_mark = 0;                  ///< Retention mark (see DB::forget_before).
  std::uint64_t memtable_bytes = 0;            ///< Bytes in the active memtable.
  std::uint64_t immutable_memtables = 0;       ///< Frozen, waiting to be flushed.
  std::uint64_t tables[3] = {0, 0, 0};         ///< Live tables per level (index = level).
  std::uint64_t table_bytes[3] = {0, 0, 0};    ///< Their bytes per level.
  std::uint64_t l1_runs = 0;                   ///< Sorted runs in level 1.
  std::uint64_t wal_bytes = 0;                 ///< Bytes in the active WAL file.
  std::uint64_t user_bytes_written = 0;        ///< Keys+values accepted by writes.
  std::uint64_t write_groups = 0;              ///< Group commits: one WAL append each.
  std::uint64_t wal_syncs = 0;                 ///< WAL fsyncs done for synced writes.
  std::uint64_t flushes = 0;                   ///< Memtables written to level-0 tables.
  std::uint64_t flush_bytes_written = 0;       ///< Bytes of the tables flushes wrote.
  std::uint64_t compactions = 0;               ///< Compactions completed.
  std::uint64_t compaction_bytes_read = 0;     ///< Input table bytes.
  std::uint64_t compaction_bytes_written = 0;  ///< Output table bytes.
  /// (flush + compaction bytes written) / user bytes written; 0 before any.
  double write_amplification = 0;
  /// Table bytes / bytes of the last level (level 2); 1.0 means nothing above
  /// it. 0 while level 2 is empty.
  double space_amplification = 0;
  std::uint64_t stalls = 0;          ///< Writes that waited for flush/compaction.
  std::uint64_t stall_micros = 0;    ///< Total time they waited, in microseconds.
  std::uint64_t live_snapshots = 0;  ///< Pins held by live Snapshot objects.
  /// Bytes of the MANIFEST file (a read-only handle: the bytes it has
  /// applied).
  std::uint64_t manifest_bytes = 0;
  /// Memtable arena bytes in use: handed out by the arenas of the active
  /// memtable and of every frozen one not yet flushed (entries, index nodes,
  /// version log); >= memtable_bytes.
  std::uint64_t memtables_used_bytes = 0;
  /// Bytes of the blocks those arenas hold from the system (>=
  /// memtables_used_bytes; the difference is arena slack, mostly untouched
  /// and not resident).
  std::uint64_t memtables_reserved_bytes = 0;
  /// Heap bytes of every open table reader in the view: its decoded index
  /// (keys and block handles), checksum-verified bits, properties' key
  /// strings, file name and the reader object, plus its bloom filter when
  /// the filter was stored compressed. An uncompressed filter (what sanddb
  /// writes) is read in place from the mapped file and not counted. None of
  /// it is in the block cache, which holds data blocks only.
  std::uint64_t table_index_filter_bytes = 0;
  /// Bytes charged in the block cache: the decompressed data blocks it holds
  /// now (<= block_cache_capacity).
  std::uint64_t block_cache_bytes = 0;
  /// Options::block_cache_size.
  std::uint64_t block_cache_capacity = 0;
  /// Heap bytes of the write path's buffers, kept between write groups: the
  /// WAL writer's framing buffer and the group's reused batch copies (their
  /// capacity, not just their contents). 0 on a read-only handle.
  std::uint64_t wal_buffer_bytes = 0;
};

/// An open sanddb database directory: the entry point of the API.
///
/// Open one with open() (the writer; creates the database by default) or
/// open_read_only() (alongside a writer in another process); the handle is a
/// `std::unique_ptr<DB>` and closes when destroyed. Every committed write gets
/// the next version; reads see the latest state or the state as of any
/// retained version.
///
/// Errors: calls return Status / Result<T> and never throw (a std::bad_alloc
/// may still escape).
///
/// @par Thread-safety
/// Safe to use from many threads at once, every method included (close()
/// too: calls racing it either finish or return ReadOnly). Reads never wait
/// for writers, flushes, compactions or fsyncs.
class SAND_EXPORT DB {
 public:
  /// Opens (or, with create_if_missing, creates) the database in `path`,
  /// recovering from the manifest and any unflushed WALs.
  ///
  /// Holds `path`/LOCK until closed. Errors: NotFound (missing and
  /// !create_if_missing), InvalidArgument (exists and error_if_exists; bad
  /// options), Busy (another process has it open), Corruption (file, offset,
  /// what), IOError.
  static Result<std::unique_ptr<DB>> open(const std::string& path, Options options = {});

  /// Opens the database in `path` read-only, alongside a writer process that
  /// may hold it open (or none).
  ///
  /// Never takes LOCK, never writes or deletes a file, starts no thread.
  /// Reads see the state of the last refresh(): the tables the manifest names
  /// plus every complete WAL record. Writes, flush(), compact() and
  /// forget_before() return ReadOnly. Options used: file_system,
  /// block_cache_size, retention (kLatestOnly refuses reads at old versions),
  /// point_in_time_recovery; the rest are checked and ignored. Reads at a
  /// version below the writer's retention mark are refused even at this
  /// handle's own Snapshot (it cannot hold back the writer's compactions).
  /// Errors: NotFound (no database), InvalidArgument (bad options),
  /// Corruption (file, offset, what), IOError, Busy (see refresh()).
  static Result<std::unique_ptr<DB>> open_read_only(const std::string& path, Options options = {});

  /// Read-only handles: catches up with the writer: applies new manifest
  /// records, opens new tables, reads new WAL records.
  ///
  /// Reads that started before keep their view; later ones see the new
  /// state. Each state seen is one the writer produced, and states are seen
  /// in order (unless a writer restarting with point_in_time_recovery dropped
  /// writes). Cheap when nothing changed. A writable handle is always
  /// current: refresh() is a no-op returning OK. Errors: ReadOnly after
  /// close(), Corruption, IOError, Busy if the writer kept retiring the files
  /// being opened (retry later).
  Status refresh();

  DB(const DB&) = delete;             ///< Not copyable: one handle per open.
  DB& operator=(const DB&) = delete;  ///< Not copyable: one handle per open.
  /// Closes, ignoring errors; call close() to see them.
  ~DB();

  /// Sets `key` to `value`.
  ///
  /// Errors: InvalidArgument (size limits), ReadOnly (closed or after a
  /// background error), IOError (the WAL write or sync failed: the write did
  /// not happen).
  /// @return The version it was committed at.
  Result<Version> put(std::string_view key, std::string_view value, WriteOptions options = {});
  /// Deletes `key` (writes a tombstone, even if the key is absent).
  ///
  /// Errors: as put().
  /// @return The version it was committed at.
  Result<Version> del(std::string_view key, WriteOptions options = {});
  /// Commits every operation of `batch` atomically under one new version and
  /// returns it.
  ///
  /// Errors: as put(); InvalidArgument for an empty batch.
  Result<Version> write(const WriteBatch& batch, WriteOptions options = {});

  /// The latest value of `key`, or nullopt if absent or deleted.
  ///
  /// Errors: InvalidArgument (key longer than kMaxKeySize), Corruption,
  /// IOError.
  Result<std::optional<std::string>> get(std::string_view key) const;
  /// The value of `key` as of version `at` (after the batch that got `at`
  /// committed), or nullopt if absent or deleted then.
  ///
  /// Errors: InvalidArgument if `at` is newer than last_version(), or older
  /// than low_water_mark() and not the version of a live Snapshot (or if the
  /// key is longer than kMaxKeySize); Corruption, IOError.
  Result<std::optional<std::string>> get(std::string_view key, Version at) const;

  /// The newest retained entry of `key` (a put or a tombstone) and the
  /// version that wrote it, or nullopt if the key has none.
  ///
  /// Exactly the first entry of history() (the latest state), so a tombstone
  /// shows only when it hides an older retained put. Use the version for a
  /// read-modify-write with WriteBatch::expect_version().
  /// Errors: as get().
  Result<std::optional<HistoryEntry>> get_versioned(std::string_view key) const;
  /// The newest retained entry of `key` at or below version `at`: the first
  /// entry of history() with version <= at, or nullopt.
  ///
  /// Errors: as get(key, at).
  Result<std::optional<HistoryEntry>> get_versioned(std::string_view key, Version at) const;

  /// The latest values of many keys, read at one version (answers[i] for
  /// keys[i]; nullopt if absent or deleted).
  ///
  /// Equals get() of each key at one version, but batched: it takes one
  /// view, looks up each distinct key once, and asks each memtable and
  /// table once for all the keys it may hold, in key order (filter probes
  /// issued together, index searches resumed, a data block shared by
  /// several keys read once). Errors: as get(); the first error fails the
  /// call.
  Result<std::vector<std::optional<std::string>>> multi_get(
      std::span<const std::string_view> keys) const;
  /// The values of many keys as of version `at`.
  ///
  /// Errors: as get(key, at).
  Result<std::vector<std::optional<std::string>>> multi_get(std::span<const std::string_view> keys,
                                                            Version at) const;

  /// The committed batches with versions in (since, until], batch by batch
  /// in version order (see ChangeOptions and ChangeIterator).
  ///
  /// Shows the retained history by the rules of history(): every write at
  /// a version >= low_water_mark(), except a tombstone that hides no older
  /// retained put (so no answer depends on when compaction ran). Within a
  /// batch, operations come in key order, one per key (the batch's last one
  /// for that key). Tables and memtables whose versions all lie at or below
  /// `since` are never read: catching up costs what the changes cost.
  /// Errors: InvalidArgument if `since` is below low_water_mark() (the
  /// versions after it may be gone: "compacted"), `until` is newer than
  /// last_version() or below `since`, or from > to; Corruption, IOError.
  Result<ChangeIterator> changes(const ChangeOptions& options = {}) const;

  /// Waits until version `v` is committed (last_version() >= v) or
  /// `timeout` passes, and returns last_version().
  ///
  /// A read-only handle refreshes itself while it waits (as refresh()
  /// does), so a follower process can tail a writer with
  /// wait_for_version(seen + 1, ...) and changes({.since = seen}).
  /// Errors: ReadOnly after close() (close() wakes waiters); a read-only
  /// handle's refresh errors.
  Result<Version> wait_for_version(Version v, std::chrono::milliseconds timeout) const;

  /// The retained history of `key`, newest first.
  ///
  /// Every version >= the low-water mark M, plus the newest version below M
  /// (the state as of M), tombstones included, except tombstones with no
  /// older retained version of the key beneath them (they hide nothing, and
  /// compaction drops them). The answer never depends on when compaction ran.
  /// Errors: InvalidArgument (key longer than kMaxKeySize), Corruption,
  /// IOError.
  Result<std::vector<HistoryEntry>> history(std::string_view key) const;

  /// Live keys in [from, to) as of `at`, ascending or descending (see
  /// ScanOptions).
  ///
  /// Errors: InvalidArgument (`at` refused as for get(), from > to),
  /// Corruption, IOError; errors met while iterating show in
  /// Iterator::status().
  Result<Iterator> scan(const ScanOptions& options = {}) const;

  /// Pins the current version (see Snapshot).
  Snapshot snapshot() const;

  /// Writes the memtable to a new level-0 table and waits until it is durable
  /// and the manifest names it. Errors: ReadOnly, IOError.
  Status flush();

  /// Flushes the memtable, then merges every table into level 2 (one sorted
  /// run), dropping what retention allows, and waits for it. Errors:
  /// ReadOnly, IOError, Corruption.
  Status compact();

  /// Raises the retention low-water mark M to `v`: from now on reads at a
  /// version below M are refused (except at a live Snapshot's version), and
  /// history() keeps only versions >= M plus the newest one below M.
  ///
  /// Compaction then drops the versions no read can see. Never lowers M (a
  /// smaller v is a no-op). Durable when it returns (recorded in the
  /// manifest). With Retention::kLatestOnly, M is always last_version().
  /// Errors: InvalidArgument if v > last_version(); ReadOnly; IOError.
  Status forget_before(Version v);

  /// The current low-water mark M (0: every version is readable).
  Version low_water_mark() const;

  /// Writes a consistent copy of this database, as of one version, to the
  /// new directory `dir`, and returns that version.
  ///
  /// The copy holds every write committed before the call and none committed
  /// after it returns; precisely, the state at the returned version, the
  /// last one committed at the moment of the copy (writers wait only for that
  /// moment, reads never). It is an ordinary database: DB::open(dir) opens it,
  /// with the same retention mark. Tables are hard-linked
  /// (FileSystem::link_file, a copy across file systems), the WALs it needs
  /// are linked or copied (the active one up to that version), and a new
  /// MANIFEST is written; the copy is built in `dir` + ".checkpoint-tmp",
  /// synced, then renamed to `dir` (and `dir`'s parent synced), so after a
  /// crash at any point `dir` is either absent or complete (a leftover
  /// ".checkpoint-tmp" directory is reused by the next checkpoint). Nothing
  /// in this database's directory is written, renamed or removed. Writes to
  /// either database after the call never show in the other. `dir`'s
  /// missing parents are created.
  ///
  /// Errors: InvalidArgument if `dir` is empty, exists (the message names
  /// it) or is inside this database's directory; ReadOnly on a read-only
  /// handle, after close() or after a background error; IOError (then `dir`
  /// is absent, unless the error came from the final sync of its parent:
  /// then it is complete but may not survive a power loss).
  Result<Version> checkpoint(const std::string& dir);

  /// Does not flush; stops background work after the flush or compaction in
  /// progress, syncs the WAL, releases the lock.
  ///
  /// Later calls on this DB return ReadOnly. Idempotent.
  Status close();

  /// The newest committed version (0 before any write).
  Version last_version() const;

  /// Counters and the shape of the tree now (see Stats).
  Stats stats() const;

  struct Impl;  // src/db/db_impl.hpp

 private:
  friend struct detail::DbAccess;
  explicit DB(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sand
