// Status and Result<T>: kinds, messages, and what value() of a failed Result
// does (abort with the Status text, never std::bad_variant_access).
#include <signal.h>    // SIGABRT
#include <sys/wait.h>  // waitpid
#include <unistd.h>    // fork, pipe, dup2

#include <catch2/catch.hpp>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "sand/status.hpp"
#include "sand/version.hpp"

namespace {

struct ChildOutcome {
  bool aborted = false;
  std::string stderr_text;
};

// Runs `body` in a forked child whose stderr is captured; reports whether it
// died of SIGABRT and what it printed.
ChildOutcome run_in_child(const std::function<void()>& body) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(fds[1], STDERR_FILENO);
    close(fds[0]);
    body();
    _exit(0);
  }
  close(fds[1]);
  ChildOutcome outcome;
  char buf[512];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) outcome.stderr_text.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  outcome.aborted = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
  return outcome;
}

sand::Result<std::unique_ptr<int>> failing() {
  return sand::Status::corruption("000007.sst", 4096, "block checksum mismatch");
}

}  // namespace

TEST_CASE("Status: to_string names the kind and the message", "[status]") {
  CHECK(sand::Status::ok().to_string() == "OK");
  CHECK(sand::Status::corruption("000007.sst", 4096, "block checksum mismatch").to_string() ==
        "Corruption: 000007.sst: offset 4096: block checksum mismatch");
  CHECK(sand::Status::busy("db/LOCK: held").code() == sand::Code::kBusy);
  CHECK(sand::code_name(sand::Code::kReadOnly) == "ReadOnly");
}

TEST_CASE("Result: value() of a failed Result aborts with the Status text", "[status]") {
  for (int access = 0; access < 3; ++access) {
    const ChildOutcome outcome = run_in_child([access] {
      auto r = failing();
      if (access == 0) (void)*r;
      if (access == 1) (void)r->get();
      if (access == 2) (void)std::move(r).value();
    });
    INFO("access " << access << ", stderr: " << outcome.stderr_text);
    CHECK(outcome.aborted);
    CHECK(outcome.stderr_text ==
          "sand: value of a failed Result: Corruption: 000007.sst: offset 4096: block checksum "
          "mismatch\n");
  }
}

TEST_CASE("Result: a value is reachable through *, -> and value()", "[status]") {
  sand::Result<std::string> r = std::string("alice");
  REQUIRE(r.is_ok());
  CHECK(*r == "alice");
  CHECK(r->size() == 5);
  CHECK(r.status().is_ok());
  CHECK(std::move(r).value() == "alice");
}

TEST_CASE("version(): the library's version is the headers'", "[status]") {
  CHECK(sand::version() == std::to_string(SAND_VERSION_MAJOR) + "." +
                               std::to_string(SAND_VERSION_MINOR) + "." +
                               std::to_string(SAND_VERSION_PATCH));
}
