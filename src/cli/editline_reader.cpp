// Terminal input through libedit (editline_reader.hpp).
#include "cli/editline_reader.hpp"

#include <fcntl.h>
#include <histedit.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <cwchar>

#include "cli/completion.hpp"

namespace sand::cli {
namespace {

// Set by the SIGINT handler while a line is being read.
volatile std::sig_atomic_t g_interrupted = 0;

// The self-pipe that wakes wait_for_input: the SIGINT handler writes a byte.
// Waking on EINTR instead would not do: the signal is sent to the process,
// and the kernel may run the handler on one of the database's threads,
// leaving the reading thread asleep.
int g_wake_read = -1;
int g_wake_write = -1;

void on_interrupt(int /*signo*/) {
  const int saved = errno;
  g_interrupted = 1;
  const char byte = 0;
  [[maybe_unused]] const ssize_t n = ::write(g_wake_write, &byte, 1);  // full pipe: awake anyway
  errno = saved;
}

// Empties the self-pipe (non-blocking).
void drain_wake_pipe() {
  char bytes[64];
  while (::read(g_wake_read, bytes, sizeof(bytes)) > 0) {
  }
}

// Catches SIGINT for its lifetime. With EL_SIGNAL set, libedit's own handler
// runs first (it puts the terminal back in cooked mode), then re-raises the
// signal to this one.
class ScopedInterruptHandler {
 public:
  ScopedInterruptHandler() {
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;  // the self-pipe wakes the reader, not EINTR
    sigaction(SIGINT, &action, &previous_);
  }
  ~ScopedInterruptHandler() { sigaction(SIGINT, &previous_, nullptr); }
  ScopedInterruptHandler(const ScopedInterruptHandler&) = delete;
  ScopedInterruptHandler& operator=(const ScopedInterruptHandler&) = delete;

 private:
  struct sigaction previous_ {};
};

// Blocks until `fd` has input; false if Ctrl-C came first, also if it came
// while libedit was busy between two reads (the flag is set, and the byte in
// the self-pipe makes poll return at once).
bool wait_for_input(int fd) {
  while (g_interrupted == 0) {
    pollfd p[2] = {{.fd = fd, .events = POLLIN, .revents = 0},
                   {.fd = g_wake_read, .events = POLLIN, .revents = 0}};
    const int ready = ::poll(p, 2, -1);
    if (ready < 0 && errno == EINTR) continue;        // another signal, e.g. a resize
    if (ready < 0 || p[0].revents != 0) return true;  // read() tells what it is
    drain_wake_pipe();
  }
  return false;
}

}  // namespace

struct EditlineReader::State {
  EditLine* el = nullptr;
  History* hist = nullptr;
  // The terminal, opened again non-blocking for read_key (a file description
  // of our own: stdin's, shared with the parent shell, stays as it is).
  int key_fd = -1;
  HistEvent event{};
  std::FILE* out = nullptr;
  std::string prompt;  // what prompt_of shows; NUL-terminated by std::string
  std::string history_path;
  bool warned_history = false;

  State() = default;
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() {
    if (el != nullptr) el_end(el);  // also restores the terminal
    if (hist != nullptr) history_end(hist);
    if (key_fd >= 0) ::close(key_fd);
  }

  static State& of(EditLine* el) {
    void* data = nullptr;
    el_get(el, EL_CLIENTDATA, &data);
    return *static_cast<State*>(data);
  }

