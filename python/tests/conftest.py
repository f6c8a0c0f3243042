"""Fixtures shared by the sanddb Python tests."""

import pathlib
import threading

import pytest

import sanddb

# Small enough that a few hundred writes flush and compact on their own.
SMALL = dict(memtable_size=4096, block_size=256, block_restart_interval=4, l0_trigger=2,
             l1_trigger=2, target_file_size=4096)


@pytest.fixture
def path(tmp_path):
    """A directory path (str) where no database exists yet."""
    return str(tmp_path / "db")


@pytest.fixture
def db(path):
    """A writable database in a fresh directory, closed after the test."""
    handle = sanddb.open(path)
    yield handle
    handle.close()


def table_files(path):
    """The .sst files of the database in `path`, by name."""
    return sorted(pathlib.Path(path).glob("*.sst"))


def run_threads(targets, timeout=120):
    """Runs every callable in its own thread; re-raises the first error."""
    errors = []

    def guard(fn):
        def wrapped():
            try:
                fn()
            except BaseException as e:  # noqa: BLE001 (reported below)
                errors.append(e)
        return wrapped

    threads = [threading.Thread(target=guard(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
        assert not t.is_alive(), "a thread hung"
    if errors:
        raise errors[0]
