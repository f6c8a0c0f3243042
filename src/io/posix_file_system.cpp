// The POSIX FileSystem: write(2)/fdatasync for appends (logs: a mapped
// window, io/posix_log_file.hpp), a read-only mmap(2) for whole-file reads,
// flock(2) for the LOCK file, link(2) for link_file (a copy where links
// cannot be made).
//
// Thread-safety: the FileSystem is stateless and shareable; each file object
// is used by one thread at a time (ReadableFile is immutable).
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include <cerrno>
#include <memory>

#include "io/posix_log_file.hpp"
#include "io/retry_eintr.hpp"
#include "sand/file_system.hpp"

namespace sand {
namespace {

using io::retry_eintr;

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, std::uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status append(std::string_view data) override {
    const char* p = data.data();
    std::size_t left = data.size();
    while (left > 0) {
      const ssize_t n = retry_eintr([&] { return ::write(fd_, p, left); });
      if (n < 0) return Status::io_error(path_, errno);
      p += n;
      left -= static_cast<std::size_t>(n);
      size_ += static_cast<std::uint64_t>(n);
    }
    return Status::ok();
  }

  Status sync() override {
    if (retry_eintr([&] { return ::fdatasync(fd_); }) != 0) {
      return Status::io_error(path_, errno);
    }
    return Status::ok();
  }

  Status close() override {
    if (fd_ < 0) return Status::ok();
    const int r = ::close(fd_);
    fd_ = -1;
    if (r != 0) return Status::io_error(path_, errno);
    return Status::ok();
  }

  std::uint64_t size() const override { return size_; }

 private:
  std::string path_;
  int fd_;
  std::uint64_t size_;
};

// A whole file mapped read-only and privately. The mapping outlives the
// descriptor (closed at once) and the file's name (a reader may go on
// reading a table the writer has deleted).
class MappedReadableFile final : public ReadableFile {
 public:
  MappedReadableFile(const void* data, std::size_t size) : data_(data), size_(size) {}
  ~MappedReadableFile() override { ::munmap(const_cast<void*>(data_), size_); }
  MappedReadableFile(const MappedReadableFile&) = delete;
  MappedReadableFile& operator=(const MappedReadableFile&) = delete;

  std::string_view contents() const override {
    return {static_cast<const char*>(data_), size_};
  }

 private:
  const void* data_;
  std::size_t size_;
};

// mmap(2) cannot map zero bytes; an empty file is an empty view.
class EmptyReadableFile final : public ReadableFile {
 public:
  std::string_view contents() const override { return {}; }
};

class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }

 private:
  int fd_;
};

class PosixFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<WritableFile>> new_writable_file(
      const std::string& path) override {
    return open_writable(path, O_TRUNC);
  }

  Result<std::unique_ptr<WritableFile>> new_log_file(const std::string& path) override {
    return io::create_posix_log_file(path);
  }

  Result<std::unique_ptr<WritableFile>> reopen_writable_file(
      const std::string& path) override {
    return open_writable(path, O_APPEND);
  }

  Result<std::unique_ptr<ReadableFile>> open_readable_file(
      const std::string& path) override {
    const int fd = retry_eintr([&] { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC); });
    if (fd < 0) {
      // Another process may delete a file between listing and opening it:
      // callers that retry on a vanished file need NotFound, not IOError.
      if (errno == ENOENT) return Status::not_found(path + ": no such file");
      return Status::io_error(path, errno);
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      return Status::io_error(path, err);
    }
    if (st.st_size == 0) {
      ::close(fd);
      return std::unique_ptr<ReadableFile>(std::make_unique<EmptyReadableFile>());
    }
    const auto size = static_cast<std::size_t>(st.st_size);
    void* data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    const int err = errno;
    ::close(fd);
    if (data == MAP_FAILED) return Status::io_error(path + ": mmap", err);
    return std::unique_ptr<ReadableFile>(std::make_unique<MappedReadableFile>(data, size));
  }

  Result<std::string> read_file_from(const std::string& path, std::uint64_t offset) override {
    const int fd = retry_eintr([&] { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC); });
    if (fd < 0) {
      if (errno == ENOENT) return Status::not_found(path + ": no such file");
      return Status::io_error(path, errno);
    }
    std::string out;
    char buf[1 << 16];
    auto pos = static_cast<off_t>(offset);
    for (;;) {
      const ssize_t n = retry_eintr([&] { return ::pread(fd, buf, sizeof buf, pos); });
      if (n < 0) {
        const int err = errno;
        ::close(fd);
        return Status::io_error(path, err);
      }
      if (n == 0) break;
      out.append(buf, static_cast<std::size_t>(n));
      pos += n;
    }
    ::close(fd);
    return out;
  }

  Status rename_file(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return Status::io_error(from + " -> " + to, errno);
    }
    return Status::ok();
  }

  Status link_file(const std::string& from, const std::string& to) override {
    if (::link(from.c_str(), to.c_str()) == 0) return Status::ok();
    const int err = errno;
    switch (err) {
      case EXDEV:    // another file system
      case EPERM:    // one that refuses hard links (e.g. some FUSE or vfat)
      case ENOTSUP:  // == EOPNOTSUPP on Linux
      case EMLINK:   // the inode has too many links
        return FileSystem::link_file(from, to);  // the durable copy
      case ENOENT:
        return Status::not_found(from + ": no such file");
      default:
        return Status::io_error(from + " -> " + to, err);
    }
  }

  Status remove_file(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) {
      if (errno == ENOENT) return Status::not_found(path + ": no such file");
      return Status::io_error(path, errno);
    }
    return Status::ok();
  }

  Status truncate_file(const std::string& path, std::uint64_t size) override {
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
      return Status::io_error(path, errno);
    }
    return Status::ok();
  }

  Status sync_dir(const std::string& dir) override {
    const int fd = retry_eintr([&] { return ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); });
    if (fd < 0) return Status::io_error(dir, errno);
    const int r = retry_eintr([&] { return ::fsync(fd); });
    const int err = errno;
    ::close(fd);
    if (r != 0) return Status::io_error(dir, err);
    return Status::ok();
  }

  Status create_dir(const std::string& dir) override {
    // Create each missing component of the path in turn (mkdir -p).
    for (std::size_t pos = 1; pos <= dir.size(); ++pos) {
      if (pos != dir.size() && dir[pos] != '/') continue;
      const std::string prefix = dir.substr(0, pos);
      if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
        return Status::io_error(prefix, errno);
      }
    }
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) return Status::io_error(dir, errno);
    if (!S_ISDIR(st.st_mode)) return Status::io_error(dir, ENOTDIR);
    return Status::ok();
  }

  Result<std::vector<std::string>> list_dir(const std::string& dir) override {
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
    if (!d) {
      if (errno == ENOENT) return Status::not_found(dir + ": no such directory");
      return Status::io_error(dir, errno);
    }
    std::vector<std::string> names;
    errno = 0;
    while (const dirent* e = ::readdir(d.get())) {
      const std::string_view name = e->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    if (errno != 0) return Status::io_error(dir, errno);
    return names;
  }

  bool exists(const std::string& path) override {
    return ::access(path.c_str(), F_OK) == 0;
  }

  Result<std::unique_ptr<FileLock>> lock_file(const std::string& path) override {
    const int fd = retry_eintr([&] { return ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644); });
    if (fd < 0) return Status::io_error(path, errno);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK) {
        return Status::busy(path + ": held by another process (one writer at a time)");
      }
      return Status::io_error(path, err);
    }
    return std::unique_ptr<FileLock>(std::make_unique<PosixFileLock>(fd));
  }

 private:
  static Result<std::unique_ptr<WritableFile>> open_writable(const std::string& path,
                                                             int mode_flag) {
    const int fd = retry_eintr(
        [&] { return ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | mode_flag, 0644); });
    if (fd < 0) return Status::io_error(path, errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      return Status::io_error(path, err);
    }
    return std::unique_ptr<WritableFile>(std::make_unique<PosixWritableFile>(
        path, fd, static_cast<std::uint64_t>(st.st_size)));
  }
};

}  // namespace

std::shared_ptr<FileSystem> posix_file_system() {
  static const auto fs = std::make_shared<PosixFileSystem>();
  return fs;
}

}  // namespace sand
