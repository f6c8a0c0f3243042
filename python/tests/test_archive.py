"""DB.export_archive and sanddb.import_archive: a database's retained history
through an archive file into a new database that answers every read as the
original did; progress callables; damaged archives and refused targets."""

import inspect
import os
import pathlib
import signal
import tempfile
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase

import sanddb

from conftest import SMALL

HEADER_SIZE, CHUNK_HEADER_SIZE, TRAILER_SIZE = 36, 12, 24  # spec/archive.md


def answers(db):
    """Everything a reader can ask of `db`: last_version, the mark, each
    key's history, and get() and a scan at every version (or the error
    class a version below the mark raises)."""
    out = {"last_version": db.last_version, "low_water_mark": db.low_water_mark}
    for key in KEYS:
        out[b"history " + key] = db.history(key)
    for v in range(db.last_version + 1):
        try:
            out[v] = ([db.get(k, at=v) for k in KEYS], list(db.scan(at=v, with_versions=True)))
        except sanddb.InvalidArgument:
            out[v] = "InvalidArgument"
    return out


def export_import(db, base, **import_options):
    """Exports `db` to base/db.sandx, imports it into base/copy; returns the
    copy's path and the entry counts of both steps."""
    archive, copy = os.path.join(base, "db.sandx"), os.path.join(base, "copy")
    exported = db.export_archive(archive)
    imported = sanddb.import_archive(copy, archive, **import_options)
    return copy, exported, imported


# ---- round trip of random histories --------------------------------------------

KEYS = [b"", b"a", b"ab", b"b", b"k\x00", b"k1", b"z\xff"]
keys = st.sampled_from(KEYS)
values = st.one_of(
    st.binary(max_size=16),
    # Large values fill the 4 KiB memtables: flushes and compactions.
    st.builds(lambda n, c: c * n, st.integers(200, 1500), st.sampled_from([b"x", b"y"])),
)
operations = st.lists(st.one_of(
    st.tuples(st.just("put"), keys, values),
    st.tuples(st.just("delete"), keys),
    st.tuples(st.just("batch"), st.lists(st.tuples(keys, st.none() | values), min_size=1,
                                         max_size=4)),
    st.tuples(st.just("forget_before"), st.integers(0, 8)),  # this far below last_version
    st.tuples(st.just("flush")),
    st.tuples(st.just("compact")),
), max_size=40)


def apply(db, operation):
    kind, *args = operation
    if kind == "put":
        db.put(*args)
    elif kind == "delete":
        db.delete(*args)
    elif kind == "batch":
        batch = sanddb.WriteBatch()
        for key, value in args[0]:
            if value is None:
                batch.delete(key)
            else:
                batch.put(key, value)
        db.write(batch)
    elif kind == "forget_before":
        db.forget_before(max(0, db.last_version - args[0]))
    else:
        getattr(db, kind)()


@settings(
    max_examples=int(os.environ.get("SANDDB_HYPOTHESIS_EXAMPLES", "200")) // 2,
    deadline=None,  # file-system timing varies on a shared host
    suppress_health_check=[HealthCheck.too_slow],
    database=DirectoryBasedExampleDatabase(
        str(pathlib.Path(__file__).resolve().parent.parent / ".hypothesis" / "examples")),
)
@given(operations, st.sampled_from(["all", "latest"]), st.sampled_from(["lz4", "none"]))
def test_round_trip_answers_every_read_as_the_original(ops, retention, compression):
    with tempfile.TemporaryDirectory() as base:
        with sanddb.open(os.path.join(base, "db"), retention=retention, **SMALL) as db:
            for operation in ops:
                apply(db, operation)
            expected = answers(db)
            # Tables cut small: the import writes a run of several.
            copy, exported, imported = export_import(
                db, base, compression=compression, block_size=256, target_file_size=4096)
        assert imported == exported
        with sanddb.open(copy, create_if_missing=False, retention=retention) as copy_db:
            assert answers(copy_db) == expected
            # The next write continues the version sequence.
            assert copy_db.put(b"next", b"v") == expected["last_version"] + 1
        assert not os.path.exists(copy + ".import-tmp")


def test_round_trip_of_an_empty_database(tmp_path):
    with sanddb.open(tmp_path / "db") as db:
        copy, exported, imported = export_import(db, tmp_path)
    assert (exported, imported) == (0, 0)
    with sanddb.open(copy, create_if_missing=False) as copy_db:
        assert copy_db.last_version == 0 and list(copy_db.scan()) == []


def test_export_counts_the_retained_entries(tmp_path):
    with sanddb.open(tmp_path / "db") as db:
        db.put(b"k", b"1"); db.put(b"k", b"2"); db.delete(b"k"); db.put(b"j", b"1")
        assert db.export_archive(tmp_path / "all.sandx") == 4
        db.forget_before(db.last_version)  # k: the tombstone hides everything
        assert db.export_archive(tmp_path / "latest.sandx") == 1


