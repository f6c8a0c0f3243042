// The shell's read-eval-print loop.
#include "cli/shell.hpp"

#include <string>

#include "cli/command.hpp"
#include "cli/execute.hpp"
#include "cli/format.hpp"

namespace sand::cli {

Shell::Shell(DB& db, std::istream& in, std::ostream& out, bool interactive)
    : db_(db), in_(in), out_(out), interactive_(interactive) {}

int Shell::run() {
  std::string line;
  while (true) {
    if (interactive_) out_ << "sand> " << std::flush;
    if (!std::getline(in_, line)) break;
    if (!handle_line(line)) return 0;
  }
  // Leave a terminal's cursor on a fresh line after ^D.
  if (interactive_) out_ << "\n" << std::flush;
  return 0;
}

bool Shell::handle_line(std::string_view line) {
  Result<Command> command = parse_command(line);
  if (!command) {
    out_ << format_error(command.status()) << std::flush;
    return true;
  }
  switch (command->kind) {
    case CommandKind::kNone:
      return true;
    case CommandKind::kQuit:
      return false;
    case CommandKind::kSync:
      write_options_.sync = command->sync ? SyncMode::kSync : SyncMode::kNoSync;
      out_ << format_ok();
      break;
    default: {
      Result<Outcome> outcome = execute(db_, *command, write_options_, out_);
      if (!outcome) out_ << format_error(outcome.status());
      break;
    }
  }
  out_ << std::flush;
  return true;
}

}  // namespace sand::cli
