// Tests for src/value/value_ref: the value reference codec (exact bytes,
// round trips, every rejected encoding) and the value checksum.
#include "value/value_ref.hpp"

#include <rapidcheck.h>
#include <rapidcheck/catch.h>
#include <xxhash.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <string>
#include <tuple>

#include "sand/options.hpp"
#include "util/coding.hpp"

using namespace sand;
using namespace sand::value;

namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

std::string encoded(const ValueRef& ref) {
  std::string s;
  encode_value_ref(ref, &s);
  return s;
}

// A uint64 that is small, near a varint length boundary, or anywhere.
rc::Gen<std::uint64_t> gen_u64() {
  return rc::gen::oneOf(
      rc::gen::inRange<std::uint64_t>(0, 300),
      rc::gen::map(rc::gen::pair(rc::gen::inRange(1, 64), rc::gen::inRange(-1, 2)),
                   [](const std::pair<int, int>& p) {
                     return (std::uint64_t{1} << p.first) + static_cast<std::uint64_t>(p.second);
                   }),
      rc::gen::arbitrary<std::uint64_t>(), rc::gen::just(kMax));
}

// A reference decode_value_ref accepts: file >= 1, size <= kMaxValueSize,
// offset + size <= 2^64 - 1.
rc::Gen<ValueRef> gen_valid_ref() {
  return rc::gen::map(
      rc::gen::tuple(gen_u64(), gen_u64(), gen_u64(), gen_u64()),
      [](const std::tuple<std::uint64_t, std::uint64_t, std::uint64_t, std::uint64_t>& t) {
        ValueRef r;
        r.file = std::max<std::uint64_t>(1, std::get<0>(t));
        r.size = std::get<2>(t) % (kMaxValueSize + 1);
        r.offset = std::min(std::get<1>(t), kMax - r.size);
        r.checksum = std::get<3>(t);
        return r;
      });
}

}  // namespace

TEST_CASE("property: value ref encode then decode gives the same ref", "[value][value_ref]") {
  rc::prop("round trip", [] {
    const ValueRef ref = *gen_valid_ref();
    const std::string bytes = encoded(ref);
    RC_ASSERT(bytes.size() == static_cast<std::size_t>(util::varint_length(ref.file) +
                                                       util::varint_length(ref.offset) +
                                                       util::varint_length(ref.size) + 8));
    RC_ASSERT(bytes.size() <= kMaxValueRefSize);
    const auto back = decode_value_ref(bytes);
    RC_ASSERT(back.has_value());
    RC_ASSERT(*back == ref);
  });
}

TEST_CASE("property: every proper prefix of a value ref is rejected", "[value][value_ref]") {
  rc::prop("truncated refs", [] {
    const std::string bytes = encoded(*gen_valid_ref());
    const auto cut = *rc::gen::inRange<std::size_t>(0, bytes.size());
    RC_ASSERT(!decode_value_ref(std::string_view(bytes).substr(0, cut)).has_value());
  });
}

TEST_CASE("property: a value ref with trailing bytes is rejected", "[value][value_ref]") {
  rc::prop("trailing bytes", [] {
    std::string bytes = encoded(*gen_valid_ref());
    bytes += *rc::gen::nonEmpty<std::string>();
    RC_ASSERT(!decode_value_ref(bytes).has_value());
  });
}

TEST_CASE("encode_value_ref appends to what dst holds", "[value][value_ref]") {
  std::string dst = "prefix";
  encode_value_ref(ValueRef{.file = 1, .offset = 2, .size = 3, .checksum = 4}, &dst);
  CHECK(dst == std::string("prefix\x01\x02\x03\x04\x00\x00\x00\x00\x00\x00\x00", 17));
}

