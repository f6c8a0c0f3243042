// sand_compaction_load: loads N random keys (16-byte keys, 100-byte values,
// drawn uniformly from a keyspace of N, so some are overwritten) into a
// database with a small memtable, then reports the level shape, write
// amplification, read throughput before and after a full compaction, and
// on-disk size against the live data. Every read is verified.
//
// Usage: sand_compaction_load [N=5000000] [memtable_bytes=4194304]
//                             [retention=latest|all] [DIR]
#include <unistd.h>

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

using sand::bench::check;
using sand::bench::key_of;
using Clock = std::chrono::steady_clock;

// 100 pseudo-random (incompressible) bytes that depend on the key and the
// write that produced them, so reads can be verified.
std::string value_of(std::uint64_t key, std::uint64_t write) {
  std::uint64_t x = key * 0x9e3779b97f4a7c15ull ^ write;
  std::string v(100, '\0');
  for (std::size_t i = 0; i < v.size(); i += 8) {
    x += 0x9e3779b97f4a7c15ull;  // splitmix64
    std::uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    for (std::size_t b = 0; b < 8 && i + b < v.size(); ++b) v[i + b] = static_cast<char>(z >> (8 * b));
  }
  return v;
}

void print_stats(const char* when, const sand::Stats& st) {
  std::printf(
      "%s: L0=%llu tables | L1=%llu runs, %llu tables | L2=%llu tables | %.1f MiB on disk | "
      "compactions=%llu | write-amp=%.2f | space-amp=%.2f | stalls=%llu (%.1f s)\n",
      when, static_cast<unsigned long long>(st.tables[0]),
      static_cast<unsigned long long>(st.l1_runs), static_cast<unsigned long long>(st.tables[1]),
      static_cast<unsigned long long>(st.tables[2]),
      (st.table_bytes[0] + st.table_bytes[1] + st.table_bytes[2]) / 1048576.0,
      static_cast<unsigned long long>(st.compactions), st.write_amplification,
      st.space_amplification, static_cast<unsigned long long>(st.stalls),
      st.stall_micros / 1e6);
}

double read_random(sand::DB& db, const std::vector<std::uint32_t>& last_write,
                   std::mt19937_64& rng, std::uint64_t reads) {
  std::uniform_int_distribution<std::uint64_t> pick(0, last_write.size() - 1);
  const auto t0 = Clock::now();
  for (std::uint64_t i = 0; i < reads; ++i) {
    const std::uint64_t k = pick(rng);
    const auto got = check(db.get(key_of(k)));
    const bool want = last_write[k] != 0;
    if (got.has_value() != want || (want && *got != value_of(k, last_write[k]))) {
      std::fprintf(stderr, "wrong answer for key %llu\n", static_cast<unsigned long long>(k));
      std::exit(2);
    }
  }
  return reads / std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t n = argc > 1 ? std::stoull(argv[1]) : 5000000;
  const std::size_t memtable = argc > 2 ? std::stoull(argv[2]) : (4u << 20);
  const bool latest = argc > 3 ? std::string(argv[3]) != "all" : true;
  const std::string dir = argc > 4 ? argv[4]
                                   : (std::filesystem::temp_directory_path() /
                                      ("sand-compaction-load-" + std::to_string(::getpid())))
                                         .string();
  std::filesystem::remove_all(dir);
  const sand::Options options{
      .memtable_size = memtable,
      .retention = latest ? sand::Retention::kLatestOnly : sand::Retention::kAll,
      .target_file_size = 16 << 20};
  auto db = check(sand::DB::open(dir, options));

  std::vector<std::uint32_t> last_write(n, 0);  // 0 = never written
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::uint64_t> pick(0, n - 1);
  const auto t0 = Clock::now();
  for (std::uint64_t w = 1; w <= n; ++w) {
    const std::uint64_t k = pick(rng);
    check(db->put(key_of(k), value_of(k, w)));
    last_write[k] = static_cast<std::uint32_t>(w);
  }
  const double load_secs = std::chrono::duration<double>(Clock::now() - t0).count();
  std::uint64_t live = 0;
  for (const auto w : last_write) live += w != 0;
  std::printf("loaded %llu writes (%llu live keys) in %.1f s: %.0f writes/s, retention=%s\n",
              static_cast<unsigned long long>(n), static_cast<unsigned long long>(live), load_secs,
              n / load_secs, latest ? "latest" : "all");
  print_stats("after load ", db->stats());
  // Let the background compactions catch up (bounded wait), then show the
  // steady shape: L0 below its trigger, L1 below its run trigger.
  for (int i = 0; i < 600; ++i) {
    const sand::Stats st = db->stats();
    if (st.tables[0] < 4 && st.l1_runs < 4) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  print_stats("settled    ", db->stats());

  const std::uint64_t reads = std::min<std::uint64_t>(n, 500000);
  std::printf("readrandom before compact: %.0f reads/s (%llu verified)\n",
              read_random(*db, last_write, rng, reads), static_cast<unsigned long long>(reads));
  const auto c0 = Clock::now();
  check(db->compact());
  std::printf("compact(): %.1f s\n", std::chrono::duration<double>(Clock::now() - c0).count());
  const sand::Stats st = db->stats();
  print_stats("after compact", st);
  std::printf("readrandom after compact:  %.0f reads/s (%llu verified)\n",
              read_random(*db, last_write, rng, reads), static_cast<unsigned long long>(reads));
  const double live_bytes = static_cast<double>(live) * (16 + 100);
  const double disk = static_cast<double>(st.table_bytes[0] + st.table_bytes[1] + st.table_bytes[2]);
  std::printf("on-disk tables %.1f MiB / live data %.1f MiB = %.3f\n", disk / 1048576.0,
              live_bytes / 1048576.0, disk / live_bytes);
  db.reset();
  std::filesystem::remove_all(dir);
  return 0;
}
