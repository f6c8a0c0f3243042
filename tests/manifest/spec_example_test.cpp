// Checks that spec/manifest.md's worked example
// (spec/testdata/manifest_small.hex) is exactly what the code writes for the
// inputs the spec states.
#include <catch2/catch.hpp>
#include <string>

#include "manifest/manifest_log.hpp"
#include "sand/file_system.hpp"
#include "wal/log_test_support.hpp"

using namespace sand;
using namespace sand::manifest;

namespace {

// The inputs listed in spec/manifest.md "Worked example".
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
  Edit flush;
  flush.next_file_number = 4;
  flush.last_version = 2;
  flush.wal_number = 3;
  flush.added.push_back(TableMeta{.number = 2,
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

}  // namespace

TEST_CASE("spec/testdata/manifest_small.hex matches the bytes the code writes",
          "[manifest][spec]") {
  const std::string bytes = build_manifest_small();
  const std::string hex = test::to_hex_lines(bytes);
  INFO("generated:\n" << hex);
  CHECK(test::read_text_file(SAND_SOURCE_DIR "/spec/testdata/manifest_small.hex") == hex);
}

TEST_CASE("the manifest example replays to the state the spec describes", "[manifest][spec]") {
  auto fs = memory_file_system();
  REQUIRE(fs->create_dir("/db").is_ok());
  {
    auto f = fs->new_writable_file("/db/MANIFEST");
    REQUIRE((*f)->append(build_manifest_small()).is_ok());
  }
  auto state = replay(*fs, "/db");
  REQUIRE(state.is_ok());
  CHECK(state->next_file_number == 4);
  CHECK(state->last_version == 2);
  CHECK(state->wal_number == 3);
  CHECK(state->low_water_mark == 0);
  REQUIRE(state->tables.size() == 1);
  CHECK(state->tables.at(2).file_size == 1234);
}

TEST_CASE("the damage claims of spec/manifest.md's example hold", "[manifest][spec]") {
  const std::string bytes = build_manifest_small();
  REQUIRE(bytes.size() == 62);
  auto fs = memory_file_system();
  REQUIRE(fs->create_dir("/db").is_ok());
  auto put = [&](std::string_view b) {
    auto f = fs->new_writable_file("/db/MANIFEST");
    REQUIRE((*f)->append(b).is_ok());
  };
  for (std::size_t cut = 34; cut <= 61; ++cut) {
    put(std::string_view(bytes).substr(0, cut));
    auto state = replay(*fs, "/db");
    REQUIRE(state.is_ok());
    CHECK(state->tables.empty());
    CHECK(state->next_file_number == 2);
  }
  for (std::size_t pos = 16; pos <= 32; ++pos) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = bytes;
      bad[pos] = static_cast<char>(bad[pos] ^ (1 << bit));
      put(bad);
      const Status s = replay(*fs, "/db").status();
      INFO("byte " << pos << " bit " << bit << ": " << s.to_string());
      CHECK(s.code() == Code::kCorruption);
      CHECK(s.message().starts_with("/db/MANIFEST: offset 16: "));
    }
  }
}
