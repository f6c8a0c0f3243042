// The test suite's memtable override (src/db/memtable_override.hpp): what
// lets scripts/test.sh run the whole DB suite on either memtable index.
#include "db/memtable_override.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string_view>

namespace sand {
namespace {

TEST_CASE("the memtable override follows SAND_TEST_MEMTABLE and can be cleared", "[db][memtable]") {
  const char* env = std::getenv("SAND_TEST_MEMTABLE");
  const std::string_view name = env == nullptr ? "" : env;
  const MemTableIndex expected =
      name == "skiplist" ? MemTableIndex::kSkipList : MemTableIndex::kBTree;
  // tests/main.cpp set it from the environment before any test ran.
  CHECK(memtable_index_for(Options{}) == expected);
  CHECK(memtable_index_for(Options{.memtable = MemTableIndex::kSkipList}) ==
        (name.empty() ? MemTableIndex::kSkipList : expected));

  set_memtable_override_for_tests(MemTableIndex::kSkipList);
  CHECK(memtable_index_for(Options{}) == MemTableIndex::kSkipList);
  set_memtable_override_for_tests(std::nullopt);
  CHECK(memtable_index_for(Options{.memtable = MemTableIndex::kSkipList}) ==
        MemTableIndex::kSkipList);
  CHECK(memtable_index_for(Options{}) == MemTableIndex::kBTree);
  // Put back what the environment asked for, for the tests after this one.
  if (!name.empty()) set_memtable_override_for_tests(expected);
}

}  // namespace
}  // namespace sand
