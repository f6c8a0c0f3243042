// The versioned API's commands: getv, put-if, del-if and changes. Their
// grammar (command.cpp), answers (format.cpp, json_format.cpp), execution
// (execute_versioned.cpp), the shell over an in-memory database, and the real
// binary: one-shot text and JSON, exit codes (4 for a conflict), raw values,
// escaping, and a read-modify-write script.
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/answer_writer.hpp"
#include "cli/command.hpp"
#include "cli/command_table.hpp"
#include "cli/completion.hpp"
#include "cli/escape.hpp"
#include "cli/execute.hpp"
#include "cli/format.hpp"
#include "cli/json_format.hpp"
#include "cli/shell_test_db.hpp"
#include "sand_process.hpp"

namespace sand::cli {
namespace {

using sand::test::quote;
using sand::test::Run;
using sand::test::run_sand;
using sand::test::run_script;
using sand::test::TempDir;

Command parse_ok(const std::string& line) {
  Result<Command> c = parse_command(line);
  INFO(line << ": " << c.status().to_string());
  REQUIRE(c.is_ok());
  return *c;
}

std::string parse_error(const std::string& line) {
  Result<Command> c = parse_command(line);
  INFO(line);
  REQUIRE_FALSE(c.is_ok());
  CHECK(c.status().code() == Code::kInvalidArgument);
  return c.status().message();
}

// The lines of `text` without their '\n' (text must end with one).
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

const std::string kBadVersion = "': expected a decimal number below 2^64";

// ---------------------------------------------------------------------------
// Grammar

TEST_CASE("getv: KEY and an optional @V as get reads them", "[cli][versioned][command]") {
  Command c = parse_ok("getv k");
  CHECK(c.kind == CommandKind::kGetVersioned);
  CHECK(c.key == "k");
  CHECK(c.at == std::nullopt);
  CHECK(parse_ok("getv  a\\x20b   @7").at == 7);
  CHECK(parse_ok("getv  a\\x20b   @7").key == "a b");
  CHECK(parse_error("getv") == "usage: getv KEY [@VERSION]");
  CHECK(parse_error("getv k @1 @2") == "usage: getv KEY [@VERSION]");
  CHECK(parse_error("getv k 7") == "expected @VERSION, got '7'");
  CHECK(parse_error("getv k @x") == "bad version 'x" + kBadVersion);
  CHECK(parse_error("getv k @") == "bad version '" + kBadVersion);
  CHECK(parse_error("getv \\q") == "KEY: bad escape at byte 0: expected \\xNN with two hex digits");
}

TEST_CASE("put-if: the VALUE is the rest of the line after the version",
          "[cli][versioned][command]") {
  Command c = parse_ok("put-if k 3 hello  world ");
  CHECK(c.kind == CommandKind::kPutIf);
  CHECK(c.key == "k");
  CHECK(c.expected == 3);
  CHECK(c.value == "hello  world ");
  CHECK(parse_ok("put-if k 0 ").value.empty());
  CHECK(parse_ok("put-if k 0 ").expected == 0);
  Command spaced = parse_ok("put-if   k\\xff   18446744073709551615 a\\x00b");
  CHECK(spaced.key == "k\xff");
  CHECK(spaced.expected == UINT64_MAX);
  CHECK(spaced.value == std::string("a\0b", 3));
  for (const char* line : {"put-if", "put-if k", "put-if k 1", "put-if   "}) {
    CHECK(parse_error(line) == "usage: put-if KEY VERSION VALUE");
  }
  CHECK(parse_error("put-if k x v") == "bad version 'x" + kBadVersion);
  CHECK(parse_error("put-if k -1 v") == "bad version '-1" + kBadVersion);
  CHECK(parse_error("put-if k 18446744073709551616 v") ==
        "bad version '18446744073709551616" + kBadVersion);
  CHECK(parse_error("put-if k 1 \\zz").starts_with("VALUE: bad escape at byte 0"));
}

TEST_CASE("del-if: KEY and the expected version", "[cli][versioned][command]") {
  Command c = parse_ok("del-if k 5");
  CHECK(c.kind == CommandKind::kDelIf);
  CHECK(c.key == "k");
  CHECK(c.expected == 5);
  CHECK(parse_ok("del-if k 0").expected == 0);
  CHECK(parse_error("del-if k") == "usage: del-if KEY VERSION");
  CHECK(parse_error("del-if k 1 2") == "usage: del-if KEY VERSION");
  CHECK(parse_error("del-if k @1") == "bad version '@1" + kBadVersion);
}

TEST_CASE("changes: SINCE and UNTIL with key options anywhere", "[cli][versioned][command]") {
  Command c = parse_ok("changes 3");
  CHECK(c.kind == CommandKind::kChanges);
  CHECK(c.since == 3);
  CHECK(c.until == std::nullopt);
  CHECK(c.prefix == std::nullopt);
  CHECK(parse_ok("changes 3 9").until == 9);
  Command opts = parse_ok("changes --prefix u\\x3a 0 --from a --to z\\xff 5");
  CHECK(opts.since == 0);
  CHECK(opts.until == 5);
  CHECK(opts.prefix == "u:");
  CHECK(opts.from == "a");
  CHECK(opts.to == "z\xff");
  CHECK(parse_error("changes") == "usage: changes SINCE [UNTIL]");
  CHECK(parse_error("changes --from a") == "usage: changes SINCE [UNTIL]");
  CHECK(parse_error("changes 1 2 3") == "usage: changes SINCE [UNTIL]");
  CHECK(parse_error("changes x") == "bad version 'x" + kBadVersion);
  CHECK(parse_error("changes 1 @2") == "bad version '@2" + kBadVersion);
  CHECK(parse_error("changes 1 --from") == "changes: --from needs KEY");
  CHECK(parse_error("changes 1 --prefix") == "changes: --prefix needs PREFIX");
  CHECK(parse_error("changes 1 --to a --to b") == "changes: --to is given twice");
  CHECK(parse_error("changes 1 --prefix \\q").starts_with("--prefix: bad escape at byte 0"));
  // scan's options are not changes' options: they are taken as versions.
  CHECK(parse_error("changes 1 --limit") == "bad version '--limit" + kBadVersion);
}

TEST_CASE("getv and changes only read - put-if and del-if write", "[cli][versioned][command]") {
  CHECK(is_read_command(CommandKind::kGetVersioned));
  CHECK(is_read_command(CommandKind::kChanges));
  CHECK_FALSE(is_read_command(CommandKind::kPutIf));
  CHECK_FALSE(is_read_command(CommandKind::kDelIf));
}

TEST_CASE("versioned commands are in help and completion but not in the unknown-command list",
          "[cli][versioned][command_table]") {
  for (const char* name : {"getv", "put-if", "del-if", "changes"}) {
    const CommandSpec* spec = find_command(name);
    REQUIRE(spec != nullptr);
    CHECK_FALSE(spec->listed_in_errors);
    CHECK(format_help(command_table()).find("\n" + std::string(spec->usage) + "  ") !=
          std::string::npos);
    CHECK(parse_error("frob").find(std::string(" ") + name + " ") == std::string::npos);
  }
  CHECK(format_command_help(*find_command("changes")) ==
        "changes SINCE [UNTIL]\n"
        "  writes in (SINCE, UNTIL]: V<TAB>put<TAB>KEY<TAB>VALUE or V<TAB>del<TAB>KEY lines, then "
        "an empty line\n"
        "  --prefix PREFIX  only keys that start with PREFIX (escaped)\n"
        "  --from KEY       only keys >= KEY (escaped)\n"
        "  --to KEY         only keys < KEY (escaped)\n");
  CHECK(complete("ge") == Completion{"t", {"get", "getv"}});
  CHECK(complete("getv") == Completion{" ", {"getv"}});
  CHECK(complete("put-") == Completion{"if ", {"put-if"}});
  CHECK(complete("ch") == Completion{"", {"changes", "checkpoint"}});
  CHECK(complete("cha") == Completion{"nges ", {"changes"}});
  CHECK(complete("changes 0 --f") == Completion{"rom ", {"--from"}});
  CHECK(complete("changes 0 --from ") == Completion{});
  CHECK(complete("changes --to z --") == Completion{"", {"--prefix", "--from"}});
  CHECK(complete("put-if k 1 --") == Completion{});  // VALUE is free text
  CHECK(complete("del-if k ") == Completion{});
}

// ---------------------------------------------------------------------------
// Answers

TEST_CASE("format_get_versioned: VERSION then the escaped value or del",
          "[cli][versioned][format]") {
  CHECK(format_get_versioned(std::nullopt) == "NOT_FOUND\n");
  CHECK(format_get_versioned(HistoryEntry{.version = 3, .value = "a b\tc\\"}) ==
        "3\ta b\\x09c\\x5c\n");
  CHECK(format_get_versioned(HistoryEntry{.version = 4, .deleted = true, .value = ""}) ==
        "4\tdel\n");
  CHECK(format_get_versioned(HistoryEntry{.version = 5, .value = ""}) == "5\t\n");
  // A put of "del" must not read as a tombstone; the escape keeps its bytes.
  CHECK(format_get_versioned(HistoryEntry{.version = 6, .value = "del"}) == "6\t\\x64el\n");
  CHECK(unescape("\\x64el").value() == "del");
  CHECK(format_get_versioned(HistoryEntry{.version = 7, .value = "dele"}) == "7\tdele\n");
  // A line always starts with a digit, so NOT_FOUND and ERR need no escape.
  CHECK(format_get_versioned(HistoryEntry{.version = 8, .value = "NOT_FOUND"}) == "8\tNOT_FOUND\n");
}

TEST_CASE("format_change_line: put with KEY and VALUE - del with KEY", "[cli][versioned][format]") {
  CHECK(format_change_line(7, Change{.key = "a b", .value = "v 1\n"}) ==
        "7\tput\ta\\x20b\tv 1\\x0a\n");
  CHECK(format_change_line(8, Change{.key = "k\xff", .deleted = true, .value = ""}) ==
        "8\tdel\tk\\xff\n");
}

TEST_CASE("json_get_versioned and json_change shapes", "[cli][versioned][json]") {
  CHECK(
      json_line(json_get_versioned("k", std::nullopt, HistoryEntry{.version = 3, .value = "v"})) ==
      "{\"key\":\"k\",\"found\":true,\"version\":3,\"kind\":\"put\",\"value\":\"v\"}\n");
  CHECK(json_line(
            json_get_versioned("k", 9, HistoryEntry{.version = 4, .deleted = true, .value = ""})) ==
        "{\"key\":\"k\",\"found\":true,\"version\":4,\"kind\":\"delete\",\"at\":9}\n");
  CHECK(json_line(json_get_versioned("k\xff", 2, std::nullopt)) ==
        "{\"key\":{\"hex\":\"6bff\"},\"found\":false,\"at\":2}\n");
  CHECK(json_line(json_change(5, Change{.key = "a", .value = std::string("\x00\xff", 2)})) ==
        "{\"version\":5,\"kind\":\"put\",\"key\":\"a\",\"value\":{\"hex\":\"00ff\"}}\n");
  CHECK(json_line(json_change(6, Change{.key = "caf\xc3\xa9", .deleted = true, .value = ""})) ==
        "{\"version\":6,\"kind\":\"delete\",\"key\":\"caf\xc3\xa9\"}\n");
}

// ---------------------------------------------------------------------------
// The shell over an in-memory database

TEST_CASE("shell: getv put-if del-if and changes answer in text", "[cli][versioned][shell]") {
  TestDb t;
  const std::string out = t.run(
      "put a 1\n"
      "getv a\n"
      "put-if a 1 two  words\n"
      "put-if a 1 lost\n"
      "getv a @1\n"
      "del-if a 2\n"
      "getv a\n"
      "getv nope\n"
      "put-if b 0 new\n"
      "put-if b 0 again\n"
      "del-if b 9\n"
      "changes 0\n"
      "changes 1 3\n"
      "changes 0 --prefix b\n"
      "changes 0 --from a --to b\n"
      "changes 4\n");
  const std::vector<std::string> lines = lines_of(out);
  REQUIRE(lines.size() == 26);
  CHECK(lines[0] == "OK 1");
  CHECK(lines[1] == "1\t1");
  CHECK(lines[2] == "OK 2");
  CHECK(lines[3].starts_with("ERR Conflict: "));
  CHECK(lines[3].find("'a'") != std::string::npos);
  CHECK(lines[4] == "1\t1");
  CHECK(lines[5] == "OK 3");
  CHECK(lines[6] == "3\tdel");
  CHECK(lines[7] == "NOT_FOUND");
  CHECK(lines[8] == "OK 4");
  CHECK(lines[9].starts_with("ERR Conflict: "));
  CHECK(lines[10].starts_with("ERR Conflict: "));
  const std::string changes(out.substr(out.find("1\tput\ta\t1\n")));
  CHECK(changes ==
        // changes 0
        "1\tput\ta\t1\n"
        "2\tput\ta\ttwo  words\n"
        "3\tdel\ta\n"
        "4\tput\tb\tnew\n"
        "\n"
        // changes 1 3
        "2\tput\ta\ttwo  words\n"
        "3\tdel\ta\n"
        "\n"
        // --prefix b
        "4\tput\tb\tnew\n"
        "\n"
        // --from a --to b
        "1\tput\ta\t1\n"
        "2\tput\ta\ttwo  words\n"
        "3\tdel\ta\n"
        "\n"
        // changes 4: nothing after the last version
        "\n");
  // The failed writes committed nothing.
  CHECK(t.db().last_version() == 4);
  CHECK(t.db().get("b").value() == "new");
  CHECK(t.exit_code() == kShellExitFailed);  // the conflicts were answered ERR
}

TEST_CASE("shell: a batch shows as one version with its keys in order", "[cli][versioned][shell]") {
  TestDb t;
  WriteBatch batch;
  batch.put("z", "last");
  batch.put("a b", std::string("\x00\x01", 2));
  batch.del("m");
  REQUIRE(t.db().write(batch).value() == 1);
  CHECK(t.run("changes 0\n") == "1\tput\ta\\x20b\t\\x00\\x01\n1\tput\tz\tlast\n\n");
  CHECK(t.exit_code() == kShellExitOk);
}

TEST_CASE("shell --json: getv put-if del-if and changes answer JSON lines",
          "[cli][versioned][shell][json]") {
  TestDb t;
  const std::string out = t.run(
      "put a 1\n"
      "getv a\n"
      "put-if a 1 v\\xff\n"
      "getv a @1\n"
      "del-if a 2\n"
      "getv a\n"
      "getv nope\n"
      "changes 1\n"
      "changes 3\n",
      ShellOptions{.json = true});
  CHECK(out ==
        "{\"version\":1}\n"
        "{\"key\":\"a\",\"found\":true,\"version\":1,\"kind\":\"put\",\"value\":\"1\"}\n"
        "{\"version\":2}\n"
        "{\"key\":\"a\",\"found\":true,\"version\":1,\"kind\":\"put\",\"value\":\"1\",\"at\":1}\n"
        "{\"version\":3}\n"
        "{\"key\":\"a\",\"found\":true,\"version\":3,\"kind\":\"delete\"}\n"
        "{\"key\":\"nope\",\"found\":false}\n"
        "{\"version\":2,\"kind\":\"put\",\"key\":\"a\",\"value\":{\"hex\":\"76ff\"}}\n"
        "{\"version\":3,\"kind\":\"delete\",\"key\":\"a\"}\n"
        "{\"end\":true}\n"
        "{\"end\":true}\n");
  CHECK(t.exit_code() == kShellExitOk);
  const std::vector<std::string> conflict = lines_of(t.run("put-if a 1 x\n", {.json = true}));
  REQUIRE(conflict.size() == 1);
  CHECK(conflict[0].starts_with("{\"error\":\"Conflict\",\"message\":\""));
  CHECK(t.exit_code() == kShellExitFailed);
}

TEST_CASE("shell: changes below the retention mark or past the last version is an error",
          "[cli][versioned][shell]") {
  TestDb t;
  for (int i = 0; i < 4; ++i) REQUIRE(t.db().put("k", std::to_string(i)).is_ok());
  REQUIRE(t.db().forget_before(3).is_ok());
  const std::vector<std::string> lines =
      lines_of(t.run("changes 1\n"
                     "changes 3\n"
                     "changes 3 9\n"
                     "changes 4 3\n"
                     "getv k @1\n"));
  REQUIRE(lines.size() == 6);
  CHECK(lines[0].starts_with("ERR InvalidArgument: "));
  CHECK(lines[1] == "4\tput\tk\t3");
  CHECK(lines[2].empty());
  CHECK(lines[3].starts_with("ERR InvalidArgument: "));
  CHECK(lines[4].starts_with("ERR InvalidArgument: "));
  CHECK(lines[5].starts_with("ERR InvalidArgument: "));  // getv below the mark too
}

TEST_CASE("execute: an interrupt ends changes early with the list closed",
          "[cli][versioned][execute]") {
  TestDb t;
  for (const char* key : {"a", "b", "c"}) REQUIRE(t.db().put(key, "v").is_ok());
  std::ostringstream out;
  TextAnswerWriter answers(out, out);
  int polls = 0;
  const InterruptCheck second_poll = [&polls] { return ++polls == 2; };
  Result<Outcome> outcome =
      execute(t.db(), parse_ok("changes 0"), WriteOptions{}, answers, second_poll);
  REQUIRE(outcome.is_ok());
  CHECK(*outcome == Outcome::kInterrupted);
  CHECK(out.str() == "1\tput\ta\tv\n\n");
}

// ---------------------------------------------------------------------------
// The real binary

TEST_CASE("sand getv: text answers and exit codes", "[cli][versioned][binary]") {
  TempDir dir;
  REQUIRE(run_sand(dir, "--db db put a v1").exit_code == 0);
  REQUIRE(run_sand(dir, "--db db put a 'v 2'").exit_code == 0);
  Run getv = run_sand(dir, "--db db getv a");
  CHECK(getv.exit_code == 0);
  CHECK(getv.out == "2\tv 2\n");
  CHECK(getv.err.empty());
  CHECK(run_sand(dir, "--db db getv a @1").out == "1\tv1\n");
  CHECK(run_sand(dir, "--db db getv a --at 1").out == "1\tv1\n");
  Run missing = run_sand(dir, "--db db getv nope");
  CHECK(missing.exit_code == 1);
  CHECK(missing.out == "NOT_FOUND\n");
  REQUIRE(run_sand(dir, "--db db del a").exit_code == 0);
  Run tombstone = run_sand(dir, "--db db getv a");
  CHECK(tombstone.exit_code == 0);  // an entry: exit 1 is for NOT_FOUND only
  CHECK(tombstone.out == "3\tdel\n");
  // Usage errors, before the database opens.
  Run both = run_sand(dir, "--db db getv a @1 --at 1");
  CHECK(both.exit_code == 2);
  CHECK(both.err == "ERR InvalidArgument: getv: give @VERSION or --at VERSION, not both\n");
  Run bare = run_sand(dir, "--db db getv a 1");
  CHECK(bare.exit_code == 2);
  CHECK(bare.err == "ERR InvalidArgument: expected @VERSION, got '1'\n");
  CHECK(run_sand(dir, "--db db getv").exit_code == 2);
  CHECK(run_sand(dir, "--db db getv a @x").exit_code == 2);
  // Past the last version: the database's error.
  Run future = run_sand(dir, "--db db getv a @9");
  CHECK(future.exit_code == 3);
  CHECK(future.err.starts_with("ERR InvalidArgument: "));
  // A read: a missing database is NotFound and is not created.
  Run nodb = run_sand(dir, "--db nodb getv a");
  CHECK(nodb.exit_code == 3);
  CHECK(nodb.err.starts_with("ERR NotFound: "));
}

TEST_CASE("sand put-if and del-if: OK or ERR Conflict with exit 4", "[cli][versioned][binary]") {
  TempDir dir;
  Run create = run_sand(dir, "--db db put-if k 0 first");
  CHECK(create.exit_code == 0);
  CHECK(create.out == "OK 1\n");
  Run again = run_sand(dir, "--db db put-if k 0 second");
  CHECK(again.exit_code == 4);
  CHECK(again.out.empty());
  CHECK(again.err.starts_with("ERR Conflict: "));
  CHECK(again.err.find("'k'") != std::string::npos);
  CHECK(again.err.ends_with("\n"));
  CHECK(run_sand(dir, "--db db put-if k 1 second").out == "OK 2\n");
  Run stale = run_sand(dir, "--db db del-if k 1");
  CHECK(stale.exit_code == 4);
  CHECK(stale.err.starts_with("ERR Conflict: "));
  CHECK(run_sand(dir, "--db db get k").out == "second\n");  // nothing was written
  Run del = run_sand(dir, "--db db del-if k 2");
  CHECK(del.exit_code == 0);
  CHECK(del.out == "OK 3\n");
  // Deleted: the key does not exist, so 0 is its version again.
  CHECK(run_sand(dir, "--db db del-if k 3").exit_code == 4);
  CHECK(run_sand(dir, "--db db put-if k 0 back").out == "OK 4\n");
  CHECK(run_sand(dir, "--db db put-if k 4 ''").out == "OK 5\n");
  CHECK(run_sand(dir, "--db db getv k").out == "5\t\n");
}

TEST_CASE("sand put-if and del-if: usage errors exit 2 and open nothing",
          "[cli][versioned][binary]") {
  TempDir dir;
  Run bad = run_sand(dir, "--db db put-if k x v");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == "ERR InvalidArgument: bad version 'x" + kBadVersion + "\n");
  Run no_value = run_sand(dir, "--db db put-if k 1");
  CHECK(no_value.exit_code == 2);
  CHECK(no_value.err ==
        "ERR InvalidArgument: put-if: VALUE is required (or - to read it from stdin, or "
        "--value-file F)\n");
  Run two_values = run_sand(dir, "--db db put-if k 1 v --value-file f");
  CHECK(two_values.exit_code == 2);
  CHECK(two_values.err ==
        "ERR InvalidArgument: put-if: give VALUE or --value-file F, not both (VALUE - reads "
        "stdin)\n");
  CHECK(run_sand(dir, "--db db put-if k").exit_code == 2);
  CHECK(run_sand(dir, "--db db put-if").exit_code == 2);
  CHECK(run_sand(dir, "--db db del-if k").exit_code == 2);
  CHECK(run_sand(dir, "--db db del-if k -1").exit_code == 2);
  CHECK(run_sand(dir, "--db db del-if k 1 2").exit_code == 2);
  CHECK(run_sand(dir, "--db db put-if " + quote("\\q") + " 0 v").exit_code == 2);
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/db"));
}

TEST_CASE("sand put-if takes put's raw value sources", "[cli][versioned][binary][raw_value]") {
  TempDir dir;
  const std::string bytes("del\x00\xff\r\n", 7);
  {
    std::ofstream f(dir.path() + "/value.bin", std::ios::binary);
    f << bytes;
  }
  CHECK(run_sand(dir, "--db db put-if k 0 --value-file value.bin").out == "OK 1\n");
  CHECK(run_sand(dir, "--db db put-if k 1 -", bytes + "more").out == "OK 2\n");
  CHECK(run_sand(dir, "--db db get k --output -").out == bytes + "more");
  CHECK(run_sand(dir, "--db db getv k @1").out == "1\tdel\\x00\\xff\\x0d\\x0a\n");
  Run missing = run_sand(dir, "--db db put-if k 2 --value-file nope.bin");
  CHECK(missing.exit_code == 3);
  CHECK(missing.err == "ERR IOError: --value-file nope.bin: No such file or directory\n");
}

TEST_CASE("sand changes: text lines then an empty line", "[cli][versioned][binary]") {
  TempDir dir;
  for (const char* args : {"put a 1", "put 'b c' 'x y'", "del a", "put u:1 one", "put u:2 two"}) {
    REQUIRE(run_sand(dir, std::string("--db db ") + args).exit_code == 0);
  }
  Run all = run_sand(dir, "--db db changes 0");
  CHECK(all.exit_code == 0);
  CHECK(all.out ==
        "1\tput\ta\t1\n"
        "2\tput\tb\\x20c\tx y\n"
        "3\tdel\ta\n"
        "4\tput\tu:1\tone\n"
        "5\tput\tu:2\ttwo\n"
        "\n");
  CHECK(run_sand(dir, "--db db changes 2 4").out == "3\tdel\ta\n4\tput\tu:1\tone\n\n");
  CHECK(run_sand(dir, "--db db changes 0 --prefix u:").out ==
        "4\tput\tu:1\tone\n5\tput\tu:2\ttwo\n\n");
  CHECK(run_sand(dir, "--db db changes 0 --from b --to u:2").out ==
        "2\tput\tb\\x20c\tx y\n4\tput\tu:1\tone\n\n");
  CHECK(run_sand(dir, "--db db changes 5").out == "\n");
  // Errors: usage (2) before opening, the database's (3) after.
  CHECK(run_sand(dir, "--db db changes").exit_code == 2);
  Run bad = run_sand(dir, "--db db changes 1 x");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == "ERR InvalidArgument: bad version 'x" + kBadVersion + "\n");
  CHECK(run_sand(dir, "--db db changes 0 --to " + quote("\\q")).exit_code == 2);
  Run future = run_sand(dir, "--db db changes 0 6");
  CHECK(future.exit_code == 3);
  CHECK(future.err.starts_with("ERR InvalidArgument: "));
  CHECK(run_sand(dir, "--db db changes 4 2").exit_code == 3);
}

