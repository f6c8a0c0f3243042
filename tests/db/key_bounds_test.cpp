// Tests for src/db/key_bounds.cpp: prefix successors with 0xff bytes, and
// from / to / prefix folded into one key range.
#include "db/key_bounds.hpp"

#include <catch2/catch.hpp>
#include <string>

namespace sand {
namespace {

using Bounds = std::pair<std::optional<std::string>, std::optional<std::string>>;

Bounds of(std::optional<std::string> from, std::optional<std::string> to, std::string prefix) {
  const KeyBounds b = KeyBounds::of(from, to, prefix);
  return {b.lower, b.upper};
}

TEST_CASE("prefix_successor raises the last byte", "[db][key_bounds]") {
  CHECK(prefix_successor("ab") == "ac");
  CHECK(prefix_successor("a") == "b");
  CHECK(prefix_successor(std::string("\x00", 1)) == "\x01");
  CHECK(prefix_successor("a\x7f") == "a\x80");
  CHECK(prefix_successor("a\xfe") == "a\xff");
}

TEST_CASE("prefix_successor drops trailing 0xff bytes first", "[db][key_bounds]") {
  CHECK(prefix_successor("a\xff") == "b");
  CHECK(prefix_successor("a\xff\xff\xff") == "b");
  CHECK(prefix_successor("a\xff"
                         "b\xff") ==
        "a\xff"
        "c");
  CHECK(prefix_successor("\xfe\xff") == "\xff");
}

TEST_CASE("prefix_successor: no upper bound for an empty or all-0xff prefix", "[db][key_bounds]") {
  CHECK(prefix_successor("") == std::nullopt);
  CHECK(prefix_successor("\xff") == std::nullopt);
  CHECK(prefix_successor("\xff\xff") == std::nullopt);
}

TEST_CASE("prefix_successor bounds exactly the keys with the prefix", "[db][key_bounds]") {
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

TEST_CASE("KeyBounds: open bounds become the prefix range", "[db][key_bounds]") {
  CHECK(of({}, {}, "ab") == Bounds{"ab", "ac"});
  CHECK(of({}, {}, "a\xff") == Bounds{"a\xff", "b"});
  CHECK(of({}, {}, "\xff") == Bounds{"\xff", std::nullopt});
  CHECK(of({}, {}, "") == Bounds{std::nullopt, std::nullopt});
}

TEST_CASE("KeyBounds intersects the prefix with from and to", "[db][key_bounds]") {
  CHECK(of("abc", {}, "ab") == Bounds{"abc", "ac"});
  CHECK(of({}, "abc", "ab") == Bounds{"ab", "abc"});
  CHECK(of("a", "z", "ab") == Bounds{"ab", "ac"});
  CHECK(of("abb", "abd", "ab") == Bounds{"abb", "abd"});
}

TEST_CASE("KeyBounds: no overlap is empty and meets no table", "[db][key_bounds]") {
  const KeyBounds disjoint = KeyBounds::of("a", "abc", "b");
  CHECK(disjoint.empty());
  CHECK_FALSE(disjoint.overlaps("", "\xff\xff"));
  const KeyBounds after = KeyBounds::of("c", std::nullopt, "b");
  CHECK(after.empty());
}

TEST_CASE("KeyBounds::overlaps compares a table's key range", "[db][key_bounds]") {
  const KeyBounds b = KeyBounds::of("b", "d", std::nullopt);
  CHECK(b.overlaps("a", "b"));   // largest == lower
  CHECK_FALSE(b.overlaps("a", "az"));
  CHECK(b.overlaps("c", "z"));
  CHECK_FALSE(b.overlaps("d", "z"));  // upper is exclusive
  CHECK(KeyBounds{}.overlaps("", ""));
}

}  // namespace
}  // namespace sand
