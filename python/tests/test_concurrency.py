"""Concurrency smoke tests: one DB shared by threads that write, read, scan,
flush and compact at once. They check answers (atomic batches, versions
without gaps or duplicates, values that never go back), not timing."""

import threading

import sanddb
from conftest import SMALL, run_threads

WRITERS = 3
ROUNDS = 1000
SLOTS = 8  # keys per writer, each rewritten ROUNDS / SLOTS times


def test_writers_and_readers_share_a_db(path):
    db = sanddb.open(path, **SMALL)
    versions = [[] for _ in range(WRITERS)]
    done = threading.Event()

    def writer(t):
        def run():
            for i in range(ROUNDS):
                batch = sanddb.WriteBatch()
                value = b"%d" % i
                # A key and its twin always change together.
                batch.put(b"w%d:%d" % (t, i % SLOTS), value)
                batch.put(b"twin:w%d:%d" % (t, i % SLOTS), value)
                versions[t].append(db.write(batch))
                if i % 50 == 0:
                    versions[t].append(db.put(b"single:%d" % t, value, sync=(i % 100 == 0)))
        return run

    def reader():
        seen = {}
        while not done.is_set():
            for t in range(WRITERS):
                for s in range(SLOTS):
                    got = db.get(b"w%d:%d" % (t, s))
                    if got is not None:
                        # Each key's value only grows as its writer goes on.
                        assert int(got) >= seen.get((t, s), -1)
                        seen[(t, s)] = int(got)
            snap = db.snapshot()
            pairs = dict(db.scan(b"twin:", b"twin;", at=snap))
            for key, value in db.scan(b"w", b"x", at=snap):
                assert pairs[b"twin:" + key] == value  # batches are atomic
            assert db.get(b"w0:0", at=snap) == db.get(b"w0:0", at=snap.version)
            snap.release()

    def maintenance():
        while not done.is_set():
            db.flush()
            db.compact()
            db.stats()

    writers = [writer(t) for t in range(WRITERS)]

    def writers_then_done():
        try:
            run_threads(writers)
        finally:
            done.set()

    run_threads([writers_then_done, reader, reader, maintenance])

    every = sorted(v for vs in versions for v in vs)
    assert every == list(range(1, len(every) + 1))  # no gap, no duplicate
    for vs in versions:
        assert vs == sorted(vs)  # one thread's writes commit in its order
    assert db.last_version == len(every)
    for t in range(WRITERS):
        for s in range(SLOTS):
            last_i = max(i for i in range(ROUNDS) if i % SLOTS == s)
            assert db.get(b"w%d:%d" % (t, s)) == b"%d" % last_i
            assert db.get(b"twin:w%d:%d" % (t, s)) == b"%d" % last_i
    db.close()
    with sanddb.open(path, **SMALL) as again:
        assert again.last_version == len(every)
        assert sanddb.check(path).ok


def test_close_racing_writes(path):
    """close() from one thread while others write: every write either
    commits (and survives) or raises ReadOnly."""
    db = sanddb.open(path)
    committed = [[] for _ in range(2)]
    started = threading.Barrier(3)

    def writer(t):
        def run():
            started.wait()
            for i in range(2000):
                try:
                    committed[t].append((db.put(b"t%d:%d" % (t, i), b"v"), i))
                except sanddb.ReadOnly:
                    return
        return run

    def closer():
        started.wait()
        db.close()

    run_threads([writer(0), writer(1), closer])
    with sanddb.open(path) as again:
        for t in range(2):
            for _, i in committed[t]:
                assert again.get(b"t%d:%d" % (t, i)) == b"v"


def test_iterators_in_their_own_threads(path):
    with sanddb.open(path, **SMALL) as db:
        for i in range(500):
            db.put(b"k%04d" % i, b"v%d" % i)
        results = [None] * 4

        def scanner(n):
            def run():
                results[n] = list(db.scan(reverse=bool(n % 2)))
            return run

        run_threads([scanner(n) for n in range(4)])
        forward = [(b"k%04d" % i, b"v%d" % i) for i in range(500)]
        assert results[0] == results[2] == forward
        assert results[1] == results[3] == forward[::-1]
