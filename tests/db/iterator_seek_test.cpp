// sand::Iterator moving both ways (include/sand/db.hpp): seeks to present
// and missing keys, direction changes at any point, tombstones, old read
// versions, reverse scans, bounds and prefixes, an iterator outliving later
// writes, and errors that end a walk. Most cases read one database whose
// versions are spread over the memtable, level 0, level 1 and level 2, so
// every move merges entries from every kind of source.
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "sand/sand.hpp"
#include "support/corruption_matrix.hpp"
#include "support/db_helpers.hpp"

using namespace sand;
using sand::test::must;

namespace {

using Positions = std::vector<std::string>;

// Where the iterator is, in one word: "key=value@version", "end", or the
// error.
std::string at(const Iterator& it) {
  if (!it.status().is_ok()) return "error: " + it.status().to_string();
  if (!it.valid()) return "end";
  return std::string(it.key()) + "=" + std::string(it.value()) + "@" + std::to_string(it.version());
}

// Applies moves ('n' next, 'p' prev) and lists the position after each.
Positions moves(Iterator& it, std::string_view steps) {
  Positions out;
  for (const char step : steps) {
    if (step == 'n') {
      it.next();
    } else {
      it.prev();
    }
    out.push_back(at(it));
  }
  return out;
}

// Every position from the current one on, stepping with next().
Positions rest(Iterator& it) {
  Positions out;
  for (; it.valid(); it.next()) out.push_back(at(it));
  out.push_back(at(it));
  return out;
}

// Polls stats() until `done` holds; false after 10 s.
bool wait_for(const DB& db, const std::function<bool(const Stats&)>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done(db.stats())) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return done(db.stats());
}

// Small memtables and tables, every version kept; level 1 never merges on
// into level 2 by itself, so a test decides what sits on which level.
Options layered_options(std::shared_ptr<FileSystem> fs) {
  Options options = sand::test::tiny_compacting_options(std::move(fs), Retention::kAll);
  options.l1_trigger = 100;
  return options;
}

// A database whose versions sit on every level; values are key ++ version.
//   level 2 (compact):  a1 b2 c3 d4 e5
//   level 1 (L0 merge): b6 del-c7 f8 | a9 g10
//   level 0 (flush):    c11 del-e12 h13
//   memtable:           d14 del-a15 bb16
// Latest live keys: b6 bb16 c11 d14 f8 g10 h13 (a and e deleted).
std::unique_ptr<DB> layered_db(std::shared_ptr<FileSystem> fs) {
  auto db = must(DB::open("/db", layered_options(std::move(fs))));
  auto put = [&](const std::string& key, Version v) {
    REQUIRE(must(db->put(key, key + std::to_string(v))) == v);
  };
  auto del = [&](const std::string& key, Version v) { REQUIRE(must(db->del(key)) == v); };
  put("a", 1), put("b", 2), put("c", 3), put("d", 4), put("e", 5);
  must(db->compact());
  put("b", 6), del("c", 7), put("f", 8);
  must(db->flush());
  put("a", 9), put("g", 10);
  must(db->flush());
  REQUIRE(wait_for(*db, [](const Stats& s) { return s.tables[0] == 0 && s.l1_runs == 1; }));
  put("c", 11), del("e", 12), put("h", 13);
  must(db->flush());
  put("d", 14), del("a", 15), put("bb", 16);
  const Stats s = db->stats();
  REQUIRE(s.tables[2] >= 1);
  REQUIRE(s.l1_runs == 1);
  REQUIRE(s.tables[0] == 1);
  REQUIRE(s.memtable_bytes > 0);
  return db;
}

const Positions kLatest = {"b=b6@6", "bb=bb16@16", "c=c11@11", "d=d14@14",
                           "f=f8@8", "g=g10@10",   "h=h13@13", "end"};

}  // namespace

