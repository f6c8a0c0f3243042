// heap_bytes(): what a std::string holds on the heap, for memory accounting
// (Stats' memory fields).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace sand::util {

// None while the bytes fit in the string object itself (the small-string
// buffer), else its capacity plus the terminator.
inline std::size_t heap_bytes(const std::string& s) {
  const auto object = reinterpret_cast<std::uintptr_t>(&s);
  const auto data = reinterpret_cast<std::uintptr_t>(s.data());
  if (data >= object && data < object + sizeof s) return 0;
  return s.capacity() + 1;
}

}  // namespace sand::util
