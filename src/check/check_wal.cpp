// Checking a WAL: every record and batch, versions increasing across WALs;
// and a value file, a sealed WAL or a value log that tables reference
// (spec/values.md section 5; check/checker.hpp).
#include <algorithm>

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

void Checker::check_wal(std::uint64_t number, bool newest, Version* previous, Version follows) {
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
  report_.files[file].bytes = bytes->size();
  check_wal_bytes(file, number, *bytes, newest, previous, follows, nullptr);
}

void Checker::check_wal_bytes(std::size_t file, std::uint64_t number, std::string_view contents,
                              bool newest, Version* previous, Version follows,
                              const std::vector<std::pair<std::uint64_t, std::uint64_t>>* damaged) {
  const std::string name = wal_file_name(number);
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
      // The reader stops at the bad record (valid_end). A payload checksum
      // that fails because a referenced value in it does is reported once,
      // as that value (check_value_file).
      const std::uint64_t at = reader->valid_end();
      const char* header = contents.data() + at;
      const bool explained =
          damaged != nullptr && contents.size() - at >= wal::kRecordHeaderSize &&
          wal::record_header_ok(header, number) &&
          std::any_of(damaged->begin(), damaged->end(), [&](const auto& span) {
            const std::uint64_t payload = at + wal::kRecordHeaderSize;
            return span.first >= payload && span.second <= payload + wal::record_length(header);
          });
      if (!explained) problem_from(file, record.status(), at);
      return;  // past a bad record the framing is lost
    }
    if (!record->has_value()) break;
    const std::string_view rep = (*record)->payload;
    const std::uint64_t offset = (*record)->offset;
    // The same rules, and messages, as recovery's replay (spec/wal.md P3-P8);
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
    if (!wal::follows_without_gap(follows, v)) {
      problem(file, offset, wal::version_gap_problem(follows, v));
    }
    follows = 0;  // only a WAL's first record follows the WAL before it
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

void Checker::map_value_file(ValueFileCheck& v) {
  // A mapping, unlike a live WAL's copy: a value file is sealed and trimmed
  // (a value log written whole and synced) before the manifest lists it,
  // and never changes after.
  Result<std::unique_ptr<ReadableFile>> opened = fs_.open_readable_file(path_of(v.name));
  if (opened.is_ok()) {
    v.mapped = std::move(opened).value();
  } else {
    v.open_status = opened.status();
  }
}

void Checker::open_value_files() {
  for (const auto& [number, meta] : state_->value_files) {
    ValueFileCheck& v = value_files_[number];
    v.kind = meta.kind;
    v.name = value_file_name(meta);
    v.manifest_size = meta.size;
    map_value_file(v);
  }
}

void Checker::check_value_file(std::uint64_t number, Version* previous) {
  const ValueFileCheck& v = value_files_.at(number);
  const bool value_log = v.kind == manifest::ValueFileKind::kValueLog;
  // A value file of the WAL kind is the sealed WAL it was; a value log has
  // its own type (counted in the WALs' totals, as the log it is).
  const std::size_t file =
      add_file(v.name, value_log ? CheckFileType::kValueLog : CheckFileType::kWal);
  if (v.mapped == nullptr) {
    if (v.open_status.code() != Code::kNotFound) {
      problem_from(file, v.open_status, kWholeFile);
    } else if (state_ && retired_value_file(number)) {
      report_.files[file].outcome = Outcome::kSkipped;  // compaction retired it meanwhile
    } else if (!state_) {
      report_.files[file].outcome = Outcome::kSkipped;  // deleted since the listing
    } else {
      problem(file, kWholeFile,
              std::string("missing: the manifest lists this ") +
                  (value_log ? "value log" : "value file") + " but there is no such file");
    }
    for (const auto& [offset, what] : v.problems) problem(file, offset, what);
    return;
  }
  const std::string_view contents = v.mapped->contents();
  report_.files[file].bytes = contents.size();
  if (contents.size() < v.manifest_size) {
    problem(file, kWholeFile,
            "file is " + std::to_string(contents.size()) +
                " bytes, shorter than the manifest's value file size " +
                std::to_string(v.manifest_size) +
                (v.past_end == 0   ? std::string()
                 : v.past_end == 1 ? std::string(" (1 value reference reaches past its end)")
                                   : " (" + std::to_string(v.past_end) +
                                         " value references reach past its end)"));
  } else if (value_log && contents.size() > v.manifest_size) {
    // Written whole and synced before the manifest named it, with its size.
    problem(file, v.manifest_size,
            "file is " + std::to_string(contents.size()) +
                " bytes, longer than the manifest's value file size " +
                std::to_string(v.manifest_size));
  }
  if (value_log) {
    check_value_log_bytes(file, number, contents.substr(0, v.manifest_size), v.damaged);
  } else {
    // The WAL it was, up to its manifest size (any bytes after that are no
    // part of it): sealed, so never the newest.
    check_wal_bytes(file, number, contents.substr(0, v.manifest_size), false, previous, 0,
                    &v.damaged);
  }
  for (const auto& [offset, what] : v.problems) problem(file, offset, what);
}

