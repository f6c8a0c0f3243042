// A RapidCheck model test: random sequences of put/del/batch/get/scan/history/
// flush/reopen, and the versioned API (get_versioned, multi_get, conditional
// writes, the change feed, seek/prev walks), against a simple in-memory model
// of versioned history.
#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <map>
#include <optional>
#include <variant>

#include "sand/sand.hpp"
#include "support/db_helpers.hpp"
#include "support/model_generators.hpp"
#include "support/versioned_model.hpp"

using namespace sand;

namespace {

using Model = sand::test::VersionedModel;  // retention never moves here

struct Put { std::string key, value; };
struct Del { std::string key; };
struct Batch { std::vector<std::pair<std::string, std::optional<std::string>>> ops; };
struct Get { std::string key; std::uint32_t at_back; };
struct Scan { std::string from, to; bool bounded, reverse; std::uint32_t at_back; };
struct History { std::string key; };
struct Flush {};
struct Reopen {};
struct GetVersioned { std::string key; std::uint32_t at_back; };
struct MultiGet { std::vector<std::string> keys; std::uint32_t at_back; };
// expect: 0 the key's current version, 1 a wrong version, 2 missing, 3 exists.
struct PutIf { std::string key; int expect; std::optional<std::string> value; };
struct Changes { std::uint32_t since_back, until_back; };
// A walk over a scan: moves 0 next, 1 prev, 2 seek, 3 seek_for_prev,
// 4 seek_to_first, 5 seek_to_last, each with a target key.
struct Walk {
  std::string prefix; bool use_prefix, reverse; std::uint32_t at_back;
  std::vector<std::pair<int, std::string>> moves;
};
using Op = std::variant<Put, Del, Batch, Get, Scan, History, Flush, Reopen, GetVersioned,
                        MultiGet, PutIf, Changes, Walk>;

rc::Gen<std::string> gen_key() {
  return rc::gen::map(rc::gen::inRange(0, 24), [](int i) { return "k" + std::to_string(i); });
}
rc::Gen<std::string> gen_value() {
  return rc::gen::map(rc::gen::inRange(0, 300),
                      [](int n) { return std::string(static_cast<std::size_t>(n), 'v') + std::to_string(n); });
}


rc::Gen<Op> gen_op() {
  return rc::gen::weightedOneOf<Op>({
      {30, rc::gen::construct<Op>(rc::gen::construct<Put>(gen_key(), gen_value()))},
      {8, rc::gen::construct<Op>(rc::gen::construct<Del>(gen_key()))},
      {6, rc::gen::construct<Op>(rc::gen::construct<Batch>(rc::gen::container<
              std::vector<std::pair<std::string, std::optional<std::string>>>>(sand::test::gen_batch_op(gen_key(), gen_value()))))},
      {20, rc::gen::construct<Op>(rc::gen::construct<Get>(gen_key(), rc::gen::inRange<std::uint32_t>(0, 40)))},
      {6, rc::gen::construct<Op>(rc::gen::construct<Scan>(gen_key(), gen_key(), rc::gen::arbitrary<bool>(),
                                                          rc::gen::arbitrary<bool>(),
                                                          rc::gen::inRange<std::uint32_t>(0, 40)))},
      {6, rc::gen::construct<Op>(rc::gen::construct<History>(gen_key()))},
      {3, rc::gen::construct<Op>(rc::gen::construct<Flush>())},
      {2, rc::gen::construct<Op>(rc::gen::construct<Reopen>())},
      {6, rc::gen::construct<Op>(rc::gen::construct<GetVersioned>(gen_key(), rc::gen::inRange<std::uint32_t>(0, 40)))},
      {3, rc::gen::construct<Op>(rc::gen::construct<MultiGet>(rc::gen::container<std::vector<std::string>>(gen_key()),
                                                              rc::gen::inRange<std::uint32_t>(0, 40)))},
      {8, rc::gen::construct<Op>(rc::gen::construct<PutIf>(gen_key(), rc::gen::inRange(0, 4),
                                                           sand::test::gen_put_or_delete(gen_value())))},
      {3, rc::gen::construct<Op>(rc::gen::construct<Changes>(rc::gen::inRange<std::uint32_t>(0, 60),
                                                             rc::gen::inRange<std::uint32_t>(0, 60)))},
      {4, rc::gen::construct<Op>(rc::gen::construct<Walk>(
              rc::gen::map(rc::gen::inRange(0, 3), [](int i) { return i == 0 ? std::string("k") : "k" + std::to_string(i); }),
              rc::gen::arbitrary<bool>(), rc::gen::arbitrary<bool>(), rc::gen::inRange<std::uint32_t>(0, 40),
              rc::gen::container<std::vector<std::pair<int, std::string>>>(
                  rc::gen::pair(rc::gen::inRange(0, 6), gen_key()))))},
  });
}

Options model_options(std::shared_ptr<FileSystem> fs) {
  // Tiny memtables so sequences flush on their own, across many tables.
  return Options{.memtable_size = 4096, .block_size = 256, .block_restart_interval = 4,
                 .file_system = std::move(fs)};
}

// The model's answer to a walk: positions in the live list (an index, or
// -1 / size when off either end) moved as the iterator contract says.
struct WalkModel {
  std::vector<Model::LiveEntry> live;  // ascending, inside the bounds
  bool reverse;
  long pos;

