// MemTable::entries_in_versions: the entries of a version range, in
// internal-key order, found through the version log; replacement, cost (the
// entries it visits) and a model test against std::map; each over both index
// kinds.
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "memtable/memtable.hpp"
#include "memtable_test_model.hpp"
#include "util/internal_key.hpp"

namespace sand {
namespace {

using memtable_test::backward;
using memtable_test::Entry;
using memtable_test::forward;
using memtable_test::ikey;
using memtable_test::Model;

std::vector<Entry> in_versions(const MemTable& mt, Version lo, Version until) {
  auto it = mt.entries_in_versions(lo, until);
  return forward(*it);
}

std::string key_of(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "k%06d", i);
  return buf;
}

TEST_CASE("entries_in_versions yields the range's entries in internal-key order",
          "[memtable][version_range]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = std::make_shared<MemTable>(index);
  mt->add(1, EntryKind::kPut, "b", "b1");
  mt->add(2, EntryKind::kPut, "a", "a2");
  mt->add(2, EntryKind::kPut, "c", "c2");
  mt->add(3, EntryKind::kDelete, "b", "");
  mt->add(4, EntryKind::kPut, "a", "a4");
  mt->add(4, EntryKind::kPut, "b", "b4");

  CHECK(in_versions(*mt, 1, 3) == std::vector<Entry>{{ikey("a", 2, EntryKind::kPut), "a2"},
                                                     {ikey("b", 3, EntryKind::kDelete), ""},
                                                     {ikey("c", 2, EntryKind::kPut), "c2"}});
  CHECK(in_versions(*mt, 0, 4) == std::vector<Entry>{{ikey("a", 4, EntryKind::kPut), "a4"},
                                                     {ikey("a", 2, EntryKind::kPut), "a2"},
                                                     {ikey("b", 4, EntryKind::kPut), "b4"},
                                                     {ikey("b", 3, EntryKind::kDelete), ""},
                                                     {ikey("b", 1, EntryKind::kPut), "b1"},
                                                     {ikey("c", 2, EntryKind::kPut), "c2"}});
  CHECK(in_versions(*mt, 3, 9) == std::vector<Entry>{{ikey("a", 4, EntryKind::kPut), "a4"},
                                                     {ikey("b", 4, EntryKind::kPut), "b4"}});
  CHECK(in_versions(*mt, 4, 9).empty());
  CHECK(in_versions(*mt, 2, 2).empty());  // (2, 2] is empty
  CHECK(in_versions(*mt, 3, 1).empty());  // until below lo
}

TEST_CASE("an empty memtable has no entries in any version range", "[memtable][version_range]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = std::make_shared<MemTable>(index);
  auto it = mt->entries_in_versions(0, kMaxVersion);
  CHECK(it->size() == 0);
  memtable_test::check_empty(*it);
}

TEST_CASE("a replaced entry shows once in a version range with its content at the call",
          "[memtable][version_range]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = std::make_shared<MemTable>(index);
  mt->add(5, EntryKind::kPut, "k", "first");
  mt->add(5, EntryKind::kPut, "j", "j5");
  mt->add(5, EntryKind::kDelete, "k", "");  // the later op of the batch wins
  CHECK(in_versions(*mt, 4, 5) == std::vector<Entry>{{ikey("j", 5, EntryKind::kPut), "j5"},
                                                     {ikey("k", 5, EntryKind::kDelete), ""}});
  CHECK(mt->entries() == 2);

  // An iterator taken before a replacement keeps the entries as of the
  // call; a new call sees the replacement.
  auto it = mt->entries_in_versions(4, 5);
  mt->add(5, EntryKind::kPut, "k", "third");
  it->seek(ikey("k", 5, EntryKind::kPut));
  REQUIRE(it->valid());
  CHECK(it->key() == ikey("k", 5, EntryKind::kDelete));
  CHECK(it->value() == "");
  CHECK(it->size() == 2);
  CHECK(in_versions(*mt, 4, 5) == std::vector<Entry>{{ikey("j", 5, EntryKind::kPut), "j5"},
                                                     {ikey("k", 5, EntryKind::kPut), "third"}});
}

TEST_CASE("a version range iterator seeks and steps both ways", "[memtable][version_range]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = std::make_shared<MemTable>(index);
  for (Version v = 1; v <= 30; ++v) {
    mt->add(v, EntryKind::kPut, key_of(static_cast<int>(v % 7)), "v" + std::to_string(v));
  }
  auto it = mt->entries_in_versions(10, 20);  // versions 11..20
  const std::vector<Entry> all = forward(*it);
  REQUIRE(all.size() == 10);
  CHECK(backward(*it) == std::vector<Entry>(all.rbegin(), all.rend()));

  // Seek to an entry, to a gap, before everything and after everything.
  it->seek(all[3].key);
  REQUIRE(it->valid());
  CHECK(it->key() == all[3].key);
  it->prev();
  REQUIRE(it->valid());
  CHECK(it->key() == all[2].key);
  it->next();
  it->next();
  REQUIRE(it->valid());
  CHECK(it->key() == all[4].key);

  // key_of(3) has versions 24, 17, 10, 3: only 17 is in range. A seek for
  // version 30 lands on it; one for version 16 goes past to the next key.
  it->seek(ikey(key_of(3), 30, EntryKind::kPut));
  REQUIRE(it->valid());
  CHECK(it->key() == ikey(key_of(3), 17, EntryKind::kPut));
  it->seek(ikey(key_of(3), 16, EntryKind::kPut));
  REQUIRE(it->valid());
  CHECK(it->key() == ikey(key_of(4), 18, EntryKind::kPut));

  it->seek("");  // a bare user key: before everything
  REQUIRE(it->valid());
  CHECK(it->key() == all.front().key);
  it->prev();
  CHECK_FALSE(it->valid());
  it->seek(key_of(9));
  CHECK_FALSE(it->valid());
  it->seek_to_last();
  REQUIRE(it->valid());
  it->next();
  CHECK_FALSE(it->valid());
  CHECK(it->status().is_ok());
}

TEST_CASE("a version range iterator keeps the memtable alive", "[memtable][version_range]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = std::make_shared<MemTable>(index);
  mt->add(1, EntryKind::kPut, "k", std::string(1000, 'x'));
  auto it = mt->entries_in_versions(0, 1);
  mt.reset();
  it->seek_to_first();
  REQUIRE(it->valid());
  CHECK(it->value() == std::string(1000, 'x'));
}

TEST_CASE("a version range of 200k entries visits only the range's entries",
          "[memtable][version_range]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  // Batches of 1 to 4 entries per version, in version order, as the DB adds
  // them: the log spans over a dozen segments.
  auto mt = std::make_shared<MemTable>(index);
  std::map<Version, int> per_version;
  Version v = 0;
  for (int i = 0; i < 200000; ++v) {
    const int n = 1 + static_cast<int>(v % 4);
    for (int j = 0; j < n; ++j, ++i) {
      mt->add(v + 1, EntryKind::kPut, key_of(i * 7919 % 200000), "value" + std::to_string(i));
    }
    per_version[v + 1] = n;
  }
  const Version last = mt->max_version();
  REQUIRE(last == v);
  REQUIRE(mt->entries() >= 200000);

  for (const auto& [lo, until] : std::vector<std::pair<Version, Version>>{
           {last - 10, last}, {last - 10, last - 3}, {1000, 1010}, {0, 10}}) {
    INFO("(" << lo << ", " << until << "]");
    std::size_t want = 0;
    for (Version u = lo + 1; u <= until; ++u) want += static_cast<std::size_t>(per_version[u]);
    auto it = mt->entries_in_versions(lo, until);
    CHECK(it->size() == want);  // what it visited and sorted
    std::size_t seen = 0;
    for (it->seek_to_first(); it->valid(); it->next()) {
      ParsedKey k;
      REQUIRE(parse_internal_key(it->key(), &k));
      CHECK(k.version > lo);
      CHECK(k.version <= until);
      ++seen;
    }
    CHECK(seen == want);
  }
}

TEST_CASE("adds out of version order still give exact version ranges",
          "[memtable][version_range]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  // The DB never adds out of order, but a memtable must not answer wrongly
  // if a caller does: the range then comes from a pass over the whole log.
  auto mt = memtable_test::three_versions(index);
  CHECK(in_versions(*mt, 3, 5) == std::vector<Entry>{{ikey("j", 4, EntryKind::kPut), "before"},
                                                     {ikey("k", 5, EntryKind::kDelete), ""},
                                                     {ikey("ka", 4, EntryKind::kPut), "after"}});
  CHECK(in_versions(*mt, 8, 9) == std::vector<Entry>{{ikey("k", 9, EntryKind::kPut), "c"}});
}

// ---- Model test against std::map ----

TEST_CASE("version ranges match a std::map model", "[memtable][version_range][property]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  rc::prop("entries_in_versions agrees with the model filtered by version", [index] {
    // Each op: a key, the step from the previous op's version (0 keeps the
    // batch, so a repeated key replaces), kind and value. In order unless
    // `shuffled`, which draws versions at random.
    const bool shuffled = *rc::gen::weightedElement<bool>({{4, false}, {1, true}});
    const auto ops =
        *rc::gen::container<std::vector<std::tuple<std::string, Version, bool, std::string>>>(
            rc::gen::tuple(
                memtable_test::gen_user_key(), rc::gen::inRange<Version>(0, 3),
                rc::gen::arbitrary<bool>(),
                rc::gen::container<std::string>(rc::gen::elementOf(std::string("xyz")))));
    auto mt = std::make_shared<MemTable>(index);
    Model model;
    Version version = 0;
    for (const auto& [key, step, is_put, value] : ops) {
      version = shuffled ? *rc::gen::inRange<Version>(0, 20) : version + step;
      const EntryKind kind = is_put ? EntryKind::kPut : EntryKind::kDelete;
      const std::string v = is_put ? value : std::string();
      mt->add(version, kind, key, v);
      model[{key, version}] = {kind, v};
    }
    RC_ASSERT(mt->entries() == model.size());

    const auto ranges = *rc::gen::container<std::vector<std::pair<Version, Version>>>(rc::gen::pair(
        rc::gen::inRange<Version>(0, version + 3), rc::gen::inRange<Version>(0, version + 3)));
    for (const auto& [lo, until] : ranges) {
      const std::vector<Entry> want = memtable_test::model_entries(model, lo, until);
      auto it = mt->entries_in_versions(lo, until);
      RC_ASSERT(it->size() == want.size());
      RC_ASSERT(forward(*it) == want);
      RC_ASSERT(backward(*it) == std::vector<Entry>(want.rbegin(), want.rend()));

      // Seeks to random internal keys, with every kind byte a target may
      // carry, land on the model's first entry at or after the target.
      const auto targets = *rc::gen::container<std::vector<std::tuple<std::string, Version, int>>>(
          rc::gen::tuple(memtable_test::gen_user_key(), rc::gen::inRange<Version>(0, version + 3),
                         rc::gen::elementOf(std::vector<int>{0, 1, 0xff})));
      for (const auto& [key, at, kind] : targets) {
        const std::string target = memtable_test::seek_target(key, at, kind);
        it->seek(target);
        const auto pos = memtable_test::first_at_or_after(want, target);
        if (pos == want.end()) {
          RC_ASSERT(!it->valid());
          continue;
        }
        RC_ASSERT(it->valid());
        RC_ASSERT(std::string(it->key()) == pos->key);
        RC_ASSERT(std::string(it->value()) == pos->value);
        if (pos == want.begin()) continue;
        it->prev();
        RC_ASSERT(it->valid());
        RC_ASSERT(std::string(it->key()) == std::prev(pos)->key);
      }
    }
  });
}

}  // namespace
}  // namespace sand
