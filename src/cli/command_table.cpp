// The rows of the command table (command_table.hpp).
#include "cli/command_table.hpp"

#include <array>

namespace sand::cli {
namespace {

constexpr std::array kScanOptions = {
    OptionSpec{"--at", "VERSION", "read as of VERSION (also written @VERSION)"},
    OptionSpec{"--reverse", "", "descending key order"},
    OptionSpec{"--limit", "N", "print at most N entries"},
    OptionSpec{"--prefix", "PREFIX", "only keys that start with PREFIX (escaped)"},
};

constexpr std::array<std::string_view, 2> kOnOff = {"on", "off"};

constexpr std::array kCommands = {
    CommandSpec{.name = "put",
                .kind = CommandKind::kPut,
                .usage = "put KEY VALUE",
                .summary = "set KEY to VALUE (the rest of the line, may be empty); OK <version>"},
    CommandSpec{.name = "get",
                .kind = CommandKind::kGet,
                .usage = "get KEY [@VERSION]",
                .summary = "the value of KEY (as of VERSION), or NOT_FOUND"},
    CommandSpec{.name = "del",
                .kind = CommandKind::kDel,
                .usage = "del KEY",
                .summary = "delete KEY; OK <version>"},
    CommandSpec{.name = "scan",
                .kind = CommandKind::kScan,
                .usage = "scan [FROM TO] [OPTION...]",
                .summary = "KEY<TAB>VALUE lines for FROM <= key < TO (- is an open bound), then an "
                           "empty line",
                .options = kScanOptions},
    CommandSpec{.name = "history",
                .kind = CommandKind::kHistory,
                .usage = "history KEY",
                .summary = "every retained version of KEY, newest first, then an empty line"},
    CommandSpec{.name = "flush",
                .kind = CommandKind::kFlush,
                .usage = "flush",
                .summary = "write the memtable to a table; OK"},
    CommandSpec{.name = "compact",
                .kind = CommandKind::kCompact,
                .usage = "compact",
                .summary = "flush, then merge every table into level 2; OK"},
    CommandSpec{.name = "forget-before",
                .kind = CommandKind::kForgetBefore,
                .usage = "forget-before VERSION",
                .summary = "refuse reads below VERSION (a plain number); OK"},
    CommandSpec{.name = "checkpoint",
                .kind = CommandKind::kCheckpoint,
                .usage = "checkpoint DIR",
                .summary = "copy the database as of now into the new directory DIR (hard "
                           "links, online); OK <version>"},
    CommandSpec{.name = "stats",
                .kind = CommandKind::kStats,
                .usage = "stats",
                .summary = "the level shape, then name: value counters, then an empty line"},
    CommandSpec{.name = "refresh",
                .kind = CommandKind::kRefresh,
                .usage = "refresh",
                .summary = "read-only: catch up with the writer; OK <last version>"},
    CommandSpec{.name = "sync",
                .kind = CommandKind::kSync,
                .usage = "sync on|off",
                .summary = "whether later writes in this shell are durable before answering; OK",
                .words = kOnOff},
    CommandSpec{.name = "help",
                .kind = CommandKind::kHelp,
                .usage = "help [COMMAND]",
                .summary = "this list, or one command's usage and options, then an empty line"},
    CommandSpec{.name = "quit",
                .kind = CommandKind::kQuit,
                .usage = "quit",
                .summary = "leave the shell (so does the end of input)"},
};

}  // namespace

std::span<const CommandSpec> command_table() { return kCommands; }

const CommandSpec* find_command(std::string_view name) {
  for (const CommandSpec& spec : kCommands) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

}  // namespace sand::cli
