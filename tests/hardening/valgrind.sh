#!/bin/sh
# Builds the project without sanitizers and runs the test suite under
# valgrind memcheck: any invalid access, use of uninitialised memory or
# definite/indirect leak fails the test it happens in.
# usage: valgrind.sh SOURCE_DIR BUILD_DIR [extra ctest args...]
# Only the tests that ctest starts under valgrind run here: a test that is
# a shell or cmake script (the corpus, tool, install and source checks)
# would run the tool natively, the very run of the gcc step, so it is
# left to that step; so are the OpenEXR interop tests.
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
# the names of the tests whose command is valgrind (ctest -N -V prints
# "N: Test command: ..." before "  Test  #N: NAME")
under=$(ctest -N -V | awk '
    /^[0-9]+: Test command: / { v = ($4 ~ /valgrind$/) }
    /^ *Test +#[0-9]+: / { if (v && $3 !~ /^interop_/) printf "%s%s", (n++ ? "|" : ""), $3; v = 0 }')
[ -n "$under" ] || { echo "valgrind.sh: no test runs under valgrind"; exit 1; }
ctest --output-on-failure --timeout 1500 -R "^($under)\$" "$@"
