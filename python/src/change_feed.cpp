// sanddb.ChangeFeed: the Python iterator DB.changes() returns, over a
// sand::ChangeIterator.
//
// As sanddb.Iterator does: __next__ returns the current batch and remembers
// to advance before the following one. Advancing (which may read tables)
// runs with the GIL released; building the ChangeBatch runs with it held.
#include "binding.hpp"

namespace sanddb_py {
namespace {

using Busy = BusyGuard<ChangeFeedObject>;

py::object next_batch(ChangeFeedObject& self) {
  if (!self.feed) throw py::stop_iteration();
  Busy busy(self, "ChangeFeed");
  sand::ChangeIterator& feed = *self.feed;
  if (self.advance) {
    py::gil_scoped_release release;
    feed.next();
  }
  self.advance = false;
  if (!feed.valid()) {
    const sand::Status s = feed.status();
    self.feed.reset();  // lets the files go; later calls stop
    check(s);
    throw py::stop_iteration();
  }
  self.advance = true;
  const sand::ChangeBatch& batch = feed.batch();
  py::list changes(batch.changes.size());
  for (std::size_t i = 0; i < batch.changes.size(); ++i) {
    const sand::Change& c = batch.changes[i];
    py::object value =
        c.deleted ? py::object(py::none()) : py::object(py::bytes(c.value.data(), c.value.size()));
    changes[i] =
        result_types.change(py::bytes(c.key.data(), c.key.size()), c.deleted, std::move(value));
  }
  return result_types.change_batch(batch.version, std::move(changes));
}

void close_feed(ChangeFeedObject& self) {
  Busy busy(self, "ChangeFeed");
  self.feed.reset();
}

}  // namespace

void bind_change_feed(py::module_& m) {
  py::class_<ChangeFeedObject> feed(
      m, "ChangeFeed", R"doc(The committed batches of DB.changes(), as a Python iterator.

Yields ChangeBatch(version, changes) named tuples in version order, where
changes is a list of Change(key, deleted, value) in key order (value is
None for a deletion). `until` is the last version the feed covers: once
it is exhausted without an error, the next catch-up starts with
since=feed.until. It keeps the files it reads alive (also after its DB is
closed) until it is exhausted, closed, or garbage collected; it is also a
context manager that closes it. Use it from one thread at a time.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.put(b"a", b"1"), db.delete(b"a")
    (1, 2)
    >>> with db.changes() as feed:
    ...     [(b.version, [(c.key, c.deleted, c.value) for c in b.changes]) for b in feed]
    ...     feed.until
    [(1, [(b'a', False, b'1')]), (2, [(b'a', True, None)])]
    2
)doc");
  feed.def(
      "__iter__", [](py::object self) { return self; }, "__iter__(self)\n--\n\nReturns self.");
  feed.def("__next__", &next_batch,
           "__next__(self)\n--\n\nThe next ChangeBatch; StopIteration at the end. Raises the "
           "error (Corruption, IOError) that ended the feed early.");
  feed.def_property_readonly(
      "until", [](const ChangeFeedObject& self) { return self.until; },
      "The last version (int) the feed covers: the next catch-up starts with since=until.");
  feed.def("close", &close_feed, R"doc(close(self)
--

Ends the feed and lets its files go; next() then stops. Idempotent.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.put(b"k", b"v")
    1
    >>> feed = db.changes(); feed.close(); list(feed), feed.until
    ([], 1)
)doc");
  feed.def(
      "__enter__", [](py::object self) { return self; },
      "__enter__(self)\n--\n\nReturns the feed itself.");
  feed.def(
      "__exit__",
      [](ChangeFeedObject& self, py::handle, py::handle, py::handle) {
        close_feed(self);
        return false;
      },
      "__exit__(self, exc_type, exc, tb)\n--\n\nCloses the feed.");
  feed.def("__repr__", [](const ChangeFeedObject& self) {
    return py::str("<sanddb.ChangeFeed until={}{}>").format(self.until, self.feed ? "" : " closed");
  });
}

}  // namespace sanddb_py
