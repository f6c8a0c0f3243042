// LevelIterator: binary search over the files' largest keys to seek; move to
// the neighbouring file when one is exhausted.
#include "db/level_iterator.hpp"

#include <algorithm>

#include "util/internal_key.hpp"

namespace sand {
namespace {

class LevelIterator final : public InternalIterator {
 public:
  LevelIterator(std::vector<std::shared_ptr<const LiveTable>> files, table::CacheFill fill)
      : files_(std::move(files)), fill_(fill) {}

  bool valid() const override { return current_ && current_->valid(); }

  void seek_to_first() override {
    open(0);
    if (current_) current_->seek_to_first();
    skip_forward();
  }

  void seek_to_last() override {
    open(files_.size() - 1);
    if (current_) current_->seek_to_last();
    skip_backward();
  }

  void seek(std::string_view target) override {
    // The first file whose largest user key is >= the target's user key.
    const std::string_view user_key = user_key_of(target);
    const auto it = std::lower_bound(files_.begin(), files_.end(), user_key,
                                     [](const auto& f, std::string_view k) {
                                       return std::string_view(f->meta.largest_key) < k;
                                     });
    if (it == files_.end()) {
      close();
      return;
    }
    open(static_cast<std::size_t>(it - files_.begin()));
    current_->seek(target);
    skip_forward();
  }

  void next() override {
    current_->next();
    skip_forward();
  }

  void prev() override {
    current_->prev();
    skip_backward();
  }

  std::string_view key() const override { return current_->key(); }
  std::string_view value() const override { return current_->value(); }
  Status status() const override {
    return status_.is_ok() && current_ ? current_->status() : status_;
  }

 private:
  void close() {
    keep_status();
    current_.reset();
    index_ = files_.size();
  }

  void open(std::size_t index) {
    keep_status();
    if (index >= files_.size()) {
      current_.reset();
      index_ = files_.size();
      return;
    }
    index_ = index;
    current_ = files_[index]->table->new_iterator(fill_);
  }

  // An error in one file must not be forgotten when moving to the next.
  void keep_status() {
    if (current_ && status_.is_ok()) status_ = current_->status();
  }

  void skip_forward() {
    while (current_ && !current_->valid() && current_->status().is_ok() && status_.is_ok()) {
      if (index_ + 1 >= files_.size()) {
        return;
      }
      open(index_ + 1);
      current_->seek_to_first();
    }
  }

  void skip_backward() {
    while (current_ && !current_->valid() && current_->status().is_ok() && status_.is_ok()) {
      if (index_ == 0) return;
      open(index_ - 1);
      current_->seek_to_last();
    }
  }

  std::vector<std::shared_ptr<const LiveTable>> files_;
  table::CacheFill fill_;
  std::unique_ptr<InternalIterator> current_;
  std::size_t index_ = 0;
  Status status_;
};

}  // namespace

std::unique_ptr<InternalIterator> new_level_iterator(
    std::vector<std::shared_ptr<const LiveTable>> files, table::CacheFill fill) {
  return std::make_unique<LevelIterator>(std::move(files), fill);
}

}  // namespace sand
