// The acceptance test of the interactive shell (issue 17): the real `sand`
// binary (SAND_CLI_PATH) runs on a pseudo-terminal (forkpty) and is typed at
// as a person would: arrow keys editing a line, Up recalling history (also
// from an earlier session, through $SAND_HISTORY), Tab completing, Ctrl-C
// dropping a half-typed line, Ctrl-D leaving. What the editing produced is
// checked in the database afterwards, byte for byte.
//
// Robustness: every read waits with poll() and a deadline (kWait), keys are
// sent only after the prompt has arrived and the line editor has put the
// terminal in raw mode, the terminal is TERM=xterm at 80x24 with no
// ~/.editrc and LC_ALL=C, and the child is killed if it outlives the test.
#include <poll.h>
#include <pty.h>  // forkpty
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sand/sand.hpp"
#include "support/temp_dir.hpp"

extern char** environ;

namespace {

using namespace std::chrono_literals;
using sand::test::TempDir;

// Generous: a sanitizer build on a busy machine is slow, and a pass never
// waits for a deadline.
constexpr auto kWait = 20s;

constexpr std::string_view kPrompt = "sand> ";
constexpr std::string_view kLeft = "\x1b[D";
constexpr std::string_view kUp = "\x1b[A";
constexpr std::string_view kCtrlC = "\x03";
constexpr std::string_view kCtrlD = "\x04";

// `sand --db DIR/db shell` on a pseudo-terminal, with HOME and SAND_HISTORY
// in DIR.
class PtyShell {
 public:
  explicit PtyShell(const TempDir& dir) {
    // Everything the child needs is built before fork: after it, only
    // async-signal-safe calls.
    args_ = {SAND_CLI_PATH, "--db", dir.path() + "/db", "shell"};
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string_view var(*e);
      if (!var.starts_with("TERM=") && !var.starts_with("HOME=") &&
          !var.starts_with("SAND_HISTORY=") && !var.starts_with("EDITRC=") &&
          !var.starts_with("LANG=") && !var.starts_with("LC_")) {
        env_.emplace_back(var);
      }
    }
    env_.push_back("TERM=xterm");
    env_.push_back("HOME=" + dir.path());  // no ~/.editrc of the user
    env_.push_back("SAND_HISTORY=" + dir.path() + "/history");
    env_.push_back("LC_ALL=C");
    std::vector<char*> argv;
    for (std::string& a : args_) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (std::string& e : env_) envp.push_back(e.data());
    envp.push_back(nullptr);

    winsize size{};
    size.ws_row = 24;
    size.ws_col = 80;
    pid_ = forkpty(&master_, nullptr, nullptr, &size);
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      execve(argv[0], argv.data(), envp.data());
      _exit(127);
    }
  }

  ~PtyShell() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (master_ >= 0) close(master_);
  }

  PtyShell(const PtyShell&) = delete;
  PtyShell& operator=(const PtyShell&) = delete;

  // Types `keys`.
  void send(std::string_view keys) {
    while (!keys.empty()) {
      const ssize_t n = write(master_, keys.data(), keys.size());
      if (n < 0 && errno == EINTR) continue;
      REQUIRE(n > 0);
      keys.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  // Waits until `text` appears in the output after everything an earlier
  // expect() consumed, and consumes up to its end. Fails the test, showing
  // the output, if it has not come within kWait.
  void expect(std::string_view text) {
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (true) {
      const std::size_t at = output_.find(text, consumed_);
      if (at != std::string::npos) {
        consumed_ = at + text.size();
        return;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left <= 0ms || !read_some(left)) {
        INFO("waited for: " << escaped(text) << "\nafter: " << escaped(output_.substr(consumed_))
                            << "\nwhole output: " << escaped(output_));
        FAIL("the shell did not print what was expected in time");
      }
    }
  }

  // Waits for the prompt and then for the line editor to put the terminal
  // in raw mode, so what is typed next goes to the editor. (libedit prints
  // the prompt just before that: keys sent in between would be taken by the
  // terminal's cooked mode, Ctrl-C and Ctrl-D included.)
  void expect_prompt() {
    expect(kPrompt);
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (true) {
      termios mode{};
      // A pseudo-terminal's two ends share one termios.
      REQUIRE(tcgetattr(master_, &mode) == 0);
      if ((mode.c_lflag & ICANON) == 0) return;
      if (std::chrono::steady_clock::now() >= deadline || !read_some(5ms)) {
        INFO("output: " << escaped(output_));
        FAIL("the line editor did not take the terminal in time");
      }
    }
  }

  // Types `line` and Enter, then waits for `answer` and the next prompt.
  void run(std::string_view line, std::string_view answer) {
    send(line);
    send("\r");
    expect(answer);
    expect_prompt();
  }

  // Waits for the process to end (after Ctrl-D) and returns its exit code.
  int wait_exit() {
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      const pid_t done = waitpid(pid_, &status, WNOHANG);
      if (done == pid_) {
        pid_ = -1;
        drain();  // what is left, e.g. a sanitizer's report
        INFO("output: " << escaped(output_));
        REQUIRE(WIFEXITED(status));
        return WEXITSTATUS(status);
      }
      read_some(50ms);  // keep the terminal drained
    }
    INFO("output: " << escaped(output_));
    FAIL("the shell did not exit in time");
    return -1;
  }

  const std::string& output() const { return output_; }

 private:
  // Reads what is there within `timeout`; false at the end of output.
  bool read_some(std::chrono::milliseconds timeout) {
    pollfd fd{.fd = master_, .events = POLLIN, .revents = 0};
    const int ready = poll(&fd, 1, static_cast<int>(timeout.count()));
    if (ready < 0) return errno == EINTR;
    if (ready == 0) return true;  // nothing yet; the caller checks its deadline
    char buffer[4096];
    const ssize_t n = read(master_, buffer, sizeof(buffer));
    if (n <= 0) return n < 0 && errno == EINTR;  // EIO: the child closed the terminal
    output_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }

  // Reads whatever output is already there, without waiting.
  void drain() {
    char buffer[4096];
    pollfd fd{.fd = master_, .events = POLLIN, .revents = 0};
    while (poll(&fd, 1, 0) > 0) {
      const ssize_t n = read(master_, buffer, sizeof(buffer));
      if (n <= 0) return;
      output_.append(buffer, static_cast<std::size_t>(n));
    }
  }

  static std::string escaped(std::string_view bytes) {
    std::string out;
    for (unsigned char c : bytes) {
      if (c == '\n') {
        out += "\\n\n";
      } else if (c < 0x20 || c > 0x7e) {
        static constexpr char kHex[] = "0123456789abcdef";
        out += "\\x";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
      } else {
        out.push_back(static_cast<char>(c));
      }
    }
    return out;
  }

  std::vector<std::string> args_;
  std::vector<std::string> env_;
  pid_t pid_ = -1;
  int master_ = -1;
  std::string output_;
  std::size_t consumed_ = 0;
};

