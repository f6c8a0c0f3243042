// TerminalPair: a pseudo-terminal for tests of what is drawn only on a
// terminal (cli/progress.hpp). `terminal()` is the fd the code under test
// writes to (isatty is true for it); `read_until` reads what arrived on the
// other side. TERM is set to "xterm" while it lives (a "dumb" TERM draws
// nothing). Test-only; one thread.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <optional>
#include <string>

namespace sand::cli::test {

class TerminalPair {
 public:
  TerminalPair() {
    const char* term = std::getenv("TERM");
    if (term != nullptr) saved_term_ = term;
    setenv("TERM", "xterm", 1);
    controller_ = posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(controller_ >= 0);
    REQUIRE(grantpt(controller_) == 0);
    REQUIRE(unlockpt(controller_) == 0);
    terminal_ = open(ptsname(controller_), O_RDWR | O_NOCTTY);
    REQUIRE(terminal_ >= 0);
  }
  ~TerminalPair() {
    if (terminal_ >= 0) close(terminal_);
    if (controller_ >= 0) close(controller_);
    if (saved_term_) {
      setenv("TERM", saved_term_->c_str(), 1);
    } else {
      unsetenv("TERM");
    }
  }
  TerminalPair(const TerminalPair&) = delete;
  TerminalPair& operator=(const TerminalPair&) = delete;

  int terminal() const { return terminal_; }

  // What the terminal side wrote, read until `marker` shows (the kernel hands
  // pty output over asynchronously) or 10 s pass without new bytes; the
  // caller's checks then say what was missing.
  std::string read_until(const std::string& marker) {
    std::string got;
    while (got.find(marker) == std::string::npos) {
      pollfd p{.fd = controller_, .events = POLLIN, .revents = 0};
      if (poll(&p, 1, 10'000) <= 0) break;
      char buf[512];
      const ssize_t n = read(controller_, buf, sizeof buf);
      if (n <= 0) break;
      got.append(buf, static_cast<std::size_t>(n));
    }
    return got;
  }

 private:
  int controller_ = -1;
  int terminal_ = -1;
  std::optional<std::string> saved_term_;
};

}  // namespace sand::cli::test
