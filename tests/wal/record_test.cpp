// Tests for src/wal/record_writer and record_reader (log format version 2):
// framing round trips, the writer's one-append and sticky-error rules, and
// every record rule R1-R4 of spec/wal.md section 3, including records that
// belong to another log id. File-header rules are in log_format_test.cpp.
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <array>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "util/coding.hpp"
#include "wal/log_format.hpp"
#include "wal/log_test_support.hpp"
#include "wal/record_reader.hpp"
#include "wal/record_writer.hpp"

using namespace sand;
using namespace sand::wal;
using sand::test::FileProbe;
using sand::test::framed_record;
using sand::test::kTestLogId;
using sand::test::make_log;
using sand::test::ProbeFile;

namespace {

std::vector<std::string> payloads_of(const LogContents& c) {
  std::vector<std::string> out;
  for (const LogRecord& r : c.records) out.emplace_back(r.payload);
  return out;
}

LogContents read_ok(std::string_view bytes, bool point_in_time = false) {
  auto r = read_log(bytes, "f.wal", LogKind::kWal, point_in_time);
  INFO(r.status().to_string());
  REQUIRE(r.is_ok());
  return std::move(r).value();
}

Status read_error(std::string_view bytes) {
  auto r = read_log(bytes, "f.wal", LogKind::kWal, false);
  REQUIRE_FALSE(r.is_ok());
  return r.status();
}

std::vector<std::string> first(std::size_t n, const std::vector<std::string>& v) {
  return {v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n)};
}

const std::vector<std::string> kThree = {"first record", "second", "the third and last"};
// Another log's id: its records must never verify in a kTestLogId log.
constexpr std::uint64_t kOtherLogId = 9;

}  // namespace

TEST_CASE("record round trip incl. empty payloads", "[wal][record]") {
  const std::vector<std::string> payloads = {"", "a", std::string(1000, 'b'), "", "end"};
  std::vector<std::uint64_t> offsets;
  const std::string bytes = make_log(LogKind::kWal, payloads, &offsets);
  const LogContents c = read_ok(bytes);
  CHECK(payloads_of(c) == payloads);
  for (std::size_t i = 0; i < offsets.size(); ++i) CHECK(c.records[i].offset == offsets[i]);
  CHECK(offsets[0] == kFileHeaderSize);
  CHECK(c.valid_end == bytes.size());
  CHECK_FALSE(c.torn_tail);
  CHECK(c.tail_error.is_ok());
}

TEST_CASE("the reader learns the log id from the file header", "[wal][record]") {
  for (std::uint64_t id :
       {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{123456789}, ~std::uint64_t{0}}) {
    INFO("log id " << id);
    const std::string bytes = make_log(LogKind::kManifest, {"m"}, nullptr, id);
    auto reader = RecordReader::open(bytes, "MANIFEST", LogKind::kManifest, false);
    REQUIRE(reader.is_ok());
    CHECK(reader->log_id() == id);
    auto r = reader->next();
    REQUIRE(r.is_ok());
    REQUIRE(r->has_value());
    CHECK((*r)->payload == "m");
  }
}

TEST_CASE("an empty log has no records and a clean end", "[wal][record]") {
  const std::string bytes = make_log(LogKind::kWal, {});
  CHECK(bytes == log_file_header(LogKind::kWal, kTestLogId));
  const LogContents c = read_ok(bytes);
  CHECK(c.records.empty());
  CHECK(c.valid_end == kFileHeaderSize);
  CHECK_FALSE(c.torn_tail);
}

TEST_CASE("large payloads round trip", "[wal][record]") {
  std::string big(5 << 20, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 + (i >> 9));
  const std::string bytes = make_log(LogKind::kWal, {"small", big, "after"});
  const LogContents c = read_ok(bytes);
  REQUIRE(c.records.size() == 3);
  CHECK(c.records[1].payload == big);
  CHECK(c.records[2].payload == "after");
}

