#!/usr/bin/env bash
# Installs the build into a temporary prefix and builds a consumer outside
# the tree three ways: find_package (shared), find_package (static) and
# pkg-config (plain and --static), and the installed examples with their
# own CMakeLists.txt. Each program must run.
# usage: install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" > "$tmp/install.log"
libdir=$(find "$prefix" -name 'libexrqoi.so' -printf '%h\n' | head -n 1)
[ -n "$libdir" ] || { echo "FAIL: libexrqoi.so not installed"; exit 1; }
for f in include/exrqoi/exrqoi.h include/exrqoi/version.h bin/exrqoi; do
    [ -e "$prefix/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
[ -e "$libdir/libexrqoi.a" ] || { echo "FAIL: static library not installed"; exit 1; }
[ -e "$libdir/cmake/exrqoi/exrqoiConfig.cmake" ] || { echo "FAIL: CMake config not installed"; exit 1; }
[ -e "$libdir/pkgconfig/exrqoi.pc" ] || { echo "FAIL: exrqoi.pc not installed"; exit 1; }

pass=0
run() { # name, command...
    local name=$1
    shift
    if out=$("$@" 2>&1); then
        pass=$((pass + 1))
        echo "ok   $name: $(echo "$out" | tail -n 1)"
    else
        echo "FAIL $name"
        echo "$out" | tail -n 20
        exit 1
    fi
}

for kind in shared static; do
    static=OFF
    [ $kind = static ] && static=ON
    cmake -S "$src/tests/install/consumer" -B "$tmp/c-$kind" -DCMAKE_PREFIX_PATH="$prefix" \
        -DUSE_STATIC=$static > "$tmp/c-$kind.log" 2>&1 || { cat "$tmp/c-$kind.log"; exit 1; }
    cmake --build "$tmp/c-$kind" > "$tmp/b-$kind.log" 2>&1 || { cat "$tmp/b-$kind.log"; exit 1; }
    if [ $kind = static ] && grep -q libexrqoi <<< "$(ldd "$tmp/c-$kind/consumer")"; then
        echo "FAIL: the static consumer links libexrqoi.so"
        exit 1
    fi
    run "find_package $kind" env LD_LIBRARY_PATH="$libdir" "$tmp/c-$kind/consumer"
done

export PKG_CONFIG_PATH=$libdir/pkgconfig
${CC:-cc} ${CFLAGS:-} ${LDFLAGS:-} "$src/tests/install/consumer/main.c" -o "$tmp/pc-shared" $(pkg-config --cflags --libs exrqoi)
run "pkg-config" env LD_LIBRARY_PATH="$libdir" "$tmp/pc-shared"
# --static: link the archive itself with the private dependencies
${CC:-cc} ${CFLAGS:-} ${LDFLAGS:-} "$src/tests/install/consumer/main.c" -o "$tmp/pc-static" $(pkg-config --cflags exrqoi) \
    -Wl,-Bstatic $(pkg-config --libs-only-l exrqoi | sed 's/-lexrqoi//') -lexrqoi -Wl,-Bdynamic \
    -L"$libdir" $(pkg-config --static --libs exrqoi | sed 's/-lexrqoi//')
run "pkg-config --static" "$tmp/pc-static"
if grep -q libexrqoi <<< "$(ldd "$tmp/pc-static")"; then
    echo "FAIL: pc-static uses the shared library"
    exit 1
fi
# the examples as installed, built on their own with their CMakeLists.txt
ex=$prefix/share/doc/exrqoi/examples
cmake -S "$ex" -B "$tmp/examples" -DCMAKE_PREFIX_PATH="$prefix" > "$tmp/ex.log" 2>&1 \
    && cmake --build "$tmp/examples" >> "$tmp/ex.log" 2>&1 || { cat "$tmp/ex.log"; exit 1; }
run "installed examples" "$tmp/examples/exrinfo" "$ex/data/sample.exr"
run "installed tool" env LD_LIBRARY_PATH="$libdir" "$prefix/bin/exrqoi" --version
echo "install: $pass passed, 0 failed"
