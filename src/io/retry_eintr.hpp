// Retrying a POSIX call that a signal interrupted (EINTR), shared by the
// POSIX file classes.
#pragma once

#include <cerrno>

namespace sand::io {

// Calls f() until it returns non-negative or fails with an errno other than
// EINTR; returns its last result (errno is then the failure's).
template <typename F>
auto retry_eintr(F f) {
  decltype(f()) r;
  do {
    r = f();
  } while (r < 0 && errno == EINTR);
  return r;
}

}  // namespace sand::io
