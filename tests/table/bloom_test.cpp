// Bloom filter: probe count formula, exact layout, no false negatives, a
// bounded false-positive rate, and malformed filter blocks.
#include "table/bloom.hpp"

#include <rapidcheck.h>
#include <rapidcheck/catch.h>
#include <xxhash.h>

#include <catch2/catch.hpp>

namespace sand::table {
namespace {

constexpr std::string_view kFile = "000003.sst";

TEST_CASE("probe count is round(bits_per_key * 0.69) within 1..30", "[table][bloom]") {
  CHECK(bloom_probes(1) == 1);
  CHECK(bloom_probes(2) == 1);
  CHECK(bloom_probes(3) == 2);
  CHECK(bloom_probes(10) == 7);
  CHECK(bloom_probes(16) == 11);
  CHECK(bloom_probes(43) == 30);
  CHECK(bloom_probes(44) == 30);
  CHECK(bloom_probes(1000) == 30);
}

TEST_CASE("filter size is max(8, ceil(n * bits / 8)) bytes plus k", "[table][bloom]") {
  BloomBuilder empty(10);
  CHECK(empty.finish() == std::string(8, '\0') + '\x07');

  BloomBuilder b(10);
  for (int i = 0; i < 7; ++i) b.add("key" + std::to_string(i));
  CHECK(b.num_keys() == 7);
  CHECK(b.finish().size() == 9 + 1);  // ceil(70 / 8) = 9
}

TEST_CASE("filter bits follow the documented probe sequence", "[table][bloom]") {
  BloomBuilder b(10);
  b.add("hello");
  const std::string filter = b.finish();
  REQUIRE(filter.size() == 9);
  const std::uint64_t h = XXH3_64bits("hello", 5);
  const auto h1 = static_cast<std::uint32_t>(h);
  const auto h2 = static_cast<std::uint32_t>(h >> 32);
  std::string expected(8, '\0');
  for (std::uint32_t i = 0; i < 7; ++i) {
    const std::uint32_t bit = (h1 + i * h2) % 64;
    expected[bit / 8] = static_cast<char>(expected[bit / 8] | (1 << (bit % 8)));
  }
  expected.push_back(7);
  CHECK(filter == expected);
}

TEST_CASE("an empty filter rejects every key", "[table][bloom]") {
  const std::string filter = BloomBuilder(10).finish();
  Result<BloomReader> r = BloomReader::parse(filter, kFile, 0);
  REQUIRE(r.is_ok());
  CHECK_FALSE(r->may_contain("anything"));
  CHECK_FALSE(r->may_contain(""));
}

TEST_CASE("a default reader accepts every key", "[table][bloom]") {
  CHECK(BloomReader().may_contain("x"));
}

TEST_CASE("bloom has no false negatives", "[table][bloom]") {
  rc::prop("every added key may be contained", [](const std::vector<std::string>& keys) {
    const int bits = *rc::gen::inRange(1, 24);
    BloomBuilder b(bits);
    for (const auto& k : keys) b.add(k);
    const std::string filter = b.finish();
    Result<BloomReader> r = BloomReader::parse(filter, kFile, 0);
    RC_ASSERT(r.is_ok());
    for (const auto& k : keys) RC_ASSERT(r->may_contain(k));
  });
}

TEST_CASE("false-positive rate at 10 bits per key is under 2%", "[table][bloom]") {
  for (int n : {100, 1000, 10000}) {
    BloomBuilder b(10);
    for (int i = 0; i < n; ++i) b.add("present-" + std::to_string(i));
    const std::string filter = b.finish();
    Result<BloomReader> r = BloomReader::parse(filter, kFile, 0);
    REQUIRE(r.is_ok());
    for (int i = 0; i < n; ++i) REQUIRE(r->may_contain("present-" + std::to_string(i)));
    int false_positives = 0;
    constexpr int kProbes = 10000;
    for (int i = 0; i < kProbes; ++i) {
      if (r->may_contain("absent-" + std::to_string(i))) ++false_positives;
    }
    INFO("n = " << n << ", false positives = " << false_positives);
    CHECK(false_positives < kProbes * 2 / 100);
  }
}

TEST_CASE("malformed filter blocks are corrupt", "[table][bloom]") {
  Result<BloomReader> r = BloomReader::parse(std::string(8, '\0'), kFile, 512);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().message() == "000003.sst: offset 512: bad bloom filter size 8");

  r = BloomReader::parse(std::string(8, '\0') + '\0', kFile, 512);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().message() == "000003.sst: offset 512: bad bloom probe count 0");

  r = BloomReader::parse(std::string(8, '\0') + '\x1f', kFile, 512);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().message() == "000003.sst: offset 512: bad bloom probe count 31");

  r = BloomReader::parse(std::string(8, '\0') + '\x1e', kFile, 512);
  CHECK(r.is_ok());
}

}  // namespace
}  // namespace sand::table
