// WriteBatchAccess: the engine's view of a WriteBatch's encoding, which is
// also the payload of its WAL record (spec/wal.md "Batch payload"):
//   uint64 version, uint32 count, then `count` operations, each
//   uint8 kind (EntryKind), varint64 key length, key,
//   and for a put: varint64 value length, value.
// The version is 0 while the batch is being built; the writer stamps it on a
// copy of the rep when the batch commits.
//
// All functions are static, pure and thread-safe (a WriteBatch itself is used
// by one thread at a time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sand/options.hpp"
#include "sand/status.hpp"
#include "sand/write_batch.hpp"
#include "util/internal_key.hpp"

namespace sand {

// Size of the version + count prefix of every rep.
inline constexpr std::size_t kWriteBatchHeaderSize = 12;

class WriteBatchAccess {
 public:
  // The encoded batch. The reference lives as long as `b` is unchanged.
  static const std::string& rep(const WriteBatch& b);

  // A precondition (WriteBatch::expect_version and friends); checked at
  // commit by src/db/preconditions.hpp, never encoded.
  using Condition = WriteBatch::Condition;
  // `b`'s preconditions in the order they were added. The reference lives as
  // long as `b` is unchanged.
  static const std::vector<Condition>& conditions(const WriteBatch& b);

  // Stamps `v` into a rep (normally a copy taken at commit).
  // REQUIRES: rep->size() >= kWriteBatchHeaderSize.
  static void set_version(std::string* rep, Version v);
  // REQUIRES: rep.size() >= kWriteBatchHeaderSize.
  static Version version(std::string_view rep);
  // The count field. REQUIRES: rep.size() >= kWriteBatchHeaderSize.
  static std::uint32_t count(std::string_view rep);

  // OK if every operation is within kMaxKeySize / kMaxValueSize and the
  // encoded batch fits one WAL record (1 GiB). Errors: InvalidArgument naming
  // the operation (0-based index and kind) and the limit, e.g.
  // "write batch operation 2 (put): key of 65537 bytes exceeds kMaxKeySize
  // (65536)". A precondition's key has the same limit ("write batch
  // precondition 0: key of 65537 bytes exceeds kMaxKeySize (65536)").
  static Status check_limits(const WriteBatch& b);

  // Decodes `rep` (a WAL record payload that started at `record_offset` in
  // `file`) and calls fn(kind, key, value) for each operation in order;
  // value is empty for deletes. Views are valid as long as `rep`'s bytes.
  // The whole rep is checked first: fn is never called for a bad one.
  // Errors: Corruption
  // "<file>: offset <record_offset>: <what>" for a rep shorter than its
  // header, an unknown kind, a truncated operation, a key or value over
  // kMaxKeySize / kMaxValueSize, fewer operations than the count, or bytes
  // left after `count` operations.
  static Status for_each(
      std::string_view rep, std::string_view file, std::uint64_t record_offset,
      const std::function<void(EntryKind, std::string_view key, std::string_view value)>& fn);
};

}  // namespace sand
