// Tiered compaction, retention and file lifecycle, case by case (src/db/):
// L0 -> L1 runs -> L2, compact(), tombstone and version dropping under the
// low-water mark and latest-only retention, compaction stats, and which files
// a directory holds after compaction and after open.
//
// Background work is awaited by polling stats() with a bounded wait, so a
// compaction that never happens fails the test instead of hanging it.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <thread>

#include "manifest/manifest_log.hpp"
#include "sand/sand.hpp"
#include "support/crash_file_system.hpp"
#include "support/db_helpers.hpp"

using namespace sand;
using sand::test::collect;
using sand::test::must;

namespace {

const std::string kDir = "/db";

std::string key_of(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "key%05d", i);
  return buf;
}

// `len` bytes that differ per (key, round) and do not compress.
std::string value_of(int key, int round, std::size_t len = 100) {
  std::string v(len, '\0');
  std::uint64_t x = (static_cast<std::uint64_t>(key) << 20) ^ static_cast<std::uint64_t>(round) ^
                    0x9e3779b97f4a7c15ull;
  for (auto& c : v) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>('a' + x % 26);
  }
  return v;
}

// No automatic flushes (flush() decides), tiny files, triggers given.
Options tiered_options(std::shared_ptr<FileSystem> fs, int l0_trigger, int l1_trigger) {
  return Options{.memtable_size = 1 << 20,
                 .block_size = 256,
                 .compression = Compression::kNone,
                 .l0_trigger = l0_trigger,
                 .l1_trigger = l1_trigger,
                 .target_file_size = 4096,
                 .file_system = std::move(fs)};
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

std::uint64_t total_tables(const Stats& s) { return s.tables[0] + s.tables[1] + s.tables[2]; }
std::uint64_t total_table_bytes(const Stats& s) {
  return s.table_bytes[0] + s.table_bytes[1] + s.table_bytes[2];
}

// The live tables as the manifest on disk records them.
std::vector<manifest::TableMeta> manifest_tables(FileSystem& fs) {
  const manifest::State state = must(manifest::replay(fs, kDir));
  std::vector<manifest::TableMeta> out;
  for (const auto& [number, meta] : state.tables) out.push_back(meta);
  return out;
}

// "000012.sst" for (12, ".sst").
std::string numbered(std::uint64_t n, const std::string& suffix) {
  std::string digits = std::to_string(n);
  return std::string(digits.size() < 6 ? 6 - digits.size() : 0, '0') + digits + suffix;
}

std::vector<std::string> files_with_suffix(FileSystem& fs, std::string_view suffix) {
  std::vector<std::string> out;
  for (const auto& name : must(fs.list_dir(kDir))) {
    if (name.size() > suffix.size() && name.ends_with(suffix)) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Tables of one level, sorted by smallest key, never overlapping in user keys
// (so every version of a key sits in exactly one file).
void require_one_sorted_run(std::vector<manifest::TableMeta> tables) {
  std::sort(tables.begin(), tables.end(),
            [](const auto& a, const auto& b) { return a.smallest_key < b.smallest_key; });
  for (std::size_t i = 0; i < tables.size(); ++i) {
    INFO("table " << tables[i].number << " [" << tables[i].smallest_key << ", "
                  << tables[i].largest_key << "]");
    CHECK(tables[i].smallest_key <= tables[i].largest_key);
    if (i > 0) CHECK(tables[i - 1].largest_key < tables[i].smallest_key);
  }
}

// Writes keys [from, to) at `round`, then flush().
void write_and_flush(DB& db, int from, int to, int round) {
  for (int i = from; i < to; ++i) must(db.put(key_of(i), value_of(i, round)));
  must(db.flush());
}

void require_values(const DB& db, int from, int to, int round) {
  for (int i = from; i < to; ++i) {
    INFO(key_of(i));
    REQUIRE(must(db.get(key_of(i))) == value_of(i, round));
  }
}

}  // namespace

TEST_CASE("L0 reaching l0_trigger is merged into one L1 run and L0 empties", "[db][compaction]") {
  auto fs = memory_file_system();
  auto db = must(DB::open(kDir, tiered_options(fs, 3, 8)));
  write_and_flush(*db, 0, 100, 0);
  write_and_flush(*db, 50, 150, 1);
  {
    const Stats s = db->stats();
    CHECK(s.tables[0] == 2);
    CHECK(s.tables[1] == 0);
    CHECK(s.compactions == 0);
  }
  write_and_flush(*db, 100, 200, 2);
  REQUIRE(wait_for(*db, [](const Stats& st) { return st.tables[0] == 0 && st.l1_runs == 1; }));
  const Stats s = db->stats();
  CHECK(s.compactions == 1);
  CHECK(s.tables[1] >= 1);
  CHECK(s.tables[2] == 0);
  CHECK(s.compaction_bytes_read > 0);
  CHECK(s.compaction_bytes_written > 0);

  const auto tables = manifest_tables(*fs);
  REQUIRE(tables.size() == s.tables[1]);
  for (const auto& t : tables) {
    CHECK(t.level == 1);
    CHECK(t.run == tables.front().run);
  }
  require_one_sorted_run(tables);
  require_values(*db, 0, 50, 0);
  require_values(*db, 50, 100, 1);
  require_values(*db, 100, 200, 2);
  CHECK(must(db->get(key_of(60), 100)) == value_of(60, 0));  // older versions kept
}

TEST_CASE("l1_trigger L1 runs are merged with L2 into L2", "[db][compaction]") {
  auto fs = memory_file_system();
  auto db = must(DB::open(kDir, tiered_options(fs, 2, 2)));
  write_and_flush(*db, 0, 100, 0);
  write_and_flush(*db, 100, 200, 0);
  REQUIRE(wait_for(*db, [](const Stats& st) { return st.tables[0] == 0 && st.l1_runs == 1; }));
  CHECK(db->stats().tables[2] == 0);

  write_and_flush(*db, 50, 150, 1);
  write_and_flush(*db, 150, 250, 1);
  REQUIRE(wait_for(*db, [](const Stats& st) {
    return st.tables[0] == 0 && st.l1_runs == 0 && st.tables[1] == 0 && st.tables[2] > 0;
  }));
  const Stats s = db->stats();
  CHECK(s.compactions == 3);  // two L0 -> L1, one L1 + L2 -> L2
  auto tables = manifest_tables(*fs);
  for (const auto& t : tables) CHECK(t.level == 2);
  require_one_sorted_run(tables);

  // A second round merges the new runs with the existing level 2. Waiting
  // after each pair keeps the two L0 merges apart (one slow merge would
  // otherwise take all four tables into a single run).
  write_and_flush(*db, 200, 300, 2);
  write_and_flush(*db, 0, 10, 2);
  REQUIRE(wait_for(*db, [](const Stats& st) { return st.tables[0] == 0 && st.l1_runs == 1; }));
  write_and_flush(*db, 300, 320, 2);
  write_and_flush(*db, 320, 340, 2);
  REQUIRE(wait_for(*db, [](const Stats& st) {
    return st.tables[0] == 0 && st.l1_runs == 0 && st.compactions == 6;
  }));
  tables = manifest_tables(*fs);
  for (const auto& t : tables) CHECK(t.level == 2);
  require_one_sorted_run(tables);
  require_values(*db, 0, 10, 2);
  require_values(*db, 10, 50, 0);
  require_values(*db, 50, 200, 1);
  require_values(*db, 200, 340, 2);
}

TEST_CASE("compact() leaves only L2: one run of files cut near target_file_size",
          "[db][compaction]") {
  auto fs = memory_file_system();
  auto db = must(DB::open(kDir, tiered_options(fs, 4, 4)));
  // Three versions of each key: a file cut may not split a key's versions.
  for (int round = 0; round < 3; ++round) write_and_flush(*db, 0, 700, round);
  must(db->put(key_of(5), "latest"));  // still in the memtable: compact() flushes it
  must(db->compact());
  const Stats s = db->stats();
  CHECK(s.tables[0] == 0);
  CHECK(s.tables[1] == 0);
  CHECK(s.l1_runs == 0);
  const std::uint64_t bytes = s.table_bytes[2];
  CHECK(s.tables[2] >= bytes / (2 * 4096));
  CHECK(s.tables[2] >= 10);
  CHECK(s.space_amplification == 1.0);

  const auto tables = manifest_tables(*fs);
  REQUIRE(tables.size() == s.tables[2]);
  std::uint64_t sum = 0;
  for (const auto& t : tables) {
    INFO("table " << t.number << " holds " << t.file_size << " bytes");
    CHECK(t.level == 2);
    CHECK(t.file_size <= 3 * 4096);
    sum += t.file_size;
  }
  CHECK(sum == bytes);
  require_one_sorted_run(tables);
  CHECK(must(db->get(key_of(5))) == "latest");
  require_values(*db, 6, 700, 2);
  CHECK(must(db->history(key_of(3))).size() == 3);
  CHECK(files_with_suffix(*fs, ".sst").size() == tables.size());
}

TEST_CASE("a deleted key never resurfaces, whatever order flushes and compactions run in",
          "[db][compaction]") {
  // After each of the three writes of "k" (put v1, put v2, delete), one of:
  // nothing, flush, compact, or filler writes + flush (to push L0 into L1).
  enum Step { kNothing, kFlush, kCompact, kFiller };
  for (int combo = 0; combo < 4 * 4 * 4; ++combo) {
    const Step steps[3] = {Step(combo % 4), Step(combo / 4 % 4), Step(combo / 16 % 4)};
    INFO("steps " << steps[0] << steps[1] << steps[2]);
    auto db = must(DB::open(kDir, tiered_options(memory_file_system(), 2, 2)));
    int filler = 0;
    auto step = [&](Step s) {
      switch (s) {
        case kNothing:
          break;
        case kFlush:
          must(db->flush());
          break;
        case kCompact:
          must(db->compact());
          break;
        case kFiller:
          for (int i = 0; i < 5; ++i) must(db->put("f" + std::to_string(filler++), "x"));
          must(db->flush());
          break;
      }
    };
    const Version v1 = must(db->put("k", "v1"));
    step(steps[0]);
    const Version v2 = must(db->put("k", "v2"));
    step(steps[1]);
    const Version gone = must(db->del("k"));
    step(steps[2]);
    auto check_gone = [&] {
      CHECK(must(db->get("k")) == std::nullopt);
      if (gone >= db->low_water_mark()) CHECK(must(db->get("k", gone)) == std::nullopt);
      for (const auto& [k, v] : collect(must(db->scan()))) CHECK(k != "k");
      for (const auto& [k, v] : collect(must(db->scan({.reverse = true})))) CHECK(k != "k");
    };
    check_gone();
    CHECK(must(db->get("k", v1)) == "v1");
    CHECK(must(db->get("k", v2)) == "v2");
    CHECK(must(db->history("k")).size() == 3);
    step(kFiller);
    step(kFiller);
    check_gone();
    must(db->compact());
    check_gone();
    CHECK(must(db->get("k", v2)) == "v2");
    must(db->forget_before(db->last_version()));
    must(db->compact());
    check_gone();
    CHECK(must(db->history("k")).empty());
    must(db->put("other", "y"));
    must(db->compact());
    check_gone();
  }
}

TEST_CASE("tombstones leave L2 once nothing older remains beneath them", "[db][compaction]") {
  auto fs = memory_file_system();
  auto db = must(DB::open(kDir, tiered_options(fs, 4, 4)));
  write_and_flush(*db, 0, 200, 0);
  for (int i = 0; i < 200; ++i) must(db->del(key_of(i)));
  must(db->compact());
  // M = 0: the puts are still history, so the tombstones over them stay.
  CHECK(total_tables(db->stats()) > 0);
  REQUIRE(must(db->history(key_of(7))).size() == 2);
  CHECK(must(db->history(key_of(7)))[0].deleted);

  // A version at or above M is kept with the newest one below it, so the
  // mark must pass the last delete: one more write, itself a tombstone over
  // nothing, takes it there.
  must(db->del("never written"));
  must(db->forget_before(db->last_version()));
  must(db->compact());
  const Stats s = db->stats();
  CHECK(total_tables(s) == 0);
  CHECK(total_table_bytes(s) == 0);
  CHECK(files_with_suffix(*fs, ".sst").empty());
  for (int i = 0; i < 200; i += 17) CHECK(must(db->history(key_of(i))).empty());
  CHECK(collect(must(db->scan())).empty());
}

TEST_CASE("a delete of a never-written key leaves no table and no history", "[db][compaction]") {
  auto fs = memory_file_system();
  auto db = must(DB::open(kDir, tiered_options(fs, 4, 4)));
  for (int i = 0; i < 50; ++i) must(db->del("ghost" + std::to_string(i)));
  CHECK(must(db->history("ghost3")).empty());  // M = 0: still nothing to hide
  must(db->flush());
  CHECK(must(db->history("ghost3")).empty());
  must(db->compact());
  CHECK(must(db->history("ghost3")).empty());
  CHECK(total_tables(db->stats()) == 0);
  CHECK(files_with_suffix(*fs, ".sst").empty());
}

TEST_CASE("latest-only retention and compact() shrink tables to about the live data",
          "[db][compaction][retention]") {
  constexpr int kKeys = 1000;
  // One copy of the live data, compacted, is the yardstick.
  std::uint64_t one_copy = 0;
  {
    auto db = must(DB::open(kDir, tiered_options(memory_file_system(), 4, 4)));
    for (int i = 0; i < kKeys; ++i) must(db->put(key_of(i), value_of(i, 19)));
    must(db->compact());
    one_copy = total_table_bytes(db->stats());
    REQUIRE(one_copy > kKeys * 100);
  }
  Options o = tiered_options(memory_file_system(), 2, 2);
  o.retention = Retention::kLatestOnly;
  o.memtable_size = 64 << 10;
  auto db = must(DB::open(kDir, o));
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < kKeys; ++i) must(db->put(key_of(i), value_of(i, round)));
  }
  must(db->compact());
  const Stats s = db->stats();
  INFO("one copy " << one_copy << " bytes, after 20 overwrites " << total_table_bytes(s));
  CHECK(total_table_bytes(s) < one_copy * 3 / 2);
  CHECK(s.tables[0] + s.tables[1] == 0);
  CHECK(s.low_water_mark == s.last_version);
  require_values(*db, 0, kKeys, 19);
  CHECK(must(db->history(key_of(10))) ==
        std::vector<HistoryEntry>{{.version = s.last_version - kKeys + 1 + 10,
                                   .deleted = false,
                                   .value = value_of(10, 19)}});
}

