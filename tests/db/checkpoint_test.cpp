// Tests for DB::checkpoint (src/db/db_impl_checkpoint.cpp): the copy opens
// as an ordinary database holding exactly the state at the returned version
// (tables in every level, frozen memtables, the active WAL; also while a
// writer and compactions run), it is independent of the source (and on
// POSIX its tables are hard links), the errors, and crash safety: after a
// process crash or a power loss at every operation of a checkpoint, the
// source is intact and the target absent or complete.
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sand/sand.hpp"
#include "support/crash_file_system.hpp"
#include "support/crash_model.hpp"
#include "support/db_helpers.hpp"
#include "support/fault_file_system.hpp"
#include "support/temp_dir.hpp"

using namespace sand;
using sand::test::collect;
using sand::test::must;

namespace {

using Rows = std::vector<std::pair<std::string, std::string>>;

std::string key_of(int i) { return "key" + std::to_string(1000 + i); }
std::string value_of(int i, int round) {
  return "value-" + std::to_string(i) + "-" + std::to_string(round) + std::string(60, 'x');
}

// Every key the tests write.
std::vector<std::string> all_keys(int n) {
  std::vector<std::string> keys;
  for (int i = 0; i < n; ++i) keys.push_back(key_of(i));
  return keys;
}

// Puts, overwrites and deletes over keys [0, n): round r writes every key
// whose index is not a multiple of r + 2 and deletes the others.
void write_round(DB& db, int n, int round) {
  for (int i = 0; i < n; ++i) {
    if (i % (round + 2) == 0) {
      must(db.del(key_of(i)));
    } else {
      must(db.put(key_of(i), value_of(i, round)));
    }
  }
}

Rows scan_at(const DB& db, Version v) { return collect(must(db.scan({.at = v}))); }

// The source's history of `key` as the copy (holding versions <= v) sees it.
std::vector<HistoryEntry> history_up_to(const DB& db, const std::string& key, Version v) {
  std::vector<HistoryEntry> h = must(db.history(key));
  std::erase_if(h, [&](const HistoryEntry& e) { return e.version > v; });
  return h;
}

// Checks that `copy` holds exactly `source`'s state at version `v`: its last
// version, a scan at every version from `first` to v, and every key's history.
void check_copy(const DB& source, const DB& copy, Version v, const std::vector<std::string>& keys,
                Version first) {
  REQUIRE(copy.last_version() == v);
  for (Version at = first; at <= v; ++at) {
    INFO("version " << at);
    REQUIRE(scan_at(copy, at) == scan_at(source, at));
  }
  for (const auto& key : keys) {
    INFO("key " << key);
    REQUIRE(must(copy.history(key)) == history_up_to(source, key, v));
    REQUIRE(must(copy.get(key)) == must(source.get(key, v)));
  }
}

Options copy_options(std::shared_ptr<FileSystem> fs) {
  return Options{.create_if_missing = false, .file_system = std::move(fs)};
}

}  // namespace

TEST_CASE("checkpoint of tables in every level, frozen memtables and the active WAL",
          "[checkpoint]") {
  auto base = memory_file_system();
  auto gate = std::make_shared<sand::test::GateFileSystem>(base);
  Options o = sand::test::tiny_compacting_options(gate, Retention::kAll);
  o.max_frozen_memtables = 8;
  o.l0_stop = 100;
  o.l1_trigger = 1000;  // level-1 runs stay: only compact() fills level 2
  auto db = must(DB::open("/data/db", o));
  constexpr int kKeys = 60;
  write_round(*db, kKeys, 0);
  must(db->compact());  // level 2
  write_round(*db, kKeys, 1);
  must(db->flush());
  write_round(*db, kKeys, 2);
  must(db->flush());  // level 0, and level 1 after the compactions it triggers
  // Table files wait at the gate: the memtables filled next stay frozen.
  gate->set_open(false);
  write_round(*db, kKeys, 3);
  write_round(*db, kKeys, 4);
  const Stats before = db->stats();
  CHECK(before.immutable_memtables >= 1);
  CHECK(before.tables[2] >= 1);
  CHECK(before.tables[0] + before.tables[1] >= 1);
  CHECK(before.wal_bytes > 0);

  const Version v = must(db->checkpoint("/data/copy"));
  CHECK(v == before.last_version);
  must(db->put("after", "checkpoint"));
  gate->set_open(true);

  auto copy = must(DB::open("/data/copy", copy_options(base)));
  check_copy(*db, *copy, v, all_keys(kKeys), 1);
  CHECK(must(copy->get("after")) == std::nullopt);
  CHECK_FALSE(base->exists("/data/copy.checkpoint-tmp"));
}

