/// @file
/// check_database: verify every checksum and every structure of a database
/// directory without opening it for writing (`sand check`, the model being
/// `git fsck` and SQLite's `PRAGMA integrity_check`).
///
/// What is verified, file by file:
///  - MANIFEST: file header, every record's checksum, every edit decodes and
///    applies in order, the first record is a snapshot; level-2 tables and
///    the tables of one level-1 run have disjoint key ranges.
///  - every table the manifest names: it exists, its size equals the
///    manifest's file_size, footer, properties, filter and index (as
///    Table::open does), then EVERY data block: checksum, decompression, block
///    layout, every entry a valid internal key with a version >= 1, entries
///    strictly increasing in internal-key order within and across blocks,
///    each block's last key equal to its index key, the filter admitting every
///    user key; finally the entries, tombstones, raw sizes, version range and
///    key range the blocks hold equal the properties block's and the
///    manifest's.
///  - every live WAL (number >= the manifest's wal_number): file header, every
///    record's checksum, every batch decodes, versions in 1..kMaxVersion and
///    strictly increasing across the WALs in number order; a torn tail of an
///    older WAL is a problem.
///
/// Problems (bytes or metadata that a normal open or read would reject) are
/// collected, and checking goes on past each one: a problem in one file never
/// stops the others from being checked, and a file goes on being checked
/// past a bad block or record as long as its framing allows. Notes are
/// findings a healthy database may have: a torn tail the next open drops (the
/// newest WAL's, the MANIFEST's), orphan files the next writer open deletes
/// (tables the manifest does not name, WALs below wal_number, MANIFEST.tmp).
///
/// When MANIFEST is missing or unreadable, every table and WAL in the
/// directory is still checked on its own (without the manifest's metadata).
///
/// @par Thread-safety and processes
/// check_database only reads (it never takes LOCK, never creates, writes,
/// renames or deletes a file), so it is safe to run next to a writer process
/// or a DB in this process. A file that the writer retires and deletes while
/// it is being checked (the MANIFEST read again no longer names it) is
/// reported as skipped, not as a problem. The report is a plain value.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sand/export.hpp"
#include "sand/options.hpp"
#include "sand/status.hpp"

