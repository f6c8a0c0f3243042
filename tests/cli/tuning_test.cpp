// Tests for src/cli/tuning.cpp: the values --l0-trigger, --l1-trigger,
// --retention and --memtable accept and reject, and how they land in Options.
#include "cli/tuning.hpp"

#include <catch2/catch.hpp>
#include <string>

namespace sand::cli {
namespace {

// The InvalidArgument message parse_trigger gives for `text`.
std::string trigger_error(std::string_view text) {
  Result<int> r = parse_trigger("--l0-trigger", text);
  INFO("text: " << text);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  return r.status().message();
}

TEST_CASE("triggers accept whole numbers from 1 to kMaxTrigger", "[cli][tuning]") {
  CHECK(parse_trigger("--l0-trigger", "1").value() == 1);
  CHECK(parse_trigger("--l0-trigger", "2").value() == 2);
  CHECK(parse_trigger("--l1-trigger", "04").value() == 4);
  CHECK(parse_trigger("--l1-trigger", "1000").value() == kMaxTrigger);
}

TEST_CASE("triggers reject zero, signs, junk and out-of-range numbers", "[cli][tuning]") {
  const std::string expected = "--l0-trigger: expected a whole number from 1 to 1000, got ";
  CHECK(trigger_error("0") == expected + "'0'");
  CHECK(trigger_error("1001") == expected + "'1001'");
  CHECK(trigger_error("-1") == expected + "'-1'");
  CHECK(trigger_error("+1") == expected + "'+1'");
  CHECK(trigger_error("") == expected + "''");
  CHECK(trigger_error("x") == expected + "'x'");
  CHECK(trigger_error("2x") == expected + "'2x'");
  CHECK(trigger_error("1.5") == expected + "'1.5'");
  CHECK(trigger_error(" 2") == expected + "'\\x202'");
  CHECK(trigger_error("99999999999999999999") == expected + "'99999999999999999999'");
}

TEST_CASE("trigger errors name the flag they came from", "[cli][tuning]") {
  CHECK(parse_trigger("--l1-trigger", "no").status() ==
        Status::invalid_argument("--l1-trigger: expected a whole number from 1 to 1000, got 'no'"));
}

TEST_CASE("retention is all or latest", "[cli][tuning]") {
  CHECK(parse_retention("all").value() == Retention::kAll);
  CHECK(parse_retention("latest").value() == Retention::kLatestOnly);
}

TEST_CASE("retention rejects anything else, case included", "[cli][tuning]") {
  for (std::string_view bad : {"", "ALL", "Latest", "latest-only", "forever", "all "}) {
    INFO("text: " << bad);
    Result<Retention> r = parse_retention(bad);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK(r.status().message().starts_with("--retention: expected all or latest, got '"));
  }
  CHECK(parse_retention("forever").status().message() ==
        "--retention: expected all or latest, got 'forever'");
}

TEST_CASE("memtable is btree or skiplist", "[cli][tuning]") {
  CHECK(parse_memtable("btree").value() == MemTableIndex::kBTree);
  CHECK(parse_memtable("skiplist").value() == MemTableIndex::kSkipList);
}

TEST_CASE("memtable rejects anything else, case included", "[cli][tuning]") {
  for (std::string_view bad : {"", "BTree", "SKIPLIST", "b-tree", "skip-list", "hash", "btree "}) {
    INFO("text: " << bad);
    Result<MemTableIndex> r = parse_memtable(bad);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK(r.status().message().starts_with("--memtable: expected btree or skiplist, got '"));
  }
  CHECK(parse_memtable("hash").status().message() ==
        "--memtable: expected btree or skiplist, got 'hash'");
  CHECK(parse_memtable("btree ").status().message() ==
        "--memtable: expected btree or skiplist, got 'btree\\x20'");
}

TEST_CASE("an empty Tuning leaves every Options default", "[cli][tuning]") {
  Options options;
  apply_tuning(Tuning{}, options);
  const Options defaults;
  CHECK(options.l0_trigger == defaults.l0_trigger);
  CHECK(options.l0_stop == defaults.l0_stop);
  CHECK(options.l1_trigger == defaults.l1_trigger);
  CHECK(options.retention == defaults.retention);
  CHECK(options.memtable == defaults.memtable);
  CHECK(options.memtable == MemTableIndex::kBTree);
}

TEST_CASE("apply_tuning sets triggers and retention", "[cli][tuning]") {
  Options options;
  apply_tuning(Tuning{.l0_trigger = 2, .l1_trigger = 3, .retention = Retention::kLatestOnly},
               options);
  CHECK(options.l0_trigger == 2);
  CHECK(options.l1_trigger == 3);
  CHECK(options.retention == Retention::kLatestOnly);
  // A small trigger keeps the default stall limit.
  CHECK(options.l0_stop == Options{}.l0_stop);
}

TEST_CASE("apply_tuning sets the memtable index and nothing else", "[cli][tuning]") {
  Options options;
  apply_tuning(Tuning{.memtable = MemTableIndex::kSkipList}, options);
  CHECK(options.memtable == MemTableIndex::kSkipList);
  const Options defaults;
  CHECK(options.l0_trigger == defaults.l0_trigger);
  CHECK(options.l0_stop == defaults.l0_stop);
  CHECK(options.retention == defaults.retention);
  apply_tuning(Tuning{.memtable = MemTableIndex::kBTree}, options);
  CHECK(options.memtable == MemTableIndex::kBTree);
  // Not given: the index set before stays.
  options.memtable = MemTableIndex::kSkipList;
  apply_tuning(Tuning{.l1_trigger = 2}, options);
  CHECK(options.memtable == MemTableIndex::kSkipList);
}

TEST_CASE("a large l0 trigger raises the stall limit above it", "[cli][tuning]") {
  Options options;
  apply_tuning(Tuning{.l0_trigger = 10}, options);
  CHECK(options.l0_trigger == 10);
  CHECK(options.l0_stop == 30);
  apply_tuning(Tuning{.l0_trigger = kMaxTrigger}, options);
  CHECK(options.l0_stop == 3 * kMaxTrigger);
}

}  // namespace
}  // namespace sand::cli
