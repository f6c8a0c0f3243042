// Progress: the one-line progress display of long commands (export, import,
// check, compact), drawn on stderr only when stderr is a terminal, so a pipe
// or a file never gets anything but data ("progress only on a terminal",
// STYLE.md).
//
// Three parts, so each is testable alone:
// - render_progress_line / render_progress_summary: pure functions from the
//   numbers (label, done, total, bytes, elapsed, width) to the text.
// - ProgressDrawer: a Progress that redraws one line in place on an ostream
//   (`\r`, the line, ESC[K to clear the rest) at most every
//   kProgressRedrawInterval, by an injected clock; finish() replaces it with
//   the summary and a newline.
// - Progress::on_terminal: a ProgressDrawer on a terminal fd (width from
//   TIOCGWINSZ, 80 if unknown), else a Progress that does nothing.
//
// A drawn line, total known / unknown (fit to the width; the bar is dropped
// before the line is cut):
//   export [#############-----------------]  45%  45000/100000 entries
//     15.0k entries/s  3.3 MiB/s  0:03  ETA 0:03        (one line)
//   import  45000 entries  15.0k entries/s  3.3 MiB/s  0:03
// The summary finish() prints:
//   export: 100000 entries, 7.6 MiB in 0:07 (14.3k entries/s, 1.1 MiB/s)
//
// Thread-safety: a Progress is used by one thread at a time; the pure
// functions are thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace sand::cli {

// A progress display. Never drawn on anything but a terminal.
class Progress {
 public:
  // A Progress that draws on `fd` if it is a terminal (isatty, and $TERM is
  // not "dumb"), else one whose calls do nothing. Never null. `total` is the
  // number of `unit`s expected, 0 if unknown (then no bar, percentage or
  // ETA). Writes to `fd` ignore errors: progress is never worth failing for.
  static std::unique_ptr<Progress> on_terminal(int fd, std::string label, std::uint64_t total,
                                               std::string unit);
  virtual ~Progress();

  // `done` units (and `bytes` bytes of data) are processed so far; both only
  // grow. Cheap enough to call once per entry: one clock read, and a redraw
  // at most every kProgressRedrawInterval.
  virtual void update(std::uint64_t done, std::uint64_t bytes) = 0;
  // Replaces the line with the summary (totals, rate, elapsed) and a newline.
  // Later calls (update, finish) do nothing. A Progress destroyed without
  // finish() erases its line, so an error message after it starts clean.
  virtual void finish() = 0;
};

inline constexpr std::chrono::milliseconds kProgressRedrawInterval{100};

// Whether Progress::on_terminal(fd, ...) would draw: `fd` is a terminal and
// $TERM is not "dumb" (which does not understand ESC[K).
bool draws_progress_on(int fd);

// The numbers one line shows.
struct ProgressView {
  std::string_view label;
  std::string_view unit;
  std::uint64_t done = 0;
  std::uint64_t total = 0;  // 0: unknown
  std::uint64_t bytes = 0;
  std::chrono::nanoseconds elapsed{0};
};

// The line (without `\r` or ESC[K) in at most width - 1 characters (the last
// column is left free: writing it makes some terminals wrap). Rates and ETA
// are left out while elapsed is 0 or nothing is done; ETA also when the
// total is unknown or reached. With neither a total nor anything done, the
// line is only the label and the elapsed time (a job that cannot count, as
// compact). REQUIRES: label and unit are ASCII.
std::string render_progress_line(const ProgressView& view, std::size_t width);

// The final line: "<label>: <done> <unit>, <MiB> in <elapsed> (<rates>)",
// not fitted to a width (it ends with a newline, so it may wrap).
std::string render_progress_summary(const ProgressView& view);

// A Progress drawing on `out`. The clock and the width are functions so that
// tests can drive them; on_terminal passes steady_clock and TIOCGWINSZ.
class ProgressDrawer final : public Progress {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  using Width = std::function<std::size_t()>;

  // The start time is now(); the first line is drawn by the first update()
  // at least kProgressRedrawInterval later, so a quick job shows only the
  // summary.
  ProgressDrawer(std::ostream& out, Clock now, Width width, std::string label, std::uint64_t total,
                 std::string unit);
  ~ProgressDrawer() override;

  void update(std::uint64_t done, std::uint64_t bytes) override;
  void finish() override;

 private:
  ProgressView view(std::chrono::steady_clock::time_point now) const;

  std::ostream& out_;
  const Clock now_;
  const Width width_;
  const std::string label_;
  const std::string unit_;
  const std::uint64_t total_;
  const std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  std::uint64_t done_ = 0;
  std::uint64_t bytes_ = 0;
  bool drawn_ = false;  // a line is on the screen
  bool finished_ = false;
};

}  // namespace sand::cli
