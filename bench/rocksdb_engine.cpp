// The RocksDB adapter of the bench Engine interface (see engine.hpp for how
// the shared settings map onto rocksdb::Options). Built only when CMake found
// RocksDB (SAND_BENCH_HAVE_ROCKSDB).
//
// Invariants: every RocksDB error ends the program with RocksDB's message.
// Anything engine.hpp does not map stays at RocksDB's own default (leveled
// compaction, 64 MiB target files, max_open_files = -1, no statistics object:
// db_bench also runs without one unless --statistics is given).
//
// With settings.transactions the database is opened as an
// OptimisticTransactionDB (putif's transactions); every other workload
// still goes straight to its base DB (GetBaseDB()), so only the open
// differs: OptimisticTransactionDB::Open keeps flushed memtables for
// conflict checks (max_write_buffer_size_to_maintain = -1), said in notes().
//
// Thread-safety: as Engine (rocksdb::DB is thread-safe); its iterator is
// used by one thread.
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/optimistic_transaction_db.h>
#include <rocksdb/utilities/transaction.h>
#include <rocksdb/version.h>
#include <rocksdb/write_batch.h>

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine.hpp"
#include "peer_iterator.hpp"

namespace sand_bench {
namespace {

constexpr std::string_view kName = "rocksdb";

void check(const rocksdb::Status& s, std::string_view what) {
  if (!s.ok()) die(kName, what, s.ToString());
}

rocksdb::Slice slice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

class RocksEngine final : public Engine, public TransactionalEngine {
 public:
  std::string name() const override { return std::string(kName); }
  std::string version() const override { return rocksdb::GetRocksVersionAsString(true); }
  std::vector<std::string> notes() const override {
    std::vector<std::string> notes = {
        "rocksdb: max_background_jobs=" + std::to_string(max_background_jobs_) +
        ", leveled compaction and other options at RocksDB's defaults"};
    if (txn_db_ != nullptr) {
      notes.emplace_back(
          "rocksdb: opened as an OptimisticTransactionDB for putif (flushed memtables kept for "
          "conflict checks); the other workloads use its base DB");
    }
#if SAND_BENCH_ROCKSDB_ASSERTS
    notes.emplace_back(
        "WARNING: this librocksdb is built with assertions enabled (Debian's package is; its "
        "db_bench says \"Assertions are enabled\"): an upstream release build is faster");
#endif
    return notes;
  }

  void open(const std::string& dir, const EngineSettings& s) override {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.write_buffer_size = s.write_buffer_size;
    options.max_background_jobs = s.max_background_jobs;
    max_background_jobs_ = s.max_background_jobs;
    options.compression = s.compression == CompressionSetting::kLz4 ? rocksdb::kLZ4Compression
                                                                    : rocksdb::kNoCompression;
    rocksdb::BlockBasedTableOptions table;
    if (s.bloom_bits > 0) {
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(s.bloom_bits, false));
    }
    table.block_cache = rocksdb::NewLRUCache(s.cache_size);
    table.block_size = s.block_size;
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

    if (s.transactions) {
      rocksdb::OptimisticTransactionDB* txn_db = nullptr;
      check(rocksdb::OptimisticTransactionDB::Open(options, dir, &txn_db), "open " + dir);
      txn_db_.reset(txn_db);
      db_ = txn_db->GetBaseDB();
      return;
    }
    rocksdb::DB* db = nullptr;
    check(rocksdb::DB::Open(options, dir, &db), "open " + dir);
    owned_db_.reset(db);
    db_ = db;
  }

  // The transaction DB owns its base DB and deletes it.
  void close() override {
    if (db_ == nullptr) return;
    check(db_->Close(), "close");
    db_ = nullptr;
    owned_db_.reset();
    txn_db_.reset();
  }

  void put(std::string_view key, std::string_view value, bool sync) override {
    check(db_->Put(write_options(sync), slice(key), slice(value)), "put");
  }

  void write_batch(std::span<const KeyValue> puts, bool sync) override {
    rocksdb::WriteBatch batch;
    for (const auto& [key, value] : puts) check(batch.Put(slice(key), slice(value)), "batch put");
    check(db_->Write(write_options(sync), &batch), "write");
  }

