// spec/testdata/archive_small.sandx: the archive of a small deterministic
// database (spec/archive.md section 8), and archive_small.json, its decoded
// contents. Checks that the code still writes the vector byte for byte, that
// decoding it gives the .json's value, and that importing it answers like the
// database it came from. SAND_UPDATE_TESTDATA=1 rewrites both files.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>

#include "archive/archive_reader.hpp"
#include "archive/archive_test_support.hpp"
#include "cli/json_bytes.hpp"
#include "sand/sand.hpp"
#include "spec/spec_testdata.hpp"
#include "support/db_helpers.hpp"

using namespace sand;
using sand::test::must;
namespace td = sand::spec_testdata;

namespace {

const td::fsys::path kVector = td::kTestdata / "archive_small.sandx";
const td::fsys::path kJson = td::kTestdata / "archive_small.json";
// Small chunks, so that the vector has several and shows their chaining.
constexpr std::size_t kVectorChunkSize = 48;

// The database of spec/archive.md section 8.
std::unique_ptr<DB> small_database() {
  auto db = must(DB::open("/small", Options{.file_system = memory_file_system()}));
  must(db->put("apple", "red"));                        // 1
  must(db->put("apple", "green"));                      // 2
  must(db->put("banana", ""));                          // 3: an empty value
  must(db->put(std::string("\x00\xff", 2), "binary"));  // 4: a binary key
  must(db->del("apple"));                               // 5
  must(db->put("cherry", "1"));                         // 6: forgotten below
  must(db->put("cherry", "2"));                         // 7
  must(db->put("cherry", "3"));                         // 8
  must(db->forget_before(8));
  must(db->put("apple", "again"));  // 9
  must(db->del("banana"));          // 10
  must(db->put("date", "d"));       // 11
  must(db->del("date"));            // 12
  must(db->del("elder"));           // 13: hides nothing
  return db;
}

const std::vector<std::string> kKeys = {"apple",  "banana", std::string("\x00\xff", 2),
                                        "cherry", "date",   "elder"};

// The decoded archive as one JSON value: last_version, low_water_mark and
// the entries, keys and values as spec/json.md says.
cli::Json decode(const std::string& bytes) {
  std::istringstream in(bytes);
  archive::ArchiveReader reader(in, "archive_small.sandx");
  const archive::ArchiveHeader header = must(reader.read_header());
  cli::Json entries = cli::Json::array();
  while (must(reader.next())) {
    const archive::ArchiveEntry& e = reader.entry();
    cli::Json entry{{"key", cli::bytes_to_json(e.user_key)}, {"version", e.version}};
    entry["kind"] = e.kind == EntryKind::kPut ? "put" : "delete";
    if (e.kind == EntryKind::kPut) entry["value"] = cli::bytes_to_json(e.value);
    entries.push_back(std::move(entry));
  }
  return cli::Json{{"last_version", header.last_version},
                   {"low_water_mark", header.low_water_mark},
                   {"entries", std::move(entries)}};
}

// The layout of spec/testdata/README.md: one compact entry per line.
std::string json_text(const cli::Json& archive) {
  std::string out = "{\n  \"last_version\": " + archive["last_version"].dump() +
                    ",\n  \"low_water_mark\": " + archive["low_water_mark"].dump() +
                    ",\n  \"entries\": [\n";
  const cli::Json& entries = archive["entries"];
  for (std::size_t i = 0; i < entries.size(); ++i) {
    out += "    " + entries[i].dump() + (i + 1 < entries.size() ? ",\n" : "\n");
  }
  return out + "  ]\n}\n";
}

}  // namespace

TEST_CASE("archive_small.sandx is what export writes for its database", "[archive][spec]") {
  auto db = small_database();
  const std::string bytes =
      must(sand::test::export_to_string(*db, {.chunk_size = kVectorChunkSize}));
  if (td::updating()) {
    td::write_file(kVector, bytes);
    td::write_file(kJson, json_text(decode(bytes)));
  }
  CHECK(bytes == td::read_file(kVector));
}

TEST_CASE("archive_small.sandx decodes to archive_small.json", "[archive][spec]") {
  // Compared as JSON values, as the database vectors' .json are.
  CHECK(decode(td::read_file(kVector)) == cli::Json::parse(td::read_file(kJson)));
}

TEST_CASE("archive_small.sandx imports to its database's answers", "[archive][spec]") {
  auto db = small_database();
  auto fs = memory_file_system();
  must(sand::test::import_from_string("/dbs/imported", td::read_file(kVector),
                                      Options{.file_system = fs}));
  auto copy = must(DB::open("/dbs/imported", Options{.file_system = fs}));
  CHECK(sand::test::first_difference(*db, *copy, kKeys) == std::nullopt);
  CHECK(must(copy->history("elder")).empty());
  CHECK(must(copy->history("cherry")).size() == 2);  // 8, and 7 (the state at the mark)
}
