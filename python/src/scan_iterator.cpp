// sanddb.Iterator: the Python iterator DB.scan() returns, over a
// sand::Iterator.
//
// The engine iterator starts at its first entry. __next__ returns the current
// entry and remembers to advance before the following one, so no work is done
// for an entry nobody asks for. Advancing (which may read and decompress a
// block) runs with the GIL released; building the tuple runs with it held.
#include "binding.hpp"

namespace sanddb_py {
namespace {

// Marks the iterator busy while a thread is inside it with the GIL released:
// the engine iterator is one-thread-at-a-time.
class Busy {
 public:
  explicit Busy(IteratorObject& self) : self_(self) {
    if (self_.busy) {
      throw py::value_error("the Iterator is in use by another thread (use it from one at a time)");
    }
    self_.busy = true;
  }
  ~Busy() { self_.busy = false; }
  Busy(const Busy&) = delete;
  Busy& operator=(const Busy&) = delete;

 private:
  IteratorObject& self_;
};

py::object next_entry(IteratorObject& self) {
  if (!self.it) throw py::stop_iteration();
  Busy busy(self);
  sand::Iterator& it = *self.it;
  if (self.advance) {
    py::gil_scoped_release release;
    it.next();
  }
  self.advance = false;
  if (!it.valid()) {
    const sand::Status s = it.status();
    self.it.reset();  // lets the files go; later calls stop
    check(s);
    throw py::stop_iteration();
  }
  self.advance = true;
  const std::string_view k = it.key(), v = it.value();
  py::bytes key(k.data(), k.size()), value(v.data(), v.size());
  if (self.with_versions) return py::make_tuple(std::move(key), std::move(value), it.version());
  return py::make_tuple(std::move(key), std::move(value));
}

void close_iterator(IteratorObject& self) {
  Busy busy(self);
  self.it.reset();
}

}  // namespace

void bind_iterator(py::module_& m) {
  py::class_<IteratorObject> it(m, "Iterator", R"doc(The entries of DB.scan(), as a Python iterator.

Yields (key, value) tuples, or (key, value, version) when the scan was
asked with_versions=True, in the scan's direction, as of one fixed version.
It keeps the files it reads alive (also after its DB is closed) until it
is exhausted, closed, or garbage collected; it is also a context manager
that closes it. Use it from one thread at a time: a second thread calling
next() meanwhile gets ValueError.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.put(b"a", b"1"), db.put(b"b", b"2")
    (1, 2)
    >>> with db.scan() as it:
    ...     next(it)
    (b'a', b'1')
)doc");
  it.def("__iter__", [](py::object self) { return self; }, "__iter__(self)\n--\n\nReturns self.");
  it.def("__next__", &next_entry,
         "__next__(self)\n--\n\nThe next entry; StopIteration at the end. Raises the "
         "error (Corruption, IOError) that ended the scan early.");
  it.def("close", &close_iterator, R"doc(close(self)
--

Ends the scan and lets its files go; next() then stops. Idempotent.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> it = db.scan(); it.close(); list(it)
    []
)doc");
  it.def("__enter__", [](py::object self) { return self; },
         "__enter__(self)\n--\n\nReturns the iterator itself.");
  it.def(
      "__exit__",
      [](IteratorObject& self, py::handle, py::handle, py::handle) {
        close_iterator(self);
        return false;
      },
      "__exit__(self, exc_type, exc, tb)\n--\n\nCloses the iterator.");
}

}  // namespace sanddb_py
