/*
 * zlib-format (RFC 1950/1951) encoders made for EXR ZIP's predicted
 * bytes of photographs: the first half of a chunk (the low bytes of its
 * values, close to noise) and the second half (the high bytes: small
 * values and runs) each as literals and distance-1 runs in one dynamic
 * Huffman block (exrqoi__deflate_runs), or, the split encoder, the first
 * half so and the second by libdeflate. The matcher that libdeflate
 * would spend on them finds little that literals do not code as small,
 * and a block boundary at the half makes the output smaller too;
 * docs/benchmarks.md, "ZIP encode: an own deflater?" and "ZIP/ZIPS
 * encode of photographs without a matcher".
 */
#ifndef EXRQOI_CODEC_DEFLATE_ENC_H
#define EXRQOI_CODEC_DEFLATE_ENC_H

#include "common/internal.h"

struct libdeflate_compressor;

/* Level of the libdeflate compressor given for the second half. */
#define EXRQOI__DEFLATE_SPLIT_HIGH_LEVEL 4

/* Nonzero when the first half of `src` (n bytes) looks like noise: a
 * sampled match search finds almost no repeats other than runs. Where
 * it does repeat (synthetic images, float data) libdeflate on the whole
 * chunk is smaller. Depends on the bytes only. */
EXRQOI_INTERNAL int exrqoi__deflate_split_suits(const uint8_t *src, size_t n);

/* Largest output of exrqoi__deflate_split for n input bytes. */
EXRQOI_INTERNAL size_t exrqoi__deflate_split_bound(size_t n);

/* The zlib stream of src[0..n) into dst; `high` deflates the second
 * half. Returns its size, or 0 when it would exceed dst_cap (a dst_cap
 * of exrqoi__deflate_split_bound(n) always fits). Any data, any n. */
EXRQOI_INTERNAL size_t exrqoi__deflate_split(struct libdeflate_compressor *high, const uint8_t *src,
                                             size_t n, uint8_t *dst, size_t dst_cap);

/* ---- the LZ77 encoder of run-heavy chunks (deflate_lz.c) ------------ */

/* Largest output of exrqoi__deflate_lz for n input bytes: zlib header,
 * both halves stored, the bit writer's 8 bytes of room, Adler-32. */
static inline size_t exrqoi__deflate_lz_bound(size_t n) { return 2 + n + 6 * (n / 65535 + 2) + 8 + 4; }

/* Bytes of workspace exrqoi__deflate_lz needs for n input bytes. */
EXRQOI_INTERNAL size_t exrqoi__deflate_lz_work_size(size_t n);

/* The zlib stream of src[0..n) into dst, made by our own greedy matcher
 * for the flat, run-heavy chunks of CG images: distance-1 runs and
 * repeats of the last distance found by comparing bytes, 4-byte hash
 * chains 16 deep (in chunks of 16 KiB or more, 8 deep once a match of 8
 * bytes is found), matches of >= 32 bytes hashed at their ends only; a
 * block boundary at the half (the low and the high bytes of the
 * predicted values) in chunks of 16 KiB or more; each block dynamic,
 * fixed or stored, whichever is smallest. `work` holds
 * exrqoi__deflate_lz_work_size(n) bytes. Returns the size, or 0 when it
 * does not fit dst_cap (exrqoi__deflate_lz_bound(n) always fits). Any
 * data, any n; depends on the bytes only. */
EXRQOI_INTERNAL size_t exrqoi__deflate_lz(void *work, const uint8_t *src, size_t n, uint8_t *dst,
                                          size_t dst_cap);

/* A chunk's bytes in a sample (8 of every 32): of `seen` sampled bytes,
 * `repeats` equal the byte before. Both encoders' choosers read it, so
 * the writer samples a chunk once: they need the share, not every byte. */
typedef struct {
    size_t n; /* the chunk's size */
    size_t repeats, seen;
} exrqoi__deflate_sample;
EXRQOI_INTERNAL exrqoi__deflate_sample exrqoi__deflate_sample_of(const uint8_t *src, size_t n);

/* Nonzero for the chunks the writer gives exrqoi__deflate_lz: those with
 * at least 5/8 of the bytes equal to the one before, 3/4 in chunks of 16
 * KiB or more (ZIPS lines and ZIP blocks of flat CG images). There it is faster than libdeflate level 4
 * and about as small; on photographic chunks it is not faster
 * (docs/benchmarks.md, "ZIP encode of run-heavy chunks (zipenc7)" and
 * "(bbzip8a)"). Depends on the bytes only. */
EXRQOI_INTERNAL int exrqoi__deflate_lz_suits(exrqoi__deflate_sample s);

/* The zlib stream of src[0..n) with both halves as literal/run blocks
 * (or stored), no matcher: for photographs' predicted bytes (noise in
 * the low half, small values and runs in the high half) smaller than
 * libdeflate level 4 and a fraction of its cost. Returns its size, or 0
 * when nothing was written: the halves would code to fewer than
 * EXRQOI__DEFLATE_RUNS_MIN_BITS quarter bits a byte (data with repeats,
 * which a matcher codes smaller), or dst_cap is too small
 * (exrqoi__deflate_split_bound(n) always fits). Any data, any n. */
#define EXRQOI__DEFLATE_RUNS_MIN_BITS 14 /* 3.5 bits a byte */
/* Chunks shorter than this lose more to the two block headers. */
#define EXRQOI__DEFLATE_RUNS_MIN_SIZE 1024
/* Nonzero when few enough of a chunk's sampled bytes repeat the byte
 * before for exrqoi__deflate_runs to be worth trying: a chunk of mostly
 * runs codes to fewer bits than it accepts. Depends on the bytes only. */
EXRQOI_INTERNAL int exrqoi__deflate_runs_suits(exrqoi__deflate_sample s);
EXRQOI_INTERNAL size_t exrqoi__deflate_runs(const uint8_t *src, size_t n, uint8_t *dst, size_t dst_cap);

#endif
