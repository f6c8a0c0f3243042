// Linearizability of the DB's latest-state operations, checked on small
// random concurrent histories.
//
// A RapidCheck property generates 2-3 threads of 2-5 operations each (put,
// del, put-if-absent (a conditional write: it commits or answers Conflict),
// get, scan of everything, and now and then flush or compact, which the
// model treats as no-ops) over the keys {a, b, c} with unique values, runs
// them truly concurrently on a fresh DB (threads released together by a
// latch), stamps each operation's invocation and response with one global
// atomic counter, and asks the checker in support/linearizability.hpp for a
// linearization against two sequential models: a plain key-value map, and
// the same map plus a version counter, where each write must get exactly the
// next version (so commit versions follow the linearization order). The
// first few cases prove the checker itself can reject a history.
//
// Catch2 assertions are not thread-safe: worker threads only record results;
// the test thread checks them after joining.
#include "support/linearizability.hpp"

#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <latch>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "sand/sand.hpp"
#include "support/db_helpers.hpp"

using namespace sand;
using sand::test::find_linearization;

namespace {

using Rows = std::vector<std::pair<std::string, std::string>>;

// The plain model: the live keys and their values.
using KvState = std::map<std::string, std::string>;

// The model plus the version the last write got: each write must get the
// next one.
struct VersionedKvState {
  KvState kv;
  Version last = 0;
  friend bool operator<(const VersionedKvState& a, const VersionedKvState& b) {
    return std::tie(a.last, a.kv) < std::tie(b.last, b.kv);
  }
};

// kPutIfAbsent: a put with the precondition expect_missing(key); it commits
// or answers Conflict.
enum class Kind { kPut, kDel, kGet, kScan, kFlush, kCompact, kPutIfAbsent };

// One operation of a history: what was asked, what came back, and when.
struct KvOp {
  Kind kind = Kind::kGet;
  std::string key{};
  std::string value{};  // kPut: the value written
  // Observations.
  bool ok = true;                    // the call returned OK
  std::optional<std::string> got{};  // kGet
  Rows rows{};                       // kScan
  Version version = 0;               // kPut, kDel, a committed kPutIfAbsent
  bool conflict = false;             // kPutIfAbsent: answered Conflict
  std::uint64_t invoke = 0, response = 0;
  int thread = 0;

  // Applies the op to the plain model; true if the observed result matches.
  bool apply(KvState& s) const {
    switch (kind) {
      case Kind::kPut:
        s[key] = value;
        return true;
      case Kind::kDel:
        s.erase(key);
        return true;
      case Kind::kGet: {
        const auto it = s.find(key);
        return got == (it == s.end() ? std::nullopt : std::optional<std::string>(it->second));
      }
      case Kind::kScan:
        return rows == Rows(s.begin(), s.end());
      case Kind::kFlush:
      case Kind::kCompact:
        return true;
      case Kind::kPutIfAbsent: {
        // Exactly one of: the key was absent and the put happened, or it
        // was there and nothing happened.
        const bool absent = !s.contains(key);
        if (conflict) return !absent;
        if (!absent) return false;
        s[key] = value;
        return true;
      }
    }
    return false;
  }

