// The sanddb adapter of the bench Engine interface (see engine.hpp for how
// the shared settings map onto sand::Options).
//
// Invariants: every sanddb error ends the program with sanddb's message,
// except a failed precondition (Code::kConflict), which putif retries.
// An EngineIterator is one sand::Iterator over the latest version when
// new_iterator() was called, moved with its own seek/next/prev.
//
// Thread-safety: as Engine (sand::DB is thread-safe); SandIterator is used by
// one thread. db_ changes only in open() and close(), under db_mu_, which
// memory_breakdown() (the sampler's thread) takes to read it; the other
// calls never overlap open() or close() (the Engine contract).
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine.hpp"
#include "sand/sand.hpp"

namespace sand_bench {
namespace {

constexpr std::string_view kName = "sanddb";

void check(const sand::Status& s, std::string_view what) {
  if (!s.is_ok()) die(kName, what, s.to_string());
}

template <typename T>
T check(sand::Result<T> r, std::string_view what) {
  if (!r.is_ok()) die(kName, what, r.status().to_string());
  return std::move(r).value();
}

sand::WriteOptions write_options(bool sync) {
  return sand::WriteOptions{.sync = sync ? sand::SyncMode::kSync : sand::SyncMode::kNoSync};
}

class SandIterator final : public EngineIterator {
 public:
  // DB::scan() has already positioned `it` at the first key; the bench
  // positions it again before reading (the EngineIterator contract).
  explicit SandIterator(sand::Iterator it) : it_(std::move(it)) {}

  void seek(std::string_view target) override {
    it_.seek(target);
    settle();
  }
  void seek_to_first() override {
    it_.seek_to_first();
    settle();
  }
  void seek_to_last() override {
    it_.seek_to_last();
    settle();
  }
  void next() override {
    it_.next();
    settle();
  }
  void prev() override {
    it_.prev();
    settle();
  }

  bool valid() const override { return it_.valid(); }
  std::string_view key() const override { return it_.key(); }
  std::string_view value() const override { return it_.value(); }

 private:
  // A scan that stopped on an error must end the program, not look finished.
  void settle() {
    if (!it_.valid()) check(it_.status(), "iterator");
  }

  sand::Iterator it_;
};

class SandEngine final : public Engine, public VersionedEngine, public TransactionalEngine {
 public:
  std::string name() const override { return std::string(kName); }
  std::string version() const override { return SAND_BENCH_SAND_VERSION; }
  std::vector<std::string> notes() const override {
    std::vector<std::string> out = {
        "sanddb memtables: one taking writes and one being flushed (max_frozen_memtables=1, "
        "sanddb's default and the peers' budget); writes wait while a flush is pending and "
        "both hold 1.25x write_buffer_size (memtable_budget's default)"};
    if (retention_ == sand::Retention::kLatestOnly) {
      out.emplace_back(
          "sanddb retention: latest-only (keeps only the newest version, as RocksDB and "
          "LevelDB do; --sand_retention=all keeps every version)");
    } else {
      out.emplace_back(
          "sanddb retention: all (every version kept: more bytes than the peers, which keep "
          "only the latest)");
    }
    out.emplace_back(skiplist_ ? "sanddb memtable: skiplist (Options::memtable)"
                               : "sanddb memtable: B+tree (Options::memtable, the default)");
    if (separation_ == 0) {
      out.emplace_back("sanddb value separation: off (every value inline)");
    } else {
      out.emplace_back("sanddb value separation: values of " + std::to_string(separation_) +
                       " bytes or more are stored once, in the WAL, those of 2 KiB or more "
                       "LZ4-compressed with --compression=lz4 (value_separation_threshold; the "
                       "library's default is " +
                       std::to_string(sand::Options{}.value_separation_threshold) + ")");
    }
    return out;
  }

