"""The value_separation_threshold option (key-value separation,
spec/values.md): values of at least the threshold are stored once, in their
WAL record, and tables hold references; every read answers as if the values
were inline, from the memtable, after flush and compaction and after
reopening. Thresholds the engine refuses raise InvalidArgument naming the
option."""

import os
import pathlib
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase

import sanddb

from conftest import SMALL

THRESHOLD = 64
# Sizes around the threshold, and values larger than a 4 KiB memtable.
SIZES = [0, 1, 40, THRESHOLD - 1, THRESHOLD, THRESHOLD + 1, 200, 1500, 5000]


def value_of(key, round_, size):
    """A value of `size` bytes naming its key and round, so a value read from
    the wrong place cannot pass for the right one."""
    head = b"%s@%d:" % (key, round_)
    body = bytes(ord("a") + (i * 7 + round_) % 26 for i in range(max(0, size - len(head))))
    return (head + body)[:size]


def write_rounds(db, keys=40):
    """Round 1: every key; round 2: the even keys, in one batch; then the
    multiples of 5 are deleted. Returns the model: key -> list of
    (version, value or None), oldest first."""
    model = {}
    for i in range(keys):
        key = b"sep%03d" % i
        value = value_of(key, 1, SIZES[i % len(SIZES)])
        model[key] = [(db.put(key, value), value)]
    batch = sanddb.WriteBatch()
    pending = []
    for i in range(0, keys, 2):
        key = b"sep%03d" % i
        value = value_of(key, 2, SIZES[(i + 3) % len(SIZES)])
        batch.put(key, value)
        pending.append((key, value))
    version = db.write(batch)
    for key, value in pending:
        model[key].append((version, value))
    for i in range(0, keys, 5):
        key = b"sep%03d" % i
        model[key].append((db.delete(key), None))
    return model


def assert_reads(db, model):
    """get (latest and at every version), scan with versions, history,
    get_versioned and multi_get all answer from the model."""
    latest = {k: w[-1] for k, w in model.items() if w[-1][1] is not None}
    for key, writes in model.items():
        assert db.get(key) == writes[-1][1], key
        for version, value in writes:
            assert db.get(key, at=version) == value, (key, version)
        assert db.history(key) == [(v, value is None, value) for v, value in reversed(writes)]
        if key in latest:
            entry = db.get_versioned(key)
            assert (entry.version, entry.value) == latest[key]
    assert list(db.scan(prefix=b"sep", with_versions=True)) == [
        (k, value, v) for k, (v, value) in sorted(latest.items())]
    keys = sorted(model)
    assert db.multi_get(keys) == [model[k][-1][1] for k in keys]


def wal_files(path):
    report = sanddb.check(path)
    assert report.ok, report.problems
    return report.wals.files


def test_large_and_small_values_round_trip_across_reopen(path):
    with sanddb.open(path, value_separation_threshold=THRESHOLD, **SMALL) as db:
        model = write_rounds(db)
        assert_reads(db, model)  # memtables and level 0
        db.flush()
        assert_reads(db, model)
        db.compact()
        assert_reads(db, model)  # level 2
        last = db.last_version
    # The tables reference values in sealed WALs: value files stay next to
    # the live WAL.
    assert wal_files(path) >= 2
    with sanddb.open(path, value_separation_threshold=THRESHOLD, **SMALL) as db:
        assert db.last_version == last
        assert_reads(db, model)
        for i in range(1, 40, 3):  # round 3 after the reopen
            key = b"sep%03d" % i
            if model[key][-1][1] is not None:
                value = value_of(key, 3, SIZES[(i + 5) % len(SIZES)])
                model[key].append((db.put(key, value), value))
        db.compact()
        assert_reads(db, model)
    with sanddb.open(path, read_only=True) as ro:
        assert_reads(ro, model)
    # Separation off: the references written before still resolve.
    with sanddb.open(path, value_separation_threshold=0, **SMALL) as db:
        assert_reads(db, model)
    assert wal_files(path) >= 2


def test_without_separation_no_value_file_stays(tmp_path):
    for threshold, more_than_one_wal in ((0, False), (THRESHOLD, True)):
        path = str(tmp_path / str(threshold))
        with sanddb.open(path, value_separation_threshold=threshold, **SMALL) as db:
            for i in range(40):
                db.put(b"k%03d" % i, b"x" * 1000)
            db.compact()
            assert db.get(b"k007") == b"x" * 1000
        assert (wal_files(path) > 1) == more_than_one_wal, threshold