TEST_CASE("the worked example value ref has the exact bytes of the spec rules",
          "[value][value_ref]") {
  // XXH3-64 (seed 0) of "hello" is 0x9555e8555c62dcfd: printed once by a
  // separate C program calling the system libxxhash (not this codebase), and
  // checked again below against XXH3_64bits.
  constexpr std::uint64_t kHelloXxh3 = 0x9555e8555c62dcfdull;
  CHECK(XXH3_64bits("hello", 5) == kHelloXxh3);
  const ValueRef ref{.file = 7, .offset = 40, .size = 5, .checksum = value_checksum("hello")};
  CHECK(ref.checksum == kHelloXxh3);
  // Derived by hand: 7, 40 (0x28) and 5 are each below 128, so each varint is
  // that one byte with the continuation bit clear; then fixed64 is the
  // checksum's 8 bytes least significant first: fd dc 62 5c 55 e8 55 95.
  const std::string expected("\x07\x28\x05\xfd\xdc\x62\x5c\x55\xe8\x55\x95", 11);
  CHECK(encoded(ref) == expected);
  const auto back = decode_value_ref(expected);
  REQUIRE(back.has_value());
  CHECK(*back == ref);
}

TEST_CASE("a value ref with multi-byte varints has the exact LEB128 bytes", "[value][value_ref]") {
  // file 300 = 0b10_0101100: low 7 bits 0x2c with the continuation bit (0xac),
  // then 0x02. offset 16384 = 2^14: 0x80 0x80 0x01. size 128: 0x80 0x01.
  // checksum 0x0102030405060708 little-endian: 08 07 06 05 04 03 02 01.
  const ValueRef ref{.file = 300, .offset = 16384, .size = 128, .checksum = 0x0102030405060708ull};
  const std::string expected("\xac\x02\x80\x80\x01\x80\x01\x08\x07\x06\x05\x04\x03\x02\x01", 15);
  CHECK(encoded(ref) == expected);
  const auto back = decode_value_ref(expected);
  REQUIRE(back.has_value());
  CHECK(*back == ref);
}

TEST_CASE("a value ref with the largest fields fits kMaxValueRefSize and decodes",
          "[value][value_ref]") {
  // Three 10-byte varints need values of 2^63 or more: file and offset can
  // be that large, size cannot (kMaxValueSize), so the longest valid ref is
  // 10 + 10 + varint(kMaxValueSize) + 8 bytes; the 38-byte bound still holds.
  const ValueRef ref{
      .file = kMax, .offset = kMax - kMaxValueSize, .size = kMaxValueSize, .checksum = kMax};
  const std::string bytes = encoded(ref);
  CHECK(bytes.size() == static_cast<std::size_t>(10 + 10 + util::varint_length(kMaxValueSize) + 8));
  CHECK(bytes.size() <= kMaxValueRefSize);
  const auto back = decode_value_ref(bytes);
  REQUIRE(back.has_value());
  CHECK(*back == ref);
}

TEST_CASE("a value ref naming file 0 is rejected", "[value][value_ref]") {
  CHECK_FALSE(decode_value_ref(encoded(ValueRef{.file = 0, .offset = 0, .size = 1})).has_value());
  CHECK_FALSE(decode_value_ref(std::string("\x00\x28\x05\xfd\xdc\x62\x5c\x55\xe8\x55\x95", 11))
                  .has_value());
  // File 1 is the smallest accepted.
  CHECK(decode_value_ref(encoded(ValueRef{.file = 1, .offset = 0, .size = 1})).has_value());
}

TEST_CASE("a value ref larger than kMaxValueSize is rejected", "[value][value_ref]") {
  CHECK(decode_value_ref(encoded(ValueRef{.file = 3, .size = kMaxValueSize})).has_value());
  CHECK_FALSE(
      decode_value_ref(encoded(ValueRef{.file = 3, .size = kMaxValueSize + 1})).has_value());
  CHECK_FALSE(decode_value_ref(encoded(ValueRef{.file = 3, .size = kMax})).has_value());
}

TEST_CASE("a value ref whose offset plus size overflows is rejected", "[value][value_ref]") {
  // offset + size == 2^64 - 1 still fits.
  CHECK(decode_value_ref(encoded(ValueRef{.file = 3, .offset = kMax - 5, .size = 5})).has_value());
  CHECK(decode_value_ref(encoded(ValueRef{.file = 3, .offset = kMax, .size = 0})).has_value());
  CHECK_FALSE(
      decode_value_ref(encoded(ValueRef{.file = 3, .offset = kMax - 4, .size = 5})).has_value());
  CHECK_FALSE(
      decode_value_ref(encoded(ValueRef{.file = 3, .offset = kMax, .size = 1})).has_value());
  CHECK_FALSE(
      decode_value_ref(
          encoded(ValueRef{.file = 3, .offset = kMax - kMaxValueSize + 1, .size = kMaxValueSize}))
          .has_value());
}

