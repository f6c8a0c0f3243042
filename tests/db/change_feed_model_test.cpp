// A RapidCheck model test of the change feed: random writes, batches,
// flushes, compactions, forget_before and reopens on a database small enough
// that background flushes and compactions run all the time, interleaved with
// feeds over random (since, until] ranges, key ranges and prefixes. Each
// feed is checked against two oracles:
//  - the model built from the recorded writes with history()'s retention
//    rule (support/versioned_model.hpp): every key's retained history
//    entries with versions in (since, until], grouped by version;
//  - the same union built from the database's own history() of every key.
// The validity rules are checked too: since below the mark, until past the
// last version or below since, and from after to are InvalidArgument. The
// same feed is also read through windows of a random small budget, which
// must not change the answer.
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <sstream>
#include <variant>

#include "db/change_feed.hpp"
#include "db/db_access.hpp"
#include "sand/sand.hpp"
#include "support/db_helpers.hpp"
#include "support/model_generators.hpp"
#include "support/versioned_model.hpp"

using namespace sand;

namespace {

using Model = sand::test::VersionedModel;
using Feed = std::vector<ChangeBatch>;

std::string show(const Feed& feed) {
  std::ostringstream out;
  out << "[";
  for (const ChangeBatch& b : feed) {
    out << " v" << b.version << "{";
    for (const Change& c : b.changes) {
      out << " " << c.key << (c.deleted ? ":del" : "=" + c.value.substr(0, 8));
    }
    out << " }";
  }
  out << " ]";
  return out.str();
}

void check_ok(const Status& s, const std::string& what) {
  if (!s.is_ok()) RC_FAIL(what + " failed: " + s.to_string());
}

void check_feed(const Feed& got, const Feed& want, const std::string& what) {
  if (got != want) RC_FAIL(what + ": got " + show(got) + ", want " + show(want));
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
struct Flush {};
struct Compact {};
struct ForgetBefore {
  std::uint32_t pick;  // a version in [0, last]
};
struct Reopen {};
// A feed: since and until picked by pick_in(), until left to default
// when `default_until`; a key range, a prefix, and a window budget for the
// windowed read.
struct Changes {
  std::uint32_t since_pick, until_pick;
  bool default_until;
  std::optional<std::string> from, to, prefix;
  std::uint32_t budget;
};
using Op = std::variant<Put, Del, Batch, Flush, Compact, ForgetBefore, Reopen, Changes>;

rc::Gen<std::string> gen_key() {
  return rc::gen::map(rc::gen::inRange(0, 14), [](int i) { return "k" + std::to_string(i); });
}
rc::Gen<std::string> gen_value() {
  // Full-size values even in small cases, so that memtables fill and flush.
  return rc::gen::map(rc::gen::resize(100, rc::gen::inRange(0, 400)), [](int n) {
    return std::string(static_cast<std::size_t>(n), 'v') + std::to_string(n);
  });
}
rc::Gen<std::uint32_t> gen_pick() { return rc::gen::inRange<std::uint32_t>(0, 1u << 20); }
rc::Gen<std::optional<std::string>> gen_bound() {
  return rc::gen::oneOf(rc::gen::just(std::optional<std::string>()),
                        rc::gen::map(gen_key(), [](std::string k) {
                          return std::optional<std::string>(std::move(k));
                        }));
}
rc::Gen<std::optional<std::string>> gen_prefix() {
  return rc::gen::element(std::optional<std::string>(), std::optional<std::string>(),
                          std::optional<std::string>("k1"), std::optional<std::string>("k"),
                          std::optional<std::string>("k13"), std::optional<std::string>("x"));
}

rc::Gen<Op> gen_op() {
  using rc::gen::construct;
  return rc::gen::weightedOneOf<Op>({
      {30, construct<Op>(construct<Put>(gen_key(), gen_value()))},
      {12, construct<Op>(construct<Del>(gen_key()))},
      {8, construct<Op>(construct<Batch>(
              rc::gen::container<std::vector<std::pair<std::string, std::optional<std::string>>>>(
                  sand::test::gen_batch_op(gen_key(), gen_value()))))},
      {3, construct<Op>(construct<Flush>())},
      {2, construct<Op>(construct<Compact>())},
      {3, construct<Op>(construct<ForgetBefore>(gen_pick()))},
      {1, construct<Op>(construct<Reopen>())},
      {12, construct<Op>(construct<Changes>(gen_pick(), gen_pick(), rc::gen::arbitrary<bool>(),
                                            gen_bound(), gen_bound(), gen_prefix(),
                                            rc::gen::inRange<std::uint32_t>(1, 4000)))},
  });
}

bool in_bounds(const std::string& k, const Changes& c) {
  if (c.from && k < *c.from) return false;
  if (c.to && k >= *c.to) return false;
  return !c.prefix || k.starts_with(*c.prefix);
}

// Groups (version, change) pairs gathered key by key (keys ascending) into
// batches.
Feed group(const std::map<Version, std::vector<Change>>& by_version) {
  Feed out;
  for (const auto& [v, changes] : by_version) out.push_back({.version = v, .changes = changes});
  return out;
}

template <typename HistoryOf>
Feed feed_from_histories(const Model& m, const Changes& c, Version since, Version until,
                         HistoryOf history_of) {
  std::map<Version, std::vector<Change>> by_version;
  for (const auto& [k, versions] : m.keys) {
    if (!in_bounds(k, c)) continue;
    for (const HistoryEntry& e : history_of(k)) {
      if (e.version <= since || e.version > until) continue;
      by_version[e.version].push_back({.key = k, .deleted = e.deleted, .value = e.value});
    }
  }
  return group(by_version);
}

Feed drain(ChangeIterator feed, const std::string& what) {
  Feed out;
  for (; feed.valid(); feed.next()) out.push_back(feed.batch());
  check_ok(feed.status(), what + " (feed status)");
  return out;
}

Feed windowed(const DB& db, const Changes& c, Version since, Version until, std::size_t budget,
              const std::string& what) {
  const auto point = detail::DbAccess::impl(db).read_point();
  detail::ChangeFeedState state(point.view,
                                {.since = since,
                                 .until = until,
                                 .mark = point.mark,
                                 .from = c.from,
                                 .to = c.to,
                                 .prefix = c.prefix},
                                budget);
  Feed out;
  for (state.start(); state.valid(); state.next()) out.push_back(state.batch());
  check_ok(state.status(), what + " (windowed)");
  return out;
}

// Mostly a valid range, since in [M, last + 1] and until in [since, last +
// 1]; one pick in eight anywhere in [0, last + 1], to meet the refusals.
Version pick_in(std::uint32_t pick, Version lo, Version hi_plus_one) {
  if (pick % 8 == 0 || lo > hi_plus_one) return (pick / 8) % (hi_plus_one + 1);
  return lo + (pick / 8) % (hi_plus_one - lo + 1);
}

void check_changes(const DB& db, const Model& model, const Changes& c, const std::string& step) {
  const Version since = pick_in(c.since_pick, model.mark, model.last + 1);
  const std::optional<Version> until =
      c.default_until ? std::nullopt
                      : std::optional<Version>(pick_in(c.until_pick, since, model.last + 1));
  const Version resolved = until.value_or(model.last);
  const std::string what = step + "changes (" + std::to_string(since) + ", " +
                           std::to_string(resolved) + "] from " + c.from.value_or("-") + " to " +
                           c.to.value_or("-") + " prefix " + c.prefix.value_or("-") + " (last " +
                           std::to_string(model.last) + ", M " + std::to_string(model.mark) + ")";
  RC_LOG() << what << "\n";
  auto feed =
      db.changes({.since = since, .until = until, .from = c.from, .to = c.to, .prefix = c.prefix});
  const bool refused = (c.from && c.to && *c.from > *c.to) || since < model.mark ||
                       resolved > model.last || since > resolved;
  if (refused) {
    if (feed.status().code() != Code::kInvalidArgument) {
      RC_FAIL(what + ": want InvalidArgument, got " + feed.status().to_string());
    }
    return;
  }
  check_ok(feed.status(), what);
  if (feed->until() != resolved) RC_FAIL(what + ": until() = " + std::to_string(feed->until()));
  const Feed got = drain(std::move(feed).value(), what);
  check_feed(got,
             feed_from_histories(model, c, since, resolved,
                                 [&](const std::string& k) { return model.history(k); }),
             what + " vs the model");
  check_feed(got,
             feed_from_histories(model, c, since, resolved,
                                 [&](const std::string& k) {
                                   auto h = db.history(k);
                                   check_ok(h.status(), what + " history " + k);
                                   return std::move(h).value();
                                 }),
             what + " vs history()");
  check_feed(windowed(db, c, since, resolved, c.budget, what), got,
             what + " in windows of " + std::to_string(c.budget) + " bytes");
}

void commit(Model& model,
            const std::vector<std::pair<std::string, std::optional<std::string>>>& ops,
            const Result<Version>& v, const std::string& what) {
  check_ok(v.status(), what);
  model.committed();
  RC_ASSERT(*v == model.last);
  for (const auto& [k, val] : ops) model.keys[k][model.last] = val;
}

void run_model(Retention retention) {
  // Up to 250 operations, uniformly (inRange alone would scale the range
  // down with RapidCheck's size): enough for several compactions.
  const auto length = *rc::gen::resize(100, rc::gen::inRange<std::size_t>(0, 251));
  const auto ops = *rc::gen::container<std::vector<Op>>(length, gen_op());
  auto fs = memory_file_system();
  const Options options = sand::test::tiny_compacting_options(fs, retention);
  auto opened = DB::open("/db", options);
  if (!opened.is_ok()) RC_FAIL("open: " + opened.status().to_string());
  std::unique_ptr<DB> db = std::move(opened).value();
  Model model;
  model.latest_only = retention == Retention::kLatestOnly;

  for (std::size_t i = 0; i < ops.size(); ++i) {
    const Op& op = ops[i];
    const std::string step = "step " + std::to_string(i) + " ";
    if (const auto* p = std::get_if<Put>(&op)) {
      RC_LOG() << step << "put " << p->key << "\n";
      commit(model, {{p->key, p->value}}, db->put(p->key, p->value), step + "put");
    } else if (const auto* d = std::get_if<Del>(&op)) {
      RC_LOG() << step << "del " << d->key << "\n";
      commit(model, {{d->key, std::nullopt}}, db->del(d->key), step + "del");
    } else if (const auto* b = std::get_if<Batch>(&op)) {
      if (b->ops.empty()) continue;
      RC_LOG() << step << "batch of " << b->ops.size() << "\n";
      WriteBatch batch;
      for (const auto& [k, v] : b->ops) v ? batch.put(k, *v) : batch.del(k);
      commit(model, b->ops, db->write(batch), step + "batch");
    } else if (std::holds_alternative<Flush>(op)) {
      RC_LOG() << step << "flush\n";
      check_ok(db->flush(), step + "flush");
    } else if (std::holds_alternative<Compact>(op)) {
      RC_LOG() << step << "compact\n";
      check_ok(db->compact(), step + "compact");
    } else if (const auto* f = std::get_if<ForgetBefore>(&op)) {
      const Version v = f->pick % (model.last + 1);
      RC_LOG() << step << "forget_before " << v << "\n";
      check_ok(db->forget_before(v), step + "forget_before");
      model.mark = std::max(model.mark, v);
    } else if (std::holds_alternative<Reopen>(op)) {
      RC_LOG() << step << "reopen\n";
      check_ok(db->close(), step + "close");
      db.reset();
      auto again = DB::open("/db", options);
      if (!again.is_ok()) RC_FAIL(step + "reopen: " + again.status().to_string());
      db = std::move(again).value();
    } else if (const auto* c = std::get_if<Changes>(&op)) {
      check_changes(*db, model, *c, step);
    }
  }
  // A follower's whole catch-up at the end: from the mark to the last.
  check_changes(*db, model,
                Changes{.since_pick = 1,  // since = M
                        .until_pick = 0,
                        .default_until = true,
                        .from = std::nullopt,
                        .to = std::nullopt,
                        .prefix = std::nullopt,
                        .budget = 512},
                "final ");
  check_ok(db->close(), "final close");
}

}  // namespace

TEST_CASE("the change feed equals every key's retained history grouped by version",
          "[db][changes][model]") {
  rc::prop("random operation sequences", [] { run_model(Retention::kAll); });
}

TEST_CASE("the change feed under latest-only retention", "[db][changes][model]") {
  rc::prop("random operation sequences", [] { run_model(Retention::kLatestOnly); });
}