TEST_CASE("a payload over 1 GiB is refused before anything is written", "[wal][record]") {
  FileProbe probe;
  auto w = RecordWriter::create(std::make_unique<ProbeFile>(&probe), LogKind::kWal, kTestLogId);
  REQUIRE(w.is_ok());
  // Allocated but never touched, so this costs address space, not memory.
  const std::size_t n = std::size_t{kMaxRecordPayload} + 1;
  auto huge = std::make_unique_for_overwrite<char[]>(n);
  const Status s = (*w)->add_record(std::string_view(huge.get(), n));
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(probe.bytes.size() == kFileHeaderSize);
  // A refused payload is not an I/O failure: the writer stays usable.
  CHECK((*w)->add_record("ok").is_ok());
  const std::array<std::string_view, 2> group = {"fine", std::string_view(huge.get(), n)};
  CHECK((*w)->add_records(group).code() == Code::kInvalidArgument);
  CHECK(read_ok(probe.bytes).records.size() == 1);
}

TEST_CASE("each add_record and add_records is one append", "[wal][record]") {
  FileProbe probe;
  auto w = RecordWriter::create(std::make_unique<ProbeFile>(&probe), LogKind::kWal, kTestLogId);
  REQUIRE(w.is_ok());
  CHECK(probe.appends == 1);  // the header
  CHECK(probe.bytes == log_file_header(LogKind::kWal, kTestLogId));
  REQUIRE((*w)->add_record("one").is_ok());
  CHECK(probe.appends == 2);
  const std::array<std::string_view, 3> group = {"two", "", "four"};
  REQUIRE((*w)->add_records(group).is_ok());
  CHECK(probe.appends == 3);
  REQUIRE((*w)->add_records({}).is_ok());
  CHECK(probe.appends == 3);
  CHECK((*w)->size() == probe.bytes.size());
  REQUIRE((*w)->sync().is_ok());
  CHECK(probe.syncs == 1);
  REQUIRE((*w)->close().is_ok());
  CHECK(probe.closed);
  CHECK(payloads_of(read_ok(probe.bytes)) == std::vector<std::string>{"one", "two", "", "four"});
}

TEST_CASE("a group append is the records framed one after another", "[wal][record]") {
  FileProbe probe;
  auto w = RecordWriter::create(std::make_unique<ProbeFile>(&probe), LogKind::kWal, kTestLogId);
  REQUIRE(w.is_ok());
  const std::array<std::string_view, 2> group = {"ab", "cde"};
  REQUIRE((*w)->add_records(group).is_ok());
  CHECK(probe.bytes == log_file_header(LogKind::kWal, kTestLogId) +
                           framed_record(kTestLogId, "ab") + framed_record(kTestLogId, "cde"));
}

TEST_CASE("a failed append makes the writer refuse every later write", "[wal][record]") {
  FileProbe probe;
  auto w = RecordWriter::create(std::make_unique<ProbeFile>(&probe), LogKind::kWal, kTestLogId);
  REQUIRE(w.is_ok());
  REQUIRE((*w)->add_record("kept").is_ok());
  probe.fail_appends = 1;
  const Status first_error = (*w)->add_record("lost");
  CHECK(first_error.code() == Code::kIOError);
  // The file would accept bytes again, but the writer must not add any.
  CHECK((*w)->add_record("after") == first_error);
  CHECK((*w)->sync() == first_error);
  CHECK(probe.syncs == 0);
  CHECK(payloads_of(read_ok(probe.bytes)) == std::vector<std::string>{"kept"});
}

TEST_CASE("a failed sync makes the writer refuse every later write", "[wal][record]") {
  FileProbe probe;
  auto w = RecordWriter::create(std::make_unique<ProbeFile>(&probe), LogKind::kWal, kTestLogId);
  REQUIRE(w.is_ok());
  REQUIRE((*w)->add_record("a").is_ok());
  probe.fail_sync = true;
  const Status s = (*w)->sync();
  CHECK(s.code() == Code::kIOError);
  probe.fail_sync = false;
  CHECK((*w)->add_record("b") == s);
}