  void open(const std::string& dir, const EngineSettings& s) override {
    retention_ = s.sand_retention == SandRetention::kAll ? sand::Retention::kAll
                                                         : sand::Retention::kLatestOnly;
    separation_ = static_cast<std::size_t>(s.sand_value_separation);
    skiplist_ = s.sand_skiplist_memtable;
    sand::Options options{
        .create_if_missing = true,
        .memtable_size = s.write_buffer_size,
        .memtable =
            s.sand_skiplist_memtable ? sand::MemTableIndex::kSkipList : sand::MemTableIndex::kBTree,
        .value_separation_threshold = static_cast<std::size_t>(s.sand_value_separation),
        .block_size = s.block_size,
        .compression = s.compression == CompressionSetting::kLz4 ? sand::Compression::kLz4
                                                                 : sand::Compression::kNone,
        .bloom_bits_per_key = s.bloom_bits,
        .block_cache_size = s.cache_size,
        .sync = s.sync,
        .retention = retention_,
        // The peers' memtable budget: one memtable taking writes and one
        // being flushed (RocksDB's max_write_buffer_number = 2, LevelDB's
        // mem + imm). It is sanddb's default too; said here so that the
        // comparison does not change if the default does.
        .max_frozen_memtables = 1,
    };
    auto db = check(sand::DB::open(dir, std::move(options)), "open " + dir);
    std::lock_guard lock(db_mu_);
    db_ = std::move(db);
  }

  void close() override {
    if (db_ == nullptr) return;
    check(db_->close(), "close");  // stats() may still run beside it
    std::lock_guard lock(db_mu_);
    db_.reset();
  }

  void put(std::string_view key, std::string_view value, bool sync) override {
    check(db_->put(key, value, write_options(sync)), "put");
  }

  void write_batch(std::span<const KeyValue> puts, bool sync) override {
    sand::WriteBatch batch;
    for (const auto& [key, value] : puts) batch.put(key, value);
    check(db_->write(batch, write_options(sync)), "write");
  }

  bool get(std::string_view key, std::string* value) override {
    auto found = check(db_->get(key), "get");
    if (!found.has_value()) return false;
    *value = std::move(*found);
    return true;
  }

  void multi_get(std::span<const std::string_view> keys, std::span<std::string> values,
                 std::span<bool> found) override {
    auto answers = check(db_->multi_get(keys), "multi_get");
    for (std::size_t i = 0; i < answers.size(); ++i) {
      found[i] = answers[i].has_value();
      if (found[i]) values[i] = std::move(*answers[i]);
    }
  }

  std::unique_ptr<EngineIterator> new_iterator() override {
    return std::make_unique<SandIterator>(check(db_->scan(), "scan"));
  }

  void flush() override { check(db_->flush(), "flush"); }
  void compact_all() override { check(db_->compact(), "compact"); }

  std::string stats() override {
    const sand::Stats s = db_->stats();
    std::string out;
    const auto line = [&out](const char* name, auto v) {
      out += name;
      out += ": ";
      out += std::to_string(v);
      out += '\n';
    };
    line("last_version", s.last_version);
    line("low_water_mark", s.low_water_mark);
    line("memtable_bytes", s.memtable_bytes);
    line("immutable_memtables", s.immutable_memtables);
    for (int level = 0; level < 3; ++level) {
      out += 'L';
      out += std::to_string(level);
      out += ": ";
      out += std::to_string(s.tables[level]);
      out += " tables, ";
      out += std::to_string(s.table_bytes[level]);
      out += " bytes\n";
    }
    line("l1_runs", s.l1_runs);
    line("wal_bytes", s.wal_bytes);
    line("user_bytes_written", s.user_bytes_written);
    line("write_groups", s.write_groups);
    line("wal_syncs", s.wal_syncs);
    line("flushes", s.flushes);
    line("flush_bytes_written", s.flush_bytes_written);
    line("compactions", s.compactions);
    line("compaction_bytes_read", s.compaction_bytes_read);
    line("compaction_bytes_written", s.compaction_bytes_written);
    line("write_amplification", s.write_amplification);
    line("space_amplification", s.space_amplification);
    line("stalls", s.stalls);
    line("stall_micros", s.stall_micros);
    line("live_snapshots", s.live_snapshots);
    line("manifest_bytes", s.manifest_bytes);
    line("memtables_used_bytes", s.memtables_used_bytes);
    line("memtables_reserved_bytes", s.memtables_reserved_bytes);
    line("table_index_filter_bytes", s.table_index_filter_bytes);
    line("block_cache_bytes", s.block_cache_bytes);
    line("block_cache_capacity", s.block_cache_capacity);
    line("wal_buffer_bytes", s.wal_buffer_bytes);
    return out;
  }

