// The C API's database check: sand_check and the report it returns.
#include "capi/c_internal.hpp"

using sand::capi::guard;

namespace {

sand_check_file_type_t to_c(sand::CheckFileType type) {
  switch (type) {
    case sand::CheckFileType::kManifest:
      return SAND_CHECK_MANIFEST;
    case sand::CheckFileType::kTable:
      return SAND_CHECK_TABLE;
    case sand::CheckFileType::kWal:
      return SAND_CHECK_WAL;
    case sand::CheckFileType::kValueLog:
      return SAND_CHECK_VALUE_LOG;
  }
  return SAND_CHECK_TABLE;  // unreachable: every type is listed
}

sand_check_outcome_t to_c(sand::CheckedFile::Outcome outcome) {
  switch (outcome) {
    case sand::CheckedFile::Outcome::kOk:
      return SAND_CHECK_FILE_OK;
    case sand::CheckedFile::Outcome::kBad:
      return SAND_CHECK_FILE_BAD;
    case sand::CheckedFile::Outcome::kSkipped:
      return SAND_CHECK_FILE_SKIPPED;
  }
  return SAND_CHECK_FILE_BAD;  // unreachable: every outcome is listed
}

sand_check_totals_t to_c(const sand::CheckTotals& t) {
  return sand_check_totals_t{
      .files = t.files, .bytes = t.bytes, .units = t.units, .entries = t.entries};
}

template <typename Finding>
std::vector<sand_check_finding_t> findings(const std::vector<Finding>& in) {
  std::vector<sand_check_finding_t> out;
  out.reserve(in.size());
  for (const Finding& f : in) {
    out.push_back(
        sand_check_finding_t{.file = f.file.c_str(), .offset = f.offset, .what = f.what.c_str()});
  }
  return out;
}

}  // namespace

// sand::kWholeFile is what the C macro stands for.
static_assert(SAND_CHECK_WHOLE_FILE == sand::kWholeFile);
// The C file types keep sand::CheckFileType's numbers (to_c maps them anyway).
static_assert(static_cast<int>(SAND_CHECK_MANIFEST) ==
                  static_cast<int>(sand::CheckFileType::kManifest) &&
              static_cast<int>(SAND_CHECK_TABLE) == static_cast<int>(sand::CheckFileType::kTable) &&
              static_cast<int>(SAND_CHECK_WAL) == static_cast<int>(sand::CheckFileType::kWal) &&
              static_cast<int>(SAND_CHECK_VALUE_LOG) ==
                  static_cast<int>(sand::CheckFileType::kValueLog));

extern "C" {

sand_code_t sand_check(const char* path, const sand_options_t* opts, sand_check_report_t** report,
                       char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(report, "sand_check");
    *report = nullptr;
    SAND_C_REQUIRE(path, "sand_check");
    auto checked = sand::check_database(path, opts != nullptr ? opts->options : sand::Options{});
    if (!checked.is_ok()) return checked.status();
    auto handle = std::make_unique<sand_check_report>();
    handle->report = std::move(checked).value();
    // The C structs point into the report's strings, which stay put from here
    // on: the report is never changed again.
    const sand::CheckReport& r = handle->report;
    handle->files.reserve(r.files.size());
    for (const sand::CheckedFile& f : r.files) {
      handle->files.push_back(sand_check_file_t{.name = f.file.c_str(),
                                                .type = to_c(f.type),
                                                .outcome = to_c(f.outcome),
                                                .bytes = f.bytes,
                                                .units = f.units,
                                                .entries = f.entries});
    }
    handle->problems = findings(r.problems);
    handle->notes = findings(r.notes);
    handle->totals[SAND_CHECK_MANIFEST] = to_c(r.manifest);
    handle->totals[SAND_CHECK_TABLE] = to_c(r.tables);
    handle->totals[SAND_CHECK_WAL] = to_c(r.wals);
    *report = handle.release();
    return sand::Status::ok();
  });
}

int sand_check_report_ok(const sand_check_report_t* report) {
  return report != nullptr && report->report.ok() ? 1 : 0;
}

size_t sand_check_report_file_count(const sand_check_report_t* report) {
  return report != nullptr ? report->files.size() : 0;
}

const sand_check_file_t* sand_check_report_file(const sand_check_report_t* report, size_t index) {
  if (report == nullptr || index >= report->files.size()) return nullptr;
  return &report->files[index];
}

size_t sand_check_report_problem_count(const sand_check_report_t* report) {
  return report != nullptr ? report->problems.size() : 0;
}

const sand_check_finding_t* sand_check_report_problem(const sand_check_report_t* report,
                                                      size_t index) {
  if (report == nullptr || index >= report->problems.size()) return nullptr;
  return &report->problems[index];
}

size_t sand_check_report_note_count(const sand_check_report_t* report) {
  return report != nullptr ? report->notes.size() : 0;
}

const sand_check_finding_t* sand_check_report_note(const sand_check_report_t* report,
                                                   size_t index) {
  if (report == nullptr || index >= report->notes.size()) return nullptr;
  return &report->notes[index];
}

const sand_check_totals_t* sand_check_report_totals(const sand_check_report_t* report,
                                                    sand_check_file_type_t type) {
  if (report == nullptr) return nullptr;
  switch (type) {
    case SAND_CHECK_MANIFEST:
    case SAND_CHECK_TABLE:
    case SAND_CHECK_WAL:
      return &report->totals[type];
    case SAND_CHECK_VALUE_LOG:
      return nullptr;  // counted in SAND_CHECK_WAL's totals (CheckReport::wals)
  }
  return nullptr;  // a value outside the enum
}

void sand_check_report_destroy(sand_check_report_t* report) { delete report; }

}  // extern "C"
