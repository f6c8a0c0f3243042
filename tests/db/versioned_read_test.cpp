// get_versioned (the entry that decides a read, with its version) and
// multi_get (many keys at one version): concrete cases, a model property
// across flushes, compactions and retention marks, and consistency beside a
// writer thread.
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "sand/sand.hpp"
#include "support/db_helpers.hpp"
#include "support/versioned_model.hpp"

using namespace sand;
using sand::test::must;

namespace {

std::optional<HistoryEntry> entry(Version v, std::optional<std::string> value) {
  return HistoryEntry{.version = v, .deleted = !value, .value = value.value_or("")};
}

// The oracle the contract names: the first entry of history() at or below
// `at`.
std::optional<HistoryEntry> first_history_entry(const std::vector<HistoryEntry>& history,
                                                Version at) {
  for (const HistoryEntry& e : history) {
    if (e.version <= at) return e;
  }
  return std::nullopt;
}

std::vector<std::string_view> views(const std::vector<std::string>& keys) {
  return {keys.begin(), keys.end()};
}

}  // namespace

TEST_CASE("get_versioned returns the version that wrote the value", "[db][versioned]") {
  auto db = must(DB::open("/db", {.file_system = memory_file_system()}));
  CHECK(must(db->get_versioned("k")) == std::nullopt);
  const Version v1 = must(db->put("k", "one"));
  const Version v2 = must(db->put("other", "x"));
  CHECK(must(db->get_versioned("k")) == entry(v1, "one"));
  const Version v3 = must(db->put("k", "two"));
  CHECK(must(db->get_versioned("k")) == entry(v3, "two"));
  CHECK(must(db->get_versioned("k", v2)) == entry(v1, "one"));
  CHECK(must(db->get_versioned("k", v1 - 1)) == std::nullopt);
  // A tombstone that hides a put shows, with its own version.
  const Version v4 = must(db->del("k"));
  CHECK(must(db->get_versioned("k")) == entry(v4, std::nullopt));
  CHECK(must(db->get_versioned("k", v3)) == entry(v3, "two"));
}

TEST_CASE("get_versioned hides a tombstone that hides nothing", "[db][versioned]") {
  auto fs = memory_file_system();
  auto db = must(DB::open("/db", sand::test::tiny_compacting_options(fs, Retention::kAll)));
  const Version d1 = must(db->del("ghost"));
  must(db->del("ghost"));
  CHECK(must(db->get_versioned("ghost")) == std::nullopt);
  CHECK(must(db->get_versioned("ghost", d1)) == std::nullopt);
  // The same answer once compaction had the chance to drop them.
  must(db->compact());
  CHECK(must(db->get_versioned("ghost")) == std::nullopt);
  CHECK(must(db->history("ghost")).empty());
}

TEST_CASE("get_versioned follows the retention mark as history does", "[db][versioned]") {
  auto fs = memory_file_system();
  auto db = must(DB::open("/db", sand::test::tiny_compacting_options(fs, Retention::kAll)));
  const Version put = must(db->put("k", "old"));
  const Version del = must(db->del("k"));
  const Version later = must(db->put("x", "y"));
  // Mark above the tombstone: history keeps only the newest entry below the
  // mark (the tombstone) with nothing retained beneath it, so it is dropped.
  must(db->forget_before(later));
  CHECK(must(db->history("k")).empty());
  CHECK(must(db->get_versioned("k")) == std::nullopt);
  CHECK(!db->get_versioned("k", put).is_ok());  // below the mark: refused
  CHECK(db->get_versioned("k", del).status().code() == Code::kInvalidArgument);
  must(db->compact());
  CHECK(must(db->get_versioned("k")) == std::nullopt);
}

TEST_CASE("get_versioned refuses a key that is too long", "[db][versioned]") {
  auto db = must(DB::open("/db", {.file_system = memory_file_system()}));
  CHECK(db->get_versioned(std::string(kMaxKeySize + 1, 'k')).status().code() ==
        Code::kInvalidArgument);
}

