// An independent check of the dumps: the entry records of every live
// table's dump and the operations of every live WAL's dump (each at its
// batch's version) are exactly the logical entries spec/testdata/<vector>.json
// lists, and `dump db`'s last_version is the vector's. A compressed value (a
// reference's raw_size, a WAL's compressed_put) is dumped as stored and
// decompressed here. Which files are live
// comes from the engine's manifest replay and the directory (spec/README.md
// "Reading a database"), not from the dump.
#include <lz4.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <map>
#include <tuple>

#include "db/filenames.hpp"
#include "db/recovery.hpp"
#include "dump_test_util.hpp"
#include "manifest/manifest_log.hpp"

namespace {

using namespace sand::test::dump;

// (key, version, kind, value): a value is empty for a delete.
using Entry = std::tuple<std::string, std::uint64_t, std::string, std::string>;

std::string bytes_of(const Json& value, const char* what) {
  sand::Result<std::string> bytes = sand::cli::bytes_from_json(value, what);
  REQUIRE(bytes.is_ok());
  return *bytes;
}

// The vector's entries and last version, read from <vector>.json.
std::pair<std::vector<Entry>, std::uint64_t> expected_entries(const std::string& vector) {
  std::ifstream f(kTestdata / (vector + ".json"), std::ios::binary);
  REQUIRE(f);
  const Json doc = Json::parse(std::string(std::istreambuf_iterator<char>(f), {}));
  std::vector<Entry> entries;
  for (const Json& e : doc.at("entries")) {
    const std::string kind = e.at("kind");
    entries.emplace_back(bytes_of(e.at("key"), "key"), e.at("version").get<std::uint64_t>(), kind,
                         kind == "put" ? bytes_of(e.at("value"), "value") : std::string());
  }
  return {entries, doc.at("last_version").get<std::uint64_t>()};
}

// `block`, an LZ4 block that must decompress to exactly `raw_size` bytes,
// decompressed.
std::string decompressed(std::string_view block, std::uint64_t raw_size) {
  std::string raw(static_cast<std::size_t>(raw_size), '\0');
  const int n = LZ4_decompress_safe(block.data(), raw.data(), static_cast<int>(block.size()),
                                    static_cast<int>(raw.size()));
  CHECK(n == static_cast<int>(raw.size()));
  return raw;
}

std::vector<Json> dumped(DumpTarget target, const fsys::path& path) {
  const DumpRun run = run_dump(target, path);
  INFO(path.string() << ": " << run.status.to_string());
  REQUIRE(run.status.is_ok());
  return parse_lines(run.out);
}

// Sorted as the vectors list them: key ascending, then version descending.
void sort_entries(std::vector<Entry>* entries) {
  std::sort(entries->begin(), entries->end(), [](const Entry& a, const Entry& b) {
    if (std::get<0>(a) != std::get<0>(b)) return std::get<0>(a) < std::get<0>(b);
    return std::get<1>(a) > std::get<1>(b);
  });
}

}  // namespace

TEST_CASE("dump: live tables and WALs together hold exactly the vector's entries", "[cli][dump]") {
  for (const std::string& vector : database_vectors()) {
    INFO(vector);
    const fsys::path dir = kTestdata / vector;
    auto fs = sand::posix_file_system();
    sand::Result<sand::manifest::State> state = sand::manifest::replay(*fs, dir.string());
    REQUIRE(state.is_ok());
    sand::Result<std::vector<std::string>> names = fs->list_dir(dir.string());
    REQUIRE(names.is_ok());
    const std::vector<std::uint64_t> live_wals =
        sand::list_database_files(*names).wals_from(state->wal_number);

    std::vector<Entry> found;
    for (const auto& [number, meta] : state->tables) {
      for (const Json& e :
           records_of(dumped(DumpTarget::kTable, dir / sand::table_file_name(number)), "entry")) {
        std::string kind = e.at("kind").get<std::string>();
        std::string value = bytes_of(e.at("value"), "value");
        if (kind == "value_ref") {
          // The dump decodes the reference; the bytes are in that value file.
          const Json& ref = e.at("ref");
          const auto file = ref.at("file").get<std::uint64_t>();
          CHECK(state->value_files.contains(file));
          REQUIRE(state->value_files.contains(file));
          std::ifstream f(dir / sand::value_file_name(state->value_files.at(file)),
                          std::ios::binary);
          REQUIRE(f);
          const std::string bytes(std::istreambuf_iterator<char>(f), {});
          value = bytes.substr(ref.at("offset").get<std::uint64_t>(),
                               ref.at("size").get<std::uint64_t>());
          if (ref.contains("raw_size")) {
            value = decompressed(value, ref.at("raw_size").get<std::uint64_t>());
          }
          kind = "put";
        }
        found.emplace_back(bytes_of(e.at("key"), "key"), e.at("version").get<std::uint64_t>(), kind,
                           value);
      }
    }
    for (const std::uint64_t number : live_wals) {
      const std::vector<Json> wal = dumped(DumpTarget::kWal, dir / sand::wal_file_name(number));
      // Each operation takes the version of its batch (the record at the
      // offset its "batch" names).
      std::map<std::uint64_t, std::uint64_t> batch_versions;
      for (const Json& b : records_of(wal, "batch")) {
        batch_versions[b.at("offset").get<std::uint64_t>()] = b.at("version").get<std::uint64_t>();
      }
      for (const Json& op : records_of(wal, "operation")) {
        std::string kind = op.at("kind");
        const std::uint64_t version = batch_versions.at(op.at("batch").get<std::uint64_t>());
        CHECK(op.at("version").get<std::uint64_t>() == version);
        std::string value = kind == "delete" ? "" : bytes_of(op.at("value"), "value");
        if (kind == "compressed_put") {
          value = decompressed(value, op.at("raw_size").get<std::uint64_t>());
          kind = "put";
        }
        found.emplace_back(bytes_of(op.at("key"), "key"), version, kind, value);
      }
    }
    sort_entries(&found);
    auto [expected, last_version] = expected_entries(vector);
    sort_entries(&expected);
    CHECK(found == expected);

    const std::vector<Json> db = records_of(dumped(DumpTarget::kDb, dir), "database");
    REQUIRE(db.size() == 1);
    CHECK(db[0].at("last_version").get<std::uint64_t>() == last_version);
  }
}
