// Progress lines (cli/progress.hpp): rendering, the rate-limited drawer and
// the terminal check.
#include "cli/progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <streambuf>

#include "cli/value_file.hpp"

namespace sand::cli {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr std::size_t kMaxBarWidth = 30;
// Narrower than this, a bar says too little to be worth its columns.
constexpr std::size_t kMinBarWidth = 10;
constexpr std::size_t kFallbackWidth = 80;
constexpr std::string_view kClearToEnd = "\x1b[K";

double seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

std::string format(const char* spec, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, spec, x);
  return buf;
}

// "0:07", "12:34", "1:02:03": whole seconds, rounded down.
std::string format_duration(double s) {
  const auto total = static_cast<std::uint64_t>(std::max(0.0, s));
  const std::uint64_t h = total / 3600, m = total / 60 % 60, sec = total % 60;
  char buf[64];
  if (h > 0) {
    std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu", static_cast<unsigned long long>(h),
                  static_cast<unsigned long long>(m), static_cast<unsigned long long>(sec));
  } else {
    std::snprintf(buf, sizeof buf, "%llu:%02llu", static_cast<unsigned long long>(m),
                  static_cast<unsigned long long>(sec));
  }
  return buf;
}

// A count per second in three significant-ish figures: "950", "15.0k", "2.5M".
std::string format_rate(double per_second) {
  if (per_second < 1e3) return format("%.0f", per_second);
  if (per_second < 1e6) return format("%.1fk", per_second / 1e3);
  if (per_second < 1e9) return format("%.1fM", per_second / 1e6);
  return format("%.1fG", per_second / 1e9);
}

std::string format_mib(std::uint64_t bytes) { return format("%.1f MiB", bytes / kMiB); }

bool has_rates(const ProgressView& v) { return v.elapsed.count() > 0 && v.done > 0; }

// "15.0k entries/s  3.4 MiB/s"
std::string rates(const ProgressView& v, std::string_view separator) {
  const double s = seconds(v.elapsed);
  std::string out = format_rate(v.done / s);
  out += ' ';
  out += v.unit;
  out += "/s";
  out += separator;
  out += format("%.1f MiB/s", v.bytes / s / kMiB);
  return out;
}

// Everything right of the bar: percentage, counts, rates, elapsed, ETA.
std::string stats_text(const ProgressView& v) {
  std::string out;
  if (v.total == 0 && v.done == 0) return format_duration(seconds(v.elapsed));
  if (v.total > 0) {
    const double fraction = std::min(1.0, static_cast<double>(v.done) / v.total);
    out += format("%3.0f%%", std::floor(fraction * 100)) + "  ";
    out += std::to_string(v.done) + "/" + std::to_string(v.total);
  } else {
    out += std::to_string(v.done);
  }
  out += ' ';
  out += v.unit;
  if (has_rates(v)) out += "  " + rates(v, "  ");
  out += "  " + format_duration(seconds(v.elapsed));
  if (v.total > 0 && has_rates(v) && v.done < v.total) {
    const double eta = (v.total - v.done) * seconds(v.elapsed) / v.done;
    out += "  ETA " + format_duration(eta);
  }
  return out;
}

}  // namespace

std::string render_progress_line(const ProgressView& v, std::size_t width) {
  const std::size_t usable = width > 0 ? width - 1 : 0;
  const std::string stats = stats_text(v);
  std::string line(v.label);
  // " [" + bar + "] " around the bar.
  const std::size_t fixed = v.label.size() + 4 + stats.size();
  if (v.total > 0 && usable >= fixed + kMinBarWidth) {
    const std::size_t bar = std::min(kMaxBarWidth, usable - fixed);
    const double fraction = std::min(1.0, static_cast<double>(v.done) / v.total);
    const auto filled = static_cast<std::size_t>(fraction * bar);
    line += " [";
    line.append(filled, '#');
    line.append(bar - filled, '-');
    line += "] ";
  } else {
    line += "  ";
  }
  line += stats;
  if (line.size() > usable) line.resize(usable);
  return line;
}

