"""Unit tests of every public function and class of sanddb (errors apart)."""

import gc
import os
import pathlib

import pytest

import sanddb
from conftest import SMALL


def test_version_is_the_engines():
    major, minor, patch = (int(p) for p in sanddb.__version__.split("."))
    assert (major, minor, patch) >= (0, 0, 0)
    header = pathlib.Path(__file__).resolve().parents[2] / "include" / "sand" / "version.hpp"
    if header.exists():  # the tests run from a checkout
        text = header.read_text()
        assert f"#define SAND_VERSION_MINOR {minor}\n" in text


def test_put_get_delete_return_consecutive_versions(db):
    assert db.last_version == 0
    assert db.put(b"k", b"v1") == 1
    assert db.put(b"k", b"v2") == 2
    assert db.get(b"k") == b"v2"
    assert db.delete(b"k") == 3
    assert db.get(b"k") is None
    assert db.delete(b"never-written") == 4
    assert db.last_version == 4


def test_get_default_and_at(db):
    v1 = db.put(b"k", b"a")
    db.delete(b"k")
    assert db.get(b"k", default=b"dflt") == b"dflt"
    assert db.get(b"missing", default=0) == 0
    assert db.get(b"k", at=v1) == b"a"
    assert db.get(b"k", at=0) is None
    with pytest.raises(TypeError):
        db.get(b"k", 1)  # at and default are keyword-only


def test_keys_and_values_are_bytes_like_or_str(db):
    db.put("clé", "välue")
    assert db.get("clé".encode()) == "välue".encode()
    db.put(bytearray(b"ba"), memoryview(b"mv"))
    assert db.get(b"ba") == b"mv"
    db.put(memoryview(b"xxkeyxx")[2:5], b"sliced")
    assert db.get(b"key") == b"sliced"
    db.put(b"", b"empty key")
    assert db.get(b"") == b"empty key"
    db.put(b"nul\x00key", b"\x00\xff")
    assert db.get(b"nul\x00key") == b"\x00\xff"
    assert isinstance(db.get("clé"), bytes)


@pytest.mark.parametrize("bad", [1, 1.5, None, ["k"], object()])
def test_other_key_types_are_type_errors(db, bad):
    with pytest.raises(TypeError, match="key must be"):
        db.put(bad, b"v")
    with pytest.raises(TypeError, match="key must be"):
        db.get(bad)
    with pytest.raises(TypeError, match="value must be"):
        db.put(b"k", bad)
    with pytest.raises(TypeError):
        db.delete(bad)
    with pytest.raises(TypeError):
        sanddb.WriteBatch().put(bad, b"v")


def test_non_contiguous_buffer_is_a_type_error(db):
    with pytest.raises(TypeError, match="contiguous"):
        db.put(memoryview(b"abcdef")[::2], b"v")


def test_lone_surrogate_str_is_refused(db):
    with pytest.raises(UnicodeEncodeError):
        db.put("\udc80", b"v")


def test_sync_argument(db):
    assert db.put(b"a", b"1", sync=True) == 1
    assert db.put(b"b", b"2", sync=False) == 2
    assert db.delete(b"a", sync=True) == 3
    assert db.stats()["wal_syncs"] >= 1
    with pytest.raises(TypeError, match="sync"):
        db.put(b"a", b"1", sync=1)
    with pytest.raises(TypeError):
        db.put(b"a", b"1", True)  # sync is keyword-only


def test_write_batch(db):
    batch = sanddb.WriteBatch()
    assert len(batch) == 0 and not batch
    batch.put(b"a", b"1")
    batch.put("b", "2")
    batch.delete(b"c")
    batch.put(b"a", b"again")  # the later operation wins
    assert len(batch) == 4
    assert batch.byte_size > 0
    db.put(b"c", b"old")
    v = db.write(batch)
    assert v == 2
    assert (db.get(b"a"), db.get(b"b"), db.get(b"c")) == (b"again", b"2", None)
    assert len(batch) == 4  # write() leaves the batch as it was
    assert db.write(batch, sync=True) == 3
    batch.clear()
    assert len(batch) == 0
    assert "0 operations" in repr(batch)
    with pytest.raises(TypeError, match="WriteBatch"):
        db.write([(b"a", b"1")])


def test_batch_is_atomic_under_one_version(db):
    batch = sanddb.WriteBatch()
    for i in range(100):
        batch.put(b"k%03d" % i, b"v")
    v = db.write(batch)
    assert [k for k, _ in db.scan(at=v)] == [b"k%03d" % i for i in range(100)]
    assert list(db.scan(at=v - 1)) == []


