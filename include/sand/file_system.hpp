/// @file
/// FileSystem: the one seam through which sanddb touches files.
///
/// The engine never calls the OS directly; it asks a FileSystem. The POSIX one
/// is for real use; the in-memory one makes tests fast and hermetic; tests wrap
/// either to inject faults (LevelDB's Env/EnvWrapper idea). Paths are plain
/// strings; the engine only joins a directory and a file name with '/'.
///
/// @par Thread-safety
/// A FileSystem is safe to use from many threads at once. A WritableFile is
/// used by one thread at a time. A ReadableFile is immutable and safe to
/// share.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sand/export.hpp"
#include "sand/status.hpp"

namespace sand {

/// A file opened for appending.
///
/// Data reaches the OS on append() (so it survives a process crash) and
/// stable storage on sync() (so it survives power loss).
///
/// @par Thread-safety
/// Used by one thread at a time.
class SAND_EXPORT WritableFile {
 public:
  /// Destroys the handle; call close() first to see its errors.
  virtual ~WritableFile() = default;
  /// Appends `data` at the end. Errors: IOError.
  virtual Status append(std::string_view data) = 0;
  /// Makes every appended byte durable (fdatasync). Errors: IOError; after a
  /// failed sync the file's durable contents are unknown.
  virtual Status sync() = 0;
  /// Closes the file; further calls are invalid. Errors: IOError.
  virtual Status close() = 0;
  /// Bytes appended so far (including any the file held when opened).
  virtual std::uint64_t size() const = 0;
};

/// A whole file's bytes, readable without copies (mmap for POSIX).
///
/// The view stays valid while this object lives, even if the file is deleted.
///
/// @par Thread-safety
/// Immutable: safe to share between threads.
class SAND_EXPORT ReadableFile {
 public:
  /// Releases the bytes: views from contents() end with it.
  virtual ~ReadableFile() = default;
  /// The file's bytes as they were when it was opened; valid while this
  /// object lives.
  virtual std::string_view contents() const = 0;
};

/// An exclusive lock on a file; released when destroyed.
class SAND_EXPORT FileLock {
 public:
  /// Releases the lock.
  virtual ~FileLock() = default;
};

/// The interface to the files of a database: implement it to put a database
/// elsewhere or to inject faults.
///
/// Options::file_system selects one; posix_file_system() is the default and
/// memory_file_system() keeps everything in memory. new_log_file(),
/// read_file_from() and link_file() have default implementations; every other
/// method is pure virtual.
///
/// @par Thread-safety
/// An implementation must be safe to use from many threads at once.
class SAND_EXPORT FileSystem {
 public:
  virtual ~FileSystem() = default;

  /// Creates (or truncates) `path` for writing. Errors: IOError.
  virtual Result<std::unique_ptr<WritableFile>> new_writable_file(
      const std::string& path) = 0;
  /// Creates (or truncates) `path` for a log (the WAL): like
  /// new_writable_file(), but the file may be preallocated ahead of size().
  ///
  /// So after a crash it can hold zeros past the last append, which the log
  /// reader rules read as a torn tail (spec/wal.md rule R4); close() trims
  /// them. The default is new_writable_file(). Errors: IOError.
  virtual Result<std::unique_ptr<WritableFile>> new_log_file(const std::string& path);
  /// Opens an existing `path` for appending at its end. Errors: IOError.
  virtual Result<std::unique_ptr<WritableFile>> reopen_writable_file(
      const std::string& path) = 0;
  /// Maps the current contents of `path`. Errors: NotFound if missing, IOError.
  virtual Result<std::unique_ptr<ReadableFile>> open_readable_file(
      const std::string& path) = 0;
  /// Copies the bytes of `path` from `offset` to its current end (empty if
  /// `offset` is past the end).
  ///
  /// A copy, not a mapping: safe while another process truncates the file,
  /// which would fault a mapping (SIGBUS); used to tail WALs another process
  /// writes. The default copies from open_readable_file(). Errors: NotFound
  /// if missing, IOError.
  virtual Result<std::string> read_file_from(const std::string& path, std::uint64_t offset);
  /// Atomically replaces `to` with `from` (rename(2)). `from` may also be a
  /// directory, moved with every entry under it; `to` must then not exist
  /// (or, POSIX only, be an empty directory). Errors: IOError.
  virtual Status rename_file(const std::string& from, const std::string& to) = 0;
  /// Makes `to` (which must not exist) a second name of the file `from`: a
  /// hard link (link(2)), so the two names share the bytes; used for files
  /// that are never written again (tables, sealed WALs).
  ///
  /// The default copies: open_readable_file(from), then new_writable_file(to),
  /// append, sync and close; the POSIX one falls back to that copy where a
  /// link is impossible (another file system, no link support, too many
  /// links). Either way `to`'s bytes are durable on return; its directory
  /// entry needs a sync_dir(). Errors: NotFound if `from` is missing,
  /// IOError.
  virtual Status link_file(const std::string& from, const std::string& to);
  /// Unlinks `path`. Errors: IOError (NotFound if missing).
  virtual Status remove_file(const std::string& path) = 0;
  /// Shrinks `path` to `size` bytes. Errors: IOError.
  virtual Status truncate_file(const std::string& path, std::uint64_t size) = 0;
  /// Makes the directory's entries (creations, renames, removals) durable.
  virtual Status sync_dir(const std::string& dir) = 0;
  /// Creates `dir` and missing parents; OK if it exists. Errors: IOError.
  virtual Status create_dir(const std::string& dir) = 0;
  /// The names (not paths) in `dir`, unordered. Errors: NotFound, IOError.
  virtual Result<std::vector<std::string>> list_dir(const std::string& dir) = 0;
  /// Whether `path` exists.
  virtual bool exists(const std::string& path) = 0;
  /// Takes an exclusive lock on `path` (created if missing). Errors: Busy if
  /// another holder has it (the message names the path), IOError.
  virtual Result<std::unique_ptr<FileLock>> lock_file(const std::string& path) = 0;
};

/// The real file system: POSIX calls, mmap for reads, flock for locks. One
/// shared instance.
SAND_EXPORT std::shared_ptr<FileSystem> posix_file_system();

/// A new, empty in-memory file system (for tests and ephemeral stores). Each
/// call returns an independent one; "durable" means "written".
SAND_EXPORT std::shared_ptr<FileSystem> memory_file_system();

}  // namespace sand
