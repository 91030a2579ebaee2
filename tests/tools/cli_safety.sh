#!/bin/sh
# The exrqoi tool never loses or mangles a user's file: every case of
# issue 14's first list, each checked on the file system afterwards.
# Waits are bounded (a process that does not end is killed and fails the
# check); nothing depends on how fast the machine is.
# usage: cli_safety.sh EXRQOI_BINARY SHARED_DIR WORK_DIR
set -u
tool=$1
shared=$2
work=$3
images=$shared/corpus/openexr-images
src=$images/TestImages/GammaChart.exr
deep=$images/v2/LowResLeftView/Balls.exr
if [ ! -f "$src" ] || [ ! -f "$deep" ]; then
    echo "cli_safety: corpus absent, skipped"
    exit 77
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:exitcode=86"
rm -rf "$work"
mkdir -p "$work" || exit 1
cd "$work" || exit 1
fails=0
checks=0
ok() { checks=$((checks + 1)); }
bad() {
    checks=$((checks + 1))
    fails=$((fails + 1))
    echo "FAIL: $*"
}
# expect STATUS DESCRIPTION -- COMMAND...: runs it (at most 120 s), output in out.txt/err.txt
expect() {
    want=$1
    what=$2
    shift 3
    timeout -k 5 120 "$@" >out.txt 2>err.txt
    got=$?
    if [ "$got" = "$want" ]; then ok; else
        bad "$what: exit status $got, expected $want"
        head -c 1500 err.txt
    fi
    if [ "$want" != 0 ] && [ ! -s err.txt ]; then bad "$what: no message on stderr"; fi
}
# listing of a directory, one name a line (debris shows up here)
names() { (cd "$1" && ls -A | sort | tr '\n' ' '); }

cp "$src" a.exr
cp a.exr a.orig
"$tool" convert a.exr a.qoi || exit 1
cp a.qoi a.qoi.orig

# 1. the output format comes from a known extension or --format, before reading
for out in out.png out noext.EXR.bak -; do
    expect 2 "convert to '$out' without --format" -- "$tool" convert a.exr "$out"
    [ ! -e "$out" ] || [ "$out" = - ] || bad "convert to '$out' created it"
    [ -s out.txt ] && bad "convert to '$out' wrote to stdout"
done
expect 2 "flatten to out.png" -- "$tool" flatten a.exr out.png
[ ! -e out.png ] && ok || bad "flatten created out.png"
expect 0 "convert to out.bin with --format qoi" -- "$tool" convert a.exr out.bin --format qoi
cmp -s out.bin a.qoi && ok || bad "--format qoi did not write the QOI"

# 2. no command writes to one of its inputs, however it is named
mkdir -p sub
ln a.exr hard.exr
ln -s a.exr sym.exr
ln -s ../a.exr sub/up.exr
for out in a.exr ./a.exr "$work/a.exr" hard.exr sym.exr sub/up.exr sub/../a.exr; do
    expect 1 "flatten a.exr $out" -- "$tool" flatten a.exr "$out"
    expect 1 "convert a.exr $out" -- "$tool" convert a.exr "$out" --compression piz
    expect 1 "convert --lenient a.exr $out" -- "$tool" convert --lenient a.exr "$out"
done
expect 1 "convert a.qoi a.qoi" -- "$tool" convert a.qoi ./a.qoi
expect 1 "convert -o . with an output that is an input" -- "$tool" convert a.exr a.qoi -o .
# /proc/self/fd: the tool's own descriptor 3 is a.exr (opened by the shell)
if [ -e /proc/self/fd ]; then
    expect 1 "convert a.exr /proc/self/fd/3" -- sh -c 'exec "$1" convert a.exr /proc/self/fd/3 --format exr 3<a.exr' sh "$tool"
fi
cmp -s a.exr a.orig && ok || bad "a.exr changed"
cmp -s a.qoi a.qoi.orig && ok || bad "a.qoi changed"
[ -L sym.exr ] && ok || bad "sym.exr is no longer a link"
[ "$(names sub)" = "up.exr " ] && ok || bad "debris in sub: $(names sub)"

