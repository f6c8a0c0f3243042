// ManifestTail: follows dir/MANIFEST while another process appends to it and
// rolls it over, as a read-only handle must (spec/README.md "Read-only
// opens").
//
// The tail remembers how many bytes of MANIFEST it has applied and a hash of
// those bytes. On update() it maps MANIFEST again: if the file still starts
// with exactly those bytes, only the records after them are read; otherwise
// (a rollover replaced the file, or a new writer rewrote it at open) the file
// is read from the start. Either way the state is what a fresh replay of the
// file's complete records gives, so a reader can never mix two files: equal
// prefixes decode to equal states.
//
// A torn last record is not applied (the writer may be mid-append); it is
// read again at the next update(). The mapping is safe because MANIFEST is
// never truncated or rewritten in place, only replaced by rename.
//
// Thread-safety: one thread at a time.
#pragma once

#include <cstdint>
#include <string>

#include "manifest/state.hpp"
#include "sand/file_system.hpp"
#include "sand/status.hpp"

namespace sand::manifest {

class ManifestTail {
 public:
  explicit ManifestTail(std::string dir) : dir_(std::move(dir)) {}

  // Applies the complete records of dir/MANIFEST not applied yet. Returns
  // whether the state changed. Errors (state unchanged): NotFound if
  // MANIFEST is absent; Corruption "<dir>/MANIFEST: offset X: <what>" as for
  // replay(); IOError.
  Result<bool> update(FileSystem& fs);

  const State& state() const { return state_; }
  // Bytes of MANIFEST applied so far (header included).
  std::uint64_t applied_bytes() const { return applied_; }

 private:
  std::string dir_;
  State state_;
  std::uint64_t applied_ = 0;         // 0: nothing read yet
  std::uint64_t applied_hash_ = 0;    // XXH3-64 of the first applied_ bytes
  std::uint32_t format_version_ = 0;  // of the file applied_ counts bytes of
  std::uint64_t log_id_ = 0;          // the log id in the applied file's header
};

}  // namespace sand::manifest
