// Fuzz target db_ops: the input drives up to kMaxOps operations on a DB in
// sand::memory_file_system() with tiny options (4 KiB memtable, L0 and L1
// triggers 2, 256-byte blocks), and every answer is compared with a small
// in-memory model, the one the model tests use (tests/support/
// versioned_model.hpp): key -> version -> value (nullopt = tombstone), the
// last version, the low-water mark M and the live snapshots. Any mismatch aborts
// with a message. Operations (op byte % 13): put, del, batch, get, get-at,
// scan, history, snapshot take, snapshot release, flush, compact, reopen,
// forget_before.
// Byte 0 picks options: bit 0 LZ4, bit 1 bloom filter, bit 2
// Retention::kLatestOnly, bit 3 key-value separation (values of 64 bytes or
// more stored by reference in their WAL, spec/values.md).
// Deterministic in its answers (background threads may change timing, not
// results); no output on success; no real file I/O.
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "fuzz_support.hpp"
#include "sand/sand.hpp"
#include "support/versioned_model.hpp"

namespace {

using namespace sand;
using sand::fuzz::check;
using sand::fuzz::expect_code;

constexpr int kMaxOps = 96;
constexpr int kMaxHeavyOps = 6;  // flush, compact, reopen: each costs the most

using Model = sand::test::VersionedModel;

std::string make_key(sand::fuzz::Bytes& in) {
  const std::uint8_t b = in.u8();
  std::string k = "k" + std::to_string(b % 24);
  if (b >= 240) k += std::string(b - 230, 'x');  // a few longer keys
  return k;
}

std::string make_value(sand::fuzz::Bytes& in) {
  const std::uint8_t b = in.u8();
  // Up to ~500 bytes so the 4 KiB memtable fills after a few writes.
  return std::string(static_cast<std::size_t>(b) * 2, static_cast<char>('a' + b % 26));
}

Version make_version(sand::fuzz::Bytes& in, const Model& m) { return in.u8() % (m.last + 2); }

std::string show(const std::optional<std::string>& v) { return v ? "\"" + *v + "\"" : "<none>"; }

class Harness {
 public:
  explicit Harness(std::uint8_t config) : fs_(memory_file_system()) {
    options_.file_system = fs_;
    options_.memtable_size = 4096;
    options_.block_size = 256;
    options_.l0_trigger = 2;
    options_.l1_trigger = 2;
    options_.target_file_size = 8 << 10;
    options_.block_cache_size = 64 << 10;
    options_.compression = (config & 1) ? Compression::kLz4 : Compression::kNone;
    options_.bloom_bits_per_key = (config & 2) ? 10 : 0;
    options_.retention = (config & 4) ? Retention::kLatestOnly : Retention::kAll;
    options_.value_separation_threshold = (config & 8) ? kMinValueSeparationThreshold : 0;
    model_.latest_only = (config & 4) != 0;
    open();
  }
  ~Harness() {
    if (db_) db_->close().ignore();
  }

  void open() {
    auto db = DB::open("db", options_);
    check(db.is_ok(), "DB::open", db.status().to_string());
    db_ = std::move(*db);
    check(db_->last_version() == model_.last, "last_version after open");
    check(db_->low_water_mark() == model_.mark, "low_water_mark after open");
  }

  void committed(const Result<Version>& v) {
    check(v.is_ok(), "write failed", v.status().to_string());
    model_.committed();
    check(*v == model_.last, "write got an unexpected version");
  }

