// The read path: point reads, history and scans over one ReadView.
//
// Point reads go through point_lookup.hpp (newest source first).
//
// Retention is applied at read time (reads below the mark are refused,
// history is filtered), so no answer depends on when compaction ran.
// Ordering matters: the view is taken *first*, then the read version (for a
// latest read) or the mark (for an explicit one). Every compaction in the
// view used a mark no higher than either, so the view still holds the state
// as of the read version.
#include <algorithm>

#include "db/db_impl.hpp"
#include "db/iterator_state.hpp"
#include "db/level_iterator.hpp"
#include "db/merging_iterator.hpp"
#include "db/point_lookup.hpp"
#include "db/retention.hpp"
#include "util/internal_key.hpp"

namespace sand {

Snapshot DB::Impl::snapshot() const {
  // Pinned under state_mu_, where compactions read the pins and the mark: a
  // compaction either sees this pin or started before its version existed.
  MutexLock lock(state_mu_);
  const Version v = last_version_.load(std::memory_order_acquire);
  return Snapshot(v, std::make_shared<const detail::SnapshotPin>(snapshots_, v));
}

DB::Impl::ReadPoint DB::Impl::read_point() const {
  // Under state_mu_, where memtables are frozen, tables swapped and the mark
  // raised: the view cannot lose a memtable between loading `last` and
  // taking it, so every version <= last is in it, and no compaction in it cut
  // with a mark above the one read here.
  MutexLock lock(state_mu_);
  ReadPoint point{.view = current_view()};
  point.last = view_last_version(*point.view);
  point.mark = std::min(effective_mark(), point.last);
  return point;
}

Version DB::Impl::view_last_version(const ReadView& view) const {
  return read_only_ ? view.last_version : last_version_.load(std::memory_order_acquire);
}

Status DB::Impl::check_read_version(const ReadView& view, Version at) const {
  const Version last = view_last_version(view);
  if (at > last) {
    return Status::invalid_argument("version " + std::to_string(at) +
                                    " is newer than the last committed version " +
                                    std::to_string(last));
  }
  const Version mark = effective_mark();
  // A read-only handle's snapshots pin nothing in the writer process, whose
  // compactions may drop their versions: only the writer's mark counts.
  if (at < mark && !read_only_) {
    const auto pinned = snapshots_->pinned();
    if (!std::binary_search(pinned.begin(), pinned.end(), at)) {
      return Status::invalid_argument("version " + std::to_string(at) +
                                      " is below the retention mark " + std::to_string(mark) +
                                      " and no snapshot pins it");
    }
  } else if (at < mark) {
    return Status::invalid_argument("version " + std::to_string(at) +
                                    " is below the retention mark " + std::to_string(mark) +
                                    " of the writer (read-only handle)");
  }
  return Status::ok();
}

Version DB::Impl::resolve_read_version(const ReadView& view, std::optional<Version> at,
                                       Status* status) const {
  if (!at) return view_last_version(view);  // always readable
  *status = check_read_version(view, *at);
  return *at;
}

Result<std::optional<std::string>> DB::Impl::get(std::string_view key,
                                                 std::optional<Version> requested) const {
  if (key.size() > kMaxKeySize) return Status::invalid_argument("key longer than 64 KiB");
  const auto view = current_view();
  Status checked;
  const Version at = resolve_read_version(*view, requested, &checked);
  SAND_RETURN_IF_ERROR(checked);

  SAND_ASSIGN_OR_RETURN(auto found, newest_entry(*view, key, at));
  if (!found || found->kind == EntryKind::kDelete) return std::optional<std::string>();
  return std::optional<std::string>(std::move(found->value));
}

Result<std::vector<HistoryEntry>> DB::Impl::history(std::string_view key) const {
  if (key.size() > kMaxKeySize) return Status::invalid_argument("key longer than 64 KiB");
  const auto view = current_view();
  const Version last = view_last_version(*view);
  const Version mark = effective_mark();
  std::vector<HistoryEntry> all;
  std::vector<bool> by_reference;  // all[i].value holds a value reference
  // Sources hold disjoint, descending version ranges, so appending source by
  // source keeps the list newest first.
  auto collect = [&](InternalIterator& it) -> Status {
    for (it.seek(seek_key(key, last)); it.valid(); it.next()) {
      ParsedKey k;
      if (!parse_internal_key(it.key(), &k)) {
        return Status::corruption("history: malformed internal key");
      }
      if (k.user_key != key) break;
      all.push_back(
          HistoryEntry{.version = k.version,
                       .deleted = k.kind == EntryKind::kDelete,
                       .value = is_put(k.kind) ? std::string(it.value()) : std::string()});
      by_reference.push_back(k.kind == EntryKind::kValueRef);
    }
    return it.status();
  };
  SAND_RETURN_IF_ERROR(collect(*view->mem->new_iterator()));
  for (const auto& mem : view->frozen) SAND_RETURN_IF_ERROR(collect(*mem->new_iterator()));
  for (const LiveTable* t : point_candidates(*view, key, last)) {
    if (!t->table->may_contain(key)) continue;
    SAND_RETURN_IF_ERROR(collect(*t->table->new_iterator()));
  }

  // Retention at read time: versions >= mark, the newest one below it, and
  // no tombstone that hides nothing (spec/README.md "Retention").
  RetentionFilter filter(mark, {});
  filter.start_key();
  std::vector<HistoryEntry> out;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (!filter.keep(all[i].version)) continue;
    // Only the values history returns are read from their value files.
    if (by_reference[i]) {
      const std::string ref = std::move(all[i].value);
      SAND_RETURN_IF_ERROR(view->values->read(ref, &all[i].value));
    }
    out.push_back(std::move(all[i]));
  }
  while (!out.empty() && out.back().deleted) out.pop_back();
  return out;
}

Result<Iterator> DB::Impl::scan(const ScanOptions& options) const {
  const auto view = current_view();
  Status checked;
  const Version at = resolve_read_version(*view, options.at, &checked);
  SAND_RETURN_IF_ERROR(checked);
  if (options.from && options.to && *options.from > *options.to) {
    return Status::invalid_argument("scan: from is after to");
  }
  // [from, to) narrowed by the prefix: no seek ever leaves it, so only tables
  // whose key range meets it (and that hold versions <= at) are read.
  KeyBounds bounds = KeyBounds::of(options.from, options.to, options.prefix);
  auto overlaps = [&](const LiveTable& t) {
    return bounds.overlaps(t.meta.smallest_key, t.meta.largest_key) && t.meta.min_version <= at;
  };
  auto add_run = [&](const SortedRun& run, std::vector<std::unique_ptr<InternalIterator>>* out) {
    std::vector<TableRef> files;
    for (const auto& f : run.files) {
      if (overlaps(*f)) files.push_back(f);
    }
    if (!files.empty()) out->push_back(new_level_iterator(std::move(files)));
  };
  std::vector<std::unique_ptr<InternalIterator>> children;
  children.push_back(view->mem->new_iterator());
  for (const auto& mem : view->frozen) children.push_back(mem->new_iterator());
  for (const auto& t : view->l0) {
    if (overlaps(*t)) children.push_back(t->table->new_iterator());
  }
  for (const auto& run : view->l1) add_run(run, &children);
  add_run(view->l2, &children);
  auto state = std::make_unique<detail::IteratorState>(
      view, new_merging_iterator(std::move(children)), at, std::move(bounds), options.reverse);
  return Iterator(std::move(state));  // positioned on first use
}

}  // namespace sand
