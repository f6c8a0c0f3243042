// File names in a database directory (src/db/filenames.hpp, spec/README.md
// "Which names are database files"): parse_file_name accepts exactly the
// names table_file_name/wal_file_name write, and LOCK, MANIFEST,
// MANIFEST.tmp; a writer's open, a read-only open and check leave every other
// name alone. Regression (issue 16): a stray "0000037.wal" parsed as WAL 37,
// so check reported a missing 000037.wal and a read-only open went Busy.
#include "db/filenames.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "sand/check.hpp"
#include "support/db_helpers.hpp"

using namespace sand;
using sand::test::must;

namespace {

constexpr const char* kDir = "/db";

std::string describe(const std::optional<ParsedFileName>& p) {
  if (!p) return "not a database file";
  switch (p->type) {
    case FileType::kTable:
      return "table " + std::to_string(p->number);
    case FileType::kWal:
      return "wal " + std::to_string(p->number);
    case FileType::kValueLog:
      return "value log " + std::to_string(p->number);
    case FileType::kManifest:
      return "MANIFEST";
    case FileType::kManifestTemp:
      return "MANIFEST.tmp";
    case FileType::kLock:
      return "LOCK";
  }
  return "?";
}

std::string read_all(FileSystem& fs, const std::string& path) {
  return std::string(must(fs.open_readable_file(path))->contents());
}

void write_all(FileSystem& fs, const std::string& path, std::string_view bytes) {
  auto file = must(fs.new_writable_file(path));
  must(file->append(bytes));
  must(file->close());
}

std::map<std::string, std::string> snapshot(FileSystem& fs) {
  std::map<std::string, std::string> out;
  for (const std::string& name : must(fs.list_dir(kDir))) {
    out[name] = read_all(fs, join_path(kDir, name));
  }
  return out;
}

// A closed database whose last writes (b, c) are only in its live WAL, which
// the manifest's wal_number names. Returns that WAL's number.
std::uint64_t build_database(const std::shared_ptr<FileSystem>& fs) {
  {
    auto db = must(DB::open(kDir, Options{.file_system = fs}));
    must(db->put("a", "1"));
    must(db->flush());
    must(db->put("b", "2"));
    must(db->put("c", "3"));
    must(db->close());
  }
  std::uint64_t wal = 0;
  for (const std::string& name : must(fs->list_dir(kDir))) {
    const auto parsed = parse_file_name(name);
    if (parsed && parsed->type == FileType::kWal) wal = std::max(wal, parsed->number);
  }
  REQUIRE(wal != 0);
  REQUIRE(wal < 37);  // so that WAL 37 would count as live
  return wal;
}

void check_contents(const DB& db) {
  CHECK(must(db.get("a")) == "1");
  CHECK(must(db.get("b")) == "2");
  CHECK(must(db.get("c")) == "3");
}

}  // namespace

