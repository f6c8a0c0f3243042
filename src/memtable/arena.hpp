// Arena: bump allocation for one memtable's skiplist nodes and entry bytes,
// all released together when the arena is destroyed (never one by one).
//
// Built on Boost.Container's pmr::monotonic_buffer_resource: the first block
// holds `initial_block` bytes, each later block is larger than the one before
// (geometric growth), and a request bigger than the next block gets a block
// of its own. Memory handed out never moves, so readers may keep pointers
// into it while the writer goes on allocating.
//
// Growth doubles, so up to about half of bytes_reserved() can be untouched
// tail of the newest block; untouched pages are not resident, so the
// process's real memory stays close to bytes_used().
//
// Blocks of kMappedBlockMin bytes or more are mmap(2)ed and munmap(2)ed by
// the arena itself, not malloc'd: glibc serves blocks below its mmap
// threshold (which it raises up to 32 MiB as large blocks are freed) from
// the heap and keeps them there once freed, so a dead memtable's blocks
// stayed resident next to the live ones. Measured in sand_bench's suite:
// peak anonymous RSS during readrandom after the fills fell from 128.5 to
// 63.6 MiB (LevelDB: 82.7), during fillrandom from 110.6 to 93.8 MiB.
//
// Thread-safety: allocate() is for one thread at a time (the memtable's
// single writer). bytes_used() and bytes_reserved() are atomic reads, safe
// from any thread.
#pragma once

#include <atomic>
#include <boost/container/pmr/memory_resource.hpp>
#include <boost/container/pmr/monotonic_buffer_resource.hpp>
#include <cstddef>

namespace sand {

class Arena {
 public:
  static constexpr std::size_t kDefaultInitialBlock = 64 << 10;  // 64 KiB
  static constexpr std::size_t kMappedBlockMin = 256 << 10;      // 256 KiB

  explicit Arena(std::size_t initial_block = kDefaultInitialBlock);
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena();

  // Returns `bytes` of uninitialised memory aligned to `alignment` (a power of
  // two), valid until the arena dies. An alignment above
  // alignof(std::max_align_t) costs up to alignment - alignof(max_align_t)
  // bytes of padding, counted in bytes_used().
  // Never null: like operator new it throws std::bad_alloc when memory runs
  // out. REQUIRES: no concurrent allocate() call.
  char* allocate(std::size_t bytes, std::size_t alignment);

  // Bytes handed out by allocate(), each request rounded up to its alignment.
  std::size_t bytes_used() const { return used_.load(std::memory_order_relaxed); }
  // Bytes of blocks obtained from the system (>= bytes_used()).
  std::size_t bytes_reserved() const { return upstream_.reserved(); }
  // bytes_reserved() summed over every arena alive in the process: what
  // memtables hold wherever they are referenced from (tests check that
  // nothing keeps a flushed memtable alive).
  static std::size_t process_bytes_reserved() {
    return process_reserved_.load(std::memory_order_relaxed);
  }

 private:
  // Forwards to the global new/delete resource and counts what it holds, so
  // bytes_reserved() is exact whatever growth policy Boost applies.
  class CountingResource final : public boost::container::pmr::memory_resource {
   public:
    std::size_t reserved() const { return reserved_.load(std::memory_order_relaxed); }

   private:
    void* do_allocate(std::size_t bytes, std::size_t alignment) override;
    void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override;
    bool do_is_equal(const memory_resource& other) const noexcept override {
      return this == &other;
    }
    std::atomic<std::size_t> reserved_{0};
  };

  // Declared before resource_: the resource returns its blocks to upstream_
  // in its destructor, so upstream_ must outlive it.
  static std::atomic<std::size_t> process_reserved_;
  CountingResource upstream_;
  boost::container::pmr::monotonic_buffer_resource resource_;
  std::atomic<std::size_t> used_{0};
};

}  // namespace sand
