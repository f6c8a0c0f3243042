// cat(): concatenates strings and integers into one std::string, for the
// bench programs' messages. Built with += rather than `"literal" +
// std::string&&`, on which g++ 12 at -O3 reports a false -Wrestrict.
// Thread-safety: pure functions.
#pragma once

#include <concepts>
#include <string>
#include <string_view>

namespace sand_bench {

inline void append_part(std::string& out, std::string_view s) { out += s; }
inline void append_part(std::string& out, std::integral auto n) { out += std::to_string(n); }

std::string cat(const auto&... parts) {
  std::string out;
  (append_part(out, parts), ...);
  return out;
}

}  // namespace sand_bench
