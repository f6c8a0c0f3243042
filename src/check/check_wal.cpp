// Checking a WAL: every record and batch, versions increasing across WALs
// (check/checker.hpp).
#include "check/checker.hpp"

#include "wal/log_format.hpp"
#include "wal/record_reader.hpp"
#include "wal/wal_file.hpp"
#include "wal/write_batch_codec.hpp"

namespace sand::checker {

std::size_t Checker::newest_wal(const std::vector<std::uint64_t>& wals) const {
  std::size_t newest = wals.empty() ? 0 : wals.size() - 1;
  while (newest > 0) {
    // A copy, not a mapping: the writer trims a WAL's preallocated zeros
    // when it closes it, and a truncated mapping faults (SIGBUS). A WAL
    // retired mid-check counts as empty; its own check skips it.
    auto bytes = fs_.read_file_from(path_of(wal_file_name(wals[newest])), 0);
    if (bytes.is_ok() && wal::may_hold_records(*bytes)) break;
    --newest;
  }
  return newest;
}

void Checker::check_wal(std::uint64_t number, bool newest, Version* previous) {
  const std::string name = wal_file_name(number);
  const std::size_t file = add_file(name, CheckFileType::kWal);
  // A copy, not a mapping: a file truncated under a mapping faults it.
  Result<std::string> bytes = fs_.read_file_from(path_of(name), 0);
  if (!bytes.is_ok()) {
    if (bytes.status().code() != Code::kNotFound) {
      problem_from(file, bytes.status(), kWholeFile);
    } else if (!state_ || retired_wal(number)) {
      report_.files[file].outcome = Outcome::kSkipped;
    } else {
      problem(file, kWholeFile, "missing: the manifest still needs this WAL but it vanished");
    }
    return;
  }
  const std::string_view contents = *bytes;
  report_.files[file].bytes = contents.size();
  Result<wal::RecordReader> reader =
      wal::RecordReader::open(contents, name, wal::LogKind::kWal, false);
  if (!reader.is_ok()) {
    problem_from(file, reader.status(), 0);
    return;
  }
  if (!reader->torn_tail() && reader->log_id() != number) {
    problem(file, wal::kHeaderLogIdOffset,
            "WAL header names log " + std::to_string(reader->log_id()) + ", not " +
                std::to_string(number) + " as its file name");
    return;  // its checksums would all fail: they include the log id
  }
  bool sealed = false;
  for (;;) {
    Result<std::optional<wal::LogRecord>> record = reader->next();
    if (!record.is_ok()) {
      problem_from(file, record.status(), reader->valid_end());
      return;  // past a bad record the framing is lost
    }
    if (!record->has_value()) break;
    const std::string_view rep = (*record)->payload;
    const std::uint64_t offset = (*record)->offset;
    // The same rules, and messages, as recovery's replay (spec/wal.md P3-P7);
    // the framing is intact, so checking goes on with the next record.
    if (sealed) {
      problem(file, offset, "record after the WAL's seal");
      continue;
    }
    if (rep.empty()) {
      sealed = true;
      continue;
    }
    if (rep.size() < kWriteBatchHeaderSize) {
      problem(file, offset,
              "WAL record of " + std::to_string(rep.size()) +
                  " bytes is shorter than a write batch header");
      continue;
    }
    const Version v = WriteBatchAccess::version(rep);
    if (v == 0 || v > kMaxVersion) {
      problem(file, offset, "record version " + std::to_string(v) + " is out of range");
      continue;
    }
    if (v <= *previous) {
      problem(file, offset,
              "record version " + std::to_string(v) + " is not greater than the previous version " +
                  std::to_string(*previous));
      continue;
    }
    *previous = v;
    std::uint64_t operations = 0;
    Status decoded = WriteBatchAccess::for_each(
        rep, name, offset, [&](EntryKind, std::string_view, std::string_view) { ++operations; });
    if (!decoded.is_ok()) {
      problem_from(file, decoded, offset);
      continue;
    }
    ++report_.files[file].units;
    report_.files[file].entries += operations;
  }
  if (!reader->torn_tail()) {
    if (!newest && !sealed) {
      problem(file, reader->valid_end(),
              "a WAL that is not the newest ends without its seal (its tail was lost)");
    }
    return;
  }
  if (!newest) {
    // Each WAL is synced before the next is created: only a lost suffix of
    // acknowledged writes leaves an older one torn.
    problem(file, reader->valid_end(), "torn record in a WAL that is not the newest");
  } else {
    if (wal::written_size(contents) > reader->valid_end()) {
      note(name, reader->valid_end(),
           "torn tail: " + std::to_string(contents.size() - reader->valid_end()) +
               " bytes of an append that did not complete (the next open drops them)");
    } else if (reader->valid_end() == 0) {
      note(name, 0, "empty WAL: its header was never written");
    }
    // Otherwise only zeros follow the last record: the space a log writer
    // preallocates (spec/wal.md "Preallocation"), which every live
    // writer's WAL shows. Not a finding.
  }
}

}  // namespace sand::checker
