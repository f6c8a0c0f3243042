// The `sand` command-line tool: one-shot commands and the interactive shell.
//
//   sand [--db DIR] [--read-only] [--memtable-size BYTES] [--sync]
//        [--compression none|lz4] [--l0-trigger N] [--l1-trigger N]
//        [--retention all|latest]
//        put KEY VALUE | get KEY [--at V] | del KEY |
//        scan [--from A] [--to B] [--prefix P] [--at V] [--reverse] [--limit N] |
//        history KEY | stats | flush | compact | forget-before V |
//        shell [--bail] | check
//
// KEY, VALUE, bounds and the prefix are escaped as in the shell (escape.hpp);
// answers are printed in the shell's formats (format.hpp), errors as
// `ERR <Kind>: ...` on stderr. Exit codes: 0 ok; 1 get found nothing; 2 usage
// error (the command line was rejected before the database was opened); 3
// any other error.
//
// `shell` (cli/shell.hpp) reads commands from stdin: through libedit when
// stdin is a terminal (cli/editline_reader.hpp: editing, history in
// $SAND_HISTORY or ~/.sand_history, Tab completion, Ctrl-C drops the line),
// otherwise as the line protocol (cli/stream_line_reader.hpp). Its answers go
// to stdout, ERR lines included. Exit codes: 0 every command succeeded; 3 at
// least one was answered ERR (--bail: stop at the first), or the database
// did not open; 2 a usage error.
// Only put, del, flush and shell create a missing database; the others (reads,
// stats, compact, forget-before) fail with NotFound instead. --read-only
// opens with DB::open_read_only (no lock: works while a writer runs; writes
// answer ERR ReadOnly; the shell's `refresh` catches up).
//
// `check` (one-shot only, not a shell command) verifies every file of the
// database without opening it (sand/check.hpp: no lock, nothing written, so
// it may run next to a writer; the engine options are ignored) and prints
// one line per file, the notes, then a summary (cli/check_format.hpp):
//   ok  000012.sst  4 blocks, 310 entries
//   BAD 000013.sst offset 8192: block checksum mismatch
//   note 000016.wal offset 4096: torn tail: ...
//   summary: 1 problem, 1 note; checked 1 manifest (2 records), ...
// Exit codes: 0 no problem (notes allowed); 3 problems found (the report is
// still printed on stdout, nothing on stderr), or an error such as a missing
// database (`ERR NotFound: ...`, never created).
#include <unistd.h>  // isatty: line editing is for terminals only

#include <CLI/CLI.hpp>
#include <clocale>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/check_format.hpp"
#include "cli/command.hpp"
#include "cli/editline_reader.hpp"
#include "cli/execute.hpp"
#include "cli/format.hpp"
#include "cli/line_reader.hpp"
#include "cli/shell.hpp"
#include "cli/stream_line_reader.hpp"
#include "cli/tuning.hpp"
#include "sand/check.hpp"
#include "sand/sand.hpp"

