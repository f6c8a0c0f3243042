// The POSIX log file: appends copied into a mapped, preallocated window.
#include "io/posix_log_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <system_error>
#include <thread>
#include <utility>

#include "io/retry_eintr.hpp"

namespace sand::io {
namespace {

// Copies `n` bytes so that they are stored front to back. glibc's memcpy
// does not: past 512 bytes (AVX-512) it stores the first 64 bytes last. Then
// a process killed mid-append, or a reader process reading the live WAL,
// could see a record's later bytes without its header: a damaged record
// followed by data, which the log reader rules call corruption, where a
// front-to-back copy leaves only a torn tail (data, then zeros). Copies of up
// to 256 bytes store their pieces in address order, so 256-byte steps keep
// every prefix in place before what follows it (x86 makes stores visible in
// program order; a killed process keeps every store made before the kill).
void copy_in_order(char* dst, const char* src, std::size_t n) {
  constexpr std::size_t kStep = 256;
  while (n > kStep) {
    std::memcpy(dst, src, kStep);
    dst += kStep;
    src += kStep;
    n -= kStep;
  }
  std::memcpy(dst, src, n);
}

class PosixLogFile final : public WritableFile {
 public:
  PosixLogFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixLogFile() override { (void)close(); }

  Status append(std::string_view data) override {
    // Every byte reserved first, so an append that fails for space writes
    // nothing (a full disk, not a torn record).
    SAND_RETURN_IF_ERROR(reserve(size_ + data.size()));
    if (data.size() >= kWriteThroughMin) return write_through(data);
    while (!data.empty()) {
      if (size_ >= window_start_ + window_size_) SAND_RETURN_IF_ERROR(next_window());
      const std::uint64_t room = window_start_ + window_size_ - size_;
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(room, data.size()));
      copy_in_order(window_ + (size_ - window_start_), data.data(), n);
      size_ += n;
      data.remove_prefix(n);
    }
    return Status::ok();
  }

  Status sync() override {
    // The mapped pages are the file's page-cache pages: fdatasync writes
    // back those dirtied through the mapping and the size fallocate set.
    if (retry_eintr([&] { return ::fdatasync(fd_); }) != 0) return Status::io_error(path_, errno);
    return Status::ok();
  }

  Status close() override {
    if (fd_ < 0) return Status::ok();
    unmap_ahead();
    Status s = unmap();
    // Trim the preallocated zeros, durably, so a closed log ends at its last
    // record: the WAL writer closes a sealed WAL before it creates the next,
    // and zeros after the seal would make that older WAL read as torn
    // (spec/wal.md rule P7) if a power loss kept the new WAL but not the trim.
    if (s.is_ok() && allocated_end_ > size_) {
      if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) {
        s = Status::io_error(path_ + ": trimming to " + std::to_string(size_) + " bytes", errno);
      } else if (retry_eintr([&] { return ::fdatasync(fd_); }) != 0) {
        s = Status::io_error(path_ + ": syncing the trim", errno);
      }
    }
    if (::close(fd_) != 0 && s.is_ok()) s = Status::io_error(path_, errno);
    fd_ = -1;
    return s;
  }

  std::uint64_t size() const override { return size_; }

 private:
  // Reserved already (append).
  Status write_through(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = retry_eintr(
          [&] { return ::pwrite(fd_, data.data(), data.size(), static_cast<off_t>(size_)); });
      if (n < 0) {
        return Status::io_error(path_ + ": writing at byte " + std::to_string(size_), errno);
      }
      if (n == 0) {  // never for a regular file; a loop on it would hang
        return Status::io_error(path_ + ": no progress writing at byte " + std::to_string(size_));
      }
      size_ += static_cast<std::uint64_t>(n);
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    // A mapped window left behind size_ is replaced by the next small append.
    if (size_ / kWindowSize * kWindowSize > written_back_) {
      join_helper();
      start_helper(nullptr);
    }
    return Status::ok();
  }

  // Makes the file hold at least `end` bytes on disk, in whole windows, so
  // that no later write into them can fail for space (or fault with SIGBUS).
  Status reserve(std::uint64_t end) {
    if (end <= reserved_end_) return Status::ok();
    const std::uint64_t from = reserved_end_;
    const std::uint64_t to = (end + kWindowSize - 1) / kWindowSize * kWindowSize;
    // Even a failed fallocate may have extended the file: close() trims.
    allocated_end_ = std::max(allocated_end_, to);
    // posix_fallocate returns the error instead of setting errno.
    const int err = ::posix_fallocate(fd_, static_cast<off_t>(from), static_cast<off_t>(to - from));
    if (err != 0) {
      return Status::io_error(
          path_ + ": preallocating bytes " + std::to_string(from) + ".." + std::to_string(to), err);
    }
    reserved_end_ = to;
    return Status::ok();
  }

