// Report: what one sand_bench workload measured, and every way it is shown:
// the db_bench line, the run header, the closing summary table, and CSV /
// JSON Lines rows appended to files.
//
// The db_bench line is byte-compatible with RocksDB's and LevelDB's db_bench
// ("%-12s : %11.3f micros/op %ld ops/sec; %6.1f MB/s"), so tools that parse
// theirs parse ours; extras come after it on the same line.
//
// Invariants: micros/op is thread time per operation (sum of every thread's
// busy time / ops, as db_bench computes it); ops/sec and MB/s use wall time
// from the first thread's start to the last thread's end. MB is 1048576 bytes.
// Write amplifications are cumulative since the database was opened.
//
// Thread-safety: none needed; only the main thread reports.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "histogram.hpp"
#include "process_stats.hpp"

namespace sand_bench {

struct WorkloadResult {
  std::string name;
  // kRun: measured; kSkipped: not run on this engine (message says why);
  // kInfo: prints text only (stats), no measurement.
  enum class Kind { kRun, kSkipped, kInfo } kind = Kind::kRun;
  std::string message;  // e.g. "(19000 of 20000 found)" or "skipped: sanddb only"
  int threads = 1;      // threads whose operations are counted
  std::uint64_t ops = 0;
  std::uint64_t bytes = 0;               // key + value bytes moved by counted ops
  double elapsed_seconds = 0;            // wall time
  double thread_seconds = 0;             // summed over counted threads
  Histogram latency;                     // per op (fillbatch: per batch)
  int latency_sampling = 1;              // 1: every op timed; 16: every 16th op
  std::uint64_t user_bytes_written = 0;  // key + value bytes written by this workload

  // Filled in after the workload by the driver.
  std::optional<double> write_amp;     // engine counters: (flush+compaction)/user
  std::optional<double> io_write_amp;  // /proc/self/io write_bytes / user bytes
  std::uint64_t disk_bytes = 0;        // database directory after the workload
  MemoryUsage peak_memory;             // RssAnon / RssFile peaks during it
  // Where RssAnon went at its peak, by the engine's account (sanddb only).
  std::optional<MemoryAtPeak> memory_at_peak;

  double ops_per_sec() const { return elapsed_seconds > 0 ? ops / elapsed_seconds : 0; }
  double micros_per_op() const { return ops > 0 ? thread_seconds * 1e6 / ops : 0; }
  double mb_per_sec() const {
    return elapsed_seconds > 0 ? bytes / 1048576.0 / elapsed_seconds : 0;
  }
};

// What the header and every CSV/JSON row say about the run.
struct RunInfo {
  std::string engine;          // "sanddb", "rocksdb", "leveldb"
  std::string engine_version;  // "7.8.3"
  std::vector<std::string> engine_notes;
  std::string db_dir;
  std::string benchmarks;
  std::uint64_t num = 0;
  std::uint64_t reads = 0;
  std::uint64_t key_size = 0;
  std::uint64_t value_size = 0;
  int threads = 1;
  bool sync = false;
  std::string compression;  // as asked: "none" or "lz4"
  std::uint64_t write_buffer_size = 0;
  int bloom_bits = 0;
  std::uint64_t cache_size = 0;
  std::uint64_t block_size = 0;
  std::string retention;  // sanddb: "latest" or "all"; others: "latest"
  std::uint64_t seed = 0;
  bool histogram = false;
};

// The db_bench-style header (engine, version, sizes, settings, notes).
void print_header(const RunInfo& info);

// The db_bench line: "fillrandom   :       1.234 micros/op 810372 ops/sec;
//  89.6 MB/s (p50 1.1 p99 3.2 p99.9 10.0 micros) <message>". `percentiles`
// adds the parenthesised latencies.
std::string db_bench_line(const WorkloadResult& r, bool percentiles);

// The line after a workload's db_bench line that breaks its RssAnon peak
// down, in MiB: "  memory at peak: anon 93.8 MiB = memtables 64.1 (reserved
// 66.0) + table index/filter 3.2 + block cache 8.0 + wal 0.1 + other 18.4".
// The memtables count as used bytes; other = anon minus the parts (negative
// when the engine counted more than was resident).
std::string memory_at_peak_line(const MemoryAtPeak& m);

// The closing table of every workload, then peak memory and on-disk size.
void print_summary(const RunInfo& info, const std::vector<WorkloadResult>& results,
                   const MemoryUsage& overall_peaks, std::uint64_t disk_bytes);

// Appends one row (CSV; a header line first when the file is new or empty)
// or one JSON object per line. Skipped and info workloads are not written.
// The JSON object ends with "memory_at_peak": {"anon_bytes",
// "memtables_used_bytes", "memtables_reserved_bytes",
// "table_index_filter_bytes", "block_cache_bytes", "wal_buffer_bytes",
// "other_bytes", "anon_after_bytes", "heap_in_use_bytes",
// "heap_free_held_bytes"}, or null for an engine without a breakdown; the CSV row
// has no breakdown.
// Returns false (after printing why) when the file cannot be written.
bool append_csv(const std::string& path, const RunInfo& info, const WorkloadResult& r);
bool append_json(const std::string& path, const RunInfo& info, const WorkloadResult& r);

}  // namespace sand_bench
