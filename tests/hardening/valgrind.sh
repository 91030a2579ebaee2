#!/bin/sh
# Builds the project without sanitizers and runs the test suite under
# valgrind memcheck: any invalid access, use of uninitialised memory or
# definite/indirect leak fails the test it happens in.
# usage: valgrind.sh SOURCE_DIR BUILD_DIR [extra ctest args...]
# (the OpenEXR interop tests, which run shell scripts, are left out.)
set -eu
src=$(cd "$1" && pwd)
build=$2
shift 2
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind not installed"; exit 1; }
# CMAKE_CROSSCOMPILING_EMULATOR prefixes every test command that runs one
# of our executables, so ctest itself starts the tests under valgrind.
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEXRQOI_SANITIZE=OFF \
    -DEXRQOI_BUILD_EXAMPLES=OFF \
    "-DCMAKE_CROSSCOMPILING_EMULATOR=valgrind;--tool=memcheck;--error-exitcode=99;--leak-check=full;--errors-for-leak-kinds=definite,indirect;--show-leak-kinds=definite,indirect;--track-origins=yes;--quiet"
cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)"
# valgrind is ~30x slower: the corpus mutation tests run a quarter of
# their usual spread (still every file).
export EXRQOI_HARD_DIVISOR=4
export EXRQOI_PARALLEL_MAX_BYTES=1000000
cd "$build"
ctest --output-on-failure --timeout 1500 -E '^interop_' "$@"
