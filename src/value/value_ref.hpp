// Value references: how an entry whose value lives in a value file points at
// it (spec/values.md "Value reference"). Large values are written once, in
// the WAL record of their batch; the memtable and the tables carry only this
// reference (doc/design.md section 11).
//
//   value_ref = varint64 file | varint64 offset | varint64 size | fixed64 checksum
//               [ varint64 raw_size ]
//
// `file` is the number of the file holding the bytes, `offset` where in it
// they start, `size` how many, `checksum` the XXH3-64 of exactly those bytes,
// so a read checks what it got without reading the rest of the record.
// With `raw_size`, the stored bytes are an LZ4 block that decompresses to
// exactly that many bytes: the value (a compressed put of the WAL batch,
// spec/wal.md kind 3).
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sand::value {

struct ValueRef {
  std::uint64_t file = 0;
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  std::uint64_t checksum = 0;
  std::uint64_t raw_size = 0;  // 0: stored as is; else the LZ4 block's decompressed size
  bool compressed() const { return raw_size != 0; }
  friend bool operator==(const ValueRef&, const ValueRef&) = default;
};

// The checksum a reference carries: XXH3-64 (seed 0) of the value's bytes.
std::uint64_t value_checksum(std::string_view bytes);

// The longest encoding: four 10-byte varints and the checksum.
inline constexpr std::size_t kMaxValueRefSize = 4 * 10 + 8;

// Appends the encoding of `ref` to `dst`.
void encode_value_ref(const ValueRef& ref, std::string* dst);

// Decodes a whole encoded reference. nullopt when the bytes are not exactly
// one reference (truncated, trailing bytes, a varint of more than 10 bytes), when the
// file number is 0 (never handed out), when size exceeds kMaxValueSize, when
// offset + size overflows, or when a raw_size is present but 0 or over
// kMaxValueSize.
std::optional<ValueRef> decode_value_ref(std::string_view bytes);

}  // namespace sand::value
