// The shell's read-eval-print loop.
#include "cli/shell.hpp"

#include <memory>
#include <optional>
#include <string>

#include "cli/command.hpp"
#include "cli/command_interrupt.hpp"
#include "cli/command_table.hpp"
#include "cli/execute.hpp"

namespace sand::cli {
namespace {

constexpr std::string_view kPrompt = "sand> ";
constexpr std::string_view kGreeting =
    "sand shell: type help for the commands, quit or Ctrl-D to leave.\n";

std::unique_ptr<AnswerWriter> make_writer(std::ostream& out, bool json) {
  if (json) return std::make_unique<JsonAnswerWriter>(out, out, /*close_lists=*/true);
  return std::make_unique<TextAnswerWriter>(out, out);
}

}  // namespace

Shell::Shell(DB& db, LineReader& in, std::ostream& out, ShellOptions options)
    : db_(db), in_(in), out_(out), options_(options), answers_(make_writer(out, options.json)) {}

int Shell::run() {
  // Words for people only in the text protocol: JSON output stays all JSON.
  const bool chatty = options_.interactive && !options_.json;
  if (chatty) out_ << kGreeting << std::flush;
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
  if (chatty) out_ << "\n" << std::flush;
  return failed ? kShellExitFailed : kShellExitOk;
}

Shell::Step Shell::handle_line(std::string_view line) {
  Result<Command> command = parse_command(line);
  if (!command) {
    answers_->error(command.status());
    out_ << std::flush;
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
      answers_->ok();
      break;
    case CommandKind::kHelp: {
      // parse_command accepted the topic, so it names a row.
      const CommandSpec* topic = find_command(command->topic);
      if (topic != nullptr) {
        answers_->command_help(*topic);
      } else {
        answers_->help(command_table());
      }
      break;
    }
    default: {
      // At a terminal, Ctrl-C while the command runs ends a listing early
      // instead of the shell (command_interrupt.hpp).
      std::optional<CommandInterrupt> interrupt;
      InterruptCheck interrupted;
      if (options_.interactive) {
        interrupt.emplace();
        interrupted = &CommandInterrupt::requested;
      }
      Result<Outcome> outcome = execute(db_, *command, write_options_, *answers_, interrupted);
      if (!outcome) {
        answers_->error(outcome.status());
        step = Step::kFailed;
      } else if (*outcome == Outcome::kInterrupted && !options_.json) {
        out_ << "interrupted\n";
      }
      break;
    }
  }
  out_ << std::flush;
  return step;
}

}  // namespace sand::cli
