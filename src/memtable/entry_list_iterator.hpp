// EntryListIterator: an InternalIterator over a fixed list of memtable
// entries, sorted by the memtable's comparator: what MemTable::
// entries_in_versions() returns for a version range. The list is taken
// once; seek is a binary search and prev a step back.
//
// Thread-safety: one thread at a time, concurrently with the memtable's
// writer; it holds the memtable (`owner`) alive, so its views into the
// arena stay valid.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "memtable/entry.hpp"
#include "util/internal_iterator.hpp"

namespace sand {

class EntryListIterator final : public InternalIterator {
 public:
  // REQUIRES: `entries` sorted by memtable_entry::Comparator, all distinct.
  EntryListIterator(std::shared_ptr<const void> owner, std::vector<const char*> entries)
      : owner_(std::move(owner)), nodes_(std::move(entries)), pos_(nodes_.size()) {}

  bool valid() const override { return pos_ < nodes_.size(); }
  void seek_to_first() override { move_to(0); }
  void seek_to_last() override { move_to(nodes_.empty() ? 0 : nodes_.size() - 1); }
  // A target shorter than 8 bytes is a bare user key, as in MemTable's
  // iterator.
  void seek(std::string_view target) override;
  void next() override;
  void prev() override;
  std::string_view key() const override;
  std::string_view value() const override;
  Status status() const override { return Status::ok(); }

  // The number of entries it ranges over.
  std::size_t size() const { return nodes_.size(); }

 private:
  void move_to(std::size_t pos);

  std::shared_ptr<const void> owner_;  // keeps the arena alive
  std::vector<const char*> nodes_;
  std::size_t pos_;  // nodes_.size(): not valid
  std::string_view key_;
  std::string_view value_;
};

}  // namespace sand
