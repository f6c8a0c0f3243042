#!/usr/bin/env bash
# export_import.sh: the `sand` tool's bulk paths against RocksDB's `ldb` on
# the same data, in one run; prints a table of seconds, entries/s and ratios.
#
# Usage: bash bench/export_import.sh [--num N] [--build DIR] [--dir DIR]
#   --num N      key/value pairs (default 1000000): 16-byte keys, 100-byte
#                values, keys in random order
#   --build DIR  a build tree with the `sand` binary (default build/release)
#   --dir DIR    scratch directory (default /tmp/sand_export_import), wiped
#
# Steps, each timed (wall clock) and run once, sanddb and ldb alternating:
#   load     the N pairs from a text file into an empty database:
#            `sand import --latest --format tsv` | `ldb load --create_if_missing`
#   dump     every entry to a file: `sand export` (the archive: every version,
#            here one per key) and `sand export --latest --format tsv`
#            | `ldb dump`
#   restore  that file into an empty database: `sand import` (writes sorted
#            tables directly) | `ldb load --create_if_missing` of the dump
#            (and `--bulk_load`, RocksDB's fastest load path)
# Ratios are ldb's time over sanddb's (above 1: sanddb is faster).
set -euo pipefail
export LC_ALL=C

root="$(cd "$(dirname "$0")/.." && pwd)"
num=1000000
build="$root/build/release"
dir=/tmp/sand_export_import
while [ $# -gt 0 ]; do
  case "$1" in
    --num) num="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    *) echo "export_import.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

bash "$root/scripts/install-deps.sh" rocksdb-tools
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DSAND_BUILD_TESTS=OFF \
    -DSAND_BUILD_BENCH=OFF -DSAND_BUILD_EXAMPLES=OFF >/dev/null
fi
cmake --build "$build" -j "$(nproc)" --target sand_cli >/dev/null  # up to date with the tree
sand="$build/sand"

rm -rf "$dir" && mkdir -p "$dir"
# The same pairs in both tools' text formats: key<TAB>value and key ==> value.
python3 - "$num" "$dir" <<'PY'
import random, string, sys
n, d = int(sys.argv[1]), sys.argv[2]
rng = random.Random(42)
alphabet = string.ascii_letters + string.digits
order = list(range(n))
rng.shuffle(order)
with open(f"{d}/data.tsv", "w") as tsv, open(f"{d}/data.ldb", "w") as ldb:
    for i in order:
        key = f"key{i:013d}"
        value = "".join(rng.choices(alphabet, k=100))
        tsv.write(f"{key}\t{value}\n")
        ldb.write(f"{key} ==> {value}\n")
PY

declare -A seconds
# time_step NAME COMMAND...: runs COMMAND (stdout/stderr as redirected by the
# caller's wrapper) and records its wall-clock seconds.
time_step() {
  local name="$1"; shift
  local start end
  start=$EPOCHREALTIME
  "$@"
  end=$EPOCHREALTIME
  seconds[$name]=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
  echo "  $name: ${seconds[$name]} s" >&2
}

sand_load() { "$sand" --db "$dir/sand" import --latest --format tsv "$dir/data.tsv" >/dev/null; }
ldb_load() { ldb --db="$dir/rocks" load --create_if_missing <"$dir/data.ldb" >/dev/null; }
sand_export() { "$sand" --db "$dir/sand" export "$dir/sand.archive" >/dev/null; }
sand_export_latest() {
  "$sand" --db "$dir/sand" export --latest --format tsv "$dir/sand.tsv" >/dev/null
}
ldb_dump() { ldb --db="$dir/rocks" dump >"$dir/rocks.dump"; }
sand_import() { "$sand" --db "$dir/sand2" import "$dir/sand.archive" >/dev/null; }
ldb_restore() {
  ldb --db="$dir/rocks2" load --create_if_missing <"$dir/rocks.dump" >/dev/null
}
ldb_restore_bulk() {
  ldb --db="$dir/rocks3" load --create_if_missing --bulk_load <"$dir/rocks.dump" >/dev/null
}

echo "export_import.sh: $num pairs in $dir" >&2
time_step sand_load sand_load
time_step ldb_load ldb_load
time_step ldb_dump ldb_dump
time_step sand_export sand_export
time_step sand_export_latest sand_export_latest
time_step sand_import sand_import
time_step ldb_restore ldb_restore
time_step ldb_restore_bulk ldb_restore_bulk

# The dumps must hold every pair, or the timings compare unequal work.
dumped=$(grep -c ' ==> ' "$dir/rocks.dump" || true)
exported=$(wc -l <"$dir/sand.tsv")
if [ "$dumped" -ne "$num" ] || [ "$exported" -ne "$num" ]; then
  echo "export_import.sh: ldb dumped $dumped and sand exported $exported of $num pairs" >&2
  exit 1
fi
"$sand" --db "$dir/sand2" get "key$(printf %013d 0)" >/dev/null

rate() { awk -v n="$num" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
size() { du -sh "$1" | cut -f1; }
echo
echo "| step | sanddb | s | entries/s | ldb | s | entries/s | ldb s / sanddb s |"
echo "|---|---|---|---|---|---|---|---|"
row() {  # row STEP SAND_CMD SAND_KEY LDB_CMD LDB_KEY
  echo "| $1 | $2 | ${seconds[$3]} | $(rate "${seconds[$3]}") | $4 | ${seconds[$5]} |" \
       "$(rate "${seconds[$5]}") | $(ratio "${seconds[$5]}" "${seconds[$3]}") |"
}
row load "import --latest tsv" sand_load "load" ldb_load
row dump "export (archive)" sand_export "dump" ldb_dump
row dump "export --latest tsv" sand_export_latest "dump" ldb_dump
row restore "import (archive)" sand_import "load" ldb_restore
row restore "import (archive)" sand_import "load --bulk_load" ldb_restore_bulk
echo
echo "files: data.tsv $(size "$dir/data.tsv"), sand.archive $(size "$dir/sand.archive"), " \
     "rocks.dump $(size "$dir/rocks.dump"); databases: sand $(size "$dir/sand"), " \
     "sand2 $(size "$dir/sand2"), rocks $(size "$dir/rocks"), rocks2 $(size "$dir/rocks2")"
