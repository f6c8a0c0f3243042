// Arguments: bytes-like keys and values, versions, the `sync` choice, `at`.
#include <string>

#include "binding.hpp"

namespace sanddb_py {
namespace {

[[noreturn]] void type_error(const char* what, const char* expected, py::handle got) {
  throw py::type_error(std::string(what) + " must be " + expected + ", not " +
                       Py_TYPE(got.ptr())->tp_name);
}

}  // namespace

Bytes::Bytes(py::handle obj, const char* what) {
  PyObject* o = obj.ptr();
  if (PyBytes_Check(o)) {
    // Immutable, and the caller's argument keeps it alive: a view is safe
    // without the GIL.
    view_ = std::string_view(PyBytes_AS_STRING(o), static_cast<std::size_t>(PyBytes_GET_SIZE(o)));
    return;
  }
  if (PyUnicode_Check(o)) {
    // The UTF-8 form is cached in the (immutable) str object.
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(o, &size);
    if (data == nullptr) throw py::error_already_set();  // e.g. a lone surrogate
    view_ = std::string_view(data, static_cast<std::size_t>(size));
    return;
  }
  if (PyObject_CheckBuffer(o)) {
    // A bytearray or memoryview may change under another thread once the GIL
    // is released: copy it now.
    Py_buffer buffer;
    if (PyObject_GetBuffer(o, &buffer, PyBUF_SIMPLE) != 0) {
      PyErr_Clear();
      type_error(what, "a contiguous bytes-like object or str", obj);
    }
    owned_.assign(static_cast<const char*>(buffer.buf), static_cast<std::size_t>(buffer.len));
    PyBuffer_Release(&buffer);
    view_ = owned_;
    return;
  }
  type_error(what, "bytes, bytearray, memoryview or str", obj);
}

sand::WriteOptions write_options(py::handle sync) {
  if (sync.is_none()) return {};
  if (!PyBool_Check(sync.ptr())) type_error("sync", "None, True or False", sync);
  return {.sync = sync.ptr() == Py_True ? sand::SyncMode::kSync : sand::SyncMode::kNoSync};
}

sand::Version version_arg(py::handle obj, const char* what) {
  if (!PyLong_Check(obj.ptr()) || PyBool_Check(obj.ptr())) type_error(what, "an int", obj);
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(obj.ptr(), &overflow);
  if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
  if (overflow < 0 || (overflow == 0 && v < 0)) {
    throw py::value_error(std::string(what) + " must be a version >= 0, not " +
                          py::str(obj).cast<std::string>());
  }
  if (overflow > 0 || static_cast<sand::Version>(v) > sand::kMaxVersion) {
    throw py::value_error(std::string(what) + " is past the largest version (2**56 - 1): " +
                          py::str(obj).cast<std::string>());
  }
  return static_cast<sand::Version>(v);
}

std::optional<sand::Version> read_version(py::handle at, const std::shared_ptr<void>& owner_token) {
  if (at.is_none()) return std::nullopt;
  if (py::isinstance<SnapshotObject>(at)) {
    const auto& snap = at.cast<const SnapshotObject&>();
    if (snap.released) {
      check(sand::Status::invalid_argument("at: the snapshot (version " +
                                           std::to_string(snap.version) +
                                           ") was released"));
    }
    if (snap.owner_token.lock() != owner_token) {
      check(sand::Status::invalid_argument(
          "at: the snapshot was taken from another database handle"));
    }
    return snap.version;
  }
  if (!PyLong_Check(at.ptr()) || PyBool_Check(at.ptr())) {
    type_error("at", "None, an int version or a Snapshot", at);
  }
  return version_arg(at, "at");
}

}  // namespace sanddb_py
