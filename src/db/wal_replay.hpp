// Replaying WAL records into a memtable: the one place that turns a batch
// record into memtable entries, for the writer's own commits, a writer's open
// and a read-only handle following a writer (spec/wal.md "Replay").
// Thread-safety: one inserter per memtable at a time (MemTable's rule).
#pragma once

#include <cstdint>
#include <string_view>

#include "memtable/memtable.hpp"
#include "sand/status.hpp"
#include "wal/wal_file.hpp"

namespace sand {

// Adds every operation of batch record `rep` to `mem` at version `v`.
// `rep` is the payload of the record at `offset` in WAL `wal_number`
// (`file` names it in errors). A value of at least `separation_threshold`
// bytes (0: none) is added as a value reference to its bytes in that record
// (spec/values.md), not copied. Returns the bytes of keys and values added.
// Errors: Corruption (a malformed rep; nothing is added).
Result<std::uint64_t> insert_batch(MemTable& mem, std::string_view rep, Version v,
                                   std::string_view file, std::uint64_t wal_number,
                                   std::uint64_t offset, std::size_t separation_threshold);

struct WalReplay {
  wal::ReplayStats stats;
  Version first_version = 0;       // of the first record replayed; 0 if none
  std::uint64_t first_offset = 0;  // the file offset of that record
  Version last_version = 0;        // of the last record replayed; 0 if none
};

// Replays WAL `number`'s records into `mem`: `bytes` is the whole file when
// `from` is 0, else the file's bytes from `from` on (a record boundary a
// previous replay of the same file ended at, its valid_end). Record versions
// must rise above `after` (the last version replayed before). Values of at
// least `separation_threshold` bytes are referenced in the WAL
// (insert_batch). Errors as wal::replay(); a torn tail is not an error
// (stats.torn_tail).
Result<WalReplay> replay_wal_into(MemTable& mem, std::string_view bytes, std::uint64_t from,
                                  std::uint64_t number, bool point_in_time, Version after,
                                  std::size_t separation_threshold);

}  // namespace sand
