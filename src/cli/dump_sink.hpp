// DumpSink: where `sand dump` writes what it decodes, one record per line
// (spec/dump.md): a JSON object per line with --json, otherwise the same
// members as text for people.
//
// Every record is built as a Json object whose first member is "record" (its
// type). Byte strings (keys, values, magics) go through bytes(), which gives
// spec/json.md's form in JSON mode and the shell's escaping (cli/escape.hpp,
// one token) in text mode, so a text line never holds raw bytes.
//
// Text lines: the record type, then `name=value` per member, separated by
// spaces; an object is `{name=value ...}`, an array `[a,b]`, null `-`, an
// empty string `""`. Records nested under another (a block's entries, a
// batch's operations) are indented by two spaces per level.
//
// Thread-safety: one thread at a time.
#pragma once

#include <ostream>
#include <string_view>

#include "cli/json_bytes.hpp"

namespace sand::cli {

class DumpSink {
 public:
  // Writes to `out`, which must outlive the sink.
  DumpSink(std::ostream& out, bool json) : out_(out), json_(json) {}

  bool json() const { return json_; }

  // `raw` as this sink's form for bytes (see above).
  Json bytes(std::string_view raw) const;

  // Writes `record` as one line; `depth` is its nesting level (text only).
  void emit(const Json& record, int depth = 0);

 private:
  std::ostream& out_;
  bool json_;
};

}  // namespace sand::cli
