// Checks that spec/wal.md's worked example (spec/testdata/wal_small.hex) is
// exactly what the code writes for the inputs the spec states.
#include <catch2/catch.hpp>
#include <string>

#include "sand/file_system.hpp"
#include "sand/write_batch.hpp"
#include "wal/log_test_support.hpp"
#include "wal/record_reader.hpp"
#include "wal/wal_file.hpp"
#include "wal/write_batch_codec.hpp"

using namespace sand;

namespace {

// The inputs listed in spec/wal.md "Worked example".
std::string build_wal_small() {
  auto fs = memory_file_system();
  REQUIRE(fs->create_dir("/db").is_ok());
  auto wal = wal::create_wal(*fs, "/db/000001.wal");
  REQUIRE(wal.is_ok());
  WriteBatch first;
  first.put("k1", "v1");
  std::string rep = WriteBatchAccess::rep(first);
  WriteBatchAccess::set_version(&rep, 1);
  REQUIRE((*wal)->add_record(rep).is_ok());
  WriteBatch second;
  second.del("k1");
  second.put("k2", "v2");
  rep = WriteBatchAccess::rep(second);
  WriteBatchAccess::set_version(&rep, 2);
  REQUIRE((*wal)->add_record(rep).is_ok());
  REQUIRE((*wal)->close().is_ok());
  auto file = fs->open_readable_file("/db/000001.wal");
  REQUIRE(file.is_ok());
  return std::string((*file)->contents());
}

}  // namespace

TEST_CASE("spec/testdata/wal_small.hex matches the bytes the code writes", "[wal][spec]") {
  const std::string bytes = build_wal_small();
  const std::string hex = test::to_hex_lines(bytes);
  INFO("generated:\n" << hex);
  CHECK(test::read_text_file(SAND_SOURCE_DIR "/spec/testdata/wal_small.hex") == hex);
  // And the example replays to the two batches of the spec.
  auto read = wal::read_log(bytes, "000001.wal", wal::LogKind::kWal, false);
  REQUIRE(read.is_ok());
  REQUIRE(read->records.size() == 2);
  CHECK(read->records[1].offset == 43);
}

TEST_CASE("the damage claims of spec/wal.md's example hold", "[wal][spec]") {
  const std::string bytes = build_wal_small();
  REQUIRE(bytes.size() == 74);
  for (std::size_t cut = 44; cut <= 73; ++cut) {
    auto r = wal::read_log(std::string_view(bytes).substr(0, cut), "w", wal::LogKind::kWal, false);
    REQUIRE(r.is_ok());
    CHECK(r->records.size() == 1);
    CHECK(r->torn_tail);
    CHECK(r->valid_end == 43);
  }
  for (std::size_t pos = 16; pos < 74; ++pos) {
    const bool length_byte = (pos >= 20 && pos < 24) || (pos >= 47 && pos < 51);
    if (length_byte) continue;
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = bytes;
      bad[pos] = static_cast<char>(bad[pos] ^ (1 << bit));
      auto r = wal::read_log(bad, "w", wal::LogKind::kWal, false);
      INFO("byte " << pos << " bit " << bit);
      if (pos < 43) {
        CHECK(r.status() == Status::corruption("w", 16, "record checksum mismatch"));
      } else {
        REQUIRE(r.is_ok());
        CHECK(r->torn_tail);
        CHECK(r->valid_end == 43);
      }
    }
  }
}
