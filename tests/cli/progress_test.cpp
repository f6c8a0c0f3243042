// Tests for src/cli/progress.cpp: the rendered line and summary for known
// numbers, the redraw rate limit under a fake clock, and that nothing is
// drawn on a pipe or a file.
#include "cli/progress.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <sstream>
#include <string>

#include "cli/terminal_pair.hpp"

namespace sand::cli {
namespace {

using namespace std::chrono_literals;
using TimePoint = std::chrono::steady_clock::time_point;

constexpr std::uint64_t kMiB = 1024 * 1024;

ProgressView export_view() {
  return ProgressView{.label = "export",
                      .unit = "entries",
                      .done = 45000,
                      .total = 100000,
                      .bytes = 10 * kMiB,
                      .elapsed = 3s};
}

TEST_CASE("progress line with a known total shows bar, percent, counts, rates, elapsed, ETA",
          "[progress]") {
  CHECK(render_progress_line(export_view(), 200) ==
        "export [#############-----------------]  45%  45000/100000 entries  15.0k entries/s  "
        "3.3 MiB/s  0:03  ETA 0:03");
}

TEST_CASE("progress line drops the bar before cutting the text", "[progress]") {
  const std::string line = render_progress_line(export_view(), 80);
  CHECK(line == "export   45%  45000/100000 entries  15.0k entries/s  3.3 MiB/s  0:03  ETA 0:03");
  CHECK(line.size() <= 79);
}

TEST_CASE("progress line is cut to the width minus the last column", "[progress]") {
  CHECK(render_progress_line(export_view(), 30) == "export   45%  45000/100000 en");
  CHECK(render_progress_line(export_view(), 1).empty());
  CHECK(render_progress_line(export_view(), 0).empty());
}

TEST_CASE("progress line bar is never wider than 30 and fills with done", "[progress]") {
  ProgressView v = export_view();
  v.done = v.total;
  const std::string line = render_progress_line(v, 300);
  CHECK(line.starts_with("export [" + std::string(30, '#') + "] 100%  100000/100000 entries"));
  CHECK(line.find("ETA") == std::string::npos);  // nothing left to wait for
}

TEST_CASE("progress line with an unknown total has no bar, percent or ETA", "[progress]") {
  ProgressView v = export_view();
  v.total = 0;
  CHECK(render_progress_line(v, 200) == "export  45000 entries  15.0k entries/s  3.3 MiB/s  0:03");
}

TEST_CASE("progress line without elapsed time or progress shows no rate or ETA", "[progress]") {
  ProgressView v = export_view();
  v.elapsed = 0s;
  CHECK(render_progress_line(v, 200) ==
        "export [#############-----------------]  45%  45000/100000 entries  0:00");
  v = export_view();
  v.done = 0;
  CHECK(render_progress_line(v, 200) ==
        "export [------------------------------]   0%  0/100000 entries  0:03");
}

TEST_CASE("progress line counts past an estimated total stay at 100 percent", "[progress]") {
  ProgressView v = export_view();
  v.done = 150000;
  CHECK(render_progress_line(v, 120).find("100%  150000/100000") != std::string::npos);
}

TEST_CASE("progress rates and durations scale their units", "[progress]") {
  ProgressView v{
      .label = "import", .unit = "entries", .done = 2'500'000, .bytes = 0, .elapsed = 1s};
  CHECK(render_progress_line(v, 200) == "import  2500000 entries  2.5M entries/s  0.0 MiB/s  0:01");
  v.done = 950;
  v.elapsed = 3723s;  // 1 h 2 min 3 s
  CHECK(render_progress_line(v, 200) == "import  950 entries  0 entries/s  0.0 MiB/s  1:02:03");
}

TEST_CASE("progress summary shows totals, size, elapsed and rates", "[progress]") {
  ProgressView v = export_view();
  v.done = 100000;
  v.elapsed = 8s;
  CHECK(render_progress_summary(v) ==
        "export: 100000 entries, 10.0 MiB in 0:08 (12.5k entries/s, 1.2 MiB/s)");
  v.elapsed = 0s;
  CHECK(render_progress_summary(v) == "export: 100000 entries, 10.0 MiB in 0:00");
}

// A clock the test moves by hand.
struct FakeClock {
  TimePoint now{};
  ProgressDrawer::Clock function() {
    return [this] { return now; };
  }
};

TEST_CASE("progress drawer redraws at most every 100 ms", "[progress]") {
  FakeClock clock;
  std::ostringstream out;
  ProgressDrawer drawer(
      out, clock.function(), [] { return std::size_t{200}; }, "import", 0, "entries");
  drawer.update(1, 10);
  CHECK(out.str().empty());  // a job shorter than one interval draws no line
  clock.now += 99ms;
  drawer.update(2, 20);
  CHECK(out.str().empty());
  clock.now += 1ms;
  drawer.update(3, 30);
  CHECK(out.str() == "\rimport  3 entries  30 entries/s  0.0 MiB/s  0:00\x1b[K");
  out.str("");
  for (int i = 0; i < 1000; ++i) drawer.update(4 + i, 40);
  CHECK(out.str().empty());  // same instant: no redraw however many updates
  clock.now += 150ms;
  drawer.update(2000, 40);
  CHECK(out.str() == "\rimport  2000 entries  8.0k entries/s  0.0 MiB/s  0:00\x1b[K");
}

TEST_CASE("progress drawer finish prints the summary once and ignores later calls", "[progress]") {
  FakeClock clock;
  std::ostringstream out;
  {
    ProgressDrawer drawer(
        out, clock.function(), [] { return std::size_t{80}; }, "check", 4, "files");
    clock.now += 2s;
    drawer.update(4, 2 * kMiB);
    out.str("");
    drawer.finish();
    CHECK(out.str() == "\rcheck: 4 files, 2.0 MiB in 0:02 (2 files/s, 1.0 MiB/s)\x1b[K\n");
    out.str("");
    clock.now += 1s;
    drawer.update(5, 3 * kMiB);
    drawer.finish();
  }
  CHECK(out.str().empty());  // nor does the destructor erase anything
}

TEST_CASE("progress drawer destroyed without finish erases its line", "[progress]") {
  FakeClock clock;
  std::ostringstream out;
  {
    ProgressDrawer drawer(
        out, clock.function(), [] { return std::size_t{80}; }, "import", 0, "entries");
    clock.now += 1s;
    drawer.update(7, 70);
    out.str("");
  }
  CHECK(out.str() == "\r\x1b[K");
}

TEST_CASE("progress drawer fits each redraw to the width asked then", "[progress]") {
  FakeClock clock;
  std::ostringstream out;
  std::size_t width = 200;
  ProgressDrawer drawer(
      out, clock.function(), [&width] { return width; }, "export", 100, "entries");
  clock.now += 1s;
  drawer.update(50, 0);
  CHECK(out.str().find('[') != std::string::npos);
  out.str("");
  width = 20;
  clock.now += 1s;
  drawer.update(60, 0);
  CHECK(out.str() == "\rexport   60%  60/10\x1b[K");
}

// Everything readable from `fd` now, without blocking.
std::string drain(int fd) {
  REQUIRE(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0);
  std::string got;
  char buf[256];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

TEST_CASE("progress on a pipe draws nothing", "[progress]") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  {
    const std::unique_ptr<Progress> progress =
        Progress::on_terminal(fds[1], "export", 10, "entries");
    REQUIRE(progress != nullptr);
    for (std::uint64_t i = 1; i <= 10; ++i) progress->update(i, i * 100);
    progress->finish();
  }
  close(fds[1]);
  CHECK(drain(fds[0]).empty());
  close(fds[0]);
}

TEST_CASE("progress on a regular file draws nothing", "[progress]") {
  char path[] = "/tmp/sand-progress-test-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  {
    const std::unique_ptr<Progress> progress = Progress::on_terminal(fd, "import", 0, "entries");
    progress->update(1, 1);
    progress->finish();
  }
  CHECK(lseek(fd, 0, SEEK_END) == 0);
  close(fd);
  unlink(path);
}

TEST_CASE("progress on a terminal prints the summary line", "[progress]") {
  test::TerminalPair pty;
  REQUIRE(draws_progress_on(pty.terminal()));
  {
    const std::unique_ptr<Progress> progress =
        Progress::on_terminal(pty.terminal(), "import", 0, "entries");
    progress->update(3, 3 * kMiB);
    progress->finish();
  }
  const std::string drawn = pty.read_until("\n");
  CHECK(drawn.find("\rimport: 3 entries, 3.0 MiB in 0:00") != std::string::npos);
}

TEST_CASE("progress line of a job that cannot count is the label and the time", "[progress]") {
  const ProgressView v{.label = "compact", .unit = "tables", .elapsed = 65s};
  CHECK(render_progress_line(v, 80) == "compact  1:05");
}

}  // namespace
}  // namespace sand::cli
