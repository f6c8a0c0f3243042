// Garbage collection of value files (spec/values.md section 4, doc/design.md
// section 11): which value files compaction moves the still-referenced
// values out of, so that the files can go.
//
// A value file is deleted once no live table references it; until then it
// is kept whole, however few of its values are still referenced. Compaction
// therefore moves the referenced values of a *due* file to a new value log
// as it rewrites the tables that reference them (value_rewriter.hpp). Which
// files are due trades space against write amplification:
//   kHalfDead (background compactions): under half of the file's value
//     bytes still referenced, so a file's live values are copied at most
//     once per halving, and space stays under twice the live values;
//   kAnyDead (compact(), which a user calls to get space back): any value
//     byte no longer referenced.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <set>
#include <vector>

#include "db/read_view.hpp"

namespace sand {

enum class ValueGcMode { kHalfDead, kAnyDead };

// One live value file as garbage collection sees it.
struct ValueFileUsage {
  std::uint64_t number = 0;
  std::uint64_t value_bytes = 0;  // the value bytes it held when added (tag 10)
  std::uint64_t referenced = 0;   // what live tables reference now (tag 9 sums)
};

// The due files among `files`, by number.
std::set<std::uint64_t> value_files_due(const std::vector<ValueFileUsage>& files, ValueGcMode mode);

// The level-1 and level-2 tables of `view` that reference a file in `due`.
// (Level-0 tables are left to the level-0 merge, which moves due values
// too: rewriting one alone would reorder level 0.)
std::vector<TableRef> deep_tables_referencing(const ReadView& view,
                                              const std::set<std::uint64_t>& due);

// The bytes of `logs` (what a job wrote besides its tables).
std::uint64_t value_log_bytes(const std::vector<manifest::ValueFileMeta>& logs);

}  // namespace sand
