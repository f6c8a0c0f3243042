// Answer formatting shared by the shell and the one-shot commands.
#include "cli/format.hpp"

#include <cstdint>

#include "cli/escape.hpp"

namespace sand::cli {

std::string format_version(Version version) { return "OK " + std::to_string(version) + "\n"; }

std::string format_ok() { return "OK\n"; }

std::string format_get(const std::optional<std::string>& value) {
  if (!value) return "NOT_FOUND\n";
  std::string text = escape_value(*value);
  // Escaping the first byte keeps the bytes (unescape gives them back) while
  // making the line differ from the NOT_FOUND and ERR answers.
  if (text == "NOT_FOUND" || text.starts_with("ERR ")) {
    text.replace(0, 1, text[0] == 'N' ? "\\x4e" : "\\x45");
  }
  return text + "\n";
}

std::string format_scan_line(std::string_view key, std::string_view value) {
  return escape_key(key) + "\t" + escape_value(value) + "\n";
}

std::string format_history_line(const HistoryEntry& entry) {
  std::string line = std::to_string(entry.version);
  if (entry.deleted) return line + "\tdel\n";
  return line + "\tput\t" + escape_value(entry.value) + "\n";
}

std::string format_stats(const Stats& stats) {
  std::string out;
  const auto line = [&out](std::string_view name, std::uint64_t value) {
    out += name;
    out += ": ";
    out += std::to_string(value);
    out += '\n';
  };
  line("last_version", stats.last_version);
  line("memtable_bytes", stats.memtable_bytes);
  line("immutable_memtables", stats.immutable_memtables);
  for (int level = 0; level < 3; ++level) {
    line("tables_l" + std::to_string(level), stats.tables[level]);
  }
  for (int level = 0; level < 3; ++level) {
    line("table_bytes_l" + std::to_string(level), stats.table_bytes[level]);
  }
  line("wal_bytes", stats.wal_bytes);
  line("user_bytes_written", stats.user_bytes_written);
  line("flushes", stats.flushes);
  line("flush_bytes_written", stats.flush_bytes_written);
  line("live_snapshots", stats.live_snapshots);
  line("manifest_bytes", stats.manifest_bytes);
  return out;
}

std::string format_end_of_list() { return "\n"; }

std::string format_error(const Status& status) {
  // A message is text for people, not data to unescape: backslashes stay as
  // they are (paths, "expected \xNN"), other bytes are escaped only so the
  // answer stays on one line.
  std::string message;
  for (char c : status.message()) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x20 && b <= 0x7e) {
      message.push_back(c);
    } else {
      message += escape_value(std::string_view(&c, 1));
    }
  }
  return "ERR " + std::string(code_name(status.code())) + ": " + message + "\n";
}

}  // namespace sand::cli
