// ChangeFeedState: the state behind a ChangeIterator (DB::changes): the
// committed batches with versions in (since, until], in version order, read
// from one ReadView a bounded window at a time.
//
// Why windows: entries sit in internal-key order (key ascending, version
// descending) everywhere, but the feed wants version order. A window is a
// version range (lo, cap]: one merged pass over the sources that hold
// versions in (lo, until] collects its entries, keeps the lowest versions
// while they fit the byte budget and lowers `cap` (dropping whole batches
// from the top) when they do not, so a batch is never split and memory stays
// bounded. The lowest batch of a window is always kept whole, however large.
// The next window starts at the last one's cap.
//
// What is skipped: every memtable, table and sorted run (and every file of a
// run) whose versions all lie at or below lo or above until, and every table
// whose key range misses the feed's. The one exception is a tombstone whose
// next older entry of its key lies at or below `since`: whether it shows (it
// hides a retained put, the rule of history()) takes a point lookup, which
// may read an older table.
//
// Cost: from a memtable, a window reads only its entries with versions in
// (lo, until], found by a binary search of the memtable's version log and
// sorted into key order: O(log n + m log m) for m of its n entries. From a
// table or a run, it reads the whole key range it overlaps within the
// bounds. So a follower tailing a live writer pays for the new changes, not
// for the memtable's size; one catching up reads only the newest sources,
// once. Catching up over more than a window's worth of data merged into one
// large run (e.g. since = 0 after compact()) reads that run once per window.
//
// Thread-safety: one thread at a time; the state shares the view (memtables
// and tables stay alive), so it may outlive the DB.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/read_view.hpp"
#include "sand/db.hpp"

namespace sand::detail {

// What one feed reads, resolved and checked by DB::Impl::changes().
struct ChangeRange {
  Version since = 0;                    // versions after this one
  Version until = 0;                    // up to and including this one
  Version mark = 0;                     // history()'s mark, for the tombstone rule; <= since
  std::optional<std::string> from{};    // first key (inclusive)
  std::optional<std::string> to{};      // end key (exclusive)
  std::optional<std::string> prefix{};  // only keys that start with it
};

// The bytes (keys, values and a per-entry overhead) a window may hold before
// it is cut at a batch boundary.
inline constexpr std::size_t kChangeWindowBytes = 16 << 20;

struct ChangeFeedState {
  // Loads nothing yet: call start().
  ChangeFeedState(std::shared_ptr<const ReadView> view, ChangeRange range,
                  std::size_t window_bytes = kChangeWindowBytes);

  // Loads the first window with a batch; afterwards valid() or status()
  // tells what it found.
  void start();

  bool valid() const { return status_.is_ok() && position_ < window_.size(); }
  // REQUIRES: valid().
  void next();
  // REQUIRES: valid().
  const ChangeBatch& batch() const { return window_[position_]; }
  Version until() const { return range_.until; }
  Status status() const { return status_; }

  // Windows loaded so far (a window may hold no batch): lets tests see that
  // a small budget really cut the range.
  std::size_t windows_loaded() const { return windows_loaded_; }

 private:
  // Loads windows after loaded_through_ until one holds a batch or the range
  // is done; on error sets status_.
  void load_next_nonempty_window();
  Status load_window();

  std::shared_ptr<const ReadView> view_;
  ChangeRange range_;
  std::size_t window_bytes_;
  Version loaded_through_;  // every version <= it has been loaded
  std::vector<ChangeBatch> window_;
  std::size_t position_ = 0;
  std::size_t windows_loaded_ = 0;
  Status status_;
};

}  // namespace sand::detail