namespace {

using sand::cli::Command;
using sand::cli::CommandKind;

constexpr int kExitOk = 0;
constexpr int kExitNotFound = 1;
constexpr int kExitUsage = 2;
constexpr int kExitError = 3;
// The shell reports failed commands with the same number as a failed command.
static_assert(sand::cli::kShellExitOk == kExitOk && sand::cli::kShellExitFailed == kExitError);

// The raw (still escaped) command-line arguments.
struct Args {
  std::string db = "./sand-data";
  std::optional<std::size_t> memtable_size;
  bool sync = false;
  bool read_only = false;
  std::string compression = "lz4";
  std::optional<std::string> l0_trigger;
  std::optional<std::string> l1_trigger;
  std::optional<std::string> retention;
  std::string key;
  std::string value;
  std::optional<std::string> from;
  std::optional<std::string> to;
  std::optional<std::string> prefix;
  std::optional<std::string> at;
  bool reverse = false;
  std::optional<std::uint64_t> limit;
  std::string mark;   // forget-before VERSION
  bool bail = false;  // shell --bail
};

int fail(const sand::Status& status, int exit_code) {
  std::cerr << sand::cli::format_error(status) << std::flush;
  return exit_code;
}

// Decodes the escaped arguments of the chosen command into a Command.
sand::Result<Command> build_command(CommandKind kind, const Args& args) {
  Command c;
  c.kind = kind;
  if (kind == CommandKind::kPut || kind == CommandKind::kGet || kind == CommandKind::kDel ||
      kind == CommandKind::kHistory) {
    SAND_ASSIGN_OR_RETURN(c.key, sand::cli::parse_key(args.key));
  }
  if (kind == CommandKind::kPut) {
    SAND_ASSIGN_OR_RETURN(c.value, sand::cli::parse_arg("VALUE", args.value));
  }
  if (args.at) {
    SAND_ASSIGN_OR_RETURN(c.at, sand::cli::parse_version(*args.at));
  }
  if (args.from) {
    SAND_ASSIGN_OR_RETURN(c.from, sand::cli::parse_arg("--from", *args.from));
  }
  if (args.to) {
    SAND_ASSIGN_OR_RETURN(c.to, sand::cli::parse_arg("--to", *args.to));
  }
  if (args.prefix) {
    SAND_ASSIGN_OR_RETURN(c.prefix, sand::cli::parse_arg("--prefix", *args.prefix));
  }
  if (kind == CommandKind::kForgetBefore) {
    SAND_ASSIGN_OR_RETURN(c.mark, sand::cli::parse_version(args.mark));
  }
  c.reverse = args.reverse;
  c.limit = args.limit;
  return c;
}

// Decodes the compaction and retention flags that were given.
sand::Result<sand::cli::Tuning> build_tuning(const Args& args) {
  sand::cli::Tuning tuning;
  if (args.l0_trigger) {
    SAND_ASSIGN_OR_RETURN(tuning.l0_trigger,
                          sand::cli::parse_trigger("--l0-trigger", *args.l0_trigger));
  }
  if (args.l1_trigger) {
    SAND_ASSIGN_OR_RETURN(tuning.l1_trigger,
                          sand::cli::parse_trigger("--l1-trigger", *args.l1_trigger));
  }
  if (args.retention) {
    SAND_ASSIGN_OR_RETURN(tuning.retention, sand::cli::parse_retention(*args.retention));
  }
  return tuning;
}

sand::Options make_options(const Args& args, const sand::cli::Tuning& tuning, CommandKind kind,
                           bool is_shell) {
  sand::Options options;
  options.sync = args.sync;
  options.compression =
      args.compression == "none" ? sand::Compression::kNone : sand::Compression::kLz4;
  if (args.memtable_size) options.memtable_size = *args.memtable_size;
  sand::cli::apply_tuning(tuning, options);
  // A read or compaction of a mistyped --db should say so, not create an
  // empty database.
  options.create_if_missing = kind == CommandKind::kPut || kind == CommandKind::kDel ||
                              kind == CommandKind::kFlush || is_shell;
  return options;
}

// The shell's input: libedit when stdin is a terminal (a plain stream with a
// prompt if libedit cannot start), else the line protocol on std::cin.
std::unique_ptr<sand::cli::LineReader> make_line_reader(bool terminal) {
  if (!terminal) return std::make_unique<sand::cli::StreamLineReader>(std::cin);
  // libedit decodes the keys it reads by LC_CTYPE: take the user's, so UTF-8
  // text can be typed. Nothing else in sand depends on the C locale's ctype.
  std::setlocale(LC_CTYPE, "");
  sand::Result<std::unique_ptr<sand::cli::EditlineReader>> editline =
      sand::cli::EditlineReader::open(stdin, stdout,
                                      {.history_path = sand::cli::history_path_from_env(
                                           std::getenv("SAND_HISTORY"), std::getenv("HOME"))});
  if (editline) return std::move(editline).value();
  return std::make_unique<sand::cli::StreamLineReader>(std::cin, &std::cout);
}

// Opens the database, runs the shell or `command`, and closes the database.
int run(const Args& args, const sand::cli::Tuning& tuning, bool is_shell, const Command& command) {
  const sand::Options options = make_options(args, tuning, command.kind, is_shell);
  sand::Result<std::unique_ptr<sand::DB>> db = args.read_only
                                                   ? sand::DB::open_read_only(args.db, options)
                                                   : sand::DB::open(args.db, options);
  if (!db) return fail(db.status(), kExitError);
  int exit_code = kExitOk;
  if (is_shell) {
    const bool terminal = isatty(STDIN_FILENO) == 1;
    const std::unique_ptr<sand::cli::LineReader> reader = make_line_reader(terminal);
    sand::cli::Shell shell(**db, *reader, std::cout, {.interactive = terminal, .bail = args.bail});
    exit_code = shell.run();
  } else {
    sand::Result<sand::cli::Outcome> outcome =
        sand::cli::execute(**db, command, sand::WriteOptions{}, std::cout);
    std::cout << std::flush;
    if (!outcome) return fail(outcome.status(), kExitError);
    if (*outcome == sand::cli::Outcome::kNotFound) exit_code = kExitNotFound;
  }
  // Surface errors the destructor would swallow (e.g. a failed final sync).
  if (sand::Status closed = (*db)->close(); !closed) return fail(closed, kExitError);
  return exit_code;
}

// `sand check`: verifies the database without opening it.
int run_check(const Args& args) {
  sand::Result<sand::CheckReport> report = sand::check_database(args.db);
  if (!report) return fail(report.status(), kExitError);
  std::cout << sand::cli::format_check_report(*report) << std::flush;
  return report->ok() ? kExitOk : kExitError;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sand: read and write a sanddb database, one command at a time or as a shell."};
  app.fallthrough();  // global options may also follow the command
  app.require_subcommand(1);
  // The library's version, which a shared libsand decides at run time.
  app.set_version_flag("--version", "sand " + std::string(sand::version()));
  Args args;
  app.add_option("--db", args.db, "Database directory")->type_name("DIR")->capture_default_str();
  app.add_option("--memtable-size", args.memtable_size,
                 "Memtable bytes before a flush (default 64 MiB)")
      ->type_name("BYTES");
  app.add_flag("--read-only", args.read_only,
               "Open without the lock, alongside a writer; writes fail, `refresh` catches up");
  app.add_flag("--sync", args.sync, "Make writes durable before answering (fsync)");
  app.add_option("--compression", args.compression, "Table block compression")
      ->check(CLI::IsMember({"none", "lz4"}))
      ->capture_default_str();
  // Decoded by tuning.hpp after parsing, so the tests share one decoder.
  app.add_option("--l0-trigger", args.l0_trigger,
                 "Level-0 tables that start a compaction into level 1 (default 4)")
      ->type_name("N");
  app.add_option("--l1-trigger", args.l1_trigger,
                 "Level-1 sorted runs that start a compaction into level 2 (default 4)")
      ->type_name("N");
  app.add_option("--retention", args.retention,
                 "Versions compaction keeps: all (until forget-before) or latest (default all)")
      ->type_name("all|latest");

  // Which subcommand maps to which Command; `shell` is handled apart.
  struct Choice {
    CLI::App* app;
    CommandKind kind;
  };
  const auto add_key = [&args](CLI::App* command) {
    command->add_option("KEY", args.key, "Key (escaped: \\xNN)")->type_name("")->required();
  };
  CLI::App* put = app.add_subcommand("put", "Set KEY to VALUE; prints OK <version>");
  add_key(put);
  put->add_option("VALUE", args.value, "Value (escaped: \\xNN)")->type_name("")->required();
  CLI::App* get = app.add_subcommand("get", "Print the value of KEY, or NOT_FOUND (exit 1)");
  add_key(get);
  get->add_option("--at", args.at, "Read as of this version")->type_name("VERSION");
  CLI::App* del = app.add_subcommand("del", "Delete KEY; prints OK <version>");
  add_key(del);
  CLI::App* scan = app.add_subcommand("scan", "Print KEY<TAB>VALUE lines, then an empty line");
  scan->add_option("--from", args.from, "Keys >= KEY (escaped: \\xNN)")->type_name("KEY");
  scan->add_option("--to", args.to, "Keys < KEY (escaped: \\xNN)")->type_name("KEY");
  scan->add_option("--prefix", args.prefix, "Only keys that start with PREFIX (escaped: \\xNN)")
      ->type_name("PREFIX");
  scan->add_option("--at", args.at, "Read as of this version")->type_name("VERSION");
  scan->add_flag("--reverse", args.reverse, "Descending keys");
  scan->add_option("--limit", args.limit, "Print at most N entries")->type_name("N");
  CLI::App* history =
      app.add_subcommand("history", "Print every retained version of KEY, newest first");
  add_key(history);
  CLI::App* forget_before = app.add_subcommand(
      "forget-before",
      "Refuse reads below VERSION; compaction may drop what they needed. Prints OK");
  forget_before->add_option("VERSION", args.mark, "The new low-water mark")
      ->type_name("")
      ->required();
  const Choice choices[] = {
      {put, CommandKind::kPut},
      {get, CommandKind::kGet},
      {del, CommandKind::kDel},
      {scan, CommandKind::kScan},
      {history, CommandKind::kHistory},
      {app.add_subcommand("stats", "Print the level shape, then counters as name: value lines"),
       CommandKind::kStats},
      {app.add_subcommand("flush", "Write the memtable to a table"), CommandKind::kFlush},
      {app.add_subcommand("compact", "Flush, then merge every table into level 2; prints OK"),
       CommandKind::kCompact},
      {forget_before, CommandKind::kForgetBefore},
  };
  CLI::App* shell = app.add_subcommand(
      "shell",
      "Read commands from stdin, answer on stdout (`help` lists them); exit 3 if any failed");
  shell->add_flag("--bail", args.bail, "Stop at the first command answered ERR");
  CLI::App* check = app.add_subcommand(
      "check", "Verify every checksum and structure without opening; exit 3 on problems");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Prints help (exit 0) or the error and a hint (exit 2).
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  CommandKind kind = CommandKind::kNone;
  for (const Choice& choice : choices) {
    if (choice.app->parsed()) kind = choice.kind;
  }
  // Arguments are decoded before the database is opened, so a bad escape is a
  // usage error that leaves the directory untouched.
  sand::Result<Command> command = build_command(kind, args);
  if (!command) return fail(command.status(), kExitUsage);
  sand::Result<sand::cli::Tuning> tuning = build_tuning(args);
  if (!tuning) return fail(tuning.status(), kExitUsage);
  if (check->parsed()) return run_check(args);
  return run(args, *tuning, shell->parsed(), *command);
}
