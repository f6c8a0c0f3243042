// Answer formats: the exact text the shell and the one-shot commands print,
// kept in one place so the two never diverge (README "Shell"). The JSON
// answers (--json) are json_format.hpp's; both list stats by stats_fields.
//
//   put, del        OK <version>
//   flush, compact, forget-before, sync
//                   OK
//   get             the escaped value, or NOT_FOUND
//   scan            KEY<TAB>VALUE per entry, then an empty line
//   history         VERSION<TAB>put<TAB>VALUE or VERSION<TAB>del per version,
//                   newest first, then an empty line
//   getv            VERSION<TAB>VALUE, VERSION<TAB>del, or NOT_FOUND
//   put-if, del-if  OK <version>
//   changes         VERSION<TAB>put<TAB>KEY<TAB>VALUE or VERSION<TAB>del<TAB>KEY
//                   per change, in version then key order, then an empty line
//   stats           a `levels: ...` shape line, then name: value per Stats
//                   field, then an empty line
//   help            one line per command (usage, then its summary), then an
//                   empty line; `help CMD`: CMD's usage, its summary and one
//                   line per option, then an empty line
//   any error       ERR <Kind>: <message>
// Keys are printed with escape_key and values with escape_value; in error
// messages, bytes outside 0x20..0x7e are written \xNN but backslashes are
// kept. So every answer is one line of printable ASCII per entry.
//
// Pure functions; thread-safe. Every returned string but format_size's ends
// with '\n'.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cli/command_table.hpp"
#include "sand/db.hpp"
#include "sand/status.hpp"

namespace sand::cli {

// "OK <version>\n".
std::string format_version(Version version);

// "OK\n".
std::string format_ok();

// The escaped value, or "NOT_FOUND" when absent. A value that would print as
// exactly NOT_FOUND, or start with "ERR ", has its first byte escaped
// (`\x4eOT_FOUND`) so a reader can always tell the three answers apart.
std::string format_get(const std::optional<std::string>& value);

// "KEY\tVALUE\n".
std::string format_scan_line(std::string_view key, std::string_view value);

// "VERSION\tput\tVALUE\n" or "VERSION\tdel\n".
std::string format_history_line(const HistoryEntry& entry);

// getv: "VERSION\tVALUE\n" for a put, "VERSION\tdel\n" for a tombstone, or
// "NOT_FOUND\n" when the key has no retained entry. A value that would print
// as exactly "del" has its first byte escaped (`\x64el`), so a reader can
// tell a put of "del" from a tombstone.
std::string format_get_versioned(const std::optional<HistoryEntry>& entry);

// changes: "VERSION\tput\tKEY\tVALUE\n" or "VERSION\tdel\tKEY\n".
std::string format_change_line(Version version, const Change& change);

// Bytes for people: "0 B", "1023 B", then one decimal in the largest binary
// unit the value reaches: "1.0 KiB", "12.1 MiB", up to EiB.
std::string format_size(std::uint64_t bytes);

// The level shape on one line, e.g.
//   "levels: L0=3 tables (12.1 MiB) | L1=2 runs, 5 tables (40.0 MiB) | "
//   "L2=1 table (300.2 MiB)\n"
// ("table"/"run" are singular for exactly one; sizes as format_size).
std::string format_levels(const Stats& stats);

// One field of Stats under the name the answers give it: an integer, or
// one of the two amplification ratios.
struct StatsField {
  std::string name;  // e.g. "last_version", "tables_l0"
  std::variant<std::uint64_t, double> value;
};

// Every Stats field in declaration order, the per-level arrays as one field
// per level: last_version, low_water_mark, memtable_bytes,
// immutable_memtables, tables_l0..tables_l2, table_bytes_l0..table_bytes_l2,
// l1_runs, wal_bytes, user_bytes_written, write_groups, wal_syncs, flushes,
// flush_bytes_written, compactions, compaction_bytes_read,
// compaction_bytes_written, write_amplification and space_amplification (the
// two doubles), stalls, stall_micros, live_snapshots, manifest_bytes,
// memtables_used_bytes, memtables_reserved_bytes, table_index_filter_bytes,
// block_cache_bytes, block_cache_capacity, wal_buffer_bytes (new fields go
// last: the answer only grows). The one list both the text and the JSON
// stats answer print.
std::vector<StatsField> stats_fields(const Stats& stats);

// The stats answer without its closing empty line: format_levels first, then
// one "name: value\n" line per stats_fields entry. Integers are decimal; the
// two amplifications have exactly two decimals ("2.47"), independent of the
// C locale.
std::string format_stats(const Stats& stats);

// The `help` answer without its closing empty line: per command of
// `commands`, its usage padded to a common width, two spaces and its summary,
// e.g. "del KEY                  delete KEY; OK <version>\n". No line is empty.
std::string format_help(std::span<const CommandSpec> commands);

// The `help CMD` answer without its closing empty line: the usage, then
// "  " and the summary, then per option "  " + name and argument padded to a
// common width + two spaces + its summary. No line is empty.
std::string format_command_help(const CommandSpec& command);

// "\n": closes a scan, history, stats or help answer.
std::string format_end_of_list();

// `text` for people on one line of printable ASCII: every byte outside
// 0x20..0x7e is written \xNN (lowercase hex); backslashes are kept, so this
// is not an escape to undo (escape.hpp is). For error messages and `check`
// findings in the text answers.
std::string printable_text(std::string_view text);

// "ERR <Kind>: <message>\n", the message through printable_text.
// REQUIRES: !status.is_ok().
std::string format_error(const Status& status);

}  // namespace sand::cli
