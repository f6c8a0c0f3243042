// Mutex, MutexLock, UniqueLock, CondVar: std::mutex and
// std::condition_variable with the annotations clang's thread-safety
// analysis needs (util/thread_annotations.hpp), so lock rules written as
// SAND_GUARDED_BY / SAND_REQUIRES are compile errors when broken. Every
// method is inline and forwards to the std type: same cost in a release
// build. Builds without NDEBUG also record the holder, so assert_held() is
// checked and locking a mutex twice from one thread aborts instead of
// deadlocking.
//
//   class Queue {
//    public:
//     void push(int v) SAND_EXCLUDES(mu_) {
//       MutexLock lock(mu_);
//       items_.push_back(v);
//       cv_.notify_one();
//     }
//     int pop() SAND_EXCLUDES(mu_) {
//       MutexLock lock(mu_);
//       while (items_.empty()) cv_.wait(mu_);  // the wait pattern, below
//       const int v = items_.front();
//       items_.pop_front();
//       return v;
//     }
//    private:
//     Mutex mu_;
//     CondVar cv_;
//     std::deque<int> items_ SAND_GUARDED_BY(mu_);
//   };
//
// Waiting for a condition on guarded state: write the loop
//     while (!(condition)) cv_.wait(mu_);
// rather than cv_.wait(mu_, [&] { return condition; }). Clang checks a
// lambda body as a function of its own that holds no lock, so a predicate
// reading a guarded field does not compile; the loop is checked where it
// stands, with the lock visibly held, and is exactly what wait(mu, pred)
// does. wait(mu, pred) is for predicates that read no guarded state
// (atomics, locals). With a time limit, loop on wait_until and a deadline:
//     while (!(condition) && cv_.wait_until(mu_, deadline) != std::cv_status::timeout) {}
//
// Why CondVar takes the Mutex, not the lock object: the analysis can check
// "mu is held" (SAND_REQUIRES(mu)) but clang 14 cannot check that a
// MutexLock or UniqueLock passed by reference is held (it rejects
// SAND_REQUIRES(lock), and does not see through a lock.mutex() accessor).
// cv.wait(mu) works whichever lock object holds mu.
//
// Dropping the lock for a while: in the function that holds it, use a
// UniqueLock and call unlock() / lock() on it. In a helper that runs with
// its caller's lock held, annotate the helper SAND_REQUIRES(mu_) and call
// mu_.unlock() / mu_.lock() on the Mutex: clang 14 cannot follow a
// UniqueLock passed by reference (unlocking it in the callee is "releasing
// mutex 'lock' that was not held"). Either way the analysis checks that the
// lock is held again wherever guarded state is touched and when the scope
// ends.
//
// Thread-safety: Mutex and CondVar are thread-safe (that is their job); a
// MutexLock or UniqueLock belongs to the thread that made it.
#pragma once

#include <atomic>
#include <cassert>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "util/thread_annotations.hpp"

namespace sand {

class SAND_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() SAND_ACQUIRE() {
    assert(!held_by_me() && "Mutex locked twice by one thread");
    mu_.lock();
    note_holder();
  }
  void unlock() SAND_RELEASE() {
    assert(held_by_me() && "Mutex unlocked by a thread that does not hold it");
    clear_holder();
    mu_.unlock();
  }
  // True when the lock was taken; never blocks.
  [[nodiscard]] bool try_lock() SAND_TRY_ACQUIRE(true) {
    if (!mu_.try_lock()) return false;
    note_holder();
    return true;
  }

  // Tells the analysis that the calling thread holds this mutex, for code it
  // cannot follow (a callback run under the lock). Aborts if that is false,
  // in builds without NDEBUG; does nothing otherwise.
  void assert_held() const SAND_ASSERT_CAPABILITY(this) {
    assert(held_by_me() && "Mutex::assert_held: not held by this thread");
  }

 private:
  friend class CondVar;

  // The holder is tracked only without NDEBUG; the field is always there so
  // the layout does not depend on NDEBUG. Relaxed is enough: a thread only
  // asks whether the holder is itself, which it wrote itself if so.
#ifdef NDEBUG
  bool held_by_me() const { return true; }
  void note_holder() {}
  void clear_holder() {}
#else
  bool held_by_me() const {
    return holder_.load(std::memory_order_relaxed) == std::this_thread::get_id();
  }
  void note_holder() { holder_.store(std::this_thread::get_id(), std::memory_order_relaxed); }
  void clear_holder() { holder_.store(std::thread::id(), std::memory_order_relaxed); }
#endif

  std::mutex mu_;
  std::atomic<std::thread::id> holder_{};
};

// Holds a Mutex from construction to the end of the scope (std::lock_guard).
class SAND_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) SAND_ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~MutexLock() SAND_RELEASE() { mu_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

// Holds a Mutex from construction, may release and retake it in the middle
// of the scope, and releases it at the end if held (std::unique_lock without
// deferred or adopted locking). The analysis tracks each unlock()/lock(): a
// guarded access between them, or unlocking twice, fails to compile.
class SAND_SCOPED_CAPABILITY UniqueLock {
 public:
  explicit UniqueLock(Mutex& mu) SAND_ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~UniqueLock() SAND_RELEASE() {
    if (held_) mu_.unlock();
  }
  UniqueLock(const UniqueLock&) = delete;
  UniqueLock& operator=(const UniqueLock&) = delete;

  // REQUIRES: held.
  void unlock() SAND_RELEASE() {
    assert(held_);
    held_ = false;
    mu_.unlock();
  }
  // REQUIRES: not held.
  void lock() SAND_ACQUIRE() {
    assert(!held_);
    mu_.lock();
    held_ = true;
  }

 private:
  Mutex& mu_;
  bool held_ = true;
};

// A condition variable over std::condition_variable (cheaper than
// std::condition_variable_any): wait() releases the given Mutex while it
// sleeps and holds it again when it returns. Wakeups may be spurious: wait
// in a loop on the condition (see the top of this file).
class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  void wait(Mutex& mu) SAND_REQUIRES(mu) {
    // Borrow the std::mutex for the std wait, then hand it back still
    // locked: the caller's MutexLock or UniqueLock owns it.
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    mu.clear_holder();
    cv_.wait(lock);
    mu.note_holder();
    lock.release();
  }

  // Waits until pred() is true. pred runs with mu held but, being a lambda,
  // is analysed without it: use it only for predicates on unguarded state.
  template <typename Predicate>
  void wait(Mutex& mu, Predicate pred) SAND_REQUIRES(mu) {
    while (!pred()) wait(mu);
  }

  // Returns std::cv_status::timeout once `deadline` has passed.
  template <typename Clock, typename Duration>
  std::cv_status wait_until(Mutex& mu, const std::chrono::time_point<Clock, Duration>& deadline)
      SAND_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    mu.clear_holder();
    const std::cv_status status = cv_.wait_until(lock, deadline);
    mu.note_holder();
    lock.release();
    return status;
  }

  // Returns std::cv_status::timeout once `timeout` has passed.
  template <typename Rep, typename Period>
  std::cv_status wait_for(Mutex& mu, const std::chrono::duration<Rep, Period>& timeout)
      SAND_REQUIRES(mu) {
    return wait_until(mu, std::chrono::steady_clock::now() + timeout);
  }

  void notify_one() noexcept { cv_.notify_one(); }
  void notify_all() noexcept { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace sand
