#!/usr/bin/env python3
"""How much a Python binding costs per call: put and get ops/s of 16-byte
keys and 100-byte values through

  pybind11   the `sanddb` package (this directory's extension, C++ methods
             called directly: the design it ships);
  pywrapper  the same extension behind a thin pure-Python class whose
             methods forward to it (the design it does not ship: what a
             Python-level DB class would add per call);
  ctypes     the C API (include/sand/c.h) of a shared libsand through ctypes,
             from the standard library (GIL released by ctypes.CDLL);
  dict       a Python dict: the cost of the benchmark loop alone;
  c++        the same workloads through the C++ API, no Python at all
             (bench/sand_api_loop, run as a subprocess): the baseline the
             binding's overhead is quoted against.

Workloads, each on a fresh database in a temporary directory (a real file
system, not in_memory), sync off, every other option at its default (64 MiB
memtable, LZ4, 10 bloom bits, 32 MiB block cache):

  fillseq     N puts in key order
  fillrandom  N puts in a shuffled order
  readrandom  N gets of existing keys in a shuffled order (after fillrandom;
              the memtable still holds most of them at N=200k)
  readflushed the same gets after flush() (every read goes through a table)

Usage:
  python bench/binding_overhead.py [-n 200000] [--repeats 3]
      [--engines c++,pybind11,pywrapper,ctypes,dict] [--libsand PATH]
      [--api-loop PATH]

--api-loop (or $SAND_API_LOOP) is the sand_api_loop binary of a Release
build (`cmake --build build/release --target sand_api_loop`); without it the
c++ engine is skipped with a note.

--libsand (or $SAND_LIBSAND) is a shared libsand.so exporting the C API;
without it the ctypes engine is skipped with a note. Build one with
  cmake -S .. -B build/bench-shared -DCMAKE_BUILD_TYPE=Release \\
      -DBUILD_SHARED_LIBS=ON -DSAND_BUILD_TESTS=OFF -DSAND_BUILD_CLI=OFF \\
      -DSAND_BUILD_BENCH=OFF -DSAND_BUILD_EXAMPLES=OFF
  cmake --build build/bench-shared --target sand -j 2

Output: one line per engine and workload with the median ops/s and µs/op
over the repeats (and min/max), then the engines' ratios to pybind11.
"""

import argparse
import ctypes
import os
import pathlib
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import sanddb

VALUE = b"v" * 100
WORKLOADS = ("fillseq", "fillrandom", "readrandom", "readflushed")


# ---- engines: open(path) -> object with put(k, v), get(k), flush(), close() ----


class Pybind11Engine:
    name = "pybind11"

    def __init__(self, path):
        self.db = sanddb.open(path)
        self.put = self.db.put
        self.get = self.db.get
        self.flush = self.db.flush
        self.close = self.db.close


class PyWrapper:
    """A DB class written in Python over the extension: one more Python call
    per operation."""

    def __init__(self, path):
        self._db = sanddb.open(path)

    def put(self, key, value, *, sync=None):
        return self._db.put(key, value, sync=sync)

    def get(self, key, *, at=None, default=None):
        return self._db.get(key, at=at, default=default)

    def flush(self):
        self._db.flush()

    def close(self):
        self._db.close()


class PyWrapperEngine(PyWrapper):
    name = "pywrapper"


class CtypesEngine:
    name = "ctypes"
    lib = None

    @classmethod
    def load(cls, path):
        lib = ctypes.CDLL(path)
        c_char_pp = ctypes.POINTER(ctypes.c_char_p)
        lib.sand_open.argtypes = [ctypes.c_char_p, ctypes.c_void_p,
                                  ctypes.POINTER(ctypes.c_void_p), c_char_pp]
        lib.sand_open.restype = ctypes.c_int
        lib.sand_put.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p,
                                 ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t,
                                 ctypes.POINTER(ctypes.c_uint64), c_char_pp]
        lib.sand_put.restype = ctypes.c_int
        lib.sand_get.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                                 ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_void_p),
                                 ctypes.POINTER(ctypes.c_size_t), c_char_pp]
        lib.sand_get.restype = ctypes.c_int
        lib.sand_flush.argtypes = [ctypes.c_void_p, c_char_pp]
        lib.sand_flush.restype = ctypes.c_int
        lib.sand_close.argtypes = [ctypes.c_void_p, c_char_pp]
        lib.sand_close.restype = ctypes.c_int
        lib.sand_db_free.argtypes = [ctypes.c_void_p]
        lib.sand_db_free.restype = None
        lib.sand_free.argtypes = [ctypes.c_void_p]
        lib.sand_free.restype = None
        cls.lib = lib

    def __init__(self, path):
        lib = self.lib
        db = ctypes.c_void_p()
        err = ctypes.c_char_p()
        if lib.sand_open(path.encode(), None, ctypes.byref(db), ctypes.byref(err)) != 0:
            raise RuntimeError(f"sand_open: {err.value!r}")
        self.db = db
        # Out parameters allocated once and reused, as a careful ctypes
        # binding would.
        version = ctypes.c_uint64()
        found = ctypes.c_int()
        value = ctypes.c_void_p()
        size = ctypes.c_size_t()
        err_ref, version_ref = ctypes.byref(err), ctypes.byref(version)
        found_ref, value_ref, size_ref = ctypes.byref(found), ctypes.byref(value), ctypes.byref(size)
        sand_put, sand_get, sand_free, string_at = lib.sand_put, lib.sand_get, lib.sand_free, ctypes.string_at

        def put(key, val):
            if sand_put(db, None, key, len(key), val, len(val), version_ref, err_ref) != 0:
                raise RuntimeError(f"sand_put: {err.value!r}")
            return version.value

        def get(key):
            if sand_get(db, key, len(key), found_ref, value_ref, size_ref, err_ref) != 0:
                raise RuntimeError(f"sand_get: {err.value!r}")
            if not found.value:
                return None
            out = string_at(value.value, size.value)
            sand_free(value)
            return out

        self.put, self.get = put, get

    def flush(self):
        err = ctypes.c_char_p()
        if self.lib.sand_flush(self.db, ctypes.byref(err)) != 0:
            raise RuntimeError(f"sand_flush: {err.value!r}")

    def close(self):
        err = ctypes.c_char_p()
        self.lib.sand_close(self.db, ctypes.byref(err))
        self.lib.sand_db_free(self.db)


