"""A read-only follower next to a writer: it sees the state of its last
refresh(), and later writes after the next one."""

import pytest

import sanddb
from conftest import SMALL


def test_follower_sees_later_writes_after_refresh(path):
    writer = sanddb.open(path, **SMALL)
    v1 = writer.put(b"k", b"one")
    follower = sanddb.open(path, read_only=True)
    assert follower.read_only
    assert follower.last_version == v1
    assert follower.get(b"k") == b"one"

    v2 = writer.put(b"k", b"two")
    writer.put(b"other", b"x")
    assert follower.get(b"k") == b"one"  # not yet refreshed
    assert follower.refresh() == v2 + 1
    assert follower.get(b"k") == b"two"
    assert follower.get(b"k", at=v1) == b"one"
    assert list(follower.scan()) == [(b"k", b"two"), (b"other", b"x")]

    # Across flushes and compactions too.
    for i in range(300):
        writer.put(b"n%03d" % i, b"v" * 30)
    writer.compact()
    writer.delete(b"k")
    last = writer.last_version
    assert follower.refresh() == last
    assert follower.get(b"k") is None
    assert follower.get(b"n299") == b"v" * 30
    assert [e.version for e in follower.history(b"k")] == [last, v2, v1]
    assert follower.refresh() == last  # cheap when nothing changed

    follower.close()
    writer.close()


def test_follower_scan_keeps_its_view(path):
    with sanddb.open(path) as writer, sanddb.open(path, read_only=True) as follower:
        writer.put(b"a", b"1")
        follower.refresh()
        it = follower.scan()
        writer.put(b"b", b"2")
        follower.refresh()
        assert list(it) == [(b"a", b"1")]
        assert list(follower.scan()) == [(b"a", b"1"), (b"b", b"2")]


def test_follower_refuses_reads_below_the_writers_mark(path):
    with sanddb.open(path) as writer:
        for i in range(3):
            writer.put(b"k", b"%d" % i)
        writer.forget_before(3)
        with sanddb.open(path, read_only=True) as follower:
            snap = follower.snapshot()
            assert follower.get(b"k", at=snap) == b"2"
            with pytest.raises(sanddb.InvalidArgument, match="read-only"):
                follower.get(b"k", at=2)


def test_follower_works_without_a_writer(path):
    with sanddb.open(path) as writer:
        writer.put(b"k", b"v")
    with sanddb.open(path, read_only=True) as follower:
        assert follower.get(b"k") == b"v"
        assert follower.refresh() == 1
        with sanddb.open(path) as writer:  # read-only handles take no lock
            writer.put(b"k", b"w")
        assert follower.refresh() == 2
        assert follower.get(b"k") == b"w"
