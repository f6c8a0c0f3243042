// The change feed (DB::changes) and wait_for_version: together they let a
// reader, in this process or a read-only one elsewhere, tail the writes.
//
// changes() takes one read point (view, last version, mark; see
// db_impl_read.cpp for why in that order) and hands it to a ChangeFeedState
// (change_feed.hpp), which reads it window by window. Every compaction in
// that view cut with a mark no higher than the read point's, and `since` is
// at least that mark, so every version the feed covers is still in the view.
#include <algorithm>
#include <thread>

#include "db/change_feed.hpp"
#include "db/db_impl.hpp"

namespace sand {
namespace {

using Clock = std::chrono::steady_clock;

// How often a waiting read-only handle refreshes.
constexpr std::chrono::milliseconds kRefreshPollInterval{5};

// A deadline `timeout` from now; a huge timeout waits "forever" instead of
// overflowing the clock.
Clock::time_point deadline_after(std::chrono::milliseconds timeout) {
  constexpr std::chrono::milliseconds kForever = std::chrono::hours(24 * 365 * 100);
  return Clock::now() + std::clamp(timeout, std::chrono::milliseconds(0), kForever);
}

Status check_change_options(const ChangeOptions& o, Version last, Version mark) {
  if (o.from && o.to && *o.from > *o.to) {
    return Status::invalid_argument("changes: from is after to");
  }
  if (o.since < mark) {
    return Status::invalid_argument("changes since version " + std::to_string(o.since) +
                                    ": the versions after it may have been compacted away (it "
                                    "is below the retention mark " +
                                    std::to_string(mark) + ")");
  }
  if (o.until && *o.until > last) {
    return Status::invalid_argument("changes until version " + std::to_string(*o.until) +
                                    ": newer than the last committed version " +
                                    std::to_string(last));
  }
  if (o.since > o.until.value_or(last)) {
    return Status::invalid_argument("changes since version " + std::to_string(o.since) +
                                    ": after the until version " +
                                    std::to_string(o.until.value_or(last)));
  }
  return Status::ok();
}

// A read-only handle's wait: the writer is another process and cannot wake
// it, so it refreshes until v shows or time runs out. Busy only means the
// writer retired files while refresh opened them: the next try will do.
Result<Version> refresh_until(DB::Impl& impl, Version v, Clock::time_point deadline) {
  for (;;) {
    if (Status s = impl.refresh(); !s.is_ok() && s.code() != Code::kBusy) return s;
    if (impl.last_version() >= v) return impl.last_version();
    const Clock::time_point now = Clock::now();
    if (now >= deadline) return impl.last_version();
    std::this_thread::sleep_for(std::min<Clock::duration>(kRefreshPollInterval, deadline - now));
  }
}

}  // namespace

Result<ChangeIterator> DB::Impl::changes(const ChangeOptions& options) const {
  const ReadPoint point = read_point();
  SAND_RETURN_IF_ERROR(check_change_options(options, point.last, point.mark));
  detail::ChangeRange range{.since = options.since,
                            .until = options.until.value_or(point.last),
                            .mark = point.mark,
                            .from = options.from,
                            .to = options.to,
                            .prefix = options.prefix};
  auto state = std::make_unique<detail::ChangeFeedState>(point.view, std::move(range));
  state->start();
  // An error in the first window fails the call itself, before the caller
  // has seen a batch; later ones end the feed (status()).
  SAND_RETURN_IF_ERROR(state->status());
  return ChangeIterator(std::move(state));
}

Result<Version> DB::Impl::wait_for_version(Version v, std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = deadline_after(timeout);
  if (read_only_) return refresh_until(*this, v, deadline);
  {
    MutexLock lock(state_mu_);
    if (closing_ || closed_) return Status::read_only(path_ + ": database is closed");
  }
  const auto outcome = version_waiters_.wait([this] { return last_version(); }, v, deadline);
  if (outcome == VersionWaiters::Outcome::kClosed) {
    return Status::read_only(path_ + ": database is closed");
  }
  return last_version();
}

}  // namespace sand
