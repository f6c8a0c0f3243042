// Table file framing (spec/sstable.md): block handles, the 5-byte block
// trailer (compression type + masked CRC32C), LZ4 block compression, and the
// fixed 64-byte footer.
//
// Everything here is a pure function of its arguments: no state, thread-safe.
// Readers never trust a length: every decode checks bounds first and reports
// Corruption naming the file and the byte offset of the structure at fault.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sand/file_system.hpp"
#include "sand/options.hpp"
#include "sand/status.hpp"
#include "table/block_buffer.hpp"
#include "util/internal_key.hpp"

namespace sand::table {

// On-disk: never change or reuse. Table format versions: 1 holds put and
// delete entries only; 2 may also hold value-reference entries
// (EntryKind::kValueRef, spec/values.md); 3 also references to compressed
// values (a value_ref with a raw_size). Writers write the lowest version
// that holds the table's entries, so databases that never separate (or never
// compress) a value stay readable by older readers; readers accept all three
// and reject any other version.
inline constexpr std::uint32_t kFormatVersionInline = 1;
inline constexpr std::uint32_t kFormatVersionRefs = 2;
inline constexpr std::uint32_t kFormatVersionCompressedRefs = 3;  // the newest

// The largest entry kind a table of `format_version` may hold.
inline EntryKind max_kind_of(std::uint32_t format_version) {
  return format_version >= 2 ? EntryKind::kValueRef : EntryKind::kPut;
}
// On-disk: never change. The last 8 bytes of every table file are these ASCII
// bytes (53 41 4e 44 53 53 54 31); as a big-endian uint64 they read
// 0x53414e4453535431. They are compared as bytes, not as an integer.
inline constexpr std::string_view kTableMagic{"SANDSST1", 8};
inline constexpr std::size_t kFooterSize = 64;
// Footer layout: 3 handles of 2 x fixed64 from position 0, then uint32
// version, uint32 masked CRC32C of the bytes before it, 8 magic bytes.
// On-disk: never change.
inline constexpr std::size_t kFooterVersionPos = 48;
inline constexpr std::size_t kFooterCrcPos = 52;
inline constexpr std::size_t kFooterMagicPos = 56;
// uint8 compression type + uint32 masked CRC32C.
inline constexpr std::size_t kBlockTrailerSize = 5;
// Two varint64s.
inline constexpr std::size_t kMaxBlockHandleLength = 20;
// A compressed block that claims to decompress to more than this is corrupt.
// Writers never compress a block larger than this (they store it raw).
inline constexpr std::uint64_t kMaxUncompressedBlockSize = 64u << 20;
// No LZ4 block decompresses to more than this many bytes per payload byte.
inline constexpr std::uint64_t kMaxLz4Expansion = 255;

// Where a block lives: `size` counts the stored bytes, not the trailer.
struct BlockHandle {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;

  // The "no block" handle (0, 0), used when a table has no filter.
  bool is_null() const { return offset == 0 && size == 0; }
  friend bool operator==(const BlockHandle&, const BlockHandle&) = default;
};

// Appends varint64 offset, varint64 size.
void encode_block_handle(std::string* dst, const BlockHandle& handle);
// Consumes a handle from the front of *in. False if truncated or overlong.
[[nodiscard]] bool decode_block_handle(std::string_view* in, BlockHandle* handle);

struct Footer {
  BlockHandle filter;  // is_null() when the table has no filter
  BlockHandle index;
  BlockHandle properties;
  std::uint32_t format_version = kFormatVersionInline;
};

// Exactly kFooterSize bytes: the handles as fixed64 pairs, the version, the
// masked CRC32C of the 52 bytes before it, the magic.
std::string encode_footer(const Footer& footer);

// Decodes and verifies the footer at the end of `file` (a whole table file's
// bytes). Checks, in order: length, magic, checksum, format version, and that
// every handle (with its trailer) lies before the footer. Errors: Corruption
// naming `file_name` and the offset (spec/sstable.md "Verification").
Result<Footer> decode_footer(std::string_view file, std::string_view file_name);

// A block's contents after reading: either a view into the file (stored
// uncompressed) or a view into `owned` (decompressed).
struct BlockContents {
  std::string_view data;
  std::shared_ptr<const BlockBuffer> owned;  // null when data views the file
};

// The stored form of `raw`: LZ4 (type 1) when `compression` asks for it, raw
// is at most kMaxUncompressedBlockSize and the stored form is at most 7/8 of
// raw's size; otherwise raw itself (type 0). `*scratch` holds compressed bytes.
// Returns the type chosen; *stored views raw or *scratch.
Compression compress_block(std::string_view raw, Compression compression, std::string* scratch,
                           std::string_view* stored);

// The 5-byte trailer for `stored` bytes of the given type.
std::string block_trailer(std::string_view stored, Compression type);

// Reads the block at `handle` from `region` (the table bytes a block may
// occupy: offsets are relative to the file start, region starts there too).
// Checks bounds; when `verify_checksum`, the trailer's CRC; then decompresses.
// Errors: Corruption naming `file_name` and handle.offset.
Result<BlockContents> read_block(std::string_view region, std::string_view file_name,
                                 const BlockHandle& handle, bool verify_checksum);

}  // namespace sand::table
