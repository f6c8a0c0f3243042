// manifest::State: validating and applying edits.
#include "manifest/state.hpp"

#include <set>
#include <string>

namespace sand::manifest {
namespace {

// Corruption unless `next` (if set) is at least `current`.
Status check_forward(const char* name, std::uint64_t current,
                     const std::optional<std::uint64_t>& next, std::string_view file,
                     std::uint64_t offset) {
  if (next && *next < current) {
    return Status::corruption(file, offset,
                              std::string(name) + " moves back from " + std::to_string(current) +
                                  " to " + std::to_string(*next));
  }
  return Status::ok();
}

std::string table_name(std::uint64_t number) { return "table " + std::to_string(number); }

std::string value_file_name(std::uint64_t number) { return "value file " + std::to_string(number); }

// The value-file half of validate(): `removed_tables` and `added_tables`
// are the edit's table numbers, already checked.
Status validate_value_files(const State& base, const Edit& e,
                            const std::set<std::uint64_t>& removed_tables,
                            const std::set<std::uint64_t>& added_tables, std::string_view file,
                            std::uint64_t offset) {
  std::set<std::uint64_t> removed;
  for (std::uint64_t number : e.removed_value_files) {
    if (!base.value_files.contains(number)) {
      return Status::corruption(file, offset,
                                "removes " + value_file_name(number) + ", which is not live");
    }
    if (!removed.insert(number).second) {
      return Status::corruption(file, offset, "removes " + value_file_name(number) + " twice");
    }
  }
  const std::uint64_t wal_number = e.wal_number.value_or(base.wal_number);
  std::set<std::uint64_t> added;
  for (const ValueFileMeta& f : e.added_value_files) {
    const std::string name = value_file_name(f.number);
    if (base.value_files.contains(f.number) || removed.contains(f.number) ||
        base.tables.contains(f.number) || added_tables.contains(f.number) ||
        !added.insert(f.number).second) {
      return Status::corruption(file, offset, "adds " + name + ", a number already in use");
    }
    // A WAL becomes a value file only once flushed; a value log is written
    // whole before the edit that adds it, and like a table its number must
    // never be handed out again.
    if (f.kind == ValueFileKind::kWal && f.number >= wal_number) {
      return Status::corruption(file, offset,
                                "adds " + name + ", a WAL not below wal_number " +
                                    std::to_string(wal_number) + " (not flushed yet)");
    }
    const std::uint64_t next_file = e.next_file_number.value_or(base.next_file_number);
    if (f.kind == ValueFileKind::kValueLog && f.number >= next_file) {
      return Status::corruption(
          file, offset,
          "adds " + name + ", not below next_file_number " + std::to_string(next_file));
    }
  }
  // Afterwards every reference of a live table must name a live value file.
  auto live = [&](std::uint64_t number) {
    return added.contains(number) ||
           (base.value_files.contains(number) && !removed.contains(number));
  };
  auto check_table = [&](const TableMeta& t) -> Status {
    for (const ValueRefTally& r : t.value_refs) {
      if (!live(r.file)) {
        return Status::corruption(file, offset,
                                  table_name(t.number) + " references " + value_file_name(r.file) +
                                      ", which is not live");
      }
    }
    return Status::ok();
  };
  for (const TableMeta& t : e.added) SAND_RETURN_IF_ERROR(check_table(t));
  if (!removed.empty()) {
    for (const auto& [number, t] : base.tables) {
      if (!removed_tables.contains(number)) SAND_RETURN_IF_ERROR(check_table(t));
    }
  }
  return Status::ok();
}

// Checks `e` against `base` without changing anything, so that apply() is
// all-or-nothing without copying the table map.
Status validate(const State& base, const Edit& e, std::string_view file, std::uint64_t offset) {
  SAND_RETURN_IF_ERROR(
      check_forward("next_file_number", base.next_file_number, e.next_file_number, file, offset));
  SAND_RETURN_IF_ERROR(
      check_forward("last_version", base.last_version, e.last_version, file, offset));
  SAND_RETURN_IF_ERROR(check_forward("wal_number", base.wal_number, e.wal_number, file, offset));
  SAND_RETURN_IF_ERROR(
      check_forward("low_water_mark", base.low_water_mark, e.low_water_mark, file, offset));

  std::set<std::uint64_t> removed;
  for (std::uint64_t number : e.removed) {
    if (!base.tables.contains(number)) {
      return Status::corruption(file, offset,
                                "removes " + table_name(number) + ", which is not live");
    }
    if (!removed.insert(number).second) {
      return Status::corruption(file, offset, "removes " + table_name(number) + " twice");
    }
  }
  const std::uint64_t next_file = e.next_file_number.value_or(base.next_file_number);
  std::set<std::uint64_t> added;
  for (const TableMeta& t : e.added) {
    const std::string name = table_name(t.number);
    if (base.tables.contains(t.number) || removed.contains(t.number) ||
        base.value_files.contains(t.number) || !added.insert(t.number).second) {
      return Status::corruption(file, offset, "adds " + name + ", a number already in use");
    }
    // File numbers are never reused; a number at or past next_file_number
    // could later be handed out again and overwrite this table.
    if (t.number >= next_file) {
      return Status::corruption(
          file, offset,
          "adds " + name + ", not below next_file_number " + std::to_string(next_file));
    }
    if (t.level < 0 || t.level > kMaxLevel) {
      return Status::corruption(file, offset,
                                "adds " + name + " at level " + std::to_string(t.level) +
                                    ", outside 0.." + std::to_string(kMaxLevel));
    }
    if (t.run != 0 && t.level != 1) {
      return Status::corruption(file, offset,
                                "adds " + name + " with a run at level " + std::to_string(t.level) +
                                    " (runs are for level 1)");
    }
    if (t.min_version > t.max_version) {
      return Status::corruption(file, offset,
                                "adds " + name + " with min_version above max_version");
    }
    if (t.smallest_key > t.largest_key) {
      return Status::corruption(file, offset,
                                "adds " + name + " with smallest_key after largest_key");
    }
    if (t.tombstones > t.entries) {
      return Status::corruption(file, offset,
                                "adds " + name + " with more tombstones than entries");
    }
  }
  return validate_value_files(base, e, removed, added, file, offset);
}

}  // namespace

Status State::apply(const Edit& e, std::string_view file, std::uint64_t offset) {
  if (e.snapshot) {
    // Build the new state aside: a snapshot replaces everything, and a bad
    // one must leave this state untouched.
    State fresh;
    Edit rest = e;
    rest.snapshot = false;
    SAND_RETURN_IF_ERROR(fresh.apply(rest, file, offset));
    *this = std::move(fresh);
    return Status::ok();
  }
  SAND_RETURN_IF_ERROR(validate(*this, e, file, offset));
  if (e.next_file_number) next_file_number = *e.next_file_number;
  if (e.last_version) last_version = *e.last_version;
  if (e.wal_number) wal_number = *e.wal_number;
  if (e.low_water_mark) low_water_mark = *e.low_water_mark;
  for (std::uint64_t number : e.removed) tables.erase(number);
  for (const TableMeta& t : e.added) tables.emplace(t.number, t);
  for (std::uint64_t number : e.removed_value_files) value_files.erase(number);
  for (const ValueFileMeta& f : e.added_value_files) value_files.emplace(f.number, f);
  return Status::ok();
}

std::map<std::uint64_t, std::uint64_t> State::referenced_value_bytes() const {
  std::map<std::uint64_t, std::uint64_t> bytes;
  for (const auto& [number, f] : value_files) bytes[number] = 0;
  for (const auto& [number, t] : tables) {
    for (const ValueRefTally& r : t.value_refs) bytes[r.file] += r.bytes;
  }
  return bytes;
}

Edit State::snapshot_edit() const {
  Edit e;
  e.snapshot = true;
  e.next_file_number = next_file_number;
  e.last_version = last_version;
  e.wal_number = wal_number;
  e.low_water_mark = low_water_mark;
  for (const auto& [number, f] : value_files) e.added_value_files.push_back(f);
  e.added.reserve(tables.size());
  for (const auto& [number, table] : tables) e.added.push_back(table);
  return e;
}

}  // namespace sand::manifest
