// DB-level behaviour: versions, point reads at versions, history, batches,
// scans, snapshots, flush and reopen (src/db/).
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>

#include "sand/sand.hpp"
#include "support/db_helpers.hpp"

using namespace sand;
using sand::test::collect;
using sand::test::must;

namespace {

Options small_options(std::shared_ptr<FileSystem> fs) {
  return Options{.memtable_size = 64 << 10, .block_size = 512, .file_system = std::move(fs)};
}

}  // namespace

TEST_CASE("put, get, delete, and versions count up from 1", "[db]") {
  auto fs = memory_file_system();
  auto db = must(DB::open("/db", small_options(fs)));
  CHECK(db->last_version() == 0);
  CHECK(must(db->put("a", "1")) == 1);
  CHECK(must(db->put("b", "2")) == 2);
  CHECK(must(db->get("a")) == std::optional<std::string>("1"));
  CHECK(must(db->del("a")) == 3);
  CHECK(must(db->get("a")) == std::nullopt);
  CHECK(must(db->get("missing")) == std::nullopt);
  CHECK(db->last_version() == 3);
}

TEST_CASE("get at a version sees the state as of that version", "[db]") {
  auto db = must(DB::open("/db", small_options(memory_file_system())));
  must(db->put("k", "v1"));     // 1
  must(db->put("x", "other"));  // 2
  must(db->put("k", "v3"));     // 3
  must(db->del("k"));           // 4
  must(db->put("k", "v5"));     // 5
  CHECK(must(db->get("k", 0)) == std::nullopt);
  CHECK(must(db->get("k", 1)) == "v1");
  CHECK(must(db->get("k", 2)) == "v1");
  CHECK(must(db->get("k", 3)) == "v3");
  CHECK(must(db->get("k", 4)) == std::nullopt);
  CHECK(must(db->get("k", 5)) == "v5");
  auto future = db->get("k", 6);
  REQUIRE(future.status().code() == Code::kInvalidArgument);
  CHECK(future.status().message().find("newer than the last committed version 5") !=
        std::string::npos);
}

TEST_CASE("history lists every version newest first, tombstones included", "[db]") {
  auto db = must(DB::open("/db", small_options(memory_file_system())));
  must(db->put("k", "a"));
  must(db->put("other", "z"));
  must(db->del("k"));
  must(db->put("k", "c"));
  const std::vector<HistoryEntry> expected = {
      {.version = 4, .deleted = false, .value = "c"},
      {.version = 3, .deleted = true, .value = ""},
      {.version = 1, .deleted = false, .value = "a"},
  };
  CHECK(must(db->history("k")) == expected);
  must(db->flush());
  must(db->put("k", "e"));
  auto after = must(db->history("k"));
  REQUIRE(after.size() == 4);
  CHECK(after[0] == HistoryEntry{.version = 5, .deleted = false, .value = "e"});
  CHECK(std::vector<HistoryEntry>(after.begin() + 1, after.end()) == expected);
  CHECK(must(db->history("never")).empty());
}

TEST_CASE("a batch commits atomically under one version - the last op on a key wins", "[db]") {
  auto db = must(DB::open("/db", small_options(memory_file_system())));
  must(db->put("a", "old"));
  WriteBatch b;
  b.put("a", "first");
  b.put("b", "2");
  b.del("a");
  b.put("a", "final");
  b.put("c", "3");
  CHECK(b.count() == 5);
  CHECK(must(db->write(b)) == 2);
  CHECK(must(db->get("a")) == "final");
  CHECK(must(db->get("b")) == "2");
  CHECK(must(db->get("a", 1)) == "old");
  CHECK(must(db->get("b", 1)) == std::nullopt);
  CHECK(must(db->history("a")).size() == 2);  // one entry per version
}

TEST_CASE("invalid writes are refused with InvalidArgument", "[db]") {
  auto db = must(DB::open("/db", small_options(memory_file_system())));
  CHECK(db->write(WriteBatch{}).status().code() == Code::kInvalidArgument);
  CHECK(db->put(std::string(kMaxKeySize + 1, 'k'), "v").status().code() == Code::kInvalidArgument);
  CHECK(must(db->put(std::string(kMaxKeySize, 'k'), "v")) == 1);
  CHECK(db->last_version() == 1);  // refused writes used no version
}

