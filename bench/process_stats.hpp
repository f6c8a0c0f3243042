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

// Bytes of file pages this process (all its threads, live or exited) made
// dirty: /proc/self/io write_bytes. The kernel counts a page when a write
// dirties it, whether by write(2) or through a shared mapping, so this
// covers sanddb's WAL, which appends by copying into a mapped file and which
// wchar (bytes passed to write(2)) does not see at all. It is counted at
// dirtying time, so files deleted before write-back (short runs delete WALs
// and flushed tables) still count. Page-granular: a page made dirty again
// after its write-back counts again, and sanddb's WAL pages populated ahead
// of the writer count when populated (at most one 1 MiB window past the
// end). For the engines that only write(2), it matched wchar within 1% in
// fillrandom and overwrite at 100 B and 4 KiB. 0 if unavailable.
inline std::uint64_t dirtied_file_bytes() {
  std::FILE* f = std::fopen("/proc/self/io", "r");
  if (f == nullptr) return 0;
  unsigned long long written = 0;
  char line[128];
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::sscanf(line, "write_bytes: %llu", &written) == 1) break;
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