def test_history(db):
    db.delete(b"k")  # hides nothing: never listed
    db.put(b"k", b"a")
    db.delete(b"k")
    db.put(b"k", b"b")
    hist = db.history(b"k")
    assert hist == [(4, False, b"b"), (3, True, None), (2, False, b"a")]
    assert isinstance(hist[0], sanddb.HistoryEntry)
    assert (hist[1].version, hist[1].deleted, hist[1].value) == (3, True, None)
    assert db.history(b"absent") == []


def test_history_follows_the_mark(db):
    for value in (b"a", b"b"):
        db.put(b"k", value)  # 1, 2
    db.delete(b"k")  # 3
    db.put(b"k", b"c")  # 4
    db.put(b"k", b"d")  # 5
    db.put(b"x", b"y")  # 6
    db.forget_before(2)
    assert [e.version for e in db.history(b"k")] == [5, 4, 3, 2, 1]
    db.forget_before(4)  # the tombstone at 3 would hide nothing kept
    assert db.history(b"k") == [(5, False, b"d"), (4, False, b"c")]
    db.compact()
    assert db.history(b"k") == [(5, False, b"d"), (4, False, b"c")]


def test_scan_bounds_direction_at_and_versions(db):
    for k in (b"a", b"b", b"c", b"d"):
        db.put(k, k.upper())
    v = db.delete(b"b")
    db.put(b"e", b"E")
    assert list(db.scan()) == [(b"a", b"A"), (b"c", b"C"), (b"d", b"D"), (b"e", b"E")]
    assert list(db.scan(b"b", b"d")) == [(b"c", b"C")]
    assert list(db.scan(start=b"c")) == [(b"c", b"C"), (b"d", b"D"), (b"e", b"E")]
    assert list(db.scan(end=b"c", reverse=True)) == [(b"a", b"A")]
    assert list(db.scan(reverse=True, at=v)) == [(b"d", b"D"), (b"c", b"C"), (b"a", b"A")]
    assert list(db.scan(b"a", b"c", at=4, with_versions=True)) == [(b"a", b"A", 1), (b"b", b"B", 2)]
    assert list(db.scan("c", "d")) == [(b"c", b"C")]  # str bounds
    assert list(db.scan(b"x", b"x")) == []


def test_scan_reads_a_fixed_version(db):
    db.put(b"a", b"1")
    it = db.scan()
    db.put(b"b", b"2")
    assert list(it) == [(b"a", b"1")]


def test_iterator_protocol_and_close(db):
    db.put(b"a", b"1")
    db.put(b"b", b"2")
    it = db.scan()
    assert iter(it) is it
    assert next(it) == (b"a", b"1")
    it.close()
    assert list(it) == []
    it.close()  # idempotent
    with db.scan() as it2:
        assert next(it2) == (b"a", b"1")
    with pytest.raises(StopIteration):
        next(it2)
    exhausted = db.scan()
    assert len(list(exhausted)) == 2
    with pytest.raises(StopIteration):
        next(exhausted)


def test_iterator_outlives_a_closed_db(path):
    db = sanddb.open(path, **SMALL)
    for i in range(300):
        db.put(b"k%04d" % i, b"v" * 50)
    db.flush()
    it = db.scan()
    assert next(it)[0] == b"k0000"
    db.close()
    del db
    gc.collect()
    rest = list(it)
    assert len(rest) == 299 and rest[-1][0] == b"k0299"


def test_snapshot(db):
    db.put(b"k", b"a")
    snap = db.snapshot()
    assert snap.version == 1 and not snap.released
    db.put(b"k", b"b")
    db.put(b"k", b"c")
    db.forget_before(3)
    assert db.get(b"k", at=snap) == b"a"
    assert list(db.scan(at=snap)) == [(b"k", b"a")]
    assert db.stats()["live_snapshots"] == 1
    with pytest.raises(sanddb.InvalidArgument):
        db.get(b"k", at=2)
    snap.release()
    assert snap.released and snap.version == 1
    assert db.stats()["live_snapshots"] == 0
    with pytest.raises(sanddb.InvalidArgument, match="released"):
        db.get(b"k", at=snap)
    snap.release()  # idempotent
    with db.snapshot() as s2:
        assert s2.version == 3
        assert db.stats()["live_snapshots"] == 1
    assert s2.released
    assert "released" in repr(s2)


def test_snapshot_of_another_handle_is_refused(db, tmp_path):
    with sanddb.open(str(tmp_path / "other")) as other:
        snap = other.snapshot()
        with pytest.raises(sanddb.InvalidArgument, match="another database handle"):
            db.get(b"k", at=snap)


