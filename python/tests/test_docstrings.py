"""Every public function and class has a docstring with an example, and every
example runs as written (doctest)."""

import doctest
import inspect

import pytest

import sanddb


def public_objects():
    yield "sanddb", sanddb
    for name in sanddb.__all__:
        obj = getattr(sanddb, name)
        if name.startswith("__"):
            continue
        yield f"sanddb.{name}", obj
        if inspect.isclass(obj) and obj.__module__ == "sanddb" and name in {
                "DB", "Iterator", "Cursor", "ChangeFeed", "Snapshot", "WriteBatch"}:
            for attr, member in vars(obj).items():
                if not attr.startswith("_"):
                    yield f"sanddb.{name}.{attr}", member


# Members whose docstring is a one-line description without an example.
NO_EXAMPLE = {
    "sanddb.DB.path", "sanddb.DB.read_only", "sanddb.DB.in_memory", "sanddb.DB.closed",
    "sanddb.Snapshot.version", "sanddb.Snapshot.released", "sanddb.WriteBatch.byte_size",
    "sanddb.WriteBatch.precondition_count", "sanddb.Cursor.valid", "sanddb.Cursor.key",
    "sanddb.Cursor.value", "sanddb.Cursor.version", "sanddb.Cursor.closed",
    "sanddb.ChangeFeed.until", "sanddb.Change",
    "sanddb.CheckProblem", "sanddb.CheckNote", "sanddb.CheckedFile", "sanddb.CheckTotals",
}

OBJECTS = list(public_objects())


@pytest.mark.parametrize("name, obj", OBJECTS, ids=[n for n, _ in OBJECTS])
def test_docstring_example_runs(name, obj, tmp_path, monkeypatch):
    doc = inspect.getdoc(obj)
    assert doc, f"{name} has no docstring"
    if name in NO_EXAMPLE:
        return
    assert ">>>" in doc, f"{name}'s docstring shows no example"
    monkeypatch.chdir(tmp_path)
    test = doctest.DocTestParser().get_doctest(doc, {"sanddb": sanddb}, name, None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    failures = []
    runner.run(test, out=failures.append)
    assert runner.failures == 0, "".join(failures)


def test_signatures_are_readable():
    assert str(inspect.signature(sanddb.DB.put)) == "(self, key, value, *, sync=None)"
    assert str(inspect.signature(sanddb.DB.get)) == "(self, key, *, at=None, default=None)"
    assert str(inspect.signature(sanddb.DB.scan)) == (
        "(self, start=None, end=None, *, prefix=None, at=None, reverse=False, "
        "with_versions=False)")
    assert str(inspect.signature(sanddb.DB.cursor)) == (
        "(self, start=None, end=None, *, prefix=None, at=None, reverse=False)")
    assert str(inspect.signature(sanddb.DB.changes)) == (
        "(self, since=0, *, until=None, start=None, end=None, prefix=None)")
    assert str(inspect.signature(sanddb.DB.get_versioned)) == "(self, key, *, at=None)"
    assert str(inspect.signature(sanddb.DB.multi_get)) == "(self, keys, *, at=None)"
    assert str(inspect.signature(sanddb.DB.wait_for_version)) == (
        "(self, version, *, timeout=None)")
    assert str(inspect.signature(sanddb.WriteBatch.expect_version)) == "(self, key, version)"
