// WriteQueue: a deque of waiting writers and one condition variable; every
// completion wakes all waiters, who check whether they are done or now lead.
// "Done" is a ticket compared with a count under mu_, not a flag in the
// Writer, so the analysis checks every access (a flag in a struct of its own
// cannot name WriteQueue::mu_ as its guard).
#include "db/write_queue.hpp"

#include <thread>

namespace sand {

bool WriteQueue::join(Writer* w) {
  MutexLock lock(mu_);
  const std::uint64_t ticket = joined_++;
  queue_.push_back(w);
  if (returning_ > 0) {
    --returning_;
    if (leader_waiting_) company_cv_.notify_one();
  }
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
    returning_ += group.size();
  }
  cv_.notify_all();
}

// A synced group costs one fsync however many writers it holds. Writers that
// write in a loop come back a few microseconds after their group completes,
// just after the next leader took the writers that were waiting: without
// this wait, N such writers split into groups of g and N-g by turns, two
// fsyncs per N writes where one would do. Waiting for them is the group
// commit delay of PostgreSQL (commit_delay) and MySQL
// (binlog_group_commit_sync_delay), made adaptive: only while writers of a
// recent group are still due, and a writer that does not come back within
// `limit` is not waited for again.
void WriteQueue::await_company(std::chrono::microseconds limit) {
  UniqueLock lock(mu_);
  if (returning_ == 0) return;
  const auto start = std::chrono::steady_clock::now();
  // Yielding through the first half hands the CPU to the writers on their
  // way back without the leader sleeping; the rest is a sleep that their
  // joins end (measured on 2 cores, 4 synced writers: +5% over sleeping
  // from the start).
  const auto stop_yielding = start + limit / 2;
  const auto deadline = start + limit;
  leader_waiting_ = true;
  while (returning_ > 0) {
    if (std::chrono::steady_clock::now() < stop_yielding) {
      lock.unlock();
      std::this_thread::yield();
      lock.lock();
    } else if (company_cv_.wait_until(mu_, deadline) == std::cv_status::timeout) {
      returning_ = 0;  // they went on to other work
      break;
    }
  }
  leader_waiting_ = false;
}

}  // namespace sand
