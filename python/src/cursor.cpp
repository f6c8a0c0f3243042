// sanddb.Cursor: a seekable position in a scan (DB.cursor()), over a
// sand::Iterator.
//
// Every movement (which may read and decompress blocks) runs with the GIL
// released, then raises the error that ended the scan, if any, and returns
// whether the cursor is at an entry. key, value and version are read with the
// GIL held, from the engine iterator's current entry.
#include <utility>

#include "binding.hpp"

namespace sanddb_py {
namespace {

using Busy = BusyGuard<CursorObject>;

sand::Iterator& open_iterator(CursorObject& self) {
  if (!self.it) throw py::value_error("the Cursor is closed");
  return *self.it;
}

// Runs `move` on the engine iterator with the GIL released; raises the
// error that ended the scan; returns valid().
template <typename Move>
bool move_cursor(CursorObject& self, Move&& move) {
  Busy busy(self, "Cursor");
  sand::Iterator& it = open_iterator(self);
  {
    py::gil_scoped_release release;
    move(it);
  }
  if (it.valid()) return true;
  check(it.status());
  return false;
}

// Whether the cursor is at an entry; ValueError while another thread moves
// it (its entry is changing).
bool is_valid(CursorObject& self) {
  Busy busy(self, "Cursor");
  return self.it && self.it->valid();
}

// next() and prev(): a cursor not at an entry stays there (raising the error
// that ended the scan, if any).
template <typename Move>
bool step(CursorObject& self, Move&& move) {
  if (!is_valid(self)) {
    check(open_iterator(self).status());
    return false;
  }
  return move_cursor(self, std::forward<Move>(move));
}

void close_cursor(CursorObject& self) {
  Busy busy(self, "Cursor");
  self.it.reset();
}

}  // namespace

void bind_cursor(py::module_& m) {
  py::class_<CursorObject> cursor(
      m, "Cursor",
      R"doc(A position in a scan that can seek and step both ways; DB.cursor() makes one.

It reads one fixed version (later writes never show), within the bounds
DB.cursor() was given (start, end, prefix), and starts at the scan's first
key. Seeks name keys in ascending byte order whatever the direction;
next() steps in the scan's direction and prev() against it. Every
movement returns `valid` and raises the error (Corruption, IOError) that
ended the scan, if any. key, value and version are None when the cursor is
not at an entry. It keeps the files it reads alive (also after its DB is
closed) until it is closed or garbage collected; it is a context manager
that closes it. Use it from one thread at a time (a second thread moving
it meanwhile gets ValueError).

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> for k in (b"a", b"b1", b"b2", b"c"): _ = db.put(k, k.upper())
    >>> with db.cursor(prefix=b"b") as c:
    ...     c.key, c.seek(b"b15"), c.key, c.prev(), c.key, c.prev(), c.key
    (b'b1', True, b'b2', True, b'b1', False, None)
)doc");
  cursor.def(
      "seek",
      [](CursorObject& self, py::handle key) {
        const Bytes k(key, "key");
        return move_cursor(self, [&](sand::Iterator& it) { it.seek(k.view()); });
      },
      py::arg("key"),
      R"doc(seek(self, key)
--

Moves to the first key >= `key` within the bounds; returns `valid` (False
if there is none).

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.put(b"a", b"1"), db.put(b"c", b"3")
    (1, 2)
    >>> c = db.cursor(); c.seek(b"b"), c.key, c.seek(b"d"), c.key
    (True, b'c', False, None)
)doc");
  cursor.def(
      "seek_for_prev",
      [](CursorObject& self, py::handle key) {
        const Bytes k(key, "key");
        return move_cursor(self, [&](sand::Iterator& it) { it.seek_for_prev(k.view()); });
      },
      py::arg("key"),
      R"doc(seek_for_prev(self, key)
--

Moves to the last key <= `key` within the bounds; returns `valid` (False
if there is none).

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.put(b"a", b"1"), db.put(b"c", b"3")
    (1, 2)
    >>> c = db.cursor(); c.seek_for_prev(b"b"), c.key, c.seek_for_prev(b"0")
    (True, b'a', False)
)doc");
  cursor.def(
      "seek_to_first",
      [](CursorObject& self) {
        return move_cursor(self, [](sand::Iterator& it) { it.seek_to_first(); });
      },
      R"doc(seek_to_first(self)
--

Moves to the smallest key within the bounds (whatever the direction);
returns `valid`.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.put(b"a", b"1"), db.put(b"b", b"2")
    (1, 2)
    >>> c = db.cursor(reverse=True); c.key, c.seek_to_first(), c.key
    (b'b', True, b'a')
)doc");
  cursor.def(
      "seek_to_last",
      [](CursorObject& self) {
        return move_cursor(self, [](sand::Iterator& it) { it.seek_to_last(); });
      },
      R"doc(seek_to_last(self)
--

Moves to the largest key within the bounds (whatever the direction);
returns `valid`.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.put(b"a", b"1"), db.put(b"b", b"2")
    (1, 2)
    >>> c = db.cursor(); c.seek_to_last(), c.key
    (True, b'b')
)doc");
  cursor.def(
      "next", [](CursorObject& self) { return step(self, [](sand::Iterator& it) { it.next(); }); },
      R"doc(next(self)
--

Moves to the next key in the scan's direction; returns `valid`. Does
nothing (and returns False) when the cursor is not at an entry.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.put(b"a", b"1"), db.put(b"b", b"2")
    (1, 2)
    >>> c = db.cursor(); c.next(), c.key, c.next(), c.key
    (True, b'b', False, None)
)doc");
  cursor.def(
      "prev", [](CursorObject& self) { return step(self, [](sand::Iterator& it) { it.prev(); }); },
      R"doc(prev(self)
--

Moves to the previous key in the scan's direction (in an ascending scan,
the largest key below the current one); returns `valid`. Does nothing
(and returns False) when the cursor is not at an entry.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.put(b"a", b"1"), db.put(b"b", b"2")
    (1, 2)
    >>> c = db.cursor(); c.seek_to_last(); c.prev(), c.key
    True
    (True, b'a')
)doc");
  cursor.def_property_readonly("valid", &is_valid,
                               "Whether the cursor is at an entry (bool): False at the end, after "
                               "an error and once closed.");
  cursor.def_property_readonly(
      "key",
      [](CursorObject& self) -> py::object {
        if (!is_valid(self)) return py::none();
        const std::string_view k = self.it->key();
        return py::bytes(k.data(), k.size());
      },
      "The current key (bytes), or None when the cursor is not at an entry.");
  cursor.def_property_readonly(
      "value",
      [](CursorObject& self) -> py::object {
        if (!is_valid(self)) return py::none();
        const std::string_view v = self.it->value();
        return py::bytes(v.data(), v.size());
      },
      "The current key's value (bytes), or None when the cursor is not at an entry.");
  cursor.def_property_readonly(
      "version",
      [](CursorObject& self) -> py::object {
        if (!is_valid(self)) return py::none();
        return py::int_(self.it->version());
      },
      "The version (int) that wrote the current value, or None when the cursor is not at an "
      "entry.");
  cursor.def_property_readonly(
      "closed", [](const CursorObject& self) { return !self.it.has_value(); },
      "Whether close() was called.");
  cursor.def("close", &close_cursor, R"doc(close(self)
--

Ends the scan and lets its files go; movements then raise ValueError.
Idempotent.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> c = db.cursor(); c.close(); c.valid, c.closed
    (False, True)
)doc");
  cursor.def(
      "__enter__", [](py::object self) { return self; },
      "__enter__(self)\n--\n\nReturns the cursor itself.");
  cursor.def(
      "__exit__",
      [](CursorObject& self, py::handle, py::handle, py::handle) {
        close_cursor(self);
        return false;
      },
      "__exit__(self, exc_type, exc, tb)\n--\n\nCloses the cursor.");
  cursor.def("__repr__", [](CursorObject& self) {
    if (!self.it) return py::str("<sanddb.Cursor closed>");
    if (!is_valid(self)) return py::str("<sanddb.Cursor at the end>");
    const std::string_view k = self.it->key();
    return py::str("<sanddb.Cursor at {!r}>").format(py::bytes(k.data(), k.size()));
  });
}

}  // namespace sanddb_py
