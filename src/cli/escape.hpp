// Escaping: how the CLI and shell write arbitrary key and value bytes as one
// line of printable text, and read them back.
//
// The rule (also in the README):
// - A byte outside printable ASCII 0x21..0x7e, and every backslash, is written
//   `\xNN` with two lowercase hex digits.
// - A space (0x20) in a KEY is written `\x20`, so a key is always one token.
//   A space in a VALUE is written as is: a value is the rest of its line (or
//   the last field of a scan/history line), so its spaces are unambiguous.
// - Input accepts `\xNN` with upper- or lowercase hex digits; any other
//   backslash sequence is an error. Other bytes, raw spaces and raw control
//   bytes included, are taken literally.
// So unescape(escape_key(s)) == unescape(escape_value(s)) == s for every s.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "sand/status.hpp"

namespace sand::cli {

// `key` as one token: only bytes 0x21..0x7e, backslashes as `\x5c`.
std::string escape_key(std::string_view key);

// `value` as the rest of a line: only bytes 0x20..0x7e, backslashes as `\x5c`.
std::string escape_value(std::string_view value);

// The bytes `text` stands for. Errors: InvalidArgument naming the 0-based
// byte position of a backslash not followed by `x` and two hex digits.
Result<std::string> unescape(std::string_view text);

}  // namespace sand::cli