  bool valid() const { return pos >= 0 && pos < static_cast<long>(live.size()); }
  void step(bool forward) { pos += forward != reverse ? 1 : -1; }
  void apply(int move, const std::string& target) {
    const auto first_at_or_after = [&] {
      return static_cast<long>(std::lower_bound(live.begin(), live.end(), target,
                                                [](const Model::LiveEntry& e, const std::string& t) { return e.key < t; }) -
                               live.begin());
    };
    switch (move) {
      case 0: if (valid()) step(true); break;
      case 1: if (valid()) step(false); break;
      case 2: pos = first_at_or_after(); break;
      case 3: {
        const auto it = std::upper_bound(live.begin(), live.end(), target,
                                         [](const std::string& t, const Model::LiveEntry& e) { return t < e.key; });
        pos = static_cast<long>(it - live.begin()) - 1;
        break;
      }
      case 4: pos = 0; break;
      default: pos = static_cast<long>(live.size()) - 1; break;
    }
  }
};

void call(Iterator& it, int move, const std::string& target) {
  switch (move) {
    case 0: if (it.valid()) it.next(); break;
    case 1: if (it.valid()) it.prev(); break;
    case 2: it.seek(target); break;
    case 3: it.seek_for_prev(target); break;
    case 4: it.seek_to_first(); break;
    default: it.seek_to_last(); break;
  }
}

}  // namespace

