// WAL files: creating one, and replaying one's write batches in order
// (spec/wal.md "Replay rules").
//
// A WAL is a log (wal/log_format.hpp) with the WAL magic whose every record
// payload is one committed write batch rep (wal/write_batch_codec.hpp) with
// its version stamped. Within a WAL, versions strictly increase.
//
// Thread-safety: the functions are reentrant; the returned writer is used by
// one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "sand/file_system.hpp"
#include "sand/options.hpp"
#include "sand/status.hpp"
#include "wal/record_writer.hpp"

namespace sand::wal {

struct ReplayStats {
  std::uint64_t records = 0;    // good batch records passed to the callback
  bool sealed = false;          // the WAL ends with its seal record
  std::uint64_t valid_end = 0;  // offset just past the last good record
  bool torn_tail = false;       // bytes after valid_end were dropped
  // Point-in-time mode only: the Corruption that ended replay early (then
  // torn_tail is true too). OK otherwise.
  Status tail_error;
};

// The seal: the empty record a writer appends as the last record of a WAL it
// switches away from (spec/wal.md rule P7). A WAL that is not the newest and
// lacks it lost its tail, even if that tail ended at a record boundary.
Status append_seal(RecordWriter& wal);

// Whether the WAL bytes `contents` can hold a record at all: some byte after
// the header is not zero (spec/wal.md rule P7). A crashed open can leave
// such an empty WAL, just its header, or its header and the zeros of a
// preallocated log file, after the newest one that holds writes; it does
// not make that one an older WAL.
bool may_hold_records(std::string_view contents);

// Rule P8: versions continue from WAL to WAL without a gap. Whether a WAL
// whose first record has version `first` may follow WALs whose last record
// had `last` (0 for either: no record, nothing to check).
inline bool follows_without_gap(Version last, Version first) {
  return last == 0 || first == 0 || first == last + 1;
}
// The WAL such a gap leaves out: "the WAL holding versions L+1 to F-1".
std::string missing_wal(Version last, Version first);
// The problem at the first record of a WAL after a gap: "record version F
// does not follow version L: the WAL holding versions L+1 to F-1 is
// missing" (recovery and sand check say the same).
std::string version_gap_problem(Version last, Version first);

// Replays the WAL bytes `contents` of file `file_name` (used in messages),
// whose header must carry log id `wal_number` (the number in its name):
// calls fn(rep, record_offset) for each good record in file order; `rep`
// views `contents`. Returns once the file ends cleanly or at a torn tail
// (the bytes from valid_end on are then ignored; the DB never appends to a
// replayed WAL, it rewrites its writes into a table).
// Errors: Corruption per the reader rules (RecordReader); Corruption at
// offset 16 when the header's log id is not `wal_number` (a file renamed or
// copied from elsewhere); Corruption
// "<file>: offset X: ..." for a record shorter than a batch header, or whose
// version is 0, above kMaxVersion, or not greater than the previous record's
// (the first record's must exceed `previous_version`); Corruption for a
// record after the seal (the seal itself is not passed to fn); the first non-OK
// status fn returns, unchanged. No callback happens after an error.
Result<ReplayStats> replay(
    std::string_view contents, std::string_view file_name, std::uint64_t wal_number,
    bool point_in_time, const std::function<Status(std::string_view rep, std::uint64_t offset)>& fn,
    Version previous_version = 0);

// Like replay(), but resumes a WAL read up to `base_offset` earlier (a
// record boundary past the header, e.g. a previous valid_end): `rest` holds
// the file's bytes from `base_offset` on, and its header was checked to carry
// `wal_number` by that earlier read. Offsets passed to fn, in errors and
// in the stats are file offsets. Used to tail a WAL that another process is
// still appending to.
Result<ReplayStats> replay_from(
    std::string_view rest, std::uint64_t base_offset, std::string_view file_name,
    std::uint64_t wal_number, bool point_in_time,
    const std::function<Status(std::string_view rep, std::uint64_t offset)>& fn,
    Version previous_version);

// Creates (or truncates) the WAL file `path`, numbered `wal_number`, and
// writes its header (not synced): format version 3 when `compressed_puts`
// (the writer may write operations of kind 3), else 2. Errors: IOError.
Result<std::unique_ptr<RecordWriter>> create_wal(FileSystem& fs, const std::string& path,
                                                 std::uint64_t wal_number,
                                                 bool compressed_puts = false);

}  // namespace sand::wal
