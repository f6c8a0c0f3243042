// compare_bytes must order exactly as string_view::compare (memcmp order,
// bytes unsigned, a proper prefix first), for every length around its
// eight-byte steps.
#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <string>

#include "util/compare_bytes.hpp"

using sand::util::compare_bytes;

namespace {

int sign(int c) { return (c > 0) - (c < 0); }

}  // namespace

TEST_CASE("compare_bytes: the byte where two keys first differ decides, unsigned") {
  CHECK(compare_bytes("", "") == 0);
  CHECK(compare_bytes("", "a") < 0);
  CHECK(compare_bytes("a", "") > 0);
  CHECK(compare_bytes("abcdefgh", "abcdefgh") == 0);
  CHECK(compare_bytes("abcdefgh", "abcdefgi") < 0);
  CHECK(compare_bytes("abcdefgh1", "abcdefgh") > 0);         // a longer key after its prefix
  CHECK(compare_bytes("0000000000000001", "0000000000000010") < 0);  // differ in the second word
  CHECK(compare_bytes(std::string("\x80", 1), "\x7f") > 0);  // 0x80 sorts after 0x7f
  CHECK(compare_bytes(std::string("aaaaaaa\xff", 8), "aaaaaaab") > 0);
  CHECK(compare_bytes(std::string("b\0", 2), "b") > 0);       // a zero byte still counts
}

TEST_CASE("compare_bytes agrees with string_view::compare") {
  rc::prop("same sign for any two strings, and for a string and its extensions",
           [](const std::string& a, const std::string& b, const std::string& tail) {
             RC_ASSERT(sign(compare_bytes(a, b)) == sign(std::string_view(a).compare(b)));
             const std::string longer = a + tail;
             RC_ASSERT(sign(compare_bytes(a, longer)) ==
                       sign(std::string_view(a).compare(longer)));
             RC_ASSERT(sign(compare_bytes(longer, a)) == -sign(compare_bytes(a, longer)));
           });
  rc::prop("strings that share a long prefix differ where they differ",
           [](const std::string& prefix, char x, char y, const std::string& rest) {
             const std::string a = prefix + x + rest, b = prefix + y + rest;
             RC_ASSERT(sign(compare_bytes(a, b)) == sign(std::string_view(a).compare(b)));
           });
}