TEST_CASE("the DB behaves like the versioned model", "[db][model]") {
  rc::prop("random operation sequences", [] {
    const auto ops = *rc::gen::container<std::vector<Op>>(gen_op());
    auto fs = memory_file_system();
    auto opened = DB::open("/db", model_options(fs));
    RC_ASSERT(opened.is_ok());
    std::unique_ptr<DB> db = std::move(opened).value();
    Model model;

    auto at_from = [&](std::uint32_t back) { return model.last - std::min<Version>(back, model.last); };

    for (const Op& op : ops) {
      if (const auto* p = std::get_if<Put>(&op)) {
        auto v = db->put(p->key, p->value);
        RC_ASSERT(v.is_ok());
        model.committed();
        RC_ASSERT(*v == model.last);
        model.keys[p->key][model.last] = p->value;
      } else if (const auto* d = std::get_if<Del>(&op)) {
        auto v = db->del(d->key);
        RC_ASSERT(v.is_ok());
        model.committed();
        RC_ASSERT(*v == model.last);
        model.keys[d->key][model.last] = std::nullopt;
      } else if (const auto* b = std::get_if<Batch>(&op)) {
        if (b->ops.empty()) continue;
        WriteBatch batch;
        for (const auto& [k, v] : b->ops) v ? batch.put(k, *v) : batch.del(k);
        auto v = db->write(batch);
        RC_ASSERT(v.is_ok());
        model.committed();
        RC_ASSERT(*v == model.last);
        for (const auto& [k, val] : b->ops) model.keys[k][model.last] = val;
      } else if (const auto* g = std::get_if<Get>(&op)) {
        const Version at = at_from(g->at_back);
        auto r = db->get(g->key, at);
        RC_ASSERT(r.is_ok());
        RC_ASSERT(*r == model.get(g->key, at));
      } else if (const auto* s = std::get_if<Scan>(&op)) {
        const Version at = at_from(s->at_back);
        ScanOptions so{.at = at, .reverse = s->reverse};
        std::string lo = std::min(s->from, s->to), hi = std::max(s->from, s->to);
        if (s->bounded) {
          so.from = lo;
          so.to = hi;
        }
        auto it = db->scan(so);
        RC_ASSERT(it.is_ok());
        std::vector<std::pair<std::string, std::string>> got, want;
        for (; it->valid(); it->next()) got.emplace_back(it->key(), it->value());
        RC_ASSERT(it->status().is_ok());
        for (const auto& [k, versions] : model.keys) {
          if (s->bounded && (k < lo || k >= hi)) continue;
          if (auto v = model.get(k, at)) want.emplace_back(k, *v);
        }
        if (s->reverse) std::reverse(want.begin(), want.end());
        RC_ASSERT(got == want);
      } else if (const auto* h = std::get_if<History>(&op)) {
        auto r = db->history(h->key);
        RC_ASSERT(r.is_ok());
        const std::vector<HistoryEntry> want = model.history(h->key);
        RC_ASSERT(*r == want);
      } else if (const auto* gv = std::get_if<GetVersioned>(&op)) {
        const Version at = at_from(gv->at_back);
        auto r = db->get_versioned(gv->key, at);
        RC_ASSERT(r.is_ok());
        RC_ASSERT(*r == model.get_versioned(gv->key, at));
      } else if (const auto* mg = std::get_if<MultiGet>(&op)) {
        const Version at = at_from(mg->at_back);
        const std::vector<std::string_view> keys(mg->keys.begin(), mg->keys.end());
        auto r = db->multi_get(keys, at);
        RC_ASSERT(r.is_ok());
        RC_ASSERT(r->size() == keys.size());
        for (std::size_t i = 0; i < keys.size(); ++i) RC_ASSERT((*r)[i] == model.get(mg->keys[i], at));
      } else if (const auto* pi = std::get_if<PutIf>(&op)) {
        const Version current = model.key_version(pi->key);
        WriteBatch batch;
        bool holds = true;
        switch (pi->expect) {
          case 0: batch.expect_version(pi->key, current); break;
          case 1: batch.expect_version(pi->key, current + 1); holds = false; break;
          case 2: batch.expect_missing(pi->key); holds = current == 0; break;
          default: batch.expect_exists(pi->key); holds = current != 0; break;
        }
        pi->value ? batch.put(pi->key, *pi->value) : batch.del(pi->key);
        auto v = db->write(batch);
        if (holds) {
          RC_ASSERT(v.is_ok());
          model.committed();
          RC_ASSERT(*v == model.last);
          model.keys[pi->key][model.last] = pi->value;
        } else {
          RC_ASSERT(v.status().code() == Code::kConflict);
          RC_ASSERT(db->last_version() == model.last);
        }
      } else if (const auto* c = std::get_if<Changes>(&op)) {
        const Version since = at_from(c->since_back);
        const Version until = std::max(since, at_from(c->until_back));
        auto feed = db->changes({.since = since, .until = until});
        RC_ASSERT(feed.is_ok());
        std::vector<ChangeBatch> got;
        for (; feed->valid(); feed->next()) got.push_back(feed->batch());
        RC_ASSERT(feed->status().is_ok());
        RC_ASSERT(feed->until() == until);
        RC_ASSERT(got == model.changes(since, until));
      } else if (const auto* w = std::get_if<Walk>(&op)) {
        const Version at = at_from(w->at_back);
        ScanOptions so{.at = at, .reverse = w->reverse};
        if (w->use_prefix) so.prefix = w->prefix;
        auto it = db->scan(so);
        RC_ASSERT(it.is_ok());
        std::vector<Model::LiveEntry> live;
        for (auto& e : model.live(at)) {
          if (!w->use_prefix || e.key.starts_with(w->prefix)) live.push_back(std::move(e));
        }
        WalkModel m{.live = std::move(live), .reverse = w->reverse, .pos = 0};
        m.pos = w->reverse ? static_cast<long>(m.live.size()) - 1 : 0;
        for (std::size_t i = 0;; ++i) {
          RC_ASSERT(it->valid() == m.valid());
          if (m.valid()) {
            const Model::LiveEntry& e = m.live[static_cast<std::size_t>(m.pos)];
            RC_ASSERT(std::string(it->key()) == e.key);
            RC_ASSERT(std::string(it->value()) == e.value);
            RC_ASSERT(it->version() == e.version);
          }
          if (i == w->moves.size()) break;
          call(*it, w->moves[i].first, w->moves[i].second);
          m.apply(w->moves[i].first, w->moves[i].second);
        }
        RC_ASSERT(it->status().is_ok());
      } else if (std::holds_alternative<Flush>(op)) {
        RC_ASSERT(db->flush().is_ok());
      } else if (std::holds_alternative<Reopen>(op)) {
        RC_ASSERT(db->close().is_ok());
        db.reset();
        auto again = DB::open("/db", model_options(fs));
        RC_ASSERT(again.is_ok());
        db = std::move(again).value();
        RC_ASSERT(db->last_version() == model.last);
      }
    }
  });
}
