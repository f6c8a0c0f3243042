// Tests for src/value/value_ref: the value reference codec (exact bytes,
// round trips, every rejected encoding, the optional raw_size of a compressed
// value) and the value checksum.
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

// A raw_size decode_value_ref accepts: 1..kMaxValueSize, often near a varint
// length boundary or at either end.
rc::Gen<std::uint64_t> gen_raw_size() {
  return rc::gen::oneOf(
      rc::gen::inRange<std::uint64_t>(1, 300),
      rc::gen::map(rc::gen::pair(rc::gen::inRange(1, 28), rc::gen::inRange(-1, 2)),
                   [](const std::pair<int, int>& p) {
                     return (std::uint64_t{1} << p.first) + static_cast<std::uint64_t>(p.second);
                   }),
      rc::gen::inRange<std::uint64_t>(1, kMaxValueSize + 1),
      rc::gen::element<std::uint64_t>(1, kMaxValueSize - 1, kMaxValueSize));
}

// A compressed reference decode_value_ref accepts: a valid one with a raw_size.
rc::Gen<ValueRef> gen_valid_compressed_ref() {
  return rc::gen::map(rc::gen::pair(gen_valid_ref(), gen_raw_size()),
                      [](const std::pair<ValueRef, std::uint64_t>& p) {
                        ValueRef r = p.first;
                        r.raw_size = p.second;
                        return r;
                      });
}

// Whether `bytes` is exactly one LEB128 varint of at most 10 bytes whose value
// is 1..kMaxValueSize: the only bytes after the checksum that make a valid
// (compressed) reference. Written from spec/values.md, not with util/coding.
bool is_one_valid_raw_size(std::string_view bytes) {
  if (bytes.empty() || bytes.size() > 10) return false;
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto byte = static_cast<std::uint8_t>(bytes[i]);
    const bool last = i + 1 == bytes.size();
    if (((byte & 0x80) == 0) != last) return false;  // ends early, or never ends
    const std::uint64_t group = byte & 0x7f;
    if (group == 0) continue;
    if (7 * i >= 35) return false;  // >= 2^35: past kMaxValueSize (2^28)
    value |= group << (7 * i);
  }
  return value >= 1 && value <= kMaxValueSize;
}

// Bytes to append after a whole four-field reference that do not make it a
// valid compressed one: raw_size 0 (in any length), a raw_size over the
// limit, a truncated raw_size, one of more than 10 bytes, bytes after a good
// raw_size, or anything else that is not exactly one good raw_size.
rc::Gen<std::string> gen_bad_trailer() {
  auto varint = [](std::uint64_t v) {
    std::string s;
    util::put_varint64(&s, v);
    return s;
  };
  // `v`'s varint padded with 0x80 continuation groups to `len` bytes.
  auto padded = [varint](std::uint64_t v, std::size_t len) {
    std::string s = varint(v);
    if (s.size() >= len) return s;
    s.back() = static_cast<char>(s.back() | 0x80);
    s.append(len - s.size() - 1, '\x80');
    s.push_back('\x00');
    return s;
  };
  return rc::gen::oneOf(
      // raw_size 0, shortest or padded (up to 10 bytes still one varint).
      rc::gen::map(rc::gen::inRange<std::size_t>(1, 11),
                   [padded](std::size_t len) { return padded(0, len); }),
      // Over the limit.
      rc::gen::map(rc::gen::oneOf(rc::gen::inRange<std::uint64_t>(kMaxValueSize + 1, kMax),
                                  rc::gen::element<std::uint64_t>(kMaxValueSize + 1, kMax)),
                   varint),
      // A good raw_size padded to 11..16 bytes: longer than 10.
      rc::gen::map(rc::gen::pair(gen_raw_size(), rc::gen::inRange<std::size_t>(11, 17)),
                   [padded](const std::pair<std::uint64_t, std::size_t>& p) {
                     return padded(p.first, p.second);
                   }),
      // Cut short: every byte has its continuation bit set.
      rc::gen::nonEmpty(rc::gen::container<std::string>(
          rc::gen::map(rc::gen::arbitrary<std::uint8_t>(),
                       [](std::uint8_t b) { return static_cast<char>(b | 0x80); }))),
      // A good raw_size, then more bytes.
      rc::gen::map(rc::gen::pair(gen_raw_size(), rc::gen::nonEmpty<std::string>()),
                   [varint](const std::pair<std::uint64_t, std::string>& p) {
                     return varint(p.first) + p.second;
                   }),
      // Anything else.
      rc::gen::suchThat(rc::gen::nonEmpty<std::string>(),
                        [](const std::string& s) { return !is_one_valid_raw_size(s); }));
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
  // Trailing bytes that form exactly one raw_size varint of 1..kMaxValueSize
  // make a compressed reference (the properties below); anything else after
  // the checksum is rejected.
  rc::prop("trailing bytes", [] {
    const ValueRef ref = *gen_valid_ref();
    const std::string trailer = *gen_bad_trailer();
    RC_ASSERT(!is_one_valid_raw_size(trailer));
    RC_ASSERT(!decode_value_ref(encoded(ref) + trailer).has_value());
  });
}