TEST_CASE("multi_get answers like one get per key", "[db][versioned]") {
  auto fs = memory_file_system();
  auto db = must(DB::open("/db", sand::test::tiny_compacting_options(fs, Retention::kAll)));
  for (int i = 0; i < 300; ++i) must(db->put("key" + std::to_string(i % 50), std::to_string(i)));
  must(db->compact());
  for (int i = 0; i < 30; ++i) must(db->del("key" + std::to_string(i * 3 % 50)));
  const Version before = db->last_version();
  for (int i = 0; i < 40; ++i) must(db->put("key" + std::to_string(i), "new" + std::to_string(i)));
  // Unsorted, repeated and missing keys; an empty key.
  const std::vector<std::string> keys = {"key7", "missing", "key3", "key7",
                                         "",     "key49",   "key0", "key30"};
  for (const std::optional<Version> at : {std::optional<Version>(), std::optional(before)}) {
    const auto answers =
        at ? must(db->multi_get(views(keys), *at)) : must(db->multi_get(views(keys)));
    REQUIRE(answers.size() == keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
      INFO(keys[i]);
      CHECK(answers[i] == (at ? must(db->get(keys[i], *at)) : must(db->get(keys[i]))));
    }
  }
  CHECK(must(db->multi_get(std::span<const std::string_view>())).empty());
}

TEST_CASE("multi_get splits its keys among many tables of every level", "[db][versioned]") {
  auto fs = memory_file_system();
  auto db = must(DB::open("/db", sand::test::tiny_compacting_options(fs, Retention::kAll)));
  // Even keys only: the odd ones fall inside tables' key ranges and between
  // neighbouring files of a run without being there.
  auto key = [](int i) {
    std::string n = std::to_string(i);
    return "k" + std::string(5 - n.size(), '0') + n;
  };
  for (int i = 0; i < 3000; i += 2) must(db->put(key(i), "old" + std::to_string(i)));
  must(db->compact());
  const Version compacted = db->last_version();
  for (int i = 0; i < 3000; i += 14) must(db->del(key(i)));
  for (int i = 0; i < 3000; i += 6) must(db->put(key(i), "new" + std::to_string(i)));
  must(db->flush());  // tables in level 0 (and runs in level 1) above level 2
  for (int i = 0; i < 3000; i += 10) must(db->put(key(i), "mem" + std::to_string(i)));
  const Stats stats = db->stats();
  INFO("tables: L0 " << stats.tables[0] << ", L1 " << stats.tables[1] << ", L2 "
                     << stats.tables[2]);
  REQUIRE(stats.tables[2] >= 4);  // keys fall between the files of a run
  std::vector<std::string> keys;
  for (int i = 3001; i >= 0; --i) keys.push_back(key(i));  // descending: multi_get sorts
  keys.push_back("a");                                     // before every table
  keys.push_back("z");                                     // after every table
  for (const Version at : {compacted, compacted + 100, db->last_version()}) {
    const auto answers = must(db->multi_get(views(keys), at));
    REQUIRE(answers.size() == keys.size());
    std::size_t found = 0;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      INFO(keys[i] << " at " << at);
      REQUIRE(answers[i] == must(db->get(keys[i], at)));
      found += answers[i].has_value();
    }
    CHECK(found > 1000);
  }
}

TEST_CASE("multi_get refuses bad arguments", "[db][versioned]") {
  auto db = must(DB::open("/db", {.file_system = memory_file_system()}));
  must(db->put("a", "1"));
  const std::vector<std::string> keys = {"a", std::string(kMaxKeySize + 1, 'k')};
  const Status too_long = db->multi_get(views(keys)).status();
  CHECK(too_long.code() == Code::kInvalidArgument);
  CHECK(too_long.message().find("key 1") != std::string::npos);
  const std::vector<std::string> one = {"a"};
  CHECK(db->multi_get(views(one), 2).status().code() == Code::kInvalidArgument);  // too new
}