def test_in_memory_with_separation():
    with sanddb.open("mem", in_memory=True, value_separation_threshold=THRESHOLD, **SMALL) as db:
        model = write_rounds(db)
        db.compact()
        assert_reads(db, model)


def test_archive_round_trip_of_separated_values(tmp_path):
    with sanddb.open(tmp_path / "db", value_separation_threshold=THRESHOLD, **SMALL) as db:
        model = write_rounds(db)
        db.flush()
        exported = db.export_archive(tmp_path / "db.sandx")
    assert sanddb.import_archive(tmp_path / "copy", tmp_path / "db.sandx",
                                 value_separation_threshold=THRESHOLD) == exported
    with sanddb.open(tmp_path / "copy", create_if_missing=False) as copy:
        assert_reads(copy, model)


@pytest.mark.parametrize("threshold", [1, 10, THRESHOLD - 1, 256 * 1024 * 1024 + 1])
def test_invalid_threshold_is_invalid_argument_naming_the_option(tmp_path, threshold):
    path = tmp_path / "db"
    with pytest.raises(sanddb.InvalidArgument, match="value_separation_threshold"):
        sanddb.open(path, value_separation_threshold=threshold)
    with pytest.raises(ValueError, match="value_separation_threshold"):  # also a ValueError
        sanddb.open(path, value_separation_threshold=threshold, in_memory=True)
    with sanddb.open(tmp_path / "src") as src:
        src.put(b"k", b"v" * 100)
        src.export_archive(tmp_path / "src.sandx")
    with pytest.raises(sanddb.InvalidArgument, match="value_separation_threshold"):
        sanddb.import_archive(tmp_path / "copy", tmp_path / "src.sandx",
                              value_separation_threshold=threshold)
    assert not (tmp_path / "copy").exists()


@pytest.mark.parametrize("threshold", [0, THRESHOLD, 256 * 1024 * 1024])
def test_valid_thresholds_are_accepted(tmp_path, threshold):
    with sanddb.open(tmp_path / "db", value_separation_threshold=threshold) as db:
        assert db.put(b"k", b"v" * 100) == 1
        assert db.get(b"k") == b"v" * 100


def test_threshold_type_and_range_are_checked_before_the_engine(path):
    with pytest.raises(TypeError, match="value_separation_threshold"):
        sanddb.open(path, value_separation_threshold=64.0)
    with pytest.raises(TypeError, match="value_separation_threshold"):
        sanddb.open(path, value_separation_threshold=True)
    with pytest.raises(ValueError, match="value_separation_threshold"):
        sanddb.open(path, value_separation_threshold=2**64)
    assert not pathlib.Path(path).exists()


# ---- a dict model against random writes ------------------------------------------

KEYS = [b"", b"a", b"ab", b"b", b"k\x00", b"k1", b"z\xff"]
operations = st.lists(st.one_of(
    st.tuples(st.just("put"), st.sampled_from(KEYS), st.integers(0, 4096), st.integers(0, 255)),
    st.tuples(st.just("delete"), st.sampled_from(KEYS)),
    st.tuples(st.just("flush")),
    st.tuples(st.just("compact")),
    st.tuples(st.just("reopen")),
), max_size=40)


@settings(
    max_examples=int(os.environ.get("SANDDB_HYPOTHESIS_EXAMPLES", "200")) // 2,
    deadline=None,  # file-system timing varies on a shared host
    suppress_health_check=[HealthCheck.too_slow],
    database=DirectoryBasedExampleDatabase(
        str(pathlib.Path(__file__).resolve().parent.parent / ".hypothesis" / "examples")),
)
@given(operations)
def test_dict_model_agrees_with_separated_values(ops):
    with tempfile.TemporaryDirectory() as base:
        path = os.path.join(base, "db")
        options = dict(value_separation_threshold=THRESHOLD, **SMALL)
        db = sanddb.open(path, **options)
        model = {}
        try:
            for op in ops:
                if op[0] == "put":
                    _, key, size, seed = op
                    value = bytes((seed + i) % 256 for i in range(size))
                    db.put(key, value)
                    model[key] = value
                elif op[0] == "delete":
                    db.delete(op[1])
                    model.pop(op[1], None)
                elif op[0] == "reopen":
                    db.close()
                    db = sanddb.open(path, **options)
                else:
                    getattr(db, op[0])()
                if op[0] in ("put", "delete"):
                    assert db.get(op[1]) == model.get(op[1])
            assert dict(db.scan()) == model
            assert [db.get(k) for k in KEYS] == [model.get(k) for k in KEYS]
            db.close()
            db = sanddb.open(path, **options)
            assert dict(db.scan()) == model
        finally:
            db.close()
