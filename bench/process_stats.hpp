// Process statistics for sand_bench: resident memory split into anonymous
// (heap, memtables, caches) and file-backed (mmap'd tables, the binary)
// pages, and the bytes the process wrote.
//
// The kernel keeps only the peak of the total (VmHWM), so RssSampler reads
// RssAnon and RssFile from /proc/self/status every ~50 ms on a background
// thread and keeps their peaks itself: a peak shorter than 50 ms can be
// missed, and the two peaks need not be simultaneous.
//
// Invariants: all values are bytes. A missing /proc field reads as 0.
// Thread-safety: RssSampler's methods may be called from any thread; the
// free functions are thread-safe (they only read /proc).
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <stop_token>
#include <thread>

namespace sand_bench {

struct MemoryUsage {
  std::uint64_t anon_bytes = 0;  // RssAnon
  std::uint64_t file_bytes = 0;  // RssFile
  std::uint64_t hwm_bytes = 0;   // VmHWM: the kernel's peak of the total RSS
};

// The current RssAnon, RssFile and VmHWM of this process.
inline MemoryUsage read_memory_usage() {
  MemoryUsage usage;
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return usage;
  char line[256];
  while (std::fgets(line, sizeof line, f) != nullptr) {
    unsigned long long kb = 0;
    if (std::sscanf(line, "RssAnon: %llu kB", &kb) == 1)
      usage.anon_bytes = kb * 1024;
    else if (std::sscanf(line, "RssFile: %llu kB", &kb) == 1)
      usage.file_bytes = kb * 1024;
    else if (std::sscanf(line, "VmHWM: %llu kB", &kb) == 1)
      usage.hwm_bytes = kb * 1024;
  }
  std::fclose(f);
  return usage;
}

// Bytes this process (all its threads, live or exited) passed to write(2)
// and friends: /proc/self/io wchar. That is every byte an engine wrote to
// its WAL, tables, manifest and logs, whether or not the kernel wrote it
// back before the file was deleted (write_bytes would miss those: short runs
// delete WALs and flushed tables while their pages are still dirty). It
// misses writes through mmap (none of the benchmarked engines writes that
// way with these settings) and includes the driver's own stdout/CSV lines
// (a few hundred bytes per workload). 0 if unavailable.
inline std::uint64_t syscall_write_bytes() {
  std::FILE* f = std::fopen("/proc/self/io", "r");
  if (f == nullptr) return 0;
  unsigned long long written = 0;
  char line[128];
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::sscanf(line, "wchar: %llu", &written) == 1) break;
  }
  std::fclose(f);
  return written;
}

// Samples RssAnon/RssFile every `period` and keeps two sets of peaks: since
// construction, and since the last reset_window() (one workload).
class RssSampler {
 public:
  explicit RssSampler(std::chrono::milliseconds period = std::chrono::milliseconds(50))
      : thread_([this, period](std::stop_token stop) { run(stop, period); }) {}
  RssSampler(const RssSampler&) = delete;
  RssSampler& operator=(const RssSampler&) = delete;
  ~RssSampler() {
    thread_.request_stop();
    wake_.notify_all();
  }

  // Starts a new window at the current usage.
  void reset_window() {
    const MemoryUsage now = read_memory_usage();
    std::lock_guard lock(mu_);
    window_ = now;
    take(now);
  }
  // Peaks since reset_window(), including a sample taken now.
  MemoryUsage window_peaks() {
    sample();
    std::lock_guard lock(mu_);
    return window_;
  }
  // Peaks since construction, including a sample taken now; hwm_bytes is the
  // kernel's VmHWM.
  MemoryUsage overall_peaks() {
    sample();
    std::lock_guard lock(mu_);
    return overall_;
  }

 private:
  void run(std::stop_token stop, std::chrono::milliseconds period) {
    std::mutex wait_mu;
    std::unique_lock lock(wait_mu);
    while (!stop.stop_requested()) {
      sample();
      wake_.wait_for(lock, stop, period, [] { return false; });
    }
  }
  void sample() {
    const MemoryUsage now = read_memory_usage();
    std::lock_guard lock(mu_);
    take(now);
  }
  // REQUIRES: mu_ held.
  void take(const MemoryUsage& now) {
    for (MemoryUsage* peaks : {&window_, &overall_}) {
      peaks->anon_bytes = std::max(peaks->anon_bytes, now.anon_bytes);
      peaks->file_bytes = std::max(peaks->file_bytes, now.file_bytes);
      peaks->hwm_bytes = std::max(peaks->hwm_bytes, now.hwm_bytes);
    }
  }

  std::mutex mu_;
  MemoryUsage window_;   // GUARDED_BY(mu_)
  MemoryUsage overall_;  // GUARDED_BY(mu_)
  std::condition_variable_any wake_;
  std::jthread thread_;  // last: it starts after the members it uses exist
};

}  // namespace sand_bench
