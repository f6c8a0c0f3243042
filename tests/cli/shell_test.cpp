// End-to-end tests of the shell (src/cli/shell.cpp) against a real DB on an
// in-memory file system: scripts in, exact answer text out.
#include "cli/shell.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>

#include "cli/command_table.hpp"
#include "cli/format.hpp"
#include "cli/shell_test_db.hpp"
#include "cli/stream_line_reader.hpp"
#include "sand/sand.hpp"

namespace sand::cli {
namespace {

TEST_CASE("shell: put and get answer with versions and values", "[cli][shell]") {
  TestDb t;
  CHECK(t.run("put a 1\n"
              "put b hello world\n"
              "get a\n"
              "get b\n"
              "get missing\n") ==
        "OK 1\n"
        "OK 2\n"
        "1\n"
        "hello world\n"
        "NOT_FOUND\n");
}

TEST_CASE("shell: empty lines are ignored and the last line needs no newline", "[cli][shell]") {
  TestDb t;
  CHECK(t.run("\n\nput a 1\n   \nget a") == "OK 1\n1\n");
}

TEST_CASE("shell: values keep spaces and escaped bytes", "[cli][shell]") {
  TestDb t;
  CHECK(t.run("put k\\x20\\x5c  two  spaces\\x00\\x0A\n"
              "get k\\x20\\x5c\n"
              "put e \n"
              "get e\n") ==
        "OK 1\n"
        " two  spaces\\x00\\x0a\n"
        "OK 2\n"
        "\n");
  CHECK(t.db().get("k \\").value() == std::string(" two  spaces\0\n", 14));
  CHECK(t.db().get("e").value() == "");
}

TEST_CASE("shell: history after put, put, del lists newest first", "[cli][shell]") {
  TestDb t;
  CHECK(t.run("put k v1\n"
              "put k v 2\n"
              "del k\n"
              "get k\n"
              "history k\n"
              "history never\n") ==
        "OK 1\n"
        "OK 2\n"
        "OK 3\n"
        "NOT_FOUND\n"
        "3\tdel\n"
        "2\tput\tv 2\n"
        "1\tput\tv1\n"
        "\n"
        "\n");
}

TEST_CASE("shell: get @V reads old versions", "[cli][shell]") {
  TestDb t;
  CHECK(t.run("put k v1\n"
              "put k v2\n"
              "del k\n"
              "get k @0\n"
              "get k @1\n"
              "get k @2\n"
              "get k @3\n") ==
        "OK 1\n"
        "OK 2\n"
        "OK 3\n"
        "NOT_FOUND\n"
        "v1\n"
        "v2\n"
        "NOT_FOUND\n");
}

TEST_CASE("shell: get @V newer than the last version is an error", "[cli][shell]") {
  TestDb t;
  const std::string out = t.run("put k v\nget k @2\nget k\n");
  CHECK(out.starts_with("OK 1\nERR InvalidArgument: "));
  CHECK(out.ends_with("\nv\n"));
}

TEST_CASE("shell: scans with and without bounds", "[cli][shell]") {
  TestDb t;
  CHECK(t.run("put a 1\nput b 2\nput c 3\nput d 4\ndel c\n") == "OK 1\nOK 2\nOK 3\nOK 4\nOK 5\n");
  CHECK(t.run("scan\n") == "a\t1\nb\t2\nd\t4\n\n");
  CHECK(t.run("scan - -\n") == "a\t1\nb\t2\nd\t4\n\n");
  CHECK(t.run("scan b d\n") == "b\t2\n\n");
  CHECK(t.run("scan b -\n") == "b\t2\nd\t4\n\n");
  CHECK(t.run("scan - b\n") == "a\t1\n\n");
  CHECK(t.run("scan x z\n") == "\n");
}

TEST_CASE("shell: scan escapes keys with spaces and an escaped dash bounds the key -",
          "[cli][shell]") {
  TestDb t;
  CHECK(t.run("put a\\x20b x y\nput \\x2d dash\nscan\nscan \\x2d \\x2e\n") ==
        "OK 1\n"
        "OK 2\n"
        "-\tdash\n"
        "a\\x20b\tx y\n"
        "\n"
        "-\tdash\n"
        "\n");
}

TEST_CASE("shell: errors are answered and the shell goes on", "[cli][shell]") {
  TestDb t;
  CHECK(t.run("bogus\n"
              "put a\n"
              "get a\\q\n"
              "scan a\n"
              "put a 1\n") ==
        "ERR InvalidArgument: unknown command 'bogus' (commands: put get del scan history "
        "flush compact forget-before checkpoint stats refresh sync quit)\n"
        "ERR InvalidArgument: usage: put KEY VALUE\n"
        "ERR InvalidArgument: KEY: bad escape at byte 1: expected \\xNN with two hex digits\n"
        "ERR InvalidArgument: usage: scan [FROM TO] (- for an open bound)\n"
        "OK 1\n");
}

TEST_CASE("shell: get of a key longer than 64 KiB is InvalidArgument", "[cli][shell]") {
  TestDb t;
  CHECK(t.run("get " + std::string(kMaxKeySize + 1, 'k') + "\nget " +
              std::string(kMaxKeySize, 'k') + "\n") ==
        "ERR InvalidArgument: KEY is 65537 bytes; the limit is 65536\n"
        "NOT_FOUND\n");
}

TEST_CASE("shell: quit stops before the next line", "[cli][shell]") {
  TestDb t;
  CHECK(t.run("put a 1\nquit\nput b 2\n") == "OK 1\n");
  CHECK(t.db().get("b").value() == std::nullopt);
}

TEST_CASE("shell: sync on and off answer OK and writes go on", "[cli][shell]") {
  TestDb t;
  CHECK(t.run("sync on\nput a 1\nsync off\nput b 2\nsync maybe\n") ==
        "OK\nOK 1\nOK\nOK 2\nERR InvalidArgument: usage: sync on|off\n");
  CHECK(t.db().get("a").value() == "1");
}

TEST_CASE("shell: flush writes a table and stats show it", "[cli][shell]") {
  TestDb t;
  const std::string out = t.run("put a 1\nput b 2\nflush\nstats\n");
  CHECK(out.starts_with("OK 1\nOK 2\nOK\nlevels: L0=1 table ("));
  CHECK(out.find(" | L1=0 runs, 0 tables (0 B) | L2=0 tables (0 B)\nlast_version: 2\n") !=
        std::string::npos);
  CHECK(out.find("\ntables_l0: 1\n") != std::string::npos);
  CHECK(out.find("\nflushes: 1\n") != std::string::npos);
  const Stats after = t.db().stats();
  CHECK(out.find("\nmanifest_bytes: " + std::to_string(after.manifest_bytes) + "\n") !=
        std::string::npos);
  CHECK(out.find("\ntable_index_filter_bytes: " + std::to_string(after.table_index_filter_bytes) +
                 "\n") != std::string::npos);
  CHECK(after.table_index_filter_bytes > 0);
  CHECK(out.ends_with("\nwal_buffer_bytes: " + std::to_string(after.wal_buffer_bytes) + "\n\n"));
  CHECK(t.run("get a\nscan\n") == "1\na\t1\nb\t2\n\n");
}

TEST_CASE("shell: stats answers every field, then an empty line", "[cli][shell]") {
  TestDb t;
  const std::string out = t.run("stats\n");
  std::istringstream lines(out);
  std::string line;
  std::string names;
  while (std::getline(lines, line) && !line.empty()) {
    const std::size_t colon = line.find(": ");
    REQUIRE(colon != std::string::npos);
    names += line.substr(0, colon) + " ";
  }
  CHECK(names ==
        "levels last_version low_water_mark memtable_bytes immutable_memtables tables_l0 "
        "tables_l1 tables_l2 table_bytes_l0 table_bytes_l1 table_bytes_l2 l1_runs wal_bytes "
        "user_bytes_written write_groups wal_syncs flushes flush_bytes_written compactions "
        "compaction_bytes_read "
        "compaction_bytes_written write_amplification space_amplification stalls stall_micros "
        "live_snapshots manifest_bytes memtables_used_bytes memtables_reserved_bytes "
        "table_index_filter_bytes block_cache_bytes block_cache_capacity wal_buffer_bytes ");
  CHECK(out.starts_with(
      "levels: L0=0 tables (0 B) | L1=0 runs, 0 tables (0 B) | L2=0 tables (0 B)\n"));
  CHECK(out.find("\nwrite_amplification: 0.00\n") != std::string::npos);
  CHECK(out.ends_with("\n\n"));
}

TEST_CASE("shell: reopening the database keeps everything", "[cli][shell]") {
  TestDb t;
  CHECK(t.run("put a 1\nput b 2\nflush\nput a 3\ndel b\nput c 4\n") ==
        "OK 1\nOK 2\nOK\nOK 3\nOK 4\nOK 5\n");
  t.reopen();
  CHECK(t.run("scan\nhistory a\nhistory b\nget b @4\nput d 5\n") ==
        "a\t3\n"
        "c\t4\n"
        "\n"
        "3\tput\t3\n"
        "1\tput\t1\n"
        "\n"
        "4\tdel\n"
        "2\tput\t2\n"
        "\n"
        "NOT_FOUND\n"
        "OK 6\n");
}

// The value of the `name: value` line `name` in a stats answer, or "" if absent.
std::string stat(const std::string& answer, std::string_view name) {
  const std::string prefix = "\n" + std::string(name) + ": ";
  const std::size_t begin = answer.find(prefix);
  if (begin == std::string::npos) return "";
  const std::size_t value = begin + prefix.size();
  return answer.substr(value, answer.find('\n', value) - value);
}

// "OK 1\n" .. "OK <n>\n": the answers to n writes on a fresh database.
std::string ok_versions(int n) {
  std::string out;
  for (int v = 1; v <= n; ++v) out += "OK " + std::to_string(v) + "\n";
  return out;
}

// `n` puts of key0000.. with 40-byte values; the first `overwrites` keys are
// written a second time at the end with value "new".
std::string put_script(int n, int overwrites) {
  std::string script;
  char key[16];
  for (int i = 0; i < n; ++i) {
    std::snprintf(key, sizeof(key), "key%04d", i);
    script +=
        "put " + std::string(key) + " " + std::string(40, static_cast<char>('a' + i % 26)) + "\n";
  }
  for (int i = 0; i < overwrites; ++i) {
    std::snprintf(key, sizeof(key), "key%04d", i);
    script += "put " + std::string(key) + " new\n";
  }
  return script;
}

TEST_CASE("shell: compact and forget-before answer OK", "[cli][shell]") {
  TestDb t;
  CHECK(t.run("put a 1\nput a 2\ncompact\nforget-before 2\nforget-before 1\n") ==
        "OK 1\nOK 2\nOK\nOK\nOK\n");
  CHECK(t.run("compact now\nforget-before\nforget-before x\n") ==
        "ERR InvalidArgument: usage: compact\n"
        "ERR InvalidArgument: usage: forget-before VERSION\n"
        "ERR InvalidArgument: bad version 'x': expected a decimal number below 2^64\n");
}

TEST_CASE("shell: compact leaves every table in level 2 and counts compactions", "[cli][shell]") {
  // A 4 KiB memtable makes many small flushes; l0_trigger 2 compacts them into
  // level 1 as they come, so compact has runs in L1 (and maybe L0) to merge.
  TestDb t(Options{.memtable_size = 4096, .l0_trigger = 2});
  constexpr int kKeys = 1000;
  constexpr int kOverwrites = 10;
  REQUIRE(t.run(put_script(kKeys, kOverwrites)) == ok_versions(kKeys + kOverwrites));
  const std::string before = t.run("stats\n");
  CHECK(std::stoull(stat(before, "flushes")) > 2);

  const std::string out = t.run("compact\nstats\n");
  REQUIRE(out.starts_with("OK\nlevels: L0=0 tables (0 B) | L1=0 runs, 0 tables (0 B) | L2="));
  CHECK(stat(out, "tables_l0") == "0");
  CHECK(stat(out, "tables_l1") == "0");
  CHECK(stat(out, "l1_runs") == "0");
  CHECK(std::stoull(stat(out, "tables_l2")) > 0);
  CHECK(std::stoull(stat(out, "table_bytes_l2")) > 0);
  CHECK(std::stoull(stat(out, "compactions")) > 0);
  CHECK(std::stoull(stat(out, "compaction_bytes_written")) > 0);
  CHECK(stat(out, "immutable_memtables") == "0");
  CHECK(stat(out, "space_amplification") == "1.00");
  CHECK(stat(out, "last_version") == std::to_string(kKeys + kOverwrites));

  // Nothing was lost, and with Retention::kAll no version was dropped.
  CHECK(t.run("get key0000\nget key0999\nget key1000\n") ==
        "new\n" + std::string(40, 'a' + 999 % 26) + "\nNOT_FOUND\n");
  CHECK(t.run("history key0001\n") ==
        std::to_string(kKeys + 2) + "\tput\tnew\n2\tput\t" + std::string(40, 'b') + "\n\n");
  const std::string scan = t.run("scan\n");
  CHECK(std::count(scan.begin(), scan.end(), '\n') == kKeys + 1);
}

TEST_CASE("shell: reads below the forget-before mark are refused", "[cli][shell]") {
  TestDb t;
  CHECK(t.run("put k v1\nput k v2\nput j x\nput k v4\nforget-before 3\n") ==
        "OK 1\nOK 2\nOK 3\nOK 4\nOK\n");
  const std::string out = t.run("get k @1\nget k @2\nget k @3\nget k @4\nget k\n");
  std::istringstream lines(out);
  std::string line;
  for (const char* expected : {"", "", "v2", "v4", "v4"}) {
    REQUIRE(std::getline(lines, line));
    if (*expected == '\0') {
      CHECK(line.starts_with("ERR InvalidArgument: "));
    } else {
      CHECK(line == expected);
    }
  }
  CHECK_FALSE(std::getline(lines, line));
  const std::string stats = t.run("stats\n");
  CHECK(stat(stats, "low_water_mark") == "3");
  CHECK(t.run("scan\n") == "j\tx\nk\tv4\n\n");
}

TEST_CASE("shell: history after forget-before keeps the versions at or above the mark",
          "[cli][shell]") {
  TestDb t;
  // k: v1@1 v2@2 (flushed to a table), v4@4 and a delete at 6 in the memtable.
  CHECK(t.run("put k v1\nput k v2\nflush\nput j x\nput k v4\nput j y\ndel k\n") ==
        "OK 1\nOK 2\nOK\nOK 3\nOK 4\nOK 5\nOK 6\n");
  CHECK(t.run("history k\n") == "6\tdel\n4\tput\tv4\n2\tput\tv2\n1\tput\tv1\n\n");
  CHECK(t.run("forget-before 3\n") == "OK\n");
  // Versions >= 3, plus v2: the state of k as of the mark.
  const std::string retained = "6\tdel\n4\tput\tv4\n2\tput\tv2\n\n";
  CHECK(t.run("history k\n") == retained);
  CHECK(t.run("history j\n") == "5\tput\ty\n3\tput\tx\n\n");
  // Compaction drops v1 and the answer stays the same, also after a reopen.
  CHECK(t.run("compact\nhistory k\n") == "OK\n" + retained);
  t.reopen();
  CHECK(t.run("history k\nget k @3\n") == retained + "v2\n");
  CHECK(stat(t.run("stats\n"), "low_water_mark") == "3");
}

TEST_CASE("shell: forget-before never lowers the mark and refuses the future", "[cli][shell]") {
  TestDb t;
  CHECK(t.run("put a 1\nput a 2\nput a 3\nforget-before 3\nforget-before 1\n") ==
        "OK 1\nOK 2\nOK 3\nOK\nOK\n");
  CHECK(stat(t.run("stats\n"), "low_water_mark") == "3");
  CHECK(t.run("get a @2\n").starts_with("ERR InvalidArgument: "));
  CHECK(t.run("forget-before 4\n").starts_with("ERR InvalidArgument: "));
  CHECK(stat(t.run("stats\n"), "low_water_mark") == "3");
}

TEST_CASE("shell: latest-only retention keeps just the newest state", "[cli][shell]") {
  TestDb t(Options{.retention = Retention::kLatestOnly});
  CHECK(t.run("put k v1\nput k v2\nput j x\n") == "OK 1\nOK 2\nOK 3\n");
  CHECK(t.run("history k\n") == "2\tput\tv2\n\n");
  CHECK(t.run("get k @1\n").starts_with("ERR InvalidArgument: "));
  CHECK(t.run("get k\ncompact\nhistory k\n") == "v2\nOK\n2\tput\tv2\n\n");
  CHECK(stat(t.run("stats\n"), "low_water_mark") == "3");
}

TEST_CASE("shell: interactive mode greets, then prompts before every line", "[cli][shell]") {
  TestDb t;
  std::istringstream in("put a 1\nget a\n");
  std::ostringstream out;
  StreamLineReader reader(in, &out);
  Shell shell(t.db(), reader, out, ShellOptions{.interactive = true});
  CHECK(shell.run() == kShellExitOk);
  CHECK(out.str() ==
        "sand shell: type help for the commands, quit or Ctrl-D to leave.\n"
        "sand> OK 1\nsand> 1\nsand> \n");
}

TEST_CASE("shell: exit code 0 when every command succeeded, NOT_FOUND included",
          "[cli][shell][exit]") {
  TestDb t;
  CHECK(t.run("put a 1\nget a\nget missing\n\nscan\nhelp\nquit\n").starts_with("OK 1\n"));
  CHECK(t.exit_code() == kShellExitOk);
  CHECK(t.run("") == "");
  CHECK(t.exit_code() == kShellExitOk);
}

TEST_CASE("shell: exit code 3 when any command failed, and the shell goes on",
          "[cli][shell][exit]") {
  TestDb t;
  CHECK(kShellExitFailed == 3);  // the one-shot commands' "any other error"
  CHECK(t.run("bogus\nput a 1\n") ==
        "ERR InvalidArgument: unknown command 'bogus' (commands: put get del scan history "
        "flush compact forget-before checkpoint stats refresh sync quit)\n"
        "OK 1\n");
  CHECK(t.exit_code() == kShellExitFailed);
  // A database error counts as well as a parse error.
  CHECK(t.run("get a @9\nget a\n").ends_with("\n1\n"));
  CHECK(t.exit_code() == kShellExitFailed);
  // quit after a failure keeps the failure.
  CHECK(t.run("get\nquit\nput b 2\n") == "ERR InvalidArgument: usage: get KEY [@VERSION]\n");
  CHECK(t.exit_code() == kShellExitFailed);
}

TEST_CASE("shell: --bail stops after the first failed command", "[cli][shell][exit]") {
  TestDb t;
  CHECK(t.run("put a 1\nget a\nput a\nput b 2\n", ShellOptions{.bail = true}) ==
        "OK 1\n1\nERR InvalidArgument: usage: put KEY VALUE\n");
  CHECK(t.exit_code() == kShellExitFailed);
  CHECK(t.db().get("b").value() == std::nullopt);
  // NOT_FOUND is an answer, not a failure.
  CHECK(t.run("get nope\nput c 3\n", ShellOptions{.bail = true}) == "NOT_FOUND\nOK 2\n");
  CHECK(t.exit_code() == kShellExitOk);
}

TEST_CASE("shell: a CR before the LF is part of the line ending", "[cli][shell]") {
  TestDb t;
  CHECK(t.run("put k v\r\nget k\r\nput j x\r\r\nhistory k\r\n") == "OK 1\nv\nOK 2\n1\tput\tv\n\n");
  CHECK(t.db().get("k").value() == "v");
  CHECK(t.db().get("j").value() == "x\r");  // only one CR is the line ending's
  CHECK(t.exit_code() == kShellExitOk);
}

TEST_CASE("shell: help lists every command, then an empty line", "[cli][shell][help]") {
  TestDb t;
  const std::string out = t.run("help\n");
  CHECK(out == format_help(command_table()) + "\n");
  CHECK(out.starts_with("put KEY VALUE "));
  CHECK(out.find("\nscan [FROM TO] [OPTION...] ") != std::string::npos);
  CHECK(out.find("\nhelp [COMMAND] ") != std::string::npos);
  // Exactly one empty line, at the end, as scan, history and stats end.
  CHECK(out.find("\n\n") == out.size() - 2);
}

TEST_CASE("shell: help CMD shows its usage and options, an unknown one is an error",
          "[cli][shell][help]") {
  TestDb t;
  const std::string scan = t.run("help scan\n");
  CHECK(scan.starts_with("scan [FROM TO] [OPTION...]\n  KEY<TAB>VALUE lines"));
  CHECK(scan.find("\n  --limit N  ") != std::string::npos);
  CHECK(scan.find("\n  --reverse  ") != std::string::npos);
  CHECK(scan.ends_with("\n\n"));
  CHECK(t.run("help get\n") ==
        "get KEY [@VERSION]\n  the value of KEY (as of VERSION), or NOT_FOUND\n\n");
  CHECK(t.exit_code() == kShellExitOk);
  CHECK(t.run("help nope\nhelp a b\n") ==
        "ERR InvalidArgument: unknown command 'nope' (commands: put get del scan history flush "
        "compact forget-before checkpoint stats refresh sync quit)\n"
        "ERR InvalidArgument: usage: help [COMMAND]\n");
  CHECK(t.exit_code() == kShellExitFailed);
}

TEST_CASE("shell: scan takes a version, reverse, a limit and a prefix", "[cli][shell][scan]") {
  TestDb t;
  CHECK(t.run("put ab 1\nput abc 2\nput abd 3\nput b 4\nput abc 5\ndel abd\n") == ok_versions(6));
  CHECK(t.run("scan --prefix ab\n") == "ab\t1\nabc\t5\n\n");
  CHECK(t.run("scan @4\n") == "ab\t1\nabc\t2\nabd\t3\nb\t4\n\n");
  CHECK(t.run("scan --at 4 --prefix abc\n") == "abc\t2\n\n");
  CHECK(t.run("scan --reverse\n") == "b\t4\nabc\t5\nab\t1\n\n");
  CHECK(t.run("scan --reverse --limit 2 @3\n") == "abd\t3\nabc\t2\n\n");
  CHECK(t.run("scan --limit 0\n") == "\n");
  // Bounds and options mix; the prefix narrows the bounds.
  CHECK(t.run("scan abc - --limit 1\n") == "abc\t5\n\n");
  CHECK(t.run("scan --prefix ab abc z\n") == "abc\t5\n\n");
  CHECK(t.run("scan a abc --prefix b\n") == "\n");  // no overlap: empty, not an error
  CHECK(t.exit_code() == kShellExitOk);
}

TEST_CASE("shell: scan --prefix with 0xff bytes", "[cli][shell][scan]") {
  TestDb t;
  CHECK(t.run("put a\\xff 1\nput a\\xff\\xff 2\nput a\\xffz 3\nput b 4\nput \\xff 5\n"
              "put \\xff\\x01 6\n") == ok_versions(6));
  // Unsigned byte order: a\xff < a\xffz < a\xff\xff < b < \xff < \xff\x01.
  CHECK(t.run("scan --prefix a\\xff\n") == "a\\xff\t1\na\\xffz\t3\na\\xff\\xff\t2\n\n");
  CHECK(t.run("scan --prefix \\xff\n") == "\\xff\t5\n\\xff\\x01\t6\n\n");
  CHECK(t.run("scan --prefix \\xff\\xff\n") == "\n");
  CHECK(t.run("scan --prefix a --reverse\n") == "a\\xff\\xff\t2\na\\xffz\t3\na\\xff\t1\n\n");
}

TEST_CASE("shell: bad scan options are answered ERR", "[cli][shell][scan]") {
  TestDb t;
  CHECK(t.run("scan --limit x\nscan --limit\nscan @1 --at 2\nscan a\nscan --limit 1 --limit 2\n") ==
        "ERR InvalidArgument: bad limit 'x': expected a decimal number below 2^64\n"
        "ERR InvalidArgument: scan: --limit needs N\n"
        "ERR InvalidArgument: scan: the version is given twice\n"
        "ERR InvalidArgument: usage: scan [FROM TO] (- for an open bound)\n"
        "ERR InvalidArgument: scan: --limit is given twice\n");
  CHECK(t.exit_code() == kShellExitFailed);
}

}  // namespace
}  // namespace sand::cli
