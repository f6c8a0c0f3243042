/// @file
/// Archives: a database's whole retained history as one byte stream
/// (`sand export` / `sand import`; format: spec/archive.md).
///
/// export_archive() writes every retained version of every key, tombstones
/// included, as of one version, with the database's last version and
/// retention mark; import_archive() builds a new database from such a stream
/// by writing its tables directly (no replay of writes), so the copy answers
/// every read at every retained version exactly as the original did. The
/// stream is written front to back with no seeking, so it may go to a pipe;
/// every byte is covered by a checksum, and a reader reports a damaged or
/// truncated stream as Corruption naming the byte offset.
///
/// @par Thread-safety
/// export_archive() may run while other threads write to the DB (it reads one
/// consistent state, like a scan). import_archive() calls are independent of
/// each other as long as their directories differ. A progress callback is
/// called on the calling thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>

#include "sand/db.hpp"
#include "sand/export.hpp"
#include "sand/options.hpp"
#include "sand/status.hpp"

namespace sand {

/// What import_archive() appends to its directory's name for the directory
/// it builds the database in before renaming it into place.
inline constexpr char kImportTempSuffix[] = ".import-tmp";

/// How far an export or import has got; passed to an ArchiveProgressFn.
struct ArchiveProgress {
  std::uint64_t entries = 0;  ///< Entries written (export) or read (import) so far.
  std::uint64_t bytes = 0;    ///< Archive bytes written or read so far.
  /// Export: the entries the database holds, an upper bound on what will be
  /// written (versions that retention hides count too). Import: 0 (unknown).
  std::uint64_t total_entries = 0;
};

/// Called after every chunk of the archive (about every chunk_size bytes) and
/// once at the end. Keep it cheap.
using ArchiveProgressFn = std::function<void(const ArchiveProgress&)>;

/// How export_archive() writes.
struct ExportOptions {
  /// Entries are grouped into chunks of about this many bytes, each with its
  /// own checksum; a chunk holds at least one entry, however large. Must be
  /// at least 1; sizes above 64 MiB count as 64 MiB. Default: 256 KiB.
  std::size_t chunk_size = 256 << 10;
  /// Names the stream in error messages. Default: "archive".
  std::string name = "archive";
  /// Told of the entries and bytes written after each chunk. Default: none.
  ArchiveProgressFn progress{};
};

/// How import_archive() reads.
struct ImportOptions {
  /// Names the stream in error messages: "<name>: offset <N>: <what>".
  /// Default: "archive".
  std::string name = "archive";
  /// Told of the entries and bytes read after each chunk. Default: none.
  ArchiveProgressFn progress{};
};

/// What an export wrote or an import read.
struct ArchiveSummary {
  Version last_version = 0;    ///< The database's last version, from the header.
  Version low_water_mark = 0;  ///< The retention mark, from the header.
  std::uint64_t entries = 0;   ///< Entries (puts and tombstones) in the archive.
  std::uint64_t bytes = 0;     ///< Bytes of the whole archive.
};

/// Writes the retained history of `db` to `out` as an archive (spec/archive.md).
///
/// The archive holds the state as of one version L, the last one committed
/// when the call starts (writes committed meanwhile are left out): for every
/// key, exactly the entries `db.history(key)` lists as of L (every version at
/// or above the retention mark M, the newest below it, no tombstone that
/// hides nothing), in key order, newest version first; and L and M. Works on
/// a read-only handle and after close() (reads its last view). Nothing is
/// buffered beyond one chunk; `out` is not flushed.
///
/// Errors: InvalidArgument (chunk_size 0); IOError ("<name>: write failed at
/// offset N") when `out` fails; Corruption or IOError met reading the
/// database's files. After an error, `out` holds an incomplete archive that
/// every reader rejects (it has no trailer).
SAND_EXPORT Result<ArchiveSummary> export_archive(const DB& db, std::ostream& out,
                                                  const ExportOptions& options = {});

/// Creates a new database in `dir` from the archive read from `in`.
///
/// `dir` must be absent or an empty directory (its missing parents are
/// created). The tables are written, in key order and cut at
/// options.target_file_size between two keys, into `dir` + ".import-tmp"
/// (locked with its LOCK file against a concurrent import; a leftover one
/// from a crash is emptied and reused); once the archive's trailer has
/// verified and the stream has ended, a MANIFEST naming them as one level-2
/// run, with the archive's last version and retention mark, is written, the
/// directory synced and renamed to `dir`. So `dir` is either untouched or a
/// complete database: DB::open(dir) then answers every read as the exported
/// database did, and the next write gets version L + 1. Reads the whole of
/// `in`. Options used: file_system, block_size, block_restart_interval,
/// compression, bloom_bits_per_key, target_file_size.
///
/// Errors: InvalidArgument (`dir` empty, not empty, or bad options: the
/// message names them); Busy (another import holds the temporary directory);
/// Corruption "<name>: offset N: <what>" for a damaged, truncated or
/// unsupported archive (spec/archive.md "Reader's checklist"); IOError. On
/// any error every file the import wrote is removed (an empty `dir` +
/// ".import-tmp" directory may remain) and `dir` is as it was, except after
/// an IOError from the final sync of `dir`'s parent: then `dir` is complete
/// but may not survive a power loss (as with DB::checkpoint()).
SAND_EXPORT Result<ArchiveSummary> import_archive(const std::string& dir, std::istream& in,
                                                  const Options& options = {},
                                                  const ImportOptions& import_options = {});

}  // namespace sand
