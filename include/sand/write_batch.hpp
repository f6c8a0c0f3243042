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
#include <vector>

#include "sand/export.hpp"
#include "sand/options.hpp"

namespace sand {

/// Operations committed together under one version by DB::write().
///
/// All operations of a batch become visible at once and share the version
/// DB::write() returns. If a batch names a key twice, the later operation
/// wins. The batch copies the keys and values it is given, and can be written
/// any number of times (each write commits it under a new version). The
/// write checks the limits: every key at most kMaxKeySize bytes (the keys of
/// preconditions too), every value at most kMaxValueSize, the encoded batch
/// at most 1 GiB (one WAL record).
///
/// A batch may also carry preconditions (expect_version(), expect_missing(),
/// expect_exists()): the write then commits only if every one holds against
/// the committed state at the moment the batch takes its place in the write
/// queue, earlier batches of the same group commit included; otherwise it
/// commits nothing and returns Code::kConflict naming the key, the expected
/// and the actual version. The version of a key is the version of its
/// newest put, or 0 if it was never written or its newest entry is a
/// tombstone (it does not exist). Preconditions are not written to the WAL.
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
  /// Removes every operation and every precondition.
  void clear();

  /// Precondition: `key`'s version is `version` (0: the key does not exist).
  void expect_version(std::string_view key, Version version);
  /// Precondition: `key` does not exist (never written, or deleted).
  void expect_missing(std::string_view key) { expect_version(key, 0); }
  /// Precondition: `key` exists (its newest entry is a put), at any version.
  void expect_exists(std::string_view key);
  /// Number of preconditions.
  std::size_t precondition_count() const { return conditions_.size(); }

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
  // Checked at commit, never encoded (src/db/preconditions.hpp).
  struct Condition {
    std::string key;
    bool any_version = false;  // expect_exists(): any version but 0
    Version version = 0;       // else: exactly this one
  };
  std::vector<Condition> conditions_;
};

}  // namespace sand
