#!/usr/bin/env bash
# Tests the Python package `sanddb` (python/) from scratch: installs missing
# Debian packages (scripts/install-deps.sh), creates a fresh virtual
# environment in build/python-venv with Debian's Python (/usr/bin/python3,
# --system-site-packages: setuptools, wheel, pybind11, pytest and hypothesis
# come from Debian, never from a package index), installs the package with
# the README's command, which builds libsand with CMake into python/build/
# (at most 2 jobs) and links the extension against it, then runs
# `python -m pytest -q python/tests` (unit tests, error kinds, a read-only
# follower, threads, doctests of every docstring, Hypothesis state machines),
# then runs the Python examples (examples/*.py) and checks what they print.
# Works from any directory; exits non-zero on any failure. Extra arguments go
# to pytest, e.g. `-k model`. SANDDB_HYPOTHESIS_EXAMPLES and
# SANDDB_HYPOTHESIS_STEPS scale the state machines (defaults: 200 and 50).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python=/usr/bin/python3  # not a pyenv shim: it must see Debian's packages
venv="$root/build/python-venv"

bash "$root/scripts/install-deps.sh" --test

rm -rf "$venv"
"$python" -m venv --system-site-packages "$venv"
cd "$root"
"$venv/bin/pip" install --no-build-isolation --no-index ./python
# From the repository root, so `import sanddb` finds the installed package,
# not the source directory python/sanddb (which has no compiled extension).
"$venv/bin/python" -m pytest -q -p no:cacheprovider python/tests "$@"

# The Python examples, in a scratch directory, as a user would run them.
scratch="$root/build/python-examples"
rm -rf "$scratch" && mkdir -p "$scratch" && cd "$scratch"
"$venv/bin/python" "$root/examples/hello.py" | tee hello.out
grep -qx "v2: hello, world" hello.out
"$venv/bin/python" - <<'PY'
import csv
with open("cities.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["name", "country", "population"])
    for i in range(2500):
        w.writerow([f"city-{i:05d}", "Portugal" if i % 2 else "Perú", i * 1000])
PY
"$venv/bin/python" "$root/examples/csv_ingest.py" cities.csv cities-db --key name --batch 1000 | tee ingest.out
grep -q "^ingested 2500 rows in 3 batches (versions 1..3) " ingest.out
"$venv/bin/python" - <<'PY'
import json, sanddb
with sanddb.open("cities-db") as db:
    row = json.loads(db.get("city-00042"))
    assert row == {"name": "city-00042", "country": "Perú", "population": "42000"}, row
    assert sum(1 for _ in db.scan()) == 2500
    assert db.last_version == 3
print("csv_ingest: 2500 rows readable, row city-00042 intact")
PY
