// One LZ4 block that decompresses to a known number of bytes: how a
// compressed value is stored (spec/wal.md kind 3, spec/values.md raw_size).
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sand::util {

// Sets *out to the `raw_size` bytes `block` decompresses to and returns
// true; false (with *out unspecified) when the block does not decompress to
// exactly `raw_size` bytes. A `raw_size` no block of this length can reach
// (LZ4 expands at most 255 times) is refused before anything is allocated.
// REQUIRES: block.size() and raw_size fit an int (both are at most
// kMaxValueSize).
bool decompress_lz4_block(std::string_view block, std::uint64_t raw_size, std::string* out);

// "compressed value of S bytes does not decompress to its R bytes": the
// words every reader uses when decompress_lz4_block fails.
std::string lz4_block_error(std::size_t block_size, std::uint64_t raw_size);

}  // namespace sand::util