TEST_CASE("forget_before persists across reopen and never lowers the mark", "[db][retention]") {
  auto fs = memory_file_system();
  {
    auto db = must(DB::open(kDir, tiered_options(fs, 2, 2)));
    for (int i = 1; i <= 10; ++i) must(db->put("k", "v" + std::to_string(i)));
    CHECK(db->low_water_mark() == 0);
    must(db->forget_before(6));
    CHECK(db->low_water_mark() == 6);
    must(db->forget_before(3));  // lower: a no-op
    CHECK(db->low_water_mark() == 6);
    const Status too_new = db->forget_before(11);
    CHECK(too_new.code() == Code::kInvalidArgument);
    CHECK(db->low_water_mark() == 6);
    CHECK(db->stats().low_water_mark == 6);
    must(db->close());
  }
  {
    auto db = must(DB::open(kDir, tiered_options(fs, 2, 2)));
    CHECK(db->low_water_mark() == 6);
    CHECK(db->stats().low_water_mark == 6);
    CHECK(db->get("k", 5).status().code() == Code::kInvalidArgument);
    CHECK(db->scan({.at = 5}).status().code() == Code::kInvalidArgument);
    CHECK(must(db->get("k", 6)) == "v6");
    CHECK(must(db->get("k", 10)) == "v10");
    // Versions 10..6, plus the newest below M.
    CHECK(must(db->history("k")).size() == 6);
    must(db->compact());
    CHECK(must(db->get("k", 6)) == "v6");
    CHECK(must(db->history("k")).size() == 6);
    must(db->close());
  }
  {
    // Killed right after forget_before returns: the mark must already be
    // durable, without close().
    auto crash_fs = std::make_shared<sand::test::CrashFileSystem>(fs);
    auto db = must(DB::open(kDir, tiered_options(crash_fs, 2, 2)));
    must(db->forget_before(8));
    crash_fs->crash_after(crash_fs->ops());
  }
  auto db = must(DB::open(kDir, tiered_options(fs, 2, 2)));
  CHECK(db->low_water_mark() == 8);
  CHECK(db->get("k", 7).status().code() == Code::kInvalidArgument);
  CHECK(must(db->get("k", 8)) == "v8");
}

