// TableProperties codec: round trips, exact layout and malformed records.
#include "table/properties.hpp"

#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <catch2/catch.hpp>

namespace sand::table {
namespace {

constexpr std::string_view kFile = "000005.sst";

TableProperties sample() {
  TableProperties p;
  p.entries = 3;
  p.tombstones = 1;
  p.data_blocks = 1;
  p.raw_key_bytes = 33;
  p.raw_value_bytes = 300;
  p.min_version = 1;
  p.max_version = 3;
  p.smallest_user_key = "ant";
  p.largest_user_key = "bee";
  p.compression = Compression::kLz4;
  return p;
}

TEST_CASE("properties encode in the documented order", "[table][properties]") {
  const std::string enc = encode_properties(sample());
  const std::string expected = std::string("\x03\x01\x01\x21\xac\x02\x01\x03", 8) +
                               "\x03"
                               "ant"
                               "\x03"
                               "bee"
                               "\x01";
  CHECK(enc == expected);
}

TEST_CASE("properties round trip", "[table][properties]") {
  rc::prop("decode(encode(p)) == p",
           [](std::uint64_t entries, std::uint64_t data_blocks, std::uint64_t key_bytes,
              std::uint64_t value_bytes, std::string smallest, std::string largest, bool lz4) {
             TableProperties p;
             p.entries = entries;
             p.tombstones = *rc::gen::inRange<std::uint64_t>(0, entries / 2 + 1);
             p.data_blocks = data_blocks;
             p.raw_key_bytes = key_bytes;
             p.raw_value_bytes = value_bytes;
             p.min_version = *rc::gen::inRange<std::uint64_t>(0, kMaxVersion / 2);
             p.max_version = p.min_version + *rc::gen::inRange<std::uint64_t>(0, kMaxVersion / 2);
             p.smallest_user_key = smallest;
             p.largest_user_key = largest;
             p.compression = lz4 ? Compression::kLz4 : Compression::kNone;
             Result<TableProperties> d = decode_properties(encode_properties(p), kFile, 0);
             RC_ASSERT(d.is_ok());
             RC_ASSERT(*d == p);
           });
}

TEST_CASE("every truncation of a properties record is corrupt", "[table][properties]") {
  const std::string enc = encode_properties(sample());
  for (std::size_t n = 0; n < enc.size(); ++n) {
    Result<TableProperties> d = decode_properties(enc.substr(0, n), kFile, 77);
    REQUIRE_FALSE(d.is_ok());
    CHECK(d.status().code() == Code::kCorruption);
    CHECK(d.status().message().rfind("000005.sst: offset 77: properties: ", 0) == 0);
  }
}

TEST_CASE("trailing bytes after the properties are corrupt", "[table][properties]") {
  Result<TableProperties> d = decode_properties(encode_properties(sample()) + "!", kFile, 77);
  REQUIRE_FALSE(d.is_ok());
  CHECK(d.status().message() == "000005.sst: offset 77: properties: 1 trailing bytes");
}

TEST_CASE("unknown compression value is corrupt", "[table][properties]") {
  std::string enc = encode_properties(sample());
  enc.back() = 2;
  Result<TableProperties> d = decode_properties(enc, kFile, 77);
  REQUIRE_FALSE(d.is_ok());
  CHECK(d.status().message() == "000005.sst: offset 77: properties: unknown compression 2");
}

TEST_CASE("inconsistent counters are corrupt", "[table][properties]") {
  TableProperties p = sample();
  p.tombstones = 4;
  CHECK(decode_properties(encode_properties(p), kFile, 0).status().message() ==
        "000005.sst: offset 0: properties: more tombstones than entries");
  p = sample();
  p.min_version = 9;
  CHECK(decode_properties(encode_properties(p), kFile, 0).status().message() ==
        "000005.sst: offset 0: properties: min_version > max_version");
}

}  // namespace
}  // namespace sand::table
