#!/bin/sh
# OpenEXR 3.1 cannot decode HTJ2K (3.4's compressions), but our HTJ2K files
# are valid EXR to it: it opens their headers and reports the compression
# it does not know cleanly (exit status 1 and its message, no crash).
# usage: htj2k_header.sh EXRREF_HASH EXRQOI_BIN SHARED_DIR WORK_DIR
set -u
ref=$1 exe=$2 root=$3/corpus/openexr-images work=$4
if [ ! -f "$root/MANIFEST.txt" ]; then
    echo "SKIP: the shared corpus is absent"
    exit 77
fi
mkdir -p "$work"
pass=0 fail=0
for f in ScanLines/Desk.exr ScanLines/Cannon.exr Tiles/GoldenGate.exr Beachball/multipart.0001.exr; do
    [ -f "$root/$f" ] || continue
    for codec in htj2k256 htj2k32; do
        out="$work/$(basename "$f" .exr).$codec.exr"
        if ! "$exe" convert "$root/$f" "$out" --compression "$codec"; then
            echo "FAIL: converting $f to $codec"
            fail=$((fail + 1))
            continue
        fi
        "$ref" "$out" > "$work/out" 2> "$work/err"
        rc=$?
        if [ "$rc" -eq 1 ] && grep -q "Unknown compression type" "$work/err"; then
            pass=$((pass + 1))
        else
            echo "FAIL $f $codec: OpenEXR 3.1 exit status $rc: $(head -c 300 "$work/err")"
            fail=$((fail + 1))
        fi
    done
done
echo "htj2k_header: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
