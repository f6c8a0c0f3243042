#!/usr/bin/env bash
# Builds sanddb and runs every test: installs what is missing, builds with
# warnings as errors, and runs ctest. Idempotent; this is what CI runs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jobs="$(nproc)"
bash "$root/scripts/install-deps.sh"

stage() { echo; echo "=== sanddb: $* ==="; }

stage "build (RelWithDebInfo, -Werror)"
cmake -S "$root" -B "$root/build/test" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSAND_WERROR=ON >/dev/null
cmake --build "$root/build/test" -j "$jobs"

stage "tests"
ctest --test-dir "$root/build/test" -j "$jobs" --output-on-failure
