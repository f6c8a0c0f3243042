// Report output: db_bench lines, header, summary table, CSV and JSON Lines
// (see report.hpp for the definitions of every number).
#include "report.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace sand_bench {
namespace {

std::string format(const char* fmt, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

double mib(std::uint64_t bytes) { return static_cast<double>(bytes) / 1048576.0; }

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  int count = 0;
  std::string model;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      ++count;
      const auto colon = line.find(':');
      if (colon != std::string::npos) model = line.substr(colon + 2);
    }
  }
  return std::to_string(count) + " * " + model;
}

std::string optional_number(const std::optional<double>& v, const char* fmt) {
  return v.has_value() ? format(fmt, *v) : std::string();
}

// `v` as printf's `fmt` would print it ("%.1f", "%.6g"), as a number: JSON
// rows carry the precision the CSV rows do, not 17 digits of noise.
double rounded(const char* fmt, double v) { return std::strtod(format(fmt, v).c_str(), nullptr); }

// null when absent.
nlohmann::ordered_json json_number(const std::optional<double>& v) {
  return v.has_value() ? nlohmann::ordered_json(rounded("%.6g", *v)) : nullptr;
}

bool append(const std::string& path, const std::string& header, const std::string& row) {
  std::error_code ec;
  const bool fresh =
      !std::filesystem::exists(path, ec) || std::filesystem::file_size(path, ec) == 0;
  std::ofstream out(path, std::ios::app);
  if (fresh && !header.empty()) out << header << '\n';
  out << row << '\n';
  out.flush();
  if (!out) {
    std::fprintf(stderr, "sand_bench: cannot append to %s\n", path.c_str());
    return false;
  }
  return true;
}

bool has_latency(const WorkloadResult& r) { return r.latency.count() > 0; }

}  // namespace

void print_header(const RunInfo& info) {
  const std::time_t now = std::time(nullptr);
  char date[64];
  std::strftime(date, sizeof date, "%a %b %e %H:%M:%S %Y", std::localtime(&now));
  std::printf("sand_bench:  engine %s %s\n", info.engine.c_str(), info.engine_version.c_str());
  std::printf("Date:        %s\n", date);
  std::printf("CPU:         %s\n", cpu_model().c_str());
  std::printf("Keys:        %llu bytes each\n", static_cast<unsigned long long>(info.key_size));
  std::printf("Values:      %llu bytes each (%llu bytes after compression)\n",
              static_cast<unsigned long long>(info.value_size),
              static_cast<unsigned long long>(info.value_size / 2));
  std::printf("Entries:     %llu\n", static_cast<unsigned long long>(info.num));
  std::printf("Reads:       %llu per thread\n", static_cast<unsigned long long>(info.reads));
  std::printf("RawSize:     %.1f MB (estimated)\n",
              mib((info.key_size + info.value_size) * info.num));
  std::printf("FileSize:    %.1f MB (estimated)\n",
              mib((info.key_size + info.value_size / 2) * info.num));
  std::printf("Threads:     %d\n", info.threads);
  std::printf(
      "Settings:    write_buffer_size %.1f MiB, compression %s, bloom_bits %d, "
      "cache_size %.1f MiB, block_size %llu, sync %d\n",
      mib(info.write_buffer_size), info.compression.c_str(), info.bloom_bits, mib(info.cache_size),
      static_cast<unsigned long long>(info.block_size), info.sync ? 1 : 0);
  std::printf("Retention:   %s\n", info.retention == "all"
                                       ? "every version (sanddb --sand_retention=all)"
                                       : "latest version only");
  std::printf("Latency:     %s\n", info.histogram
                                       ? "every operation timed"
                                       : "every 16th operation timed (--histogram=1: all)");
  for (const auto& note : info.engine_notes) std::printf("Note:        %s\n", note.c_str());
  std::printf("DB:          %s\n", info.db_dir.c_str());
  std::printf("Benchmarks:  %s\n", info.benchmarks.c_str());
  std::printf("------------------------------------------------\n");
  std::fflush(stdout);
}

