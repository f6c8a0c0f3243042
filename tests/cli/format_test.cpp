// Tests for src/cli/format.cpp: the exact answer text.
#include "cli/format.hpp"

#include <catch2/catch.hpp>
#include <string>

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

TEST_CASE("stats prints every field by name", "[cli][format]") {
  Stats s;
  s.last_version = 12;
  s.memtable_bytes = 1;
  s.immutable_memtables = 2;
  s.tables[0] = 3;
  s.tables[1] = 4;
  s.tables[2] = 5;
  s.table_bytes[0] = 4096;
  s.table_bytes[1] = 7;
  s.table_bytes[2] = 8;
  s.wal_bytes = 9;
  s.user_bytes_written = 10;
  s.flushes = 11;
  s.flush_bytes_written = 13;
  s.live_snapshots = 14;
  s.manifest_bytes = 15;
  CHECK(format_stats(s) ==
        "last_version: 12\n"
        "memtable_bytes: 1\n"
        "immutable_memtables: 2\n"
        "tables_l0: 3\n"
        "tables_l1: 4\n"
        "tables_l2: 5\n"
        "table_bytes_l0: 4096\n"
        "table_bytes_l1: 7\n"
        "table_bytes_l2: 8\n"
        "wal_bytes: 9\n"
        "user_bytes_written: 10\n"
        "flushes: 11\n"
        "flush_bytes_written: 13\n"
        "live_snapshots: 14\n"
        "manifest_bytes: 15\n");
  CHECK(format_end_of_list() == "\n");
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
