// Bytes as JSON (cli/json_bytes.hpp): the rule of spec/json.md.
#include "cli/json_bytes.hpp"

#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <catch2/catch.hpp>
#include <string>

#include "support/byte_generators.hpp"

namespace sand::cli {
namespace {

using namespace std::string_literals;

using sand::test::any_bytes;

// Valid UTF-8: random scalar values (no surrogates) up to U+10FFFF, encoded.
rc::Gen<std::string> utf8_text() {
  const rc::Gen<std::uint32_t> scalar =
      rc::gen::suchThat(rc::gen::inRange<std::uint32_t>(0, 0x110000),
                        [](std::uint32_t c) { return c < 0xd800 || c > 0xdfff; });
  return rc::gen::map(rc::gen::container<std::vector<std::uint32_t>>(scalar),
                      [](const std::vector<std::uint32_t>& chars) {
                        std::string out;
                        for (const std::uint32_t c : chars) {
                          if (c < 0x80) {
                            out += static_cast<char>(c);
                          } else if (c < 0x800) {
                            out += static_cast<char>(0xc0 | c >> 6);
                            out += static_cast<char>(0x80 | (c & 0x3f));
                          } else if (c < 0x10000) {
                            out += static_cast<char>(0xe0 | c >> 12);
                            out += static_cast<char>(0x80 | (c >> 6 & 0x3f));
                            out += static_cast<char>(0x80 | (c & 0x3f));
                          } else {
                            out += static_cast<char>(0xf0 | c >> 18);
                            out += static_cast<char>(0x80 | (c >> 12 & 0x3f));
                            out += static_cast<char>(0x80 | (c >> 6 & 0x3f));
                            out += static_cast<char>(0x80 | (c & 0x3f));
                          }
                        }
                        return out;
                      });
}

TEST_CASE("is_valid_utf8 accepts RFC 3629 and refuses the rest", "[json_bytes]") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("plain ascii\t\n\x01"s + '\0'));
  CHECK(is_valid_utf8("\xc3\xa9"));          // é
  CHECK(is_valid_utf8("\xe2\x82\xac"));      // €
  CHECK(is_valid_utf8("\xf0\x9f\x98\x80"));  // U+1F600
  CHECK(is_valid_utf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF, the last code point
  CHECK_FALSE(is_valid_utf8("\xff"));
  CHECK_FALSE(is_valid_utf8("\x80"));              // a lone continuation byte
  CHECK_FALSE(is_valid_utf8("\xc3"));              // truncated
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xe0\x80\xaf"));      // overlong, 3 bytes
  CHECK_FALSE(is_valid_utf8("\xf0\x80\x80\xaf"));  // overlong, 4 bytes
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));      // U+D800, a surrogate
  CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // U+110000
  CHECK_FALSE(is_valid_utf8("\xf5\x80\x80\x80"));
  CHECK_FALSE(is_valid_utf8("\xe2\x28\xa1"));  // a bad continuation byte
}

TEST_CASE("bytes_to_json writes text as a string and other bytes as hex", "[json_bytes]") {
  CHECK(bytes_to_json("caf\xc3\xa9").dump() == "\"caf\xc3\xa9\"");
  CHECK(bytes_to_json("a\"b\\c\n").dump() == R"("a\"b\\c\n")");
  CHECK(bytes_to_json("\x01"s).dump() == R"("\u0001")");
  CHECK(bytes_to_json("ab\xff"s).dump() == R"({"hex":"6162ff"})");
  CHECK(bytes_to_json("\0\xfe"s).dump() == R"({"hex":"00fe"})");
}

TEST_CASE("bytes_from_json reads both forms and names what is wrong", "[json_bytes]") {
  CHECK(bytes_from_json(Json("x y"), "key").value() == "x y");
  CHECK(bytes_from_json(Json::parse(R"({"hex":"00FFab"})"), "key").value() == "\0\xff\xab"s);
  CHECK(bytes_from_json(Json::parse(R"({"hex":""})"), "key").value().empty());
  const auto message = [](const char* text) {
    const Result<std::string> bytes = bytes_from_json(Json::parse(text), "line 3: value");
    REQUIRE_FALSE(bytes.is_ok());
    CHECK(bytes.status().code() == Code::kInvalidArgument);
    return bytes.status().message();
  };
  CHECK_THAT(message("12"), Catch::Contains("line 3: value") && Catch::Contains("got 12"));
  CHECK_THAT(message(R"({"hex":"abc"})"), Catch::Contains("odd number of digits"));
  CHECK_THAT(message(R"({"hex":"zz"})"), Catch::Contains("non-hex digit at position 0"));
  CHECK_THAT(message(R"({"hex":"00","x":1})"), Catch::Contains("expected a string"));
  CHECK_THAT(message(R"({"base64":"AA=="})"), Catch::Contains("expected a string"));
}

TEST_CASE("any bytes round-trip through the JSON text", "[json_bytes][property]") {
  rc::prop("bytes -> JSON text -> bytes is the identity", [] {
    const std::string s = *rc::gen::oneOf(any_bytes(), utf8_text());
    const std::string text = bytes_to_json(s).dump();
    const Result<std::string> back = bytes_from_json(Json::parse(text), "value");
    RC_ASSERT(back.is_ok());
    RC_ASSERT(back.value() == s);
    // Exactly the valid UTF-8 inputs stay strings.
    RC_ASSERT(Json::parse(text).is_string() == is_valid_utf8(s));
  });
  rc::prop("encoded scalar values are valid UTF-8", [] { RC_ASSERT(is_valid_utf8(*utf8_text())); });
}

}  // namespace
}  // namespace sand::cli
