// Worked examples of the retention rules (include/sand/db.hpp): with
// low-water mark M, history(key) lists every version >= M plus the newest one
// below M, newest first, then drops tombstones from the oldest end while they
// hide nothing; reads below M are InvalidArgument. Each example is checked
// before and after compact(), since the answers must not depend on it.
#include <catch2/catch.hpp>
#include <functional>

#include "sand/sand.hpp"
#include "support/db_helpers.hpp"

using namespace sand;
using sand::test::must;

namespace {

Options small_options() {
  return Options{.memtable_size = 4096,
                 .block_size = 256,
                 .l0_trigger = 2,
                 .l1_trigger = 2,
                 .target_file_size = 4096,
                 .file_system = memory_file_system()};
}

HistoryEntry put_at(Version v, std::string value) {
  return {.version = v, .deleted = false, .value = std::move(value)};
}
HistoryEntry del_at(Version v) { return {.version = v, .deleted = true, .value = ""}; }

}  // namespace

TEST_CASE("history with mark 0 lists every version but a bottom tombstone", "[db][retention]") {
  auto db = must(DB::open("/db", small_options()));
  must(db->del("k"));       // 1: hides nothing, never listed
  must(db->put("k", "a"));  // 2
  must(db->del("k"));       // 3
  must(db->put("k", "b"));  // 4
  sand::test::check_in_memtable_flushed_and_compacted(*db, [&] {
    CHECK(must(db->history("k")) ==
          std::vector<HistoryEntry>{put_at(4, "b"), del_at(3), put_at(2, "a")});
    CHECK(must(db->get("k", 1)) == std::nullopt);
    CHECK(must(db->get("k", 3)) == std::nullopt);
    CHECK(must(db->get("k", 2)) == "a");
  });
}

TEST_CASE("history keeps versions at or above the mark and the newest one below it",
          "[db][retention]") {
  auto db = must(DB::open("/db", small_options()));
  must(db->put("k", "a"));  // 1
  must(db->put("k", "b"));  // 2
  must(db->del("k"));       // 3
  must(db->put("k", "c"));  // 4
  must(db->put("k", "d"));  // 5
  must(db->put("x", "y"));  // 6

  must(db->forget_before(2));
  sand::test::check_in_memtable_flushed_and_compacted(*db, [&] {
    CHECK(must(db->history("k")) == std::vector<HistoryEntry>{put_at(5, "d"), put_at(4, "c"),
                                                              del_at(3), put_at(2, "b"),
                                                              put_at(1, "a")});
    CHECK(must(db->get("k", 2)) == "b");
    CHECK(db->get("k", 1).status().code() == Code::kInvalidArgument);
  });

  // The newest version below 4 is the tombstone at 3, which then hides
  // nothing that is kept: it goes too.
  must(db->forget_before(4));
  sand::test::check_in_memtable_flushed_and_compacted(*db, [&] {
    CHECK(must(db->history("k")) == std::vector<HistoryEntry>{put_at(5, "d"), put_at(4, "c")});
    CHECK(must(db->get("k", 4)) == "c");
    CHECK(db->get("k", 3).status().code() == Code::kInvalidArgument);
  });

  // With M past every write of "k", the newest one (below M) stays.
  must(db->forget_before(6));
  sand::test::check_in_memtable_flushed_and_compacted(*db, [&] {
    CHECK(must(db->history("k")) == std::vector<HistoryEntry>{put_at(5, "d")});
    CHECK(must(db->get("k")) == "d");
    CHECK(must(db->get("k", 6)) == "d");
  });
}

TEST_CASE("a tombstone at or above the mark keeps the value it hides", "[db][retention]") {
  auto db = must(DB::open("/db", small_options()));
  must(db->put("k", "a"));  // 1
  must(db->del("k"));       // 2
  must(db->put("x", "y"));  // 3
  must(db->forget_before(2));
  sand::test::check_in_memtable_flushed_and_compacted(*db, [&] {
    CHECK(must(db->history("k")) == std::vector<HistoryEntry>{del_at(2), put_at(1, "a")});
    CHECK(must(db->get("k", 2)) == std::nullopt);
    CHECK(db->get("k", 1).status().code() == Code::kInvalidArgument);
  });
  must(db->forget_before(3));
  sand::test::check_in_memtable_flushed_and_compacted(
      *db, [&] { CHECK(must(db->history("k")).empty()); });
}

TEST_CASE("reads below the mark are refused unless a snapshot pins their version",
          "[db][retention]") {
  auto db = must(DB::open("/db", small_options()));
  must(db->put("k", "a"));  // 1
  const Snapshot pinned = db->snapshot();
  must(db->put("k", "b"));  // 2
  must(db->put("k", "c"));  // 3
  must(db->forget_before(3));
  sand::test::check_in_memtable_flushed_and_compacted(*db, [&] {
    CHECK(must(db->get("k", 1)) == "a");  // pinned
    CHECK(db->get("k", 2).status().code() == Code::kInvalidArgument);
    CHECK(db->scan({.at = 2}).status().code() == Code::kInvalidArgument);
    CHECK(db->get("k", 0).status().code() == Code::kInvalidArgument);
    CHECK(must(db->get("k", 3)) == "c");
    CHECK(sand::test::collect(must(db->scan({.at = 1}))) ==
          std::vector<std::pair<std::string, std::string>>{{"k", "a"}});
    // history() follows the mark only; the snapshot adds nothing to it.
    CHECK(must(db->history("k")) == std::vector<HistoryEntry>{put_at(3, "c"), put_at(2, "b")});
  });
}
