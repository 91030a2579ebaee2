#!/bin/sh
# One command-line grammar for every exrqoi command, checked from a table:
# each command gets an unknown option, an option without its value,
# --opt=value, an out-of-range number, --help, a missing file, a
# directory and a file that is neither EXR nor QOI, and must give the
# documented exit status (0 success, 1 the work failed, 2 usage error)
# with a message on stderr. Every option --help lists must be in the man
# page too.
# usage: cli_grammar.sh EXRQOI_BINARY SHARED_DIR WORK_DIR MAN_PAGE
set -u
tool=$1
shared=$2
work=$3
man=$4
src=$shared/corpus/openexr-images/TestImages/GammaChart.exr
if [ ! -f "$src" ]; then
    echo "cli_grammar: corpus absent, skipped"
    exit 77
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:exitcode=86"
rm -rf "$work"
mkdir -p "$work" || exit 1
cd "$work" || exit 1
cp "$src" good.exr
"$tool" convert good.exr good.qoi || exit 1
cp good.exr ./-dash.exr
mkdir adir.exr
printf 'this is not an image\n' >text.exr
fails=0
checks=0
# run WANT LABEL ARGS...: exit status WANT; a message on stderr unless WANT is 0
run() {
    want=$1
    label=$2
    shift 2
    timeout -k 5 120 "$tool" "$@" >out.txt 2>err.txt
    got=$?
    checks=$((checks + 1))
    if [ "$got" != "$want" ]; then
        fails=$((fails + 1))
        echo "FAIL: $label: exrqoi $*: exit status $got, expected $want"
        head -c 1000 err.txt
        return
    fi
    if [ "$want" != 0 ] && [ ! -s err.txt ]; then
        fails=$((fails + 1))
        echo "FAIL: $label: exrqoi $*: no message on stderr"
    fi
    if [ "$want" = 2 ] && [ -s out.txt ]; then
        fails=$((fails + 1))
        echo "FAIL: $label: exrqoi $*: a usage error printed on stdout"
    fi
}

# command | an option taking a number | a good value | out of range | operands before the input | operands after
table='info|||||
hash|--threads|1|-3||
check|--threads|2|1025||
bench|--runs|1|0||
convert|--zip-level|5|99||out.qoi
flatten|--threads|1|-1||out.exr'
echo "$table" | while IFS='|' read -r cmd opt good range pre post; do
    [ -n "$cmd" ] || continue
    # shellcheck disable=SC2086 # $post is empty or one word
    run 2 "$cmd unknown option" $cmd --no-such-option good.exr $post
    grep -q -- "--no-such-option" err.txt || { echo "FAIL: $cmd: the message does not name the option"; fails=$((fails + 1)); }
    run 2 "$cmd unknown short option" $cmd -Z good.exr $post
    run 0 "$cmd --help" $cmd --help
    grep -q "usage: exrqoi $cmd" out.txt || { echo "FAIL: $cmd --help: no usage line"; fails=$((fails + 1)); }
    grep -q "exit status" out.txt || { echo "FAIL: $cmd --help: no exit statuses"; fails=$((fails + 1)); }
    run 0 "$cmd -h" $cmd -h
    # every option --help lists is in the man page
    for o in $(grep -o -- '--[a-z][a-z-]*' out.txt | sort -u); do
        grep -q -- "$(echo "$o" | sed 's/-/\\\\-/g')" "$man" || grep -q -- "$o" "$man" || {
            echo "FAIL: $cmd $o is not in the man page"
            fails=$((fails + 1))
        }
    done
    run 2 "$cmd no operands" $cmd
    run 1 "$cmd missing file" $cmd no-such-file.exr $post
    run 1 "$cmd directory" $cmd adir.exr $post
    run 1 "$cmd not an image" $cmd text.exr $post
    run 0 "$cmd --" $cmd -- -dash.exr $post
    if [ -n "$opt" ]; then
        run 0 "$cmd $opt value" $cmd "$opt" "$good" good.exr $post
        run 0 "$cmd $opt=value" $cmd "$opt=$good" good.exr $post
        run 2 "$cmd $opt out of range" $cmd "$opt" "$range" good.exr $post
        run 2 "$cmd $opt=out of range" $cmd "$opt=$range" good.exr $post
        run 2 "$cmd $opt not a number" $cmd "$opt" 3x good.exr $post
        run 2 "$cmd $opt without its value" $cmd good.exr $post "$opt"
        grep -q "needs a value" err.txt || { echo "FAIL: $cmd $opt: no 'needs a value'"; fails=$((fails + 1)); }
    else
        run 0 "$cmd --json" $cmd --json good.exr good.qoi
        run 2 "$cmd --json=value" $cmd --json=yes good.exr
    fi
    echo "$checks $fails" >counts
