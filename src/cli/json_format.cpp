// JSON answers (json_format.hpp, spec/json.md "Answers of the sand tool").
#include "cli/json_format.hpp"

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>

#include "cli/format.hpp"

namespace sand::cli {
namespace {

// What CheckedFile::units and ::entries count in a file of `type`, and the
// name of that type.
struct CheckCounts {
  const char* type;
  const char* units;
  const char* entries;
};

CheckCounts check_counts(CheckFileType type) {
  switch (type) {
    case CheckFileType::kManifest:
      return {"manifest", "records", "live_tables"};
    case CheckFileType::kTable:
      return {"table", "blocks", "entries"};
    case CheckFileType::kWal:
      return {"wal", "records", "operations"};
    case CheckFileType::kValueLog:  // one value per record
      return {"value_log", "records", "values"};
  }
  return {"?", "units", "entries"};
}

const char* check_status(CheckedFile::Outcome outcome) {
  switch (outcome) {
    case CheckedFile::Outcome::kOk:
      return "ok";
    case CheckedFile::Outcome::kBad:
      return "bad";
    case CheckedFile::Outcome::kSkipped:
      return "skipped";
  }
  return "?";
}

Json check_totals(const CheckTotals& totals, CheckFileType type) {
  const CheckCounts names = check_counts(type);
  Json out = Json::object();
  out["files"] = totals.files;
  out["bytes"] = totals.bytes;
  out[names.units] = totals.units;
  out[names.entries] = totals.entries;
  return out;
}

// "offset" only when the finding is about a place in the file.
void add_offset(Json& object, std::uint64_t offset) {
  if (offset != kWholeFile) object["offset"] = offset;
}

// A Corruption's place: its message is "<file>: offset <N>: <what>"
// (Status::corruption(file, offset, what)).
struct Place {
  std::string_view file;
  std::uint64_t offset = 0;
  std::string_view what;
};

std::optional<Place> place_of(const Status& status) {
  if (status.code() != Code::kCorruption) return std::nullopt;
  const std::string_view m = status.message();
  constexpr std::string_view kOffset = ": offset ";
  const std::size_t at = m.find(kOffset);
  if (at == std::string_view::npos) return std::nullopt;
  const char* begin = m.data() + at + kOffset.size();
  const char* end = m.data() + m.size();
  std::uint64_t offset = 0;
  const auto [rest, ec] = std::from_chars(begin, end, offset);
  const std::string_view tail(rest, static_cast<std::size_t>(end - rest));
  if (ec != std::errc() || !tail.starts_with(": ")) return std::nullopt;
  return Place{.file = m.substr(0, at), .offset = offset, .what = tail.substr(2)};
}

}  // namespace

std::string json_line(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

Json json_version(Version version) { return Json{{"version", version}}; }

Json json_last_version(Version version) { return Json{{"last_version", version}}; }

Json json_ok() { return Json{{"ok", true}}; }

Json json_get(std::string_view key, std::optional<Version> at,
              const std::optional<std::string>& value) {
  Json out = Json::object();
  out["key"] = bytes_to_json(key);
  out["found"] = value.has_value();
  if (value) out["value"] = bytes_to_json(*value);
  if (at) out["at"] = *at;
  return out;
}

Json json_scan_entry(std::string_view key, std::string_view value) {
  Json out = Json::object();
  out["key"] = bytes_to_json(key);
  out["value"] = bytes_to_json(value);
  return out;
}

Json json_history_entry(std::string_view key, const HistoryEntry& entry) {
  Json out = Json::object();
  out["key"] = bytes_to_json(key);
  out["version"] = entry.version;
  out["kind"] = entry.deleted ? "delete" : "put";
  if (!entry.deleted) out["value"] = bytes_to_json(entry.value);
  return out;
}

Json json_get_versioned(std::string_view key, std::optional<Version> at,
                        const std::optional<HistoryEntry>& entry) {
  Json out = Json::object();
  out["key"] = bytes_to_json(key);
  out["found"] = entry.has_value();
  if (entry) {
    out["version"] = entry->version;
    out["kind"] = entry->deleted ? "delete" : "put";
    if (!entry->deleted) out["value"] = bytes_to_json(entry->value);
  }
  if (at) out["at"] = *at;
  return out;
}

Json json_change(Version version, const Change& change) {
  Json out = Json::object();
  out["version"] = version;
  out["kind"] = change.deleted ? "delete" : "put";
  out["key"] = bytes_to_json(change.key);
  if (!change.deleted) out["value"] = bytes_to_json(change.value);
  return out;
}

Json json_stats(const Stats& stats) {
  Json levels = Json::array();
  for (int level = 0; level < 3; ++level) {
    Json l = Json::object();
    l["level"] = level;
    if (level == 1) l["runs"] = stats.l1_runs;
    l["tables"] = stats.tables[level];
    l["bytes"] = stats.table_bytes[level];
    levels.push_back(std::move(l));
  }
  Json out = Json::object();
  out["levels"] = std::move(levels);
  for (const StatsField& field : stats_fields(stats)) {
    std::visit([&](auto value) { out[field.name] = value; }, field.value);
  }
  return out;
}

Json json_command_help(const CommandSpec& command) {
  Json options = Json::array();
  for (const OptionSpec& o : command.options) {
    Json option = Json::object();
    option["name"] = o.name;
    if (!o.argument.empty()) option["argument"] = o.argument;
    option["summary"] = o.summary;
    options.push_back(std::move(option));
  }
  Json out = Json::object();
  out["command"] = command.name;
  out["usage"] = command.usage;
  out["summary"] = command.summary;
  out["options"] = std::move(options);
  return out;
}

Json json_end_of_list() { return Json{{"end", true}}; }

Json json_error(const Status& status) {
  Json out = Json::object();
  out["error"] = code_name(status.code());
  out["message"] = bytes_to_json(status.message());
  if (const std::optional<Place> place = place_of(status)) {
    out["file"] = bytes_to_json(place->file);
    out["offset"] = place->offset;
    out["what"] = bytes_to_json(place->what);
  }
  return out;
}

Json json_checked_file(const CheckedFile& file, const CheckReport& report) {
  const CheckCounts names = check_counts(file.type);
  Json out = Json::object();
  out["record"] = "file";
  out["file"] = bytes_to_json(file.file);
  out["type"] = names.type;
  out["status"] = check_status(file.outcome);
  if (file.outcome == CheckedFile::Outcome::kSkipped) return out;
  out["bytes"] = file.bytes;
  out[names.units] = file.units;
  out[names.entries] = file.entries;
  if (file.outcome == CheckedFile::Outcome::kBad) {
    Json problems = Json::array();
    for (const CheckProblem& p : report.problems) {
      if (p.file != file.file) continue;
      Json problem = Json::object();
      add_offset(problem, p.offset);
      problem["what"] = bytes_to_json(p.what);
      problems.push_back(std::move(problem));
    }
    out["problems"] = std::move(problems);
  }
  return out;
}

Json json_check_note(const CheckNote& note) {
  Json out = Json::object();
  out["record"] = "note";
  out["file"] = bytes_to_json(note.file);
  add_offset(out, note.offset);
  out["what"] = bytes_to_json(note.what);
  return out;
}

Json json_check_summary(const CheckReport& report) {
  Json summary = Json::object();
  summary["record"] = "summary";
  summary["ok"] = report.ok();
  summary["problems"] = report.problems.size();
  summary["notes"] = report.notes.size();
  summary["manifest"] = check_totals(report.manifest, CheckFileType::kManifest);
  summary["tables"] = check_totals(report.tables, CheckFileType::kTable);
  summary["wals"] = check_totals(report.wals, CheckFileType::kWal);
  summary["bytes"] = report.manifest.bytes + report.tables.bytes + report.wals.bytes;
  return summary;
}

std::string json_check_report(const CheckReport& report) {
  std::string out;
  for (const CheckedFile& file : report.files) out += json_line(json_checked_file(file, report));
  for (const CheckNote& note : report.notes) out += json_line(json_check_note(note));
  return out + json_line(json_check_summary(report));
}

}  // namespace sand::cli
