#!/bin/sh
# Runs the side-by-side benchmark the way docs/benchmarks.md reports it.
# usage: run_bench.sh BUILD_DIR SHARED_DIR [OUT_DIR]
# Codecs the corpus lacks (none, rle, b44a, dwaa, dwab) are made from
# corpus files with `exrqoi convert --compression X` into OUT_DIR.
set -eu
build=$1
shared=$2
out=${3:-${TMPDIR:-/tmp}/exrqoi-bench}
tool=$build/exrqoi
bench=$build/tests/bench/exrqoi_bench
corpus=$shared/corpus/openexr-images
mkdir -p "$out"
for c in none rle zips b44a dwaa dwab; do
  for f in ScanLines/Desk.exr Tiles/GoldenGate.exr; do
    "$tool" convert "$corpus/$f" "$out/$(basename "$f" .exr)_$c.exr" --compression "$c"
  done
done
exrs=$(find "$corpus" -name '*.exr' ! -path '*/Damaged/*' | sort)
echo "## decode: corpus"
"$bench" $exrs --runs "${RUNS:-7}"
echo "## decode: generated codecs"
"$bench" "$out"/*.exr --runs "${RUNS:-7}"
echo "## encode zip,piz,b44"
"$bench" "$corpus/ScanLines/Desk.exr" "$corpus/Tiles/GoldenGate.exr" "$corpus/MultiView/Fog.exr" \
  "$corpus/ScanLines/Carrots.exr" --encode zip,piz,b44 --runs "${RUNS:-7}"
echo "## qoi"
"$bench" "$shared"/corpus/qoi/*.qoi --runs "${RUNS:-7}"
