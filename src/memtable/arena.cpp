// Arena: a counted monotonic buffer resource (see arena.hpp).
#include "memtable/arena.hpp"

#include <sys/mman.h>

#include <boost/container/pmr/global_resource.hpp>
#include <cstdint>
#include <new>

namespace sand {

Arena::Arena(std::size_t initial_block) : resource_(initial_block, &upstream_) {}

Arena::~Arena() = default;

char* Arena::allocate(std::size_t bytes, std::size_t alignment) {
  // Boost's monotonic resource refuses alignments above max_align (bad_alloc),
  // so a cache-line-aligned request takes the slack and aligns by hand.
  constexpr std::size_t kMaxAlign = boost::container::pmr::memory_resource::max_align;
  if (alignment > kMaxAlign) {
    std::size_t skip = 0;
    if (resource_.remaining_storage(alignment, skip) >= bytes) {
      // Fits in the current block: pad just up to the boundary.
      if (skip > 0) (void)resource_.allocate(skip, 1);
      used_.store(used_.load(std::memory_order_relaxed) + skip, std::memory_order_relaxed);
      return allocate(bytes, kMaxAlign);
    }
    const std::size_t padded = bytes + alignment - kMaxAlign;
    auto addr = reinterpret_cast<std::uintptr_t>(resource_.allocate(padded, kMaxAlign));
    used_.store(used_.load(std::memory_order_relaxed) + padded, std::memory_order_relaxed);
    addr = (addr + alignment - 1) & ~(std::uintptr_t{alignment} - 1);
    return reinterpret_cast<char*>(addr);
  }
  void* p = resource_.allocate(bytes, alignment);
  const std::size_t rounded = (bytes + alignment - 1) & ~(alignment - 1);
  // Only the single writer stores; readers just want a recent value.
  used_.store(used_.load(std::memory_order_relaxed) + rounded, std::memory_order_relaxed);
  return static_cast<char*>(p);
}

std::atomic<std::size_t> Arena::process_reserved_{0};

void* Arena::CountingResource::do_allocate(std::size_t bytes, std::size_t alignment) {
  void* p;
  if (bytes >= kMappedBlockMin) {
    // Page-aligned, which satisfies any alignment the arena asks for.
    p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
  } else {
    p = boost::container::pmr::new_delete_resource()->allocate(bytes, alignment);
  }
  reserved_.fetch_add(bytes, std::memory_order_relaxed);
  process_reserved_.fetch_add(bytes, std::memory_order_relaxed);
  return p;
}

void Arena::CountingResource::do_deallocate(void* p, std::size_t bytes, std::size_t alignment) {
  if (bytes >= kMappedBlockMin) {
    ::munmap(p, bytes);
  } else {
    boost::container::pmr::new_delete_resource()->deallocate(p, bytes, alignment);
  }
  reserved_.fetch_sub(bytes, std::memory_order_relaxed);
  process_reserved_.fetch_sub(bytes, std::memory_order_relaxed);
}

}  // namespace sand
