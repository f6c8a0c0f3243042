// `sand shell --json` (ShellOptions::json) over a scripted stream: every
// answer is JSON lines (json_format.hpp), errors included, and list answers
// end with {"end": true} so a script knows when an answer is complete.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command_table.hpp"
#include "cli/json_bytes.hpp"
#include "cli/shell.hpp"
#include "cli/shell_test_db.hpp"
#include "cli/stream_line_reader.hpp"

namespace sand::cli {
namespace {

constexpr ShellOptions kJson{.json = true};

// Every line of `out` parsed; each must be a JSON object and the output must
// end with a newline.
std::vector<Json> parse_lines(const std::string& out) {
  REQUIRE((out.empty() || out.ends_with('\n')));
  std::vector<Json> parsed;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    INFO(line);
    REQUIRE(Json::accept(line));
    parsed.push_back(Json::parse(line));
    REQUIRE(parsed.back().is_object());
  }
  return parsed;
}

TEST_CASE("shell --json: every command answers JSON lines", "[cli][shell][json]") {
  TestDb t;
  const std::string out = t.run(
      "put a 1\n"
      "put b\\xff \\xfe\\x00\n"
      "get a\n"
      "get b\\xff\n"
      "get missing\n"
      "get a @1\n"
      "scan\n"
      "scan --limit 0\n"
      "del a\n"
      "history a\n"
      "sync on\n"
      "flush\n"
      "compact\n"
      "forget-before 1\n"
      "refresh\n"
      "quit\n",
      kJson);
  CHECK(out ==
        "{\"version\":1}\n"
        "{\"version\":2}\n"
        "{\"key\":\"a\",\"found\":true,\"value\":\"1\"}\n"
        "{\"key\":{\"hex\":\"62ff\"},\"found\":true,\"value\":{\"hex\":\"fe00\"}}\n"
        "{\"key\":\"missing\",\"found\":false}\n"
        "{\"key\":\"a\",\"found\":true,\"value\":\"1\",\"at\":1}\n"
        "{\"key\":\"a\",\"value\":\"1\"}\n"
        "{\"key\":{\"hex\":\"62ff\"},\"value\":{\"hex\":\"fe00\"}}\n"
        "{\"end\":true}\n"
        "{\"end\":true}\n"
        "{\"version\":3}\n"
        "{\"key\":\"a\",\"version\":3,\"kind\":\"delete\"}\n"
        "{\"key\":\"a\",\"version\":1,\"kind\":\"put\",\"value\":\"1\"}\n"
        "{\"end\":true}\n"
        "{\"ok\":true}\n"
        "{\"ok\":true}\n"
        "{\"ok\":true}\n"
        "{\"ok\":true}\n"
        "{\"last_version\":3}\n");
  CHECK(parse_lines(out).size() == 19);
  CHECK(t.exit_code() == kShellExitOk);
  // The bytes round-trip through the JSON form.
  CHECK(bytes_from_json(parse_lines(out)[3]["value"], "value").value() == std::string("\xfe\0", 2));
}

TEST_CASE("shell --json: errors are {\"error\": ...} lines on the output, and it goes on",
          "[cli][shell][json]") {
  TestDb t;
  const std::string out = t.run("bogus\nput a\nget a @9\nput a\\q v\nput a 1\n", kJson);
  const std::vector<Json> lines = parse_lines(out);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0] == Json{{"error", "InvalidArgument"},
                         {"message",
                          "unknown command 'bogus' (commands: put get del scan history flush "
                          "compact forget-before checkpoint stats refresh sync quit)"}});
  CHECK(lines[1] == Json{{"error", "InvalidArgument"}, {"message", "usage: put KEY VALUE"}});
  CHECK(lines[2]["error"] == "InvalidArgument");
  CHECK(lines[3]["message"] == "KEY: bad escape at byte 1: expected \\xNN with two hex digits");
  CHECK(lines[4] == Json{{"version", 1}});
  CHECK(t.exit_code() == kShellExitFailed);
}

TEST_CASE("shell --json --bail stops after the first error line", "[cli][shell][json]") {
  TestDb t;
  const std::string out =
      t.run("put a 1\nget nope\nget\nput b 2\n", ShellOptions{.bail = true, .json = true});
  CHECK(out ==
        "{\"version\":1}\n"
        "{\"key\":\"nope\",\"found\":false}\n"
        "{\"error\":\"InvalidArgument\",\"message\":\"usage: get KEY [@VERSION]\"}\n");
  CHECK(t.exit_code() == kShellExitFailed);
}

TEST_CASE("shell --json: stats is one object with every field as a number", "[cli][shell][json]") {
  TestDb t;
  const std::vector<Json> lines = parse_lines(t.run("put a 1\nflush\nstats\n", kJson));
  REQUIRE(lines.size() == 3);
  const Json& stats = lines[2];
  CHECK(stats["last_version"] == 1);
  CHECK(stats["tables_l0"] == 1);
  CHECK(stats["flushes"] == 1);
  CHECK(stats["levels"][0] ==
        Json{{"level", 0}, {"tables", 1}, {"bytes", stats["table_bytes_l0"]}});
  CHECK(stats["table_bytes_l0"].get<std::uint64_t>() > 0);
  CHECK(stats["write_amplification"].is_number());
  CHECK(stats["manifest_bytes"] == t.db().stats().manifest_bytes);
}

TEST_CASE("shell --json: help lists every command, then {\"end\": true}, help CMD one line",
          "[cli][shell][json][help]") {
  TestDb t;
  const std::vector<Json> all = parse_lines(t.run("help\n", kJson));
  REQUIRE(all.size() == command_table().size() + 1);
  for (std::size_t i = 0; i < command_table().size(); ++i) {
    CHECK(all[i]["command"] == command_table()[i].name);
    CHECK(all[i]["usage"] == command_table()[i].usage);
    CHECK(all[i]["options"].is_array());
  }
  CHECK(all.back() == Json{{"end", true}});
  const std::vector<Json> scan = parse_lines(t.run("help scan\n", kJson));
  REQUIRE(scan.size() == 1);
  CHECK(scan[0]["command"] == "scan");
  CHECK(scan[0]["options"].size() == 4);
  CHECK(t.exit_code() == kShellExitOk);
}

TEST_CASE("shell --json at a terminal: no greeting and no closing newline", "[cli][shell][json]") {
  TestDb t;
  std::istringstream in("put a 1\n");
  std::ostringstream out;
  StreamLineReader reader(in);  // the prompt is the reader's, not the shell's
  Shell shell(t.db(), reader, out, ShellOptions{.interactive = true, .json = true});
  CHECK(shell.run() == kShellExitOk);
  CHECK(out.str() == "{\"version\":1}\n");
}

}  // namespace
}  // namespace sand::cli