def test_export_works_read_only_closed_and_in_memory(tmp_path):
    path = tmp_path / "db"
    with sanddb.open(path) as db:
        db.put(b"k", b"v")
        with sanddb.open(path, read_only=True) as ro:
            assert ro.export_archive(tmp_path / "ro.sandx") == 1
    assert db.closed
    assert db.export_archive(str(tmp_path / "closed.sandx")) == 1  # its last view
    memory = sanddb.open("mem", in_memory=True)
    memory.put(b"k", b"v")
    assert memory.export_archive(os.fsencode(tmp_path / "mem.sandx")) == 1
    for name in ("ro", "closed", "mem"):
        assert (tmp_path / f"{name}.sandx").read_bytes() == (tmp_path / "ro.sandx").read_bytes()


def test_import_uses_the_table_options(tmp_path):
    with sanddb.open(tmp_path / "db") as db:
        for i in range(200):
            db.put(b"k%03d" % i, b"v" * 100)
        copy, _, imported = export_import(db, tmp_path, target_file_size=4096,
                                          compression="none")
    assert imported == 200
    with sanddb.open(copy) as copy_db:
        tables = copy_db.stats()["tables"]
        assert tables[0] == tables[1] == 0 and tables[2] > 1  # one level-2 run, cut small
        assert copy_db.get(b"k123") == b"v" * 100


def test_export_while_another_thread_writes(tmp_path):
    with sanddb.open(tmp_path / "db") as db:
        for i in range(2000):
            db.put(b"k%04d" % (i % 100), b"%d" % i)
        stop = threading.Event()

        def write():
            i = 0
            while not stop.is_set():
                db.put(b"k%04d" % (i % 100), b"w%d" % i)
                i += 1

        writer = threading.Thread(target=write)
        writer.start()
        try:
            before = db.last_version
            db.export_archive(tmp_path / "db.sandx")
        finally:
            stop.set()
            writer.join()
        sanddb.import_archive(tmp_path / "copy", tmp_path / "db.sandx")
        with sanddb.open(tmp_path / "copy") as copy:
            version = copy.last_version
            assert before <= version <= db.last_version
            assert list(copy.scan(with_versions=True)) == list(
                db.scan(at=version, with_versions=True))


# ---- progress ---------------------------------------------------------------------

def big_database(path):
    """About 1 MB of values: an archive of several 256 KiB chunks."""
    db = sanddb.open(path)
    for i in range(2500):
        db.put(b"key%05d" % i, bytes([i % 256]) * 400)
    return db


def test_progress_reports_increasing_counts(tmp_path):
    archive = tmp_path / "db.sandx"
    exports, imports = [], []
    with big_database(tmp_path / "db") as db:
        exported = db.export_archive(archive, progress=lambda *a: exports.append(a))
    size = archive.stat().st_size
    assert exported == 2500
    assert len(exports) >= 4  # every chunk, and once at the end
    assert [e for e, _, _ in exports] == sorted(e for e, _, _ in exports)
    assert [b for _, b, _ in exports] == sorted({b for _, b, _ in exports})  # strictly
    assert exports[-1][:2] == (2500, size)
    assert all(total >= 2500 for _, _, total in exports)

    imported = sanddb.import_archive(tmp_path / "copy", archive,
                                     progress=lambda *a: imports.append(a))
    assert imported == 2500
    assert len(imports) >= 4
    assert [e for e, _, _ in imports] == sorted(e for e, _, _ in imports)
    assert [b for _, b, _ in imports] == sorted({b for _, b, _ in imports})
    assert imports[-1] == (2500, size, 0)  # the total is unknown to an import


class Stop(Exception):
    pass


def raising_at(call, exception=Stop):
    """A progress callable that raises `exception` at its call number `call`
    (-1: when it reports the whole archive), and records its calls."""
    calls = []

    def progress(entries, nbytes, total):
        calls.append(entries)
        if len(calls) - 1 == call or (call == -1 and nbytes == progress.size):
            raise exception("stop at %d" % entries)

    progress.calls, progress.size = calls, None
    return progress


@pytest.mark.parametrize("call", [0, 2, -1], ids=["first", "middle", "last"])
def test_progress_raising_stops_the_export_and_removes_the_file(tmp_path, call):
    archive = tmp_path / "db.sandx"
    with big_database(tmp_path / "db") as db:
        db.export_archive(archive)
        progress = raising_at(call)
        progress.size = archive.stat().st_size
        with pytest.raises(Stop, match="stop at"):
            db.export_archive(archive, progress=progress)
        assert not archive.exists()
        if call >= 0:  # the export stopped at the raising call
            assert len(progress.calls) == call + 1
        # The handle is unharmed.
        assert db.export_archive(archive) == 2500


