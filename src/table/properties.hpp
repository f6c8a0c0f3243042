// TableProperties: the summary a table carries about its own contents
// (spec/sstable.md "Properties block"), and its codec.
//
// Written once by TableBuilder, read and verified at Table::open. A plain
// value: copyable, thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sand/options.hpp"
#include "sand/status.hpp"

namespace sand::table {

struct TableProperties {
  std::uint64_t entries = 0;     // puts + tombstones
  std::uint64_t tombstones = 0;  // delete entries
  std::uint64_t data_blocks = 0;
  std::uint64_t raw_key_bytes = 0;    // sum of internal key sizes (user key + 8)
  std::uint64_t raw_value_bytes = 0;  // sum of value sizes
  Version min_version = 0;            // 0 when entries == 0
  Version max_version = 0;
  // `{}` so designated initializers may omit them under -Wextra.
  std::string smallest_user_key{};  // empty when entries == 0
  std::string largest_user_key{};
  Compression compression = Compression::kNone;  // the option the writer used

  friend bool operator==(const TableProperties&, const TableProperties&) = default;
};

// The properties record: varint64 x7, two length-prefixed keys, uint8
// compression, in that order.
std::string encode_properties(const TableProperties& props);

// Decodes a whole properties record; trailing bytes, an unknown compression
// value, tombstones > entries or min_version > max_version are errors.
// Errors: Corruption naming `file_name` and `block_offset`.
Result<TableProperties> decode_properties(std::string_view record, std::string_view file_name,
                                          std::uint64_t block_offset);

}  // namespace sand::table