  // The same, and a write must have got the version after the last one.
  bool apply(VersionedKvState& s) const {
    if (kind == Kind::kPut || kind == Kind::kDel || (kind == Kind::kPutIfAbsent && !conflict)) {
      if (version != s.last + 1) return false;
      s.last = version;
    }
    return apply(s.kv);
  }
};

std::string describe(const std::vector<KvOp>& ops) {
  std::string out;
  for (const KvOp& op : ops) {
    out += "  t" + std::to_string(op.thread) + " [" + std::to_string(op.invoke) + "," +
           std::to_string(op.response) + "] ";
    switch (op.kind) {
      case Kind::kPut:
        out += "put(" + op.key + "," + op.value + ") -> v" + std::to_string(op.version);
        break;
      case Kind::kDel:
        out += "del(" + op.key + ") -> v" + std::to_string(op.version);
        break;
      case Kind::kGet:
        out += "get(" + op.key + ") -> " + op.got.value_or("(absent)");
        break;
      case Kind::kScan:
        out += "scan ->";
        for (const auto& [k, v] : op.rows) out += " " + k + "=" + v;
        break;
      case Kind::kFlush:
        out += "flush";
        break;
      case Kind::kCompact:
        out += "compact";
        break;
      case Kind::kPutIfAbsent:
        out += "put-if-absent(" + op.key + "," + op.value + ") -> " +
               (op.conflict ? std::string("Conflict") : "v" + std::to_string(op.version));
        break;
    }
    if (!op.ok) out += " (failed)";
    out += "\n";
  }
  return out;
}

// Hand-built history helpers for the checker's own tests.
KvOp put(std::string k, std::string v, std::uint64_t inv, std::uint64_t resp, Version ver = 0) {
  return KvOp{.kind = Kind::kPut,
              .key = std::move(k),
              .value = std::move(v),
              .version = ver,
              .invoke = inv,
              .response = resp};
}
KvOp get(std::string k, std::optional<std::string> got, std::uint64_t inv, std::uint64_t resp) {
  return KvOp{.kind = Kind::kGet,
              .key = std::move(k),
              .got = std::move(got),
              .invoke = inv,
              .response = resp};
}

// ---------------------------------------------------------------------------
// The generated concurrent histories.

struct OpSpec {
  Kind kind;
  std::string key;
};

// So RapidCheck prints a counterexample readably.
void showValue(const OpSpec& spec, std::ostream& os) {
  static constexpr const char* kNames[] = {"put",   "del",     "get",          "scan",
                                           "flush", "compact", "put-if-absent"};
  os << kNames[static_cast<int>(spec.kind)];
  if (spec.kind != Kind::kFlush && spec.kind != Kind::kCompact) os << "(" << spec.key << ")";
}

rc::Gen<OpSpec> gen_op_spec() {
  const auto key = rc::gen::element<std::string>("a", "b", "c");
  auto with = [key](Kind k) { return rc::gen::construct<OpSpec>(rc::gen::just(k), key); };
  return rc::gen::weightedOneOf<OpSpec>({
      {30, with(Kind::kPut)},
      {12, with(Kind::kDel)},
      {12, with(Kind::kPutIfAbsent)},
      {30, with(Kind::kGet)},
      {13, with(Kind::kScan)},
      {5, with(Kind::kFlush)},
      {5, with(Kind::kCompact)},
  });
}

struct Preload {
  std::vector<std::pair<std::string, std::string>> puts;
  bool flush = false;  // so the threads read through a table too
};

// Runs the threads' ops concurrently on a fresh DB loaded with `preload`.
// Returns every op with its observations (threads' ops in order).
std::vector<KvOp> run_history(const std::vector<std::vector<OpSpec>>& threads,
                              const Preload& preload) {
  auto opened =
      DB::open("/db", sand::test::tiny_compacting_options(memory_file_system(), Retention::kAll));
  RC_ASSERT(opened.is_ok());
  const std::unique_ptr<DB> db = std::move(opened).value();
  for (const auto& [k, v] : preload.puts) RC_ASSERT(db->put(k, v).is_ok());
  if (preload.flush) RC_ASSERT(db->flush().is_ok());

  std::vector<std::vector<KvOp>> results(threads.size());
  for (std::size_t t = 0; t < threads.size(); ++t) {
    for (std::size_t i = 0; i < threads[t].size(); ++i) {
      const OpSpec& spec = threads[t][i];
      results[t].push_back(KvOp{.kind = spec.kind,
                                .key = spec.key,
                                // Unique across the history: thread and position.
                                .value = "t" + std::to_string(t) + "." + std::to_string(i),
                                .thread = static_cast<int>(t)});
    }
  }

  std::atomic<std::uint64_t> clock{1};
  std::latch start(static_cast<std::ptrdiff_t>(threads.size()));
  std::vector<std::thread> workers;
  for (std::size_t t = 0; t < threads.size(); ++t) {
    workers.emplace_back([&, t] {
      start.arrive_and_wait();
      for (KvOp& op : results[t]) {
        op.invoke = clock.fetch_add(1);
        switch (op.kind) {
          case Kind::kPut: {
            auto r = db->put(op.key, op.value);
            op.ok = r.is_ok();
            if (op.ok) op.version = *r;
            break;
          }
          case Kind::kDel: {
            auto r = db->del(op.key);
            op.ok = r.is_ok();
            if (op.ok) op.version = *r;
            break;
          }
          case Kind::kGet: {
            auto r = db->get(op.key);
            op.ok = r.is_ok();
            if (op.ok) op.got = *r;
            break;
          }
          case Kind::kScan: {
            auto r = db->scan();
            op.ok = r.is_ok();
            if (!op.ok) break;
            for (; r->valid(); r->next()) op.rows.emplace_back(r->key(), r->value());
            op.ok = r->status().is_ok();
            break;
          }
          case Kind::kFlush:
            op.ok = db->flush().is_ok();
            break;
          case Kind::kCompact:
            op.ok = db->compact().is_ok();
            break;
          case Kind::kPutIfAbsent: {
            WriteBatch batch;
            batch.expect_missing(op.key);
            batch.put(op.key, op.value);
            auto r = db->write(batch);
            op.conflict = !r.is_ok() && r.status().code() == Code::kConflict;
            op.ok = r.is_ok() || op.conflict;
            if (r.is_ok()) op.version = *r;
            break;
          }
        }
        op.response = clock.fetch_add(1);
      }
    });
  }
  for (auto& w : workers) w.join();
  RC_ASSERT(db->close().is_ok());

  std::vector<KvOp> all;
  for (auto& ops : results) {
    for (auto& op : ops) all.push_back(std::move(op));
  }
  return all;
}

void check_history(const std::vector<KvOp>& ops, const Preload& preload) {
  for (const KvOp& op : ops) {
    if (!op.ok) RC_FAIL("an operation failed:\n" + describe(ops));
  }
  KvState initial(preload.puts.begin(), preload.puts.end());
  // Later preload puts of the same key win, as in the DB.
  for (const auto& [k, v] : preload.puts) initial[k] = v;
  if (!find_linearization(ops, initial)) {
    RC_FAIL("not linearizable against the key-value model:\n" + describe(ops));
  }
  const VersionedKvState versioned{initial, static_cast<Version>(preload.puts.size())};
  if (!find_linearization(ops, versioned)) {
    RC_FAIL("linearizable, but no linearization gives writes their versions in order:\n" +
            describe(ops));
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// The checker's own tests.

TEST_CASE("the checker rejects a read of a value overwritten before it started",
          "[db][linearizability]") {
  // put v1, then put v2 completes, then a get starts and returns v1.
  const std::vector<KvOp> ops = {put("a", "v1", 1, 2), put("a", "v2", 3, 4), get("a", "v1", 5, 6)};
  CHECK_FALSE(find_linearization(ops, KvState{}));
}

TEST_CASE("the checker rejects a read of a value not yet written", "[db][linearizability]") {
  const std::vector<KvOp> ops = {get("a", "v1", 1, 2), put("a", "v1", 3, 4)};
  CHECK_FALSE(find_linearization(ops, KvState{}));
}

TEST_CASE("the checker rejects reads that go back in time", "[db][linearizability]") {
  // Two overlapping puts, both done before either get starts: whichever went
  // last, every later get must see it, so two gets cannot disagree.
  const std::vector<KvOp> ops = {put("a", "v1", 1, 4), put("a", "v2", 2, 3), get("a", "v2", 5, 6),
                                 get("a", "v1", 7, 8)};
  CHECK_FALSE(find_linearization(ops, KvState{}));
  const std::vector<KvOp> fine = {put("a", "v1", 1, 4), put("a", "v2", 2, 3), get("a", "v1", 5, 6),
                                  get("a", "v1", 7, 8)};
  CHECK(find_linearization(fine, KvState{}));
  // With the first get overlapping the put of v1, seeing v2 then v1 is fine:
  // put v2, get, put v1, get.
  const std::vector<KvOp> overlapping = {put("a", "v1", 1, 6), put("a", "v2", 2, 3),
                                         get("a", "v2", 4, 7), get("a", "v1", 8, 9)};
  CHECK(find_linearization(overlapping, KvState{}));
}

TEST_CASE("the checker accepts overlapping operations in a non-invocation order",
          "[db][linearizability]") {
  // The get returns before the put it observed returns: fine, they overlap.
  // And the put invoked first must be linearized second.
  const std::vector<KvOp> ops = {put("a", "v1", 1, 10), put("a", "v2", 2, 4), get("a", "v2", 3, 5),
                                 get("a", "v1", 11, 12)};
  const auto order = find_linearization(ops, KvState{});
  REQUIRE(order);
  CHECK(*order == std::vector<std::size_t>{1, 2, 0, 3});
  // A get overlapping the put may also miss it.
  CHECK(find_linearization(std::vector<KvOp>{put("a", "v1", 1, 4), get("a", std::nullopt, 2, 3)},
                           KvState{}));
}

TEST_CASE("the checker rejects two put-if-absent of one key that both commit",
          "[db][linearizability][conditional]") {
  auto put_if_absent = [](std::string v, std::uint64_t inv, std::uint64_t resp, bool conflict) {
    return KvOp{.kind = Kind::kPutIfAbsent,
                .key = "a",
                .value = std::move(v),
                .conflict = conflict,
                .invoke = inv,
                .response = resp};
  };
  // Overlapping racers: exactly one may win.
  CHECK_FALSE(find_linearization(
      std::vector<KvOp>{put_if_absent("v1", 1, 4, false), put_if_absent("v2", 2, 3, false)},
      KvState{}));
  CHECK(find_linearization(
      std::vector<KvOp>{put_if_absent("v1", 1, 4, false), put_if_absent("v2", 2, 3, true)},
      KvState{}));
  // Nobody may lose to nobody: a Conflict needs the key to be there.
  CHECK_FALSE(find_linearization(std::vector<KvOp>{put_if_absent("v1", 1, 2, true)}, KvState{}));
}

TEST_CASE("the checker holds writes to their versions", "[db][linearizability]") {
  // Overlapping puts: the value read last says v1 went last, so it must have
  // the higher version.
  const std::vector<KvOp> good = {put("a", "v1", 1, 6, 2), put("a", "v2", 2, 5, 1),
                                  get("a", "v1", 7, 8)};
  CHECK(find_linearization(good, VersionedKvState{}));
  const std::vector<KvOp> bad = {put("a", "v1", 1, 6, 1), put("a", "v2", 2, 5, 2),
                                 get("a", "v1", 7, 8)};
  CHECK(find_linearization(bad, KvState{}));  // fine without versions
  CHECK_FALSE(find_linearization(bad, VersionedKvState{}));
}

TEST_CASE("the checker accepts a linearizable scan and rejects a torn one",
          "[db][linearizability]") {
  const KvOp scan{.kind = Kind::kScan, .rows = {{"b", "1"}}, .invoke = 4, .response = 7};
  // a=1 was written before b=1 started: no state ever held b=1 without a=1.
  const std::vector<KvOp> torn = {put("a", "1", 1, 2), put("b", "1", 3, 8), scan};
  CHECK_FALSE(find_linearization(torn, KvState{}));
  // Written concurrently, the puts may have gone in either order.
  const std::vector<KvOp> ok = {put("a", "1", 1, 5), put("b", "1", 3, 8), scan};
  CHECK(find_linearization(ok, KvState{}));
}

// ---------------------------------------------------------------------------
// The property.

TEST_CASE("concurrent put/del/get/scan histories are linearizable", "[db][linearizability]") {
  rc::prop("random histories of 2-3 threads", [] {
    const int nthreads = *rc::gen::inRange(2, 4);
    std::vector<std::vector<OpSpec>> threads;
    for (int t = 0; t < nthreads; ++t) {
      const auto n = static_cast<std::size_t>(*rc::gen::inRange(2, 6));
      threads.push_back(*rc::gen::container<std::vector<OpSpec>>(n, gen_op_spec()));
    }
    Preload preload;
    const auto npre = static_cast<std::size_t>(*rc::gen::inRange(0, 4));
    const auto keys = *rc::gen::container<std::vector<std::string>>(
        npre, rc::gen::element<std::string>("a", "b", "c"));
    for (std::size_t i = 0; i < keys.size(); ++i) {
      preload.puts.emplace_back(keys[i], "pre" + std::to_string(i));
    }
    preload.flush = !keys.empty() && *rc::gen::arbitrary<bool>();
    // Each history runs twice: a second interleaving for the price of one
    // generated case.
    for (int run = 0; run < 2; ++run) check_history(run_history(threads, preload), preload);
  });
}
