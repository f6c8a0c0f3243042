// WriteQueue: a deque of waiting writers and one condition variable; every
// completion wakes all waiters, who check whether they are done or now lead.
// "Done" is a ticket compared with a count under mu_, not a flag in the
// Writer, so the analysis checks every access (a flag in a struct of its own
// cannot name WriteQueue::mu_ as its guard).
#include "db/write_queue.hpp"

namespace sand {

bool WriteQueue::join(Writer* w) {
  MutexLock lock(mu_);
  const std::uint64_t ticket = joined_++;
  queue_.push_back(w);
  while (removed_ <= ticket && queue_.front() != w) cv_.wait(mu_);
  return removed_ <= ticket;
}

std::vector<WriteQueue::Writer*> WriteQueue::take_group(std::size_t max_bytes) {
  MutexLock lock(mu_);
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
    MutexLock lock(mu_);
    // The group is the front of the queue, in order.
    for (std::size_t i = 0; i < group.size(); ++i) queue_.pop_front();
    removed_ += group.size();
  }
  cv_.notify_all();
}

}  // namespace sand
