// Read-ahead hints for mapped files.
// Thread-safety: thread-safe (a hint to the kernel, no state).
#pragma once

#include <string_view>

namespace sand::util {

// Asks the kernel to start reading the pages under `bytes` (madvise
// MADV_WILLNEED on the pages that hold them), so that later reads of a
// mapped file find them in memory. A hint: failures are ignored, and on
// memory that maps no file it does nothing useful but no harm either.
void hint_will_need(std::string_view bytes);

}  // namespace sand::util
