// WriteQueue: writers line up; the one at the front leads a group.
//
// Group commit (doc/design.md section 5): the leader takes itself and the writers
// queued behind it (up to a byte budget), commits them together (one WAL
// append, at most one fsync), and completes them all. Followers sleep until
// their write is done or they reach the front and lead the next group.
// Versions are assigned in queue order.
// Thread-safety: all methods are thread-safe and take mu_, which is never
// held with any other lock. A Writer lives on its writer's stack; the leader
// fills in its status and version without a lock while it is queued, and
// finish() hands them over (mu_ orders the leader's writes before the
// writer's reads).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "sand/options.hpp"
#include "sand/status.hpp"
#include "sand/write_batch.hpp"
#include "util/mutex.hpp"

namespace sand {

class WriteQueue {
 public:
  struct Writer {
    const WriteBatch* batch = nullptr;
    // What goes into the WAL: the batch's rep, or its copy with large
    // values compressed (WriteBatchAccess::compress_values).
    const std::string* rep = nullptr;
    bool sync = false;
    // Filled in by the leader that commits this writer, read by the writer
    // once join() returns false.
    Status status{};
    Version version = 0;
  };

  // Queues `w` and waits. Returns true when `w` is at the front and must lead
  // (then call take_group and finish), false when another leader completed it.
  bool join(Writer* w) SAND_EXCLUDES(mu_);
  // REQUIRES: the caller leads. The leader and the writers behind it, in
  // order, while their batches total at most `max_bytes` (the leader always).
  std::vector<Writer*> take_group(std::size_t max_bytes) SAND_EXCLUDES(mu_);
  // REQUIRES: `group` came from take_group and each writer's status and
  // version are set. Marks them done, removes them, wakes everyone.
  void finish(const std::vector<Writer*>& group) SAND_EXCLUDES(mu_);
  // REQUIRES: the caller leads, before take_group. Waits, at most `limit`,
  // for the writers of recent groups that have not queued again yet, so
  // that one fsync covers them too (see the .cpp). Returns at once when all
  // have queued again.
  void await_company(std::chrono::microseconds limit) SAND_EXCLUDES(mu_);

 private:
  Mutex mu_;
  CondVar cv_;
  std::deque<Writer*> queue_ SAND_GUARDED_BY(mu_);
  // Writers ever queued and ever removed: the writer that joined as number
  // n (counting from 0) is done once removed_ > n, since writers leave in
  // the order they came.
  std::uint64_t joined_ SAND_GUARDED_BY(mu_) = 0;
  std::uint64_t removed_ SAND_GUARDED_BY(mu_) = 0;
  // Writers completed by finish() that have not joined again since (a
  // count, not their identities: any join takes one off).
  std::uint64_t returning_ SAND_GUARDED_BY(mu_) = 0;
  bool leader_waiting_ SAND_GUARDED_BY(mu_) = false;
  CondVar company_cv_;  // a writer joined while the leader awaits company
};

}  // namespace sand
