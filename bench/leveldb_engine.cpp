// The LevelDB adapter of the bench Engine interface (see engine.hpp for how
// the shared settings map onto leveldb::Options). Built only when CMake found
// LevelDB (SAND_BENCH_HAVE_LEVELDB).
//
// Invariants: every LevelDB error ends the program with LevelDB's message.
// LevelDB 1.23 has no LZ4: --compression=lz4 runs it with snappy when its
// build has snappy (probed once at open on an in-memory Env, since a LevelDB
// built without snappy silently stores blocks uncompressed), else with none;
// notes() says which, and sand_bench prints it in the header. Anything not
// mapped stays at LevelDB's default (one background thread, 2 MiB table
// files, max_open_files = 1000), as in LevelDB's own db_bench.
//
// Thread-safety: as Engine (leveldb::DB is thread-safe); its iterator is
// used by one thread.
#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/env.h>
#include <leveldb/filter_policy.h>
#include <leveldb/helpers/memenv.h>
#include <leveldb/iterator.h>
#include <leveldb/options.h>
#include <leveldb/write_batch.h>

#include <memory>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "engine.hpp"
#include "peer_iterator.hpp"

namespace sand_bench {
namespace {

constexpr std::string_view kName = "leveldb";

void check(const leveldb::Status& s, std::string_view what) {
  if (!s.ok()) die(kName, what, s.ToString());
}

leveldb::Slice slice(std::string_view s) { return leveldb::Slice(s.data(), s.size()); }

// Whether this libleveldb really compresses with snappy: 256 KiB of one
// repeated byte, written and compacted in memory, must shrink well below 1/4.
bool snappy_compresses() {
  const std::unique_ptr<leveldb::Env> env(leveldb::NewMemEnv(leveldb::Env::Default()));
  leveldb::Options options;
  options.env = env.get();
  options.create_if_missing = true;
  options.compression = leveldb::kSnappyCompression;
  leveldb::DB* raw = nullptr;
  check(leveldb::DB::Open(options, "/snappy-probe", &raw), "open snappy probe");
  const std::unique_ptr<leveldb::DB> db(raw);
  const std::string value(4096, 'a');
  for (int i = 0; i < 64; ++i) {
    check(db->Put(leveldb::WriteOptions(), std::to_string(1000 + i), value), "probe put");
  }
  db->CompactRange(nullptr, nullptr);
  const leveldb::Range all("", "\xff");
  std::uint64_t size = 0;
  db->GetApproximateSizes(&all, 1, &size);
  return size < 64 * value.size() / 4;
}

class LevelEngine final : public Engine {
 public:
  ~LevelEngine() override { close(); }

  std::string name() const override { return std::string(kName); }
  std::string version() const override {
    return std::to_string(leveldb::kMajorVersion) + "." + std::to_string(leveldb::kMinorVersion);
  }
  std::vector<std::string> notes() const override {
    std::vector<std::string> notes = {
        "leveldb: 1 background thread (fixed in LevelDB), 2 MiB table files, other options at "
        "LevelDB's defaults"};
    notes.emplace_back(
        "leveldb: no MultiGet (multiget reads its keys one Get at a time under one snapshot) "
        "and no transactions (putif is skipped)");
    if (!compression_note_.empty()) notes.push_back(compression_note_);
    return notes;
  }

  void open(const std::string& dir, const EngineSettings& s) override {
    leveldb::Options options;
    options.create_if_missing = true;
    options.write_buffer_size = s.write_buffer_size;
    options.compression = leveldb::kNoCompression;
    if (s.compression == CompressionSetting::kLz4) {
      if (snappy_compresses()) {
        options.compression = leveldb::kSnappyCompression;
        compression_note_ =
            "leveldb: --compression=lz4 runs LevelDB with snappy (LevelDB 1.23 "
            "has no LZ4)";
      } else {
        compression_note_ =
            "leveldb: --compression=lz4 runs LevelDB with NO compression "
            "(LevelDB 1.23 has no LZ4 and this build has no snappy)";
      }
    }
    if (s.bloom_bits > 0) filter_.reset(leveldb::NewBloomFilterPolicy(s.bloom_bits));
    options.filter_policy = filter_.get();
    cache_.reset(leveldb::NewLRUCache(s.cache_size));
    options.block_cache = cache_.get();
    options.block_size = s.block_size;

    leveldb::DB* db = nullptr;
    check(leveldb::DB::Open(options, dir, &db), "open " + dir);
    db_.reset(db);
  }

