#!/bin/sh
# Interop driver, run by ctest (see README.md).
#
#   interop.sh gen   EXRREF_GEN GEN_DIR
#       (Re)creates GEN_DIR with the OpenEXR-written test matrix.
#   interop.sh read  CODEC EXRQOI EXRREF_HASH GEN_DIR WORK_DIR
#       For every GEN_DIR/CODEC_*.exr: `exrqoi hash` must print exactly what
#       exrref_hash (OpenEXR's decoder) prints.
#   interop.sh write CODEC EXRQOI EXRREF_HASH GEN_DIR WORK_DIR
#       For every uncompressed source (GEN_DIR/none_*.exr plus the attribute file):
#       `exrqoi convert SRC OUT --compression CODEC`, then OpenEXR reads OUT:
#       lossless: OUT's listing equals SRC's apart from compression=;
#       lossy (b44, b44a, dwaa, dwab, pxr24 with float channels): OUT's structure
#       equals SRC's and `exrqoi hash OUT` equals `exrref_hash OUT`.
#       Deep sources are only converted to none, rle and zips (all OpenEXR allows).
set -u

mode=${1:-}

if [ "$mode" = gen ]; then
    [ $# -eq 3 ] || { echo "usage: $0 gen EXRREF_GEN GEN_DIR" >&2; exit 2; }
    rm -rf "$3" && mkdir -p "$3" && exec "$2" "$3"
fi

[ $# -eq 6 ] || { echo "usage: $0 read|write CODEC EXRQOI EXRREF_HASH GEN_DIR WORK_DIR" >&2; exit 2; }
codec=$2
exrqoi=$3
ref=$4
gen=$5
work=$6
rm -rf "$work" && mkdir -p "$work" || exit 1

fails=0
checked=0
skipped=0

fail() {
    echo "FAIL $*"
    fails=$((fails + 1))
}

# Shows the first differing lines of two listings.
show_diff() {
    diff "$1" "$2" | head -n 12 | sed 's/^/    /'
}

# Listing with each part line's compression= masked.
mask_compression() {
    sed 's/^\(part .*\) compression=[a-z0-9]* /\1 compression=* /' "$1"
}

# Listing with compression= masked and CRCs dropped: the structure only.
mask_structure() {
    mask_compression "$1" | sed 's/ crc32=[0-9a-f]*$//'
}

# Every part line names the expected compression.
all_parts_use() {
    ! grep '^part ' "$1" | grep -v " compression=$2 " > /dev/null
}

if [ ! -d "$gen" ] || ! ls "$gen"/none_*.exr > /dev/null 2>&1; then
    echo "no generated files in $gen (the interop_gen test sets them up)"
    exit 1
fi

case $mode in
read)
    for f in "$gen/${codec}"_*.exr; do
        [ -f "$f" ] || continue
        name=$(basename "$f" .exr)
        checked=$((checked + 1))
        if ! "$ref" "$f" > "$work/$name.ref" 2> "$work/$name.referr"; then
            fail "$name: exrref_hash failed: $(cat "$work/$name.referr")"
            continue
        fi
        if ! "$exrqoi" hash "$f" > "$work/$name.got" 2> "$work/$name.err"; then
            fail "$name: exrqoi hash failed: $(head -c 300 "$work/$name.err")"
            continue
        fi
        if ! cmp -s "$work/$name.ref" "$work/$name.got"; then
            fail "$name: listing differs (< OpenEXR, > exrqoi)"
            show_diff "$work/$name.ref" "$work/$name.got"
        fi
    done
    ;;
write)
    case $codec in
    b44|b44a|dwaa|dwab) always_lossy=1 ;;
    none|rle|zips|zip|piz|pxr24) always_lossy=0 ;;
    *) echo "unknown codec $codec" >&2; exit 2 ;;
    esac
    for src in "$gen"/none_*.exr "$gen"/zip_attrs.exr; do
        [ -f "$src" ] || continue
        name=$(basename "$src" .exr)
        if ! "$ref" "$src" > "$work/$name.src" 2> "$work/$name.referr"; then
            fail "$name: exrref_hash failed on the source: $(cat "$work/$name.referr")"
            continue
        fi
        if grep -q '^counts ' "$work/$name.src"; then
            case $codec in
            none|rle|zips) ;;
            *) skipped=$((skipped + 1)); continue ;;
            esac
        fi
        lossy=$always_lossy
        if [ "$codec" = pxr24 ] && grep -q '^\(chan\|deepchan\) .* float ' "$work/$name.src"; then
            lossy=1
        fi
        checked=$((checked + 1))
        out="$work/$name.$codec.exr"
        if ! "$exrqoi" convert "$src" "$out" --compression "$codec" > "$work/$name.cvt" 2>&1; then
            fail "$name: exrqoi convert --compression $codec failed: $(head -c 300 "$work/$name.cvt")"
            continue
        fi
        if ! "$ref" "$out" > "$work/$name.out" 2> "$work/$name.referr"; then
            fail "$name: OpenEXR cannot read exrqoi's $codec output: $(cat "$work/$name.referr")"
            continue
        fi
        if ! all_parts_use "$work/$name.out" "$codec"; then
            fail "$name: output parts are not all compression=$codec"
            grep '^part ' "$work/$name.out" | sed 's/^/    /'
            continue
        fi
        if [ "$lossy" -eq 0 ]; then
            mask_compression "$work/$name.src" > "$work/$name.src.m"
            mask_compression "$work/$name.out" > "$work/$name.out.m"
            if ! cmp -s "$work/$name.src.m" "$work/$name.out.m"; then
                fail "$name: OpenEXR decodes exrqoi's $codec output differently from the source (< source, > output)"
                show_diff "$work/$name.src.m" "$work/$name.out.m"
            fi
        else
            mask_structure "$work/$name.src" > "$work/$name.src.m"
            mask_structure "$work/$name.out" > "$work/$name.out.m"
            if ! cmp -s "$work/$name.src.m" "$work/$name.out.m"; then
                fail "$name: exrqoi's $codec output changed the image structure (< source, > output)"
                show_diff "$work/$name.src.m" "$work/$name.out.m"
                continue
            fi
            if ! "$exrqoi" hash "$out" > "$work/$name.got" 2> "$work/$name.err"; then
                fail "$name: exrqoi hash failed on its own $codec output: $(head -c 300 "$work/$name.err")"
                continue
            fi
            if ! cmp -s "$work/$name.out" "$work/$name.got"; then
                fail "$name: exrqoi and OpenEXR decode exrqoi's $codec output differently (< OpenEXR, > exrqoi)"
                show_diff "$work/$name.out" "$work/$name.got"
            fi
        fi
    done
    ;;
*)
    echo "unknown mode '$mode'" >&2
    exit 2
    ;;
esac

note=
[ "$skipped" -gt 0 ] && note=" ($skipped deep sources skipped: OpenEXR allows only none, rle, zips for deep)"
echo "$mode $codec: $((checked - fails))/$checked files pass$note"
[ "$checked" -gt 0 ] && [ "$fails" -eq 0 ]
