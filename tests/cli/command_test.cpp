// Tests for src/cli/command.cpp: every shell command, arity errors, `@V`
// versions, `-` scan bounds, scan options and help.
#include "cli/command.hpp"

#include <catch2/catch.hpp>
#include <string>

namespace sand::cli {
namespace {

Command parse_ok(std::string_view line) {
  Result<Command> r = parse_command(line);
  INFO("line: " << line);
  REQUIRE(r.is_ok());
  return *r;
}

// The InvalidArgument message parse_command gives for `line`.
std::string parse_error(std::string_view line) {
  Result<Command> r = parse_command(line);
  INFO("line: " << line);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  return r.status().message();
}

Command make(CommandKind kind) {
  Command c;
  c.kind = kind;
  return c;
}

TEST_CASE("empty and all-space lines are no command", "[cli][command]") {
  CHECK(parse_ok("") == Command{});
  CHECK(parse_ok("   ") == Command{});
}

TEST_CASE("put takes the rest of the line as VALUE", "[cli][command]") {
  Command c = parse_ok("put k hello  world ");
  CHECK(c.kind == CommandKind::kPut);
  CHECK(c.key == "k");
  CHECK(c.value == "hello  world ");
}

TEST_CASE("put accepts an empty VALUE and a VALUE with leading spaces", "[cli][command]") {
  CHECK(parse_ok("put k ").value.empty());
  CHECK(parse_ok("put k   x").value == "  x");
}

TEST_CASE("put unescapes KEY and VALUE", "[cli][command]") {
  Command c = parse_ok("put a\\x20b \\x00\\x5c\\x0A");
  CHECK(c.key == "a b");
  CHECK(c.value == std::string("\0\\\n", 3));
}

TEST_CASE("put without VALUE or KEY is a usage error", "[cli][command]") {
  CHECK(parse_error("put") == "usage: put KEY VALUE");
  CHECK(parse_error("put k") == "usage: put KEY VALUE");
  CHECK(parse_error("put  ") == "usage: put KEY VALUE");
}

TEST_CASE("put with a bad escape names the byte", "[cli][command]") {
  CHECK(parse_error("put k a\\qb") ==
        "VALUE: bad escape at byte 1: expected \\xNN with two hex digits");
  CHECK(parse_error("put k\\ v") ==
        "KEY: bad escape at byte 1: expected \\xNN with two hex digits");
}

TEST_CASE("get parses KEY and an optional @VERSION", "[cli][command]") {
  Command plain = make(CommandKind::kGet);
  plain.key = "k";
  CHECK(parse_ok("get k") == plain);
  CHECK(parse_ok("  get   k  ") == plain);
  Command at = plain;
  at.at = 12;
  CHECK(parse_ok("get k @12") == at);
  at.at = 0;
  CHECK(parse_ok("get k @0") == at);
  at.at = 18446744073709551615ULL;
  CHECK(parse_ok("get k @18446744073709551615") == at);
}

TEST_CASE("get rejects a bad @VERSION", "[cli][command]") {
  CHECK(parse_error("get k 12") == "expected @VERSION, got '12'");
  CHECK(parse_error("get k @") == "bad version '': expected a decimal number below 2^64");
  CHECK(parse_error("get k @x1") == "bad version 'x1': expected a decimal number below 2^64");
  CHECK(parse_error("get k @-1") == "bad version '-1': expected a decimal number below 2^64");
  CHECK(parse_error("get k @+1") == "bad version '+1': expected a decimal number below 2^64");
  CHECK(parse_error("get k @12a") == "bad version '12a': expected a decimal number below 2^64");
  CHECK(parse_error("get k @18446744073709551616") ==
        "bad version '18446744073709551616': expected a decimal number below 2^64");
}

TEST_CASE("get with wrong arity is a usage error", "[cli][command]") {
  CHECK(parse_error("get") == "usage: get KEY [@VERSION]");
  CHECK(parse_error("get a @1 b") == "usage: get KEY [@VERSION]");
}

TEST_CASE("keys must be non-empty and at most 64 KiB", "[cli][command]") {
  CHECK(parse_ok("get " + std::string(kMaxKeySize, 'k')).key.size() == kMaxKeySize);
  CHECK(parse_error("get " + std::string(kMaxKeySize + 1, 'k')) ==
        "KEY is 65537 bytes; the limit is 65536");
  CHECK(parse_error("del " + std::string(kMaxKeySize + 1, 'k')) ==
        "KEY is 65537 bytes; the limit is 65536");
  CHECK(parse_error("put " + std::string(kMaxKeySize + 1, 'k') + " v") ==
        "KEY is 65537 bytes; the limit is 65536");
  CHECK(parse_key("").status() == Status::invalid_argument("KEY must not be empty"));
}

TEST_CASE("del and history take exactly one KEY", "[cli][command]") {
  Command del = make(CommandKind::kDel);
  del.key = "a\\";
  CHECK(parse_ok("del a\\x5c") == del);
  Command history = make(CommandKind::kHistory);
  history.key = "a";
  CHECK(parse_ok("history a") == history);
  CHECK(parse_error("del") == "usage: del KEY");
  CHECK(parse_error("del a b") == "usage: del KEY");
  CHECK(parse_error("history") == "usage: history KEY");
  CHECK(parse_error("history a b") == "usage: history KEY");
}

TEST_CASE("scan alone covers everything", "[cli][command]") {
  CHECK(parse_ok("scan") == make(CommandKind::kScan));
}

TEST_CASE("scan takes FROM and TO with - for an open bound", "[cli][command]") {
  Command c = parse_ok("scan a z");
  CHECK(c.from == "a");
  CHECK(c.to == "z");
  c = parse_ok("scan - z");
  CHECK(c.from == std::nullopt);
  CHECK(c.to == "z");
  c = parse_ok("scan a -");
  CHECK(c.from == "a");
  CHECK(c.to == std::nullopt);
  CHECK(parse_ok("scan - -") == make(CommandKind::kScan));
}

TEST_CASE("scan bounds are escaped and an escaped dash is the key -", "[cli][command]") {
  Command c = parse_ok("scan \\x2d a\\x20");
  CHECK(c.from == "-");
  CHECK(c.to == "a ");
  CHECK(parse_error("scan \\q -") ==
        "FROM: bad escape at byte 0: expected \\xNN with two hex digits");
}

TEST_CASE("a bad escape names the argument", "[cli][command]") {
  CHECK(
      parse_arg("VALUE", "ab\\x4").status() ==
      Status::invalid_argument("VALUE: bad escape at byte 2: expected \\xNN with two hex digits"));
  CHECK(parse_error("scan a \\xzz") ==
        "TO: bad escape at byte 0: expected \\xNN with two hex digits");
  CHECK(parse_error("get \\x") == "KEY: bad escape at byte 0: expected \\xNN with two hex digits");
}

TEST_CASE("scan with one or three arguments is a usage error", "[cli][command]") {
  CHECK(parse_error("scan a") == "usage: scan [FROM TO] (- for an open bound)");
  CHECK(parse_error("scan a b c") == "usage: scan [FROM TO] (- for an open bound)");
}

TEST_CASE("flush, stats, refresh and quit take no arguments", "[cli][command]") {
  CHECK(parse_ok("flush") == make(CommandKind::kFlush));
  CHECK(parse_ok("refresh") == make(CommandKind::kRefresh));
  CHECK(parse_error("refresh now") == "usage: refresh");
  CHECK(parse_ok("stats") == make(CommandKind::kStats));
  CHECK(parse_ok("quit") == make(CommandKind::kQuit));
  CHECK(parse_ok("quit ") == make(CommandKind::kQuit));
  CHECK(parse_error("flush now") == "usage: flush");
  CHECK(parse_error("stats x") == "usage: stats");
  CHECK(parse_error("quit 1") == "usage: quit");
}

TEST_CASE("compact takes no arguments", "[cli][command]") {
  CHECK(parse_ok("compact") == make(CommandKind::kCompact));
  CHECK(parse_ok("  compact  ") == make(CommandKind::kCompact));
  CHECK(parse_error("compact now") == "usage: compact");
  CHECK(parse_error("compact 1") == "usage: compact");
}

TEST_CASE("checkpoint takes one escaped DIR", "[cli][command]") {
  Command c = make(CommandKind::kCheckpoint);
  c.dir = "/tmp/copy";
  CHECK(parse_ok("checkpoint /tmp/copy") == c);
  CHECK(parse_ok("  checkpoint   /tmp/copy  ") == c);
  c.dir = "my copy";
  CHECK(parse_ok("checkpoint my\\x20copy") == c);
  CHECK(parse_error("checkpoint") == "usage: checkpoint DIR");
  CHECK(parse_error("checkpoint a b") == "usage: checkpoint DIR");
  CHECK(parse_error("checkpoint a\\q").starts_with("DIR: "));
}

TEST_CASE("forget-before takes one decimal VERSION", "[cli][command]") {
  Command c = make(CommandKind::kForgetBefore);
  c.mark = 7;
  CHECK(parse_ok("forget-before 7") == c);
  CHECK(parse_ok(" forget-before   7 ") == c);
  c.mark = 0;
  CHECK(parse_ok("forget-before 0") == c);
  c.mark = 18446744073709551615ULL;
  CHECK(parse_ok("forget-before 18446744073709551615") == c);
}

TEST_CASE("forget-before rejects a missing, extra or bad VERSION", "[cli][command]") {
  CHECK(parse_error("forget-before") == "usage: forget-before VERSION");
  CHECK(parse_error("forget-before 1 2") == "usage: forget-before VERSION");
  // The shell's `@V` is for reads; the mark is a plain number as on the
  // command line.
  CHECK(parse_error("forget-before @7") ==
        "bad version '@7': expected a decimal number below 2^64");
  CHECK(parse_error("forget-before -1") ==
        "bad version '-1': expected a decimal number below 2^64");
  CHECK(parse_error("forget-before 18446744073709551616") ==
        "bad version '18446744073709551616': expected a decimal number below 2^64");
  CHECK(parse_error("forget-before x") == "bad version 'x': expected a decimal number below 2^64");
}

TEST_CASE("forget_before with an underscore is not a command", "[cli][command]") {
  CHECK(parse_error("forget_before 1").starts_with("unknown command 'forget_before' "));
  CHECK(parse_error("forget 1").starts_with("unknown command 'forget' "));
}

TEST_CASE("sync takes on or off", "[cli][command]") {
  Command on = parse_ok("sync on");
  CHECK(on.kind == CommandKind::kSync);
  CHECK(on.sync);
  Command off = parse_ok("sync off");
  CHECK(off.kind == CommandKind::kSync);
  CHECK_FALSE(off.sync);
  CHECK(parse_error("sync") == "usage: sync on|off");
  CHECK(parse_error("sync yes") == "usage: sync on|off");
  CHECK(parse_error("sync on off") == "usage: sync on|off");
}

TEST_CASE("unknown commands are named, escaped", "[cli][command]") {
  const std::string commands =
      "(commands: put get del scan history flush compact forget-before checkpoint stats refresh "
      "sync quit)";
  CHECK(parse_error("bogus a b") == "unknown command 'bogus' " + commands);
  CHECK(parse_error("PUT a b") == "unknown command 'PUT' " + commands);
  CHECK(parse_error("g\tet a") == "unknown command 'g\\x09et' " + commands);
}

TEST_CASE("parse_version reads plain decimal numbers", "[cli][command]") {
  CHECK(parse_version("7").value() == 7);
  CHECK(parse_version("007").value() == 7);
  CHECK_FALSE(parse_version("").is_ok());
  CHECK_FALSE(parse_version(" 7").is_ok());
}

TEST_CASE("scan options: @V and --at V give the version", "[cli][command][scan]") {
  Command c = make(CommandKind::kScan);
  c.at = 7;
  CHECK(parse_ok("scan @7") == c);
  CHECK(parse_ok("scan --at 7") == c);
  CHECK(parse_ok("scan   --at   7  ") == c);
  c.from = "a";
  c.to = "z";
  CHECK(parse_ok("scan a z @7") == c);
  CHECK(parse_ok("scan @7 a z") == c);
  CHECK(parse_ok("scan a --at 7 z") == c);
}

TEST_CASE("scan options: --reverse, --limit and --prefix", "[cli][command][scan]") {
  Command c = make(CommandKind::kScan);
  c.reverse = true;
  CHECK(parse_ok("scan --reverse") == c);
  c.limit = 0;
  CHECK(parse_ok("scan --limit 0 --reverse") == c);
  c.limit = 18446744073709551615ULL;
  CHECK(parse_ok("scan --reverse --limit 18446744073709551615") == c);
  Command p = make(CommandKind::kScan);
  p.prefix = std::string("a b\xff", 4);
  CHECK(parse_ok("scan --prefix a\\x20b\\xFF") == p);
  Command all = make(CommandKind::kScan);
  all.from = std::nullopt;
  all.to = "m";
  all.at = 3;
  all.reverse = true;
  all.limit = 2;
  all.prefix = "k";
  CHECK(parse_ok("scan --prefix k - m --limit 2 --reverse @3") == all);
}

TEST_CASE("scan options: FROM TO alone reads as before", "[cli][command][scan]") {
  // Tokens that are not exactly an option name, or @ and a digit, are bounds.
  Command c = parse_ok("scan @a --x");
  CHECK(c.from == "@a");
  CHECK(c.to == "--x");
  CHECK(c.at == std::nullopt);
  c = parse_ok("scan @ -reverse");
  CHECK(c.from == "@");
  CHECK(c.to == "-reverse");
  // Escaped, an option name or @digit is a bound.
  c = parse_ok("scan \\x401 \\x2d-limit");
  CHECK(c.from == "@1");
  CHECK(c.to == "--limit");
  CHECK(c.limit == std::nullopt);
}

TEST_CASE("scan options: errors", "[cli][command][scan]") {
  CHECK(parse_error("scan --limit") == "scan: --limit needs N");
  CHECK(parse_error("scan a z --at") == "scan: --at needs VERSION");
  CHECK(parse_error("scan --prefix") == "scan: --prefix needs PREFIX");
  CHECK(parse_error("scan --limit -1") == "bad limit '-1': expected a decimal number below 2^64");
  CHECK(parse_error("scan --limit 18446744073709551616") ==
        "bad limit '18446744073709551616': expected a decimal number below 2^64");
  CHECK(parse_error("scan @1x") == "bad version '1x': expected a decimal number below 2^64");
  CHECK(parse_error("scan --at x") == "bad version 'x': expected a decimal number below 2^64");
  CHECK(parse_error("scan @1 @2") == "scan: the version is given twice");
  CHECK(parse_error("scan --at 1 @2") == "scan: the version is given twice");
  CHECK(parse_error("scan --reverse --reverse") == "scan: --reverse is given twice");
  CHECK(parse_error("scan --prefix a --prefix b") == "scan: --prefix is given twice");
  CHECK(parse_error("scan --prefix a\\q") ==
        "PREFIX: bad escape at byte 1: expected \\xNN with two hex digits");
  // One or three bounds, options or not: 0.2's usage answer.
  CHECK(parse_error("scan a --reverse") == "usage: scan [FROM TO] (- for an open bound)");
  CHECK(parse_error("scan a b c @1") == "usage: scan [FROM TO] (- for an open bound)");
}

TEST_CASE("parse_limit reads plain decimal numbers", "[cli][command]") {
  CHECK(parse_limit("0").value() == 0);
  CHECK(parse_limit("42").value() == 42);
  CHECK_FALSE(parse_limit("").is_ok());
  CHECK_FALSE(parse_limit("+1").is_ok());
  CHECK_FALSE(parse_limit("1 ").is_ok());
}

TEST_CASE("help takes an optional command name", "[cli][command][help]") {
  CHECK(parse_ok("help") == make(CommandKind::kHelp));
  CHECK(parse_ok("  help  ") == make(CommandKind::kHelp));
  Command c = make(CommandKind::kHelp);
  c.topic = "forget-before";
  CHECK(parse_ok("help forget-before") == c);
  c.topic = "help";
  CHECK(parse_ok("help help") == c);
  CHECK(parse_error("help a b") == "usage: help [COMMAND]");
  CHECK(parse_error("help bogus").starts_with("unknown command 'bogus' (commands: put "));
}

TEST_CASE("is_read_command: get, scan, history and stats only read", "[cli][command]") {
  CHECK(is_read_command(CommandKind::kGet));
  CHECK(is_read_command(CommandKind::kScan));
  CHECK(is_read_command(CommandKind::kHistory));
  CHECK(is_read_command(CommandKind::kStats));
  for (CommandKind kind :
       {CommandKind::kNone, CommandKind::kPut, CommandKind::kDel, CommandKind::kFlush,
        CommandKind::kCompact, CommandKind::kForgetBefore, CommandKind::kCheckpoint,
        CommandKind::kRefresh, CommandKind::kSync, CommandKind::kHelp, CommandKind::kQuit}) {
    INFO("kind " << static_cast<int>(kind));
    CHECK_FALSE(is_read_command(kind));
  }
}

}  // namespace
}  // namespace sand::cli