  std::optional<MemoryBreakdown> memory_breakdown() override {
    std::lock_guard lock(db_mu_);
    if (db_ == nullptr) return std::nullopt;
    const sand::Stats s = db_->stats();
    return MemoryBreakdown{.memtables_used = s.memtables_used_bytes,
                           .memtables_reserved = s.memtables_reserved_bytes,
                           .table_index_filter = s.table_index_filter_bytes,
                           .block_cache = s.block_cache_bytes,
                           .wal_buffer = s.wal_buffer_bytes};
  }

  // Same definition as the peers' (flush + compaction table bytes over the
  // bench's own user bytes), rather than Stats::write_amplification, whose
  // denominator counts sanddb's user bytes (equal here, but this keeps every
  // engine on one denominator).
  std::optional<double> write_amplification(std::uint64_t user_bytes) override {
    if (user_bytes == 0) return std::nullopt;
    const sand::Stats s = db_->stats();
    return static_cast<double>(s.flush_bytes_written + s.compaction_bytes_written) /
           static_cast<double>(user_bytes);
  }

  VersionedEngine* versioned() override { return this; }

  History history(std::string_view key) override {
    const auto entries = check(db_->history(key), "history");
    History h{.versions = entries.size()};
    for (const auto& e : entries) h.value_bytes += e.value.size();
    return h;
  }
  std::uint64_t last_version() override { return db_->last_version(); }
  std::uint64_t low_water_mark() override { return db_->low_water_mark(); }
  bool get_at(std::string_view key, std::uint64_t version, std::string* value) override {
    auto found = check(db_->get(key, version), "get at version");
    if (!found.has_value()) return false;
    *value = std::move(*found);
    return true;
  }
  bool retains_history() override { return retention_ == sand::Retention::kAll; }
  void forget_before(std::uint64_t version) override {
    check(db_->forget_before(version), "forget_before");
  }
  std::uint64_t changes(std::uint64_t since, ChangeVisitor& visitor) override {
    auto feed = check(db_->changes(sand::ChangeOptions{.since = since}), "changes");
    for (; feed.valid(); feed.next()) {
      const sand::ChangeBatch& batch = feed.batch();
      visitor.batch(batch.version);
      for (const sand::Change& c : batch.changes) visitor.change(c.key, c.deleted, c.value);
    }
    check(feed.status(), "change feed");
    return feed.until();
  }

  TransactionalEngine* transactional() override { return this; }

  // The version get_versioned() reads is the precondition: the write
  // commits only if the key still has it (0: a missing or deleted key).
  bool read_modify_write(std::string_view key, const Modify& modify, bool sync) override {
    const auto entry = check(db_->get_versioned(key), "get_versioned");
    const bool live = entry.has_value() && !entry->deleted;
    sand::WriteBatch batch;
    batch.expect_version(key, live ? entry->version : 0);
    batch.put(key, modify(live ? std::optional<std::string_view>(entry->value) : std::nullopt));
    const auto written = db_->write(batch, write_options(sync));
    if (!written.is_ok() && written.status().code() == sand::Code::kConflict) return false;
    check(written.status(), "conditional write");
    return true;
  }

 private:
  std::mutex db_mu_;  // see the file comment
  std::unique_ptr<sand::DB> db_;
  sand::Retention retention_ = sand::Retention::kLatestOnly;
  std::size_t separation_ = 0;  // value_separation_threshold, for notes()
  bool skiplist_ = false;       // Options::memtable is kSkipList, for notes()
};

}  // namespace

std::unique_ptr<Engine> make_sand_engine() { return std::make_unique<SandEngine>(); }

}  // namespace sand_bench