# 3. colliding batch outputs: found before anything is written
mkdir -p d1 d2
cp a.exr d1/x.exr
cp a.exr d2/x.exr
expect 1 "batch with colliding outputs" -- "$tool" convert d1/x.exr d2/x.exr -o batch
grep -q "x.qoi" err.txt && ok || bad "collision message does not name x.qoi"
[ ! -e batch ] || [ -z "$(names batch)" ] && ok || bad "colliding batch wrote $(names batch)"
expect 0 "batch with --number" -- "$tool" convert d1/x.exr d2/x.exr -o batch --number
[ "$(names batch)" = "x-1.qoi x.qoi " ] && ok || bad "numbered batch wrote $(names batch)"

# 4. symbolic links are written through; FIFOs, devices and '-' in place
mkdir -p target
printf old >target/t.qoi
ln -s target/t.qoi link.qoi
expect 0 "convert to a symlink" -- "$tool" convert a.exr link.qoi
[ -L link.qoi ] && ok || bad "link.qoi was replaced by a regular file"
cmp -s target/t.qoi a.qoi && ok || bad "the link's target did not get the new file"
[ "$(names target)" = "t.qoi " ] && ok || bad "debris beside the target: $(names target)"
ln -s target/new.exr dangling.exr
expect 0 "convert to a dangling symlink" -- "$tool" convert a.qoi dangling.exr
[ -L dangling.exr ] && [ -f target/new.exr ] && ok || bad "a dangling link was not written through"

mkfifo fifo.qoi
# the reader: copies the FIFO to a file, then ends (bounded)
timeout 120 cat fifo.qoi >fifo.got &
reader=$!
expect 0 "convert to a FIFO" -- "$tool" convert a.exr fifo.qoi
wait $reader
[ -p fifo.qoi ] && ok || bad "fifo.qoi is no longer a FIFO"
cmp -s fifo.got a.qoi && ok || bad "the FIFO's reader did not get the QOI file"
mkfifo fifo.exr
timeout 120 cat fifo.exr >fifo.exr.got &
reader=$!
expect 0 "flatten to a FIFO" -- "$tool" flatten "$deep" fifo.exr
wait $reader
[ -p fifo.exr ] && ok || bad "fifo.exr is no longer a FIFO"
"$tool" check fifo.exr.got >/dev/null 2>&1 && ok || bad "flatten through a FIFO gave a damaged EXR"

"$tool" convert a.exr - --format qoi 2>err.txt | cat >pipe.got
cmp -s pipe.got a.qoi && ok || bad "convert to '-' through a pipe"
"$tool" convert a.exr - --format exr --compression zip 2>err.txt | "$tool" convert - - --format qoi >pipe2.got 2>>err.txt
cmp -s pipe2.got a.qoi && ok || { bad "EXR through two pipes"; cat err.txt; }
"$tool" flatten "$deep" - 2>err.txt | "$tool" hash - >flat.hash 2>>err.txt && ok || bad "flatten to '-' | hash -"
expect 0 "convert to /dev/null" -- "$tool" convert a.exr /dev/null --format qoi
[ -c /dev/null ] && ok || bad "/dev/null is no longer a device"
# /dev/stdout given as a path: written in place, the pipe's reader gets it
"$tool" convert a.exr /dev/stdout --format qoi 2>err.txt | cat >devstdout.got
cmp -s devstdout.got a.qoi && ok || bad "convert to /dev/stdout through a pipe"

# 5. a directory as output is refused before any work
mkdir -p outdir.qoi
expect 1 "convert to a directory" -- "$tool" convert a.exr outdir.qoi
grep -q "directory" err.txt && ok || bad "no 'directory' in the message"
expect 1 "flatten to a directory" -- sh -c 'mkdir -p dir.exr && exec "$1" flatten "$2" dir.exr' sh "$tool" "$deep"

