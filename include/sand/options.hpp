/// @file
/// Options: how a database is opened, and how one write or read behaves.
///
/// Plain aggregates with designated initializers:
/// @code{.cpp}
/// sand::Options{.create_if_missing = true, .compression = Compression::kLz4}
/// @endcode
/// Every field shows its default.
///
/// @par Thread-safety
/// Plain values. A DB copies its Options at open; the FileSystem it points to
/// is shared and must be safe from many threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "sand/file_system.hpp"

namespace sand {

/// A database version: the number a committed write (one batch) gets.
///
/// Versions are 1, 2, 3, ... with no gaps, continuing across restarts; 0
/// means "before any write". At most kMaxVersion.
using Version = std::uint64_t;

/// Hard limit on a key's size (64 KiB), enforced with InvalidArgument.
inline constexpr std::size_t kMaxKeySize = 64 * 1024;  // 64 KiB
/// Hard limit on a value's size (256 MiB), enforced with InvalidArgument.
inline constexpr std::size_t kMaxValueSize = 256 * 1024 * 1024;  // 256 MiB
/// The smallest non-zero Options::value_separation_threshold.
inline constexpr std::size_t kMinValueSeparationThreshold = 64;
/// The largest version: versions are stored in 56 bits on disk
/// (spec/encoding.md).
inline constexpr Version kMaxVersion = (Version{1} << 56) - 1;

/// How table blocks are compressed. On-disk values: never change or reuse.
enum class Compression : std::uint8_t { kNone = 0, kLz4 = 1 };
/// @var Compression::kNone
/// Blocks are stored uncompressed.
/// @var Compression::kLz4
/// Blocks are compressed with LZ4 (each one only if that saves at least 1/8 of
/// its size).

/// Which old versions compaction may drop (doc/design.md section 1).
enum class Retention {
  kAll,         ///< Keep every version until DB::forget_before() moves the mark.
  kLatestOnly,  ///< Keep only what the newest state and live snapshots need.
};

/// The ordered index of a memtable (Options::memtable). Both give the same
/// answers, and readers of either never take a lock.
enum class MemTableIndex {
  kBTree,     ///< A B+tree of wide nodes (doc/design.md section 6). The default.
  kSkipList,  ///< A skiplist, as in LevelDB: kept for comparison.
};

/// How a database is opened: passed to DB::open(), DB::open_read_only() and
/// check_database().
///
/// A plain aggregate: set fields with designated initializers. DB::open()
/// refuses a field outside its valid range (given below) with
/// InvalidArgument.
struct Options {
  /// Create the directory and an empty database if none exists. Default: true.
  bool create_if_missing = true;
  /// Fail with InvalidArgument if a database already exists. Default: false.
  bool error_if_exists = false;
  /// A memtable is frozen and flushed to a table once it holds this many bytes
  /// of entries. Default: 64 MiB. Valid: at least 4096.
  std::size_t memtable_size = 64 << 20;
  /// The memtable's ordered index. Default: kBTree, which measures faster
  /// (bench/memtable_bench.cpp; doc/design.md section 12). Nothing on disk
  /// depends on it: a database may be reopened with either. Valid: the
  /// enumerators.
  MemTableIndex memtable = MemTableIndex::kBTree;
  /// Values of at least this many bytes are stored once, in the WAL record
  /// that commits them, and the memtable and tables hold only a small
  /// reference to them (key-value separation, spec/values.md): flushes and
  /// compactions then move references, not values. The WAL then stays as a
  /// value file until no retained version references it. A memtable is also
  /// frozen once its WAL holds memtable_size bytes. With compression LZ4,
  /// a separated value of at least 2 KiB is written LZ4-compressed when that
  /// saves an eighth of it (spec/wal.md); smaller ones are stored as they
  /// are. 0 turns separation off (every value inline, compressed with its
  /// table block). Default: 1 KiB, chosen by measurement (doc/design.md
  /// section 11). Valid: 0, or 64 bytes to kMaxValueSize.
  std::size_t value_separation_threshold = 1024;
  /// Target size of an uncompressed table data block. Default: 4 KiB. Valid:
  /// 256 bytes to 64 MiB.
  std::size_t block_size = 4096;
  /// Keys between restart points inside a block. Default: 16. Valid: 1 to
  /// 1024.
  int block_restart_interval = 16;
  /// Block compression; a block is stored compressed only when that saves at
  /// least 1/8 of its size. Default: kLz4.
  Compression compression = Compression::kLz4;
  /// Bloom filter bits per key (0 = no filter). Default: 10 (~1% false
  /// positives). Valid: 0 to 64.
  int bloom_bits_per_key = 10;
  /// Bytes of decompressed blocks kept in memory. Default: 32 MiB.
  std::size_t block_cache_size = 32 << 20;
  /// Whether writes fsync by default (WriteOptions can override). Default:
  /// false: a write survives a process crash, not power loss.
  bool sync = false;
  /// Version retention policy. Default: kAll.
  Retention retention = Retention::kAll;
  /// Level-0 tables (one per flush) that trigger merging all of level 0 into
  /// one new level-1 sorted run. Default: 4. Valid: at least 1.
  int l0_trigger = 4;
  /// Level-0 tables at which writes stall until a compaction makes room (the
  /// stall is counted in Stats). Default: 12. Valid: above l0_trigger.
  int l0_stop = 12;
  /// Level-1 sorted runs that trigger merging all of level 1 and level 2 into
  /// level 2. Default: 4. Valid: at least 1.
  int l1_trigger = 4;
  /// Compaction output files are cut once they reach this size (at a key
  /// boundary: every version of a key stays in one file). Default: 64 MiB.
  /// Valid: at least 4096.
  std::size_t target_file_size = 64 << 20;
  /// Frozen memtables that may wait for flush while a new one takes writes.
  ///
  /// When the active memtable is full and this many already wait, writes stall
  /// until a flush finishes, so at most 1 + max_frozen_memtables memtables are
  /// held. Default: 1 (one taking writes, one being flushed, as RocksDB's and
  /// LevelDB's defaults). Valid: at least 1.
  int max_frozen_memtables = 1;
  /// Memtable bytes (Stats::memtables_used_bytes: the active memtable and the
  /// frozen ones waiting for flush) at which writes stall while a flush is
  /// pending; without a frozen memtable the active one alone may fill up.
  ///
  /// The process's peak memory is the frozen memtables plus what the active
  /// one takes while they are written out, and sanddb takes writes faster
  /// than it flushes them: without a budget the active memtable reached a
  /// third of its size during one flush. The budget caps that, at the price
  /// of short stalls when writes outrun the flush (counted in Stats).
  /// Default: 0 = max_frozen_memtables * memtable_size + memtable_size / 4
  /// (the frozen ones, and a quarter memtable taking writes meanwhile).
  /// Valid: 0, or at least memtable_size; (1 + max_frozen_memtables) *
  /// memtable_size or more never stalls before the memtables are full.
  std::size_t memtable_budget = 0;
  /// The manifest is rewritten as one snapshot record once it grows past this.
  /// Default: 4 MiB.
  std::size_t manifest_rollover_size = 4 << 20;
  /// Recovery when a WAL record in the middle of the log is damaged.
  ///
  /// false: open fails with Corruption naming the file and offset. true:
  /// recover to the last good record before the damage and drop everything
  /// after it (point-in-time recovery; later writes are lost). Default: false.
  bool point_in_time_recovery = false;
  /// Where files live. Default: nullptr = posix_file_system().
  std::shared_ptr<FileSystem> file_system{};
};

/// Tri-state sync choice for one write.
enum class SyncMode { kDefault, kSync, kNoSync };
/// @var SyncMode::kDefault
/// Do what Options::sync says.
/// @var SyncMode::kSync
/// Return once the write's WAL record is durable (fdatasync): the write
/// survives power loss.
/// @var SyncMode::kNoSync
/// Do not sync: the write survives a process crash, not power loss.

/// How one write (DB::put(), DB::del(), DB::write()) behaves.
struct WriteOptions {
  /// kDefault uses Options::sync. Default: kDefault.
  SyncMode sync = SyncMode::kDefault;
};

}  // namespace sand
