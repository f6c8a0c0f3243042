// Tests for src/manifest/state: applying edits, the forward-only counters,
// every rejected edit (and that a rejected edit changes nothing), snapshots.
#include "manifest/state.hpp"

#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <catch2/catch.hpp>
#include <string>

using namespace sand;
using namespace sand::manifest;

namespace {

TableMeta table(std::uint64_t number, int level = 0) {
  return TableMeta{.number = number,
                   .level = level,
                   .file_size = 4096,
                   .entries = 10,
                   .tombstones = 2,
                   .min_version = 1,
                   .max_version = 5,
                   .smallest_key = "a",
                   .largest_key = "m"};
}

// A state with tables 3 and 4 and counters past them.
State base() {
  State s;
  Edit e;
  e.snapshot = true;
  e.next_file_number = 10;
  e.last_version = 50;
  e.wal_number = 5;
  e.low_water_mark = 7;
  e.added = {table(3), table(4, 1)};
  REQUIRE(s.apply(e, "MANIFEST", 16).is_ok());
  return s;
}

// Applies `e` to base(), expects Corruption `what` and an unchanged state.
void expect_rejected(const Edit& e, const std::string& what) {
  State s = base();
  const State before = s;
  CHECK(s.apply(e, "MANIFEST", 77) == Status::corruption("MANIFEST", 77, what));
  CHECK(s == before);
}

}  // namespace

TEST_CASE("a default state is empty with next_file_number 1", "[manifest][state]") {
  const State s;
  CHECK(s.next_file_number == 1);
  CHECK(s.last_version == 0);
  CHECK(s.wal_number == 0);
  CHECK(s.low_water_mark == 0);
  CHECK(s.tables.empty());
}

TEST_CASE("apply sets counters, removes then adds tables", "[manifest][state]") {
  State s = base();
  Edit e;
  e.next_file_number = 12;
  e.last_version = 60;
  e.removed = {3, 4};
  e.added = {table(11, 2)};
  REQUIRE(s.apply(e, "MANIFEST", 40).is_ok());
  CHECK(s.next_file_number == 12);
  CHECK(s.last_version == 60);
  CHECK(s.wal_number == 5);  // unset fields keep their value
  CHECK(s.low_water_mark == 7);
  REQUIRE(s.tables.size() == 1);
  CHECK(s.tables.at(11) == table(11, 2));
}

TEST_CASE("counters may stay equal", "[manifest][state]") {
  State s = base();
  Edit e;
  e.next_file_number = 10;
  e.last_version = 50;
  e.wal_number = 5;
  e.low_water_mark = 7;
  CHECK(s.apply(e, "MANIFEST", 40).is_ok());
}

TEST_CASE("a counter moving back is Corruption", "[manifest][state]") {
  Edit a;
  a.next_file_number = 9;
  expect_rejected(a, "next_file_number moves back from 10 to 9");
  Edit b;
  b.last_version = 49;
  expect_rejected(b, "last_version moves back from 50 to 49");
  Edit c;
  c.wal_number = 4;
  expect_rejected(c, "wal_number moves back from 5 to 4");
  Edit d;
  d.low_water_mark = 6;
  expect_rejected(d, "low_water_mark moves back from 7 to 6");
}

TEST_CASE("removing an unknown table is Corruption", "[manifest][state]") {
  Edit e;
  e.removed = {3, 8};
  expect_rejected(e, "removes table 8, which is not live");
}

TEST_CASE("removing a table twice in one edit is Corruption", "[manifest][state]") {
  Edit e;
  e.removed = {3, 3};
  expect_rejected(e, "removes table 3 twice");
}

TEST_CASE("adding a duplicate table number is Corruption", "[manifest][state]") {
  Edit live;
  live.added = {table(4)};
  expect_rejected(live, "adds table 4, a number already in use");
  Edit twice;
  twice.added = {table(6), table(6)};
  expect_rejected(twice, "adds table 6, a number already in use");
  Edit readd;
  readd.removed = {3};
  readd.added = {table(3)};
  expect_rejected(readd, "adds table 3, a number already in use");
}

TEST_CASE("adding a table at or past next_file_number is Corruption", "[manifest][state]") {
  Edit e;
  e.added = {table(10)};
  expect_rejected(e, "adds table 10, not below next_file_number 10");
  // The same edit may move next_file_number past it.
  Edit ok;
  ok.next_file_number = 11;
  ok.added = {table(10)};
  State s = base();
  CHECK(s.apply(ok, "MANIFEST", 77).is_ok());
}

TEST_CASE("a level above 2 or below 0 is Corruption", "[manifest][state]") {
  Edit e;
  e.added = {table(6, 3)};
  expect_rejected(e, "adds table 6 at level 3, outside 0..2");
  Edit n;
  n.added = {table(6, -1)};
  expect_rejected(n, "adds table 6 at level -1, outside 0..2");
}

