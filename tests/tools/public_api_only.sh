#!/bin/sh
# The tool is a client of the library like any other: its sources include
# only the public headers (exrqoi/...), their own (tools/...) and system
# headers, so nothing it needs is missing from the public API. The one
# exception is the operating-system layer (io/platform.h, exrqoi__os_*),
# which has no library state: the tool uses it for its own files so that
# file identity, UTF-8 paths and large files work the same on POSIX and
# Windows as in the library.
# usage: public_api_only.sh SRC_TOOLS_DIR
dir=$1
bad=$(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$dir"/*.c "$dir"/*.h |
      grep -v '#[[:space:]]*include[[:space:]]*"\(exrqoi\|tools\)/' |
      grep -v '#[[:space:]]*include[[:space:]]*"io/platform\.h"' || true)
internal=$(grep -n 'exrqoi__\|EXRQOI__' "$dir"/*.c "$dir"/*.h |
      grep -v -E '(exrqoi__os_[a-z_]+|exrqoi__file_(info|kind)|EXRQOI__FILE_[A-Z]+)' || true)
if [ -n "$bad$internal" ]; then
    echo "FAIL: the tool reaches past the public API:"
    [ -n "$bad" ] && echo "$bad"
    [ -n "$internal" ] && echo "$internal"
    exit 1
fi
echo "public_api_only: passed"
