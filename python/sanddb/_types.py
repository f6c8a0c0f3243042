"""The exception classes and the small result types of sanddb.

Defined in Python (and looked up by the extension when it loads) so that
sanddb.IOError can also be an OSError and sanddb.InvalidArgument also a
ValueError, which a C++-defined exception cannot easily be.
"""

from typing import List, NamedTuple, Optional

__all__ = [
    "Error", "InvalidArgument", "NotFound", "Corruption", "IOError", "Busy", "ReadOnly",
    "Conflict", "ConflictError", "HistoryEntry", "Change", "ChangeBatch", "CheckReport",
    "CheckedFile", "CheckTotals", "CheckProblem", "CheckNote",
]


class Error(Exception):
    """Base class of every error the engine reports (one subclass per kind).

    str(error) is the engine's message, which names the file, offset or
    path involved; `message` is the same text.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> try:
    ...     db.get(b"k", at=5)
    ... except sanddb.Error as e:
    ...     print(type(e).__name__, "-", e)
    InvalidArgument - version 5 is newer than the last committed version 0
    """

    @property
    def message(self) -> str:
        """The engine's message (str)."""
        return str(self.args[0]) if self.args else ""


class InvalidArgument(Error, ValueError):
    """A bad argument: a key over 64 KiB, an empty batch, a version newer than
    the last one or below the low-water mark, bad open() options, an existing
    database with error_if_exists. Also a ValueError.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.write(sanddb.WriteBatch())
    Traceback (most recent call last):
    sanddb.InvalidArgument: empty write batch
    """


class NotFound(Error):
    """Opening (or checking) a missing database without create_if_missing.

    >>> sanddb.open("/nonexistent/db", create_if_missing=False)
    Traceback (most recent call last):
    sanddb.NotFound: /nonexistent/db: no database (create_if_missing is false)
    """


class Corruption(Error):
    """Bytes on disk fail a check; the message names the file and offset.

    >>> issubclass(sanddb.Corruption, sanddb.Error)
    True
    """


class IOError(Error, OSError):  # noqa: A001 (sanddb.IOError, by design)
    """The operating system refused (the message names the path and the OS
    reason). Also an OSError, so `except OSError` catches it; its errno is
    None (the engine passes the reason as text).

    >>> issubclass(sanddb.IOError, OSError)
    True
    """


class Busy(Error):
    """Another process (or handle) holds the database open for writing.

    >>> import tempfile
    >>> path = tempfile.mkdtemp()
    >>> first = sanddb.open(path)
    >>> try:
    ...     sanddb.open(path)
    ... except sanddb.Busy:
    ...     print("busy")
    busy
    """


class ReadOnly(Error):
    """Writes refused: a read_only handle, a closed one, or after a write or
    sync failed (reads go on; reopening recovers).

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.close()
    >>> try:
    ...     db.put(b"k", b"v")
    ... except sanddb.ReadOnly:
    ...     print("read-only")
    read-only
    """


class Conflict(Error):
    """A write's precondition failed (WriteBatch.expect_version(),
    expect_missing(), expect_exists()): nothing was committed. The message
    names the key, the expected and the actual version.
    sanddb.ConflictError is the same class.

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.put(b"k", b"v")
    1
    >>> batch = sanddb.WriteBatch()
    >>> batch.expect_missing(b"k"); batch.put(b"k", b"new")
    >>> try:
    ...     db.write(batch)
    ... except sanddb.Conflict as e:
    ...     print("conflict:", e)
    conflict: key 'k' expected version 0 (missing), found 1
    """


#: Another name of Conflict, for code that spells exceptions with "Error".
ConflictError = Conflict


class HistoryEntry(NamedTuple):
    """One retained version of a key, as DB.history() lists them (and
    DB.get_versioned() returns the newest one).

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.put(b"k", b"v")
    1
    >>> db.history(b"k")
    [HistoryEntry(version=1, deleted=False, value=b'v')]
    """

    version: int
    #: True for a deletion (a tombstone) at `version`.
    deleted: bool
    #: The value written at `version`; None for a deletion.
    value: Optional[bytes]


class Change(NamedTuple):
    """One operation of a committed batch, as DB.changes() shows it: the key,
    whether it was deleted, and the value put (None for a deletion)."""

    key: bytes
    #: True for a deletion (a tombstone).
    deleted: bool
    #: The value put; None for a deletion.
    value: Optional[bytes]


class ChangeBatch(NamedTuple):
    """One committed batch of DB.changes(): its version and its operations,
    in ascending key order (one per key).

    >>> db = sanddb.open("/tmp/ex", in_memory=True)
    >>> db.put(b"a", b"1")
    1
    >>> batch = sanddb.WriteBatch(); batch.put(b"b", b"2"); batch.delete(b"a")
    >>> db.write(batch)
    2
    >>> b = next(db.changes(since=1))
    >>> b.version, b.changes[0], b.changes[1].value
    (2, Change(key=b'a', deleted=True, value=None), b'2')
    """

    version: int
    #: Change list, in ascending key order.
    changes: List[Change]


class CheckProblem(NamedTuple):
    """Damage found by check(): the bytes of `file` at `offset` fail a check."""

    #: A name inside the database directory, e.g. "000012.sst".
    file: str
    #: Byte offset of the block or record; None when the file as a whole is at fault.
    offset: Optional[int]
    #: What failed, e.g. "block checksum mismatch".
    what: str


class CheckNote(NamedTuple):
    """Something check() found that is not damage (a torn WAL tail the next
    open drops, an orphan file the next writer open deletes)."""

    file: str
    offset: Optional[int]
    what: str


class CheckedFile(NamedTuple):
    """What check() verified in one file."""

    file: str
    #: "manifest", "table", "wal" (a live WAL, or one kept as a value file) or
    #: "value_log" (a NNNNNN.val value log, written by compaction).
    type: str
    #: "ok", "bad" (a problem names it) or "skipped" (deleted by a writer meanwhile).
    outcome: str
    #: The file's size in bytes.
    bytes: int
    #: Tables: data blocks that passed; manifest, WALs and value logs: records
    #: that passed.
    units: int
    #: Tables: entries in those blocks; WALs: operations; value logs: values
    #: (one per record); manifest: live tables.
    entries: int


class CheckTotals(NamedTuple):
    """Sums over the checked files of one type (skipped files not included)."""

    files: int
    bytes: int
    units: int
    entries: int


class CheckReport(NamedTuple):
    """The answer of sanddb.check(path).

    >>> import tempfile
    >>> path = tempfile.mkdtemp()
    >>> with sanddb.open(path) as db:
    ...     db.put(b"k", b"v"); db.flush()
    1
    >>> report = sanddb.check(path)
    >>> report.ok, report.problems, report.tables.files
    (True, [], 1)
    """

    #: True when no problem was found.
    ok: bool
    #: CheckProblem list, in the order found.
    problems: List[CheckProblem]
    #: CheckNote list.
    notes: List[CheckNote]
    #: CheckedFile list: MANIFEST, then tables, then WALs and value logs, by number.
    files: List[CheckedFile]
    manifest: CheckTotals
    tables: CheckTotals
    #: Totals over the WALs and the value logs.
    wals: CheckTotals
