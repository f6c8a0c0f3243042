// Block parsing and BlockIterator (spec/sstable.md "Block contents").
#include "table/block.hpp"

#include <cassert>

#include "util/coding.hpp"
#include "util/internal_key.hpp"

namespace sand::table {

Result<Block> Block::parse(std::string_view contents, std::shared_ptr<const void> owner,
                           std::string_view file_name, std::uint64_t block_offset,
                           EntryKind max_kind) {
  constexpr std::size_t kU32 = sizeof(std::uint32_t);
  if (contents.size() < kU32) {
    return Status::corruption(file_name, block_offset, "block too short for a restart count");
  }
  // Restart offsets are uint32, so a longer block cannot be addressed.
  if (contents.size() > UINT32_MAX) {
    return Status::corruption(file_name, block_offset, "block larger than 4 GiB");
  }
  const std::uint32_t num = util::decode_fixed32(contents.data() + contents.size() - kU32);
  const std::size_t max_restarts = (contents.size() - kU32) / kU32;
  if (num == 0 || num > max_restarts) {
    return Status::corruption(file_name, block_offset,
                              "bad restart count " + std::to_string(num) + " in block");
  }
  const auto entries_end = static_cast<std::uint32_t>(contents.size() - kU32 * (num + 1));
  // Restart offsets start at 0 and ascend strictly inside the entries (an
  // empty block's single 0 is the one exception), so a forward and a
  // backward walk see the same entry boundaries.
  const char* restarts = contents.data() + entries_end;
  std::uint32_t previous = 0;
  for (std::uint32_t i = 0; i < num; ++i) {
    const std::uint32_t point = util::decode_fixed32(restarts + kU32 * i);
    const bool ok = i == 0 ? point == 0 && (point < entries_end || num == 1)
                           : point > previous && point < entries_end;
    if (!ok) {
      return Status::corruption(file_name, block_offset,
                                "restart offset " + std::to_string(i) + " (" +
                                    std::to_string(point) + ") out of order in block");
    }
    previous = point;
  }
  Block block;
  block.data_ = contents;
  block.restarts_offset_ = entries_end;
  block.num_restarts_ = num;
  block.owner_ = std::move(owner);
  block.file_name_ = file_name;
  block.block_offset_ = block_offset;
  block.max_kind_ = max_kind;
  return block;
}

std::uint32_t Block::restart_offset(std::uint32_t i) const {
  assert(i < num_restarts_);
  return util::decode_fixed32(data_.data() + restarts_offset_ + sizeof(std::uint32_t) * i);
}

std::unique_ptr<InternalIterator> Block::new_iterator() const {
  return std::make_unique<BlockIterator>(*this);
}

BlockIterator::BlockIterator(Block block)
    : block_(std::move(block)), current_(block_.restarts_offset_), next_(block_.restarts_offset_) {}

void BlockIterator::set_invalid() {
  region_pos_ = 0;
  current_ = next_ = block_.restarts_offset_;
  restart_index_ = block_.num_restarts_;
  key_.clear();
  value_ = {};
}

void BlockIterator::corrupt(std::string_view what) {
  set_invalid();
  if (status_.is_ok()) {
    status_ = Status::corruption(block_.file_name_, block_.block_offset_, what);
  }
}

std::uint32_t BlockIterator::restart_point(std::uint32_t index) const {
  // Block::parse checked every offset.
  return block_.restart_offset(index);
}

void BlockIterator::seek_to_restart(std::uint32_t index) {
  key_.clear();
  restart_index_ = index;
  next_ = restart_point(index);
}

bool BlockIterator::parse_next() {
  current_ = next_;
  if (current_ >= block_.restarts_offset_) {
    set_invalid();
    return false;
  }
  // Track the restart region holding current_; a restart entry must not lean
  // on the previous key.
  std::uint32_t next_restart = block_.restarts_offset_;
  while (restart_index_ + 1 < block_.num_restarts_) {
    next_restart = restart_point(restart_index_ + 1);
    if (next_restart > current_) break;
    ++restart_index_;
    next_restart = block_.restarts_offset_;
  }
  const bool at_restart = restart_point(restart_index_) == current_;
  std::string_view in = block_.data_.substr(current_, block_.restarts_offset_ - current_);
  std::uint32_t shared = 0, unshared = 0, value_size = 0;
  if (!util::get_varint32(&in, &shared) || !util::get_varint32(&in, &unshared) ||
      !util::get_varint32(&in, &value_size)) {
    corrupt("truncated block entry header");
    return false;
  }
  if (at_restart && shared != 0) {
    corrupt("restart entry shares bytes with the previous key");
    return false;
  }
  if (shared > key_.size() || unshared > in.size() || value_size > in.size() - unshared) {
    corrupt("block entry lengths out of bounds");
    return false;
  }
  key_.resize(shared);
  key_.append(in.data(), unshared);
  if (key_.size() < kTrailerSize) {
    corrupt("block entry key shorter than the 8-byte trailer");
    return false;
  }
  // The trailer's low byte (first, little-endian) is the kind: put and
  // delete, and in format version 2 value references.
  if (static_cast<unsigned char>(key_[key_.size() - kTrailerSize]) >
      static_cast<unsigned char>(block_.max_kind_)) {
    corrupt("block entry key has an unknown kind");
    return false;
  }
  value_ = in.substr(unshared, value_size);
  next_ = static_cast<std::uint32_t>(value_.data() + value_.size() - block_.data_.data());
  // Every restart offset must be where an entry starts; one inside this entry
  // would make a backward walk decode from the middle of it.
  if (next_restart < next_) {
    corrupt("restart point inside a block entry");
    return false;
  }
  return true;
}

BlockIterator::EntryLayout BlockIterator::layout() const {
  assert(valid());
  // parse_next() already checked this entry's header, so it decodes.
  std::string_view in = block_.data_.substr(current_, block_.restarts_offset_ - current_);
  std::uint32_t shared = 0, unshared = 0;
  const bool ok = util::get_varint32(&in, &shared) && util::get_varint32(&in, &unshared);
  assert(ok);
  (void)ok;
  return EntryLayout{.offset = current_, .shared = shared, .unshared = unshared};
}

bool BlockIterator::restart_key(std::uint32_t index, std::string_view* key) {
  const std::uint32_t point = restart_point(index);
  std::string_view in = block_.data_.substr(point, block_.restarts_offset_ - point);
  std::uint32_t shared = 0, unshared = 0, value_size = 0;
  if (!util::get_varint32(&in, &shared) || !util::get_varint32(&in, &unshared) ||
      !util::get_varint32(&in, &value_size)) {
    corrupt("truncated block entry header at a restart point");
    return false;
  }
  if (shared != 0 || unshared > in.size() || unshared < kTrailerSize) {
    corrupt("bad key at a restart point");
    return false;
  }
  *key = in.substr(0, unshared);
  return true;
}

void BlockIterator::seek_to_first() {
  if (!status_.is_ok()) return;
  region_pos_ = 0;
  seek_to_restart(0);
  parse_next();
}

void BlockIterator::seek_to_last() {
  if (!status_.is_ok()) return;
  restart_index_ = block_.num_restarts_ - 1;
  decode_region_until(block_.restarts_offset_);
}

void BlockIterator::seek(std::string_view target) {
  assert(target.size() >= kTrailerSize);
  if (!status_.is_ok()) return;
  region_pos_ = 0;
  // Binary search for the last restart point whose key is < target; the
  // answer is at or after it, before the next one.
  std::uint32_t left = 0, right = block_.num_restarts_ - 1;
  while (left < right) {
    const std::uint32_t mid = left + (right - left + 1) / 2;
    std::string_view mid_key;
    if (!restart_key(mid, &mid_key)) return;
    if (compare_internal_keys(mid_key, target) < 0) {
      left = mid;
    } else {
      right = mid - 1;
    }
  }
  seek_to_restart(left);
  while (parse_next()) {
    if (compare_internal_keys(key_, target) >= 0) return;
  }
}

void BlockIterator::next() {
  assert(valid());
  region_pos_ = 0;
  parse_next();
}

void BlockIterator::prev() {
  assert(valid());
  if (region_pos_ > 0) {
    restore(region_pos_ - 1);
    return;
  }
  // Restart at the last restart point before the current entry and decode
  // up to it.
  const std::uint32_t original = current_;
  while (restart_point(restart_index_) >= original) {
    if (restart_index_ == 0) {
      set_invalid();
      return;
    }
    --restart_index_;
  }
  decode_region_until(original);
}

void BlockIterator::decode_region_until(std::uint32_t end) {
  seek_to_restart(restart_index_);
  region_.clear();
  region_keys_.clear();
  while (parse_next()) {
    region_.push_back(RegionEntry{.offset = current_,
                                  .next = next_,
                                  .key_begin = static_cast<std::uint32_t>(region_keys_.size()),
                                  .key_size = static_cast<std::uint32_t>(key_.size()),
                                  .value = value_});
    region_keys_ += key_;
    if (next_ >= end) break;
  }
  // A region's entries all lie before the next restart point, so
  // restart_index_ is still theirs.
  region_pos_ = valid() ? region_.size() - 1 : 0;
}

void BlockIterator::restore(std::size_t i) {
  const RegionEntry& e = region_[i];
  current_ = e.offset;
  next_ = e.next;
  key_.assign(region_keys_, e.key_begin, e.key_size);
  value_ = e.value;
  region_pos_ = i;
}

}  // namespace sand::table
