// ReadView: an immutable picture of where data lives right now: the active
// memtable, the frozen ones waiting for flush, and the live tables.
//
// The DB swaps in a new view whenever that set changes (freeze, flush,
// compaction); readers copy the shared_ptr and then read without locks. A view
// keeps its memtables and table files alive, so an iterator built on it stays
// valid whatever the DB does next. Thread-safety: immutable, share freely.
#pragma once

#include <memory>
#include <vector>

#include "manifest/state.hpp"
#include "memtable/memtable.hpp"
#include "table/table.hpp"

namespace sand {

// A table named by the manifest, opened for reading.
struct LiveTable {
  manifest::TableMeta meta;
  std::shared_ptr<table::Table> table;
};

struct ReadView {
  std::shared_ptr<MemTable> mem;                  // takes writes
  std::vector<std::shared_ptr<MemTable>> frozen;  // newest first
  // Every live table, newest data first (max_version descending). Sorted runs
  // never overlap in versions, so the first table that holds a version of a
  // key <= the read version holds the answer for it.
  std::vector<std::shared_ptr<const LiveTable>> tables;
};

}  // namespace sand