std::string render_progress_summary(const ProgressView& v) {
  std::string out(v.label);
  out += ": " + std::to_string(v.done) + " ";
  out += v.unit;
  out += ", " + format_mib(v.bytes) + " in " + format_duration(seconds(v.elapsed));
  if (has_rates(v)) out += " (" + rates(v, ", ") + ")";
  return out;
}

Progress::~Progress() = default;

ProgressDrawer::ProgressDrawer(std::ostream& out, Clock now, Width width, std::string label,
                               std::uint64_t total, std::string unit)
    : out_(out),
      now_(std::move(now)),
      width_(std::move(width)),
      label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      start_(now_()),
      last_draw_(start_) {}

ProgressDrawer::~ProgressDrawer() {
  if (drawn_ && !finished_) out_ << '\r' << kClearToEnd << std::flush;
}

ProgressView ProgressDrawer::view(std::chrono::steady_clock::time_point now) const {
  return ProgressView{.label = label_,
                      .unit = unit_,
                      .done = done_,
                      .total = total_,
                      .bytes = bytes_,
                      .elapsed = now - start_};
}

void ProgressDrawer::update(std::uint64_t done, std::uint64_t bytes) {
  if (finished_) return;
  done_ = done;
  bytes_ = bytes;
  const auto now = now_();
  if (now - last_draw_ < kProgressRedrawInterval) return;
  last_draw_ = now;
  drawn_ = true;
  // One write per redraw: `\r`, the line, then clear what a longer line left.
  out_ << ('\r' + render_progress_line(view(now), width_()) + std::string(kClearToEnd))
       << std::flush;
}

void ProgressDrawer::finish() {
  if (finished_) return;
  finished_ = true;
  out_ << ('\r' + render_progress_summary(view(now_())) + std::string(kClearToEnd) + '\n')
       << std::flush;
}

namespace {

// An unbuffered streambuf writing straight to a descriptor, errors ignored
// (Progress::on_terminal: progress is never worth failing a command for).
class FdStreamBuf final : public std::streambuf {
 public:
  explicit FdStreamBuf(int fd) : fd_(fd) {}

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    write_all(fd_, "progress", std::string_view(s, static_cast<std::size_t>(n))).ignore();
    return n;
  }
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    const char ch = traits_type::to_char_type(c);
    write_all(fd_, "progress", std::string_view(&ch, 1)).ignore();
    return c;
  }

 private:
  const int fd_;
};

class NoProgress final : public Progress {
 public:
  void update(std::uint64_t, std::uint64_t) override {}
  void finish() override {}
};

// A ProgressDrawer on a terminal descriptor, with the stream it writes to.
class TerminalProgress final : public Progress {
 public:
  TerminalProgress(int fd, std::string label, std::uint64_t total, std::string unit)
      : buf_(fd),
        out_(&buf_),
        drawer_(
            out_, [] { return std::chrono::steady_clock::now(); },
            [fd] { return terminal_width(fd); }, std::move(label), total, std::move(unit)) {}

  void update(std::uint64_t done, std::uint64_t bytes) override { drawer_.update(done, bytes); }
  void finish() override { drawer_.finish(); }

 private:
  // Asked at every redraw, so a resized window is followed.
  static std::size_t terminal_width(int fd) {
    winsize size{};
    if (ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
    return kFallbackWidth;
  }

  FdStreamBuf buf_;
  std::ostream out_;
  ProgressDrawer drawer_;  // last: destroyed (erasing its line) before the stream
};

}  // namespace

bool draws_progress_on(int fd) {
  const char* term = std::getenv("TERM");
  return isatty(fd) == 1 && (term == nullptr || std::string_view(term) != "dumb");
}

std::unique_ptr<Progress> Progress::on_terminal(int fd, std::string label, std::uint64_t total,
                                                std::string unit) {
  if (!draws_progress_on(fd)) return std::make_unique<NoProgress>();
  return std::make_unique<TerminalProgress>(fd, std::move(label), total, std::move(unit));
}

}  // namespace sand::cli
