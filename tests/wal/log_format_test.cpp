// Tests for src/wal/log_format (log format version 2, and WAL version 3 for
// compressed puts) and the file-header checks of RecordReader::open: the
// exact header and record-header bytes, and how a reader classifies an empty,
// cut-short, damaged, foreign or version-1 header (spec/wal.md sections 1 and
// 3.1).
#include "wal/log_format.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "util/coding.hpp"
#include "util/crc32c.hpp"
#include "wal/log_test_support.hpp"
#include "wal/record_reader.hpp"

using namespace sand;
using namespace sand::wal;
using sand::test::kTestLogId;
using sand::test::make_log;

namespace {

std::uint32_t masked(std::string_view bytes) { return crc32c::mask(crc32c::value(bytes)); }

Status open_status(std::string_view bytes, LogKind kind = LogKind::kWal) {
  return RecordReader::open(bytes, kind == LogKind::kWal ? "f.wal" : "MANIFEST", kind, false)
      .status();
}

// Asserts `bytes` opens as a torn header: no records, valid_end 0.
void check_torn_header(std::string_view bytes) {
  auto r = read_log(bytes, "f.wal", LogKind::kWal, false);
  INFO(r.status().to_string());
  REQUIRE(r.is_ok());
  CHECK(r->records.empty());
  CHECK(r->torn_tail);
  CHECK(r->valid_end == 0);
}

}  // namespace

TEST_CASE("file header is magic, version 2, crc, log id, crc", "[wal][format]") {
  const std::uint64_t id = 0x0102030405060708;
  const std::string h = log_file_header(LogKind::kWal, id);
  REQUIRE(h.size() == kFileHeaderSize);
  REQUIRE(kFileHeaderSize == 28);
  CHECK(h.substr(0, 8) == std::string_view("SANDWAL\0", 8));
  CHECK(util::decode_fixed32(h.data() + 8) == 2);
  CHECK(util::decode_fixed32(h.data() + 12) == masked(h.substr(0, 12)));
  CHECK(util::decode_fixed64(h.data() + 16) == id);
  CHECK(h.substr(16, 8) == std::string("\x08\x07\x06\x05\x04\x03\x02\x01", 8));
  CHECK(util::decode_fixed32(h.data() + 24) == masked(h.substr(16, 8)));
  CHECK(h.substr(0, kHeaderPrefixSize) == log_header_prefix(LogKind::kWal));
  const std::string m = log_file_header(LogKind::kManifest, id);
  CHECK(m.substr(0, 8) == std::string_view("SANDMAN\0", 8));
  CHECK(m.substr(0, kHeaderPrefixSize) == log_header_prefix(LogKind::kManifest));
  CHECK(m.substr(16) == h.substr(16));
}

TEST_CASE("the 16-byte header prefix is a constant per kind", "[wal][format]") {
  // Written out so that an accidental change to the magic, the version or the
  // mask shows up here (the values for spec/wal.md section 1.1).
  const std::string wal = log_header_prefix(LogKind::kWal);
  const std::string manifest = log_header_prefix(LogKind::kManifest);
  const std::string value_log = log_header_prefix(LogKind::kValueLog);
  CHECK(test::to_hex_lines(wal).substr(0, 35) == "53 41 4e 44 57 41 4c 00 02 00 00 00");
  CHECK(test::to_hex_lines(manifest).substr(0, 35) == "53 41 4e 44 4d 41 4e 00 04 00 00 00");
  CHECK(test::to_hex_lines(value_log).substr(0, 35) == "53 41 4e 44 56 41 4c 00 01 00 00 00");
  CHECK(util::decode_fixed32(wal.data() + 12) == masked(wal.substr(0, 12)));
  CHECK(util::decode_fixed32(manifest.data() + 12) == masked(manifest.substr(0, 12)));
  CHECK(util::decode_fixed32(value_log.data() + 12) == masked(value_log.substr(0, 12)));
  // spec/wal.md section 1.1 quotes the checksums.
  INFO(test::to_hex_lines(manifest) << " / " << test::to_hex_lines(value_log));
  CHECK(log_file_header(LogKind::kWal, 1) != log_file_header(LogKind::kWal, 2));
}

