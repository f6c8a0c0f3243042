// `sand dump val`: a value log (`NNNNNN.val`) that compaction wrote dumps
// as a log, one `value` record per record; `dump manifest` shows its tag 10
// with kind 1 and value_bytes, and `dump db` lists the live value files.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>

#include "db/filenames.hpp"
#include "dump_test_util.hpp"
#include "sand/db.hpp"
#include "support/db_helpers.hpp"
#include "support/temp_dir.hpp"
#include "value/value_ref.hpp"
#include "wal/log_format.hpp"

namespace {

using namespace sand::test::dump;
using sand::test::must;

std::string key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "key%03d", i);
  return buf;
}

// 1000 bytes, different for every key and round.
std::string log_value(int i, int round) {
  std::string v = "round-" + std::to_string(round) + "-" + key(i) + "-";
  while (v.size() < 1000) v += static_cast<char>('a' + (i * 7 + round + v.size()) % 26);
  return v;
}

// Three flushed rounds of overwrites of 30 keys, then forget_before the last
// version and compact(): compaction moves the live values of the partly
// dead value files into a value log. Returns its number.
std::uint64_t build_value_log_database(const std::string& dir) {
  sand::Options o;
  o.value_separation_threshold = 64;
  o.memtable_size = 16 << 10;
  o.retention = sand::Retention::kAll;
  auto db = must(sand::DB::open(dir, o));
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 30; ++i) must(db->put(key(i), log_value(i, round)));
    must(db->flush());
  }
  must(db->forget_before(db->last_version()));
  must(db->compact());
  must(db->close());
  std::optional<std::uint64_t> number;
  for (const auto& e : fsys::directory_iterator(dir)) {
    const auto parsed = sand::parse_file_name(e.path().filename().string());
    if (parsed && parsed->type == sand::FileType::kValueLog) number = parsed->number;
  }
  REQUIRE(number);
  return *number;
}

std::string read_bytes(const fsys::path& p) {
  std::ifstream f(p, std::ios::binary);
  REQUIRE(f);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

}  // namespace

TEST_CASE("dump val: a value log dumps its header and one value record per record",
          "[cli][dump][values]") {
  sand::test::TempDir dir;
  const std::uint64_t number = build_value_log_database(dir.path());
  const fsys::path path = fsys::path(dir.path()) / sand::value_log_file_name(number);
  const std::string bytes = read_bytes(path);

  // The records, walked by hand over the framing.
  std::map<std::uint64_t, std::string> payloads;  // by record offset
  for (std::uint64_t at = sand::wal::kFileHeaderSize; at < bytes.size();) {
    const std::uint32_t length = sand::wal::record_length(bytes.data() + at);
    payloads[at] = bytes.substr(at + sand::wal::kRecordHeaderSize, length);
    at += sand::wal::kRecordHeaderSize + length;
  }
  REQUIRE_FALSE(payloads.empty());

  const DumpRun run = run_dump(DumpTarget::kValueLog, path);
  INFO(run.out);
  REQUIRE(run.status.is_ok());
  const std::vector<Json> lines = parse_lines(run.out);
  REQUIRE(lines.size() == payloads.size() + 2);
  const Json& header = lines.front();
  CHECK(header.at("record") == "header");
  CHECK(header.at("magic") == std::string("SANDVAL\0", 8));
  CHECK(header.at("format_version") == sand::wal::kValueLogFormatVersion);
  CHECK(header.at("log_id") == number);
  const std::vector<Json> values = records_of(lines, "value");
  REQUIRE(values.size() == payloads.size());
  auto payload = payloads.begin();
  for (const Json& v : values) {
    const std::uint64_t offset = payload->first;
    CHECK(v.at("offset") == offset);
    CHECK(v.at("length") == payload->second.size());
    CHECK(v.at("value_offset") == offset + sand::wal::kRecordHeaderSize);
    CHECK(v.at("checksum") == sand::value::value_checksum(payload->second));
    CHECK(v.at("value") == payload->second);
    ++payload;
  }
  // The values compaction moved are values the database was given whole:
  // "round-R-keyNNN-..." is log_value(NNN, R).
  const std::string first = values.front().at("value").get<std::string>();
  REQUIRE(first.starts_with("round-"));
  REQUIRE(first.size() > 14);
  CHECK(first == log_value(std::stoi(first.substr(11, 3)), first[6] - '0'));
  const Json& end = lines.back();
  CHECK(end.at("record") == "end");
  CHECK(end.at("file_size") == bytes.size());
  CHECK(end.at("valid_end") == bytes.size());
  CHECK(end.at("torn_tail") == false);

  // Text form: one line per record, the type first.
  const DumpRun text = run_dump(DumpTarget::kValueLog, path, false);
  REQUIRE(text.status.is_ok());
  CHECK(text.out.find("\nvalue offset=28 ") != std::string::npos);
}

