// EditlineReader: lines typed at a terminal, through libedit (BSD editline,
// its native el_*/history() API; not GNU readline).
//
// - Editing: emacs keys (arrows, Home/End, Delete, Ctrl-A/E/K/U/W, Ctrl-R
//   search, Ctrl-Left/Right by word); ~/.editrc (or $EDITRC) may rebind them.
// - History: Up/Down recall earlier lines; every non-blank line is added (not
//   twice in a row) and the file is rewritten after each line, so it survives
//   a killed shell. The file is created 0600; libedit's own format.
// - Tab: completion.hpp (commands, then that command's options); several
//   candidates are listed below the line.
// - Ctrl-C: drops the line being typed and starts a fresh prompt. It is only
//   caught here while a line is being read; while a command runs the shell
//   catches it (command_interrupt.hpp).
// - Ctrl-D on an empty line: end of input.
// Non-ASCII input needs a UTF-8 LC_CTYPE (main sets it from the environment);
// in the C locale libedit drops bytes above 0x7f, so type them as \xNN.
//
// How Ctrl-C is caught (libedit 3.1 leaves this to the program): keys are
// read by our own function (EL_GETCFN) from a non-blocking descriptor of the
// terminal, waiting in poll() on it and on a self-pipe the SIGINT handler
// writes to. libedit's built-in reader wakes only if its read() gets EINTR,
// which misses a signal that the kernel hands to another thread (the
// database's) or that arrives between two reads; and a blocking read() can
// hang after poll() because the terminal discards unread input on Ctrl-C.
//
// Thread-safety: one thread at a time, and at most one EditlineReader reading
// at once (the SIGINT handler and libedit's signal handling are
// process-wide).
#pragma once

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cli/line_reader.hpp"
#include "sand/status.hpp"

namespace sand::cli {

struct EditlineOptions {
  // The history file; "" keeps history for this session only.
  std::string history_path{};
  // Entries kept in memory and in the file, oldest dropped first.
  // Default: 1000.
  int history_size = 1000;
};

class EditlineReader final : public LineReader {
 public:
  // Sets up libedit on the terminal `in` (read) and `out` (prompt, echo),
  // and loads the history file if there is one (a missing or unreadable file
  // is an empty history). REQUIRES: `in` is a terminal. Errors: IOError if
  // libedit cannot be set up or the terminal cannot be opened again through
  // /proc/self/fd; the caller then reads the terminal as a plain stream.
  static Result<std::unique_ptr<EditlineReader>> open(std::FILE* in, std::FILE* out,
                                                      EditlineOptions options);

  EditlineReader(const EditlineReader&) = delete;
  EditlineReader& operator=(const EditlineReader&) = delete;
  ~EditlineReader() override;  // restores the terminal

  // Shows `prompt` and edits one line; see the file comment for the keys.
  // nullopt at Ctrl-D on an empty line or when the terminal is gone.
  std::optional<std::string> read_line(std::string_view prompt) override;

  // The libedit handles, defined in the .cpp so <histedit.h> stays out of
  // this header (public only so libedit's callbacks there can reach it).
  struct State;

 private:
  explicit EditlineReader(std::unique_ptr<State> state);

  std::unique_ptr<State> state_;
};

// Where the history lives, from the environment's values (nullptr = unset):
// $SAND_HISTORY if set (set but empty: "", no file), else
// $HOME/.sand_history, else "" (no file).
std::string history_path_from_env(const char* sand_history, const char* home);

}  // namespace sand::cli
