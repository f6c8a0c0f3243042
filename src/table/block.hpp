// Block: a read-only view of one decoded block (spec/sstable.md "Block
// contents") and BlockIterator, its cursor.
//
// A Block holds views, not bytes: `owner` keeps the bytes alive (a
// decompressed string, or the Table whose mapped file holds them), and the
// file name it reports errors with must outlive the block and its iterators.
// Corrupt bytes never escape: the iterator bounds-checks every entry and, on
// the first bad one, becomes !valid() with a Corruption status naming the file
// and the block's offset. Keys are internal keys (compare_internal_keys) of
// stored entries: a key shorter than its trailer or with a kind the table's
// format version does not allow is corrupt.
// Thread-safety: a Block is immutable and shareable; an iterator is used by
// one thread at a time.
#pragma once

#include <boost/container/small_vector.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sand/status.hpp"
#include "util/internal_iterator.hpp"
#include "util/internal_key.hpp"

namespace sand::table {

class Block {
 public:
  // Validates the restart array of `contents` (a block's bytes after
  // decompression). `block_offset` is where the block is stored in its file.
  // Errors: Corruption naming `file_name` and `block_offset`.
  // `max_kind` is the largest entry kind the table's format version allows
  // (max_kind_of in table/format.hpp); an entry of a larger kind is corrupt.
  static Result<Block> parse(std::string_view contents, std::shared_ptr<const void> owner,
                             std::string_view file_name, std::uint64_t block_offset,
                             EntryKind max_kind);

  // An iterator over the block's entries, initially !valid(). It shares
  // ownership of the bytes.
  std::unique_ptr<InternalIterator> new_iterator() const;

  std::size_t size() const { return data_.size(); }
  std::uint32_t num_restarts() const { return num_restarts_; }
  // Restart offset `i` as stored (validated by parse()), for tools that show
  // a block's layout. REQUIRES: i < num_restarts().
  std::uint32_t restart_offset(std::uint32_t i) const;

 private:
  friend class BlockIterator;
  Block() = default;

  std::string_view data_;
  std::uint32_t restarts_offset_ = 0;  // where the entries end
  std::uint32_t num_restarts_ = 0;
  std::shared_ptr<const void> owner_;
  std::string_view file_name_;
  std::uint64_t block_offset_ = 0;
  EntryKind max_kind_ = EntryKind::kPut;
};

// Cursor over one Block. Concrete (not only via new_iterator()) so the table
// read path can keep one on the stack.
class BlockIterator final : public InternalIterator {
 public:
  explicit BlockIterator(Block block);

  bool valid() const override { return current_ < block_.restarts_offset_; }
  void seek_to_first() override;
  void seek_to_last() override;
  // REQUIRES: target is an internal key (at least 8 bytes).
  void seek(std::string_view target) override;
  void next() override;
  void prev() override;
  std::string_view key() const override { return key_; }
  std::string_view value() const override { return value_; }
  Status status() const override { return status_; }

  // How the current entry is stored, for tools that show a block's layout:
  // its offset in the block and its key's shared and unshared byte counts
  // (spec/sstable.md section 3). REQUIRES: valid().
  struct EntryLayout {
    std::uint32_t offset = 0;
    std::uint32_t shared = 0;
    std::uint32_t unshared = 0;
  };
  EntryLayout layout() const;

 private:
  // The restart offset at `index` (validated by Block::parse).
  std::uint32_t restart_point(std::uint32_t index) const;
  void seek_to_restart(std::uint32_t index);
  // Decodes the entry at next_ into key_/value_. False at the end of the
  // entries or on corruption (then status_ is set).
  bool parse_next();
  // The full key stored at restart point `index` (which has shared = 0).
  bool restart_key(std::uint32_t index, std::string_view* key);
  void set_invalid();
  void corrupt(std::string_view what);
  // Decodes the entries of restart region restart_index_ from its start up
  // to the one that ends at or after `end`, remembering each in region_, and
  // stays on that last one (invalid if there is none or on corruption).
  void decode_region_until(std::uint32_t end);
  // Moves to region_[i].
  void restore(std::size_t i);

  Block block_;
  std::uint32_t current_;            // offset of the current entry; restarts_offset_ if none
  std::uint32_t next_;               // offset just past the current entry
  std::uint32_t restart_index_ = 0;  // the restart region holding current_
  std::string key_;
  std::string_view value_;
  Status status_;

  // Entries decode only forwards, so a step back re-decodes the restart
  // region before the current entry. region_ keeps that decoding: the
  // following steps back inside the region read it instead (as RocksDB's
  // block iterator does), making a reverse scan cost about what a forward
  // one does instead of half a region per step.
  struct RegionEntry {
    std::uint32_t offset;  // current_
    std::uint32_t next;    // next_
    std::uint32_t key_begin;
    std::uint32_t key_size;  // the key is region_keys_[key_begin, +key_size)
    std::string_view value;
  };
  // 16 entries: the table builder's restart interval.
  boost::container::small_vector<RegionEntry, 16> region_;
  std::string region_keys_;
  // The current entry is region_[region_pos_] while region_pos_ > 0 (an
  // earlier one is cached); 0 also means the cache is not in use.
  std::size_t region_pos_ = 0;
};

}  // namespace sand::table
