// manifest::State: what replaying a manifest yields: the live tables and the
// durable counters (spec/manifest.md "Applying edits").
//
// Invariants kept by apply(): next_file_number, last_version, wal_number and
// low_water_mark never decrease (except that a snapshot edit starts over);
// every table number is unique and below next_file_number; every level is
// 0..kMaxLevel. A failed apply() leaves the state unchanged.
//
// Thread-safety: a plain value; mutate from one thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <string_view>

#include "manifest/edit.hpp"
#include "sand/options.hpp"
#include "sand/status.hpp"

namespace sand::manifest {

struct State {
  std::uint64_t next_file_number = 1;                  // the next unused file number
  Version last_version = 0;                            // newest version this record knows of
  std::uint64_t wal_number = 0;                        // WALs numbered >= it are replayed
  Version low_water_mark = 0;                          // retention mark (forget_before)
  std::map<std::uint64_t, TableMeta> tables;           // live tables by number
  std::map<std::uint64_t, ValueFileMeta> value_files;  // live value files by number

  friend bool operator==(const State&, const State&) = default;

  // Applies `e`, read from the record at `offset` in `file` (both used in
  // messages). A snapshot edit first resets the state to its defaults. Then
  // the counters are set, the removed tables dropped, the added tables added.
  // Errors (state unchanged): Corruption "<file>: offset <offset>: <what>"
  // when a counter would decrease, a removed table is not live or is removed
  // twice, an added number is already live, removed by the same edit, added
  // twice, or not below next_file_number (after the edit), an added level is
  // above kMaxLevel, or an added table has min_version > max_version,
  // smallest_key > largest_key, or more tombstones than entries; when a
  // removed value file is not live or removed twice, an added one's number
  // is in use (by a live value file or table) or not below wal_number (a
  // value file is a WAL whose writes are flushed), or when afterwards a live
  // table references a value file that is not live.
  Status apply(const Edit& e, std::string_view file, std::uint64_t offset);

  // Per live value file, the bytes the live tables reference in it (0 for
  // one no table references any more: garbage, to be removed).
  std::map<std::uint64_t, std::uint64_t> referenced_value_bytes() const;

  // One snapshot edit (all four counters set, every value file and table
  // added in number order) that recreates this state when applied to any
  // state.
  Edit snapshot_edit() const;
};

}  // namespace sand::manifest