TEST_CASE("a failed header append fails create", "[wal][record]") {
  FileProbe probe;
  probe.fail_appends = 1;
  auto w = RecordWriter::create(std::make_unique<ProbeFile>(&probe), LogKind::kWal, kTestLogId);
  CHECK(w.status().code() == Code::kIOError);
}

TEST_CASE("writes after close are refused", "[wal][record]") {
  FileProbe probe;
  auto w = RecordWriter::create(std::make_unique<ProbeFile>(&probe), LogKind::kWal, kTestLogId);
  REQUIRE(w.is_ok());
  REQUIRE((*w)->close().is_ok());
  CHECK((*w)->add_record("x").code() == Code::kInvalidArgument);
  CHECK((*w)->close().is_ok());
}

TEST_CASE("resume appends after existing records without a second header", "[wal][record]") {
  FileProbe probe;
  probe.bytes = make_log(LogKind::kWal, {"old"});
  auto w = RecordWriter::resume(std::make_unique<ProbeFile>(&probe), kTestLogId);
  REQUIRE(w->add_record("new").is_ok());
  CHECK(payloads_of(read_ok(probe.bytes)) == std::vector<std::string>{"old", "new"});
}

TEST_CASE("records resumed under another log id never verify", "[wal][record]") {
  // Misuse (resume() requires the header's id), pinned to show that the id
  // is in every record: the reader drops them as a torn tail.
  FileProbe probe;
  probe.bytes = make_log(LogKind::kWal, {"old"});
  const std::uint64_t end = probe.bytes.size();
  auto w = RecordWriter::resume(std::make_unique<ProbeFile>(&probe), kOtherLogId);
  REQUIRE(w->add_record("new").is_ok());
  const LogContents c = read_ok(probe.bytes);
  CHECK(payloads_of(c) == std::vector<std::string>{"old"});
  CHECK(c.torn_tail);
  CHECK(c.valid_end == end);
}

TEST_CASE("R1/R2: cutting the last record anywhere is a torn tail", "[wal][record]") {
  std::vector<std::uint64_t> offsets;
  const std::string bytes = make_log(LogKind::kWal, kThree, &offsets);
  const std::uint64_t last = offsets[2];
  // last+1 .. last+11: R1 (no whole header); last+12 .. end-1: R2 (the header
  // verifies, the payload runs past the end).
  for (std::uint64_t cut = last + 1; cut < bytes.size(); ++cut) {
    INFO("cut at " << cut);
    const LogContents c = read_ok(std::string_view(bytes).substr(0, cut));
    CHECK(payloads_of(c) == first(2, kThree));
    CHECK(c.torn_tail);
    CHECK(c.valid_end == last);
    CHECK(c.tail_error.is_ok());
  }
  // Cut exactly at a record boundary: a clean end, nothing torn.
  const LogContents clean = read_ok(std::string_view(bytes).substr(0, last));
  CHECK(clean.records.size() == 2);
  CHECK_FALSE(clean.torn_tail);
  CHECK(clean.valid_end == last);
}

TEST_CASE("R1: fewer than 12 bytes after the last record are torn", "[wal][record]") {
  const std::string bytes = make_log(LogKind::kWal, kThree);
  for (std::size_t n = 1; n < kRecordHeaderSize; ++n) {
    INFO(n << " trailing bytes");
    const std::string file = bytes + std::string(n, '\x5a');
    const LogContents c = read_ok(file);
    CHECK(c.records.size() == 3);
    CHECK(c.torn_tail);
    CHECK(c.valid_end == bytes.size());
  }
}

