"""A Hypothesis state machine: random operation sequences on a real database
directory, every answer compared with a Python model of the versioned store
(the rules of include/sand/db.hpp: versions without gaps, reads at any
version >= the low-water mark M or at a live snapshot's, history listing the
versions >= M plus the newest one below M without bottom tombstones).

Tiny memtables and triggers make flushes and compactions happen on their own
as well as by rule. SANDDB_HYPOTHESIS_EXAMPLES and SANDDB_HYPOTHESIS_STEPS
scale the run (defaults keep the suite short).
"""

import os
import pathlib
import shutil
import tempfile

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import sanddb

KEYS = [b"", b"a", b"ab", b"b", b"k\x00", b"k1", b"k2", b"z\xff"]
keys = st.sampled_from(KEYS)
values = st.one_of(
    st.binary(max_size=16),
    # Large values fill the 4 KiB memtables quickly: flushes and compactions.
    st.builds(lambda n, c: c * n, st.integers(200, 1500), st.sampled_from([b"x", b"y"])),
)
ops = st.lists(st.tuples(keys, st.one_of(st.none(), values)), max_size=5)
# How far back from the last version a read goes: 0 is the latest; large
# ones fall below the mark or before version 0 (then clamped to 0).
back = st.integers(0, 30)

OPTIONS = dict(memtable_size=4096, block_size=256, block_restart_interval=4, l0_trigger=2,
               l0_stop=6, l1_trigger=2, target_file_size=4096, block_cache_size=64 << 10)


class Model:
    """The versioned store: every version of every key, the mark, the live
    snapshots' versions."""

    def __init__(self, latest_only):
        self.latest_only = latest_only
        self.keys = {}  # key -> {version: value, or None for a deletion}
        self.last = 0
        self.mark = 0
        self.pinned = []  # versions of live snapshots (one entry per snapshot)

    def commit(self, operations):
        self.last += 1
        for key, value in operations:  # a later operation on a key wins
            self.keys.setdefault(key, {})[self.last] = value
        if self.latest_only:
            self.mark = self.last
        return self.last

    def readable(self, at):
        return at <= self.last and (at >= self.mark or at in self.pinned)

    def get(self, key, at):
        versions = self.keys.get(key, {})
        below = [v for v in versions if v <= at]
        return versions[max(below)] if below else None

    def scan(self, start, end, at, reverse):
        out = [(k, self.get(k, at)) for k in sorted(self.keys)
               if (start is None or k >= start) and (end is None or k < end)]
        out = [(k, v) for k, v in out if v is not None]
        return out[::-1] if reverse else out

    def history(self, key):
        out = []
        for version in sorted(self.keys.get(key, {}), reverse=True):
            value = self.keys[key][version]
            out.append((version, value is None, value))
            if version < self.mark:
                break  # the newest version below the mark is the last one kept
        while out and out[-1][1]:
            out.pop()  # a bottom tombstone hides nothing
        return out


