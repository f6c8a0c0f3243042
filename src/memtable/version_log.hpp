// VersionLog: an append-only sequence that readers walk without locks while
// one writer appends. The memtable logs each skiplist node it creates here,
// in creation order; since the memtable's adds come in non-decreasing
// version order, the log is sorted by version, and the entries of a version
// range are one slice of it, found by binary search (MemTable::
// entries_in_versions). The skiplist alone orders by key, so without the log
// a version range means a pass over the whole memtable.
//
// Layout: segment k holds kFirstSegmentSlots << k slots, allocated from the
// arena when the first slot of it is appended. So an empty log costs only
// its segment table, the unused tail (of the newest segment) is never more
// than about as many slots as are in use, and no slot ever moves: a reader
// may keep using one while the writer appends. kSegments segments hold
// 2^54 slots, more than any memory can back, so the log has no practical
// bound. In a memtable a slot costs 8 bytes per entry, counted in
// approximate_bytes() a segment at a time.
//
// Invariants:
// - Slots [0, size()) are written, each exactly once, before size() counts
//   them (release store of the count; readers load it with acquire).
// - A segment's pointer is published before any slot of it is counted.
//
// Thread-safety: append() needs external synchronisation (one writer at a
// time: the memtable's writer, which also owns the arena's allocate()).
// size() and operator[] are safe from any number of threads, concurrently
// with append(); they never lock or allocate.
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <cassert>
#include <cstddef>
#include <new>
#include <type_traits>

#include "memtable/arena.hpp"

namespace sand {

template <typename T>
class VersionLog {
 public:
  static_assert(std::is_trivially_copyable_v<T>);
  // Small, so a small memtable (tests use 4 KiB ones) does not give a large
  // share of its budget to slots it may never fill.
  static constexpr std::size_t kFirstSegmentSlots = 16;  // a power of two
  static constexpr int kSegments = 50;

  // `arena` must outlive the log; only append() allocates from it.
  explicit VersionLog(Arena* arena) : arena_(arena) {}
  VersionLog(const VersionLog&) = delete;
  VersionLog& operator=(const VersionLog&) = delete;

  // Appends `value` and publishes it. REQUIRES: no concurrent append().
  void append(const T& value) {
    const std::size_t i = size_.load(std::memory_order_relaxed);  // only the writer stores it
    const Slot at = locate(i);
    T* segment = segments_[at.segment].load(std::memory_order_relaxed);
    if (segment == nullptr) segment = add_segment(at.segment);
    new (segment + at.offset) T(value);
    // Release: a reader that loads a count above i also sees slot i written.
    size_.store(i + 1, std::memory_order_release);
  }

  // Slots published so far. A reader may read slots [0, size()) of the
  // value it loaded, whatever the writer does meanwhile.
  std::size_t size() const { return size_.load(std::memory_order_acquire); }

  // REQUIRES: i < a size() this thread loaded.
  T operator[](std::size_t i) const {
    const Slot at = locate(i);
    // Relaxed: the acquire load of a count covering i already ordered the
    // segment's publication before this read.
    const T* segment = segments_[at.segment].load(std::memory_order_relaxed);
    assert(segment != nullptr);
    return segment[at.offset];
  }

 private:
  struct Slot {
    int segment;
    std::size_t offset;
  };

  // Segment k starts at index F * (2^k - 1) (F = kFirstSegmentSlots), so
  // index + F lies in [F << k, F << (k + 1)): its bit width gives k.
  static Slot locate(std::size_t i) {
    constexpr int kFirstBits = std::countr_zero(kFirstSegmentSlots);
    const std::size_t shifted = i + kFirstSegmentSlots;
    const int k = static_cast<int>(std::bit_width(shifted)) - 1 - kFirstBits;
    assert(k < kSegments);
    return {k, shifted - (kFirstSegmentSlots << k)};
  }

  T* add_segment(int k) {
    const std::size_t slots = kFirstSegmentSlots << k;
    T* segment =
        static_cast<T*>(static_cast<void*>(arena_->allocate(sizeof(T) * slots, alignof(T))));
    // Relaxed: no reader dereferences it before a count covering one of its
    // slots, whose release store comes after this one.
    segments_[k].store(segment, std::memory_order_relaxed);
    return segment;
  }

  static_assert(std::has_single_bit(kFirstSegmentSlots));

  Arena* const arena_;  // not owned
  std::array<std::atomic<T*>, kSegments> segments_{};
  std::atomic<std::size_t> size_{0};
};

}  // namespace sand
