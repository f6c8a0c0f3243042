// Version visibility over a merged internal stream, both ways (cf. LevelDB
// db_iter.cc). The invariants of the two directions are in the header.
#include "db/iterator_state.hpp"

namespace sand::detail {
namespace {

// Leaving the current key backward steps over its newer, invisible entries;
// past this many a seek through the indexes is cheaper than walking on.
constexpr int kStepsBeforeSeek = 8;

std::optional<std::string_view> optional_view(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return std::string_view(*s);
}

}  // namespace

IteratorState::IteratorState(std::shared_ptr<const ReadView> view,
                             std::unique_ptr<InternalIterator> input, Version at, KeyBounds bounds,
                             bool reverse)
    : view_(std::move(view)),
      input_(std::move(input)),
      at_(at),
      bounds_(std::move(bounds)),
      reverse_(reverse) {}

void IteratorState::start() {
  if (reverse_) {
    seek_to_last();
  } else {
    seek_to_first();
  }
}

void IteratorState::next() {
  if (!valid) return;
  if (reverse_) {
    step_descending();
  } else {
    step_ascending();
  }
}

void IteratorState::prev() {
  if (!valid) return;
  if (reverse_) {
    step_ascending();
  } else {
    step_descending();
  }
}

void IteratorState::seek(std::string_view target) {
  if (!status.is_ok()) return;
  const bool below_lower = bounds_.lower && target < std::string_view(*bounds_.lower);
  ascend_from(below_lower ? std::string_view(*bounds_.lower) : target);
}

void IteratorState::seek_for_prev(std::string_view target) {
  if (!status.is_ok()) return;
  // The last key <= target is the last key below target's successor,
  // target ++ "\0" (the smallest key above it).
  std::string after(target);
  after.push_back('\0');
  const bool above_upper = bounds_.upper && *bounds_.upper < after;
  descend_from_before(above_upper ? std::string_view(*bounds_.upper) : after);
}

void IteratorState::seek_to_first() {
  if (!status.is_ok()) return;
  ascend_from(optional_view(bounds_.lower));
}

void IteratorState::seek_to_last() {
  if (!status.is_ok()) return;
  descend_from_before(optional_view(bounds_.upper));
}

void IteratorState::ascend_from(std::optional<std::string_view> user_key) {
  positioned_ = true;
  if (user_key) {
    // Lands on the newest entry of user_key visible at at_, skipping newer ones.
    input_->seek(seek_key(*user_key, at_));
  } else {
    input_->seek_to_first();
  }
  direction_ = Direction::kAscending;
  find_next_ascending(/*skip_saved_key=*/false);
}

void IteratorState::descend_from_before(std::optional<std::string_view> user_key) {
  positioned_ = true;
  if (user_key) {
    move_input_before(*user_key);
  } else {
    input_->seek_to_last();
  }
  direction_ = Direction::kDescending;
  find_prev_descending();
}

void IteratorState::move_input_before(std::string_view user_key) {
  input_->seek(seek_key(user_key, kMaxVersion));  // before every entry of user_key
  if (input_->valid()) {
    input_->prev();
  } else if (input_->status().is_ok()) {
    input_->seek_to_last();  // every entry is below user_key
  }
}

void IteratorState::step_ascending() {
  if (direction_ == Direction::kDescending) {
    // The input sits just before the entries of the current key (saved_key_):
    // step onto them; the search below skips them.
    if (input_->valid()) {
      input_->next();
    } else {
      input_->seek_to_first();  // nothing precedes the current key
    }
    direction_ = Direction::kAscending;
  } else {
    saved_key_.assign(key);  // key views the input, which is about to move
    input_->next();
  }
  find_next_ascending(/*skip_saved_key=*/true);
}

void IteratorState::step_descending() {
  if (direction_ == Direction::kAscending) {
    saved_key_.assign(key);  // key views the input, which is about to move
    leave_current_key_backward();
    direction_ = Direction::kDescending;
  }
  find_prev_descending();
}

void IteratorState::leave_current_key_backward() {
  // Before the deciding entry come only the key's newer versions, usually
  // none or a few.
  for (int step = 0; step < kStepsBeforeSeek; ++step) {
    input_->prev();
    if (!input_->valid()) return;  // the start, or an error the search reports
    ParsedKey k;
    if (!parse_internal_key(input_->key(), &k) || k.user_key != saved_key_) return;
  }
  move_input_before(saved_key_);
}

void IteratorState::find_next_ascending(bool skip_saved_key) {
  while (input_->valid()) {
    ParsedKey k;
    if (!parse_current(&k)) return;
    if (bounds_.upper && k.user_key >= std::string_view(*bounds_.upper)) break;
    if (skip_saved_key && k.user_key == saved_key_) {
      input_->next();
      continue;
    }
    skip_saved_key = false;
    if (k.version > at_) {
      input_->next();
      continue;
    }
    // The newest visible version of this key decides it.
    if (is_put(k.kind)) {
      valid = true;
      key = k.user_key;
      value = input_->value();
      value_is_ref_ = k.kind == EntryKind::kValueRef;
      version = k.version;
      return;
    }
    saved_key_.assign(k.user_key);  // a tombstone hides every older version
    skip_saved_key = true;
    input_->next();
  }
  end();
}

void IteratorState::find_prev_descending() {
  // Walk backwards over whole keys; within a key, versions ascend, so the
  // last entry with version <= at seen for a key is the one that decides.
  while (input_->valid()) {
    ParsedKey k;
    if (!parse_current(&k)) return;
    if (bounds_.lower && k.user_key < std::string_view(*bounds_.lower)) break;
    saved_key_.assign(k.user_key);
    std::optional<EntryKind> decided;
    Version decided_version = 0;
    while (input_->valid()) {
      ParsedKey e;
      if (!parse_current(&e)) return;
      if (e.user_key != saved_key_) break;
      if (e.version <= at_) {
        decided = e.kind;
        decided_version = e.version;
        if (is_put(e.kind)) saved_value_.assign(input_->value());
      }
      input_->prev();
    }
    if (!input_->status().is_ok()) break;
    if (decided && is_put(*decided)) {
      valid = true;
      key = saved_key_;
      value = saved_value_;
      value_is_ref_ = *decided == EntryKind::kValueRef;
      version = decided_version;
      return;
    }
  }
  end();
}

std::string_view IteratorState::current_value() {
  if (!valid || !value_is_ref_) return value;
  if (status = view_->values->read(value, &resolved_value_, &read_ahead_); !status.is_ok()) {
    valid = false;
    return {};
  }
  // The iterator stays on this key until it moves: later calls need no read.
  value = resolved_value_;
  value_is_ref_ = false;
  return value;
}

void IteratorState::end() {
  valid = false;
  if (status.is_ok()) status = input_->status();
}

bool IteratorState::parse_current(ParsedKey* k) {
  if (parse_internal_key(input_->key(), k)) return true;
  status = Status::corruption("scan: malformed internal key");
  valid = false;
  return false;
}

}  // namespace sand::detail
