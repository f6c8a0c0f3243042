// Every damaged file of spec/testdata/bad/ makes `dump` fail with exactly the
// kind, offset and message bad/expected.txt lists, after the records decoded
// before the damage.
#include <catch2/catch.hpp>
#include <fstream>

#include "dump_test_util.hpp"
#include "support/temp_dir.hpp"

namespace {

using namespace sand::test::dump;

struct BadFile {
  std::string file, read_as, reader, kind, message;
  std::uint64_t offset = 0;
};

std::string trim(const std::string& s) {
  const std::size_t b = s.find_first_not_of(' ');
  const std::size_t e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// The lines of bad/expected.txt: file | made from | damage | read as |
// reader | kind | offset | message | rule.
std::vector<BadFile> bad_files() {
  std::ifstream f(kTestdata / "bad" / "expected.txt");
  REQUIRE(f);
  std::vector<BadFile> out;
  for (std::string line; std::getline(f, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    for (std::size_t begin = 0;;) {
      const std::size_t bar = line.find(" | ", begin);
      fields.push_back(trim(line.substr(begin, bar - begin)));
      if (bar == std::string::npos) break;
      begin = bar + 3;
    }
    INFO(line);
    REQUIRE(fields.size() == 9);
    out.push_back(BadFile{.file = fields[0],
                          .read_as = fields[3],
                          .reader = fields[4],
                          .kind = fields[5],
                          .message = fields[7],
                          .offset = std::stoull(fields[6])});
  }
  REQUIRE(out.size() >= 16);
  return out;
}

DumpTarget target_of_reader(const std::string& reader) {
  if (reader == "table") return DumpTarget::kTable;
  if (reader == "wal") return DumpTarget::kWal;
  REQUIRE(reader == "manifest");
  return DumpTarget::kManifest;
}

}  // namespace

TEST_CASE("dump: every file of spec/testdata/bad fails as bad/expected.txt says", "[cli][dump]") {
  for (const BadFile& bad : bad_files()) {
    INFO(bad.file);
    sand::test::TempDir dir;
    const fsys::path path = fsys::path(dir.path()) / bad.read_as;
    fsys::copy_file(kTestdata / "bad" / bad.file, path);
    const DumpRun run = run_dump(target_of_reader(bad.reader), path);
    CHECK(std::string(sand::code_name(run.status.code())) == bad.kind);
    CHECK(run.status.message() ==
          path.string() + ": offset " + std::to_string(bad.offset) + ": " + bad.message);
    // Whatever was printed first is whole JSON lines.
    parse_lines(run.out);
    // The JSON error line carries the same place.
    const Json error = Json::parse(sand::cli::format_dump_error(run.status, true));
    CHECK(error.at("error") == bad.kind);
    CHECK(error.at("file") == path.string());
    CHECK(error.at("offset") == bad.offset);
    CHECK(error.at("what") == bad.message);
  }
}

TEST_CASE("dump sst: a damaged data block is dumped up to the damage", "[cli][dump]") {
  sand::test::TempDir dir;
  const fsys::path path = fsys::path(dir.path()) / "000013.sst";
  fsys::copy_file(kTestdata / "bad" / "table_data_crc.sst", path);
  const DumpRun run = run_dump(DumpTarget::kTable, path);
  REQUIRE_FALSE(run.status.is_ok());
  const std::vector<Json> lines = parse_lines(run.out);
  // Data block 3 (offset 1631) is the damaged one: blocks 0-2 were printed
  // with every entry, and the footer, properties, filter and index before.
  const std::vector<Json> blocks = records_of(lines, "block");
  REQUIRE(blocks.size() == 3);
  CHECK(blocks.back().at("block") == 2);
  CHECK(records_of(lines, "index_entry").size() == 8);
  CHECK(records_of(lines, "entry").back().at("block") == 2);
}

TEST_CASE("dump wal: a damaged record in the middle is dumped up to it", "[cli][dump]") {
  sand::test::TempDir dir;
  const fsys::path path = fsys::path(dir.path()) / "000015.wal";
  fsys::copy_file(kTestdata / "bad" / "wal_payload_crc.wal", path);
  const DumpRun run = run_dump(DumpTarget::kWal, path);
  REQUIRE_FALSE(run.status.is_ok());
  const std::vector<Json> lines = parse_lines(run.out);
  // Record 1 (offset 28) is good; record 2 (offset 64) is damaged.
  const std::vector<Json> batches = records_of(lines, "batch");
  REQUIRE(batches.size() == 1);
  CHECK(batches[0].at("offset") == 28);
  CHECK(records_of(lines, "end").empty());
}

TEST_CASE("dump: a missing file is NotFound naming it", "[cli][dump]") {
  sand::test::TempDir dir;
  const fsys::path path = fsys::path(dir.path()) / "000001.sst";
  const DumpRun run = run_dump(DumpTarget::kTable, path);
  CHECK(run.status.code() == sand::Code::kNotFound);
  CHECK(run.status.message().find(path.string()) != std::string::npos);
  CHECK(run.out.empty());
  const DumpRun db = run_dump(DumpTarget::kDb, path);
  CHECK(db.status.code() == sand::Code::kNotFound);
}

TEST_CASE("dump sst: every bit flip of the worked example fails where sstable.md says",
          "[cli][dump]") {
  // spec/sstable.md section 11, last paragraph: a flip in the data block
  // (bytes 0..58) fails reading it at offset 0; in the filter, index or
  // properties block (59..72, 73..101, 102..122) the open, at that block's
  // offset; in the footer's fields (123..178) the footer checksum at 123;
  // in the magic (179..186) the magic check at 179.
  const std::string good = bytes_of_hex_file(kTestdata / "sstable_small.hex");
  REQUIRE(good.size() == 187);
  sand::test::TempDir dir;
  const fsys::path path = fsys::path(dir.path()) / "000001.sst";
  for (std::size_t byte = 0; byte < good.size(); ++byte) {
    const std::uint64_t expected = byte < 59    ? 0
                                   : byte < 73  ? 59
                                   : byte < 102 ? 73
                                   : byte < 123 ? 102
                                   : byte < 179 ? 123
                                                : 179;
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = good;
      bad[byte] = static_cast<char>(bad[byte] ^ (1 << bit));
      {
        std::ofstream f(path, std::ios::binary | std::ios::trunc);
        f << bad;
      }
      const DumpRun run = run_dump(DumpTarget::kTable, path);
      INFO("byte " << byte << " bit " << bit << ": " << run.status.to_string());
      REQUIRE(run.status.code() == sand::Code::kCorruption);
      CHECK(run.status.message().starts_with(path.string() + ": offset " +
                                             std::to_string(expected) + ": "));
      // What was printed before the damage is whole lines; a damaged data
      // block comes after the footer, properties, filter and index.
      const std::vector<Json> lines = parse_lines(run.out);
      if (expected == 0) CHECK(records_of(lines, "index_entry").size() == 1);
    }
  }
}

TEST_CASE("dump wal and manifest: every bit flip of the worked examples is OK or Corruption",
          "[cli][dump]") {
  // A flip can leave a log readable (a torn tail: rule R4 with nothing good
  // after it), but never crash the dump or print a broken line.
  sand::test::TempDir dir;
  const struct {
    const char* hex;
    const char* name;
    DumpTarget target;
  } cases[] = {{"wal_small.hex", "000001.wal", DumpTarget::kWal},
               {"manifest_small.hex", "MANIFEST", DumpTarget::kManifest}};
  for (const auto& c : cases) {
    const std::string good = bytes_of_hex_file(kTestdata / c.hex);
    const fsys::path path = fsys::path(dir.path()) / c.name;
    for (std::size_t byte = 0; byte < good.size(); ++byte) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string bad = good;
        bad[byte] = static_cast<char>(bad[byte] ^ (1 << bit));
        {
          std::ofstream f(path, std::ios::binary | std::ios::trunc);
          f << bad;
        }
        const DumpRun run = run_dump(c.target, path);
        INFO(c.name << " byte " << byte << " bit " << bit << ": " << run.status.to_string());
        CHECK((run.status.is_ok() || run.status.code() == sand::Code::kCorruption));
        const std::vector<Json> lines = parse_lines(run.out);
        // A dump that succeeded ends with its end record.
        if (run.status.is_ok()) CHECK(lines.back().at("record") == "end");
      }
    }
  }
}
