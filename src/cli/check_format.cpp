// Formatting of `sand check` reports.
#include "cli/check_format.hpp"

#include <string_view>

#include "cli/format.hpp"

namespace sand::cli {
namespace {

// "1 block", "3 blocks"; "1 entry", "2 entries".
std::string count(std::uint64_t n, std::string_view noun, std::string_view plural = "") {
  if (n == 1) return "1 " + std::string(noun);
  return std::to_string(n) + " " + (plural.empty() ? std::string(noun) + "s" : std::string(plural));
}

// "<file> offset <N>: <what>" or "<file>: <what>".
std::string finding(std::string_view file, std::uint64_t offset, std::string_view what) {
  std::string out = printable_text(file);
  if (offset != kWholeFile) out += " offset " + std::to_string(offset);
  return out + ": " + printable_text(what) + "\n";
}

std::string details(const CheckedFile& f) {
  switch (f.type) {
    case CheckFileType::kManifest:
      return count(f.units, "record") + ", " + count(f.entries, "live table");
    case CheckFileType::kTable:
      return count(f.units, "block") + ", " + count(f.entries, "entry", "entries");
    case CheckFileType::kWal:
      return count(f.units, "record") + ", " + count(f.entries, "operation");
    case CheckFileType::kValueLog:  // one value per record
      return count(f.units, "record") + ", " + count(f.entries, "value");
  }
  return "";
}

}  // namespace

std::string format_check_summary(const CheckReport& report) {
  std::string out = "summary: " + count(report.problems.size(), "problem") + ", " +
                    count(report.notes.size(), "note") + "; checked ";
  out += count(report.manifest.files, "manifest") + " (" + count(report.manifest.units, "record") +
         "), ";
  out += count(report.tables.files, "table") + " (" + count(report.tables.units, "block") + ", " +
         count(report.tables.entries, "entry", "entries") + "), ";
  out += count(report.wals.files, "WAL") + " (" + count(report.wals.units, "record") + ", " +
         count(report.wals.entries, "operation") + "), ";
  out += format_size(report.manifest.bytes + report.tables.bytes + report.wals.bytes);
  return out + "\n";
}

std::string format_check_report(const CheckReport& report) {
  std::string out;
  for (const CheckedFile& f : report.files) {
    switch (f.outcome) {
      case CheckedFile::Outcome::kOk:
        out += "ok  " + printable_text(f.file) + "  " + details(f) + "\n";
        break;
      case CheckedFile::Outcome::kSkipped:
        out += "skip " + printable_text(f.file) + "  deleted by the writer while being checked\n";
        break;
      case CheckedFile::Outcome::kBad:
        for (const CheckProblem& p : report.problems) {
          if (p.file == f.file) out += "BAD " + finding(p.file, p.offset, p.what);
        }
        break;
    }
  }
  for (const CheckNote& n : report.notes) out += "note " + finding(n.file, n.offset, n.what);
  return out + format_check_summary(report);
}

}  // namespace sand::cli
