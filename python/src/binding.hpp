// The pieces of the `sanddb._sanddb` extension and what they share.
//
// Layering: the Python package (python/sanddb/) validates open()'s keyword
// options and defines the exception classes and small result types; this
// extension holds the engine objects and converts arguments and answers.
//
// GIL rule, for every engine call: convert the Python arguments first into
// views over immutable objects the call keeps alive (bytes, a str's cached
// UTF-8) or into owned std::strings (any other buffer, which another thread
// could change), then release the GIL (py::gil_scoped_release) around the
// engine call, reacquire it, then build the Python answer or raise. No Python
// object is touched while the GIL is released.
//
// Thread-safety: a DBObject may be used from many Python threads (the engine's
// DB is thread-safe; the wrapper's own fields change only under the GIL). An
// IteratorObject, CursorObject or ChangeFeedObject refuses a second thread
// while one is inside it with the GIL released (the engine iterators are
// one-thread-at-a-time); a WriteBatchObject refuses changes while a write()
// of it runs with the GIL released.
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sand/sand.hpp"

namespace sanddb_py {

namespace py = pybind11;

// ---- errors (errors.cpp) ---------------------------------------------------

// Looks the exception classes up in sanddb._types (once, at import).
void init_errors(const py::module_& types);
// Raises the sanddb exception for `status` (REQUIRES: !status.is_ok(), GIL
// held): sets the Python error and throws py::error_already_set.
[[noreturn]] void raise_status(const sand::Status& status);
inline void check(const sand::Status& status) {
  if (!status.is_ok()) raise_status(status);
}
template <typename T>
T unwrap(sand::Result<T>&& result) {
  if (!result.is_ok()) raise_status(result.status());
  return std::move(result).value();
}
// Decodes engine text (file names, messages) that may hold any bytes.
py::str text(std::string_view s);

// Classes of sanddb._types that answers are built from, looked up once at
// import (module.cpp) and kept for the life of the process.
struct ResultTypes {
  py::handle history_entry, check_report, checked_file, check_totals, check_problem, check_note;
  py::handle change, change_batch;
};
extern ResultTypes result_types;

// ---- arguments (convert.cpp) -----------------------------------------------

// A key, value or bound given as bytes, str (encoded as UTF-8) or any other
// contiguous buffer (bytearray, memoryview, ...). view() stays valid while
// this object lives and the argument object is alive (the caller's frame
// keeps it so); it needs no GIL. Neither copyable nor movable: view() may
// point into owned_.
class Bytes {
 public:
  // Errors: TypeError naming `what` for any other type.
  Bytes(py::handle obj, const char* what);
  Bytes(const Bytes&) = delete;
  Bytes& operator=(const Bytes&) = delete;
  std::string_view view() const { return view_; }

 private:
  std::string owned_;
  std::string_view view_;
};

// `sync`: None -> the database default, True/False -> sync or not.
sand::WriteOptions write_options(py::handle sync);
// A non-negative int that fits a version. Errors: TypeError, ValueError,
// both naming `what`.
sand::Version version_arg(py::handle obj, const char* what);

// The keyword options sanddb/__init__.py checked (a dict of sand::Options
// field names) as sand::Options (db_object.cpp). Errors: ValueError for a
// bad compression or retention name, TypeError for an unknown name.
sand::Options to_options(const py::dict& given);

// ---- objects -----------------------------------------------------------------

struct DBObject {
  std::unique_ptr<sand::DB> db;
  std::string path;  // as given (bytes of the file system path)
  bool read_only = false;
  bool in_memory = false;
  bool closed = false;  // close() was called (the engine refuses writes)
  // Identifies this handle to its snapshots (which hold it weakly).
  std::shared_ptr<void> token = std::make_shared<char>('\0');

  DBObject() = default;
  DBObject(const DBObject&) = delete;
  DBObject& operator=(const DBObject&) = delete;
  // Closes the engine DB (which waits for a running flush or compaction)
  // with the GIL released.
  ~DBObject();

  sand::DB& get() { return *db; }
};

struct SnapshotObject {
  sand::Snapshot snapshot;  // the pin; a default (empty) one once released
  sand::Version version = 0;
  std::weak_ptr<void> owner_token;  // identifies the DBObject that took it
  bool released = false;

  void release() {
    snapshot = sand::Snapshot();
    released = true;
  }
};

struct WriteBatchObject {
  sand::WriteBatch batch;
  int writers = 0;  // write() calls reading it with the GIL released
};

struct IteratorObject {
  std::optional<sand::Iterator> it;  // nullopt once exhausted or closed
  bool with_versions = false;
  bool advance = false;  // the current entry was returned: next() first
  bool busy = false;     // a thread is inside next() with the GIL released
};

struct CursorObject {
  std::optional<sand::Iterator> it;  // nullopt once closed
  bool busy = false;                 // a thread is moving it with the GIL released
};

struct ChangeFeedObject {
  std::optional<sand::ChangeIterator> feed;  // nullopt once exhausted or closed
  sand::Version until = 0;                   // the feed's resolved `until`, kept after it ends
  bool advance = false;                      // the current batch was returned: next() first
  bool busy = false;                         // a thread is inside next() with the GIL released
};

// Marks `self` busy while a thread is inside it with the GIL released (the
// engine's iterators are one-thread-at-a-time). Errors: ValueError naming
// `type` if another thread is inside.
template <typename Object>
class BusyGuard {
 public:
  BusyGuard(Object& self, const char* type) : self_(self) {
    if (self_.busy) {
      throw py::value_error(std::string("the ") + type +
                            " is in use by another thread (use it from one at a time)");
    }
    self_.busy = true;
  }
  ~BusyGuard() { self_.busy = false; }
  BusyGuard(const BusyGuard&) = delete;
  BusyGuard& operator=(const BusyGuard&) = delete;

 private:
  Object& self_;
};

// Turns `at` (None, an int version or a Snapshot of `db`) into a read
// version. Errors: TypeError; ValueError for a negative or huge int;
// sanddb.InvalidArgument for a released snapshot or one of another handle.
std::optional<sand::Version> read_version(py::handle at, const std::shared_ptr<void>& owner_token);

// ---- bindings (one function per file) ----------------------------------------

void bind_db(py::module_& m);             // db_object.cpp: DB, _open
void bind_snapshot_batch(py::module_& m);  // snapshot_batch.cpp: Snapshot, WriteBatch
void bind_iterator(py::module_& m);        // scan_iterator.cpp: Iterator
void bind_cursor(py::module_& m);          // cursor.cpp: Cursor
void bind_change_feed(py::module_& m);     // change_feed.cpp: ChangeFeed
void bind_check(py::module_& m);           // check.cpp: _check
void bind_archive(py::module_& m);         // archive.cpp: DB.export_archive, _import_archive

}  // namespace sanddb_py
