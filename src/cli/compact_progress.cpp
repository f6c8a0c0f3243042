// CompactProgress (cli/compact_progress.hpp).
#include "cli/compact_progress.hpp"

namespace sand::cli {
namespace {

std::uint64_t live_tables(const Stats& s) { return s.tables[0] + s.tables[1] + s.tables[2]; }

}  // namespace

CompactProgress::CompactProgress(const DB& db, int fd) : db_(db), start_(db.stats()) {
  if (!draws_progress_on(fd)) return;
  progress_ = Progress::on_terminal(fd, "compact", 0, "tables");
  thread_ = std::thread([this] { poll(); });
}

CompactProgress::~CompactProgress() { stop(); }

void CompactProgress::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void CompactProgress::poll() {
  std::unique_lock<std::mutex> lock(mu_);
  // Nothing is counted until the compaction is over (see the header), so an
  // update only advances the elapsed time the line shows.
  while (!cv_.wait_for(lock, kProgressRedrawInterval, [this] { return stopping_; })) {
    progress_->update(0, 0);
  }
}

void CompactProgress::finish() {
  stop();  // progress_ is this thread's alone from here
  if (!progress_) return;
  const Stats end = db_.stats();
  const std::uint64_t flushed = end.flushes - start_.flushes;
  progress_->update(live_tables(start_) + flushed,
                    end.compaction_bytes_read - start_.compaction_bytes_read);
  progress_->finish();
}

}  // namespace sand::cli
