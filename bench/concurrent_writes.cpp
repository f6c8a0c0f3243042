// sand_concurrent_writes: throughput of 1, 2 and 4 writer threads, synced
// (group commit) and not, of readers running during a write load, and of a
// read-only handle (DB::open_read_only) following a writer with refresh().
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

// Opens a fresh database in `dir` holding `keys` keys of 100-byte values.
std::unique_ptr<sand::DB> loaded_db(const std::string& dir, std::uint64_t keys,
                                    sand::Options options = {}) {
  std::filesystem::remove_all(dir);
  auto db = check(sand::DB::open(dir, options));
  const std::string value(100, 'v');
  for (std::uint64_t i = 0; i < keys; ++i) check(db->put(key_of(i), value));
  return db;
}

// One thread overwriting keys [0, 2*keys) until stop is set; counts writes.
struct BackgroundWriter {
  BackgroundWriter(sand::DB& db, std::uint64_t keys)
      : thread([this, &db, keys] {
          const std::string value(100, 'v');
          for (std::uint64_t i = keys; !stop; ++i) {
            check(db.put(key_of(i % (2 * keys)), value));
            ++writes;
          }
        }) {}
  ~BackgroundWriter() { finish(); }
  void finish() {
    stop = true;
    if (thread.joinable()) thread.join();
  }
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> writes{0};
  std::thread thread;  // last: starts after the counters exist
};

void run_readers_during_writes(const std::string& dir, int readers, std::uint64_t keys) {
  auto db = loaded_db(dir, keys);
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> reads{0};
  BackgroundWriter writer(*db, keys);
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
  writer.finish();
  for (auto& th : rs) th.join();
  std::printf("readers during writes: %d reader%s %9.0f reads/s with 1 writer at %8.0f writes/s\n",
              readers, readers == 1 ? " " : "s", reads / 3.0, writer.writes / 3.0);
}

// A read-only handle refreshing in a loop while a writer writes (as a reader
// process would; same process here, so the machine's two cores are shared
// the same way): refresh cost, how far behind it is, and its gets/s.
void run_follower_during_writes(const std::string& dir, std::uint64_t keys) {
  auto db = loaded_db(dir, keys, sand::Options{.memtable_size = 8 << 20});
  auto ro = check(sand::DB::open_read_only(dir));
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> reads{0};
  BackgroundWriter writer(*db, keys);
  std::thread reader([&] {
    std::mt19937_64 rng(7);
    std::uint64_t n = 0;
    while (!stop) {
      check(ro->get(key_of(rng() % keys)));
      ++n;
    }
    reads += n;
  });
  std::uint64_t refreshes = 0, lag_sum = 0;
  double refresh_secs = 0, worst = 0;
  const auto end = Clock::now() + std::chrono::seconds(3);
  while (Clock::now() < end) {
    const auto t0 = Clock::now();
    check(ro->refresh());
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    refresh_secs += s;
    worst = std::max(worst, s);
    lag_sum += db->last_version() - ro->last_version();
    ++refreshes;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop = true;
  writer.finish();
  reader.join();
  std::printf(
      "read-only follower: refresh every 10 ms: %.0f us mean, %.0f us max, %.0f versions behind "
      "after it; %9.0f gets/s on it, writer at %8.0f writes/s (%llu flushes)\n",
      refresh_secs * 1e6 / refreshes, worst * 1e6, static_cast<double>(lag_sum) / refreshes,
      reads / 3.0, writer.writes / 3.0, static_cast<unsigned long long>(db->stats().flushes));
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
  run_follower_during_writes(dir, 100000);
  std::filesystem::remove_all(dir);
  return 0;
}
