// Log framing constants and checksums (spec/wal.md).
#include "wal/log_format.hpp"

#include "util/coding.hpp"
#include "util/crc32c.hpp"

namespace sand::wal {
namespace {

// The header crc: masked CRC32C of fixed64(log id) ++ bytes 4..11 of the
// record header (the length and the payload crc).
std::uint32_t header_crc(std::uint64_t log_id, const char* header) {
  char id[8];
  util::encode_fixed64(id, log_id);
  const std::uint32_t crc = crc32c::value(id, sizeof id);
  return crc32c::mask(crc32c::extend(crc, header + 4, 8));
}

}  // namespace

std::string_view log_magic(LogKind kind) {
  switch (kind) {
    case LogKind::kWal:
      return kWalMagic;
    case LogKind::kManifest:
      return kManifestMagic;
    case LogKind::kValueLog:
      return kValueLogMagic;
  }
  return {};
}

std::string_view log_kind_name(LogKind kind) {
  switch (kind) {
    case LogKind::kWal:
      return "WAL";
    case LogKind::kManifest:
      return "manifest";
    case LogKind::kValueLog:
      return "value log";
  }
  return {};
}

std::uint32_t log_format_version(LogKind kind) {
  switch (kind) {
    case LogKind::kWal:
      return kLogFormatVersion;
    case LogKind::kManifest:
      return kManifestLogFormatVersion;
    case LogKind::kValueLog:
      return kValueLogFormatVersion;
  }
  return 0;
}

bool log_version_readable(LogKind kind, std::uint32_t version) {
  if (kind == LogKind::kManifest) {
    // Version 2 predates value files, 3 predates value logs: same framing.
    return version >= kLogFormatVersion && version <= kManifestLogFormatVersion;
  }
  if (kind == LogKind::kWal) {
    return version == kLogFormatVersion || version == kWalCompressedFormatVersion;
  }
  return version == log_format_version(kind);
}

std::string log_header_prefix(LogKind kind) {
  return log_header_prefix(kind, log_format_version(kind));
}

std::string log_header_prefix(LogKind kind, std::uint32_t version) {
  std::string header(log_magic(kind));
  util::put_fixed32(&header, version);
  util::put_fixed32(&header, crc32c::mask(crc32c::value(header)));
  return header;
}

std::string log_file_header(LogKind kind, std::uint64_t log_id) {
  return log_file_header(kind, log_format_version(kind), log_id);
}

std::string log_file_header(LogKind kind, std::uint32_t version, std::uint64_t log_id) {
  std::string header = log_header_prefix(kind, version);
  util::put_fixed64(&header, log_id);
  util::put_fixed32(&header, crc32c::mask(crc32c::value(header.data() + kHeaderLogIdOffset, 8)));
  return header;
}

std::size_t written_size(std::string_view bytes) {
  std::size_t n = bytes.size();
  while (n > 0 && bytes[n - 1] == 0) --n;
  return n;
}

void encode_record_header(char* dst, std::uint64_t log_id, std::string_view payload) {
  util::encode_fixed32(dst + 4, static_cast<std::uint32_t>(payload.size()));
  util::encode_fixed32(dst + 8, crc32c::mask(crc32c::value(payload.data(), payload.size())));
  util::encode_fixed32(dst, header_crc(log_id, dst));
}

bool record_header_ok(const char* header, std::uint64_t log_id) {
  return util::decode_fixed32(header) == header_crc(log_id, header) &&
         record_length(header) <= kMaxRecordPayload;
}

std::uint32_t record_length(const char* header) { return util::decode_fixed32(header + 4); }

bool record_payload_ok(const char* header, std::string_view payload) {
  return util::decode_fixed32(header + 8) ==
         crc32c::mask(crc32c::value(payload.data(), payload.size()));
}

}  // namespace sand::wal
