// ArchiveReader: decodes and verifies an archive (spec/archive.md) from a
// std::istream, front to back, one entry at a time, following the reader's
// checklist of spec/archive.md section 6 in order. Nothing it returns has
// failed a check: a chunk's entries are handed out only after its checksums
// verified, and the end of the archive is reported only after the trailer
// verified and the stream ended.
//
// Errors name the stream and the byte offset of the structure at fault:
// Corruption "<name>: offset <N>: <what>"; a failing stream is IOError.
// Thread-safety: one thread at a time.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

#include "sand/options.hpp"
#include "sand/status.hpp"
#include "util/internal_key.hpp"

namespace sand::archive {

struct ArchiveHeader {
  Version last_version = 0;
  Version low_water_mark = 0;
};

// One entry; its views stay valid until the next call to next().
struct ArchiveEntry {
  std::string_view user_key;
  Version version = 0;
  EntryKind kind = EntryKind::kPut;
  std::string_view value;  // empty for a tombstone
};

class ArchiveReader {
 public:
  // `name` names `in` in errors.
  ArchiveReader(std::istream& in, std::string name);

  // Reads and checks the file header. Call once, first.
  Result<ArchiveHeader> read_header();
  // Moves to the next entry: true and entry() set, or false once the trailer
  // has verified and the stream has ended. After an error, do not call again.
  Result<bool> next();
  const ArchiveEntry& entry() const { return entry_; }

  std::uint64_t entries() const { return entries_; }
  std::uint64_t bytes() const { return offset_; }

 private:
  // Reads up to `n` bytes into `dst`; fewer only at the end of the stream.
  Result<std::size_t> read_up_to(char* dst, std::size_t n);
  Status corruption(std::uint64_t offset, const std::string& what) const;
  Status truncated(std::uint64_t offset, std::string_view inside) const;
  // Reads the next chunk, or the trailer (then *end is true).
  Status read_frame(bool* end);
  Status read_trailer(std::uint64_t at, const char* marker);
  Status decode_entry();

  std::istream& in_;
  const std::string name_;
  ArchiveHeader header_;
  std::uint64_t offset_ = 0;  // bytes consumed from the stream
  std::uint32_t chain_ = 0;   // the CRC the next header checksum continues
  std::uint64_t entries_ = 0, chunks_ = 0;
  bool done_ = false;

  // The chunk being decoded.
  std::string payload_;
  std::uint64_t payload_offset_ = 0;  // where payload_ starts in the stream
  std::size_t pos_ = 0;               // next entry in payload_
  std::uint32_t chunk_count_ = 0, chunk_decoded_ = 0;

  std::string key_, prev_key_;  // the current and previous entry's key
  Version prev_version_ = 0;
  bool have_prev_ = false;
  ArchiveEntry entry_;
};

}  // namespace sand::archive