class CppEngine:
    """Marker: run_once() runs sand_api_loop instead of a Python loop."""
    name = "c++"
    binary = None


class DictEngine:
    name = "dict"

    def __init__(self, path):
        d = {}
        self.put = d.__setitem__
        self.get = d.get

    def flush(self):
        pass

    def close(self):
        pass


# ---- workloads ----------------------------------------------------------------


def timed(fn, keys):
    start = time.perf_counter()
    fn(keys)
    return time.perf_counter() - start


def run_once(engine_cls, workload, keys, shuffled, reads):
    tmp = tempfile.mkdtemp(prefix="sanddb-bench-")
    try:
        if engine_cls is CppEngine:
            out = subprocess.run([CppEngine.binary, workload, str(len(keys)),
                                  os.path.join(tmp, "db")],
                                 check=True, capture_output=True, text=True).stdout
            return float(out)
        engine = engine_cls(os.path.join(tmp, "db"))
        put, get = engine.put, engine.get

        def puts(ks):
            for k in ks:
                put(k, VALUE)

        def gets(ks):
            missing = 0
            for k in ks:
                if get(k) is None:
                    missing += 1
            if missing:
                raise RuntimeError(f"{engine_cls.name}: {missing} keys not found")

        if workload == "fillseq":
            seconds = timed(puts, keys)
        elif workload == "fillrandom":
            seconds = timed(puts, shuffled)
        else:
            puts(shuffled)
            if workload == "readflushed":
                engine.flush()
            seconds = timed(gets, reads)
        engine.close()
        return len(keys) / seconds
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def find_libsand(given):
    candidates = [given, os.environ.get("SAND_LIBSAND")]
    here = pathlib.Path(__file__).resolve().parent.parent
    candidates += [str(p) for p in sorted((here / "build" / "bench-shared").glob("libsand.so*"))]
    for c in candidates:
        if c and os.path.exists(c):
            return c
    return None


def find_api_loop(given):
    here = pathlib.Path(__file__).resolve().parent.parent.parent
    candidates = [given, os.environ.get("SAND_API_LOOP")]
    candidates += [str(p) for p in sorted(here.glob("build/*/bench/sand_api_loop"))]
    for c in candidates:
        if c and os.access(c, os.X_OK):
            return c
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=200_000, help="keys (default 200000)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--engines", default="c++,pybind11,pywrapper,ctypes,dict")
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--libsand", help="a shared libsand exporting the C API (for ctypes)")
    parser.add_argument("--api-loop", help="bench/sand_api_loop of a Release build (for c++)")
    args = parser.parse_args()

    keys = [b"%016d" % i for i in range(args.n)]
    rng = random.Random(301)
    shuffled = keys[:]
    rng.shuffle(shuffled)
    reads = keys[:]
    rng.shuffle(reads)

    engines = []
    for name in args.engines.split(","):
        if name == "pybind11":
            engines.append(Pybind11Engine)
        elif name == "pywrapper":
            engines.append(PyWrapperEngine)
        elif name == "dict":
            engines.append(DictEngine)
        elif name == "c++":
            CppEngine.binary = find_api_loop(args.api_loop)
            if CppEngine.binary is None:
                print("# c++: skipped (no sand_api_loop; see --api-loop)")
                continue
            print(f"# c++: {CppEngine.binary}")
            engines.append(CppEngine)
        elif name == "ctypes":
            lib = find_libsand(args.libsand)
            if lib is None:
                print("# ctypes: skipped (no shared libsand with the C API; see --libsand)")
                continue
            try:
                CtypesEngine.load(lib)
            except (OSError, AttributeError) as e:
                print(f"# ctypes: skipped ({lib}: {e})")
                continue
            print(f"# ctypes: {lib}")
            engines.append(CtypesEngine)
        else:
            parser.error(f"unknown engine {name!r}")

    print(f"# sanddb {sanddb.__version__}, Python {platform.python_version()}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs; N={args.n}, 16-byte keys, "
          f"100-byte values, sync off, {args.repeats} repeats, temp dir {tempfile.gettempdir()}")
    print(f"{'engine':<10} {'workload':<12} {'ops/s (median)':>15} {'us/op':>7} "
          f"{'min ops/s':>10} {'max ops/s':>10}")
    medians = {}
    for workload in args.workloads.split(","):
        for engine in engines:
            rates = [run_once(engine, workload, keys, shuffled, reads)
                     for _ in range(args.repeats)]
            med = statistics.median(rates)
            medians[(engine.name, workload)] = med
            print(f"{engine.name:<10} {workload:<12} {med:>15,.0f} {1e6 / med:>7.2f} "
                  f"{min(rates):>10,.0f} {max(rates):>10,.0f}", flush=True)
    for baseline in ("c++", "pybind11"):
        if not any(name == baseline for name, _ in medians):
            continue
        print(f"\n# ops/s relative to {baseline} (median)")
        for (name, workload), med in medians.items():
            base = medians.get((baseline, workload))
            if base and name != baseline:
                print(f"{name:<10} {workload:<12} {med / base:>6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
