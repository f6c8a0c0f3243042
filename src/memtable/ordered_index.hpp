// OrderedIndex: the memtable's ordered set of entries, behind one interface
// so that the B+tree (btree.hpp, the default) and the skiplist (skiplist.hpp)
// are interchangeable: Options::memtable picks one per database.
//
// An index holds pointers to entries in the memtable's arena
// (memtable/entry.hpp) in internal-key order. IndexOver<Table> adapts either
// structure; both offer the same template API (insert_or_replace, seek_many,
// and an Iterator with seek/next/prev).
//
// Thread-safety: as the structures: insert_or_replace() from one writer at a
// time; everything else from any thread, concurrently with it, lock-free.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "memtable/btree.hpp"
#include "memtable/entry.hpp"
#include "memtable/skiplist.hpp"
#include "sand/options.hpp"
#include "util/internal_iterator.hpp"

namespace sand {

// The B+tree's view of memtable entries: ordered by user key (the bytes it
// slices), then version descending.
struct MemTableEntryTraits {
  using Key = const char*;
  static std::string_view order_bytes(const char* entry) {
    return user_key_of(memtable_entry::internal_key(entry));
  }
  static std::string_view order_bytes(const memtable_entry::LookupKey& target) {
    return target.user_key;
  }
  static int compare(const char* a, const char* b) { return memtable_entry::Comparator{}(a, b); }
  static int compare(const char* a, const memtable_entry::LookupKey& b) {
    return memtable_entry::Comparator{}(a, b);
  }
};

class OrderedIndex {
 public:
  virtual ~OrderedIndex() = default;

  // Inserts `entry`, or publishes it in place of the entry with the same
  // (user key, version). Returns true if added. REQUIRES: one writer.
  virtual bool insert_or_replace(const char* entry) = 0;
  // The first entry at or after `target`, if any.
  virtual std::optional<const char*> lower_bound(const memtable_entry::LookupKey& target) const = 0;
  // lower_bound() of each target. REQUIRES: out.size() == targets.size().
  virtual void seek_many(std::span<const memtable_entry::LookupKey> targets,
                         std::span<std::optional<const char*>> out) const = 0;
  // An iterator over the entries' internal keys and values that keeps
  // `owner` (the memtable, which owns the arena) alive. Its status() is
  // always OK. A seek target shorter than 8 bytes is a bare user key.
  virtual std::unique_ptr<InternalIterator> new_iterator(
      std::shared_ptr<const void> owner) const = 0;
};

// Builds the index Options::memtable names, over `arena`.
std::unique_ptr<OrderedIndex> make_ordered_index(MemTableIndex kind, Arena* arena);

}  // namespace sand