TEST_CASE("R4: a last record whose length is damaged past the end is torn", "[wal][record]") {
  std::vector<std::uint64_t> offsets;
  std::string bytes = make_log(LogKind::kWal, kThree, &offsets);
  SECTION("above the 1 GiB limit") {
    util::encode_fixed32(bytes.data() + offsets[2] + 4, kMaxRecordPayload + 1);
  }
  SECTION("within the limit") { util::encode_fixed32(bytes.data() + offsets[2] + 4, 1000); }
  SECTION("shorter than the payload") { util::encode_fixed32(bytes.data() + offsets[2] + 4, 2); }
  const LogContents c = read_ok(bytes);
  CHECK(c.records.size() == 2);
  CHECK(c.torn_tail);
  CHECK(c.valid_end == offsets[2]);
  CHECK(c.tail_error.is_ok());
}

TEST_CASE("R4: a zero-filled tail is torn", "[wal][record]") {
  const std::string bytes = make_log(LogKind::kWal, kThree);
  for (std::size_t zeros : {1, 11, 12, 13, 100, 5000}) {
    INFO(zeros << " zero bytes");
    const std::string file = bytes + std::string(zeros, '\0');
    const LogContents c = read_ok(file);
    CHECK(c.records.size() == 3);
    CHECK(c.torn_tail);
    CHECK(c.valid_end == bytes.size());
  }
}

TEST_CASE("R4: a zeroed last record is torn even with more zeros after", "[wal][record]") {
  std::vector<std::uint64_t> offsets;
  std::string bytes = make_log(LogKind::kWal, kThree, &offsets);
  bytes.replace(offsets[2], std::string::npos, bytes.size() - offsets[2] + 64, '\0');
  const LogContents c = read_ok(bytes);
  CHECK(c.records.size() == 2);
  CHECK(c.torn_tail);
  CHECK(c.valid_end == offsets[2]);
}

TEST_CASE("R4: a garbage tail is torn", "[wal][record]") {
  const std::string bytes = make_log(LogKind::kWal, kThree);
  std::string garbage;
  for (int i = 0; i < 300; ++i) garbage += static_cast<char>(i * 37 + 11);
  const std::string file = bytes + garbage;
  const LogContents c = read_ok(file);
  CHECK(c.records.size() == 3);
  CHECK(c.torn_tail);
  CHECK(c.valid_end == bytes.size());
  CHECK(c.tail_error.is_ok());
}

TEST_CASE("twelve zero bytes are never a good record", "[wal][record]") {
  const char zeros[kRecordHeaderSize] = {};
  // The payload crc of an empty payload is mask(0), which is not 0, so a
  // zero header fails whatever the log id.
  CHECK_FALSE(record_payload_ok(zeros, ""));
  for (std::uint64_t id : {std::uint64_t{0}, std::uint64_t{1}, kTestLogId}) {
    CHECK_FALSE(record_header_ok(zeros, id));
  }
}

TEST_CASE("R4: any damaged byte of the record ending the file is torn", "[wal][record]") {
  std::vector<std::uint64_t> offsets;
  const std::string bytes = make_log(LogKind::kWal, kThree, &offsets);
  for (std::uint64_t pos = offsets[2]; pos < bytes.size(); ++pos) {
    for (int mask : {0x01, 0x40, 0xff}) {
      INFO("byte " << pos << " xor " << mask);
      std::string bad = bytes;
      bad[pos] = static_cast<char>(bad[pos] ^ mask);
      const LogContents c = read_ok(bad);
      CHECK(payloads_of(c) == first(2, kThree));
      CHECK(c.torn_tail);
      CHECK(c.valid_end == offsets[2]);
      CHECK(c.tail_error.is_ok());
    }
  }
}

TEST_CASE("R4: any damaged byte of a middle record is Corruption at its offset", "[wal][record]") {
  std::vector<std::uint64_t> offsets;
  const std::string bytes = make_log(LogKind::kWal, kThree, &offsets);
  const std::uint64_t x = offsets[1];
  // Every byte, the length included: the header crc covers it.
  for (std::uint64_t pos = x; pos < offsets[2]; ++pos) {
    for (int mask : {0x01, 0x80}) {
      INFO("byte " << pos << " xor " << mask);
      std::string bad = bytes;
      bad[pos] = static_cast<char>(bad[pos] ^ mask);
      const std::string what = pos < x + kRecordHeaderSize ? "record header checksum mismatch"
                                                           : "record payload checksum mismatch";
      CHECK(read_error(bad) == Status::corruption("f.wal", x, what));
    }
  }
}

