#!/bin/sh
# Builds the library and tests with clang -fsanitize=thread and runs the
# parallel tests (1, 2, 8 threads, a shared pool, one reader used by two
# threads at once, batched multi-level reads, parallel ZIP encoding, deep
# regions and whole deep levels): any data race report fails.
# usage: tsan.sh SOURCE_DIR BUILD_DIR [extra ctest args...]
set -eu
src=$(cd "$1" && pwd)
build=$2
shift 2
CC=${CC:-clang}
case $($CC --version 2>/dev/null) in
*clang*) ;;
*) echo "tsan.sh: needs clang (CC=$CC)"; exit 1 ;;
esac
CC=$CC cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEXRQOI_SANITIZE=OFF \
    -DEXRQOI_BUILD_EXAMPLES=OFF -DEXRQOI_BUILD_TOOLS=OFF \
    "-DCMAKE_C_FLAGS=-fsanitize=thread -fno-omit-frame-pointer -g" \
    "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread" "-DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread"
cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" --target test_parallel test_limits test_read_regions test_zip_encode test_deep_region test_deep_io test_pool_cache
export TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}halt_on_error=1:exitcode=66:second_deadlock_stack=1"
cd "$build"
ctest --output-on-failure --timeout 1500 -R '^(test_parallel|test_limits|test_read_regions|test_zip_encode|test_deep_region|test_deep_io|test_pool_cache)$' "$@"