namespace {

// The end of the record at `at` when its header verifies, its payload is
// whole and it holds one of the `damaged` values (whose checksum failure
// explains its payload checksum's); 0 otherwise.
std::uint64_t explained_record_end(
    std::string_view contents, std::uint64_t at, std::uint64_t log_id,
    const std::vector<std::pair<std::uint64_t, std::uint64_t>>& damaged) {
  if (contents.size() - at < wal::kRecordHeaderSize) return 0;
  const char* header = contents.data() + at;
  if (!wal::record_header_ok(header, log_id)) return 0;
  const std::uint64_t payload = at + wal::kRecordHeaderSize;
  const std::uint64_t end = payload + wal::record_length(header);
  if (end > contents.size()) return 0;
  const bool explained = std::any_of(damaged.begin(), damaged.end(), [&](const auto& span) {
    return span.first >= payload && span.second <= end;
  });
  return explained ? end : 0;
}

}  // namespace

void Checker::check_value_log_bytes(
    std::size_t file, std::uint64_t number, std::string_view contents,
    const std::vector<std::pair<std::uint64_t, std::uint64_t>>& damaged) {
  const std::string name = report_.files[file].file;
  Result<wal::RecordReader> opened =
      wal::RecordReader::open(contents, name, wal::LogKind::kValueLog, false);
  if (!opened.is_ok()) {
    problem_from(file, opened.status(), 0);
    return;
  }
  if (opened->valid_end() < wal::kFileHeaderSize) {
    problem(file, 0,
            "torn header: a value log is written whole before the manifest names it, but this "
            "one holds no complete header");
    return;
  }
  if (opened->log_id() != number) {
    problem(file, wal::kHeaderLogIdOffset,
            "value log header names log " + std::to_string(opened->log_id()) + ", not " +
                std::to_string(number) + " as its file name");
    return;  // its checksums would all fail: they include the log id
  }
  wal::RecordReader reader = std::move(opened).value();
  for (;;) {
    Result<std::optional<wal::LogRecord>> record = reader.next();
    if (record.is_ok() && record->has_value()) {
      // One value per record (spec/values.md): no batch to decode, no
      // versions, no seal.
      ++report_.files[file].units;
      ++report_.files[file].entries;
      continue;
    }
    if (record.is_ok() && !reader.torn_tail()) return;  // ends at its last record
    // A bad record, or a torn tail: the reader stopped at valid_end. A
    // payload checksum that fails because a referenced value in it does is
    // reported once, as that value (check_value_ref); its header verified,
    // so reading goes on after it.
    const std::uint64_t at = reader.valid_end();
    const std::uint64_t next = explained_record_end(contents, at, number, damaged);
    if (next != 0) {
      reader = wal::RecordReader::resume(contents.substr(next), next, name, number, false);
      continue;
    }
    if (!record.is_ok()) {
      problem_from(file, record.status(), at);
    } else {
      problem(file, at,
              "torn record in a value log (written whole and synced before the manifest names "
              "it): " +
                  std::to_string(contents.size() - at) + " bytes from here are no good record");
    }
    return;  // past a bad record the framing is lost
  }
}

}  // namespace sand::checker