def test_snapshot_released_by_garbage_collection(db):
    db.put(b"k", b"a")
    snap = db.snapshot()
    assert db.stats()["live_snapshots"] == 1
    del snap
    gc.collect()
    assert db.stats()["live_snapshots"] == 0


def test_at_argument_types(db):
    db.put(b"k", b"v")
    with pytest.raises(TypeError, match="at must be"):
        db.get(b"k", at="1")
    with pytest.raises(TypeError, match="at must be"):
        db.get(b"k", at=True)
    with pytest.raises(ValueError, match=">= 0"):
        db.get(b"k", at=-1)
    with pytest.raises(ValueError, match="largest version"):
        db.get(b"k", at=2**64)
    with pytest.raises(TypeError):
        db.scan(at=1.0)


def test_forget_before_and_low_water_mark(db):
    for i in range(5):
        db.put(b"k", b"%d" % i)
    assert db.low_water_mark == 0
    db.forget_before(3)
    assert db.low_water_mark == 3
    db.forget_before(2)  # never lowered
    assert db.low_water_mark == 3
    assert db.get(b"k", at=3) == b"2"
    with pytest.raises(TypeError):
        db.forget_before("3")
    with pytest.raises(ValueError):
        db.forget_before(-1)


def test_low_water_mark_survives_reopen(path):
    with sanddb.open(path) as db:
        db.put(b"k", b"a")
        db.put(b"k", b"b")
        db.forget_before(2)
    with sanddb.open(path) as db:
        assert db.low_water_mark == 2
        assert db.last_version == 2


def test_retention_latest(path):
    with sanddb.open(path, retention="latest") as db:
        db.put(b"k", b"a")
        db.put(b"k", b"b")
        assert db.low_water_mark == 2
        # versions >= the mark (2) plus the newest one below it
        assert db.history(b"k") == [(2, False, b"b"), (1, False, b"a")]
        with pytest.raises(sanddb.InvalidArgument):
            db.get(b"k", at=1)


def test_flush_compact_and_stats(path):
    with sanddb.open(path, **SMALL) as db:
        stats = db.stats()
        expected = {
            "last_version", "low_water_mark", "memtable_bytes", "immutable_memtables", "tables",
            "table_bytes", "l1_runs", "wal_bytes", "user_bytes_written", "write_groups",
            "wal_syncs", "flushes", "flush_bytes_written", "compactions",
            "compaction_bytes_read", "compaction_bytes_written", "write_amplification",
            "space_amplification", "stalls", "stall_micros", "live_snapshots", "manifest_bytes",
            "memtables_used_bytes", "memtables_reserved_bytes", "table_index_filter_bytes",
            "block_cache_bytes", "block_cache_capacity", "wal_buffer_bytes",
        }
        assert set(stats) == expected
        assert stats["tables"] == (0, 0, 0)
        for i in range(200):
            db.put(b"k%03d" % i, b"x" * 40)
        stats = db.stats()
        assert stats["memtables_used_bytes"] >= stats["memtable_bytes"] > 0
        assert stats["memtables_reserved_bytes"] >= stats["memtables_used_bytes"]
        assert stats["wal_buffer_bytes"] > 0
        db.flush()
        stats = db.stats()
        assert stats["flushes"] >= 1
        assert sum(stats["tables"]) >= 1
        assert stats["last_version"] == 200
        # Nothing frozen is left: only the (empty) active memtable counts.
        assert stats["immutable_memtables"] == 0
        assert stats["memtables_used_bytes"] == stats["memtable_bytes"]
        assert stats["table_index_filter_bytes"] > 0
        assert 0 <= stats["block_cache_bytes"] <= stats["block_cache_capacity"]
        db.compact()
        stats = db.stats()
        assert stats["tables"][0] == 0 and stats["tables"][1] == 0 and stats["tables"][2] >= 1
        assert stats["compactions"] >= 1
        assert stats["space_amplification"] == pytest.approx(1.0)
        assert isinstance(stats["write_amplification"], float)
        assert db.get(b"k123") == b"x" * 40


def test_data_survives_reopen(path):
    with sanddb.open(path, **SMALL) as db:
        for i in range(500):
            db.put(b"k%04d" % i, b"v%d" % i)
        db.delete(b"k0007")
    with sanddb.open(path, **SMALL) as db:
        assert db.last_version == 501
        assert db.get(b"k0499") == b"v499"
        assert db.get(b"k0007") is None
        assert db.get(b"k0007", at=500) == b"v7"
        assert db.put(b"n", b"n") == 502


