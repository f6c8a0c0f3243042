// Tests for src/wal/record_writer and record_reader: framing round trips and
// every torn-tail / corruption rule of spec/wal.md.
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <array>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "util/coding.hpp"
#include "util/crc32c.hpp"
#include "wal/log_format.hpp"
#include "wal/log_test_support.hpp"
#include "wal/record_reader.hpp"
#include "wal/record_writer.hpp"

using namespace sand;
using namespace sand::wal;
using sand::test::FileProbe;
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

const std::vector<std::string> kThree = {"first record", "second", "the third and last"};

}  // namespace

TEST_CASE("file header is magic, version 1 and a masked crc", "[wal][record]") {
  const std::string h = log_file_header(LogKind::kWal);
  REQUIRE(h.size() == kFileHeaderSize);
  CHECK(h.substr(0, 8) == std::string_view("SANDWAL\0", 8));
  CHECK(util::decode_fixed32(h.data() + 8) == 1);
  CHECK(util::decode_fixed32(h.data() + 12) == crc32c::mask(crc32c::value(h.data(), 12)));
  CHECK(log_file_header(LogKind::kManifest).substr(0, 8) == std::string_view("SANDMAN\0", 8));
}

TEST_CASE("record round trip incl. empty payloads", "[wal][record]") {
  const std::vector<std::string> payloads = {"", "a", std::string(1000, 'b'), "", "end"};
  std::vector<std::uint64_t> offsets;
  const std::string bytes = make_log(LogKind::kWal, payloads, &offsets);
  const LogContents c = read_ok(bytes);
  CHECK(payloads_of(c) == payloads);
  for (std::size_t i = 0; i < offsets.size(); ++i) CHECK(c.records[i].offset == offsets[i]);
  CHECK(c.valid_end == bytes.size());
  CHECK_FALSE(c.torn_tail);
  CHECK(c.tail_error.is_ok());
}

TEST_CASE("record layout is crc, length, payload", "[wal][record]") {
  const std::string bytes = make_log(LogKind::kWal, {"xyz"});
  REQUIRE(bytes.size() == kFileHeaderSize + kRecordHeaderSize + 3);
  const char* rec = bytes.data() + kFileHeaderSize;
  CHECK(util::decode_fixed32(rec + 4) == 3);
  std::string covered(rec + 4, 4);
  covered += "xyz";
  CHECK(util::decode_fixed32(rec) == crc32c::mask(crc32c::value(covered)));
  CHECK(bytes.substr(kFileHeaderSize + 8) == "xyz");
}

