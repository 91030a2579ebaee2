#!/usr/bin/env bash
# Runs the exrqoi CLI over every Damaged/ file and a few truncated corpus
# files: each run must end by itself within 10 s with status 0 (read) or 1
# (clean error) -- never a signal, a sanitizer report or a hang.
# The files go to the tool in one run per subcommand (under Wine or qemu
# each process start costs a second): with --verbose it says on stderr when
# each file is done, and no file may take over 10 s. When that run fails
# or stalls, each file is run alone to name the one that does.
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
# batch SUBCOMMAND FILE...: every file in one run; status 0 when it ended
# with 0 or 1 and no file took over 10 s (the time between two of the
# tool's lines on stderr: --verbose prints one when each file is done)
batch() {
    local sub=$1 pid rc line lines=0
    shift
    rm -f "$work/fifo"
    mkfifo "$work/fifo" || return 1
    "$tool" "$sub" --verbose "$@" >/dev/null 2>"$work/fifo" &
    pid=$!
    while :; do
        IFS= read -r -t 10 line
        rc=$?
        if [ $rc = 0 ]; then
            lines=$((lines + 1))
        elif [ $rc -gt 128 ]; then
            echo "note: exrqoi $sub: a file took over 10 s"
            kill -9 "$pid" 2>/dev/null
            wait "$pid" 2>/dev/null
            return 1
        else
            break
        fi
    done <"$work/fifo"
    wait "$pid"
    rc=$?
    # a line per file at least; status 0 or 1
    [ $lines -ge $# ] && { [ $rc = 0 ] || [ $rc = 1 ]; }
}
# each SUBCOMMAND FILE...: batch, or one run per file to name a failure
each() {
    local sub=$1
    shift
    if batch "$sub" "$@"; then
        runs=$((runs + $#))
        return
    fi
    for f in "$@"; do run "$sub" "$f"; done
}
has_check=0
"$tool" check --help >/dev/null 2>&1 && has_check=1
files=("$damaged"/*)
# a smaller spread of truncated corpus files, through files on disk
for f in "$shared"/corpus/openexr-images/TestImages/stripes.exr \
    "$shared"/corpus/openexr-images/MultiResolution/ColorCodedLevels.exr \
    "$shared"/corpus/openexr-images/DisplayWindow/t01.exr; do
    [ -f "$f" ] || continue
    size=$(wc -c <"$f")
    for frac in 1 3 7 13 19; do
        n=$((size * frac / 20))
        cut=$work/cut.$(basename "$f" .exr).$frac.exr
        head -c "$n" "$f" >"$cut"
        files+=("$cut")
    done
done
each hash "${files[@]}"
[ $has_check = 1 ] && each check "${files[@]}"
echo "damaged_cli: $runs runs, $bad failures"
[ $bad = 0 ]
