// The `sand` command-line tool: one-shot commands and the interactive shell.
//
//   sand [--db DIR] [--read-only] [--sync] [--json] [--compression none|lz4]
//        [--memtable-size SIZE] [--block-size SIZE] [--block-cache-size SIZE]
//        [--target-file-size SIZE] [--value-separation-threshold SIZE]
//        [--memtable btree|skiplist] [--l0-trigger N] [--l1-trigger N]
//        [--retention all|latest]
//        put KEY VALUE | put KEY - | put KEY --value-file F |
//        get KEY [--at V] [--output F] | del KEY |
//        scan [--from A] [--to B] [--prefix P] [--at V] [--reverse] [--limit N] |
//        history KEY | stats | flush | compact | forget-before V |
//        checkpoint DIR | getv KEY [@V | --at V] |
//        put-if KEY V VALUE | put-if KEY V - | put-if KEY V --value-file F |
//        del-if KEY V | changes SINCE [UNTIL] [--prefix P] [--from A] [--to B] |
//        shell [--bail] | check
//   sand --version | --help
//
// KEY, VALUE, bounds and the prefix are escaped as in the shell (escape.hpp);
// answers are printed in the shell's formats (format.hpp), errors as
// `ERR <Kind>: ...` on stderr. A SIZE is a byte count with an optional unit,
// `512`, `4KiB`, `64MiB`, `1GiB`, `64MB` (cli/size.hpp).
//
// --json: every answer is JSON lines instead (cli/json_format.hpp; the shapes
// are spec/json.md's "Answers of the sand tool"), written through the same
// AnswerWriter as the text (cli/answer_writer.hpp); an error is one
// {"error": "<Kind>", "message": "..."} line on stderr (the shell writes it
// on stdout, where its ERR lines go), a rejected command line included
// (--json is looked for before parsing). `get --output F` still writes just
// the raw value and prints nothing, so `--output -` stays binary-safe; its
// NOT_FOUND is the JSON not-found line. --help and --version stay text. The
// exit codes below do not change.
//
// Raw values (cli/value_file.hpp): `put KEY -` reads the value from stdin and
// `put KEY --value-file F` from the file F, whole and unescaped (a value that
// is just "-" is written `\x2d`; put-if takes the same three forms);
// `get KEY --output F` writes the raw value to F (created or truncated; `-`
// is stdout) and prints nothing, or prints NOT_FOUND and leaves F alone.
// Values are read before the database opens.
//
// Exit codes (one-shot commands):
//   0  ok
//   1  get or getv found nothing (NOT_FOUND)
//   2  usage error: the command line was rejected before the database was
//      opened (an unknown command or flag, a bad escape, version, SIZE or
//      trigger, a key or a --value-file/stdin value over the size limit)
//   3  any other error: the database did not open (NotFound, Busy, ...) or
//      the command failed; also a --value-file that cannot be read and an
//      --output file that cannot be written
//   4  put-if or del-if found KEY at another version than expected
//      (ERR Conflict: nothing was written), so a script can retry its
//      read-modify-write without parsing the message
// getv exits 1 only when it prints NOT_FOUND (the key has no retained
// entry), 0 for a put or a tombstone.
// An unknown command is answered `ERR InvalidArgument: unknown command 'frob'
// (commands: put get ...)`, the list being the subcommands registered below
// but those the command table keeps out of it (CommandSpec::listed_in_errors).
//
// How each command opens the database:
// - Reads (get, scan, history, getv, changes, stats: is_read_command) always
//   open with DB::open_read_only. It takes no lock and never creates,
//   writes or removes a file, so a read works while another process holds
//   the database, on a full disk, and on a read-only mount, and it never
//   changes what it reads.
//   It gives the same answers as a writable open: a read-only handle reads
//   the tables the manifest names plus every complete record of the live
//   WALs, and applies the same retention mark (and --retention latest).
//   `stats` describes what that handle sees: unflushed writes count in
//   memtable_bytes rather than being flushed to a level-0 table first,
//   wal_bytes is 0, and the counters (flushes, ...) are the handle's, so 0.
//   (Considered instead: open for writing and fall back to read-only, with a
//   notice, on Busy. Rejected: without a holder that read would still take
//   the lock, preallocate a new WAL and flush the replayed one, so it fails
//   on a full disk and changes files it only meant to read.)
// - put, del, put-if, del-if, flush and shell open with DB::open, taking LOCK
//   (Busy if another process holds it), and create a missing database; compact,
//   forget-before and checkpoint also take LOCK but fail with NotFound on a
//   missing database rather than create an empty one; so do the reads.
//   When another process holds LOCK, the shell opens read-only instead and
//   says so on stderr (its writes answer ERR ReadOnly; `refresh` follows
//   the writer); a one-shot write fails with Busy.
// - checkpoint DIR (DB::checkpoint) copies the database as of now into the
//   new directory DIR, by hard links; DIR is a path, taken unescaped. To
//   copy a database another process has open, call DB::checkpoint (C:
//   sand_checkpoint, Python: DB.checkpoint) in that process, or run
//   `checkpoint DIR` in its shell.
// - --read-only opens every command with DB::open_read_only (writes answer
//   ERR ReadOnly; the shell's `refresh` catches up with a writer).
//
// `shell` (cli/shell.hpp) reads commands from stdin: through libedit when
// stdin is a terminal (cli/editline_reader.hpp: editing, history in
// $SAND_HISTORY or ~/.sand_history, Tab completion, Ctrl-C drops the line),
// otherwise as the line protocol (cli/stream_line_reader.hpp). Its answers go
// to stdout, ERR lines included. Exit codes: 0 every command succeeded; 3 at
// least one was answered ERR (--bail: stop at the first), or the database
// did not open; 2 a usage error.
//
// `check` (one-shot only, not a shell command) verifies every file of the
// database without opening it (sand/check.hpp: no lock, nothing written, so
// it may run next to a writer; the engine options are ignored) and prints
// one line per file, the notes, then a summary (cli/check_format.hpp):
//   ok  000012.sst  4 blocks, 310 entries
//   BAD 000013.sst offset 8192: block checksum mismatch
//   note 000016.wal offset 4096: torn tail: ...
//   summary: 1 problem, 1 note; checked 1 manifest (2 records), ...
//
// `dump sst FILE`, `dump wal FILE`, `dump manifest FILE` print every decoded
// field of one file (FILE is a path, --db is not used); `dump db` the live
// state of --db: counters, levels, runs, tables, live WALs. Text, or JSON
// lines with --json (spec/dump.md). Read-only, like check. Exit codes: 0; 3
// after the records decoded before a damage, with the reader's error
// (cli/dump_command.hpp).
//
// `export [FILE]` writes every retained version of --db as an archive
// (spec/archive.md) to FILE or stdout (`-`); `import FILE` (`-`: stdin)
// creates --db, which must be absent or empty, from one, all or nothing.
// `export --latest` / `import --latest` [--format jsonl|tsv|csv] carry only
// the latest value of each key, as text. Export opens read-only; a progress
// line goes to stderr on a terminal only. Exit codes: 0; 2 usage; 3 any
// other error (cli/export_command.hpp, cli/import_command.hpp).
// Exit codes: 0 no problem (notes allowed); 3 problems found (the report is
// still printed on stdout, nothing on stderr), or an error such as a missing
// database (`ERR NotFound: ...`, never created).
//
// Progress (cli/progress.hpp): on a terminal, check and compact draw one
// progress line on stderr, finished before the answer is printed (erased on
// an error); on a pipe or a file, nothing.
#include <unistd.h>  // isatty: line editing is for terminals only; STDIN_FILENO

