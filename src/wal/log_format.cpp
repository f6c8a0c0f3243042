// Log framing constants and checksums (spec/wal.md).
#include "wal/log_format.hpp"

#include "util/coding.hpp"
#include "util/crc32c.hpp"

namespace sand::wal {

std::string_view log_magic(LogKind kind) {
  return kind == LogKind::kWal ? kWalMagic : kManifestMagic;
}

std::string_view log_kind_name(LogKind kind) { return kind == LogKind::kWal ? "WAL" : "manifest"; }

std::string log_file_header(LogKind kind) {
  std::string header(log_magic(kind));
  util::put_fixed32(&header, kLogFormatVersion);
  util::put_fixed32(&header, crc32c::mask(crc32c::value(header)));
  return header;
}

std::uint32_t record_crc(const char* length_bytes, std::string_view payload) {
  const std::uint32_t crc = crc32c::value(length_bytes, 4);
  return crc32c::mask(crc32c::extend(crc, payload.data(), payload.size()));
}

}  // namespace sand::wal
