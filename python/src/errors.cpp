// Status -> Python exception: one class per sand::Code, defined in
// sanddb/_types.py (so that IOError can also be an OSError and
// InvalidArgument a ValueError), looked up once when the module loads.
#include <array>

#include "binding.hpp"

namespace sanddb_py {
namespace {

// Indexed by sand::Code. Strong references that live as long as the process:
// the classes are never released, so no destructor runs at interpreter exit.
std::array<PyObject*, 8> error_classes{};

}  // namespace

void init_errors(const py::module_& types) {
  const std::pair<sand::Code, const char*> names[] = {
      {sand::Code::kInvalidArgument, "InvalidArgument"},
      {sand::Code::kNotFound, "NotFound"},
      {sand::Code::kCorruption, "Corruption"},
      {sand::Code::kIOError, "IOError"},
      {sand::Code::kBusy, "Busy"},
      {sand::Code::kReadOnly, "ReadOnly"},
      {sand::Code::kConflict, "Conflict"},
  };
  error_classes[0] = py::object(types.attr("Error")).release().ptr();  // an unknown code
  for (const auto& [code, name] : names) {
    error_classes[static_cast<std::size_t>(code)] = py::object(types.attr(name)).release().ptr();
  }
}

py::str text(std::string_view s) {
  // Paths and names are bytes; show any that are not UTF-8 as \xNN.
  PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "backslashreplace");
  if (o == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(o);
}

void raise_status(const sand::Status& status) {
  const auto index = static_cast<std::size_t>(status.code());
  PyObject* cls = index < error_classes.size() && error_classes[index] != nullptr
                      ? error_classes[index]
                      : error_classes[0];
  py::str message = text(status.message());
  PyErr_SetObject(cls, message.ptr());
  throw py::error_already_set();
}

}  // namespace sanddb_py
