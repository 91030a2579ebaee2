#!/bin/sh
# Runs the exrqoi CLI over every Damaged/ file and a few truncated corpus
# files: each run must end by itself within 10 s with status 0 (read) or 1
# (clean error) -- never a signal, a sanitizer report or a hang.
# usage: damaged_cli.sh EXRQOI_BINARY SHARED_DIR [WORK_DIR]
set -u
tool=$1
shared=$2
work=${3:-${TMPDIR:-/tmp}/exrqoi-damaged-cli.$$}
damaged=$shared/corpus/openexr-images/Damaged
if [ ! -d "$damaged" ]; then
    echo "SKIP: $damaged absent (the shared corpus)"
    exit 77
fi
# sanitizer reports get their own exit status so they cannot pass for "1"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:exitcode=86"
mkdir -p "$work" || exit 1
trap 'rm -rf "$work"' EXIT
bad=0
runs=0
run() {
    # $1 = subcommand, $2 = file
    timeout 10 "$tool" "$1" "$2" >/dev/null 2>"$work/err"
    rc=$?
    runs=$((runs + 1))
    case $rc in
    0 | 1) ;;
    *)
        echo "FAIL: exrqoi $1 $2: exit status $rc"
        head -c 2000 "$work/err"
        bad=$((bad + 1))
        ;;
    esac
}
has_check=0
"$tool" check --help >/dev/null 2>&1 && has_check=1
for f in "$damaged"/*; do
    run hash "$f"
    [ $has_check = 1 ] && run check "$f"
done
# a smaller spread of truncated corpus files, through files on disk
for f in "$shared"/corpus/openexr-images/TestImages/stripes.exr \
    "$shared"/corpus/openexr-images/MultiResolution/ColorCodedLevels.exr \
    "$shared"/corpus/openexr-images/DisplayWindow/t01.exr; do
    [ -f "$f" ] || continue
    size=$(wc -c <"$f")
    for frac in 1 3 7 13 19; do
        n=$((size * frac / 20))
        head -c "$n" "$f" >"$work/cut.exr"
        run hash "$work/cut.exr"
        [ $has_check = 1 ] && run check "$work/cut.exr"
    done
done
echo "damaged_cli: $runs runs, $bad failures"
[ $bad = 0 ]
