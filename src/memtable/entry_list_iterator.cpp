// EntryListIterator: a cursor over a sorted vector of memtable entries (see
// entry_list_iterator.hpp).
#include "memtable/entry_list_iterator.hpp"

#include <algorithm>
#include <cassert>

namespace sand {

void EntryListIterator::seek(std::string_view target) {
  const auto lookup = memtable_entry::LookupKey::from_internal_key(target);
  const memtable_entry::Comparator cmp;
  const auto it = std::partition_point(nodes_.begin(), nodes_.end(),
                                       [&](const char* entry) { return cmp(entry, lookup) < 0; });
  move_to(static_cast<std::size_t>(it - nodes_.begin()));
}

void EntryListIterator::next() {
  assert(valid());
  move_to(pos_ + 1);
}

void EntryListIterator::prev() {
  assert(valid());
  move_to(pos_ == 0 ? nodes_.size() : pos_ - 1);
}

std::string_view EntryListIterator::key() const {
  assert(valid());
  return key_;
}

std::string_view EntryListIterator::value() const {
  assert(valid());
  return value_;
}

void EntryListIterator::move_to(std::size_t pos) {
  pos_ = std::min(pos, nodes_.size());
  if (!valid()) {
    key_ = value_ = {};
    return;
  }
  const char* entry = nodes_[pos_];
  key_ = memtable_entry::internal_key(entry);
  value_ = memtable_entry::value(entry);
}

}  // namespace sand
