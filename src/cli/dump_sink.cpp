// DumpSink: JSON lines or text lines.
#include "cli/dump_sink.hpp"

#include <string>

#include "cli/escape.hpp"

namespace sand::cli {
namespace {

// A Json value as text; strings were escaped by bytes() or are plain ASCII
// names ("put", "lz4").
void append_text(const Json& value, std::string* line) {
  if (value.is_null()) {
    *line += '-';
  } else if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    *line += s.empty() ? std::string("\"\"") : s;
  } else if (value.is_object()) {
    *line += '{';
    bool first = true;
    for (const auto& [name, member] : value.items()) {
      if (!first) *line += ' ';
      first = false;
      *line += name + "=";
      append_text(member, line);
    }
    *line += '}';
  } else if (value.is_array()) {
    *line += '[';
    bool first = true;
    for (const Json& element : value) {
      if (!first) *line += ',';
      first = false;
      append_text(element, line);
    }
    *line += ']';
  } else {
    *line += value.dump();  // numbers and booleans
  }
}

}  // namespace

Json DumpSink::bytes(std::string_view raw) const {
  return json_ ? bytes_to_json(raw) : Json(escape_key(raw));
}

void DumpSink::emit(const Json& record, int depth) {
  if (json_) {
    out_ << record.dump() << '\n';
    return;
  }
  std::string line(static_cast<std::size_t>(2 * depth), ' ');
  bool first = true;
  for (const auto& [name, member] : record.items()) {
    if (first) {
      // The record type leads the line on its own.
      line += member.get<std::string>();
      first = false;
      continue;
    }
    line += ' ' + name + "=";
    append_text(member, &line);
  }
  out_ << line << '\n';
}

}  // namespace sand::cli
