// The text of `sand check` (cli/check_format.hpp) for hand-made reports, and
// `sand check` on a database with a value log, which it names as one.
#include "cli/check_format.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "answer_fixtures.hpp"
#include "cli/json_format.hpp"
#include "db/filenames.hpp"
#include "sand/db.hpp"
#include "sand_process.hpp"
#include "support/db_helpers.hpp"
#include "support/temp_dir.hpp"

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

// The database `dir`/db with a value log: two keys with 100-byte values
// flushed, one of them overwritten and a short value put (so that the
// overwrite is below the mark) and flushed, then forget_before the last
// version and compact(), which moves the live value out of the first WAL
// (half dead) into a value log. Returns the value log's name.
std::string make_value_log_db(const sand::test::TempDir& dir) {
  const std::string path = dir.path() + "/db";
  {
    auto db = sand::test::must(sand::DB::open(
        path,
        sand::Options{.value_separation_threshold = 64, .compression = sand::Compression::kNone}));
    sand::test::must(db->put("a", std::string(100, 'a')));
    sand::test::must(db->put("b", std::string(100, 'b')));
    sand::test::must(db->flush());
    sand::test::must(db->put("a", std::string(100, 'A')));
    sand::test::must(db->put("tick", "1"));
    sand::test::must(db->flush());
    sand::test::must(db->forget_before(db->last_version()));
    sand::test::must(db->compact());
    sand::test::must(db->close());
  }
  std::string value_log;
  for (const auto& entry : std::filesystem::directory_iterator(path)) {
    const std::string name = entry.path().filename().string();
    const auto parsed = sand::parse_file_name(name);
    if (parsed && parsed->type == sand::FileType::kValueLog) {
      CHECK(value_log.empty());
      value_log = name;
    }
  }
  REQUIRE_FALSE(value_log.empty());
  return value_log;
}

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

TEST_CASE("check report: a value log is named by its records and values", "[cli][check]") {
  CheckReport r;
  r.files = {
      {.file = "000013.wal", .type = CheckFileType::kWal, .bytes = 48, .units = 3, .entries = 5},
      {.file = "000021.val",
       .type = CheckFileType::kValueLog,
       .bytes = 300,
       .units = 2,
       .entries = 2},
      {.file = "000022.val",
       .type = CheckFileType::kValueLog,
       .bytes = 150,
       .units = 1,
       .entries = 1},
  };
  r.wals = {.files = 3, .bytes = 498, .units = 6, .entries = 8};
  CHECK(format_check_report(r) ==
        "ok  000013.wal  3 records, 5 operations\n"
        "ok  000021.val  2 records, 2 values\n"
        "ok  000022.val  1 record, 1 value\n"
        "summary: 0 problems, 0 notes; checked 0 manifests (0 records), 0 tables (0 blocks, 0 "
        "entries), 3 WALs (6 records, 8 operations), 498 B\n");
}

TEST_CASE("sand check: a value log of a real database is a value log line", "[cli][check]") {
  sand::test::TempDir dir;
  const std::string value_log = make_value_log_db(dir);
  const CheckReport report = sand::test::must(sand::check_database(dir.path() + "/db"));
  REQUIRE(report.ok());
  const std::string line = "ok  " + value_log + "  1 record, 1 value\n";
  CHECK(format_check_report(report).find(line) != std::string::npos);

  const sand::test::Run run = sand::test::run_sand(dir, "--db db check");
  CHECK(run.exit_code == 0);
  CHECK(run.err.empty());
  CHECK(run.out == format_check_report(report));
  CHECK(run.out.find(line) != std::string::npos);
}

TEST_CASE("sand check --json: a value log is type value_log with records and values",
          "[cli][check][json]") {
  CheckReport r;
  r.files = {{.file = "000021.val",
              .type = CheckFileType::kValueLog,
              .bytes = 300,
              .units = 2,
              .entries = 2}};
  r.wals = {.files = 1, .bytes = 300, .units = 2, .entries = 2};
  CHECK(sand::test::lines(sand::cli::json_check_report(r)) ==
        std::vector<std::string>{
            R"({"record":"file","file":"000021.val","type":"value_log","status":"ok",)"
            R"("bytes":300,"records":2,"values":2})",
            R"({"record":"summary","ok":true,"problems":0,"notes":0,)"
            R"("manifest":{"files":0,"bytes":0,"records":0,"live_tables":0},)"
            R"("tables":{"files":0,"bytes":0,"blocks":0,"entries":0},)"
            R"("wals":{"files":1,"bytes":300,"records":2,"operations":2},"bytes":300})"});

  sand::test::TempDir dir;
  const std::string value_log = make_value_log_db(dir);
  const CheckReport report = sand::test::must(sand::check_database(dir.path() + "/db"));
  REQUIRE(report.ok());
  std::uint64_t bytes = 0;
  for (const CheckedFile& f : report.files) {
    if (f.file == value_log) bytes = f.bytes;
  }
  const std::string line = R"({"record":"file","file":")" + value_log +
                           R"(","type":"value_log","status":"ok","bytes":)" +
                           std::to_string(bytes) + R"(,"records":1,"values":1})" + "\n";
  CHECK(sand::cli::json_check_report(report).find(line) != std::string::npos);

  const sand::test::Run run = sand::test::run_sand(dir, "--db db --json check");
  CHECK(run.exit_code == 0);
  CHECK(run.err.empty());
  CHECK(run.out == sand::cli::json_check_report(report));
  CHECK(run.out.find(line) != std::string::npos);
}
