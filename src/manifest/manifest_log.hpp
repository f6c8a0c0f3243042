// The manifest log: dir/MANIFEST, a log file (wal/log_format.hpp, manifest
// magic) whose first record is a snapshot edit and whose later records are
// edits, each appended and synced as one atomic change (spec/manifest.md).
//
// A new manifest is always born whole: written to MANIFEST.tmp, synced, then
// renamed over MANIFEST ("rollover"), so MANIFEST always names a complete
// file. Only its last record can be torn, by a crash mid-append.
//
// Thread-safety: replay() is reentrant. A ManifestLog is used by one thread at
// a time (the DB serializes manifest writes).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "manifest/edit.hpp"
#include "manifest/state.hpp"
#include "sand/file_system.hpp"
#include "sand/status.hpp"
#include "wal/record_writer.hpp"

namespace sand::manifest {

inline constexpr std::string_view kManifestName = "MANIFEST";
// The rollover's scratch file; a leftover one (crash mid-rollover) is garbage.
inline constexpr std::string_view kManifestTempName = "MANIFEST.tmp";

class ManifestLog {
  struct Key {  // lets only create() construct a log
    explicit Key() = default;
  };

 public:
  // Draws the new file's log id from state.next_file_number (incremented;
  // the caller keeps `state` as the manifest's state), then
  // writes dir/MANIFEST.tmp holding `state` as one snapshot record, syncs and
  // closes it, renames it over dir/MANIFEST, syncs dir, and reopens MANIFEST
  // for appends. Used both for a new database and for rollover (the old
  // MANIFEST is replaced atomically; nothing else is left behind). After
  // replay() a writer must call this rather than append to the replayed file,
  // whose torn tail would otherwise sit before the new records.
  // Errors: IOError (then MANIFEST is either the old or the new file, both
  // complete), InvalidArgument if the snapshot exceeds the 1 GiB record limit.
  static Result<std::unique_ptr<ManifestLog>> create(FileSystem& fs, const std::string& dir,
                                                     State& state);

  ManifestLog(Key, std::unique_ptr<wal::RecordWriter> writer);

  // Appends `e` as one record and syncs: the edit is durable on return.
  // Errors: IOError; after one, every later append fails too (the tail of the
  // file is unknown; roll over with create() to continue).
  Status append(const Edit& e);

  // Bytes in MANIFEST, header included (for the rollover threshold).
  std::uint64_t size() const;

  // Closes the file. Errors: IOError.
  Status close();

 private:
  std::unique_ptr<wal::RecordWriter> writer_;
  std::string buf_;  // encoding scratch, reused between appends
};

// Reads dir/MANIFEST and applies its edits in order. A torn last record is
// ignored. Errors: NotFound if dir/MANIFEST is absent; Corruption
// "<dir>/MANIFEST: offset X: <what>" for a bad header, a bad record followed
// by more bytes, an undecodable edit, a first record that is not a snapshot,
// a file without records, or an edit that State::apply() rejects; IOError.
Result<State> replay(FileSystem& fs, const std::string& dir);

}  // namespace sand::manifest