TEST_CASE("property: a value ref followed by one good raw_size varint is a compressed ref",
          "[value][value_ref]") {
  // Any varint of at most 10 bytes, shortest or padded, with a value of
  // 1..kMaxValueSize.
  rc::prop("raw_size bytes", [] {
    const ValueRef ref = *gen_valid_ref();
    const std::uint64_t raw_size = *gen_raw_size();
    std::string trailer;
    util::put_varint64(&trailer, raw_size);
    const auto len = *rc::gen::inRange<std::size_t>(trailer.size(), 11);
    if (len > trailer.size()) {
      trailer.back() = static_cast<char>(trailer.back() | 0x80);
      trailer.append(len - trailer.size() - 1, '\x80');
      trailer.push_back('\x00');
    }
    RC_ASSERT(trailer.size() == len);
    RC_ASSERT(is_one_valid_raw_size(trailer));
    const auto back = decode_value_ref(encoded(ref) + trailer);
    RC_ASSERT(back.has_value());
    ValueRef expected = ref;
    expected.raw_size = raw_size;
    RC_ASSERT(*back == expected);
  });
}

TEST_CASE("property: a compressed value ref encode then decode gives the same ref",
          "[value][value_ref]") {
  rc::prop("round trip with raw_size", [] {
    const ValueRef ref = *gen_valid_compressed_ref();
    RC_ASSERT(ref.compressed());
    const std::string bytes = encoded(ref);
    // The four fields exactly as without raw_size, then raw_size's varint.
    ValueRef plain = ref;
    plain.raw_size = 0;
    const std::string plain_bytes = encoded(plain);
    std::string raw;
    util::put_varint64(&raw, ref.raw_size);
    RC_ASSERT(bytes == plain_bytes + raw);
    RC_ASSERT(bytes.size() <= kMaxValueRefSize);
    const auto back = decode_value_ref(bytes);
    RC_ASSERT(back.has_value());
    RC_ASSERT(*back == ref);
    RC_ASSERT(back->compressed());
    RC_ASSERT(back->raw_size == ref.raw_size);
  });
}

TEST_CASE("property: every proper prefix of a compressed value ref is rejected but one",
          "[value][value_ref]") {
  // Cut right after the checksum it is the uncompressed reference to the
  // same stored bytes; cut anywhere else it is malformed.
  rc::prop("truncated compressed refs", [] {
    const ValueRef ref = *gen_valid_compressed_ref();
    const std::string bytes = encoded(ref);
    ValueRef plain = ref;
    plain.raw_size = 0;
    const std::size_t plain_size = encoded(plain).size();
    const auto cut = *rc::gen::inRange<std::size_t>(0, bytes.size());
    const auto back = decode_value_ref(std::string_view(bytes).substr(0, cut));
    if (cut == plain_size) {
      RC_ASSERT(back.has_value());
      RC_ASSERT(*back == plain);
    } else {
      RC_ASSERT(!back.has_value());
    }
  });
}

TEST_CASE("property: a value ref with raw_size 0 is rejected", "[value][value_ref]") {
  // encode_value_ref writes no raw_size for 0; a stored 0 (in any of its
  // 1..10-byte forms) is malformed, never "not compressed".
  rc::prop("raw_size 0", [] {
    const ValueRef ref = *gen_valid_ref();
    const auto len = *rc::gen::inRange<std::size_t>(1, 11);
    std::string zero(len - 1, '\x80');
    zero.push_back('\x00');
    RC_ASSERT(!decode_value_ref(encoded(ref) + zero).has_value());
  });
}

TEST_CASE("property: a value ref with raw_size over kMaxValueSize is rejected",
          "[value][value_ref]") {
  rc::prop("raw_size over the limit", [] {
    ValueRef ref = *gen_valid_ref();
    ref.raw_size = *rc::gen::oneOf(rc::gen::inRange<std::uint64_t>(kMaxValueSize + 1, kMax),
                                   rc::gen::element<std::uint64_t>(kMaxValueSize + 1, kMax));
    RC_ASSERT(!decode_value_ref(encoded(ref)).has_value());
  });
}