TEST_CASE("sand changes below the retention mark is an error", "[cli][versioned][binary]") {
  TempDir dir;
  for (const char* args : {"put k 1", "put k 2", "put k 3", "forget-before 2"}) {
    REQUIRE(run_sand(dir, std::string("--db db ") + args).exit_code == 0);
  }
  Run below = run_sand(dir, "--db db changes 1");
  CHECK(below.exit_code == 3);
  CHECK(below.out.empty());
  CHECK(below.err.starts_with("ERR InvalidArgument: "));
  Run json = run_sand(dir, "--db db --json changes 0");
  CHECK(json.exit_code == 3);
  CHECK(json.err.starts_with("{\"error\":\"InvalidArgument\",\"message\":"));
  CHECK(run_sand(dir, "--db db changes 2").out == "3\tput\tk\t3\n\n");
}

TEST_CASE("sand --json: getv put-if del-if and changes", "[cli][versioned][binary][json]") {
  TempDir dir;
  CHECK(run_sand(dir, "--db db --json put-if " + quote("k\\xff") + " 0 " + quote("v\\x00")).out ==
        "{\"version\":1}\n");
  CHECK(run_sand(dir, "--db db --json getv " + quote("k\\xff")).out ==
        "{\"key\":{\"hex\":\"6bff\"},\"found\":true,\"version\":1,\"kind\":\"put\",\"value\":"
        "\"v\\u0000\"}\n");
  Run missing = run_sand(dir, "--db db --json getv nope @1");
  CHECK(missing.exit_code == 1);
  CHECK(missing.out == "{\"key\":\"nope\",\"found\":false,\"at\":1}\n");
  Run conflict = run_sand(dir, "--db db --json del-if " + quote("k\\xff") + " 7");
  CHECK(conflict.exit_code == 4);
  CHECK(conflict.out.empty());
  CHECK(conflict.err.starts_with("{\"error\":\"Conflict\",\"message\":"));
  CHECK(run_sand(dir, "--db db --json del-if " + quote("k\\xff") + " 1").out ==
        "{\"version\":2}\n");
  // A one-shot list ends with the output: no {"end":true}.
  CHECK(run_sand(dir, "--db db --json changes 0").out ==
        "{\"version\":1,\"kind\":\"put\",\"key\":{\"hex\":\"6bff\"},\"value\":\"v\\u0000\"}\n"
        "{\"version\":2,\"kind\":\"delete\",\"key\":{\"hex\":\"6bff\"}}\n");
  Run usage = run_sand(dir, "--db db --json changes x");
  CHECK(usage.exit_code == 2);
  CHECK(usage.err.starts_with("{\"error\":\"InvalidArgument\",\"message\":\"bad version 'x'"));
}

