// WriteQueue: writers line up; the one at the front leads a group.
//
// Group commit (doc/design.md section 5): the leader takes itself and the writers
// queued behind it (up to a byte budget), commits them together (one WAL
// append, at most one fsync), and completes them all. Followers sleep until
// their write is done or they reach the front and lead the next group.
// Versions are assigned in queue order.
// Thread-safety: all methods are thread-safe; a Writer lives on its
// writer's stack and is touched by the leader only while it is queued.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

#include "sand/options.hpp"
#include "sand/status.hpp"
#include "sand/write_batch.hpp"

namespace sand {

class WriteQueue {
 public:
  struct Writer {
    const WriteBatch* batch = nullptr;
    bool sync = false;
    // Filled in by the leader that commits this writer.
    Status status{};
    Version version = 0;
    bool done = false;
  };

  // Queues `w` and waits. Returns true when `w` is at the front and must lead
  // (then call take_group and finish), false when another leader completed it.
  bool join(Writer* w);
  // REQUIRES: the caller leads. The leader and the writers behind it, in
  // order, while their batches total at most `max_bytes` (the leader always).
  std::vector<Writer*> take_group(std::size_t max_bytes);
  // REQUIRES: `group` came from take_group and each writer's status and
  // version are set. Marks them done, removes them, wakes everyone.
  void finish(const std::vector<Writer*>& group);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Writer*> queue_;  // GUARDED_BY(mu_)
};

}  // namespace sand
