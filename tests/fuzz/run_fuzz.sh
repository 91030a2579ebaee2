#!/bin/sh
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each for a
# bounded time, seeded from ../shared/corpus (copied into the build folder;
# the corpus is never committed). A crash, leak, timeout or sanitizer
# report fails the script; the input that caused it is copied to
# tests/fuzz/regressions/<target>/ so the replay tests keep it.
#
# usage: run_fuzz.sh SOURCE_DIR BUILD_DIR [SECONDS_PER_TARGET] [TARGET...]
#   SECONDS_PER_TARGET defaults to 60; TARGETs default to all of them.
#   SHARED_DIR (environment) overrides the corpus location.
set -u
src=$(cd "$1" && pwd)
build=$2
secs=${3:-60}
shift 2
[ $# -gt 0 ] && shift
targets=${*:-"exr_read exr_header decompress qoi_decode roundtrip htj2k"}
shared=${SHARED_DIR:-$src/../shared}
jobs=$(nproc 2>/dev/null || echo 2)

CC=${CC:-clang}
CC=$CC cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEXRQOI_FUZZ=ON \
    -DEXRQOI_BUILD_EXAMPLES=OFF -DEXRQOI_BUILD_TOOLS=OFF -DEXRQOI_SHARED_DIR="$shared" || exit 1
for t in $targets; do
    cmake --build "$build" -j"$jobs" --target "fuzz_$t" || exit 1
    if [ "$t" = htj2k ]; then cmake --build "$build" -j"$jobs" --target htj2k_seeds || exit 1; fi
done

# seeds: EXR files for the EXR targets, QOI files for the QOI one; the
# codec targets start from a few hand-made inputs (first bytes = layout)
seed() {
    dir=$1
    shift
    mkdir -p "$dir"
    for pattern in "$@"; do
        find "$shared/corpus" -type f -name "$pattern" -size -400k -exec cp {} "$dir/" \; 2>/dev/null
    done
}
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:print_stacktrace=1"
status=0
for t in $targets; do
    corpus=$build/fuzz-corpus/$t
    mkdir -p "$corpus"
    case $t in
    exr_read | exr_header)
        seed "$corpus" '*.exr'
        find "$shared/corpus/openexr-images/Damaged" -type f -size -64k -exec cp {} "$corpus/" \; 2>/dev/null
        ;;
    qoi_decode | roundtrip)
        seed "$corpus" '*.qoi'
        ;;
    htj2k)
        # the chunks of the shared HTJ2K files (never committed)
        "$build/tests/fuzz/htj2k_seeds" "$corpus" "$shared"/corpus/htj2k/*.exr || true
        ;;
    decompress)
        i=0
        while [ $i -lt 10 ]; do
            printf "\\$(printf %o $i)\\017\\007\\001\\0\\0" >"$corpus/seed$i"
            head -c 300 /dev/urandom >>"$corpus/seed$i"
            i=$((i + 1))
        done
        ;;
    esac
    [ -d "$src/tests/fuzz/regressions/$t" ] && cp "$src/tests/fuzz/regressions/$t"/* "$corpus/" 2>/dev/null
    art=$build/fuzz-artifacts/$t
    mkdir -p "$art"
    echo "== fuzz_$t for ${secs}s"
    # per target: the HTJ2K decoder is the slowest per byte under the
    # sanitizers, so its inputs stay small (seeds of at most 16 KiB) and
    # its timeout leaves room for a loaded machine
    timeout=10 max_len=1048576
    if [ "$t" = htj2k ]; then timeout=30 max_len=16384; fi
    "$build/tests/fuzz/fuzz_$t" "$corpus" -max_total_time="$secs" -timeout="$timeout" -rss_limit_mb=3072 \
        -malloc_limit_mb=2048 -max_len="$max_len" -artifact_prefix="$art/" -print_final_stats=1 \
        >"$build/fuzz-$t.log" 2>&1
    rc=$?
    tail -n 12 "$build/fuzz-$t.log"
    if [ $rc -ne 0 ]; then
        status=1
        mkdir -p "$src/tests/fuzz/regressions/$t"
        for f in "$art"/*; do
            [ -f "$f" ] || continue
            cp "$f" "$src/tests/fuzz/regressions/$t/"
            echo "fuzz_$t: crash input saved as tests/fuzz/regressions/$t/$(basename "$f")"
        done
    fi
done
exit $status
