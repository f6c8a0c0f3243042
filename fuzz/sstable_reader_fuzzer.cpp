// Fuzz target sstable_reader: arbitrary bytes as a table file
// (spec/sstable.md) -> Table::open, full forward and backward scans, seeks,
// bounded scans and point lookups (table_exercise.hpp), once without a block
// cache and once with one (the LZ4 path: decompressed blocks are cached, so a
// corrupt compressed block must be rejected before it gets there).
// Only Corruption may come back. Deterministic, no output on success, no
// file I/O (the table is an in-memory ReadableFile).
#include <cstdint>
#include <memory>
#include <string>

#include "fuzz_support.hpp"
#include "table/block_cache.hpp"
#include "table_exercise.hpp"

namespace {
constexpr std::size_t kMaxInput = 512 << 10;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInput) return 0;
  const std::string_view bytes = sand::fuzz::as_view(data, size);
  // The last bytes double as lookup probes: seeds are real tables, whose
  // tails (footer) vary once mutated.
  const std::string_view probe = bytes.substr(bytes.size() > 128 ? bytes.size() - 128 : 0);
  sand::fuzz::exercise_table(std::string(bytes), false, probe, nullptr);
  auto cache = std::make_shared<sand::table::BlockCache>(64 << 10, 0);
  sand::fuzz::exercise_table(std::string(bytes), false, probe, cache);
  return 0;
}
