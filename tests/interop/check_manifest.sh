#!/bin/sh
# Self-test of a hashing tool: its listing of every corpus file named in MANIFEST.txt
# must equal the manifest's entry byte for byte.
# usage: check_manifest.sh HASH_TOOL CORPUS_DIR
# Exit 77 (ctest skip) when the corpus is absent.
set -u
tool=$1
corpus=$2
manifest=$corpus/MANIFEST.txt
if [ ! -f "$manifest" ]; then
    echo "SKIP: $manifest not found"
    exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# Split the manifest into one expected listing per file (in manifest order).
awk -v dir="$tmp" '
    /^#/ { next }
    /^file / { n++; f = sprintf("%s/exp.%04d", dir, n); print substr($0, 6) > (dir "/names"); next }
    { print > f }
' "$manifest"

fails=0
total=0
i=0
while IFS= read -r rel; do
    i=$((i + 1))
    total=$((total + 1))
    exp=$(printf '%s/exp.%04d' "$tmp" "$i")
    [ -f "$exp" ] || : > "$exp"
    if ! "$tool" "$corpus/$rel" > "$tmp/got" 2> "$tmp/err"; then
        echo "FAIL $rel: tool failed: $(cat "$tmp/err")"
        fails=$((fails + 1))
        continue
    fi
    if ! cmp -s "$exp" "$tmp/got"; then
        echo "FAIL $rel: listing differs"
        diff "$exp" "$tmp/got" | head -20
        fails=$((fails + 1))
    fi
done < "$tmp/names"
echo "$((total - fails))/$total corpus files match the manifest"
[ "$fails" -eq 0 ]
