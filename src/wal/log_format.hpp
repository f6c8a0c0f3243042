// Log framing shared by the WAL and the manifest (spec/wal.md "File header"
// and "Record framing"): a 16-byte file header, then records of
//   uint32 masked_crc32c(length bytes ++ payload), uint32 length, payload.
//
// Both file kinds use the same framing and differ only in their magic, so one
// writer and one reader serve both. Everything here is constant or pure and
// thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sand::wal {

// Which log a file holds. Selects the magic and the name used in messages.
enum class LogKind { kWal, kManifest };

// On-disk: never change or reuse. 8 bytes each (the trailing NUL is part of
// the magic).
inline constexpr std::string_view kWalMagic{"SANDWAL\0", 8};
inline constexpr std::string_view kManifestMagic{"SANDMAN\0", 8};
// On-disk: the only format version written and read.
inline constexpr std::uint32_t kLogFormatVersion = 1;

// magic (8) + uint32 format version + uint32 masked CRC32C of the first 12.
inline constexpr std::size_t kFileHeaderSize = 16;
// Offsets of the header fields, for error messages.
inline constexpr std::size_t kHeaderVersionOffset = 8;
inline constexpr std::size_t kHeaderCrcOffset = 12;
// uint32 masked CRC + uint32 payload length.
inline constexpr std::size_t kRecordHeaderSize = 8;
// Hard limit on one record's payload: 1 GiB. A length above it is never
// written, so a reader treats it as damage.
inline constexpr std::uint32_t kMaxRecordPayload = std::uint32_t{1} << 30;

std::string_view log_magic(LogKind kind);
// "WAL" or "manifest", as used in messages.
std::string_view log_kind_name(LogKind kind);

// The 16 header bytes a writer of `kind` puts at offset 0 (a constant per
// kind, since the version is fixed).
std::string log_file_header(LogKind kind);

// The masked CRC32C a record with `payload` carries: it covers the 4 length
// bytes (`length_bytes`, already encoded) and then the payload, so a damaged
// length is caught like damaged data.
std::uint32_t record_crc(const char* length_bytes, std::string_view payload);

}  // namespace sand::wal
