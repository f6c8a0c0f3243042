// KeyBounds: from / to / prefix as one key range.
#include "db/key_bounds.hpp"

namespace sand {

std::optional<std::string> prefix_successor(std::string_view prefix) {
  std::string next(prefix);
  // 0xff cannot be raised: every key starting with "a\xff" is below "b".
  while (!next.empty() && static_cast<unsigned char>(next.back()) == 0xff) next.pop_back();
  if (next.empty()) return std::nullopt;
  next.back() = static_cast<char>(static_cast<unsigned char>(next.back()) + 1);
  return next;
}

KeyBounds KeyBounds::of(const std::optional<std::string>& from,
                        const std::optional<std::string>& to,
                        const std::optional<std::string>& prefix) {
  KeyBounds bounds{.lower = from, .upper = to};
  if (!prefix || prefix->empty()) return bounds;
  if (!bounds.lower || *bounds.lower < *prefix) bounds.lower = *prefix;
  if (std::optional<std::string> end = prefix_successor(*prefix)) {
    if (!bounds.upper || *end < *bounds.upper) bounds.upper = std::move(end);
  }
  return bounds;
}

bool KeyBounds::overlaps(std::string_view smallest, std::string_view largest) const {
  if (empty()) return false;
  if (lower && largest < std::string_view(*lower)) return false;
  return below_upper(smallest);
}

}  // namespace sand