TEST_CASE("parse_file_name accepts exactly the canonical names", "[db][filenames]") {
  const std::map<std::string, std::string> cases = {
      {"LOCK", "LOCK"},
      {"MANIFEST", "MANIFEST"},
      {"MANIFEST.tmp", "MANIFEST.tmp"},
      {"000036.wal", "wal 36"},
      {"000036.val", "value log 36"},
      {"1234567.val", "value log 1234567"},
      {"36.val", "not a database file"},
      {"0000036.val", "not a database file"},
      {"000036.sst", "table 36"},
      {"000000.sst", "table 0"},
      {"000001.wal", "wal 1"},
      {"999999.sst", "table 999999"},
      {"1000000.sst", "table 1000000"},
      {"1234567.wal", "wal 1234567"},
      {"18446744073709551615.wal", "wal 18446744073709551615"},
      // Fewer than six digits.
      {"36.wal", "not a database file"},
      {"036.wal", "not a database file"},
      {"00036.wal", "not a database file"},
      {"0.sst", "not a database file"},
      // A leading zero beyond six digits.
      {"0000036.wal", "not a database file"},
      {"0999999.sst", "not a database file"},
      {"01000000.sst", "not a database file"},
      {"0000000.sst", "not a database file"},
      {"018446744073709551615.wal", "not a database file"},
      // Above uint64.
      {"18446744073709551616.wal", "not a database file"},
      {"99999999999999999999.sst", "not a database file"},
      {"184467440737095516150.wal", "not a database file"},
      // Not digits, or not exactly the suffix.
      {"+36.wal", "not a database file"},
      {"+00036.wal", "not a database file"},
      {"-00036.wal", "not a database file"},
      {" 00036.wal", "not a database file"},
      {"000036 .wal", "not a database file"},
      {"00003a.wal", "not a database file"},
      {"0x0024.wal", "not a database file"},
      {".wal", "not a database file"},
      {".sst", "not a database file"},
      {"000036", "not a database file"},
      {"000036.", "not a database file"},
      {"000036.WAL", "not a database file"},
      {"000036.Sst", "not a database file"},
      {"000036.log", "not a database file"},
      {"000036.wal.bak", "not a database file"},
      {"000036.sst.tmp", "not a database file"},
      {"000036.wal.wal", "not a database file"},
      {"000036wal", "not a database file"},
      {std::string("000036\0.wal", 11), "not a database file"},
      {"", "not a database file"},
      {"lock", "not a database file"},
      {"LOCK ", "not a database file"},
      {"manifest", "not a database file"},
      {"MANIFEST.old", "not a database file"},
      {"MANIFEST.tmp~", "not a database file"},
      {"CURRENT", "not a database file"},
  };
  for (const auto& [name, want] : cases) {
    INFO("name '" << name << "'");
    CHECK(describe(parse_file_name(name)) == want);
  }
}

TEST_CASE("parse_file_name reads back every name the namers write", "[db][filenames]") {
  for (const std::uint64_t n :
       {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{99999}, std::uint64_t{999999},
        std::uint64_t{1000000}, std::uint64_t{1000001}, std::uint64_t{9999999},
        std::uint64_t{10000000}, UINT64_MAX - 1, UINT64_MAX}) {
    INFO(n);
    CHECK(describe(parse_file_name(table_file_name(n))) == "table " + std::to_string(n));
    CHECK(describe(parse_file_name(wal_file_name(n))) == "wal " + std::to_string(n));
    // One spelling per number: one more leading zero is not a database file.
    CHECK_FALSE(parse_file_name("0" + table_file_name(n)));
    CHECK_FALSE(parse_file_name("0" + wal_file_name(n)));
  }
  CHECK(table_file_name(999999) == "999999.sst");
  CHECK(table_file_name(1000000) == "1000000.sst");
  CHECK(wal_file_name(36) == "000036.wal");
}

TEST_CASE("a stray 0000037.wal is ignored by open, read-only open and check", "[db][filenames]") {
  auto fs = memory_file_system();
  const std::uint64_t wal = build_database(fs);
  const std::string live_wal = read_all(*fs, join_path(kDir, wal_file_name(wal)));
  // Garbage, or a real WAL's bytes (replaying them again would repeat
  // versions: Corruption); neither may be read.
  const std::string stray = GENERATE(as<std::string>{}, "garbage, not a WAL", "copy");
  const std::string stray_bytes = stray == "copy" ? live_wal : stray;
  write_all(*fs, join_path(kDir, "0000037.wal"), stray_bytes);

  {
    const CheckReport r = must(check_database(kDir, Options{.file_system = fs}));
    CHECK(r.ok());
    CHECK(r.notes.empty());
    CHECK(r.wals.files == 1);
    for (const CheckedFile& f : r.files) CHECK(f.file != "000037.wal");
  }
  {
    auto reader = must(DB::open_read_only(kDir, Options{.file_system = fs}));
    check_contents(*reader);
    must(reader->refresh());
    check_contents(*reader);
  }
  {
    auto writer = must(DB::open(kDir, Options{.file_system = fs}));
    check_contents(*writer);
    must(writer->put("d", "4"));
    must(writer->flush());
    must(writer->close());
  }
  // Left in place, unchanged, and its number did not move the counter: the
  // writer's new files are all numbered below 37.
  const auto files = snapshot(*fs);
  REQUIRE(files.contains("0000037.wal"));
  CHECK(files.at("0000037.wal") == stray_bytes);
  for (const auto& [name, bytes] : files) {
    const auto parsed = parse_file_name(name);
    if (parsed && (parsed->type == FileType::kTable || parsed->type == FileType::kWal)) {
      CHECK(parsed->number < 37);
    }
  }
  CHECK(must(check_database(kDir, Options{.file_system = fs})).ok());
}

