/// @file
/// WriteBatch: operations committed together under one version.
///
/// All operations of a batch become visible at once and share the version the
/// write returns. If a batch names a key twice, the later operation wins.
///
/// @par Thread-safety
/// A batch is a plain value; mutate it from one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sand/export.hpp"

namespace sand {

/// Operations committed together under one version by DB::write().
///
/// All operations of a batch become visible at once and share the version
/// DB::write() returns. If a batch names a key twice, the later operation
/// wins. The batch copies the keys and values it is given, and can be written
/// any number of times (each write commits it under a new version). The
/// write checks the limits: every key at most kMaxKeySize bytes, every value
/// at most kMaxValueSize, the encoded batch at most 1 GiB (one WAL record).
///
/// @par Thread-safety
/// A plain value; mutate it from one thread at a time.
class SAND_EXPORT WriteBatch {
 public:
  /// An empty batch.
  WriteBatch();

  /// Appends "set key to value". Limits (kMaxKeySize, kMaxValueSize) are
  /// checked when the batch is written.
  void put(std::string_view key, std::string_view value);
  /// Appends "delete key" (a tombstone).
  void del(std::string_view key);
  /// Removes every operation.
  void clear();

  /// Number of operations.
  std::uint32_t count() const;
  /// Bytes of the encoded batch (what its WAL record will hold).
  ///
  /// Includes a fixed header, so an empty batch is not 0 bytes.
  std::size_t byte_size() const { return rep_.size(); }
  /// Whether the batch holds no operation (DB::write() refuses such a batch
  /// with InvalidArgument).
  bool empty() const { return count() == 0; }

 private:
  friend class WriteBatchAccess;  // src/wal/write_batch_codec.hpp
  // spec/wal.md "Batch payload": version (8), count (4), then operations.
  std::string rep_;
};

}  // namespace sand
