// Bloom filter build and probe (spec/sstable.md "Filter block").
#include "table/bloom.hpp"

#include <algorithm>
#include <cassert>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace sand::table {
namespace {

std::uint64_t hash_key(std::string_view user_key) {
  return XXH3_64bits(user_key.data(), user_key.size());
}

}  // namespace

int bloom_probes(int bits_per_key) {
  assert(bits_per_key > 0);
  // round(bits_per_key * 0.69) without floating point: 0.69 = 69/100, and
  // adding 50 before dividing rounds halves up.
  const std::int64_t k = (std::int64_t{bits_per_key} * 69 + 50) / 100;
  return static_cast<int>(std::clamp<std::int64_t>(k, 1, kMaxBloomProbes));
}

BloomBuilder::BloomBuilder(int bits_per_key) : bits_per_key_(std::max(1, bits_per_key)) {
  assert(bits_per_key > 0);
}

void BloomBuilder::add(std::string_view user_key) { hashes_.push_back(hash_key(user_key)); }

std::string BloomBuilder::finish() const {
  const std::uint64_t wanted =
      (static_cast<std::uint64_t>(hashes_.size()) * static_cast<std::uint64_t>(bits_per_key_) + 7) /
      8;
  const std::uint64_t bytes = std::clamp<std::uint64_t>(wanted, 8, kMaxBloomBytes);
  const auto m = static_cast<std::uint32_t>(bytes * 8);
  const int k = bloom_probes(bits_per_key_);
  std::string filter(bytes, '\0');
  for (std::uint64_t h : hashes_) {
    const auto h1 = static_cast<std::uint32_t>(h);
    const auto h2 = static_cast<std::uint32_t>(h >> 32);
    for (int i = 0; i < k; ++i) {
      const std::uint32_t bit = (h1 + static_cast<std::uint32_t>(i) * h2) % m;
      filter[bit / 8] = static_cast<char>(filter[bit / 8] | (1 << (bit % 8)));
    }
  }
  filter.push_back(static_cast<char>(k));
  return filter;
}

Result<BloomReader> BloomReader::parse(std::string_view filter, std::string_view file_name,
                                       std::uint64_t block_offset) {
  // Writers emit at least 8 bytes of bits; fewer is not a filter we made.
  if (filter.size() < 9 || filter.size() - 1 > kMaxBloomBytes) {
    return Status::corruption(file_name, block_offset,
                              "bad bloom filter size " + std::to_string(filter.size()));
  }
  const int k = static_cast<unsigned char>(filter.back());
  if (k < 1 || k > kMaxBloomProbes) {
    return Status::corruption(file_name, block_offset,
                              "bad bloom probe count " + std::to_string(k));
  }
  BloomReader reader;
  reader.bits_ = filter.substr(0, filter.size() - 1);
  reader.k_ = k;
  return reader;
}

bool BloomReader::may_contain(std::string_view user_key) const {
  return bits_.empty() || may_contain_hash(hash_key(user_key));
}

std::uint64_t BloomReader::hash(std::string_view user_key) { return hash_key(user_key); }

void BloomReader::prefetch(std::uint64_t h) const {
  if (bits_.empty()) return;
  const auto h1 = static_cast<std::uint32_t>(h);
  const auto h2 = static_cast<std::uint32_t>(h >> 32);
  const auto m = static_cast<std::uint32_t>(bits_.size() * 8);
  for (int i = 0; i < k_; ++i) {
    const std::uint32_t bit = (h1 + static_cast<std::uint32_t>(i) * h2) % m;
    __builtin_prefetch(bits_.data() + bit / 8);
  }
}

bool BloomReader::may_contain_hash(std::uint64_t h) const {
  if (bits_.empty()) return true;
  const auto h1 = static_cast<std::uint32_t>(h);
  const auto h2 = static_cast<std::uint32_t>(h >> 32);
  const auto m = static_cast<std::uint32_t>(bits_.size() * 8);
  for (int i = 0; i < k_; ++i) {
    const std::uint32_t bit = (h1 + static_cast<std::uint32_t>(i) * h2) % m;
    if ((static_cast<unsigned char>(bits_[bit / 8]) & (1u << (bit % 8))) == 0) return false;
  }
  return true;
}

}  // namespace sand::table