class VersionedStore(RuleBasedStateMachine):
    latest_only = False

    def __init__(self):
        super().__init__()
        self.dir = tempfile.mkdtemp(prefix="sanddb-model-")
        self.path = os.path.join(self.dir, "db")
        self.retention = "latest" if self.latest_only else "all"
        self.db = sanddb.open(self.path, retention=self.retention, **OPTIONS)
        self.model = Model(self.latest_only)
        self.snapshots = []  # live sanddb.Snapshot objects, as model.pinned

    def teardown(self):
        for snap in self.snapshots:
            snap.release()
        self.db.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def version_back(self, n):
        return max(0, self.model.last - n)

    # ---- writes -------------------------------------------------------------

    @rule(key=keys, value=values, sync=st.sampled_from([None, False, True]))
    def put(self, key, value, sync):
        assert self.db.put(key, value, sync=sync) == self.model.commit([(key, value)])

    @rule(key=keys)
    def delete(self, key):
        assert self.db.delete(key) == self.model.commit([(key, None)])

    @rule(operations=ops)
    def batch(self, operations):
        batch = sanddb.WriteBatch()
        for key, value in operations:
            if value is None:
                batch.delete(key)
            else:
                batch.put(key, value)
        assert len(batch) == len(operations)
        if not operations:
            with pytest.raises(sanddb.InvalidArgument):
                self.db.write(batch)
            return
        assert self.db.write(batch) == self.model.commit(operations)

    # ---- reads ----------------------------------------------------------------

    @rule(key=keys)
    def get_latest(self, key):
        assert self.db.get(key) == self.model.get(key, self.model.last)

    @rule(key=keys, n=back)
    def get_at_version(self, key, n):
        at = self.version_back(n)
        if self.model.readable(at):
            assert self.db.get(key, at=at) == self.model.get(key, at)
        else:
            with pytest.raises(sanddb.InvalidArgument):
                self.db.get(key, at=at)

    @rule(key=keys, n=st.integers(1, 5))
    def get_past_the_last_version(self, key, n):
        with pytest.raises(sanddb.InvalidArgument, match="newer"):
            self.db.get(key, at=self.model.last + n)

    @precondition(lambda self: self.snapshots)
    @rule(key=keys, i=st.integers(0, 100))
    def get_at_snapshot(self, key, i):
        snap = self.snapshots[i % len(self.snapshots)]
        assert self.db.get(key, at=snap) == self.model.get(key, snap.version)

    @rule(key=keys)
    def history(self, key):
        got = [(e.version, e.deleted, e.value) for e in self.db.history(key)]
        assert got == self.model.history(key)

    @rule(start=st.one_of(st.none(), keys), end=st.one_of(st.none(), keys),
          reverse=st.booleans(), n=st.one_of(st.none(), back), versions=st.booleans())
    def scan(self, start, end, reverse, n, versions):
        at = None if n is None else self.version_back(n)
        if start is not None and end is not None and start > end:
            with pytest.raises(sanddb.InvalidArgument):
                self.db.scan(start, end, at=at)
            return
        if at is not None and not self.model.readable(at):
            with pytest.raises(sanddb.InvalidArgument):
                self.db.scan(start, end, at=at)
            return
        read_at = self.model.last if at is None else at
        got = list(self.db.scan(start, end, at=at, reverse=reverse, with_versions=versions))
        want = self.model.scan(start, end, read_at, reverse)
        if versions:
            for key, _, version in got:  # the version that wrote the value
                writes = self.model.keys[key]
                assert version == max(v for v in writes if v <= read_at)
            got = [(k, v) for k, v, _ in got]
        assert got == want

    @precondition(lambda self: self.snapshots)
    @rule(i=st.integers(0, 100), reverse=st.booleans())
    def scan_at_snapshot(self, i, reverse):
        snap = self.snapshots[i % len(self.snapshots)]
        got = list(self.db.scan(at=snap, reverse=reverse))
        assert got == self.model.scan(None, None, snap.version, reverse)

    # ---- retention, snapshots, maintenance, restarts -----------------------------

    @rule(n=st.integers(-2, 20))
    def forget_before(self, n):
        v = self.model.last - n
        if v < 0:
            return
        if v > self.model.last:
            with pytest.raises(sanddb.InvalidArgument):
                self.db.forget_before(v)
            return
        self.db.forget_before(v)
        self.model.mark = max(self.model.mark, v)

    @rule()
    def snapshot(self):
        snap = self.db.snapshot()
        assert snap.version == self.model.last
        self.snapshots.append(snap)
        self.model.pinned.append(snap.version)

    @precondition(lambda self: self.snapshots)
    @rule(i=st.integers(0, 100))
    def release_snapshot(self, i):
        snap = self.snapshots.pop(i % len(self.snapshots))
        self.model.pinned.remove(snap.version)
        snap.release()

    @rule()
    def flush(self):
        self.db.flush()

    @rule()
    def compact(self):
        self.db.compact()

    @rule()
    def reopen(self):
        # Snapshots pin versions in the handle that took them only.
        for snap in self.snapshots:
            snap.release()
        self.snapshots.clear()
        self.model.pinned.clear()
        self.db.close()
        self.db = sanddb.open(self.path, retention=self.retention, **OPTIONS)

    @invariant()
    def versions_agree(self):
        assert self.db.last_version == self.model.last
        assert self.db.low_water_mark == self.model.mark


class LatestOnlyStore(VersionedStore):
    latest_only = True


def hypothesis_settings():
    return settings(
        max_examples=int(os.environ.get("SANDDB_HYPOTHESIS_EXAMPLES", "200")),
        stateful_step_count=int(os.environ.get("SANDDB_HYPOTHESIS_STEPS", "50")),
        deadline=None,  # file-system timing varies on a shared host
        suppress_health_check=[HealthCheck.too_slow],
        # Failing examples are kept under python/ (ignored by git), not in
        # the directory pytest was started from.
        database=DirectoryBasedExampleDatabase(
            str(pathlib.Path(__file__).resolve().parent.parent / ".hypothesis" / "examples")),
    )


TestVersionedStore = VersionedStore.TestCase
TestVersionedStore.settings = hypothesis_settings()
TestLatestOnlyStore = LatestOnlyStore.TestCase
TestLatestOnlyStore.settings = hypothesis_settings()
