// MemTable: entries in a skiplist over an arena (see memtable.hpp).
#include "memtable/memtable.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

namespace sand {

namespace {

Version relaxed_load(const std::atomic<Version>& v) { return v.load(std::memory_order_relaxed); }

}  // namespace

// Caches the decoded key and value of the entry it is on, read from ONE
// load of the node's entry pointer, so key() and value() always belong to
// the same entry even if the writer replaces it meanwhile.
class MemTable::Iterator final : public InternalIterator {
 public:
  explicit Iterator(std::shared_ptr<const MemTable> owner, const Table* table)
      : owner_(std::move(owner)), it_(table) {}

  bool valid() const override { return it_.valid(); }
  void seek_to_first() override {
    it_.seek_to_first();
    load();
  }
  void seek_to_last() override {
    it_.seek_to_last();
    load();
  }
  void seek(std::string_view target) override {
    it_.seek(memtable_entry::LookupKey::from_internal_key(target));
    load();
  }
  void next() override {
    assert(valid());
    it_.next();
    load();
  }
  void prev() override {
    assert(valid());
    it_.prev();
    load();
  }
  std::string_view key() const override {
    assert(valid());
    return key_;
  }
  std::string_view value() const override {
    assert(valid());
    return value_;
  }
  Status status() const override { return Status::ok(); }

 private:
  void load() {
    if (!it_.valid()) {
      key_ = value_ = {};
      return;
    }
    const char* entry = it_.key();
    key_ = memtable_entry::internal_key(entry);
    value_ = memtable_entry::value(entry);
  }

  std::shared_ptr<const MemTable> owner_;  // keeps the arena alive
  Table::Iterator it_;
  std::string_view key_;
  std::string_view value_;
};

MemTable::MemTable() : table_(memtable_entry::Comparator{}, &arena_) {}

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
  Table::NodeRef node;
  if (table_.insert_or_replace(entry, &node)) {
    // A replacement adds no node: the logged one already reads the new
    // entry, so the log never holds a (user key, version) twice.
    log_node(node, version);
    // Release pairs with entries()'s acquire: a reader that counts n entries
    // can reach all n of them.
    entries_.fetch_add(1, std::memory_order_release);
  }
}

void MemTable::log_node(Table::NodeRef node, Version version) {
  if (log_.size() > 0 && version < last_logged_version_) {
    // Relaxed: the log's release store in append() publishes it.
    logged_in_version_order_.store(false, std::memory_order_relaxed);
  }
  last_logged_version_ = version;
  log_.append(node);
}

std::optional<MemTable::Found> MemTable::get(std::string_view user_key, Version at) const {
  Table::Iterator it(&table_);
  it.seek(memtable_entry::LookupKey::at_version(user_key, at));
  if (!it.valid()) return std::nullopt;
  return found_if_key(it.key(), user_key);
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
  table_.seek_many(std::span<const memtable_entry::LookupKey>(targets), std::span(entries));
  for (std::size_t i = 0; i < keys.size(); ++i) {
    out[i] = entries[i] ? found_if_key(*entries[i], keys[i]) : std::nullopt;
  }
}

std::unique_ptr<InternalIterator> MemTable::new_iterator() const {
  std::shared_ptr<const MemTable> owner = weak_from_this().lock();
  assert(owner != nullptr && "MemTable must be owned by a std::shared_ptr");
  return std::make_unique<Iterator>(std::move(owner), &table_);
}

std::unique_ptr<EntryListIterator> MemTable::entries_in_versions(Version lo, Version until) const {
  std::shared_ptr<const MemTable> owner = weak_from_this().lock();
  assert(owner != nullptr && "MemTable must be owned by a std::shared_ptr");
  std::vector<Table::NodeRef> nodes = logged_in_versions(lo, until);
  const memtable_entry::Comparator cmp;
  std::sort(nodes.begin(), nodes.end(), [&](const Table::NodeRef& a, const Table::NodeRef& b) {
    return cmp(a.key(), b.key()) < 0;
  });
  return std::make_unique<EntryListIterator>(std::move(owner), std::move(nodes));
}

std::vector<MemTable::Table::NodeRef> MemTable::logged_in_versions(Version lo,
                                                                   Version until) const {
  std::vector<Table::NodeRef> out;
  if (until <= lo) return out;
  // The count first (acquire), then the flag: a count covering an
  // out-of-order add comes with the flag's clearing.
  const std::size_t n = log_.size();
  const bool sorted = logged_in_version_order_.load(std::memory_order_relaxed);
  const auto version_at = [this](std::size_t i) { return memtable_entry::version(log_[i].key()); };
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
