// KeyBounds: the user keys a scan or a change feed covers, [lower, upper),
// built from the caller's from / to / prefix, and the test that lets both
// skip tables whose key range misses it.
// Keys compare as unsigned bytes (std::string's order), as the engine's.
// A plain value; thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sand {

// The shortest key above every key that starts with `prefix`, or nullopt if
// there is none (the prefix is empty or all 0xff bytes).
std::optional<std::string> prefix_successor(std::string_view prefix);

// lower <= key < upper, either side unbounded when absent. A prefix is the
// range [prefix, prefix_successor(prefix)).
struct KeyBounds {
  std::optional<std::string> lower, upper;

  // [from, to) narrowed to the keys that start with `prefix`.
  static KeyBounds of(const std::optional<std::string>& from, const std::optional<std::string>& to,
                      const std::optional<std::string>& prefix);

  bool empty() const { return lower && upper && *lower >= *upper; }
  bool below_upper(std::string_view key) const { return !upper || key < std::string_view(*upper); }
  // Whether a table holding user keys [smallest, largest] may hold a key
  // within the bounds.
  bool overlaps(std::string_view smallest, std::string_view largest) const;
};

}  // namespace sand
