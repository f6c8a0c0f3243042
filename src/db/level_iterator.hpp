// LevelIterator: one sorted stream over a sorted run split into files whose
// key ranges do not overlap (an L1 run or L2), opening each file's iterator
// only when the stream reaches it (LevelDB's two-level "concatenating"
// iterator). Every version of a user key lives in one file of a run.
// Thread-safety: one thread at a time; the files are shared and immutable.
#pragma once

#include <memory>
#include <vector>

#include "db/read_view.hpp"
#include "util/internal_iterator.hpp"

namespace sand {

// REQUIRES: `files` sorted by key range, not overlapping, not empty.
// `fill`: whether the blocks read enter the block cache (Table::new_iterator).
std::unique_ptr<InternalIterator> new_level_iterator(
    std::vector<std::shared_ptr<const LiveTable>> files,
    table::CacheFill fill = table::CacheFill::kFill);

}  // namespace sand
