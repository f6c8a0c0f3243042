"""The versioned API: get_versioned, multi_get, scan(prefix=), Cursor (seeks
and both directions), the change feed, wait_for_version, and write
preconditions (WriteBatch.expect_*, sanddb.Conflict), including threads
racing on preconditions and a Hypothesis property tying get_versioned to
history."""

import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sanddb
from conftest import SMALL, run_threads


# ---- get_versioned ------------------------------------------------------------


def test_get_versioned_gives_the_newest_entry_and_its_version(db):
    v1 = db.put(b"k", b"a")
    v2 = db.delete(b"k")
    v3 = db.put(b"k", b"bb")
    assert db.get_versioned(b"k") == sanddb.HistoryEntry(v3, False, b"bb")
    assert db.get_versioned(b"k", at=v2) == sanddb.HistoryEntry(v2, True, None)
    assert db.get_versioned(b"k", at=v1) == (v1, False, b"a")
    assert db.get_versioned(b"k", at=0) is None
    assert db.get_versioned(b"missing") is None
    with db.snapshot() as snap:
        db.put(b"k", b"later")
        assert db.get_versioned(b"k", at=snap).version == v3
    entry = db.get_versioned("k")
    assert isinstance(entry, sanddb.HistoryEntry)
    assert (entry.version, entry.deleted, entry.value) == (db.last_version, False, b"later")


def test_get_versioned_skips_a_deletion_that_hides_nothing(db):
    db.delete(b"never-put")
    assert db.get_versioned(b"never-put") is None
    db.put(b"empty", b"")
    assert db.get_versioned(b"empty").value == b""


def test_get_versioned_errors(db):
    db.put(b"k", b"v")
    with pytest.raises(sanddb.InvalidArgument):
        db.get_versioned(b"k", at=db.last_version + 1)
    with pytest.raises(TypeError, match="key must be"):
        db.get_versioned(5)
    with pytest.raises(TypeError):
        db.get_versioned(b"k", 1)  # at is keyword-only
    with pytest.raises(sanddb.InvalidArgument):
        db.get_versioned(b"x" * (64 * 1024 + 1))