TEST_CASE("an empty log has no records and a clean end", "[wal][record]") {
  const std::string bytes = make_log(LogKind::kWal, {});
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
  auto w = RecordWriter::create(std::make_unique<ProbeFile>(&probe), LogKind::kWal);
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
  auto w = RecordWriter::create(std::make_unique<ProbeFile>(&probe), LogKind::kWal);
  REQUIRE(w.is_ok());
  CHECK(probe.appends == 1);  // the header
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

TEST_CASE("a failed append makes the writer refuse every later write", "[wal][record]") {
  FileProbe probe;
  auto w = RecordWriter::create(std::make_unique<ProbeFile>(&probe), LogKind::kWal);
  REQUIRE(w.is_ok());
  REQUIRE((*w)->add_record("kept").is_ok());
  probe.fail_appends = 1;
  const Status first = (*w)->add_record("lost");
  CHECK(first.code() == Code::kIOError);
  // The file would accept bytes again, but the writer must not add any.
  CHECK((*w)->add_record("after") == first);
  CHECK((*w)->sync() == first);
  CHECK(probe.syncs == 0);
  CHECK(payloads_of(read_ok(probe.bytes)) == std::vector<std::string>{"kept"});
}

TEST_CASE("a failed sync makes the writer refuse every later write", "[wal][record]") {
  FileProbe probe;
  auto w = RecordWriter::create(std::make_unique<ProbeFile>(&probe), LogKind::kWal);
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
  auto w = RecordWriter::create(std::make_unique<ProbeFile>(&probe), LogKind::kWal);
  CHECK(w.status().code() == Code::kIOError);
}

TEST_CASE("writes after close are refused", "[wal][record]") {
  FileProbe probe;
  auto w = RecordWriter::create(std::make_unique<ProbeFile>(&probe), LogKind::kWal);
  REQUIRE(w.is_ok());
  REQUIRE((*w)->close().is_ok());
  CHECK((*w)->add_record("x").code() == Code::kInvalidArgument);
  CHECK((*w)->close().is_ok());
}

TEST_CASE("resume appends after existing records without a second header", "[wal][record]") {
  FileProbe probe;
  probe.bytes = make_log(LogKind::kWal, {"old"});
  auto w = RecordWriter::resume(std::make_unique<ProbeFile>(&probe));
  REQUIRE(w->add_record("new").is_ok());
  CHECK(payloads_of(read_ok(probe.bytes)) == std::vector<std::string>{"old", "new"});
}

TEST_CASE("rule (a): cutting the last record anywhere is a torn tail", "[wal][record]") {
  std::vector<std::uint64_t> offsets;
  const std::string bytes = make_log(LogKind::kWal, kThree, &offsets);
  const std::uint64_t last = offsets[2];
  for (std::uint64_t cut = last + 1; cut < bytes.size(); ++cut) {
    INFO("cut at " << cut);
    const LogContents c = read_ok(std::string_view(bytes).substr(0, cut));
    CHECK(payloads_of(c) == std::vector<std::string>{kThree[0], kThree[1]});
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

TEST_CASE("rule (a): a length running past the end is a torn tail", "[wal][record]") {
  std::vector<std::uint64_t> offsets;
  std::string bytes = make_log(LogKind::kWal, kThree, &offsets);
  // A length above the 1 GiB limit that also runs past the end.
  util::encode_fixed32(bytes.data() + offsets[2] + 4, kMaxRecordPayload + 1);
  const LogContents c = read_ok(bytes);
  CHECK(c.records.size() == 2);
  CHECK(c.torn_tail);
  CHECK(c.valid_end == offsets[2]);
}

TEST_CASE("rule (b): a zero-filled tail is torn", "[wal][record]") {
  const std::string bytes = make_log(LogKind::kWal, kThree);
  for (std::size_t zeros : {1, 7, 8, 9, 100, 5000}) {
    INFO(zeros << " zero bytes");
    const LogContents c = read_ok(bytes + std::string(zeros, '\0'));
    CHECK(c.records.size() == 3);
    CHECK(c.torn_tail);
    CHECK(c.valid_end == bytes.size());
  }
}

TEST_CASE("rule (b): a zeroed last record is torn even with more zeros after", "[wal][record]") {
  std::vector<std::uint64_t> offsets;
  std::string bytes = make_log(LogKind::kWal, kThree, &offsets);
  bytes.replace(offsets[2], std::string::npos, bytes.size() - offsets[2] + 64, '\0');
  const LogContents c = read_ok(bytes);
  CHECK(c.records.size() == 2);
  CHECK(c.torn_tail);
  CHECK(c.valid_end == offsets[2]);
}

TEST_CASE("eight zero bytes are not a valid empty record", "[wal][record]") {
  const char zero_len[4] = {0, 0, 0, 0};
  CHECK(record_crc(zero_len, "") != 0);
}

TEST_CASE("rule (c): a bad checksum on the record ending the file is torn", "[wal][record]") {
  std::vector<std::uint64_t> offsets;
  const std::string bytes = make_log(LogKind::kWal, kThree, &offsets);
  for (std::uint64_t pos = offsets[2]; pos < bytes.size(); ++pos) {
    if (pos >= offsets[2] + 4 && pos < offsets[2] + 8) continue;  // length bytes: rule (a)/(d)
    INFO("flipped byte at " << pos);
    std::string bad = bytes;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x40);
    const LogContents c = read_ok(bad);
    CHECK(payloads_of(c) == std::vector<std::string>{kThree[0], kThree[1]});
    CHECK(c.torn_tail);
    CHECK(c.valid_end == offsets[2]);
  }
}

TEST_CASE("rule (d): a flipped byte in a middle record is Corruption at its offset",
          "[wal][record]") {
  std::vector<std::uint64_t> offsets;
  const std::string bytes = make_log(LogKind::kWal, kThree, &offsets);
  const std::uint64_t x = offsets[1];
  const std::string expected = "f.wal: offset " + std::to_string(x) + ": record checksum mismatch";
  // Every byte of the middle record except the length's upper bytes, which
  // make the length run past the end (next test).
  for (std::uint64_t pos = x; pos < offsets[2]; ++pos) {
    if (pos >= x + 5 && pos < x + 8) continue;
    INFO("flipped byte at " << pos);
    std::string bad = bytes;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x01);
    auto r = read_log(bad, "f.wal", LogKind::kWal, false);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == Code::kCorruption);
    CHECK(r.status().message() == expected);
  }
}

