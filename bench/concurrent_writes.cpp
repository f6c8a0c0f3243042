// sand_concurrent_writes: throughput of 1, 2 and 4 writer threads, synced
// (group commit) and not, and of readers running during a write load.
// Prints writes/s and WAL fsyncs per synced write (Stats::wal_syncs).
//
// Usage: sand_concurrent_writes [writes_per_config=20000] [DIR]
// Uses the real file system (fsync cost is the point); DIR defaults to a
// fresh directory under /tmp.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.hpp"
#include "sand/sand.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using sand::bench::check;
using sand::bench::key_of;

void run_writers(const std::string& dir, int threads, bool sync, std::uint64_t total) {
  std::filesystem::remove_all(dir);
  auto db = check(sand::DB::open(dir, sand::Options{.sync = sync}));
  const std::string value(100, 'v');
  const std::uint64_t per_thread = total / static_cast<std::uint64_t>(threads);
  const auto t0 = Clock::now();
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      for (std::uint64_t i = 0; i < per_thread; ++i) {
        check(db->put(key_of(static_cast<std::uint64_t>(t) * per_thread + i), value));
      }
    });
  }
  for (auto& th : ts) th.join();
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  const sand::Stats st = db->stats();
  const std::uint64_t writes = per_thread * static_cast<std::uint64_t>(threads);
  std::printf("%-7s %d writer%s: %9.0f writes/s  %7.2f us/write  groups/write=%.3f  fsyncs/write=%.3f\n",
              sync ? "sync" : "nosync", threads, threads == 1 ? " " : "s", writes / secs,
              secs * 1e6 / writes, static_cast<double>(st.write_groups) / writes,
              static_cast<double>(st.wal_syncs) / writes);
}

void run_readers_during_writes(const std::string& dir, int readers, std::uint64_t keys) {
  std::filesystem::remove_all(dir);
  auto db = check(sand::DB::open(dir));
  const std::string value(100, 'v');
  for (std::uint64_t i = 0; i < keys; ++i) check(db->put(key_of(i), value));
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> reads{0}, writes{0};
  std::thread writer([&] {
    std::uint64_t i = keys;
    while (!stop) {
      check(db->put(key_of(i++ % (2 * keys)), value));
      ++writes;
    }
  });
  std::vector<std::thread> rs;
  for (int r = 0; r < readers; ++r) {
    rs.emplace_back([&, r] {
      std::mt19937_64 rng(static_cast<std::uint64_t>(r));
      std::uint64_t n = 0;
      while (!stop) {
        check(db->get(key_of(rng() % keys)));
        ++n;
      }
      reads += n;
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));
  stop = true;
  writer.join();
  for (auto& th : rs) th.join();
  std::printf("readers during writes: %d reader%s %9.0f reads/s with 1 writer at %8.0f writes/s\n",
              readers, readers == 1 ? " " : "s", reads / 3.0, writes / 3.0);
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t total = argc > 1 ? std::stoull(argv[1]) : 20000;
  const std::string dir = argc > 2 ? argv[2]
                                   : (std::filesystem::temp_directory_path() /
                                      ("sand-concurrent-" + std::to_string(::getpid())))
                                         .string();
  for (const bool sync : {true, false}) {
    for (const int threads : {1, 2, 4}) {
      run_writers(dir, threads, sync, sync ? total / 4 : total * 10);
    }
  }
  for (const int readers : {1, 2}) run_readers_during_writes(dir, readers, 100000);
  std::filesystem::remove_all(dir);
  return 0;
}
