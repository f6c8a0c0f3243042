#!/usr/bin/env bash
# compare.sh: sanddb against RocksDB and LevelDB on this machine, same
# workloads, same flags, engines run alternately; prints the ratio table.
# LMDB runs too, as the B+tree read reference: its columns (lmdb ops/s,
# sanddb/lmdb) come last, and best peer, targets and the memory ratio stay
# against RocksDB and LevelDB only.
#
# Usage: bash bench/compare.sh [--num N] [--repeats R] [--quick] [--sweep | --api]
#                              [--sand-value-separation BYTES]
#                              [--out DIR] [--build DIR] [--db DIR]
#   --num N      keys per fill (default 1000000)
#   --repeats R  repeats of the whole suite (default 3)
#   --quick      smoke test: --num 100000, 1 repeat (explicit flags win)
#   --sweep      run the value-size sweep instead of the suite: 64 B .. 16 KiB
#                values, fillrandom + readrandom, num = min(N, 256 MiB * N/1e6
#                / value_size) so each size writes about the same bytes
#   --api        run the versioned-API workloads instead of the suite:
#                fillrandom,readrandom,multiget,seekrandom,seekprev (multiget
#                against readrandom, seekprev against seekrandom, same run),
#                putif on a fillrandom database (its own invocation: RocksDB
#                then opens as an OptimisticTransactionDB; LevelDB and LMDB
#                skip it), putif --threads=4 (--reads num/4: contention), and
#                sanddb only: changes
#   --sand-value-separation BYTES
#                sanddb runs with Options::value_separation_threshold = BYTES
#                (sand_bench --sand_value_separation; default: the library's)
#   --out DIR    results (default build/compare-<UTC date>): results.csv (every
#                sand_bench row, prefixed by repeat and invocation set),
#                ratios.md (the tables, ready for the README), *.png charts,
#                timings.csv, meta.txt, logs/ (every sand_bench output)
#   --build DIR  Release build tree (default build/release)
#   --db DIR     parent of the databases (default /tmp/sand_compare, as
#                db_bench uses /tmp); DIR/<engine> is wiped before each run
#
# What it does: installs the Debian packages it needs (scripts/install-deps.sh
# with librocksdb-dev libleveldb-dev liblmdb-dev gnuplot-nox), builds sand_bench and
# sand_compare_results in Release, then for each repeat runs every step of the
# suite on each engine in turn, the first engine rotating with the repeat and
# the step so none always runs first. Suite (sand_bench --benchmarks=...):
#   main               fillseq,fillrandom,overwrite,readrandom,readmissing,readhot,
#                      seekrandom,readseq,readreverse,compact,readrandom,readmissing,
#                      seekrandom,readseq,readreverse  (rows after compact are
#                      "<name>@compacted")
#   fillbatch+fillsync fillbatch,fillsync with --threads=1
#   fillsync-t2/-t4    fillsync with --threads=2 / 4
#   readwhilewriting   a fillseq (not recorded), then readwhilewriting
#                      --threads=2 (one reader, one writer) on that database
# and once, sanddb only: fillrandom,overwrite,history,getatversion with
# --sand_retention=all. Every fill starts on an empty database (as db_bench).
# Then bench/compare_results.cpp prints the tables and writes ratios.md and
# the chart data; gnuplot draws DIR/*.png when installed (else no charts).
set -euo pipefail
export LC_ALL=C  # "." decimal point in $EPOCHREALTIME and awk

root="$(cd "$(dirname "$0")/.." && pwd)"
command_line="$(printf '%q ' bash "$0" "$@")"
command_line="${command_line% }"

num=1000000
repeats=3
num_set=0
repeats_set=0
quick=0
sweep=0
api=0
out=""
build="$root/build/release"
db_root="/tmp/sand_compare"
sand_separation=""

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }
need_value() { [ $# -ge 2 ] || { echo "compare.sh: $1 needs a value" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
  case "$1" in
    --num) need_value "$@"; num="$2"; num_set=1; shift 2 ;;
    --num=*) num="${1#*=}"; num_set=1; shift ;;
    --repeats) need_value "$@"; repeats="$2"; repeats_set=1; shift 2 ;;
    --repeats=*) repeats="${1#*=}"; repeats_set=1; shift ;;
    --quick) quick=1; shift ;;
    --sweep) sweep=1; shift ;;
    --api) api=1; shift ;;
    --out) need_value "$@"; out="$2"; shift 2 ;;
    --out=*) out="${1#*=}"; shift ;;
    --build) need_value "$@"; build="$2"; shift 2 ;;
    --build=*) build="${1#*=}"; shift ;;
    --db) need_value "$@"; db_root="$2"; shift 2 ;;
    --db=*) db_root="${1#*=}"; shift ;;
    --sand-value-separation) need_value "$@"; sand_separation="$2"; shift 2 ;;
    --sand-value-separation=*) sand_separation="${1#*=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "compare.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ "$sweep" = 1 ] && [ "$api" = 1 ]; then
  echo "compare.sh: --sweep and --api are separate runs; pick one" >&2
  exit 2