std::string db_bench_line(const WorkloadResult& r, bool percentiles) {
  if (r.kind != WorkloadResult::Kind::kRun) {
    return format("%-12s : %s", r.name.c_str(), r.message.c_str());
  }
  std::string line = format("%-12s : %11.3f micros/op %ld ops/sec; %6.1f MB/s", r.name.c_str(),
                            r.micros_per_op(), static_cast<long>(r.ops_per_sec()), r.mb_per_sec());
  if (percentiles && has_latency(r)) {
    line += format(" (p50 %.1f p99 %.1f p99.9 %.1f micros)", r.latency.percentile_micros(50),
                   r.latency.percentile_micros(99), r.latency.percentile_micros(99.9));
  }
  if (!r.message.empty()) line += " " + r.message;
  return line;
}

std::string memory_at_peak_line(const MemoryAtPeak& m) {
  const MemoryBreakdown& b = m.breakdown;
  return format(
      "  memory at peak: anon %.1f MiB = memtables %.1f (reserved %.1f) + table index/filter "
      "%.1f + block cache %.1f + wal %.1f + other %.1f (anon right after the breakdown: %.1f; "
      "malloc: %.1f in use, %.1f free but held)",
      mib(m.anon_bytes), mib(b.memtables_used), mib(b.memtables_reserved),
      mib(b.table_index_filter), mib(b.block_cache), mib(b.wal_buffer),
      static_cast<double>(m.other_bytes()) / 1048576.0, mib(m.anon_after_bytes),
      mib(m.heap_in_use_bytes), mib(m.heap_free_held_bytes));
}

void print_summary(const RunInfo& info, const std::vector<WorkloadResult>& results,
                   const MemoryUsage& overall_peaks, std::uint64_t disk_bytes) {
  std::printf("------------------------------------------------\n");
  std::printf(
      "Summary: %s %s, %llu keys, %llu-byte values, %d thread(s), compression %s\n",
      info.engine.c_str(), info.engine_version.c_str(), static_cast<unsigned long long>(info.num),
      static_cast<unsigned long long>(info.value_size), info.threads, info.compression.c_str());
  std::printf("%-16s %11s %10s %8s %9s %9s %9s %6s %6s %9s %9s %9s\n", "workload", "ops/sec",
              "micros/op", "MB/s", "p50 us", "p99 us", "p99.9 us", "w-amp", "io-amp", "disk MiB",
              "anon MiB", "file MiB");
  for (const auto& r : results) {
    if (r.kind == WorkloadResult::Kind::kInfo) continue;
    if (r.kind == WorkloadResult::Kind::kSkipped) {
      std::printf("%-16s %s\n", r.name.c_str(), r.message.c_str());
      continue;
    }
    const bool lat = has_latency(r);
    std::printf("%-16s %11.0f %10.3f %8.1f %9s %9s %9s %6s %6s %9.1f %9.1f %9.1f\n", r.name.c_str(),
                r.ops_per_sec(), r.micros_per_op(), r.mb_per_sec(),
                lat ? format("%.2f", r.latency.percentile_micros(50)).c_str() : "",
                lat ? format("%.2f", r.latency.percentile_micros(99)).c_str() : "",
                lat ? format("%.2f", r.latency.percentile_micros(99.9)).c_str() : "",
                optional_number(r.write_amp, "%.2f").c_str(),
                optional_number(r.io_write_amp, "%.2f").c_str(), mib(r.disk_bytes),
                mib(r.peak_memory.anon_bytes), mib(r.peak_memory.file_bytes));
  }
  std::printf("Peak RSS:    anon %.1f MiB, file %.1f MiB (sampled every 50 ms); VmHWM %.1f MiB\n",
              mib(overall_peaks.anon_bytes), mib(overall_peaks.file_bytes),
              mib(overall_peaks.hwm_bytes));
  std::printf("On disk:     %.1f MiB in %s\n", mib(disk_bytes), info.db_dir.c_str());
  std::printf(
      "w-amp: (flush + compaction bytes, engine counters) / user bytes; io-amp: "
      "file bytes made dirty, by write(2) or through a mapping (WAL included; /proc/self/io "
      "write_bytes) / user bytes; both "
      "since open\n");
  std::fflush(stdout);
}

namespace {

constexpr std::string_view kCsvHeader =
    "engine,engine_version,workload,num,key_size,value_size,threads,sync,compression,"
    "retention,ops,ops_per_sec,mb_per_sec,micros_per_op,p50_us,p99_us,p999_us,"
    "latency_sampling,write_amp,io_write_amp,disk_bytes,peak_anon_rss_bytes,"
    "peak_file_rss_bytes,message";

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::optional<double> percentile(const WorkloadResult& r, double p) {
  if (!has_latency(r)) return std::nullopt;
  return r.latency.percentile_micros(p);
}

}  // namespace

