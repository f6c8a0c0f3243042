"""Build script of the `sanddb` Python package.

The extension `sanddb._sanddb` is a pybind11 module linked against a static,
position-independent libsand built from this checkout (the parent directory
of python/). The build step:

1. configures and builds the library alone with CMake into
   python/build/sand-cmake (or $SAND_CMAKE_BUILD_DIR), Release, tests and
   tools off, at most $SAND_BUILD_JOBS (default 2) jobs;
2. installs it into python/build/sand-stage (headers, libsand.a, sand.pc);
3. compiles the binding with the flags `pkg-config --static --cflags --libs
   sand` gives for that stage (Boost.Container, lz4, xxhash).

Only Debian packages are needed (cmake, g++, pkg-config, the library's -dev
packages, pybind11-dev, python3-pybind11, python3-setuptools,
python3-wheel), so it installs without a package index:

    /usr/bin/python3 -m venv --system-site-packages .venv
    .venv/bin/pip install --no-build-isolation --no-index ./python
"""

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from pybind11.setup_helpers import Pybind11Extension, ParallelCompile
from pybind11.setup_helpers import build_ext as pybind11_build_ext
from setuptools import setup

HERE = Path(__file__).resolve().parent
# pip builds a local directory in place, so the engine is the parent of
# python/. SAND_SOURCE_DIR points elsewhere (e.g. to build from a copy).
ENGINE = Path(os.environ.get("SAND_SOURCE_DIR", HERE.parent)).resolve()
BUILD = HERE / "build"
CMAKE_BUILD = Path(os.environ.get("SAND_CMAKE_BUILD_DIR", BUILD / "sand-cmake")).resolve()
STAGE = BUILD / "sand-stage"


def jobs():
    """Parallel jobs for CMake and for the binding's sources: at most 2."""
    try:
        return max(1, min(2, int(os.environ.get("SAND_BUILD_JOBS", "2"))))
    except ValueError:
        return 2


def engine_version():
    """MAJOR.MINOR.PATCH from include/sand/version.hpp, the one source of truth."""
    header = ENGINE / "include" / "sand" / "version.hpp"
    try:
        text = header.read_text()
    except OSError as e:
        sys.exit(
            f"sanddb: cannot read {header} ({e.strerror}): the Python package builds "
            "from a sanddb checkout (pip install ./python from the repository root), "
            "or set SAND_SOURCE_DIR to one"
        )
    parts = [re.search(rf"#define SAND_VERSION_{p} (\d+)", text) for p in ("MAJOR", "MINOR", "PATCH")]
    if not all(parts):
        sys.exit(f"sanddb: no SAND_VERSION_MAJOR/MINOR/PATCH in {header}")
    return ".".join(m.group(1) for m in parts)


def run(cmd, **kwargs):
    print("sanddb:", " ".join(shlex.quote(str(c)) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kwargs)


def build_engine():
    """Builds and stages the static library; returns the pkg-config flags."""
    for tool in ("cmake", "pkg-config"):
        if shutil.which(tool) is None:
            sys.exit(f"sanddb: `{tool}` not found; install it (apt-get install {tool})")
    run([
        "cmake", "-S", ENGINE, "-B", CMAKE_BUILD,
        "-DCMAKE_BUILD_TYPE=Release",
        "-DSAND_BUILD_TESTS=OFF", "-DSAND_BUILD_CLI=OFF",
        "-DSAND_BUILD_BENCH=OFF", "-DSAND_BUILD_EXAMPLES=OFF",
        "-DSAND_INSTALL=ON", "-DBUILD_SHARED_LIBS=OFF",
        # The stage's layout must not depend on the host's multiarch libdir.
        "-DCMAKE_INSTALL_LIBDIR=lib",
    ])
    run(["cmake", "--build", CMAKE_BUILD, "--target", "sand", "-j", str(jobs())])
    # --install also installs whatever else the tree configured (nothing
    # but the library with the options above).
    run(["cmake", "--install", CMAKE_BUILD, "--prefix", STAGE])
    env = dict(os.environ, PKG_CONFIG_PATH=str(STAGE / "lib" / "pkgconfig"))
    out = subprocess.run(
        ["pkg-config", "--static", "--cflags", "--libs", "sand"],
        check=True, capture_output=True, text=True, env=env,
    ).stdout
    return shlex.split(out)


class build_ext(pybind11_build_ext):
    """Builds libsand first, then the extension against it."""

    def run(self):
        flags = build_engine()
        for ext in self.extensions:
            ext.include_dirs += [f[2:] for f in flags if f.startswith("-I")]
            ext.extra_link_args += [f for f in flags if not f.startswith("-I")]
            # Keep Boost's and libsand's symbols out of the module's dynamic
            # symbol table: only PyInit__sanddb is exported.
            ext.extra_link_args.append("-Wl,--exclude-libs,ALL")
            ext.depends.append(str(STAGE / "lib" / "libsand.a"))
        super().run()


SOURCES = sorted(str(p.relative_to(HERE)) for p in (HERE / "src").glob("*.cpp"))
HEADERS = sorted(str(p.relative_to(HERE)) for p in (HERE / "src").glob("*.hpp"))

ext = Pybind11Extension(
    "sanddb._sanddb",
    SOURCES,
    cxx_std=20,
    depends=HEADERS,
    # -g0: Debian's Python CFLAGS carry -g, which triples the module for nothing.
    extra_compile_args=["-O2", "-g0", "-Wall", "-Wextra"],
)

ParallelCompile("SAND_BUILD_JOBS", default=jobs(), max=2).install()

setup(
    name="sanddb",
    version=engine_version(),
    description="Python binding of sanddb, an embedded, versioned, append-only LSM key-value store",
    long_description=(HERE / "README.md").read_text(),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    url="https://github.com/sanddb/sanddb",
    python_requires=">=3.9",
    packages=["sanddb"],
    package_data={"sanddb": ["py.typed", "*.pyi"]},
    ext_modules=[ext],
    cmdclass={"build_ext": build_ext},
    zip_safe=False,
    classifiers=[
        "License :: OSI Approved :: Apache Software License",
        "Programming Language :: C++",
        "Programming Language :: Python :: 3",
        "Topic :: Database :: Database Engines/Servers",
    ],
)
