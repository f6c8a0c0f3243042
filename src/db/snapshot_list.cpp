// SnapshotList: a multiset of pinned versions under a mutex; snapshots are
// taken and released rarely compared with reads, so a lock is fine here.
#include "db/snapshot_list.hpp"

namespace sand {

void SnapshotList::pin(Version v) {
  MutexLock lock(mu_);
  versions_.insert(v);
}

void SnapshotList::unpin(Version v) {
  MutexLock lock(mu_);
  const auto it = versions_.find(v);
  if (it != versions_.end()) versions_.erase(it);
}

std::uint64_t SnapshotList::count() const {
  MutexLock lock(mu_);
  return versions_.size();
}

std::vector<Version> SnapshotList::pinned() const {
  MutexLock lock(mu_);
  std::vector<Version> out;
  for (const Version v : versions_) {
    if (out.empty() || out.back() != v) out.push_back(v);
  }
  return out;
}

}  // namespace sand
