#!/usr/bin/env bash
# Installs sanddb the ways the README shows and builds outside programs
# against each install, as a new user would (CI runs this after the tests):
#   1. static:  `cmake --install` into a temporary prefix; examples/ built
#      on its own with find_package(sand); the C hello world linked with
#      `pkg-config --static`.
#   2. shared:  a BUILD_SHARED_LIBS=ON build installed likewise; libsand.so
#      must export only the public API and load only liblz4, libxxhash,
#      Boost.Container and the C/C++ runtimes; examples/ against it; the C
#      hello world linked with `pkg-config --cflags --libs sand`.
#   3. add_subdirectory: a project vendoring the source tree, configured
#      with Catch2, RapidCheck and CLI11 made unfindable.
#   4. .deb:    `cpack -G DEB` from the shared build; its files are listed;
#      as root it is installed with dpkg, used from /usr, and purged.
# Usage: scripts/check-install.sh [STATIC_BUILD_DIR]
#   STATIC_BUILD_DIR: an already built static tree to install from (CI
#   passes build/test); default: a fresh Release build.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jobs="$(nproc)"
work="$(mktemp -d /tmp/sand-install-XXXXXX)"
deb_installed=0
cleanup() {
  if [ "$deb_installed" = 1 ]; then dpkg --purge sanddb >/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

step() { echo "--- check-install: $*"; }
quiet() {  # quiet CMD...: runs CMD, shows its output only if it fails
  if ! "$@" >"$work/last.log" 2>&1; then
    cat "$work/last.log"
    echo "check-install: FAILED: $*" >&2
    return 1
  fi
}
# build_examples PREFIX DIR: examples/ as an outside project against PREFIX.
build_examples() {
  quiet cmake -S "$root/examples" -B "$2" -DCMAKE_PREFIX_PATH="$1" -DCMAKE_BUILD_TYPE=Release
  quiet cmake --build "$2" -j "$jobs"
  quiet ctest --test-dir "$2" --output-on-failure
  grep "tests passed" "$work/last.log"
}
# c_hello PKG_CONFIG_ARGS...: compiles examples/hello.c with the .pc file of
# the prefix in $PKG_CONFIG_PATH and runs it.
c_hello() {
  local exe="$work/hello_c_$RANDOM"
  # shellcheck disable=SC2046  # pkg-config's output is meant to be split
  cc -std=c11 -Wall -Wextra -Werror "$root/examples/hello.c" -o "$exe" $(pkg-config "$@" sand)
  (cd "$work" && rm -rf hello-db && "$exe" >"$exe.out" && cat "$exe.out" && grep -q "^v2: hello, world$" "$exe.out")
}

# 1. static
if [ $# -ge 1 ]; then
  static_build="$1"
else
  static_build="$work/build-static"
  step "building a static Release tree"
  quiet cmake -S "$root" -B "$static_build" -DCMAKE_BUILD_TYPE=Release -DSAND_BUILD_TESTS=OFF \
    -DSAND_BUILD_BENCH=OFF -DSAND_BUILD_EXAMPLES=OFF
  quiet cmake --build "$static_build" -j "$jobs"
fi
step "static: cmake --install $static_build --prefix $work/static"
quiet cmake --install "$static_build" --prefix "$work/static"
static_libdir="$(dirname "$(find "$work/static" -name libsand.a)")"
step "static: examples/ with find_package(sand)"
build_examples "$work/static" "$work/examples-static"
step "static: a C program with pkg-config --static"
PKG_CONFIG_PATH="$static_libdir/pkgconfig" c_hello --static --cflags --libs

# 2. shared
step "shared: building a BUILD_SHARED_LIBS=ON tree (prefix /usr, for the .deb)"
shared_build="$root/build/shared"
quiet cmake -S "$root" -B "$shared_build" -DBUILD_SHARED_LIBS=ON -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_INSTALL_PREFIX=/usr -DSAND_BUILD_TESTS=OFF -DSAND_BUILD_BENCH=OFF \
  -DSAND_BUILD_EXAMPLES=OFF -DSAND_WERROR=ON
quiet cmake --build "$shared_build" -j "$jobs"
step "shared: cmake --install --prefix $work/shared"
quiet cmake --install "$shared_build" --prefix "$work/shared"
so="$(find "$work/shared" -name 'libsand.so.*.*.*')"
shared_libdir="$(dirname "$so")"
echo "$(basename "$so"), SONAME $(objdump -p "$so" | awk '/SONAME/ {print $2}')"
step "shared: what libsand.so loads"
loaded="$(objdump -p "$so" | awk '/NEEDED/ {print $2}' | sort | tr '\n' ' ')"
echo "NEEDED: $loaded"
for lib in $loaded; do
  case "$lib" in
    liblz4.so.* | libxxhash.so.* | libboost_container.so.* | libstdc++.so.* | libm.so.* | \
      libgcc_s.so.* | libc.so.*) ;;
    *) echo "check-install: libsand.so loads $lib, which it does not use" >&2; exit 1 ;;
  esac
