// BlockCache: decompressed table blocks kept in memory, shared by every Table
// of a database, bounded in bytes, least recently used evicted first.
//
// Keyed by (file number, block offset): file numbers are never reused, so a
// key names immutable bytes forever and entries never go stale. Values are
// shared_ptr<const BlockBuffer>: an evicted block stays alive for as long as
// an iterator still holds it. Only LZ4 blocks are cached; uncompressed blocks
// are read straight from the mapped file.
// Thread-safety: all methods are safe to call concurrently. The key space is
// split into shards, each with its own mutex and LRU list, so readers rarely
// contend. A shard's mutex is a leaf: held for a few instructions, nothing
// else is taken under it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "table/block_buffer.hpp"
#include "util/mutex.hpp"

namespace sand::table {

class BlockCache {
 public:
  // `capacity_bytes` is split evenly over 2^shard_bits shards (0..8); a block
  // is charged its size in bytes. Default (-1): up to 16 shards, but none
  // smaller than 512 KiB, so a small cache still holds large blocks.
  explicit BlockCache(std::size_t capacity_bytes, int shard_bits = -1);
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;

  // The cached block, or null. A hit makes it the most recently used.
  std::shared_ptr<const BlockBuffer> lookup(std::uint64_t file_number, std::uint64_t block_offset);

  // Caches `block` under the key (replacing any previous value), then evicts
  // least recently used blocks of its shard until the shard fits. A block
  // larger than a shard's capacity is not cached.
  void insert(std::uint64_t file_number, std::uint64_t block_offset,
              std::shared_ptr<const BlockBuffer> block);

  // Drops the block under the key, if cached.
  void erase(std::uint64_t file_number, std::uint64_t block_offset);

  // Bytes charged by cached blocks now (<= capacity()).
  std::size_t usage() const;
  std::size_t capacity() const { return capacity_; }

 private:
  struct Key {
    std::uint64_t file_number;
    std::uint64_t block_offset;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const;
  };
  struct Entry {
    Key key;
    std::shared_ptr<const BlockBuffer> block;
  };
  struct Shard {
    mutable Mutex mu;
    std::size_t capacity = 0;  // set by the constructor, then read-only
    std::size_t usage SAND_GUARDED_BY(mu) = 0;
    std::list<Entry> lru SAND_GUARDED_BY(mu);  // front = most recently used
    std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> index SAND_GUARDED_BY(mu);
  };

  Shard& shard_for(const Key& key);

  const std::size_t capacity_;
  const int shard_bits_;
  std::vector<Shard> shards_;
};

}  // namespace sand::table