TEST_CASE("latest-only retention keeps the mark at the last version, across reopen",
          "[db][retention]") {
  auto fs = memory_file_system();
  Options o = tiered_options(fs, 2, 2);
  o.retention = Retention::kLatestOnly;
  {
    auto db = must(DB::open(kDir, o));
    CHECK(db->low_water_mark() == 0);
    must(db->put("a", "1"));
    must(db->put("a", "2"));
    CHECK(db->low_water_mark() == 2);
    CHECK(db->get("a", 1).status().code() == Code::kInvalidArgument);
    CHECK(must(db->get("a", 2)) == "2");
    must(db->forget_before(1));  // no-op
    CHECK(db->forget_before(3).code() == Code::kInvalidArgument);
    must(db->close());
  }
  auto db = must(DB::open(kDir, o));
  CHECK(db->low_water_mark() == 2);
  must(db->put("b", "3"));
  CHECK(db->low_water_mark() == 3);
}

TEST_CASE("a live snapshot below the mark keeps its state through compaction",
          "[db][retention][compaction]") {
  auto fs = memory_file_system();
  auto db = must(DB::open(kDir, tiered_options(fs, 2, 2)));
  write_and_flush(*db, 0, 100, 0);
  must(db->del(key_of(1)));
  Snapshot snap = db->snapshot();
  const Version at = snap.version();
  write_and_flush(*db, 0, 100, 1);
  must(db->put(key_of(1), "back"));
  must(db->forget_before(db->last_version()));
  must(db->compact());
  CHECK(must(db->get(key_of(0), at)) == value_of(0, 0));
  CHECK(must(db->get(key_of(1), at)) == std::nullopt);
  const auto rows = collect(must(db->scan({.at = at})));
  REQUIRE(rows.size() == 99);
  CHECK(rows[0] == std::pair{key_of(0), value_of(0, 0)});
  CHECK(rows[1] == std::pair{key_of(2), value_of(2, 0)});
  // Versions between the snapshot and M are still refused.
  CHECK(db->get(key_of(0), at + 1).status().code() == Code::kInvalidArgument);

  snap = Snapshot();  // released: `at` is below M and no longer pinned
  CHECK(db->get(key_of(0), at).status().code() == Code::kInvalidArgument);
  must(db->compact());
  CHECK(must(db->get(key_of(0))) == value_of(0, 1));
  CHECK(must(db->get(key_of(1))) == "back");
  CHECK(must(db->history(key_of(0))).size() == 1);
}

