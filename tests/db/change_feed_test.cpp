// Worked examples of the change feed (DB::changes, include/sand/db.hpp): the
// batches with versions in (since, until], in version order, each with its
// operations in key order, under history()'s retention rule (a tombstone
// shows only when it hides a retained put). Most examples are checked in the
// memtable, after flush() and after compact(): the answer must not depend on
// where the data lives.
#include "db/change_feed.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <functional>
#include <map>
#include <set>

#include "db/db_access.hpp"
#include "sand/sand.hpp"
#include "support/db_helpers.hpp"

using namespace sand;
using sand::test::must;

namespace {

Change put(std::string key, std::string value) {
  return {.key = std::move(key), .deleted = false, .value = std::move(value)};
}
Change del(std::string key) { return {.key = std::move(key), .deleted = true, .value = ""}; }

std::vector<ChangeBatch> drain(ChangeIterator feed) {
  std::vector<ChangeBatch> out;
  for (; feed.valid(); feed.next()) out.push_back(feed.batch());
  INFO(feed.status().to_string());
  REQUIRE(feed.status().is_ok());
  return out;
}

std::vector<ChangeBatch> feed_of(const DB& db, const ChangeOptions& options = {}) {
  return drain(must(db.changes(options)));
}

// The oracle: the union of every key's history() entries with versions in
// (since, until], grouped by version, keys ascending within a batch.
std::vector<ChangeBatch> feed_from_history(const DB& db, const std::set<std::string>& keys,
                                           Version since, Version until) {
  std::map<Version, std::vector<Change>> by_version;
  for (const auto& k : keys) {
    for (const HistoryEntry& e : must(db.history(k))) {
      if (e.version <= since || e.version > until) continue;
      by_version[e.version].push_back(Change{.key = k, .deleted = e.deleted, .value = e.value});
    }
  }
  std::vector<ChangeBatch> out;
  for (auto& [v, changes] : by_version) out.push_back({.version = v, .changes = changes});
  return out;
}

Status status_of(const DB& db, const ChangeOptions& options) {
  return db.changes(options).status();
}

Options plain_options() { return Options{.file_system = memory_file_system()}; }

// Rewrites `path` with the byte at `offset` flipped. The database must be
// closed (an open table maps its bytes).
void flip_byte(FileSystem& fs, const std::string& path, std::size_t offset) {
  std::string bytes(must(fs.open_readable_file(path))->contents());
  REQUIRE(offset < bytes.size());
  bytes[offset] = static_cast<char>(bytes[offset] ^ 0x5a);
  auto out = must(fs.new_writable_file(path));
  must(out->append(bytes));
  must(out->close());
}

std::vector<std::string> table_files(FileSystem& fs, const std::string& dir) {
  std::vector<std::string> out;
  for (const std::string& name : must(fs.list_dir(dir))) {
    if (name.ends_with(".sst")) out.push_back(dir + "/" + name);
  }
  return out;
}

}  // namespace

TEST_CASE("changes yields each batch once in version order with its keys sorted", "[db][changes]") {
  auto db = must(DB::open("/db", plain_options()));
  WriteBatch b;
  b.put("c", "3");
  b.put("a", "1");
  b.put("b", "2");
  b.put("a", "1b");         // a batch's last operation on a key is the one that counts
  must(db->write(b));       // 1
  must(db->put("b", "x"));  // 2
  must(db->del("a"));       // 3
  must(db->put("d", "4"));  // 4

  sand::test::check_in_memtable_flushed_and_compacted(*db, [&] {
    const std::vector<ChangeBatch> want{
        {.version = 1, .changes = {put("a", "1b"), put("b", "2"), put("c", "3")}},
        {.version = 2, .changes = {put("b", "x")}},
        {.version = 3, .changes = {del("a")}},
        {.version = 4, .changes = {put("d", "4")}},
    };
    auto feed = must(db->changes());
    CHECK(feed.until() == 4);
    CHECK(drain(std::move(feed)) == want);
    CHECK(feed_from_history(*db, {"a", "b", "c", "d"}, 0, 4) == want);
  });
}