TEST_CASE("scan forward and reverse with bounds and versions", "[db]") {
  auto db = must(DB::open("/db", small_options(memory_file_system())));
  must(db->put("a", "1"));  // 1
  must(db->put("b", "2"));  // 2
  must(db->put("c", "3"));  // 3
  must(db->del("b"));       // 4
  must(db->put("d", "4"));  // 5
  using KV = std::vector<std::pair<std::string, std::string>>;
  CHECK(collect(must(db->scan())) == KV{{"a", "1"}, {"c", "3"}, {"d", "4"}});
  CHECK(collect(must(db->scan({.reverse = true}))) == KV{{"d", "4"}, {"c", "3"}, {"a", "1"}});
  CHECK(collect(must(db->scan({.from = "b", .to = "d"}))) == KV{{"c", "3"}});
  CHECK(collect(must(db->scan({.from = "b", .to = "d", .reverse = true}))) == KV{{"c", "3"}});
  CHECK(collect(must(db->scan({.at = 3}))) == KV{{"a", "1"}, {"b", "2"}, {"c", "3"}});
  CHECK(collect(must(db->scan({.from = "a", .to = "c", .at = 3, .reverse = true}))) ==
        KV{{"b", "2"}, {"a", "1"}});
  CHECK(collect(must(db->scan({.from = "x"}))).empty());
  CHECK(db->scan({.from = "z", .to = "a"}).status().code() == Code::kInvalidArgument);
}

TEST_CASE("an iterator reads a fixed version while writes go on", "[db]") {
  auto db = must(DB::open("/db", small_options(memory_file_system())));
  must(db->put("a", "1"));
  must(db->put("b", "2"));
  auto it = must(db->scan());
  must(db->put("a", "changed"));
  must(db->put("aa", "new"));
  must(db->flush());
  REQUIRE(it.valid());
  CHECK(it.key() == "a");
  CHECK(it.value() == "1");
  CHECK(it.version() == 1);
  it.next();
  REQUIRE(it.valid());
  CHECK(it.key() == "b");
  it.next();
  CHECK_FALSE(it.valid());
  CHECK(it.status().is_ok());
}

TEST_CASE("a snapshot pins a version for repeatable reads", "[db]") {
  auto db = must(DB::open("/db", small_options(memory_file_system())));
  must(db->put("k", "before"));
  const Snapshot snap = db->snapshot();
  CHECK(snap.version() == 1);
  CHECK(db->stats().live_snapshots == 1);
  must(db->put("k", "after"));
  CHECK(must(db->get("k", snap.version())) == "before");
  {
    const Snapshot copy = snap;
    CHECK(db->stats().live_snapshots == 1);  // copies share the pin
  }
}

TEST_CASE("data survives flush, many flushes and reopen", "[db]") {
  auto fs = memory_file_system();
  std::map<std::string, std::string> expected;
  {
    auto db = must(DB::open("/db", small_options(fs)));
    for (int i = 0; i < 5000; ++i) {
      const std::string k = "key" + std::to_string(i % 1700);
      const std::string v = std::string(20 + i % 50, static_cast<char>('a' + i % 26));
      must(db->put(k, v));
      expected[k] = v;
    }
    must(db->flush());
    const Stats st = db->stats();
    CHECK(st.flushes >= 3);  // 64 KiB memtables
    CHECK(st.tables[0] + st.tables[1] + st.tables[2] >= 1);
    CHECK(st.immutable_memtables == 0);
    must(db->close());
  }
  auto db = must(DB::open("/db", small_options(fs)));
  CHECK(db->last_version() == 5000);
  for (const auto& [k, v] : expected) CHECK(must(db->get(k)) == v);
  std::vector<std::pair<std::string, std::string>> want(expected.begin(), expected.end());
  CHECK(collect(must(db->scan())) == want);
  std::reverse(want.begin(), want.end());
  CHECK(collect(must(db->scan({.reverse = true}))) == want);
  CHECK(must(db->put("next", "x")) == 5001);  // versions continue
}

