// Shell: the `sand shell` line protocol, for scripts through a pipe and for
// people at a terminal. Reads one command per line from a LineReader
// (grammar in command.hpp), writes one answer per command (format.hpp; with
// `json`, JSON lines as json_format.hpp says) and flushes after each, so a
// script can write a line and then read its answer. A failed command is
// answered with an ERR line (JSON: an {"error": ...} line) and the shell goes
// on (or, with `bail`, stops); it ends at `quit` or the end of input.
//
// Thread-safety: one Shell is used by one thread; it borrows the DB, the
// reader and the stream, which must outlive it.
#pragma once

#include <memory>
#include <ostream>
#include <string_view>

#include "cli/answer_writer.hpp"
#include "cli/line_reader.hpp"
#include "sand/db.hpp"
#include "sand/options.hpp"

namespace sand::cli {

// run()'s exit codes, the same numbers as the one-shot commands' (main.cpp):
// 0 every command succeeded (a get answering NOT_FOUND succeeded), 3 at least
// one was answered ERR.
inline constexpr int kShellExitOk = 0;
inline constexpr int kShellExitFailed = 3;

struct ShellOptions {
  // For a person at a terminal: a greeting that points to `help`, the
  // `sand> ` prompt before each line, and a newline at the end of input (so
  // the terminal's next prompt starts on a fresh line); and Ctrl-C while a
  // command runs ends a scan or history early, closed as usual and followed
  // by an `interrupted` line (not counted as a failure), instead of ending
  // the shell (command_interrupt.hpp). Default: false.
  bool interactive = false;
  // Stop after the first command answered ERR (its answer is still
  // written). Default: false.
  bool bail = false;
  // Answer in JSON lines (JsonAnswerWriter, lists closed by {"end": true})
  // instead of the text protocol; no greeting and no closing newline, so the
  // output holds nothing but JSON lines. Default: false.
  bool json = false;
};

class Shell {
 public:
  Shell(DB& db, LineReader& in, std::ostream& out, ShellOptions options = {});

  Shell(const Shell&) = delete;
  Shell& operator=(const Shell&) = delete;

  // Runs until `quit`, the end of input, or with `bail` the first failure.
  // Returns the process exit code: kShellExitOk or kShellExitFailed.
  int run();

 private:
  enum class Step { kOk, kFailed, kQuit };

  // Handles one input line.
  Step handle_line(std::string_view line);

  DB& db_;
  LineReader& in_;
  std::ostream& out_;
  const ShellOptions options_;
  // Writes every answer, errors included, to out_.
  const std::unique_ptr<AnswerWriter> answers_;
  // Changed by `sync on|off`; kDefault follows Options::sync.
  WriteOptions write_options_;
};

}  // namespace sand::cli
