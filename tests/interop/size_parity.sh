#!/bin/sh
# Size parity on the shared corpus, run by ctest (see README.md).
#
#   size_parity.sh CODEC EXRQOI EXRREF_CONVERT EXRREF_HASH CORPUS WORK_DIR
#
# Every flat file of CORPUS/MANIFEST.txt is recompressed with CODEC twice: by OpenEXR
# (exrref_convert, default zip/DWA levels) and by us (exrqoi convert --compression).
# Fails when
#   - our total over the corpus is more than 1% larger than OpenEXR's (2% for
#     dwaa/dwab); single files over that bound are marked in the table but pass,
#     because deflate streams differ per file (we use libdeflate, OpenEXR zlib);
#   - OpenEXR decodes our file differently from us (exrref_hash != exrqoi hash), or
#     a part of it is not compressed with CODEC;
#   - the structure (parts, channels, sample counts) differs from the source's, or,
#     for lossless codecs, any channel CRC differs from the source's.
# Prints a table: file, our bytes, OpenEXR's bytes, ratio, byte-identical.
# Exit 77 (ctest skip) when the corpus is absent.
set -u

[ $# -eq 6 ] || { echo "usage: $0 CODEC EXRQOI EXRREF_CONVERT EXRREF_HASH CORPUS WORK_DIR" >&2; exit 2; }
codec=$1
exrqoi=$2
convert=$3
ref=$4
corpus=$5
work=$6
manifest=$corpus/MANIFEST.txt
if [ ! -f "$manifest" ]; then
    echo "SKIP: $manifest not found"
    exit 77
fi
case $codec in
dwaa|dwab) bound=1.02 ;;
rle|zips|zip|piz|pxr24|b44|b44a) bound=1.01 ;;
*) echo "unknown codec $codec" >&2; exit 2 ;;
esac
rm -rf "$work" && mkdir -p "$work" || exit 1

# One source listing per manifest entry (exp.NNNN, in manifest order, names in names).
awk -v dir="$work" '
    /^#/ { next }
    /^file / { n++; f = sprintf("%s/exp.%04d", dir, n); print substr($0, 6) > (dir "/names"); next }
    { print > f }
' "$manifest"

fails=0
fail() {
    echo "FAIL $*"
    fails=$((fails + 1))
}

# Listing without compression= and, with a second argument, without CRCs.
mask() {
    if [ $# -gt 1 ]; then
        sed 's/ compression=[a-z0-9]* / /; s/ crc32=[0-9a-f]*$//' "$1"
    else
        sed 's/ compression=[a-z0-9]* / /' "$1"
    fi
}

ours_total=0
theirs_total=0
table=$work/table
: > "$table"
i=0
while IFS= read -r rel; do
    i=$((i + 1))
    src=$(printf '%s/exp.%04d' "$work" "$i")
    grep -q '^counts ' "$src" && continue # deep: OpenEXR allows only none/rle/zips
    lossy=1
    case $codec in
    rle|zips|zip|piz) lossy=0 ;;
    pxr24) grep -q '^chan .* float ' "$src" || lossy=0 ;;
    esac
    theirs=$work/theirs.exr
    ours=$work/ours.exr
    if ! "$convert" "$corpus/$rel" "$theirs" "$codec" > "$work/err" 2>&1; then
        fail "$rel: exrref_convert failed: $(head -c 300 "$work/err")"
        continue
    fi
    if ! "$exrqoi" convert "$corpus/$rel" "$ours" --compression "$codec" > "$work/err" 2>&1; then
        fail "$rel: exrqoi convert failed: $(head -c 300 "$work/err")"
        continue
    fi
    if ! "$ref" "$ours" > "$work/ref.txt" 2> "$work/err"; then
        fail "$rel: OpenEXR cannot read our $codec file: $(cat "$work/err")"
        continue
    fi
    if ! "$exrqoi" hash "$ours" > "$work/got.txt" 2> "$work/err"; then
        fail "$rel: exrqoi hash failed on our $codec file: $(head -c 300 "$work/err")"
        continue
    fi
    if ! cmp -s "$work/ref.txt" "$work/got.txt"; then
        fail "$rel: OpenEXR and exrqoi decode our $codec file differently (< OpenEXR, > exrqoi)"
        diff "$work/ref.txt" "$work/got.txt" | head -n 8 | sed 's/^/    /'
    fi
    if grep '^part ' "$work/ref.txt" | grep -v " compression=$codec " > /dev/null; then
        fail "$rel: our file has parts not compressed with $codec"
    fi
    if [ "$lossy" -eq 1 ]; then
        mask "$src" nocrc > "$work/a"
        mask "$work/ref.txt" nocrc > "$work/b"
        what="structure"
    else
        mask "$src" > "$work/a"
        mask "$work/ref.txt" > "$work/b"
        what="pixels"
    fi
    if ! cmp -s "$work/a" "$work/b"; then
        fail "$rel: our $codec file's $what differ from the source's (< source, > ours)"
        diff "$work/a" "$work/b" | head -n 8 | sed 's/^/    /'
    fi
    o=$(wc -c < "$ours")
    t=$(wc -c < "$theirs")
    ours_total=$((ours_total + o))
    theirs_total=$((theirs_total + t))
    same=no
    cmp -s "$ours" "$theirs" && same=yes
    printf '%s\t%s\t%s\t%s\n' "$rel" "$o" "$t" "$same" >> "$table"
done < "$work/names"

# Table and bounds (awk: the shell has no floating point).
awk -F '\t' -v codec="$codec" -v bound="$bound" -v ot="$ours_total" -v tt="$theirs_total" '
    BEGIN { printf "%-40s %10s %10s %7s %9s  (%s)\n", "file", "ours", "openexr", "ratio", "identical", codec }
    {
        r = $3 > 0 ? $2 / $3 : 1
        flag = r > bound ? "  over" : ""
        if (flag != "") over++
        if ($4 == "yes") same++
        printf "%-40s %10d %10d %7.4f %9s%s\n", $1, $2, $3, r, $4, flag
    }
    END {
        r = tt > 0 ? ot / tt : 1
        printf "%-40s %10d %10d %7.4f %6d/%-2d  (bound %s)\n", "TOTAL", ot, tt, r, same, NR, bound
        if (over) printf "%d file(s) over %s x (marked \"over\"; only the total must stay under)\n", over, bound
        exit r > bound
    }
' "$table" || fail "$codec: our files total more than $bound x OpenEXR's size (see table)"

n=$(wc -l < "$table")
echo "size $codec: $n corpus files, $fails failures"
[ "$n" -gt 0 ] && [ "$fails" -eq 0 ]
