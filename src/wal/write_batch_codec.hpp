// WriteBatchAccess: the engine's view of a WriteBatch's encoding, which is
// also the payload of its WAL record (spec/wal.md "Batch payload"):
//   uint64 version, uint32 count, then `count` operations, each
//   uint8 kind, varint64 key length, key, then
//   for a put (1): varint64 value length, value;
//   for a compressed put (3, kCompressedPutKind): varint64 raw size,
//   varint64 block length, an LZ4 block that decompresses to raw size bytes.
// A WriteBatch built by the application holds deletes (0) and puts (1) only;
// the writer compresses large values into kind 3 when it commits
// (compress_values).
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

// The operation kind of a put whose value is an LZ4 block (spec/wal.md,
// WAL format version 3).
inline constexpr std::uint8_t kCompressedPutKind = 3;

// LZ4's acceleration for values compressed on the write path: 4 compressed
// the bench's half-compressible values 2.3x as fast as the default (1) for
// a 2% larger result (1-16 KiB values, this machine).
inline constexpr int kValueLz4Acceleration = 4;

// The smallest value the writer compresses. LZ4 costs the writer's thread
// about 0.35 ns per byte, while most of what the smaller result saves (the
// page-cache work) is another thread's: separated 1 KiB values filled 20%
// slower compressed (2.15 against 1.78 us per put), 2 KiB ones as fast
// either way, 4 KiB ones 8% faster compressed (fillrandom, this machine).
inline constexpr std::size_t kMinCompressedValueSize = 2048;

// One operation of a rep as stored: a put's value is the LZ4 block when
// raw_size is not 0 (a compressed put), else the value itself.
struct BatchOp {
  EntryKind kind = EntryKind::kPut;  // kDelete or kPut (a compressed put too)
  std::string_view key;
  std::string_view value;
  std::uint64_t raw_size = 0;
  bool compressed() const { return raw_size != 0; }
};

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
  // A compressed put is reported as a put of its decompressed value, which
  // is only valid during the call; a block that does not decompress to its
  // raw size is Corruption too, found before the first callback.
  static Status for_each(
      std::string_view rep, std::string_view file, std::uint64_t record_offset,
      const std::function<void(EntryKind, std::string_view key, std::string_view value)>& fn);

  // The same walk without decompressing: fn sees each operation as stored.
  // Errors as for_each, but a bad LZ4 block is not found here (a reader of
  // the value finds it).
  static Status for_each_stored(std::string_view rep, std::string_view file,
                                std::uint64_t record_offset,
                                const std::function<void(const BatchOp&)>& fn);

  // Sets *out to `rep` with each put of at least `threshold` bytes replaced
  // by a compressed put, when LZ4 saves at least an eighth of its bytes.
  // Returns false, leaving *out alone, when no value qualified.
  // REQUIRES: `rep` came from a WriteBatch (deletes and puts only).
  static bool compress_values(std::string_view rep, std::size_t threshold, std::string* out);
};

}  // namespace sand
