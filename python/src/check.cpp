// _check(path): sand::check_database as the named tuples of sanddb._types
// (sanddb.check() documents the answer).
#include "binding.hpp"

namespace sanddb_py {
namespace {

py::object offset_of(std::uint64_t offset) {
  if (offset == sand::kWholeFile) return py::none();
  return py::int_(offset);
}

const char* type_name(sand::CheckFileType t) {
  switch (t) {
    case sand::CheckFileType::kManifest: return "manifest";
    case sand::CheckFileType::kTable: return "table";
    case sand::CheckFileType::kWal: return "wal";
    case sand::CheckFileType::kValueLog: return "value_log";
  }
  return "unknown";
}

const char* outcome_name(sand::CheckedFile::Outcome o) {
  switch (o) {
    case sand::CheckedFile::Outcome::kOk: return "ok";
    case sand::CheckedFile::Outcome::kBad: return "bad";
    case sand::CheckedFile::Outcome::kSkipped: return "skipped";
  }
  return "unknown";
}

py::object totals(const sand::CheckTotals& t) {
  return result_types.check_totals(t.files, t.bytes, t.units, t.entries);
}

py::object check_path(const py::bytes& path_arg) {
  const auto path = path_arg.cast<std::string>();
  sand::Result<sand::CheckReport> checked = [&] {
    py::gil_scoped_release release;
    return sand::check_database(path);
  }();
  const sand::CheckReport report = unwrap(std::move(checked));
  py::list files, problems, notes;
  for (const auto& f : report.files) {
    files.append(result_types.checked_file(text(f.file), type_name(f.type),
                                           outcome_name(f.outcome), f.bytes, f.units,
                                           f.entries));
  }
  for (const auto& p : report.problems) {
    problems.append(result_types.check_problem(text(p.file), offset_of(p.offset), text(p.what)));
  }
  for (const auto& n : report.notes) {
    notes.append(result_types.check_note(text(n.file), offset_of(n.offset), text(n.what)));
  }
  return result_types.check_report(report.ok(), std::move(problems), std::move(notes),
                                   std::move(files), totals(report.manifest),
                                   totals(report.tables), totals(report.wals));
}

}  // namespace

void bind_check(py::module_& m) {
  m.def("_check", &check_path, py::arg("path"),
        "_check(path)\n--\n\nInternal: use sanddb.check().");
}

}  // namespace sanddb_py