TEST_CASE("R4: a middle length damaged to run past the end is Corruption", "[wal][record]") {
  // Version 1 read this as a torn tail and dropped the records after it; the
  // header crc now proves the length wrong, and a good record follows.
  std::vector<std::uint64_t> offsets;
  std::string bytes = make_log(LogKind::kWal, kThree, &offsets);
  SECTION("a high byte flipped") { bytes[offsets[1] + 7] = static_cast<char>(0x10); }
  SECTION("above the 1 GiB limit") {
    util::encode_fixed32(bytes.data() + offsets[1] + 4, kMaxRecordPayload + 1);
  }
  SECTION("just past the end") {
    util::encode_fixed32(bytes.data() + offsets[1] + 4,
                         static_cast<std::uint32_t>(bytes.size() - offsets[1]));
  }
  CHECK(read_error(bytes) ==
        Status::corruption("f.wal", offsets[1], "record header checksum mismatch"));
  const LogContents pit = read_ok(bytes, /*point_in_time=*/true);
  CHECK(payloads_of(pit) == first(1, kThree));
  CHECK(pit.valid_end == offsets[1]);
  CHECK(pit.tail_error ==
        Status::corruption("f.wal", offsets[1], "record header checksum mismatch"));
}

TEST_CASE("R4: a middle length damaged to point inside the file is Corruption", "[wal][record]") {
  std::vector<std::uint64_t> offsets;
  std::string bytes = make_log(LogKind::kWal, kThree, &offsets);
  util::encode_fixed32(bytes.data() + offsets[1] + 4, 1);
  CHECK(read_error(bytes) ==
        Status::corruption("f.wal", offsets[1], "record header checksum mismatch"));
}

TEST_CASE("R4: the first record damaged is Corruption at offset 28", "[wal][record]") {
  std::string bytes = make_log(LogKind::kWal, kThree);
  SECTION("header") {
    bytes[kFileHeaderSize + 9] ^= 0x7f;
    CHECK(read_log(bytes, "000003.wal", LogKind::kWal, false).status() ==
          Status::corruption("000003.wal", 28, "record header checksum mismatch"));
  }
  SECTION("payload") {
    bytes[kFileHeaderSize + kRecordHeaderSize] ^= 0x7f;
    CHECK(read_log(bytes, "000003.wal", LogKind::kWal, false).status() ==
          Status::corruption("000003.wal", 28, "record payload checksum mismatch"));
  }
}

TEST_CASE("R4: damage is Corruption when only a later record is intact", "[wal][record]") {
  // Records 1 and 2 both damaged: the error names the first, because record 3
  // (anywhere after it) is good.
  std::vector<std::uint64_t> offsets;
  std::string bytes = make_log(LogKind::kWal, {"a1", "b22", "c333", "d4444"}, &offsets);
  bytes[offsets[1] + kRecordHeaderSize] ^= 0x01;
  bytes[offsets[2] + 4] ^= 0x01;
  CHECK(read_error(bytes) ==
        Status::corruption("f.wal", offsets[1], "record payload checksum mismatch"));
  // Damage the last one too: nothing good follows record 1, so it is torn.
  bytes[offsets[3] + kRecordHeaderSize] ^= 0x01;
  const LogContents c = read_ok(bytes);
  CHECK(payloads_of(c) == std::vector<std::string>{"a1"});
  CHECK(c.torn_tail);
  CHECK(c.valid_end == offsets[1]);
}

