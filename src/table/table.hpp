// Table: a reader over one immutable table file (spec/sstable.md).
//
// open() verifies the footer, properties, filter and index blocks up front
// and decodes the index into memory; each data block is verified against its
// checksum the first time it is used (a per-block atomic bit remembers that,
// since the mapped file never changes). Uncompressed data blocks are read in
// place from the mapped file; LZ4 blocks are decompressed into the shared
// BlockCache. Corrupt bytes surface as Corruption naming the file and the
// offset of the block (or footer field) at fault, never as data.
// Thread-safety: a Table is immutable after open() and safe to share between
// threads; its iterators are one-thread-at-a-time and keep it alive.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sand/file_system.hpp"
#include "sand/status.hpp"
#include "table/block.hpp"
#include "table/block_cache.hpp"
#include "table/bloom.hpp"
#include "table/format.hpp"
#include "table/properties.hpp"
#include "util/internal_iterator.hpp"
#include "util/internal_key.hpp"

namespace sand::table {

// Whether a block a read decompresses goes into the block cache.
enum class CacheFill { kFill, kSkip };

class Table : public std::enable_shared_from_this<Table> {
  struct PrivateTag {};

 public:
  // Opens the table held in `file`. `file_number` must name these bytes
  // uniquely within `cache` (file numbers are never reused); `cache` may be
  // null (then LZ4 blocks are decompressed on every use). Errors: Corruption
  // naming `file_name` and the offset of the structure that failed.
  static Result<std::shared_ptr<Table>> open(std::unique_ptr<ReadableFile> file,
                                             std::string file_name, std::uint64_t file_number,
                                             std::shared_ptr<BlockCache> cache);

  const TableProperties& properties() const { return props_; }
  std::uint64_t file_size() const { return contents_.size(); }
  const std::string& file_name() const { return file_name_; }
  std::uint64_t file_number() const { return file_number_; }

  // False only if the bloom filter proves `user_key` absent (always true for
  // a table written without a filter).
  bool may_contain(std::string_view user_key) const;

  struct Found {
    Version version = 0;
    EntryKind kind = EntryKind::kPut;
    std::string value;  // empty for a tombstone, or when not asked for
  };
  // Whether get() copies the value out (a caller that needs only the
  // version, e.g. a write precondition, skips copying a value of any size).
  enum class Value { kCopy, kSkip };
  // The newest entry of `user_key` with version <= `at` (a tombstone is
  // returned as such), or nullopt if the table has none. Versions above
  // kMaxVersion read as kMaxVersion. Errors: Corruption.
  Result<std::optional<Found>> get(std::string_view user_key, Version at,
                                   Value value = Value::kCopy) const;

  // get() of many keys at one version: out[i] becomes keys[i]'s answer
  // (left as it is when the table has no entry of the key). Cheaper than
  // get() per key: every key's filter probes are issued before the first is
  // tested (their cache misses overlap), the index search of each key starts
  // at the block of the key before it, and keys that share a data block
  // load it once. REQUIRES: keys ascending and distinct, out.size() ==
  // keys.size(). Errors: Corruption (out is then partly filled).
  Status get_batch(std::span<const std::string_view> keys, Version at,
                   std::span<std::optional<Found>> out, Value value = Value::kCopy) const;

  // An iterator over every entry in internal-key order, initially !valid().
  // It keeps this Table alive. With CacheFill::kSkip the blocks it
  // decompresses are its own, freed as it moves on, and never enter the
  // block cache (a hit there is still used): for compaction's one pass,
  // which would otherwise evict the readers' blocks for blocks read once.
  std::unique_ptr<InternalIterator> new_iterator(CacheFill fill = CacheFill::kFill) const;

  // Heap bytes this reader holds, all fixed at open(): the reader object,
  // the decoded index (every index key, and one entry per data block), the
  // checksum-verified bits, the file name and the properties' key strings,
  // and the filter when it was stored compressed (decompressed into a buffer
  // this reader owns). Not counted: an uncompressed filter (what
  // TableBuilder writes) and uncompressed data blocks, read in place from
  // the file (a mapping: page cache, not heap); decompressed data blocks,
  // which are the BlockCache's (the index and filter never enter it).
  // Thread-safe.
  std::size_t memory_bytes() const;

  // Use open().
  Table(PrivateTag, std::unique_ptr<ReadableFile> file, std::string file_name,
        std::uint64_t file_number, std::shared_ptr<BlockCache> cache);

 private:
  friend class TableIterator;

  struct IndexEntry {
    std::size_t key_offset;  // into index_keys_
    std::size_t key_size;
    BlockHandle handle;
  };

  Status load_index(const BlockHandle& handle);
  std::size_t num_data_blocks() const { return index_.size(); }
  std::string_view last_key_of_block(std::size_t i) const {
    return std::string_view(index_keys_).substr(index_[i].key_offset, index_[i].key_size);
  }
  // The first data block at or after `from` whose last key is >= target;
  // num_data_blocks() if none.
  std::size_t find_block(std::string_view target, std::size_t from = 0) const;
  // The entry `it` (a cursor over data block `block`) finds for `target`,
  // the seek key of `user_key`: found, absent from the table, or (when the
  // block ends first) to be looked for in the next block.
  enum class InBlock { kFound, kAbsent, kNextBlock };
  Result<InBlock> seek_in_block(BlockIterator& it, std::size_t block, std::string_view target,
                                std::string_view user_key, Value value,
                                std::optional<Found>* out) const;
  // Data block `i`, verified and decompressed (via the cache; into it
  // unless `fill` is kSkip).
  Result<Block> data_block(std::size_t i, CacheFill fill = CacheFill::kFill) const;

  const std::unique_ptr<ReadableFile> file_;
  const std::string_view contents_;  // the whole file
  std::string_view region_;          // the file before the footer
  const std::string file_name_;
  EntryKind max_kind_ = EntryKind::kPut;  // what the format version allows
  const std::uint64_t file_number_;
  const std::shared_ptr<BlockCache> cache_;

  TableProperties props_;
  BloomReader bloom_;
  std::shared_ptr<const BlockBuffer> filter_owner_;  // set if the filter was compressed
  std::string index_keys_;                           // every index key, concatenated
  std::vector<IndexEntry> index_;
  // Bit i set: data block i's checksum has been verified.
  mutable std::vector<std::atomic<std::uint64_t>> verified_;
};

}  // namespace sand::table
