// sanddb.DB: an open database, and _open() which sanddb.open() calls once it
// has checked the keyword options.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <utility>
#include <vector>

#include "binding.hpp"

namespace sanddb_py {
namespace {

bool interpreter_finalizing() {
#if PY_VERSION_HEX >= 0x030D0000
  return Py_IsFinalizing() != 0;
#else
  return _Py_IsFinalizing() != 0;
#endif
}

}  // namespace

// Options from the dict sanddb.open() (or sanddb.import_archive()) built:
// every key is a field name of sand::Options whose value sanddb/__init__.py
// already checked for type and range; an unexpected one here is a bug in
// that file.
sand::Options to_options(const py::dict& given) {
  sand::Options o;
  for (const auto& [k, v] : given) {
    const auto name = k.cast<std::string>();
    if (name == "create_if_missing")
      o.create_if_missing = v.cast<bool>();
    else if (name == "error_if_exists")
      o.error_if_exists = v.cast<bool>();
    else if (name == "memtable_size")
      o.memtable_size = v.cast<std::size_t>();
    else if (name == "memtable") {
      const auto m = v.cast<std::string>();
      if (m == "btree") {
        o.memtable = sand::MemTableIndex::kBTree;
      } else if (m == "skiplist") {
        o.memtable = sand::MemTableIndex::kSkipList;
      } else {
        throw py::value_error("memtable must be 'btree' or 'skiplist', not '" + m + "'");
      }
    } else if (name == "value_separation_threshold")
      o.value_separation_threshold = v.cast<std::size_t>();
    else if (name == "block_size")
      o.block_size = v.cast<std::size_t>();
    else if (name == "block_restart_interval")
      o.block_restart_interval = v.cast<int>();
    else if (name == "compression") {
      const auto c = v.cast<std::string>();
      if (c == "lz4")
        o.compression = sand::Compression::kLz4;
      else if (c == "none")
        o.compression = sand::Compression::kNone;
      else
        throw py::value_error("compression must be 'lz4' or 'none', not '" + c + "'");
    } else if (name == "bloom_bits_per_key")
      o.bloom_bits_per_key = v.cast<int>();
    else if (name == "block_cache_size")
      o.block_cache_size = v.cast<std::size_t>();
    else if (name == "sync")
      o.sync = v.cast<bool>();
    else if (name == "retention") {
      const auto r = v.cast<std::string>();
      if (r == "all")
        o.retention = sand::Retention::kAll;
      else if (r == "latest")
        o.retention = sand::Retention::kLatestOnly;
      else
        throw py::value_error("retention must be 'all' or 'latest', not '" + r + "'");
    } else if (name == "l0_trigger")
      o.l0_trigger = v.cast<int>();
    else if (name == "l0_stop")
      o.l0_stop = v.cast<int>();
    else if (name == "l1_trigger")
      o.l1_trigger = v.cast<int>();
    else if (name == "target_file_size")
      o.target_file_size = v.cast<std::size_t>();
    else if (name == "max_frozen_memtables")
      o.max_frozen_memtables = v.cast<int>();
    else if (name == "memtable_budget")
      o.memtable_budget = v.cast<std::size_t>();
    else if (name == "manifest_rollover_size")
      o.manifest_rollover_size = v.cast<std::size_t>();
    else if (name == "point_in_time_recovery")
      o.point_in_time_recovery = v.cast<bool>();
    else
      throw py::type_error("open() got an unexpected keyword argument '" + name + "'");
  }
  return o;
}

namespace {

std::unique_ptr<DBObject> open_db(const py::bytes& path, const py::dict& options, bool read_only,
                                  bool in_memory) {
  auto self = std::make_unique<DBObject>();
  self->path = path.cast<std::string>();
  self->read_only = read_only;
  self->in_memory = in_memory;
  sand::Options o = to_options(options);
  if (in_memory) o.file_system = sand::memory_file_system();
  sand::Result<std::unique_ptr<sand::DB>> opened = [&] {
    py::gil_scoped_release nogil;
    return read_only ? sand::DB::open_read_only(self->path, std::move(o))
                     : sand::DB::open(self->path, std::move(o));
  }();
  self->db = unwrap(std::move(opened));
  return self;
}

py::object optional_bytes(const std::optional<std::string>& value, py::object fallback) {
  if (!value) return fallback;
  return py::bytes(value->data(), value->size());
}

py::dict stats_dict(const sand::Stats& s) {
  py::dict d;
  d["last_version"] = s.last_version;
  d["low_water_mark"] = s.low_water_mark;
  d["memtable_bytes"] = s.memtable_bytes;
  d["immutable_memtables"] = s.immutable_memtables;
  d["tables"] = py::make_tuple(s.tables[0], s.tables[1], s.tables[2]);
  d["table_bytes"] = py::make_tuple(s.table_bytes[0], s.table_bytes[1], s.table_bytes[2]);
  d["l1_runs"] = s.l1_runs;
  d["wal_bytes"] = s.wal_bytes;
  d["user_bytes_written"] = s.user_bytes_written;
  d["write_groups"] = s.write_groups;
  d["wal_syncs"] = s.wal_syncs;
  d["flushes"] = s.flushes;
  d["flush_bytes_written"] = s.flush_bytes_written;
  d["compactions"] = s.compactions;
  d["compaction_bytes_read"] = s.compaction_bytes_read;
  d["compaction_bytes_written"] = s.compaction_bytes_written;
  d["write_amplification"] = s.write_amplification;
  d["space_amplification"] = s.space_amplification;
  d["stalls"] = s.stalls;
  d["stall_micros"] = s.stall_micros;
  d["live_snapshots"] = s.live_snapshots;
  d["manifest_bytes"] = s.manifest_bytes;
  d["memtables_used_bytes"] = s.memtables_used_bytes;
  d["memtables_reserved_bytes"] = s.memtables_reserved_bytes;
  d["table_index_filter_bytes"] = s.table_index_filter_bytes;
  d["block_cache_bytes"] = s.block_cache_bytes;
  d["block_cache_capacity"] = s.block_cache_capacity;
  d["wal_buffer_bytes"] = s.wal_buffer_bytes;
  return d;
}

// Runs `f(db)` with the GIL released and returns what it returns.
template <typename F>
auto nogil(DBObject& self, F&& f) {
  py::gil_scoped_release release;
  return f(self.get());
}

// scan() and cursor(): the bounds as ScanOptions.
sand::ScanOptions scan_options(DBObject& self, py::handle start, py::handle end, py::handle prefix,
                               py::handle at, bool reverse) {
  sand::ScanOptions so;
  if (!start.is_none()) so.from = std::string(Bytes(start, "start").view());
  if (!end.is_none()) so.to = std::string(Bytes(end, "end").view());
  if (!prefix.is_none()) so.prefix = std::string(Bytes(prefix, "prefix").view());
  so.at = read_version(at, self.token);
  so.reverse = reverse;
  return so;
}

// A HistoryEntry named tuple; value None for a deletion.
py::object history_entry(const sand::HistoryEntry& e) {
  py::object value =
      e.deleted ? py::object(py::none()) : py::object(py::bytes(e.value.data(), e.value.size()));
  return result_types.history_entry(e.version, e.deleted, std::move(value));
}

// The longest wait wait_for_version() passes on (about 31 years): a
// steady_clock deadline this far away cannot overflow.
constexpr double kMaxWaitSeconds = 1e9;
// wait_for_version() waits in slices this long, checking for signals
// (Ctrl-C) between them.
constexpr std::chrono::milliseconds kWaitSlice{100};

// `timeout` of wait_for_version(): None (no limit) or seconds >= 0.
std::optional<double> timeout_arg(py::handle timeout) {
  if (timeout.is_none()) return std::nullopt;
  PyObject* o = timeout.ptr();
  if (PyBool_Check(o) || !(PyFloat_Check(o) || PyLong_Check(o))) {
    throw py::type_error(std::string("timeout must be None or a number of seconds, not ") +
                         Py_TYPE(o)->tp_name);
  }
  const double seconds = PyFloat_AsDouble(o);
  if (seconds == -1.0 && PyErr_Occurred()) throw py::error_already_set();
  if (!(seconds >= 0)) {  // also NaN
    throw py::value_error("timeout must be None or >= 0 seconds, not " +
                          py::str(timeout).cast<std::string>());
  }
  return std::min(seconds, kMaxWaitSeconds);
}

}  // namespace

DBObject::~DBObject() {
  if (!db) return;
  // Closing waits for a running flush or compaction: let other threads run.
  // While the interpreter shuts down, the GIL must not be given up.
  if (interpreter_finalizing()) {
    db.reset();
  } else {
    py::gil_scoped_release release;
    db.reset();
  }
}

void bind_db(py::module_& m) {
  m.def("_open", &open_db, py::arg("path"), py::arg("options"), py::arg("read_only"),
        py::arg("in_memory"),
        "_open(path, options, read_only, in_memory)\n--\n\n"
        "Internal: use sanddb.open(), which checks the options first.");

  py::class_<DBObject> db(m, "DB", R"doc(An open sanddb database; sanddb.open() returns one.

Every committed write gets the next version (1, 2, 3, ... with no gaps,
across restarts). Reads see the latest state, or the state as of a retained
version (an int, or a Snapshot). Keys and values are bytes; a str is encoded
as UTF-8, a bytearray or memoryview is copied.

A DB is a context manager that closes it on exit. It is safe to use from
several threads at once: every call releases the GIL while the engine
works. After close(), writes, flush(), compact() and forget_before() raise
ReadOnly; reads go on answering from the state at close (as the C++ API
does).

    >>> import sanddb, tempfile
    >>> with sanddb.open(tempfile.mkdtemp()) as db:
    ...     v1 = db.put(b"user:1", b"alice")
    ...     v2 = db.put(b"user:1", b"bob")
    ...     (db.get(b"user:1"), db.get(b"user:1", at=v1))
    (b'bob', b'alice')
)doc");

  db.def(
      "put",
      [](DBObject& self, py::handle key, py::handle value, py::handle sync) {
        const Bytes k(key, "key"), v(value, "value");
        const sand::WriteOptions wo = write_options(sync);
        return unwrap(nogil(self, [&](sand::DB& d) { return d.put(k.view(), v.view(), wo); }));
      },
      py::arg("key"), py::arg("value"), py::kw_only(), py::arg("sync") = py::none(),
      R"doc(put(self, key, value, *, sync=None)
--

Sets key to value; returns the version (int) it was committed at.

sync=True makes the write durable against power loss before returning,
False does not, None follows the open() option `sync`.
Errors: InvalidArgument (key > 64 KiB, value > 256 MiB), ReadOnly (a
read-only handle, closed, or after a failed write), IOError.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.put(b"k", b"v")
    1
    >>> db.put("clé", "valeur", sync=True)   # str is UTF-8
    2
)doc");

  db.def(
      "delete",
      [](DBObject& self, py::handle key, py::handle sync) {
        const Bytes k(key, "key");
        const sand::WriteOptions wo = write_options(sync);
        return unwrap(nogil(self, [&](sand::DB& d) { return d.del(k.view(), wo); }));
      },
      py::arg("key"), py::kw_only(), py::arg("sync") = py::none(),
      R"doc(delete(self, key, *, sync=None)
--

Deletes key (writes a tombstone, even if the key is absent); returns the
version. sync and errors as for put().

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.put(b"k", b"v"), db.delete(b"k"), db.get(b"k")
    (1, 2, None)
)doc");

  db.def(
      "write",
      [](DBObject& self, py::handle batch_arg, py::handle sync) {
        if (!py::isinstance<WriteBatchObject>(batch_arg)) {
          throw py::type_error(std::string("batch must be a sanddb.WriteBatch, not ") +
                               Py_TYPE(batch_arg.ptr())->tp_name);
        }
        auto& batch = batch_arg.cast<WriteBatchObject&>();
        const sand::WriteOptions wo = write_options(sync);
        // The batch must not change while the engine reads it without the GIL.
        struct Reading {
          explicit Reading(WriteBatchObject& b) : b_(b) { ++b_.writers; }
          ~Reading() { --b_.writers; }
          WriteBatchObject& b_;
        } reading(batch);
        return unwrap(nogil(self, [&](sand::DB& d) { return d.write(batch.batch, wo); }));
      },
      py::arg("batch"), py::kw_only(), py::arg("sync") = py::none(),
      R"doc(write(self, batch, *, sync=None)
--

Commits every operation of a WriteBatch atomically under one new version
and returns it; the batch is left as it was. Errors: as put();
InvalidArgument for an empty batch.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> batch = sanddb.WriteBatch()
    >>> batch.put(b"a", b"1"); batch.put(b"b", b"2"); batch.delete(b"c")
    >>> db.write(batch)
    1
)doc");

  db.def(
      "get",
      [](DBObject& self, py::handle key, py::handle at, py::object fallback) {
        const Bytes k(key, "key");
        const std::optional<sand::Version> version = read_version(at, self.token);
        auto value = unwrap(nogil(self, [&](sand::DB& d) {
          return version ? d.get(k.view(), *version) : d.get(k.view());
        }));
        return optional_bytes(value, std::move(fallback));
      },
      py::arg("key"), py::kw_only(), py::arg("at") = py::none(), py::arg("default") = py::none(),
      R"doc(get(self, key, *, at=None, default=None)
--

The value (bytes) of key, or `default` if it is absent or deleted.

at: None for the latest state, an int version for the state as of that
version, or a Snapshot of this handle. Errors: InvalidArgument if `at` is
newer than last_version, or below low_water_mark and not a live
snapshot's version; Corruption, IOError.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> v = db.put(b"k", b"old"); db.put(b"k", b"new")
    2
    >>> db.get(b"k"), db.get(b"k", at=v), db.get(b"nope", default=b"-")
    (b'new', b'old', b'-')
)doc");

  db.def(
      "get_versioned",
      [](DBObject& self, py::handle key, py::handle at) -> py::object {
        const Bytes k(key, "key");
        const std::optional<sand::Version> version = read_version(at, self.token);
        auto entry = unwrap(nogil(self, [&](sand::DB& d) {
          return version ? d.get_versioned(k.view(), *version) : d.get_versioned(k.view());
        }));
        if (!entry) return py::none();
        return history_entry(*entry);
      },
      py::arg("key"), py::kw_only(), py::arg("at") = py::none(),
      R"doc(get_versioned(self, key, *, at=None)
--

The newest retained entry of key as of `at` (as for get()): a
HistoryEntry(version, deleted, value) named tuple, or None if the key has
none. It is exactly the first entry of history() (with a version <= at),
so a deletion shows only while it hides an older retained put. Use the
version with WriteBatch.expect_version() for a read-modify-write.
Errors: as get().

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.put(b"k", b"a"), db.delete(b"k")
    (1, 2)
    >>> db.get_versioned(b"k"), db.get_versioned(b"k", at=1)
    (HistoryEntry(version=2, deleted=True, value=None), HistoryEntry(version=1, deleted=False, value=b'a'))
    >>> db.get_versioned(b"other") is None
    True
)doc");

  db.def(
      "multi_get",
      [](DBObject& self, py::handle keys, py::handle at) {
        PyObject* o = keys.ptr();
        if (PyBytes_Check(o) || PyUnicode_Check(o) || PyByteArray_Check(o) ||
            PyMemoryView_Check(o)) {
          throw py::type_error(std::string("keys must be an iterable of keys, not one ") +
                               Py_TYPE(o)->tp_name);
        }
        // The list keeps every key object alive while the engine reads the
        // views with the GIL released; a deque never moves its Bytes.
        py::list items;
        for (py::handle item : py::iter(keys)) items.append(item);
        std::deque<Bytes> owned;
        std::vector<std::string_view> views;
        views.reserve(items.size());
        for (std::size_t i = 0; i < items.size(); ++i) {
          const std::string what = "keys[" + std::to_string(i) + "]";
          views.push_back(owned.emplace_back(items[i], what.c_str()).view());
        }
        const std::optional<sand::Version> version = read_version(at, self.token);
        auto values = unwrap(nogil(self, [&](sand::DB& d) {
          return version ? d.multi_get(views, *version) : d.multi_get(views);
        }));
        py::list out(values.size());
        for (std::size_t i = 0; i < values.size(); ++i)
          out[i] = optional_bytes(values[i], py::none());
        return out;
      },
      py::arg("keys"), py::kw_only(), py::arg("at") = py::none(),
      R"doc(multi_get(self, keys, *, at=None)
--

The values of many keys, all read at one version (`at` as for get();
None: the latest): a list with, for each key of the iterable `keys` in
order, its value (bytes) or None if it is absent or deleted. The same
answers as get() of each key at that one version, with one engine call.
Errors: as get() (the first error fails the call); TypeError naming
keys[i] for a key of another type.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.put(b"a", b"1"), db.put(b"b", b"2"), db.delete(b"a")
    (1, 2, 3)
    >>> db.multi_get([b"a", b"b", b"c"]), db.multi_get([b"a", b"b"], at=1)
    ([None, b'2', None], [b'1', None])
)doc");

  db.def(
      "history",
      [](DBObject& self, py::handle key) {
        const Bytes k(key, "key");
        auto entries = unwrap(nogil(self, [&](sand::DB& d) { return d.history(k.view()); }));
        py::list out(entries.size());
        for (std::size_t i = 0; i < entries.size(); ++i) out[i] = history_entry(entries[i]);
        return out;
      },
      py::arg("key"),
      R"doc(history(self, key)
--

The retained history of key, newest first: a list of HistoryEntry
(version, deleted, value) named tuples; value is None for a deletion.

Every version >= low_water_mark is listed, plus the newest one below it
(the state as of the mark); a deletion with no older retained version
beneath it is left out (it hides nothing). Errors: Corruption, IOError.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.put(b"k", b"a"), db.delete(b"k"), db.put(b"k", b"b")
    (1, 2, 3)
    >>> [(e.version, e.deleted, e.value) for e in db.history(b"k")]
    [(3, False, b'b'), (2, True, None), (1, False, b'a')]
)doc");

  db.def(
      "scan",
      [](DBObject& self, py::handle start, py::handle end, py::handle prefix, py::handle at,
         bool reverse, bool with_versions) {
        const sand::ScanOptions so = scan_options(self, start, end, prefix, at, reverse);
        auto it = unwrap(nogil(self, [&](sand::DB& d) { return d.scan(so); }));
        auto out = std::make_unique<IteratorObject>();
        out->it.emplace(std::move(it));
        out->with_versions = with_versions;
        return out;
      },
      py::arg("start") = py::none(), py::arg("end") = py::none(), py::kw_only(),
      py::arg("prefix") = py::none(), py::arg("at") = py::none(), py::arg("reverse") = false,
      py::arg("with_versions") = false,
      R"doc(scan(self, start=None, end=None, *, prefix=None, at=None, reverse=False, with_versions=False)
--

An Iterator over the live keys with start <= key < end (None: open) that
start with `prefix` (None: every key) as of `at` (as for get()),
ascending or, with reverse=True, descending. It yields (key, value)
tuples, or (key, value, version) with with_versions=True, where version
is the one that wrote the value.

The iterator reads one fixed version: later writes never show. It keeps
the files it reads alive, even after the DB is closed; close() it (or use
it as a context manager, or exhaust it) to let them go. Use it from one
thread at a time. Errors: InvalidArgument (`at` refused, start > end);
errors met while iterating (Corruption, IOError) are raised by next().

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> for k in (b"a", b"b", b"c"): _ = db.put(k, k.upper())
    >>> list(db.scan(b"b"))
    [(b'b', b'B'), (b'c', b'C')]
    >>> list(db.scan(end=b"c", reverse=True, with_versions=True))
    [(b'b', b'B', 2), (b'a', b'A', 1)]
    >>> list(db.scan(prefix=b"c"))
    [(b'c', b'C')]
)doc");

  db.def(
      "cursor",
      [](DBObject& self, py::handle start, py::handle end, py::handle prefix, py::handle at,
         bool reverse) {
        const sand::ScanOptions so = scan_options(self, start, end, prefix, at, reverse);
        auto it = unwrap(nogil(self, [&](sand::DB& d) { return d.scan(so); }));
        auto out = std::make_unique<CursorObject>();
        out->it.emplace(std::move(it));
        return out;
      },
      py::arg("start") = py::none(), py::arg("end") = py::none(), py::kw_only(),
      py::arg("prefix") = py::none(), py::arg("at") = py::none(), py::arg("reverse") = false,
      R"doc(cursor(self, start=None, end=None, *, prefix=None, at=None, reverse=False)
--

A Cursor over the live keys scan() with the same arguments would yield:
a position that can seek (seek, seek_for_prev, seek_to_first,
seek_to_last) and step both ways (next, prev), never leaving the bounds,
starting at the scan's first key. Errors: as scan().

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> for k in (b"a", b"b", b"c"): _ = db.put(k, k.upper())
    >>> c = db.cursor(reverse=True)
    >>> c.key, c.next(), c.key, c.prev(), c.key
    (b'c', True, b'b', True, b'c')
    >>> c.seek(b"bb"), (c.key, c.value, c.version)
    (True, (b'c', b'C', 3))
)doc");

  db.def(
      "changes",
      [](DBObject& self, py::handle since, py::handle until, py::handle start, py::handle end,
         py::handle prefix) {
        sand::ChangeOptions co;
        co.since = version_arg(since, "since");
        if (!until.is_none()) co.until = version_arg(until, "until");
        if (!start.is_none()) co.from = std::string(Bytes(start, "start").view());
        if (!end.is_none()) co.to = std::string(Bytes(end, "end").view());
        if (!prefix.is_none()) co.prefix = std::string(Bytes(prefix, "prefix").view());
        auto feed = unwrap(nogil(self, [&](sand::DB& d) { return d.changes(co); }));
        auto out = std::make_unique<ChangeFeedObject>();
        out->until = feed.until();
        out->feed.emplace(std::move(feed));
        return out;
      },
      py::arg("since") = 0, py::kw_only(), py::arg("until") = py::none(),
      py::arg("start") = py::none(), py::arg("end") = py::none(), py::arg("prefix") = py::none(),
      R"doc(changes(self, since=0, *, until=None, start=None, end=None, prefix=None)
--

A ChangeFeed of the committed batches with versions in (since, until]
(until None: the last version committed now), batch by batch in version
order, limited to keys with start <= key < end that start with `prefix`
(None: no limit). Each batch is a ChangeBatch(version, changes) with its
operations as Change(key, deleted, value) in key order, one per key.

It shows the retained history by the rules of history(): every write at
a version >= low_water_mark, except a deletion that hides no older
retained put. To follow a database, remember feed.until and pass it as
`since` next time (wait_for_version() waits for new writes). Errors:
InvalidArgument if since is below low_water_mark, until is newer than
last_version or below since, or start > end; Corruption, IOError.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.put(b"user:1", b"a"), db.put(b"item:1", b"x"), db.put(b"user:2", b"b")
    (1, 2, 3)
    >>> feed = db.changes(since=1, prefix=b"user:")
    >>> [(b.version, [c.key for c in b.changes]) for b in feed], feed.until
    ([(3, [b'user:2'])], 3)
)doc");

  db.def(
      "wait_for_version",
      [](DBObject& self, py::handle version, py::handle timeout) {
        const sand::Version v = version_arg(version, "version");
        const std::optional<double> seconds = timeout_arg(timeout);
        using Clock = std::chrono::steady_clock;
        const Clock::time_point deadline =
            Clock::now() + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(seconds.value_or(0)));
        for (;;) {
          // Slices, so that Ctrl-C is seen while waiting without a limit.
          std::chrono::milliseconds slice = kWaitSlice;
          if (seconds) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
            slice = std::clamp(left, std::chrono::milliseconds(0), kWaitSlice);
          }
          const sand::Version last =
              unwrap(nogil(self, [&](sand::DB& d) { return d.wait_for_version(v, slice); }));
          if (last >= v || (seconds && Clock::now() >= deadline)) return last;
          if (PyErr_CheckSignals() != 0) throw py::error_already_set();
        }
      },
      py::arg("version"), py::kw_only(), py::arg("timeout") = py::none(),
      R"doc(wait_for_version(self, version, *, timeout=None)
--

Waits until `version` is committed (last_version >= version) or `timeout`
seconds (an int or float; None: no limit) pass, with the GIL released,
and returns last_version (int): below `version` after a timeout, which is
not an error. A read-only handle refreshes itself while it waits, so a
follower process can tail a writer:

    seen = 0
    while True:
        reader.wait_for_version(seen + 1)
        feed = reader.changes(since=seen)
        for batch in feed: ...
        seen = feed.until

Ctrl-C (KeyboardInterrupt) interrupts the wait. Errors: TypeError,
ValueError (a negative timeout); ReadOnly after close(); a read-only
handle's refresh() errors.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.put(b"k", b"v")
    1
    >>> db.wait_for_version(1), db.wait_for_version(2, timeout=0.01)
    (1, 1)
)doc");

  db.def(
      "snapshot",
      [](DBObject& self) {
        auto out = std::make_unique<SnapshotObject>();
        out->snapshot = nogil(self, [](sand::DB& d) { return d.snapshot(); });
        out->version = out->snapshot.version();
        out->owner_token = self.token;
        return out;
      },
      R"doc(snapshot(self)
--

Pins the current version: a Snapshot, usable as `at=` of get() and scan()
on this handle even after forget_before() moves the mark past it, until
it is released (release(), the end of a `with` block, or garbage
collection).

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.put(b"k", b"a")
    1
    >>> with db.snapshot() as snap:
    ...     _ = db.put(b"k", b"b"); db.forget_before(db.last_version)
    ...     db.get(b"k", at=snap)
    b'a'
)doc");

  db.def(
      "forget_before",
      [](DBObject& self, py::handle version) {
        const sand::Version v = version_arg(version, "version");
        check(nogil(self, [&](sand::DB& d) { return d.forget_before(v); }));
      },
      py::arg("version"),
      R"doc(forget_before(self, version)
--

Raises the retention low-water mark to `version` (durable on return; a
smaller version is a no-op). From then on reads below the mark raise
InvalidArgument (except at a live snapshot's version), history() keeps
only versions >= the mark plus the newest one below it, and compaction
reclaims the rest. Errors: InvalidArgument if version > last_version;
ReadOnly; IOError.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.put(b"k", b"a"), db.put(b"k", b"b")
    (1, 2)
    >>> db.forget_before(2); db.low_water_mark
    2
)doc");

  db.def_property_readonly(
      "low_water_mark",
      [](DBObject& self) { return nogil(self, [](sand::DB& d) { return d.low_water_mark(); }); },
      R"doc(The retention low-water mark (int; 0: every version is readable).

    >>> sanddb.open("/tmp/ex", in_memory=True).low_water_mark
    0
)doc");

  db.def_property_readonly(
      "last_version",
      [](DBObject& self) { return nogil(self, [](sand::DB& d) { return d.last_version(); }); },
      R"doc(The newest committed version (int; 0 before any write). On a
read-only handle: as of its last refresh().

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.put(b"k", b"v"); db.last_version
    1
    1
)doc");

  db.def(
      "flush", [](DBObject& self) { check(nogil(self, [](sand::DB& d) { return d.flush(); })); },
      R"doc(flush(self)
--

Writes the memtable to a new table and waits until it is durable.
Errors: ReadOnly, IOError.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.put(b"k", b"v"); db.flush(); db.stats()["tables"]
    1
    (1, 0, 0)
)doc");

  db.def(
      "checkpoint",
      [](DBObject& self, py::handle dir) {
        // str, bytes or os.PathLike, as open() takes paths.
        const auto path = py::module_::import("os").attr("fsencode")(dir).cast<std::string>();
        return unwrap(nogil(self, [&](sand::DB& d) { return d.checkpoint(path); }));
      },
      py::arg("dir"),
      R"doc(checkpoint(self, dir)
--

Writes a consistent copy of the database, as of one version, to the new
directory `dir` (str, bytes or os.PathLike) and returns that version (int):
every write committed before the call and none committed after it
returns. The copy is an ordinary database (open it with sanddb.open());
its tables are hard links where the file system allows. A crash during
the call leaves `dir` absent or complete and this database untouched.
Errors: InvalidArgument if `dir` exists or is inside this database's
directory; ReadOnly (read-only or closed handle); IOError.

    >>> import os, tempfile
    >>> base = tempfile.mkdtemp()
    >>> with sanddb.open(os.path.join(base, "db")) as db:
    ...     _ = db.put(b"k", b"v1")
    ...     v = db.checkpoint(os.path.join(base, "copy"))
    ...     _ = db.put(b"k", b"v2")
    >>> with sanddb.open(os.path.join(base, "copy")) as copy:
    ...     (copy.last_version == v, copy.get(b"k"))
    (True, b'v1')
)doc");

  db.def(
      "compact",
      [](DBObject& self) { check(nogil(self, [](sand::DB& d) { return d.compact(); })); },
      R"doc(compact(self)
--

Flushes, then merges every table into level 2, dropping what retention
allows, and waits for it. Answers never depend on when compaction ran.
Errors: ReadOnly, IOError, Corruption.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.put(b"k", b"v"); db.compact(); db.stats()["tables"]
    1
    (0, 0, 1)
)doc");

  db.def(
      "stats",
      [](DBObject& self) {
        const sand::Stats s = nogil(self, [](sand::DB& d) { return d.stats(); });
        return stats_dict(s);
      },
      R"doc(stats(self)
--

Counters and shape, as a dict holding every field of the C++ sand::Stats:
last_version, low_water_mark, memtable_bytes, immutable_memtables,
tables and table_bytes (tuples of 3: levels 0, 1, 2), l1_runs, wal_bytes,
user_bytes_written, write_groups, wal_syncs, flushes, flush_bytes_written,
compactions, compaction_bytes_read, compaction_bytes_written,
write_amplification and space_amplification (floats), stalls,
stall_micros, live_snapshots, manifest_bytes; then where memory goes now:
memtables_used_bytes, memtables_reserved_bytes (arena bytes of the active
and frozen memtables: used, and held from the system),
table_index_filter_bytes, block_cache_bytes, block_cache_capacity,
wal_buffer_bytes.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.put(b"k", b"v"); db.stats()["last_version"]
    1
    1
)doc");

  db.def(
      "refresh",
      [](DBObject& self) {
        return unwrap(nogil(self, [](sand::DB& d) -> sand::Result<sand::Version> {
          if (sand::Status s = d.refresh(); !s.is_ok()) return s;
          return d.last_version();
        }));
      },
      R"doc(refresh(self)
--

Read-only handles: catches up with the writer process (new manifest
records, tables and WAL records); returns last_version. Reads that
started before keep their view. A writable handle is always current: a
no-op. Errors: ReadOnly after close(), Corruption, IOError, Busy (the
writer kept retiring the files being opened: retry later).

    >>> import tempfile
    >>> path = tempfile.mkdtemp()
    >>> writer = sanddb.open(path)
    >>> reader = sanddb.open(path, read_only=True)
    >>> v = writer.put(b"k", b"v")
    >>> reader.get(b"k") is None, reader.refresh() == v, reader.get(b"k")
    (True, True, b'v')
)doc");

  db.def(
      "close",
      [](DBObject& self) {
        sand::Status s = nogil(self, [](sand::DB& d) { return d.close(); });
        self.closed = true;
        check(s);
      },
      R"doc(close(self)
--

Stops background work (after the flush or compaction in progress), syncs
the WAL and releases the lock; it does not flush. Idempotent. Later
writes raise ReadOnly. Errors: IOError (the final sync failed).

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.close(); db.closed
    True
)doc");

  db.def(
      "__enter__", [](py::object self) { return self; },
      "__enter__(self)\n--\n\nReturns the DB itself.");
  db.def(
      "__exit__",
      [](DBObject& self, py::handle, py::handle, py::handle) {
        sand::Status s = nogil(self, [](sand::DB& d) { return d.close(); });
        self.closed = true;
        check(s);
        return false;
      },
      "__exit__(self, exc_type, exc, tb)\n--\n\nCloses the DB.");

  db.def_property_readonly(
      "path", [](DBObject& self) { return text(self.path); },
      "The directory the DB was opened in (str).");
  db.def_property_readonly(
      "read_only", [](DBObject& self) { return self.read_only; },
      "Whether it was opened with read_only=True.");
  db.def_property_readonly(
      "in_memory", [](DBObject& self) { return self.in_memory; },
      "Whether it was opened with in_memory=True.");
  db.def_property_readonly(
      "closed", [](DBObject& self) { return self.closed; }, "Whether close() was called.");
  db.def("__repr__", [](DBObject& self) {
    std::string flags;
    if (self.read_only) flags += " read_only";
    if (self.in_memory) flags += " in_memory";
    if (self.closed) flags += " closed";
    return py::str("<sanddb.DB {!r}{}>").format(text(self.path), flags);
  });
}

}  // namespace sanddb_py
