// LevelIterator (src/db/level_iterator.hpp) over real tables built in memory,
// and SortedRun::file_for (src/db/read_view.hpp): one stream across table
// boundaries in both directions, seek into, between, before and after the
// tables, lazy reading of each table, a corrupt table, and std::map models.
#include "db/level_iterator.hpp"

#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "db/read_view.hpp"
#include "support/table_builder_helpers.hpp"

namespace sand {
namespace {

using namespace std::string_literals;

using test::ikey;
using test::InternalMap;
using test::KVs;

// A value LZ4 shrinks well (so a cache sees the block), naming its entry.
std::string value_of(std::string_view user_key, Version v) {
  return std::string(user_key) + "=" + std::to_string(v) + std::string(200, '.');
}

InternalMap entries(std::initializer_list<std::pair<std::string, Version>> keys) {
  InternalMap m;
  for (const auto& [k, v] : keys) m[ikey(k, v)] = value_of(k, v);
  return m;
}

// Tables 11 [b..d], 12 [f..h], 13 [k..m]: a run with gaps before, between
// and after the tables, and a key with several versions in each table.
struct Run {
  std::vector<InternalMap> contents = {
      [] {
        InternalMap m = entries({{"b", 1}, {"c", 5}, {"d", 2}});
        m[ikey("c", 3, EntryKind::kDelete)] = "";
        return m;
      }(),
      entries({{"f", 4}, {"g", 9}, {"g", 6}, {"h", 1}}),
      entries({{"k", 3}, {"m", 7}, {"m", 2}}),
  };
  std::vector<TableRef> files;

  explicit Run(const table::TableOptions& options,
               std::shared_ptr<table::BlockCache> cache = nullptr,
               std::uint64_t corrupt_table = 0) {
    for (std::size_t i = 0; i < contents.size(); ++i) {
      const std::uint64_t number = 11 + i;
      // Byte 5 lies inside the first data block: the table opens, the block
      // fails its checksum when read.
      files.push_back(test::make_live_table(number, contents[i], options, cache,
                                            number == corrupt_table ? 5 : -1));
      REQUIRE(files.back() != nullptr);
    }
  }

