// Archives: DB.export_archive() and _import_archive(), which
// sanddb.import_archive() calls once it has checked the keyword options
// (sand::export_archive / sand::import_archive to and from a file, as the C
// API's sand_export_archive / sand_import_archive do).
//
// The progress callable: the engine calls its ArchiveProgressFn on the
// calling thread with the GIL released; ProgressBridge takes the GIL back for
// the Python call. The engine's callback cannot stop the operation, so an
// exception raised by the callable (or a signal: Ctrl-C raises
// KeyboardInterrupt here) is recorded and the operation is made to fail by
// its own error path: the archive stream is put in a bad state, so the next
// write or read fails, and an import's file system refuses every step that
// writes (creating files, syncing, renaming), so an import whose last
// progress call raised cannot reach its commit point. Then the export removes
// its file, the import leaves `dir` as it was, and the recorded exception is
// raised. Without a callable the bridge still runs on the main thread, so
// that Ctrl-C stops a long export or import.
//
// Thread-safety: as DB's; one ProgressBridge serves one call, on one thread.
#include "sand/archive.hpp"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <utility>

#include "binding.hpp"

namespace sanddb_py {
namespace {

// The POSIX file system, which fails every step that could commit an import
// once cancel() is called.
class CancellableFileSystem final : public sand::FileSystem {
 public:
  void cancel() { cancelled_ = true; }

  sand::Result<std::unique_ptr<sand::WritableFile>> new_writable_file(
      const std::string& path) override {
    if (cancelled_) return refused();
    return base_->new_writable_file(path);
  }
  sand::Result<std::unique_ptr<sand::WritableFile>> new_log_file(const std::string& path) override {
    if (cancelled_) return refused();
    return base_->new_log_file(path);
  }
  sand::Result<std::unique_ptr<sand::WritableFile>> reopen_writable_file(
      const std::string& path) override {
    if (cancelled_) return refused();
    return base_->reopen_writable_file(path);
  }
  sand::Result<std::unique_ptr<sand::ReadableFile>> open_readable_file(
      const std::string& path) override {
    return base_->open_readable_file(path);
  }
  sand::Result<std::string> read_file_from(const std::string& path, std::uint64_t offset) override {
    return base_->read_file_from(path, offset);
  }
  sand::Status rename_file(const std::string& from, const std::string& to) override {
    if (cancelled_) return refused();  // the import's commit point
    return base_->rename_file(from, to);
  }
  sand::Status link_file(const std::string& from, const std::string& to) override {
    if (cancelled_) return refused();
    return base_->link_file(from, to);
  }
  // Removing and listing go on: the import's clean-up needs them.
  sand::Status remove_file(const std::string& path) override { return base_->remove_file(path); }
  sand::Status truncate_file(const std::string& path, std::uint64_t size) override {
    if (cancelled_) return refused();
    return base_->truncate_file(path, size);
  }
  sand::Status sync_dir(const std::string& dir) override {
    if (cancelled_) return refused();
    return base_->sync_dir(dir);
  }
  sand::Status create_dir(const std::string& dir) override {
    if (cancelled_) return refused();
    return base_->create_dir(dir);
  }
  sand::Result<std::vector<std::string>> list_dir(const std::string& dir) override {
    return base_->list_dir(dir);
  }
  bool exists(const std::string& path) override { return base_->exists(path); }
  sand::Result<std::unique_ptr<sand::FileLock>> lock_file(const std::string& path) override {
    return base_->lock_file(path);
  }

 private:
  // The message is never shown: the callable's exception is raised instead.
  static sand::Status refused() {
    return sand::Status::io_error("import cancelled by the progress callable");
  }

  const std::shared_ptr<sand::FileSystem> base_ = sand::posix_file_system();
  std::atomic<bool> cancelled_{false};
};

// Calls the Python `progress` (None, or a callable taking entries, bytes and
// total_entries) from the engine's progress callback.
class ProgressBridge {
 public:
  // Errors: TypeError if `progress` is neither None nor callable.
  // REQUIRES: GIL held.
  explicit ProgressBridge(py::object progress) : progress_(std::move(progress)) {
    if (!progress_.is_none() && !PyCallable_Check(progress_.ptr())) {
      throw py::type_error(std::string("progress must be None or a callable, not ") +
                           Py_TYPE(progress_.ptr())->tp_name);
    }
    // Only the main thread runs signal handlers.
    const py::object main = py::module_::import("threading").attr("main_thread")();
    on_main_thread_ = PyThread_get_thread_ident() == main.attr("ident").cast<unsigned long>();
  }

  // The engine-side callback (GIL released when the engine calls it). After
  // the first exception it calls nothing more; `cancel` makes the running
  // operation fail. Without a callable it is installed on the main thread
  // only, so that Ctrl-C stops a long export or import there; elsewhere the
  // GIL is not taken once per chunk for nothing.
  sand::ArchiveProgressFn function(std::function<void()> cancel) {
    if (progress_.is_none() && !on_main_thread_) return {};
    return [this, cancel = std::move(cancel)](const sand::ArchiveProgress& p) {
      if (error_) return;
      try {
        py::gil_scoped_acquire gil;
        if (PyErr_CheckSignals() != 0) throw py::error_already_set();
        if (!progress_.is_none()) progress_(p.entries, p.bytes, p.total_entries);
      } catch (...) {
        // Nothing may unwind through the engine: keep it for raise_if_failed().
        error_ = std::current_exception();
        cancel();
      }
    };
  }

