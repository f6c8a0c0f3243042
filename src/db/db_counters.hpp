// DbCounters: the work counters behind DB::stats(). Each is bumped where the
// work happens (writes, flushes, compactions, stalls) and read without locks;
// stats() reads them one by one, so a snapshot of them is not atomic as a
// whole, only each figure is.
// Thread-safety: every field is atomic.
#pragma once

#include <atomic>
#include <cstdint>

namespace sand {

struct DbCounters {
  std::atomic<std::uint64_t> user_bytes_written{0};  // keys + values of committed batches
  std::atomic<std::uint64_t> write_groups{0};         // WAL appends, one per group
  std::atomic<std::uint64_t> wal_syncs{0};            // fsyncs of the WAL by writes
  std::atomic<std::uint64_t> flushes{0};
  std::atomic<std::uint64_t> flush_bytes_written{0};
  std::atomic<std::uint64_t> compactions{0};
  std::atomic<std::uint64_t> compaction_bytes_read{0};
  std::atomic<std::uint64_t> compaction_bytes_written{0};
  std::atomic<std::uint64_t> stalls{0};
  std::atomic<std::uint64_t> stall_micros{0};
};

}  // namespace sand
