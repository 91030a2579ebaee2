#!/bin/sh
# Builds OpenEXR's main branch (4.0-dev, with HTJ2K) outside this
# repository, as shared libraries in its own prefix, for the benchmark's
# OpenEXR-main engine (docs/benchmarks.md). Never part of the library build.
# usage: build_openexr_main.sh OPENEXR_SOURCE_DIR PREFIX [BUILD_DIR]
#   OPENEXR_SOURCE_DIR: a snapshot of github.com/AcademySoftwareFoundation/openexr
#   (its test images are not needed). Needs Debian's libimath-dev and
#   libdeflate-dev; OpenJPH comes from the snapshot's external/ folder.
# then: cmake -DEXRQOI_BENCH_OPENEXR_MAIN=PREFIX ... builds exrqoi_bench_main.
set -eu
src=$(cd "$1" && pwd)
prefix=$2
build=${3:-$prefix-build}
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DBUILD_SHARED_LIBS=ON -DBUILD_TESTING=OFF -DOPENEXR_BUILD_TOOLS=OFF \
    -DOPENEXR_INSTALL_TOOLS=OFF -DOPENEXR_BUILD_EXAMPLES=OFF -DOPENEXR_INSTALL_DOCS=OFF \
    -DBUILD_WEBSITE=OFF -DOPENEXR_BUILD_PYTHON=OFF -DOPENEXR_TEST_LIBRARIES=OFF \
    -DOPENEXR_TEST_TOOLS=OFF -DOPENEXR_TEST_PYTHON=OFF
cmake --build "$build" -j"${JOBS:-2}"
cmake --install "$build"