TEST_CASE("property: a compressed value ref with bytes after raw_size is rejected",
          "[value][value_ref]") {
  rc::prop("bytes after raw_size", [] {
    const std::string bytes = encoded(*gen_valid_compressed_ref());
    RC_ASSERT(!decode_value_ref(bytes + *rc::gen::nonEmpty<std::string>()).has_value());
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

TEST_CASE("the worked example value ref with raw_size 1000 has the exact bytes",
          "[value][value_ref]") {
  // The spec's "hello" reference, its 5 stored bytes now read as an LZ4 block
  // of a 1000-byte value: raw_size 1000 = 0b111_1101000, low 7 bits 0x68 with
  // the continuation bit (0xe8), then 0x07. 11 + 2 = 13 bytes.
  const ValueRef ref{
      .file = 7, .offset = 40, .size = 5, .checksum = 0x9555e8555c62dcfdull, .raw_size = 1000};
  CHECK(ref.compressed());
  const std::string expected("\x07\x28\x05\xfd\xdc\x62\x5c\x55\xe8\x55\x95\xe8\x07", 13);
  CHECK(encoded(ref) == expected);
  const auto back = decode_value_ref(expected);
  REQUIRE(back.has_value());
  CHECK(*back == ref);
  CHECK(back->raw_size == 1000);
  CHECK(back->compressed());
  // Without its raw_size the same bytes are the uncompressed example.
  const auto plain = decode_value_ref(expected.substr(0, 11));
  REQUIRE(plain.has_value());
  CHECK_FALSE(plain->compressed());
  CHECK(plain->raw_size == 0);
  // Cut inside the raw_size varint: malformed.
  CHECK_FALSE(decode_value_ref(expected.substr(0, 12)).has_value());
  // raw_size 1 (one byte 0x01) is the smallest accepted.
  const auto one = decode_value_ref(expected.substr(0, 11) + "\x01");
  REQUIRE(one.has_value());
  CHECK(one->raw_size == 1);
}

TEST_CASE("a value ref raw_size at and above kMaxValueSize", "[value][value_ref]") {
  const std::string base("\x07\x28\x05\xfd\xdc\x62\x5c\x55\xe8\x55\x95", 11);
  // kMaxValueSize = 2^28: four 0x80 groups then 0x01.
  const std::string at_limit("\x80\x80\x80\x80\x01", 5);
  const auto ok = decode_value_ref(base + at_limit);
  REQUIRE(ok.has_value());
  CHECK(ok->raw_size == kMaxValueSize);
  CHECK(encoded(*ok) == base + at_limit);
  // 2^28 + 1.
  CHECK_FALSE(decode_value_ref(base + std::string("\x81\x80\x80\x80\x01", 5)).has_value());
  // raw_size 0 and a padded 0.
  CHECK_FALSE(decode_value_ref(base + std::string("\x00", 1)).has_value());
  CHECK_FALSE(decode_value_ref(base + std::string("\x80\x00", 2)).has_value());
  // raw_size 1 padded to 10 bytes is still one varint; to 11 it is not.
  const std::string ten = "\x81" + std::string(8, '\x80') + std::string("\x00", 1);
  const auto padded = decode_value_ref(base + ten);
  REQUIRE(padded.has_value());
  CHECK(padded->raw_size == 1);
  const std::string eleven = "\x81" + std::string(9, '\x80') + std::string("\x00", 1);
  CHECK_FALSE(decode_value_ref(base + eleven).has_value());
  // A raw_size over 2^64 in its 10th byte.
  CHECK_FALSE(decode_value_ref(base + std::string(9, '\xff') + std::string("\x02", 1)).has_value());
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
  // A 10-byte varint needs a value of 2^63 or more: file and offset can be
  // that large, size and raw_size cannot (kMaxValueSize), so the longest
  // valid ref without raw_size is 10 + 10 + varint(kMaxValueSize) + 8 = 33
  // bytes, and with it 38.
  const ValueRef ref{
      .file = kMax, .offset = kMax - kMaxValueSize, .size = kMaxValueSize, .checksum = kMax};
  const std::string bytes = encoded(ref);
  CHECK(bytes.size() == static_cast<std::size_t>(10 + 10 + util::varint_length(kMaxValueSize) + 8));
  CHECK(bytes.size() <= kMaxValueRefSize);
  const auto back = decode_value_ref(bytes);
  REQUIRE(back.has_value());
  CHECK(*back == ref);
  // With the largest raw_size too: 5 more bytes, still within the 48-byte
  // bound (four 10-byte varints and the checksum).
  CHECK(kMaxValueRefSize == 48);
  ValueRef compressed = ref;
  compressed.raw_size = kMaxValueSize;
  const std::string longest = encoded(compressed);
  CHECK(longest.size() ==
        bytes.size() + static_cast<std::size_t>(util::varint_length(kMaxValueSize)));
  CHECK(longest.size() <= kMaxValueRefSize);
  const auto longest_back = decode_value_ref(longest);
  REQUIRE(longest_back.has_value());
  CHECK(*longest_back == compressed);
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
  // 0x00 would be raw_size 0: rejected.
  CHECK_FALSE(decode_value_ref(good + std::string("\x00", 1)).has_value());
  // Its 0x07 would be raw_size 7, then 10 bytes are left over.
  CHECK_FALSE(decode_value_ref(good + good).has_value());
  // A raw_size cut after a continuation byte.
  CHECK_FALSE(decode_value_ref(good + std::string("\x85", 1)).has_value());
  // A good raw_size followed by one more byte.
  CHECK_FALSE(decode_value_ref(good + std::string("\x05\x00", 2)).has_value());
  CHECK(decode_value_ref(good + std::string("\x05", 1)).has_value());
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
