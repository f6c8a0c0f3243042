// for_each_retained: one merged pass over every source of a view.
#include "archive/retained_entries.hpp"

#include <string>
#include <vector>

#include "db/level_iterator.hpp"
#include "db/merging_iterator.hpp"
#include "db/retention.hpp"

namespace sand::archive {
namespace {

// One iterator over every entry of the view, in internal-key order.
std::unique_ptr<InternalIterator> whole_view_iterator(const ReadView& view) {
  std::vector<std::unique_ptr<InternalIterator>> children;
  children.push_back(view.mem->new_iterator());
  for (const auto& mem : view.frozen) children.push_back(mem->new_iterator());
  for (const auto& t : view.l0) children.push_back(t->table->new_iterator());
  for (const auto& run : view.l1) {
    if (!run.files.empty()) children.push_back(new_level_iterator(run.files));
  }
  if (!view.l2.files.empty()) children.push_back(new_level_iterator(view.l2.files));
  return new_merging_iterator(std::move(children));
}

}  // namespace

std::uint64_t stored_entries(const ReadView& view) {
  std::uint64_t n = view.mem->entries();
  for (const auto& mem : view.frozen) n += mem->entries();
  for (const TableRef& t : view.all_tables()) n += t->meta.entries;
  return n;
}

Status for_each_retained(const ReadView& view, Version last, Version mark,
                         const RetainedEntryFn& fn) {
  RetentionFilter filter(mark, {});
  std::string key;                       // the current user key
  std::vector<Version> held_tombstones;  // kept tombstones of `key`, newest first
  bool first = true;
  std::string resolved;
  const auto it = whole_view_iterator(view);
  for (it->seek_to_first(); it->valid(); it->next()) {
    ParsedKey k;
    if (!parse_internal_key(it->key(), &k)) {
      return Status::corruption("export: malformed internal key in the view");
    }
    if (first || k.user_key != key) {
      first = false;
      key.assign(k.user_key);
      held_tombstones.clear();  // nothing kept beneath them: they hide nothing
      filter.start_key();
    }
    if (k.version > last || !filter.keep(k.version)) continue;
    if (k.kind == EntryKind::kDelete) {
      held_tombstones.push_back(k.version);
      continue;
    }
    for (const Version v : held_tombstones) {
      SAND_RETURN_IF_ERROR(fn(key, v, EntryKind::kDelete, {}));
    }
    held_tombstones.clear();
    if (k.kind == EntryKind::kValueRef) {
      // An archive holds values, never references into this database's files.
      SAND_RETURN_IF_ERROR(view.values->read(it->value(), &resolved));
      SAND_RETURN_IF_ERROR(fn(key, k.version, EntryKind::kPut, resolved));
      continue;
    }
    SAND_RETURN_IF_ERROR(fn(key, k.version, EntryKind::kPut, it->value()));
  }
  return it->status();
}

}  // namespace sand::archive
