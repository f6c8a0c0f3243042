// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), as in iSCSI/ext4 and
// LevelDB; spec/encoding.md. Uses the SSE4.2 crc32 instruction when the CPU
// has it, else a portable slicing-by-8 table. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sand::crc32c {

// The CRC32C of `data` continuing from the CRC `crc` of earlier bytes
// (start with 0).
std::uint32_t extend(std::uint32_t crc, const char* data, std::size_t n);

inline std::uint32_t value(const char* data, std::size_t n) {
  return extend(0, data, n);
}
inline std::uint32_t value(std::string_view s) { return value(s.data(), s.size()); }

// Stored checksums are masked so that a CRC of bytes that themselves hold a
// CRC stays well distributed (LevelDB's scheme): rotate right by 15 bits and
// add a constant. On-disk: never change.
inline constexpr std::uint32_t kMaskDelta = 0xa282ead8u;
inline std::uint32_t mask(std::uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + kMaskDelta;
}
inline std::uint32_t unmask(std::uint32_t masked) {
  const std::uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

namespace detail {
// The table-driven path, always available (tests compare it with extend()).
std::uint32_t extend_portable(std::uint32_t crc, const char* data, std::size_t n);
}  // namespace detail

// Whether the hardware path is in use (for tests and stats).
bool hardware_accelerated();

}  // namespace sand::crc32c