# 6. killed mid-write: the old output stays, and nothing else is left.
# RLIMIT_FSIZE makes the kernel kill the tool (SIGXFSZ, no handler runs)
# in the middle of writing, whatever the machine's speed.
mkdir -p killed
cp a.exr killed/out.exr
(
    ulimit -f 64
    exec "$tool" convert a.qoi killed/out.exr --compression none --threads 1
) >/dev/null 2>&1
st=$?
[ "$st" -gt 128 ] && ok || bad "the write-limited conversion was not killed (status $st)"
cmp -s killed/out.exr a.exr && ok || bad "a killed write changed the old output"
[ "$(names killed)" = "out.exr " ] && ok || bad "a killed write left debris: $(names killed)"

# SIGKILL while the output is open: a large input (noise, so it takes a
# while to compress) and a wait until the tool holds a file in killed/.
# If it finishes before that is seen, a larger image is tried; nothing
# here can fail because the machine is fast or slow.
make_noise_qoi() { # WIDTH HEIGHT FILE: DIFF ops of random bytes
    w=$1
    h=$2
    be32() { printf "\\$(printf %03o $(($1 >> 24 & 255)))\\$(printf %03o $(($1 >> 16 & 255)))\\$(printf %03o $(($1 >> 8 & 255)))\\$(printf %03o $(($1 & 255)))"; }
    {
        printf qoif
        be32 "$w"
        be32 "$h"
        printf '\003\000'
        head -c $((w * h)) /dev/urandom | LC_ALL=C tr '\000-\377' '\100-\177\100-\177\100-\177\100-\177'
        printf '\000\000\000\000\000\000\000\001'
    } >"$3"
}
seen=0
for size in 1024 2048 4096; do
    make_noise_qoi $size $size noise.qoi
    "$tool" convert noise.qoi killed/out.exr --compression zip --zip-level 12 --threads 1 >/dev/null 2>&1 &
    pid=$!
    tries=0
    while [ $tries -lt 2400 ] && kill -0 $pid 2>/dev/null; do
        if ls -l /proc/$pid/fd 2>/dev/null | grep -q "$work/killed/"; then
            kill -9 $pid
            seen=1
            break
        fi
        tries=$((tries + 1))
        sleep 0.05
    done
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    [ $seen = 1 ] && break
    cp a.exr killed/out.exr
done
if [ $seen = 1 ]; then
    cmp -s killed/out.exr a.exr && ok || bad "SIGKILL mid-write changed the old output"
    [ "$(names killed)" = "out.exr " ] && ok || bad "SIGKILL mid-write left debris: $(names killed)"
else
    echo "note: the SIGKILL case never caught the tool mid-write (the write-limit case above did)"
fi

# 7. SIGINT in a batch: what was done is reported, the file being read is
# abandoned, later files are not started, nothing half-written is left.
# The second input is a FIFO nobody writes to: the tool waits there.
mkdir -p int
cp a.exr int/1.exr
mkfifo int/2.exr
cp a.exr int/3.exr
"$tool" convert int/1.exr int/2.exr int/3.exr -o intout --threads 1 >/dev/null 2>int.err &
pid=$!
tries=0
while [ $tries -lt 2400 ] && [ ! -f intout/1.qoi ] && kill -0 $pid 2>/dev/null; do
    tries=$((tries + 1))
    sleep 0.05
done
kill -INT $pid
tries=0
while [ $tries -lt 1200 ] && kill -0 $pid 2>/dev/null; do
    tries=$((tries + 1))
    sleep 0.05
done
if kill -0 $pid 2>/dev/null; then
    bad "SIGINT did not end the batch"
    kill -9 $pid
fi
wait $pid
st=$?
[ $st = 130 ] && ok || bad "SIGINT: exit status $st, expected 130 (killed by SIGINT)"
grep -q "interrupted" int.err && grep -q "converted 1 of 3" int.err && ok || {
    bad "SIGINT: no report of what was done"
    cat int.err
}
cmp -s intout/1.qoi a.qoi && ok || bad "SIGINT: the finished file is not whole"
[ "$(names intout)" = "1.qoi " ] && ok || bad "SIGINT: left $(names intout)"

echo "cli_safety: $checks checks, $fails failed"
[ $fails = 0 ]
