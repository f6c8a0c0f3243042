// The test suite's memtable override (see memtable_override.hpp).
#include "db/memtable_override.hpp"

#include <atomic>

namespace sand {
namespace {

// -1: no override; otherwise a MemTableIndex value.
std::atomic<int> g_override{-1};

}  // namespace

void set_memtable_override_for_tests(std::optional<MemTableIndex> index) {
  g_override.store(index ? static_cast<int>(*index) : -1, std::memory_order_relaxed);
}

MemTableIndex memtable_index_for(const Options& options) {
  const int o = g_override.load(std::memory_order_relaxed);
  return o < 0 ? options.memtable : static_cast<MemTableIndex>(o);
}

}  // namespace sand
