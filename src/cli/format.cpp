// Answer formatting shared by the shell and the one-shot commands.
#include "cli/format.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <iterator>
#include <system_error>
#include <variant>
#include <vector>

#include "cli/escape.hpp"

namespace sand::cli {
namespace {

// `value` with `decimals` digits after the point. std::to_chars, unlike
// printf, never uses the locale's decimal comma, so scripts can parse it.
std::string fixed(double value, int decimals) {
  // Enough for any finite double in fixed notation (DBL_MAX has 309 digits).
  char buffer[400];
  const auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::fixed, decimals);
  if (ec != std::errc()) return "?";
  return std::string(buffer, end);
}

// "1 table", "3 tables".
std::string count(std::uint64_t n, std::string_view noun) {
  return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

}  // namespace

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

std::string format_get_versioned(const std::optional<HistoryEntry>& entry) {
  if (!entry) return "NOT_FOUND\n";
  std::string line = std::to_string(entry->version);
  if (entry->deleted) return line + "\tdel\n";
  std::string text = escape_value(entry->value);
  // As format_get does for NOT_FOUND: the same bytes, a different line.
  if (text == "del") text.replace(0, 1, "\\x64");
  return line + "\t" + text + "\n";
}

std::string format_change_line(Version version, const Change& change) {
  std::string line = std::to_string(version);
  if (change.deleted) return line + "\tdel\t" + escape_key(change.key) + "\n";
  return line + "\tput\t" + escape_key(change.key) + "\t" + escape_value(change.value) + "\n";
}

std::string format_size(std::uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  static constexpr std::string_view kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(bytes) / 1024;
  std::size_t unit = 0;
  // Move up while one decimal would round to 1024.0, so 1 MiB - 1 byte prints
  // as "1.0 MiB" rather than "1024.0 KiB".
  while (value >= 1023.95 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  return fixed(value, 1) + " " + std::string(kUnits[unit]);
}

std::string format_levels(const Stats& stats) {
  std::string out = "levels:";
  for (int level = 0; level < 3; ++level) {
    out += level == 0 ? " " : " | ";
    // Appended piecewise: g++ 12 at -O3 warns (-Wrestrict, a false positive)
    // on "L" + std::to_string(level).
    out += 'L';
    out += std::to_string(level);
    out += '=';
    if (level == 1) out += count(stats.l1_runs, "run") + ", ";
    out += count(stats.tables[level], "table");
    out += " (" + format_size(stats.table_bytes[level]) + ")";
  }
  return out + "\n";
}

std::vector<StatsField> stats_fields(const Stats& stats) {
  std::vector<StatsField> fields = {
      {"last_version", stats.last_version},
      {"low_water_mark", stats.low_water_mark},
      {"memtable_bytes", stats.memtable_bytes},
      {"immutable_memtables", stats.immutable_memtables},
  };
  for (int level = 0; level < 3; ++level) {
    fields.push_back({"tables_l" + std::to_string(level), stats.tables[level]});
  }
  for (int level = 0; level < 3; ++level) {
    fields.push_back({"table_bytes_l" + std::to_string(level), stats.table_bytes[level]});
  }
  fields.insert(fields.end(), {
                                  {"l1_runs", stats.l1_runs},
                                  {"wal_bytes", stats.wal_bytes},
                                  {"user_bytes_written", stats.user_bytes_written},
                                  {"write_groups", stats.write_groups},
                                  {"wal_syncs", stats.wal_syncs},
                                  {"flushes", stats.flushes},
                                  {"flush_bytes_written", stats.flush_bytes_written},
                                  {"compactions", stats.compactions},
                                  {"compaction_bytes_read", stats.compaction_bytes_read},
                                  {"compaction_bytes_written", stats.compaction_bytes_written},
                                  {"write_amplification", stats.write_amplification},
                                  {"space_amplification", stats.space_amplification},
                                  {"stalls", stats.stalls},
                                  {"stall_micros", stats.stall_micros},
                                  {"live_snapshots", stats.live_snapshots},
                                  {"manifest_bytes", stats.manifest_bytes},
                                  {"memtables_used_bytes", stats.memtables_used_bytes},
                                  {"memtables_reserved_bytes", stats.memtables_reserved_bytes},
                                  {"table_index_filter_bytes", stats.table_index_filter_bytes},
                                  {"block_cache_bytes", stats.block_cache_bytes},
                                  {"block_cache_capacity", stats.block_cache_capacity},
                                  {"wal_buffer_bytes", stats.wal_buffer_bytes},
                              });
  return fields;
}

std::string format_stats(const Stats& stats) {
  std::string out = format_levels(stats);
  for (const StatsField& field : stats_fields(stats)) {
    out += field.name;
    out += ": ";
    if (const auto* ratio = std::get_if<double>(&field.value)) {
      out += fixed(*ratio, 2);
    } else {
      out += std::to_string(std::get<std::uint64_t>(field.value));
    }
    out += '\n';
  }
  return out;
}

std::string format_help(std::span<const CommandSpec> commands) {
  std::size_t width = 0;
  for (const CommandSpec& c : commands) width = std::max(width, c.usage.size());
  std::string out;
  for (const CommandSpec& c : commands) {
    out += c.usage;
    out.append(width - c.usage.size() + 2, ' ');
    out += c.summary;
    out += '\n';
  }
  return out;
}

std::string format_command_help(const CommandSpec& command) {
  std::string out = std::string(command.usage) + "\n  " + std::string(command.summary) + "\n";
  const auto synopsis = [](const OptionSpec& o) {
    return o.argument.empty() ? std::string(o.name)
                              : std::string(o.name) + " " + std::string(o.argument);
  };
  std::size_t width = 0;
  for (const OptionSpec& o : command.options) width = std::max(width, synopsis(o).size());
  for (const OptionSpec& o : command.options) {
    const std::string left = synopsis(o);
    out += "  " + left;
    out.append(width - left.size() + 2, ' ');
    out += o.summary;
    out += '\n';
  }
  return out;
}

std::string format_end_of_list() { return "\n"; }

std::string printable_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x20 && b <= 0x7e) {
      out.push_back(c);
    } else {
      out += escape_value(std::string_view(&c, 1));
    }
  }
  return out;
}

std::string format_error(const Status& status) {
  // A message is text for people, not data to unescape: backslashes stay as
  // they are (paths, "expected \xNN"), other bytes are escaped only so the
  // answer stays on one line.
  return "ERR " + std::string(code_name(status.code())) + ": " + printable_text(status.message()) +
         "\n";
}

}  // namespace sand::cli
