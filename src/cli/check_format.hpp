// The text `sand check` prints for a CheckReport (sand/check.hpp): one line
// per checked file, then the notes, then a summary line.
//
//   ok  MANIFEST  2 records, 5 live tables
//   ok  000012.sst  4 blocks, 310 entries
//   BAD 000013.sst offset 8192: block checksum mismatch
//   BAD 000014.sst: missing: the manifest names this table but there is no such file
//   skip 000015.sst  deleted by the writer while being checked
//   ok  000016.wal  12 records, 40 operations
//   note 000016.wal offset 4096: torn tail: 9 bytes of an append that did not complete ...
//   note 000009.sst: orphan table: not named by the manifest ...
//   summary: 1 problem, 2 notes; checked 1 manifest (2 records), 3 tables (4 blocks,
//            310 entries), 1 WAL (12 records, 40 operations), 1.2 MiB
//
// (the summary is one line). A file with problems gets one BAD line per
// problem, in the order found, instead of its ok line. Offsets are decimal
// byte offsets; a finding about the file as a whole has none. Bytes outside
// 0x20..0x7e are written \xNN so each finding stays on one line.
//
// Pure functions; thread-safe.
#pragma once

#include <string>

#include "sand/check.hpp"

namespace sand::cli {

// Every line of the report, each ending with '\n'.
std::string format_check_report(const CheckReport& report);

// Just the summary line, ending with '\n'.
std::string format_check_summary(const CheckReport& report);

}  // namespace sand::cli
