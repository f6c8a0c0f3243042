// BlockCache: hits and misses, LRU eviction by bytes, sharing of values that
// outlive eviction, and concurrent use.
#include "table/block_cache.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

namespace sand::table {
namespace {

std::shared_ptr<const BlockBuffer> block_of(std::size_t n, char c = 'b') {
  return BlockBuffer::copy_of(std::string(n, c));
}

TEST_CASE("a miss returns null, a hit the same block", "[table][block_cache]") {
  BlockCache cache(1000);
  CHECK(cache.lookup(1, 0) == nullptr);
  auto block = block_of(100);
  cache.insert(1, 0, block);
  CHECK(cache.lookup(1, 0) == block);
  CHECK(cache.lookup(1, 1) == nullptr);
  CHECK(cache.lookup(2, 0) == nullptr);
  CHECK(cache.usage() == 100);
  CHECK(cache.capacity() == 1000);
}

TEST_CASE("least recently used blocks are evicted first", "[table][block_cache]") {
  BlockCache cache(300, /*shard_bits=*/0);
  cache.insert(1, 0, block_of(100));
  cache.insert(1, 100, block_of(100));
  cache.insert(1, 200, block_of(100));
  REQUIRE(cache.usage() == 300);
  REQUIRE(cache.lookup(1, 0) != nullptr);  // now (1, 100) is the oldest
  cache.insert(2, 0, block_of(100));
  CHECK(cache.lookup(1, 100) == nullptr);
  CHECK(cache.lookup(1, 0) != nullptr);
  CHECK(cache.lookup(1, 200) != nullptr);
  CHECK(cache.lookup(2, 0) != nullptr);
  CHECK(cache.usage() == 300);
}

TEST_CASE("one large block can evict several small ones", "[table][block_cache]") {
  BlockCache cache(300, 0);
  for (std::uint64_t i = 0; i < 3; ++i) cache.insert(1, i, block_of(100));
  cache.insert(1, 9, block_of(250));
  CHECK(cache.usage() == 250);
  for (std::uint64_t i = 0; i < 3; ++i) CHECK(cache.lookup(1, i) == nullptr);
}

TEST_CASE("a block larger than the capacity is not cached", "[table][block_cache]") {
  BlockCache cache(300, 0);
  cache.insert(1, 0, block_of(100));
  cache.insert(1, 1, block_of(301));
  CHECK(cache.lookup(1, 1) == nullptr);
  CHECK(cache.lookup(1, 0) != nullptr);
  CHECK(cache.usage() == 100);
}

TEST_CASE("re-inserting a key replaces its block and charge", "[table][block_cache]") {
  BlockCache cache(1000, 0);
  cache.insert(4, 8, block_of(100, 'a'));
  auto replacement = block_of(40, 'z');
  cache.insert(4, 8, replacement);
  CHECK(cache.lookup(4, 8) == replacement);
  CHECK(cache.usage() == 40);
}

TEST_CASE("an evicted block stays valid for its holders", "[table][block_cache]") {
  BlockCache cache(100, 0);
  cache.insert(1, 0, block_of(100, 'q'));
  std::shared_ptr<const BlockBuffer> held = cache.lookup(1, 0);
  cache.insert(1, 1, block_of(100));  // evicts (1, 0)
  CHECK(cache.lookup(1, 0) == nullptr);
  REQUIRE(held != nullptr);
  CHECK(held->view() == std::string(100, 'q'));
}

TEST_CASE("erase drops one block", "[table][block_cache]") {
  BlockCache cache(1000);
  cache.insert(3, 0, block_of(10));
  cache.insert(3, 10, block_of(10));
  cache.erase(3, 0);
  cache.erase(3, 999);  // absent: no-op
  CHECK(cache.lookup(3, 0) == nullptr);
  CHECK(cache.lookup(3, 10) != nullptr);
  CHECK(cache.usage() == 10);
}

TEST_CASE("sharded cache never exceeds its capacity", "[table][block_cache]") {
  BlockCache cache(16 * 1024, 4);  // 16 shards of 1 KiB
  for (std::uint64_t i = 0; i < 2000; ++i) {
    cache.insert(i % 7, i * 4096, block_of(100 + i % 50));
    REQUIRE(cache.usage() <= cache.capacity());
  }
  CHECK(cache.usage() > cache.capacity() / 2);
}

TEST_CASE("concurrent lookups and inserts are safe", "[table][block_cache]") {
  BlockCache cache(64 * 1024, 2);
  // Catch2 assertions are not thread-safe: threads only count mismatches.
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, &mismatches, t] {
      for (std::uint64_t i = 0; i < 5000; ++i) {
        const std::uint64_t offset = (i * 7919 + static_cast<std::uint64_t>(t)) % 500;
        auto hit = cache.lookup(1, offset);
        if (hit == nullptr) {
          cache.insert(1, offset, block_of(200, static_cast<char>('a' + offset % 26)));
        } else if (hit->view() != std::string(200, static_cast<char>('a' + offset % 26))) {
          ++mismatches;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(mismatches == 0);
  CHECK(cache.usage() <= cache.capacity());
}

}  // namespace
}  // namespace sand::table
