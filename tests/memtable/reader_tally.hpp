// ReaderTally: what a memtable concurrency test's reader thread reports to
// the main thread, which alone may assert (Catch2 is not thread-safe): the
// passes it completed, or its first failure.
#pragma once

#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <utility>

namespace sand::memtable_test {

class ReaderTally {
 public:
  explicit ReaderTally(int id) : id_(id) {}

  // Meaningful only after the reader's thread has been joined.
  const std::string& failure() const { return failure_; }
  // Passes completed, or -1 once a pass failed.
  std::atomic<int> passes{0};

 protected:
  int id() const { return id_; }
  // Counts a completed pass; returns true.
  bool passed() {
    passes.fetch_add(1, std::memory_order_release);
    return true;
  }
  // Records the failure (naming the reader); returns false.
  bool fail(std::string what) {
    failure_ = "reader " + std::to_string(id_) + ": " + std::move(what);
    passes.store(-1, std::memory_order_release);
    return false;
  }

 private:
  const int id_;
  std::string failure_;
};

// Writer side: blocks until every reader has completed a pass, so each
// reads while writes are under way however the threads get scheduled.
template <typename Readers>
void wait_for_a_pass_each(const Readers& readers) {
  for (const auto& r : readers) {
    while (r->passes.load(std::memory_order_acquire) == 0) std::this_thread::yield();
  }
}

// Main thread, after the readers' threads were joined: none failed, and
// each completed at least two passes.
template <typename Readers>
void check_readers(const Readers& readers) {
  for (const auto& reader : readers) {
    INFO(reader->failure());
    CHECK(reader->failure().empty());
    CHECK(reader->passes.load() >= 2);
  }
}

}  // namespace sand::memtable_test
