// JSON answer formats: what the shell and the one-shot commands print with
// --json, one JSON object per line (spec/json.md "Answers of the sand tool",
// which is normative; format.hpp has the text answers). Keys and values go
// through bytes_to_json (json_bytes.hpp), so a non-UTF-8 key is
// {"hex": "..."}; so do file names, error messages and check findings (text
// for people, nearly always UTF-8, but bytes all the same); numbers are JSON
// integers.
//
//   put, del        {"version": 7}
//   refresh         {"last_version": 7}
//   flush, compact, forget-before, sync
//                   {"ok": true}
//   get             {"key": K, "found": true, "value": V} or
//                   {"key": K, "found": false}, with "at": N after --at/@N
//   scan            {"key": K, "value": V} per entry
//   history         {"key": K, "version": N, "kind": "put", "value": V} or
//                   {"key": K, "version": N, "kind": "delete"} per version
//   getv            {"key": K, "found": true, "version": N, "kind": "put",
//                   "value": V} or {..., "kind": "delete"} or
//                   {"key": K, "found": false}, with "at": N after @N
//   put-if, del-if  {"version": 7}
//   changes         {"version": N, "kind": "put", "key": K, "value": V} or
//                   {"version": N, "kind": "delete", "key": K} per change
//   stats           one object: "levels", then every stats_fields entry
//   help            per command {"command", "usage", "summary", "options"}
//   check           {"record": "file", ...} per file, {"record": "note", ...}
//                   per note, then {"record": "summary", ...}
//   error           {"error": "<Kind>", "message": M}, and for a Corruption
//                   naming its place "file", "offset" and "what" too
//   end of a list   {"end": true}: only in the shell, after scan, history,
//                   changes and help (a one-shot list ends with the output)
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cli/command_table.hpp"
#include "cli/json_bytes.hpp"
#include "sand/check.hpp"
#include "sand/db.hpp"
#include "sand/status.hpp"

namespace sand::cli {

// `value` as one line of JSON lines: compact (no spaces), UTF-8 unescaped,
// then '\n'. Never throws: a string that is not valid UTF-8 (which the
// functions below never build) would have its bad bytes replaced by U+FFFD.
std::string json_line(const Json& value);

// put, del: {"version": N}.
Json json_version(Version version);

// refresh: {"last_version": N}.
Json json_last_version(Version version);

// flush, compact, forget-before, sync: {"ok": true}.
Json json_ok();

// get: {"key": K, "found": true, "value": V} or {"key": K, "found": false};
// "at": N follows when the read was as of version N.
Json json_get(std::string_view key, std::optional<Version> at,
              const std::optional<std::string>& value);

// One scan entry: {"key": K, "value": V}.
Json json_scan_entry(std::string_view key, std::string_view value);

// One history entry of `key`: {"key": K, "version": N, "kind": "put",
// "value": V} or {"key": K, "version": N, "kind": "delete"} (the test
// vectors' entry shape, spec/testdata/README.md).
Json json_history_entry(std::string_view key, const HistoryEntry& entry);

// getv: {"key": K, "found": true, "version": N, "kind": "put", "value": V},
// {"key": K, "found": true, "version": N, "kind": "delete"} for a tombstone,
// or {"key": K, "found": false}; "at": N follows when the read was as of
// version N. "kind" says put or delete as history's entries do.
Json json_get_versioned(std::string_view key, std::optional<Version> at,
                        const std::optional<HistoryEntry>& entry);

// One change of the feed: {"version": N, "kind": "put", "key": K, "value": V}
// or {"version": N, "kind": "delete", "key": K}.
Json json_change(Version version, const Change& change);

// stats: {"levels": [{"level": 0, "tables": N, "bytes": N},
// {"level": 1, "runs": N, "tables": N, "bytes": N}, {"level": 2, ...}],
// then one member per stats_fields entry, in its order: integers, and the
// two amplifications as JSON numbers (not rounded)}.
Json json_stats(const Stats& stats);

// One command of `help`, or the `help CMD` answer: {"command": NAME,
// "usage": ..., "summary": ..., "options": [{"name": "--limit",
// "argument": "N", "summary": ...}, ...]} ("argument" absent for a flag;
// "options" always present, maybe empty).
Json json_command_help(const CommandSpec& command);

// {"end": true}: closes a list answer in the shell.
Json json_end_of_list();

// {"error": "<Kind>", "message": M}; a Corruption whose message names its
// place ("<file>: offset <N>: <what>", as Status::corruption(file, offset,
// what) writes it) also has "file", "offset" and "what". The shape of every
// error of the tool, `dump`'s included (spec/dump.md section 7).
// REQUIRES: !status.is_ok().
Json json_error(const Status& status);

// `sand check` (cli/check_format.hpp has the text). Each line's first
// member, "record", names what it describes: "file", "note" or "summary"
// (as `sand dump`'s lines do, spec/dump.md).
// One checked file: {"record": "file", "file": NAME, "type":
// "manifest"|"table"|"wal"|"value_log", "status": "ok"|"bad"|"skipped"},
// then for ok and bad files "bytes" and the counts of its type (manifest:
// "records", "live_tables"; table: "blocks", "entries"; WAL: "records",
// "operations"; value log: "records", "values"; for a bad file, what
// passed), and for a bad file "problems": [{"offset": N, "what": ...}, ...]
// (the problems of `report` naming it, in the order found; "offset" absent
// when the whole file is at fault).
Json json_checked_file(const CheckedFile& file, const CheckReport& report);

// One note: {"record": "note", "file": NAME, "offset": N, "what": ...}
// ("offset" absent for the whole file).
Json json_check_note(const CheckNote& note);

// {"record": "summary", "ok": bool, "problems": N, "notes": N, "manifest":
// {"files", "bytes", "records", "live_tables"}, "tables": {"files", "bytes",
// "blocks", "entries"}, "wals": {"files", "bytes", "records", "operations"},
// "bytes": N}: the totals, "bytes" over every type (value logs are counted
// in "wals", their values as "operations").
Json json_check_summary(const CheckReport& report);

// Every line of the report: one json_checked_file per file in check order,
// one json_check_note per note, then json_check_summary.
std::string json_check_report(const CheckReport& report);

}  // namespace sand::cli