TEST_CASE("seek lands on the first live key at or after the target", "[db][iterator]") {
  auto db = layered_db(memory_file_system());
  Iterator it = must(db->scan());
  REQUIRE(rest(it) == kLatest);
  struct Row {
    std::string target, want;
  };
  const std::vector<Row> rows = {
      // Present keys, newest version in each kind of source.
      {"b", "b=b6@6"},
      {"bb", "bb=bb16@16"},
      {"c", "c=c11@11"},
      {"d", "d=d14@14"},
      {"f", "f=f8@8"},
      {"g", "g=g10@10"},
      {"h", "h=h13@13"},
      // Missing keys, deleted keys, before the first and after the last.
      {"ba", "bb=bb16@16"},
      {"bc", "c=c11@11"},
      {"e", "f=f8@8"},
      {"a", "b=b6@6"},
      {"", "b=b6@6"},
      {std::string(1, '\0'), "b=b6@6"},
      {std::string("h\0", 2), "end"},
      {"z", "end"},
  };
  for (const Row& row : rows) {
    INFO("seek " << row.target);
    it.seek(row.target);
    CHECK(at(it) == row.want);
  }
}

TEST_CASE("seek_for_prev lands on the last live key at or before the target", "[db][iterator]") {
  auto db = layered_db(memory_file_system());
  Iterator it = must(db->scan());
  struct Row {
    std::string target, want;
  };
  const std::vector<Row> rows = {
      {"b", "b=b6@6"},         {"bb", "bb=bb16@16"}, {"bz", "bb=bb16@16"},
      {"c", "c=c11@11"},       {"e", "d=d14@14"},    {"ee", "d=d14@14"},
      {"f", "f=f8@8"},         {"a", "end"},         {"", "end"},
      {"h", "h=h13@13"},       {"z", "h=h13@13"},    {"\xff", "h=h13@13"},
      {"b\xff", "bb=bb16@16"},
  };
  for (const Row& row : rows) {
    INFO("seek_for_prev " << row.target);
    it.seek_for_prev(row.target);
    CHECK(at(it) == row.want);
  }
  it.seek_to_first();
  CHECK(at(it) == "b=b6@6");
  it.seek_to_last();
  CHECK(at(it) == "h=h13@13");
}

TEST_CASE("direction changes mid-scan and at both ends", "[db][iterator]") {
  auto db = layered_db(memory_file_system());
  Iterator it = must(db->scan());
  CHECK(at(it) == "b=b6@6");
  CHECK(moves(it, "nnppp") == Positions{"bb=bb16@16", "c=c11@11", "bb=bb16@16", "b=b6@6", "end"});
  // Past the end next() and prev() do nothing; a seek moves it again.
  CHECK(moves(it, "np") == Positions{"end", "end"});
  CHECK(it.status().is_ok());

  it.seek_to_last();
  CHECK(at(it) == "h=h13@13");
  CHECK(moves(it, "ppnnn") == Positions{"g=g10@10", "f=f8@8", "g=g10@10", "h=h13@13", "end"});

  // Alternating over a tombstone (e) in both directions.
  it.seek("d");
  CHECK(moves(it, "npnpnp") ==
        Positions{"f=f8@8", "d=d14@14", "f=f8@8", "d=d14@14", "f=f8@8", "d=d14@14"});
  // Right after each kind of seek.
  it.seek("bb");
  CHECK(moves(it, "p") == Positions{"b=b6@6"});
  it.seek("c");
  CHECK(moves(it, "pnnp") == Positions{"bb=bb16@16", "c=c11@11", "d=d14@14", "c=c11@11"});
  it.seek_for_prev("e");
  CHECK(moves(it, "n") == Positions{"f=f8@8"});
  it.seek_for_prev("e");
  CHECK(moves(it, "pp") == Positions{"c=c11@11", "bb=bb16@16"});
  it.seek_to_first();
  CHECK(moves(it, "p") == Positions{"end"});
  it.seek_to_first();
  CHECK(moves(it, "np") == Positions{"bb=bb16@16", "b=b6@6"});
  it.seek_to_last();
  CHECK(moves(it, "n") == Positions{"end"});
  it.seek_to_last();
  CHECK(moves(it, "pn") == Positions{"g=g10@10", "h=h13@13"});
}

