// VersionWaiters: a condition variable that writers touch only when someone
// waits.
#include "db/version_waiters.hpp"

namespace sand {

void VersionWaiters::published() {
  // A read-modify-write, not a load: the count's RMWs are totally ordered,
  // so either a waiter's increment comes first (we see it and notify) or
  // ours does (its increment then reads ours, and with it the caller's
  // store of the version, before it reads the version). A plain load could
  // pass the version's release store; a fence is not TSan-checkable.
  if (waiting_.fetch_add(0) == 0) return;
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
  waiting_.fetch_add(1);  // acquire: the version is read after it (published())
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
