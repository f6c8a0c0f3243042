// CheckOptions::progress (sand/check.hpp): called once per checked file, in
// report order, with a fixed total and the bytes of the files checked so far;
// for a healthy database, one without a usable MANIFEST, and one missing a
// WAL; never for an error; and the report is the one check_database(path,
// options) gives.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "db/filenames.hpp"
#include "sand/check.hpp"
#include "support/db_helpers.hpp"

using namespace sand;
using sand::test::must;

namespace {

constexpr const char* kDir = "/db";

struct Call {
  std::uint64_t files_done, files_total, bytes_done;
};

// A database of three level-0 tables and a live WAL with unflushed writes.
std::shared_ptr<FileSystem> build_database() {
  auto fs = memory_file_system();
  Options options{.file_system = fs};  // l0_trigger 4: three tables stay in level 0
  auto db = must(DB::open(kDir, options));
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 50; ++i) {
      must(db->put("key" + std::to_string(i), "value" + std::to_string(round)));
    }
    must(db->flush());
  }
  must(db->put("unflushed", "x"));
  must(db->close());
  return fs;
}

// Runs check_database with a recording callback.
CheckReport check_recording(const std::shared_ptr<FileSystem>& fs, std::vector<Call>* calls) {
  return must(
      check_database(kDir, Options{.file_system = fs},
                     CheckOptions{.progress = [calls](std::uint64_t done, std::uint64_t total,
                                                      std::uint64_t bytes) {
                       calls->push_back(Call{done, total, bytes});
                     }}));
}

// One call per file of the report, in its order: files_done counts up by one,
// files_total never changes and ends equal to files_done, and bytes_done is
// the sum of CheckedFile::bytes of the files so far.
void check_calls_follow_report(const std::vector<Call>& calls, const CheckReport& report) {
  REQUIRE(calls.size() == report.files.size());
  std::uint64_t bytes = 0;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    INFO("call " << i << ", file " << report.files[i].file);
    bytes += report.files[i].bytes;
    CHECK(calls[i].files_done == i + 1);
    CHECK(calls[i].files_total == report.files.size());
    CHECK(calls[i].bytes_done == bytes);
  }
}

TEST_CASE("check progress: one call per file of a healthy database", "[check][progress]") {
  const auto fs = build_database();
  std::vector<Call> calls;
  const CheckReport report = check_recording(fs, &calls);
  CHECK(report.ok());
  CHECK(report.files.size() == 5);  // MANIFEST, 3 tables, 1 WAL
  check_calls_follow_report(calls, report);
  CHECK(calls.back().bytes_done == report.manifest.bytes + report.tables.bytes + report.wals.bytes);
}

TEST_CASE("check progress: the report is the same as without a callback", "[check][progress]") {
  const auto fs = build_database();
  std::vector<Call> calls;
  const CheckReport with = check_recording(fs, &calls);
  const CheckReport without = must(check_database(kDir, Options{.file_system = fs}));
  CHECK(with.problems == without.problems);
  CHECK(with.notes == without.notes);
  REQUIRE(with.files.size() == without.files.size());
  for (std::size_t i = 0; i < with.files.size(); ++i) {
    CHECK(with.files[i].file == without.files[i].file);
    CHECK(with.files[i].bytes == without.files[i].bytes);
  }
  // An empty CheckOptions is allowed too.
  CHECK(must(check_database(kDir, Options{.file_system = fs}, CheckOptions{})).ok());
}

TEST_CASE("check progress: without a MANIFEST every listed file is counted", "[check][progress]") {
  const auto fs = build_database();
  must(fs->remove_file(join_path(kDir, kManifestName)));
  std::vector<Call> calls;
  const CheckReport report = check_recording(fs, &calls);
  CHECK_FALSE(report.ok());  // the missing MANIFEST is a problem
  check_calls_follow_report(calls, report);
}

TEST_CASE("check progress: a missing live WAL still counts as a file", "[check][progress]") {
  const auto fs = build_database();
  std::vector<std::string> wals;
  for (const std::string& name : must(fs->list_dir(kDir))) {
    if (name.ends_with(".wal")) wals.push_back(name);
  }
  REQUIRE_FALSE(wals.empty());
  for (const std::string& name : wals) must(fs->remove_file(join_path(kDir, name)));
  std::vector<Call> calls;
  const CheckReport report = check_recording(fs, &calls);
  CHECK_FALSE(report.ok());
  check_calls_follow_report(calls, report);
}

TEST_CASE("check progress: never called when there is no database", "[check][progress]") {
  std::vector<Call> calls;
  const Result<CheckReport> report = check_database(
      "/nothing", Options{.file_system = memory_file_system()},
      CheckOptions{.progress = [&calls](std::uint64_t d, std::uint64_t t, std::uint64_t b) {
        calls.push_back(Call{d, t, b});
      }});
  REQUIRE_FALSE(report.is_ok());
  CHECK(report.status().code() == Code::kNotFound);
  CHECK(calls.empty());
}

}  // namespace