  // Adds a non-blank line to the history and rewrites the file.
  void remember(const std::string& line) {
    if (line.find_first_not_of(' ') == std::string::npos) return;
    history(hist, &event, H_ENTER, line.c_str());
    if (history_path.empty()) return;
    // libedit writes the file with fopen(path, "w"), which would create it
    // 0666 & ~umask: create it 0600 first, as it holds keys and values.
    const int fd = ::open(history_path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
    if (history(hist, &event, H_SAVE, history_path.c_str()) == -1 && !warned_history) {
      warned_history = true;
      std::fprintf(stderr, "sand: cannot write the history file %s\n", history_path.c_str());
    }
  }
};

namespace {

char* prompt_of(EditLine* el) { return EditlineReader::State::of(el).prompt.data(); }

// libedit's key source (EL_GETCFN): one character, decoded by LC_CTYPE as
// libedit's built-in reader does, but never blocked past a Ctrl-C. The read
// is non-blocking because the terminal discards unread input on Ctrl-C:
// input poll() just reported may be gone by the time read() runs. Returns 1
// with *key set; 0 at the end of input; -1 with errno EINTR on Ctrl-C, which
// makes el_gets give up the line.
int read_key(EditLine* el, wchar_t* key) {
  const int fd = EditlineReader::State::of(el).key_fd;
  char bytes[MB_LEN_MAX];
  std::size_t have = 0;
  while (true) {
    if (!wait_for_input(fd)) {
      errno = EINTR;
      return -1;
    }
    const ssize_t n = ::read(fd, bytes + have, 1);
    if (n == 0) return 0;
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
      return -1;
    }
    ++have;
    std::mbstate_t state{};
    const std::size_t used = std::mbrtowc(key, bytes, have, &state);
    if (used == static_cast<std::size_t>(-2) && have < sizeof(bytes)) continue;  // incomplete
    if (used == static_cast<std::size_t>(-1) || used == static_cast<std::size_t>(-2)) {
      have = 0;  // not a character here: dropped, as libedit does
      continue;
    }
    return 1;
  }
}

// Tab: completes the word before the cursor (completion.hpp).
unsigned char complete_at_cursor(EditLine* el, int /*key*/) {
  const LineInfo* info = el_line(el);
  const Completion completion = complete(
      std::string_view(info->buffer, static_cast<std::size_t>(info->cursor - info->buffer)));
  if (!completion.insert.empty()) {
    return el_insertstr(el, completion.insert.c_str()) == -1 ? CC_ERROR : CC_REFRESH;
  }
  if (completion.candidates.size() < 2) return CC_ERROR;  // beeps
  // List the candidates below the line; CC_REDISPLAY then draws the prompt
  // and the line again under them. The terminal is raw here: CR LF.
  std::string list = "\r\n";
  for (const std::string& candidate : completion.candidates) list += candidate + "  ";
  list += "\r\n";
  std::FILE* out = EditlineReader::State::of(el).out;
  std::fputs(list.c_str(), out);
  std::fflush(out);
  return CC_REDISPLAY;
}

}  // namespace

EditlineReader::EditlineReader(std::unique_ptr<State> state) : state_(std::move(state)) {}

EditlineReader::~EditlineReader() = default;

Result<std::unique_ptr<EditlineReader>> EditlineReader::open(std::FILE* in, std::FILE* out,
                                                             EditlineOptions options) {
  if (g_wake_read < 0) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
      return Status::io_error("cannot set up line editing: pipe: " +
                              std::string(std::strerror(errno)));
    }
    g_wake_read = fds[0];
    g_wake_write = fds[1];
  }
  auto state = std::make_unique<State>();
  // /proc/self/fd/N opens the terminal anew: a file description of our own,
  // so O_NONBLOCK does not reach the parent shell's.
  const std::string self = "/proc/self/fd/" + std::to_string(fileno(in));
  state->key_fd = ::open(self.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (state->key_fd < 0) {
    return Status::io_error("cannot set up line editing: " + self + ": " +
                            std::string(std::strerror(errno)));
  }
  state->out = out;
  state->history_path = std::move(options.history_path);
  state->hist = history_init();
  state->el = el_init("sand", in, out, stderr);
  if (state->hist == nullptr || state->el == nullptr) {
    return Status::io_error("cannot set up line editing (libedit)");
  }
  history(state->hist, &state->event, H_SETSIZE, options.history_size);
  history(state->hist, &state->event, H_SETUNIQUE, 1);
  if (!state->history_path.empty()) {
    // A missing file is an empty history; so is one libedit cannot parse.
    history(state->hist, &state->event, H_LOAD, state->history_path.c_str());
  }

  EditLine* el = state->el;
  el_set(el, EL_CLIENTDATA, state.get());
  el_set(el, EL_PROMPT, &prompt_of);
  el_set(el, EL_GETCFN, &read_key);
  el_set(el, EL_EDITOR, "emacs");
  // libedit restores the terminal before a signal's own handler runs, and
  // redraws the line after Ctrl-Z + fg (SIGCONT) or a resize (SIGWINCH).
  el_set(el, EL_SIGNAL, 1);
  el_set(el, EL_HIST, history, state->hist);
  // The wide call keeps pointers to the (static) strings; the narrow el_set
  // copies them and never frees the copies (libedit's eln.c says so), which
  // LeakSanitizer reports at exit.
  el_wset(el, EL_ADDFN, L"sand-complete", L"Complete a sand command or option",
          &complete_at_cursor);
  const char* const end = nullptr;
  el_set(el, EL_BIND, "^I", "sand-complete", end);
  el_set(el, EL_BIND, "^R", "em-inc-search-prev", end);
  // Keys terminals send that libedit's emacs map lacks (the same bindings
  // libedit's readline emulation adds).
  for (const char* home : {"\\e[1~", "\\e[7~", "\\e[H", "\\eOH"}) {
    el_set(el, EL_BIND, home, "ed-move-to-beg", end);
  }
  for (const char* key_end : {"\\e[4~", "\\e[8~", "\\e[F", "\\eOF"}) {
    el_set(el, EL_BIND, key_end, "ed-move-to-end", end);
  }
  el_set(el, EL_BIND, "\\e[3~", "ed-delete-next-char", end);
  el_set(el, EL_BIND, "\\e[1;5C", "em-next-word", end);
  el_set(el, EL_BIND, "\\e[1;5D", "ed-prev-word", end);
  // The user's ~/.editrc ($EDITRC) last, so it can override all of this.
  el_source(el, nullptr);
  return std::unique_ptr<EditlineReader>(new EditlineReader(std::move(state)));
}

