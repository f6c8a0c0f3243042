// The user-facing scan cursor: turns a merged stream of internal entries
// (every version of every key) into the live keys as of one version, and
// moves over them both ways (sand::Iterator in include/sand/db.hpp).
//
// Visibility: among the entries of a key, the newest one with version <= `at`
// decides it: a put is yielded with its value and version, a tombstone hides
// the key. Internal keys order user key ascending, then version descending,
// so walking the input forward meets that entry first among the visible
// ones, and walking it backward meets it last.
//
// Two internal directions (whatever the scan's `reverse`), as in LevelDB's
// db_iter.cc:
//   ascending:  the input sits on the entry that decided `key`; key and value
//               view the input's own bytes, so a forward scan copies only
//               the key it must skip past.
//   descending: the input sits on the last entry before every entry of `key`
//               (not valid() if there is none); key and value view copies,
//               because the input had to walk past them to know the key was
//               decided.
// Switching direction re-positions the input around the current key.
//
// Not valid() (at the end, or after an error) next() and prev() do nothing;
// a seek positions it again unless an error ended the scan: errors, from the
// input or from a malformed key, are sticky and keep the iterator not valid.
//
// Thread-safety: one thread at a time; the state owns (shares) everything it
// reads, so it may outlive the DB.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "db/key_bounds.hpp"
#include "db/read_view.hpp"
#include "sand/db.hpp"
#include "util/internal_iterator.hpp"
#include "util/internal_key.hpp"
#include "value/read_ahead.hpp"

namespace sand::detail {

struct IteratorState {
  IteratorState(std::shared_ptr<const ReadView> view, std::unique_ptr<InternalIterator> input,
                Version at, KeyBounds bounds, bool reverse);

  // Positions at the scan's first key (the largest one for a reverse scan),
  // unless a seek positioned it already: the first use of a new iterator
  // calls it, so a scan that starts with a seek positions once.
  void position_if_needed() {
    if (!positioned_) start();
  }
  // In the scan's direction; prev() against it. Do nothing when not valid.
  void next();
  void prev();
  // Keys in ascending order whatever the scan's direction, within the bounds.
  void seek(std::string_view target);           // first key >= target
  void seek_for_prev(std::string_view target);  // last key <= target
  void seek_to_first();
  void seek_to_last();

  // The current value, read from its value file first if it is stored by
  // reference (a key-only scan never pays for that read). A value that
  // cannot be read (a missing file, a failed checksum) ends the scan with
  // that error: not valid, and status says why.
  std::string_view current_value();

  bool valid = false;
  std::string_view key;    // current user key
  std::string_view value;  // current value, or its value reference's bytes
  Version version = 0;     // the version that wrote key and value
  Status status;

 private:
  enum class Direction { kAscending, kDescending };

  void start();

  void step_ascending();
  void step_descending();
  // Position at the first live key >= user_key (none: the first of all).
  void ascend_from(std::optional<std::string_view> user_key);
  // Position at the last live key < user_key (none: the last of all).
  void descend_from_before(std::optional<std::string_view> user_key);
  // Puts the input on the last entry whose user key is below `user_key`.
  void move_input_before(std::string_view user_key);
  // From the entry that decided saved_key_, onto the entry before the key.
  void leave_current_key_backward();

  // Yield the next live key at or after the input (ascending), or at or
  // before it (descending); end the scan at the bounds.
  void find_next_ascending(bool skip_saved_key);
  void find_prev_descending();

  void end();  // not valid, keeping any input error
  // Parses the input's current key; on failure ends the scan with Corruption.
  bool parse_current(ParsedKey* k);

  std::shared_ptr<const ReadView> view_;  // keeps memtables and tables alive
  std::unique_ptr<InternalIterator> input_;
  const Version at_;
  const KeyBounds bounds_;
  const bool reverse_;
  Direction direction_ = Direction::kAscending;
  bool positioned_ = false;  // by start() or a seek
  // Ascending: the key whose older entries to skip. Descending: the current
  // key (key views it).
  std::string saved_key_;
  std::string saved_value_;      // descending: the current value
  bool value_is_ref_ = false;    // `value` holds a value reference
  std::string resolved_value_;   // the value read for a reference
  value::ReadAhead read_ahead_;  // hints value files ahead of a forward walk
};

}  // namespace sand::detail
