// Escaping of key and value bytes for the CLI and shell (see escape.hpp for
// the rule).
#include "cli/escape.hpp"

#include <cstddef>

#include "cli/hex_digits.hpp"

namespace sand::cli {
namespace {

// `text` with every byte outside [lowest, 0x7e], and every backslash, written
// as `\xNN`.
std::string escape(std::string_view text, unsigned char lowest) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= lowest && b <= 0x7e && c != '\\') {
      out.push_back(c);
    } else {
      out += "\\x";
      append_hex(out, b);
    }
  }
  return out;
}

}  // namespace

std::string escape_key(std::string_view key) { return escape(key, 0x21); }

std::string escape_value(std::string_view value) { return escape(value, 0x20); }

Result<std::string> unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out.push_back(text[i]);
      continue;
    }
    // A complete escape is 4 bytes: backslash, 'x', two hex digits.
    const bool complete = i + 4 <= text.size() && text[i + 1] == 'x';
    const int hi = complete ? hex_value(text[i + 2]) : -1;
    const int lo = complete ? hex_value(text[i + 3]) : -1;
    if (hi < 0 || lo < 0) {
      return Status::invalid_argument("bad escape at byte " + std::to_string(i) +
                                      ": expected \\xNN with two hex digits");
    }
    out.push_back(static_cast<char>((hi << 4) | lo));
    i += 3;
  }
  return out;
}

}  // namespace sand::cli