TEST_CASE("sand shell: the versioned commands over a pipe - a conflict exits 3",
          "[cli][versioned][binary][shell]") {
  TempDir dir;
  Run shell = run_sand(dir, "--db db shell",
                       "put-if k 0 a b\n"
                       "getv k\n"
                       "put-if k 0 c\n"
                       "del-if k 1\n"
                       "changes 0\n");
  CHECK(shell.exit_code == 3);  // the shell keeps its codes: 3 when any line failed
  const std::vector<std::string> lines = lines_of(shell.out);
  REQUIRE(lines.size() == 7);
  CHECK(lines[0] == "OK 1");
  CHECK(lines[1] == "1\ta b");
  CHECK(lines[2].starts_with("ERR Conflict: "));
  CHECK(lines[3] == "OK 2");
  CHECK(lines[4] == "1\tput\tk\ta b");
  CHECK(lines[5] == "2\tdel\tk");
  CHECK(lines[6].empty());
  Run json = run_sand(dir, "--db db --json shell", "changes 1\ngetv k\n");
  CHECK(json.exit_code == 0);
  CHECK(json.out ==
        "{\"version\":2,\"kind\":\"delete\",\"key\":\"k\"}\n"
        "{\"end\":true}\n"
        "{\"key\":\"k\",\"found\":true,\"version\":2,\"kind\":\"delete\"}\n");
}

