// Tests for src/cli/format.cpp: the exact answer text, help included.
#include "cli/format.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "answer_fixtures.hpp"
#include "cli/command_table.hpp"
#include "cli/escape.hpp"

namespace sand::cli {
namespace {

TEST_CASE("write answers carry the version", "[cli][format]") {
  CHECK(format_version(0) == "OK 0\n");
  CHECK(format_version(72057594037927935ULL) == "OK 72057594037927935\n");
  CHECK(format_ok() == "OK\n");
}

TEST_CASE("get prints the escaped value or NOT_FOUND", "[cli][format]") {
  CHECK(format_get(std::nullopt) == "NOT_FOUND\n");
  CHECK(format_get(std::string("a b\\c\n")) == "a b\\x5cc\\x0a\n");
  CHECK(format_get(std::string()) == "\n");
}

TEST_CASE("get escapes a value that would read as NOT_FOUND or ERR", "[cli][format]") {
  CHECK(format_get(std::string("NOT_FOUND")) == "\\x4eOT_FOUND\n");
  CHECK(format_get(std::string("ERR Busy: x")) == "\\x45RR Busy: x\n");
  CHECK(unescape("\\x4eOT_FOUND").value() == "NOT_FOUND");
  // Only the exact collisions are changed.
  CHECK(format_get(std::string("NOT_FOUND ")) == "NOT_FOUND \n");
  CHECK(format_get(std::string("ERR")) == "ERR\n");
  CHECK(format_get(std::string("ERRx")) == "ERRx\n");
}

TEST_CASE("scan lines escape spaces in keys but not in values", "[cli][format]") {
  CHECK(format_scan_line("a b", "c d") == "a\\x20b\tc d\n");
  CHECK(format_scan_line("k", "") == "k\t\n");
  CHECK(format_scan_line("t\tk", "v\t") == "t\\x09k\tv\\x09\n");
}

TEST_CASE("history lines show puts with values and deletes without", "[cli][format]") {
  CHECK(format_history_line(HistoryEntry{.version = 9, .deleted = false, .value = "x y"}) ==
        "9\tput\tx y\n");
  CHECK(format_history_line(HistoryEntry{.version = 10, .deleted = true, .value = ""}) ==
        "10\tdel\n");
  CHECK(format_history_line(HistoryEntry{.version = 1, .deleted = false, .value = ""}) ==
        "1\tput\t\n");
}

TEST_CASE("sizes print in bytes below 1 KiB, then one decimal", "[cli][format]") {
  CHECK(format_size(0) == "0 B");
  CHECK(format_size(1) == "1 B");
  CHECK(format_size(1023) == "1023 B");
  CHECK(format_size(1024) == "1.0 KiB");
  CHECK(format_size(1536) == "1.5 KiB");
  CHECK(format_size(12'687'769) == "12.1 MiB");
  CHECK(format_size(314'782'924) == "300.2 MiB");
  CHECK(format_size(5ULL << 30) == "5.0 GiB");
  CHECK(format_size(3ULL << 40) == "3.0 TiB");
  CHECK(format_size(18446744073709551615ULL) == "16.0 EiB");
}

TEST_CASE("sizes that would round to 1024.0 move up a unit", "[cli][format]") {
  CHECK(format_size((1 << 20) - 1) == "1.0 MiB");
  CHECK(format_size((1 << 20) - 60) == "1023.9 KiB");
  CHECK(format_size((1ULL << 30) - 1) == "1.0 GiB");
}

TEST_CASE("the levels line shows tables, L1 runs and bytes per level", "[cli][format]") {
  Stats s;
  s.tables[0] = 3;
  s.tables[1] = 5;
  s.tables[2] = 7;
  s.table_bytes[0] = 12'687'769;
  s.table_bytes[1] = 40ULL << 20;
  s.table_bytes[2] = 314'782'924;
  s.l1_runs = 2;
  CHECK(format_levels(s) ==
        "levels: L0=3 tables (12.1 MiB) | L1=2 runs, 5 tables (40.0 MiB) | "
        "L2=7 tables (300.2 MiB)\n");
}

TEST_CASE("the levels line says table and run for exactly one", "[cli][format]") {
  Stats s;
  CHECK(format_levels(s) ==
        "levels: L0=0 tables (0 B) | L1=0 runs, 0 tables (0 B) | L2=0 tables (0 B)\n");
  s.tables[0] = 1;
  s.table_bytes[0] = 900;
  s.l1_runs = 1;
  s.tables[1] = 1;
  s.table_bytes[1] = 2048;
  s.tables[2] = 1;
  s.table_bytes[2] = 1;
  CHECK(format_levels(s) ==
        "levels: L0=1 table (900 B) | L1=1 run, 1 table (2.0 KiB) | L2=1 table (1 B)\n");
}

TEST_CASE("stats prints the levels line, then every field by name", "[cli][format]") {
  Stats s;
  s.last_version = 12;
  s.low_water_mark = 6;
  s.memtable_bytes = 1;
  s.immutable_memtables = 2;
  s.tables[0] = 3;
  s.tables[1] = 4;
  s.tables[2] = 5;
  s.table_bytes[0] = 4096;
  s.table_bytes[1] = 7;
  s.table_bytes[2] = 8;
  s.l1_runs = 2;
  s.wal_bytes = 9;
  s.user_bytes_written = 10;
  s.write_groups = 21;
  s.wal_syncs = 22;
  s.flushes = 11;
  s.flush_bytes_written = 13;
  s.compactions = 16;
  s.compaction_bytes_read = 17;
  s.compaction_bytes_written = 18;
  s.write_amplification = 2.4683;
  s.space_amplification = 1.0;
  s.stalls = 19;
  s.stall_micros = 20;
  s.live_snapshots = 14;
  s.manifest_bytes = 15;
  s.memtables_used_bytes = 23;
  s.memtables_reserved_bytes = 24;
  s.table_index_filter_bytes = 25;
  s.block_cache_bytes = 26;
  s.block_cache_capacity = 27;
  s.wal_buffer_bytes = 28;
  CHECK(format_stats(s) ==
        "levels: L0=3 tables (4.0 KiB) | L1=2 runs, 4 tables (7 B) | L2=5 tables (8 B)\n"
        "last_version: 12\n"
        "low_water_mark: 6\n"
        "memtable_bytes: 1\n"
        "immutable_memtables: 2\n"
        "tables_l0: 3\n"
        "tables_l1: 4\n"
        "tables_l2: 5\n"
        "table_bytes_l0: 4096\n"
        "table_bytes_l1: 7\n"
        "table_bytes_l2: 8\n"
        "l1_runs: 2\n"
        "wal_bytes: 9\n"
        "user_bytes_written: 10\n"
        "write_groups: 21\n"
        "wal_syncs: 22\n"
        "flushes: 11\n"
        "flush_bytes_written: 13\n"
        "compactions: 16\n"
        "compaction_bytes_read: 17\n"
        "compaction_bytes_written: 18\n"
        "write_amplification: 2.47\n"
        "space_amplification: 1.00\n"
        "stalls: 19\n"
        "stall_micros: 20\n"
        "live_snapshots: 14\n"
        "manifest_bytes: 15\n"
        "memtables_used_bytes: 23\n"
        "memtables_reserved_bytes: 24\n"
        "table_index_filter_bytes: 25\n"
        "block_cache_bytes: 26\n"
        "block_cache_capacity: 27\n"
        "wal_buffer_bytes: 28\n");
  CHECK(format_end_of_list() == "\n");
}

TEST_CASE("stats prints amplifications with exactly two decimals", "[cli][format]") {
  const auto amplification_lines = [](double write, double space) {
    Stats s;
    s.write_amplification = write;
    s.space_amplification = space;
    const std::string out = format_stats(s);
    const std::size_t begin = out.find("write_amplification: ");
    const std::size_t end = out.find("stalls: ");
    REQUIRE(begin != std::string::npos);
    REQUIRE(end != std::string::npos);
    return out.substr(begin, end - begin);
  };
  CHECK(amplification_lines(0, 0) == "write_amplification: 0.00\nspace_amplification: 0.00\n");
  CHECK(amplification_lines(12.345678, 1.005) ==
        "write_amplification: 12.35\nspace_amplification: 1.00\n");
  CHECK(amplification_lines(0.999, 3.0) ==
        "write_amplification: 1.00\nspace_amplification: 3.00\n");
}

TEST_CASE("stats_fields lists every field once, the two ratios as doubles", "[cli][format]") {
  Stats s;
  s.tables[2] = 5;
  s.write_amplification = 2.5;
  const std::vector<StatsField> fields = stats_fields(s);
  REQUIRE(fields.size() == 32);
  CHECK(fields.front().name == "last_version");
  CHECK(fields[25].name == "manifest_bytes");
  CHECK(fields.back().name == "wal_buffer_bytes");
  for (const StatsField& field : fields) {
    INFO(field.name);
    CHECK(std::holds_alternative<double>(field.value) == field.name.ends_with("_amplification"));
    if (field.name == "tables_l2") CHECK(std::get<std::uint64_t>(field.value) == 5);
    if (field.name == "write_amplification") CHECK(std::get<double>(field.value) == 2.5);
  }
}

TEST_CASE("printable_text writes bytes outside printable ASCII as hex escapes", "[cli][format]") {
  CHECK(printable_text("plain text, C:\\dir") == "plain text, C:\\dir");
  CHECK(printable_text(std::string("a\0\x7f\n\xc3\xa9", 6)) == "a\\x00\\x7f\\x0a\\xc3\\xa9");
  CHECK(printable_text("") == "");
}

TEST_CASE("errors name the kind and stay on one line", "[cli][format]") {
  CHECK(format_error(Status::busy("./sand-data/LOCK: Resource temporarily unavailable")) ==
        "ERR Busy: ./sand-data/LOCK: Resource temporarily unavailable\n");
  CHECK(format_error(Status::corruption("000004.sst", 96, "bad block checksum")) ==
        "ERR Corruption: 000004.sst: offset 96: bad block checksum\n");
  CHECK(format_error(Status::invalid_argument("two\nlines\xff")) ==
        "ERR InvalidArgument: two\\x0alines\\xff\n");
  CHECK(format_error(Status::invalid_argument("C:\\dir")) == "ERR InvalidArgument: C:\\dir\n");
}

}  // namespace
}  // namespace sand::cli

