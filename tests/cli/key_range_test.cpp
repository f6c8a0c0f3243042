// Tests for src/cli/key_range.cpp: prefix successors with 0xff bytes and
// narrowing scan bounds to a prefix.
#include "cli/key_range.hpp"

#include <catch2/catch.hpp>
#include <string>

namespace sand::cli {
namespace {

TEST_CASE("prefix_successor raises the last byte", "[cli][key_range]") {
  CHECK(prefix_successor("ab") == "ac");
  CHECK(prefix_successor("a") == "b");
  CHECK(prefix_successor(std::string("\x00", 1)) == "\x01");
  CHECK(prefix_successor("a\x7f") == "a\x80");
  CHECK(prefix_successor("a\xfe") == "a\xff");
}

TEST_CASE("prefix_successor drops trailing 0xff bytes first", "[cli][key_range]") {
  CHECK(prefix_successor("a\xff") == "b");
  CHECK(prefix_successor("a\xff\xff\xff") == "b");
  CHECK(prefix_successor("a\xff"
                         "b\xff") ==
        "a\xff"
        "c");
  CHECK(prefix_successor("\xfe\xff") == "\xff");
}

TEST_CASE("prefix_successor: no upper bound for an empty or all-0xff prefix", "[cli][key_range]") {
  CHECK(prefix_successor("") == std::nullopt);
  CHECK(prefix_successor("\xff") == std::nullopt);
  CHECK(prefix_successor("\xff\xff") == std::nullopt);
}

TEST_CASE("prefix_successor bounds exactly the keys with the prefix", "[cli][key_range]") {
  // Every key starting with the prefix sorts below the successor (unsigned
  // bytes), and the successor itself does not start with the prefix.
  for (const std::string prefix : {"a", "a\xff", "ab\xff\xff", "\x01\xff"}) {
    INFO(prefix);
    const std::optional<std::string> end = prefix_successor(prefix);
    REQUIRE(end.has_value());
    CHECK(prefix < *end);
    CHECK(prefix + "\xff\xff\xff" < *end);
    CHECK_FALSE(end->starts_with(prefix));
  }
}

TEST_CASE("narrow_to_prefix: open bounds become the prefix range", "[cli][key_range]") {
  CHECK(narrow_to_prefix({}, "ab") == KeyRange{"ab", "ac"});
  CHECK(narrow_to_prefix({}, "a\xff") == KeyRange{"a\xff", "b"});
  CHECK(narrow_to_prefix({}, "\xff") == KeyRange{"\xff", std::nullopt});
  CHECK(narrow_to_prefix({}, "") == KeyRange{"", std::nullopt});
}

TEST_CASE("narrow_to_prefix intersects with the given bounds", "[cli][key_range]") {
  CHECK(narrow_to_prefix({"abc", std::nullopt}, "ab") == KeyRange{"abc", "ac"});
  CHECK(narrow_to_prefix({std::nullopt, "abc"}, "ab") == KeyRange{"ab", "abc"});
  CHECK(narrow_to_prefix({"a", "z"}, "ab") == KeyRange{"ab", "ac"});
  CHECK(narrow_to_prefix({"abb", "abd"}, "ab") == KeyRange{"abb", "abd"});
}

TEST_CASE("narrow_to_prefix: no overlap is an empty range, not an error", "[cli][key_range]") {
  CHECK(narrow_to_prefix({"a", "abc"}, "b") == KeyRange{"b", "b"});
  CHECK(narrow_to_prefix({"c", std::nullopt}, "b") == KeyRange{"c", "c"});
  // A range already backwards is left for DB::scan to reject.
  CHECK(narrow_to_prefix({"z", "a"}, "b") == KeyRange{"z", "a"});
}

}  // namespace
}  // namespace sand::cli