fi
if [ "$quick" = 1 ]; then
  [ "$num_set" = 1 ] || num=100000
  [ "$repeats_set" = 1 ] || repeats=1
fi
case "$num$repeats" in
  *[!0-9]*) echo "compare.sh: --num and --repeats take positive integers" >&2; exit 2 ;;
esac
case "$sand_separation" in
  *[!0-9]*) echo "compare.sh: --sand-value-separation takes a byte count" >&2; exit 2 ;;
esac
if [ "$num" -lt 1 ] || [ "$repeats" -lt 1 ]; then
  echo "compare.sh: --num and --repeats take positive integers" >&2
  exit 2
fi
[ -n "$out" ] || out="$root/build/compare-$(date -u +%Y%m%d-%H%M%S)"
if [ -e "$out/results.csv" ]; then
  echo "compare.sh: $out/results.csv exists; pick another --out" >&2
  exit 2
fi
mkdir -p "$out/logs"
out="$(cd "$out" && pwd)"
start_time=$EPOCHREALTIME
# seconds_since T0: wall seconds since $EPOCHREALTIME was T0, one decimal.
seconds_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# --- dependencies and build -------------------------------------------------
if ! bash "$root/scripts/install-deps.sh" librocksdb-dev libleveldb-dev liblmdb-dev gnuplot-nox; then
  echo "compare.sh: could not install every package; going on with what is installed" >&2
fi
echo "Building sand_bench (Release) in $build ..."
if ! cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DSAND_BUILD_BENCH=ON \
    -DSAND_BUILD_TESTS=OFF >"$out/logs/build.log" 2>&1 ||
   ! cmake --build "$build" --target sand_bench sand_compare_results -j "$(nproc)" \
    >>"$out/logs/build.log" 2>&1; then
  tail -n 30 "$out/logs/build.log" >&2
  echo "compare.sh: the build failed (whole log: $out/logs/build.log)" >&2
  exit 1
fi
bench="$build/bench/sand_bench"
aggregate="$build/bench/sand_compare_results"

# The engines this sand_bench has ("this build: sand,rocksdb,leveldb,lmdb" in --help).
built="$("$bench" --help | sed -n 's/.*this build: \([a-z,]*\).*/\1/p' | head -n 1)"
engines=()
for e in sand rocksdb leveldb lmdb; do
  case ",$built," in
    *",$e,"*) engines+=("$e") ;;
    *) echo "compare.sh: sand_bench has no $e (install its -dev package); skipping it" >&2 ;;
  esac
done

# --- running ------------------------------------------------------------------
results="$out/results.csv"
timings="$out/timings.csv"
echo "set,engine,repeat,seconds" >"$timings"

# engine_flags ENGINE: the flags only ENGINE's runs get.
engine_flags() {
  if [ "$1" = sand ] && [ -n "$sand_separation" ]; then
    echo "--sand_value_separation=$sand_separation"
  fi
}

# run SET ENGINE REPEAT [sand_bench flags...]: one sand_bench invocation whose
# CSV rows go to results.csv prefixed by "REPEAT,SET,".
run() {
  local set="$1" engine="$2" repeat="$3"
  shift 3
  local log="$out/logs/r$repeat-$set-$engine.log" rows="$out/logs/rows.csv"
  local t0=$EPOCHREALTIME
  rm -f "$rows"
  if ! "$bench" --engine="$engine" --db="$db_root/$engine" --csv="$rows" $(engine_flags "$engine") \
      "$@" >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    echo "compare.sh: sand_bench failed (log: $log)" >&2
    exit 1
  fi
  # No rows when every workload was skipped (LevelDB's and LMDB's putif).
  if [ -s "$rows" ]; then
    [ -s "$results" ] || sed -n '1s/^/repeat,set,/p' "$rows" >"$results"
    awk -v prefix="$repeat,$set," 'NR > 1 { print prefix $0 }' "$rows" >>"$results"
  fi
  rm -f "$rows"
  local took
  took="$(seconds_since "$t0")"
  echo "$set,$engine,$repeat,$took" >>"$timings"
  printf '  repeat %s  %-8s %-20s %6.1f s\n' "$repeat" "$engine" "$set" "$took"
}