TEST_CASE("a walk back from the last key yields every key in reverse", "[db][iterator]") {
  auto db = layered_db(memory_file_system());
  Iterator it = must(db->scan());
  it.seek_to_last();
  Positions back;
  for (; it.valid(); it.prev()) back.push_back(at(it));
  const Positions want(kLatest.rbegin() + 1, kLatest.rend());
  CHECK(back == want);
  CHECK(it.status().is_ok());
}

TEST_CASE("reading at an old version sees keys values and versions as they were",
          "[db][iterator]") {
  auto db = layered_db(memory_file_system());
  {
    Iterator it = must(db->scan({.at = 10}));
    CHECK(rest(it) ==
          Positions{"a=a9@9", "b=b6@6", "d=d4@4", "e=e5@5", "f=f8@8", "g=g10@10", "end"});
    it.seek_to_last();
    CHECK(moves(it, "pppppp") ==
          Positions{"f=f8@8", "e=e5@5", "d=d4@4", "b=b6@6", "a=a9@9", "end"});
    it.seek("c");  // deleted at 7
    CHECK(at(it) == "d=d4@4");
    CHECK(moves(it, "pn") == Positions{"b=b6@6", "d=d4@4"});
    it.seek_for_prev("c");
    CHECK(at(it) == "b=b6@6");
    CHECK(moves(it, "nn") == Positions{"d=d4@4", "e=e5@5"});
  }
  {
    Iterator it = must(db->scan({.at = 5}));
    CHECK(rest(it) == Positions{"a=a1@1", "b=b2@2", "c=c3@3", "d=d4@4", "e=e5@5", "end"});
    it.seek("bb");
    CHECK(at(it) == "c=c3@3");
    CHECK(moves(it, "p") == Positions{"b=b2@2"});
  }
  {
    Iterator it = must(db->scan({.at = 12, .reverse = true}));
    CHECK(rest(it) ==
          Positions{"g=g10@10", "f=f8@8", "d=d4@4", "c=c11@11", "b=b6@6", "a=a9@9", "end"});
    it.seek_for_prev("e");  // deleted at 12
    CHECK(at(it) == "d=d4@4");
    CHECK(moves(it, "pp") == Positions{"f=f8@8", "g=g10@10"});
  }
  {
    Iterator it = must(db->scan({.at = 0}));
    CHECK(at(it) == "end");
    it.seek_to_last();
    CHECK(at(it) == "end");
  }
}

TEST_CASE("prev steps over a long run of newer versions of the current key", "[db][iterator]") {
  auto db = must(DB::open("/db", layered_options(memory_file_system())));
  must(db->put("j", "j1"));  // 1
  must(db->put("k", "k2"));  // 2
  must(db->put("l", "l3"));  // 3
  // 40 newer versions of k, over several tables and the memtable, invisible
  // at version 3: stepping back from k must get past all of them.
  for (int i = 0; i < 40; ++i) {
    must(db->put("k", "new" + std::to_string(i)));
    if (i % 9 == 8) must(db->flush());
  }
  Iterator it = must(db->scan({.at = 3}));
  CHECK(at(it) == "j=j1@1");
  CHECK(moves(it, "npnnpp") ==
        Positions{"k=k2@2", "j=j1@1", "k=k2@2", "l=l3@3", "k=k2@2", "j=j1@1"});
  it.seek("k");
  CHECK(moves(it, "p") == Positions{"j=j1@1"});

  Iterator reverse = must(db->scan({.at = 3, .reverse = true}));
  CHECK(at(reverse) == "l=l3@3");
  CHECK(moves(reverse, "nnppn") == Positions{"k=k2@2", "j=j1@1", "k=k2@2", "l=l3@3", "k=k2@2"});

  Iterator latest = must(db->scan());
  latest.seek("k");
  CHECK(at(latest) == "k=new39@43");
  CHECK(moves(latest, "pnn") == Positions{"j=j1@1", "k=new39@43", "l=l3@3"});
}