TEST_CASE("a stray 0000037.wal in a directory without MANIFEST is no database", "[db][filenames]") {
  auto fs = memory_file_system();
  must(fs->create_dir(kDir));
  write_all(*fs, join_path(kDir, "0000037.wal"), "garbage");
  CHECK(DB::open_read_only(kDir, Options{.file_system = fs}).status().code() == Code::kNotFound);
  // A writer creates a new database beside it, and keeps it.
  auto writer = must(DB::open(kDir, Options{.file_system = fs}));
  must(writer->put("a", "1"));
  must(writer->close());
  CHECK(read_all(*fs, join_path(kDir, "0000037.wal")) == "garbage");
}

TEST_CASE("a live WAL renamed to 0000NNN.wal is a missing WAL", "[db][filenames]") {
  auto fs = memory_file_system();
  const std::uint64_t wal = build_database(fs);
  const std::string name = wal_file_name(wal);
  const std::string renamed = "0" + name;
  write_all(*fs, join_path(kDir, renamed), read_all(*fs, join_path(kDir, name)));
  must(fs->remove_file(join_path(kDir, name)));
  const auto before = snapshot(*fs);

  // The writer's open refuses, naming the canonical name
  // (check_files_present in src/db; spec/README.md "Opening", step 2).
  const Status writer = DB::open(kDir, Options{.file_system = fs}).status();
  INFO(writer.to_string());
  CHECK(writer.code() == Code::kCorruption);
  CHECK(writer.message() == std::string(kDir) + "/MANIFEST: " + name +
                                ", the oldest WAL it needs, is missing (deleted, or MANIFEST "
                                "lost the edits that retired it)");

  // A read-only open must not serve the state without the WAL's writes:
  // with no writer, MANIFEST stands still while the WAL stays missing, so it
  // is Corruption, not Busy (spec/README.md "Read-only opens", step 4).
  const Status reader = DB::open_read_only(kDir, Options{.file_system = fs}).status();
  INFO(reader.to_string());
  CHECK(reader.code() == Code::kCorruption);
  CHECK_THAT(reader.message(),
             Catch::Contains(std::string(kDir) + "/MANIFEST") && Catch::Contains(name));

  const CheckReport r = must(check_database(kDir, Options{.file_system = fs}));
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].file == name);

  // Nothing was deleted or changed: renaming the file back repairs it.
  CHECK(snapshot(*fs) == before);
  write_all(*fs, join_path(kDir, name), read_all(*fs, join_path(kDir, renamed)));
  must(fs->remove_file(join_path(kDir, renamed)));
  auto reopened = must(DB::open(kDir, Options{.file_system = fs}));
  check_contents(*reopened);
}

TEST_CASE("parent_dir is the directory to sync after a rename into it", "[db][filenames]") {
  CHECK(parent_dir("/a/b/c") == "/a/b");
  CHECK(parent_dir("/top") == "/");
  CHECK(parent_dir("rel/name") == "rel");
  CHECK(parent_dir("name") == ".");
}
