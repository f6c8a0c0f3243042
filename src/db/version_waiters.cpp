// VersionWaiters: a condition variable that writers touch only when someone
// waits.
#include "db/version_waiters.hpp"

namespace sand {

void VersionWaiters::published() {
  // Orders the caller's store of the version before the load of the count
  // (a release store alone may pass a later load).
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (waiting_.load() == 0) return;
  MutexLock lock(mu_);  // a waiter between its check and its sleep holds mu_
  cv_.notify_all();
}

void VersionWaiters::close() {
  closed_.store(true);
  MutexLock lock(mu_);
  cv_.notify_all();
}

VersionWaiters::Outcome VersionWaiters::wait(const std::function<Version()>& last, Version v,
                                             std::chrono::steady_clock::time_point deadline) {
  waiting_.fetch_add(1);
  std::atomic_thread_fence(std::memory_order_seq_cst);  // count raised before the version is read
  Outcome outcome = Outcome::kTimedOut;
  {
    MutexLock lock(mu_);
    while (true) {
      if (last() >= v) {
        outcome = Outcome::kReached;
        break;
      }
      if (closed_.load()) {
        outcome = Outcome::kClosed;
        break;
      }
      if (cv_.wait_until(mu_, deadline) == std::cv_status::timeout) {
        outcome = last() >= v ? Outcome::kReached : Outcome::kTimedOut;
        break;
      }
    }
  }
  waiting_.fetch_sub(1);
  return outcome;
}

}  // namespace sand
