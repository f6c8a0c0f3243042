// RecordReader: reads the records of a log file (WAL or manifest) from its
// bytes, telling a torn tail (a crash mid-append: harmless, truncate it) from
// corruption (damage before good data: an error). The rules are spec/wal.md
// section 3; in short, for the record at offset X:
//   R1 fewer than 12 bytes left: torn at X;
//   R2 the header verifies but its payload runs past the end: torn at X;
//   R3 header and payload verify: a good record;
//   R4 otherwise the record is damaged. If a good record starts anywhere
//      after X, the damage sits in front of acknowledged data: Corruption
//      "<file>: offset X: ...", or, in point-in-time mode, stop at X and
//      report it in tail_error(). If none does, the damage is confined to
//      the last append: torn at X.
// Checksums include the file's log id, so bytes from another log never
// count as good records.
// The reader works on a byte view (no file access), so fuzzers and tests can
// feed it directly.
//
// Thread-safety: one thread at a time. Returned payload views point into the
// `contents` given to open() and stay valid as long as those bytes do.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sand/status.hpp"
#include "wal/log_format.hpp"

namespace sand::wal {

struct LogRecord {
  std::uint64_t offset = 0;  // where the record's 12-byte header starts
  std::string_view payload;  // a view into the reader's contents
};

class RecordReader {
 public:
  // Checks the file header of `contents` (the whole file), learns the log id
  // and positions at the first record. A file shorter than the header whose
  // first 16 bytes (or all of it, if shorter) match the expected ones, or a
  // file of only zero bytes, is a torn tail at offset 0 (no records;
  // valid_end() 0). Errors: Corruption at offset 0 for a bad magic, at 8 for
  // a truncated header or an unsupported format version ("unsupported WAL
  // format version 1"), at 12 or 24 for a header checksum mismatch.
  // `file_name` is only used in messages.
  static Result<RecordReader> open(std::string_view contents, std::string file_name, LogKind kind,
                                   bool point_in_time);

  // Resumes reading a file whose header and records before `base_offset`
  // were read earlier: `rest` holds the file's bytes from `base_offset` (a
  // record boundary, e.g. an earlier valid_end()) to its end. Offsets in
  // records, errors and valid_end() are file offsets. Used to tail a log that
  // another process is appending to.
  // `log_id` is the id in the file's header, as log_id() returned it.
  static RecordReader resume(std::string_view rest, std::uint64_t base_offset,
                             std::string file_name, std::uint64_t log_id, bool point_in_time);

  // The next good record, or nullopt once reading ended (cleanly or at a torn
  // tail; see torn_tail()). Errors: Corruption per rule R4; after an error,
  // later calls return nullopt.
  Result<std::optional<LogRecord>> next();

  // The id the file header carries (a WAL's file number; a manifest's own).
  std::uint64_t log_id() const { return log_id_; }
  // The header's format version (open() only; 0 after resume() or a torn
  // header).
  std::uint32_t format_version() const { return format_version_; }

  // The offset just past the last good record (or past the header): where
  // the caller may truncate the file. Final once next() returned nullopt.
  std::uint64_t valid_end() const { return valid_end_; }
  // Whether reading stopped before the end of the file: a torn tail, or (in
  // point-in-time mode) corruption, the bytes from valid_end() on are dropped.
  bool torn_tail() const { return torn_tail_; }
  // Point-in-time mode only: the Corruption that stopped reading early; OK
  // when reading ended at a torn tail or cleanly.
  const Status& tail_error() const { return tail_error_; }

 private:
  RecordReader(std::string_view contents, std::string file_name, bool point_in_time);
  // Ends reading at `offset` (an index into contents_) as a torn tail.
  void stop_torn(std::uint64_t offset);
  // Whether a whole record that verifies starts at index `from` or later.
  bool good_record_after(std::uint64_t from) const;
  // Rule R4 for the damaged record at index `x`, searching for a good record
  // from index `search_from` on; `what` describes the damage.
  Result<std::optional<LogRecord>> damaged(std::uint64_t x, std::uint64_t search_from,
                                           std::string what);

  std::string_view contents_;
  std::uint64_t base_ = 0;  // the file offset of contents_[0]
  std::string file_name_;
  std::uint64_t log_id_ = 0;
  std::uint32_t format_version_ = 0;
  bool point_in_time_ = false;
  std::uint64_t pos_ = 0;
  std::uint64_t valid_end_ = 0;
  bool done_ = false;
  bool torn_tail_ = false;
  Status tail_error_;
};

// Every record of a log file at once (see RecordReader).
struct LogContents {
  std::vector<LogRecord> records;
  std::uint64_t valid_end = 0;
  bool torn_tail = false;
  Status tail_error;  // point-in-time mode: the corruption that ended reading
};

// Reads all records of `contents`. Errors: as RecordReader::open and next().
Result<LogContents> read_log(std::string_view contents, std::string_view file_name, LogKind kind,
                             bool point_in_time);

}  // namespace sand::wal
