// MemTable: get(at) semantics, replacement, iterator order and bounds,
// sizes, and a model test against std::map; each over both index kinds.
#include "memtable/memtable.hpp"

#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "memtable_test_model.hpp"
#include "util/internal_key.hpp"

namespace sand {
namespace {

using memtable_test::Entry;
using memtable_test::ikey;
using memtable_test::Model;

std::vector<Entry> scan_forward(const MemTable& mt) {
  auto it = mt.new_iterator();
  return memtable_test::forward(*it);
}

std::vector<Entry> scan_backward(const MemTable& mt) {
  auto it = mt.new_iterator();
  return memtable_test::backward(*it);
}

using memtable_test::three_versions;

TEST_CASE("an empty memtable finds nothing", "[memtable]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = std::make_shared<MemTable>(index);
  CHECK(mt->empty());
  CHECK(mt->entries() == 0);
  CHECK(mt->min_version() == 0);
  CHECK(mt->max_version() == 0);
  CHECK_FALSE(mt->get("k", 100).has_value());
  CHECK_FALSE(mt->get("", kMaxVersion).has_value());
  memtable_test::check_empty(*mt->new_iterator());
}

TEST_CASE("get at a version returns the newest entry at or below it", "[memtable]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = three_versions(index);
  auto at = [&](Version v) { return mt->get("k", v); };

  auto r = at(3);
  REQUIRE(r);
  CHECK(r->version == 3);
  CHECK(r->kind == EntryKind::kPut);
  CHECK(r->value == "a");

  r = at(4);  // between versions
  REQUIRE(r);
  CHECK(r->version == 3);
  CHECK(r->value == "a");

  r = at(9);
  REQUIRE(r);
  CHECK(r->version == 9);
  CHECK(r->value == "c");

  r = at(1000);
  REQUIRE(r);
  CHECK(r->version == 9);
}

TEST_CASE("get below the oldest version finds nothing", "[memtable]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = three_versions(index);
  CHECK_FALSE(mt->get("k", 2).has_value());
  CHECK_FALSE(mt->get("k", 0).has_value());
}

TEST_CASE("get returns tombstones as deletes", "[memtable]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = three_versions(index);
  for (Version v : {5, 6, 8}) {
    auto r = mt->get("k", v);
    REQUIRE(r);
    CHECK(r->version == 5);
    CHECK(r->kind == EntryKind::kDelete);
    CHECK(r->value.empty());
  }
}

TEST_CASE("get does not confuse neighbouring or prefix keys", "[memtable]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = three_versions(index);
  CHECK_FALSE(mt->get("", 100).has_value());
  CHECK_FALSE(mt->get(std::string("k\0", 2), 100).has_value());
  CHECK_FALSE(mt->get("kb", 100).has_value());
  CHECK_FALSE(mt->get("ka", 3).has_value());
  auto r = mt->get("ka", 4);
  REQUIRE(r);
  CHECK(r->value == "after");
  r = mt->get("j", 100);
  REQUIRE(r);
  CHECK(r->value == "before");
}

TEST_CASE("get with at above kMaxVersion means the newest", "[memtable]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = std::make_shared<MemTable>(index);
  mt->add(kMaxVersion, EntryKind::kPut, "k", "top");
  mt->add(1, EntryKind::kPut, "k", "bottom");
  for (Version at :
       {kMaxVersion, kMaxVersion + 1, Version{1} << 57, std::numeric_limits<Version>::max()}) {
    auto r = mt->get("k", at);
    REQUIRE(r);
    CHECK(r->version == kMaxVersion);
    CHECK(r->value == "top");
  }
  auto r = mt->get("k", kMaxVersion - 1);
  REQUIRE(r);
  CHECK(r->value == "bottom");
}

TEST_CASE("adding an existing key and version replaces its value", "[memtable]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = std::make_shared<MemTable>(index);
  mt->add(7, EntryKind::kPut, "k", "first");
  mt->add(7, EntryKind::kPut, "k", "second");
  CHECK(mt->entries() == 1);
  auto r = mt->get("k", 7);
  REQUIRE(r);
  CHECK(r->value == "second");
  CHECK(scan_forward(*mt) == std::vector<Entry>{{ikey("k", 7, EntryKind::kPut), "second"}});
}

TEST_CASE("a delete after a put at the same version replaces it", "[memtable]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = std::make_shared<MemTable>(index);
  mt->add(7, EntryKind::kPut, "k", "v");
  mt->add(7, EntryKind::kDelete, "k", "");
  CHECK(mt->entries() == 1);
  auto r = mt->get("k", 7);
  REQUIRE(r);
  CHECK(r->kind == EntryKind::kDelete);
  CHECK(scan_forward(*mt) == std::vector<Entry>{{ikey("k", 7, EntryKind::kDelete), ""}});
}

TEST_CASE("a put after a delete at the same version replaces it", "[memtable]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = std::make_shared<MemTable>(index);
  mt->add(7, EntryKind::kDelete, "k", "");
  mt->add(7, EntryKind::kPut, "k", "back");
  CHECK(mt->entries() == 1);
  auto r = mt->get("k", 7);
  REQUIRE(r);
  CHECK(r->kind == EntryKind::kPut);
  CHECK(r->value == "back");
}

TEST_CASE("a positioned iterator keeps the entry it read across a replace", "[memtable]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = std::make_shared<MemTable>(index);
  mt->add(7, EntryKind::kPut, "k", "old");
  auto it = mt->new_iterator();
  it->seek_to_first();
  REQUIRE(it->valid());
  mt->add(7, EntryKind::kPut, "k", "new");
  CHECK(it->value() == "old");
  CHECK(it->key() == ikey("k", 7, EntryKind::kPut));
  it->seek_to_first();
  REQUIRE(it->valid());
  CHECK(it->value() == "new");
}

TEST_CASE("the iterator yields keys in internal-key order", "[memtable]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = std::make_shared<MemTable>(index);
  mt->add(2, EntryKind::kPut, "b", "b2");
  mt->add(1, EntryKind::kPut, "a", "a1");
  mt->add(5, EntryKind::kDelete, "b", "");
  mt->add(3, EntryKind::kPut, "ab", "ab3");
  mt->add(4, EntryKind::kPut, "a", "a4");
  const std::vector<Entry> want = {
      {ikey("a", 4, EntryKind::kPut), "a4"},   {ikey("a", 1, EntryKind::kPut), "a1"},
      {ikey("ab", 3, EntryKind::kPut), "ab3"}, {ikey("b", 5, EntryKind::kDelete), ""},
      {ikey("b", 2, EntryKind::kPut), "b2"},
  };
  CHECK(scan_forward(*mt) == want);
  CHECK(scan_backward(*mt) == std::vector<Entry>(want.rbegin(), want.rend()));
}

TEST_CASE("iterator seek follows compare_internal_keys exactly", "[memtable]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = std::make_shared<MemTable>(index);
  mt->add(5, EntryKind::kPut, "k", "v5");
  mt->add(3, EntryKind::kPut, "k", "v3");
  auto it = mt->new_iterator();

  it->seek(seek_key("k", 5));
  REQUIRE(it->valid());
  CHECK(it->value() == "v5");
  it->seek(seek_key("k", 4));
  REQUIRE(it->valid());
  CHECK(it->value() == "v3");
  // (k,5,put) sorts before (k,5,delete): the trailer 5<<8|1 is larger.
  it->seek(ikey("k", 5, EntryKind::kDelete));
  REQUIRE(it->valid());
  CHECK(it->value() == "v3");
  it->seek(ikey("k", 2, EntryKind::kPut));
  CHECK_FALSE(it->valid());
}

TEST_CASE("a seek target shorter than a trailer acts as a bare user key", "[memtable]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = std::make_shared<MemTable>(index);
  mt->add(5, EntryKind::kPut, "k", "v5");
  mt->add(1, EntryKind::kPut, "", "empty");
  auto it = mt->new_iterator();
  it->seek("k");
  REQUIRE(it->valid());
  CHECK(it->value() == "v5");
  it->seek("");
  REQUIRE(it->valid());
  CHECK(it->value() == "empty");
  it->seek("l");
  CHECK_FALSE(it->valid());
}

TEST_CASE("prev from the first entry and next from the last invalidate", "[memtable]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = three_versions(index);
  auto it = mt->new_iterator();
  it->seek_to_first();
  REQUIRE(it->valid());
  it->prev();
  CHECK_FALSE(it->valid());
  it->seek_to_last();
  REQUIRE(it->valid());
  CHECK(it->key() == ikey("ka", 4, EntryKind::kPut));
  it->next();
  CHECK_FALSE(it->valid());
}

TEST_CASE("an iterator sees entries added after it was created", "[memtable]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = std::make_shared<MemTable>(index);
  auto it = mt->new_iterator();
  it->seek_to_first();
  CHECK_FALSE(it->valid());
  mt->add(1, EntryKind::kPut, "k", "v");
  it->seek_to_first();
  REQUIRE(it->valid());
  CHECK(it->value() == "v");
}

TEST_CASE("an iterator keeps the memtable alive after its owner drops it", "[memtable]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = std::make_shared<MemTable>(index);
  mt->add(1, EntryKind::kPut, "k", std::string(1000, 'v'));
  auto it = mt->new_iterator();
  std::weak_ptr<MemTable> weak = mt;
  mt.reset();
  CHECK_FALSE(weak.expired());
  it->seek_to_first();
  REQUIRE(it->valid());
  CHECK(it->value() == std::string(1000, 'v'));
  it.reset();
  CHECK(weak.expired());
}

TEST_CASE("empty keys and empty values round-trip", "[memtable]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = std::make_shared<MemTable>(index);
  mt->add(1, EntryKind::kPut, "", "");
  mt->add(2, EntryKind::kPut, std::string(1, '\0'), "");
  mt->add(3, EntryKind::kPut, "", "x");
  auto r = mt->get("", 1);
  REQUIRE(r);
  CHECK(r->value.empty());
  CHECK(r->kind == EntryKind::kPut);
  r = mt->get("", 5);
  REQUIRE(r);
  CHECK(r->value == "x");
  r = mt->get(std::string(1, '\0'), 5);
  REQUIRE(r);
  CHECK(r->version == 2);
  CHECK(r->value.empty());
  const std::vector<Entry> want = {
      {ikey("", 3, EntryKind::kPut), "x"},
      {ikey("", 1, EntryKind::kPut), ""},
      {ikey(std::string(1, '\0'), 2, EntryKind::kPut), ""},
  };
  CHECK(scan_forward(*mt) == want);
}

TEST_CASE("64 KiB keys and large values round-trip", "[memtable]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = std::make_shared<MemTable>(index);
  std::string big_a(kMaxKeySize, 'k');
  std::string big_b = big_a;
  big_b.back() = 'l';
  const std::string value(1 << 20, 'v');
  mt->add(2, EntryKind::kPut, big_b, "b");
  mt->add(1, EntryKind::kPut, big_a, value);
  auto r = mt->get(big_a, 10);
  REQUIRE(r);
  CHECK(r->value == value);
  r = mt->get(big_b, 10);
  REQUIRE(r);
  CHECK(r->value == "b");
  CHECK_FALSE(mt->get(big_a.substr(1), 10).has_value());
  const auto scan = scan_forward(*mt);
  REQUIRE(scan.size() == 2);
  CHECK(scan[0].key == ikey(big_a, 1, EntryKind::kPut));
  CHECK(scan[1].key == ikey(big_b, 2, EntryKind::kPut));
  CHECK(mt->approximate_bytes() > 2 * kMaxKeySize + value.size());
}

TEST_CASE("approximate_bytes grows with every add, replacements included", "[memtable]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = std::make_shared<MemTable>(index);
  std::size_t last = mt->approximate_bytes();
  for (int i = 0; i < 1000; ++i) {
    const std::string key = "key" + std::to_string(i);
    const std::string value(static_cast<std::size_t>(i % 50), 'v');
    mt->add(static_cast<Version>(i + 1), EntryKind::kPut, key, value);
    const std::size_t now = mt->approximate_bytes();
    REQUIRE(now >= last + key.size() + 8 + value.size());
    last = now;
  }
  mt->add(1, EntryKind::kPut, "key0", "replacement");
  CHECK(mt->approximate_bytes() > last);
  CHECK(mt->reserved_bytes() >= mt->approximate_bytes());
}

TEST_CASE("entries and the version range track adds", "[memtable]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = std::make_shared<MemTable>(index);
  mt->add(7, EntryKind::kPut, "a", "1");
  CHECK(mt->min_version() == 7);
  CHECK(mt->max_version() == 7);
  mt->add(3, EntryKind::kDelete, "b", "");
  mt->add(12, EntryKind::kPut, "a", "2");
  mt->add(12, EntryKind::kPut, "a", "3");  // replacement: no new entry
  CHECK_FALSE(mt->empty());
  CHECK(mt->entries() == 3);
  CHECK(mt->min_version() == 3);
  CHECK(mt->max_version() == 12);
}

TEST_CASE("version 0 is a valid entry version", "[memtable]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = std::make_shared<MemTable>(index);
  mt->add(0, EntryKind::kPut, "k", "zero");
  CHECK(mt->min_version() == 0);
  CHECK(mt->max_version() == 0);
  CHECK_FALSE(mt->empty());
  auto r = mt->get("k", 0);
  REQUIRE(r);
  CHECK(r->value == "zero");
}

// ---- Model test against std::map ----

rc::Gen<Version> gen_version() {
  return rc::gen::weightedOneOf<Version>(
      {{8, rc::gen::inRange<Version>(0, 12)}, {1, rc::gen::just(kMaxVersion)}});
}

TEST_CASE("the memtable matches a std::map model", "[memtable][property]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  rc::prop("iteration, seek and get agree with the model", [index] {
    const auto ops =
        *rc::gen::container<std::vector<std::tuple<std::string, Version, bool, std::string>>>(
            rc::gen::tuple(
                memtable_test::gen_user_key(), gen_version(), rc::gen::arbitrary<bool>(),
                rc::gen::container<std::string>(rc::gen::elementOf(std::string("xyz")))));
    auto mt = std::make_shared<MemTable>(index);
    Model model;
    for (const auto& [key, version, is_put, value] : ops) {
      const EntryKind kind = is_put ? EntryKind::kPut : EntryKind::kDelete;
      const std::string v = is_put ? value : std::string();
      mt->add(version, kind, key, v);
      model[{key, version}] = {kind, v};
    }

    const std::vector<Entry> want = memtable_test::model_entries(model);
    const auto got = scan_forward(*mt);
    RC_ASSERT(got == want);
    for (std::size_t i = 1; i < got.size(); ++i) {
      RC_ASSERT(compare_internal_keys(got[i - 1].key, got[i].key) < 0);
    }
    RC_ASSERT(scan_backward(*mt) == std::vector<Entry>(want.rbegin(), want.rend()));
    RC_ASSERT(mt->entries() == model.size());

    // Seek to random internal keys, with every kind byte a target may carry.
    auto it = mt->new_iterator();
    const auto targets = *rc::gen::container<std::vector<std::tuple<std::string, Version, int>>>(
        rc::gen::tuple(memtable_test::gen_user_key(), gen_version(),
                       rc::gen::elementOf(std::vector<int>{0, 1, 0xff})));
    for (const auto& [key, version, kind] : targets) {
      const std::string target = memtable_test::seek_target(key, version, kind);
      it->seek(target);
      const auto pos = memtable_test::first_at_or_after(want, target);
      if (pos == want.end()) {
        RC_ASSERT(!it->valid());
      } else {
        RC_ASSERT(it->valid());
        RC_ASSERT(std::string(it->key()) == pos->key);
        RC_ASSERT(std::string(it->value()) == pos->value);
      }

      // get(key, at = version) is the model's first entry of key at <= version.
      const auto found = mt->get(key, version);
      const auto m = model.lower_bound({key, version});
      if (m == model.end() || m->first.first != key) {
        RC_ASSERT(!found.has_value());
      } else {
        RC_ASSERT(found.has_value());
        RC_ASSERT(found->version == m->first.second);
        RC_ASSERT(found->kind == m->second.first);
        RC_ASSERT(std::string(found->value) == m->second.second);
      }
    }
  });
}

