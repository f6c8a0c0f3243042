// `sand dump` through the real binary (SAND_CLI_PATH): JSON lines that parse,
// the text form of `dump db`, exit codes and the error line.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "dump_test_util.hpp"
#include "sand_process.hpp"
#include "support/temp_dir.hpp"

namespace {

using namespace sand::test::dump;

using sand::test::quote;
using sand::test::Run;
using sand::test::run_sand;

}  // namespace

TEST_CASE("sand dump sst --json: JSON lines that match the committed dump", "[cli][binary][dump]") {
  sand::test::TempDir dir;
  const fsys::path table = kTestdata / "db_runs" / "000013.sst";
  const Run run = run_sand(dir, "dump sst " + quote(table.string()) + " --json");
  CHECK(run.exit_code == 0);
  CHECK(run.err.empty());
  const std::vector<Json> lines = parse_lines(run.out);
  CHECK(lines == parse_lines(sand::test::read_file(
                     (kTestdata / "dump" / "db_runs" / "000013.sst.jsonl").string())));
  CHECK(lines.front().at("record") == "footer");
}

TEST_CASE("sand dump db: text lines for the database in --db", "[cli][binary][dump]") {
  sand::test::TempDir dir;
  const Run run = run_sand(dir, "--db " + quote((kTestdata / "db_runs").string()) + " dump db");
  CHECK(run.exit_code == 0);
  CHECK(run.err.empty());
  CHECK(run.out.starts_with("database last_version=204 "));
  CHECK(run.out.find("\n    table level=1 run=12 number=13 file=000013.sst ") != std::string::npos);
  CHECK(run.out.find("\nwal number=15 file=000015.wal ") != std::string::npos);
}

TEST_CASE("sand dump: a missing file exits 3 naming it", "[cli][binary][dump]") {
  sand::test::TempDir dir;
  const Run run = run_sand(dir, "dump wal missing.wal");
  CHECK(run.exit_code == 3);
  CHECK(run.out.empty());
  CHECK(run.err.starts_with("ERR NotFound: missing.wal"));
  const Run json = run_sand(dir, "--json dump manifest MANIFEST");
  CHECK(json.exit_code == 3);
  const Json error = Json::parse(json.err);
  CHECK(error.at("error") == "NotFound");
  CHECK(error.at("message").get<std::string>().starts_with("MANIFEST"));
}

TEST_CASE("sand dump: a damaged file prints what decoded, then exits 3", "[cli][binary][dump]") {
  sand::test::TempDir dir;
  fsys::copy_file(kTestdata / "bad" / "table_data_crc.sst", fsys::path(dir.path()) / "000013.sst");
  const Run run = run_sand(dir, "dump sst 000013.sst --json");
  CHECK(run.exit_code == 3);
  CHECK(records_of(parse_lines(run.out), "block").size() == 3);
  const Json error = Json::parse(run.err);
  CHECK(error.at("error") == "Corruption");
  CHECK(error.at("file") == "000013.sst");
  CHECK(error.at("offset") == 1631);
  CHECK(error.at("what") == "block checksum mismatch");
  const Run text = run_sand(dir, "dump sst 000013.sst");
  CHECK(text.exit_code == 3);
  CHECK(text.err == "ERR Corruption: 000013.sst: offset 1631: block checksum mismatch\n");
}

TEST_CASE("sand dump: without a file type is a usage error", "[cli][binary][dump]") {
  sand::test::TempDir dir;
  CHECK(run_sand(dir, "dump").exit_code == 2);
  CHECK(run_sand(dir, "dump sst").exit_code == 2);
  CHECK(run_sand(dir, "dump frob x").exit_code == 2);
}