TEST_CASE("record header is header crc, length, payload crc", "[wal][format]") {
  const std::string bytes = make_log(LogKind::kWal, {"xyz"}, nullptr, 77);
  REQUIRE(bytes.size() == kFileHeaderSize + kRecordHeaderSize + 3);
  const char* rec = bytes.data() + kFileHeaderSize;
  CHECK(util::decode_fixed32(rec + 4) == 3);
  CHECK(util::decode_fixed32(rec + 8) == masked("xyz"));
  std::string covered;
  util::put_fixed64(&covered, 77);
  covered.append(rec + 4, 8);
  CHECK(util::decode_fixed32(rec) == masked(covered));
  CHECK(bytes.substr(kFileHeaderSize + kRecordHeaderSize) == "xyz");

  char header[kRecordHeaderSize];
  encode_record_header(header, 77, "xyz");
  CHECK(std::string_view(header, kRecordHeaderSize) == std::string_view(rec, kRecordHeaderSize));
  CHECK(record_header_ok(header, 77));
  CHECK_FALSE(record_header_ok(header, 78));
  CHECK(record_length(header) == 3);
  CHECK(record_payload_ok(header, "xyz"));
  CHECK_FALSE(record_payload_ok(header, "xyZ"));
}

TEST_CASE("a header with a length over 1 GiB never verifies", "[wal][format]") {
  // Even with a header crc computed over it, as a buggy writer would store.
  char header[kRecordHeaderSize];
  encode_record_header(header, 1, "");
  util::encode_fixed32(header + 4, kMaxRecordPayload + 1);
  std::string covered;
  util::put_fixed64(&covered, 1);
  covered.append(header + 4, 8);
  util::encode_fixed32(header, masked(covered));
  CHECK_FALSE(record_header_ok(header, 1));
  util::encode_fixed32(header + 4, kMaxRecordPayload);
  covered.replace(8, 4, std::string(header + 4, 4));
  util::encode_fixed32(header, masked(covered));
  CHECK(record_header_ok(header, 1));
}

TEST_CASE("any damaged header byte changes the header check", "[wal][format]") {
  char header[kRecordHeaderSize];
  encode_record_header(header, kTestLogId, "payload");
  for (std::size_t pos = 0; pos < kRecordHeaderSize; ++pos) {
    for (int bit = 0; bit < 8; ++bit) {
      char bad[kRecordHeaderSize];
      std::copy(header, header + kRecordHeaderSize, bad);
      bad[pos] = static_cast<char>(bad[pos] ^ (1 << bit));
      INFO("byte " << pos << " bit " << bit);
      CHECK_FALSE(record_header_ok(bad, kTestLogId));
    }
  }
}

TEST_CASE("bad magic is Corruption at offset 0", "[wal][format]") {
  std::string bytes = make_log(LogKind::kWal, {"a", "b"});
  bytes[3] = 'X';
  CHECK(open_status(bytes) == Status::corruption("f.wal", 0, "bad magic: not a sanddb WAL file"));
  // A manifest is not a WAL, and the other way round.
  CHECK(open_status(make_log(LogKind::kManifest, {"m"})) ==
        Status::corruption("f.wal", 0, "bad magic: not a sanddb WAL file"));
  CHECK(open_status(make_log(LogKind::kWal, {}), LogKind::kManifest) ==
        Status::corruption("MANIFEST", 0, "bad magic: not a sanddb manifest file"));
  // Garbage shorter than the magic, and longer than a header.
  CHECK(open_status("abc") == Status::corruption("f.wal", 0, "bad magic: not a sanddb WAL file"));
  CHECK(open_status(std::string(100, 'x')) ==
        Status::corruption("f.wal", 0, "bad magic: not a sanddb WAL file"));
}

