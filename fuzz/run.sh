#!/usr/bin/env bash
# Runs one libFuzzer target for a while: fuzz/run.sh TARGET SECONDS
# Builds build-fuzz (clang++-14, -DSAND_BUILD_FUZZ=ON) if needed, then fuzzes
# with the target's seed corpus and dictionary. New corpus entries go to a
# scratch dir (printed), never into fuzz/corpus; crashes land in the current
# directory as crash-<sha1> (copy one to fuzz/regressions/TARGET/ to keep it).
# Environment: BUILD_DIR (default <repo>/../build-fuzz), JOBS (default 2).
set -euo pipefail
if [[ $# -ne 2 ]]; then
  echo "usage: $0 TARGET SECONDS" >&2
  echo "targets: wal_reader manifest_reader sstable_reader sstable_mutator block_decoder coding db_ops" >&2
  exit 2
fi
target=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=${BUILD_DIR:-$(dirname "$repo")/build-fuzz}
if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S "$repo" -B "$build" -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DSAND_BUILD_FUZZ=ON -DSAND_BUILD_TESTS=OFF -DSAND_BUILD_BENCH=OFF
fi
cmake --build "$build" --target "fuzz_$target" -j "${JOBS:-2}"
case $target in
  wal_reader) dict=wal ;;
  manifest_reader) dict=manifest ;;
  sstable_reader|sstable_mutator) dict=sstable ;;
  block_decoder) dict=block ;;
  coding) dict=coding ;;
  db_ops) dict= ;;
  *) echo "unknown target $target" >&2; exit 2 ;;
esac
scratch=$(mktemp -d "${TMPDIR:-/tmp}/sand-fuzz-$target.XXXXXX")
echo "new corpus entries: $scratch" >&2
args=(-max_total_time="$seconds" -print_final_stats=1)
[[ -n $dict ]] && args+=(-dict="$here/dict/$dict.dict")
# The first directory receives new entries; the others are only read.
exec "$build/fuzz/fuzz_$target" "${args[@]}" "$scratch" "$here/corpus/$target" \
     "$here/regressions/$target"
