// ReadAhead: when one reader (a scan) walks a value file front to back,
// which bytes to ask the kernel for ahead of it (spec-free: a hint, never
// part of what is read). Value files are mapped, and the kernel reads
// around each page fault anyway; an explicit hint lets the disk work ahead
// of a scan instead of a fault at a time (issue 19: "read ahead when
// walking sequentially"). Random reads (gets, scans whose values jump
// around) never trigger it.
//
// Thread-safety: one reader's state; not shared.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>

namespace sand::value {

class ReadAhead {
 public:
  // Bytes hinted at a time, and how far behind the hinted end a read may
  // get before the next window is hinted (half a window: the disk stays
  // ahead while the reader consumes the first half).
  static constexpr std::uint64_t kWindow = 1 << 20;
  // Reads in a row, each at or after the previous one's end (within
  // kMaxGap) in the same file, before the first hint.
  static constexpr int kStreak = 2;
  static constexpr std::uint64_t kMaxGap = 256 << 10;

  // Records a read of [offset, offset + size) in value file `file`; returns
  // the byte range [begin, end) to hint now, if any.
  std::optional<std::pair<std::uint64_t, std::uint64_t>> on_read(std::uint64_t file,
                                                                 std::uint64_t offset,
                                                                 std::uint64_t size);

 private:
  std::uint64_t file_ = 0;
  std::uint64_t last_end_ = 0;    // end of the previous read in file_
  std::uint64_t hinted_end_ = 0;  // hinted up to here in file_
  int streak_ = 0;                // forward reads in a row in file_
};

}  // namespace sand::value
