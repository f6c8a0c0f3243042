"""Every error kind, raised as its sanddb exception class, with the engine's
message; and the TypeError/ValueError of bad arguments."""

import pathlib

import pytest

import sanddb
from conftest import SMALL, table_files


def test_hierarchy():
    kinds = [sanddb.InvalidArgument, sanddb.NotFound, sanddb.Corruption, sanddb.IOError,
             sanddb.Busy, sanddb.ReadOnly, sanddb.Conflict]
    for kind in kinds:
        assert issubclass(kind, sanddb.Error)
        assert kind.__module__ == "sanddb"
    assert issubclass(sanddb.Error, Exception)
    assert issubclass(sanddb.IOError, OSError)
    assert issubclass(sanddb.InvalidArgument, ValueError)
    assert not issubclass(sanddb.Corruption, (OSError, ValueError))
    assert not issubclass(sanddb.Conflict, (OSError, ValueError))
    assert sanddb.IOError is not OSError


def test_not_found(path):
    with pytest.raises(sanddb.NotFound, match="create_if_missing") as info:
        sanddb.open(path, create_if_missing=False)
    assert path in str(info.value)
    assert info.value.message == str(info.value)
    assert not pathlib.Path(path).exists()
    with pytest.raises(sanddb.NotFound):
        sanddb.open(path, read_only=True)
    with pytest.raises(sanddb.NotFound):
        sanddb.check(path)


def test_busy_when_opened_twice(path):
    with sanddb.open(path):
        with pytest.raises(sanddb.Busy, match="LOCK") as info:
            sanddb.open(path)
        assert path in str(info.value)
    sanddb.open(path).close()  # free again after close


def test_read_only_handle_refuses_writes(path):
    with sanddb.open(path) as db:
        db.put(b"k", b"v")
    with sanddb.open(path, read_only=True) as ro:
        assert ro.get(b"k") == b"v"
        batch = sanddb.WriteBatch()
        batch.put(b"a", b"b")
        for write in (lambda: ro.put(b"k", b"w"), lambda: ro.delete(b"k"),
                      lambda: ro.write(batch), ro.flush, ro.compact,
                      lambda: ro.forget_before(1)):
            with pytest.raises(sanddb.ReadOnly):
                write()


def test_writes_after_close_are_read_only(path):
    db = sanddb.open(path)
    db.put(b"k", b"v")
    db.close()
    batch = sanddb.WriteBatch()
    batch.put(b"a", b"b")
    for write in (lambda: db.put(b"k", b"w"), lambda: db.delete(b"k"),
                  lambda: db.write(batch), db.flush, db.compact, lambda: db.forget_before(1)):
        with pytest.raises(sanddb.ReadOnly):
            write()


def test_refresh_after_close_is_read_only(path):
    sanddb.open(path).close()
    ro = sanddb.open(path, read_only=True)
    ro.close()
    with pytest.raises(sanddb.ReadOnly):
        ro.refresh()


def test_invalid_argument_below_the_mark(db):
    for i in range(4):
        db.put(b"k", b"%d" % i)
    db.forget_before(3)
    with pytest.raises(sanddb.InvalidArgument, match="below the retention mark 3"):
        db.get(b"k", at=2)
    with pytest.raises(sanddb.InvalidArgument):
        db.scan(at=1)
    with pytest.raises(ValueError):  # InvalidArgument is a ValueError
        db.get(b"k", at=0)


def test_invalid_argument_kinds(db):
    db.put(b"k", b"v")
    with pytest.raises(sanddb.InvalidArgument, match="newer than the last committed version"):
        db.get(b"k", at=2)
    with pytest.raises(sanddb.InvalidArgument, match="key"):
        db.put(b"x" * (64 * 1024 + 1), b"v")
    with pytest.raises(sanddb.InvalidArgument, match="key"):
        db.get(b"x" * (64 * 1024 + 1))
    with pytest.raises(sanddb.InvalidArgument, match="empty write batch"):
        db.write(sanddb.WriteBatch())
    with pytest.raises(sanddb.InvalidArgument, match="from is after to"):
        db.scan(b"b", b"a")
    with pytest.raises(sanddb.InvalidArgument):
        db.forget_before(99)
    db.put(b"x" * (64 * 1024), b"v")  # exactly the limit is fine


def test_error_if_exists(path):
    sanddb.open(path).close()
    with pytest.raises(sanddb.InvalidArgument, match="exists"):
        sanddb.open(path, error_if_exists=True)


def test_io_error_is_an_os_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_bytes(b"not a directory")
    with pytest.raises(OSError) as info:
        sanddb.open(str(blocker / "db"))
    assert isinstance(info.value, sanddb.IOError)
    assert str(blocker) in str(info.value)
    assert info.value.errno is None


def write_uncompressed_tables(path):
    """400 keys compacted into uncompressed tables: damage stays readable as such."""
    with sanddb.open(path, compression="none", **SMALL) as db:
        for i in range(400):
            db.put(b"k%04d" % i, b"value-%04d" % i * 4)
        db.compact()


