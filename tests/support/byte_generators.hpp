// RapidCheck generators of byte strings for the encoding tests (escaping,
// JSON, key/value files). Test-only.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sand::test {

// Arbitrary byte strings: every value 0x00..0xff is equally likely (so
// mostly not UTF-8 once a byte above 0x7f appears).
inline rc::Gen<std::string> any_bytes() {
  return rc::gen::map(
      rc::gen::container<std::vector<std::uint8_t>>(rc::gen::arbitrary<std::uint8_t>()),
      [](const std::vector<std::uint8_t>& bytes) {
        return std::string(bytes.begin(), bytes.end());
      });
}

}  // namespace sand::test
