// Log framing shared by the WAL, the manifest and value logs (spec/wal.md
// sections 1 and 3, spec/values.md), format version 2 of the framing:
//   file header (28 bytes): magic, uint32 version, uint32 crc of the first 12
//     bytes, uint64 log id, uint32 crc of the log id;
//   record: uint32 header crc, uint32 length, uint32 payload crc, payload.
// The header crc covers the log id, the length and the payload crc, so a
// record only verifies inside the file it was written to (a stale record
// copied from another log never replays), and a damaged length is caught
// from the header alone, before it is trusted to find the payload.
//
// Every file kind uses the same framing and differs only in its magic and
// format version, so one writer and one reader serve all. Everything here is constant or pure and
// thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sand::wal {

// Which log a file holds. Selects the magic and the name used in messages.
// A value log (`NNNNNN.val`) holds one value per record: the live values
// compaction moved out of mostly-dead value files (spec/values.md).
enum class LogKind { kWal, kManifest, kValueLog };

// On-disk: never change or reuse. 8 bytes each (the trailing NUL is part of
// the magic).
inline constexpr std::string_view kWalMagic{"SANDWAL\0", 8};
inline constexpr std::string_view kManifestMagic{"SANDMAN\0", 8};
inline constexpr std::string_view kValueLogMagic{"SANDVAL\0", 8};
// On-disk: the format versions. A WAL is version 2, the only one written and
// read. A manifest is written as version 3 (the framing of version 2; its
// edits may use the value-file tags, manifest/edit.hpp) and read as 2 or 3.
// Version 1 (8-byte record headers, no log id) is rejected like any other
// unknown version. A manifest is written as version 4 (value logs: tag 10
// kind 1 and its value_bytes) and read as 2, 3 or 4. A value log, new with
// manifest version 4, is version 1 of its own kind, in the same framing.
inline constexpr std::uint32_t kLogFormatVersion = 2;
// A WAL that may hold compressed puts (write batch operation kind 3, which
// the writer creates when it separates values and compresses with LZ4) is
// written as version 3; every other WAL still as version 2, so a database
// that never compresses values keeps files a version-2 reader reads.
inline constexpr std::uint32_t kWalCompressedFormatVersion = 3;
inline constexpr std::uint32_t kManifestLogFormatV3 = 3;
inline constexpr std::uint32_t kManifestLogFormatVersion = 4;
inline constexpr std::uint32_t kValueLogFormatVersion = 1;

// The version a writer of `kind` puts in the header.
std::uint32_t log_format_version(LogKind kind);
// Whether a reader of `kind` accepts a file of `version`.
bool log_version_readable(LogKind kind, std::uint32_t version);

// The first 16 bytes keep one layout in every format version (magic, uint32
// version, uint32 masked CRC32C of the first 12), so a reader can tell a file
// from another version from a damaged one.
inline constexpr std::size_t kHeaderPrefixSize = 16;
inline constexpr std::size_t kHeaderVersionOffset = 8;
inline constexpr std::size_t kHeaderCrcOffset = 12;
// Version 2 goes on with the uint64 log id and a uint32 masked CRC32C of it.
inline constexpr std::size_t kHeaderLogIdOffset = 16;
inline constexpr std::size_t kHeaderLogIdCrcOffset = 24;
inline constexpr std::size_t kFileHeaderSize = 28;
// uint32 header crc, uint32 payload length, uint32 payload crc.
inline constexpr std::size_t kRecordHeaderSize = 12;
// Hard limit on one record's payload: 1 GiB. A length above it is never
// written, so a reader treats it as damage.
inline constexpr std::uint32_t kMaxRecordPayload = std::uint32_t{1} << 30;

std::string_view log_magic(LogKind kind);
// "WAL", "manifest" or "value log", as used in messages.
std::string_view log_kind_name(LogKind kind);

// The 16 bytes every file a writer of `kind` creates starts with (a
// constant: magic, log_format_version(kind), checksum).
std::string log_header_prefix(LogKind kind);
// The same for a file of `version` (a reader accepts several).
std::string log_header_prefix(LogKind kind, std::uint32_t version);
// The whole file header a writer of `kind` puts at offset 0 for log `log_id`
// (a WAL's id is its file number; a manifest's is a number drawn from the
// same counter when the file is written, so every log file has its own).
std::string log_file_header(LogKind kind, std::uint64_t log_id);
// The same with the version given (a WAL of kWalCompressedFormatVersion).
std::string log_file_header(LogKind kind, std::uint32_t version, std::uint64_t log_id);

// The bytes before `bytes`' trailing zero bytes: what a writer put there
// when it preallocated the file (spec/wal.md "Preallocation"; an all-zero
// record header never verifies, so no record starts in the zeros).
std::size_t written_size(std::string_view bytes);

// Writes the 12-byte header of a record holding `payload` in log `log_id`
// to `dst`.
void encode_record_header(char* dst, std::uint64_t log_id, std::string_view payload);
// Whether the 12 header bytes at `header` verify for log `log_id` (the header
// crc matches and the length is within kMaxRecordPayload). Says nothing
// about the payload.
bool record_header_ok(const char* header, std::uint64_t log_id);
// The payload length a record header declares.
std::uint32_t record_length(const char* header);
// Whether `payload` matches the payload crc in `header`.
bool record_payload_ok(const char* header, std::string_view payload);

}  // namespace sand::wal
