// Read-ahead hints (read_hint.hpp).
#include "util/read_hint.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

namespace sand::util {

void hint_will_need(std::string_view bytes) {
  if (bytes.empty()) return;
  static const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<std::uintptr_t>(bytes.data()) / page * page;
  const auto end = reinterpret_cast<std::uintptr_t>(bytes.data()) + bytes.size();
  (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_WILLNEED);
}

}  // namespace sand::util
