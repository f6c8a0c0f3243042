// WriteBatch: operations committed together under one version.
//
// All operations of a batch become visible at once and share the version the
// write returns. If a batch names a key twice, the later operation wins.
//
// Thread-safety: a batch is a plain value; mutate it from one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sand/export.hpp"

namespace sand {

class SAND_EXPORT WriteBatch {
 public:
  WriteBatch();

  // Appends "set key to value". Limits (kMaxKeySize, kMaxValueSize) are
  // checked when the batch is written.
  void put(std::string_view key, std::string_view value);
  // Appends "delete key" (a tombstone).
  void del(std::string_view key);
  // Removes every operation.
  void clear();

  // Number of operations.
  std::uint32_t count() const;
  // Bytes of the encoded batch (what its WAL record will hold).
  std::size_t byte_size() const { return rep_.size(); }
  bool empty() const { return count() == 0; }

 private:
  friend class WriteBatchAccess;  // src/wal/write_batch_codec.hpp
  // spec/wal.md "Batch payload": version (8), count (4), then operations.
  std::string rep_;
};

}  // namespace sand
