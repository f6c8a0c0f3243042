// The user-facing scan cursor: turns a merged stream of internal entries
// (every version of every key) into the live keys as of one version.
//
// Forward: entries of a key arrive newest first; the first one with version
// <= `at` decides the key (a put is yielded, a tombstone hides the key).
// Reverse: entries of a key arrive oldest first; the last one with version
// <= `at` decides. Bounds are user keys, [from, to).
// Thread-safety: one thread at a time; the state owns (shares) everything it
// reads, so it may outlive the DB.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "db/read_view.hpp"
#include "util/internal_iterator.hpp"
#include "util/internal_key.hpp"

namespace sand::detail {

struct IteratorState {
  IteratorState(std::shared_ptr<const ReadView> view, std::unique_ptr<InternalIterator> input,
                Version at, std::optional<std::string> from, std::optional<std::string> to,
                bool reverse);

  void start();
  void next();

  bool valid = false;
  std::string_view key;    // current user key
  std::string_view value;  // current value
  Version version = 0;
  Status status;

 private:
  void find_next_forward();
  void find_prev_reverse();
  bool past_bound(std::string_view user_key) const;
  void finish();  // ends the scan, keeping any input error
  // Parses the input's current key; on failure ends the scan with Corruption.
  bool parse_current(ParsedKey* k);

  std::shared_ptr<const ReadView> view_;  // keeps memtables and tables alive
  std::unique_ptr<InternalIterator> input_;
  const Version at_;
  const std::optional<std::string> from_, to_;
  const bool reverse_;
  std::string saved_key_;    // forward: key to skip; reverse: current key
  std::string saved_value_;  // reverse: the input has moved past it
};

}  // namespace sand::detail
