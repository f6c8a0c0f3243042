// Recovery from the files: what a writer's open and a read-only handle both
// do to turn a directory into a database state (spec/README.md "Reading a
// database", "Recovery"): sort the directory's files, check that the files
// the manifest needs are there, and replay the WALs in order under the rules
// for where each one may end (spec/wal.md rules P6, P7).
// Thread-safety: plain functions over their arguments.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "manifest/state.hpp"
#include "memtable/memtable.hpp"
#include "sand/file_system.hpp"
#include "sand/status.hpp"
#include "wal/wal_file.hpp"

namespace sand {

// The database files among a directory's names (db/filenames.hpp decides
// which names those are; others are ignored).
struct DirListing {
  std::vector<std::uint64_t> wals;  // ascending
  std::uint64_t max_number = 0;     // of any table, WAL or value log; 0 if none
  bool has_tables_or_wals = false;
  std::vector<std::uint64_t> tables;      // ascending
  std::vector<std::uint64_t> value_logs;  // ascending

  // The WALs numbered >= `oldest` (the manifest's wal_number), ascending.
  std::vector<std::uint64_t> wals_from(std::uint64_t oldest) const;
};
DirListing list_database_files(const std::vector<std::string>& names);

// Corruption naming the first file `state` needs that `listing` lacks: a
// live table, or the WAL its wal_number names (which the writer creates and
// makes durable before any edit names it, and deletes only after a later
// edit retires it; spec/README.md rules W2-W3). A missing one means lost data
// or a MANIFEST that lost its newest edits.
Status check_files_present(const std::string& dir, const manifest::State& state,
                           const DirListing& listing);

// Whether a WAL that another WAL holding writes follows lost its tail: the
// writer seals and syncs a WAL before it creates the next one (rule P7), so
// an older WAL that ends torn or without its seal lost acknowledged writes,
// even if the cut fell on a record boundary.
bool lost_its_tail(const wal::ReplayStats& stats);

// A writer's open: replays WALs `numbers` (ascending, >= the manifest's
// wal_number) from `dir` into `mem`, each version above the one before.
// Returns the last version replayed (0 if none). Stops early, keeping what
// came before, at a corrupt record in point-in-time mode (rule P6) or, in
// that mode, at an older WAL that lost its tail. Errors: Corruption (file,
// offset) for damage, including an older WAL that lost its tail and a WAL
// that does not start one version above the one before it (spec/wal.md rule
// P8: a WAL between them is missing); IOError.
Result<Version> replay_wals_for_open(FileSystem& fs, const std::string& dir,
                                     const std::vector<std::uint64_t>& numbers, bool point_in_time,
                                     MemTable& mem);

}  // namespace sand
