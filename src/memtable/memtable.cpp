// MemTable: entries in an ordered index over an arena (see memtable.hpp).
#include "memtable/memtable.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

namespace sand {

namespace {

Version relaxed_load(const std::atomic<Version>& v) { return v.load(std::memory_order_relaxed); }

}  // namespace

MemTable::MemTable(MemTableIndex index) : index_(make_ordered_index(index, &arena_)) {}

MemTable::~MemTable() = default;

void MemTable::add(Version version, EntryKind kind, std::string_view user_key,
                   std::string_view value) {
  assert(version <= kMaxVersion);
  assert(user_key.size() <= kMaxKeySize);
  assert(value.size() <= kMaxValueSize);
  // Widen the version range before publishing the entry, so a reader that
  // reaches the entry (an acquire load) also sees a range covering it.
  // Single writer: plain load-then-store is race-free and cheaper than a CAS.
  if (version < relaxed_load(min_version_)) {
    min_version_.store(version, std::memory_order_relaxed);
  }
  if (version > relaxed_load(max_version_)) {
    max_version_.store(version, std::memory_order_relaxed);
  }
  const char* entry = memtable_entry::encode(&arena_, user_key, version, kind, value);
  const bool added = index_->insert_or_replace(entry);
  // A replacement is logged too: entries_in_versions() keeps the later of
  // two logged entries with the same (user key, version).
  log_entry(entry, version);
  if (added) {
    // Release pairs with entries()'s acquire: a reader that counts n entries
    // can reach all n of them.
    entries_.fetch_add(1, std::memory_order_release);
  }
}

void MemTable::log_entry(const char* entry, Version version) {
  if (log_.size() > 0 && version < last_logged_version_) {
    // Relaxed: the log's release store in append() publishes it.
    logged_in_version_order_.store(false, std::memory_order_relaxed);
  }
  last_logged_version_ = version;
  log_.append(entry);
}

std::optional<MemTable::Found> MemTable::get(std::string_view user_key, Version at) const {
  const std::optional<const char*> entry =
      index_->lower_bound(memtable_entry::LookupKey::at_version(user_key, at));
  if (!entry) return std::nullopt;
  return found_if_key(*entry, user_key);
}

std::optional<MemTable::Found> MemTable::found_if_key(const char* entry,
                                                      std::string_view user_key) {
  ParsedKey parsed;
  // The writer only stores well-formed keys, so the parse cannot fail.
  [[maybe_unused]] const bool ok = parse_internal_key(memtable_entry::internal_key(entry), &parsed);
  assert(ok);
  if (parsed.user_key != user_key) return std::nullopt;
  return Found{
      .version = parsed.version, .kind = parsed.kind, .value = memtable_entry::value(entry)};
}

void MemTable::get_many(std::span<const std::string_view> keys, Version at,
                        std::span<std::optional<Found>> out) const {
  assert(out.size() == keys.size());
  std::vector<memtable_entry::LookupKey> targets(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    targets[i] = memtable_entry::LookupKey::at_version(keys[i], at);
  }
  std::vector<std::optional<const char*>> entries(keys.size());
  index_->seek_many(std::span<const memtable_entry::LookupKey>(targets), std::span(entries));
  for (std::size_t i = 0; i < keys.size(); ++i) {
    out[i] = entries[i] ? found_if_key(*entries[i], keys[i]) : std::nullopt;
  }
}

std::unique_ptr<InternalIterator> MemTable::new_iterator() const {
  std::shared_ptr<const MemTable> owner = weak_from_this().lock();
  assert(owner != nullptr && "MemTable must be owned by a std::shared_ptr");
  return index_->new_iterator(std::move(owner));
}

std::unique_ptr<EntryListIterator> MemTable::entries_in_versions(Version lo, Version until) const {
  std::shared_ptr<const MemTable> owner = weak_from_this().lock();
  assert(owner != nullptr && "MemTable must be owned by a std::shared_ptr");
  std::vector<const char*> entries = logged_in_versions(lo, until);
  const memtable_entry::Comparator cmp;
  // Stable, so of two entries with the same (user key, version) the later
  // logged one, the current one, ends each run of equals.
  std::stable_sort(entries.begin(), entries.end(),
                   [&](const char* a, const char* b) { return cmp(a, b) < 0; });
  std::size_t kept = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (kept > 0 && cmp(entries[kept - 1], entries[i]) == 0) {
      entries[kept - 1] = entries[i];
    } else {
      entries[kept++] = entries[i];
    }
  }
  entries.resize(kept);
  return std::make_unique<EntryListIterator>(std::move(owner), std::move(entries));
}

std::vector<const char*> MemTable::logged_in_versions(Version lo, Version until) const {
  std::vector<const char*> out;
  if (until <= lo) return out;
  // The count first (acquire), then the flag: a count covering an
  // out-of-order add comes with the flag's clearing.
  const std::size_t n = log_.size();
  const bool sorted = logged_in_version_order_.load(std::memory_order_relaxed);
  const auto version_at = [this](std::size_t i) { return memtable_entry::version(log_[i]); };
  if (!sorted) {
    for (std::size_t i = 0; i < n; ++i) {
      const Version v = version_at(i);
      if (v > lo && v <= until) out.push_back(log_[i]);
    }
    return out;
  }
  // First slot with a version above lo: a binary search over [0, n).
  std::size_t begin = 0, end = n;
  while (begin < end) {
    const std::size_t mid = begin + (end - begin) / 2;
    if (version_at(mid) <= lo) {
      begin = mid + 1;
    } else {
      end = mid;
    }
  }
  for (std::size_t i = begin; i < n && version_at(i) <= until; ++i) out.push_back(log_[i]);
  return out;
}

Version MemTable::min_version() const {
  const Version v = relaxed_load(min_version_);
  return v == std::numeric_limits<Version>::max() ? 0 : v;
}

}  // namespace sand
