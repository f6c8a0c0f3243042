// export_archive beside a writer thread: flushes and compactions run while
// the archive is read, and every archive still holds exactly one version's
// state. Also run under ThreadSanitizer (scripts/test.sh).
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "archive/archive_test_support.hpp"
#include "sand/sand.hpp"
#include "support/db_helpers.hpp"

using namespace sand;
using sand::test::must;

namespace {

constexpr int kKeys = 40;

std::string key_of(int i) { return "k" + std::to_string(i % kKeys); }

// `history` without the versions above `last`: what a copy as of `last`
// must hold.
std::vector<HistoryEntry> as_of(std::vector<HistoryEntry> history, Version last) {
  std::erase_if(history, [last](const HistoryEntry& e) { return e.version > last; });
  return history;
}

}  // namespace

TEST_CASE("archives taken while a writer thread writes, flushes and compacts hold one version",
          "[archive][concurrency]") {
  auto fs = memory_file_system();
  auto db = must(DB::open("/source", sand::test::tiny_compacting_options(fs, Retention::kAll)));
  std::atomic<bool> stop{false};
  std::atomic<int> writes{0};
  std::atomic<int> failed_writes{0};
  // The writer asserts nothing (Catch2 is not thread-safe): it counts.
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      const Result<Version> v =
          i % 7 == 3 ? db->del(key_of(i)) : db->put(key_of(i), "value " + std::to_string(i));
      if (!v.is_ok()) failed_writes.fetch_add(1);
      writes.fetch_add(1);
    }
  });
  // Export until the writer has gone through flushes and compactions. Each
  // export waits for some writes after the one before, so the archives are
  // spread over the run however the threads are scheduled; the deadline
  // only turns a stuck writer into a failure instead of a hang.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  std::vector<std::string> archives;
  int seen = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    while (writes.load() < seen + 20 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    seen = writes.load();
    archives.push_back(must(sand::test::export_to_string(*db, {.chunk_size = 128})));
    const Stats stats = db->stats();
    if (archives.size() >= 8 && stats.flushes >= 5 && stats.compactions >= 2) break;
  }
  stop.store(true);
  writer.join();
  CHECK(failed_writes.load() == 0);
  REQUIRE(archives.size() >= 8);
  REQUIRE(db->stats().compactions >= 2);
  // Eight archives spread over the run are checked in full.
  std::vector<std::string> checked;
  for (std::size_t i = 0; i < 8; ++i) checked.push_back(archives[i * (archives.size() - 1) / 7]);
  archives = std::move(checked);

  for (std::size_t n = 0; n < archives.size(); ++n) {
    INFO("archive " << n);
    const std::string dir = "/copies/" + std::to_string(n);
    const ArchiveSummary s = must(sand::test::import_from_string(
        dir, archives[n], sand::test::tiny_compacting_options(fs, Retention::kAll)));
    auto copy = must(DB::open(dir, sand::test::tiny_compacting_options(fs, Retention::kAll)));
    CHECK(copy->last_version() == s.last_version);
    for (int k = 0; k < kKeys; ++k) {
      INFO("key " << key_of(k));
      CHECK(must(copy->history(key_of(k))) == as_of(must(db->history(key_of(k))), s.last_version));
    }
  }
}
