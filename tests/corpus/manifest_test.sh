#!/usr/bin/env bash
# Corpus test: `exrqoi hash` of every file in a corpus folder must equal
# its entry in MANIFEST.txt (the reference decoder's listing), byte for byte.
# usage: manifest_test.sh EXRQOI_BIN SHARED_DIR [FOLDER]
# FOLDER under SHARED_DIR/corpus: openexr-images (default) or htj2k.
set -u
exe=$1
root=$2/corpus/${3:-openexr-images}
if [ ! -f "$root/MANIFEST.txt" ]; then
    echo "SKIP: $root/MANIFEST.txt not found (the shared corpus is absent)"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# split the manifest into one expected listing per file
awk -v dir="$tmp" '
    /^#/ { next }
    /^file / { n++; name = substr($0, 6); print name > (dir "/list"); out = dir "/exp" n; next }
    { print > out }' "$root/MANIFEST.txt"
pass=0 fail=0 n=0
# every file in one `exrqoi hash` run (under Wine or qemu each process start
# costs a second or more), its listing cut into one per file at each
# "part 0" line; when that run fails or any listing differs, each file is
# hashed alone below to name the ones that fail
files=()
while IFS= read -r f; do files+=("$root/$f"); done < "$tmp/list"
if "$exe" hash "${files[@]}" > "$tmp/all" 2> /dev/null; then
    awk -v dir="$tmp" '/^part 0 / { k++ } { print > (dir "/got" k) }' "$tmp/all"
    k=0 same=1
    for f in "${files[@]}"; do
        k=$((k + 1))
        cmp -s "$tmp/got$k" "$tmp/exp$k" || { same=0; break; }
    done
    [ -e "$tmp/got$((k + 1))" ] || [ -e "$tmp/got" ] && same=0
    [ $same = 1 ] && pass=$k
fi
[ $pass -gt 0 ] || while IFS= read -r f; do
    n=$((n + 1))
    if "$exe" hash "$root/$f" > "$tmp/got" 2> "$tmp/err" && cmp -s "$tmp/got" "$tmp/exp$n"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $f: $(head -c 300 "$tmp/err")"
        diff "$tmp/exp$n" "$tmp/got" | head -6
    fi
done < "$tmp/list"
# every file of the folder is listed (a file left out would go untested)
for f in "$root"/*.exr; do
    [ -e "$f" ] || continue
    if ! grep -qxF "$(basename "$f")" "$tmp/list"; then
        fail=$((fail + 1))
        echo "FAIL $(basename "$f"): not in MANIFEST.txt"
    fi
done
echo "manifest: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