TEST_CASE("a tombstone shows in the feed only when it hides a retained put", "[db][changes]") {
  auto db = must(DB::open("/db", plain_options()));
  must(db->del("ghost"));  // 1: hides nothing: the batch shows nothing at all
  WriteBatch b;
  b.del("ghost");
  b.put("x", "1");
  must(db->write(b));       // 2: only the put shows
  must(db->put("k", "a"));  // 3
  must(db->del("k"));       // 4: hides the put at 3
  must(db->del("k"));       // 5: a tombstone over a tombstone over a put shows too
  must(db->del("n"));       // 6: over nothing
  must(db->del("n"));       // 7: over a tombstone over nothing

  sand::test::check_in_memtable_flushed_and_compacted(*db, [&] {
    CHECK(feed_of(*db) == std::vector<ChangeBatch>{
                              {.version = 2, .changes = {put("x", "1")}},
                              {.version = 3, .changes = {put("k", "a")}},
                              {.version = 4, .changes = {del("k")}},
                              {.version = 5, .changes = {del("k")}},
                          });
    // Since 3 the put lies below `since`: the feed must look it up.
    CHECK(feed_of(*db, {.since = 3}) == std::vector<ChangeBatch>{
                                            {.version = 4, .changes = {del("k")}},
                                            {.version = 5, .changes = {del("k")}},
                                        });
    CHECK(feed_of(*db, {.since = 4}) ==
          std::vector<ChangeBatch>{{.version = 5, .changes = {del("k")}}});
    CHECK(feed_of(*db, {.since = 5}).empty());
    CHECK(feed_from_history(*db, {"ghost", "x", "k", "n"}, 0, 7) == feed_of(*db));
  });
}

TEST_CASE("the retention mark decides whether a tombstone hides a retained put",
          "[db][changes][retention]") {
  auto db = must(DB::open("/db", plain_options()));
  must(db->put("k", "a"));  // 1
  must(db->del("k"));       // 2
  must(db->del("k"));       // 3
  must(db->del("k"));       // 4
  must(db->put("j", "b"));  // 5
  must(db->del("j"));       // 6
  // Mark 0: the put at 1 is retained, so every tombstone of k hides it.
  CHECK(feed_of(*db, {.since = 3}) ==
        std::vector<ChangeBatch>{{.version = 4, .changes = {del("k")}},
                                 {.version = 5, .changes = {put("j", "b")}},
                                 {.version = 6, .changes = {del("j")}}});
  // Mark 3: history keeps 3 and the newest below it (2), both tombstones,
  // so k's tombstone at 4 hides nothing; j's put at 5 is still retained.
  must(db->forget_before(3));
  sand::test::check_in_memtable_flushed_and_compacted(*db, [&] {
    CHECK(feed_of(*db, {.since = 3}) ==
          std::vector<ChangeBatch>{{.version = 5, .changes = {put("j", "b")}},
                                   {.version = 6, .changes = {del("j")}}});
    CHECK(feed_from_history(*db, {"k", "j"}, 3, 6) == feed_of(*db, {.since = 3}));
  });
}

