// Compaction picking (src/db/compaction_picker.hpp), table by table: each
// row is a level shape, the jobs under way and whether compact() waits, and
// the job the picker must start (or none). The policy is tested here apart
// from the threads that run it; compaction_test.cpp tests what the jobs do.
#include "db/compaction_picker.hpp"

#include <catch2/catch.hpp>
#include <optional>
#include <string>

using namespace sand;

namespace {

constexpr auto kL0 = CompactionKind::kLevel0;
constexpr auto kDeep = CompactionKind::kDeep;
constexpr auto kFull = CompactionKind::kFull;
constexpr auto kGc = CompactionKind::kValueGc;

RunningJobs running(std::initializer_list<CompactionKind> kinds) {
  RunningJobs r;
  for (const auto k : kinds) r.set(static_cast<std::size_t>(k));
  return r;
}

std::string name(std::optional<CompactionKind> k) {
  if (!k) return "none";
  switch (*k) {
    case CompactionKind::kLevel0:
      return "L0->L1";
    case CompactionKind::kDeep:
      return "L1+L2->L2";
    case CompactionKind::kFull:
      return "full";
    case CompactionKind::kValueGc:
      return "value gc";
  }
  return "?";
}

struct Row {
  const char* why;
  std::size_t l0_tables;
  std::size_t l1_runs;
  RunningJobs running;
  bool manual;
  std::optional<CompactionKind> want;
  bool value_gc_due = false;
};

}  // namespace

TEST_CASE("pick_compaction follows the policy table", "[compaction_picker]") {
  const CompactionTriggers triggers{.l0_trigger = 4, .l1_trigger = 3};
  const Row rows[] = {
      {"empty database", 0, 0, {}, false, std::nullopt},
      {"level 0 below its trigger", 3, 0, {}, false, std::nullopt},
      {"level 0 at its trigger", 4, 0, {}, false, kL0},
      {"level 0 past its trigger", 9, 0, {}, false, kL0},
      {"level 1 below its trigger", 0, 2, {}, false, std::nullopt},
      {"level 1 at its trigger", 0, 3, {}, false, kDeep},
      {"both due: level 0 first (it stalls writers)", 4, 3, {}, false, kL0},
      {"both due, L0 job running: the deep one starts beside it", 4, 3, running({kL0}), false,
       kDeep},
      {"both due, deep job running: L0 starts beside it", 4, 3, running({kDeep}), false, kL0},
      {"both due, both running: nothing", 4, 3, running({kL0, kDeep}), false, std::nullopt},
      {"only L0 due and it runs already", 5, 0, running({kL0}), false, std::nullopt},
      {"a full compaction runs alone", 4, 3, running({kFull}), false, std::nullopt},
      {"compact() asked, nothing running: full", 0, 0, {}, true, kFull},
      {"compact() asked beats due levels", 4, 3, {}, true, kFull},
      {"compact() asked waits for a running L0 job", 4, 0, running({kL0}), true, std::nullopt},
      {"compact() asked waits for a running deep job, and starts nothing else", 4, 3,
       running({kDeep}), true, std::nullopt},
      {"value gc due, nothing else: it starts", 0, 0, {}, false, kGc, true},
      {"value gc due and level 0 due: the merge first", 4, 0, {}, false, kL0, true},
      {"value gc due and level 1 due: the merge first", 0, 3, {}, false, kDeep, true},
      {"value gc due, a merge running: it waits", 0, 0, running({kL0}), false, std::nullopt, true},
      {"value gc due, a deep merge running: it waits", 0, 0, running({kDeep}), false, std::nullopt,
       true},
      {"a value gc job runs alone", 4, 3, running({kGc}), false, std::nullopt, true},
      {"compact() asked waits for a value gc job", 0, 0, running({kGc}), true, std::nullopt},
      {"compact() asked beats value gc", 0, 0, {}, true, kFull, true},
  };
  for (const Row& row : rows) {
    INFO(row.why);
    const auto got = pick_compaction(
        LevelShape{
            .l0_tables = row.l0_tables, .l1_runs = row.l1_runs, .value_gc_due = row.value_gc_due},
        row.running, row.manual, triggers);
    CHECK(name(got) == name(row.want));
  }
}

TEST_CASE("pick_compaction honours the configured triggers", "[compaction_picker]") {
  for (int trigger = 1; trigger <= 8; ++trigger) {
    const CompactionTriggers t{.l0_trigger = trigger, .l1_trigger = trigger};
    const auto n = static_cast<std::size_t>(trigger);
    INFO("trigger " << trigger);
    CHECK(!pick_compaction({.l0_tables = n - 1, .l1_runs = n - 1}, {}, false, t));
    CHECK(pick_compaction({.l0_tables = n, .l1_runs = 0}, {}, false, t) == kL0);
    CHECK(pick_compaction({.l0_tables = 0, .l1_runs = n}, {}, false, t) == kDeep);
  }
}

TEST_CASE("plan_for says what each job reads and writes", "[compaction_picker]") {
  const CompactionPlan l0 = plan_for(kL0);
  CHECK(l0.takes_level0);
  CHECK_FALSE(l0.takes_deep);
  CHECK(l0.output_level == 1);
  CHECK_FALSE(l0.last_level);  // level 2 may hold older versions: tombstones stay

  const CompactionPlan deep = plan_for(kDeep);
  CHECK_FALSE(deep.takes_level0);  // level 0 is newer; it may run beside
  CHECK(deep.takes_deep);
  CHECK(deep.output_level == 2);
  CHECK(deep.last_level);

  const CompactionPlan full = plan_for(kFull);
  CHECK(full.takes_level0);
  CHECK(full.takes_deep);
  CHECK(full.output_level == 2);
  CHECK(full.last_level);
}
