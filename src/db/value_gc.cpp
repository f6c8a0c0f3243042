// Value-file garbage collection policy (value_gc.hpp).
#include "db/value_gc.hpp"

#include <algorithm>

namespace sand {

std::set<std::uint64_t> value_files_due(const std::vector<ValueFileUsage>& files,
                                        ValueGcMode mode) {
  std::set<std::uint64_t> due;
  for (const ValueFileUsage& f : files) {
    // referenced < value_bytes / 2, without rounding.
    const bool is_due = mode == ValueGcMode::kAnyDead ? f.referenced < f.value_bytes
                                                      : f.referenced * 2 < f.value_bytes;
    if (is_due) due.insert(f.number);
  }
  return due;
}

std::vector<TableRef> deep_tables_referencing(const ReadView& view,
                                              const std::set<std::uint64_t>& due) {
  std::vector<TableRef> found;
  if (due.empty()) return found;
  auto take = [&](const TableRef& t) {
    if (std::any_of(t->meta.value_refs.begin(), t->meta.value_refs.end(),
                    [&](const manifest::ValueRefTally& r) { return due.contains(r.file); })) {
      found.push_back(t);
    }
  };
  for (const SortedRun& run : view.l1) std::for_each(run.files.begin(), run.files.end(), take);
  std::for_each(view.l2.files.begin(), view.l2.files.end(), take);
  return found;
}

std::uint64_t value_log_bytes(const std::vector<manifest::ValueFileMeta>& logs) {
  std::uint64_t bytes = 0;
  for (const manifest::ValueFileMeta& log : logs) bytes += log.size;
  return bytes;
}

}  // namespace sand