done
step "shared: what libsand.so exports"
# Everything exported must be the public API: sand:: names declared in
# include/sand, the C API's sand_* functions, and the standard library's
# template instantiations and type information the public API needs.
exported="$(nm -DC --defined-only "$so" | cut -c20- | sort -u)"
unexpected="$(grep -Ev '^(sand::(DB|Iterator|ChangeIterator|WriteBatch|Snapshot|FileSystem|Status|detail::abort_on_failed_result|check_database|export_archive|import_archive|posix_file_system|memory_file_system|version|code_name)[:(]|sand_[a-z0-9_]+$|(typeinfo|typeinfo name|vtable) for (sand::(FileSystem|WritableFile|ReadableFile|FileLock)$|std::)|(void )?std::|__gnu_cxx::|_(init|fini)$)' <<<"$exported" || true)"
if [ -n "$unexpected" ]; then
  echo "check-install: libsand.so exports internals:" >&2
  echo "$unexpected" >&2
  exit 1
fi
echo "$(grep -c '^sand::' <<<"$exported") C++ symbols, $(grep -c '^sand_' <<<"$exported" || true) C functions, nothing internal"
step "shared: examples/ with find_package(sand)"
build_examples "$work/shared" "$work/examples-shared"
step "shared: a C program with pkg-config --cflags --libs sand"
PKG_CONFIG_PATH="$shared_libdir/pkgconfig" LD_LIBRARY_PATH="$shared_libdir" c_hello --cflags --libs
step "shared: the installed tool"
LD_LIBRARY_PATH="$shared_libdir" "$work/shared/bin/sand" --version

# 3. add_subdirectory
step "add_subdirectory: vendored, with Catch2, RapidCheck and CLI11 unfindable"
quiet cmake -S "$root/tests/install/add_subdirectory" -B "$work/vendored" \
  -DSANDDB_SOURCE_DIR="$root" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_DISABLE_FIND_PACKAGE_Catch2=ON -DCMAKE_DISABLE_FIND_PACKAGE_rapidcheck=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_CLI11=ON
quiet cmake --build "$work/vendored" -j "$jobs"
(cd "$work" && rm -rf hello-db && "$work/vendored/hello" | tee "$work/vendored.out" &&
  grep -q "^v2: hello, world$" "$work/vendored.out")

# 4. .deb
step "deb: cpack -G DEB"
(cd "$shared_build" && quiet cpack -G DEB)
deb="$(ls "$shared_build"/sanddb_*.deb)"
echo "$(basename "$deb"):"
dpkg-deb -f "$deb" Package Version Architecture Depends
dpkg-deb -c "$deb" | awk '{print "  " $6}' | grep -v '/$'
if [ "$(id -u)" -ne 0 ]; then
  step "deb: not root, so not installed"
  exit 0
fi
if dpkg-query -W -f='${Status}' sanddb 2>/dev/null | grep -q "ok installed"; then
  echo "check-install: a sanddb package is already installed; not touching it" >&2
  exit 1
fi
step "deb: dpkg -i, then a program built against /usr, then dpkg --purge"
quiet dpkg -i "$deb"
deb_installed=1
dpkg -L sanddb | grep -E '/(bin/sand|libsand[^/]*|sand\.pc|sandConfig\.cmake|c\.h|db\.hpp)$'
sand --version
build_examples /usr "$work/examples-deb"
c_hello --cflags --libs
quiet dpkg --purge sanddb
deb_installed=0
step "ok"
