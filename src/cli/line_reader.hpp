// LineReader: where the shell's lines come from. The shell asks for one line
// at a time and never sees how it was typed: a StreamLineReader reads a pipe
// or file (stream_line_reader.hpp), an EditlineReader a terminal with line
// editing, history and completion (editline_reader.hpp). Tests drive the
// shell through either.
//
// Thread-safety: an implementation is used by one thread at a time.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sand::cli {

class LineReader {
 public:
  virtual ~LineReader() = default;

  // The next line, without its line ending; nullopt at the end of input.
  // `prompt` is shown first if the reader shows prompts at all ("" shows
  // nothing). A line cancelled while being typed (Ctrl-C at a terminal) is
  // not returned: the reader starts a fresh line itself.
  virtual std::optional<std::string> read_line(std::string_view prompt) = 0;
};

}  // namespace sand::cli
