// MergingIterator. When the direction changes, every non-current child is
// re-positioned around the current key so that all of them again sit on the
// correct side of it (LevelDB's approach).
#include "db/merging_iterator.hpp"

#include <string>

#include "util/internal_key.hpp"

namespace sand {
namespace {

class MergingIterator final : public InternalIterator {
 public:
  explicit MergingIterator(std::vector<std::unique_ptr<InternalIterator>> children)
      : children_(std::move(children)) {}

  bool valid() const override { return current_ != nullptr; }

  void seek_to_first() override {
    for (auto& c : children_) c->seek_to_first();
    direction_ = kForward;
    find_smallest();
  }

  void seek_to_last() override {
    for (auto& c : children_) c->seek_to_last();
    direction_ = kReverse;
    find_largest();
  }

  void seek(std::string_view target) override {
    for (auto& c : children_) c->seek(target);
    direction_ = kForward;
    find_smallest();
  }

  void next() override {
    if (direction_ != kForward) {
      // Move every other child to the first entry after key().
      const std::string key(current_->key());
      for (auto& c : children_) {
        if (c.get() == current_) continue;
        c->seek(key);
        if (c->valid() && compare_internal_keys(key, c->key()) == 0) c->next();
      }
      direction_ = kForward;
    }
    current_->next();
    find_smallest();
  }

  void prev() override {
    if (direction_ != kReverse) {
      // Move every other child to the last entry before key().
      const std::string key(current_->key());
      for (auto& c : children_) {
        if (c.get() == current_) continue;
        c->seek(key);
        if (c->valid()) {
          c->prev();
        } else if (c->status().is_ok()) {
          c->seek_to_last();  // every entry of c is before key
        }
      }
      direction_ = kReverse;
    }
    current_->prev();
    find_largest();
  }

  std::string_view key() const override { return current_->key(); }
  std::string_view value() const override { return current_->value(); }

  Status status() const override {
    for (const auto& c : children_) {
      Status s = c->status();
      if (!s.is_ok()) return s;
    }
    return Status::ok();
  }

 private:
  enum Direction { kForward, kReverse };

  // A child that failed stops the whole merge: yielding the others' entries
  // could show an older version the failed child would have hidden.
  bool any_error() const {
    for (const auto& c : children_) {
      if (!c->status().is_ok()) return true;
    }
    return false;
  }

  void find_smallest() {
    current_ = nullptr;
    if (any_error()) return;
    for (auto& c : children_) {
      if (c->valid() && (current_ == nullptr ||
                         compare_internal_keys(c->key(), current_->key()) < 0)) {
        current_ = c.get();
      }
    }
  }

  void find_largest() {
    current_ = nullptr;
    if (any_error()) return;
    for (auto& c : children_) {
      if (c->valid() && (current_ == nullptr ||
                         compare_internal_keys(c->key(), current_->key()) > 0)) {
        current_ = c.get();
      }
    }
  }

  std::vector<std::unique_ptr<InternalIterator>> children_;
  InternalIterator* current_ = nullptr;
  Direction direction_ = kForward;
};

}  // namespace

std::unique_ptr<InternalIterator> new_merging_iterator(
    std::vector<std::unique_ptr<InternalIterator>> children) {
  return std::make_unique<MergingIterator>(std::move(children));
}

}  // namespace sand
