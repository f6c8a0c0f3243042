// Lines from a stream (stream_line_reader.hpp).
#include "cli/stream_line_reader.hpp"

namespace sand::cli {

StreamLineReader::StreamLineReader(std::istream& in, std::ostream* prompt_out)
    : in_(in), prompt_out_(prompt_out) {}

std::optional<std::string> StreamLineReader::read_line(std::string_view prompt) {
  if (prompt_out_ != nullptr && !prompt.empty()) *prompt_out_ << prompt << std::flush;
  std::string line;
  if (!std::getline(in_, line)) return std::nullopt;
  // getline sets eof only when the line ended at the end of input instead of
  // at an LF: only a CR right before an LF is part of the line ending.
  if (!in_.eof() && line.ends_with('\r')) line.pop_back();
  return line;
}

}  // namespace sand::cli
