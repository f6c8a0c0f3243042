// The text and JSON answer writers (answer_writer.hpp).
#include "cli/answer_writer.hpp"

#include "cli/check_format.hpp"
#include "cli/format.hpp"
#include "cli/json_format.hpp"

namespace sand::cli {

void TextAnswerWriter::version(Version version) { out_ << format_version(version); }

void TextAnswerWriter::last_version(Version version) { out_ << format_version(version); }

void TextAnswerWriter::ok() { out_ << format_ok(); }

void TextAnswerWriter::get(std::string_view /*key*/, std::optional<Version> /*at*/,
                           const std::optional<std::string>& value) {
  out_ << format_get(value);
}

void TextAnswerWriter::scan_entry(std::string_view key, std::string_view value) {
  out_ << format_scan_line(key, value);
}

void TextAnswerWriter::history_entry(std::string_view /*key*/, const HistoryEntry& entry) {
  out_ << format_history_line(entry);
}

void TextAnswerWriter::get_versioned(std::string_view /*key*/, std::optional<Version> /*at*/,
                                     const std::optional<HistoryEntry>& entry) {
  out_ << format_get_versioned(entry);
}

void TextAnswerWriter::change(Version version, const Change& change) {
  out_ << format_change_line(version, change);
}

void TextAnswerWriter::end_of_list() { out_ << format_end_of_list(); }

void TextAnswerWriter::stats(const Stats& stats) {
  out_ << format_stats(stats) << format_end_of_list();
}

void TextAnswerWriter::help(std::span<const CommandSpec> commands) {
  out_ << format_help(commands) << format_end_of_list();
}

void TextAnswerWriter::command_help(const CommandSpec& command) {
  out_ << format_command_help(command) << format_end_of_list();
}

void TextAnswerWriter::check_report(const CheckReport& report) {
  out_ << format_check_report(report);
}

void TextAnswerWriter::error(const Status& status) { err_ << format_error(status); }

void JsonAnswerWriter::version(Version version) { out_ << json_line(json_version(version)); }

void JsonAnswerWriter::last_version(Version version) {
  out_ << json_line(json_last_version(version));
}

void JsonAnswerWriter::ok() { out_ << json_line(json_ok()); }

void JsonAnswerWriter::get(std::string_view key, std::optional<Version> at,
                           const std::optional<std::string>& value) {
  out_ << json_line(json_get(key, at, value));
}

void JsonAnswerWriter::scan_entry(std::string_view key, std::string_view value) {
  out_ << json_line(json_scan_entry(key, value));
}

void JsonAnswerWriter::history_entry(std::string_view key, const HistoryEntry& entry) {
  out_ << json_line(json_history_entry(key, entry));
}

void JsonAnswerWriter::get_versioned(std::string_view key, std::optional<Version> at,
                                     const std::optional<HistoryEntry>& entry) {
  out_ << json_line(json_get_versioned(key, at, entry));
}

void JsonAnswerWriter::change(Version version, const Change& change) {
  out_ << json_line(json_change(version, change));
}

void JsonAnswerWriter::end_of_list() {
  if (close_lists_) out_ << json_line(json_end_of_list());
}

void JsonAnswerWriter::stats(const Stats& stats) { out_ << json_line(json_stats(stats)); }

void JsonAnswerWriter::help(std::span<const CommandSpec> commands) {
  for (const CommandSpec& command : commands) out_ << json_line(json_command_help(command));
  end_of_list();
}

void JsonAnswerWriter::command_help(const CommandSpec& command) {
  out_ << json_line(json_command_help(command));
}

void JsonAnswerWriter::check_report(const CheckReport& report) {
  out_ << json_check_report(report);
}

void JsonAnswerWriter::error(const Status& status) { err_ << json_line(json_error(status)); }

std::unique_ptr<AnswerWriter> make_answer_writer(bool json, std::ostream& out, std::ostream& err) {
  if (json) return std::make_unique<JsonAnswerWriter>(out, err, /*close_lists=*/false);
  return std::make_unique<TextAnswerWriter>(out, err);
}

}  // namespace sand::cli
