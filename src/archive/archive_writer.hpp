// ArchiveWriter: encodes an archive (spec/archive.md) onto a std::ostream,
// front to back, so the stream may be a pipe: the file header, then entries
// packed into checksummed chunks of about `chunk_size` bytes, then the
// trailer. It knows the format only, nothing of databases; export_archive
// feeds it.
//
// Each chunk's header checksum chains to the previous chunk's payload
// checksum (the file header's for the first), and the trailer's to the last,
// so a reader detects chunks dropped, repeated or reordered as well as
// damaged bytes.
// Thread-safety: one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

#include "sand/options.hpp"
#include "sand/status.hpp"
#include "util/internal_key.hpp"

namespace sand::archive {

class ArchiveWriter {
 public:
  // Called after each chunk is written: entries and bytes written so far.
  using ChunkWritten = std::function<void(std::uint64_t entries, std::uint64_t bytes)>;

  // REQUIRES: chunk_size >= 1. `name` names `out` in errors.
  ArchiveWriter(std::ostream& out, std::string name, std::size_t chunk_size, ChunkWritten on_chunk);

  // Writes the file header. REQUIRES: mark <= last_version <= kMaxVersion;
  // called once, first. Errors: IOError.
  Status begin(Version last_version, Version mark);
  // Adds one entry. REQUIRES: entries in internal-key order (key ascending,
  // version descending), 1 <= version <= last_version, a tombstone's value
  // empty. Errors: IOError (sticky: later calls fail too).
  Status add(std::string_view user_key, Version version, EntryKind kind, std::string_view value);
  // Writes the last chunk and the trailer. Errors: IOError.
  Status finish();

  std::uint64_t entries() const { return entries_; }
  std::uint64_t bytes() const { return bytes_; }

 private:
  Status write(std::string_view bytes);
  Status flush_chunk();

  std::ostream& out_;
  const std::string name_;
  const std::size_t chunk_size_;
  const ChunkWritten on_chunk_;
  Status status_;
  std::uint32_t chain_ = 0;  // the CRC the next header checksum continues
  std::string payload_;      // the chunk being filled
  std::uint32_t chunk_entries_ = 0;
  std::string last_key_;  // the previous key in this chunk (prefix sharing)
  std::uint64_t entries_ = 0, chunks_ = 0, bytes_ = 0;
};

}  // namespace sand::archive