TEST_CASE("reverse scans step down and seek in ascending key order", "[db][iterator]") {
  auto db = layered_db(memory_file_system());
  Iterator it = must(db->scan({.reverse = true}));
  CHECK(at(it) == "h=h13@13");
  CHECK(moves(it, "nnnp") == Positions{"g=g10@10", "f=f8@8", "d=d14@14", "f=f8@8"});
  it.seek("c");  // the first key >= c, then next() goes down
  CHECK(at(it) == "c=c11@11");
  CHECK(moves(it, "nnn") == Positions{"bb=bb16@16", "b=b6@6", "end"});
  it.seek("bc");
  CHECK(at(it) == "c=c11@11");
  it.seek("e");
  CHECK(at(it) == "f=f8@8");
  it.seek_for_prev("e");
  CHECK(at(it) == "d=d14@14");
  CHECK(moves(it, "npp") == Positions{"c=c11@11", "d=d14@14", "f=f8@8"});
  it.seek_to_first();
  CHECK(at(it) == "b=b6@6");
  CHECK(moves(it, "n") == Positions{"end"});
  it.seek_to_first();
  CHECK(moves(it, "pp") == Positions{"bb=bb16@16", "c=c11@11"});
  it.seek_to_last();
  CHECK(moves(it, "p") == Positions{"end"});
  it.seek("z");
  CHECK(at(it) == "end");
  it.seek_for_prev("a");
  CHECK(at(it) == "end");
}

TEST_CASE("bounds hold every seek and step inside from and to", "[db][iterator]") {
  auto db = layered_db(memory_file_system());
  {
    Iterator it = must(db->scan({.from = "b", .to = "f"}));
    CHECK(rest(it) == Positions{"b=b6@6", "bb=bb16@16", "c=c11@11", "d=d14@14", "end"});
    it.seek("a");
    CHECK(at(it) == "b=b6@6");
    CHECK(moves(it, "p") == Positions{"end"});
    it.seek("e");  // deleted, and f is out of bounds
    CHECK(at(it) == "end");
    it.seek("f");
    CHECK(at(it) == "end");
    it.seek_for_prev("z");
    CHECK(at(it) == "d=d14@14");
    CHECK(moves(it, "n") == Positions{"end"});
    it.seek_for_prev("a");
    CHECK(at(it) == "end");
    it.seek_to_last();
    CHECK(moves(it, "pn") == Positions{"c=c11@11", "d=d14@14"});
    it.seek_to_first();
    CHECK(at(it) == "b=b6@6");
  }
  {
    Iterator it = must(db->scan({.from = "bb", .to = "g", .reverse = true}));
    CHECK(rest(it) == Positions{"f=f8@8", "d=d14@14", "c=c11@11", "bb=bb16@16", "end"});
    it.seek("zzz");
    CHECK(at(it) == "end");
    it.seek_for_prev("zzz");
    CHECK(at(it) == "f=f8@8");
    CHECK(moves(it, "p") == Positions{"end"});
    it.seek("a");
    CHECK(at(it) == "bb=bb16@16");
    CHECK(moves(it, "n") == Positions{"end"});
  }
  {
    Iterator it = must(db->scan({.from = "c", .to = "c"}));
    CHECK(at(it) == "end");
    it.seek("c");
    CHECK(at(it) == "end");
    it.seek_for_prev("c");
    CHECK(at(it) == "end");
  }
  CHECK(db->scan({.from = "d", .to = "c"}).status().code() == Code::kInvalidArgument);
}