namespace sand::cli {
namespace {

using sand::test::lines;

TEST_CASE("format_help: one aligned, non-empty line per command", "[cli][format][help]") {
  const std::vector<std::string> help = lines(format_help(command_table()));
  REQUIRE(help.size() == command_table().size());
  const std::size_t column = help[0].find("  set KEY to VALUE") + 2;
  for (std::size_t i = 0; i < help.size(); ++i) {
    const CommandSpec& spec = command_table()[i];
    INFO(help[i]);
    CHECK(help[i].starts_with(std::string(spec.usage) + "  "));
    CHECK(help[i].substr(column) == spec.summary);  // summaries start in one column
    for (char c : help[i]) CHECK((c >= 0x20 && c <= 0x7e));
  }
  CHECK(help[0] ==
        "put KEY VALUE               set KEY to VALUE (the rest of the line, may be "
        "empty); OK <version>");
}

TEST_CASE("format_command_help: usage, summary, then aligned options", "[cli][format][help]") {
  CHECK(format_command_help(*find_command("del")) == "del KEY\n  delete KEY; OK <version>\n");
  CHECK(format_command_help(*find_command("scan")) ==
        "scan [FROM TO] [OPTION...]\n"
        "  KEY<TAB>VALUE lines for FROM <= key < TO (- is an open bound), then an empty line\n"
        "  --at VERSION     read as of VERSION (also written @VERSION)\n"
        "  --reverse        descending key order\n"
        "  --limit N        print at most N entries\n"
        "  --prefix PREFIX  only keys that start with PREFIX (escaped)\n");
}

}  // namespace
}  // namespace sand::cli
