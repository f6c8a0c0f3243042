// Group commit (src/db/write_queue, db_write.cpp): concurrent writers share
// WAL appends and fsyncs, versions follow queue order with no gaps, and every
// acknowledged write is durable and readable.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <thread>

#include "sand/sand.hpp"
#include "support/db_helpers.hpp"
#include "support/forwarding_file_system.hpp"
#include "support/fs_op_coverage.hpp"
#include "support/slow_sync_file_system.hpp"

using namespace sand;
using sand::test::must;

namespace {

using test::SlowSyncFileSystem;

}  // namespace

TEST_CASE("SlowSyncFileSystem lets every op through its hook", "[db][group]") {
  auto below = std::make_shared<test::ForwardingFileSystem>(memory_file_system());
  auto fs = std::make_shared<SlowSyncFileSystem>(below);
  test::check_every_op_reaches(*fs, {fs.get(), below.get()}, "/cov");
}

TEST_CASE("concurrent synced writers share fsyncs - versions have no gaps", "[db][group]") {
  auto mem = memory_file_system();
  auto fs = std::make_shared<SlowSyncFileSystem>(mem);
  constexpr int kThreads = 8, kPerThread = 40;
  std::vector<std::vector<Version>> versions(kThreads);
  {
    auto db = must(DB::open("/db", Options{.sync = true, .file_system = fs}));
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          auto v = db->put("t" + std::to_string(t) + "-" + std::to_string(i), std::to_string(i));
          if (v.is_ok()) versions[t].push_back(*v);
        }
      });
    }
    for (auto& th : threads) th.join();

    const Stats st = db->stats();
    constexpr std::uint64_t kWrites = kThreads * kPerThread;
    CHECK(st.last_version == kWrites);
    // Writers that arrive during a 2 ms fsync queue up and share the next one.
    CHECK(st.wal_syncs <= kWrites / 2);
    CHECK(st.write_groups == st.wal_syncs);  // every group asked for sync
    must(db->close());
  }
  std::set<Version> all;
  for (const auto& vs : versions) {
    REQUIRE(vs.size() == static_cast<std::size_t>(kPerThread));
    CHECK(std::is_sorted(vs.begin(), vs.end()));  // a thread's writes keep their order
    all.insert(vs.begin(), vs.end());
  }
  CHECK(all.size() == static_cast<std::size_t>(kThreads * kPerThread));
  CHECK(*all.begin() == 1);
  CHECK(*all.rbegin() == static_cast<Version>(kThreads * kPerThread));

  // Every acknowledged write is there after reopening, at its own version.
  auto db = must(DB::open("/db", Options{.file_system = mem}));
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      const std::string key = "t" + std::to_string(t) + "-" + std::to_string(i);
      CHECK(must(db->get(key)) == std::to_string(i));
      CHECK(must(db->get(key, versions[t][i] - 1)) == std::nullopt);
      CHECK(must(db->get(key, versions[t][i])) == std::to_string(i));
    }
  }
}

TEST_CASE("a group mixing synced and unsynced writes syncs once for all", "[db][group]") {
  auto fs = std::make_shared<SlowSyncFileSystem>(memory_file_system());
  auto db = must(DB::open("/db", Options{.file_system = fs}));
  std::atomic<int> failures{0};  // Catch2 assertions are not thread-safe
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 30; ++i) {
        const WriteOptions wo{.sync = (t % 2 == 0) ? SyncMode::kSync : SyncMode::kNoSync};
        if (!db->put("k" + std::to_string(t * 100 + i), "v", wo).is_ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
  const Stats st = db->stats();
  CHECK(st.last_version == 180);
  CHECK(st.wal_syncs <= 90);  // at most one per synced write, fewer when grouped
  CHECK(st.write_groups <= 180);
  CHECK(st.write_groups >= st.wal_syncs);
}