TEST_CASE("a version-1 file is Corruption: unsupported format version 1", "[wal][format]") {
  // Built by hand from the version-1 spec: the 16-byte header, then records
  // of uint32 crc, uint32 length, payload.
  const std::string v1 = test::v1_file_header(LogKind::kWal);
  REQUIRE(test::to_hex_lines(v1) == "53 41 4e 44 57 41 4c 00 01 00 00 00 d6 8f 29 70\n");
  const Status expected = Status::corruption("f.wal", 8, "unsupported WAL format version 1");
  CHECK(open_status(v1) == expected);
  CHECK(open_status(v1 + test::v1_record("batch one") + test::v1_record("batch two")) == expected);
  // Cut inside what would be a version-2 header: still told apart from a
  // torn version-2 header, since byte 8 differs.
  CHECK(open_status(v1 + "\x01\x02\x03\x04") == expected);

  const std::string m1 = test::v1_file_header(LogKind::kManifest);
  REQUIRE(test::to_hex_lines(m1) == "53 41 4e 44 4d 41 4e 00 01 00 00 00 64 a6 e4 04\n");
  CHECK(open_status(m1 + test::v1_record("edit"), LogKind::kManifest) ==
        Status::corruption("MANIFEST", 8, "unsupported manifest format version 1"));
}

TEST_CASE("any other format version is Corruption naming it", "[wal][format]") {
  // 2 and 3 (compressed puts) are the WAL versions; 1 has its own test.
  for (std::uint32_t version : {0u, 4u, 5u, 7u, 0x103u, 0xffffffffu}) {
    INFO("version " << version);
    std::string header(kWalMagic);
    util::put_fixed32(&header, version);
    util::put_fixed32(&header, masked(header));
    header += log_file_header(LogKind::kWal, 1).substr(kHeaderPrefixSize);
    CHECK(open_status(header) ==
          Status::corruption("f.wal", 8,
                             "unsupported WAL format version " + std::to_string(version)));
  }
}

TEST_CASE("a damaged header prefix crc or version is Corruption at offset 12", "[wal][format]") {
  for (std::size_t pos = 8; pos < 16; ++pos) {
    std::string bytes = make_log(LogKind::kWal, {"a"});
    bytes[pos] ^= 0x02;
    INFO("flipped header byte " << pos);
    CHECK(open_status(bytes) == Status::corruption("f.wal", 12, "file header checksum mismatch"));
  }
}

TEST_CASE("a damaged log id or its crc is Corruption at offset 24", "[wal][format]") {
  for (std::size_t pos = 16; pos < kFileHeaderSize; ++pos) {
    std::string bytes = make_log(LogKind::kWal, {"a"});
    bytes[pos] ^= 0x10;
    INFO("flipped header byte " << pos);
    CHECK(open_status(bytes) == Status::corruption("f.wal", 24, "file header checksum mismatch"));
  }
}

TEST_CASE("a header cut at every length 0..27 is a torn tail at 0", "[wal][format]") {
  const std::string header = log_file_header(LogKind::kWal, kTestLogId);
  for (std::size_t n = 0; n < kFileHeaderSize; ++n) {
    INFO(n << " header bytes");
    check_torn_header(header.substr(0, n));
  }
}

