// Reading and writing raw value bytes (see value_file.hpp). POSIX calls rather
// than iostreams: they report errno, which becomes the error message, and they
// never translate bytes.
#include "cli/value_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>

#include "cli/format.hpp"

namespace sand::cli {
namespace {

// Closes the descriptor it owns; close() errors of a file only read are moot.
class ReadFd {
 public:
  explicit ReadFd(int fd) : fd_(fd) {}
  ReadFd(const ReadFd&) = delete;
  ReadFd& operator=(const ReadFd&) = delete;
  ~ReadFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Status too_large(std::string_view name, std::size_t max_bytes) {
  return Status::invalid_argument(std::string(name) + ": the value is larger than " +
                                  format_size(max_bytes) + ", the largest a value may be");
}

}  // namespace

Result<std::string> read_all(int fd, std::string_view name, std::size_t max_bytes) {
  std::string bytes;
  constexpr std::size_t kChunk = 64 * 1024;
  while (true) {
    // One byte past the limit tells "exactly max_bytes" from "more".
    const std::size_t room = max_bytes + 1 - bytes.size();
    const std::size_t want = room < kChunk ? room : kChunk;
    const std::size_t old_size = bytes.size();
    bytes.resize(old_size + want);
    const ssize_t n = ::read(fd, bytes.data() + old_size, want);
    if (n < 0) {
      bytes.resize(old_size);
      if (errno == EINTR) continue;
      return Status::io_error(name, errno);
    }
    bytes.resize(old_size + static_cast<std::size_t>(n));
    if (n == 0) return bytes;
    if (bytes.size() > max_bytes) return too_large(name, max_bytes);
  }
}

Result<std::string> read_file(const std::string& path, std::string_view name,
                              std::size_t max_bytes) {
  const ReadFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Status::io_error(name, errno);
  // A regular file too large is refused without reading it (read_all would
  // also stop, after max_bytes + 1 bytes).
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode) &&
      static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    return too_large(name, max_bytes);
  }
  return read_all(fd.get(), name, max_bytes);
}

Status write_all(int fd, std::string_view name, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::io_error(name, errno);
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status::ok();
}

Status write_file(const std::string& path, std::string_view name, std::string_view bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return Status::io_error(name, errno);
  Status written = write_all(fd, name, bytes);
  // close() can report a failed delayed write (e.g. on NFS): not ignorable.
  const int closed = ::close(fd);
  if (written.is_ok() && closed != 0) written = Status::io_error(name, errno);
  return written;
}

}  // namespace sand::cli