KEYS = [b"", b"a", b"ab", b"b\x00", b"z\xff"]
operations = st.lists(
    st.one_of(
        st.tuples(st.just("put"), st.sampled_from(KEYS), st.binary(max_size=8)),
        st.tuples(st.just("delete"), st.sampled_from(KEYS), st.none()),
        st.tuples(st.just("flush"), st.none(), st.none()),
        st.tuples(st.just("forget"), st.none(), st.integers(0, 20)),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_get_versioned_is_the_first_history_entry(tmp_path_factory, ops):
    path = str(tmp_path_factory.mktemp("prop") / "db")
    with sanddb.open(path, **SMALL) as db:
        for op, key, arg in ops:
            if op == "put":
                db.put(key, arg)
            elif op == "delete":
                db.delete(key)
            elif op == "flush":
                db.flush()
            else:
                db.forget_before(min(arg, db.last_version))
        for key in KEYS:
            history = db.history(key)
            assert db.get_versioned(key) == (history[0] if history else None)
            for at in range(db.low_water_mark, db.last_version + 1):
                older = [e for e in history if e.version <= at]
                assert db.get_versioned(key, at=at) == (older[0] if older else None), (key, at)
        db.compact()  # answers never depend on when compaction ran
        for key in KEYS:
            history = db.history(key)
            assert db.get_versioned(key) == (history[0] if history else None)


# ---- multi_get ------------------------------------------------------------------


def test_multi_get_answers_each_key_at_one_version(db):
    v1 = db.put(b"a", b"1")
    db.put(b"b", b"2")
    db.put(b"", b"empty key")
    db.put(b"a", b"11")
    db.delete(b"b")
    keys = [b"a", b"b", b"missing", b"a", b"", "a"]
    assert db.multi_get(keys) == [b"11", None, None, b"11", b"empty key", b"11"]
    assert db.multi_get(keys, at=v1) == [b"1", None, None, b"1", None, b"1"]
    assert db.multi_get([]) == []
    assert db.multi_get(k for k in (b"a", bytearray(b"b"))) == [b"11", None]
    assert db.multi_get((memoryview(b"a"),)) == [b"11"]
    for at in range(db.last_version + 1):
        assert db.multi_get(keys, at=at) == [db.get(k, at=at) for k in keys]


def test_multi_get_errors(db):
    db.put(b"a", b"1")
    with pytest.raises(TypeError, match="iterable of keys"):
        db.multi_get(b"ab")
    with pytest.raises(TypeError, match="iterable of keys"):
        db.multi_get("ab")
    with pytest.raises(TypeError, match=r"keys\[1\] must be"):
        db.multi_get([b"a", 2])
    with pytest.raises(TypeError):
        db.multi_get(5)
    with pytest.raises(sanddb.InvalidArgument):
        db.multi_get([b"a"], at=5)
    with pytest.raises(sanddb.InvalidArgument):
        db.multi_get([b"a", b"x" * (64 * 1024 + 1)])


# ---- scan(prefix=) and Cursor ---------------------------------------------------


@pytest.fixture
def keyed(db):
    """a1, b1, b2, b3, c1 at versions 1..5, values = key.upper()."""
    for key in (b"a1", b"b1", b"b2", b"b3", b"c1"):
        db.put(key, key.upper())
    return db


def keys_of(iterator):
    return [entry[0] for entry in iterator]


def test_scan_prefix(keyed):
    assert keys_of(keyed.scan(prefix=b"b")) == [b"b1", b"b2", b"b3"]
    assert keys_of(keyed.scan(prefix="b", reverse=True)) == [b"b3", b"b2", b"b1"]
    assert keys_of(keyed.scan(b"b2", prefix=b"b")) == [b"b2", b"b3"]
    assert keys_of(keyed.scan(end=b"b2", prefix=b"b")) == [b"b1"]
    assert keys_of(keyed.scan(prefix=b"zz")) == []
    assert keys_of(keyed.scan(prefix=b"")) == [b"a1", b"b1", b"b2", b"b3", b"c1"]
    assert keys_of(keyed.scan(prefix=b"b", at=3)) == [b"b1", b"b2"]
    assert list(keyed.scan(prefix=b"c", with_versions=True)) == [(b"c1", b"C1", 5)]
    with pytest.raises(TypeError, match="prefix must be"):
        keyed.scan(prefix=1)


def test_cursor_seeks_and_steps_inside_its_prefix(keyed):
    c = keyed.cursor(prefix=b"b")
    assert isinstance(c, sanddb.Cursor)
    assert (c.valid, c.key, c.value, c.version) == (True, b"b1", b"B1", 2)
    assert c.seek(b"b2") and c.key == b"b2"
    assert c.prev() and c.key == b"b1"
    assert c.prev() is False  # a1 is outside the prefix
    assert (c.valid, c.key, c.value, c.version) == (False, None, None, None)
    assert c.prev() is False and c.next() is False  # not at an entry: stays
    assert c.seek_to_last() and c.key == b"b3"
    assert c.next() is False
    assert c.seek_for_prev(b"b25") and c.key == b"b2"
    assert c.seek_for_prev(b"b0") is False
    assert c.seek(b"c") is False
    assert c.seek(b"a") and c.key == b"b1"
    assert c.seek_for_prev(b"z") and c.key == b"b3"
    assert c.seek_to_first() and c.key == b"b1"
    assert c.next() and c.key == b"b2"
    assert c.seek("") and c.key == b"b1"


def test_cursor_reverse_and_bounds(keyed):
    c = keyed.cursor(reverse=True)
    assert c.key == b"c1"
    assert c.seek(b"b2") and c.key == b"b2"  # seeks name keys in ascending order
    assert c.next() and c.key == b"b1"  # next goes down
    assert c.prev() and c.key == b"b2"
    assert c.prev() and c.key == b"b3"
    assert c.seek_to_first() and c.key == b"a1"
    assert c.next() is False
    assert c.seek_to_last() and c.key == b"c1"
    c = keyed.cursor(b"b1", b"b3")
    assert [c.key, c.seek_to_last(), c.key, c.seek(b"c"), c.seek_for_prev(b"a")] == [
        b"b1", True, b"b2", False, False]
    c = keyed.cursor(at=2)
    assert c.seek_to_last() and (c.key, c.version) == (b"b1", 2)
    assert not keyed.cursor(prefix=b"zz").valid


def test_cursor_walk_matches_scan_both_ways(path):
    db = sanddb.open(path, **SMALL)
    keys = [b"k%03d" % i for i in range(300)]
    for i, key in enumerate(keys):
        db.put(key, b"v" * (i % 40))
        if i % 7 == 0:
            db.delete(keys[i // 2])
    db.flush()
    live = keys_of(db.scan())
    c = db.cursor()
    forward = []
    while c.valid:
        forward.append(c.key)
        c.next()
    assert forward == live
    c.seek_to_last()
    backward = []
    while c.valid:
        backward.append(c.key)
        c.prev()
    assert backward == live[::-1]
    for probe in (b"k", b"k0505", b"k150", b"k299x", b"z"):
        assert c.seek(probe) == any(k >= probe for k in live)
        assert c.key == next((k for k in live if k >= probe), None)
        assert c.seek_for_prev(probe) == any(k <= probe for k in live)
        assert c.key == next((k for k in reversed(live) if k <= probe), None)
    db.close()


def test_cursor_close_context_manager_and_lifetime(keyed):
    with keyed.cursor() as c:
        assert c.key == b"a1"
        assert "a1" in repr(c)
    assert c.closed and not c.valid and c.key is None
    with pytest.raises(ValueError, match="closed"):
        c.next()
    with pytest.raises(ValueError, match="closed"):
        c.seek(b"a")
    c.close()  # idempotent
    c = keyed.cursor()
    keyed.flush()
    keyed.close()
    assert c.seek(b"b3") and c.prev() and c.key == b"b2"  # outlives its DB
    with pytest.raises(TypeError, match="key must be"):
        c.seek(3)


def test_cursor_errors(keyed):
    with pytest.raises(sanddb.InvalidArgument):
        keyed.cursor(at=99)
    with pytest.raises(sanddb.InvalidArgument):
        keyed.cursor(b"z", b"a")
    with pytest.raises(TypeError):
        keyed.cursor(b"a", b"z", b"b")  # prefix is keyword-only


# ---- the change feed --------------------------------------------------------------


def feed_list(feed):
    return [(b.version, [(c.key, c.deleted, c.value) for c in b.changes]) for b in feed]


def test_changes_batch_by_batch(db):
    assert feed_list(db.changes()) == []
    db.put(b"a", b"1")
    batch = sanddb.WriteBatch()
    batch.put(b"b", b"2")
    batch.delete(b"a")
    batch.put(b"b", b"22")  # the later operation wins
    db.write(batch)
    db.put(b"c", b"3")
    db.put(b"bx", b"4")
    everything = [
        (1, [(b"a", False, b"1")]),
        (2, [(b"a", True, None), (b"b", False, b"22")]),
        (3, [(b"c", False, b"3")]),
        (4, [(b"bx", False, b"4")]),
    ]
    feed = db.changes()
    assert isinstance(feed, sanddb.ChangeFeed) and feed.until == 4
    batches = list(feed)
    assert [(b.version, [tuple(c) for c in b.changes]) for b in batches] == everything
    assert isinstance(batches[1], sanddb.ChangeBatch)
    assert isinstance(batches[1].changes[0], sanddb.Change)
    assert feed_list(db.changes(2)) == everything[2:]
    assert feed_list(db.changes(since=1, until=3)) == everything[1:3]
    assert feed_list(db.changes(3, until=3)) == []
    assert feed_list(db.changes(prefix=b"b")) == [(2, [(b"b", False, b"22")]),
                                                  (4, [(b"bx", False, b"4")])]
    assert feed_list(db.changes(start=b"b", end=b"bx")) == [(2, [(b"b", False, b"22")])]
    assert feed_list(db.changes(start="c")) == [(3, [(b"c", False, b"3")])]


def test_changes_catch_up_with_until(db):
    seen = 0
    got = []
    for round_ in range(3):
        for i in range(4):
            db.put(b"k%d" % i, b"%d" % round_)
        feed = db.changes(since=seen)
        got += [b.version for b in feed]
        seen = feed.until
        assert seen == db.last_version
    assert got == list(range(1, 13))
    db.flush()
    db.put(b"after", b"flush")
    assert [b.version for b in db.changes(since=seen)] == [13]


def test_changes_errors_close_and_lifetime(db):
    for i in range(4):
        db.put(b"k", b"%d" % i)
    with pytest.raises(sanddb.InvalidArgument):
        db.changes(until=99)
    with pytest.raises(sanddb.InvalidArgument):
        db.changes(3, until=2)
    with pytest.raises(sanddb.InvalidArgument):
        db.changes(start=b"z", end=b"a")
    with pytest.raises(ValueError):
        db.changes(-1)
    with pytest.raises(TypeError):
        db.changes(since=None)
    db.forget_before(3)
    with pytest.raises(sanddb.InvalidArgument):
        db.changes(1)
    assert [b.version for b in db.changes(3)] == [4]
    with db.changes(3) as feed:
        assert next(feed).version == 4
    assert list(feed) == [] and feed.until == 4
    feed = db.changes(3)
    db.flush()
    db.close()
    assert [b.version for b in feed] == [4]  # outlives its DB


# ---- wait_for_version ------------------------------------------------------------


def test_wait_for_version_returns_at_once_or_after_the_timeout(db):
    db.put(b"a", b"1")
    assert db.wait_for_version(1) == 1
    assert db.wait_for_version(0, timeout=0) == 1
    start = time.monotonic()
    assert db.wait_for_version(5, timeout=0.05) == 1  # timing out is not an error
    assert time.monotonic() - start >= 0.04
    assert db.wait_for_version(5, timeout=0) == 1


def test_wait_for_version_is_woken_by_a_python_writer_thread(db):
    db.put(b"a", b"1")
    # The writer needs the GIL to call put(): the wait must release it.
    writer = threading.Timer(0.05, lambda: db.put(b"b", b"2"))
    writer.start()
    start = time.monotonic()
    assert db.wait_for_version(2, timeout=60) >= 2
    assert time.monotonic() - start < 30
    writer.join()


def test_wait_for_version_on_a_read_only_follower(path):
    writer = sanddb.open(path)
    writer.put(b"a", b"1")
    reader = sanddb.open(path, read_only=True)
    assert reader.last_version == 1

    def write_later():
        time.sleep(0.1)
        writer.put(b"b", b"2")

    thread = threading.Thread(target=write_later)
    thread.start()
    assert reader.wait_for_version(2, timeout=60) >= 2  # it refreshed itself
    thread.join()
    assert reader.get(b"b") == b"2"
    feed = reader.changes(since=1)
    assert feed_list(feed) == [(2, [(b"b", False, b"2")])]
    reader.close()
    writer.close()


def test_wait_for_version_errors(db):
    with pytest.raises(ValueError, match="timeout"):
        db.wait_for_version(1, timeout=-1)
    with pytest.raises(ValueError, match="timeout"):
        db.wait_for_version(1, timeout=float("nan"))
    with pytest.raises(TypeError, match="timeout"):
        db.wait_for_version(1, timeout=True)
    with pytest.raises(TypeError, match="timeout"):
        db.wait_for_version(1, timeout="1")
    with pytest.raises(ValueError):
        db.wait_for_version(-1)
    with pytest.raises(TypeError):
        db.wait_for_version(1, 1.0)  # timeout is keyword-only
    db.close()
    with pytest.raises(sanddb.ReadOnly):
        db.wait_for_version(5, timeout=1)


# ---- preconditions and Conflict --------------------------------------------------


def test_conflict_is_an_error_kind():
    assert issubclass(sanddb.Conflict, sanddb.Error)
    assert sanddb.ConflictError is sanddb.Conflict
    assert sanddb.Conflict.__module__ == "sanddb"


def test_expect_missing_version_and_exists(db):
    batch = sanddb.WriteBatch()
    batch.expect_missing(b"k")
    batch.put(b"k", b"first")
    assert (len(batch), batch.precondition_count) == (1, 1)
    assert db.write(batch) == 1
    with pytest.raises(sanddb.Conflict, match=r"key 'k'.*found 1") as caught:
        db.write(batch)
    assert "expected" in caught.value.message
    assert db.last_version == 1  # nothing committed
    batch.clear()
    assert (len(batch), batch.precondition_count) == (0, 0)

    entry = db.get_versioned(b"k")
    batch.expect_version(b"k", entry.version)
    batch.put(b"k", b"second")
    assert db.write(batch) == 2
    with pytest.raises(sanddb.ConflictError, match="found 2"):
        db.write(batch)
    batch.clear()

    batch.expect_exists(b"k")
    batch.expect_exists(b"nope")
    batch.put(b"other", b"x")
    with pytest.raises(sanddb.Conflict, match="'nope'"):
        db.write(batch)
    assert db.get(b"other") is None and db.last_version == 2
    batch.clear()
    batch.expect_exists("k")
    batch.expect_missing(b"")
    batch.put(b"other", b"x")
    assert db.write(batch) == 3
    batch.clear()

    db.delete(b"k")  # a deleted key does not exist: version 0
    batch.expect_version(b"k", 0)
    batch.put(b"k", b"again")
    assert db.write(batch) == 5


def test_expect_argument_errors():
    batch = sanddb.WriteBatch()
    with pytest.raises(TypeError, match="key must be"):
        batch.expect_missing(1)
    with pytest.raises(TypeError, match="version must be"):
        batch.expect_version(b"k", "1")
    with pytest.raises(ValueError):
        batch.expect_version(b"k", -1)
    with pytest.raises(TypeError):
        batch.expect_exists()
    assert batch.precondition_count == 0


@pytest.mark.parametrize("contenders", [2, 8])
def test_exactly_one_put_if_absent_wins(db, contenders):
    for round_ in range(20):
        key = b"lock:%d" % round_
        barrier = threading.Barrier(contenders)
        outcome = [None] * contenders

        def contender(i):
            def run():
                batch = sanddb.WriteBatch()
                batch.expect_missing(key)
                batch.put(key, b"owner %d" % i)
                barrier.wait()
                try:
                    outcome[i] = db.write(batch)
                except sanddb.Conflict:
                    outcome[i] = "conflict"
            return run

        run_threads([contender(i) for i in range(contenders)])
        winners = [i for i, o in enumerate(outcome) if o != "conflict"]
        assert len(winners) == 1, outcome
        assert db.get(key) == b"owner %d" % winners[0]
        assert db.get_versioned(key).version == outcome[winners[0]]


def test_compare_and_set_counter_loses_no_increment(db):
    threads, increments = 4, 50
    db.put(b"counter", b"0")
    conflicts = []

    def incrementer():
        done = 0
        while done < increments:
            entry = db.get_versioned(b"counter")
            batch = sanddb.WriteBatch()
            batch.expect_version(b"counter", entry.version)
            batch.put(b"counter", b"%d" % (int(entry.value) + 1))
            try:
                db.write(batch)
                done += 1
            except sanddb.Conflict:
                conflicts.append(1)

    run_threads([incrementer] * threads)
    assert int(db.get(b"counter")) == threads * increments
    # Every committed write is one increment: no version was lost or doubled.
    assert db.last_version == 1 + threads * increments
