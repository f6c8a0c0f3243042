// The text of `sand check` (cli/check_format.hpp) for hand-made reports.
#include "cli/check_format.hpp"

#include <catch2/catch.hpp>

#include "answer_fixtures.hpp"

using sand::CheckedFile;
using sand::CheckFileType;
using sand::CheckNote;
using sand::CheckProblem;
using sand::CheckReport;
using sand::kWholeFile;
using sand::cli::format_check_report;
using sand::cli::format_check_summary;

namespace {

using sand::test::mixed_report;

}  // namespace

TEST_CASE("check report: one line per file, BAD per problem, notes, summary", "[cli][check]") {
  CHECK(format_check_report(mixed_report()) ==
        "ok  MANIFEST  2 records, 4 live tables\n"
        "ok  000007.sst  1 block, 1 entry\n"
        "BAD 000008.sst offset 4096: block checksum mismatch\n"
        "BAD 000008.sst offset 0: entry 'a\\x00'@3 has\\x0aversion 0\n"
        "skip 000009.sst  deleted by the writer while being checked\n"
        "BAD 000010.sst: missing: no such file\n"
        "ok  000011.wal  3 records, 5 operations\n"
        "note 000011.wal offset 40: torn tail: 8 bytes\n"
        "note MANIFEST.tmp: leftover\n"
        "summary: 3 problems, 2 notes; checked 1 manifest (2 records), 3 tables (1 block, 1 "
        "entry), 1 WAL (3 records, 5 operations), 3.0 KiB\n");
}

TEST_CASE("check report: an empty report has only its summary", "[cli][check]") {
  const CheckReport r;
  CHECK(format_check_summary(r) ==
        "summary: 0 problems, 0 notes; checked 0 manifests (0 records), 0 tables (0 blocks, 0 "
        "entries), 0 WALs (0 records, 0 operations), 0 B\n");
  CHECK(format_check_report(r) == format_check_summary(r));
}
