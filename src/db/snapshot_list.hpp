// SnapshotList: the versions pinned by live Snapshot objects.
//
// A Snapshot holds a shared SnapshotPin; the pin's destructor removes its
// version from the list, so snapshots may outlive the DB (the list is shared).
// Compaction asks for the pinned versions to know what it must keep.
// Thread-safety: all methods are thread-safe (one internal mutex).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

#include "sand/options.hpp"

namespace sand {

class SnapshotList {
 public:
  void pin(Version v);
  void unpin(Version v);
  std::uint64_t count() const;
  // Every pinned version, ascending, duplicates removed.
  std::vector<Version> pinned() const;

 private:
  mutable std::mutex mu_;
  std::multiset<Version> versions_;
};

namespace detail {
struct SnapshotPin {
  SnapshotPin(std::shared_ptr<SnapshotList> list, Version v)
      : list_(std::move(list)), version_(v) {
    list_->pin(version_);
  }
  ~SnapshotPin() { list_->unpin(version_); }
  SnapshotPin(const SnapshotPin&) = delete;
  SnapshotPin& operator=(const SnapshotPin&) = delete;

 private:
  std::shared_ptr<SnapshotList> list_;
  Version version_;
};
}  // namespace detail

}  // namespace sand
