// The committed dumps of the database vectors: for every file of every
// spec/testdata/db_*/ (but LOCK), `sand dump --json` must print exactly
// spec/testdata/dump/<vector>/<file>.jsonl, and `dump db --json`
// dump/<vector>/db.jsonl, compared as JSON values line by line (spec/dump.md
// allows any member order). SAND_UPDATE_TESTDATA=1 rewrites them
// (spec/testdata/README.md "Regenerating").
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>

#include "dump_test_util.hpp"

namespace {

using namespace sand::test::dump;

bool updating() { return std::getenv("SAND_UPDATE_TESTDATA") != nullptr; }

std::string read_text(const fsys::path& p) {
  std::ifstream f(p, std::ios::binary);
  INFO(p.string());
  REQUIRE(f);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// Compares `dumped` with the committed `expected_path`, or writes it there
// when updating.
void check_against(const std::string& dumped, const fsys::path& expected_path) {
  INFO(expected_path.string());
  if (updating()) {
    fsys::create_directories(expected_path.parent_path());
    std::ofstream f(expected_path, std::ios::binary | std::ios::trunc);
    f << dumped;
    f.close();
    REQUIRE(f);
  }
  const std::vector<Json> got = parse_lines(dumped);
  const std::vector<Json> want = parse_lines(read_text(expected_path));
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("line " << i + 1);
    CHECK(got[i] == want[i]);
  }
}

const fsys::path kDumps = kTestdata / "dump";

}  // namespace

TEST_CASE("dump: every vector file dumps as its committed jsonl", "[cli][dump]") {
  for (const std::string& vector : database_vectors()) {
    std::set<std::string> expected_files = {"db.jsonl"};
    for (const auto& e : fsys::directory_iterator(kTestdata / vector)) {
      const std::string name = e.path().filename().string();
      const std::optional<DumpTarget> target = target_of(name);
      if (!target) continue;
      INFO(vector << "/" << name);
      const DumpRun run = run_dump(*target, e.path());
      REQUIRE(run.status.is_ok());
      check_against(run.out, kDumps / vector / (name + ".jsonl"));
      expected_files.insert(name + ".jsonl");
    }
    const DumpRun db = run_dump(DumpTarget::kDb, kTestdata / vector);
    INFO(vector);
    REQUIRE(db.status.is_ok());
    check_against(db.out, kDumps / vector / "db.jsonl");
    // Nothing stale: the directory holds exactly the dumps of today's files.
    std::set<std::string> present;
    for (const auto& e : fsys::directory_iterator(kDumps / vector)) {
      const std::string name = e.path().filename().string();
      if (updating() && !expected_files.contains(name)) {
        fsys::remove(e.path());
        continue;
      }
      present.insert(name);
    }
    CHECK(present == expected_files);
  }
  std::set<std::string> dirs, vectors;
  for (const auto& e : fsys::directory_iterator(kDumps)) dirs.insert(e.path().filename().string());
  for (const std::string& v : database_vectors()) vectors.insert(v);
  CHECK(dirs == vectors);
}

TEST_CASE("dump: the same file dumps to the same bytes twice", "[cli][dump]") {
  const fsys::path table = kTestdata / "db_runs" / "000013.sst";
  CHECK(run_dump(DumpTarget::kTable, table).out == run_dump(DumpTarget::kTable, table).out);
  const fsys::path db = kTestdata / "db_runs";
  CHECK(run_dump(DumpTarget::kDb, db).out == run_dump(DumpTarget::kDb, db).out);
}
