#!/bin/sh
# exrqoi convert with PNG and camera raw sides, end to end:
#  - PNG -> QOI gives the reference encoder's bytes (NAME.ref.qoi) for the
#    official QOI images; QOI -> PNG -> QOI too;
#  - EXR -> PNG (8-bit) -> QOI equals EXR -> QOI for the corpus EXR images;
#  - PNG -> EXR -> PNG gives the same file for 8-bit and 16-bit sRGB PNGs
#    (images without colour under alpha 0: premultiplied EXR cannot keep it);
#  - a synthetic DNG (written by test_raw_io) to EXR with its metadata and
#    chromaticities, to QOI and PNG;
#  - damaged input and bad options fail cleanly.
# usage: convert_formats_test.sh EXRQOI TEST_RAW_IO SHARED_DIR WORK_DIR
set -u
X=$1
RAWGEN=$2
shared=$3
work=$4
Q=$shared/corpus/qoi
E=$shared/corpus/openexr-images
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:exitcode=86"
rm -rf "$work" && mkdir -p "$work" || exit 1
cd "$work" || exit 1
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

if ! "$X" convert "$Q/testcard.qoi" probe.png 2>probe.err; then
    if grep -q "without PNG support" probe.err; then
        echo "this exrqoi has no PNG support: skipped"
        exit 77
    fi
    cat probe.err
    exit 1
fi
if [ ! -d "$Q" ]; then
    echo "corpus absent: skipped"
    exit 77
fi

