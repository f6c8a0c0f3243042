// Engine: the one interface every sand_bench workload drives, so sanddb,
// RocksDB, LevelDB and LMDB run byte-for-byte the same workloads with the
// same settings. Adapters live in sand_engine.cpp, rocksdb_engine.cpp,
// leveldb_engine.cpp and lmdb_engine.cpp; RocksDB, LevelDB and LMDB are
// compiled in only when CMake found them (SAND_BENCH_HAVE_ROCKSDB /
// SAND_BENCH_HAVE_LEVELDB / SAND_BENCH_HAVE_LMDB). RocksDB and LevelDB are
// the LSM peers; LMDB, a B+tree, is the read reference.
//
// Invariants: an engine is opened once (open() before any other call, close()
// or destruction last). Every engine error ends the program with the
// engine's own message (die()): a benchmark must never go on after a failed
// write or read, nor count it.
//
// Thread-safety: after open(), put/write_batch/get/multi_get/new_iterator/
// flush/compact_all/stats, and the versioned and transactional calls, may be
// called from many threads at once (each engine's DB handle is thread-safe).
// memory_breakdown() may be called from any thread at any time. An
// EngineIterator is used by one thread.
//
// How the shared settings map onto each engine (kept as equivalent as the
// engines allow; anything not listed stays at the engine's default):
//
//   setting (flag)     sanddb Options         RocksDB 7.8                LevelDB 1.23
//   -----------------  ---------------------  -------------------------  ------------------------
//   write_buffer_size  memtable_size          write_buffer_size          write_buffer_size
//   memtables held     max_frozen_memtables   max_write_buffer_number    one mem + one imm
//                      = 1 (1 writing + 1     = 2 (default)              (fixed)
//                      flushing), and
//                      memtable_budget's
//                      default: 1.25x
//                      memtable_size in all
//   background jobs    1 flush + 2 compaction max_background_jobs = 2    1 background thread
//                      threads (fixed)        (flushes + compactions)    (fixed; no knob)
//   compression none   Compression::kNone     kNoCompression             kNoCompression
//   compression lz4    Compression::kLz4      kLZ4Compression            kSnappyCompression (no
//                                                                        LZ4 in 1.23; none if the
//                                                                        build lacks snappy),
//                                                                        said in the header
//   bloom_bits         bloom_bits_per_key     BlockBasedTableOptions::   filter_policy = NewBloom-
//                                             filter_policy = NewBloom-  FilterPolicy(bits)
//                                             FilterPolicy(bits, false)  (0: no filter)
//                                             (0: no filter)
//   cache_size         block_cache_size       block_cache =              block_cache =
//                                             NewLRUCache(cache_size)    NewLRUCache(cache_size)
//   block_size         block_size             BlockBasedTableOptions::   block_size
//                                             block_size
//   sync               WriteOptions.sync =    WriteOptions::sync         WriteOptions::sync
//                      kSync / kNoSync
//   retention          Retention::kLatestOnly (keeps only the latest     (keeps only the latest
//   (--sand_retention) by default; kAll with  version; no knob)          version; no knob)
//                      --sand_retention=all
//   full compaction    DB::compact()          CompactRange(all), bottom- CompactRange(nullptr,
//   (compact workload)                        most kForceOptimized       nullptr)
//   flush              DB::flush()            DB::Flush(wait = true)     no API: CompactRange on
//                                                                        a range holding no key
//   multi_get          DB::multi_get (one     DB::MultiGet, batched      Get per key under one
//   (multiget)         view)                  overload (one implicit     ReadOptions.snapshot
//                                             snapshot)                  (no MultiGet in LevelDB)
//   read-modify-write  get_versioned +        OptimisticTransactionDB:   none (no transactions):
//   (putif)            WriteBatch::           GetForUpdate, Put, Commit  putif is skipped
//                      expect_version         (opened so only when
//                                             settings.transactions)
//
// Not mapped (each engine's default stays): table file size (sanddb 64 MiB,
// RocksDB 64 MiB, LevelDB 2 MiB), level shapes and compaction triggers, open
// file limits, and how tables are read (sanddb and LevelDB mmap them, RocksDB
// uses pread, so their file-backed RSS differs).
//
// LMDB 0.9 (a copy-on-write B+tree in one mmap'd file; no LSM parts):
//
//   setting (flag)     LMDB
//   -----------------  ---------------------------------------------------------
//   open               mdb_env_open(<dir>, MDB_NOTLS [| MDB_NOSYNC], 0644): a
//                      directory per database (MDB_NOSUBDIR off), the unnamed
//                      default DB, mdb_env_set_mapsize 64 GiB (sparse),
//                      mdb_env_set_maxreaders 2048; no MDB_WRITEMAP (pages
//                      written with pwrite), no MDB_NORDAHEAD (readahead stays
//                      on, as for the peers' files: the databases fit in RAM
//                      and readseq/readreverse gain from it)
//   write_buffer_size  none (no memtable; every commit goes into the B+tree)
//   memtables held     none
//   background jobs    none (no background threads; one writer at a time:
//                      write transactions queue)
//   compression        none (LMDB does not compress; both settings store raw)
//   bloom_bits         none (no filters)
//   cache_size         none (no block cache: reads go through the OS page
//                      cache via the mmap, counted as file RSS)
//   block_size         none (pages of the OS page size, 4 KiB here)
//   sync               sync=1: durable commits (LMDB's default: fdatasync of
//                      the data, then an O_DSYNC meta write); sync=0: the
//                      environment has MDB_NOSYNC. A call whose sync differs
//                      (fillsync under sync=0) clears MDB_NOSYNC for its
//                      commit (mdb_env_set_flags, writers serialized), so
//                      its commit is durable
//   retention          keeps only the latest version; no knob
//   put / write_batch  one write transaction each: mdb_txn_begin, mdb_put
//                      (flags 0) per key, mdb_txn_commit
//   get / iterator     a read-only transaction each (pooled: mdb_txn_reset /
//                      mdb_txn_renew, hence MDB_NOTLS); iterator = a cursor:
//                      seek MDB_SET_RANGE, next/prev MDB_NEXT/MDB_PREV,
//                      seek_to_first/last MDB_FIRST/MDB_LAST
//   multi_get          mdb_get per key in one read transaction (no MultiGet)
//   read-modify-write  none (putif is skipped)
//   full compaction    none: compact_all() is a no-op and compacts() is
//                      false, so the compact workload reports n/a
//   flush              mdb_env_sync(force = 1)
//
// Write amplification (write_amplification()): bytes the engine says its
// flushes and compactions wrote, over the key + value bytes the bench wrote,
// since open. sanddb: Stats flush_bytes_written + compaction_bytes_written.
// RocksDB: the "rocksdb.cfstats" map's compaction.Sum.WriteGB (flushes count
// as L0 writes). LevelDB: the Write(MB) column of "leveldb.stats", summed
// (whole MB). LMDB: none (it counts no bytes written: nullopt). The driver
// also reports one engine-independent figure from /proc/self/io
// (process_stats.hpp).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "process_stats.hpp"

