// Sharded LRU block cache.
#include "table/block_cache.hpp"

#include <algorithm>

namespace sand::table {

std::size_t BlockCache::KeyHash::operator()(const Key& k) const {
  // A 64-bit finalizer (splitmix64) over both halves: offsets are multiples
  // of similar block sizes and file numbers are small, so raw values cluster.
  std::uint64_t x = k.file_number * 0x9e3779b97f4a7c15ull ^ k.block_offset;
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return static_cast<std::size_t>(x);
}

namespace {

int default_shard_bits(std::size_t capacity_bytes) {
  constexpr std::size_t kMinShardBytes = 512 * 1024;
  int bits = 0;
  while (bits < 4 && (capacity_bytes >> (bits + 1)) >= kMinShardBytes) ++bits;
  return bits;
}

}  // namespace

BlockCache::BlockCache(std::size_t capacity_bytes, int shard_bits)
    : capacity_(capacity_bytes),
      shard_bits_(shard_bits < 0 ? default_shard_bits(capacity_bytes)
                                 : std::clamp(shard_bits, 0, 8)),
      shards_(std::size_t{1} << shard_bits_) {
  const std::size_t per_shard = (capacity_bytes + shards_.size() - 1) / shards_.size();
  for (Shard& s : shards_) s.capacity = per_shard;
}

BlockCache::Shard& BlockCache::shard_for(const Key& key) {
  if (shard_bits_ == 0) return shards_[0];
  // The top bits pick the shard; the map inside uses the low ones.
  return shards_[KeyHash{}(key) >> (64 - shard_bits_)];
}

std::shared_ptr<const BlockBuffer> BlockCache::lookup(std::uint64_t file_number,
                                                      std::uint64_t block_offset) {
  const Key key{file_number, block_offset};
  Shard& s = shard_for(key);
  MutexLock lock(s.mu);
  auto it = s.index.find(key);
  if (it == s.index.end()) return nullptr;
  s.lru.splice(s.lru.begin(), s.lru, it->second);
  return it->second->block;
}

void BlockCache::insert(std::uint64_t file_number, std::uint64_t block_offset,
                        std::shared_ptr<const BlockBuffer> block) {
  if (block == nullptr) return;
  const Key key{file_number, block_offset};
  Shard& s = shard_for(key);
  const std::size_t charge = block->size();
  MutexLock lock(s.mu);
  if (auto it = s.index.find(key); it != s.index.end()) {
    s.usage -= it->second->block->size();
    s.lru.erase(it->second);
    s.index.erase(it);
  }
  if (charge > s.capacity) return;
  s.lru.push_front(Entry{key, std::move(block)});
  s.index.emplace(key, s.lru.begin());
  s.usage += charge;
  while (s.usage > s.capacity) {
    const Entry& victim = s.lru.back();
    s.usage -= victim.block->size();
    s.index.erase(victim.key);
    s.lru.pop_back();
  }
}

void BlockCache::erase(std::uint64_t file_number, std::uint64_t block_offset) {
  const Key key{file_number, block_offset};
  Shard& s = shard_for(key);
  MutexLock lock(s.mu);
  auto it = s.index.find(key);
  if (it == s.index.end()) return;
  s.usage -= it->second->block->size();
  s.lru.erase(it->second);
  s.index.erase(it);
}

std::size_t BlockCache::usage() const {
  std::size_t total = 0;
  for (const Shard& s : shards_) {
    MutexLock lock(s.mu);
    total += s.usage;
  }
  return total;
}

}  // namespace sand::table
