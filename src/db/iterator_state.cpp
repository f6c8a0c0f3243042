// Version visibility over a merged internal stream (cf. LevelDB db_iter.cc,
// simplified to one direction per scan).
#include "db/iterator_state.hpp"

#include "util/internal_key.hpp"

namespace sand::detail {

IteratorState::IteratorState(std::shared_ptr<const ReadView> view,
                             std::unique_ptr<InternalIterator> input, Version at,
                             std::optional<std::string> from, std::optional<std::string> to,
                             bool reverse)
    : view_(std::move(view)),
      input_(std::move(input)),
      at_(at),
      from_(std::move(from)),
      to_(std::move(to)),
      reverse_(reverse) {}

bool IteratorState::past_bound(std::string_view user_key) const {
  if (reverse_) return from_ && user_key < std::string_view(*from_);
  return to_ && user_key >= std::string_view(*to_);
}

void IteratorState::finish() {
  valid = false;
  if (status.is_ok()) status = input_->status();
}

bool IteratorState::parse_current(ParsedKey* k) {
  if (parse_internal_key(input_->key(), k)) return true;
  status = Status::corruption("scan: malformed internal key");
  valid = false;
  return false;
}

void IteratorState::start() {
  if (!reverse_) {
    if (from_) {
      input_->seek(seek_key(*from_, at_));
    } else {
      input_->seek_to_first();
    }
    saved_key_.clear();
    find_next_forward();
    return;
  }
  if (to_) {
    // The first entry of `to` (or after it); everything before is < to.
    input_->seek(seek_key(*to_, kMaxVersion));
    if (input_->valid()) {
      input_->prev();
    } else if (input_->status().is_ok()) {
      input_->seek_to_last();
    }
  } else {
    input_->seek_to_last();
  }
  find_prev_reverse();
}

void IteratorState::next() {
  if (!valid) return;
  if (!reverse_) {
    // Skip the remaining (older) versions of the key just yielded.
    saved_key_.assign(key);
    input_->next();
    find_next_forward();
  } else {
    find_prev_reverse();
  }
}

// REQUIRES: saved_key_ holds a key whose remaining entries must be skipped,
// or is empty with skipping disabled via `skipping`.
void IteratorState::find_next_forward() {
  bool skipping = valid;  // after a yield, older versions of that key follow
  while (input_->valid()) {
    ParsedKey k;
    if (!parse_current(&k)) return;
    if (past_bound(k.user_key)) break;
    if (skipping && k.user_key == saved_key_) {
      input_->next();
      continue;
    }
    skipping = false;
    if (k.version > at_) {
      input_->next();
      continue;
    }
    // The newest visible version of this key decides it.
    if (k.kind == EntryKind::kPut) {
      valid = true;
      key = k.user_key;
      value = input_->value();
      version = k.version;
      return;
    }
    saved_key_.assign(k.user_key);  // a tombstone hides every older version
    skipping = true;
    input_->next();
  }
  finish();
}

void IteratorState::find_prev_reverse() {
  // Walk backwards over whole keys; within a key, versions ascend, so the
  // last entry with version <= at seen for a key is the one that decides.
  while (input_->valid()) {
    ParsedKey k;
    if (!parse_current(&k)) return;
    if (past_bound(k.user_key)) break;
    saved_key_.assign(k.user_key);
    bool found = false;
    EntryKind kind = EntryKind::kDelete;
    while (input_->valid()) {
      ParsedKey e;
      if (!parse_current(&e)) return;
      if (e.user_key != saved_key_) break;
      if (e.version <= at_) {
        found = true;
        kind = e.kind;
        version = e.version;
        saved_value_.assign(input_->value());
      }
      input_->prev();
    }
    if (!input_->status().is_ok()) break;
    if (found && kind == EntryKind::kPut) {
      valid = true;
      key = saved_key_;
      value = saved_value_;
      return;
    }
  }
  finish();
}

}  // namespace sand::detail