TEST_CASE("changes keeps to the key range and the prefix", "[db][changes]") {
  auto db = must(DB::open("/db", plain_options()));
  WriteBatch b;
  for (const char* k : {"a", "b", "b1", "b2", "c", "d"}) b.put(k, std::string("v") + k);
  must(db->write(b));  // 1
  WriteBatch b2;
  b2.put(std::string("\xff\xff", 2), "high");
  b2.put(std::string("\xff\xff\x01", 3), "higher");
  b2.put("b", "again");
  must(db->write(b2));      // 2
  must(db->put("a", "z"));  // 3: outside most ranges below

  sand::test::check_in_memtable_flushed_and_compacted(*db, [&] {
    CHECK(feed_of(*db, {.from = "b", .to = "c"}) ==
          std::vector<ChangeBatch>{
              {.version = 1, .changes = {put("b", "vb"), put("b1", "vb1"), put("b2", "vb2")}},
              {.version = 2, .changes = {put("b", "again")}}});
    CHECK(feed_of(*db, {.prefix = "b"}) == feed_of(*db, {.from = "b", .to = "c"}));
    CHECK(
        feed_of(*db, {.from = "b1", .prefix = "b"}) ==
        std::vector<ChangeBatch>{{.version = 1, .changes = {put("b1", "vb1"), put("b2", "vb2")}}});
    CHECK(feed_of(*db, {.to = "b1", .prefix = "b"}) ==
          std::vector<ChangeBatch>{{.version = 1, .changes = {put("b", "vb")}},
                                   {.version = 2, .changes = {put("b", "again")}}});
    // A prefix of 0xff bytes has no successor: it runs to the last key.
    CHECK(feed_of(*db, {.prefix = std::string("\xff\xff", 2)}) ==
          std::vector<ChangeBatch>{{.version = 2,
                                    .changes = {put(std::string("\xff\xff", 2), "high"),
                                                put(std::string("\xff\xff\x01", 3), "higher")}}});
    CHECK(feed_of(*db, {.from = "c"}) ==
          std::vector<ChangeBatch>{{.version = 1, .changes = {put("c", "vc"), put("d", "vd")}},
                                   {.version = 2,
                                    .changes = {put(std::string("\xff\xff", 2), "high"),
                                                put(std::string("\xff\xff\x01", 3), "higher")}}});
    CHECK(feed_of(*db, {.from = "b", .to = "b"}).empty());
    CHECK(feed_of(*db, {.prefix = "q"}).empty());
  });
}

TEST_CASE("changes since a version in the middle and until one in the past", "[db][changes]") {
  auto db = must(DB::open("/db", plain_options()));
  for (int i = 1; i <= 6; ++i) must(db->put("k" + std::to_string(i % 3), std::to_string(i)));

  sand::test::check_in_memtable_flushed_and_compacted(*db, [&] {
    auto feed = must(db->changes({.since = 2, .until = 4}));
    CHECK(feed.until() == 4);
    CHECK(drain(std::move(feed)) ==
          std::vector<ChangeBatch>{{.version = 3, .changes = {put("k0", "3")}},
                                   {.version = 4, .changes = {put("k1", "4")}}});
    CHECK(feed_of(*db, {.since = 5}) ==
          std::vector<ChangeBatch>{{.version = 6, .changes = {put("k0", "6")}}});
    CHECK(feed_of(*db, {.since = 6}).empty());
    CHECK(feed_of(*db, {.since = 3, .until = 3}).empty());
  });
}

TEST_CASE("a feed reads a fixed range and ignores later writes", "[db][changes]") {
  auto db = must(DB::open("/db", plain_options()));
  must(db->put("a", "1"));
  auto feed = must(db->changes());
  must(db->put("b", "2"));
  must(db->flush());
  CHECK(feed.until() == 1);
  CHECK(drain(std::move(feed)) ==
        std::vector<ChangeBatch>{{.version = 1, .changes = {put("a", "1")}}});
}

TEST_CASE("a feed outlives its DB", "[db][changes]") {
  auto db = must(DB::open("/db", plain_options()));
  must(db->put("a", "1"));
  must(db->flush());
  must(db->put("b", "2"));
  auto feed = must(db->changes());
  must(db->close());
  db.reset();
  CHECK(drain(std::move(feed)) ==
        std::vector<ChangeBatch>{{.version = 1, .changes = {put("a", "1")}},
                                 {.version = 2, .changes = {put("b", "2")}}});
}