// Opens the database the shell used (after it exited).
std::unique_ptr<sand::DB> open_db(const TempDir& dir) {
  sand::Result<std::unique_ptr<sand::DB>> db = sand::DB::open(dir.path() + "/db");
  INFO(db.status().to_string());
  REQUIRE(db.is_ok());
  return std::move(db).value();
}

std::string repeat(std::string_view keys, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += keys;
  return out;
}

TEST_CASE("interactive shell: arrow keys and backspace edit the line", "[cli][pty]") {
  TempDir dir;
  {
    PtyShell shell(dir);
    shell.expect("type help for the commands");
    shell.expect_prompt();
    // "put colr red", five times Left: the cursor is between "col" and "r";
    // typing "ou" makes "put colour red".
    shell.send("put colr red");
    shell.send(repeat(kLeft, 5));
    shell.send("ou");
    shell.run("", "OK 1");
    // A typo fixed with backspace (DEL, what terminals send) at the end.
    shell.send("put k vx");
    shell.send("\x7f");
    shell.run("", "OK 2");
    // The editing keys never reach the database as bytes.
    shell.run("get colour", "red\r\n");
    shell.send(kCtrlD);
    CHECK(shell.wait_exit() == 0);
  }
  std::unique_ptr<sand::DB> db = open_db(dir);
  CHECK(db->get("colour").value() == "red");
  CHECK(db->get("colr").value() == std::nullopt);
  CHECK(db->get("k").value() == "v");
  CHECK(db->last_version() == 2);
}

