// Checks that spec/manifest.md's worked example
// (spec/testdata/manifest_small.hex) is exactly what the code writes for the
// inputs the spec states, and that the example's replay and damage claims
// hold. After a deliberate format change, rewrite the .hex file with
// SAND_UPDATE_TESTDATA=1 manifest_tests "[spec]" (then update the dump and
// table in spec/manifest.md by hand).
#include <catch2/catch.hpp>
#include <string>

#include "manifest/manifest_log.hpp"
#include "sand/file_system.hpp"
#include "wal/log_test_support.hpp"
#include "wal/record_reader.hpp"

using namespace sand;
using namespace sand::manifest;

namespace {

constexpr const char* kHexPath = SAND_SOURCE_DIR "/spec/testdata/manifest_small.hex";

// The example's layout: 28-byte file header (log id 2), the snapshot record
// (12 + 9 bytes) at 28, the flush edit (12 + 21 bytes) at 49, 82 bytes in all.
constexpr std::size_t kRecord1 = 28;
constexpr std::size_t kRecord2 = 49;
constexpr std::size_t kSize = 82;

// The inputs listed in spec/manifest.md "Worked example": a new database
// whose first WAL is number 1 writes its manifest from state {next_file_number
// 2, last_version 0, wal_number 1, low_water_mark 0}; the manifest takes file
// number 2 as its log id, so the snapshot says next_file_number 3. The
// memtable of WAL 1 (the two batches of wal.md's example) is then flushed to
// table 3 and WAL 4 is started.
std::string build_manifest_small() {
  auto fs = memory_file_system();
  REQUIRE(fs->create_dir("/db").is_ok());
  State state;
  state.next_file_number = 2;
  state.last_version = 0;
  state.wal_number = 1;
  state.low_water_mark = 0;
  auto log = ManifestLog::create(*fs, "/db", state);
  REQUIRE(log.is_ok());
  REQUIRE(state.next_file_number == 3);
  Edit flush;
  flush.next_file_number = 5;
  flush.last_version = 2;
  flush.wal_number = 4;
  flush.added.push_back(TableMeta{.number = 3,
                                  .level = 0,
                                  .file_size = 1234,
                                  .entries = 3,
                                  .tombstones = 1,
                                  .min_version = 1,
                                  .max_version = 2,
                                  .smallest_key = "k1",
                                  .largest_key = "k2"});
  REQUIRE((*log)->append(flush).is_ok());
  REQUIRE((*log)->close().is_ok());
  auto file = fs->open_readable_file("/db/MANIFEST");
  REQUIRE(file.is_ok());
  return std::string((*file)->contents());
}

struct Example {
  std::shared_ptr<FileSystem> fs = memory_file_system();
  Example() { REQUIRE(fs->create_dir("/db").is_ok()); }
  Result<State> replay_bytes(std::string_view bytes) {
    auto f = fs->new_writable_file("/db/MANIFEST");
    REQUIRE(f.is_ok());
    REQUIRE((*f)->append(bytes).is_ok());
    REQUIRE((*f)->close().is_ok());
    return replay(*fs, "/db");
  }
};

}  // namespace

TEST_CASE("spec/testdata/manifest_small.hex matches the bytes the code writes",
          "[manifest][spec]") {
  const std::string bytes = build_manifest_small();
  const std::string hex = test::to_hex_lines(bytes);
  if (test::update_testdata()) REQUIRE(test::write_text_file(kHexPath, hex));
  INFO("generated:\n" << hex);
  CHECK(test::read_text_file(kHexPath) == hex);
}

TEST_CASE("the manifest example has the layout spec/manifest.md describes", "[manifest][spec]") {
  const std::string bytes = build_manifest_small();
  REQUIRE(bytes.size() == kSize);
  CHECK(bytes.substr(0, wal::kFileHeaderSize) == wal::log_file_header(wal::LogKind::kManifest, 2));
  auto read = wal::read_log(bytes, "MANIFEST", wal::LogKind::kManifest, false);
  REQUIRE(read.is_ok());
  REQUIRE(read->records.size() == 2);
  CHECK(read->records[0].offset == kRecord1);
  CHECK(read->records[0].payload.size() == 9);
  CHECK(read->records[1].offset == kRecord2);
  CHECK(read->records[1].payload.size() == 21);
}

TEST_CASE("the manifest example replays to the state the spec describes", "[manifest][spec]") {
  Example ex;
  auto state = ex.replay_bytes(build_manifest_small());
  REQUIRE(state.is_ok());
  CHECK(state->next_file_number == 5);
  CHECK(state->last_version == 2);
  CHECK(state->wal_number == 4);
  CHECK(state->low_water_mark == 0);
  REQUIRE(state->tables.size() == 1);
  CHECK(state->tables.at(3).file_size == 1234);
  CHECK(state->tables.at(3).level == 0);
}

TEST_CASE("the damage claims of spec/manifest.md's example hold", "[manifest][spec]") {
  const std::string bytes = build_manifest_small();
  REQUIRE(bytes.size() == kSize);
  Example ex;
  // Cut inside record 2: the snapshot's state.
  for (std::size_t cut = kRecord2 + 1; cut < kSize; ++cut) {
    INFO("cut at " << cut);
    auto state = ex.replay_bytes(std::string_view(bytes).substr(0, cut));
    REQUIRE(state.is_ok());
    CHECK(state->tables.empty());
    CHECK(state->next_file_number == 3);
    CHECK(state->wal_number == 1);
  }
  // Cut before the snapshot is whole: no snapshot record.
  for (std::size_t cut = 0; cut < kRecord2; ++cut) {
    INFO("cut at " << cut);
    const std::uint64_t at = cut < kRecord1 ? 0 : kRecord1;
    CHECK(ex.replay_bytes(std::string_view(bytes).substr(0, cut)).status() ==
          Status::corruption("/db/MANIFEST", at, "manifest holds no snapshot record"));
  }
  // Every single-bit flip of every byte.
  for (std::size_t pos = 0; pos < kSize; ++pos) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = bytes;
      bad[pos] = static_cast<char>(bad[pos] ^ (1 << bit));
      auto state = ex.replay_bytes(bad);
      INFO("byte " << pos << " bit " << bit << ": " << state.status().to_string());
      if (pos < 8) {
        CHECK(state.status() ==
              Status::corruption("/db/MANIFEST", 0, "bad magic: not a sanddb manifest file"));
      } else if (pos < 16) {
        CHECK(state.status() ==
              Status::corruption("/db/MANIFEST", 12, "file header checksum mismatch"));
      } else if (pos < kRecord1) {
        CHECK(state.status() ==
              Status::corruption("/db/MANIFEST", 24, "file header checksum mismatch"));
      } else if (pos < kRecord1 + 12) {
        CHECK(state.status() ==
              Status::corruption("/db/MANIFEST", 28, "record header checksum mismatch"));
      } else if (pos < kRecord2) {
        CHECK(state.status() ==
              Status::corruption("/db/MANIFEST", 28, "record payload checksum mismatch"));
      } else {
        REQUIRE(state.is_ok());
        CHECK(state->tables.empty());
        CHECK(state->next_file_number == 3);
      }
    }
  }
}
