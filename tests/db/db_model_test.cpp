// A RapidCheck model test: random sequences of put/del/batch/get/scan/history/
// flush/reopen against a simple in-memory model of versioned history.
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
using Op = std::variant<Put, Del, Batch, Get, Scan, History, Flush, Reopen>;

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
  });
}

Options model_options(std::shared_ptr<FileSystem> fs) {
  // Tiny memtables so sequences flush on their own, across many tables.
  return Options{.memtable_size = 4096, .block_size = 256, .block_restart_interval = 4,
                 .file_system = std::move(fs)};
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
