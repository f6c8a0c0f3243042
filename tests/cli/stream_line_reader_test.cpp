// Tests for src/cli/stream_line_reader.cpp: line endings, a missing last
// newline, prompts.
#include "cli/stream_line_reader.hpp"

#include <catch2/catch.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace sand::cli {
namespace {

// Every line `reader` gives until the end of input.
std::vector<std::string> read_all(LineReader& reader) {
  std::vector<std::string> lines;
  while (std::optional<std::string> line = reader.read_line("")) lines.push_back(*line);
  return lines;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::istringstream in(text);
  StreamLineReader reader(in);
  return read_all(reader);
}

using Lines = std::vector<std::string>;

TEST_CASE("stream reader: LF ends a line and is not part of it", "[cli][line_reader]") {
  CHECK(lines_of("a\nb c\n") == Lines{"a", "b c"});
  CHECK(lines_of("\n\n") == Lines{"", ""});
  CHECK(lines_of("").empty());
}

TEST_CASE("stream reader: the last line needs no newline", "[cli][line_reader]") {
  CHECK(lines_of("a\nb") == Lines{"a", "b"});
  CHECK(lines_of("only") == Lines{"only"});
}

TEST_CASE("stream reader: one CR before the LF is part of the line ending", "[cli][line_reader]") {
  CHECK(lines_of("put k v\r\nget k\r\n") == Lines{"put k v", "get k"});
  CHECK(lines_of("\r\n") == Lines{""});
  // Only one: a second CR is data, as is a CR anywhere else.
  CHECK(lines_of("a\r\r\n") == Lines{"a\r"});
  CHECK(lines_of("a\rb\n\rc\n") == Lines{"a\rb", "\rc"});
  // Mixed endings in one input.
  CHECK(lines_of("a\r\nb\nc\r\n") == Lines{"a", "b", "c"});
}

TEST_CASE("stream reader: a CR at the very end, with no LF after it, is data",
          "[cli][line_reader]") {
  CHECK(lines_of("a\r\nb\r") == Lines{"a", "b\r"});
}

TEST_CASE("stream reader: other bytes pass through unchanged", "[cli][line_reader]") {
  const std::string bytes("\x1b[A\t\0\xff", 6);
  CHECK(lines_of(bytes + "\n") == Lines{bytes});
}

TEST_CASE("stream reader: writes non-empty prompts to the prompt stream only",
          "[cli][line_reader]") {
  std::istringstream in("a\nb\n");
  std::ostringstream prompts;
  StreamLineReader reader(in, &prompts);
  CHECK(reader.read_line("> ") == "a");
  CHECK(reader.read_line("") == "b");
  CHECK(reader.read_line("> ") == std::nullopt);
  CHECK(prompts.str() == "> > ");

  std::istringstream in2("a\n");
  StreamLineReader silent(in2);  // no prompt stream: prompts go nowhere
  CHECK(silent.read_line("> ") == "a");
}

TEST_CASE("stream reader: stays at the end of input", "[cli][line_reader]") {
  std::istringstream in("a");
  StreamLineReader reader(in);
  CHECK(reader.read_line("") == "a");
  CHECK(reader.read_line("") == std::nullopt);
  CHECK(reader.read_line("") == std::nullopt);
}

}  // namespace
}  // namespace sand::cli
