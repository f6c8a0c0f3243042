// OrderedIndex over the B+tree or the skiplist (see ordered_index.hpp).
#include "memtable/ordered_index.hpp"

#include <cassert>
#include <utility>

namespace sand {

namespace {

using LookupKey = memtable_entry::LookupKey;
using MemTableBTree = BTree<MemTableEntryTraits>;
using MemTableSkipList = SkipList<const char*, memtable_entry::Comparator>;

// Caches the decoded key and value of the entry it is on, read from ONE
// load of the entry pointer, so key() and value() always belong to the same
// entry even if the writer replaces it meanwhile.
template <class Table>
class IndexIterator final : public InternalIterator {
 public:
  IndexIterator(std::shared_ptr<const void> owner, const Table* table)
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
    it_.seek(LookupKey::from_internal_key(target));
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

  std::shared_ptr<const void> owner_;  // keeps the arena alive
  typename Table::Iterator it_;
  std::string_view key_;
  std::string_view value_;
};

template <class Table>
class IndexOver final : public OrderedIndex {
 public:
  template <typename... Args>
  explicit IndexOver(Args&&... args) : table_(std::forward<Args>(args)...) {}

  bool insert_or_replace(const char* entry) override { return table_.insert_or_replace(entry); }
  std::optional<const char*> lower_bound(const LookupKey& target) const override {
    typename Table::Iterator it(&table_);
    it.seek(target);
    if (!it.valid()) return std::nullopt;
    return it.key();
  }
  void seek_many(std::span<const LookupKey> targets,
                 std::span<std::optional<const char*>> out) const override {
    table_.seek_many(targets, out);
  }
  std::unique_ptr<InternalIterator> new_iterator(std::shared_ptr<const void> owner) const override {
    return std::make_unique<IndexIterator<Table>>(std::move(owner), &table_);
  }

 private:
  Table table_;
};

}  // namespace

std::unique_ptr<OrderedIndex> make_ordered_index(MemTableIndex kind, Arena* arena) {
  switch (kind) {
    case MemTableIndex::kSkipList:
      return std::make_unique<IndexOver<MemTableSkipList>>(memtable_entry::Comparator{}, arena);
    case MemTableIndex::kBTree:
      break;
  }
  return std::make_unique<IndexOver<MemTableBTree>>(arena);
}

}  // namespace sand