std::optional<std::string> EditlineReader::read_line(std::string_view prompt) {
  State& s = *state_;
  s.prompt.assign(prompt);
  const ScopedInterruptHandler interrupt_handler;
  while (true) {
    g_interrupted = 0;
    drain_wake_pipe();  // after the reset: a Ctrl-C from now on leaves the flag set
    // el_gets leaves errno alone at the end of input: clear it, so a stale
    // EINTR is not taken for a signal below.
    errno = 0;
    int count = 0;
    const char* text = el_gets(s.el, &count);
    // A line ended by Enter ends in '\n'; it counts even if Ctrl-C came
    // right after it.
    if (text != nullptr && count > 0 && text[count - 1] == '\n') {
      std::string line(text, static_cast<std::size_t>(count) - 1);
      s.remember(line);
      return line;
    }
    if (g_interrupted != 0) {
      // Ctrl-C: drop the line and start again on a fresh one, as shells do.
      std::fputs("^C\r\n", s.out);
      std::fflush(s.out);
      continue;
    }
    if (text != nullptr && count > 0) return std::string(text, static_cast<std::size_t>(count));
    if (count < 0 && errno == EINTR) continue;  // a signal read_key did not wait out
    return std::nullopt;                        // Ctrl-D on an empty line, or the terminal is gone
  }
}

std::string history_path_from_env(const char* sand_history, const char* home) {
  if (sand_history != nullptr) return sand_history;
  if (home != nullptr && *home != '\0') return std::string(home) + "/.sand_history";
  return "";
}

}  // namespace sand::cli