TEST_CASE("a header cut short and damaged is torn or Corruption by where", "[wal][format]") {
  // Only the first min(size, 16) bytes decide: a cut-short header whose log id
  // bytes are wrong is still torn (the id is written by the same append).
  const std::string header = log_file_header(LogKind::kWal, kTestLogId);
  for (std::size_t n = 1; n < kFileHeaderSize; ++n) {
    for (std::size_t pos = 0; pos < n; ++pos) {
      std::string bytes = header.substr(0, n);
      bytes[pos] = static_cast<char>(bytes[pos] ^ 0x01);
      INFO(n << " bytes, byte " << pos << " flipped");
      if (pos < 8) {
        CHECK(open_status(bytes) ==
              Status::corruption("f.wal", 0, "bad magic: not a sanddb WAL file"));
      } else if (pos == kHeaderVersionOffset && n <= kHeaderCrcOffset) {
        // Version 2 flipped to 3, cut before the prefix checksum: the start
        // of a version-3 header, which a writer that compresses values
        // creates, so a torn tail too.
        check_torn_header(bytes);
      } else if (n < kHeaderPrefixSize) {
        CHECK(open_status(bytes) ==
              Status::corruption("f.wal", 8,
                                 "truncated file header of " + std::to_string(n) + " bytes"));
      } else if (pos < kHeaderPrefixSize) {
        CHECK(open_status(bytes) ==
              Status::corruption("f.wal", 12, "file header checksum mismatch"));
      } else {
        check_torn_header(bytes);
      }
    }
  }
}

TEST_CASE("a file of only zero bytes is a torn tail at 0", "[wal][format]") {
  for (std::size_t n : {1, 8, 16, 27, 28, 29, 100, 4096}) {
    INFO(n << " zero bytes");
    check_torn_header(std::string(n, '\0'));
  }
}

TEST_CASE("a short header with wrong bytes after the magic is Corruption", "[wal][format]") {
  std::string bytes = log_file_header(LogKind::kWal, kTestLogId).substr(0, 10);
  bytes[9] = 5;
  CHECK(open_status(bytes) == Status::corruption("f.wal", 8, "truncated file header of 10 bytes"));
}

TEST_CASE("written_size drops only trailing zero bytes", "[wal][prealloc]") {
  CHECK(written_size("") == 0);
  CHECK(written_size(std::string(10, '\0')) == 0);
  CHECK(written_size("ab") == 2);
  CHECK(written_size(std::string("a\0b\0\0", 5)) == 3);
}

TEST_CASE("a WAL header of version 3 has the version-2 layout with byte 8 = 3", "[wal][format]") {
  static_assert(kWalCompressedFormatVersion == 3);
  const std::uint64_t id = 0x0102030405060708;
  const std::string v3 = log_file_header(LogKind::kWal, kWalCompressedFormatVersion, id);
  const std::string v2 = log_file_header(LogKind::kWal, id);
  REQUIRE(v3.size() == kFileHeaderSize);
  CHECK(v2 == log_file_header(LogKind::kWal, kLogFormatVersion, id));
  CHECK(v3.substr(0, 8) == v2.substr(0, 8));
  CHECK(v3.substr(8, 4) == std::string("\x03\x00\x00\x00", 4));
  CHECK(util::decode_fixed32(v3.data() + 12) == masked(v3.substr(0, 12)));
  CHECK(v3.substr(0, kHeaderPrefixSize) == log_header_prefix(LogKind::kWal, 3));
  CHECK(v3.substr(16) == v2.substr(16));  // log id and its crc
  // The writer's default for a WAL stays version 2.
  CHECK(log_format_version(LogKind::kWal) == 2);
  CHECK(log_header_prefix(LogKind::kWal) == log_header_prefix(LogKind::kWal, 2));
}

TEST_CASE("log_version_readable accepts WAL versions 2 and 3 only", "[wal][format]") {
  for (std::uint32_t v = 0; v < 10; ++v) {
    INFO("version " << v);
    CHECK(log_version_readable(LogKind::kWal, v) == (v == 2 || v == 3));
    CHECK(log_version_readable(LogKind::kManifest, v) == (v >= 2 && v <= 4));
    CHECK(log_version_readable(LogKind::kValueLog, v) == (v == 1));
  }
  CHECK_FALSE(log_version_readable(LogKind::kWal, 0xffffffffu));
  CHECK_FALSE(log_version_readable(LogKind::kWal, 0x103u));
}