TEST_CASE("sand: a read-modify-write script with getv and put-if retries on a conflict",
          "[cli][versioned][binary][script]") {
  TempDir dir;
  // incr adds 1 to the counter: read it with its version, write the new value
  // only at that version, and on exit 4 (someone wrote in between) read again.
  // INTERFERE makes another writer win the first round.
  const std::string script = R"SH(
tab=$(printf '\t')
incr() {
  while :; do
    line=$($SAND --db db getv counter) || [ $? -eq 1 ] || return 1  # 1: NOT_FOUND
    case "$line" in
      NOT_FOUND | *"${tab}del") v=0 n=0 ;;
      *) v=${line%%"$tab"*} n=${line#*"$tab"} ;;
    esac
    if [ -n "$INTERFERE" ]; then $SAND --db db put counter 10 >/dev/null; INTERFERE=; fi
    $SAND --db db put-if counter "$v" $((n + 1)) && return 0
    code=$?
    [ "$code" -eq 4 ] || return "$code"
    echo retry
  done
}
$SAND --db db put other x >/dev/null  # getv reads: it needs a database
incr && INTERFERE=1 incr && incr && $SAND --db db get counter)SH";
  Run run = run_script(dir, script);
  CHECK(run.exit_code == 0);
  CHECK(run.out ==
        "OK 2\n"   // 0 -> 1
        "retry\n"  // another writer put 10 at version 3
        "OK 4\n"   // 10 -> 11
        "OK 5\n"   // 11 -> 12
        "12\n");
  CHECK(run.err.starts_with("ERR Conflict: "));
  CHECK(run.err.find('\n') == run.err.size() - 1);  // one conflict, one line
}

}  // namespace
}  // namespace sand::cli
