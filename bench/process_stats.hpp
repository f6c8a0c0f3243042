// Process statistics for sand_bench: resident memory split into anonymous
// (heap, memtables, caches) and file-backed (mmap'd tables, the binary)
// pages, and the bytes the process wrote.
//
// The kernel keeps only the peak of the total (VmHWM), so RssSampler reads
// RssAnon and RssFile from /proc/self/status every ~50 ms on a background
// thread and keeps their peaks itself: a peak shorter than 50 ms can be
// missed, and the two peaks need not be simultaneous.
//
// With a breakdown source (set_breakdown_source: the engine's own account of
// its memory, sanddb's Stats), the sampler also keeps where the memory went
// at the window's anonymous peak: each time a sample sets a new window peak
// of RssAnon (the window's starting usage counts as its first), it asks the
// source once, right after that sample. So the source is called at most
// once per RSS sample, and only on a new peak; a workload whose memory only
// falls gets the breakdown of its start.
//
// Invariants: all values are bytes. A missing /proc field reads as 0.
// Thread-safety: RssSampler's methods may be called from any thread; the
// free functions are thread-safe (they only read /proc). The breakdown
// source is called from the sampling thread and from the callers of
// reset_window/window_peaks, never under the sampler's lock.
#pragma once

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>

namespace sand_bench {

struct MemoryUsage {
  std::uint64_t anon_bytes = 0;  // RssAnon
  std::uint64_t file_bytes = 0;  // RssFile
  std::uint64_t hwm_bytes = 0;   // VmHWM: the kernel's peak of the total RSS
};

// Where an engine says its memory goes (sanddb: sand::Stats' memory fields,
// which define each one), in bytes.
struct MemoryBreakdown {
  std::uint64_t memtables_used = 0;      // arena bytes handed out
  std::uint64_t memtables_reserved = 0;  // arena blocks held (>= used)
  std::uint64_t table_index_filter = 0;  // table readers' heap bytes
  std::uint64_t block_cache = 0;         // charged in the block cache
  std::uint64_t wal_buffer = 0;          // the write path's buffers

  // What the parts add up to. The memtables count as used: the untouched
  // tail of a reserved arena block is mostly not resident.
  std::uint64_t accounted() const {
    return memtables_used + table_index_filter + block_cache + wal_buffer;
  }
};

// The breakdown at a window's RssAnon peak: the sample that set the peak,
// and what the engine said right after taking it.
struct MemoryAtPeak {
  std::uint64_t anon_bytes = 0;
  MemoryBreakdown breakdown;
  // RssAnon read again right after the breakdown. The engine's figures and
  // the first reading are moments apart; a peak often comes just before a
  // flushed memtable is freed, and memory freed in between shows here as
  // a drop (anon_bytes - anon_after_bytes) rather than only as "other".
  std::uint64_t anon_after_bytes = 0;
  // glibc malloc's own account, taken with anon_after_bytes (mallinfo2,
  // every arena): bytes in allocated chunks, and bytes of free chunks it
  // keeps instead of returning them (resident where they were touched).
  // This splits "other" into memory some code still holds and allocator
  // retention. 0 when unavailable.
  std::uint64_t heap_in_use_bytes = 0;
  std::uint64_t heap_free_held_bytes = 0;

  // RssAnon the engine does not account for (allocator slack, thread
  // stacks, the bench's own memory, ...); negative when the engine counted
  // more than was resident.
  std::int64_t other_bytes() const {
    return static_cast<std::int64_t>(anon_bytes) - static_cast<std::int64_t>(breakdown.accounted());
  }
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
  // Returns the engine's breakdown now, or nullopt when it has none.
  using BreakdownSource = std::function<std::optional<MemoryBreakdown>()>;

  explicit RssSampler(std::chrono::milliseconds period = std::chrono::milliseconds(50))
      : thread_([this, period](std::stop_token stop) { run(stop, period); }) {}
  RssSampler(const RssSampler&) = delete;
  RssSampler& operator=(const RssSampler&) = delete;
  ~RssSampler() {
    thread_.request_stop();
    wake_.notify_all();
  }

  // Where breakdowns at the window's peak come from (none: no breakdown).
  // `source` must stay callable until the sampler is destroyed.
  void set_breakdown_source(BreakdownSource source) {
    std::lock_guard lock(mu_);
    source_ = std::move(source);
  }

  // Starts a new window at the current usage (its first peak).
  void reset_window() {
    const MemoryUsage now = read_memory_usage();
    std::uint64_t window = 0;
    {
      std::lock_guard lock(mu_);
      window_ = now;
      window_at_peak_.reset();
      window = ++window_number_;
      take(now);
    }
    record_breakdown(now.anon_bytes, window);
  }
  // Peaks since reset_window(), including a sample taken now.
  MemoryUsage window_peaks() {
    sample();
    std::lock_guard lock(mu_);
    return window_;
  }
  // The breakdown at the window's RssAnon peak as of the last sample (call
  // window_peaks() first to take one); nullopt without a source or when it
  // had none. Its anon_bytes is window_peaks()'s, or lower when the source
  // was still being asked about a newer peak.
  std::optional<MemoryAtPeak> window_at_peak() {
    std::lock_guard lock(mu_);
    return window_at_peak_;
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
    std::uint64_t window = 0;
    {
      std::lock_guard lock(mu_);
      const bool new_peak = now.anon_bytes > window_.anon_bytes;
      take(now);
      if (!new_peak) return;
      window = window_number_;
    }
    record_breakdown(now.anon_bytes, window);
  }
  // Asks the source (outside mu_: it may take the engine's locks) and keeps
  // its answer as the peak's, unless a higher peak or a new window came
  // meanwhile.
  void record_breakdown(std::uint64_t anon_bytes, std::uint64_t window) {
    BreakdownSource source;
    {
      std::lock_guard lock(mu_);
      source = source_;
    }
    if (!source) return;
    const std::optional<MemoryBreakdown> breakdown = source();
    if (!breakdown) return;
    const std::uint64_t after = read_memory_usage().anon_bytes;
    const struct mallinfo2 heap = ::mallinfo2();
    std::lock_guard lock(mu_);
    if (window != window_number_ || anon_bytes != window_.anon_bytes) return;
    window_at_peak_ = MemoryAtPeak{.anon_bytes = anon_bytes,
                                   .breakdown = *breakdown,
                                   .anon_after_bytes = after,
                                   .heap_in_use_bytes = heap.uordblks + heap.hblkhd,
                                   .heap_free_held_bytes = heap.fordblks};
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
  MemoryUsage window_;                          // GUARDED_BY(mu_)
  MemoryUsage overall_;                         // GUARDED_BY(mu_)
  BreakdownSource source_;                      // GUARDED_BY(mu_)
  std::uint64_t window_number_ = 0;             // GUARDED_BY(mu_); reset_window() counts
  std::optional<MemoryAtPeak> window_at_peak_;  // GUARDED_BY(mu_)
  std::condition_variable_any wake_;
  std::jthread thread_;  // last: it starts after the members it uses exist
};

}  // namespace sand_bench
