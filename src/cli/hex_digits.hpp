// Hex digits, the one spelling of bytes the tool shares: escape.hpp's `\xNN`
// and json_bytes.hpp's {"hex": ...} write lowercase and read either case.
// Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace sand::cli {

// Appends `byte` as two lowercase hex digits.
inline void append_hex(std::string& out, std::uint8_t byte) {
  constexpr char kDigits[] = "0123456789abcdef";
  out.push_back(kDigits[byte >> 4]);
  out.push_back(kDigits[byte & 0x0f]);
}

// The value of hex digit `c` (either case), or -1.
inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace sand::cli
