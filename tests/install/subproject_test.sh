#!/usr/bin/env bash
# libexrqoi inside another CMake project, with no cmocka to be found
# (-DCMAKE_DISABLE_FIND_PACKAGE_cmocka=ON, as on a machine without it):
#  1. add_subdirectory (tests/install/subproject): configures, builds, and
#     the consumer runs linked to exrqoi::exrqoi and exrqoi::exrqoi_static;
#     the library added no tests, no tool, no install rules, no CPack;
#  2. FetchContent of the same checkout: configures;
#  3. the checkout on its own: configures, tests OFF, and says why.
# CC, and EXRQOI_SANITIZE / EXRQOI_WERROR (ON/OFF), are passed on.
# usage: subproject_test.sh SOURCE_DIR WORK_DIR
set -euo pipefail
src=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
common=(-DCMAKE_DISABLE_FIND_PACKAGE_cmocka=ON -DEXRQOI_SANITIZE="${EXRQOI_SANITIZE:-OFF}"
        -DEXRQOI_WERROR="${EXRQOI_WERROR:-OFF}")
fail() { echo "FAIL: $*"; exit 1; }
log() { # name, command...: output kept in WORK/name.log, shown on failure
    local name=$1
    shift
    "$@" > "$work/$name.log" 2>&1 || { tail -n 40 "$work/$name.log"; fail "$name"; }
}

b=$work/add_subdirectory
log configure cmake -S "$src/tests/install/subproject" -B "$b" -DEXRQOI_CHECKOUT="$src" "${common[@]}"
log build cmake --build "$b" -j"${JOBS:-2}"
for kind in shared static; do
    out=$("$b/consumer_$kind") || fail "consumer_$kind did not run"
    echo "ok   add_subdirectory, $kind: $out"
done
ldd "$b/consumer_static" | grep -q libexrqoi && fail "consumer_static loads libexrqoi.so"
[ "$(cd "$b" && ctest -N | sed -n 's/^Total Tests: //p')" = 0 ] || fail "the subproject added tests"
[ ! -e "$b/exrqoi/exrqoi" ] || fail "the subproject built the tool"
grep -q 'libexrqoi\|exrqoi.pc' "$b/exrqoi/cmake_install.cmake" && fail "the subproject added install rules"
[ ! -e "$b/CPackConfig.cmake" ] || fail "the subproject set up CPack"
echo "ok   add_subdirectory: no tests, tool, install rules or CPack of libexrqoi"

log configure-fetchcontent cmake -S "$src/tests/install/subproject" -B "$work/fetchcontent" \
    -DUSE_FETCHCONTENT=ON -DFETCHCONTENT_SOURCE_DIR_EXRQOI="$src" "${common[@]}"
echo "ok   FetchContent: configures"

log configure-top cmake -S "$src" -B "$work/top" -DEXRQOI_BUILD_TOOLS=OFF -DEXRQOI_BUILD_EXAMPLES=OFF "${common[@]}"
grep -q 'cmocka not found.*the tests are OFF' "$work/configure-top.log" || fail "no word that the tests are off"
[ ! -e "$work/top/CTestTestfile.cmake" ] || fail "tests configured without cmocka"
echo "ok   top level without cmocka: configures, tests OFF, says so"
