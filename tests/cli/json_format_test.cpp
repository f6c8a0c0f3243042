// Tests for src/cli/json_format.cpp: every --json answer shape, exactly as a
// line, and the rules behind them (bytes as spec/json.md says, integers,
// findings on one printable line).
#include "cli/json_format.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "answer_fixtures.hpp"
#include "cli/command_table.hpp"
#include "cli/format.hpp"

namespace sand::cli {
namespace {

using sand::test::lines;

TEST_CASE("json_line: one compact line, UTF-8 unescaped", "[cli][json_format]") {
  CHECK(json_line(Json{{"a", 1}, {"b", "caf\xc3\xa9"}}) == "{\"a\":1,\"b\":\"caf\xc3\xa9\"}\n");
  CHECK(json_line(Json("a\nb\t\"\\")) == "\"a\\nb\\t\\\"\\\\\"\n");
  // Never throws: bytes that are not UTF-8 (which no answer holds) become
  // U+FFFD rather than an exception.
  CHECK(json_line(Json(std::string("a\xff"))) == "\"a\xef\xbf\xbd\"\n");
}

TEST_CASE("json: writes answer the version, refresh the last version", "[cli][json_format]") {
  CHECK(json_line(json_version(7)) == "{\"version\":7}\n");
  constexpr Version kMax = std::numeric_limits<Version>::max();
  CHECK(json_line(json_version(kMax)) == "{\"version\":18446744073709551615}\n");
  CHECK(json_line(json_last_version(0)) == "{\"last_version\":0}\n");
  CHECK(json_line(json_ok()) == "{\"ok\":true}\n");
  CHECK(json_line(json_end_of_list()) == "{\"end\":true}\n");
}

TEST_CASE("json: get answers the key, whether it was found, the value and the version",
          "[cli][json_format]") {
  CHECK(json_line(json_get("k", std::nullopt, std::string("v"))) ==
        "{\"key\":\"k\",\"found\":true,\"value\":\"v\"}\n");
  CHECK(json_line(json_get("k", 3, std::string("v"))) ==
        "{\"key\":\"k\",\"found\":true,\"value\":\"v\",\"at\":3}\n");
  CHECK(json_line(json_get("k", std::nullopt, std::nullopt)) ==
        "{\"key\":\"k\",\"found\":false}\n");
  CHECK(json_line(json_get("k", 0, std::nullopt)) == "{\"key\":\"k\",\"found\":false,\"at\":0}\n");
  // An empty value is found; it is not absent.
  CHECK(json_line(json_get("k", std::nullopt, std::string())) ==
        "{\"key\":\"k\",\"found\":true,\"value\":\"\"}\n");
  // Values that the text answer must escape are plain JSON.
  CHECK(json_get("k", std::nullopt, std::string("NOT_FOUND"))["value"] == "NOT_FOUND");
}

TEST_CASE("json: keys and values that are not UTF-8 are {\"hex\": ...}", "[cli][json_format]") {
  const std::string key("a\xff", 2);
  const std::string value("\x00\x01\xfe", 3);
  CHECK(json_line(json_get(key, std::nullopt, value)) ==
        "{\"key\":{\"hex\":\"61ff\"},\"found\":true,\"value\":{\"hex\":\"0001fe\"}}\n");
  CHECK(json_line(json_scan_entry(key, "x y")) ==
        "{\"key\":{\"hex\":\"61ff\"},\"value\":\"x y\"}\n");
  // NUL and control bytes are valid UTF-8: a string with \u escapes.
  CHECK(json_line(json_scan_entry(std::string("\x00k", 2), "\x1f")) ==
        "{\"key\":\"\\u0000k\",\"value\":\"\\u001f\"}\n");
  CHECK(json_line(json_history_entry(key, {.version = 2, .deleted = false, .value = value})) ==
        "{\"key\":{\"hex\":\"61ff\"},\"version\":2,\"kind\":\"put\",\"value\":{\"hex\":\"0001fe\"}}"
        "\n");
}

TEST_CASE("json: history entries are puts with a value or deletes without", "[cli][json_format]") {
  CHECK(json_line(json_history_entry("k", {.version = 9, .deleted = false, .value = "x y"})) ==
        "{\"key\":\"k\",\"version\":9,\"kind\":\"put\",\"value\":\"x y\"}\n");
  CHECK(json_line(json_history_entry("k", {.version = 10, .deleted = true, .value = ""})) ==
        "{\"key\":\"k\",\"version\":10,\"kind\":\"delete\"}\n");
  CHECK(json_line(json_history_entry("k", {.version = 1, .deleted = false, .value = ""})) ==
        "{\"key\":\"k\",\"version\":1,\"kind\":\"put\",\"value\":\"\"}\n");
}

TEST_CASE("json: stats has the levels, then every field with numbers as numbers",
          "[cli][json_format]") {
  Stats s;
  s.last_version = 12;
  s.low_water_mark = 6;
  s.tables[0] = 3;
  s.tables[1] = 4;
  s.tables[2] = 5;
  s.table_bytes[0] = 4096;
  s.table_bytes[1] = 7;
  s.table_bytes[2] = std::numeric_limits<std::uint64_t>::max();
  s.l1_runs = 2;
  s.write_groups = 21;
  s.write_amplification = 2.4683;
  s.space_amplification = 1.0;
  s.manifest_bytes = 15;
  s.block_cache_capacity = 33554432;
  s.wal_buffer_bytes = 28;
  const Json stats = json_stats(s);
  CHECK(json_line(stats["levels"]) ==
        "[{\"level\":0,\"tables\":3,\"bytes\":4096},"
        "{\"level\":1,\"runs\":2,\"tables\":4,\"bytes\":7},"
        "{\"level\":2,\"tables\":5,\"bytes\":18446744073709551615}]\n");
  // The members are "levels", then the text answer's names in its order.
  std::string names;
  for (const auto& [name, value] : stats.items()) names += name + " ";
  CHECK(names ==
        "levels last_version low_water_mark memtable_bytes immutable_memtables tables_l0 "
        "tables_l1 tables_l2 table_bytes_l0 table_bytes_l1 table_bytes_l2 l1_runs wal_bytes "
        "user_bytes_written write_groups wal_syncs flushes flush_bytes_written compactions "
        "compaction_bytes_read compaction_bytes_written write_amplification space_amplification "
        "stalls stall_micros live_snapshots manifest_bytes memtables_used_bytes "
        "memtables_reserved_bytes table_index_filter_bytes block_cache_bytes "
        "block_cache_capacity wal_buffer_bytes ");
  for (const auto& [name, value] : stats.items()) {
    INFO(name);
    if (name == "levels") continue;
    if (name.ends_with("_amplification")) {
      CHECK(value.is_number_float());
    } else {
      CHECK(value.is_number_unsigned());
    }
  }
  CHECK(stats["last_version"] == 12);
  CHECK(stats["low_water_mark"] == 6);
  CHECK(stats["table_bytes_l2"].get<std::uint64_t>() == std::numeric_limits<std::uint64_t>::max());
  CHECK(stats["write_groups"] == 21);
  CHECK(stats["manifest_bytes"] == 15);
  CHECK(stats["block_cache_capacity"] == 33554432);
  CHECK(stats["wal_buffer_bytes"] == 28);
  // Not rounded as the text's two decimals are.
  CHECK(stats["write_amplification"].get<double>() == 2.4683);
  CHECK(json_line(stats).find(",\"write_amplification\":2.4683,\"space_amplification\":1.0,") !=
        std::string::npos);
}

TEST_CASE("json: help describes a command and its options", "[cli][json_format][help]") {
  CHECK(json_line(json_command_help(*find_command("del"))) ==
        "{\"command\":\"del\",\"usage\":\"del KEY\",\"summary\":\"delete KEY; OK <version>\","
        "\"options\":[]}\n");
  const Json scan = json_command_help(*find_command("scan"));
  CHECK(scan["usage"] == "scan [FROM TO] [OPTION...]");
  REQUIRE(scan["options"].size() == 4);
  CHECK(json_line(scan["options"][0]) ==
        "{\"name\":\"--at\",\"argument\":\"VERSION\",\"summary\":\"read as of VERSION (also "
        "written @VERSION)\"}\n");
  // A flag has no argument.
  CHECK(json_line(scan["options"][1]) ==
        "{\"name\":\"--reverse\",\"summary\":\"descending key order\"}\n");
}

TEST_CASE("json: errors name the kind and carry the message", "[cli][json_format]") {
  CHECK(json_line(json_error(Status::busy("./sand-data/LOCK: Resource temporarily unavailable"))) ==
        "{\"error\":\"Busy\",\"message\":\"./sand-data/LOCK: Resource temporarily "
        "unavailable\"}\n");
  // The message is bytes like any other: UTF-8 text as it is (JSON escapes
  // the newline), anything else {"hex": ...}.
  CHECK(json_line(json_error(Status::invalid_argument("caf\xc3\xa9\nC:\\dir"))) ==
        "{\"error\":\"InvalidArgument\",\"message\":\"caf\xc3\xa9\\nC:\\\\dir\"}\n");
  CHECK(json_error(Status::invalid_argument("a\xff"))["message"] == Json{{"hex", "61ff"}});
}

TEST_CASE("json: a Corruption naming its place has file, offset and what", "[cli][json_format]") {
  CHECK(json_line(json_error(Status::corruption("000004.sst", 96, "bad block checksum"))) ==
        "{\"error\":\"Corruption\",\"message\":\"000004.sst: offset 96: bad block checksum\","
        "\"file\":\"000004.sst\",\"offset\":96,\"what\":\"bad block checksum\"}\n");
  // Without a place, or another kind that happens to look like one: the
  // message only.
  CHECK(json_line(json_error(Status::corruption("MANIFEST: no snapshot"))) ==
        "{\"error\":\"Corruption\",\"message\":\"MANIFEST: no snapshot\"}\n");
  CHECK(json_error(Status::io_error("f: offset 3: short read")).size() == 2);
  CHECK(json_error(Status::corruption("f: offset x: y")).size() == 2);
}

using sand::test::mixed_report;

TEST_CASE("json: check answers a line per file, per note, then the summary",
          "[cli][json_format][check]") {
  const std::vector<std::string> report = lines(json_check_report(mixed_report()));
  const std::vector<std::string> want = {
      R"({"record":"file","file":"MANIFEST","type":"manifest","status":"ok","bytes":100,)"
      R"("records":2,"live_tables":4})",
      R"({"record":"file","file":"000007.sst","type":"table","status":"ok","bytes":2000,)"
      R"("blocks":1,"entries":1})",
      R"({"record":"file","file":"000008.sst","type":"table","status":"bad","bytes":900,)"
      R"("blocks":0,"entries":0,"problems":[{"offset":4096,"what":"block checksum mismatch"},)"
      R"({"offset":0,"what":"entry 'a\\x00'@3 has\nversion 0"}]})",
      R"({"record":"file","file":"000009.sst","type":"table","status":"skipped"})",
      R"({"record":"file","file":"000010.sst","type":"table","status":"bad","bytes":0,)"
      R"("blocks":0,"entries":0,"problems":[{"what":"missing: no such file"}]})",
      R"({"record":"file","file":"000011.wal","type":"wal","status":"ok","bytes":48,)"
      R"("records":3,"operations":5})",
      R"({"record":"note","file":"000011.wal","offset":40,"what":"torn tail: 8 bytes"})",
      R"({"record":"note","file":"MANIFEST.tmp","what":"leftover"})",
      R"({"record":"summary","ok":false,"problems":3,"notes":2,)"
      R"("manifest":{"files":1,"bytes":100,"records":2,"live_tables":4},)"
      R"("tables":{"files":3,"bytes":2900,"blocks":1,"entries":1},)"
      R"("wals":{"files":1,"bytes":48,"records":3,"operations":5},"bytes":3048})",
  };
  CHECK(report == want);
}

TEST_CASE("json: an empty check report is its summary, ok", "[cli][json_format][check]") {
  const CheckReport r;
  CHECK(json_check_report(r) == json_line(json_check_summary(r)));
  CHECK(json_check_summary(r)["ok"] == true);
  CHECK(json_check_summary(r)["bytes"] == 0);
}

TEST_CASE("json: a file name that is not UTF-8 is {\"hex\": ...}", "[cli][json_format][check]") {
  const CheckNote note{.file = "\xff.sst", .offset = kWholeFile, .what = "orphan"};
  CHECK(json_line(json_check_note(note)) ==
        "{\"record\":\"note\",\"file\":{\"hex\":\"ff2e737374\"},\"what\":\"orphan\"}\n");
}

}  // namespace
}  // namespace sand::cli