def test_refresh_on_a_writable_handle_is_a_no_op(db):
    db.put(b"k", b"v")
    assert db.refresh() == 1


def test_close_is_idempotent_and_reads_go_on(path):
    db = sanddb.open(path)
    db.put(b"k", b"v")
    db.close()
    assert db.closed
    db.close()
    assert db.get(b"k") == b"v"  # as the C++ API: reads answer after close
    assert "closed" in repr(db)


def test_context_manager_closes_even_on_error(path):
    with pytest.raises(RuntimeError):
        with sanddb.open(path) as db:
            db.put(b"k", b"v")
            raise RuntimeError("boom")
    assert db.closed
    with sanddb.open(path) as again:  # the lock was released
        assert again.get(b"k") == b"v"


def test_dropping_the_last_reference_closes(path):
    db = sanddb.open(path)
    db.put(b"k", b"v")
    del db
    gc.collect()
    with sanddb.open(path) as again:
        assert again.get(b"k") == b"v"


def test_properties_and_repr(path):
    with sanddb.open(pathlib.Path(path)) as db:
        assert db.path == path
        assert not db.read_only and not db.in_memory and not db.closed
        assert repr(db) == f"<sanddb.DB {path!r}>"
    with sanddb.open(os.fsencode(path), read_only=True) as ro:
        assert ro.read_only and "read_only" in repr(ro)


def test_in_memory(tmp_path):
    target = tmp_path / "never-created"
    with sanddb.open(str(target), in_memory=True) as db:
        assert db.in_memory
        db.put(b"k", b"v")
        db.flush()
        db.compact()
        assert db.get(b"k") == b"v"
    assert not target.exists()
    with sanddb.open(str(target), in_memory=True) as db:  # a new, empty one
        assert db.get(b"k") is None


def test_every_option_is_accepted(path):
    options = dict(create_if_missing=True, error_if_exists=False, memtable_size=1 << 20,
                   memtable="skiplist", value_separation_threshold=64, block_size=1024,
                   block_restart_interval=8, compression="none", bloom_bits_per_key=12,
                   block_cache_size=1 << 20, sync=True, retention="all", l0_trigger=3,
                   l0_stop=10, l1_trigger=3, target_file_size=1 << 20, max_frozen_memtables=2,
                   memtable_budget=2 << 20, manifest_rollover_size=1 << 16, point_in_time_recovery=True)
    with sanddb.open(path, **options) as db:
        assert db.put(b"k", b"v") == 1
        assert db.stats()["wal_syncs"] == 1  # sync=True is the default now


def test_check_clean_database(path):
    with sanddb.open(path, **SMALL) as db:
        for i in range(300):
            db.put(b"k%03d" % i, b"v" * 30)
        db.flush()
    report = sanddb.check(path)
    assert isinstance(report, sanddb.CheckReport)
    assert report.ok and report.problems == []
    assert report.files[0].file == "MANIFEST" and report.files[0].type == "manifest"
    assert {f.outcome for f in report.files} == {"ok"}
    assert report.tables.files >= 1 and report.tables.entries >= 1
    assert report.manifest.files == 1
    assert all(isinstance(f, sanddb.CheckedFile) for f in report.files)
    assert sanddb.check(pathlib.Path(path)).ok


def test_check_names_a_value_log_by_its_type(path):
    # Two keys with 100-byte values flushed, one overwritten and a short
    # value put (so that the overwrite is below the mark) and flushed:
    # forget_before + compact moves the live value out of the half dead
    # first WAL into a value log (NNNNNN.val).
    with sanddb.open(path, value_separation_threshold=64, compression="none") as db:
        db.put(b"a", b"a" * 100)
        db.put(b"b", b"b" * 100)
        db.flush()
        db.put(b"a", b"A" * 100)
        db.put(b"tick", b"1")
        db.flush()
        db.forget_before(db.last_version)
        db.compact()
    report = sanddb.check(path)
    assert report.ok, report.problems
    kinds = {".sst": "table", ".wal": "wal", ".val": "value_log"}
    for f in report.files:
        want = "manifest" if f.file == "MANIFEST" else kinds[os.path.splitext(f.file)[1]]
        assert f.type == want, f
    value_logs = [f for f in report.files if f.type == "value_log"]
    assert len(value_logs) == 1
    assert value_logs[0].file.endswith(".val") and value_logs[0].outcome == "ok"
    assert (value_logs[0].units, value_logs[0].entries) == (1, 1)
    # Value logs count with the WALs.
    assert report.wals.files == sum(f.type in ("wal", "value_log") for f in report.files)
