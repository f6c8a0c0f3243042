// VersionWaiters: lets readers block until a version is committed
// (DB::wait_for_version) without costing writers anything while nobody
// waits.
//
// The writer calls published() after storing a new last version; it takes
// the mutex only when a waiter is registered (an atomic count). A waiter
// registers, then rechecks the version under the mutex before sleeping, so a
// publish between its check and its sleep is never missed: publish stores the
// version first, then reads the count with a read-modify-write; the waiter
// raises the count first, then reads the version (version_waiters.cpp says
// why that ordering holds).
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>

#include "sand/options.hpp"
#include "util/mutex.hpp"

namespace sand {

class VersionWaiters {
 public:
  // After a new last version was stored (seq_cst): wakes waiters, if any.
  void published() SAND_EXCLUDES(mu_);
  // Wakes every waiter for good: later waits return at once.
  void close() SAND_EXCLUDES(mu_);

  enum class Outcome { kReached, kTimedOut, kClosed };
  // Waits until last() >= v, `deadline` passes or close() is called.
  // `last` is read with no lock held by the caller.
  Outcome wait(const std::function<Version()>& last, Version v,
               std::chrono::steady_clock::time_point deadline) SAND_EXCLUDES(mu_);

 private:
  Mutex mu_;
  CondVar cv_;
  std::atomic<int> waiting_{0};
  std::atomic<bool> closed_{false};
};

}  // namespace sand