for f in "$Q"/*.png; do
    n=$(basename "$f" .png)
    "$X" convert "$f" "$n.qoi" 2>/dev/null || fail "$n: png -> qoi"
    cmp -s "$n.qoi" "$Q/$n.ref.qoi" && ok "$n: png -> qoi = reference" || fail "$n: png -> qoi bytes"
    "$X" convert "$Q/$n.qoi" "$n.png" && "$X" convert "$n.png" "$n.2.qoi" &&
        cmp -s "$n.2.qoi" "$Q/$n.ref.qoi" && ok "$n: qoi -> png -> qoi" || fail "$n: qoi -> png -> qoi"
    "$X" convert "$n.png" "$n.exr" && "$X" convert "$n.exr" "$n.3.png" || fail "$n: png -> exr -> png"
    case $n in
    testcard_rgba) ;; # colour under alpha 0
    *) cmp -s "$n.png" "$n.3.png" && ok "$n: png -> exr -> png" || fail "$n: png -> exr -> png differs" ;;
    esac
    # 16-bit: widened, through a float EXR, back (the small images)
    case $n in dice | qoi_logo | testcard | testcard_rgba) ;; *) continue ;; esac
    "$X" convert --bits 16 "$Q/$n.qoi" "$n.16.png" && "$X" convert "$n.16.png" "$n.16.exr" &&
        "$X" convert --bits 16 "$n.16.exr" "$n.16b.png" || fail "$n: 16-bit conversions"
    case $n in
    testcard_rgba) ;;
    *) cmp -s "$n.16.png" "$n.16b.png" && ok "$n: png16 -> exr -> png16" || fail "$n: png16 -> exr -> png16 differs" ;;
    esac
done

for f in "$E"/TestImages/*.exr "$E"/ScanLines/*.exr "$E"/Chromaticities/*.exr; do
    [ -f "$f" ] || continue
    n=$(basename "$f" .exr)
    "$X" convert "$f" "e_$n.qoi" 2>/dev/null || continue
    "$X" convert "$f" "e_$n.png" && "$X" convert "e_$n.png" "e_$n.2.qoi" &&
        cmp -s "e_$n.qoi" "e_$n.2.qoi" && ok "$n: exr -> png = exr -> qoi" || fail "$n: exr -> png differs from exr -> qoi"
done

"$X" convert --bits 16 "$E/TestImages/WideColorGamut.exr" wcg16.png || fail "exr -> png16"

# deep parts are composited for PNG as for QOI (8 bits: the same pixels)
deep=$E/v2/LowResLeftView/Balls.exr
if [ -f "$deep" ]; then
    "$X" convert "$deep" deep.qoi && "$X" convert "$deep" deep.png && "$X" convert deep.png deep.2.qoi &&
        cmp -s deep.qoi deep.2.qoi && ok "deep exr -> png = deep exr -> qoi" || fail "deep exr -> png"
    "$X" convert --bits 16 "$deep" deep16.png && ok "deep exr -> png16" || fail "deep exr -> png16"
fi

# batch mode and standard input for PNG
mkdir -p pin && cp "$Q/dice.png" pin/a.png && cp "$Q/testcard.png" pin/b.png
"$X" convert pin/a.png pin/b.png -o pout && cmp -s pout/a.qoi "$Q/dice.ref.qoi" &&
    cmp -s pout/b.qoi "$Q/testcard.ref.qoi" && ok "png batch -> qoi" || fail "png batch -> qoi"
"$X" convert pin/a.png a_single.exr &&
    "$X" convert pin/a.png pin/b.png -o pout --format exr && cmp -s pout/a.exr a_single.exr &&
    ok "png batch -> exr" || fail "png batch -> exr"
"$X" convert - stdin.qoi < "$Q/dice.png" && cmp -s stdin.qoi "$Q/dice.ref.qoi" && ok "png from '-'" ||
    fail "png from '-'"
cat "$Q/dice.png" | "$X" convert - - --format png | "$X" convert - pipe.qoi && cmp -s pipe.qoi "$Q/dice.ref.qoi" &&
    ok "png through pipes" || fail "png through pipes"

# camera raw
rc=0
"$RAWGEN" --write-dng scene.dng || rc=$?
if [ $rc = 77 ]; then
    echo "no LibRaw: camera raw part skipped"
elif [ $rc != 0 ]; then
    fail "writing scene.dng"
else
    "$X" convert scene.dng scene.exr && "$X" info scene.exr > scene.txt || fail "dng -> exr"
    for want in 'cameraMake (type string): "Exrqoi"' 'cameraModel (type string): "Synthetic DNG"' \
        'lensModel (type string): "Test Lens 50mm F2.8"' 'isoSpeed (type float): 400' \
        'aperture (type float): 2.8' 'red   (0.64 0.33)' '32-bit floating-point'; do
        grep -qF "$want" scene.txt && ok "dng -> exr: $want" || fail "dng -> exr lacks $want"
    done
    "$X" convert --primaries aces --half scene.dng aces.exr && "$X" info aces.exr > aces.txt &&
        grep -qF 'red   (0.7347 0.2653)' aces.txt && grep -qF '16-bit floating-point' aces.txt &&
        ok "dng -> aces exr" || fail "dng -> aces exr"
    "$X" convert scene.dng scene.qoi && "$X" convert scene.dng scene.png &&
        "$X" convert scene.png scene.2.qoi && cmp -s scene.qoi scene.2.qoi &&
        ok "dng -> png = dng -> qoi" || fail "dng -> qoi / png"
    "$X" convert --wb 1,1,1 scene.dng wb.exr && ! cmp -s scene.exr wb.exr && ok "--wb" || fail "--wb"
    # batch (camera raw defaults to EXR) and standard input (a DNG is a TIFF)
    mkdir -p rin && cp scene.dng rin/s1.dng && cp scene.dng rin/S2.DNG
    "$X" convert rin/s1.dng rin/S2.DNG -o rout && cmp -s rout/s1.exr scene.exr && cmp -s rout/S2.exr scene.exr &&
        ok "dng batch -> exr" || fail "dng batch -> exr"
    "$X" convert rin/s1.dng -o rout --format png && cmp -s rout/s1.png scene.png &&
        ok "dng batch -> png" || fail "dng batch -> png"
    "$X" convert - stdin.exr < scene.dng && cmp -s stdin.exr scene.exr && ok "dng from '-'" || fail "dng from '-'"
    head -c 3000 scene.dng > cut.dng
    "$X" convert cut.dng cut.exr 2>cut.err
    rc=$?
    [ $rc = 1 ] && [ -s cut.err ] && [ ! -e cut.exr ] && ok "truncated dng: clean error" ||
        fail "truncated dng: status $rc"
fi

# damaged PNG, bad options
head -c 5000 "$Q/kodim10.png" > cut.png
"$X" convert cut.png cut.qoi 2>cut.err
rc=$?
[ $rc = 1 ] && [ -s cut.err ] && [ ! -e cut.qoi ] && ok "truncated png: clean error" || fail "truncated png: status $rc"
"$X" convert --bits 12 "$Q/testcard.qoi" x.png 2>/dev/null
[ $? = 2 ] && ok "--bits 12 refused" || fail "--bits 12 accepted"

[ $fails = 0 ] || { echo "$fails failures"; exit 1; }
echo "all passed"
