// WriteQueue: a deque of waiting writers and one condition variable; every
// completion wakes all waiters, who check whether they are done or now lead.
#include "db/write_queue.hpp"

namespace sand {

bool WriteQueue::join(Writer* w) {
  std::unique_lock lock(mu_);
  queue_.push_back(w);
  cv_.wait(lock, [&] { return w->done || queue_.front() == w; });
  return !w->done;
}

std::vector<WriteQueue::Writer*> WriteQueue::take_group(std::size_t max_bytes) {
  std::lock_guard lock(mu_);
  std::vector<Writer*> group;
  std::size_t bytes = 0;
  for (Writer* w : queue_) {
    const std::size_t size = w->batch->byte_size();
    if (!group.empty() && bytes + size > max_bytes) break;
    group.push_back(w);
    bytes += size;
  }
  return group;
}

void WriteQueue::finish(const std::vector<Writer*>& group) {
  {
    std::lock_guard lock(mu_);
    for (Writer* w : group) {
      w->done = true;
      queue_.pop_front();  // the group is the front of the queue, in order
    }
  }
  cv_.notify_all();
}

}  // namespace sand