# prepare SET ENGINE REPEAT [flags...]: an unrecorded run (a fill for the next).
prepare() {
  local set="$1" engine="$2" repeat="$3"
  shift 3
  local log="$out/logs/r$repeat-$set-$engine-prepare.log"
  local t0=$EPOCHREALTIME
  if ! "$bench" --engine="$engine" --db="$db_root/$engine" $(engine_flags "$engine") "$@" \
      >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    echo "compare.sh: sand_bench failed (log: $log)" >&2
    exit 1
  fi
  echo "$set-prepare,$engine,$repeat,$(seconds_since "$t0")" >>"$timings"
}

# step INDEX ENGINE REPEAT: the suite's (or the sweep's) step INDEX on ENGINE.
main_reads="readrandom,readmissing,seekrandom,readseq,readreverse"
sweep_sizes=(64 256 1024 4096 16384)
sweep_bytes=$((268435456 * num / 1000000))
if [ "$sweep" = 1 ]; then
  steps=${#sweep_sizes[@]}
elif [ "$api" = 1 ]; then
  steps=3
else
  steps=5
fi
# api_step INDEX ENGINE REPEAT: step INDEX of the --api run. putif runs on an
# unrecorded fill (so its fillrandom row does not collide with the first
# set's); LevelDB and LMDB have no transactions here and skip it (no row).
api_step() {
  local index="$1" engine="$2" repeat="$3"
  case "$index" in
    0) run api "$engine" "$repeat" --num="$num" \
         --benchmarks=fillrandom,readrandom,multiget,seekrandom,seekprev ;;
    1) prepare putif "$engine" "$repeat" --num="$num" --benchmarks=fillrandom
       run putif "$engine" "$repeat" --num="$num" --benchmarks=putif --use_existing_db=1 ;;
    2) prepare putif-t4 "$engine" "$repeat" --num="$num" --benchmarks=fillrandom
       run putif-t4 "$engine" "$repeat" --num="$num" --benchmarks=putif --use_existing_db=1 \
         --threads=4 --reads=$(((num + 3) / 4)) ;;
  esac
}
step() {
  local index="$1" engine="$2" repeat="$3"
  if [ "$api" = 1 ]; then
    api_step "$@"
    return
  fi
  if [ "$sweep" = 1 ]; then
    local size="${sweep_sizes[$index]}"
    local n=$((sweep_bytes / size))
    [ "$n" -le "$num" ] || n="$num"
    [ "$n" -ge 1 ] || n=1
    run "sweep-${size}B" "$engine" "$repeat" --benchmarks=fillrandom,readrandom \
      --num="$n" --value_size="$size"
    return
  fi
  case "$index" in
    0) run main "$engine" "$repeat" --num="$num" \
         --benchmarks="fillseq,fillrandom,overwrite,readrandom,readmissing,readhot,seekrandom,readseq,readreverse,compact,$main_reads" ;;
    1) run fillbatch+fillsync "$engine" "$repeat" --num="$num" --benchmarks=fillbatch,fillsync ;;
    2) run fillsync-t2 "$engine" "$repeat" --num="$num" --benchmarks=fillsync --threads=2 ;;
    3) run fillsync-t4 "$engine" "$repeat" --num="$num" --benchmarks=fillsync --threads=4 ;;
    4) prepare readwhilewriting "$engine" "$repeat" --num="$num" --benchmarks=fillseq
       run readwhilewriting "$engine" "$repeat" --num="$num" --benchmarks=readwhilewriting \
         --threads=2 --use_existing_db=1 ;;
  esac
}