TEST_CASE("R4: a good record found at an unaligned offset still makes Corruption",
          "[wal][record]") {
  // The search for a good record looks at every offset, not only where some
  // length field points: here "record 2" is 17 bytes of garbage whose length
  // field points far past the end, and the good record 3 follows it.
  std::vector<std::uint64_t> offsets;
  std::string bytes = make_log(LogKind::kWal, {"one"}, &offsets);
  const std::uint64_t x = bytes.size();
  bytes += std::string(17, '\x33');  // a damaged "record 2"
  bytes += framed_record(kTestLogId, "three");
  CHECK(read_error(bytes) == Status::corruption("f.wal", x, "record header checksum mismatch"));
}

TEST_CASE("point-in-time mode stops at a damaged middle record", "[wal][record]") {
  std::vector<std::uint64_t> offsets;
  std::string bytes = make_log(LogKind::kWal, kThree, &offsets);
  bytes[offsets[1] + kRecordHeaderSize + 1] ^= 0x01;
  const LogContents c = read_ok(bytes, /*point_in_time=*/true);
  CHECK(payloads_of(c) == first(1, kThree));
  CHECK(c.torn_tail);
  CHECK(c.valid_end == offsets[1]);
  CHECK(c.tail_error ==
        Status::corruption("f.wal", offsets[1], "record payload checksum mismatch"));
}

TEST_CASE("point-in-time mode reads a torn tail like normal mode", "[wal][record]") {
  const std::string bytes = make_log(LogKind::kWal, kThree);
  const LogContents c = read_ok(std::string_view(bytes).substr(0, bytes.size() - 1), true);
  CHECK(c.records.size() == 2);
  CHECK(c.torn_tail);
  CHECK(c.tail_error.is_ok());
}

TEST_CASE("next() after an error returns no more records", "[wal][record]") {
  std::vector<std::uint64_t> offsets;
  std::string bytes = make_log(LogKind::kWal, kThree, &offsets);
  bytes[offsets[0] + 9] ^= 0x01;
  auto reader = RecordReader::open(bytes, "f.wal", LogKind::kWal, false);
  REQUIRE(reader.is_ok());
  auto r = reader->next();
  CHECK(r.status() == Status::corruption("f.wal", offsets[0], "record header checksum mismatch"));
  auto again = reader->next();
  REQUIRE(again.is_ok());
  CHECK_FALSE(again->has_value());
  CHECK(reader->valid_end() == offsets[0]);
}

TEST_CASE("a stale record of another log appended at the end is torn, not replayed",
          "[wal][record][stale]") {
  const std::string bytes = make_log(LogKind::kWal, kThree);
  // The same payload as a real record would have been: only the id differs.
  for (const std::string& payload : {std::string("stale"), kThree[2]}) {
    INFO(payload);
    const std::string with_stale = bytes + framed_record(kOtherLogId, payload);
    const LogContents c = read_ok(with_stale);
    CHECK(payloads_of(c) == kThree);
    CHECK(c.torn_tail);
    CHECK(c.valid_end == bytes.size());
    CHECK(c.tail_error.is_ok());
  }
  // Several stale records (a whole stale block) are one torn tail too.
  const std::string old_log = make_log(LogKind::kWal, kThree, nullptr, kOtherLogId);
  const std::string with_block = bytes + old_log.substr(kFileHeaderSize);
  const LogContents c = read_ok(with_block);
  CHECK(payloads_of(c) == kThree);
  CHECK(c.torn_tail);
  CHECK(c.valid_end == bytes.size());
}

