// Internal keys for tests: build one from its parts, and order them as every
// engine layer does (user key ascending, version descending). Test-only.
#pragma once

#include <string>
#include <string_view>

#include "util/internal_key.hpp"

namespace sand::test {

inline std::string ikey(std::string_view user_key, Version v, EntryKind kind = EntryKind::kPut) {
  std::string k;
  append_internal_key(&k, user_key, v, kind);
  return k;
}

struct InternalKeyLess {
  bool operator()(const std::string& a, const std::string& b) const {
    return compare_internal_keys(a, b) < 0;
  }
};

}  // namespace sand::test
