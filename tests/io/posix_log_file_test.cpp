// Tests for the POSIX log file (io/posix_log_file.hpp): appends land in
// mapped, preallocated windows (small ones) or are written through (large
// ones); while open the file ends in zeros, close()
// trims them; a process that dies without closing leaves them (what the
// WAL reader rules must read as a torn tail); a failed preallocation is an
// IOError naming the file, never a SIGBUS.
#include "io/posix_log_file.hpp"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "sand/file_system.hpp"
#include "support/temp_dir.hpp"

using namespace sand;
using sand::io::kWindowSize;
using sand::io::kWriteThroughMin;

namespace {

std::string contents_of(const std::string& path) {
  auto file = posix_file_system()->open_readable_file(path);
  REQUIRE(file.is_ok());
  return std::string((*file)->contents());
}

// A new POSIX log file at `path`.
std::unique_ptr<WritableFile> open_log(const std::string& path) {
  auto file = posix_file_system()->new_log_file(path);
  REQUIRE(file.is_ok());
  return std::move(file).value();
}

// Bytes that differ from window to window, so a misplaced copy shows.
std::string pattern(std::size_t n, std::size_t seed) {
  std::string out(n, '\0');
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<char>('a' + (i * 7 + seed) % 26);
  return out;
}

bool all_zero(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
}

// Restores RLIMIT_FSIZE and SIGXFSZ's handler when a test leaves.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved_) == 0);
    old_handler_ = ::signal(SIGXFSZ, SIG_IGN);  // the error, not the signal
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &limit) == 0);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    ::signal(SIGXFSZ, old_handler_);
  }

 private:
  rlimit saved_{};
  sighandler_t old_handler_ = SIG_DFL;
};

}  // namespace

TEST_CASE("posix log file: appends across windows read back, zeros trimmed at close",
          "[io][log_file]") {
  sand::test::TempDir tmp;
  const std::string path = tmp.path() + "/000001.wal";
  auto file = open_log(path);
  std::string expected;
  // Pieces that straddle window boundaries, and one longer than two windows.
  const std::size_t sizes[] = {28, 100, kWindowSize - 128, 1000, 2 * kWindowSize + 17, 1, 4096};
  std::size_t seed = 0;
  for (const std::size_t n : sizes) {
    const std::string piece = pattern(n, seed++);
    REQUIRE(file->append(piece).is_ok());
    expected += piece;
    CHECK(file->size() == expected.size());
  }
  REQUIRE(file->sync().is_ok());

  // While open: the appended bytes, then zeros up to a whole window.
  const std::string open_view = contents_of(path);
  CHECK(open_view.size() % kWindowSize == 0);
  REQUIRE(open_view.size() >= expected.size());
  CHECK(open_view.substr(0, expected.size()) == expected);
  CHECK(all_zero(std::string_view(open_view).substr(expected.size())));

  REQUIRE(file->close().is_ok());
  CHECK(contents_of(path) == expected);
  CHECK(file->close().is_ok());  // closing twice is harmless
}

TEST_CASE("posix log file: mapped and written-through appends interleave across windows",
          "[io][log_file]") {
  sand::test::TempDir tmp;
  const std::string path = tmp.path() + "/log";
  auto file = open_log(path);
  std::string expected;
  // Mapped (within a page and across pages), written through, mapped again
  // into the window still mapped, across the window's end into the window
  // populated ahead, then written through and mapped once more.
  const std::size_t sizes[] = {100,
                               4096,
                               50,
                               kWriteThroughMin - 1,
                               kWriteThroughMin,
                               70,
                               kWindowSize - 7400,
                               kWriteThroughMin + 1,
                               30};
  std::size_t seed = 11;
  for (const std::size_t n : sizes) {
    const std::string piece = pattern(n, seed++);
    REQUIRE(file->append(piece).is_ok());
    expected += piece;
    REQUIRE(file->size() == expected.size());
  }
  REQUIRE(expected.size() > kWindowSize);  // the last pieces crossed a window
  const std::string open_view = contents_of(path);
  CHECK(open_view.substr(0, expected.size()) == expected);
  CHECK(all_zero(std::string_view(open_view).substr(expected.size())));
  REQUIRE(file->close().is_ok());
  CHECK(contents_of(path) == expected);
}

TEST_CASE("posix log file: a log filled to a window's end closes at that size", "[io][log_file]") {
  sand::test::TempDir tmp;
  const std::string path = tmp.path() + "/log";
  auto file = open_log(path);
  const std::string whole = pattern(kWindowSize, 3);
  REQUIRE(file->append(whole).is_ok());
  REQUIRE(file->close().is_ok());
  CHECK(contents_of(path) == whole);
}

TEST_CASE("posix log file: an empty log closes empty", "[io][log_file]") {
  sand::test::TempDir tmp;
  const std::string path = tmp.path() + "/log";
  auto file = open_log(path);
  REQUIRE(file->close().is_ok());
  CHECK(std::filesystem::file_size(path) == 0);
}

TEST_CASE("posix log file: a killed writer leaves its appends, then zeros", "[io][log_file]") {
  sand::test::TempDir tmp;
  const std::string path = tmp.path() + "/log";
  const std::string written = pattern(3 * kWindowSize / 2, 5);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto file = posix_file_system()->new_log_file(path);
    if (!file.is_ok() || !(*file)->append(written).is_ok()) ::_exit(1);
    ::kill(::getpid(), SIGKILL);  // no close, no destructors: the zeros stay
    ::_exit(2);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  const std::string left = contents_of(path);
  CHECK(left.size() == 2 * kWindowSize);
  CHECK(left.substr(0, written.size()) == written);
  CHECK(all_zero(std::string_view(left).substr(written.size())));
}

// Appends `first`, then `second` with room for one and a half windows, so
// the second window's fallocate fails (EFBIG), as it would on a full disk
// (ENOSPC). Checks that the second append is an IOError naming the file and
// the window it could not reserve.
namespace {
void append_past_limit(WritableFile& file, const std::string& path, std::string_view first,
                       std::string_view second) {
  Status failed;
  {
    FileSizeLimit limit(kWindowSize + kWindowSize / 2);
    REQUIRE(file.append(first).is_ok());
    failed = file.append(second);
  }
  REQUIRE(failed.code() == Code::kIOError);
  CHECK(failed.message().find(path) != std::string::npos);
  CHECK(failed.message().find("preallocating bytes 1048576..2097152") != std::string::npos);
}
}  // namespace

TEST_CASE("posix log file: a failed preallocation is an IOError naming the file",
          "[io][log_file]") {
  sand::test::TempDir tmp;
  const std::string path = tmp.path() + "/log";
  auto file = open_log(path);
  append_past_limit(*file, path, pattern(kWindowSize - 10, 1), pattern(100, 2));
  // Nothing of the failed append, not even the 10 bytes that would have
  // fitted; close trims the rest.
  REQUIRE(file->close().is_ok());
  CHECK(contents_of(path) == pattern(kWindowSize - 10, 1));
}

TEST_CASE("posix log file: an append larger than a window past the space is an IOError",
          "[io][log_file]") {
  sand::test::TempDir tmp;
  const std::string path = tmp.path() + "/log";
  auto file = open_log(path);
  // The second append needs a second window.
  append_past_limit(*file, path, pattern(100, 1), pattern(kWindowSize, 2));
  REQUIRE(file->close().is_ok());
  CHECK(contents_of(path) == pattern(100, 1));  // nothing of the failed append
}
