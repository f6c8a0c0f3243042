// Compaction picking (compaction_picker.hpp).
#include "db/compaction_picker.hpp"

namespace sand {
namespace {

bool is_running(RunningJobs running, CompactionKind kind) {
  return running[static_cast<std::size_t>(kind)];
}

}  // namespace

std::optional<CompactionKind> pick_compaction(const LevelShape& shape, RunningJobs running,
                                              bool manual_pending,
                                              const CompactionTriggers& triggers) {
  if (manual_pending) {
    // Waits for the others to finish; starting more would only delay it.
    if (running.any()) return std::nullopt;
    return CompactionKind::kFull;
  }
  if (is_running(running, CompactionKind::kFull) || is_running(running, CompactionKind::kValueGc)) {
    return std::nullopt;
  }
  if (shape.l0_tables >= static_cast<std::size_t>(triggers.l0_trigger) &&
      !is_running(running, CompactionKind::kLevel0)) {
    return CompactionKind::kLevel0;
  }
  if (shape.l1_runs >= static_cast<std::size_t>(triggers.l1_trigger) &&
      !is_running(running, CompactionKind::kDeep)) {
    return CompactionKind::kDeep;
  }
  // After the merges: they may move the due values themselves, and a
  // rewrite must not race a merge for the same tables.
  if (shape.value_gc_due && running.none()) return CompactionKind::kValueGc;
  return std::nullopt;
}

CompactionPlan plan_for(CompactionKind kind) {
  switch (kind) {
    case CompactionKind::kLevel0:
      return {.takes_level0 = true, .takes_deep = false, .output_level = 1, .last_level = false};
    case CompactionKind::kDeep:
      return {.takes_level0 = false, .takes_deep = true, .output_level = 2, .last_level = true};
    case CompactionKind::kFull:
    case CompactionKind::kValueGc:
      break;
  }
  return {.takes_level0 = true, .takes_deep = true, .output_level = 2, .last_level = true};
}

}  // namespace sand