TEST_CASE("changes refuses since below the retention mark and names both versions",
          "[db][changes][retention]") {
  auto db = must(DB::open("/db", plain_options()));
  for (int i = 0; i < 8; ++i) must(db->put("k", std::to_string(i)));
  must(db->forget_before(5));
  const Status s = status_of(*db, {.since = 3});
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK_THAT(s.to_string(), Catch::Contains("3") && Catch::Contains("5") &&
                                Catch::Contains("compacted") && Catch::Contains("retention mark"));
  CHECK(feed_of(*db, {.since = 5}).size() == 3);

  SECTION("latest-only retention: only the last version is a valid since") {
    auto latest = must(DB::open("/latest", Options{.retention = Retention::kLatestOnly,
                                                   .file_system = memory_file_system()}));
    must(latest->put("a", "1"));
    must(latest->put("a", "2"));
    CHECK(status_of(*latest, {.since = 1}).code() == Code::kInvalidArgument);
    CHECK(feed_of(*latest, {.since = 2}).empty());
  }
}

TEST_CASE("changes refuses until past the last version or below since and from after to",
          "[db][changes]") {
  auto db = must(DB::open("/db", plain_options()));
  must(db->put("a", "1"));
  must(db->put("a", "2"));
  const Status past = status_of(*db, {.until = 3});
  CHECK(past.code() == Code::kInvalidArgument);
  CHECK_THAT(past.to_string(), Catch::Contains("3") && Catch::Contains("2"));
  CHECK(status_of(*db, {.since = 2, .until = 1}).code() == Code::kInvalidArgument);
  CHECK(status_of(*db, {.since = 3}).code() == Code::kInvalidArgument);
  CHECK(status_of(*db, {.from = "b", .to = "a"}).code() == Code::kInvalidArgument);
  CHECK(feed_of(*db, {.since = 2, .until = 2}).empty());
}

TEST_CASE("changes reads memtables and every level alike and compaction changes nothing",
          "[db][changes][compaction]") {
  auto fs = memory_file_system();
  auto db = must(DB::open("/db", sand::test::tiny_compacting_options(fs, Retention::kAll)));
  std::set<std::string> keys;
  for (int i = 1; i <= 600; ++i) {
    const std::string k = "key" + std::to_string(i * 37 % 101);
    keys.insert(k);
    if (i % 7 == 0) {
      must(db->del(k));
    } else if (i % 5 == 0) {
      WriteBatch b;
      b.put(k, std::string(static_cast<std::size_t>(i % 90), 'v') + std::to_string(i));
      b.del("key" + std::to_string(i % 13));
      keys.insert("key" + std::to_string(i % 13));
      must(db->write(b));
    } else {
      must(db->put(k, std::string(static_cast<std::size_t>(i % 90), 'v') + std::to_string(i)));
    }
    if (i == 400) must(db->forget_before(150));
  }
  const Stats st = db->stats();
  INFO("tables " << st.tables[0] << "/" << st.tables[1] << "/" << st.tables[2]);
  CHECK(st.tables[2] + st.tables[1] > 0);  // the data really is spread out

  std::map<Version, std::vector<ChangeBatch>> before;
  for (const Version since : std::initializer_list<Version>{150, 151, 300, 420, 590, 600}) {
    const auto got = feed_of(*db, {.since = since});
    CHECK(got == feed_from_history(*db, keys, since, 600));
    before[since] = got;
  }
  must(db->compact());
  for (const auto& [since, got] : before) CHECK(feed_of(*db, {.since = since}) == got);
}

TEST_CASE("a feed cut into small windows never splits a batch", "[db][changes]") {
  auto db = must(DB::open("/db", plain_options()));
  for (int i = 1; i <= 40; ++i) {
    WriteBatch b;
    for (int j = 0; j < 1 + i % 4; ++j)
      b.put("k" + std::to_string((i * 7 + j) % 23), "v" + std::to_string(i));
    if (i % 6 == 0) b.del("k" + std::to_string(i % 23));
    must(db->write(b));
    if (i == 15) must(db->flush());
  }
  const auto whole = feed_of(*db, {.since = 3});
  REQUIRE(whole.size() > 30);

  // A budget below one batch: each window holds exactly its lowest batch.
  for (const std::size_t budget : {std::size_t{1}, std::size_t{700}}) {
    INFO("budget " << budget);
    const auto point = detail::DbAccess::impl(*db).read_point();
    detail::ChangeFeedState state(point.view, {.since = 3, .until = point.last, .mark = point.mark},
                                  budget);
    std::vector<ChangeBatch> got;
    for (state.start(); state.valid(); state.next()) got.push_back(state.batch());
    REQUIRE(state.status().is_ok());
    CHECK(got == whole);
    CHECK(state.windows_loaded() > 1);
    if (budget == 1) CHECK(state.windows_loaded() >= whole.size());
  }
}

