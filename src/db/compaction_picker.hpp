// Compaction picking: which compaction, if any, runs next. A pure function of
// the level shape, the jobs already running and whether compact() was asked
// for, so the policy is tested table by table (tests/db/compaction_picker_test.cpp)
// apart from the threads that run it.
//
// Policy (doc/design.md section 7):
//  1. compact() was asked for: merge every table into level 2 (kFull), once
//     no other job runs; nothing else starts while it waits;
//  2. level 0 holds l0_trigger tables: merge all of level 0 into one new
//     level-1 sorted run (kLevel0);
//  3. level 1 holds l1_trigger runs: merge all of level 1 and level 2 into
//     level 2 (kDeep);
//  4. a level-1 or level-2 table references a value file due for garbage
//     collection (db/value_gc.hpp): rewrite those tables, moving their
//     values to a new value log (kValueGc), once no other job runs.
// A kLevel0 and a kDeep job may run at once (disjoint inputs; the new level-1
// run is newer than everything the deep merge writes); a kFull or kValueGc
// job runs alone.
#pragma once

#include <bitset>
#include <cstddef>
#include <optional>

namespace sand {

// L0->L1, L1+L2->L2, all->L2, value files' live values moved.
enum class CompactionKind { kLevel0 = 0, kDeep = 1, kFull = 2, kValueGc = 3 };

struct LevelShape {
  std::size_t l0_tables = 0;
  std::size_t l1_runs = 0;
  bool value_gc_due = false;  // policy 4 applies
};

// Jobs under way, indexed by CompactionKind.
using RunningJobs = std::bitset<4>;

struct CompactionTriggers {
  int l0_trigger = 4;
  int l1_trigger = 4;
};

// The compaction to start now, or nullopt.
std::optional<CompactionKind> pick_compaction(const LevelShape& shape, RunningJobs running,
                                              bool manual_pending,
                                              const CompactionTriggers& triggers);

// What a job of `kind` (other than kValueGc, which keeps each table's level)
// reads and writes.
struct CompactionPlan {
  bool takes_level0 = false;  // every level-0 table
  bool takes_deep = false;    // every level-1 run and level 2
  int output_level = 1;
  // The outputs hold every older version of their keys, so bottom
  // tombstones may go.
  bool last_level = false;
};
CompactionPlan plan_for(CompactionKind kind);

}  // namespace sand
