// The read path: point reads, history and scans over one ReadView.
//
// Sources are consulted newest data first: the active memtable, the frozen
// ones (newest first), then tables by descending max_version. Versions in
// these sources never interleave (each holds a later range of versions than
// the ones after it), so the first source with a visible version of a key
// answers a point read.
#include <algorithm>

#include "db/db_impl.hpp"
#include "db/db_iterator.hpp"
#include "db/merging_iterator.hpp"
#include "util/internal_key.hpp"

namespace sand {
namespace {

bool in_key_range(const LiveTable& t, std::string_view key) {
  return key >= std::string_view(t.meta.smallest_key) &&
         key <= std::string_view(t.meta.largest_key);
}

}  // namespace

std::shared_ptr<const ReadView> DB::Impl::current_view() const {
  std::lock_guard lock(state_mu_);
  return view_;
}

Status DB::Impl::check_read_version(Version at) const {
  const Version last = last_version_.load(std::memory_order_acquire);
  if (at > last) {
    return Status::invalid_argument("version " + std::to_string(at) +
                                    " is newer than the last committed version " +
                                    std::to_string(last));
  }
  return Status::ok();
}

Result<std::optional<std::string>> DB::Impl::get(std::string_view key, Version at) const {
  if (key.size() > kMaxKeySize) return Status::invalid_argument("key longer than 64 KiB");
  SAND_RETURN_IF_ERROR(check_read_version(at));
  const auto view = current_view();

  auto from_memtable = [&](const MemTable& mem) -> std::optional<std::optional<std::string>> {
    const auto found = mem.get(key, at);
    if (!found) return std::nullopt;
    if (found->kind == EntryKind::kDelete) return std::optional<std::string>();
    return std::optional<std::string>(std::string(found->value));
  };
  if (auto r = from_memtable(*view->mem)) return *r;
  for (const auto& mem : view->frozen) {
    if (auto r = from_memtable(*mem)) return *r;
  }
  for (const auto& t : view->tables) {
    if (at < t->meta.min_version || !in_key_range(*t, key)) continue;
    SAND_ASSIGN_OR_RETURN(auto found, t->table->get(key, at));
    if (!found) continue;
    if (found->kind == EntryKind::kDelete) return std::optional<std::string>();
    return std::optional<std::string>(std::move(found->value));
  }
  return std::optional<std::string>();
}

Result<std::vector<HistoryEntry>> DB::Impl::history(std::string_view key) const {
  if (key.size() > kMaxKeySize) return Status::invalid_argument("key longer than 64 KiB");
  const Version last = last_version_.load(std::memory_order_acquire);
  const auto view = current_view();
  std::vector<HistoryEntry> out;
  // Sources hold disjoint, descending version ranges, so appending source by
  // source keeps the list newest first.
  auto collect = [&](InternalIterator& it) -> Status {
    for (it.seek(seek_key(key, last)); it.valid(); it.next()) {
      ParsedKey k;
      if (!parse_internal_key(it.key(), &k)) {
        return Status::corruption("history: malformed internal key");
      }
      if (k.user_key != key) break;
      out.push_back(HistoryEntry{.version = k.version,
                                 .deleted = k.kind == EntryKind::kDelete,
                                 .value = k.kind == EntryKind::kPut ? std::string(it.value())
                                                                    : std::string()});
    }
    return it.status();
  };
  SAND_RETURN_IF_ERROR(collect(*view->mem->new_iterator()));
  for (const auto& mem : view->frozen) SAND_RETURN_IF_ERROR(collect(*mem->new_iterator()));
  for (const auto& t : view->tables) {
    if (!in_key_range(*t, key) || !t->table->may_contain(key)) continue;
    SAND_RETURN_IF_ERROR(collect(*t->table->new_iterator()));
  }
  return out;
}

Result<Iterator> DB::Impl::scan(const ScanOptions& options) const {
  const Version at = options.at.value_or(last_version_.load(std::memory_order_acquire));
  SAND_RETURN_IF_ERROR(check_read_version(at));
  if (options.from && options.to && *options.from > *options.to) {
    return Status::invalid_argument("scan: from is after to");
  }
  const auto view = current_view();
  std::vector<std::unique_ptr<InternalIterator>> children;
  children.push_back(view->mem->new_iterator());
  for (const auto& mem : view->frozen) children.push_back(mem->new_iterator());
  for (const auto& t : view->tables) {
    // Only tables whose key range meets [from, to) and that hold versions <= at.
    if (options.from && std::string_view(t->meta.largest_key) < *options.from) continue;
    if (options.to && std::string_view(t->meta.smallest_key) >= *options.to) continue;
    if (t->meta.min_version > at) continue;
    children.push_back(t->table->new_iterator());
  }
  auto state = std::make_unique<detail::IteratorState>(
      view, new_merging_iterator(std::move(children)), at, options.from, options.to,
      options.reverse);
  state->start();
  return Iterator(std::move(state));
}

}  // namespace sand
