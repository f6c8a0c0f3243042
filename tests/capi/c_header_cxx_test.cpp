// c.h compiles as C++ (C linkage inside extern "C"), alongside the whole C++
// API in one translation unit, and works from C++: a put and a get through
// the C functions. Exits 0 on success.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <type_traits>

#include "sand/c.h"
#include "sand/sand.hpp"

// The structs a C caller reads must be plain C layouts in C++ too.
static_assert(std::is_standard_layout_v<sand_stats_t> && std::is_trivial_v<sand_stats_t>);
static_assert(std::is_standard_layout_v<sand_history_entry_t>);
static_assert(std::is_standard_layout_v<sand_check_file_t>);
static_assert(std::is_standard_layout_v<sand_check_finding_t>);
static_assert(std::is_standard_layout_v<sand_check_totals_t>);
static_assert(SAND_CHECK_WHOLE_FILE == sand::kWholeFile);

int main() {
  sand_options_t* opts = sand_options_create();
  if (opts == nullptr || sand_options_set_in_memory(opts, 1, nullptr) != SAND_OK) return 1;
  sand_db_t* db = nullptr;
  char* err = nullptr;
  if (sand_open("/db", opts, &db, &err) != SAND_OK) {
    std::printf("open: %s\n", err);
    sand_free(err);
    sand_options_destroy(opts);
    return 1;
  }
  std::uint64_t version = 0;
  int found = 0;
  char* value = nullptr;
  std::size_t len = 0;
  const bool ok = sand_put(db, nullptr, "k", 1, "v", 1, &version, nullptr) == SAND_OK &&
                  version == 1 && sand_get(db, "k", 1, &found, &value, &len, nullptr) == SAND_OK &&
                  found == 1 && len == 1 && std::memcmp(value, "v", 1) == 0 &&
                  std::strcmp(sand_version(), std::string(sand::version()).c_str()) == 0;
  sand_free(value);
  sand_db_free(db);
  sand_options_destroy(opts);
  std::printf("c.h works from C++: %s\n", ok ? "yes" : "NO");
  return ok ? 0 : 1;
}