TEST_CASE("batches larger than the window budget come whole", "[db][changes]") {
  auto db = must(DB::open("/db", plain_options()));
  const std::string big(9 << 20, 'x');
  WriteBatch b;
  b.put("b", big + "1");
  b.put("a", big + "2");
  must(db->write(b));             // 1: 18 MiB, above the 16 MiB budget
  must(db->put("c", big + "3"));  // 2
  must(db->put("d", big + "4"));  // 3
  auto feed = must(db->changes());
  std::vector<std::pair<Version, std::vector<std::string>>> seen;
  for (; feed.valid(); feed.next()) {
    std::vector<std::string> keys;
    for (const Change& c : feed.batch().changes) {
      CHECK(c.value.size() == big.size() + 1);
      keys.push_back(c.key);
    }
    seen.emplace_back(feed.batch().version, keys);
  }
  REQUIRE(feed.status().is_ok());
  CHECK(seen == std::vector<std::pair<Version, std::vector<std::string>>>{
                    {1, {"a", "b"}}, {2, {"c"}}, {3, {"d"}}});
}

TEST_CASE("a read-only handle shows the writer's changes up to its last refresh",
          "[db][changes][read_only]") {
  auto fs = memory_file_system();
  auto writer = must(DB::open("/db", Options{.file_system = fs}));
  must(writer->put("a", "1"));
  must(writer->flush());
  must(writer->put("b", "2"));
  auto reader = must(DB::open_read_only("/db", Options{.file_system = fs}));
  must(writer->put("c", "3"));
  CHECK(feed_of(*reader) == std::vector<ChangeBatch>{{.version = 1, .changes = {put("a", "1")}},
                                                     {.version = 2, .changes = {put("b", "2")}}});
  CHECK(status_of(*reader, {.until = 3}).code() == Code::kInvalidArgument);
  must(reader->refresh());
  CHECK(feed_of(*reader, {.since = 2}) ==
        std::vector<ChangeBatch>{{.version = 3, .changes = {put("c", "3")}}});
}

TEST_CASE("catching up never reads a table whose versions all lie at or below since",
          "[db][changes]") {
  // The old table's first data block is corrupt: any read of it fails. A
  // feed that read it (rather than skipping it by its version range) fails
  // too, so a correct answer proves the skip.
  auto fs = memory_file_system();
  const Options options{.file_system = fs};
  {
    auto db = must(DB::open("/db", options));
    for (int i = 0; i < 100; ++i) must(db->put("old" + std::to_string(1000 + i), "old value"));
    must(db->flush());
    must(db->close());
  }
  const auto old_tables = table_files(*fs, "/db");
  REQUIRE(old_tables.size() == 1);
  flip_byte(*fs, old_tables[0], 3);

  auto db = must(DB::open("/db", options));
  REQUIRE(db->last_version() == 100);
  CHECK(db->history("old1050").status().code() == Code::kCorruption);

  // New keys inside the old table's key range, in a new table and in the
  // memtable; tombstones that hide a put of the feed's range or nothing.
  std::vector<ChangeBatch> want;
  for (int i = 0; i < 20; ++i) {
    const std::string key = "old" + std::to_string(1000 + i * 5) + "n";
    const Version v = must(db->put(key, "new" + std::to_string(i)));
    want.push_back({.version = v, .changes = {put(key, "new" + std::to_string(i))}});
    if (i == 10) must(db->flush());  // versions 101..111 in a new level-0 table
  }
  want.push_back({.version = must(db->del("old1000n")), .changes = {del("old1000n")}});
  must(db->del("zzz"));  // hides nothing: no batch
  must(db->put("a", "after"));
  want.push_back({.version = db->last_version(), .changes = {put("a", "after")}});

  CHECK(feed_of(*db, {.since = 100}) == want);
  CHECK(feed_of(*db, {.since = 100, .prefix = "old"}) ==
        std::vector<ChangeBatch>(want.begin(), want.end() - 1));
  // The same feed from version 0 must read the old table, and fails.
  CHECK(status_of(*db, {}).code() == Code::kCorruption);
}

