// Bytes as JSON: how every JSON the `sand` tool writes (--json answers,
// `dump --json`, `export --latest --format jsonl`) and the test vectors'
// `.json` carry a key or a value, which may be any bytes (spec/json.md).
//
// The rule:
// - Bytes that are valid UTF-8 (RFC 3629: shortest forms only, no
//   surrogates, nothing above U+10FFFF) are a JSON string of those
//   characters, escaped as RFC 8259 requires (`"`, `\` and U+0000..U+001F).
// - Any other bytes are an object with one member, {"hex": "<lowercase hex
//   digits, two per byte>"}.
// So every key and value round-trips, text stays readable (`jq -r .key`),
// and a reader can always tell which form it has.
//
// Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "sand/status.hpp"

namespace sand::cli {

// The JSON type the tool writes: members keep the order they were added in,
// so output is stable and reads in a sensible order.
using Json = nlohmann::ordered_json;

// Whether `bytes` is valid UTF-8 as RFC 3629 defines it.
bool is_valid_utf8(std::string_view bytes);

// `bytes` as the rule above says: a string, or {"hex": "..."}.
Json bytes_to_json(std::string_view bytes);

// The bytes `value` stands for: a string's UTF-8 bytes, or the bytes of
// {"hex": "..."} (upper- or lowercase digits). Errors: InvalidArgument
// naming `what` if `value` is neither form (another type, an object with
// other members, odd or non-hex digits).
Result<std::string> bytes_from_json(const Json& value, std::string_view what);

}  // namespace sand::cli
