"""The memtable option: the memtable's ordered index, "btree" (the default)
or "skiplist". Both give the same answers, from the memtable, after flush
and compaction, and after reopening with either (nothing on disk depends on
it). Other values raise ValueError naming the option, other types
TypeError."""

import pathlib

import pytest

import sanddb

from conftest import SMALL

INDEXES = ["btree", "skiplist"]


def write_and_check(db, tag, keys=300, model=None):
    """Puts keys m000.. with values naming `tag`, deletes every 7th, and
    checks every read (get, get at a version, scan both ways, history) from
    the memtables, after a flush and after a compaction. `model` holds what
    the database had before (key -> value or None). Returns the new model."""
    model = dict(model or {})
    versions = {}
    for i in range(keys):
        key = b"m%03d" % i
        value = b"%s:%d" % (tag.encode(), i)
        versions[key] = db.put(key, value)
        model[key] = value
    for i in range(0, keys, 7):
        key = b"m%03d" % i
        db.delete(key)
        model[key] = None
    for step in (None, db.flush, db.compact):
        if step is not None:
            step()
        assert_reads(db, model)
        for key, version in list(versions.items())[::25]:
            assert db.get(key, at=version) == b"%s:%d" % (tag.encode(), int(key[1:]))
    return model


def assert_reads(db, model):
    for key, value in model.items():
        assert db.get(key) == value, key
    live = sorted((k, v) for k, v in model.items() if v is not None)
    assert list(db.scan()) == live
    assert list(db.scan(reverse=True)) == live[::-1]
    assert list(db.scan(b"m010", b"m016")) == [(k, v) for k, v in live if b"m010" <= k < b"m016"]
    for key in (b"m000", b"m001", b"m007", b"m150", b"m299"):
        if key in model:
            newest = db.history(key)[0]
            assert (newest.deleted, newest.value) == (model[key] is None, model[key])


@pytest.mark.parametrize("memtable", INDEXES)
def test_each_index_writes_and_reads(path, memtable):
    with sanddb.open(path, memtable=memtable, **SMALL) as db:
        model = write_and_check(db, memtable)
        last = db.last_version
    with sanddb.open(path, memtable=memtable, create_if_missing=False) as db:
        assert db.last_version == last
        assert_reads(db, model)


@pytest.mark.parametrize("first, second", [("btree", "skiplist"), ("skiplist", "btree")])
def test_a_database_reopens_with_the_other_index(path, first, second):
    with sanddb.open(path, memtable=first, **SMALL) as db:
        model = write_and_check(db, first)
        db.put(b"tail", first)  # unflushed: replayed into the other index
    model[b"tail"] = first.encode()
    with sanddb.open(path, memtable=second, **SMALL) as db:
        assert_reads(db, model)
        model = write_and_check(db, second, model=model)
    with sanddb.open(path, memtable=first, create_if_missing=False) as db:
        assert_reads(db, model)


@pytest.mark.parametrize("memtable", INDEXES)
def test_in_memory_and_import_archive_take_the_option(tmp_path, memtable):
    with sanddb.open("mem", in_memory=True, memtable=memtable, **SMALL) as db:
        model = write_and_check(db, memtable, keys=100)
    with sanddb.open(tmp_path / "db", memtable=memtable) as db:
        db.put(b"k", b"v")
        db.export_archive(tmp_path / "db.sandx")
    assert sanddb.import_archive(tmp_path / "copy", tmp_path / "db.sandx", memtable=memtable) == 1
    with sanddb.open(tmp_path / "copy", memtable=memtable, create_if_missing=False) as copy:
        assert copy.get(b"k") == b"v"
    assert len(model) == 100


def test_both_indexes_and_the_default_give_the_same_answers(tmp_path):
    answers = []
    for name, options in [("default", {}), ("btree", {"memtable": "btree"}),
                          ("skiplist", {"memtable": "skiplist"})]:
        with sanddb.open(tmp_path / name, **options, **SMALL) as db:
            write_and_check(db, "same")
            answers.append((list(db.scan(with_versions=True)), db.history(b"m001"),
                            db.history(b"m007"), db.last_version))
    assert answers[0] == answers[1] == answers[2]


@pytest.mark.parametrize("bad", ["hash", "", "BTree", "SKIPLIST", "b-tree", "btree "])
def test_unknown_index_is_a_value_error_naming_the_option(tmp_path, bad):
    path = tmp_path / "db"
    with pytest.raises(ValueError, match=r"memtable must be one of \('btree', 'skiplist'\)"):
        sanddb.open(path, memtable=bad)
    with pytest.raises(ValueError, match="memtable"):
        sanddb.open(path, memtable=bad, in_memory=True)
    with pytest.raises(ValueError, match="import_archive\\(\\): memtable"):
        sanddb.import_archive(tmp_path / "copy", tmp_path / "missing.sandx", memtable=bad)
    assert not path.exists()
    assert not (tmp_path / "copy").exists()


@pytest.mark.parametrize("bad", [0, 1, None, b"btree", True, ["btree"]])
def test_index_of_another_type_is_a_type_error_naming_the_option(path, bad):
    with pytest.raises(TypeError, match="memtable must be one of"):
        sanddb.open(path, memtable=bad)
    assert not pathlib.Path(path).exists()
