// sand_quickbench: a first rough throughput figure for sanddb alone.
//
// Workloads (16-byte keys, 100-byte values, N keys, default 1,000,000):
//   fillseq     N puts in key order (no sync)
//   fillrandom  N puts in random order into a fresh database (no sync)
//   readrandom  N gets of random existing keys (after flush + reopen)
//   readmissing N gets of absent keys
//   readseq     one full forward scan
// Usage: sand_quickbench [N] [DIR]   (DIR default: a fresh dir under /tmp)
// The comparative harness against RocksDB and LevelDB is bench/sand_bench
// (a later issue); this one prints db_bench-style lines.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "sand/sand.hpp"

namespace {

using sand::bench::check;
using sand::bench::key_of;
using Clock = std::chrono::steady_clock;

void report(const char* name, std::uint64_t ops, Clock::duration elapsed, std::uint64_t bytes) {
  const double secs = std::chrono::duration<double>(elapsed).count();
  std::printf("%-12s: %8.3f micros/op %9.0f ops/sec; %6.1f MB/s\n", name, secs * 1e6 / ops,
              ops / secs, bytes / secs / 1048576.0);
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t n = argc > 1 ? std::stoull(argv[1]) : 1000000;
  const std::string base = argc > 2 ? argv[2]
                                    : (std::filesystem::temp_directory_path() /
                                       ("sand-quickbench-" + std::to_string(::getpid())))
                                          .string();
  std::filesystem::remove_all(base);
  const std::string value(100, 'v');
  std::vector<std::uint64_t> order(n);
  for (std::uint64_t i = 0; i < n; ++i) order[i] = i;
  std::mt19937_64 rng(42);
  std::shuffle(order.begin(), order.end(), rng);

  {
    auto db = check(sand::DB::open(base + "/seq"));
    const auto t0 = Clock::now();
    for (std::uint64_t i = 0; i < n; ++i) check(db->put(key_of(i), value));
    report("fillseq", n, Clock::now() - t0, n * 116);
  }
  {
    auto db = check(sand::DB::open(base + "/random"));
    const auto t0 = Clock::now();
    for (const auto i : order) check(db->put(key_of(i), value));
    report("fillrandom", n, Clock::now() - t0, n * 116);
    check(db->flush());
  }
  auto db = check(sand::DB::open(base + "/random"));
  {
    std::shuffle(order.begin(), order.end(), rng);
    std::uint64_t found = 0;
    const auto t0 = Clock::now();
    for (const auto i : order) found += check(db->get(key_of(i))).has_value();
    report("readrandom", n, Clock::now() - t0, n * 116);
    if (found != n) std::fprintf(stderr, "readrandom: found %llu of %llu\n",
                                 static_cast<unsigned long long>(found), static_cast<unsigned long long>(n));
  }
  {
    std::uint64_t found = 0;
    const auto t0 = Clock::now();
    for (const auto i : order) found += check(db->get(key_of(i + n))).has_value();
    report("readmissing", n, Clock::now() - t0, 0);
    if (found != 0) std::fprintf(stderr, "readmissing: found %llu\n", static_cast<unsigned long long>(found));
  }
  {
    std::uint64_t count = 0;
    const auto t0 = Clock::now();
    auto it = check(db->scan());
    for (; it.valid(); it.next()) ++count;
    check(it.status());
    report("readseq", count, Clock::now() - t0, count * 116);
  }
  const sand::Stats st = db->stats();
  std::printf("tables: L0=%llu (%.1f MiB)\n", static_cast<unsigned long long>(st.tables[0]),
              st.table_bytes[0] / 1048576.0);
  db.reset();
  std::filesystem::remove_all(base);
  return 0;
}
