#!/usr/bin/env bash
# Fuzzes with libFuzzer (clang++-14, ASan + UBSan):
#   fuzz/run.sh TARGET SECONDS   one target, for a long campaign
#   fuzz/run.sh all SECONDS      every target for SECONDS each, $JOBS at a
#                                time (the CI stage); prints one summary line
#                                per target and fails if any target fails
# Builds $BUILD_DIR (default <repo>/../build-fuzz, -DSAND_BUILD_FUZZ=ON) if
# needed. Each run starts from the target's seed corpus, its regressions and
# its dictionary; new corpus entries go to a scratch dir (printed), never into
# fuzz/corpus. A crash is saved as $OUT_DIR/crash-<sha1> (OUT_DIR defaults to
# the current directory; for `all`, one subdirectory per target holding its
# log); copy it to fuzz/regressions/TARGET/ to keep it.
# Environment: BUILD_DIR, OUT_DIR, JOBS (default: nproc), SAND_FUZZ_TIMEOUT
# (seconds one input may take before it counts as a hang, default 30).
set -euo pipefail
usage() {
  echo "usage: $0 TARGET|all SECONDS" >&2
  echo "targets: ${targets[*]}" >&2
  exit 2
}
targets=(wal_reader manifest_reader sstable_reader sstable_mutator block_decoder lz4_block coding db_ops
         archive_reader value_file)
[[ $# -eq 2 ]] || usage
target=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=${BUILD_DIR:-$(dirname "$repo")/build-fuzz}
jobs=${JOBS:-$(nproc)}
out=${OUT_DIR:-$PWD}

build_targets() {
  if [[ ! -f $build/CMakeCache.txt ]]; then
    cmake -S "$repo" -B "$build" -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
          -DSAND_BUILD_FUZZ=ON -DSAND_BUILD_TESTS=OFF -DSAND_BUILD_BENCH=OFF >/dev/null
  fi
  cmake --build "$build" -j "$jobs" --target "${@/#/fuzz_}"
}

if [[ $target == all ]]; then
  build_targets "${targets[@]}"
  mkdir -p "$out"
  echo "fuzzing ${#targets[@]} targets for $seconds s each, $jobs at a time; logs in $out/<target>/" >&2
  export SAND_FUZZ_BUILT=1 BUILD_DIR=$build
  status=0
  printf '%s\n' "${targets[@]}" |
    xargs -P "$jobs" -I{} sh -c 'mkdir -p "$1/$2" && cd "$1/$2" && TMPDIR=$PWD OUT_DIR=$PWD "$3" "$2" "$4" >log 2>&1' \
      sh "$out" {} "$here/run.sh" "$seconds" || status=$?
  # One line per target from libFuzzer's own statistics.
  for t in "${targets[@]}"; do
    log=$out/$t/log
    awk -v t="$t" '
      /INITED/ { for (i = 1; i <= NF; i++) if ($i == "cov:") c0 = $(i + 1) }
      /DONE/   { for (i = 1; i <= NF; i++) if ($i == "cov:") c1 = $(i + 1) }
      /stat::number_of_executed_units/ { n = $2 }
      /stat::average_exec_per_sec/     { r = $2 }
      END { printf "  %-16s %10s execs %7s exec/s  coverage %s -> %s\n", t, n, r, c0, c1 }' "$log"
    if ls "$out/$t"/crash-* "$out/$t"/timeout-* "$out/$t"/oom-* >/dev/null 2>&1 ||
       ! grep -q "stat::number_of_executed_units" "$log"; then
      echo "FUZZ FAILURE in $t: log $log" >&2
      grep -E "FUZZ CHECK FAILED|ERROR: |SUMMARY|Test unit written" "$log" >&2 || tail -20 "$log" >&2
      status=1
    fi
  done
  exit "$status"
fi

case $target in
  wal_reader) dict=wal ;;
  manifest_reader) dict=manifest ;;
  sstable_reader|sstable_mutator) dict=sstable ;;
  block_decoder) dict=block ;;
  coding) dict=coding ;;
  archive_reader) dict=archive ;;
  value_file) dict=value ;;
  lz4_block|db_ops) dict= ;;
  *) usage ;;
esac
[[ ${SAND_FUZZ_BUILT:-0} == 1 ]] || build_targets "$target"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/sand-fuzz-$target.XXXXXX")
echo "new corpus entries: $scratch" >&2
args=(-max_total_time="$seconds" -timeout="${SAND_FUZZ_TIMEOUT:-30}" -print_final_stats=1
      -artifact_prefix="$out/")
[[ -n $dict ]] && args+=(-dict="$here/dict/$dict.dict")
# The first directory receives new entries; the others are only read.
dirs=("$scratch")
for d in "$here/corpus/$target" "$here/regressions/$target"; do
  [[ -d $d ]] && dirs+=("$d")  # git keeps no empty directory
done
exec "$build/fuzz/fuzz_$target" "${args[@]}" "${dirs[@]}"
