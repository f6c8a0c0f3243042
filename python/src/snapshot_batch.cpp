// sanddb.Snapshot (a pinned version) and sanddb.WriteBatch (operations
// committed together).
#include <string>

#include "binding.hpp"

namespace sanddb_py {
namespace {

void check_not_being_written(const WriteBatchObject& b) {
  if (b.writers > 0) {
    throw py::value_error("the WriteBatch is being written by DB.write() in another thread");
  }
}

}  // namespace

void bind_snapshot_batch(py::module_& m) {
  py::class_<SnapshotObject> snap(m, "Snapshot", R"doc(A pinned version, from DB.snapshot().

Pass it as `at=` to get() and scan() of the handle that took it: reads at
its version stay possible even after forget_before() moves the mark past
it, and compaction keeps what it needs, until it is released by release(),
the end of a `with` block, or garbage collection. It may outlive its DB;
it can be shared between threads. A read-only handle's snapshot cannot
hold back the writer process's mark.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.put(b"k", b"a")
    1
    >>> snap = db.snapshot()
    >>> db.put(b"k", b"b"), snap.version, db.get(b"k", at=snap)
    (2, 1, b'a')
    >>> snap.release()
)doc");
  snap.def_property_readonly(
      "version", [](const SnapshotObject& s) { return s.version; },
      "The pinned version (int); it stays readable after release().");
  snap.def_property_readonly(
      "released", [](const SnapshotObject& s) { return s.released; },
      "Whether release() was called.");
  snap.def(
      "release",
      [](SnapshotObject& s) { s.release(); },
      R"doc(release(self)
--

Lets the pinned version go; using the snapshot as `at=` then raises
InvalidArgument. Idempotent.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> snap = db.snapshot(); snap.release(); snap.released
    True
)doc");
  snap.def("__enter__", [](py::object self) { return self; },
           "__enter__(self)\n--\n\nReturns the snapshot itself.");
  snap.def(
      "__exit__",
      [](SnapshotObject& s, py::handle, py::handle, py::handle) {
        s.release();
        return false;
      },
      "__exit__(self, exc_type, exc, tb)\n--\n\nReleases the snapshot.");
  snap.def("__repr__", [](const SnapshotObject& s) {
    return py::str("<sanddb.Snapshot version={}{}>")
        .format(s.version, s.released ? " released" : "");
  });

  py::class_<WriteBatchObject> batch(m, "WriteBatch", R"doc(WriteBatch()

Operations that DB.write() commits together under one version: they
become visible at once. If a batch names a key twice, the later operation
wins. Keys and values as for DB.put(). It may also carry preconditions
(expect_version(), expect_missing(), expect_exists()): then DB.write()
commits it only if they all hold, and raises Conflict otherwise. Use it
from one thread at a time.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> batch = sanddb.WriteBatch()
    >>> batch.put(b"a", b"1"); batch.put(b"b", b"2"); batch.delete(b"a")
    >>> len(batch), db.write(batch), db.get(b"a"), db.get(b"b")
    (3, 1, None, b'2')
)doc");
  batch.def(py::init<>());
  batch.def(
      "put",
      [](WriteBatchObject& b, py::handle key, py::handle value) {
        const Bytes k(key, "key"), v(value, "value");
        check_not_being_written(b);
        b.batch.put(k.view(), v.view());
      },
      py::arg("key"), py::arg("value"),
      R"doc(put(self, key, value)
--

Appends "set key to value". Size limits are checked by DB.write().

    >>> batch = sanddb.WriteBatch(); batch.put(b"k", b"v"); len(batch)
    1
)doc");
  batch.def(
      "delete",
      [](WriteBatchObject& b, py::handle key) {
        const Bytes k(key, "key");
        check_not_being_written(b);
        b.batch.del(k.view());
      },
      py::arg("key"),
      R"doc(delete(self, key)
--

Appends "delete key" (a tombstone).

    >>> batch = sanddb.WriteBatch(); batch.delete(b"k"); len(batch)
    1
)doc");
  batch.def(
      "clear",
      [](WriteBatchObject& b) {
        check_not_being_written(b);
        b.batch.clear();
      },
      R"doc(clear(self)
--

Removes every operation and every precondition.

    >>> batch = sanddb.WriteBatch(); batch.put(b"k", b"v"); batch.clear(); len(batch)
    0
)doc");
  batch.def(
      "expect_version",
      [](WriteBatchObject& b, py::handle key, py::handle version) {
        const Bytes k(key, "key");
        const sand::Version v = version_arg(version, "version");
        check_not_being_written(b);
        b.batch.expect_version(k.view(), v);
      },
      py::arg("key"), py::arg("version"),
      R"doc(expect_version(self, key, version)
--

Adds a precondition: DB.write() commits the batch only if the version of
key is `version` when the batch takes its place in the write queue;
otherwise it commits nothing and raises Conflict (naming the key, the
expected and the actual version). The version of a key is the one of its
newest put (DB.get_versioned() reads it), or 0 if it does not exist
(never written, or deleted). Preconditions are not operations: len()
does not count them.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> v = db.put(b"counter", b"1")
    >>> batch = sanddb.WriteBatch()
    >>> batch.expect_version(b"counter", v); batch.put(b"counter", b"2")
    >>> db.write(batch)
    2
    >>> db.write(batch)   # the counter moved on: nothing is written
    Traceback (most recent call last):
    sanddb.Conflict: key 'counter' expected version 1, found 2
)doc");
  batch.def(
      "expect_missing",
      [](WriteBatchObject& b, py::handle key) {
        const Bytes k(key, "key");
        check_not_being_written(b);
        b.batch.expect_missing(k.view());
      },
      py::arg("key"),
      R"doc(expect_missing(self, key)
--

Adds the precondition "key does not exist" (never written, or deleted):
expect_version(key, 0). Put-if-absent:

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> batch = sanddb.WriteBatch()
    >>> batch.expect_missing(b"lock"); batch.put(b"lock", b"me")
    >>> db.write(batch)
    1
    >>> try:
    ...     db.write(batch)
    ... except sanddb.Conflict:
    ...     print("taken")
    taken
)doc");
  batch.def(
      "expect_exists",
      [](WriteBatchObject& b, py::handle key) {
        const Bytes k(key, "key");
        check_not_being_written(b);
        b.batch.expect_exists(k.view());
      },
      py::arg("key"),
      R"doc(expect_exists(self, key)
--

Adds the precondition "key exists" (its newest entry is a put, at any
version); see expect_version().

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> batch = sanddb.WriteBatch()
    >>> batch.expect_exists(b"user:1"); batch.put(b"user:1:email", b"a@b")
    >>> db.write(batch)
    Traceback (most recent call last):
    sanddb.Conflict: key 'user:1' expected it to exist, found 0 (missing)
)doc");
  batch.def_property_readonly(
      "precondition_count", [](const WriteBatchObject& b) { return b.batch.precondition_count(); },
      "The number of preconditions (int): expect_version(), expect_missing() and "
      "expect_exists() calls since the last clear().");
  batch.def(
      "__len__", [](const WriteBatchObject& b) { return b.batch.count(); },
      "__len__(self)\n--\n\nThe number of operations.");
  batch.def_property_readonly(
      "byte_size", [](const WriteBatchObject& b) { return b.batch.byte_size(); },
      "Bytes of the encoded batch (what its WAL record will hold).");
  batch.def("__repr__", [](const WriteBatchObject& b) {
    return py::str("<sanddb.WriteBatch of {} operations>").format(b.batch.count());
  });
}

}  // namespace sanddb_py
