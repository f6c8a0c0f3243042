// Reads that return versions: get_versioned (the entry that decides a read,
// with the version that wrote it), multi_get (many keys at one version), and
// the key versions write preconditions compare (db_impl_write.cpp).
#include <algorithm>
#include <numeric>

#include "db/db_impl.hpp"
#include "db/point_lookup.hpp"

namespace sand {
namespace {

Status check_key(std::string_view key) {
  if (key.size() > kMaxKeySize) return Status::invalid_argument("key longer than 64 KiB");
  return Status::ok();
}

}  // namespace

Result<std::optional<HistoryEntry>> DB::Impl::get_versioned(
    std::string_view key, std::optional<Version> requested) const {
  SAND_RETURN_IF_ERROR(check_key(key));
  // The view first, then the version and the mark (db_impl_read.cpp).
  const auto view = current_view();
  Status checked;
  const Version at = resolve_read_version(*view, requested, &checked);
  SAND_RETURN_IF_ERROR(checked);
  const Version mark = std::min(effective_mark(), view_last_version(*view));
  SAND_ASSIGN_OR_RETURN(auto found, newest_retained_entry(*view, key, at, mark));
  if (!found) return std::optional<HistoryEntry>();
  return std::optional<HistoryEntry>(HistoryEntry{.version = found->version,
                                                  .deleted = found->kind == EntryKind::kDelete,
                                                  .value = std::move(found->value)});
}

Result<std::vector<std::optional<std::string>>> DB::Impl::multi_get(
    std::span<const std::string_view> keys, std::optional<Version> requested) const {
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].size() > kMaxKeySize) {
      return Status::invalid_argument("multi_get: key " + std::to_string(i) +
                                      " longer than 64 KiB");
    }
  }
  // One view and one read version for every key: the answers are one
  // consistent state even while writers go on.
  const auto view = current_view();
  Status checked;
  const Version at = resolve_read_version(*view, requested, &checked);
  SAND_RETURN_IF_ERROR(checked);
  // The distinct keys in ascending order: each source is then asked once
  // for all of them (point_lookup.hpp, newest_entries), and a repeated key
  // is looked up once. slot[i]: where keys[i] went.
  std::vector<std::size_t> order(keys.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
  std::vector<std::string_view> sorted;
  sorted.reserve(keys.size());
  std::vector<std::size_t> slot(keys.size());
  for (const std::size_t i : order) {
    if (sorted.empty() || sorted.back() != keys[i]) sorted.push_back(keys[i]);
    slot[i] = sorted.size() - 1;
  }
  std::vector<std::optional<PointEntry>> entries(sorted.size());
  SAND_RETURN_IF_ERROR(newest_entries(*view, sorted, at, entries));
  std::vector<std::optional<std::string>> answers(keys.size());
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::vector<std::size_t> answered_by(sorted.size(), kNone);  // a repeat copies it
  for (std::size_t i = 0; i < keys.size(); ++i) {
    auto& entry = entries[slot[i]];
    if (!entry || entry->kind != EntryKind::kPut) continue;
    if (answered_by[slot[i]] == kNone) {
      answers[i] = std::move(entry->value);
      answered_by[slot[i]] = i;
    } else {
      answers[i] = answers[answered_by[slot[i]]];
    }
  }
  return answers;
}

Result<Version> DB::Impl::key_version(std::string_view key) const {
  SAND_ASSIGN_OR_RETURN(
      auto found, newest_entry(*current_view(), key, kMaxVersion, table::Table::Value::kSkip));
  if (!found || found->kind == EntryKind::kDelete) return Version{0};
  return found->version;
}

}  // namespace sand
