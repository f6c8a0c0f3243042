// SnapshotList: the versions pinned by live Snapshot objects.
//
// A Snapshot holds a shared SnapshotPin; the pin's destructor removes its
// version from the list, so snapshots may outlive the DB (the list is shared).
// Compaction asks for the pinned versions to know what it must keep.
// Thread-safety: all methods are thread-safe (one internal mutex, mu_, a
// leaf: it may be taken under DB::Impl::state_mu_ and takes nothing itself).
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <vector>

#include "sand/options.hpp"
#include "util/mutex.hpp"

namespace sand {

class SnapshotList {
 public:
  void pin(Version v) SAND_EXCLUDES(mu_);
  void unpin(Version v) SAND_EXCLUDES(mu_);
  std::uint64_t count() const SAND_EXCLUDES(mu_);
  // Every pinned version, ascending, duplicates removed.
  std::vector<Version> pinned() const SAND_EXCLUDES(mu_);

 private:
  mutable Mutex mu_;
  std::multiset<Version> versions_ SAND_GUARDED_BY(mu_);
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
