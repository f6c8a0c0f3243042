// `sand export` and `sand import` through the real binary (SAND_CLI_PATH)
// and /bin/sh pipes: an archive piped from one database into a new one, to
// and from files, the refusals (non-empty --db, damaged archive, --format
// without --latest), and `export --latest` writing data only to stdout.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "sand/sand.hpp"
#include "sand_process.hpp"

namespace {

using sand::test::read_file;
using sand::test::Run;
using sand::test::run_script;
using sand::test::TempDir;

// A source database with overwrites, a tombstone and a retention mark.
void make_source(const TempDir& dir) {
  auto db = sand::DB::open(dir.path() + "/src").value();
  for (int i = 0; i < 300; ++i) {
    REQUIRE(db->put("key" + std::to_string(i % 40), "value " + std::to_string(i)).is_ok());
  }
  REQUIRE(db->del("key7").is_ok());
  REQUIRE(db->put(std::string("bin\x00\xff", 5), std::string("\x01\x02", 2)).is_ok());
  REQUIRE(db->forget_before(250).is_ok());
  REQUIRE(db->close().is_ok());
}

// The whole history of every key of `path`, as text.
std::string all_history(const std::string& path) {
  auto db = sand::DB::open_read_only(path).value();
  std::string s = "last " + std::to_string(db->last_version()) + " mark " +
                  std::to_string(db->low_water_mark()) + "\n";
  std::vector<std::string> keys = {"key7", std::string("bin\x00\xff", 5)};
  for (int i = 0; i < 40; ++i) keys.push_back("key" + std::to_string(i));
  for (const std::string& key : keys) {
    const sand::Result<std::vector<sand::HistoryEntry>> history = db->history(key);
    REQUIRE(history.is_ok());
    for (const sand::HistoryEntry& e : *history) {
      s += key + " " + std::to_string(e.version) + (e.deleted ? " del" : " " + e.value) + "\n";
    }
  }
  return s;
}

}  // namespace

TEST_CASE("sand export piped into sand import copies every version", "[cli][binary][archive]") {
  TempDir dir;
  make_source(dir);
  const Run run = run_script(dir, "$SAND --db src export | $SAND --db copy import -");
  CHECK(run.exit_code == 0);
  CHECK(run.out.empty());
  CHECK(run.err.empty());  // no progress on a pipe or file, nothing on success
  CHECK(all_history(dir.path() + "/copy") == all_history(dir.path() + "/src"));
  // The copy takes new writes after the imported versions.
  const Run put = run_script(dir, "$SAND --db copy put new v");
  CHECK(put.out == "OK 303\n");
}

TEST_CASE("sand export FILE then import FILE", "[cli][binary][archive]") {
  TempDir dir;
  make_source(dir);
  REQUIRE(run_script(dir, "$SAND --db src export a.sandx").exit_code == 0);
  CHECK(read_file(dir.path() + "/a.sandx").starts_with(std::string("SANDARC\0", 8)));
  REQUIRE(run_script(dir, "$SAND --db copy --compression none import a.sandx").exit_code == 0);
  CHECK(all_history(dir.path() + "/copy") == all_history(dir.path() + "/src"));

  SECTION("a second import into the same --db is refused") {
    const Run again = run_script(dir, "$SAND --db copy import a.sandx");
    CHECK(again.exit_code == 3);
    CHECK(again.err.starts_with("ERR InvalidArgument: copy: not empty"));
  }
  SECTION("a damaged archive leaves no database and no temporary directory") {
    std::string bytes = read_file(dir.path() + "/a.sandx");
    bytes[bytes.size() / 2] ^= 0x10;
    std::ofstream(dir.path() + "/bad.sandx", std::ios::binary) << bytes;
    const Run bad = run_script(dir, "$SAND --db other import bad.sandx");
    CHECK(bad.exit_code == 3);
    CHECK(bad.err.starts_with("ERR Corruption: bad.sandx: offset "));
    CHECK_FALSE(std::filesystem::exists(dir.path() + "/other"));
    CHECK_FALSE(std::filesystem::exists(dir.path() + "/other.import-tmp"));
  }
  SECTION("a truncated archive from stdin names stdin") {
    const Run cut = run_script(dir, "head -c 200 a.sandx | $SAND --db other import -");
    CHECK(cut.exit_code == 3);
    CHECK(cut.err.starts_with("ERR Corruption: stdin: offset "));
  }
}

TEST_CASE("sand export --latest --format jsonl writes data only on stdout",
          "[cli][binary][archive]") {
  TempDir dir;
  make_source(dir);
  const Run run = run_script(dir, "$SAND --db src export --latest --format jsonl | cat");
  CHECK(run.exit_code == 0);
  CHECK(run.err.empty());
  std::istringstream lines(run.out);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    CHECK(line.starts_with("{\"key\":"));
    ++count;
  }
  CHECK(count == 40);  // 40 keys, key7 deleted, plus the binary key
  // And back into a new database through import --latest.
  const Run back =
      run_script(dir,
                 "$SAND --db src export --latest | $SAND --db flat import --latest - && "
                 "$SAND --db flat get key3");
  CHECK(back.exit_code == 0);
  CHECK(back.out == "value 283\n");
}

TEST_CASE("sand export and import usage errors exit 2", "[cli][binary][archive]") {
  TempDir dir;
  make_source(dir);
  const Run format = run_script(dir, "$SAND --db src export --format csv out.csv");
  CHECK(format.exit_code == 2);
  CHECK(format.err ==
        "ERR InvalidArgument: export: --format needs --latest (an archive has one format)\n");
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/out.csv"));
  CHECK(run_script(dir, "$SAND --db src export --latest --format xml").exit_code == 2);
  CHECK(run_script(dir, "$SAND --db copy import").exit_code == 2);  // FILE is required
}
