#!/bin/sh
# The tool is a client of the library like any other: its sources include
# only the public headers (exrqoi/...), their own (tools/...) and system
# headers, so nothing it needs is missing from the public API.
# usage: public_api_only.sh SRC_TOOLS_DIR
dir=$1
bad=$(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$dir"/*.c "$dir"/*.h |
      grep -v '#[[:space:]]*include[[:space:]]*"\(exrqoi\|tools\)/' || true)
internal=$(grep -n 'exrqoi__\|EXRQOI__' "$dir"/*.c "$dir"/*.h || true)
if [ -n "$bad$internal" ]; then
    echo "FAIL: the tool reaches past the public API:"
    [ -n "$bad" ] && echo "$bad"
    [ -n "$internal" ] && echo "$internal"
    exit 1
fi
echo "public_api_only: passed"