TEST_CASE("a stale record of another log spliced into the middle is Corruption at it",
          "[wal][record][stale]") {
  std::vector<std::uint64_t> offsets;
  const std::string bytes = make_log(LogKind::kWal, kThree, &offsets);
  // Inserted between records 2 and 3: record 2 stays the last good one before
  // it, and record 3 after it makes it damage rather than a torn append.
  const std::uint64_t s = offsets[2];
  const std::string spliced =
      bytes.substr(0, s) + framed_record(kOtherLogId, "stale") + bytes.substr(s);
  CHECK(read_error(spliced) == Status::corruption("f.wal", s, "record header checksum mismatch"));
  const LogContents pit = read_ok(spliced, /*point_in_time=*/true);
  CHECK(payloads_of(pit) == first(2, kThree));
  CHECK(pit.valid_end == s);
  CHECK(pit.tail_error == Status::corruption("f.wal", s, "record header checksum mismatch"));

  // Overwriting record 2 in place with a stale record of the same size.
  std::string overwritten = bytes;
  overwritten.replace(offsets[1], offsets[2] - offsets[1], framed_record(kOtherLogId, "SECOND"));
  REQUIRE(overwritten.size() == bytes.size());
  CHECK(read_error(overwritten) ==
        Status::corruption("f.wal", offsets[1], "record header checksum mismatch"));
}

TEST_CASE("a log of another id is all stale: its records are a torn tail", "[wal][record][stale]") {
  // A header of this log followed by another log's records (e.g. the header
  // of a fresh file landing over an old file's blocks).
  const std::string other = make_log(LogKind::kWal, kThree, nullptr, kOtherLogId);
  const std::string mixed =
      log_file_header(LogKind::kWal, kTestLogId) + other.substr(kFileHeaderSize);
  const LogContents c = read_ok(mixed);
  CHECK(c.records.empty());
  CHECK(c.torn_tail);
  CHECK(c.valid_end == kFileHeaderSize);
}

TEST_CASE("property: records round trip and any cut yields a prefix", "[wal][record]") {
  rc::prop("round trip and truncation", [](const std::vector<std::string>& payloads) {
    std::vector<std::uint64_t> offsets;
    const std::string bytes = make_log(LogKind::kWal, payloads, &offsets);
    auto all = read_log(bytes, "p", LogKind::kWal, false);
    RC_ASSERT(all.is_ok());
    RC_ASSERT(payloads_of(*all) == payloads);
    RC_ASSERT(!all->torn_tail);
    const auto cut = *rc::gen::inRange<std::size_t>(0, bytes.size() + 1);
    auto part = read_log(std::string_view(bytes).substr(0, cut), "p", LogKind::kWal, false);
    RC_ASSERT(part.is_ok());
    // Exactly the records that end at or before the cut.
    std::size_t whole = 0;
    while (whole < payloads.size() &&
           offsets[whole] + kRecordHeaderSize + payloads[whole].size() <= cut) {
      ++whole;
    }
    RC_ASSERT(payloads_of(*part) == first(whole, payloads));
    const bool boundary =
        cut == (whole < offsets.size() ? offsets[whole] : bytes.size()) && cut >= kFileHeaderSize;
    RC_ASSERT(part->torn_tail == !boundary);
    RC_ASSERT(part->valid_end <= cut);
  });
}

TEST_CASE("property: one damaged byte gives the records before it, then torn or Corruption",
          "[wal][record]") {
  rc::prop("single byte damage", [] {
    const auto payloads = *rc::gen::nonEmpty(rc::gen::arbitrary<std::vector<std::string>>());
    std::vector<std::uint64_t> offsets;
    const std::string bytes = make_log(LogKind::kWal, payloads, &offsets);
    const auto pos = *rc::gen::inRange<std::size_t>(0, bytes.size());
    const auto mask = *rc::gen::inRange<int>(1, 256);
    std::string bad = bytes;
    bad[pos] = static_cast<char>(bad[pos] ^ mask);
    const bool pit = *rc::gen::arbitrary<bool>();
    auto r = read_log(bad, "p", LogKind::kWal, pit);
    if (pos < kFileHeaderSize) {  // the file header: which check fails
      const std::uint64_t at = pos < 8 ? 0 : pos < 16 ? kHeaderCrcOffset : kHeaderLogIdCrcOffset;
      RC_ASSERT(r.status().code() == Code::kCorruption);
      RC_ASSERT(r.status().message().starts_with("p: offset " + std::to_string(at) + ": "));
      return;
    }
    // The damaged record k and what must happen at it.
    std::size_t k = 0;
    while (k + 1 < offsets.size() && offsets[k + 1] <= pos) ++k;
    const bool last = k + 1 == offsets.size();
    const std::string what = pos < offsets[k] + kRecordHeaderSize
                                 ? "record header checksum mismatch"
                                 : "record payload checksum mismatch";
    const Status corrupt = Status::corruption("p", offsets[k], what);
    if (!last && !pit) {
      RC_ASSERT(r.status() == corrupt);
      return;
    }
    RC_ASSERT(r.is_ok());
    RC_ASSERT(payloads_of(*r) == first(k, payloads));
    RC_ASSERT(r->torn_tail);
    RC_ASSERT(r->valid_end == offsets[k]);
    RC_ASSERT(r->tail_error == (last ? Status::ok() : corrupt));
  });
}

