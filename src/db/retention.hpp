// Retention: which versions of a key a merge keeps (spec/README.md
// "Retention"; doc/design.md section 1).
//
// With low-water mark M and live snapshot versions S1..Sn, a merge keeps, of
// each key's versions: every version >= M; the newest version < M (the state
// as of M); for each Si the newest version <= Si. If the merge writes the
// last level and so sees every older version of the key, a kept tombstone
// with nothing kept below it is dropped as well (repeatedly, from the oldest
// up): nothing older can exist anywhere for it to hide. That last rule needs
// to see what follows, so the caller applies it (compaction_job.cpp).
// Pure logic, no I/O; thread-compatible.
#pragma once

#include <span>
#include <vector>

#include "sand/options.hpp"

namespace sand {

class RetentionFilter {
 public:
  // `snapshots`: pinned versions, ascending.
  RetentionFilter(Version low_water_mark, std::vector<Version> snapshots);

  // Starts a new user key.
  void start_key();
  // Whether the next (older) version of the current key is kept. Versions of
  // one key must come newest first.
  bool keep(Version version);

 private:
  const Version mark_;
  const std::vector<Version> snapshots_;
  bool kept_below_mark_ = false;  // the newest version < mark already kept
  Version newer_ = 0;             // the previous (newer) version of the key
  bool first_ = true;
};

}  // namespace sand
