// Tests for src/util/crc32c against published CRC32C vectors (RFC 3720
// appendix B.4) and the hardware/portable paths against each other.
#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <string>

#include "util/crc32c.hpp"

using namespace sand;

TEST_CASE("crc32c matches RFC 3720 test vectors", "[crc32c]") {
  const std::string zeros(32, '\0');
  const std::string ones(32, '\xff');
  std::string ascending, descending;
  for (int i = 0; i < 32; ++i) {
    ascending.push_back(static_cast<char>(i));
    descending.push_back(static_cast<char>(31 - i));
  }
  CHECK(crc32c::value(zeros) == 0x8a9136aau);
  CHECK(crc32c::value(ones) == 0x62a8ab43u);
  CHECK(crc32c::value(ascending) == 0x46dd794eu);
  CHECK(crc32c::value(descending) == 0x113fdb5cu);
  CHECK(crc32c::value("123456789") == 0xe3069283u);
}

TEST_CASE("crc32c extend equals one pass", "[crc32c]") {
  const std::string s = "hello world, this is sanddb";
  for (std::size_t cut = 0; cut <= s.size(); ++cut) {
    const auto first = crc32c::value(s.data(), cut);
    CHECK(crc32c::extend(first, s.data() + cut, s.size() - cut) == crc32c::value(s));
  }
}

TEST_CASE("crc32c hardware and portable paths agree", "[crc32c]") {
  rc::prop("same CRC", [](const std::string& s, std::uint32_t seed) {
    RC_ASSERT(crc32c::extend(seed, s.data(), s.size()) ==
              crc32c::detail::extend_portable(seed, s.data(), s.size()));
  });
}

TEST_CASE("crc32c mask round trips and changes the value", "[crc32c]") {
  rc::prop("unmask(mask(x)) == x", [](std::uint32_t x) {
    RC_ASSERT(crc32c::unmask(crc32c::mask(x)) == x);
  });
  const auto crc = crc32c::value("foo");
  CHECK(crc32c::mask(crc) != crc);
  CHECK(crc32c::mask(crc32c::mask(crc)) != crc);
}

TEST_CASE("crc32c masking example in spec/encoding.md", "[crc32c][spec]") {
  CHECK(crc32c::value("foo") == 0xcfc4ae1du);
  CHECK(crc32c::mask(0xcfc4ae1du) == 0xfebe8a61u);
}
