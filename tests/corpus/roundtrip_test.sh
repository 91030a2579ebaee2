#!/usr/bin/env bash
# Round trips: every flat corpus file rewritten with codec C hashes the same
# (chan lines; part lines differ in compression=). Lossless codecs only;
# pxr24 is lossless for half/uint channels only, so files with float
# channels are skipped for it.
# usage: roundtrip_test.sh EXRQOI_BIN SHARED_DIR CODEC...
set -u
exe=$1
root=$2/corpus/openexr-images
shift 2
if [ ! -f "$root/MANIFEST.txt" ]; then
    echo "SKIP: the shared corpus is absent"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
files=$(grep '^file ' "$root/MANIFEST.txt" | cut -c6-)
for codec in "$@"; do
    for f in $files; do
        grep -q "type=deep" <(awk -v f="file $f" '$0==f{p=1;next} /^file /{p=0} p' "$root/MANIFEST.txt") && continue
        "$exe" hash "$root/$f" > "$tmp/a" 2>/dev/null || continue
        if [ "$codec" = pxr24 ] && grep -q '^chan .* float ' "$tmp/a"; then continue; fi
        if "$exe" convert "$root/$f" "$tmp/out.exr" --compression "$codec" 2> "$tmp/err" &&
            "$exe" hash "$tmp/out.exr" > "$tmp/b" 2>> "$tmp/err" &&
            diff <(grep -v '^part' "$tmp/a") <(grep -v '^part' "$tmp/b") > /dev/null &&
            grep -q "compression=$codec " "$tmp/b"; then
            pass=$((pass + 1))
        else
            fail=$((fail + 1))
            echo "FAIL $codec $f: $(head -c 300 "$tmp/err")"
        fi
    done
done
echo "roundtrip: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