@pytest.mark.parametrize("call", [0, 2, -1], ids=["first", "middle", "last"])
def test_progress_raising_stops_the_import_and_leaves_dir_as_it_was(tmp_path, call):
    archive, copy = tmp_path / "db.sandx", tmp_path / "copy"
    with big_database(tmp_path / "db") as db:
        db.export_archive(archive)
    progress = raising_at(call, KeyboardInterrupt)  # a BaseException too
    progress.size = archive.stat().st_size
    with pytest.raises(KeyboardInterrupt):
        sanddb.import_archive(copy, archive, progress=progress)
    if call >= 0:
        assert len(progress.calls) == call + 1
    assert not copy.exists()
    assert not pathlib.Path(str(copy) + ".import-tmp").exists()
    assert sanddb.import_archive(copy, archive) == 2500


needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")


@needs_fifo
def test_ctrl_c_stops_an_export_without_progress(tmp_path):
    # The archive goes into a pipe; a thread reads some of it, so the export
    # is surely running, then sends SIGINT, then drains the pipe.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []

    def read():
        with open(fifo, "rb") as pipe:
            received.append(pipe.read(4096))
            os.kill(os.getpid(), signal.SIGINT)
            while chunk := pipe.read(1 << 16):
                received.append(chunk)

    reader = threading.Thread(target=read)
    with big_database(tmp_path / "db") as db:
        reader.start()
        try:
            with pytest.raises(KeyboardInterrupt):
                db.export_archive(fifo)
        finally:
            reader.join()
    assert not fifo.exists()  # removed, as any unfinished archive
    assert sum(map(len, received)) < 1_000_000  # stopped after the first chunk


@needs_fifo
def test_ctrl_c_stops_an_import_without_progress(tmp_path):
    archive, fifo, copy = tmp_path / "db.sandx", tmp_path / "pipe", tmp_path / "copy"
    with big_database(tmp_path / "db") as db:
        db.export_archive(archive)
    data = archive.read_bytes()
    os.mkfifo(fifo)

    def write():
        fd = os.open(fifo, os.O_WRONLY)
        try:
            os.write(fd, data[:4096])  # at most PIPE_BUF: written whole
            os.kill(os.getpid(), signal.SIGINT)
            rest = memoryview(data)[4096:]
            while rest:
                rest = rest[os.write(fd, rest):]
        except BrokenPipeError:  # the import stopped reading
            pass
        finally:
            os.close(fd)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            sanddb.import_archive(copy, fifo)
    finally:
        writer.join()
    assert not copy.exists()
    assert not pathlib.Path(str(copy) + ".import-tmp").exists()


def test_progress_must_be_callable(tmp_path):
    with sanddb.open(tmp_path / "db") as db:
        with pytest.raises(TypeError, match="progress must be None or a callable, not int"):
            db.export_archive(tmp_path / "db.sandx", progress=1)
        db.export_archive(tmp_path / "db.sandx")
    with pytest.raises(TypeError, match="progress must be None or a callable, not str"):
        sanddb.import_archive(tmp_path / "copy", tmp_path / "db.sandx", progress="x")
    assert not (tmp_path / "copy").exists()


# ---- damaged archives -----------------------------------------------------------

@pytest.fixture
def small_archive(tmp_path):
    """An archive of a few entries (one chunk) and its bytes."""
    archive = tmp_path / "db.sandx"
    with sanddb.open(tmp_path / "db") as db:
        db.put(b"apple", b"red"); db.put(b"apple", b"green"); db.delete(b"banana")
        db.put(b"cherry", b"dark"); db.delete(b"cherry")
        assert db.export_archive(archive) == 4
    return archive, archive.read_bytes()


def import_damaged(tmp_path, archive, data):
    archive.write_bytes(data)
    copy = tmp_path / "copy"
    with pytest.raises(sanddb.Corruption) as raised:
        sanddb.import_archive(copy, archive)
    assert not copy.exists()
    assert not pathlib.Path(str(copy) + ".import-tmp").exists()
    return str(raised.value)


def test_a_flipped_byte_anywhere_is_corruption_naming_its_offset(tmp_path, small_archive):
    archive, data = small_archive
    for i in range(len(data)):
        damaged = data[:i] + bytes([data[i] ^ 0x10]) + data[i + 1:]
        message = import_damaged(tmp_path, archive, damaged)
        assert message.startswith(f"{archive}: offset "), (i, message)