#include <CLI/CLI.hpp>
#include <clocale>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/answer_writer.hpp"
#include "cli/command.hpp"
#include "cli/compact_progress.hpp"
#include "cli/dump_command.hpp"
#include "cli/editline_reader.hpp"
#include "cli/execute.hpp"
#include "cli/export_command.hpp"
#include "cli/format.hpp"
#include "cli/import_command.hpp"
#include "cli/json_format.hpp"
#include "cli/line_reader.hpp"
#include "cli/progress.hpp"
#include "cli/shell.hpp"
#include "cli/size.hpp"
#include "cli/stream_line_reader.hpp"
#include "cli/tuning.hpp"
#include "cli/value_file.hpp"
#include "sand/check.hpp"
#include "sand/sand.hpp"

namespace {

using sand::cli::Command;
using sand::cli::CommandKind;

constexpr int kExitOk = 0;
constexpr int kExitNotFound = 1;
constexpr int kExitUsage = 2;
constexpr int kExitError = 3;
constexpr int kExitConflict = 4;  // put-if, del-if: a failed precondition
// The shell reports failed commands with the same number as a failed command.
static_assert(sand::cli::kShellExitOk == kExitOk && sand::cli::kShellExitFailed == kExitError);
static_assert(sand::cli::kDumpExitOk == kExitOk && sand::cli::kDumpExitFailed == kExitError);

// The raw (still escaped) command-line arguments.
struct Args {
  std::string db = "./sand-data";
  bool sync = false;
  bool read_only = false;
  std::string compression = "lz4";
  // Sizes, decoded by size.hpp after parsing.
  std::optional<std::string> memtable_size;
  std::optional<std::string> block_size;
  std::optional<std::string> block_cache_size;
  std::optional<std::string> target_file_size;
  std::optional<std::string> value_separation_threshold;
  std::optional<std::string> l0_trigger;
  std::optional<std::string> l1_trigger;
  std::optional<std::string> retention;
  std::optional<std::string> memtable;  // btree|skiplist, decoded by tuning.hpp
  std::string key;
  std::optional<std::string> value;       // put VALUE; "-" = stdin
  std::optional<std::string> value_file;  // put --value-file F
  std::optional<std::string> output;      // get --output F
  std::optional<std::string> from;
  std::optional<std::string> to;
  std::optional<std::string> prefix;
  std::optional<std::string> at;
  std::optional<std::string> at_token;  // getv @V, the shell's form of --at
  std::string expected;                 // put-if, del-if VERSION
  std::string since;                    // changes SINCE
  std::optional<std::string> until;     // changes UNTIL
  bool reverse = false;
  std::optional<std::uint64_t> limit;
  std::string mark;            // forget-before VERSION
  std::string checkpoint_dir;  // checkpoint DIR
  bool bail = false;           // shell --bail
  bool json = false;           // --json: answers as JSON lines (spec/json.md)
};

// Writes `status` to stderr (`ERR <Kind>: ...`, or with --json an
// {"error": ...} line) and returns `exit_code`.
int fail(const sand::Status& status, int exit_code, bool json) {
  std::cerr << (json ? sand::cli::json_line(sand::cli::json_error(status))
                     : sand::cli::format_error(status))
            << std::flush;
  return exit_code;
}

// Whether put's value comes raw from stdin or a file (load_value) rather than
// escaped on the command line.
bool value_is_raw(const Args& args) { return args.value_file || args.value == "-"; }

// Whether `kind` takes a VALUE: put and put-if.
bool takes_value(CommandKind kind) {
  return kind == CommandKind::kPut || kind == CommandKind::kPutIf;
}

// Decodes the VALUE of put or put-if (`name`, for the errors) into `c`; a raw
// value is left empty here: load_value reads it.
sand::Status decode_value(const std::string& name, const Args& args, Command& c) {
  if (args.value && args.value_file) {
    return sand::Status::invalid_argument(
        name + ": give VALUE or --value-file F, not both (VALUE - reads stdin)");
  }
  if (!args.value && !args.value_file) {
    return sand::Status::invalid_argument(
        name + ": VALUE is required (or - to read it from stdin, or --value-file F)");
  }
  if (!value_is_raw(args)) {
    SAND_ASSIGN_OR_RETURN(c.value, sand::cli::parse_arg("VALUE", *args.value));
  }
  return sand::Status::ok();
}

// getv's version: `@V` or --at V (get's form), not both.
sand::Result<std::optional<sand::Version>> decode_getv_at(const Args& args) {
  if (args.at && args.at_token) {
    return sand::Status::invalid_argument("getv: give @VERSION or --at VERSION, not both");
  }
  if (args.at_token) {
    SAND_ASSIGN_OR_RETURN(const sand::Version at, sand::cli::parse_at_version(*args.at_token));
    return std::optional<sand::Version>(at);
  }
  return std::optional<sand::Version>();
}

// Decodes the numbers of the versioned commands: put-if's and del-if's
// expected version, changes' SINCE and UNTIL.
sand::Status decode_versions(const Args& args, Command& c) {
  if (c.kind == CommandKind::kPutIf || c.kind == CommandKind::kDelIf) {
    SAND_ASSIGN_OR_RETURN(c.expected, sand::cli::parse_version(args.expected));
  }
  if (c.kind == CommandKind::kChanges) {
    SAND_ASSIGN_OR_RETURN(c.since, sand::cli::parse_version(args.since));
    if (args.until) {
      SAND_ASSIGN_OR_RETURN(c.until, sand::cli::parse_version(*args.until));
    }
  }
  return sand::Status::ok();
}

// Decodes the escaped arguments of the chosen command into a Command. A raw
// put value is left empty here: load_value reads it.
sand::Result<Command> build_command(CommandKind kind, const Args& args) {
  Command c;
  c.kind = kind;
  if (kind == CommandKind::kPut || kind == CommandKind::kGet || kind == CommandKind::kDel ||
      kind == CommandKind::kHistory || kind == CommandKind::kGetVersioned ||
      kind == CommandKind::kPutIf || kind == CommandKind::kDelIf) {
    SAND_ASSIGN_OR_RETURN(c.key, sand::cli::parse_key(args.key));
  }
  SAND_RETURN_IF_ERROR(decode_versions(args, c));
  if (takes_value(kind)) {
    SAND_RETURN_IF_ERROR(decode_value(kind == CommandKind::kPut ? "put" : "put-if", args, c));
  }
  if (kind == CommandKind::kGetVersioned) {
    SAND_ASSIGN_OR_RETURN(c.at, decode_getv_at(args));
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
  if (kind == CommandKind::kCheckpoint) {
    if (args.checkpoint_dir.empty()) return sand::Status::invalid_argument("DIR must not be empty");
    c.dir = args.checkpoint_dir;  // a path, taken as is
  }
  c.reverse = args.reverse;
  c.limit = args.limit;
  return c;
}

// Reads a raw put value (stdin or --value-file) into `command`, before the
// database opens. Errors: InvalidArgument if it is over kMaxValueSize (a
// usage error); IOError if it cannot be read.
sand::Status load_value(const Args& args, Command& command) {
  if (!takes_value(command.kind) || !value_is_raw(args)) return sand::Status::ok();
  sand::Result<std::string> value =
      args.value_file ? sand::cli::read_file(*args.value_file, "--value-file " + *args.value_file,
                                             sand::kMaxValueSize)
                      : sand::cli::read_all(STDIN_FILENO, "stdin", sand::kMaxValueSize);
  if (!value) return value.status();
  command.value = std::move(value).value();
  return sand::Status::ok();
}

// Decodes the compaction, retention and memtable flags that were given.
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
  if (args.memtable) {
    SAND_ASSIGN_OR_RETURN(tuning.memtable, sand::cli::parse_memtable(*args.memtable));
  }
  return tuning;
}

// Decodes size flag `flag` into `field` if it was given. Whether the size is
// in range is DB::open's to say.
sand::Status apply_size(std::string_view flag, const std::optional<std::string>& text,
                        std::size_t& field) {
  if (!text) return sand::Status::ok();
  SAND_ASSIGN_OR_RETURN(const std::uint64_t bytes, sand::cli::parse_size(flag, *text));
  if (bytes > std::numeric_limits<std::size_t>::max()) {
    return sand::Status::invalid_argument(std::string(flag) + ": '" + *text +
                                          "' does not fit in this machine's size_t");
  }
  field = static_cast<std::size_t>(bytes);
  return sand::Status::ok();
}

// The open options. Errors: InvalidArgument for a bad size (a usage error).
sand::Result<sand::Options> make_options(const Args& args, const sand::cli::Tuning& tuning,
                                         CommandKind kind, bool is_shell) {
  sand::Options options;
  options.sync = args.sync;
  options.compression =
      args.compression == "none" ? sand::Compression::kNone : sand::Compression::kLz4;
  SAND_RETURN_IF_ERROR(apply_size("--memtable-size", args.memtable_size, options.memtable_size));
  SAND_RETURN_IF_ERROR(apply_size("--block-size", args.block_size, options.block_size));
  SAND_RETURN_IF_ERROR(
      apply_size("--block-cache-size", args.block_cache_size, options.block_cache_size));
  SAND_RETURN_IF_ERROR(
      apply_size("--target-file-size", args.target_file_size, options.target_file_size));
  SAND_RETURN_IF_ERROR(apply_size("--value-separation-threshold", args.value_separation_threshold,
                                  options.value_separation_threshold));
  sand::cli::apply_tuning(tuning, options);
  // A compaction of a mistyped --db should say so, not create an empty
  // database. (Reads open read-only, which never creates one.)
  options.create_if_missing = kind == CommandKind::kPut || kind == CommandKind::kDel ||
                              kind == CommandKind::kPutIf || kind == CommandKind::kDelIf ||
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

// `get KEY --output F`: the raw value into F (`-`: stdout), nothing printed,
// with or without --json; NOT_FOUND (exit 1) leaves F alone.
int run_get_to_file(const sand::DB& db, const Command& command, const Args& args) {
  sand::Result<std::optional<std::string>> value = sand::cli::read_value(db, command);
  if (!value) return fail(value.status(), kExitError, args.json);
  if (!*value) {
    sand::cli::make_answer_writer(args.json, std::cout, std::cerr)
        ->get(command.key, command.at, std::nullopt);
    std::cout << std::flush;
    return kExitNotFound;
  }
  const std::string& output = *args.output;
  const sand::Status written = output == "-"
                                   ? sand::cli::write_all(STDOUT_FILENO, "stdout", **value)
                                   : sand::cli::write_file(output, "--output " + output, **value);
  return written ? kExitOk : fail(written, kExitError, args.json);
}

// The exit code of a command that failed with `status`: a failed precondition
// has its own, so a script can tell "retry" from "broken".
int command_exit_code(const sand::Status& status) {
  return status.code() == sand::Code::kConflict ? kExitConflict : kExitError;
}

// Opens the database (see the header: reads read-only), runs the shell or
// `command`, and closes the database.
int run(const Args& args, const sand::Options& options, bool is_shell, const Command& command) {
  const bool read_only = args.read_only || (!is_shell && sand::cli::is_read_command(command.kind));
  sand::Result<std::unique_ptr<sand::DB>> db =
      read_only ? sand::DB::open_read_only(args.db, options) : sand::DB::open(args.db, options);
  if (is_shell && !read_only && !db && db.status().code() == sand::Code::kBusy) {
    // Another process writes here: the shell can still read, and follow it.
    db = sand::DB::open_read_only(args.db, options);
    if (db) {
      std::cerr << "sand: " << args.db
                << " is in use by another process; the shell opened it read-only (writes "
                   "answer ERR ReadOnly, refresh catches up)\n"
                << std::flush;
    }
  }
  if (!db) return fail(db.status(), kExitError, args.json);
  int exit_code = kExitOk;
  if (is_shell) {
    const bool terminal = isatty(STDIN_FILENO) == 1;
    const std::unique_ptr<sand::cli::LineReader> reader = make_line_reader(terminal);
    sand::cli::Shell shell(**db, *reader, std::cout,
                           {.interactive = terminal, .bail = args.bail, .json = args.json});
    exit_code = shell.run();
  } else if (command.kind == CommandKind::kGet && args.output) {
    exit_code = run_get_to_file(**db, command, args);
    if (exit_code == kExitError) return exit_code;
  } else {
    // compact draws a progress line on a terminal (cli/compact_progress.hpp);
    // its answer waits until the line is done.
    std::ostringstream compact_answer;
    const bool compact = command.kind == CommandKind::kCompact;
    const std::unique_ptr<sand::cli::AnswerWriter> answers = sand::cli::make_answer_writer(
        args.json, compact ? static_cast<std::ostream&>(compact_answer) : std::cout, std::cerr);
    const auto run_command = [&] {
      return sand::cli::execute(**db, command, sand::WriteOptions{}, *answers);
    };
    sand::Result<sand::cli::Outcome> outcome =
        compact ? sand::cli::with_compact_progress(**db, STDERR_FILENO, run_command)
                : run_command();
    std::cout << compact_answer.str() << std::flush;
    if (!outcome) return fail(outcome.status(), command_exit_code(outcome.status()), args.json);
    if (*outcome == sand::cli::Outcome::kNotFound) exit_code = kExitNotFound;
  }
  // Surface errors the destructor would swallow (e.g. a failed final sync).
  if (sand::Status closed = (*db)->close(); !closed) return fail(closed, kExitError, args.json);
  return exit_code;
}

// `sand check`: verifies the database without opening it.
int run_check(const Args& args) {
  // A progress line on a terminal (cli/progress.hpp), made at the first call,
  // when the number of files is known, and finished before the report.
  std::unique_ptr<sand::cli::Progress> progress;
  sand::Result<sand::CheckReport> report = sand::check_database(
      args.db, {},
      {.progress = [&progress](std::uint64_t done, std::uint64_t total, std::uint64_t bytes) {
        if (!progress) {
          progress = sand::cli::Progress::on_terminal(STDERR_FILENO, "check", total, "files");
        }
        progress->update(done, bytes);
      }});
  if (!report) return fail(report.status(), kExitError, args.json);
  if (progress) progress->finish();
  sand::cli::make_answer_writer(args.json, std::cout, std::cerr)->check_report(*report);
  std::cout << std::flush;
  return report->ok() ? kExitOk : kExitError;
}

// Whether the command line asks for --json, looked for before parsing so a
// rejected command line is answered in JSON too: any argument that is
// exactly --json before a `--` (after which every argument is positional).
bool wants_json(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") return false;
    if (arg == "--json") return true;
  }
  return false;
}

// The command a rejected command line names but no subcommand matched, e.g.
// "frob" in `sand --db d frob`; nullopt if the rejection was something else.
std::optional<std::string> unknown_command(const CLI::App& app) {
  for (const CLI::App* command : app.get_subcommands({})) {
    if (command->parsed()) return std::nullopt;
  }
  const std::vector<std::string> rest = app.remaining();
  if (rest.empty() || rest.front().empty() || rest.front().front() == '-') return std::nullopt;
  return rest.front();
}

// "unknown command 'frob' (commands: put get ...)", listing the subcommands
// in the order they were registered, as the shell's answer does, and leaving
// out the same rows of the command table (CommandSpec::listed_in_errors).
sand::Status unknown_command_error(const CLI::App& app, const std::string& name) {
  std::string message = "unknown command '" + name + "' (commands:";
  for (const CLI::App* command : app.get_subcommands({})) {
    const sand::cli::CommandSpec* spec = sand::cli::find_command(command->get_name());
    if (spec != nullptr && !spec->listed_in_errors) continue;
    message += " " + command->get_name();
  }
  return sand::Status::invalid_argument(message + ")");
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
  app.add_flag("--read-only", args.read_only,
               "Open every command without the lock (reads always do); writes fail, `refresh` "
               "catches up");
  app.add_flag("--sync", args.sync, "Make writes durable before answering (fsync)");
  app.add_flag("--json", args.json,
               "Answer in JSON, one object per line (keys and values as spec/json.md says)");
  app.add_option("--compression", args.compression, "Table block compression")
      ->check(CLI::IsMember({"none", "lz4"}))
      ->capture_default_str();
  // Decoded by size.hpp after parsing: 512, 4KiB, 64MiB, 1GiB, 64MB.
  app.add_option("--memtable-size", args.memtable_size,
                 "Memtable bytes before a flush, e.g. 64MiB (default 64MiB)")
      ->type_name("SIZE");
  app.add_option("--block-size", args.block_size,
                 "Uncompressed table block size, e.g. 16KiB (default 4KiB)")
      ->type_name("SIZE");
  app.add_option("--block-cache-size", args.block_cache_size,
                 "Decompressed blocks kept in memory, e.g. 1GiB (default 32MiB)")
      ->type_name("SIZE");
  app.add_option("--target-file-size", args.target_file_size,
                 "Compaction output file size, e.g. 128MiB (default 64MiB)")
      ->type_name("SIZE");
  app.add_option("--value-separation-threshold", args.value_separation_threshold,
                 "Values this large or larger are stored once, in the WAL, and referenced "
                 "(spec/values.md); 0 = off, else at least 64 (default 1KiB)")
      ->type_name("SIZE");
  // Decoded by tuning.hpp after parsing, so the tests share one decoder.
  app.add_option("--memtable", args.memtable,
                 "Memtable index: btree or skiplist; both give the same answers, skiplist more "
                 "slowly (default btree)")
      ->type_name("btree|skiplist");
  app.add_option("--l0-trigger", args.l0_trigger,
                 "Level-0 tables that start a compaction into level 1 (default 4)")
      ->type_name("N");
  app.add_option("--l1-trigger", args.l1_trigger,
                 "Level-1 sorted runs that start a compaction into level 2 (default 4)")
      ->type_name("N");
  app.add_option("--retention", args.retention,
                 "Versions compaction keeps: all (until forget-before) or latest (default all)")
      ->type_name("all|latest");

  // Which subcommand maps to which Command; `shell` and `check` are handled
  // apart. The registration order is the order --help and the
  // unknown-command error list them.
  struct Choice {
    CLI::App* app;
    CommandKind kind;
  };
  const auto add_key = [&args](CLI::App* command) {
    command->add_option("KEY", args.key, "Key (escaped: \\xNN)")->type_name("")->required();
  };
  CLI::App* put = app.add_subcommand(
      "put", "Set KEY to VALUE (escaped), to stdin (VALUE -) or to a file's bytes; OK <version>");
  add_key(put);
  put->add_option("VALUE", args.value, "Value (escaped: \\xNN); - reads the raw value from stdin")
      ->type_name("");
  put->add_option("--value-file", args.value_file, "The value is the raw bytes of file F")
      ->type_name("F");
  CLI::App* get = app.add_subcommand("get", "Print the value of KEY, or NOT_FOUND (exit 1)");
  add_key(get);
  get->add_option("--at", args.at, "Read as of this version")->type_name("VERSION");
  get->add_option("--output", args.output,
                  "Write the raw value to F (- for stdout) and print nothing")
      ->type_name("F");
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
  CLI::App* stats =
      app.add_subcommand("stats", "Print the level shape, then counters as name: value lines");
  CLI::App* flush = app.add_subcommand("flush", "Write the memtable to a table");
  CLI::App* compact =
      app.add_subcommand("compact", "Flush, then merge every table into level 2; prints OK");
  CLI::App* forget_before = app.add_subcommand(
      "forget-before",
      "Refuse reads below VERSION; compaction may drop what they needed. Prints OK");
  forget_before->add_option("VERSION", args.mark, "The new low-water mark")
      ->type_name("")
      ->required();
  CLI::App* checkpoint = app.add_subcommand(
      "checkpoint",
      "Copy the database as of now into the new directory DIR (hard links); OK <version>");
  checkpoint->add_option("DIR", args.checkpoint_dir, "The new directory (must not exist)")
      ->type_name("")
      ->required();
  // The versioned API (cli/execute_versioned.hpp).
  CLI::App* getv = app.add_subcommand(
      "getv", "Print VERSION<TAB>VALUE, VERSION<TAB>del or NOT_FOUND (exit 1) for KEY");
  add_key(getv);
  getv->add_option("AT", args.at_token, "@VERSION: read as of this version (as --at)")
      ->type_name("");
  getv->add_option("--at", args.at, "Read as of this version")->type_name("VERSION");
  CLI::App* put_if = app.add_subcommand(
      "put-if", "Put as put does if KEY's version is VERSION (0: absent); else exit 4");
  add_key(put_if);
  put_if->add_option("VERSION", args.expected, "KEY's expected version (0: must not exist)")
      ->type_name("")
      ->required();
  put_if
      ->add_option("VALUE", args.value, "Value (escaped: \\xNN); - reads the raw value from stdin")
      ->type_name("");
  put_if->add_option("--value-file", args.value_file, "The value is the raw bytes of file F")
      ->type_name("F");
  CLI::App* del_if = app.add_subcommand(
      "del-if", "Delete KEY if its version is VERSION; prints OK <version>, else exit 4");
  add_key(del_if);
  del_if->add_option("VERSION", args.expected, "KEY's expected version")->type_name("")->required();
  CLI::App* changes = app.add_subcommand(
      "changes", "Print the writes in (SINCE, UNTIL] as VERSION<TAB>put|del<TAB>KEY... lines");
  changes->add_option("SINCE", args.since, "Versions after this one")->type_name("")->required();
  changes->add_option("UNTIL", args.until, "Up to this version (default: the last)")->type_name("");
  changes->add_option("--prefix", args.prefix, "Only keys that start with PREFIX (escaped: \\xNN)")
      ->type_name("PREFIX");
  changes->add_option("--from", args.from, "Keys >= KEY (escaped: \\xNN)")->type_name("KEY");
  changes->add_option("--to", args.to, "Keys < KEY (escaped: \\xNN)")->type_name("KEY");
  const Choice choices[] = {
      {put, CommandKind::kPut},
      {get, CommandKind::kGet},
      {del, CommandKind::kDel},
      {scan, CommandKind::kScan},
      {history, CommandKind::kHistory},
      {stats, CommandKind::kStats},
      {flush, CommandKind::kFlush},
      {compact, CommandKind::kCompact},
      {forget_before, CommandKind::kForgetBefore},
      {checkpoint, CommandKind::kCheckpoint},
      {getv, CommandKind::kGetVersioned},
      {put_if, CommandKind::kPutIf},
      {del_if, CommandKind::kDelIf},
      {changes, CommandKind::kChanges},
  };
  CLI::App* shell = app.add_subcommand(
      "shell",
      "Read commands from stdin, answer on stdout (`help` lists them); exit 3 if any failed");
  shell->add_flag("--bail", args.bail, "Stop at the first command answered ERR");
  CLI::App* check = app.add_subcommand(
      "check", "Verify every checksum and structure without opening; exit 3 on problems");
  sand::cli::DumpCli dump;
  sand::cli::add_dump_command(app, dump);
  sand::cli::ExportCli export_cli;
  sand::cli::add_export_command(app, export_cli);
  sand::cli::ImportCli import_cli;
  sand::cli::add_import_command(app, import_cli);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const bool json = wants_json(argc, argv);
    if (const std::optional<std::string> name = unknown_command(app)) {
      return fail(unknown_command_error(app, *name), kExitUsage, json);
    }
    // --help and --version still print text (exit 0).
    if (json && e.get_exit_code() != 0) {
      return fail(sand::Status::invalid_argument(e.what()), kExitUsage, json);
    }
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
  if (!command) return fail(command.status(), kExitUsage, args.json);
  sand::Result<sand::cli::Tuning> tuning = build_tuning(args);
  if (!tuning) return fail(tuning.status(), kExitUsage, args.json);
  sand::Result<sand::Options> options = make_options(args, *tuning, kind, shell->parsed());
  if (!options) return fail(options.status(), kExitUsage, args.json);
  if (check->parsed()) return run_check(args);
  if (dump.parsed()) return sand::cli::run_dump(dump, args.db, args.json, std::cout, std::cerr);
  if (export_cli.parsed() || import_cli.parsed()) {  // cli/export_command.hpp, import_command.hpp
    const sand::Status usage = export_cli.parsed() ? sand::cli::check_export(export_cli)
                                                   : sand::cli::check_import(import_cli);
    if (!usage) return fail(usage, kExitUsage, args.json);
    const sand::Status done = export_cli.parsed()
                                  ? sand::cli::run_export(export_cli, args.db, *options)
                                  : sand::cli::run_import(import_cli, args.db, *options);
    return done ? kExitOk : fail(done, kExitError, args.json);
  }
  if (sand::Status loaded = load_value(args, *command); !loaded) {
    return fail(loaded, loaded.code() == sand::Code::kInvalidArgument ? kExitUsage : kExitError,
                args.json);
  }
  return run(args, *options, shell->parsed(), *command);
}
