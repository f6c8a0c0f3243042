// Shell: the `sand shell` line protocol, for scripts through a pipe and for
// people at a terminal. Reads one command per line (grammar in command.hpp),
// writes one answer per command (format.hpp) and flushes after each, so a
// script can write a line and then read its answer. Errors are answered with
// an ERR line and the shell goes on; it ends at `quit` or end of input.
//
// Thread-safety: one Shell is used by one thread; it borrows the DB and the
// streams, which must outlive it.
#pragma once

#include <istream>
#include <ostream>
#include <string_view>

#include "sand/db.hpp"
#include "sand/options.hpp"

namespace sand::cli {

class Shell {
 public:
  // `interactive`: print the `sand> ` prompt before each line (use when stdin
  // is a terminal).
  Shell(DB& db, std::istream& in, std::ostream& out, bool interactive);

  Shell(const Shell&) = delete;
  Shell& operator=(const Shell&) = delete;

  // Runs until `quit` or end of input. Returns the process exit code: 0.
  int run();

 private:
  // Handles one input line; false when the shell should stop.
  bool handle_line(std::string_view line);

  DB& db_;
  std::istream& in_;
  std::ostream& out_;
  const bool interactive_;
  // Changed by `sync on|off`; kDefault follows Options::sync.
  WriteOptions write_options_;
};

}  // namespace sand::cli
