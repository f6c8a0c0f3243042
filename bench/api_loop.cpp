// sand_api_loop: python/bench/binding_overhead.py's workloads through the C++
// API, so the Python binding's cost per call can be quoted as a ratio against
// C++ measured in the same run (the script runs this as its `c++` engine).
//
// Workloads (N 16-byte keys "%016d", 100-byte values, sync off, default
// options, a fresh database in DIR):
//   fillseq      N puts in key order
//   fillrandom   N puts in a shuffled order
//   readrandom   N gets of existing keys in a shuffled order (after fillrandom)
//   readflushed  the same gets after flush()
// Usage: sand_api_loop WORKLOAD N DIR   prints the ops/s of the timed part.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "sand/sand.hpp"

namespace {

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "sand_api_loop: %s\n", what.c_str());
  std::exit(1);
}

void check(const sand::Status& s) {
  if (!s.is_ok()) die(s.to_string());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) die("usage: sand_api_loop fillseq|fillrandom|readrandom|readflushed N DIR");
  const std::string workload = argv[1];
  const auto n = static_cast<std::size_t>(std::stoull(argv[2]));
  auto opened = sand::DB::open(argv[3], {.error_if_exists = true});
  check(opened.status());
  sand::DB& db = **opened;

  std::vector<std::string> keys(n);
  for (std::size_t i = 0; i < n; ++i) {
    char key[32];
    std::snprintf(key, sizeof key, "%016zu", i);
    keys[i] = key;
  }
  std::mt19937_64 rng(301);
  std::vector<std::string> shuffled = keys;
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  std::vector<std::string> reads = keys;
  std::shuffle(reads.begin(), reads.end(), rng);
  const std::string value(100, 'v');

  const auto puts = [&](const std::vector<std::string>& order) {
    for (const std::string& k : order) check(db.put(k, value).status());
  };
  using Clock = std::chrono::steady_clock;
  Clock::time_point start;
  if (workload == "fillseq") {
    start = Clock::now();
    puts(keys);
  } else if (workload == "fillrandom") {
    start = Clock::now();
    puts(shuffled);
  } else if (workload == "readrandom" || workload == "readflushed") {
    puts(shuffled);
    if (workload == "readflushed") check(db.flush());
    start = Clock::now();
    for (const std::string& k : reads) {
      auto v = db.get(k);
      check(v.status());
      if (!*v) die("key " + k + " not found");
    }
  } else {
    die("unknown workload " + workload);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  check(db.close());
  std::printf("%.0f\n", static_cast<double>(n) / seconds);
  return 0;
}
