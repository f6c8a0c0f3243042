"""sanddb: an embedded, versioned, append-only key-value store.

Every committed write gets the next version; read the latest state, the
state as of any retained version, or a key's whole history. Keys and values
are bytes (a str is encoded as UTF-8; a bytearray or memoryview is copied);
values come back as bytes.

    >>> import sanddb, tempfile
    >>> with sanddb.open(tempfile.mkdtemp()) as db:
    ...     v1 = db.put(b"user:1", b"alice")
    ...     v2 = db.delete(b"user:1")
    ...     db.get(b"user:1"), db.get(b"user:1", at=v1)
    ...     [(e.version, e.value) for e in db.history(b"user:1")]
    ...     list(db.scan(b"user:", b"user;", at=v1))
    (None, b'alice')
    [(2, None), (1, b'alice')]
    [(b'user:1', b'alice')]

Errors are exceptions named after the engine's error kinds, all subclasses
of sanddb.Error: InvalidArgument (also a ValueError), NotFound, Corruption,
IOError (also an OSError), Busy, ReadOnly, Conflict (a failed write
precondition; also named ConflictError). A missing key is not an error:
get() returns its `default`.

Threads: a DB may be used from several threads at once (every engine call
releases the GIL); an Iterator, Cursor or ChangeFeed from one at a time; a
WriteBatch is a plain value; a Snapshot may be shared.
"""

import os as _os

from . import _types
from ._types import (
    Busy,
    Change,
    ChangeBatch,
    CheckedFile,
    CheckNote,
    CheckProblem,
    CheckReport,
    CheckTotals,
    Conflict,
    ConflictError,
    Corruption,
    Error,
    HistoryEntry,
    InvalidArgument,
    IOError,
    NotFound,
    ReadOnly,
)
from ._sanddb import DB, ChangeFeed, Cursor, Iterator, Snapshot, WriteBatch, __version__
from ._sanddb import _check, _import_archive, _open

__all__ = [
    "open", "check", "import_archive", "DB", "Iterator", "Cursor", "ChangeFeed", "Snapshot",
    "WriteBatch", "HistoryEntry", "Change", "ChangeBatch", "CheckReport", "CheckedFile",
    "CheckTotals", "CheckProblem", "CheckNote", "Error", "InvalidArgument", "NotFound",
    "Corruption", "IOError", "Busy", "ReadOnly", "Conflict", "ConflictError", "__version__",
]

# Show every public class as sanddb.X (in reprs and tracebacks), wherever
# it is defined.
for _cls in (DB, Iterator, Cursor, ChangeFeed, Snapshot, WriteBatch, HistoryEntry, Change,
             ChangeBatch, CheckReport, CheckedFile, CheckTotals, CheckProblem, CheckNote, Error,
             InvalidArgument, NotFound, Corruption, IOError, Busy, ReadOnly, Conflict):
    _cls.__module__ = __name__
del _cls

# The keyword options of open(), named as the fields of the C++ sand::Options,
# by kind of value. Bounds the engine checks (e.g. memtable_size >= 4096) are
# left to it: it raises InvalidArgument naming the option.
_BOOL_OPTIONS = frozenset({"create_if_missing", "error_if_exists", "sync", "point_in_time_recovery"})
_SIZE_OPTIONS = frozenset({"memtable_size", "value_separation_threshold", "block_size",
                           "block_cache_size", "target_file_size", "memtable_budget",
                           "manifest_rollover_size"})  # C++ size_t
_INT_OPTIONS = frozenset({"block_restart_interval", "bloom_bits_per_key", "l0_trigger", "l0_stop",
                          "l1_trigger", "max_frozen_memtables"})  # C++ int
_CHOICE_OPTIONS = {"compression": ("lz4", "none"), "retention": ("all", "latest"),
                   "memtable": ("btree", "skiplist")}


def _checked_options(options, caller="open"):
    checked = {}
    for name, value in options.items():
        if name in _BOOL_OPTIONS:
            if not isinstance(value, bool):
                raise TypeError(
                    f"{caller}(): {name} must be True or False, not {type(value).__name__}")
        elif name in _SIZE_OPTIONS or name in _INT_OPTIONS:
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"{caller}(): {name} must be an int, not {type(value).__name__}")
            low, high = (0, 2**64 - 1) if name in _SIZE_OPTIONS else (-(2**31), 2**31 - 1)
            if not low <= value <= high:
                raise ValueError(f"{caller}(): {name} must be in [{low}, {high}], not {value}")
        elif name in _CHOICE_OPTIONS:
            choices = _CHOICE_OPTIONS[name]
            if not isinstance(value, str):
                raise TypeError(
                    f"{caller}(): {name} must be one of {choices}, not {type(value).__name__}")
            if value not in choices:
                raise ValueError(f"{caller}(): {name} must be one of {choices}, not {value!r}")
        else:
            raise TypeError(f"{caller}() got an unexpected keyword argument {name!r}")
        checked[name] = value
    return checked


