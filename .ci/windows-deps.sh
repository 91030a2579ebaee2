#!/usr/bin/env bash
# What Debian does not ship for MinGW (libdeflate, cmocka), built from
# Debian's own source packages with the MinGW toolchain into OUT (static
# libraries, headers, pkg-config files). Adds a deb-src line for bookworm
# when apt has none. Run by `.ci/test windows`; once: OUT/.complete marks
# a finished build.
# usage: windows-deps.sh OUT SOURCE_DIR
set -euo pipefail
out=$1 src=$2
[ -f "$out/.complete" ] && exit 0
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
if [ -z "$(apt-cache showsrc libdeflate 2> /dev/null)" ]; then
    # deb822, signed by the keyring the binary sources use (apt refuses
    # one source with two Signed-By values)
    printf '%s\n' "Types: deb-src" "URIs: http://deb.debian.org/debian" "Suites: bookworm" \
        "Components: main" "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" \
        | $sudo tee /etc/apt/sources.list.d/exrqoi-deb-src.sources > /dev/null
    $sudo apt-get update -qq
fi
work=$out.src
rm -rf "$out" "$work"
mkdir -p "$work"
(cd "$work" && apt-get source -q --download-only libdeflate cmocka 2>&1 \
    | { grep -v '^W: Download is performed unsandboxed' || true; })
for dsc in "$work"/*.dsc; do
    # apt-get source checked the files against the archive's signed index
    (cd "$work" && dpkg-source -x "$(basename "$dsc")" > /dev/null 2>&1)
done
tc=$src/cmake/toolchain-x86_64-w64-mingw32.cmake
build() { # name source-dir cmake-args...
    local name=$1 dir=$2
    shift 2
    cmake -S "$dir" -B "$work/build-$name" -DCMAKE_TOOLCHAIN_FILE="$tc" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_INSTALL_PREFIX="$out" "$@" > "$work/$name.log"
    cmake --build "$work/build-$name" -j"${JOBS:-2}" >> "$work/$name.log"
    cmake --install "$work/build-$name" >> "$work/$name.log"
}
# libdeflate 1.14 builds with its Makefile (it names MinGW's static
# library libdeflatestatic.lib; installed as libdeflate.a)
ld=$(ls -d "$work"/libdeflate-*/)
make -C "$ld" -j"${JOBS:-2}" CC=x86_64-w64-mingw32-gcc-posix AR=x86_64-w64-mingw32-ar CFLAGS=-O2 libdeflatestatic.lib > "$work/libdeflate.log"
mkdir -p "$out/include" "$out/lib/pkgconfig"
cp "$ld/libdeflate.h" "$out/include/"
cp "$ld/libdeflatestatic.lib" "$out/lib/libdeflate.a"
printf '%s\n' "prefix=$out" "Name: libdeflate" "Description: libdeflate (static, MinGW)" \
    "Version: $(sed -n 's/^#define LIBDEFLATE_VERSION_STRING[[:space:]]*"\(.*\)"/\1/p' "$ld/libdeflate.h")" \
    "Libs: -L\${prefix}/lib -ldeflate" "Cflags: -I\${prefix}/include" > "$out/lib/pkgconfig/libdeflate.pc"
build cmocka "$(ls -d "$work"/cmocka-*/)" -DBUILD_SHARED_LIBS=OFF -DWITH_STATIC_LIB=ON \
    -DWITH_EXAMPLES=OFF -DUNIT_TESTING=OFF
# static only: the programs link -static (cmocka 1.1.5 builds its DLL too)
mv "$out/lib/libcmocka-static.a" "$out/lib/libcmocka.a"
rm -rf "$out/lib/libcmocka.dll.a" "$out/bin" "$out/lib/cmake"
touch "$out/.complete"