TEST_CASE("reopening without close replays the WAL", "[db]") {
  auto fs = memory_file_system();
  {
    auto db = must(DB::open("/db", small_options(fs)));
    must(db->put("a", "1"));
    must(db->put("b", "2"));
    // Destroyed without close(): the destructor closes, but the memory file
    // system already holds every appended byte either way.
  }
  auto db = must(DB::open("/db", small_options(fs)));
  CHECK(must(db->get("a")) == "1");
  CHECK(db->last_version() == 2);
}

TEST_CASE("open errors: missing, exists, busy, bad options", "[db]") {
  auto fs = memory_file_system();
  auto missing = DB::open("/nope", Options{.create_if_missing = false, .file_system = fs});
  CHECK(missing.status().code() == Code::kNotFound);
  auto db = must(DB::open("/db", small_options(fs)));
  auto busy = DB::open("/db", small_options(fs));
  CHECK(busy.status().code() == Code::kBusy);
  CHECK(busy.status().message().find("/db/LOCK") != std::string::npos);
  must(db->close());
  auto exists = DB::open("/db", Options{.error_if_exists = true, .file_system = fs});
  CHECK(exists.status().code() == Code::kInvalidArgument);
  auto bad = DB::open("/db2", Options{.memtable_size = 10, .file_system = fs});
  CHECK(bad.status().code() == Code::kInvalidArgument);
  auto bad_index =
      DB::open("/db2", Options{.memtable = static_cast<MemTableIndex>(7), .file_system = fs});
  CHECK(bad_index.status().code() == Code::kInvalidArgument);
  CHECK(bad_index.status().message() == "unknown memtable index 7");
  auto bad_budget =
      DB::open("/db2", Options{.memtable_size = 8192, .memtable_budget = 8191, .file_system = fs});
  CHECK(bad_budget.status().code() == Code::kInvalidArgument);
  CHECK(bad_budget.status().message() == "memtable_budget must be 0 or at least memtable_size");
}

TEST_CASE("writes after close are refused with ReadOnly", "[db]") {
  auto db = must(DB::open("/db", small_options(memory_file_system())));
  must(db->put("a", "1"));
  must(db->close());
  must(db->close());  // idempotent
  CHECK(db->put("b", "2").status().code() == Code::kReadOnly);
  CHECK(db->flush().code() == Code::kReadOnly);
}

TEST_CASE("stats count user bytes and flushes", "[db]") {
  auto db = must(DB::open("/db", small_options(memory_file_system())));
  must(db->put("key", "value"));
  Stats st = db->stats();
  CHECK(st.last_version == 1);
  CHECK(st.user_bytes_written == 8);
  CHECK(st.memtable_bytes > 0);
  // 28-byte file header + one record: 12-byte record header, 12-byte batch
  // header, kind, lp("key"), lp("value").
  CHECK(st.wal_bytes == 28 + 12 + 12 + 1 + 4 + 6);
  must(db->flush());
  st = db->stats();
  CHECK(st.flushes == 1);
  CHECK(st.tables[0] == 1);
  CHECK(st.table_bytes[0] > 0);
  CHECK(st.flush_bytes_written == st.table_bytes[0]);
}

TEST_CASE("works on the real file system with and without compression", "[db][posix]") {
  for (const Compression c : {Compression::kNone, Compression::kLz4}) {
    sand::test::TempDir dir;
    {
      auto db = must(DB::open(dir.path(), Options{.memtable_size = 32 << 10, .compression = c}));
      for (int i = 0; i < 2000; ++i) {
        must(db->put("k" + std::to_string(i), std::string(100, static_cast<char>('a' + i % 3))));
      }
      must(db->flush());
      must(db->close());
    }
    auto db = must(DB::open(dir.path(), Options{.compression = c}));
    CHECK(must(db->get("k1999")) == std::string(100, 'a' + 1999 % 3));
    CHECK(collect(must(db->scan())).size() == 2000);
  }
}
