// StreamLineReader: lines from a std::istream, for `sand shell` reading a
// pipe or a file (the line protocol) and for tests.
//
// A line ends at LF. One CR right before that LF is part of the line ending,
// not of the line ("put k v\r\n" is "put k v"), so files written on Windows
// work; any other CR is data. The last line needs no LF (and then keeps a
// trailing CR). Every other byte, NUL included, is passed on unchanged.
//
// Thread-safety: one thread at a time; borrows the streams, which must
// outlive it.
#pragma once

#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "cli/line_reader.hpp"

namespace sand::cli {

class StreamLineReader final : public LineReader {
 public:
  // `prompt_out`: where read_line writes (and flushes) a non-empty prompt;
  // nullptr shows none.
  explicit StreamLineReader(std::istream& in, std::ostream* prompt_out = nullptr);

  std::optional<std::string> read_line(std::string_view prompt) override;

 private:
  std::istream& in_;
  std::ostream* const prompt_out_;
};

}  // namespace sand::cli