TEST_CASE("stats count compactions and report write amplification above 1",
          "[db][compaction][stats]") {
  auto db = must(DB::open(kDir, tiered_options(memory_file_system(), 2, 2)));
  for (int round = 0; round < 4; ++round) write_and_flush(*db, 0, 300, round);
  must(db->compact());
  const Stats s = db->stats();
  CHECK(s.compactions >= 2);
  CHECK(s.compaction_bytes_read > 0);
  CHECK(s.compaction_bytes_written > 0);
  CHECK(s.flushes >= 4);
  CHECK(s.write_amplification > 1.0);
  const double expected = static_cast<double>(s.flush_bytes_written + s.compaction_bytes_written) /
                          static_cast<double>(s.user_bytes_written);
  CHECK(s.write_amplification == Approx(expected));
  CHECK(s.space_amplification == 1.0);
}

TEST_CASE("compaction inputs are deleted, but an open iterator reads them to its end",
          "[db][compaction][lifecycle]") {
  auto fs = memory_file_system();
  auto db = must(DB::open(kDir, tiered_options(fs, 8, 8)));
  for (int round = 0; round < 3; ++round) write_and_flush(*db, round * 50, round * 50 + 100, round);
  const auto before = files_with_suffix(*fs, ".sst");
  REQUIRE(before.size() == 3);
  std::vector<std::pair<std::string, std::string>> expected;
  for (const auto& [k, v] : collect(must(db->scan()))) expected.emplace_back(k, v);
  REQUIRE(expected.size() == 200);

  Iterator it = must(db->scan());
  REQUIRE(it.valid());
  it.next();  // in mid-scan when the files are replaced
  // Delete everything and let compaction drop it all: the inputs leave the
  // manifest while the iterator still needs them.
  for (int i = 0; i < 200; ++i) must(db->del(key_of(i)));
  must(db->del("never written"));  // lifts M past the last real delete
  must(db->forget_before(db->last_version()));
  must(db->compact());
  CHECK(total_tables(db->stats()) == 0);
  std::vector<std::pair<std::string, std::string>> got{expected.front()};
  for (; it.valid(); it.next()) got.emplace_back(it.key(), it.value());
  CHECK(it.status().is_ok());
  CHECK(got == expected);

  { Iterator done = std::move(it); }  // the last user of the old tables goes
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!files_with_suffix(*fs, ".sst").empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  CHECK(files_with_suffix(*fs, ".sst").empty());
}