TEST_CASE("a feed tailing a large memtable reads only the range's entries and answers as before",
          "[db][changes]") {
  // 200 batches of 1000 puts (versions 1..200), then a tail of single
  // writes (201..210), all in the active memtable.
  auto db = must(DB::open("/db", plain_options()));
  const auto key_of = [](int i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "key%06d", i * 7919 % 200000);  // distinct for i < 200000
    return std::string(buf);
  };
  std::map<Version, std::vector<Change>> model;
  for (int b = 0; b < 200; ++b) {
    WriteBatch batch;
    std::vector<Change> changes;
    for (int j = 0; j < 1000; ++j) {
      const int i = b * 1000 + j;
      batch.put(key_of(i), "v" + std::to_string(i));
      changes.push_back(put(key_of(i), "v" + std::to_string(i)));
    }
    std::sort(changes.begin(), changes.end(),
              [](const Change& x, const Change& y) { return x.key < y.key; });
    model[must(db->write(batch))] = std::move(changes);
  }
  REQUIRE(db->last_version() == 200);
  for (int i = 0; i < 10; ++i) {
    if (i == 3) {
      model[must(db->del(key_of(17)))] = {del(key_of(17))};  // hides a put of version 1
    } else if (i == 6) {
      must(db->del("nothing-here"));  // hides nothing: no batch
    } else {
      const std::string k = i % 2 == 0 ? key_of(i) : "tail" + std::to_string(i);
      model[must(db->put(k, "t" + std::to_string(i)))] = {put(k, "t" + std::to_string(i))};
    }
  }
  REQUIRE(db->last_version() == 210);
  const auto want_since = [&](Version since) {
    std::vector<ChangeBatch> want;
    for (auto it = model.upper_bound(since); it != model.end(); ++it) {
      want.push_back({.version = it->first, .changes = it->second});
    }
    return want;
  };

  const auto point = detail::DbAccess::impl(*db).read_point();
  REQUIRE(point.view->frozen.empty());
  REQUIRE(point.view->all_tables().empty());
  const MemTable& mem = *point.view->mem;
  REQUIRE(mem.entries() == 200010);
  // The tail's window takes its entries from the memtable's version log:
  // 10, not 200010.
  CHECK(mem.entries_in_versions(200, 210)->size() == 10);
  CHECK(mem.entries_in_versions(199, 210)->size() == 1010);

  CHECK(feed_of(*db, {.since = 200}) == want_since(200));
  const auto after_205 = want_since(205);
  REQUIRE(after_205.size() == 4);  // 206, 208, 209, 210
  CHECK(feed_of(*db, {.since = 205, .until = 208}) ==
        std::vector<ChangeBatch>(after_205.begin(), after_205.begin() + 2));
  CHECK(feed_of(*db, {.since = 199, .prefix = "tail"}) ==
        std::vector<ChangeBatch>{{.version = 202, .changes = {put("tail1", "t1")}},
                                 {.version = 206, .changes = {put("tail5", "t5")}},
                                 {.version = 208, .changes = {put("tail7", "t7")}},
                                 {.version = 210, .changes = {put("tail9", "t9")}}});
  // The whole memtable: more than one 16 MiB window.
  CHECK(feed_of(*db) == want_since(0));

  // One batch per window: each window reads its own slice of the log.
  detail::ChangeFeedState state(point.view, {.since = 195, .until = point.last, .mark = point.mark},
                                1);
  std::vector<ChangeBatch> got;
  for (state.start(); state.valid(); state.next()) got.push_back(state.batch());
  REQUIRE(state.status().is_ok());
  CHECK(got == want_since(195));
  CHECK(state.windows_loaded() >= got.size());
}