TEST_CASE("interactive shell: up arrow recalls history, also in the next session", "[cli][pty]") {
  TempDir dir;
  const std::string history = dir.path() + "/history";
  {
    PtyShell shell(dir);
    shell.expect_prompt();
    shell.run("put n 1", "OK 1");
    shell.run("put m 2", "OK 2");
    // Up Up Enter: `put n 1` again.
    shell.send(repeat(kUp, 2));
    shell.run("", "OK 3");
    shell.send(kCtrlD);
    CHECK(shell.wait_exit() == 0);
  }
  REQUIRE(std::filesystem::exists(history));
  struct stat st {};
  REQUIRE(stat(history.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  {
    PtyShell shell(dir);
    shell.expect_prompt();
    // The newest entry of the first session is `put n 1` (run last).
    shell.send(kUp);
    shell.run("", "OK 4");
    shell.send(kCtrlD);
    CHECK(shell.wait_exit() == 0);
  }
  std::unique_ptr<sand::DB> db = open_db(dir);
  const std::vector<sand::HistoryEntry> n = db->history("n").value();
  CHECK(n.size() == 3);  // versions 1, 3 and 4
  CHECK(db->history("m").value().size() == 1);
}

TEST_CASE("interactive shell: Tab completes commands and options", "[cli][pty]") {
  TempDir dir;
  {
    PtyShell shell(dir);
    shell.expect_prompt();
    shell.run("put a 1", "OK 1");
    shell.run("put b 2", "OK 2");
    // sc<Tab> -> "scan ", --rev<Tab> -> "--reverse ": the answer is the
    // reversed scan only if both completed.
    shell.send("sc\t");
    shell.send("--rev\t");
    shell.run("", "b\t2\r\na\t1\r\n\r\n");
    // h<Tab> is ambiguous: the candidates are listed and the line stays.
    shell.send("h\t");
    shell.expect("history  help");
    shell.send("e\t");
    shell.run("get", "get KEY [@VERSION]\r\n  the value of KEY");
    shell.send(kCtrlD);
    CHECK(shell.wait_exit() == 0);
  }
  std::unique_ptr<sand::DB> db = open_db(dir);
  CHECK(db->last_version() == 2);
}

TEST_CASE("interactive shell: Ctrl-C drops the half-typed line and the shell goes on",
          "[cli][pty]") {
  TempDir dir;
  {
    PtyShell shell(dir);
    shell.expect_prompt();
    shell.send("put half typed");
    shell.expect("typed");
    shell.send(kCtrlC);
    shell.expect("^C");
    shell.expect_prompt();
    // The next command works, and is the first write: the dropped put never
    // ran.
    shell.run("put x y", "OK 1");
    // Ctrl-C on an empty line, and twice in a row.
    shell.send(kCtrlC);
    shell.expect_prompt();
    shell.send("del x");
    shell.send(kCtrlC);
    shell.expect_prompt();
    shell.send(kCtrlC);
    shell.expect_prompt();
    shell.run("get x", "y\r\n");
    shell.send(kCtrlD);
    CHECK(shell.wait_exit() == 0);  // a dropped line is not a failure
  }
  std::unique_ptr<sand::DB> db = open_db(dir);
  CHECK(db->get("half").value() == std::nullopt);
  CHECK(db->get("x").value() == "y");
  CHECK(db->last_version() == 1);
}

TEST_CASE("interactive shell: Ctrl-C during a long scan ends the scan, not the shell",
          "[cli][pty]") {
  TempDir dir;
  {
    // Far more output than a terminal buffers: the scan is still writing
    // when Ctrl-C comes, however fast the machine.
    std::unique_ptr<sand::DB> db = open_db(dir);
    sand::WriteBatch batch;
    for (int i = 0; i < 200000; ++i) {
      char key[16];
      std::snprintf(key, sizeof(key), "k%07d", i);
      batch.put(key, std::string(100, 'v'));
    }
    REQUIRE(db->write(batch).is_ok());
  }
  {
    PtyShell shell(dir);
    shell.expect_prompt();
    shell.send("scan\r");
    shell.expect("k0000000\t");
    shell.send(kCtrlC);
    shell.expect("interrupted\r\n");
    shell.expect_prompt();
    shell.run("get k0199999", std::string(100, 'v') + "\r\n");
    shell.run("put after 1", "OK 2");
    shell.send(kCtrlD);
    CHECK(shell.wait_exit() == 0);  // an interrupted listing is not a failure
  }
  std::unique_ptr<sand::DB> db = open_db(dir);
  CHECK(db->get("after").value() == "1");
}

TEST_CASE("interactive shell: checkpoint copies the open database", "[cli][pty]") {
  TempDir dir;
  {
    PtyShell shell(dir);
    shell.expect_prompt();
    shell.run("put a 1", "OK 1");
    shell.run("checkpoint " + dir.path() + "/copy", "OK 1");
    shell.run("put a 2", "OK 2");
    shell.send(kCtrlD);
    CHECK(shell.wait_exit() == 0);
  }
  sand::Result<std::unique_ptr<sand::DB>> copy = sand::DB::open(dir.path() + "/copy");
  REQUIRE(copy.is_ok());
  CHECK((*copy)->get("a").value() == "1");
  CHECK((*copy)->last_version() == 1);
}

TEST_CASE("interactive shell: a failed command makes the exit code 3", "[cli][pty][exit]") {
  TempDir dir;
  PtyShell shell(dir);
  shell.expect_prompt();
  shell.run("bogus", "ERR InvalidArgument: unknown command 'bogus'");
  shell.run("put a 1", "OK 1");
  shell.send(kCtrlD);
  CHECK(shell.wait_exit() == 3);
}

}  // namespace