TEST_CASE("dump val: a damaged value log dumps up to the damage, then fails",
          "[cli][dump][values]") {
  sand::test::TempDir dir;
  const std::uint64_t number = build_value_log_database(dir.path());
  const fsys::path path = fsys::path(dir.path()) / sand::value_log_file_name(number);
  std::string bytes = read_bytes(path);
  // A file that is a WAL's is not a value log: its magic is refused.
  const fsys::path copy = fsys::path(dir.path()) / "copy.val";
  {
    std::string wrong = bytes;
    wrong[3] = 'W';  // "SANWVAL": a bad magic
    std::ofstream(copy, std::ios::binary) << wrong;
  }
  const DumpRun bad_magic = run_dump(DumpTarget::kValueLog, copy);
  CHECK_FALSE(bad_magic.status.is_ok());
  CHECK(bad_magic.out.empty());
  // A log id that is not the file's number.
  const fsys::path renamed = fsys::path(dir.path()) / sand::value_log_file_name(number + 1000);
  std::ofstream(renamed, std::ios::binary) << bytes;
  const DumpRun wrong_id = run_dump(DumpTarget::kValueLog, renamed);
  CHECK(wrong_id.status.code() == sand::Code::kCorruption);
  CHECK(wrong_id.status.message().find("value log header names log " + std::to_string(number)) !=
        std::string::npos);
}

TEST_CASE("dump manifest and dump db: value logs show kind 1 and value_bytes",
          "[cli][dump][values]") {
  sand::test::TempDir dir;
  const std::uint64_t number = build_value_log_database(dir.path());
  const DumpRun manifest = run_dump(DumpTarget::kManifest, fsys::path(dir.path()) / "MANIFEST");
  INFO(manifest.out);
  REQUIRE(manifest.status.is_ok());
  bool added = false;
  for (const Json& edit : records_of(parse_lines(manifest.out), "edit")) {
    if (!edit.contains("added_value_files")) continue;
    for (const Json& f : edit.at("added_value_files")) {
      CHECK(f.contains("value_bytes"));  // a version-4 manifest records it
      CHECK(f.at("value_bytes").get<std::uint64_t>() <= f.at("size").get<std::uint64_t>());
      if (f.at("number") == number) {
        added = true;
        CHECK(f.at("kind") == 1);
      }
    }
  }
  CHECK(added);

  const DumpRun db = run_dump(DumpTarget::kDb, dir.path());
  INFO(db.out);
  REQUIRE(db.status.is_ok());
  const std::vector<Json> files = records_of(parse_lines(db.out), "value_file");
  bool listed = false;
  for (const Json& f : files) {
    if (f.at("number") != number) {
      CHECK(f.at("kind") == 0);
      continue;
    }
    listed = true;
    CHECK(f.at("file") == sand::value_log_file_name(number));
    CHECK(f.at("kind") == 1);
    CHECK(f.at("size") ==
          fsys::file_size(fsys::path(dir.path()) / f.at("file").get<std::string>()));
    CHECK(f.at("value_bytes").get<std::uint64_t>() % 1000 == 0);  // whole 1000-byte values
    CHECK(f.at("referenced_bytes") == f.at("value_bytes"));
  }
  CHECK(listed);
}
