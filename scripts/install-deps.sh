#!/usr/bin/env bash
# Installs the Debian packages sanddb needs, if missing: the library and the
# `sand` tool always; `--test` adds what the tests need (scripts/test.sh).
# Idempotent. As root it runs apt-get; otherwise sudo when it exists;
# otherwise it prints the exact command to run and fails.
# Usage: install-deps.sh [--test] [PACKAGE...]
set -euo pipefail

packages=(
  # the library (Boost.Container, LZ4, xxHash) and the `sand` tool (CLI11;
  # libedit for the shell's line editing at a terminal; nlohmann-json for
  # its JSON output)
  cmake g++ make pkg-config
  libboost-container-dev liblz4-dev libxxhash-dev
  libcli11-dev libedit-dev nlohmann-json3-dev
)
if [ "${1:-}" = "--test" ]; then
  shift
  packages+=(
    # the unit, property and model tests
    catch2 librapidcheck-dev
    # the Python package (built against Debian's pybind11, no package index)
    python3-dev python3-venv python3-pip python3-setuptools python3-wheel
    pybind11-dev python3-pybind11 python3-pytest python3-hypothesis
    python3-tqdm  # the CSV example's progress bar
    # the API reference and the .deb (dpkg-shlibdeps)
    doxygen dpkg-dev
    # the clang stage: ASan + UBSan, thread-safety analysis, libFuzzer
    clang-14 libclang-rt-14-dev
  )
fi
packages+=("$@")  # callers may ask for more (e.g. bench/compare.sh: the peers)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "sanddb: installing missing packages: ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "sanddb: not root and no sudo. Run as root:" >&2
  echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