TEST_CASE("multi_get reads every key at one version beside a writer", "[db][versioned]") {
  auto fs = memory_file_system();
  auto db = must(DB::open("/db", sand::test::tiny_compacting_options(fs, Retention::kAll)));
  // Every batch sets all keys to the same value, so any consistent read sees
  // them equal; a read mixing two versions would not.
  const std::vector<std::string> keys = {"a", "b", "c", "d", "e", "f"};
  auto write_all = [&](int n) {
    WriteBatch batch;
    for (const auto& k : keys) batch.put(k, std::to_string(n));
    return db->write(batch);
  };
  must(write_all(0));
  std::atomic<bool> stop{false};
  std::atomic<int> failed{0};
  std::thread writer([&] {
    for (int n = 1; !stop.load(); ++n) {
      if (!write_all(n).is_ok()) failed.fetch_add(1);
    }
  });
  // Reads until the writer has gone through flushes (the deadline only
  // turns a stuck writer into a failure).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int mixed = 0;
  for (int round = 0; round < 200 || db->stats().flushes < 3; ++round) {
    if (std::chrono::steady_clock::now() > deadline) break;
    const auto answers = db->multi_get(views(keys));
    if (!answers.is_ok()) {
      ++mixed;
      continue;
    }
    for (const auto& a : *answers) mixed += a != (*answers)[0];
  }
  stop.store(true);
  writer.join();
  CHECK(failed.load() == 0);
  CHECK(mixed == 0);
  CHECK(db->stats().flushes > 0);
}

TEST_CASE("get_versioned and multi_get agree with the model", "[db][versioned][property]") {
  rc::prop("random writes over every level", [] {
    const std::vector<std::string> pool = {
        "", std::string("\x00", 1), "\xff", "a", "ab", "b", "key1", "key2"};
    auto db =
        DB::open("/db", sand::test::tiny_compacting_options(memory_file_system(), Retention::kAll));
    RC_ASSERT(db.is_ok());
    sand::test::VersionedModel model;
    const int ops = *rc::gen::inRange(1, 150);
    for (int i = 0; i < ops; ++i) {
      const int kind = *rc::gen::inRange(0, 20);
      const std::string& key = pool[*rc::gen::inRange<std::size_t>(0, pool.size())];
      if (kind < 12) {
        const std::string value =
            "v" + std::to_string(i) + std::string(*rc::gen::inRange(0, 60), 'x');
        RC_ASSERT((*db)->put(key, value).is_ok());
        model.committed();
        model.keys[key][model.last] = value;
      } else if (kind < 17) {
        RC_ASSERT((*db)->del(key).is_ok());
        model.committed();
        model.keys[key][model.last] = std::nullopt;
      } else if (kind == 17) {
        RC_ASSERT((*db)->flush().is_ok());
      } else if (kind == 18) {
        RC_ASSERT((*db)->compact().is_ok());
      } else if (model.last > 0) {
        const Version m = *rc::gen::inRange<Version>(0, model.last + 1);
        RC_ASSERT((*db)->forget_before(m).is_ok());
        model.mark = std::max(model.mark, m);
      }
    }
    const Version at = model.last == 0 ? 0 : *rc::gen::inRange<Version>(model.mark, model.last + 1);
    std::vector<std::string_view> keys;
    for (const auto& k : pool) {
      const auto expected = first_history_entry(model.history(k), at);
      const auto got = (*db)->get_versioned(k, at);
      RC_ASSERT(got.is_ok());
      RC_ASSERT(*got == expected);
      // The DB's own history is the same oracle.
      RC_ASSERT(first_history_entry(*(*db)->history(k), at) == expected);
      keys.push_back(k);
      keys.push_back(k);  // and each one twice
    }
    const auto answers = (*db)->multi_get(keys, at);
    RC_ASSERT(answers.is_ok());
    for (std::size_t i = 0; i < keys.size(); ++i) {
      RC_ASSERT((*answers)[i] == model.get(std::string(keys[i]), at));
    }
  });
}