namespace sand_bench {

enum class CompressionSetting { kNone, kLz4 };
enum class SandRetention { kLatestOnly, kAll };

// The knobs every engine gets (see the mapping table above).
struct EngineSettings {
  std::uint64_t write_buffer_size = 64 << 20;                 // Default: 64 MiB
  int max_background_jobs = 2;                                // Default: 2 (RocksDB only)
  CompressionSetting compression = CompressionSetting::kLz4;  // Default: lz4
  int bloom_bits = 10;                                        // Default: 10; 0 = no filter
  std::uint64_t cache_size = 8 << 20;                         // Default: 8 MiB
  std::uint64_t block_size = 4096;                            // Default: 4 KiB
  bool sync = false;                                          // Default: false
  SandRetention sand_retention = SandRetention::kLatestOnly;  // sanddb only
  // sanddb only: Options::value_separation_threshold (sand_bench sets the
  // library's default unless --sand_value_separation says otherwise).
  std::uint64_t sand_value_separation = 0;
  // sanddb only: Options::memtable (the library's default unless
  // --sand_memtable says otherwise).
  bool sand_skiplist_memtable = false;
  // RocksDB only: open as an OptimisticTransactionDB (for putif). Off unless
  // a run needs it, because that keeps flushed memtables in memory for
  // conflict checks (max_write_buffer_size_to_maintain), which would change
  // every other workload's memory.
  bool transactions = false;
};

// One put of a write batch. Views are valid for the write_batch() call.
using KeyValue = std::pair<std::string_view, std::string_view>;

// An ordered cursor over the live keys of one engine (LevelDB's Iterator
// contract). key()/value() views stay valid until the next move.
// REQUIRES: valid() for next(), prev(), key(), value().
class EngineIterator {
 public:
  virtual ~EngineIterator() = default;
  virtual void seek(std::string_view target) = 0;  // first key >= target
  virtual void seek_to_first() = 0;
  virtual void seek_to_last() = 0;
  virtual void next() = 0;
  virtual void prev() = 0;
  // False past either end. An error ends the program instead of turning
  // valid() false silently.
  virtual bool valid() const = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
};

// What VersionedEngine::changes() reports, batch by batch in version order.
class ChangeVisitor {
 public:
  virtual ~ChangeVisitor() = default;
  // A committed batch begins; its changes follow.
  virtual void batch(std::uint64_t version) = 0;
  // One key the batch wrote. Views are valid for the call only.
  virtual void change(std::string_view key, bool deleted, std::string_view value) = 0;
};

// sanddb's versioned reads, for the sanddb-only workloads (history,
// getatversion, changes). Other engines return nullptr from
// Engine::versioned().
class VersionedEngine {
 public:
  virtual ~VersionedEngine() = default;
  struct History {
    std::size_t versions = 0;     // retained versions, tombstones included
    std::size_t value_bytes = 0;  // bytes of their values
  };
  // What history(key) returns, summed up.
  virtual History history(std::string_view key) = 0;
  // The readable versions are [low_water_mark(), last_version()].
  virtual std::uint64_t last_version() = 0;
  virtual std::uint64_t low_water_mark() = 0;
  // get(key) as of `version`. Returns whether the key was live then.
  virtual bool get_at(std::string_view key, std::uint64_t version, std::string* value) = 0;
  // Whether versions below last_version() stay readable (retention keeps
  // them), which changes() needs.
  virtual bool retains_history() = 0;
  // Reads the change feed of versions (since, last_version()] to its end,
  // reporting every batch to `visitor`. Returns the last version covered.
  virtual std::uint64_t changes(std::uint64_t since, ChangeVisitor& visitor) = 0;
  // Lets every version below `version` go except each key's newest
  // (sand::DB::forget_before): what compaction may then drop.
  virtual void forget_before(std::uint64_t version) = 0;
};

// Optimistic read-modify-write, for putif. Engines without transactions
// (LevelDB; LMDB, whose adapter has none) return nullptr from Engine::transactional().
class TransactionalEngine {
 public:
  virtual ~TransactionalEngine() = default;
  // Makes a key's new value from its current one (nullopt: absent). The
  // returned view must stay valid until read_modify_write() returns.
  using Modify = std::function<std::string_view(std::optional<std::string_view> current)>;
  // Reads `key`, writes modify(current value) and commits only if no other
  // write to `key` committed since the read. Returns false on such a
  // conflict (nothing written; the caller retries).
  virtual bool read_modify_write(std::string_view key, const Modify& modify, bool sync) = 0;
};

class Engine {
 public:
  virtual ~Engine() = default;

