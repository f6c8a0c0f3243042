// Tests for src/util/coding: fixed-width and varint coding, and that every
// decoder rejects truncated and overlong input.
#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include "util/coding.hpp"

using namespace sand::util;

TEST_CASE("fixed32 and fixed64 are little-endian", "[coding]") {
  std::string s;
  put_fixed32(&s, 0x04030201u);
  put_fixed64(&s, 0x0807060504030201ull);
  REQUIRE(s == std::string("\x01\x02\x03\x04\x01\x02\x03\x04\x05\x06\x07\x08", 12));
  std::string_view in = s;
  std::uint32_t a = 0;
  std::uint64_t b = 0;
  REQUIRE(get_fixed32(&in, &a));
  REQUIRE(get_fixed64(&in, &b));
  CHECK(a == 0x04030201u);
  CHECK(b == 0x0807060504030201ull);
  CHECK(in.empty());
}

TEST_CASE("varint encodings match LEB128 examples", "[coding]") {
  const std::pair<std::uint64_t, std::string> cases[] = {
      {0, std::string("\x00", 1)},
      {1, "\x01"},
      {127, "\x7f"},
      {128, "\x80\x01"},
      {300, "\xac\x02"},
      {16384, "\x80\x80\x01"},
      {~0ull, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"},
  };
  for (const auto& [value, bytes] : cases) {
    std::string s;
    put_varint64(&s, value);
    CHECK(s == bytes);
    CHECK(varint_length(value) == static_cast<int>(bytes.size()));
  }
}

TEST_CASE("varint round trip", "[coding]") {
  rc::prop("varint64 decodes what it encodes", [](std::uint64_t v, std::uint32_t w) {
    std::string s;
    put_varint64(&s, v);
    put_varint32(&s, w);
    std::string_view in = s;
    std::uint64_t v2 = 0;
    std::uint32_t w2 = 0;
    RC_ASSERT(get_varint64(&in, &v2));
    RC_ASSERT(get_varint32(&in, &w2));
    RC_ASSERT(v2 == v);
    RC_ASSERT(w2 == w);
    RC_ASSERT(in.empty());
  });
}

TEST_CASE("varint decoders reject truncated and overlong input", "[coding]") {
  std::uint64_t v = 0;
  std::uint32_t w = 0;
  std::string_view truncated("\x80\x80", 2);
  CHECK_FALSE(get_varint64(&truncated, &v));
  std::string_view empty;
  CHECK_FALSE(get_varint64(&empty, &v));
  // 11 bytes: longer than any uint64.
  std::string_view too_long("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11);
  CHECK_FALSE(get_varint64(&too_long, &v));
  // 10th byte carries bits past 64.
  std::string_view overflow("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 10);
  CHECK_FALSE(get_varint64(&overflow, &v));
  // A varint32 cannot hold 2^32.
  std::string_view big32("\x80\x80\x80\x80\x10", 5);
  CHECK_FALSE(get_varint32(&big32, &w));
  std::string_view max32("\xff\xff\xff\xff\x0f", 5);
  REQUIRE(get_varint32(&max32, &w));
  CHECK(w == 0xffffffffu);
}

TEST_CASE("length-prefixed strings", "[coding]") {
  std::string s;
  put_length_prefixed(&s, "hello");
  put_length_prefixed(&s, "");
  std::string_view in = s, a, b;
  REQUIRE(get_length_prefixed(&in, &a));
  REQUIRE(get_length_prefixed(&in, &b));
  CHECK(a == "hello");
  CHECK(b.empty());
  // A length past the end is rejected and consumes nothing.
  std::string bad;
  put_varint64(&bad, 10);
  bad += "abc";
  std::string_view bad_in = bad, out;
  CHECK_FALSE(get_length_prefixed(&bad_in, &out));
  CHECK(bad_in.size() == bad.size());
}
