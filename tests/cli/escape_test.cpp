// Tests for src/cli/escape.cpp: the exact escaped forms, the round trip over
// arbitrary bytes, and the errors for bad escapes.
#include "cli/escape.hpp"

#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "support/byte_generators.hpp"

namespace sand::cli {
namespace {

using namespace std::string_literals;

using sand::test::any_bytes;

TEST_CASE("escape_key leaves printable ASCII except backslash alone", "[cli][escape]") {
  CHECK(escape_key("abc~!{}@-") == "abc~!{}@-");
}

TEST_CASE("escape_key writes space, backslash and control bytes as hex escapes", "[cli][escape]") {
  CHECK(escape_key("a b") == "a\\x20b");
  CHECK(escape_key("a\\b") == "a\\x5cb");
  CHECK(escape_key("\t\n\r") == "\\x09\\x0a\\x0d");
  CHECK(escape_key("\x00\x7f\x80\xff"s) == "\\x00\\x7f\\x80\\xff");
}

TEST_CASE("escape_value keeps spaces but escapes everything else", "[cli][escape]") {
  CHECK(escape_value("hello world ") == "hello world ");
  CHECK(escape_value("a\\b\tc\x00"s) == "a\\x5cb\\x09c\\x00");
}

TEST_CASE("escape of the empty string is empty", "[cli][escape]") {
  CHECK(escape_key("").empty());
  CHECK(escape_value("").empty());
  CHECK(unescape("").value().empty());
}

TEST_CASE("unescape accepts lower and upper case hex digits", "[cli][escape]") {
  CHECK(unescape("a\\x20b").value() == "a b");
  CHECK(unescape("\\xFF\\xfe\\xAb").value() == "\xff\xfe\xab");
  CHECK(unescape("\\x00").value() == "\x00"s);
}

TEST_CASE("unescape takes raw spaces and control bytes literally", "[cli][escape]") {
  CHECK(unescape("a b\t\x01").value() == "a b\t\x01");
}

TEST_CASE("unescape rejects other backslash sequences and names the byte", "[cli][escape]") {
  const auto error_at = [](std::string_view text) {
    Result<std::string> r = unescape(text);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    return r.status().message();
  };
  CHECK(error_at("ab\\n") == "bad escape at byte 2: expected \\xNN with two hex digits");
  CHECK(error_at("\\") == "bad escape at byte 0: expected \\xNN with two hex digits");
  CHECK(error_at("x\\x") == "bad escape at byte 1: expected \\xNN with two hex digits");
  CHECK(error_at("x\\x4") == "bad escape at byte 1: expected \\xNN with two hex digits");
  CHECK(error_at("\\x41\\xg1") == "bad escape at byte 4: expected \\xNN with two hex digits");
  CHECK(error_at("\\x4g") == "bad escape at byte 0: expected \\xNN with two hex digits");
  CHECK(error_at("\\\\") == "bad escape at byte 0: expected \\xNN with two hex digits");
  CHECK(error_at("\\X41") == "bad escape at byte 0: expected \\xNN with two hex digits");
}

TEST_CASE("escape then unescape gives back any bytes", "[cli][escape]") {
  rc::prop("key round trip", [] {
    const std::string bytes = *any_bytes();
    RC_ASSERT(unescape(escape_key(bytes)).value() == bytes);
  });
  rc::prop("value round trip", [] {
    const std::string bytes = *any_bytes();
    RC_ASSERT(unescape(escape_value(bytes)).value() == bytes);
  });
}

TEST_CASE("escaped keys are one token of printable ASCII", "[cli][escape]") {
  rc::prop("key alphabet", [] {
    for (char c : escape_key(*any_bytes())) {
      RC_ASSERT(c >= 0x21);
      RC_ASSERT(c <= 0x7e);
    }
  });
  rc::prop("value alphabet", [] {
    for (char c : escape_value(*any_bytes())) {
      RC_ASSERT(c >= 0x20);
      RC_ASSERT(c <= 0x7e);
    }
  });
}

}  // namespace
}  // namespace sand::cli
