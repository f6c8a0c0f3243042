// Tests for src/cli/answer_writer.cpp: the text writer writes format.hpp's
// answers unchanged, the JSON writer json_format.hpp's lines; answers go to
// one stream and errors to the other; only the shell's JSON closes lists.
#include "cli/answer_writer.hpp"

#include <catch2/catch.hpp>
#include <sstream>
#include <string>

#include "cli/check_format.hpp"
#include "cli/format.hpp"
#include "cli/json_format.hpp"

namespace sand::cli {
namespace {

// Writes one of every answer but the error.
void write_every_answer(AnswerWriter& w, const Stats& stats, const CheckReport& report) {
  w.version(3);
  w.last_version(4);
  w.ok();
  w.get("k", std::nullopt, std::string("v"));
  w.get("k", 2, std::nullopt);
  w.scan_entry("a b", "c d");
  w.end_of_list();
  w.history_entry("k", {.version = 2, .deleted = true, .value = ""});
  w.end_of_list();
  w.stats(stats);
  w.help(command_table());
  w.command_help(*find_command("scan"));
  w.check_report(report);
}

CheckReport small_report() {
  CheckReport r;
  r.files = {{.file = "000004.wal", .type = CheckFileType::kWal, .bytes = 9, .units = 1}};
  r.wals = {.files = 1, .bytes = 9, .units = 1};
  return r;
}

TEST_CASE("text writer: format.hpp's answers, errors apart", "[cli][answer_writer]") {
  Stats stats;
  stats.last_version = 4;
  const CheckReport report = small_report();
  std::ostringstream out, err;
  TextAnswerWriter w(out, err);
  write_every_answer(w, stats, report);
  CHECK(out.str() ==
        format_version(3) + format_version(4) + format_ok() + format_get(std::string("v")) +
            format_get(std::nullopt) + format_scan_line("a b", "c d") + "\n" +
            format_history_line({.version = 2, .deleted = true, .value = ""}) + "\n" +
            format_stats(stats) + "\n" + format_help(command_table()) + "\n" +
            format_command_help(*find_command("scan")) + "\n" + format_check_report(report));
  CHECK(err.str().empty());
  w.error(Status::not_found("db: no database"));
  CHECK(err.str() == "ERR NotFound: db: no database\n");
}

TEST_CASE("JSON writer: json_format.hpp's lines, errors apart", "[cli][answer_writer]") {
  Stats stats;
  stats.last_version = 4;
  const CheckReport report = small_report();
  std::string help;
  for (const CommandSpec& command : command_table()) help += json_line(json_command_help(command));
  const std::string answers =
      json_line(json_version(3)) + json_line(json_last_version(4)) + json_line(json_ok()) +
      json_line(json_get("k", std::nullopt, std::string("v"))) +
      json_line(json_get("k", 2, std::nullopt)) + json_line(json_scan_entry("a b", "c d"));
  const std::string history =
      json_line(json_history_entry("k", {.version = 2, .deleted = true, .value = ""}));
  const std::string tail = json_line(json_stats(stats));
  const std::string scan_help = json_line(json_command_help(*find_command("scan")));
  const std::string end = json_line(json_end_of_list());

  SECTION("one-shot commands: a list ends with the output") {
    std::ostringstream out, err;
    JsonAnswerWriter w(out, err, /*close_lists=*/false);
    write_every_answer(w, stats, report);
    CHECK(out.str() == answers + history + tail + help + scan_help + json_check_report(report));
    w.error(Status::not_found("db: no database"));
    CHECK(err.str() == "{\"error\":\"NotFound\",\"message\":\"db: no database\"}\n");
  }
  SECTION("the shell: scan, history and help end with {\"end\": true}") {
    std::ostringstream out, err;
    JsonAnswerWriter w(out, err, /*close_lists=*/true);
    write_every_answer(w, stats, report);
    CHECK(out.str() == answers + end + history + end + tail + help + end + scan_help +
                           json_check_report(report));
    CHECK(err.str().empty());
  }
}

TEST_CASE("make_answer_writer: JSON or text for the one-shot commands", "[cli][answer_writer]") {
  std::ostringstream out, err;
  make_answer_writer(true, out, err)->version(1);
  make_answer_writer(false, out, err)->version(2);
  make_answer_writer(true, out, err)->end_of_list();  // lists are not closed
  make_answer_writer(true, out, err)->error(Status::busy("held"));
  CHECK(out.str() == "{\"version\":1}\nOK 2\n");
  CHECK(err.str() == "{\"error\":\"Busy\",\"message\":\"held\"}\n");
}

}  // namespace
}  // namespace sand::cli
