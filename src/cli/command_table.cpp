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

// changes' key bounds, as the one-shot scan spells them.
constexpr std::array kChangesOptions = {
    OptionSpec{"--prefix", "PREFIX", "only keys that start with PREFIX (escaped)"},
    OptionSpec{"--from", "KEY", "only keys >= KEY (escaped)"},
    OptionSpec{"--to", "KEY", "only keys < KEY (escaped)"},
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
    // The versioned API. Usages stay within scan's width, so `help` keeps
    // its column.
    CommandSpec{
        .name = "getv",
        .kind = CommandKind::kGetVersioned,
        .usage = "getv KEY [@VERSION]",
        .summary = "KEY's newest entry (as of VERSION): V<TAB>VALUE, V<TAB>del, or NOT_FOUND",
        .listed_in_errors = false},
    CommandSpec{.name = "put-if",
                .kind = CommandKind::kPutIf,
                .usage = "put-if KEY VERSION VALUE",
                .summary = "put if KEY's version is VERSION (0: KEY must not exist); OK <version> "
                           "or ERR Conflict",
                .listed_in_errors = false},
    CommandSpec{.name = "del-if",
                .kind = CommandKind::kDelIf,
                .usage = "del-if KEY VERSION",
                .summary = "delete KEY if its version is VERSION; OK <version> or ERR Conflict",
                .listed_in_errors = false},
    CommandSpec{.name = "changes",
                .kind = CommandKind::kChanges,
                .usage = "changes SINCE [UNTIL]",
                .summary =
                    "writes in (SINCE, UNTIL]: V<TAB>put<TAB>KEY<TAB>VALUE or V<TAB>del<TAB>KEY "
                    "lines, then an empty line",
                .options = kChangesOptions,
                .listed_in_errors = false},
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
                .summary = "this list, or one command's usage and options, then an empty line",
                .listed_in_errors = false},
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
