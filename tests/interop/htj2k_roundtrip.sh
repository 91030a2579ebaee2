#!/bin/sh
# HTJ2K on the generated interop matrix: OpenEXR 3.1 cannot decode HTJ2K,
# so this is ours to ours. Every flat uncompressed source (GEN_DIR/none_*.exr
# plus the attribute file; deep ones are skipped, HTJ2K is for flat images)
# is converted by us to CODEC; `exrqoi hash` of the result must equal
# OpenEXR's listing of the source apart from compression=, and every part
# must say compression=CODEC.
# usage: htj2k_roundtrip.sh CODEC EXRQOI EXRREF_HASH GEN_DIR WORK_DIR
set -u
[ $# -eq 5 ] || { echo "usage: $0 CODEC EXRQOI EXRREF_HASH GEN_DIR WORK_DIR" >&2; exit 2; }
codec=$1 exrqoi=$2 ref=$3 gen=$4 work=$5
rm -rf "$work" && mkdir -p "$work" || exit 1
if [ ! -d "$gen" ] || ! ls "$gen"/none_*.exr > /dev/null 2>&1; then
    echo "no generated files in $gen (the interop_gen test sets them up)"
    exit 1
fi
mask_compression() {
    sed 's/^\(part .*\) compression=[a-z0-9]* /\1 compression=* /' "$1"
}
checked=0 fails=0 deep=0
for src in "$gen"/none_*.exr "$gen"/zip_attrs.exr; do
    [ -f "$src" ] || continue
    name=$(basename "$src" .exr)
    if ! "$ref" "$src" > "$work/$name.src" 2> "$work/$name.err"; then
        echo "FAIL $name: exrref_hash failed on the source: $(head -c 300 "$work/$name.err")"
        fails=$((fails + 1))
        continue
    fi
    if grep -q '^counts ' "$work/$name.src"; then
        deep=$((deep + 1))
        continue
    fi
    checked=$((checked + 1))
    out="$work/$name.$codec.exr"
    if ! "$exrqoi" convert "$src" "$out" --compression "$codec" > "$work/$name.cvt" 2>&1; then
        echo "FAIL $name: exrqoi convert --compression $codec failed: $(head -c 300 "$work/$name.cvt")"
        fails=$((fails + 1))
        continue
    fi
    if ! "$exrqoi" hash "$out" > "$work/$name.out" 2> "$work/$name.err"; then
        echo "FAIL $name: exrqoi hash failed on its $codec output: $(head -c 300 "$work/$name.err")"
        fails=$((fails + 1))
        continue
    fi
    if grep '^part ' "$work/$name.out" | grep -v " compression=$codec " > /dev/null; then
        echo "FAIL $name: output parts are not all compression=$codec"
        fails=$((fails + 1))
        continue
    fi
    mask_compression "$work/$name.src" > "$work/$name.src.m"
    mask_compression "$work/$name.out" > "$work/$name.out.m"
    if ! cmp -s "$work/$name.src.m" "$work/$name.out.m"; then
        echo "FAIL $name: our $codec output decodes differently from the source (< OpenEXR on the source, > exrqoi on ours)"
        diff "$work/$name.src.m" "$work/$name.out.m" | head -n 12 | sed 's/^/    /'
        fails=$((fails + 1))
    fi
done
echo "htj2k roundtrip $codec: $((checked - fails))/$checked flat generated files pass ($deep deep sources skipped)"
[ "$checked" -gt 0 ] && [ "$fails" -eq 0 ]