def test_corruption_of_a_table(path):
    write_uncompressed_tables(path)
    tables = table_files(path)
    assert tables
    victim = max(tables, key=lambda p: p.stat().st_size)
    data = bytearray(victim.read_bytes())
    for i in range(40, 140):  # inside the first data block
        data[i] ^= 0xFF
    victim.write_bytes(bytes(data))

    report = sanddb.check(path)
    assert not report.ok
    problem = report.problems[0]
    assert isinstance(problem, sanddb.CheckProblem)
    assert problem.file == victim.name
    assert problem.offset == 0
    assert "checksum" in problem.what
    assert any(f.file == victim.name and f.outcome == "bad" for f in report.files)

    with pytest.raises(sanddb.Corruption) as info:
        with sanddb.open(path, **SMALL) as db:
            list(db.scan())
    assert victim.name in str(info.value)
    assert "offset" in str(info.value)


def test_corruption_raised_by_get(path):
    write_uncompressed_tables(path)
    tables = table_files(path)
    for table in tables:  # the first data block of each
        data = bytearray(table.read_bytes())
        data[60] ^= 0x01
        table.write_bytes(bytes(data))
    with sanddb.open(path, **SMALL) as db:
        with pytest.raises(sanddb.Corruption, match=r"\d{6}\.sst: offset 0"):
            db.get(b"k0000")


def test_scan_error_ends_the_iterator(path):
    write_uncompressed_tables(path)
    victim = max(table_files(path), key=lambda p: p.stat().st_size)
    size = victim.stat().st_size
    data = bytearray(victim.read_bytes())
    data[size // 2] ^= 0x01  # a block in the middle
    victim.write_bytes(bytes(data))
    with sanddb.open(path, **SMALL) as db:
        it = db.scan()
        got = []
        with pytest.raises(sanddb.Corruption):
            for entry in it:
                got.append(entry)
        assert 0 < len(got) < 400
        assert list(it) == []  # ended


# ---- bad open() arguments -------------------------------------------------


def test_unknown_keyword_is_a_type_error(path):
    with pytest.raises(TypeError, match="unexpected keyword argument 'memtable_index'"):
        sanddb.open(path, memtable_index="btree")
    with pytest.raises(TypeError, match="file_system"):
        sanddb.open(path, file_system=None)


@pytest.mark.parametrize("name, value", [
    ("sync", 1), ("create_if_missing", "yes"), ("memtable_size", 4096.0),
    ("l0_trigger", "4"), ("block_size", True), ("compression", None), ("retention", 0),
    ("read_only", 1), ("in_memory", None), ("value_separation_threshold", "64"),
    ("memtable", 1), ("memtable", b"btree"),
])
def test_wrong_type_is_a_type_error_naming_the_option(path, name, value):
    with pytest.raises(TypeError, match=name):
        sanddb.open(path, **{name: value})


@pytest.mark.parametrize("name, value", [
    ("compression", "zstd"), ("retention", "some"), ("memtable_size", -1),
    ("block_size", 2**64), ("l0_trigger", 2**31), ("bloom_bits_per_key", -(2**31) - 1),
    ("value_separation_threshold", -1), ("memtable", "hash"), ("memtable", "BTree"),
])
def test_bad_value_is_a_value_error_naming_the_option(path, name, value):
    with pytest.raises(ValueError, match=name):
        sanddb.open(path, **{name: value})
    assert not pathlib.Path(path).exists()


@pytest.mark.parametrize("name, value", [
    ("memtable_size", 100), ("block_size", 10), ("block_restart_interval", 0),
    ("bloom_bits_per_key", 65), ("l0_trigger", 0), ("target_file_size", 1),
    ("max_frozen_memtables", 0), ("value_separation_threshold", 10),
    ("memtable_budget", 100),  # below the default memtable_size
])
def test_values_the_engine_refuses_are_invalid_argument(path, name, value):
    with pytest.raises(sanddb.InvalidArgument, match=name):
        sanddb.open(path, **{name: value})


def test_memtable_budget_must_be_0_or_at_least_memtable_size(path):
    with pytest.raises(sanddb.InvalidArgument,
                       match="memtable_budget must be 0 or at least memtable_size"):
        sanddb.open(path, memtable_size=8192, memtable_budget=8191)
    with sanddb.open(path, memtable_size=8192, memtable_budget=8192) as db:
        assert db.put(b"k", b"v") == 1
    with sanddb.open(path, memtable_size=8192, memtable_budget=0) as db:
        assert db.get(b"k") == b"v"


def test_l0_stop_must_be_above_l0_trigger(path):
    with pytest.raises(ValueError, match="l0_stop"):
        sanddb.open(path, l0_trigger=4, l0_stop=4)


def test_read_only_and_in_memory_exclude_each_other(path):
    with pytest.raises(ValueError, match="in_memory"):
        sanddb.open(path, read_only=True, in_memory=True)


def test_bad_path_type(tmp_path):
    with pytest.raises(TypeError):
        sanddb.open(42)
    with pytest.raises(TypeError):
        sanddb.check(None)