echo "Running ${engines[*]}, $repeats repeat(s), num $num$([ "$sweep" = 1 ] && echo ", value-size sweep")$([ "$api" = 1 ] && echo ", versioned-API workloads"); output in $out"
mkdir -p "$db_root"
n_engines=${#engines[@]}
for ((repeat = 1; repeat <= repeats; repeat++)); do
  for ((s = 0; s < steps; s++)); do
    for ((k = 0; k < n_engines; k++)); do
      step "$s" "${engines[$(((repeat - 1 + s + k) % n_engines))]}" "$repeat"
    done
  done
done
if [ "$api" = 1 ]; then
  for ((repeat = 1; repeat <= repeats; repeat++)); do
    run sanddb-only sand "$repeat" --num="$num" --sand_retention=all \
      --benchmarks=fillrandom,changes
  done
elif [ "$sweep" = 0 ]; then
  run sanddb-only sand 1 --num="$num" --sand_retention=all \
    --benchmarks=fillrandom,overwrite,history,getatversion
fi
for e in "${engines[@]}"; do rm -rf "${db_root:?}/$e"; done
rmdir "$db_root" 2>/dev/null || true
wall="$(seconds_since "$start_time")"

# --- the report -----------------------------------------------------------------
cxx_version="$(sed -n 's/^set(CMAKE_CXX_COMPILER_\(ID\|VERSION\) "\(.*\)")$/\2/p' \
  "$build"/CMakeFiles/*/CMakeCXXCompiler.cmake 2>/dev/null | head -n 2 | tr '\n' ' ')"
{
  echo "Command: $command_line"
  echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) CPUs (lscpu)"
  echo "Memory: $(free -g | awk '/^Mem:/ { print $2 }') GiB"
  echo "Kernel: $(uname -srm)"
  echo "Build: Release, ${cxx_version% }"
  echo "Databases: $db_root ($(df -PT "$(dirname "$db_root")" | awk 'NR == 2 { print $2 }'))"
  echo "Flags: sand_bench defaults (16-B keys, 100-B values, lz4, 64 MiB write buffer, 10 bloom bits, 8 MiB cache, 4 KiB blocks, no sync) for every engine; --num as above"
  if printf '%s\n' "${engines[@]}" | grep -qx lmdb; then
    echo "Note: LMDB (Debian's liblmdb-dev) is the B+tree read reference, not a peer: of those flags only sync applies to it (engine.hpp); sanddb/lmdb is reported, but is in no best peer and no target"
  fi
  if printf '%s\n' "${engines[@]}" | grep -qx rocksdb; then
    if grep -qs "built with assertions enabled" "$out"/logs/r*-rocksdb.log; then
      echo "Note: the RocksDB figures come from Debian's librocksdb-dev, which is built with assertions on (sand_bench found __assert_fail in it); issue 7 measured an upstream release build 17-31% faster on fills"
    else
      echo "Note: RocksDB is the system librocksdb; sand_bench found no assertions compiled into it"
    fi
  fi
  # The engines' own header notes, from the compared runs (not sanddb-only).
  for log in "$out"/logs/r*.log; do
    case "$log" in *sanddb-only*) ;; *) grep -h '^Note:' "$log" || true ;; esac
  done | grep -v 'assertions enabled' | sed 's/^Note: *//' | sort -u | sed 's/^/Note: /'
  [ "$sweep" = 1 ] || echo "Note: the sanddb-only table runs with --sand_retention=all (every version kept)"
  [ -z "$sand_separation" ] ||
    echo "Note: sanddb ran with value_separation_threshold $sand_separation (--sand-value-separation)"
  echo "Wall time: ${wall} s for the runs and the build"
} >"$out/meta.txt"

echo
charts=()
if command -v gnuplot >/dev/null 2>&1; then charts=(--charts); fi
"$aggregate" --dir "$out" "${charts[@]}"
if [ ${#charts[@]} -gt 0 ]; then
  for gp in "$out"/*.gp; do
    (cd "$out" && gnuplot "$(basename "$gp")") 2>>"$out/logs/gnuplot.log" ||
      echo "compare.sh: gnuplot failed on $gp (see $out/logs/gnuplot.log); no chart" >&2
  done
  printf 'Charts:'
  for png in "$out"/*.png; do if [ -e "$png" ]; then printf ' %s' "$png"; fi; done
  echo
else
  echo "compare.sh: gnuplot not found (apt-get install gnuplot-nox): no charts"
fi
echo "Wall time: ${wall} s (runs and build). Seconds per set, summed over engines and repeats:"
awk -F, 'NR > 1 { sub(/-prepare$/, "", $1); t[$1] += $4; if (!($1 in o)) o[$1] = ++n }
  END { for (s in o) k[o[s]] = s; for (i = 1; i <= n; i++) printf "  %-20s %7.1f\n", k[i], t[k[i]] }' \
  "$timings"
