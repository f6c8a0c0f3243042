// Batched point lookups (newest_entries): the sources of a ReadView in the
// order newest_entry() reads them, each asked once for every key it may
// still answer.
#include <algorithm>
#include <cassert>
#include <functional>

#include "db/point_lookup.hpp"

namespace sand {
namespace {

// The keys not answered yet, as indexes into the caller's keys (so still
// ascending), and the buffers a table's batch is passed in, reused.
class PendingKeys {
 public:
  PendingKeys(std::span<const std::string_view> keys, std::span<std::optional<PointEntry>> out)
      : keys_(keys), out_(out), pending_(keys.size()) {
    for (std::size_t i = 0; i < pending_.size(); ++i) pending_[i] = i;
  }

  bool empty() const { return pending_.empty(); }

  void ask_memtable(const MemTable& mem, Version at) {
    if (mem.empty()) return;
    gather_keys(pending_.begin(), pending_.end());
    mem_found_.assign(batch_keys_.size(), std::nullopt);
    mem.get_many(batch_keys_, at, mem_found_);
    for (std::size_t j = 0; j < mem_found_.size(); ++j) {
      if (const auto& found = mem_found_[j]) {
        out_[pending_[j]] = PointEntry{found->version, found->kind, std::string(found->value)};
      }
    }
    settle();
  }

  // Asks `t` for the pending keys within its key range (at least one of its
  // versions is <= at).
  Status ask_table(const LiveTable& t, Version at) {
    if (at < t.meta.min_version) return Status::ok();
    const auto first = first_at_or_after(pending_.begin(), pending_.end(), t.meta.smallest_key);
    return ask(t, at, first, first_after(first, pending_.end(), t.meta.largest_key));
  }

  // Asks each file of `run` for the pending keys within its range: one
  // walk over the keys, each file found from where the last one was.
  Status ask_run(const SortedRun& run, Version at) {
    if (at < run.min_version) return Status::ok();
    auto file = run.files.begin();
    auto key = pending_.begin();
    while (key != pending_.end() && file != run.files.end()) {
      // The first file whose largest key is >= this key.
      file = std::lower_bound(file, run.files.end(), keys_[*key],
                              [](const TableRef& f, std::string_view k) {
                                return std::string_view(f->meta.largest_key) < k;
                              });
      if (file == run.files.end()) break;
      const auto end = first_after(key, pending_.end(), (*file)->meta.largest_key);
      // Keys before the file's smallest key fall between files: no entry.
      const auto begin = first_at_or_after(key, end, (*file)->meta.smallest_key);
      SAND_RETURN_IF_ERROR(ask(**file, at, begin, end));
      key = end;
      ++file;
    }
    settle();
    return Status::ok();
  }

  // Drops the answered keys.
  void settle() {
    std::erase_if(pending_, [&](std::size_t i) { return out_[i].has_value(); });
  }

 private:
  using Iter = std::vector<std::size_t>::iterator;

  // The first pending key in [begin, end) that is >= key, or > key.
  Iter first_at_or_after(Iter begin, Iter end, std::string_view key) const {
    return std::lower_bound(begin, end, key,
                            [&](std::size_t i, std::string_view k) { return keys_[i] < k; });
  }
  Iter first_after(Iter begin, Iter end, std::string_view key) const {
    return std::upper_bound(begin, end, key,
                            [&](std::string_view k, std::size_t i) { return k < keys_[i]; });
  }

  Status ask(const LiveTable& t, Version at, Iter begin, Iter end) {
    if (begin == end) return Status::ok();
    gather_keys(begin, end);
    found_.assign(batch_keys_.size(), std::nullopt);
    SAND_RETURN_IF_ERROR(t.table->get_batch(batch_keys_, at, found_));
    for (std::size_t j = 0; j < found_.size(); ++j) {
      if (!found_[j]) continue;
      out_[begin[j]] = PointEntry{found_[j]->version, found_[j]->kind, std::move(found_[j]->value)};
    }
    return Status::ok();
  }

  void gather_keys(Iter begin, Iter end) {
    batch_keys_.clear();
    for (auto it = begin; it != end; ++it) batch_keys_.push_back(keys_[*it]);
  }

  std::span<const std::string_view> keys_;
  std::span<std::optional<PointEntry>> out_;
  std::vector<std::size_t> pending_;
  std::vector<std::string_view> batch_keys_;
  std::vector<std::optional<table::Table::Found>> found_;
  std::vector<std::optional<MemTable::Found>> mem_found_;
};

}  // namespace

namespace {

// The stored entries: value references still unresolved.
Status newest_stored_entries(const ReadView& view, std::span<const std::string_view> keys,
                             Version at, std::span<std::optional<PointEntry>> out) {
  PendingKeys pending(keys, out);
  pending.ask_memtable(*view.mem, at);
  for (const auto& mem : view.frozen) {
    if (pending.empty()) return Status::ok();
    pending.ask_memtable(*mem, at);
  }
  // Level-0 tables may overlap each other: newest first, one at a time.
  for (const auto& t : view.l0) {
    if (pending.empty()) return Status::ok();
    SAND_RETURN_IF_ERROR(pending.ask_table(*t, at));
    pending.settle();
  }
  for (const auto& run : view.l1) {
    if (pending.empty()) return Status::ok();
    SAND_RETURN_IF_ERROR(pending.ask_run(run, at));
  }
  if (pending.empty()) return Status::ok();
  return pending.ask_run(view.l2, at);
}

}  // namespace

Status newest_entries(const ReadView& view, std::span<const std::string_view> keys, Version at,
                      std::span<std::optional<PointEntry>> out) {
  assert(keys.size() == out.size());
  assert(std::adjacent_find(keys.begin(), keys.end(), std::greater_equal<>()) == keys.end());
  SAND_RETURN_IF_ERROR(newest_stored_entries(view, keys, at, out));
  for (std::optional<PointEntry>& e : out) {
    if (e) SAND_RETURN_IF_ERROR(resolve_value(view, /*copy=*/true, &*e));
  }
  return Status::ok();
}

}  // namespace sand
