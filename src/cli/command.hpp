// Command: one parsed request to the database, from a shell line or from the
// one-shot command line, so both paths share one decoder and one executor.
//
// Shell line grammar (README "Shell"): a command word, then arguments
// separated by runs of spaces. Keys are escaped (escape.hpp), so a raw space
// always separates tokens. `put` is the exception: VALUE is the rest of the
// line after exactly one space following KEY, and may be empty or hold spaces.
//   put KEY VALUE | get KEY [@V] | del KEY | scan [FROM TO] [OPTION...] |
//   history KEY | getv KEY [@V] | put-if KEY V VALUE | del-if KEY V |
//   changes SINCE [UNTIL] [OPTION...] | flush | compact | forget-before V |
//   checkpoint DIR | stats | refresh | sync on|off | help [COMMAND] | quit
// The command words, usages and options are the rows of command_table.hpp.
//
// The versioned commands: getv reads `@V` as get does. put-if keeps its
// VALUE verbatim as put does: the rest of the line after exactly one space
// following V. V is KEY's expected version, a plain decimal (0: KEY must not
// exist). changes takes SINCE and an optional UNTIL (plain decimals) and the
// options --prefix P, --from KEY and --to KEY (escaped, each at most once),
// before, between or after the numbers, as scan's options; a token is an
// option only if it is exactly one of those names.
//
// scan: FROM and TO are optional but come as a pair; `-` is an open bound
// (write a key that is just "-" as `\x2d`). The options may come before,
// between or after the bounds, each at most once:
//   @V or --at V   read as of version V (decimal)
//   --reverse      descending key order
//   --limit N      at most N entries (decimal; 0 prints just the closing line)
//   --prefix P     only keys starting with the escaped bytes P (within
//                  [FROM, TO): ScanOptions::prefix)
// A token is an option only if it is exactly one of those names or `@`
// followed by a digit; every other token is a bound, so `scan FROM TO` reads
// as it always did. A bound that would look like an option is written with
// its first byte escaped: `\x401` for the key "@1", `\x2d-limit` for
// "--limit".
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sand/options.hpp"
#include "sand/status.hpp"

namespace sand::cli {

enum class CommandKind {
  kNone,  // an empty line: nothing to do
  kPut,
  kGet,
  kDel,
  kScan,
  kHistory,
  kGetVersioned,  // getv: the newest entry of a key and its version
  kPutIf,         // put-if: a put that commits only at an expected version
  kDelIf,         // del-if: a del that commits only at an expected version
  kChanges,       // the change feed: committed writes in (since, until]
  kFlush,
  kCompact,       // flush, then merge every table into level 2
  kForgetBefore,  // raise the retention low-water mark
  kCheckpoint,    // an online copy of the database in a new directory
  kStats,
  kRefresh,  // read-only handles: catch up with the writer
  kSync,     // shell only: sets the sync default for later writes
  kHelp,     // shell only: lists the commands (format.hpp format_help)
  kQuit,     // shell only
};

// Decoded arguments (unescaped bytes). Fields a kind does not use stay at
// their defaults.
struct Command {
  CommandKind kind = CommandKind::kNone;
  std::string key;                     // put, get, del, history, getv, put-if, del-if
  std::string value;                   // put, put-if
  std::optional<Version> at;           // get, scan, getv: read as of this version
  std::optional<std::string> from;     // scan, changes: from <= key; nullopt = open
  std::optional<std::string> to;       // scan, changes: key < to; nullopt = open
  bool reverse = false;                // scan
  std::optional<std::uint64_t> limit;  // scan: print at most this many
  std::optional<std::string> prefix;   // scan, changes: only keys starting with it
  std::string topic;                   // help: the command asked about; empty = all
  bool sync = false;                   // sync: on (true) or off
  Version mark = 0;                    // forget-before: the new low-water mark
  std::string dir;                     // checkpoint: the new directory (a path)
  Version expected = 0;                // put-if, del-if: KEY's version (0: must not exist)
  Version since = 0;                   // changes: versions after this one
  std::optional<Version> until;        // changes: up to this one; nullopt = the last

  friend bool operator==(const Command&, const Command&) = default;
};

// The tokens of `text` separated by runs of spaces, as the parser splits a
// line (and completion splits the text before the cursor).
std::vector<std::string_view> split_tokens(std::string_view text);

// Parses one shell line (without its newline). An empty or all-space line is
// kNone. Errors: InvalidArgument for an unknown command (also after `help`),
// wrong arity, a bad escape, an empty or too long KEY (> kMaxKeySize), a bad
// `@V`, version or --limit, or a scan or changes option that is repeated or
// lacks its value.
Result<Command> parse_command(std::string_view line);

// Decodes the escaped argument `name` (e.g. "VALUE"). Errors: InvalidArgument
// naming the argument and the byte, e.g. "VALUE: bad escape at byte 3: ...".
Result<std::string> parse_arg(std::string_view name, std::string_view text);

// Decodes an escaped KEY argument. Errors: InvalidArgument if the escape is
// bad, or the key is empty or longer than kMaxKeySize bytes.
Result<std::string> parse_key(std::string_view text);

// Decodes the scan bound `name` ("FROM" or "TO"): `-` is an open bound
// (nullopt), anything else an escaped key. Errors: as parse_arg.
Result<std::optional<std::string>> parse_bound(std::string_view name, std::string_view text);

// Decodes a decimal version number ("12", no sign, no `@`). Errors:
// InvalidArgument if it is not all digits or does not fit in 64 bits.
Result<Version> parse_version(std::string_view text);

// Decodes get's and getv's `@V` ("@12"). Errors: InvalidArgument if `text`
// does not start with `@`, or as parse_version.
Result<Version> parse_at_version(std::string_view text);

// Whether `kind` only reads the database: get, scan, history, getv, changes,
// stats. The one-shot tool opens the database for these with
// DB::open_read_only (no lock, no file created or changed; main.cpp).
bool is_read_command(CommandKind kind);

// Decodes scan's decimal --limit ("0", "12"). Errors: InvalidArgument, e.g.
// "bad limit 'x': expected a decimal number below 2^64".
Result<std::uint64_t> parse_limit(std::string_view text);

}  // namespace sand::cli
