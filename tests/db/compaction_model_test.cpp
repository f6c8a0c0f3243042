// A RapidCheck model test of compaction and retention: random sequences of
// writes, reads at any version, history, flush, compact, forget_before,
// snapshots and reopen, on a database small enough (4 KiB memtables, triggers
// of 2, 4 KiB output files) that background flushes and compactions run all
// the time. Every read is checked against a model of the full versioned
// history plus the retention rules of include/sand/db.hpp:
//  - a read at `at` is InvalidArgument exactly when at > last, or at < M (the
//    low-water mark) and `at` is not a live snapshot's version; otherwise it
//    answers the state as of `at`;
//  - history(key) = every version >= M, plus the newest below M, then the
//    oldest entries dropped while the oldest is a tombstone.
// Whatever compaction did (and when), the answers must be the model's.
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <sstream>
#include <variant>

#include "sand/sand.hpp"
#include "support/db_helpers.hpp"
#include "support/model_generators.hpp"
#include "support/versioned_model.hpp"

using namespace sand;

namespace {

using Model = sand::test::VersionedModel;

std::string show(const std::optional<std::string>& v) {
  return v ? "\"" + v->substr(0, 12) + (v->size() > 12 ? "...\"" : "\"") : "(absent)";
}

std::string show(const std::vector<HistoryEntry>& h) {
  std::ostringstream out;
  out << "[";
  for (const auto& e : h) {
    out << " v" << e.version << (e.deleted ? ":del" : ":" + show(e.value));
  }
  out << " ]";
  return out.str();
}

std::string show(const std::vector<std::pair<std::string, std::string>>& kvs) {
  std::ostringstream out;
  out << "[";
  for (const auto& [k, v] : kvs) out << " " << k << "=" << show(v);
  out << " ]";
  return out.str();
}

template <typename T>
void check_equal(const T& got, const T& want, const std::string& what) {
  if (!(got == want)) RC_FAIL(what + ": got " + show(got) + ", want " + show(want));
}

void check_ok(const Status& s, const std::string& what) {
  if (!s.is_ok()) RC_FAIL(what + " failed: " + s.to_string());
}

void check_invalid(const Status& s, const std::string& what) {
  if (s.code() != Code::kInvalidArgument) {
    RC_FAIL(what + ": want InvalidArgument, got " + s.to_string());
  }
}

struct Put {
  std::string key, value;
};
struct Del {
  std::string key;
};
struct Batch {
  std::vector<std::pair<std::string, std::optional<std::string>>> ops;
};
// `pick` chooses a version in [0, last + 1] (last + 1 must be refused), or,
// with `at_snapshot` and a live snapshot, that snapshot's version.
struct Get {
  std::string key;
  std::uint32_t pick;
  bool at_snapshot;
};
struct Scan {
  std::string from, to;
  bool bounded, reverse;
  std::uint32_t pick;
  bool at_snapshot;
};
struct History {
  std::string key;
};
struct Flush {};
struct Compact {};
// forget_before(v) with v in [0, last + 1] (last + 1 must be refused).
struct ForgetBefore {
  std::uint32_t pick;
};
struct TakeSnapshot {};
struct ReleaseSnapshot {
  std::uint32_t pick;
};
struct Reopen {};
using Op = std::variant<Put, Del, Batch, Get, Scan, History, Flush, Compact, ForgetBefore,
                        TakeSnapshot, ReleaseSnapshot, Reopen>;

rc::Gen<std::string> gen_key() {
  return rc::gen::map(rc::gen::inRange(0, 24), [](int i) { return "k" + std::to_string(i); });
}
rc::Gen<std::string> gen_value() {
  // Full-size values even in small cases, so that memtables fill and flush.
  return rc::gen::map(rc::gen::resize(100, rc::gen::inRange(0, 300)), [](int n) {
    return std::string(static_cast<std::size_t>(n), 'v') + std::to_string(n);
  });
}
rc::Gen<std::uint32_t> gen_pick() { return rc::gen::inRange<std::uint32_t>(0, 1u << 20); }


rc::Gen<Op> gen_op() {
  using rc::gen::construct;
  return rc::gen::weightedOneOf<Op>({
      {30, construct<Op>(construct<Put>(gen_key(), gen_value()))},
      {10, construct<Op>(construct<Del>(gen_key()))},
      {5, construct<Op>(construct<Batch>(
              rc::gen::container<std::vector<std::pair<std::string, std::optional<std::string>>>>(
                  sand::test::gen_batch_op(gen_key(), gen_value()))))},
      {20, construct<Op>(construct<Get>(gen_key(), gen_pick(), rc::gen::arbitrary<bool>()))},
      {5, construct<Op>(construct<Scan>(gen_key(), gen_key(), rc::gen::arbitrary<bool>(),
                                        rc::gen::arbitrary<bool>(), gen_pick(),
                                        rc::gen::arbitrary<bool>()))},
      {8, construct<Op>(construct<History>(gen_key()))},
      {4, construct<Op>(construct<Flush>())},
      {3, construct<Op>(construct<Compact>())},
      {3, construct<Op>(construct<ForgetBefore>(gen_pick()))},
      {3, construct<Op>(construct<TakeSnapshot>())},
      {2, construct<Op>(construct<ReleaseSnapshot>(gen_pick()))},
      {2, construct<Op>(construct<Reopen>())},
  });
}


// The version a read uses: a live snapshot's, or one in [0, last + 1].
Version pick_version(const Model& m, std::uint32_t pick, bool at_snapshot) {
  if (at_snapshot && !m.snapshots.empty()) {
    return m.snapshots[pick % m.snapshots.size()].version();
  }
  return pick % (m.last + 2);
}

void run_model(Retention retention) {
  // Up to 150 operations, uniformly (inRange alone would scale the range
  // down with RapidCheck's size): enough for several compactions.
  const auto length = *rc::gen::resize(100, rc::gen::inRange<std::size_t>(0, 151));
  const auto ops = *rc::gen::container<std::vector<Op>>(length, gen_op());
  auto fs = memory_file_system();
  auto opened = DB::open("/db", sand::test::tiny_compacting_options(fs, retention));
  if (!opened.is_ok()) RC_FAIL("open: " + opened.status().to_string());
  std::unique_ptr<DB> db = std::move(opened).value();
  Model model;
  model.latest_only = retention == Retention::kLatestOnly;

  auto check_mark = [&](const std::string& what) {
    if (db->low_water_mark() != model.mark) {
      RC_FAIL(what + ": low_water_mark() = " + std::to_string(db->low_water_mark()) + ", want " +
              std::to_string(model.mark));
    }
  };

  for (std::size_t step = 0; step < ops.size(); ++step) {
    const Op& op = ops[step];
    const std::string at_step = "step " + std::to_string(step) + " ";
    if (const auto* p = std::get_if<Put>(&op)) {
      RC_LOG() << at_step << "put " << p->key << " (" << p->value.size() << " bytes)\n";
      auto v = db->put(p->key, p->value);
      check_ok(v.status(), at_step + "put");
      model.committed();
      RC_ASSERT(*v == model.last);
      model.keys[p->key][model.last] = p->value;
    } else if (const auto* d = std::get_if<Del>(&op)) {
      RC_LOG() << at_step << "del " << d->key << "\n";
      auto v = db->del(d->key);
      check_ok(v.status(), at_step + "del");
      model.committed();
      RC_ASSERT(*v == model.last);
      model.keys[d->key][model.last] = std::nullopt;
    } else if (const auto* b = std::get_if<Batch>(&op)) {
      if (b->ops.empty()) continue;
      RC_LOG() << at_step << "batch of " << b->ops.size() << "\n";
      WriteBatch batch;
      for (const auto& [k, v] : b->ops) v ? batch.put(k, *v) : batch.del(k);
      auto v = db->write(batch);
      check_ok(v.status(), at_step + "batch");
      model.committed();
      RC_ASSERT(*v == model.last);
      for (const auto& [k, val] : b->ops) model.keys[k][model.last] = val;
    } else if (const auto* g = std::get_if<Get>(&op)) {
      const Version at = pick_version(model, g->pick, g->at_snapshot);
      const std::string what = at_step + "get " + g->key + " at " + std::to_string(at) + " (last " +
                               std::to_string(model.last) + ", M " + std::to_string(model.mark) +
                               ")";
      RC_LOG() << what << "\n";
      auto r = db->get(g->key, at);
      if (!model.readable(at)) {
        check_invalid(r.status(), what);
      } else {
        check_ok(r.status(), what);
        check_equal(*r, model.get(g->key, at), what);
      }
      if (at == model.last) {  // the latest-state overload agrees
        auto latest = db->get(g->key);
        check_ok(latest.status(), what + " (latest)");
        check_equal(*latest, model.get(g->key, model.last), what + " (latest)");
      }
    } else if (const auto* s = std::get_if<Scan>(&op)) {
      const Version at = pick_version(model, s->pick, s->at_snapshot);
      const std::string lo = std::min(s->from, s->to), hi = std::max(s->from, s->to);
      const std::string what = at_step + "scan at " + std::to_string(at) +
                               (s->bounded ? " [" + lo + ", " + hi + ")" : "") +
                               (s->reverse ? " reverse" : "");
      RC_LOG() << what << "\n";
      ScanOptions so{.at = at, .reverse = s->reverse};
      if (s->bounded) {
        so.from = lo;
        so.to = hi;
      }
      auto it = db->scan(so);
      if (!model.readable(at)) {
        check_invalid(it.status(), what);
        continue;
      }
      check_ok(it.status(), what);
      std::vector<std::pair<std::string, std::string>> got, want;
      for (; it->valid(); it->next()) got.emplace_back(it->key(), it->value());
      check_ok(it->status(), what + " (iterator)");
      for (const auto& [k, versions] : model.keys) {
        if (s->bounded && (k < lo || k >= hi)) continue;
        if (auto v = model.get(k, at)) want.emplace_back(k, *v);
      }
      if (s->reverse) std::reverse(want.begin(), want.end());
      check_equal(got, want, what);
    } else if (const auto* h = std::get_if<History>(&op)) {
      const std::string what =
          at_step + "history " + h->key + " (M " + std::to_string(model.mark) + ")";
      RC_LOG() << what << "\n";
      auto r = db->history(h->key);
      check_ok(r.status(), what);
      check_equal(*r, model.history(h->key), what);
    } else if (std::holds_alternative<Flush>(op)) {
      RC_LOG() << at_step << "flush\n";
      check_ok(db->flush(), at_step + "flush");
    } else if (std::holds_alternative<Compact>(op)) {
      RC_LOG() << at_step << "compact\n";
      check_ok(db->compact(), at_step + "compact");
      const Stats st = db->stats();
      if (st.tables[0] != 0 || st.tables[1] != 0) {
        RC_FAIL(at_step + "compact left tables above level 2: L0 " + std::to_string(st.tables[0]) +
                ", L1 " + std::to_string(st.tables[1]));
      }
    } else if (const auto* f = std::get_if<ForgetBefore>(&op)) {
      const Version v = f->pick % (model.last + 2);
      const std::string what = at_step + "forget_before " + std::to_string(v);
      RC_LOG() << what << "\n";
      const Status st = db->forget_before(v);
      if (v > model.last) {
        check_invalid(st, what);
      } else {
        check_ok(st, what);
        model.mark = std::max(model.mark, v);
      }
      check_mark(what);
    } else if (std::holds_alternative<TakeSnapshot>(op)) {
      RC_LOG() << at_step << "snapshot at " << model.last << "\n";
      model.snapshots.push_back(db->snapshot());
      RC_ASSERT(model.snapshots.back().version() == model.last);
    } else if (const auto* rs = std::get_if<ReleaseSnapshot>(&op)) {
      if (model.snapshots.empty()) continue;
      const std::size_t i = rs->pick % model.snapshots.size();
      RC_LOG() << at_step << "release snapshot at " << model.snapshots[i].version() << "\n";
      model.snapshots.erase(model.snapshots.begin() + static_cast<std::ptrdiff_t>(i));
    } else if (std::holds_alternative<Reopen>(op)) {
      RC_LOG() << at_step << "reopen\n";
      check_ok(db->close(), at_step + "close");
      db.reset();
      // Snapshots may outlive their DB; they pin nothing in the next one.
      model.snapshots.clear();
      auto again = DB::open("/db", sand::test::tiny_compacting_options(fs, retention));
      if (!again.is_ok()) RC_FAIL(at_step + "reopen: " + again.status().to_string());
      db = std::move(again).value();
      RC_ASSERT(db->last_version() == model.last);
      check_mark(at_step + "reopen");
    }
  }
  check_ok(db->close(), "final close");
}

}  // namespace

TEST_CASE("compaction and retention keep every readable answer (keep all versions)",
          "[db][compaction][model]") {
  rc::prop("random operation sequences", [] { run_model(Retention::kAll); });
}

TEST_CASE("compaction and retention keep every readable answer (latest only)",
          "[db][compaction][model]") {
  rc::prop("random operation sequences", [] { run_model(Retention::kLatestOnly); });
}