TEST_CASE("rule (a) limit: a middle length flipped past the end reads as torn", "[wal][record]") {
  // Documented in spec/wal.md: a length pointing past the end cannot be told
  // from a torn append, so the records after it are dropped, not reported.
  std::vector<std::uint64_t> offsets;
  std::string bytes = make_log(LogKind::kWal, kThree, &offsets);
  bytes[offsets[1] + 7] = static_cast<char>(0x10);
  const LogContents c = read_ok(bytes);
  CHECK(c.records.size() == 1);
  CHECK(c.torn_tail);
  CHECK(c.valid_end == offsets[1]);
}

TEST_CASE("rule (d): the first record damaged is Corruption at offset 16", "[wal][record]") {
  std::string bytes = make_log(LogKind::kWal, kThree);
  bytes[kFileHeaderSize + 9] ^= 0x7f;
  auto r = read_log(bytes, "000003.wal", LogKind::kWal, false);
  CHECK(r.status() == Status::corruption("000003.wal", 16, "record checksum mismatch"));
}

TEST_CASE("point-in-time mode stops at a damaged middle record", "[wal][record]") {
  std::vector<std::uint64_t> offsets;
  std::string bytes = make_log(LogKind::kWal, kThree, &offsets);
  bytes[offsets[1] + 10] ^= 0x01;
  const LogContents c = read_ok(bytes, /*point_in_time=*/true);
  CHECK(payloads_of(c) == std::vector<std::string>{kThree[0]});
  CHECK(c.torn_tail);
  CHECK(c.valid_end == offsets[1]);
  CHECK(c.tail_error == Status::corruption("f.wal", offsets[1], "record checksum mismatch"));
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
  auto first = reader->next();
  CHECK(first.status().code() == Code::kCorruption);
  auto again = reader->next();
  REQUIRE(again.is_ok());
  CHECK_FALSE(again->has_value());
  CHECK(reader->valid_end() == offsets[0]);
}

TEST_CASE("bad magic is Corruption at offset 0", "[wal][record]") {
  std::string bytes = make_log(LogKind::kWal, kThree);
  bytes[3] = 'X';
  CHECK(read_log(bytes, "f.wal", LogKind::kWal, false).status() ==
        Status::corruption("f.wal", 0, "bad magic: not a sanddb WAL file"));
  // A manifest is not a WAL, and the other way round.
  const std::string manifest = make_log(LogKind::kManifest, {"m"});
  CHECK(read_log(manifest, "f.wal", LogKind::kWal, false).status() ==
        Status::corruption("f.wal", 0, "bad magic: not a sanddb WAL file"));
  CHECK(read_log(make_log(LogKind::kWal, {}), "MANIFEST", LogKind::kManifest, false).status() ==
        Status::corruption("MANIFEST", 0, "bad magic: not a sanddb manifest file"));
  // Garbage shorter than the magic.
  CHECK(read_log("abc", "f.wal", LogKind::kWal, false).status().code() == Code::kCorruption);
}

TEST_CASE("an unknown format version is Corruption naming it", "[wal][record]") {
  std::string header(kWalMagic);
  util::put_fixed32(&header, 2);
  util::put_fixed32(&header, crc32c::mask(crc32c::value(header)));
  CHECK(read_log(header, "f.wal", LogKind::kWal, false).status() ==
        Status::corruption("f.wal", 8, "unsupported WAL format version 2"));
  std::string m(kManifestMagic);
  util::put_fixed32(&m, 7);
  util::put_fixed32(&m, crc32c::mask(crc32c::value(m)));
  CHECK(read_log(m, "MANIFEST", LogKind::kManifest, false).status() ==
        Status::corruption("MANIFEST", 8, "unsupported manifest format version 7"));
}

