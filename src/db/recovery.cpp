// Recovery from the files (recovery.hpp).
#include "db/recovery.hpp"

#include <algorithm>
#include <memory>
#include <utility>

#include "db/filenames.hpp"
#include "db/wal_replay.hpp"
#include "wal/wal_file.hpp"

namespace sand {

std::vector<std::uint64_t> DirListing::wals_from(std::uint64_t oldest) const {
  return {std::lower_bound(wals.begin(), wals.end(), oldest), wals.end()};
}

DirListing list_database_files(const std::vector<std::string>& names) {
  DirListing listing;
  for (const auto& name : names) {
    const auto parsed = parse_file_name(name);
    if (!parsed) continue;
    std::vector<std::uint64_t>* numbers = nullptr;
    switch (parsed->type) {
      case FileType::kTable:
        numbers = &listing.tables;
        break;
      case FileType::kWal:
        numbers = &listing.wals;
        break;
      case FileType::kValueLog:
        numbers = &listing.value_logs;
        break;
      default:
        continue;
    }
    numbers->push_back(parsed->number);
    listing.max_number = std::max(listing.max_number, parsed->number);
    // A value log alone (an orphan of a crashed first compaction) never
    // makes a database: compaction needs tables.
    if (parsed->type != FileType::kValueLog) listing.has_tables_or_wals = true;
  }
  std::sort(listing.wals.begin(), listing.wals.end());
  std::sort(listing.tables.begin(), listing.tables.end());
  std::sort(listing.value_logs.begin(), listing.value_logs.end());
  return listing;
}

Status check_files_present(const std::string& dir, const manifest::State& state,
                           const DirListing& listing) {
  auto listed = [](const std::vector<std::uint64_t>& numbers, std::uint64_t n) {
    return std::binary_search(numbers.begin(), numbers.end(), n);
  };
  const std::string why = " is missing (deleted, or MANIFEST lost the edits that retired it)";
  for (const auto& [number, meta] : state.tables) {
    if (!listed(listing.tables, number)) {
      return Status::corruption(dir + "/MANIFEST: live table " + table_file_name(number) + why);
    }
  }
  for (const auto& [number, meta] : state.value_files) {
    const bool wal = meta.kind == manifest::ValueFileKind::kWal;
    if (!listed(wal ? listing.wals : listing.value_logs, number)) {
      return Status::corruption(dir + "/MANIFEST: live value file " + value_file_name(meta) + why);
    }
  }
  // 0: a new database's first manifest, written before its first WAL.
  if (state.wal_number != 0 && !listed(listing.wals, state.wal_number)) {
    return Status::corruption(dir + "/MANIFEST: " + wal_file_name(state.wal_number) +
                              ", the oldest WAL it needs," + why);
  }
  return Status::ok();
}

bool lost_its_tail(const wal::ReplayStats& stats) { return stats.torn_tail || !stats.sealed; }

Result<Version> replay_wals_for_open(FileSystem& fs, const std::string& dir,
                                     const std::vector<std::uint64_t>& numbers, bool point_in_time,
                                     MemTable& mem) {
  std::vector<std::pair<std::uint64_t, std::unique_ptr<ReadableFile>>> wals;
  for (const std::uint64_t number : numbers) {
    SAND_ASSIGN_OR_RETURN(auto file, fs.open_readable_file(join_path(dir, wal_file_name(number))));
    wals.emplace_back(number, std::move(file));
  }
  // The newest WAL is the last one that can hold a record: an open that
  // crashed after creating its new WAL, before its manifest retired the
  // replayed ones, leaves an empty WAL after an unsealed one.
  std::size_t newest = wals.empty() ? 0 : wals.size() - 1;
  while (newest > 0 && !wal::may_hold_records(wals[newest].second->contents())) --newest;

  Version last = 0;
  for (std::size_t i = 0; i < wals.size(); ++i) {
    // Replayed values go into the memtable whole, never by reference: open
    // writes them into a table and deletes every replayed WAL, so a
    // recovered database never depends on a WAL that had a damaged or torn
    // tail (doc/design.md section 11).
    SAND_ASSIGN_OR_RETURN(WalReplay replayed,
                          replay_wal_into(mem, wals[i].second->contents(), 0, wals[i].first,
                                          point_in_time, last, /*separation_threshold=*/0));
    // Versions have no gaps across WALs (spec rule W6): a WAL that starts
    // higher follows a missing one, whose acknowledged writes no mode may
    // silently drop (like any other file the state needs).
    if (!wal::follows_without_gap(last, replayed.first_version)) {
      return Status::corruption(wal_file_name(wals[i].first), replayed.first_offset,
                                wal::version_gap_problem(last, replayed.first_version));
    }
    if (replayed.last_version != 0) last = replayed.last_version;
    // Point-in-time recovery keeps what precedes the damage and drops the
    // rest, including every later WAL (rule P6).
    if (!replayed.stats.tail_error.is_ok()) break;
    if (i < newest && lost_its_tail(replayed.stats)) {
      if (point_in_time) break;
      return Status::corruption(wal_file_name(wals[i].first), replayed.stats.valid_end,
                                replayed.stats.torn_tail
                                    ? "torn record in a WAL that is not the newest"
                                    : "a WAL that is not the newest ends without its seal "
                                      "(its tail was lost)");
    }
  }
  return last;
}

}  // namespace sand
