// The memtable index a database opened in this process uses: the one its
// Options::memtable names, unless the test suite overrides it.
//
// Why an override: the DB suite builds its Options in hundreds of places,
// and it must pass with either index (doc/design.md section 12). The test
// executables' entry point (tests/main.cpp) reads SAND_TEST_MEMTABLE
// ("btree" or "skiplist") and sets the override, so one build runs the whole
// suite twice (scripts/test.sh). Not public API: nothing in include/ can
// reach it.
//
// Thread-safety: set it before any database opens; reads are atomic.
#pragma once

#include <optional>

#include "sand/options.hpp"

namespace sand {

// Every later DB::open() and open_read_only() uses `index` (nullopt: back to
// Options::memtable).
void set_memtable_override_for_tests(std::optional<MemTableIndex> index);

// Options::memtable, or the override when one is set.
MemTableIndex memtable_index_for(const Options& options);

}  // namespace sand
