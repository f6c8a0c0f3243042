// MemTable: the ordered in-memory table that takes writes before they are
// flushed to a table file (doc/design.md section 6).
//
// Holds entries (user key, version, kind, value) in internal-key order (user
// key ascending, version descending) in a lock-free-read ordered index (an
// OrderedIndex: the B+tree by default, or the skiplist, as Options::memtable
// says) whose nodes and entry bytes live in an arena. Beside it, a
// VersionLog lists the entries in the order add() wrote them, which is
// version order, so the entries of a version range (the change feed's
// window) are found without a pass over the whole table. Nothing is ever
// removed: an entry's bytes live until the MemTable is destroyed, and the
// MemTable lives while any iterator from new_iterator() or
// entries_in_versions() does.
//
// Invariants:
// - At most one entry per (user key, version) in the index; add() of an
//   existing pair replaces that entry, kind included (in a batch the later
//   op wins).
// - Every entry a reader can reach is fully written.
// - The log holds every entry add() wrote, replacements too, in add() order:
//   of two with the same (user key, version) the later one is current.
//   While adds come in non-decreasing version order (the DB's write path,
//   WAL replay and followers all add that way) it is sorted by version;
//   once one does not, entries_in_versions() scans the whole log instead.
//
// Thread-safety: add() needs external synchronisation (the DB's write path
// serialises writers). Everything else is safe from any number of threads,
// concurrently with add(), and never takes a lock or allocates from the arena.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "memtable/arena.hpp"
#include "memtable/entry.hpp"
#include "memtable/entry_list_iterator.hpp"
#include "memtable/ordered_index.hpp"
#include "memtable/version_log.hpp"
#include "sand/options.hpp"
#include "util/internal_iterator.hpp"
#include "util/internal_key.hpp"

namespace sand {

class MemTable : public std::enable_shared_from_this<MemTable> {
 public:
  explicit MemTable(MemTableIndex index = MemTableIndex::kBTree);
  MemTable(const MemTable&) = delete;
  MemTable& operator=(const MemTable&) = delete;
  ~MemTable();

  // Adds (user_key, version, kind, value), replacing the entry of the same
  // (user_key, version) if there is one. Copies the bytes into the arena.
  // REQUIRES: one writer at a time (external sync); readers may run
  // concurrently. version <= kMaxVersion, user_key.size() <= kMaxKeySize,
  // value.size() <= kMaxValueSize (the DB rejects larger ones with
  // InvalidArgument before they get here).
  void add(Version version, EntryKind kind, std::string_view user_key, std::string_view value);

  struct Found {
    Version version;
    EntryKind kind;          // kDelete: a tombstone; value is then empty
    std::string_view value;  // views the arena: valid while the MemTable lives
  };
  // The newest entry of user_key with version <= at, if any. `at` larger
  // than kMaxVersion means "the newest". Lock-free; thread-safe.
  std::optional<Found> get(std::string_view user_key, Version at) const;

  // get() of many keys at one version: out[i] becomes keys[i]'s answer
  // (nullopt if none). The skiplist runs its searches interleaved
  // (SkipList::seek_many), so their cache misses overlap. REQUIRES:
  // out.size() == keys.size(). Lock-free; thread-safe.
  void get_many(std::span<const std::string_view> keys, Version at,
                std::span<std::optional<Found>> out) const;

  // An iterator over internal keys (seek, seek_to_first/last, next, prev).
  // It holds a shared_ptr to this MemTable, so it stays valid after the
  // owner drops the MemTable. It sees every entry added before it was
  // created or last sought, may or may not see later ones (callers filter
  // by version), never a half-added one, and never the same entry twice as
  // it moves forward. key()/value() view the arena. Its
  // status() is always OK: the memtable has no bytes that can be corrupt.
  // A seek target shorter than 8 bytes is taken as a bare user key (it sorts
  // before that key's entries).
  // REQUIRES: this MemTable is owned by a std::shared_ptr.
  std::unique_ptr<InternalIterator> new_iterator() const;

  // The entries with versions in (lo, until], in internal-key order, as an
  // iterator like new_iterator()'s (seek, next, prev, ...; status() always
  // OK; it holds this MemTable alive). The set and its contents are fixed
  // at the call: entries added or replaced later never show. Cost: O(log n + m log m) for m entries
  // in range of n (a binary search of the version log, then a sort of the m); O(n + m log m) if
  // adds ever came out of version order. Lock-free; thread-safe. REQUIRES: this MemTable is owned
  // by a std::shared_ptr.
  std::unique_ptr<EntryListIterator> entries_in_versions(Version lo, Version until) const;

  // Arena bytes used by entries, index nodes (the B+tree's frozen copies
  // too) and version-log segments (replaced entries included, since their
  // bytes stay; a log segment counts whole from its first slot). The DB freezes the memtable once
  // this passes Options::memtable_size. Thread-safe.
  std::size_t approximate_bytes() const { return arena_.bytes_used(); }
  // Bytes of arena blocks held from the system (>= approximate_bytes()).
  // Thread-safe.
  std::size_t reserved_bytes() const { return arena_.bytes_reserved(); }
  // Distinct (user key, version) entries; a replacement does not count.
  // Thread-safe.
  std::uint64_t entries() const { return entries_.load(std::memory_order_acquire); }
  // Smallest and largest version added; 0/0 when empty. Thread-safe.
  Version min_version() const;
  Version max_version() const { return max_version_.load(std::memory_order_relaxed); }
  bool empty() const { return entries() == 0; }

 private:
  // The entry a seek for user_key landed on as a Found, if it is one of
  // user_key's.
  static std::optional<Found> found_if_key(const char* entry, std::string_view user_key);
  // Appends an entry add() wrote. Writer only.
  void log_entry(const char* entry, Version version);
  // The logged entries whose versions lie in (lo, until], in log order.
  std::vector<const char*> logged_in_versions(Version lo, Version until) const;

  // Declared before index_ and log_: both allocate from it.
  Arena arena_;
  std::unique_ptr<OrderedIndex> index_;
  VersionLog<const char*> log_{&arena_};
  Version last_logged_version_ = 0;  // writer only
  // Cleared for good by the first add() below the previous one, before the
  // log's count publishes that add: a reader that sees true after loading
  // the count may binary-search the slots it counted.
  std::atomic<bool> logged_in_version_order_{true};
  std::atomic<std::uint64_t> entries_{0};
  // Sentinel above any real version while empty.
  std::atomic<Version> min_version_{std::numeric_limits<Version>::max()};
  std::atomic<Version> max_version_{0};
};

}  // namespace sand