TEST_CASE("a damaged header checksum is Corruption at offset 12", "[wal][record]") {
  for (std::size_t pos : {8, 11, 12, 15}) {
    std::string bytes = make_log(LogKind::kWal, kThree);
    bytes[pos] ^= 0x02;
    INFO("flipped header byte " << pos);
    CHECK(read_log(bytes, "f.wal", LogKind::kWal, false).status() ==
          Status::corruption("f.wal", 12, "file header checksum mismatch"));
  }
}

TEST_CASE("a header cut short or never written is a torn tail at 0", "[wal][record]") {
  const std::string header = log_file_header(LogKind::kWal);
  for (std::size_t n = 0; n < kFileHeaderSize; ++n) {
    INFO(n << " header bytes");
    const LogContents c = read_ok(header.substr(0, n));
    CHECK(c.records.empty());
    CHECK(c.torn_tail);
    CHECK(c.valid_end == 0);
  }
  const LogContents zeros = read_ok(std::string(100, '\0'));
  CHECK(zeros.records.empty());
  CHECK(zeros.torn_tail);
  CHECK(zeros.valid_end == 0);
}

TEST_CASE("a short header with wrong bytes after the magic is Corruption", "[wal][record]") {
  std::string bytes = log_file_header(LogKind::kWal).substr(0, 10);
  bytes[9] = 5;
  CHECK(read_log(bytes, "f.wal", LogKind::kWal, false).status() ==
        Status::corruption("f.wal", 8, "truncated file header of 10 bytes"));
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
    const std::vector<std::string> got = payloads_of(*part);
    RC_ASSERT(got.size() <= payloads.size());
    RC_ASSERT(std::equal(got.begin(), got.end(), payloads.begin()));
    RC_ASSERT(part->valid_end <= cut);
  });
}

TEST_CASE("property: one damaged byte never yields a wrong record", "[wal][record]") {
  rc::prop("single byte damage", [] {
    const auto payloads = *rc::gen::nonEmpty(rc::gen::arbitrary<std::vector<std::string>>());
    const std::string bytes = make_log(LogKind::kWal, payloads);
    const auto pos = *rc::gen::inRange<std::size_t>(kFileHeaderSize, bytes.size());
    const auto mask = *rc::gen::inRange<int>(1, 256);
    std::string bad = bytes;
    bad[pos] = static_cast<char>(bad[pos] ^ mask);
    auto r = read_log(bad, "p", LogKind::kWal, false);
    if (!r.is_ok()) {
      RC_ASSERT(r.status().code() == Code::kCorruption);
      return;
    }
    const std::vector<std::string> got = payloads_of(*r);
    RC_ASSERT(got.size() <= payloads.size());
    RC_ASSERT(std::equal(got.begin(), got.end(), payloads.begin()));
  });
}

TEST_CASE("property: arbitrary bytes after a header never crash the reader", "[wal][record]") {
  rc::prop("garbage log", [](const std::string& tail, bool point_in_time) {
    const std::string bytes = log_file_header(LogKind::kWal) + tail;
    auto r = read_log(bytes, "p", LogKind::kWal, point_in_time);
    if (!r.is_ok()) {
      RC_ASSERT(r.status().code() == Code::kCorruption);
      RC_ASSERT(!point_in_time);
      return;
    }
    RC_ASSERT(r->valid_end <= bytes.size());
    RC_ASSERT(r->torn_tail == (r->valid_end < bytes.size()));
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
  RecordReader reader = RecordReader::resume(rest, second, "f.wal", false);
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
  file[second + kRecordHeaderSize] ^= 1;  // damage the second payload; the third follows
  const std::string rest = file.substr(second);  // the reader views it
  RecordReader reader = RecordReader::resume(rest, second, "f.wal", false);
  auto r = reader.next();
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == Code::kCorruption);
  CHECK(r.status().message().find("offset " + std::to_string(second)) != std::string::npos);
}