TEST_CASE("prefix scans yield only the keys that start with the prefix", "[db][iterator]") {
  auto db = must(DB::open("/db", layered_options(memory_file_system())));
  const std::vector<std::string> keys = {"",
                                         "a",
                                         "a\xff",
                                         "a\xff\x01",
                                         "a\xff\xff",
                                         "ab",
                                         "b",
                                         "user",
                                         "user:",
                                         "user:1",
                                         "user:2",
                                         "user;",
                                         "\xff",
                                         std::string("\xff\0", 2),
                                         "\xff\xff",
                                         "\xff\xff"
                                         "a"};
  // Spread over level 2, level 0 and the memtable.
  for (std::size_t i = 0; i < keys.size(); ++i) {
    must(db->put(keys[i], "v" + std::to_string(i)));
    if (i == 5) must(db->compact());
    if (i == 10) must(db->flush());
  }
  auto keys_of = [](Iterator it) {
    std::vector<std::string> out;
    for (; it.valid(); it.next()) out.emplace_back(it.key());
    REQUIRE(it.status().is_ok());
    return out;
  };
  using Keys = std::vector<std::string>;
  CHECK(keys_of(must(db->scan({.prefix = "user:"}))) == Keys{"user:", "user:1", "user:2"});
  CHECK(keys_of(must(db->scan({.reverse = true, .prefix = "user:"}))) ==
        Keys{"user:2", "user:1", "user:"});
  CHECK(keys_of(must(db->scan({.prefix = "user"}))) ==
        Keys{"user", "user:", "user:1", "user:2", "user;"});
  CHECK(keys_of(must(db->scan({.prefix = "a\xff"}))) == Keys{"a\xff", "a\xff\x01", "a\xff\xff"});
  CHECK(keys_of(must(db->scan({.prefix = "\xff"}))) == Keys{"\xff", std::string("\xff\0", 2),
                                                            "\xff\xff",
                                                            "\xff\xff"
                                                            "a"});
  CHECK(keys_of(must(db->scan({.reverse = true, .prefix = "\xff\xff"}))) == Keys{"\xff\xff"
                                                                                 "a",
                                                                                 "\xff\xff"});
  CHECK(keys_of(must(db->scan({.prefix = ""}))) == keys_of(must(db->scan())));
  CHECK(keys_of(must(db->scan({.prefix = ""}))).size() == keys.size());
  // Together with from and to; disjoint is empty, not an error.
  CHECK(keys_of(must(db->scan({.from = "user:1", .to = "user;", .prefix = "user"}))) ==
        Keys{"user:1", "user:2"});
  CHECK(keys_of(must(db->scan({.to = "user:", .prefix = "user"}))) == Keys{"user"});
  CHECK(keys_of(must(db->scan({.from = "b", .prefix = "a"}))).empty());
  CHECK(keys_of(must(db->scan({.prefix = "zz"}))).empty());
  CHECK(db->scan({.from = "b", .to = "a", .prefix = "a"}).status().code() ==
        Code::kInvalidArgument);

  // Seeks stay inside the prefix.
  Iterator it = must(db->scan({.prefix = "user:"}));
  it.seek("a");
  CHECK(it.key() == "user:");
  it.seek("user:15");
  CHECK(it.key() == "user:2");
  it.seek("user;");
  CHECK_FALSE(it.valid());
  it.seek_for_prev("zzz");
  CHECK(it.key() == "user:2");
  it.next();
  CHECK_FALSE(it.valid());
  it.seek_for_prev("user:");
  CHECK(it.key() == "user:");
  it.prev();
  CHECK_FALSE(it.valid());
  it.seek_for_prev("user");
  CHECK_FALSE(it.valid());
  it.seek_to_last();
  CHECK(it.key() == "user:2");
  it.seek_to_first();
  CHECK(it.key() == "user:");

  Iterator top = must(db->scan({.prefix = "\xff\xff"}));  // no upper bound
  top.seek_to_last();
  CHECK(top.key() ==
        "\xff\xff"
        "a");
  top.seek_for_prev("\xff\xff\xff");
  CHECK(top.key() ==
        "\xff\xff"
        "a");
  top.seek("\xff");
  CHECK(top.key() == "\xff\xff");
  top.prev();
  CHECK_FALSE(top.valid());
  CHECK(top.status().is_ok());
}