  bool get(std::string_view key, std::string* value) override {
    const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), slice(key), value);
    if (s.IsNotFound()) return false;
    check(s, "get");
    return true;
  }

  // The batched MultiGet (one implicit snapshot for all keys); its values
  // are copied out as get()'s are.
  void multi_get(std::span<const std::string_view> keys, std::span<std::string> values,
                 std::span<bool> found) override {
    const std::size_t n = keys.size();
    std::vector<rocksdb::Slice> slices(n);
    for (std::size_t i = 0; i < n; ++i) slices[i] = slice(keys[i]);
    std::vector<rocksdb::PinnableSlice> pinned(n);
    std::vector<rocksdb::Status> statuses(n);
    db_->MultiGet(rocksdb::ReadOptions(), db_->DefaultColumnFamily(), n, slices.data(),
                  pinned.data(), statuses.data());
    for (std::size_t i = 0; i < n; ++i) {
      found[i] = !statuses[i].IsNotFound();
      if (!found[i]) continue;
      check(statuses[i], "multi_get");
      values[i].assign(pinned[i].data(), pinned[i].size());
    }
  }

  std::unique_ptr<EngineIterator> new_iterator() override {
    return std::make_unique<PeerIterator<rocksdb::Iterator, rocksdb::Slice>>(
        std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(rocksdb::ReadOptions())), kName);
  }

  void flush() override { check(db_->Flush(rocksdb::FlushOptions()), "flush"); }

  // CompactRange over everything (it flushes the memtable first). kForce-
  // Optimized also rewrites the last level once, so old versions and
  // tombstones already there go too: sanddb's compact() and LevelDB's full
  // CompactRange rewrite every table as well.
  void compact_all() override {
    rocksdb::CompactRangeOptions options;
    options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
    check(db_->CompactRange(options, nullptr, nullptr), "compact");
  }

  TransactionalEngine* transactional() override { return txn_db_ != nullptr ? this : nullptr; }

  // GetForUpdate tracks the key; Commit fails with Busy when another write
  // to it committed since (TryAgain when the memtable history kept is too
  // short to tell): both are conflicts to retry.
  bool read_modify_write(std::string_view key, const Modify& modify, bool sync) override {
    const std::unique_ptr<rocksdb::Transaction> txn(txn_db_->BeginTransaction(write_options(sync)));
    std::string current;
    const rocksdb::Status got = txn->GetForUpdate(rocksdb::ReadOptions(), slice(key), &current);
    if (!got.IsNotFound()) check(got, "GetForUpdate");
    const std::string_view next =
        modify(got.IsNotFound() ? std::nullopt : std::optional<std::string_view>(current));
    check(txn->Put(slice(key), slice(next)), "transaction put");
    const rocksdb::Status committed = txn->Commit();
    if (committed.IsBusy() || committed.IsTryAgain()) return false;
    check(committed, "commit");
    return true;
  }

  std::string stats() override {
    std::string out;
    if (!db_->GetProperty("rocksdb.stats", &out)) die(kName, "stats", "no rocksdb.stats");
    return out;
  }

  // From the "rocksdb.cfstats" map property: the Sum row's bytes written
  // (flushes into L0 plus every compaction's output), in GB with 6
  // decimals (about 1 KB of resolution).
  std::optional<double> write_amplification(std::uint64_t user_bytes) override {
    if (user_bytes == 0) return std::nullopt;
    std::map<std::string, std::string> cfstats;
    if (!db_->GetMapProperty(rocksdb::DB::Properties::kCFStats, &cfstats)) return std::nullopt;
    const auto it = cfstats.find("compaction.Sum.WriteGB");
    if (it == cfstats.end()) return std::nullopt;
    const double written = std::stod(it->second) * 1024.0 * 1024.0 * 1024.0;
    return written / static_cast<double>(user_bytes);
  }

 private:
  static rocksdb::WriteOptions write_options(bool sync) {
    rocksdb::WriteOptions options;
    options.sync = sync;
    return options;
  }

  // One of the two owns the DB; db_ is the one every call but putif uses.
  std::unique_ptr<rocksdb::OptimisticTransactionDB> txn_db_;
  std::unique_ptr<rocksdb::DB> owned_db_;
  rocksdb::DB* db_ = nullptr;
  int max_background_jobs_ = 2;
};

}  // namespace

std::unique_ptr<Engine> make_rocksdb_engine() { return std::make_unique<RocksEngine>(); }

}  // namespace sand_bench
