#!/usr/bin/env bash
# Every dynamic symbol the shared library defines must start with exrqoi_
# (and not exrqoi__, the internal prefix), and the exrqoi_ symbols must be
# exactly those listed in symbols.txt beside this script.
# usage: symbols_test.sh LIBRARY [SYMBOLS_LIST]
set -euo pipefail
lib=$1
list=${2:-$(dirname "$0")/symbols.txt}
case $lib in
*.dll) # PE: the names of the export table (objdump -p)
    syms=$(${OBJDUMP:-objdump} -p "$lib" \
        | sed -n '/^\[Ordinal\/Name Pointer\] Table/,/^$/s/^[[:space:]]*\[ *[0-9]*\] //p' | LC_ALL=C sort -u) ;;
*) syms=$(${NM:-nm} -D --defined-only "$lib" | awk '{print $3}' | LC_ALL=C sort -u) ;;
esac
bad=$(echo "$syms" | grep -v '^exrqoi_' | grep -v -E '^(_init|_fini|_edata|_end|__bss_start)$' || true)
internal=$(echo "$syms" | grep '^exrqoi__' || true)
count=$(echo "$syms" | grep -c '^exrqoi_' || true)
if [ -n "$bad$internal" ]; then
    echo "FAIL: symbols exported outside the public prefix:"
    echo "$bad" "$internal"
    exit 1
fi
[ "$count" -gt 50 ] || { echo "FAIL: only $count exrqoi_ symbols exported"; exit 1; }
want=$(grep -v '^#' "$list" | grep -v '^$' | LC_ALL=C sort -u)
have=$(echo "$syms" | grep '^exrqoi_' | LC_ALL=C sort -u)
if [ "$want" != "$have" ]; then
    echo "FAIL: exported symbols differ from $list (< listed only, > exported only):"
    diff <(echo "$want") <(echo "$have") || true
    exit 1
fi
echo "symbols: $count passed, 0 failed"