  // "sanddb", "rocksdb", "leveldb" or "lmdb".
  virtual std::string name() const = 0;
  // The library version, e.g. "7.8.3".
  virtual std::string version() const = 0;
  // Header lines describing how the settings were applied (substitutions,
  // build notes). Valid after open().
  virtual std::vector<std::string> notes() const = 0;

  // Opens (creating if missing) the database in `dir`.
  virtual void open(const std::string& dir, const EngineSettings& settings) = 0;
  // Closes the database (flushing nothing on purpose); idempotent.
  virtual void close() = 0;

  virtual void put(std::string_view key, std::string_view value, bool sync) = 0;
  // All puts atomically, as one engine write batch built inside the call.
  virtual void write_batch(std::span<const KeyValue> puts, bool sync) = 0;
  // Returns whether `key` is live; its value goes to *value.
  virtual bool get(std::string_view key, std::string* value) = 0;
  // get() of every key at one consistent state, with the engine's batched
  // read where it has one: found[i] says whether keys[i] is live, and its
  // value goes to values[i]. REQUIRES: the three spans have one size.
  virtual void multi_get(std::span<const std::string_view> keys, std::span<std::string> values,
                         std::span<bool> found) = 0;
  // A new iterator over the current state; it starts unpositioned.
  virtual std::unique_ptr<EngineIterator> new_iterator() = 0;

