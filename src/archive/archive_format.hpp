// The archive format's constants (spec/archive.md): a file header, chunks of
// entries, a trailer; every integer little-endian. Shared by the writer and
// the reader, so the two cannot disagree on a size or a marker.
//
// Every constant here is on-disk: never change or reuse one; a change of
// layout takes a new format version.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sand::archive {

// "SANDARC" and a zero byte.
inline constexpr std::string_view kMagic{"SANDARC\0", 8};
inline constexpr std::uint32_t kFormatVersion = 1;

// File header: magic(8) format_version(4) flags(4) last_version(8)
// low_water_mark(8) header_crc(4).
inline constexpr std::size_t kHeaderSize = 36;
inline constexpr std::size_t kVersionOffset = 8;
inline constexpr std::size_t kFlagsOffset = 12;
inline constexpr std::size_t kLastVersionOffset = 16;
inline constexpr std::size_t kMarkOffset = 24;
inline constexpr std::size_t kHeaderCrcOffset = 32;

// Chunk: payload_length(4) entry_count(4) header_crc(4), payload,
// payload_crc(4).
inline constexpr std::size_t kChunkHeaderSize = 12;
inline constexpr std::size_t kChunkCrcSize = 4;
// A chunk's payload is at most 1 GiB: room for one entry of the largest key
// and value, and a bound on what a reader allocates for a chunk.
inline constexpr std::uint32_t kMaxChunkPayload = std::uint32_t{1} << 30;
// Writers end a chunk once its payload reaches min(chunk size, this): so a
// chunk is at most this plus one entry (64 KiB key, 256 MiB value and a few
// varint bytes), below kMaxChunkPayload whatever chunk size is asked for.
inline constexpr std::size_t kMaxChunkTarget = std::size_t{64} << 20;

// Trailer: marker(4) entry_count(8) chunk_count(8) trailer_crc(4). The marker
// stands where a chunk's payload_length would: no chunk is that long.
inline constexpr std::uint32_t kTrailerMarker = 0xffffffffu;
inline constexpr std::size_t kTrailerSize = 24;

// Entry kinds, as in internal keys (spec/encoding.md).
inline constexpr std::uint8_t kKindDelete = 0;
inline constexpr std::uint8_t kKindPut = 1;

}  // namespace sand::archive