TEST_CASE("after compaction the directory holds exactly the live tables",
          "[db][compaction][lifecycle]") {
  auto fs = memory_file_system();
  auto db = must(DB::open(kDir, tiered_options(fs, 2, 2)));
  for (int round = 0; round < 6; ++round) write_and_flush(*db, round * 30, round * 30 + 200, round);
  REQUIRE(wait_for(*db, [](const Stats& st) { return st.tables[0] < 2; }));
  must(db->compact());
  const Stats s = db->stats();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (files_with_suffix(*fs, ".sst").size() != total_tables(s) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  CHECK(files_with_suffix(*fs, ".sst").size() == total_tables(s));
  CHECK(manifest_tables(*fs).size() == total_tables(s));
  CHECK(files_with_suffix(*fs, ".wal").size() == 1);
}

TEST_CASE("orphan tables, old WALs and MANIFEST.tmp are removed at open - live files stay",
          "[db][lifecycle]") {
  auto fs = memory_file_system();
  {
    auto db = must(DB::open(kDir, tiered_options(fs, 8, 8)));
    write_and_flush(*db, 0, 50, 0);
    write_and_flush(*db, 50, 100, 0);
    must(db->put("unflushed", "in the WAL"));
    must(db->close());
  }
  const auto live_tables = files_with_suffix(*fs, ".sst");
  const auto live_wals = files_with_suffix(*fs, ".wal");
  REQUIRE(live_tables.size() == 2);
  REQUIRE(live_wals.size() == 1);
  const std::uint64_t live_wal = std::stoull(live_wals[0]);
  REQUIRE(live_wal > 1);

  // A number below the live WAL that no live file uses, for a stale WAL.
  std::uint64_t stale_wal = 0;
  for (std::uint64_t n = live_wal - 1; n >= 1; --n) {
    if (std::find(live_tables.begin(), live_tables.end(), numbered(n, ".sst")) ==
        live_tables.end()) {
      stale_wal = n;
      break;
    }
  }
  REQUIRE(stale_wal > 0);
  auto plant = [&](const std::string& name, const std::string& bytes) {
    auto f = must(fs->new_writable_file(kDir + "/" + name));
    must(f->append(bytes));
    must(f->close());
  };
  const std::string stale_name = numbered(stale_wal, ".wal");
  plant(stale_name, "an old, already flushed WAL");
  plant("000900.sst", "a table a crash left half-written");
  plant("MANIFEST.tmp", "a rollover a crash interrupted");
  plant("notes.txt", "not ours: left alone");

  auto db = must(DB::open(kDir, tiered_options(fs, 8, 8)));
  const auto names = must(fs->list_dir(kDir));
  auto has = [&](const std::string& n) {
    return std::find(names.begin(), names.end(), n) != names.end();
  };
  CHECK_FALSE(has(stale_name));
  CHECK_FALSE(has("000900.sst"));
  CHECK_FALSE(has("MANIFEST.tmp"));
  CHECK(has("notes.txt"));
  CHECK(has("MANIFEST"));
  for (const auto& t : live_tables) CHECK(has(t));
  // Plus one new table: open flushed the replayed WAL, numbered past the
  // orphan.
  auto tables_now = files_with_suffix(*fs, ".sst");
  REQUIRE(tables_now.size() == live_tables.size() + 1);
  CHECK(std::stoull(tables_now.back()) > 900);
  tables_now.pop_back();
  CHECK(tables_now == live_tables);
  CHECK(files_with_suffix(*fs, ".wal").size() == 1);
  require_values(*db, 0, 100, 0);
  CHECK(must(db->get("unflushed")) == "in the WAL");
  // The orphan's number is never reused for a new file.
  must(db->compact());
  for (const auto& t : manifest_tables(*fs)) CHECK(t.number > 900);
}
