#!/usr/bin/env bash
# Builds sanddb and runs every test: installs what is missing, builds with
# warnings as errors and runs ctest (which also replays every fuzz corpus and
# regression input, runs the C API test and every C/C++ example), runs the
# database suites again on the skiplist memtable (SAND_TEST_MEMTABLE), builds the
# API reference, installs and tests the Python package, installs the library
# every documented way and builds outside programs against it
# (scripts/check-install.sh), then builds everything with clang++-14 under
# AddressSanitizer + UndefinedBehaviorSanitizer and its thread-safety
# analysis (-Wthread-safety -Werror: a broken SAND_GUARDED_BY/SAND_REQUIRES
# lock rule fails the build) and runs the suite there, runs the concurrent
# units under ThreadSanitizer (g++), and runs each libFuzzer target of the
# clang build for SAND_FUZZ_SECONDS (default 20: a smoke run of every target
# on each change; campaigns run fuzz/run.sh). install-deps.sh installs
# clang-14; the run fails without it. Idempotent; this is what CI runs
# (.ci/run).
# SAND_TEST_QUICK=1 runs only the first stage (a fast local loop).
# --long: a soak run, 10x the crash work (SAND_CRASH_SCALE=10: 20,000 crash
# property cases, 2,000 process kills, 10x the crash-point damage seeds) and
# a 60 s multi-process run; about 10x as long.
set -euo pipefail
test_timeout=600
if [ "${1:-}" = "--long" ]; then
  export SAND_CRASH_SCALE="${SAND_CRASH_SCALE:-10}"
  export SAND_SOAK_SECONDS="${SAND_SOAK_SECONDS:-60}"
  test_timeout=7200
  shift
fi
if [ $# -gt 0 ]; then echo "usage: $0 [--long]" >&2; exit 2; fi
root="$(cd "$(dirname "$0")/.." && pwd)"
jobs="$(nproc)"
bash "$root/scripts/install-deps.sh" --test

# Each stage line says how long the run has taken so far (CI budget: 45 min
# on 2 cores).
stage() { echo; echo "=== sanddb: $* (at $((SECONDS / 60))m$((SECONDS % 60))s) ==="; }
build() {  # build DIR CMAKE_ARGS... -- TARGETS...
  local dir="$1"; shift
  local args=() targets=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do args+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  targets=("$@")
  cmake -S "$root" -B "$dir" -DSAND_WERROR=ON -DSAND_BUILD_BENCH=OFF \
    -DSAND_TEST_TIMEOUT="$test_timeout" "${args[@]}" >/dev/null
  if [ ${#targets[@]} -gt 0 ]; then
    cmake --build "$dir" -j "$jobs" --target "${targets[@]}"
  else
    cmake --build "$dir" -j "$jobs"
  fi
}

# Optimized builds keep only line tables (-g1): enough for sanitizer and
# crash backtraces, and full -g made these builds ~45% slower (CI budget).
# -O1 rather than -O2: compiles take ~20% less (measured on an engine file
# and a test file, with and without ThreadSanitizer), and the -O3 builds of
# the Python and install stages still compile the library with -Werror.
opt_flags=-DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG"

stage "build (RelWithDebInfo, -Werror)"
build "$root/build/test" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$opt_flags" -DSAND_BUILD_BENCH=ON \
  -DSAND_BUILD_FUZZ=ON
stage "tests"
ctest --test-dir "$root/build/test" -j "$jobs" --output-on-failure
# The memtable tests cover both indexes themselves; the suites that open
# databases run again on the one that is not the default (Options::memtable,
# tests/main.cpp). About 1.5 minutes.
stage "database tests again on the skiplist memtable (SAND_TEST_MEMTABLE=skiplist)"
SAND_TEST_MEMTABLE=skiplist ctest --test-dir "$root/build/test" -j "$jobs" --output-on-failure \
  -R '^(db|check|archive|cli|spec):'

stage "API reference (Doxygen; an undocumented public symbol fails)"
cmake --build "$root/build/test" --target docs

if [ "${SAND_TEST_QUICK:-0}" = 1 ]; then exit 0; fi

stage "Python package: pip install into a fresh venv, pytest + Hypothesis, examples"
bash "$root/scripts/test-python.sh"

stage "install: static, shared, pkg-config, add_subdirectory and .deb, used by outside programs"
bash "$root/scripts/check-install.sh" "$root/build/test"

# The sanitizer stages run the 60 s follower test for 10 s (the plain stage
# runs it whole): under a sanitizer its value is in the interleavings it
# reaches early, and 2 x 50 s of the CI budget is better spent elsewhere.
sanitizer_feed_seconds="${SAND_FEED_SECONDS:-10}"

# One clang-14 tree serves three checks: the whole suite under
# AddressSanitizer + UndefinedBehaviorSanitizer, clang's thread-safety
# analysis (-Wthread-safety -Werror: a broken SAND_GUARDED_BY/SAND_REQUIRES
# lock rule fails the build), and the libFuzzer targets (fuzz/CMakeLists.txt
# gives the engine coverage instrumentation). Debug keeps assertions on;
# -O0 because clang compiles the test files there in ~60% of gcc's -O0 time
# and ~40% of its own -O1 time; line tables (-g1) are all a sanitizer report
# needs. install-deps.sh --test installs clang-14.
if ! command -v clang++-14 >/dev/null 2>&1; then
  echo "sanddb: clang++-14 is missing after install-deps.sh --test; the sanitizer," \
       "thread-safety and fuzz stages cannot run" >&2
  exit 1
fi
stage "clang build: ASan + UBSan, thread-safety analysis (-Werror), libFuzzer targets"
build "$root/build/clang" -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_C_COMPILER=clang-14 \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g1" -DCMAKE_C_FLAGS_DEBUG="-O0 -g1" \
  -DSAND_SANITIZE=address,undefined -DSAND_THREAD_SAFETY=ON -DSAND_BUILD_FUZZ=ON

stage "tests under AddressSanitizer + UndefinedBehaviorSanitizer"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  SAND_FEED_SECONDS="$sanitizer_feed_seconds" \
  ctest --test-dir "$root/build/clang" -j "$jobs" --output-on-failure

stage "concurrent units under ThreadSanitizer"
build "$root/build/tsan" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$opt_flags" -DSAND_SANITIZE=thread \
  -- memtable_tests db_tests check_tests archive_tests
# Left out: the crash simulations (power loss, a crash at each file
# operation, SIGKILL). They check what a crash leaves on disk, not thread
# interleavings; the background flushes and compactions their workloads run
# are raced by the other db: tests here, and they run under AddressSanitizer
# above. They were 2 of this stage's 7 minutes of tests.
TSAN_OPTIONS=halt_on_error=1 SAND_FEED_SECONDS="$sanitizer_feed_seconds" \
  ctest --test-dir "$root/build/tsan" -j "$jobs" --output-on-failure -R '^(memtable|db|check|archive):' \
  -E '^db:(after any power loss|a crash at any file operation|SIGKILL at random moments)'

stage "fuzz: every target for ${SAND_FUZZ_SECONDS:-20} s (libFuzzer, ASan + UBSan)"
rm -rf "$root/build/fuzz-runs"
BUILD_DIR="$root/build/clang" OUT_DIR="$root/build/fuzz-runs" JOBS="$jobs" \
  bash "$root/fuzz/run.sh" all "${SAND_FUZZ_SECONDS:-20}"
stage "done"
