// Small helpers shared by the bench/ programs: keys of a fixed width, and
// unwrapping results (a failed call ends the program with its error).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include "sand/sand.hpp"

namespace sand::bench {

// A 16-byte decimal key, zero-padded, so keys order as numbers.
// REQUIRES: i < 10^16.
inline std::string key_of(std::uint64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llu", static_cast<unsigned long long>(i));
  return std::string(buf, 16);
}

template <typename T>
T check(Result<T> r) {
  if (!r.is_ok()) {
    std::fprintf(stderr, "error: %s\n", r.status().to_string().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

inline void check(const Status& s) {
  if (!s.is_ok()) {
    std::fprintf(stderr, "error: %s\n", s.to_string().c_str());
    std::exit(1);
  }
}

}  // namespace sand::bench