TEST_CASE("an iterator never sees writes made after it was created", "[db][iterator]") {
  auto db = layered_db(memory_file_system());
  Iterator it = must(db->scan());
  Iterator reverse = must(db->scan({.reverse = true}));
  must(db->put("a", "new"));
  must(db->put("c0", "new"));
  must(db->del("b"));
  must(db->put("h", "new"));
  must(db->flush());
  must(db->compact());  // retires every table the iterators read

  it.seek("a");
  CHECK(at(it) == "b=b6@6");
  it.seek("c0");
  CHECK(at(it) == "d=d14@14");
  CHECK(moves(it, "pp") == Positions{"c=c11@11", "bb=bb16@16"});
  it.seek_for_prev("c0");
  CHECK(at(it) == "c=c11@11");
  it.seek_to_first();
  CHECK(rest(it) == kLatest);
  CHECK(at(reverse) == "h=h13@13");
  CHECK(moves(reverse, "nnnnnnn") ==
        Positions{"g=g10@10", "f=f8@8", "d=d14@14", "c=c11@11", "bb=bb16@16", "b=b6@6", "end"});
  // The database itself does see them.
  Iterator now = must(db->scan());
  CHECK(at(now) == "a=new@17");
}

TEST_CASE("a damaged table ends the walk with Corruption and every later call keeps it",
          "[db][iterator]") {
  const std::string dir = sand::test::kMatrixDir;
  auto fs = memory_file_system();
  auto key_of = [](int i) {
    std::string k = std::to_string(i);
    return "k" + std::string(3 - k.size(), '0') + k;
  };
  // Values that do not compress, so the keys fill several blocks.
  auto value_of = [](int i) {
    std::string v;
    for (std::uint32_t x = static_cast<std::uint32_t>(i) + 1; v.size() < 60;) {
      x = x * 1103515245u + 12345u;
      v.push_back(static_cast<char>('a' + (x >> 16) % 26));
    }
    return v;
  };
  {
    auto db = must(DB::open(dir, layered_options(fs)));
    for (int i = 0; i < 200; ++i) must(db->put(key_of(i), value_of(i)));
    must(db->compact());
    must(db->close());
  }
  // Zero a stretch inside the data blocks of the first table.
  sand::test::DirFiles files = sand::test::read_dir_files(*fs, dir);
  const auto tables = sand::test::names_with_suffix(*fs, dir, ".sst");
  REQUIRE_FALSE(tables.empty());
  std::string& bytes = files.at(tables.front());
  bytes = sand::test::zero_range(bytes, bytes.size() / 4, 64);
  auto db = must(DB::open(dir, layered_options(sand::test::memory_fs_with(dir, files))));

  // Whatever came before the error is exactly what was written.
  auto check_entry = [&](const Iterator& it) {
    const std::string key(it.key());
    REQUIRE(key.size() == 4);
    CHECK(it.value() == value_of(std::stoi(key.substr(1))));
  };
  auto require_stuck = [&](Iterator& it) {
    REQUIRE_FALSE(it.valid());
    const Status error = it.status();
    CHECK(error.code() == Code::kCorruption);
    it.seek_to_first();
    it.seek_to_last();
    it.seek("k000");
    it.seek_for_prev("k199");
    it.next();
    it.prev();
    CHECK_FALSE(it.valid());
    CHECK(it.status().to_string() == error.to_string());
  };

  Iterator forward = must(db->scan());
  int seen = 0;
  for (; forward.valid(); forward.next(), ++seen) check_entry(forward);
  CHECK(seen < 200);
  require_stuck(forward);

  Iterator backward = must(db->scan());
  backward.seek_to_last();
  for (; backward.valid(); backward.prev()) check_entry(backward);
  require_stuck(backward);

  // A seek straight into the damaged stretch: the first keys past it.
  Iterator seeker = must(db->scan());
  seeker.seek(key_of(seen));
  CHECK_FALSE(seeker.valid());
  CHECK(seeker.status().code() == Code::kCorruption);
}
