// Prefix ranges for scan --prefix (key_range.hpp).
#include "cli/key_range.hpp"

namespace sand::cli {

std::optional<std::string> prefix_successor(std::string_view prefix) {
  std::string next(prefix);
  // 0xff cannot be raised; every key starting with "a\xff" is below "b".
  while (!next.empty() && static_cast<unsigned char>(next.back()) == 0xff) next.pop_back();
  if (next.empty()) return std::nullopt;
  next.back() = static_cast<char>(static_cast<unsigned char>(next.back()) + 1);
  return next;
}

KeyRange narrow_to_prefix(KeyRange range, std::string_view prefix) {
  // std::string compares chars as unsigned bytes (char_traits<char>::lt), as
  // the engine orders keys.
  if (range.from && range.to && *range.from > *range.to) return range;
  if (!range.from || *range.from < prefix) range.from = std::string(prefix);
  if (std::optional<std::string> end = prefix_successor(prefix)) {
    if (!range.to || *end < *range.to) range.to = std::move(end);
  }
  if (range.to && *range.from > *range.to) range.to = range.from;
  return range;
}

}  // namespace sand::cli