bool append_csv(const std::string& path, const RunInfo& info, const WorkloadResult& r) {
  if (r.kind != WorkloadResult::Kind::kRun) return true;
  std::string row;
  row +=
      csv_field(info.engine) + "," + csv_field(info.engine_version) + "," + csv_field(r.name) + ",";
  row += format("%llu,%llu,%llu,%d,%d,", static_cast<unsigned long long>(info.num),
                static_cast<unsigned long long>(info.key_size),
                static_cast<unsigned long long>(info.value_size), r.threads, info.sync ? 1 : 0);
  row += csv_field(info.compression) + "," + csv_field(info.retention) + ",";
  row += format("%llu,%.1f,%.3f,%.4f,", static_cast<unsigned long long>(r.ops), r.ops_per_sec(),
                r.mb_per_sec(), r.micros_per_op());
  row += optional_number(percentile(r, 50), "%.3f") + "," +
         optional_number(percentile(r, 99), "%.3f") + "," +
         optional_number(percentile(r, 99.9), "%.3f") + ",";
  row += format("%d,", r.latency_sampling);
  row += optional_number(r.write_amp, "%.4f") + "," + optional_number(r.io_write_amp, "%.4f") + ",";
  row += format("%llu,%llu,%llu,", static_cast<unsigned long long>(r.disk_bytes),
                static_cast<unsigned long long>(r.peak_memory.anon_bytes),
                static_cast<unsigned long long>(r.peak_memory.file_bytes));
  row += csv_field(r.message);
  return append(path, std::string(kCsvHeader), row);
}

bool append_json(const std::string& path, const RunInfo& info, const WorkloadResult& r) {
  if (r.kind != WorkloadResult::Kind::kRun) return true;
  nlohmann::ordered_json o;
  o["engine"] = info.engine;
  o["engine_version"] = info.engine_version;
  o["workload"] = r.name;
  o["num"] = info.num;
  o["key_size"] = info.key_size;
  o["value_size"] = info.value_size;
  o["threads"] = r.threads;
  o["sync"] = info.sync;
  o["compression"] = info.compression;
  o["retention"] = info.retention;
  o["ops"] = r.ops;
  o["ops_per_sec"] = rounded("%.1f", r.ops_per_sec());
  o["mb_per_sec"] = rounded("%.3f", r.mb_per_sec());
  o["micros_per_op"] = rounded("%.4f", r.micros_per_op());
  o["p50_us"] = json_number(percentile(r, 50));
  o["p99_us"] = json_number(percentile(r, 99));
  o["p999_us"] = json_number(percentile(r, 99.9));
  o["latency_sampling"] = r.latency_sampling;
  o["write_amp"] = json_number(r.write_amp);
  o["io_write_amp"] = json_number(r.io_write_amp);
  o["disk_bytes"] = r.disk_bytes;
  o["peak_anon_rss_bytes"] = r.peak_memory.anon_bytes;
  o["peak_file_rss_bytes"] = r.peak_memory.file_bytes;
  o["message"] = r.message;
  if (r.memory_at_peak) {
    const MemoryBreakdown& b = r.memory_at_peak->breakdown;
    o["memory_at_peak"] = {{"anon_bytes", r.memory_at_peak->anon_bytes},
                           {"memtables_used_bytes", b.memtables_used},
                           {"memtables_reserved_bytes", b.memtables_reserved},
                           {"table_index_filter_bytes", b.table_index_filter},
                           {"block_cache_bytes", b.block_cache},
                           {"wal_buffer_bytes", b.wal_buffer},
                           {"other_bytes", r.memory_at_peak->other_bytes()},
                           {"anon_after_bytes", r.memory_at_peak->anon_after_bytes},
                           {"heap_in_use_bytes", r.memory_at_peak->heap_in_use_bytes},
                           {"heap_free_held_bytes", r.memory_at_peak->heap_free_held_bytes}};
  } else {
    o["memory_at_peak"] = nullptr;
  }
  // Compact, one object per line; a byte that is not UTF-8 (none is
  // expected: names and messages are ASCII) would be replaced, not thrown.
  return append(path, "", o.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

}  // namespace sand_bench
