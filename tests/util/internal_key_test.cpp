// Tests for src/util/internal_key: layout and ordering of internal keys.
#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include "util/internal_key.hpp"

using namespace sand;

namespace {
std::string ikey(std::string_view k, Version v, EntryKind kind) {
  std::string s;
  append_internal_key(&s, k, v, kind);
  return s;
}
}  // namespace

TEST_CASE("internal key layout is user key then little-endian trailer", "[internal_key]") {
  const std::string k = ikey("ab", 0x010203, EntryKind::kPut);
  CHECK(k == std::string("ab\x01\x03\x02\x01\x00\x00\x00\x00", 10));
  ParsedKey p;
  REQUIRE(parse_internal_key(k, &p));
  CHECK(p.user_key == "ab");
  CHECK(p.version == 0x010203);
  CHECK(p.kind == EntryKind::kPut);
}

TEST_CASE("parse rejects short keys and unknown kinds", "[internal_key]") {
  ParsedKey p;
  CHECK_FALSE(parse_internal_key("short", &p));
  std::string k = ikey("a", 5, EntryKind::kDelete);
  k[1] = 7;  // kind byte
  CHECK_FALSE(parse_internal_key(k, &p));
}

TEST_CASE("order: user key ascending, then version descending", "[internal_key]") {
  CHECK(compare_internal_keys(ikey("a", 1, EntryKind::kPut), ikey("b", 9, EntryKind::kPut)) < 0);
  CHECK(compare_internal_keys(ikey("a", 9, EntryKind::kPut), ikey("a", 1, EntryKind::kPut)) < 0);
  CHECK(compare_internal_keys(ikey("a", 3, EntryKind::kPut), ikey("ab", 3, EntryKind::kPut)) < 0);
  CHECK(compare_internal_keys(ikey("", 3, EntryKind::kPut), ikey("a", 3, EntryKind::kPut)) < 0);
  // A seek key for (k, v) sorts before every entry of k at versions <= v and
  // after every entry of k at versions > v.
  const std::string target = seek_key("k", 5);
  CHECK(compare_internal_keys(target, ikey("k", 5, EntryKind::kPut)) < 0);
  CHECK(compare_internal_keys(target, ikey("k", 5, EntryKind::kDelete)) < 0);
  CHECK(compare_internal_keys(target, ikey("k", 4, EntryKind::kPut)) < 0);
  CHECK(compare_internal_keys(target, ikey("k", 6, EntryKind::kPut)) > 0);
}

TEST_CASE("internal key order agrees with (key, -version) order", "[internal_key]") {
  rc::prop("comparison matches the tuple order",
           [](const std::string& a, const std::string& b, std::uint32_t va, std::uint32_t vb) {
             const int c = compare_internal_keys(ikey(a, va, EntryKind::kPut),
                                                 ikey(b, vb, EntryKind::kPut));
             int expected = a.compare(b);
             if (expected == 0) expected = va > vb ? -1 : (va < vb ? 1 : 0);
             RC_ASSERT((c < 0) == (expected < 0));
             RC_ASSERT((c == 0) == (expected == 0));
           });
}
