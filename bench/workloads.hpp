// Workloads: the named sand_bench benchmarks, the keys and values they use,
// and how their operations are timed and checked.
//
// Keys: key i (0 <= i < num) is its decimal digits, zero-padded to key_size
// bytes ("0000000000000042" for 16 bytes), so keys sort as numbers, as in
// LevelDB's db_bench. A missing key is a key ++ "." (never written).
// Values: value_size bytes cut from a 1 MiB buffer built like db_bench's
// RandomGenerator with --compression_ratio=0.5: 100-byte pieces, each 50
// random printable bytes written twice, all from --seed.
// Operations: each of --threads threads runs the workload's count on its own
// random stream (seed + 1000 * run number + thread id), as db_bench does: fills write --num keys
// per thread (fillsync --num/1000), reads do --reads per thread.
//
// Checks (a failed check ends the program with "CHECK FAILED"): the driver
// keeps a bitmap of the keys it wrote, so readrandom/readhot/seekrandom/
// multiget must find exactly the keys written, readmissing must find none,
// readseq and readreverse must visit exactly the keys written, seekprev's
// steps back must land on each next lower written key, and found values
// must be value_size bytes. With --use_existing_db the bitmap is unknown and
// only readmissing is checked. Checks needing no bitmap always run: changes
// must see exactly the batches it wrote, once each, in version order; putif's
// counters (a full scan before and after) must grow by exactly the number of
// increments that committed.
//
// Thread-safety: a Workloads object is used by the main thread; run() starts
// and joins the workload's own threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine.hpp"
#include "report.hpp"

namespace sand_bench {

struct BenchConfig {
  std::uint64_t num = 1000000;    // keys in the key space
  std::uint64_t reads = 1000000;  // reads per thread
  std::size_t key_size = 16;
  std::size_t value_size = 100;
  int threads = 1;
  bool sync = false;
  std::size_t batch_size = 100;     // fillbatch puts per write batch
  int seek_nexts = 10;              // seekrandom nexts (seekprev prevs) after each seek
  std::size_t multiget_batch = 32;  // multiget keys per call
  double duration = 0;              // readwhilewriting seconds; 0 = by count
  std::uint64_t seed = 301;
  bool time_every_op = false;  // else every 16th operation is timed
};

// The workload names, in the order the help text lists them.
const std::vector<std::string>& workload_names();
bool is_sand_only(std::string_view name);

class Workloads {
 public:
  // `keys_known`: whether the database starts empty (so the written-keys
  // bitmap is exact).
  Workloads(Engine& engine, const BenchConfig& config, bool keys_known);

  // Runs one named workload (REQUIRES: a name from workload_names()).
  WorkloadResult run(std::string_view name);

  // The database was emptied (fresh fills): every key is absent again.
  void forget_keys();

 private:
  struct Thread;
  struct Totals;  // a merged result plus the counters the checks need
  class KeyBitmap {
   public:
    explicit KeyBitmap(std::uint64_t num) : words_((num + 63) / 64) {}
    void set(std::uint64_t i) {
      words_[i / 64].fetch_or(std::uint64_t{1} << (i % 64), std::memory_order_relaxed);
    }
    bool test(std::uint64_t i) const {
      return (words_[i / 64].load(std::memory_order_relaxed) >> (i % 64)) & 1;
    }
    // The largest set key below i, or kNone.
    static constexpr std::uint64_t kNone = ~std::uint64_t{0};
    std::uint64_t last_below(std::uint64_t i) const;
    std::uint64_t count() const;
    void clear();

   private:
    std::vector<std::atomic<std::uint64_t>> words_;
  };

  template <typename Body>
  Totals run_threads(std::string_view name, int threads, Body body);

  WorkloadResult write_workload(std::string_view name);
  WorkloadResult point_reads(std::string_view name);
  WorkloadResult scan(std::string_view name, bool reverse);
  WorkloadResult seek_random();
  WorkloadResult seek_prev();
  WorkloadResult multi_get();
  WorkloadResult read_while_writing();
  WorkloadResult compact();
  WorkloadResult forget();  // forget_before(last_version): sanddb only
  WorkloadResult history();
  WorkloadResult get_at_version();
  WorkloadResult changes();
  WorkloadResult put_if();

  WorkloadResult skipped(std::string_view name, std::string message) const;
  std::uint64_t pick_written(Thread& t) const;
  std::uint64_t counter_sum() const;

  std::string_view next_value(Thread& t) const;
  [[noreturn]] void fail(std::string_view workload, const std::string& what) const;

  Engine& engine_;
  BenchConfig config_;
  bool keys_known_;
  KeyBitmap written_;
  std::string values_;      // the 1 MiB value source
  std::uint64_t runs_ = 0;  // run_threads() calls so far: seeds each run apart
};

}  // namespace sand_bench
