// The shell's read-eval-print loop.
#include "cli/shell.hpp"

#include <optional>
#include <string>

#include "cli/command.hpp"
#include "cli/command_table.hpp"
#include "cli/execute.hpp"
#include "cli/format.hpp"

namespace sand::cli {
namespace {

constexpr std::string_view kPrompt = "sand> ";
constexpr std::string_view kGreeting =
    "sand shell: type help for the commands, quit or Ctrl-D to leave.\n";

}  // namespace

Shell::Shell(DB& db, LineReader& in, std::ostream& out, ShellOptions options)
    : db_(db), in_(in), out_(out), options_(options) {}

int Shell::run() {
  if (options_.interactive) out_ << kGreeting << std::flush;
  bool failed = false;
  while (true) {
    const std::optional<std::string> line = in_.read_line(options_.interactive ? kPrompt : "");
    if (!line) break;
    const Step step = handle_line(*line);
    if (step == Step::kQuit) return failed ? kShellExitFailed : kShellExitOk;
    if (step == Step::kFailed) {
      failed = true;
      if (options_.bail) return kShellExitFailed;
    }
  }
  // Leave a terminal's cursor on a fresh line after ^D.
  if (options_.interactive) out_ << "\n" << std::flush;
  return failed ? kShellExitFailed : kShellExitOk;
}

Shell::Step Shell::handle_line(std::string_view line) {
  Result<Command> command = parse_command(line);
  if (!command) {
    out_ << format_error(command.status()) << std::flush;
    return Step::kFailed;
  }
  Step step = Step::kOk;
  switch (command->kind) {
    case CommandKind::kNone:
      return Step::kOk;
    case CommandKind::kQuit:
      return Step::kQuit;
    case CommandKind::kSync:
      write_options_.sync = command->sync ? SyncMode::kSync : SyncMode::kNoSync;
      out_ << format_ok();
      break;
    case CommandKind::kHelp: {
      // parse_command accepted the topic, so it names a row.
      const CommandSpec* topic = find_command(command->topic);
      out_ << (topic != nullptr ? format_command_help(*topic) : format_help(command_table()))
           << format_end_of_list();
      break;
    }
    default: {
      Result<Outcome> outcome = execute(db_, *command, write_options_, out_);
      if (!outcome) {
        out_ << format_error(outcome.status());
        step = Step::kFailed;
      }
      break;
    }
  }
  out_ << std::flush;
  return step;
}

}  // namespace sand::cli