TEST_CASE("get_many answers each key as get does", "[memtable]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  rc::prop("many keys at one version equal one get per key", [index] {
    auto mt = std::make_shared<MemTable>(index);
    const auto ops = *rc::gen::container<std::vector<std::tuple<std::string, std::uint8_t, bool>>>(
        rc::gen::tuple(rc::gen::container<std::string>(rc::gen::elementOf(std::string("abc"))),
                       rc::gen::inRange<std::uint8_t>(1, 50), rc::gen::arbitrary<bool>()));
    for (const auto& [key, version, put] : ops) {
      mt->add(version, put ? EntryKind::kPut : EntryKind::kDelete, key,
              put ? key + std::to_string(version) : "");
    }
    const auto keys_owned = *rc::gen::container<std::vector<std::string>>(
        rc::gen::container<std::string>(rc::gen::elementOf(std::string("abcd"))));
    const std::vector<std::string_view> keys(keys_owned.begin(), keys_owned.end());
    const Version at = *rc::gen::element<Version>(0, 1, 10, 25, 49, 50, kMaxVersion,
                                                  std::numeric_limits<Version>::max());
    std::vector<std::optional<MemTable::Found>> out(keys.size());
    mt->get_many(keys, at, out);
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const auto want = mt->get(keys[i], at);
      RC_ASSERT(out[i].has_value() == want.has_value());
      if (!want) continue;
      RC_ASSERT(out[i]->version == want->version);
      RC_ASSERT(out[i]->kind == want->kind);
      RC_ASSERT(out[i]->value == want->value);
    }
  });
}

}  // namespace
}  // namespace sand