  // Writes the memtable out and waits for it.
  virtual void flush() = 0;
  // Flushes, then compacts every table into the last level, and waits.
  virtual void compact_all() = 0;
  // False when the engine has no compaction (LMDB): compact_all() is then a
  // no-op and the compact workload reports n/a instead of a time.
  virtual bool compacts() const { return true; }

  // The engine's own statistics text (what its "stats" property prints).
  virtual std::string stats() = 0;
  // (flush + compaction bytes written) / user_bytes, from the engine's own
  // counters, cumulative since open(); nullopt when the engine cannot tell.
  virtual std::optional<double> write_amplification(std::uint64_t user_bytes) = 0;
  // Where the engine's memory goes now, from its own accounting (sanddb:
  // sand::Stats' memory fields); nullopt when it has none (RocksDB, LevelDB
  // and LMDB here) or is not open. Unlike the other calls, it may be called
  // from another thread at any time, concurrently with open() and close()
  // too (the RSS sampler calls it at each new peak: process_stats.hpp).
  virtual std::optional<MemoryBreakdown> memory_breakdown() { return std::nullopt; }

  virtual VersionedEngine* versioned() { return nullptr; }
  // nullptr when the engine (or this open: RocksDB without
  // settings.transactions) has no optimistic transactions.
  virtual TransactionalEngine* transactional() { return nullptr; }
};

// Ends the program: "<engine>: <what>: <message>" on stderr, exit status 1.
[[noreturn]] inline void die(std::string_view engine, std::string_view what,
                             std::string_view message) {
  std::fprintf(stderr, "sand_bench: %.*s: %.*s failed: %.*s\n", static_cast<int>(engine.size()),
               engine.data(), static_cast<int>(what.size()), what.data(),
               static_cast<int>(message.size()), message.data());
  std::exit(1);
}

// Bytes of every regular file under `dir` (0 if it does not exist). Files
// may vanish while we walk (compaction deletes them): those are skipped.
inline std::uint64_t directory_bytes(const std::string& dir) {
  std::error_code ec;
  std::uint64_t total = 0;
  for (std::filesystem::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code size_ec;
    if (!it->is_regular_file(size_ec)) continue;
    const auto size = it->file_size(size_ec);
    if (!size_ec) total += size;
  }
  return total;
}

// The adapters. Only those of the engines this build found are defined.
std::unique_ptr<Engine> make_sand_engine();
#ifdef SAND_BENCH_HAVE_ROCKSDB
std::unique_ptr<Engine> make_rocksdb_engine();
#endif
#ifdef SAND_BENCH_HAVE_LEVELDB
std::unique_ptr<Engine> make_leveldb_engine();
#endif
#ifdef SAND_BENCH_HAVE_LMDB
std::unique_ptr<Engine> make_lmdb_engine();
#endif

// Engine names this build can run, e.g. {"sand", "rocksdb", "leveldb", "lmdb"}.
inline std::vector<std::string> built_engines() {
  std::vector<std::string> names = {"sand"};
#ifdef SAND_BENCH_HAVE_ROCKSDB
  names.emplace_back("rocksdb");
#endif
#ifdef SAND_BENCH_HAVE_LEVELDB
  names.emplace_back("leveldb");
#endif
#ifdef SAND_BENCH_HAVE_LMDB
  names.emplace_back("lmdb");
#endif
  return names;
}

// The engine called `name` ("sand", "rocksdb", "leveldb", "lmdb"), or nullptr when
// this build does not have it (built_engines() says which it has).
inline std::unique_ptr<Engine> make_engine(std::string_view name) {
  if (name == "sand") return make_sand_engine();
#ifdef SAND_BENCH_HAVE_ROCKSDB
  if (name == "rocksdb") return make_rocksdb_engine();
#endif
#ifdef SAND_BENCH_HAVE_LEVELDB
  if (name == "leveldb") return make_leveldb_engine();
#endif
#ifdef SAND_BENCH_HAVE_LMDB
  if (name == "lmdb") return make_lmdb_engine();
#endif
  return nullptr;
}

}  // namespace sand_bench