TEST_CASE("property: arbitrary bytes after the records are a torn tail", "[wal][record]") {
  rc::prop("garbage tail", [](const std::vector<std::string>& payloads, const std::string& tail,
                              bool point_in_time) {
    const std::string good = make_log(LogKind::kWal, payloads);
    const std::string bytes = good + tail;
    auto r = read_log(bytes, "p", LogKind::kWal, point_in_time);
    // Random bytes form a record of this log only with two 32-bit checksums
    // matching by chance, so the tail is always torn.
    RC_ASSERT(r.is_ok());
    RC_ASSERT(payloads_of(*r) == payloads);
    RC_ASSERT(r->valid_end == good.size());
    RC_ASSERT(r->torn_tail == !tail.empty());
    RC_ASSERT(r->tail_error.is_ok());
  });
}

TEST_CASE("a resumed reader continues at a record boundary with file offsets",
          "[wal][record][resume]") {
  const std::string file = make_log(LogKind::kWal, kThree);
  const LogContents all = read_ok(file);
  const std::uint64_t second = all.records[1].offset;
  // The bytes a tailing reader copies after reading the first record, with
  // the last record only half written.
  const std::string rest = file.substr(second, file.size() - second - 5);
  RecordReader reader = RecordReader::resume(rest, second, "f.wal", kTestLogId, false);
  CHECK(reader.log_id() == kTestLogId);
  auto r = reader.next();
  REQUIRE(r.is_ok());
  REQUIRE(r->has_value());
  CHECK((*r)->offset == second);
  CHECK((*r)->payload == kThree[1]);
  r = reader.next();
  REQUIRE(r.is_ok());
  CHECK_FALSE(r->has_value());
  CHECK(reader.torn_tail());
  CHECK(reader.valid_end() == all.records[2].offset);  // where to resume next time
}

TEST_CASE("a resumed reader reports corruption at file offsets", "[wal][record][resume]") {
  std::string file = make_log(LogKind::kWal, kThree);
  const LogContents all = read_ok(file);
  const std::uint64_t second = all.records[1].offset;
  file[second + kRecordHeaderSize] ^= 1;         // damage the second payload; the third follows
  const std::string rest = file.substr(second);  // the reader views it
  RecordReader reader = RecordReader::resume(rest, second, "f.wal", kTestLogId, false);
  auto r = reader.next();
  CHECK(r.status() == Status::corruption("f.wal", second, "record payload checksum mismatch"));
  CHECK(reader.valid_end() == second);
}

TEST_CASE("a resumed reader given another log id finds no good record", "[wal][record][resume]") {
  // resume() trusts the id it is given (the header is not in `rest`): with a
  // wrong one every record fails and the rest reads as a torn tail.
  const std::string file = make_log(LogKind::kWal, kThree);
  const std::uint64_t second = read_ok(file).records[1].offset;
  const std::string rest = file.substr(second);  // the reader views it
  RecordReader reader = RecordReader::resume(rest, second, "f.wal", kOtherLogId, false);
  auto r = reader.next();
  REQUIRE(r.is_ok());
  CHECK_FALSE(r->has_value());
  CHECK(reader.torn_tail());
  CHECK(reader.valid_end() == second);
}
