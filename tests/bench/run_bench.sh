#!/bin/sh
# Runs the side-by-side benchmark the way docs/benchmarks.md reports it.
# usage: run_bench.sh BUILD_DIR SHARED_DIR [OUT_DIR]
#   RUNS=7       timed runs per engine inside one program run (median)
#   ROUNDS=3     program runs per group, alternating exrqoi_bench (Debian's
#                OpenEXR) and exrqoi_bench_main (OpenEXR main, when built
#                with -DEXRQOI_BENCH_OPENEXR_MAIN); the summary takes the best
#   THREADS=1,2  thread counts
#   BENCH_GROUPS="corpus codecs encode qoi"   which parts to run; also
#                `files`: decode of the files in BENCH_FILES
#   ENCODE_FILES, ENCODE_CODECS   the encode group's files and codecs
# Codecs the corpus lacks (none, rle, b44a, dwaa, dwab, htj2k) and ZIP/PXR24 copies
# of Desk and GoldenGate (the inflate-only comparison) are made from
# corpus files with `exrqoi convert --compression X` into OUT_DIR.
# Output: the raw lines of every program run, then per group a summary: ours
# against the FASTEST OpenEXR engine (C core or C++, either version).
set -eu
build=$1
shared=$2
out=${3:-${TMPDIR:-/tmp}/exrqoi-bench}
tool=$build/exrqoi
benches=$build/tests/bench/exrqoi_bench
[ -x "$build/tests/bench/exrqoi_bench_main" ] && benches="$benches $build/tests/bench/exrqoi_bench_main"
corpus=$shared/corpus/openexr-images
runs=${RUNS:-7}
rounds=${ROUNDS:-3}
threads=${THREADS:-1,2}
groups=${BENCH_GROUPS:-corpus codecs encode qoi}
mkdir -p "$out"
desk=$corpus/ScanLines/Desk.exr
gg=$corpus/Tiles/GoldenGate.exr
mp=$corpus/Beachball/multipart.0001.exr
for c in none rle zips zip pxr24 b44a dwaa dwab htj2k256 htj2k32; do
  for f in "$desk" "$gg"; do
    g=$out/$(basename "$f" .exr)_$c.exr
    [ -f "$g" ] || "$tool" convert "$f" "$g" --compression "$c"
  done
done
for c in htj2k256 htj2k32; do
  g=$out/multipart.0001_$c.exr
  [ -f "$g" ] || "$tool" convert "$mp" "$g" --compression "$c"
done

# summary of raw lines (all rounds, both programs): best time per engine
summarize() {
  awk '
  /^# exrqoi_bench:/ { v = $0; sub(/.*OpenEXR /, "", v); sub(/,.*/, "", v); next }
  / qoi +(de|en)code thr=/ {
    k = $1 " qoi " $3 " " $4
    keep(k, "ours", val("ours")); keep(k, "qoi.h", val("qoi.h"))
    next
  }
  / decode thr=/ {
    k = $1 " " $2 " decode " $4
    t = val("ours"); keep(k, "ours", t)
    keep(k, "core-" v, val("exr-c")); keep(k, "c++-" v, val("exr-c++"))
    keep(k, "inflate", val("inflate-only")); keep(k, "memcpy", val("memcpy"))
    keep(k, "inflate+copy", val("inflate+copy"))
    next
  }
  / encode thr=/ {
    k = $1 " " $2 " encode " $4
    keep(k, "ours", val("ours")); keep(k, "c++-" v, val("exr-c++"))
    for (i = 1; i <= NF; i++) {
      if ($i == "ours") osz[k] = $(i + 3)
      if ($i == "exr-c++" && $(i + 3) + 0 > 0) xsz[k "c++-" v] = $(i + 3)
    }
    next
  }
  function val(name,   i) {
    for (i = 1; i < NF; i++) if ($i == name) return $(i + 1) + 0
    return 0
  }
  function keep(k, e, t) {
    if (!(k in seen)) { seen[k] = 1; order[n++] = k }
    if (t > 0 && (!((k, e) in best) || t < best[k, e])) best[k, e] = t
    if (t > 0) eng[e] = 1
  }
  END {
    printf "%-44s %9s %-16s %9s %7s %s\n", "file codec op threads", "ours ms", "fastest reference", "its ms", "ratio", "notes"
    for (j = 0; j < n; j++) {
      k = order[j]; fb = 0; fe = "-"
      for (e in eng) {
        if (e == "ours" || e == "inflate" || e == "inflate+copy" || e == "memcpy") continue
        if (((k, e) in best) && (fb == 0 || best[k, e] < fb)) { fb = best[k, e]; fe = e }
      }
      o = ((k, "ours") in best) ? best[k, "ours"] : 0
      note = ""
      if ((k, "inflate") in best) note = sprintf("inflate-only %.3f ms, ours at %.0f%%", best[k, "inflate"], o > 0 ? 100 * best[k, "inflate"] / o : 0)
      if ((k, "inflate+copy") in best)
        note = note sprintf("; inflate+copy %.3f ms, ours at %.0f%%", best[k, "inflate+copy"],
                            o > 0 ? 100 * best[k, "inflate+copy"] / o : 0)
      if ((k, "memcpy") in best) note = sprintf("memcpy %.3f ms", best[k, "memcpy"])
      if ((k in osz) && ((k fe) in xsz)) note = sprintf("size ours/theirs %.3f", osz[k] / xsz[k fe])
      printf "%-44s %9.3f %-16s %9.3f %6.2fx %s\n", k, o, fe, fb, (o > 0 && fb > 0) ? fb / o : 0, note
    }
  }'
}

# ROUNDS alternating runs of every benchmark program on the same arguments
group() {
  title=$1
  shift
  echo "## $title"
  raw=$out/raw-$(echo "$title" | tr ' ,' '__').txt
  : > "$raw"
  r=0
  while [ "$r" -lt "$rounds" ]; do
    for b in $benches; do
      "$b" "$@" --runs "$runs" | tee -a "$raw"
    done
    r=$((r + 1))
  done
  echo "### summary: $title (best of $rounds rounds; ratio > 1: ours faster)"
  summarize < "$raw"
}

for g in $groups; do
  case $g in
    corpus) group "decode: corpus" $(find "$corpus" -name '*.exr' ! -path '*/Damaged/*' | sort) --threads "$threads" ;;
    codecs) group "decode: generated codecs" "$out"/*.exr --threads "$threads" ;;
    encode)
      codecs=${ENCODE_CODECS:-zip,piz,b44,dwaa,htj2k256,htj2k32}
      # shellcheck disable=SC2086
      group "encode $codecs" ${ENCODE_FILES:-"$desk" "$gg" "$corpus/MultiView/Fog.exr" "$corpus/ScanLines/Carrots.exr" "$mp"} \
        --encode "$codecs" --threads "$threads" ;;
    # shellcheck disable=SC2086
    files) group "decode: chosen files" $BENCH_FILES --threads "$threads" ;;
    qoi) group "qoi" "$shared"/corpus/qoi/*.qoi ;;
  esac
done
