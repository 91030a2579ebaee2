#!/usr/bin/env bash
# Windows: the consumer linked against the DLL imports it, the one linked
# against the static library does not (objdump -p lists the imports).
# usage: windows_imports.sh OBJDUMP CONSUMER_DLL CONSUMER_STATIC DLL_NAME
set -euo pipefail
objdump=$1 dll_exe=$2 static_exe=$3 dll=$4
imports() { "$objdump" -p "$1" | sed -n 's/^[[:space:]]*DLL Name: //p'; }
if ! imports "$dll_exe" | grep -q -x "$dll"; then
    echo "FAIL: $dll_exe does not import $dll"
    exit 1
fi
if imports "$static_exe" | grep -q -x "$dll"; then
    echo "FAIL: $static_exe imports $dll"
    exit 1
fi
echo "imports: 2 passed, 0 failed"
