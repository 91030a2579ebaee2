#!/usr/bin/env bash
# Round trips: every flat corpus file rewritten with codec C hashes the same
# as the reference decoder's listing in MANIFEST.txt (chan lines; part lines
# differ in compression=), and every part of the output says
# compression=C. Lossless codecs only; pxr24 is lossless for half/uint
# channels only, so files with float channels are skipped for it.
# The input's listing comes from the manifest (corpus_manifest proves the
# tool's hash of every input equals it), and the outputs of one codec are
# hashed by one `exrqoi hash` run: under Wine or qemu each process start
# costs a second or more. When that batched listing differs, each output
# is hashed alone to name the files that fail.
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
# one expected listing per flat file, tmp/exp.N (chan lines only), and the
# list of flat files with their numbers; deep files are left out
awk -v dir="$tmp" '
    function flush() { if (name != "" && !deep) print n " " name > (dir "/list") }
    /^#/ { next }
    /^file / { flush(); n++; name = substr($0, 6); deep = 0; out = dir "/exp." n; printf "" > out; next }
    /^part / { if ($0 ~ / type=deep/) deep = 1; next }
    { print > out }
    END { flush() }' "$root/MANIFEST.txt"
pass=0 fail=0
# check_one N FILE CODEC LISTING: LISTING (an output's hash) against tmp/exp.N
check_one() {
    diff "$tmp/exp.$1" <(grep -v '^part' "$4") > /dev/null &&
        ! grep '^part' "$4" | grep -v -q " compression=$3 " &&
        grep -q '^part' "$4"
}
for codec in "$@"; do
    ok=() # "N FILE" of every file converted without error
    while read -r n f; do
        if [ "$codec" = pxr24 ] && grep -q '^chan .* float ' "$tmp/exp.$n"; then continue; fi
        if "$exe" convert "$root/$f" "$tmp/out.$n.exr" --compression "$codec" 2> "$tmp/err"; then
            ok+=("$n $f")
        else
            fail=$((fail + 1))
            echo "FAIL $codec $f: $(head -c 300 "$tmp/err")"
        fi
    done < "$tmp/list"
    [ ${#ok[@]} -gt 0 ] || continue
    # every output in one run; its listing cut into one per file at each
    # "part 0" line (each file's listing starts with its part 0)
    outs=()
    for e in "${ok[@]}"; do outs+=("$tmp/out.${e%% *}.exr"); done
    rm -f "$tmp"/got.*
    batch_ok=0
    if "$exe" hash "${outs[@]}" > "$tmp/b" 2> "$tmp/err"; then
        awk -v dir="$tmp" '/^part 0 / { k++ } { print > (dir "/got." k) }' "$tmp/b"
        batch_ok=1
        k=0
        for e in "${ok[@]}"; do
            k=$((k + 1))
            if ! [ -f "$tmp/got.$k" ] || ! check_one "${e%% *}" "${e#* }" "$codec" "$tmp/got.$k"; then
                batch_ok=0
                break
            fi
        done
        [ -f "$tmp/got.$((k + 1))" ] && batch_ok=0
    fi
    if [ $batch_ok = 1 ]; then
        pass=$((pass + ${#ok[@]}))
    else
        for e in "${ok[@]}"; do
            n=${e%% *} f=${e#* }
            if "$exe" hash "$tmp/out.$n.exr" > "$tmp/one" 2> "$tmp/err" &&
                check_one "$n" "$f" "$codec" "$tmp/one"; then
                pass=$((pass + 1))
            else
                fail=$((fail + 1))
                echo "FAIL $codec $f: $(head -c 300 "$tmp/err")"
            fi
        done
    fi
    rm -f "$tmp"/out.*.exr
done
echo "roundtrip: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
