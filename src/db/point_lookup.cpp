// Point lookups: newest entry first, source by source.
#include "db/point_lookup.hpp"

namespace sand {
namespace {

bool in_key_range(const LiveTable& t, std::string_view key) {
  return key >= std::string_view(t.meta.smallest_key) &&
         key <= std::string_view(t.meta.largest_key);
}

}  // namespace

Status resolve_value(const ReadView& view, bool copy, PointEntry* e) {
  if (e->kind != EntryKind::kValueRef) return Status::ok();
  e->kind = EntryKind::kPut;
  if (!copy) {
    e->value.clear();
    return Status::ok();
  }
  const std::string ref = std::move(e->value);
  return view.values->read(ref, &e->value);
}

std::vector<const LiveTable*> point_candidates(const ReadView& view, std::string_view key,
                                               Version at) {
  std::vector<const LiveTable*> out;
  for (const auto& t : view.l0) {
    if (at >= t->meta.min_version && in_key_range(*t, key)) out.push_back(t.get());
  }
  for (const auto& run : view.l1) {
    if (at < run.min_version) continue;
    if (const LiveTable* t = run.file_for(key)) out.push_back(t);
  }
  if (at >= view.l2.min_version) {
    if (const LiveTable* t = view.l2.file_for(key)) out.push_back(t);
  }
  return out;
}

namespace {

Result<std::optional<PointEntry>> newest_stored_entry(const ReadView& view, std::string_view key,
                                                      Version at, table::Table::Value value) {
  using Answer = std::optional<PointEntry>;
  const bool copy = value == table::Table::Value::kCopy;
  auto from_memtable = [&](const MemTable& mem) -> Answer {
    const auto found = mem.get(key, at);
    if (!found) return std::nullopt;
    return PointEntry{found->version, found->kind,
                      copy ? std::string(found->value) : std::string()};
  };
  if (Answer a = from_memtable(*view.mem)) return a;
  for (const auto& mem : view.frozen) {
    if (Answer a = from_memtable(*mem)) return a;
  }
  for (const LiveTable* t : point_candidates(view, key, at)) {
    SAND_ASSIGN_OR_RETURN(auto found, t->table->get(key, at, value));
    if (found) return Answer(PointEntry{found->version, found->kind, std::move(found->value)});
  }
  return Answer();
}

}  // namespace

Result<std::optional<PointEntry>> newest_entry(const ReadView& view, std::string_view key,
                                               Version at, table::Table::Value value) {
  SAND_ASSIGN_OR_RETURN(std::optional<PointEntry> found, newest_stored_entry(view, key, at, value));
  if (found) {
    SAND_RETURN_IF_ERROR(resolve_value(view, value == table::Table::Value::kCopy, &*found));
  }
  return found;
}

Result<bool> tombstone_shows(const ReadView& view, std::string_view key, Version v, Version mark) {
  // Walk the key's older entries newest first: a put at or above the mark
  // shows the tombstone; the first entry below the mark (the only one below
  // it that history keeps) decides; tombstones in between decide nothing.
  // A tombstone below the mark never shows: history keeps one entry below
  // the mark, with nothing retained beneath it to hide.
  if (v < mark) return false;
  Version below = v;
  while (below > 0) {
    SAND_ASSIGN_OR_RETURN(auto older,
                          newest_entry(view, key, below - 1, table::Table::Value::kSkip));
    if (!older) return false;
    if (older->kind == EntryKind::kPut) return true;
    if (older->version < mark) return false;
    below = older->version;
  }
  return false;
}

Result<std::optional<PointEntry>> newest_retained_entry(const ReadView& view, std::string_view key,
                                                        Version at, Version mark) {
  using Answer = std::optional<PointEntry>;
  SAND_ASSIGN_OR_RETURN(auto found, newest_entry(view, key, at));
  if (!found || found->kind == EntryKind::kPut) return found;
  SAND_ASSIGN_OR_RETURN(const bool shows, tombstone_shows(view, key, found->version, mark));
  return shows ? found : Answer();
}

}  // namespace sand