  // The DB goes before the cache and filter policy it points to.
  void close() override {
    db_.reset();
    cache_.reset();
    filter_.reset();
  }

  void put(std::string_view key, std::string_view value, bool sync) override {
    check(db_->Put(write_options(sync), slice(key), slice(value)), "put");
  }

  void write_batch(std::span<const KeyValue> puts, bool sync) override {
    leveldb::WriteBatch batch;
    for (const auto& [key, value] : puts) batch.Put(slice(key), slice(value));
    check(db_->Write(write_options(sync), &batch), "write");
  }

  bool get(std::string_view key, std::string* value) override {
    const leveldb::Status s = db_->Get(leveldb::ReadOptions(), slice(key), value);
    if (s.IsNotFound()) return false;
    check(s, "get");
    return true;
  }

  // LevelDB has no MultiGet: one Get per key, all under one snapshot so the
  // answers are one consistent state, as the others' are.
  void multi_get(std::span<const std::string_view> keys, std::span<std::string> values,
                 std::span<bool> found) override {
    leveldb::ReadOptions options;
    options.snapshot = db_->GetSnapshot();
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const leveldb::Status s = db_->Get(options, slice(keys[i]), &values[i]);
      found[i] = !s.IsNotFound();
      if (found[i]) check(s, "get");  // an error ends the program
    }
    db_->ReleaseSnapshot(options.snapshot);
  }

  std::unique_ptr<EngineIterator> new_iterator() override {
    return std::make_unique<PeerIterator<leveldb::Iterator, leveldb::Slice>>(
        std::unique_ptr<leveldb::Iterator>(db_->NewIterator(leveldb::ReadOptions())), kName);
  }

  // LevelDB has no flush call; CompactRange always writes the memtable out
  // first, and a range holding no key (bench keys never start with 0xff)
  // makes that all it does.
  void flush() override {
    const std::string past_all_keys(8, '\xff');
    const leveldb::Slice begin(past_all_keys);
    db_->CompactRange(&begin, &begin);
  }

  // What LevelDB's db_bench "compact" does: flush, then every level into the
  // next, down to the deepest level holding files.
  void compact_all() override { db_->CompactRange(nullptr, nullptr); }

  std::string stats() override {
    std::string out;
    if (!db_->GetProperty("leveldb.stats", &out)) die(kName, "stats", "no leveldb.stats");
    return out;
  }

  // From "leveldb.stats": the sum of the Write(MB) column (memtable flushes
  // and compaction output per level). LevelDB prints whole MB, so this is
  // coarse for databases of a few MB.
  std::optional<double> write_amplification(std::uint64_t user_bytes) override {
    if (user_bytes == 0) return std::nullopt;
    std::string text;
    if (!db_->GetProperty("leveldb.stats", &text)) return std::nullopt;
    std::istringstream lines(text);
    std::string line;
    bool in_table = false;
    double written_mb = 0;
    while (std::getline(lines, line)) {
      if (line.rfind("---", 0) == 0) {
        in_table = true;
        continue;
      }
      if (!in_table) continue;
      std::istringstream fields(line);
      double level = 0, files = 0, size = 0, secs = 0, read = 0, write = 0;
      if (fields >> level >> files >> size >> secs >> read >> write) written_mb += write;
    }
    return written_mb * 1048576.0 / static_cast<double>(user_bytes);
  }

 private:
  static leveldb::WriteOptions write_options(bool sync) {
    leveldb::WriteOptions options;
    options.sync = sync;
    return options;
  }

  std::unique_ptr<const leveldb::FilterPolicy> filter_;
  std::unique_ptr<leveldb::Cache> cache_;
  std::unique_ptr<leveldb::DB> db_;
  std::string compression_note_;
};

}  // namespace

std::unique_ptr<Engine> make_leveldb_engine() { return std::make_unique<LevelEngine>(); }

}  // namespace sand_bench