namespace sand {

/// CheckProblem::offset and CheckNote::offset for a finding about a file as a
/// whole (missing, wrong size, metadata that disagrees) rather than about the
/// bytes at one place.
inline constexpr std::uint64_t kWholeFile = UINT64_MAX;

/// One problem: the bytes of `file` at `offset` (a block's or record's start,
/// as in the Corruption messages of spec/) fail a check.
struct CheckProblem {
  std::string file;          ///< A name inside the database directory: "000012.sst".
  std::uint64_t offset = 0;  ///< kWholeFile when the file as a whole is at fault.
  std::string what;          ///< E.g.\ "block checksum mismatch".
  /// Equal when every field is equal.
  friend bool operator==(const CheckProblem&, const CheckProblem&) = default;
};

/// One note: something worth knowing that is not damage.
struct CheckNote {
  /// A name inside the database directory, e.g.\ "000013.sst" or
  /// "MANIFEST.tmp".
  std::string file;
  /// Where in the file (e.g.\ where a torn tail starts), or kWholeFile (the
  /// default) for the file as a whole.
  std::uint64_t offset = kWholeFile;
  std::string what;  ///< E.g.\ "orphan table: not named by the manifest".
  /// Equal when every field is equal.
  friend bool operator==(const CheckNote&, const CheckNote&) = default;
};

/// The kinds of file check_database() reads.
enum class CheckFileType { kManifest, kTable, kWal, kValueLog };
/// @var CheckFileType::kManifest
/// The MANIFEST: the log of edits that names the live tables and the oldest
/// live WAL.
/// @var CheckFileType::kTable
/// A table (`000012.sst`: its number, zero-padded to six digits or more).
/// @var CheckFileType::kWal
/// A write-ahead log (`000013.wal`, numbered like the tables), live or kept
/// below wal_number as a value file.
/// @var CheckFileType::kValueLog
/// A value log (`000021.val`): values compaction moved out of a mostly dead
/// value file, spec/values.md section 3.2. Counted in CheckReport::wals.

/// What was checked in one file.
struct CheckedFile {
  /// The verdict on one file.
  enum class Outcome {
    kOk,       ///< Every check passed.
    kBad,      ///< At least one problem names this file.
    kSkipped,  ///< Deleted by a writer while being checked (not a problem).
  };
  std::string file;  ///< Name inside the directory.
  CheckFileType type = CheckFileType::kTable;  ///< What kind of file it is.
  Outcome outcome = Outcome::kOk;              ///< The verdict.
  std::uint64_t bytes = 0;  ///< The file's size (0 if missing or skipped).
  /// Tables: data blocks that passed. Manifest, WALs and value logs:
  /// records whose checksum and decoding passed.
  std::uint64_t units = 0;
  /// Tables: entries in the blocks that passed. WALs: operations in the
  /// batches that passed. Value logs: values in the records that passed (one
  /// each). Manifest: live tables in the final state.
  std::uint64_t entries = 0;
};

/// Sums over the files of one type (skipped files not included).
struct CheckTotals {
  std::uint64_t files = 0;  ///< Files of this type checked.
  std::uint64_t bytes = 0;  ///< Sum of CheckedFile::bytes.
  std::uint64_t units = 0;  ///< Blocks (tables) or records (manifest, WALs).
  std::uint64_t entries = 0;  ///< Sum of CheckedFile::entries.
};

/// What check_database() found: every file checked, totals per type, the
/// problems and the notes. The database is sound when ok().
struct CheckReport {
  /// In check order: MANIFEST, then tables by number, then the value files
  /// (kept WALs and value logs) by number, then the live WALs by number
  /// (without a usable MANIFEST: the WALs, then the value logs).
  std::vector<CheckedFile> files;
  /// Totals over the MANIFEST.
  CheckTotals manifest, tables, wals;
  /// @var CheckReport::tables
  /// Totals over the tables.
  /// @var CheckReport::wals
  /// Totals over the WALs and the value logs (a value log is counted with
  /// the WALs, as the log it is).
  std::vector<CheckProblem> problems;  ///< In the order found.
  std::vector<CheckNote> notes;        ///< Findings that are not damage.
  /// Whether no problem was found (notes do not count).
  bool ok() const { return problems.empty(); }
};

/// How check_database() reports while it runs (the `sand` tool draws its
/// progress bar from it).
struct CheckOptions {
  /// Called after each file is checked, on the thread running
  /// check_database(), with the files checked so far (1, 2, ...), the files
  /// it will check in all, and the sum of their CheckedFile::bytes so far.
  ///
  /// The first call comes after the MANIFEST (which decides how many tables
  /// and WALs there are); files_total is the same in every call, and the
  /// last call has files_done == files_total == CheckReport::files.size().
  /// Not called when check_database() returns an error Status. Must not
  /// throw. Default: none.
  std::function<void(std::uint64_t files_done, std::uint64_t files_total,
                     std::uint64_t bytes_done)>
      progress;
};

/// Checks the database in directory `path`, through options.file_system
/// (default: POSIX); other options are ignored.
///
/// Returns the report whether or not it found problems. Errors (Status, not
/// problems): NotFound if `path` does not exist or holds neither a MANIFEST
/// nor any table or WAL file; IOError if the directory cannot be listed.
SAND_EXPORT Result<CheckReport> check_database(const std::string& path, const Options& options = {});

/// check_database(path, options), reporting progress as `check_options`
/// asks. The report and the errors are the same.
SAND_EXPORT Result<CheckReport> check_database(const std::string& path, const Options& options,
                                               const CheckOptions& check_options);

}  // namespace sand
