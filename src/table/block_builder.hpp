// BlockBuilder: lays out sorted entries as one block (spec/sstable.md
// "Block contents"): prefix-compressed keys with a full key at every restart
// point, then the restart offsets and their count.
//
// Invariants: keys are added in strictly increasing internal-key order; the
// first entry and every `restart_interval`-th after it store their whole key
// (shared = 0). Thread-safety: one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sand::table {

class BlockBuilder {
 public:
  // REQUIRES: restart_interval >= 1.
  explicit BlockBuilder(int restart_interval);

  // REQUIRES: not finished since the last reset(); `key` sorts after every key
  // added before (compare_internal_keys).
  void add(std::string_view key, std::string_view value);

  // Appends the restart array and returns the whole block. The view stays
  // valid until reset() or destruction; add() is invalid until reset().
  std::string_view finish();

  // Starts a new, empty block.
  void reset();

  // The size finish() would return now.
  std::size_t current_size_estimate() const;

  // Whether no entry was added since construction or reset().
  bool empty() const { return entries_ == 0; }
  std::size_t entries() const { return entries_; }
  // The key of the last add() (views this builder; valid until the next call).
  std::string_view last_key() const { return last_key_; }

 private:
  const int restart_interval_;
  std::string buffer_;
  std::vector<std::uint32_t> restarts_;
  int counter_ = 0;  // entries since the last restart point
  std::size_t entries_ = 0;
  bool finished_ = false;
  std::string last_key_;
};

}  // namespace sand::table