TEST_CASE("inconsistent table metadata is Corruption", "[manifest][state]") {
  Edit versions;
  versions.added = {table(6)};
  versions.added[0].min_version = 9;
  versions.added[0].max_version = 8;
  expect_rejected(versions, "adds table 6 with min_version above max_version");
  Edit keys;
  keys.added = {table(6)};
  keys.added[0].smallest_key = "z";
  expect_rejected(keys, "adds table 6 with smallest_key after largest_key");
  Edit tombstones;
  tombstones.added = {table(6)};
  tombstones.added[0].tombstones = 11;
  expect_rejected(tombstones, "adds table 6 with more tombstones than entries");
}

TEST_CASE("a rejected edit leaves the state unchanged even after valid parts",
          "[manifest][state]") {
  Edit e;
  e.next_file_number = 20;
  e.last_version = 90;
  e.removed = {3};
  e.added = {table(12), table(4)};  // the second is a duplicate
  expect_rejected(e, "adds table 4, a number already in use");
}

TEST_CASE("a snapshot edit resets the state first", "[manifest][state]") {
  State s = base();
  Edit snap;
  snap.snapshot = true;
  snap.next_file_number = 3;  // lower than before: fine, it is a fresh start
  snap.added = {table(2)};
  REQUIRE(s.apply(snap, "MANIFEST", 16).is_ok());
  CHECK(s.next_file_number == 3);
  CHECK(s.last_version == 0);
  CHECK(s.wal_number == 0);
  CHECK(s.low_water_mark == 0);
  REQUIRE(s.tables.size() == 1);
  CHECK(s.tables.contains(2));
}

TEST_CASE("a bad snapshot edit leaves the state unchanged", "[manifest][state]") {
  Edit snap;
  snap.snapshot = true;
  snap.added = {table(2)};  // next_file_number defaults to 1: 2 is not below it
  expect_rejected(snap, "adds table 2, not below next_file_number 1");
}

TEST_CASE("snapshot_edit recreates the state", "[manifest][state]") {
  const State s = base();
  const Edit e = s.snapshot_edit();
  CHECK(e.snapshot);
  CHECK(e.next_file_number == 10u);
  CHECK(e.last_version == 50u);
  CHECK(e.wal_number == 5u);
  CHECK(e.low_water_mark == 7u);
  CHECK(e.removed.empty());
  REQUIRE(e.added.size() == 2);
  CHECK(e.added[0].number == 3);
  CHECK(e.added[1].number == 4);
  State other;
  other.next_file_number = 99;
  other.tables.emplace(50, table(50));
  REQUIRE(other.apply(e, "MANIFEST", 16).is_ok());
  CHECK(other == s);
  std::string bytes;
  e.encode(&bytes);
  auto decoded = Edit::decode(bytes, "MANIFEST", 16);
  REQUIRE(decoded.is_ok());
  State third;
  REQUIRE(third.apply(*decoded, "MANIFEST", 16).is_ok());
  CHECK(third == s);
}

TEST_CASE("property: snapshot_edit of any reachable state recreates it", "[manifest][state]") {
  rc::prop("build a state by edits, snapshot it, replay the snapshot", [] {
    State s;
    std::uint64_t next = 1;
    const auto steps = *rc::gen::inRange(0, 20);
    for (int i = 0; i < steps; ++i) {
      Edit e;
      const auto adds = *rc::gen::inRange(0, 3);
      for (int a = 0; a < adds; ++a) {
        TableMeta t = table(next++, *rc::gen::inRange(0, 3));
        t.smallest_key = *rc::gen::arbitrary<std::string>();
        t.largest_key = t.smallest_key + *rc::gen::arbitrary<std::string>();
        e.added.push_back(t);
      }
      if (!s.tables.empty() && *rc::gen::arbitrary<bool>()) {
        e.removed.push_back(s.tables.begin()->first);
      }
      e.next_file_number = next;
      e.last_version = s.last_version + *rc::gen::inRange<Version>(0, 100);
      RC_ASSERT(s.apply(e, "MANIFEST", 16).is_ok());
    }
    State copy;
    RC_ASSERT(copy.apply(s.snapshot_edit(), "MANIFEST", 16).is_ok());
    RC_ASSERT(copy == s);
  });
}

TEST_CASE("a run on a table outside level 1 is Corruption", "[manifest][state]") {
  State st;
  Edit e;
  e.next_file_number = 10;
  e.added.push_back(TableMeta{.number = 3, .level = 2, .run = 3});
  const Status s = st.apply(e, "MANIFEST", 40);
  CHECK(s.code() == Code::kCorruption);
  CHECK(s.message() == "MANIFEST: offset 40: adds table 3 with a run at level 2 (runs are for level 1)");
  CHECK(st == State{});
  e.added[0].level = 1;
  CHECK(st.apply(e, "MANIFEST", 40).is_ok());
  CHECK(st.tables.at(3).run == 3);
}
