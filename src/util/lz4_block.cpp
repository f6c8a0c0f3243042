// LZ4 blocks of known decompressed size (lz4_block.hpp).
#include "util/lz4_block.hpp"

#include <lz4.h>

namespace sand::util {

bool decompress_lz4_block(std::string_view block, std::uint64_t raw_size, std::string* out) {
  // Each LZ4 sequence's token and literal bytes bound what a byte can
  // become: no block expands more than 255 times (plus a small constant).
  if (raw_size > 255 * static_cast<std::uint64_t>(block.size()) + 16) return false;
  out->resize(static_cast<std::size_t>(raw_size));
  const int n = LZ4_decompress_safe(block.data(), out->data(), static_cast<int>(block.size()),
                                    static_cast<int>(raw_size));
  return n >= 0 && static_cast<std::uint64_t>(n) == raw_size;
}

std::string lz4_block_error(std::size_t block_size, std::uint64_t raw_size) {
  return "compressed value of " + std::to_string(block_size) +
         " bytes does not decompress to its " + std::to_string(raw_size) + " bytes";
}

}  // namespace sand::util
