// Tests for src/cli/latest_format.cpp: every format round-trips random binary
// keys and values (write_latest -> read_latest into a fresh database -> the
// same scan), the exact text written, and each input error with its line.
#include "cli/latest_format.hpp"

#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <catch2/catch.hpp>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "sand/file_system.hpp"
#include "support/byte_generators.hpp"
#include "support/db_helpers.hpp"

namespace sand::cli {
namespace {

using test::must;
using KeyValues = std::vector<std::pair<std::string, std::string>>;

std::unique_ptr<DB> memory_db() {
  return must(DB::open("/db", Options{.file_system = memory_file_system()}));
}

KeyValues contents(const DB& db) { return test::collect(must(db.scan())); }

std::string exported(const DB& db, LatestFormat format) {
  std::ostringstream out;
  must(write_latest(db, format, out, nullptr));
  return out.str();
}

// What read_latest makes of `text` in a fresh database: its status, and the
// database's contents afterwards.
struct Imported {
  Result<std::uint64_t> count;
  KeyValues keys;
};
Imported imported(LatestFormat format, const std::string& text) {
  const std::unique_ptr<DB> db = memory_db();
  std::istringstream in(text);
  Result<std::uint64_t> count = read_latest(*db, format, in, nullptr);
  return Imported{std::move(count), contents(*db)};
}

// The error message of importing `text`, which must fail with InvalidArgument.
std::string import_error(LatestFormat format, const std::string& text) {
  Imported result = imported(format, text);
  REQUIRE_FALSE(result.count.is_ok());
  CHECK(result.count.status().code() == Code::kInvalidArgument);
  return result.count.status().message();
}

// Bytes that stress every format: separators, quotes, line ends, escapes,
// NUL, invalid UTF-8 and valid multibyte text, as well as anything at all.
rc::Gen<std::string> tricky_bytes() {
  const rc::Gen<char> awkward =
      rc::gen::element(',', '"', '\r', '\n', '\t', '\\', ' ', 'x', '\0', '\xff', '{', '\xc3');
  return rc::gen::oneOf(rc::gen::container<std::string>(awkward), sand::test::any_bytes(),
                        rc::gen::just(std::string("caf\xc3\xa9")));
}

void check_round_trip(LatestFormat format) {
  rc::prop("write_latest then read_latest gives the same live keys", [format] {
    const auto puts =
        *rc::gen::container<std::map<std::string, std::string>>(tricky_bytes(), tricky_bytes());
    const auto deleted = *rc::gen::container<std::vector<std::string>>(tricky_bytes());
    const std::unique_ptr<DB> source = memory_db();
    for (const auto& [key, value] : puts) RC_ASSERT(source->put(key, value).is_ok());
    for (const auto& key : deleted) RC_ASSERT(source->del(key).is_ok());  // never exported

    std::ostringstream out;
    const Result<std::uint64_t> written = write_latest(*source, format, out, nullptr);
    RC_ASSERT(written.is_ok());
    const std::unique_ptr<DB> copy = memory_db();
    std::istringstream in(out.str());
    const Result<std::uint64_t> read = read_latest(*copy, format, in, nullptr);
    RC_ASSERT(read.is_ok());
    RC_ASSERT(*read == *written);

    KeyValues expected, got;
    for (auto it = std::move(source->scan()).value(); it.valid(); it.next()) {
      expected.emplace_back(it.key(), it.value());
    }
    for (auto it = std::move(copy->scan()).value(); it.valid(); it.next()) {
      got.emplace_back(it.key(), it.value());
    }
    RC_ASSERT(*written == expected.size());
    RC_ASSERT(got == expected);
  });
}

TEST_CASE("latest jsonl round-trips random binary keys and values", "[latest_format]") {
  check_round_trip(LatestFormat::kJsonLines);
}
TEST_CASE("latest tsv round-trips random binary keys and values", "[latest_format]") {
  check_round_trip(LatestFormat::kTsv);
}
TEST_CASE("latest csv round-trips random binary keys and values", "[latest_format]") {
  check_round_trip(LatestFormat::kCsv);
}

TEST_CASE("parse_latest_format knows jsonl, tsv and csv only", "[latest_format]") {
  CHECK(must(parse_latest_format("jsonl")) == LatestFormat::kJsonLines);
  CHECK(must(parse_latest_format("tsv")) == LatestFormat::kTsv);
  CHECK(must(parse_latest_format("csv")) == LatestFormat::kCsv);
  const Result<LatestFormat> bad = parse_latest_format("json");
  REQUIRE_FALSE(bad.is_ok());
  CHECK(bad.status() ==
        Status::invalid_argument("--format: unknown format 'json' (expected jsonl, tsv or csv)"));
}

// A database holding a, b (with a deleted key c), in the form every format
// test below writes.
std::unique_ptr<DB> sample_db() {
  std::unique_ptr<DB> db = memory_db();
  must(db->put("b", "two words"));
  must(db->put("a", std::string("\xff\x00", 2)));
  must(db->put("c", "gone"));
  must(db->del("c"));
  return db;
}

TEST_CASE("latest jsonl writes one object per key in key order", "[latest_format]") {
  CHECK(exported(*sample_db(), LatestFormat::kJsonLines) ==
        "{\"key\":\"a\",\"value\":{\"hex\":\"ff00\"}}\n"
        "{\"key\":\"b\",\"value\":\"two words\"}\n");
}

TEST_CASE("latest tsv writes escaped key TAB escaped value", "[latest_format]") {
  const std::unique_ptr<DB> db = sample_db();
  must(db->put("k ey\t", "v\tal\\ue\r"));
  CHECK(exported(*db, LatestFormat::kTsv) ==
        "a\t\\xff\\x00\n"
        "b\ttwo words\n"
        "k\\x20ey\\x09\tv\\x09al\\x5cue\\x0d\n");
}

TEST_CASE("latest csv writes a header and quotes only fields that need it", "[latest_format]") {
  const std::unique_ptr<DB> db = memory_db();
  must(db->put("plain", "a b"));
  must(db->put("comma,key", "say \"hi\""));
  must(db->put("lines", "one\r\ntwo\n"));
  must(db->put("raw", std::string("\xff\x00;", 3)));
  must(db->put("", ""));
  CHECK(exported(*db, LatestFormat::kCsv) ==
        "key,value\r\n"
        ",\r\n"
        "\"comma,key\",\"say \"\"hi\"\"\"\r\n"
        "lines,\"one\r\ntwo\n\"\r\n"
        "plain,a b\r\n" +
            std::string("raw,\xff\x00;\r\n", 9));
}

TEST_CASE("latest csv of an empty database is only the header", "[latest_format]") {
  CHECK(exported(*memory_db(), LatestFormat::kCsv) == "key,value\r\n");
  CHECK(exported(*memory_db(), LatestFormat::kJsonLines).empty());
}

TEST_CASE("latest csv reads quoted, unquoted, LF and CRLF records", "[latest_format]") {
  const Imported result = imported(LatestFormat::kCsv,
                                   "key,value\n"
                                   "a,1\r\n"
                                   "\"b\",\"x,\"\"y\"\"\r\nz\"\n"
                                   "\"\",empty key\n"
                                   "d,");  // no final line end
  CHECK(must(Result<std::uint64_t>(result.count)) == 4);
  CHECK(result.keys == KeyValues{{"", "empty key"}, {"a", "1"}, {"b", "x,\"y\"\r\nz"}, {"d", ""}});
}

TEST_CASE("latest jsonl reads members in any order, hex, escapes and CRLF", "[latest_format]") {
  const Imported result = imported(LatestFormat::kJsonLines,
                                   "{\"value\": \"1\", \"key\": \"a\"}\r\n"
                                   "  {\"key\": {\"hex\": \"FF00\"}, \"value\": \"\\u00e9\"}\n");
  CHECK(must(Result<std::uint64_t>(result.count)) == 2);
  CHECK(result.keys == KeyValues{{"a", "1"}, {std::string("\xff\x00", 2), "\xc3\xa9"}});
}

TEST_CASE("latest tsv drops one CR before LF and a later duplicate key wins", "[latest_format]") {
  const Imported result = imported(LatestFormat::kTsv, "a\t1\r\nb\t\\x0d\r\na\t3");
  CHECK(must(Result<std::uint64_t>(result.count)) == 3);
  CHECK(result.keys == KeyValues{{"a", "3"}, {"b", "\r"}});
}

TEST_CASE("latest jsonl errors name the line", "[latest_format]") {
  const std::string good = "{\"key\":\"a\",\"value\":\"1\"}\n";
  const auto error = [&](const std::string& line) {
    return import_error(LatestFormat::kJsonLines, good + good + line + "\n" + good);
  };
  CHECK(error("{\"key\":\"a\"") == "line 3: not valid JSON");
  CHECK(error("[1,2]") == "line 3: expected an object {\"key\": ..., \"value\": ...}");
  CHECK(error("{\"key\":\"a\"}") == "line 3: missing member \"value\"");
  CHECK(error("{\"value\":\"a\"}") == "line 3: missing member \"key\"");
  CHECK(error("{\"key\":\"a\",\"value\":\"b\",\"version\":3}") ==
        "line 3: unexpected member \"version\" (only key and value)");
  CHECK(error("{\"key\":\"a\",\"value\":{\"hex\":\"f\"}}").starts_with("line 3: "));
  CHECK(error("{\"key\":7,\"value\":\"b\"}").starts_with("line 3: "));
  CHECK(error("") == "line 3: empty line");
}

TEST_CASE("latest tsv errors name the line", "[latest_format]") {
  const auto error = [](const std::string& line) {
    return import_error(LatestFormat::kTsv, "a\t1\n" + line + "\nz\t9\n");
  };
  CHECK(error("no tab") == "line 2: expected 2 tab-separated fields (key, value), found 1");
  CHECK(error("a\tb\tc") == "line 2: expected 2 tab-separated fields (key, value), found 3");
  CHECK(error("\\q\tv").starts_with("line 2: key: "));
  CHECK(error("k\t\\x4").starts_with("line 2: value: "));
  CHECK(error("") == "line 2: empty line");
}

TEST_CASE("latest csv errors name the line", "[latest_format]") {
  const auto error = [](const std::string& records) {
    return import_error(LatestFormat::kCsv, "key,value\r\na,1\r\n" + records);
  };
  CHECK(error("b,\"open\r\nstill open\r\n") ==
        "line 3: a quoted field is not closed before the end of the input");
  CHECK(error("b,x\"y\r\n") ==
        "line 3: a quote inside an unquoted field (quote the field and double the quote)");
  CHECK(error("b,\"x\"y\r\n") == "line 3: text after the closing quote of a field");
  CHECK(error("b,1,2\r\n") == "line 3: expected 2 comma-separated fields (key, value), found 3");
  CHECK(error("b\r\n") == "line 3: expected 2 comma-separated fields (key, value), found 1");
  CHECK(error("\r\n") == "line 3: expected 2 comma-separated fields (key, value), found 1");
  CHECK(error("b,1\rc,2\r\n") == "line 3: a CR outside quotes must be followed by LF");
  // A record spanning lines 3-5 moves the next record to line 6.
  CHECK(error("b,\"x\ny\nz\"\r\nc\r\n") ==
        "line 6: expected 2 comma-separated fields (key, value), found 1");
}

TEST_CASE("latest csv requires the header line", "[latest_format]") {
  CHECK(import_error(LatestFormat::kCsv, "") == "line 1: expected the header line key,value");
  CHECK(import_error(LatestFormat::kCsv, "a,1\r\n") ==
        "line 1: expected the header line key,value");
  CHECK(import_error(LatestFormat::kCsv, "key,value,version\r\n").starts_with("line 1: "));
  const Imported header_only = imported(LatestFormat::kCsv, "key,value\n");
  CHECK(must(Result<std::uint64_t>(header_only.count)) == 0);
}

TEST_CASE("latest import refuses a key over the limit naming its line", "[latest_format]") {
  const std::string long_key(kMaxKeySize + 1, 'k');
  CHECK(import_error(LatestFormat::kTsv, "a\t1\n" + long_key + "\tv\n") ==
        "line 2: key of 65537 bytes is over the limit of 65536");
  CHECK(import_error(LatestFormat::kCsv, "key,value\n" + long_key + ",v\n") ==
        "line 2: key of 65537 bytes is over the limit of 65536");
}

TEST_CASE("latest import keeps every record before a bad line and none after", "[latest_format]") {
  // More than two batches before the bad line, so earlier batches and the
  // pending one are both involved.
  const std::uint64_t before = 2 * kImportBatchRecords + 17;
  std::string text;
  for (std::uint64_t i = 0; i < before; ++i) text += "k" + std::to_string(i) + "\tv\n";
  text += "bad line\nafter\tv\n";
  const Imported result = imported(LatestFormat::kTsv, text);
  REQUIRE_FALSE(result.count.is_ok());
  CHECK(result.count.status().message() ==
        "line " + std::to_string(before + 1) +
            ": expected 2 tab-separated fields (key, value), found 1");
  CHECK(result.keys.size() == before);
  for (const auto& [key, value] : result.keys) CHECK(key != "after");
}

// Records every update, to check what write_latest and read_latest report.
class RecordingProgress final : public Progress {
 public:
  void update(std::uint64_t done, std::uint64_t bytes) override {
    updates.emplace_back(done, bytes);
  }
  void finish() override { ++finishes; }
  std::vector<std::pair<std::uint64_t, std::uint64_t>> updates;
  int finishes = 0;
};

TEST_CASE("latest export and import report each record and its bytes", "[latest_format]") {
  const std::unique_ptr<DB> db = memory_db();
  must(db->put("a", "12"));
  must(db->put("bb", "3"));
  RecordingProgress out_progress;
  std::ostringstream out;
  CHECK(must(write_latest(*db, LatestFormat::kJsonLines, out, &out_progress)) == 2);
  using Updates = std::vector<std::pair<std::uint64_t, std::uint64_t>>;
  CHECK(out_progress.updates == Updates{{1, 3}, {2, 6}});
  CHECK(out_progress.finishes == 0);  // the caller's to finish

  const std::unique_ptr<DB> copy = memory_db();
  RecordingProgress in_progress;
  std::istringstream in(out.str());
  CHECK(must(read_latest(*copy, LatestFormat::kJsonLines, in, &in_progress)) == 2);
  CHECK(in_progress.updates == Updates{{1, 3}, {2, 6}});
}

TEST_CASE("latest export reports a failed output stream", "[latest_format]") {
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  const Result<std::uint64_t> written =
      write_latest(*sample_db(), LatestFormat::kTsv, out, nullptr);
  REQUIRE_FALSE(written.is_ok());
  CHECK(written.status() == Status::io_error("output: write failed"));
}

}  // namespace
}  // namespace sand::cli