  // Maps the window that holds byte size_: the one mapped and populated
  // ahead if that is it. Then maps the window after it and has another
  // thread populate that one (posix_log_file.hpp).
  Status next_window() {
    // No madvise may run on an address range this unmaps: it could be
    // mapped again, to anything, before the madvise reaches it.
    join_helper();
    SAND_RETURN_IF_ERROR(unmap());
    const std::uint64_t start = size_ / kWindowSize * kWindowSize;
    if (ahead_ != nullptr && ahead_start_ == start) {
      window_ = std::exchange(ahead_, nullptr);
    } else {
      unmap_ahead();
      SAND_ASSIGN_OR_RETURN(window_, map_window(start));
    }
    window_start_ = start;
    window_size_ = kWindowSize;
    // ahead_ is free now (taken as the window, or unmapped). A failure to
    // map the next window costs only speed: the append that reaches it
    // maps it then, and reports what fails then.
    Result<char*> ahead = map_window(start + kWindowSize);
    if (ahead.is_ok()) {
      ahead_ = *ahead;
      ahead_start_ = start + kWindowSize;
    }
    start_helper(ahead_);
    return Status::ok();
  }

  // Has another thread populate `populate`'s window (if not null) and start
  // the write-back of every whole window below size_ not yet started. Both
  // are hints: on a kernel without MADV_POPULATE_WRITE (before 5.14), or
  // without a thread to spare, the appends fault the pages in themselves and
  // sync() writes everything back. A plain std::thread, not std::async: its
  // future's thread-local state would make libsand.so load ld-linux.so.
  void start_helper(char* populate) {
    const std::uint64_t from = written_back_;
    const std::uint64_t to = size_ / kWindowSize * kWindowSize;
    try {
      helper_ = std::thread([fd = fd_, populate, from, to] {
        if (populate != nullptr) (void)::madvise(populate, kWindowSize, MADV_POPULATE_WRITE);
        if (to > from) {
          (void)::sync_file_range(fd, static_cast<off64_t>(from), static_cast<off64_t>(to - from),
                                  SYNC_FILE_RANGE_WRITE);
        }
      });
      written_back_ = std::max(written_back_, to);
    } catch (const std::system_error&) {
    }
  }

  // Reserves [start, start + kWindowSize) on disk and maps it.
  Result<char*> map_window(std::uint64_t start) {
    SAND_RETURN_IF_ERROR(reserve(start + kWindowSize));
    void* map = ::mmap(nullptr, kWindowSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd_,
                       static_cast<off_t>(start));
    if (map == MAP_FAILED) {
      return Status::io_error(path_ + ": mapping bytes from " + std::to_string(start), errno);
    }
    return static_cast<char*>(map);
  }

  void join_helper() {
    if (helper_.joinable()) helper_.join();
  }

  void unmap_ahead() {
    join_helper();
    if (ahead_ != nullptr) ::munmap(ahead_, kWindowSize);
    ahead_ = nullptr;
  }

  Status unmap() {
    if (window_ == nullptr) return Status::ok();
    const int r = ::munmap(window_, window_size_);
    window_ = nullptr;
    // An empty window that ends at size_: the next append maps a new one.
    window_start_ = size_;
    window_size_ = 0;
    if (r != 0) return Status::io_error(path_ + ": unmapping", errno);
    return Status::ok();
  }

  std::string path_;
  int fd_;
  std::uint64_t size_ = 0;
  char* window_ = nullptr;           // maps [window_start_, window_start_ + window_size_)
  std::uint64_t window_start_ = 0;   // a multiple of kWindowSize
  std::uint64_t window_size_ = 0;    // 0 while nothing is mapped
  char* ahead_ = nullptr;            // maps the next window, or nullptr
  std::uint64_t ahead_start_ = 0;    // where ahead_ starts in the file
  std::thread helper_;               // populates ahead_'s window, starts write-back
  std::uint64_t written_back_ = 0;   // write-back started below this offset
  std::uint64_t reserved_end_ = 0;   // bytes fallocate has reserved
  std::uint64_t allocated_end_ = 0;  // the file's size at most: size_ plus zeros
};

}  // namespace

Result<std::unique_ptr<WritableFile>> create_posix_log_file(const std::string& path) {
  // Read-write: a shared writable mapping needs a descriptor opened for both.
  const int fd = retry_eintr(
      [&] { return ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644); });
  if (fd < 0) return Status::io_error(path, errno);
  return std::unique_ptr<WritableFile>(std::make_unique<PosixLogFile>(path, fd));
}

}  // namespace sand::io