TEST_CASE("a version-3 WAL opens and reads its records", "[wal][format]") {
  test::FileProbe probe;
  auto writer = RecordWriter::create(std::make_unique<test::ProbeFile>(&probe), LogKind::kWal,
                                     kWalCompressedFormatVersion, kTestLogId);
  REQUIRE(writer.is_ok());
  REQUIRE((*writer)->add_record("one").is_ok());
  REQUIRE((*writer)->add_record("two").is_ok());
  CHECK(probe.bytes.substr(0, kFileHeaderSize) ==
        log_file_header(LogKind::kWal, kWalCompressedFormatVersion, kTestLogId));
  auto reader = RecordReader::open(probe.bytes, "f.wal", LogKind::kWal, false);
  REQUIRE(reader.is_ok());
  CHECK(reader->format_version() == 3);
  CHECK(reader->log_id() == kTestLogId);
  auto r = read_log(probe.bytes, "f.wal", LogKind::kWal, false);
  REQUIRE(r.is_ok());
  REQUIRE(r->records.size() == 2);
  CHECK(r->records[0].payload == "one");
  CHECK(r->records[1].payload == "two");
  CHECK_FALSE(r->torn_tail);
  CHECK(r->valid_end == probe.bytes.size());
  // A version-2 WAL reports 2.
  const std::string v2 = make_log(LogKind::kWal, {"x"});
  auto reader2 = RecordReader::open(v2, "f.wal", LogKind::kWal, false);
  REQUIRE(reader2.is_ok());
  CHECK(reader2->format_version() == 2);
}

TEST_CASE("a WAL header of version 4 is rejected and 3 only for a WAL", "[wal][format]") {
  const std::string v4 = log_file_header(LogKind::kWal, 4, kTestLogId);
  CHECK(open_status(v4) == Status::corruption("f.wal", 8, "unsupported WAL format version 4"));
  CHECK(open_status(v4 + test::framed_record(kTestLogId, "x")) ==
        Status::corruption("f.wal", 8, "unsupported WAL format version 4"));
  CHECK(open_status(log_file_header(LogKind::kWal, 3, kTestLogId)).is_ok());
  // A value log of version 3 is still rejected (its only version is 1).
  CHECK(RecordReader::open(log_file_header(LogKind::kValueLog, 3, kTestLogId), "000009.val",
                           LogKind::kValueLog, false)
            .status() ==
        Status::corruption("000009.val", 8, "unsupported value log format version 3"));
}

TEST_CASE("a version-3 WAL header with a damaged byte is Corruption by where", "[wal][format]") {
  const std::string good = log_file_header(LogKind::kWal, 3, kTestLogId);
  for (std::size_t pos = 0; pos < kFileHeaderSize; ++pos) {
    std::string bytes = good;
    bytes[pos] = static_cast<char>(bytes[pos] ^ 0x08);
    INFO("flipped header byte " << pos);
    const Status s = open_status(bytes);
    if (pos < 8) {
      CHECK(s == Status::corruption("f.wal", 0, "bad magic: not a sanddb WAL file"));
    } else if (pos < kHeaderPrefixSize) {
      CHECK(s == Status::corruption("f.wal", 12, "file header checksum mismatch"));
    } else {
      CHECK(s == Status::corruption("f.wal", 24, "file header checksum mismatch"));
    }
  }
}

// Rule H1 for the version-3 prefix a writer that compresses values creates
// (create_wal(..., true)): a crash while that header is being written leaves
// a torn tail, as for the version-2 one (a helper's test found open()
// reporting Corruption here before H1 knew both prefixes).
TEST_CASE("a version-3 WAL header cut at every length 9..27 is a torn tail", "[wal][format]") {
  const std::string header = log_file_header(LogKind::kWal, 3, kTestLogId);
  for (std::size_t n = 9; n < kFileHeaderSize; ++n) {
    INFO(n << " header bytes");
    check_torn_header(header.substr(0, n));
    // Followed by the zeros of a preallocated file.
    check_torn_header(header.substr(0, n) + std::string(100, '\0'));
  }
}
