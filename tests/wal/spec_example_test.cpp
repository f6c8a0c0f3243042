// Checks that spec/wal.md's worked example (spec/testdata/wal_small.hex) is
// exactly what the code writes for the inputs the spec states, and that the
// example's damage claims hold. After a deliberate format change, rewrite the
// .hex file with SAND_UPDATE_TESTDATA=1 wal_tests "[spec]" (then update the
// dump and table in spec/wal.md by hand).
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

constexpr const char* kHexPath = SAND_SOURCE_DIR "/spec/testdata/wal_small.hex";

// The example's layout: 28-byte file header, record 1 (12 + 19 bytes) at 28,
// record 2 (12 + 23 bytes) at 59, 94 bytes in all.
constexpr std::size_t kRecord1 = 28;
constexpr std::size_t kRecord2 = 59;
constexpr std::size_t kSize = 94;

// The inputs listed in spec/wal.md "Worked example": WAL number 1, two
// batches, each appended as one record.
std::string build_wal_small() {
  auto fs = memory_file_system();
  REQUIRE(fs->create_dir("/db").is_ok());
  auto wal = wal::create_wal(*fs, "/db/000001.wal", 1);
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

Result<wal::ReplayStats> replay_count(std::string_view bytes, std::uint64_t number, int* calls) {
  return wal::replay(bytes, "000001.wal", number, false, [&](std::string_view, std::uint64_t) {
    ++*calls;
    return Status::ok();
  });
}

}  // namespace

TEST_CASE("spec/testdata/wal_small.hex matches the bytes the code writes", "[wal][spec]") {
  const std::string bytes = build_wal_small();
  const std::string hex = test::to_hex_lines(bytes);
  if (test::update_testdata()) REQUIRE(test::write_text_file(kHexPath, hex));
  INFO("generated:\n" << hex);
  CHECK(test::read_text_file(kHexPath) == hex);
}

TEST_CASE("the WAL example has the layout spec/wal.md describes", "[wal][spec]") {
  const std::string bytes = build_wal_small();
  REQUIRE(bytes.size() == kSize);
  CHECK(bytes.substr(0, wal::kFileHeaderSize) == wal::log_file_header(wal::LogKind::kWal, 1));
  auto read = wal::read_log(bytes, "000001.wal", wal::LogKind::kWal, false);
  REQUIRE(read.is_ok());
  REQUIRE(read->records.size() == 2);
  CHECK(read->records[0].offset == kRecord1);
  CHECK(read->records[0].payload.size() == 19);
  CHECK(read->records[1].offset == kRecord2);
  CHECK(read->records[1].payload.size() == 23);
  CHECK(read->valid_end == kSize);
  CHECK_FALSE(read->torn_tail);
  // It replays as WAL 1 and only as WAL 1.
  int calls = 0;
  auto stats = replay_count(bytes, 1, &calls);
  REQUIRE(stats.is_ok());
  CHECK(calls == 2);
  CHECK(replay_count(bytes, 2, &calls).status() ==
        Status::corruption("000001.wal", 16, "WAL header names log 1, not 2 as its file name"));
}

TEST_CASE("the damage claims of spec/wal.md's example hold", "[wal][spec]") {
  const std::string bytes = build_wal_small();
  REQUIRE(bytes.size() == kSize);
  // Cutting inside record 2: torn at 59, one record.
  for (std::size_t cut = kRecord2 + 1; cut < kSize; ++cut) {
    auto r = wal::read_log(std::string_view(bytes).substr(0, cut), "w", wal::LogKind::kWal, false);
    REQUIRE(r.is_ok());
    CHECK(r->records.size() == 1);
    CHECK(r->torn_tail);
    CHECK(r->valid_end == kRecord2);
  }
  // Cutting inside the header: torn at 0, no records.
  for (std::size_t cut = 0; cut < kRecord1; ++cut) {
    auto r = wal::read_log(std::string_view(bytes).substr(0, cut), "w", wal::LogKind::kWal, false);
    REQUIRE(r.is_ok());
    CHECK(r->records.empty());
    CHECK(r->torn_tail);
    CHECK(r->valid_end == 0);
  }
  // Every single-bit flip of every byte.
  for (std::size_t pos = 0; pos < kSize; ++pos) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = bytes;
      bad[pos] = static_cast<char>(bad[pos] ^ (1 << bit));
      auto r = wal::read_log(bad, "w", wal::LogKind::kWal, false);
      INFO("byte " << pos << " bit " << bit << ": " << r.status().to_string());
      if (pos < 8) {
        CHECK(r.status() == Status::corruption("w", 0, "bad magic: not a sanddb WAL file"));
      } else if (pos < 16) {
        CHECK(r.status() == Status::corruption("w", 12, "file header checksum mismatch"));
      } else if (pos < kRecord1) {
        CHECK(r.status() == Status::corruption("w", 24, "file header checksum mismatch"));
      } else if (pos < kRecord1 + 12) {
        CHECK(r.status() == Status::corruption("w", 28, "record header checksum mismatch"));
      } else if (pos < kRecord2) {
        CHECK(r.status() == Status::corruption("w", 28, "record payload checksum mismatch"));
      } else {
        REQUIRE(r.is_ok());
        CHECK(r->records.size() == 1);
        CHECK(r->torn_tail);
        CHECK(r->valid_end == kRecord2);
      }
    }
  }
}

TEST_CASE("the example cut anywhere and zero-filled reads as the cut alone", "[wal][spec]") {
  // spec/wal.md "Preallocation" and H1: a crashed preallocating writer
  // leaves what it wrote, then zeros; the zeros never change the records
  // read or where the log validly ends.
  const std::string bytes = build_wal_small();
  REQUIRE(bytes.size() == kSize);
  for (std::size_t cut = 0; cut <= kSize; ++cut) {
    const std::string_view kept = std::string_view(bytes).substr(0, cut);
    auto plain = wal::read_log(kept, "w", wal::LogKind::kWal, false);
    REQUIRE(plain.is_ok());
    for (const std::size_t zeros : {std::size_t{1}, std::size_t{13}, std::size_t{4096}}) {
      INFO("cut " << cut << ", zeros " << zeros);
      auto padded =
          wal::read_log(std::string(kept) + std::string(zeros, '\0'), "w", wal::LogKind::kWal, false);
      REQUIRE(padded.is_ok());
      CHECK(padded->records.size() == plain->records.size());
      CHECK(padded->valid_end == plain->valid_end);
      CHECK(padded->torn_tail);
    }
  }
}
