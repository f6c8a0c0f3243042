// TableIterator: the two-level cursor over a Table: the in-memory index picks
// a data block, a BlockIterator walks inside it, and stepping off either end
// of a block moves to the neighbouring block.
//
// It holds a shared_ptr to its Table, so the table (and its mapped file)
// outlives it. The first Corruption met (a block failing its checksum, a bad
// entry) is sticky: the iterator stays !valid() and status() reports it.
// Thread-safety: one thread at a time.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>

#include "table/block.hpp"
#include "table/table.hpp"
#include "util/internal_iterator.hpp"

namespace sand::table {

class TableIterator final : public InternalIterator {
 public:
  explicit TableIterator(std::shared_ptr<const Table> table, CacheFill fill = CacheFill::kFill);

  bool valid() const override { return block_iter_.has_value() && block_iter_->valid(); }
  void seek_to_first() override;
  void seek_to_last() override;
  void seek(std::string_view target) override;
  void next() override;
  void prev() override;
  std::string_view key() const override { return block_iter_->key(); }
  std::string_view value() const override { return block_iter_->value(); }
  Status status() const override;

 private:
  // Positions block_iter_ on data block `i` (unpositioned inside it); on
  // error records it and drops block_iter_. False then.
  bool load_block(std::size_t i);
  // Moves across exhausted blocks in either direction.
  void skip_forward();
  void skip_backward();
  // Records an error from the current block iterator, if any. True if none.
  bool check_block_status();

  std::shared_ptr<const Table> table_;
  CacheFill fill_;
  std::size_t block_index_ = 0;
  std::optional<BlockIterator> block_iter_;
  Status status_;
};

}  // namespace sand::table
