// Two-level table iteration (index -> data block).
#include "table/table_iterator.hpp"

namespace sand::table {

TableIterator::TableIterator(std::shared_ptr<const Table> table, CacheFill fill)
    : table_(std::move(table)), fill_(fill) {}

Status TableIterator::status() const {
  if (!status_.is_ok()) return status_;
  return block_iter_.has_value() ? block_iter_->status() : Status::ok();
}

bool TableIterator::load_block(std::size_t i) {
  block_iter_.reset();
  block_index_ = i;
  Result<Block> block = table_->data_block(i, fill_);
  if (!block.is_ok()) {
    status_ = block.status();
    return false;
  }
  block_iter_.emplace(std::move(block).value());
  return true;
}

bool TableIterator::check_block_status() {
  if (block_iter_.has_value() && !block_iter_->status().is_ok()) {
    status_ = block_iter_->status();
    block_iter_.reset();
    return false;
  }
  return true;
}

void TableIterator::skip_forward() {
  while (block_iter_.has_value() && !block_iter_->valid()) {
    if (!check_block_status()) return;
    if (block_index_ + 1 >= table_->num_data_blocks()) {
      block_iter_.reset();
      return;
    }
    if (!load_block(block_index_ + 1)) return;
    block_iter_->seek_to_first();
  }
}

void TableIterator::skip_backward() {
  while (block_iter_.has_value() && !block_iter_->valid()) {
    if (!check_block_status()) return;
    if (block_index_ == 0) {
      block_iter_.reset();
      return;
    }
    if (!load_block(block_index_ - 1)) return;
    block_iter_->seek_to_last();
  }
}

void TableIterator::seek_to_first() {
  if (!status_.is_ok()) return;
  block_iter_.reset();
  if (table_->num_data_blocks() == 0 || !load_block(0)) return;
  block_iter_->seek_to_first();
  skip_forward();
}

void TableIterator::seek_to_last() {
  if (!status_.is_ok()) return;
  block_iter_.reset();
  const std::size_t n = table_->num_data_blocks();
  if (n == 0 || !load_block(n - 1)) return;
  block_iter_->seek_to_last();
  skip_backward();
}

void TableIterator::seek(std::string_view target) {
  if (!status_.is_ok()) return;
  block_iter_.reset();
  const std::size_t i = table_->find_block(target);
  if (i >= table_->num_data_blocks() || !load_block(i)) return;
  block_iter_->seek(target);
  skip_forward();
}

void TableIterator::next() {
  block_iter_->next();
  skip_forward();
}

void TableIterator::prev() {
  block_iter_->prev();
  skip_backward();
}

}  // namespace sand::table