TEST_CASE("a truncated value ref is rejected", "[value][value_ref]") {
  const std::string good("\x07\x28\x05\xfd\xdc\x62\x5c\x55\xe8\x55\x95", 11);
  REQUIRE(decode_value_ref(good).has_value());
  for (std::size_t cut = 0; cut < good.size(); ++cut) {
    INFO("cut at " << cut);
    CHECK_FALSE(decode_value_ref(good.substr(0, cut)).has_value());
  }
  // A varint cut after a continuation byte.
  CHECK_FALSE(decode_value_ref(std::string("\x07\x28\x85", 3)).has_value());
}

TEST_CASE("a value ref followed by trailing bytes is rejected", "[value][value_ref]") {
  const std::string good("\x07\x28\x05\xfd\xdc\x62\x5c\x55\xe8\x55\x95", 11);
  CHECK_FALSE(decode_value_ref(good + std::string("\x00", 1)).has_value());
  CHECK_FALSE(decode_value_ref(good + good).has_value());
}

TEST_CASE("a value ref varint longer than 10 bytes is rejected", "[value][value_ref]") {
  const std::string rest("\x28\x05\xfd\xdc\x62\x5c\x55\xe8\x55\x95", 10);
  // File 7 padded with continuation bytes to exactly 10 bytes: 0x87, eight
  // 0x80, then 0x00. Still a 10-byte varint, so accepted.
  const std::string ten = "\x87" + std::string(8, '\x80') + std::string("\x00", 1);
  REQUIRE(ten.size() == 10);
  const auto padded = decode_value_ref(ten + rest);
  REQUIRE(padded.has_value());
  CHECK(padded->file == 7);
  CHECK(padded->offset == 40);
  // The same with one more 0x80: an 11-byte varint.
  const std::string eleven = "\x87" + std::string(9, '\x80') + std::string("\x00", 1);
  REQUIRE(eleven.size() == 11);
  CHECK_FALSE(decode_value_ref(eleven + rest).has_value());
  // An 11-byte offset and an 11-byte size too.
  CHECK_FALSE(
      decode_value_ref("\x07" + eleven + std::string("\x05\xfd\xdc\x62\x5c\x55\xe8\x55\x95", 9))
          .has_value());
  CHECK_FALSE(decode_value_ref(std::string("\x07\x28", 2) + eleven +
                               std::string("\xfd\xdc\x62\x5c\x55\xe8\x55\x95", 8))
                  .has_value());
  // A 10-byte varint whose last byte sets bits past bit 63 is rejected too.
  const std::string overflow = std::string(9, '\xff') + std::string("\x02", 1);
  CHECK_FALSE(decode_value_ref(overflow + rest).has_value());
}

TEST_CASE("an empty value ref is rejected", "[value][value_ref]") {
  CHECK_FALSE(decode_value_ref("").has_value());
}

TEST_CASE("value_checksum is XXH3_64bits with seed 0", "[value][value_ref]") {
  // Lengths that take each of XXH3's code paths: 0, 1-3, 4-8, 9-16, 17-128,
  // 129-240 and longer.
  for (const std::size_t n : {0, 1, 3, 5, 12, 100, 200, 1000, 100000}) {
    std::string bytes(n, '\0');
    for (std::size_t i = 0; i < n; ++i) bytes[i] = static_cast<char>((i * 131 + 7) & 0xff);
    INFO("length " << n);
    CHECK(value_checksum(bytes) == XXH3_64bits(bytes.data(), bytes.size()));
    CHECK(value_checksum(bytes) == XXH3_64bits_withSeed(bytes.data(), bytes.size(), 0));
  }
  // XXH3-64 of the empty input, as the xxHash reference documents it.
  CHECK(value_checksum("") == 0x2d06800538d394c2ull);
  CHECK(value_checksum("hello") == 0x9555e8555c62dcfdull);
  CHECK(value_checksum("hello") != value_checksum("hellp"));
}

TEST_CASE("property: value_checksum matches XXH3_64bits", "[value][value_ref]") {
  rc::prop("any bytes", [](const std::string& bytes) {
    RC_ASSERT(value_checksum(bytes) == XXH3_64bits(bytes.data(), bytes.size()));
  });
}
