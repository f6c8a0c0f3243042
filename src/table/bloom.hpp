// Bloom filter over a table's user keys (spec/sstable.md "Filter block").
//
// One plain (not blocked) bloom filter per table. Hash: XXH3_64bits(user key,
// seed 0) split into h1 (low 32 bits) and h2 (high 32 bits); probe i sets bit
// (h1 + i * h2) mod m with uint32 wrapping. Layout: the bit array (bit j is
// bit j % 8 of byte j / 8), then uint8 k. A filter never says "absent" for a
// key that was added. Thread-safety: a builder is used by one thread; a reader
// is immutable and shareable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sand/status.hpp"
#include "util/mapped_vector.hpp"

namespace sand::table {

// Hard limit: the bit array never exceeds 256 MiB (m <= 2^31 bits), so bit
// positions fit uint32 arithmetic. Larger tables get a fuller filter.
inline constexpr std::uint64_t kMaxBloomBytes = std::uint64_t{1} << 28;
inline constexpr int kMaxBloomProbes = 30;

// k = clamp(round(bits_per_key * 0.69), 1, 30), in integer arithmetic.
// REQUIRES: bits_per_key > 0.
int bloom_probes(int bits_per_key);

class BloomBuilder {
 public:
  // REQUIRES: bits_per_key > 0.
  explicit BloomBuilder(int bits_per_key);

  // Adds one user key. Add each distinct key once: duplicates count towards
  // the filter's size.
  void add(std::string_view user_key);
  std::size_t num_keys() const { return hashes_.size(); }

  // The filter block contents for every key added so far:
  // max(8, ceil(n * bits_per_key / 8)) bytes of bits (at most
  // kMaxBloomBytes), then k.
  std::string finish() const;

 private:
  int bits_per_key_;
  // 8 bytes per key until finish(): megabytes for a large table, so in
  // their own mapping (util/mapped_vector.hpp).
  util::MappedVector<std::uint64_t> hashes_;
};

class BloomReader {
 public:
  // A reader that says "may contain" to everything (no filter).
  BloomReader() = default;

  // Validates a filter block's contents (a view that must outlive the
  // reader). Errors: Corruption naming `file_name` and `block_offset`.
  static Result<BloomReader> parse(std::string_view filter, std::string_view file_name,
                                   std::uint64_t block_offset);

  // False only if `user_key` was certainly never added.
  bool may_contain(std::string_view user_key) const;

  // The same test in three steps, for a batch of keys: hash every key,
  // prefetch every key's probe bytes, then test. The filter is one plain
  // bit array, so each of a key's k probes is a likely cache miss; issuing
  // all of a batch's loads before the first test overlaps those misses
  // instead of paying them one after another.
  static std::uint64_t hash(std::string_view user_key);
  void prefetch(std::uint64_t hash) const;
  bool may_contain_hash(std::uint64_t hash) const;

 private:
  std::string_view bits_;  // empty: no filter
  int k_ = 0;
};

}  // namespace sand::table
