// Tests for src/cli/editline_reader.cpp that need no terminal: where the
// history file lives. The editing itself is driven through a pseudo-terminal
// in interactive_shell_test.cpp.
#include "cli/editline_reader.hpp"

#include <catch2/catch.hpp>

namespace sand::cli {
namespace {

TEST_CASE("history path: $SAND_HISTORY wins, empty disables", "[cli][editline]") {
  CHECK(history_path_from_env("/tmp/h", "/home/u") == "/tmp/h");
  CHECK(history_path_from_env("rel/h", nullptr) == "rel/h");
  CHECK(history_path_from_env("", "/home/u").empty());
}

TEST_CASE("history path: else ~/.sand_history, else none", "[cli][editline]") {
  CHECK(history_path_from_env(nullptr, "/home/u") == "/home/u/.sand_history");
  CHECK(history_path_from_env(nullptr, "").empty());
  CHECK(history_path_from_env(nullptr, nullptr).empty());
}

}  // namespace
}  // namespace sand::cli
