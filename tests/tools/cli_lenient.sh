#!/bin/sh
# exrqoi convert --lenient over damaged files: every Damaged/ file of the
# OpenEXR images and truncations of flat and deep corpus files, to QOI
# and to EXR. Each run must end by itself with status 0 (clean) or 1 --
# never a signal, a sanitizer report (86) or a hang -- and a status 1
# must either have written a whole output with a report of the filled
# chunks on stderr, or have written nothing and said why. No temporary
# file may be left. (That intact chunks come out bit-identical is
# tests/unit/test_lenient.c.)
# usage: cli_lenient.sh EXRQOI_BINARY SHARED_DIR WORK_DIR
set -u
tool=$1
shared=$2
work=$3
images=$shared/corpus/openexr-images
if [ ! -d "$images/Damaged" ]; then
    echo "cli_lenient: corpus absent, skipped"
    exit 77
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:exitcode=86"
rm -rf "$work"
mkdir -p "$work/out" "$work/keep" || exit 1
runs=0
fails=0
salvaged=0
bad() {
    fails=$((fails + 1))
    echo "FAIL: $*"
}
# run_convert FILE OUT: sets rc; stderr in $work/err
run_convert() {
    rm -f "$2"
    timeout -k 5 60 "$tool" convert --lenient --threads 2 "$1" "$2" >/dev/null 2>"$work/err"
    rc=$?
}
# Under Wine a run of the tool has once ended with status 1, no output and
# an empty stderr on a file whose every native run prints its header error
# (CI on a loaded machine). Under an emulator such a run is tried twice
# more and fails the test only if it repeats; natively it fails at once.
emulated=no
case $tool in *-emulated) emulated=yes ;; esac
silent_failure() {
    [ "$rc" = 1 ] && [ ! -f "$2" ] && [ ! -s "$work/err" ]
}
# salvage FILE EXT
salvage() {
    out=$work/out/o.$2
    run_convert "$1" "$out"
    if [ $emulated = yes ] && silent_failure "$1" "$out"; then
        for retry in 1 2; do
            echo "cli_lenient: $1 -> .$2: status 1 and no message under the emulator, run again ($retry)"
            run_convert "$1" "$out"
            silent_failure "$1" "$out" || break
        done
    fi
    runs=$((runs + 1))
    case $rc in
    0) [ -f "$out" ] || bad "$1 -> .$2: status 0 without an output" ;;
    1)
        if [ -f "$out" ]; then
            grep -q "salvaged" "$work/err" || bad "$1 -> .$2: output written, status 1, no report"
            salvaged=$((salvaged + 1))
        else
            [ -s "$work/err" ] || bad "$1 -> .$2: status 1 and no message"
        fi
        ;;
    *)
        bad "$1 -> .$2: exit status $rc"
        head -c 2000 "$work/err"
        ;;
    esac
    leftover=$(ls -A "$work/out" | grep -v "^o\.$2\$")
    [ -z "$leftover" ] || bad "$1 -> .$2: left $leftover"
    # the output is checked with the next ones (check_outputs)
    if [ -f "$out" ]; then
        mv "$out" "$work/keep/$runs.$2"
        echo "$runs.$2 $1" >>"$work/keep.list"
        [ "$(wc -l <"$work/keep.list")" -lt 40 ] || check_outputs
    fi
    rm -f "$work/out"/*
}
# every output must be whole: `exrqoi check` over up to 40 of them in one
# run (each process start costs a second under Wine or qemu); when that
# run fails, each of its files is checked alone to name the one that is not
check_outputs() {
    [ -s "$work/keep.list" ] || return 0
    set --
    while read -r name from; do set -- "$@" "$work/keep/$name"; done <"$work/keep.list"
    if ! "$tool" check "$@" >"$work/check" 2>&1; then
        while read -r name from; do
            if ! "$tool" check "$work/keep/$name" >"$work/check" 2>&1; then
                bad "$from -> .${name#*.}: the salvaged output is not whole"
                head -c 2000 "$work/check"
            fi
        done <"$work/keep.list"
    fi
    rm -f "$work/keep"/* "$work/keep.list"
}
for f in "$images"/Damaged/*; do
    salvage "$f" qoi
    salvage "$f" exr
done
# truncations of flat (scanline, tiled, mipmapped) and deep files
for f in "$images"/TestImages/GammaChart.exr "$images"/Tiles/GoldenGate.exr \
    "$images"/MultiResolution/ColorCodedLevels.exr "$images"/v2/LowResLeftView/Balls.exr; do
    [ -f "$f" ] || continue
    size=$(wc -c <"$f")
    for frac in 2 5 9 14 19; do
        head -c $((size * frac / 20)) "$f" >"$work/cut.exr"
        salvage "$work/cut.exr" qoi
        salvage "$work/cut.exr" exr
    done
    # a run of flipped bytes in the middle
    {
        head -c $((size / 2)) "$f"
        head -c 64 /dev/zero | tr '\000' '\377'
        tail -c +$((size / 2 + 65)) "$f"
    } >"$work/flip.exr"
    salvage "$work/flip.exr" qoi
    salvage "$work/flip.exr" exr
done
check_outputs
echo "cli_lenient: $runs runs ($salvaged salvaged with a report), $fails failures"
[ $fails = 0 ] && [ $salvaged -gt 0 ]
