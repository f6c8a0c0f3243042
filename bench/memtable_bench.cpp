// sand_memtable_bench: the memtable's two ordered indexes (Options::memtable)
// measured against each other in one run: the B+tree (btree.hpp) and the
// skiplist (skiplist.hpp), through MemTable itself, so entry encoding, the
// version log and the index all count, as in the database.
//
// Workloads, each on a fresh MemTable of N entries (16-byte decimal keys as
// the other benches use, V-byte values, one version per entry):
//   fillrandom  N adds in random key order
//   fillseq     N adds in key order
//   getrandom   N get()s of random existing keys (after fillrandom)
//   getmissing  N get()s of absent keys
//   scanfwd     one full forward iteration
//   scanback    one full backward iteration (the skiplist searches per step)
//   seekrandom  N seeks to random existing keys, each followed by 10 next()s
// plus bytes per entry after fillrandom (arena bytes, index overhead over the
// raw entry bytes).
//
// Usage: sand_memtable_bench [--num N] [--value_size V] [--repeats R]
// Runs alternate between the two kinds; each figure is the median of R.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "memtable/memtable.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using sand::MemTable;
using sand::MemTableIndex;

std::string key_of(std::uint64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llu", static_cast<unsigned long long>(i));
  return buf;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Keeps a result alive so the compiler cannot drop the work.
volatile std::size_t g_sink = 0;

struct Config {
  std::uint64_t num = 500000;
  std::size_t value_size = 100;
  int repeats = 3;
};

class Runner {
 public:
  explicit Runner(const Config& config) : config_(config), value_(config.value_size, 'v') {
    std::mt19937_64 rng(42);
    order_.resize(config.num);
    for (std::uint64_t i = 0; i < config.num; ++i) order_[i] = i * 2;  // odd keys are absent
    std::shuffle(order_.begin(), order_.end(), rng);
    keys_.reserve(config.num);
    for (const std::uint64_t k : order_) keys_.push_back(key_of(k));
    probe_ = keys_;
    std::shuffle(probe_.begin(), probe_.end(), rng);
  }

  // ops/s of each workload for one kind, one repeat.
  std::map<std::string, double> run(MemTableIndex kind, double* bytes_per_entry) {
    std::map<std::string, double> out;
    const double n = static_cast<double>(config_.num);

    auto mt = std::make_shared<MemTable>(kind);
    auto start = Clock::now();
    for (std::uint64_t i = 0; i < config_.num; ++i) {
      mt->add(i + 1, sand::EntryKind::kPut, keys_[i], value_);
    }
    out["fillrandom"] = n / seconds_since(start);
    *bytes_per_entry = static_cast<double>(mt->approximate_bytes()) / n;

    start = Clock::now();
    std::size_t found = 0;
    for (const std::string& k : probe_) found += mt->get(k, sand::kMaxVersion).has_value();
    out["getrandom"] = n / seconds_since(start);
    if (found != config_.num) std::abort();

    start = Clock::now();
    found = 0;
    for (std::uint64_t i = 0; i < config_.num; ++i) {
      found += mt->get(key_of(order_[i] + 1), sand::kMaxVersion).has_value();
    }
    out["getmissing"] = n / seconds_since(start);
    if (found != 0) std::abort();

    auto it = mt->new_iterator();
    start = Clock::now();
    std::size_t steps = 0;
    for (it->seek_to_first(); it->valid(); it->next()) steps += it->key().size();
    out["scanfwd"] = n / seconds_since(start);
    start = Clock::now();
    for (it->seek_to_last(); it->valid(); it->prev()) steps += it->key().size();
    out["scanback"] = n / seconds_since(start);
    g_sink = g_sink + steps;

    start = Clock::now();
    steps = 0;
    for (const std::string& k : probe_) {
      it->seek(k + std::string(8, '\xff'));  // an internal key: before all of k's entries
      for (int j = 0; j < 10 && it->valid(); ++j, it->next()) steps += it->value().size();
    }
    out["seekrandom"] = n / seconds_since(start);
    g_sink = g_sink + steps;
    it.reset();
    mt.reset();

    auto seq = std::make_shared<MemTable>(kind);
    start = Clock::now();
    for (std::uint64_t i = 0; i < config_.num; ++i) {
      seq->add(i + 1, sand::EntryKind::kPut, key_of(i * 2), value_);
    }
    out["fillseq"] = n / seconds_since(start);
    return out;
  }

 private:
  const Config config_;
  const std::string value_;
  std::vector<std::uint64_t> order_;
  std::vector<std::string> keys_;
  std::vector<std::string> probe_;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  CLI::App app{"sand_memtable_bench: the B+tree and the skiplist memtable, one run"};
  app.add_option("--num", config.num, "entries per memtable")->check(CLI::Range(1000, 50000000));
  app.add_option("--value_size", config.value_size, "bytes per value")->check(CLI::Range(0, 65536));
  app.add_option("--repeats", config.repeats, "runs per kind (alternated); medians reported")
      ->check(CLI::Range(1, 99));
  CLI11_PARSE(app, argc, argv);

  Runner runner(config);
  const std::vector<std::pair<MemTableIndex, const char*>> kinds = {
      {MemTableIndex::kBTree, "btree"}, {MemTableIndex::kSkipList, "skiplist"}};
  std::map<std::string, std::map<std::string, std::vector<double>>> results;  // kind -> workload
  std::map<std::string, std::vector<double>> bytes;
  for (int r = 0; r < config.repeats; ++r) {
    for (const auto& [kind, name] : kinds) {
      double bpe = 0;
      for (const auto& [workload, ops] : runner.run(kind, &bpe))
        results[name][workload].push_back(ops);
      bytes[name].push_back(bpe);
    }
  }

  const double raw = 16 + 8 + 2 + static_cast<double>(config.value_size) +
                     (config.value_size >= 128 ? 2 : 1);  // the entry bytes alone
  std::printf("# sand_memtable_bench: %llu entries, %zu-byte values, median of %d runs\n",
              static_cast<unsigned long long>(config.num), config.value_size, config.repeats);
  std::printf("%-12s %14s %14s %10s\n", "workload", "btree ops/s", "skiplist ops/s", "btree/skip");
  for (const char* w :
       {"fillrandom", "fillseq", "getrandom", "getmissing", "seekrandom", "scanfwd", "scanback"}) {
    const double b = median(results["btree"][w]), s = median(results["skiplist"][w]);
    std::printf("%-12s %14.0f %14.0f %10.2f\n", w, b, s, b / s);
  }
  const double bb = median(bytes["btree"]), sb = median(bytes["skiplist"]);
  std::printf("%-12s %14.1f %14.1f %10.2f\n", "bytes/entry", bb, sb, bb / sb);
  std::printf("%-12s %14.1f %14.1f %10.2f\n", "index+log/entry", bb - raw, sb - raw,
              (bb - raw) / (sb - raw));
  return 0;
}
