// MergingIterator: one sorted stream over several sorted InternalIterators
// (memtables and tables), in internal-key order, both directions.
//
// Children never share an internal key (a (user key, version) lives in one
// place), so no tie-breaking is needed. Like LevelDB's merger, the smallest
// (or largest) child is found by a linear scan: the number of children is
// small (memtables + L0 tables + runs). Thread-safety: one thread at a time.
#pragma once

#include <memory>
#include <vector>

#include "util/internal_iterator.hpp"

namespace sand {

std::unique_ptr<InternalIterator> new_merging_iterator(
    std::vector<std::unique_ptr<InternalIterator>> children);

}  // namespace sand