  KVs all() const {
    KVs out;
    for (const auto& m : contents) out.insert(out.end(), m.begin(), m.end());
    return out;
  }
};

std::vector<std::string> keys_of(const KVs& kvs) {
  std::vector<std::string> out;
  for (const auto& [k, v] : kvs) out.push_back(test::show_key(k));
  return out;
}

// "user@version" of the current entry, or "-" when !valid().
std::string at(const InternalIterator& it) { return it.valid() ? test::show_key(it.key()) : "-"; }

const table::TableOptions kOneBlock{.block_size = 4096, .compression = Compression::kLz4};

TEST_CASE("level iterator yields a run as one stream across table boundaries", "[level_iterator]") {
  for (std::size_t block_size : {std::size_t{1}, std::size_t{4096}}) {
    for (Compression c : {Compression::kNone, Compression::kLz4}) {
      INFO("block_size " << block_size << ", compression " << static_cast<int>(c));
      Run run({.block_size = block_size, .restart_interval = 2, .compression = c});
      auto it = new_level_iterator(run.files);
      CHECK_FALSE(it->valid());  // initially unpositioned
      const KVs want = run.all();
      CHECK(keys_of(want) == std::vector<std::string>{"b@1", "c@5", "c@3/del", "d@2", "f@4", "g@9",
                                                      "g@6", "h@1", "k@3", "m@7", "m@2"});
      CHECK(test::scan_forward(*it) == want);
      KVs back = test::scan_backward(*it);
      std::reverse(back.begin(), back.end());
      CHECK(back == want);
      CHECK(it->status().is_ok());
    }
  }
}

TEST_CASE("level iterator next and prev step between neighbouring tables", "[level_iterator]") {
  Run run(kOneBlock);
  auto it = new_level_iterator(run.files);
  it->seek(ikey("d", 2));  // the last entry of table 11
  REQUIRE(at(*it) == "d@2");
  it->next();
  REQUIRE(at(*it) == "f@4");  // the first of table 12
  it->prev();
  REQUIRE(at(*it) == "d@2");
  it->prev();
  REQUIRE(at(*it) == "c@3/del");
  it->seek(ikey("k", 3));  // the first entry of table 13
  it->prev();
  REQUIRE(at(*it) == "h@1");
  it->next();
  REQUIRE(at(*it) == "k@3");
  it->seek_to_first();
  it->prev();  // before the first table
  CHECK_FALSE(it->valid());
  it->seek_to_last();
  REQUIRE(at(*it) == "m@2");
  it->next();  // after the last table
  CHECK_FALSE(it->valid());
  CHECK(it->status().is_ok());
}

TEST_CASE("level iterator seek", "[level_iterator]") {
  Run run({.block_size = 1, .restart_interval = 1, .compression = Compression::kNone});
  auto it = new_level_iterator(run.files);
  SECTION("into the middle table") {
    it->seek(seek_key("g", kMaxVersion));
    REQUIRE(at(*it) == "g@9");
    it->seek(seek_key("g", 8));  // a read at version 8
    REQUIRE(at(*it) == "g@6");
    CHECK(it->value() == value_of("g", 6));
    it->seek(ikey("f", 4));
    REQUIRE(at(*it) == "f@4");
    it->seek(ikey("h", 1));
    REQUIRE(at(*it) == "h@1");
    it->next();
    REQUIRE(at(*it) == "k@3");
  }
  SECTION("into the gap between two tables: the next table's first entry") {
    it->seek(seek_key("e", kMaxVersion));
    REQUIRE(at(*it) == "f@4");
    it->seek(seek_key(std::string("d\0", 2), kMaxVersion));  // just after d
    REQUIRE(at(*it) == "f@4");
    it->seek(seek_key("i", 3));
    REQUIRE(at(*it) == "k@3");
  }
  SECTION("a table's largest user key, below its every version") {
    // The binary search picks the table holding "d"; its entries of d are all
    // newer than the target, so the stream moves on to the next table.
    it->seek(seek_key("d", 1));
    REQUIRE(at(*it) == "f@4");
    it->seek(seek_key("h", 0));
    REQUIRE(at(*it) == "k@3");
    it->prev();
    REQUIRE(at(*it) == "h@1");
  }
  SECTION("before the first table") {
    it->seek(seek_key("a", kMaxVersion));
    REQUIRE(at(*it) == "b@1");
    it->seek(seek_key("", kMaxVersion));
    REQUIRE(at(*it) == "b@1");
  }
  SECTION("past the last table") {
    it->seek(seek_key("n", kMaxVersion));
    CHECK_FALSE(it->valid());
    it->seek(seek_key("m", 1));  // the last table's largest key, older than it holds
    CHECK_FALSE(it->valid());
    it->seek(seek_key("\xff\xff", kMaxVersion));
    CHECK_FALSE(it->valid());
    CHECK(it->status().is_ok());
    it->seek_to_last();  // the iterator is still usable
    REQUIRE(at(*it) == "m@2");
  }
  CHECK(it->status().is_ok());
}

// The observable effect of opening a table's iterator is reading its data
// blocks; with LZ4 and a block cache, each block read is cached under (table
// number, block offset). Each table here is one block at offset 0.
TEST_CASE("level iterator reads a table only when the stream reaches it", "[level_iterator]") {
  auto cache = std::make_shared<table::BlockCache>(1 << 20, 0);
  Run run(kOneBlock, cache);
  auto read = [&](std::uint64_t number) { return cache->lookup(number, 0) != nullptr; };
  REQUIRE(cache->usage() == 0);  // opening the tables read no data block

  auto it = new_level_iterator(run.files);
  CHECK(cache->usage() == 0);  // creating the iterator reads nothing
  SECTION("seek_to_first, then walking into the next table") {
    it->seek_to_first();
    REQUIRE(read(11));  // the observation works
    CHECK_FALSE(read(12));
    CHECK_FALSE(read(13));
    for (int i = 0; i < 3; ++i) it->next();
    REQUIRE(at(*it) == "d@2");  // the last entry of table 11
    CHECK_FALSE(read(12));
    it->next();
    REQUIRE(at(*it) == "f@4");
    CHECK(read(12));
    CHECK_FALSE(read(13));
  }
  SECTION("seek into the middle table") {
    it->seek(seek_key("g", kMaxVersion));
    REQUIRE(at(*it) == "g@9");
    CHECK(read(12));
    CHECK_FALSE(read(11));
    CHECK_FALSE(read(13));
  }
  SECTION("seek into a gap skips the table before it") {
    it->seek(seek_key("i", kMaxVersion));
    REQUIRE(at(*it) == "k@3");
    CHECK(read(13));
    CHECK_FALSE(read(12));
    CHECK_FALSE(read(11));
  }
  SECTION("seek past the last table reads nothing") {
    it->seek(seek_key("z", kMaxVersion));
    CHECK_FALSE(it->valid());
    CHECK(cache->usage() == 0);
  }
  SECTION("seek_to_last") {
    it->seek_to_last();
    REQUIRE(at(*it) == "m@2");
    CHECK(read(13));
    CHECK_FALSE(read(12));
    CHECK_FALSE(read(11));
  }
}

TEST_CASE("level iterator over one table yields that table", "[level_iterator]") {
  Run run(kOneBlock);
  auto it = new_level_iterator({run.files[1]});
  CHECK(keys_of(test::scan_forward(*it)) == std::vector<std::string>{"f@4", "g@9", "g@6", "h@1"});
  it->seek(seek_key("a", kMaxVersion));
  REQUIRE(at(*it) == "f@4");
  it->seek(seek_key("i", kMaxVersion));
  CHECK_FALSE(it->valid());
  CHECK(it->status().is_ok());
}

// Outside the header's REQUIRES (callers never build an empty run, see
// db_impl_read.cpp and db_impl_compaction.cpp), but it must not crash.
TEST_CASE("level iterator over an empty run is empty", "[level_iterator]") {
  auto it = new_level_iterator({});
  it->seek_to_first();
  CHECK_FALSE(it->valid());
  it->seek_to_last();
  CHECK_FALSE(it->valid());
  it->seek(seek_key("a", kMaxVersion));
  CHECK_FALSE(it->valid());
  CHECK(it->status().is_ok());
}

TEST_CASE("level iterator stops at a corrupt table and reports it", "[level_iterator]") {
  const table::TableOptions options{.block_size = 4096, .compression = Compression::kNone};
  Run run(options, nullptr, /*corrupt_table=*/12);
  auto it = new_level_iterator(run.files);
  SECTION("forward: table 13 is not reached past the error") {
    CHECK(keys_of(test::scan_forward(*it)) ==
          std::vector<std::string>{"b@1", "c@5", "c@3/del", "d@2"});
  }
  SECTION("backward: table 11 is not reached past the error") {
    CHECK(keys_of(test::scan_backward(*it)) == std::vector<std::string>{"m@2", "m@7", "k@3"});
  }
  SECTION("seek into the corrupt table") { it->seek(seek_key("g", kMaxVersion)); }
  CHECK_FALSE(it->valid());
  const Status s = it->status();
  INFO(s.to_string());
  CHECK(s.code() == Code::kCorruption);
  CHECK(s.message().find("12.sst") != std::string::npos);
}

// ---- models -------------------------------------------------------------

// User keys chosen to exercise bytewise order: the empty key, a prefix and
// its extensions, a NUL byte, bytes above 0x7f.
const std::vector<std::string>& user_keys() {
  static const std::vector<std::string> keys = {
      "",  "a", "a\0"s, "ab", "abc", "b", "ba",   "c",    "d",    "e",    "f",
      "g", "h", "k",    "m",  "p",   "x", "\x7f", "\x80", "\xc0", "\xff", "\xff\xff"};
  return keys;
}

TEST_CASE("level iterator matches a sorted model over random runs", "[level_iterator][model]") {
  rc::prop("every operation sequence sees the run's entries in order", [] {
    // A sorted set of user keys cut into consecutive, non-overlapping tables;
    // each key holds 1-3 versions, all in the table that holds the key.
    const auto picked = *rc::gen::nonEmpty(rc::gen::container<std::set<std::size_t>>(
        rc::gen::inRange<std::size_t>(0, user_keys().size())));
    std::vector<InternalMap> tables(1);
    for (std::size_t k : picked) {
      if (!tables.back().empty() && *rc::gen::inRange(0, 3) == 0) tables.emplace_back();
      const auto versions = *rc::gen::resize(
          3, rc::gen::nonEmpty(
                 rc::gen::container<std::set<Version>>(rc::gen::inRange<Version>(1, 20))));
      for (Version v : versions) {
        const std::string& user = user_keys()[k];
        if (*rc::gen::inRange(0, 4) == 0) {
          tables.back()[ikey(user, v, EntryKind::kDelete)] = "";
        } else {
          tables.back()[ikey(user, v)] = value_of(user, v);
        }
      }
    }
    const table::TableOptions options{
        .block_size = *rc::gen::element(std::size_t{1}, std::size_t{100}, std::size_t{4096}),
        .restart_interval = *rc::gen::inRange(1, 4),
        .compression = *rc::gen::element(Compression::kNone, Compression::kLz4)};
    std::vector<TableRef> files;
    KVs model;
    for (const InternalMap& t : tables) {
      files.push_back(test::make_live_table(files.size() + 1, t, options));
      RC_ASSERT(files.back() != nullptr);
      model.insert(model.end(), t.begin(), t.end());
    }
    auto it = new_level_iterator(files);

    RC_ASSERT(test::scan_forward(*it) == model);
    KVs back = test::scan_backward(*it);
    std::reverse(back.begin(), back.end());
    RC_ASSERT(back == model);

    std::vector<test::IterOp> ops;
    const auto raw = *rc::gen::container<std::vector<std::tuple<int, std::size_t, Version>>>(
        rc::gen::tuple(rc::gen::inRange(0, 8), rc::gen::inRange<std::size_t>(0, user_keys().size()),
                       rc::gen::inRange<Version>(0, 22)));
    for (const auto& [op, k, v] : raw) ops.push_back(test::iter_op_from(op, user_keys()[k], v));
    const std::string diff = test::replay_against_model(*it, model, ops);
    if (!diff.empty()) RC_FAIL(diff);
  });
}

// ---- SortedRun::file_for --------------------------------------------------

// A table known only by its key range: file_for reads nothing else.
TableRef range_only(std::uint64_t number, std::string smallest, std::string largest) {
  return std::make_shared<const LiveTable>(manifest::TableMeta{.number = number,
                                                               .level = 1,
                                                               .smallest_key = std::move(smallest),
                                                               .largest_key = std::move(largest),
                                                               .run = 1},
                                           nullptr, nullptr, std::to_string(number) + ".sst");
}

std::uint64_t number_for(const SortedRun& run, std::string_view user_key) {
  const LiveTable* f = run.file_for(user_key);
  return f == nullptr ? 0 : f->meta.number;
}

TEST_CASE("SortedRun::file_for names the one table whose range may hold the key",
          "[level_iterator][read_view]") {
  SortedRun run;
  run.files = {range_only(1, "b", "d"), range_only(2, "f", "h"), range_only(3, "k", "k"),
               range_only(4, "m", "p")};
  SECTION("before the first table") {
    CHECK(number_for(run, "a") == 0);
    CHECK(number_for(run, "") == 0);
    CHECK(number_for(run, "az") == 0);
  }
  SECTION("inside a table, its bounds included") {
    CHECK(number_for(run, "b") == 1);
    CHECK(number_for(run, "c") == 1);
    CHECK(number_for(run, "d") == 1);
    CHECK(number_for(run, "c\xff") == 1);
    CHECK(number_for(run, "f") == 2);
    CHECK(number_for(run, "g") == 2);
    CHECK(number_for(run, "h") == 2);
    CHECK(number_for(run, "k") == 3);  // a one-key table
    CHECK(number_for(run, "p") == 4);
  }
  SECTION("between two tables") {
    CHECK(number_for(run, "e") == 0);
    CHECK(number_for(run, std::string("d\0", 2)) == 0);  // just after d
    CHECK(number_for(run, "da") == 0);
    CHECK(number_for(run, "j") == 0);
    CHECK(number_for(run, "ka") == 0);  // just after a one-key table
    CHECK(number_for(run, "l") == 0);
  }
  SECTION("after the last table") {
    CHECK(number_for(run, "pa") == 0);
    CHECK(number_for(run, "z") == 0);
    CHECK(number_for(run, "\xff") == 0);
  }
  SECTION("an empty run holds nothing") {
    CHECK(SortedRun{}.file_for("a") == nullptr);
    CHECK(SortedRun{}.file_for("") == nullptr);
  }
}

TEST_CASE("SortedRun::file_for orders keys bytewise, unsigned", "[level_iterator][read_view]") {
  SortedRun run;
  run.files = {range_only(1, "\x10", "\x7f"), range_only(2, "\x80", "\x90"),
               range_only(3, "\xc0", "\xff")};
  CHECK(number_for(run, "\x7f") == 1);
  CHECK(number_for(run, "\x7f\xff") == 0);
  CHECK(number_for(run, "\x80") == 2);
  CHECK(number_for(run, "\x85") == 2);
  CHECK(number_for(run, "\xa0") == 0);
  CHECK(number_for(run, "\xfe") == 3);
  CHECK(number_for(run, "\xff") == 3);
  CHECK(number_for(run, std::string("\xff\0", 2)) == 0);
}

TEST_CASE("SortedRun::file_for agrees with a linear search", "[level_iterator][read_view][model]") {
  rc::prop("the table whose [smallest, largest] holds the key, else none", [] {
    // Sorted distinct bounds paired up into non-overlapping ranges; a range
    // may be a single key.
    const auto bounds = *rc::gen::container<std::set<std::string>>(
        rc::gen::container<std::string>(rc::gen::inRange<char>('a', 'f')));
    std::vector<std::string> b(bounds.begin(), bounds.end());
    SortedRun run;
    for (std::size_t i = 0; i < b.size();) {
      const bool single = i + 1 == b.size() || *rc::gen::inRange(0, 3) == 0;
      run.files.push_back(range_only(run.files.size() + 1, b[i], single ? b[i] : b[i + 1]));
      i += single ? 1 : 2;
    }
    const auto probes = *rc::gen::container<std::vector<std::string>>(
        rc::gen::container<std::string>(rc::gen::inRange<char>('a', 'g')));
    for (const std::string& key : probes) {
      std::uint64_t want = 0;
      for (const auto& f : run.files) {
        if (f->meta.smallest_key <= key && key <= f->meta.largest_key) want = f->meta.number;
      }
      RC_ASSERT(number_for(run, key) == want);
    }
  });
}

}  // namespace
}  // namespace sand