  bool failed() const { return error_ != nullptr; }
  // Raises what the callable raised, if it did. REQUIRES: GIL held.
  void raise_if_failed() {
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

 private:
  py::object progress_;
  bool on_main_thread_ = false;
  std::exception_ptr error_;
};

// The file system bytes of `path` (str, bytes or os.PathLike, as open()
// takes paths). Errors: TypeError; ValueError for a null byte, which would
// cut the name short (as Python's open() refuses it).
std::string fs_path(py::handle path, const char* what) {
  auto bytes = py::module_::import("os").attr("fsencode")(path).cast<std::string>();
  if (bytes.find('\0') != std::string::npos) {
    throw py::value_error(std::string(what) + ": embedded null byte");
  }
  return bytes;
}

std::uint64_t export_to_file(DBObject& self, py::handle path_arg, py::object progress) {
  const std::string path = fs_path(path_arg, "path");
  ProgressBridge bridge(std::move(progress));
  sand::Status status;
  std::uint64_t entries = 0;
  {
    py::gil_scoped_release nogil;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) {
      status = sand::Status::io_error(path, errno);
    } else {
      sand::ExportOptions options{.name = path};
      options.progress = bridge.function([&out] { out.setstate(std::ios::badbit); });
      sand::Result<sand::ArchiveSummary> summary = sand::export_archive(self.get(), out, options);
      out.close();
      status = summary.status();
      if (status.is_ok() && !out) status = sand::Status::io_error(path + ": write failed");
      if (status.is_ok()) entries = summary->entries;
      // No partial archive under its name (nor a complete one whose last
      // progress call raised).
      if (!status.is_ok() || bridge.failed()) std::remove(path.c_str());
    }
  }
  bridge.raise_if_failed();
  check(status);
  return entries;
}

std::uint64_t import_from_file(py::handle dir_arg, py::handle path_arg, const py::dict& options_arg,
                               py::object progress) {
  const std::string dir = fs_path(dir_arg, "dir");
  const std::string path = fs_path(path_arg, "path");
  sand::Options options = to_options(options_arg);
  const auto fs = std::make_shared<CancellableFileSystem>();
  options.file_system = fs;
  ProgressBridge bridge(std::move(progress));
  sand::Status status;
  std::uint64_t entries = 0;
  {
    py::gil_scoped_release nogil;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      status = sand::Status::io_error(path, errno);
    } else {
      sand::ImportOptions import_options{.name = path};
      import_options.progress = bridge.function([&in, &fs] {
        in.setstate(std::ios::badbit);  // the next read fails
        fs->cancel();                   // and nothing commits
      });
      sand::Result<sand::ArchiveSummary> summary =
          sand::import_archive(dir, in, options, import_options);
      status = summary.status();
      if (status.is_ok()) {
        entries = summary->entries;
      } else {
        // import_archive leaves its temporary directory behind, empty (the
        // FileSystem seam cannot remove a directory); as `sand import` does,
        // remove it if it is empty (one a concurrent import holds has its
        // LOCK).
        std::string target = dir;
        while (target.size() > 1 && target.back() == '/') target.pop_back();
        std::error_code ignored;
        std::filesystem::remove(target + sand::kImportTempSuffix, ignored);
      }
    }
  }
  bridge.raise_if_failed();
  check(status);
  return entries;
}

}  // namespace

void bind_archive(py::module_& m) {
  // The class bind_db() registered (module.cpp calls it first).
  const py::object registered = m.attr("DB");
  auto db = py::reinterpret_borrow<py::class_<DBObject>>(registered);
  db.def("export_archive", &export_to_file, py::arg("path"), py::kw_only(),
         py::arg("progress") = py::none(),
         R"doc(export_archive(self, path, *, progress=None)
--

Writes the retained history of the database to the archive file `path`
(str, bytes or os.PathLike; created or truncated) and returns the number
of entries written (int): every version history() lists of every key,
deletions included, with last_version and low_water_mark, as of the last
version committed when the call starts (later writes are left out).
sanddb.import_archive() builds a database from it. Works on a read-only
handle, after close(), and while other threads write.

progress: None, or a callable called as progress(entries, bytes,
total_entries) after every chunk of about 256 KiB and once at the end
(total_entries: the entries the database holds, an upper bound). If it
raises, the export stops, the file is removed and the exception
propagates; Ctrl-C stops it the same way.

Errors: IOError (the file cannot be written: the file is removed),
Corruption and IOError reading the database.

    >>> import os, tempfile
    >>> base = tempfile.mkdtemp()
    >>> with sanddb.open(os.path.join(base, "db")) as db:
    ...     _ = db.put(b"k", b"v1"); _ = db.delete(b"k"); _ = db.put(b"j", b"v")
    ...     db.export_archive(os.path.join(base, "db.sandx"))
    3
)doc");

  m.def("_import_archive", &import_from_file, py::arg("dir"), py::arg("path"), py::arg("options"),
        py::arg("progress"),
        "_import_archive(dir, path, options, progress)\n--\n\n"
        "Internal: use sanddb.import_archive(), which checks the options first.");
}

}  // namespace sanddb_py
