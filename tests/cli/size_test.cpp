// Tests for src/cli/size.cpp: the byte counts the size flags accept (units,
// case, spaces) and reject (garbage, signs, fractions, overflow).
#include "cli/size.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace sand::cli {
namespace {

constexpr std::uint64_t kKiB = 1024;
constexpr std::uint64_t kMiB = kKiB * 1024;
constexpr std::uint64_t kGiB = kMiB * 1024;
constexpr std::uint64_t kTiB = kGiB * 1024;

std::uint64_t size_of(std::string_view text) {
  INFO("text: " << text);
  Result<std::uint64_t> r = parse_size("--memtable-size", text);
  REQUIRE(r.is_ok());
  return *r;
}

// The InvalidArgument message parse_size gives for `text`.
std::string size_error(std::string_view text) {
  INFO("text: " << text);
  Result<std::uint64_t> r = parse_size("--block-size", text);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  return r.status().message();
}

TEST_CASE("sizes: a plain number is bytes", "[cli][size]") {
  CHECK(size_of("0") == 0);
  CHECK(size_of("512") == 512);
  CHECK(size_of("512B") == 512);
  CHECK(size_of("512b") == 512);
  CHECK(size_of("0004096") == 4096);
  CHECK(size_of("18446744073709551615") == UINT64_MAX);
}

TEST_CASE("sizes: K M G T and KiB MiB GiB TiB are powers of 1024", "[cli][size]") {
  CHECK(size_of("4KiB") == 4 * kKiB);
  CHECK(size_of("4K") == 4 * kKiB);
  CHECK(size_of("64MiB") == 64 * kMiB);
  CHECK(size_of("64M") == 64 * kMiB);
  CHECK(size_of("1GiB") == kGiB);
  CHECK(size_of("1G") == kGiB);
  CHECK(size_of("2TiB") == 2 * kTiB);
  CHECK(size_of("2T") == 2 * kTiB);
}

TEST_CASE("sizes: KB MB GB TB are powers of 1000", "[cli][size]") {
  CHECK(size_of("4KB") == 4000);
  CHECK(size_of("64MB") == 64'000'000);
  CHECK(size_of("1GB") == 1'000'000'000);
  CHECK(size_of("3TB") == 3'000'000'000'000);
}

TEST_CASE("sizes: units are case-insensitive and may follow spaces", "[cli][size]") {
  CHECK(size_of("64mib") == 64 * kMiB);
  CHECK(size_of("64MIB") == 64 * kMiB);
  CHECK(size_of("64m") == 64 * kMiB);
  CHECK(size_of("4kb") == 4000);
  CHECK(size_of("64 MiB") == 64 * kMiB);
  CHECK(size_of("64   KiB") == 64 * kKiB);
}

TEST_CASE("sizes: garbage, signs, fractions and unknown units are refused", "[cli][size]") {
  const std::string expected =
      "--block-size: expected a byte count such as 4096, 64KiB or 1GiB, got ";
  CHECK(size_error("") == expected + "''");
  CHECK(size_error("x") == expected + "'x'");
  CHECK(size_error("MiB") == expected + "'MiB'");
  CHECK(size_error("-1") == expected + "'-1'");
  CHECK(size_error("+1") == expected + "'+1'");
  CHECK(size_error("1.5GiB") == expected + "'1.5GiB'");
  CHECK(size_error(" 64MiB") == expected + "' 64MiB'");
  CHECK(size_error("64MiB ") == expected + "'64MiB '");
  CHECK(size_error("64 Mb/s") == expected + "'64 Mb/s'");
  CHECK(size_error("64Mi") == expected + "'64Mi'");
  CHECK(size_error("64KiBB") == expected + "'64KiBB'");
  CHECK(size_error("64PiB") == expected + "'64PiB'");
  CHECK(size_error("1e6") == expected + "'1e6'");
  CHECK(size_error("0x10") == expected + "'0x10'");
  CHECK(size_error("4\xff") == expected + "'4\\xff'");
  CHECK(size_error(std::string_view("4\0K", 3)) == expected + "'4\\x00K'");
}

TEST_CASE("sizes: more than 2^64 - 1 bytes is refused, not wrapped", "[cli][size]") {
  CHECK(size_error("18446744073709551616") ==
        "--block-size: '18446744073709551616' is more than 2^64 - 1 bytes");
  CHECK(size_error("99999999999999999999999GiB") ==
        "--block-size: '99999999999999999999999GiB' is more than 2^64 - 1 bytes");
  // 2^24 TiB = 2^64 bytes: one past the largest; 2^24 - 1 TiB still fits.
  CHECK(size_error("16777216TiB") == "--block-size: '16777216TiB' is more than 2^64 - 1 bytes");
  CHECK(size_of("16777215TiB") == 16777215 * kTiB);
  CHECK(size_error("18446744073709551615K") ==
        "--block-size: '18446744073709551615K' is more than 2^64 - 1 bytes");
  CHECK(size_of("18446744TB") == 18446744ULL * 1'000'000'000'000ULL);
  CHECK(size_error("18446745TB") == "--block-size: '18446745TB' is more than 2^64 - 1 bytes");
}

}  // namespace
}  // namespace sand::cli
