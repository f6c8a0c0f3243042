// ReadAhead: the sequential-read detector (read_ahead.hpp).
#include "value/read_ahead.hpp"

#include <algorithm>

namespace sand::value {

std::optional<std::pair<std::uint64_t, std::uint64_t>> ReadAhead::on_read(std::uint64_t file,
                                                                          std::uint64_t offset,
                                                                          std::uint64_t size) {
  const bool forward =
      file == file_ && offset >= last_end_ && offset - last_end_ <= kMaxGap && streak_ > 0;
  if (forward) {
    ++streak_;
  } else {
    file_ = file;
    streak_ = 1;
    hinted_end_ = 0;
  }
  last_end_ = offset + size;
  if (streak_ < kStreak || last_end_ + kWindow / 2 < hinted_end_) return std::nullopt;
  const std::uint64_t begin = std::max(hinted_end_, last_end_);
  hinted_end_ = last_end_ + kWindow;
  return std::pair{begin, hinted_end_};
}

}  // namespace sand::value
