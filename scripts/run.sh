#!/usr/bin/env bash
# The main job: install what is missing, build in Release, and start the
# `sand` shell on ./sand-data (or the directory given as $1; more arguments
# go to `sand` before the command, e.g. --sync).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/install-deps.sh"
cmake -S "$root" -B "$root/build/release" -DCMAKE_BUILD_TYPE=Release \
  -DSAND_BUILD_TESTS=OFF -DSAND_BUILD_BENCH=OFF >/dev/null
cmake --build "$root/build/release" --target sand_cli -j "$(nproc)" >/dev/null
db="${1:-./sand-data}"
shift || true
exec "$root/build/release/sand" --db "$db" "$@" shell
