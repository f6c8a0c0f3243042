// BlockBuilder: exact layout of entries, prefix sharing and restart points.
#include "table/block_builder.hpp"

#include <catch2/catch.hpp>

#include "table_test_util.hpp"

namespace sand::table {
namespace {

using testing::ikey;

std::string hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

TEST_CASE("empty block is one restart point at offset 0", "[table][block_builder]") {
  BlockBuilder b(16);
  CHECK(b.empty());
  CHECK(b.current_size_estimate() == 8);
  CHECK(hex(b.finish()) == "0000000001000000");
}

TEST_CASE("block layout shares prefixes and restarts every interval", "[table][block_builder]") {
  BlockBuilder b(2);
  b.add(ikey("a", 2), "x");
  b.add(ikey("a", 1), "y");
  b.add(ikey("b", 1), "z");
  CHECK_FALSE(b.empty());
  CHECK(b.entries() == 3);
  CHECK(b.last_key() == ikey("b", 1));
  // clang-format off
  const std::string expected =
      "000901" "610102000000000000" "78"  // full key at restart 0 (offset 0)
      "020701" "01000000000000" "79"      // shares "a\x01" with the previous key
      "000901" "620101000000000000" "7a"  // restart 1 (offset 24): full key again
      "00000000" "18000000"               // restart offsets 0, 24
      "02000000";                         // two restarts
  // clang-format on
  CHECK(b.current_size_estimate() == expected.size() / 2);
  CHECK(hex(b.finish()) == expected);
}

TEST_CASE("restart interval 1 stores every key whole", "[table][block_builder]") {
  BlockBuilder b(1);
  b.add(ikey("key", 5), "");
  b.add(ikey("key", 4), "");
  const std::string_view block = b.finish();
  // Two 14-byte entries (3 header bytes + 11 key bytes), two restarts.
  REQUIRE(block.size() == 2 * 14 + 3 * 4);
  CHECK(hex(block.substr(14, 3)) == "000b00");
  CHECK(hex(block.substr(28)) == "000000000e00000002000000");
}

TEST_CASE("reset starts an independent block", "[table][block_builder]") {
  BlockBuilder b(16);
  b.add(ikey("zzz", 1), "value");
  (void)b.finish();
  b.reset();
  CHECK(b.empty());
  b.add(ikey("aaa", 1), "v");
  BlockBuilder fresh(16);
  fresh.add(ikey("aaa", 1), "v");
  CHECK(b.finish() == fresh.finish());
}

TEST_CASE("size estimate tracks the finished size", "[table][block_builder]") {
  BlockBuilder b(3);
  for (int i = 0; i < 50; ++i) {
    b.add(ikey("key" + std::to_string(1000 + i), 1), std::string(static_cast<std::size_t>(i), 'v'));
  }
  const std::size_t estimate = b.current_size_estimate();
  CHECK(b.finish().size() == estimate);
}

}  // namespace
}  // namespace sand::table