def open(path, *, read_only=False, in_memory=False, **options):  # noqa: A001 (like dbm.open)
    """Opens the database in directory `path` (str, bytes or os.PathLike)
    and returns a DB, which is a context manager that closes it.

    Keyword options are named as the fields of the C++ sand::Options, with
    the same defaults: create_if_missing (True), error_if_exists (False),
    memtable_size (64 MiB), memtable ("btree" or "skiplist": the memtable's
    ordered index; both give the same answers; "btree", the faster),
    value_separation_threshold (1024; 0: off;
    otherwise at least 64: values of at least this many bytes are stored
    once, in the WAL, and tables hold a reference to them), block_size (4096),
    block_restart_interval (16), compression ("lz4" or "none"; "lz4"),
    bloom_bits_per_key (10),
    block_cache_size (32 MiB), sync (False: writes survive a process crash,
    not a power loss), retention ("all", or "latest" to keep only the newest
    state), l0_trigger (4), l0_stop (12), l1_trigger (4), target_file_size
    (64 MiB), max_frozen_memtables (1), memtable_budget (0, meaning
    max_frozen_memtables * memtable_size + memtable_size / 4; otherwise at
    least memtable_size: memtable bytes at which writes stall while a flush
    is pending),
    manifest_rollover_size (4 MiB), point_in_time_recovery (False).

    read_only=True opens alongside a writer process (or none) without the
    lock: it never writes, sees the state of its last refresh(), and writes
    raise ReadOnly. in_memory=True keeps every file in memory (for tests and
    ephemeral stores; `path` only names it, nothing survives the DB).

    Errors: TypeError for an unknown keyword or a value of the wrong type,
    ValueError for a bad value (InvalidArgument, itself a ValueError, when
    the engine refuses it); NotFound (missing, create_if_missing=False),
    InvalidArgument (exists, error_if_exists=True), Busy (another process or
    handle has it open for writing), Corruption, IOError.

    >>> import tempfile
    >>> path = tempfile.mkdtemp()
    >>> with sanddb.open(path, memtable_size=1 << 20, compression="none") as db:
    ...     db.put(b"k", b"v")
    1
    >>> with sanddb.open(path, read_only=True) as ro:
    ...     ro.get(b"k")
    b'v'
    >>> sanddb.open(path, colour="blue")
    Traceback (most recent call last):
    TypeError: open() got an unexpected keyword argument 'colour'
    """
    if not isinstance(read_only, bool):
        raise TypeError(f"open(): read_only must be True or False, not {type(read_only).__name__}")
    if not isinstance(in_memory, bool):
        raise TypeError(f"open(): in_memory must be True or False, not {type(in_memory).__name__}")
    if read_only and in_memory:
        raise ValueError("open(): read_only and in_memory exclude each other "
                         "(a new in-memory database is empty)")
    return _open(_os.fsencode(path), _checked_options(options), read_only, in_memory)


def check(path):
    """Reads every file of the database in `path` and verifies every
    checksum and structure, like `sand check`; returns a CheckReport.

    It never takes the lock or writes, so it runs next to a writer. Damage
    is reported in the report (report.ok is False, report.problems says
    which file, offset and what), not raised. Errors: NotFound (no database
    in `path`), IOError (the directory cannot be listed).

    >>> import tempfile
    >>> path = tempfile.mkdtemp()
    >>> with sanddb.open(path) as db:
    ...     db.put(b"k", b"v")
    1
    >>> report = sanddb.check(path)
    >>> report.ok, [(f.file, f.outcome) for f in report.files][:1]
    (True, [('MANIFEST', 'ok')])
    """
    return _check(_os.fsencode(path))


def import_archive(dir, path, *, progress=None, **options):  # noqa: A002 (as checkpoint's dir)
    """Builds a new database in directory `dir` from the archive file `path`
    (both str, bytes or os.PathLike), as DB.export_archive() wrote it, and
    returns the number of entries read (int). The new database answers every
    read at every retained version as the exported one did, with the same
    last_version and low_water_mark; its next write gets last_version + 1.
    Its tables are written directly (no replay of writes), as one level-2
    run. All or nothing: on any error `dir` is left as it was.

    `dir` must be absent or an empty directory (missing parents are created).
    Keyword options are those of open(); the import uses those that shape
    tables (block_size, block_restart_interval, compression,
    bloom_bits_per_key, target_file_size) and checks the others, which are
    not stored in the database (pass them to open()).

    progress: None, or a callable called as progress(entries, bytes, 0)
    after every chunk of the archive read and once at the end. If it raises,
    the import stops, `dir` is left as it was and the exception propagates;
    Ctrl-C stops it the same way.

    Errors: TypeError and ValueError for options as open();
    InvalidArgument (`dir` not empty, or options the engine refuses);
    Corruption (a damaged, truncated or unsupported archive: the message
    names `path` and the byte offset); Busy (another import into `dir` is
    running); IOError (`path` cannot be read, or `dir` written).

    >>> import os, tempfile
    >>> base = tempfile.mkdtemp()
    >>> with sanddb.open(os.path.join(base, "db")) as db:
    ...     v1 = db.put(b"k", b"old"); v2 = db.put(b"k", b"new")
    ...     db.export_archive(os.path.join(base, "db.sandx"))
    2
    >>> sanddb.import_archive(os.path.join(base, "copy"), os.path.join(base, "db.sandx"))
    2
    >>> with sanddb.open(os.path.join(base, "copy")) as copy:
    ...     copy.last_version, copy.get(b"k"), copy.get(b"k", at=v1)
    (2, b'new', b'old')
    >>> sanddb.import_archive(os.path.join(base, "copy"), os.path.join(base, "db.sandx"))
    Traceback (most recent call last):
    sanddb.InvalidArgument: .../copy: not empty (import creates a new database; ...)
    """
    return _import_archive(_os.fsencode(dir), _os.fsencode(path),
                           _checked_options(options, "import_archive"), progress)