TEST_CASE("checkpoints taken while a writer writes and compactions run", "[checkpoint]") {
  auto fs = memory_file_system();
  Options o = sand::test::tiny_compacting_options(fs, Retention::kAll);
  auto db = must(DB::open("/data/db", o));
  constexpr int kKeys = 40;
  std::atomic<bool> stop{false};
  // The writer asserts nothing itself (Catch2 is not thread-safe): it keeps
  // its first error for the main thread to check.
  Status writer_error;
  std::thread writer([&] {
    for (int round = 0; !stop.load() && writer_error.is_ok(); ++round) {
      for (int i = 0; i < kKeys && !stop.load(); ++i) {
        const Status s = (i * 7 + round) % 5 == 0
                             ? db->del(key_of(i)).status()
                             : db->put(key_of(i), value_of(i, round)).status();
        if (!s.is_ok()) {
          writer_error = s;
          break;
        }
      }
    }
  });
  std::vector<std::pair<std::string, Version>> copies;
  for (int c = 0; c < 8; ++c) {
    std::this_thread::sleep_for(std::chrono::milliseconds(15));
    const std::string dir = "/data/copy" + std::to_string(c);
    copies.emplace_back(dir, must(db->checkpoint(dir)));
  }
  stop.store(true);
  writer.join();
  INFO(writer_error.to_string());
  REQUIRE(writer_error.is_ok());
  CHECK(db->stats().compactions > 0);

  for (const auto& [dir, v] : copies) {
    INFO(dir << " at version " << v);
    auto copy = must(DB::open(dir, copy_options(fs)));
    // Every version is too many scans; the last few and the latest.
    check_copy(*db, *copy, v, all_keys(kKeys), v > 20 ? v - 20 : 1);
  }
}

TEST_CASE("a checkpoint is independent of its source, and POSIX tables are hard links",
          "[checkpoint]") {
  sand::test::TempDir tmp;
  const std::string src = tmp.path() + "/db", dst = tmp.path() + "/sub/copy";
  auto db = must(DB::open(src, Options{.memtable_size = 1 << 20}));
  write_round(*db, 50, 0);
  must(db->flush());
  write_round(*db, 50, 1);  // in the active WAL only
  const Version v = must(db->checkpoint(dst));
  CHECK(v == db->last_version());

  // The tables share their inodes; the active WAL was copied.
  std::vector<std::string> names = must(posix_file_system()->list_dir(dst));
  int tables = 0, wals = 0;
  for (const auto& name : names) {
    struct stat a {}, b {};
    if (name.ends_with(".sst")) {
      ++tables;
      REQUIRE(::stat((src + "/" + name).c_str(), &a) == 0);
      REQUIRE(::stat((dst + "/" + name).c_str(), &b) == 0);
      CHECK(a.st_ino == b.st_ino);
      CHECK(b.st_nlink == 2);
    } else if (name.ends_with(".wal")) {
      ++wals;
      REQUIRE(::stat((src + "/" + name).c_str(), &a) == 0);
      REQUIRE(::stat((dst + "/" + name).c_str(), &b) == 0);
      CHECK(a.st_ino != b.st_ino);
      CHECK(b.st_nlink == 1);
    }
  }
  CHECK(tables == 1);
  CHECK(wals == 1);
  CHECK_FALSE(posix_file_system()->exists(dst + ".checkpoint-tmp"));

  must(db->put("source-only", "1"));
  auto copy = must(DB::open(dst, Options{.create_if_missing = false}));
  check_copy(*db, *copy, v, all_keys(50), 1);
  must(copy->put("copy-only", "2"));
  must(copy->compact());  // rewrites the copy's tables; the source's stay
  CHECK(must(copy->get("source-only")) == std::nullopt);
  CHECK(must(db->get("copy-only")) == std::nullopt);
  CHECK(must(db->get("source-only")) == "1");
  must(copy->close());
  must(db->close());
  auto reopened = must(DB::open(src));
  CHECK(must(reopened->get(key_of(1))) == value_of(1, 1));
  CHECK(must(reopened->get("copy-only")) == std::nullopt);
}

TEST_CASE("checkpoint errors", "[checkpoint]") {
  auto fs = memory_file_system();
  auto db = must(DB::open("/data/db", Options{.file_system = fs}));
  must(db->put("k", "v"));

  SECTION("an existing target is InvalidArgument naming it") {
    must(fs->create_dir("/data/there"));
    const Status s = db->checkpoint("/data/there").status();
    CHECK(s.code() == Code::kInvalidArgument);
    CHECK(s.message() == "/data/there: exists");
  }
  SECTION("an empty path or one inside the database is InvalidArgument") {
    CHECK(db->checkpoint("").status().code() == Code::kInvalidArgument);
    CHECK(db->checkpoint("/data/db").status().code() == Code::kInvalidArgument);
    CHECK(db->checkpoint("/data/db/copy").status().code() == Code::kInvalidArgument);
  }
  SECTION("a read-only handle is ReadOnly") {
    auto ro = must(DB::open_read_only("/data/db", Options{.file_system = fs}));
    CHECK(ro->checkpoint("/data/copy").status().code() == Code::kReadOnly);
    CHECK_FALSE(fs->exists("/data/copy"));
  }
  SECTION("a closed DB is ReadOnly") {
    must(db->close());
    CHECK(db->checkpoint("/data/copy").status().code() == Code::kReadOnly);
  }
  SECTION("a leftover .checkpoint-tmp is emptied and reused") {
    must(fs->create_dir("/data/copy.checkpoint-tmp"));
    auto junk = must(fs->new_writable_file("/data/copy.checkpoint-tmp/000099.sst"));
    must(junk->append("junk"));
    must(junk->close());
    const Version v = must(db->checkpoint("/data/copy"));
    auto copy = must(DB::open("/data/copy", copy_options(fs)));
    CHECK(copy->last_version() == v);
    CHECK_FALSE(fs->exists("/data/copy/000099.sst"));
  }
}

