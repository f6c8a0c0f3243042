// The shell's command table: every command word with its usage line, a
// one-line summary and its options. It is the one list of commands: the
// parser dispatches on it (command.cpp), `help` prints it (format.hpp) and the
// terminal's Tab completion offers its names and options (completion.hpp).
// A new command is a new row here plus its grammar in command.cpp.
//
// Immutable static data; thread-safe.
#pragma once

#include <span>
#include <string_view>

#include "cli/command.hpp"

namespace sand::cli {

// One option of a command, e.g. scan's `--limit N`.
struct OptionSpec {
  std::string_view name;      // "--limit"
  std::string_view argument;  // "N"; empty for a flag such as --reverse
  std::string_view summary;   // "print at most N entries"
};

struct CommandSpec {
  std::string_view name;  // the command word, e.g. "scan"
  CommandKind kind;
  // The synopsis after `usage: ` in a wrong-arity error and in `help`, e.g.
  // "get KEY [@VERSION]".
  std::string_view usage;
  std::string_view summary;  // what it does and answers, one line
  std::span<const OptionSpec> options{};
  // Fixed argument words, offered by completion (sync: on, off).
  std::span<const std::string_view> words{};
  // Whether the unknown-command error names it. That list stays byte for
  // byte what scripts compare, so `help` and the commands added with the
  // versioned API (getv, put-if, del-if, changes) are left out: `help` lists
  // every command.
  bool listed_in_errors = true;
};

// Every command, in the order `help` lists them.
std::span<const CommandSpec> command_table();

// The row whose name is exactly `name`, or nullptr. The returned pointer is
// valid for the whole program.
const CommandSpec* find_command(std::string_view name);

}  // namespace sand::cli