done
read -r checks fails <counts

# options of convert with values of each kind
run 2 "convert --exposure without value" convert good.exr out.qoi --exposure
grep -q "needs a value" err.txt || { echo "FAIL: --exposure: wrong message"; fails=$((fails + 1)); }
run 0 "convert --exposure=-1.5" convert --exposure=-1.5 good.exr out.qoi
run 2 "convert --exposure nan" convert --exposure nan good.exr out.qoi
run 2 "convert --tonemap bogus" convert --tonemap bogus good.exr out.qoi
run 0 "convert --tonemap=aces" convert --tonemap=aces good.exr out.qoi
run 2 "convert --compression bogus" convert --compression bogus good.exr out.exr
run 0 "convert --compression=piz" convert --compression=piz good.exr out.exr
run 2 "convert --format bogus" convert --format bogus good.exr out.qoi
run 2 "convert three operands without -o" convert good.exr good.qoi out.qoi
run 2 "convert one operand" convert good.exr
run 2 "bench --encode bogus" bench --encode bogus good.exr
run 2 "info --json --json-lines" info --json --json-lines good.exr
run 2 "unknown command" no-such-command good.exr
run 0 "--help" --help
run 0 "--version" --version
# QOI input everywhere it is read
run 0 "info QOI" info good.qoi
grep -q "format: QOI" out.txt || { echo "FAIL: info on QOI"; fails=$((fails + 1)); }
run 0 "hash QOI" hash good.qoi
grep -q "^pixels samples=" out.txt || { echo "FAIL: hash on QOI"; fails=$((fails + 1)); }
run 0 "check QOI" check good.qoi
head -c 2000 good.qoi >cut.qoi
"$tool" check cut.qoi >out.txt 2>err.txt
[ $? = 1 ] || { echo "FAIL: check on a cut QOI: not status 1"; fails=$((fails + 1)); }
grep -q "DAMAGED" out.txt || { echo "FAIL: check on a cut QOI prints no DAMAGED"; fails=$((fails + 1)); }
# check: unreadable input is an error of its own kind, on stderr
run 1 "check missing" check no-such-file.exr
[ -s out.txt ] && { echo "FAIL: check printed a missing file's error on stdout"; fails=$((fails + 1)); }
grep -q "DAMAGED" err.txt && { echo "FAIL: check calls a missing file DAMAGED"; fails=$((fails + 1)); }
# JSON over several files is one document (an array)
run 0 "info --json" info --json good.exr good.qoi
head -c 1 out.txt | grep -q '\[' || { echo "FAIL: info --json is not an array"; fails=$((fails + 1)); }
tail -c 2 out.txt | grep -q '\]' || { echo "FAIL: info --json does not end the array"; fails=$((fails + 1)); }
run 1 "info --json with a missing file" info --json good.exr no-such.exr good.qoi
[ "$(grep -c '"file"' out.txt)" = 2 ] || { echo "FAIL: info --json with an error"; fails=$((fails + 1)); }
run 0 "hash --json" hash --json good.exr good.qoi
head -c 1 out.txt | grep -q '\[' || { echo "FAIL: hash --json is not an array"; fails=$((fails + 1)); }
if command -v python3 >/dev/null 2>&1; then
    for c in info hash; do
        "$tool" $c --json good.exr good.qoi | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d)==2' ||
            { echo "FAIL: $c --json is not one JSON array of 2"; fails=$((fails + 1)); }
    done
fi

echo "cli_grammar: $checks checks, $fails failed"
[ "$fails" = 0 ]
