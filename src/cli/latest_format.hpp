// Latest-value formats: the plain key/value files of `sand export --latest`
// and `sand import --latest`, one record per key holding its latest value
// (no versions, no tombstones), for other tools to read and write.
//
// The formats (every byte of every key and value round-trips in each):
// - jsonl: one JSON object per line, {"key": K, "value": V}, K and V as
//   spec/json.md says (a string if UTF-8, else {"hex": "..."}); lines end
//   with LF. A reader takes the members in any order, refuses any other
//   member, and allows whitespace (a CR before the LF included).
// - tsv: one line per record, escape_key(key) TAB escape_value(value) LF,
//   the shell's escaping (cli/escape.hpp): every byte outside printable
//   ASCII, TAB and CR included, is `\xNN`, so a line holds exactly one raw
//   TAB. No header. A reader drops one CR before the LF (the writer never
//   writes a raw CR), so files edited on Windows read the same.
// - csv: RFC 4180. The first line is the header `key,value`, always written
//   and required on input (a first record that is not exactly that is an
//   error: no guessing whether line 1 is data). Records end with CRLF; a
//   field containing `,`, `"`, CR or LF is quoted with `"`, and a `"` in it
//   doubled. Bytes are written raw, so non-UTF-8 round-trips (a reader that
//   assumes UTF-8 may show it oddly). A reader accepts CRLF or LF, quoted
//   or unquoted fields, and a last record without a line end; it refuses a
//   `"` inside an unquoted field, text after a closing quote, a CR outside
//   quotes that is not followed by LF, an unterminated quote, and a record
//   with other than two fields (an empty line is a record of one field).
// In every format an empty line is an error, and so is a key over
// kMaxKeySize or a value over kMaxValueSize. Input ends at end of file (the
// last line end is optional). A key given twice: the later record wins.
//
// Thread-safety: functions on the caller's objects; `db` is thread-safe.
#pragma once

#include <cstdint>
#include <istream>
#include <ostream>
#include <string_view>

#include "cli/progress.hpp"
#include "sand/db.hpp"
#include "sand/status.hpp"

namespace sand::cli {

enum class LatestFormat { kJsonLines, kTsv, kCsv };

// The format named `name`: "jsonl", "tsv" or "csv". Errors: InvalidArgument
// "--format: unknown format '<name>' (expected jsonl, tsv or csv)".
Result<LatestFormat> parse_latest_format(std::string_view name);

// Writes the latest value of every live key of `db` to `out` (as of one
// version: writes during the export do not show), one record per key, in key
// order; csv starts with its header. `progress` (may be null) is updated per
// record with the records and the key + value bytes written so far; the
// caller finishes it. Returns the number of records. Errors: the scan's
// (Corruption, IOError); IOError "output: write failed" once `out` fails
// (what was written before stays there).
Result<std::uint64_t> write_latest(const DB& db, LatestFormat format, std::ostream& out,
                                   Progress* progress);

// Reads records from `in` and puts them into `db`, in WriteBatches of up to
// kImportBatchRecords records or about kImportBatchBytes bytes, so an import
// is not atomic. `progress` (may be null) as for write_latest. Returns the
// number of records put.
//
// Errors: InvalidArgument "line N: <what>" naming the 1-based line of the
// first bad record (for a csv record spanning lines: the line it starts on;
// for an unterminated quote: the line of the opening quote). Every record
// before the bad one is written to `db` (earlier batches stay, and the
// pending batch is written before the error is returned); nothing from the
// bad line on is. Also the DB's errors (then records of the failed batch and
// after are not written), and IOError "input: read failed".
Result<std::uint64_t> read_latest(DB& db, LatestFormat format, std::istream& in,
                                  Progress* progress);

// Batch limits of read_latest: whichever is reached first.
inline constexpr std::uint32_t kImportBatchRecords = 1000;
inline constexpr std::size_t kImportBatchBytes = 4 << 20;  // 4 MiB

}  // namespace sand::cli