@pytest.mark.parametrize("where, offset, what", [
    (0, 0, "bad magic: not a sanddb archive"),
    (16, 32, "archive header checksum mismatch"),  # last_version
    (HEADER_SIZE, HEADER_SIZE, "chunk header checksum mismatch"),
    (HEADER_SIZE + CHUNK_HEADER_SIZE + 3, HEADER_SIZE, "chunk payload checksum mismatch"),
    (-1, -TRAILER_SIZE, "trailer checksum mismatch"),
])
def test_flipped_byte_errors(tmp_path, small_archive, where, offset, what):
    archive, data = small_archive
    where %= len(data)
    offset %= len(data)
    damaged = data[:where] + bytes([data[where] ^ 0xFF]) + data[where + 1:]
    assert import_damaged(tmp_path, archive, damaged) == f"{archive}: offset {offset}: {what}"


def test_a_truncated_archive_is_corruption(tmp_path, small_archive):
    archive, data = small_archive
    message = import_damaged(tmp_path, archive, data[:-1])
    assert message == (f"{archive}: offset {len(data) - TRAILER_SIZE}: truncated archive: the "
                       f"stream ends at offset {len(data) - 1}, inside the trailer")
    assert import_damaged(tmp_path, archive, b"") == f"{archive}: offset 0: truncated archive: " \
        "the stream ends at offset 0, inside the file header"


def test_bytes_after_the_trailer_are_corruption(tmp_path, small_archive):
    archive, data = small_archive
    message = import_damaged(tmp_path, archive, data + b"\0")
    assert message == f"{archive}: offset {len(data)}: bytes after the archive trailer"


# ---- refused arguments ------------------------------------------------------------

def test_a_non_empty_target_is_refused(tmp_path, small_archive):
    archive, _ = small_archive
    target = tmp_path / "target"
    target.mkdir()
    (target / "precious").write_bytes(b"keep")
    with pytest.raises(sanddb.InvalidArgument, match="not empty") as raised:
        sanddb.import_archive(target, archive)
    assert isinstance(raised.value, ValueError)
    assert str(raised.value).startswith(f"{target}: not empty")
    assert [p.name for p in target.iterdir()] == ["precious"]
    assert (target / "precious").read_bytes() == b"keep"
    # An existing database is not empty either.
    with pytest.raises(sanddb.InvalidArgument, match="not empty"):
        sanddb.import_archive(tmp_path / "db", archive)


def test_an_empty_existing_target_is_used(tmp_path, small_archive):
    archive, _ = small_archive
    target = tmp_path / "a" / "b"
    target.mkdir(parents=True)
    assert sanddb.import_archive(str(target) + "/", os.fsencode(archive)) == 4
    with sanddb.open(target, create_if_missing=False) as db:
        assert db.get(b"apple") == b"green"
        assert [e.version for e in db.history(b"apple")] == [2, 1]


def test_import_options_are_checked_as_open_checks_them(tmp_path, small_archive):
    archive, _ = small_archive
    copy = tmp_path / "copy"
    with pytest.raises(TypeError, match="import_archive\\(\\) got an unexpected keyword "
                                        "argument 'colour'"):
        sanddb.import_archive(copy, archive, colour="blue")
    with pytest.raises(ValueError, match="import_archive\\(\\): compression must be one of"):
        sanddb.import_archive(copy, archive, compression="zstd")
    with pytest.raises(TypeError, match="import_archive\\(\\): block_size must be an int"):
        sanddb.import_archive(copy, archive, block_size="4k")
    with pytest.raises(sanddb.InvalidArgument):
        sanddb.import_archive(copy, archive, block_size=0)
    assert not copy.exists()


def test_a_null_byte_in_a_path_is_a_value_error(tmp_path, small_archive):
    archive, _ = small_archive
    with pytest.raises(ValueError, match="dir: embedded null byte"):
        sanddb.import_archive(str(tmp_path / "copy") + "\0x", archive)
    with pytest.raises(ValueError, match="path: embedded null byte"):
        sanddb.import_archive(tmp_path / "copy", str(archive) + "\0x")
    with sanddb.open(tmp_path / "db") as db:
        with pytest.raises(ValueError, match="path: embedded null byte"):
            db.export_archive(str(tmp_path / "x.sandx") + "\0y")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db", "db.sandx"]


def test_missing_files_are_io_errors(tmp_path, small_archive):
    archive, _ = small_archive
    with pytest.raises(sanddb.IOError, match="no-such-dir") as raised:
        sanddb.import_archive(tmp_path / "copy", tmp_path / "no-such-dir" / "x.sandx")
    assert isinstance(raised.value, OSError)
    assert not (tmp_path / "copy").exists()
    with sanddb.open(tmp_path / "db") as db:
        with pytest.raises(sanddb.IOError, match="no-such-dir"):
            db.export_archive(tmp_path / "no-such-dir" / "x.sandx")
        with pytest.raises(sanddb.IOError):
            db.export_archive(tmp_path)  # a directory


def test_signatures_are_readable():
    assert str(inspect.signature(sanddb.DB.export_archive)) == "(self, path, *, progress=None)"
    assert str(inspect.signature(sanddb.import_archive)) == (
        "(dir, path, *, progress=None, **options)")