namespace {

// The source for the crash tests: tables and a WAL, no background work
// during the checkpoint (a memtable that never fills, nothing to compact),
// so its operations are the same in every run.
void fill_for_crash(DB& db) {
  write_round(db, 30, 0);
  must(db.flush());
  write_round(db, 30, 1);
  must(db.flush());
  for (int i = 0; i < 10; ++i) {
    must(db.put(key_of(i), value_of(i, 2), WriteOptions{.sync = SyncMode::kSync}));
  }
}

Options crash_options(std::shared_ptr<FileSystem> fs) {
  return Options{.memtable_size = 1 << 20, .l0_trigger = 100, .l0_stop = 101,
                 .file_system = std::move(fs)};
}

// What a crash left: the source opens with `expected` (scan at its last
// version `v`); the target is absent (NotFound) or holds exactly that.
void check_after_crash(std::shared_ptr<FileSystem> fs, const Rows& expected, Version v,
                       bool* target_complete) {
  auto source = must(DB::open("/data/db", crash_options(fs)));
  REQUIRE(source->last_version() == v);
  REQUIRE(scan_at(*source, v) == expected);
  auto copy = DB::open("/data/copy", copy_options(fs));
  if (!copy.is_ok()) {
    INFO(copy.status().to_string());
    REQUIRE(copy.status().code() == Code::kNotFound);
    *target_complete = false;
  } else {
    REQUIRE((*copy)->last_version() == v);
    REQUIRE(scan_at(**copy, v) == expected);
    *target_complete = true;
  }
  // The next checkpoint works whatever the crash left (reusing the tmp dir).
  if (!*target_complete) {
    REQUIRE(must(source->checkpoint("/data/copy")) == v);
    auto again = must(DB::open("/data/copy", copy_options(fs)));
    REQUIRE(scan_at(*again, v) == expected);
  }
}

}  // namespace

TEST_CASE("a process crash at every operation of a checkpoint", "[checkpoint][crash]") {
  int absent = 0, complete = 0;
  for (std::uint64_t k = 0;; ++k) {
    INFO("crash after " << k << " operations of the checkpoint");
    auto base = memory_file_system();
    auto crash = std::make_shared<sand::test::CrashFileSystem>(base);
    auto db = must(DB::open("/data/db", crash_options(crash)));
    fill_for_crash(*db);
    const Version v = db->last_version();
    const Rows expected = scan_at(*db, v);
    crash->crash_after(crash->ops() + k);
    const Result<Version> r = db->checkpoint("/data/copy");
    const bool crashed = crash->crashed();
    if (!crashed) REQUIRE(must(Result<Version>(r)) == v);
    db.reset();  // the process dies (its close fails harmlessly)
    bool target_complete = false;
    check_after_crash(base, expected, v, &target_complete);
    (target_complete ? complete : absent) += 1;
    if (!crashed) break;  // k passed the checkpoint's last operation
  }
  CHECK(absent > 5);
  CHECK(complete >= 1);
}

TEST_CASE("a power loss at every operation of a checkpoint", "[checkpoint][crash]") {
  int absent = 0, complete = 0;
  for (const std::optional<std::uint64_t> seed :
       {std::optional<std::uint64_t>{}, std::optional<std::uint64_t>{1},
        std::optional<std::uint64_t>{2}, std::optional<std::uint64_t>{7}}) {
    for (std::uint64_t k = 0;; ++k) {
      INFO("power loss after " << k << " operations; seed " << seed.value_or(0));
      auto fs = std::make_shared<sand::test::FaultFileSystem>();
      auto db = must(DB::open("/data/db", crash_options(fs)));
      fill_for_crash(*db);
      const Version v = db->last_version();
      const Rows expected = scan_at(*db, v);
      fs->power_loss_after(fs->ops() + k, sand::test::PowerLossOptions{.tear_unsynced_tail = seed,
                                                           .names_seed = seed,
                                                           .stay_down = true});
      const Result<Version> r = db->checkpoint("/data/copy");
      const bool cut = fs->is_down();
      if (!cut) REQUIRE(must(Result<Version>(r)) == v);
      sand::test::crash_and_reboot(*fs, db, seed);
      bool target_complete = false;
      check_after_crash(fs, expected, v, &target_complete);
      (target_complete ? complete : absent) += 1;
      if (!cut) break;
    }
  }
  CHECK(absent > 20);
  CHECK(complete >= 4);
}
