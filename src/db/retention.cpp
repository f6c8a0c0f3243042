// RetentionFilter: the keep rule, one version at a time.
#include "db/retention.hpp"

#include <algorithm>

namespace sand {

RetentionFilter::RetentionFilter(Version low_water_mark, std::vector<Version> snapshots)
    : mark_(low_water_mark), snapshots_(std::move(snapshots)) {}

void RetentionFilter::start_key() {
  kept_below_mark_ = false;
  first_ = true;
}

bool RetentionFilter::keep(Version version) {
  // A version v is the newest <= S for some snapshot S exactly when a
  // snapshot lies in [v, newer) where `newer` is the key's next newer version.
  const Version newer = first_ ? kMaxVersion + 1 : newer_;
  first_ = false;
  newer_ = version;
  if (version >= mark_) return true;
  if (!kept_below_mark_) {
    kept_below_mark_ = true;
    return true;
  }
  const auto it = std::lower_bound(snapshots_.begin(), snapshots_.end(), version);
  return it != snapshots_.end() && *it < newer;
}

}  // namespace sand
