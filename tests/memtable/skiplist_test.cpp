// SkipList against a std::set model: insert, replace, seek, iterate both ways.
#include "memtable/skiplist.hpp"

#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <iterator>
#include <optional>
#include <set>
#include <span>
#include <vector>

#include "memtable/arena.hpp"

namespace sand {
namespace {

// Orders uint64 keys by their bits above `shift`; the bits below are payload
// that a replacement may change. Counts its calls into *compares if set.
struct U64Order {
  int shift = 0;
  std::uint64_t* compares = nullptr;
  int operator()(std::uint64_t a, std::uint64_t b) const {
    if (compares != nullptr) ++*compares;
    a >>= shift;
    b >>= shift;
    return a < b ? -1 : (a > b ? 1 : 0);
  }
};

using List = SkipList<std::uint64_t, U64Order>;

std::vector<std::uint64_t> forward(const List& list) {
  std::vector<std::uint64_t> out;
  List::Iterator it(&list);
  for (it.seek_to_first(); it.valid(); it.next()) out.push_back(it.key());
  return out;
}

std::vector<std::uint64_t> backward(const List& list) {
  std::vector<std::uint64_t> out;
  List::Iterator it(&list);
  for (it.seek_to_last(); it.valid(); it.prev()) out.push_back(it.key());
  return out;
}

TEST_CASE("an empty skiplist has no positions", "[memtable][skiplist]") {
  Arena arena;
  List list(U64Order{}, &arena);
  CHECK(list.empty());
  List::Iterator it(&list);
  CHECK_FALSE(it.valid());
  it.seek_to_first();
  CHECK_FALSE(it.valid());
  it.seek_to_last();
  CHECK_FALSE(it.valid());
  it.seek(std::uint64_t{42});
  CHECK_FALSE(it.valid());
}

TEST_CASE("skiplist insert, seek, next and prev on a small set", "[memtable][skiplist]") {
  Arena arena;
  List list(U64Order{}, &arena);
  for (std::uint64_t k : {30, 10, 50, 20, 40}) CHECK(list.insert_or_replace(k));
  CHECK_FALSE(list.empty());
  CHECK(forward(list) == std::vector<std::uint64_t>{10, 20, 30, 40, 50});
  CHECK(backward(list) == std::vector<std::uint64_t>{50, 40, 30, 20, 10});

  List::Iterator it(&list);
  it.seek(std::uint64_t{25});
  REQUIRE(it.valid());
  CHECK(it.key() == 30);
  it.prev();
  REQUIRE(it.valid());
  CHECK(it.key() == 20);
  it.seek(std::uint64_t{10});
  REQUIRE(it.valid());
  CHECK(it.key() == 10);
  it.prev();
  CHECK_FALSE(it.valid());
  it.seek(std::uint64_t{51});
  CHECK_FALSE(it.valid());
  it.seek_to_last();
  it.next();
  CHECK_FALSE(it.valid());
}

TEST_CASE("inserting an equal key replaces it in place", "[memtable][skiplist]") {
  Arena arena;
  List list(U64Order{.shift = 8}, &arena);
  CHECK(list.insert_or_replace(0x0101));
  CHECK(list.insert_or_replace(0x0201));
  CHECK_FALSE(list.insert_or_replace(0x01ff));
  CHECK_FALSE(list.insert_or_replace(0x0202));
  CHECK(forward(list) == std::vector<std::uint64_t>{0x01ff, 0x0202});
}

TEST_CASE("an iterator sees keys inserted after it was created", "[memtable][skiplist]") {
  Arena arena;
  List list(U64Order{}, &arena);
  (void)list.insert_or_replace(5);
  List::Iterator it(&list);
  it.seek_to_first();
  REQUIRE(it.valid());
  (void)list.insert_or_replace(7);
  it.next();
  REQUIRE(it.valid());
  CHECK(it.key() == 7);
}

TEST_CASE("the skiplist matches std::set on random data", "[memtable][skiplist][property]") {
  rc::prop("insert/iterate/seek/prev agree with std::set",
           [](const std::vector<std::uint64_t>& keys, const std::vector<std::uint64_t>& probes) {
             Arena arena(512);
             List list(U64Order{}, &arena);
             std::set<std::uint64_t> model;
             for (std::uint64_t k : keys) {
               // Fold keys into a small range so duplicates are common.
               const std::uint64_t key = k % 512;
               RC_ASSERT(list.insert_or_replace(key) == model.insert(key).second);
             }
             RC_ASSERT(forward(list) == std::vector<std::uint64_t>(model.begin(), model.end()));
             RC_ASSERT(backward(list) == std::vector<std::uint64_t>(model.rbegin(), model.rend()));
             RC_ASSERT(list.empty() == model.empty());

             List::Iterator it(&list);
             for (std::uint64_t p : probes) {
               const std::uint64_t probe = p % 520;
               it.seek(probe);
               const auto want = model.lower_bound(probe);
               if (want == model.end()) {
                 RC_ASSERT(!it.valid());
                 continue;
               }
               RC_ASSERT(it.valid());
               RC_ASSERT(it.key() == *want);
               it.prev();
               if (want == model.begin()) {
                 RC_ASSERT(!it.valid());
               } else {
                 RC_ASSERT(it.valid());
                 RC_ASSERT(it.key() == *std::prev(want));
                 it.next();
                 RC_ASSERT(it.valid());
                 RC_ASSERT(it.key() == *want);
               }
             }
           });
}

TEST_CASE("ascending runs, which take the append shortcut, match std::set",
          "[memtable][skiplist][property]") {
  // Each run inserts ascending keys from some start: past the current last
  // key that is the no-search path; below it, the ordinary search. Runs
  // overlap, so keys land before, between and after earlier ones and some
  // replace. Every key is then found by seek, and prev from it (which
  // searches from the top level) lands on its predecessor, so a tail link
  // left wrong at any level would show.
  rc::prop("insert/iterate/seek/prev agree with std::set",
           [](const std::vector<std::pair<std::uint16_t, std::uint8_t>>& runs) {
             Arena arena(512);
             List list(U64Order{}, &arena);
             std::set<std::uint64_t> model;
             for (const auto& [start, length] : runs) {
               for (std::uint64_t j = 0; j < length % 64u; ++j) {
                 const std::uint64_t key = start % 2048u + 3 * j;
                 RC_ASSERT(list.insert_or_replace(key) == model.insert(key).second);
               }
             }
             RC_ASSERT(forward(list) == std::vector<std::uint64_t>(model.begin(), model.end()));
             RC_ASSERT(backward(list) == std::vector<std::uint64_t>(model.rbegin(), model.rend()));
             List::Iterator it(&list);
             for (auto want = model.begin(); want != model.end(); ++want) {
               it.seek(*want);
               RC_ASSERT(it.valid());
               RC_ASSERT(it.key() == *want);
               it.prev();
               RC_ASSERT(it.valid() == (want != model.begin()));
               if (want != model.begin()) RC_ASSERT(it.key() == *std::prev(want));
             }
           });
}

TEST_CASE("a skiplist filled in ascending order stays ordered at every level",
          "[memtable][skiplist]") {
  Arena arena;
  std::uint64_t compares = 0;
  List list(U64Order{.compares = &compares}, &arena);
  constexpr std::uint64_t kKeys = 50000;
  for (std::uint64_t k = 0; k < kKeys; ++k) REQUIRE(list.insert_or_replace(2 * k + 1));
  // Appends compare with the last key only.
  CHECK(compares <= kKeys);
  // Searches stay logarithmic, which they do only if every level above 0 is
  // in order (a search survives a misordered upper level, at level 0's
  // linear cost): about 4 compares per level, 8 levels.
  compares = 0;
  List::Iterator probe(&list);
  for (std::uint64_t k = 0; k < kKeys; k += 50) probe.seek(2 * k + 1);
  CHECK(compares / (kKeys / 50) < 100);
  // Keys before, between and after the appended ones still go to the right
  // place once the list is tall.
  REQUIRE(list.insert_or_replace(0));
  REQUIRE(list.insert_or_replace(2 * kKeys / 2));
  REQUIRE(list.insert_or_replace(2 * kKeys + 7));
  REQUIRE_FALSE(list.insert_or_replace(2 * kKeys + 7));
  std::vector<std::uint64_t> want;
  for (std::uint64_t k = 0; k < kKeys; ++k) want.push_back(2 * k + 1);
  want.push_back(0);
  want.push_back(2 * kKeys / 2);
  want.push_back(2 * kKeys + 7);
  std::sort(want.begin(), want.end());
  REQUIRE(forward(list) == want);
  REQUIRE(backward(list) == std::vector<std::uint64_t>(want.rbegin(), want.rend()));
  List::Iterator it(&list);
  for (std::size_t i = 0; i < want.size(); i += 97) {
    it.seek(want[i]);
    REQUIRE(it.valid());
    REQUIRE(it.key() == want[i]);
  }
}

TEST_CASE("a large skiplist stays ordered", "[memtable][skiplist]") {
  Arena arena;
  List list(U64Order{}, &arena);
  std::set<std::uint64_t> model;
  std::uint64_t x = 88172645463325252ULL;
  for (int i = 0; i < 50000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    (void)list.insert_or_replace(x);
    model.insert(x);
  }
  REQUIRE(forward(list) == std::vector<std::uint64_t>(model.begin(), model.end()));
}

TEST_CASE("seek_many finds what one seek per target finds", "[memtable][skiplist]") {
  rc::prop("interleaved searches land where lone ones do", [] {
    Arena arena;
    List list(U64Order{}, &arena);
    const auto keys =
        *rc::gen::container<std::vector<std::uint64_t>>(rc::gen::inRange<std::uint64_t>(0, 2000));
    for (const std::uint64_t k : keys) list.insert_or_replace(k);
    // More targets than searches in flight at once, in any order, repeats
    // and targets past both ends included.
    const auto targets =
        *rc::gen::container<std::vector<std::uint64_t>>(rc::gen::inRange<std::uint64_t>(0, 2100));
    std::vector<std::optional<std::uint64_t>> found(targets.size());
    list.seek_many(std::span<const std::uint64_t>(targets),
                   std::span<std::optional<std::uint64_t>>(found));
    List::Iterator it(&list);
    for (std::size_t i = 0; i < targets.size(); ++i) {
      it.seek(targets[i]);
      RC_ASSERT(found[i].has_value() == it.valid());
      if (it.valid()) RC_ASSERT(*found[i] == it.key());
    }
  });
}

TEST_CASE("seek_many on an empty list finds nothing", "[memtable][skiplist]") {
  Arena arena;
  List list(U64Order{}, &arena);
  const std::vector<std::uint64_t> targets = {0, 7, 7, 1000};
  std::vector<std::optional<std::uint64_t>> found(targets.size(), std::uint64_t{1});
  list.seek_many(std::span<const std::uint64_t>(targets),
                 std::span<std::optional<std::uint64_t>>(found));
  for (const auto& f : found) CHECK_FALSE(f.has_value());
}

}  // namespace
}  // namespace sand
