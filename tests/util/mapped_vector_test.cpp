// Tests for src/util/mapped_vector: contents survive growth across many
// pages, moves hand the mapping over, and an empty vector maps nothing.
#include "util/mapped_vector.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <utility>

using sand::util::MappedBytes;
using sand::util::MappedVector;

TEST_CASE("mapped vector keeps every value through its growth", "[mapped_vector]") {
  MappedVector<std::uint64_t> v;
  CHECK(v.size() == 0);
  CHECK(v.begin() == v.end());
  // 300000 values: 2.4 MB, so the mapping grows (and may move) many times.
  constexpr std::uint64_t kCount = 300000;
  for (std::uint64_t i = 0; i < kCount; ++i) v.push_back(i * 0x9E3779B97F4A7C15ULL);
  REQUIRE(v.size() == kCount);
  std::uint64_t i = 0;
  for (std::uint64_t x : v) {
    if (x != i * 0x9E3779B97F4A7C15ULL) FAIL("value " << i << " changed to " << x);
    ++i;
  }
  CHECK(i == kCount);
}

TEST_CASE("mapped bytes grow by whole pages and at least double", "[mapped_vector]") {
  MappedBytes b;
  CHECK(b.data() == nullptr);
  CHECK(b.capacity() == 0);
  b.grow(1);
  REQUIRE(b.data() != nullptr);
  const std::size_t page = b.capacity();
  CHECK(page >= 4096);
  static_cast<char*>(b.data())[page - 1] = 'x';
  b.grow(page + 1);
  CHECK(b.capacity() >= 2 * page);
  CHECK(b.capacity() % page == 0);
  CHECK(static_cast<char*>(b.data())[page - 1] == 'x');
  const std::size_t before = b.capacity();
  b.grow(before);  // already enough: nothing changes
  CHECK(b.capacity() == before);

  MappedBytes moved = std::move(b);
  CHECK(b.data() == nullptr);  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  CHECK(b.capacity() == 0);
  CHECK(moved.capacity() == before);
  CHECK(static_cast<char*>(moved.data())[page - 1] == 'x');
  MappedBytes other;
  other.grow(1);
  other = std::move(moved);
  CHECK(other.capacity() == before);
  CHECK(static_cast<char*>(other.data())[page - 1] == 'x');
}
