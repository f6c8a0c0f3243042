"""DB.checkpoint: a copy of a live database that opens as an ordinary one."""

import os

import pytest

import sanddb

from conftest import SMALL, table_files


def test_checkpoint_holds_the_state_at_its_version(tmp_path):
    src, dst = tmp_path / "db", tmp_path / "copy"
    with sanddb.open(src, **SMALL) as db:
        for i in range(300):
            db.put(b"k%03d" % i, b"v%d" % i)
        db.delete(b"k007")
        version = db.checkpoint(dst)
        assert version == db.last_version
        db.put(b"after", b"x")
        with pytest.raises(sanddb.InvalidArgument, match="exists"):
            db.checkpoint(str(dst))
    # Tables are hard links of the source's.
    for table in table_files(dst):
        source_table = src / table.name
        if source_table.exists():
            assert os.stat(table).st_ino == os.stat(source_table).st_ino
    with sanddb.open(dst, create_if_missing=False) as copy:
        assert copy.last_version == version
        assert copy.get(b"k123") == b"v123"
        assert copy.get(b"k007") is None
        assert copy.get(b"after") is None


def test_checkpoint_of_a_read_only_handle_raises_read_only(db, path, tmp_path):
    db.put(b"k", b"v")
    with sanddb.open(path, read_only=True) as ro:
        with pytest.raises(sanddb.ReadOnly):
            ro.checkpoint(tmp_path / "copy")
    assert not (tmp_path / "copy").exists()
