// compact_progress: a progress line on a terminal while `sand compact` runs.
//
// DB::compact() reports nothing while it merges, and DB::stats() counts a
// compaction only once it is done (its counters jump at the end), so no
// honest percentage exists: the line shows the time spent, redrawn by a
// thread every kProgressRedrawInterval, and the summary the tables merged
// (the live tables when it started plus the flush compact() begins with)
// and the bytes compaction read, from DB::stats() before and after.
// (A real bar needs a progress callback from the merge in the engine.)
//
// Thread-safety: one CompactProgress per compaction, used by the thread that
// runs it; its own thread only redraws, and hands the Progress back (join)
// before finish() touches it.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "cli/progress.hpp"
#include "sand/db.hpp"

namespace sand::cli {

class CompactProgress {
 public:
  // Starts drawing on `fd` if it is a terminal (draws_progress_on); else does
  // nothing at all (no thread).
  CompactProgress(const DB& db, int fd);
  // Stops the thread; erases the line if finish() was not called.
  ~CompactProgress();
  CompactProgress(const CompactProgress&) = delete;
  CompactProgress& operator=(const CompactProgress&) = delete;

  // Stops the thread and prints the summary. Call once the compaction is done.
  void finish();

 private:
  void poll();
  void stop();

  const DB& db_;
  const Stats start_;
  std::unique_ptr<Progress> progress_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;     // not joinable when nothing is drawn
};

// Runs `work()` (which compacts `db` and returns a Status or Result) with a
// CompactProgress on `fd`, and returns its result once the line is finished
// (on success) or erased (on an error), so what the caller prints next never
// lands inside the line.
template <typename Work>
auto with_compact_progress(const DB& db, int fd, Work&& work) {
  CompactProgress progress(db, fd);
  auto result = work();
  if (result.is_ok()) progress.finish();
  return result;
}

}  // namespace sand::cli
