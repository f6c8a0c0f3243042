// The Catch2 entry point shared by every test executable.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "db/memtable_override.hpp"

namespace {

// SAND_TEST_MEMTABLE=skiplist (or btree) runs every database the tests open
// on that memtable index, whatever their Options say: scripts/test.sh runs
// the DB suite once more with the index that is not the default.
const bool g_memtable_override = [] {
  const char* v = std::getenv("SAND_TEST_MEMTABLE");
  if (v == nullptr || *v == 0) return false;
  const std::string_view name(v);
  if (name == "skiplist") {
    sand::set_memtable_override_for_tests(sand::MemTableIndex::kSkipList);
  } else if (name == "btree") {
    sand::set_memtable_override_for_tests(sand::MemTableIndex::kBTree);
  } else {
    std::fprintf(stderr, "SAND_TEST_MEMTABLE must be btree or skiplist, not %s\n", v);
    std::exit(2);
  }
  return true;
}();

}  // namespace
