// The `sanddb._sanddb` extension module: registers the classes and functions
// of the other files. The public API is the package sanddb (its __init__.py
// re-exports these names).
#include "binding.hpp"

namespace sanddb_py {

ResultTypes result_types;

}  // namespace sanddb_py

PYBIND11_MODULE(_sanddb, m) {
  namespace py = pybind11;
  using namespace sanddb_py;
  // Every docstring starts with its own `name(args)\n--\n\n` line, which
  // Python reads as the text signature (inspect.signature, help()).
  py::options options;
  options.disable_function_signatures();

  m.doc() = "The compiled part of sanddb; use the package `sanddb` instead.";

  // The exception classes and result types live in Python (sanddb/_types.py,
  // imported by the package before this module).
  const py::module_ types = py::module_::import("sanddb._types");
  init_errors(types);
  result_types.history_entry = py::object(types.attr("HistoryEntry")).release();
  result_types.check_report = py::object(types.attr("CheckReport")).release();
  result_types.checked_file = py::object(types.attr("CheckedFile")).release();
  result_types.check_totals = py::object(types.attr("CheckTotals")).release();
  result_types.check_problem = py::object(types.attr("CheckProblem")).release();
  result_types.check_note = py::object(types.attr("CheckNote")).release();
  result_types.change = py::object(types.attr("Change")).release();
  result_types.change_batch = py::object(types.attr("ChangeBatch")).release();

  bind_db(m);
  bind_snapshot_batch(m);
  bind_iterator(m);
  bind_cursor(m);
  bind_change_feed(m);
  bind_check(m);
  bind_archive(m);

  const std::string_view version = sand::version();
  m.attr("__version__") = std::string(version);
}