  void step(sand::fuzz::Bytes& in) {
    const std::uint8_t op = in.u8() % 13;
    switch (op) {
      case 0: {
        const std::string k = make_key(in), v = make_value(in);
        committed(db_->put(k, v));
        model_.keys[k][model_.last] = v;
        break;
      }
      case 1: {
        const std::string k = make_key(in);
        committed(db_->del(k));
        model_.keys[k][model_.last] = std::nullopt;
        break;
      }
      case 2: {
        WriteBatch b;
        std::map<std::string, std::optional<std::string>> ops;
        const int n = 1 + in.u8() % 4;
        for (int i = 0; i < n; ++i) {
          const std::string k = make_key(in);
          if (in.u8() & 1) {
            const std::string v = make_value(in);
            b.put(k, v);
            ops[k] = v;
          } else {
            b.del(k);
            ops[k] = std::nullopt;
          }
        }
        committed(db_->write(b));
        for (auto& [k, v] : ops) model_.keys[k][model_.last] = v;
        break;
      }
      case 3: {
        const std::string k = make_key(in);
        auto got = db_->get(k);
        check(got.is_ok(), "get failed", got.status().to_string());
        const auto want = model_.get(k, model_.last);
        check(*got == want, "get " + k, show(*got) + " want " + show(want));
        break;
      }
      case 4: {
        const std::string k = make_key(in);
        const Version at = make_version(in, model_);
        auto got = db_->get(k, at);
        if (!model_.readable(at)) {
          check(!got.is_ok() && got.status().code() == Code::kInvalidArgument,
                "get-at an unreadable version did not fail with InvalidArgument",
                got.status().to_string());
          break;
        }
        check(got.is_ok(), "get-at failed", got.status().to_string());
        const auto want = model_.get(k, at);
        check(*got == want, "get " + k + " at " + std::to_string(at),
              show(*got) + " want " + show(want));
        break;
      }
      case 5:
        scan(in);
        break;
      case 6: {
        const std::string k = make_key(in);
        auto got = db_->history(k);
        check(got.is_ok(), "history failed", got.status().to_string());
        check(*got == model_.history(k), "history " + k);
        break;
      }
      case 7:
        if (model_.snapshots.size() < 4) {
          Snapshot s = db_->snapshot();
          check(s.version() == model_.last, "snapshot version");
          model_.snapshots.push_back(s);
        }
        break;
      case 8:
        if (!model_.snapshots.empty()) {
          model_.snapshots.erase(model_.snapshots.begin() + in.u8() % model_.snapshots.size());
        }
        break;
      case 9:
        if (heavy_++ < kMaxHeavyOps) check(db_->flush().is_ok(), "flush");
        break;
      case 10:
        if (heavy_++ < kMaxHeavyOps) {
          Status s = db_->compact();
          check(s.is_ok(), "compact", s.to_string());
        }
        break;
      case 11:
        if (heavy_++ < kMaxHeavyOps) {
          Status s = db_->close();
          check(s.is_ok(), "close", s.to_string());
          db_.reset();
          // Snapshots pin versions in the DB that took them only.
          model_.snapshots.clear();
          open();
        }
        break;
      default: {
        const Version v = make_version(in, model_);
        Status s = db_->forget_before(v);
        if (v > model_.last) {
          check(s.code() == Code::kInvalidArgument, "forget_before past last", s.to_string());
        } else {
          check(s.is_ok(), "forget_before", s.to_string());
          if (!model_.latest_only) model_.mark = std::max(model_.mark, v);
        }
        check(db_->low_water_mark() == model_.mark, "low_water_mark");
        break;
      }
    }
  }

 private:
  void scan(sand::fuzz::Bytes& in) {
    const std::uint8_t flags = in.u8();
    ScanOptions so;
    if (flags & 1) so.from = make_key(in);
    if (flags & 2) so.to = make_key(in);
    if (flags & 4) so.at = make_version(in, model_);
    so.reverse = (flags & 8) != 0;
    auto it = db_->scan(so);
    const Version at = so.at.value_or(model_.last);
    const bool bad_range = so.from && so.to && *so.from > *so.to;
    if (bad_range || !model_.readable(at)) {
      check(!it.is_ok() && it.status().code() == Code::kInvalidArgument,
            "scan with a bad range or version did not fail with InvalidArgument");
      return;
    }
    check(it.is_ok(), "scan failed", it.status().to_string());
    std::vector<std::tuple<std::string, std::string, Version>> want, got;
    for (const auto& [k, versions] : model_.keys) {
      if (so.from && k < *so.from) continue;
      if (so.to && k >= *so.to) continue;
      auto f = model_.newest(k, at);
      if (f && f->second) want.emplace_back(k, *f->second, f->first);
    }
    if (so.reverse) std::reverse(want.begin(), want.end());
    for (; it->valid(); it->next()) {
      got.emplace_back(std::string(it->key()), std::string(it->value()), it->version());
      check(got.size() <= want.size() + 1, "scan yields too much");
    }
    check(it->status().is_ok(), "scan iterator error", it->status().to_string());
    check(got == want, "scan differs from the model");
  }

  std::shared_ptr<FileSystem> fs_;
  Options options_;
  Model model_;
  std::unique_ptr<DB> db_;
  int heavy_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;
  sand::fuzz::Bytes in(data, size);
  Harness h(in.u8());
  for (int i = 0; i < kMaxOps && !in.empty(); ++i) h.step(in);
  return 0;
}
