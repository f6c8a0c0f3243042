// InternalIterator: the cursor every layer exposes over internal keys
// (memtable, block, table, merging). It composes: a merging iterator over
// table iterators over block iterators (LevelDB's iterator stack).
//
// Positions are entries in internal-key order (spec/encoding.md). key() and
// value() views stay valid until the iterator moves or is destroyed. An
// iterator that meets bad bytes becomes !valid() and reports Corruption in
// status(); it never yields them. Thread-safety: one thread at a time.
#pragma once

#include <string_view>

#include "sand/status.hpp"

namespace sand {

class InternalIterator {
 public:
  virtual ~InternalIterator() = default;

  virtual bool valid() const = 0;
  virtual void seek_to_first() = 0;
  virtual void seek_to_last() = 0;
  // Positions at the first entry >= target (an internal key).
  virtual void seek(std::string_view target) = 0;
  // REQUIRES: valid().
  virtual void next() = 0;
  // REQUIRES: valid().
  virtual void prev() = 0;
  // REQUIRES: valid().
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  // OK unless an error stopped the iterator.
  virtual Status status() const = 0;
};

}  // namespace sand
