// Key ranges for scan's --prefix: the keys that start with a prefix P are
// exactly the half-open range [P, successor(P)), where successor(P) is the
// smallest key greater than every key starting with P. Keys are compared as
// unsigned bytes (as DB::scan does).
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sand::cli {

// The smallest key greater than every key that starts with `prefix`: the
// prefix with its trailing 0xff bytes dropped and its last byte then raised
// by one ("ab" -> "ac", "a\xff" -> "b"). nullopt when there is none, i.e.
// `prefix` is empty or all 0xff bytes: then the range has no upper bound.
std::optional<std::string> prefix_successor(std::string_view prefix);

// A scan's bounds [from, to); nullopt is an open bound.
struct KeyRange {
  std::optional<std::string> from;
  std::optional<std::string> to;

  friend bool operator==(const KeyRange&, const KeyRange&) = default;
};

// `range` narrowed to the keys that start with `prefix`: from becomes
// max(from, prefix) and to becomes min(to, prefix_successor(prefix)). When the
// two do not overlap the result is an empty range with from == to (which
// DB::scan accepts), so `--prefix` never turns a valid range into an error.
// A range whose own from is after its to is returned as is, for DB::scan to
// reject.
KeyRange narrow_to_prefix(KeyRange range, std::string_view prefix);

}  // namespace sand::cli
