// Answer formats: the exact text the shell and the one-shot commands print,
// kept in one place so the two never diverge (README "Shell").
//
//   put, del        OK <version>
//   flush, sync     OK
//   get             the escaped value, or NOT_FOUND
//   scan            KEY<TAB>VALUE per entry, then an empty line
//   history         VERSION<TAB>put<TAB>VALUE or VERSION<TAB>del per version,
//                   newest first, then an empty line
//   stats           name: value per Stats field, then an empty line
//   any error       ERR <Kind>: <message>
// Keys are printed with escape_key and values with escape_value; in error
// messages, bytes outside 0x20..0x7e are written \xNN but backslashes are
// kept. So every answer is one line of printable ASCII per entry.
//
// Pure functions; thread-safe. Every returned string ends with '\n'.
#pragma once

#include <optional>
#include <string>
#include <string_view>

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

// One "name: value\n" line per Stats field (without the closing empty line):
// last_version, memtable_bytes, immutable_memtables, tables_l0..tables_l2,
// table_bytes_l0..table_bytes_l2, wal_bytes, user_bytes_written, flushes,
// flush_bytes_written, live_snapshots, manifest_bytes.
std::string format_stats(const Stats& stats);

// "\n": closes a scan, history or stats answer.
std::string format_end_of_list();

// "ERR <Kind>: <message>\n", message bytes outside 0x20..0x7e as \xNN.
// REQUIRES: !status.is_ok().
std::string format_error(const Status& status);

}  // namespace sand::cli
