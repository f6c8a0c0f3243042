// Tests for src/cli/command_table.cpp: the one list of commands agrees with
// the parser, and its text fits on the protocol's lines.
#include "cli/command_table.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <string>

namespace sand::cli {
namespace {

bool printable_line(std::string_view text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return !text.empty();
}

TEST_CASE("command table: one row per command kind, names unique", "[cli][command_table]") {
  std::set<std::string_view> names;
  std::set<CommandKind> kinds;
  for (const CommandSpec& spec : command_table()) {
    INFO(spec.name);
    CHECK(names.insert(spec.name).second);
    CHECK(kinds.insert(spec.kind).second);
    CHECK(spec.name.find(' ') == std::string_view::npos);
    CHECK(find_command(spec.name) == &spec);
  }
  CHECK(kinds.size() == static_cast<std::size_t>(CommandKind::kQuit));  // all but kNone
  CHECK(kinds.count(CommandKind::kNone) == 0);
  CHECK(find_command("") == nullptr);
  CHECK(find_command("PUT") == nullptr);
  CHECK(find_command("forget_before") == nullptr);
}

TEST_CASE("command table: usage and summaries are single printable lines", "[cli][command_table]") {
  for (const CommandSpec& spec : command_table()) {
    INFO(spec.name);
    CHECK(spec.usage.starts_with(spec.name));
    CHECK(printable_line(spec.usage));
    CHECK(printable_line(spec.summary));
    for (const OptionSpec& option : spec.options) {
      CHECK(option.name.starts_with("--"));
      CHECK(printable_line(option.name));
      CHECK(printable_line(option.summary));
    }
  }
}

TEST_CASE("command table: the parser knows every command and option", "[cli][command_table]") {
  for (const CommandSpec& spec : command_table()) {
    INFO(spec.name);
    // Every name is a command (the grammar may want arguments).
    Result<Command> bare = parse_command(spec.name);
    CHECK((bare.is_ok() || !bare.status().message().starts_with("unknown command")));
    // changes needs its SINCE whatever the options (0: Command's default).
    const std::string required = spec.kind == CommandKind::kChanges ? " 0" : "";
    for (const OptionSpec& option : spec.options) {
      const std::string line = std::string(spec.name) + required + " " + std::string(option.name) +
                               (option.argument.empty() ? "" : " 1");
      INFO(line);
      Result<Command> parsed = parse_command(line);
      REQUIRE(parsed.is_ok());
      // The option changed something: it was not taken as a bound.
      Command plain;
      plain.kind = spec.kind;
      CHECK_FALSE(*parsed == plain);
      // (changes' --from is a key bound by name, not scan's positional FROM.)
      if (option.name != "--from") CHECK(parsed->from == std::nullopt);
    }
    for (std::string_view word : spec.words) {
      CHECK(parse_command(std::string(spec.name) + " " + std::string(word)).is_ok());
    }
  }
}

}  // namespace
}  // namespace sand::cli
