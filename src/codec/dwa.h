/*
 * DWAA/DWAB internals shared by the dwa_*.c modules.
 *
 * Chunk layout (all integers little-endian):
 *   11 x uint64 sizes (DWA_* indices below), then for version 2 the
 *   channel rules (uint16 total size incl. itself, then per rule: suffix,
 *   NUL, packed byte (cscIdx+1)<<4 | scheme<<2 | caseInsensitive, pixel
 *   type byte), then the UNKNOWN data (zlib), AC (Huffman or zlib), DC
 *   (ZIP predictor + zlib) and RLE (byte RLE + zlib) streams.
 *
 * Decoding reproduces OpenEXR 3.1's C++ DwaCompressor bit for bit as it
 * runs on x86-64 with AVX+F16C (its AVX inverse DCT and F16C rounding).
 */
#ifndef EXRQOI_DWA_H
#define EXRQOI_DWA_H

#include "codec/record.h"
#include "common/half.h"

enum {
    DWA_VERSION = 0,
    DWA_UNKNOWN_UNCOMPRESSED_SIZE,
    DWA_UNKNOWN_COMPRESSED_SIZE,
    DWA_AC_COMPRESSED_SIZE,
    DWA_DC_COMPRESSED_SIZE,
    DWA_RLE_COMPRESSED_SIZE,
    DWA_RLE_UNCOMPRESSED_SIZE,
    DWA_RLE_RAW_SIZE,
    DWA_AC_UNCOMPRESSED_COUNT,
    DWA_DC_UNCOMPRESSED_COUNT,
    DWA_AC_COMPRESSION,
    DWA_NUM_SIZES
};
#define DWA_HEADER_SIZE (DWA_NUM_SIZES * 8)

/* Channel schemes, as numbered in the file's rules. */
enum { DWA_SCHEME_UNKNOWN = 0, DWA_SCHEME_LOSSY_DCT = 1, DWA_SCHEME_RLE = 2, DWA_NUM_SCHEMES = 3 };
/* AC entropy coders, as numbered in the header. */
enum { DWA_AC_HUFFMAN = 0, DWA_AC_DEFLATE = 1 };

/* ---- classification (dwa_classify.c) ----------------------------------- */

typedef struct dwa_rule {
    const char *suffix; /* not NUL-terminated when it points into a chunk */
    size_t suffix_len;
    int8_t csc_idx; /* -1, or 0/1/2 for R/G/B of a Y'CbCr triple */
    uint8_t scheme;
    uint8_t case_insensitive;
    uint8_t type; /* exrqoi_pixel_type */
} dwa_rule;

/* A list of rules: either a fixed table or the serialized rules of a
 * chunk (validated by exrqoi__dwa_rules_parse). */
typedef struct dwa_rules {
    const dwa_rule *fixed;
    size_t nfixed;
    const uint8_t *bytes; /* serialized rules (after the uint16 size) */
    size_t nbytes;
} dwa_rules;

/* Default rules (written by version-2 encoders) and the version 0/1 ones. */
EXRQOI_INTERNAL void exrqoi__dwa_rules_default(dwa_rules *r);
EXRQOI_INTERNAL void exrqoi__dwa_rules_legacy(dwa_rules *r);
/* Checks the serialized rules in `p` (exactly `n` bytes, the part after
 * the uint16 total size) and sets *r to iterate them. */
EXRQOI_INTERNAL exrqoi_result exrqoi__dwa_rules_parse(exrqoi__err *err, const uint8_t *p, size_t n,
                                                      dwa_rules *r);
/* Rule number i (0-based) into *out; returns false past the end. Parsed
 * rule lists are walked sequentially via *cursor (start at 0). */
EXRQOI_INTERNAL bool exrqoi__dwa_rules_next(const dwa_rules *r, size_t *cursor, dwa_rule *out);

/* Does the rule apply to a channel with this name suffix and type? */
EXRQOI_INTERNAL bool exrqoi__dwa_rule_match(const dwa_rule *rule, const char *suffix,
                                            size_t suffix_len, int type);

/* Result of classifying a block's channels. */
typedef struct dwa_plan {
    int nchan;
    uint8_t *scheme; /* per channel */
    int ncsc;
    int (*csc)[3]; /* channel indices of each Y'CbCr triple (R, G, B) */
    uint8_t *in_csc; /* per channel: 1 when part of a triple */
} dwa_plan;

/* Scratch bytes exrqoi__dwa_classify needs for `nchan` channels. */
EXRQOI_INTERNAL size_t exrqoi__dwa_plan_scratch(int nchan);
/* Classifies with OpenEXR's rules: the last matching rule sets the
 * scheme; RGB triples share a name prefix (up to the last '.') and
 * sampling, ordered by prefix bytes. `mem` holds plan_scratch bytes. */
EXRQOI_INTERNAL void exrqoi__dwa_classify(const exrqoi__block_layout *b, const dwa_rules *rules,
                                          void *mem, dwa_plan *plan);
/* Serialized size / bytes of the default rules that match some channel
 * (what a version-2 encoder stores), including the uint16 size. */
EXRQOI_INTERNAL size_t exrqoi__dwa_relevant_rules(const exrqoi__block_layout *b, uint8_t *out);
#define DWA_MAX_RULES_SIZE 128

/* ---- DCT and colour (dwa_dct.c) ----------------------------------------- */

/* OpenEXR's AVX coefficient table is written as double literals stored
 * into floats; the casts reproduce exactly those values. */
#define DWA_IA ((float)3.535536e-01)
#define DWA_IB ((float)4.903927e-01)
#define DWA_IC ((float)4.619398e-01)
#define DWA_ID ((float)4.157349e-01)
#define DWA_IE ((float)2.777855e-01)
#define DWA_IF ((float)1.913422e-01)
#define DWA_IG ((float)9.754573e-02)

/* Inverse 8x8 DCT in place, in the operation order of OpenEXR's AVX
 * kernel; rows at or below `live_rows` are known zero (1..8). */
EXRQOI_INTERNAL void exrqoi__dwa_idct(float *blk, int live_rows);
/* Inverse of a block holding only its DC term. */
EXRQOI_INTERNAL void exrqoi__dwa_idct_dc(float *blk);
/* Forward 8x8 DCT in place (OpenEXR's SSE2 operation order). */
EXRQOI_INTERNAL void exrqoi__dwa_fdct(float *blk);
/* Y'CbCr <-> R'G'B' (Rec. 709, no offsets) over n values. */
EXRQOI_INTERNAL void exrqoi__dwa_csc_inverse(float *c0, float *c1, float *c2, int n);
EXRQOI_INTERNAL void exrqoi__dwa_csc_forward(float *c0, float *c1, float *c2, int n);
/* Plain double-precision DCT-II/III for tests (orthonormal 8x8). */
EXRQOI_INTERNAL void exrqoi__dwa_ref_fdct(const double *in, double *out);
EXRQOI_INTERNAL void exrqoi__dwa_ref_idct(const double *in, double *out);

/* ---- decoder kernels: portable and SIMD paths (dwa_decode.c) ----------- */

/* 0 portable C, 1 SSE2, 2 AVX2+F16C, 3 NEON (cpu.h's path numbers). A path
 * the build or CPU lacks falls back to a slower one (on AArch64, 1 and 2
 * run the portable code); every path gives the same bits. */
enum { DWA_PATH_C = 0, DWA_PATH_SSE2 = 1, DWA_PATH_AVX = 2, DWA_PATH_NEON = 3 };
EXRQOI_INTERNAL int exrqoi__dwa_best_path(void);
/* Zig-zag slot -> index in a transposed (column-major) 8x8 block: where
 * the decoder puts coefficients. */
EXRQOI_INTERNAL extern const uint8_t exrqoi__dwa_zigzag_t[64];
/* Inverse DCT of 64 half coefficients stored column-major (`t`, 32-byte
 * aligned, rows >= live_rows zero) into row-major floats (`out`, 32-byte
 * aligned): the same bits as exrqoi__dwa_idct on the natural layout. */
EXRQOI_INTERNAL void exrqoi__dwa_idct_halves(int path, const uint16_t *t, float *out, int live_rows);
/* n floats -> halves as F16C rounds them (exrqoi__dwa_f2h), any alignment. */
EXRQOI_INTERNAL void exrqoi__dwa_f2h_n(int path, const float *in, uint16_t *out, size_t n);
/* One block's AC symbols from ac[*pos..n) into the column-major halves
 * `t` (65 entries, 0..63 zero on entry; entry 64 is scratch): returns
 * the last coded zig-zag slot (0: none) or -1 when the symbols run out;
 * *pos moves past the block's symbols. Every path gives the same. */
EXRQOI_INTERNAL int exrqoi__dwa_unrle(int path, const uint16_t *ac, size_t n, size_t *pos, uint16_t *t);
/* Live rows implied by the last coded zig-zag slot (>= 1). */
EXRQOI_INTERNAL int exrqoi__dwa_live_rows(int last);

/* ---- quantisation, zig-zag, transfer curves (dwa_quant.c) -------------- */

/* zig-zag position -> natural (row-major) index, and its inverse. */
EXRQOI_INTERNAL extern const uint8_t exrqoi__dwa_zigzag[64];
EXRQOI_INTERNAL void exrqoi__dwa_zigzag_inverse(uint8_t out[64]);
/* JPEG tables normalised by their smallest entry (natural order). */
EXRQOI_INTERNAL void exrqoi__dwa_quant_tables(float y[64], float cbcr[64]);
/* OpenEXR's quantiser: among halves with fewer set bits than `h`, the
 * one with the fewest bits whose distance is below `tolerance`. */
EXRQOI_INTERNAL uint16_t exrqoi__dwa_quantize(uint16_t h, float tolerance);
/* The closest half to `h` with exactly `bits` set bits (ties: lowest bit
 * pattern), as OpenEXR's candidate table holds it. */
EXRQOI_INTERNAL uint16_t exrqoi__dwa_closest(uint16_t h, int bits);
/* float -> half as the F16C instruction rounds (nearest even, quiet NaN). */
EXRQOI_INTERNAL uint16_t exrqoi__dwa_f2h(float f);
static inline uint16_t dwa_f2h(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    if (EXRQOI_UNLIKELY((x & 0x7fffffffu) > 0x7f800000u)) /* NaN: F16C keeps the payload top and quiets */
        return (uint16_t)(((x >> 16) & 0x8000u) | 0x7e00u | ((x & 0x7fffffu) >> 13));
    return exrqoi__f2h(f);
}
/* Fills the candidate table (65537 offsets, 524288 entries): the same
 * values as exrqoi__dwa_closest, computed in one sweep. `hf` holds the
 * float value of every half. */
EXRQOI_INTERNAL void exrqoi__dwa_candidates_fill(uint32_t *off, uint16_t *cand, const float *hf);
/* Every half's quantiser candidates (exrqoi__dwa_closest for 0 ..
 * popcount(h)-1 bits) at offsets[h] .. offsets[h+1]-1, and their float
 * values in *values; built once per process, like the curve tables. */
EXRQOI_INTERNAL const uint16_t *exrqoi__dwa_candidates(const uint32_t **offsets, const float **values);
/* exrqoi__dwa_quantize through those tables. */
static inline uint16_t dwa_quantize_tab(const uint16_t *cand, const float *cand_f,
                                        const uint32_t *off, uint16_t h, float tolerance)
{
    if ((h & 0x7c00) == 0x7c00) return h; /* inf/NaN: never within the error */
    float v = exrqoi__h2f(h);
    for (uint32_t i = off[h], e = off[h + 1]; i < e; i++) {
        float d = cand_f[i] - v;
        if ((d < 0 ? -d : d) < tolerance) return cand[i];
    }
    return h;
}
/* Transfer curves (one value). */
EXRQOI_INTERNAL uint16_t exrqoi__dwa_to_linear(uint16_t h);
EXRQOI_INTERNAL uint16_t exrqoi__dwa_to_nonlinear(uint16_t h);
/* Both curves as 65536-entry tables, built once per process on first use
 * and read-only afterwards (as OpenEXR's own tables). The linear one may
 * be read 4 bytes at any entry (two zero entries follow it). */
EXRQOI_INTERNAL const uint16_t *exrqoi__dwa_to_linear_table(void);
EXRQOI_INTERNAL const uint16_t *exrqoi__dwa_to_nonlinear_table(void);

/* ---- entropy stages (dwa_entropy.c) ------------------------------------- */

/* Run-length codes zig-zag slots 1..63; returns the values written
 * (at most 63). */
EXRQOI_INTERNAL size_t exrqoi__dwa_rle_ac(const uint16_t *zig, uint16_t *out);
/* The same with bit i of nz set exactly when zig[i] != 0. */
EXRQOI_INTERNAL size_t exrqoi__dwa_rle_ac_mask(const uint16_t *zig, uint64_t nz, uint16_t *out);
/* OpenEXR's byte RLE (ImfRle), no predictor. */
EXRQOI_INTERNAL size_t exrqoi__dwa_rle_bytes(const uint8_t *in, size_t n, uint8_t *out);
EXRQOI_INTERNAL bool exrqoi__dwa_unrle_bytes(const uint8_t *in, size_t n, uint8_t *out, size_t out_n);
/* zlib-format deflate with libdeflate at `level` (the bytes OpenEXR 3.2+
 * writes; 3.1's zlib wrote others that decode the same). */
EXRQOI_INTERNAL size_t exrqoi__dwa_zlib_bound(size_t n);
EXRQOI_INTERNAL exrqoi_result exrqoi__dwa_zlib(exrqoi__codec_ctx *ctx, int level, const uint8_t *src,
                                               size_t n, uint8_t *dst, size_t cap, size_t *out);

/* ---- decoder / encoder -------------------------------------------------- */

/* Byte offsets of every sampled line of every channel in the unpacked
 * block: channel c's line r starts at rows[first[c] + r]. `rows` holds
 * sum of heights entries, `first` nchan. Fails on an inconsistent layout. */
EXRQOI_INTERNAL exrqoi_result exrqoi__dwa_rows(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                               size_t *rows, size_t *first);
/* Sum of the channels' sampled line counts. */
EXRQOI_INTERNAL size_t exrqoi__dwa_row_count(const exrqoi__block_layout *b);

EXRQOI_INTERNAL exrqoi_result exrqoi__dwa_decode(exrqoi__codec_ctx *ctx,
                                                 const exrqoi__block_layout *b, const uint8_t *src,
                                                 size_t n, uint8_t *dst);
/* exrqoi__dwa_decode with a chosen kernel path (DWA_PATH_*), for tests. */
EXRQOI_INTERNAL exrqoi_result exrqoi__dwa_decode_path(exrqoi__codec_ctx *ctx,
                                                      const exrqoi__block_layout *b,
                                                      const uint8_t *src, size_t n, uint8_t *dst,
                                                      int path);
/* Decoding straight into the caller's memory (see exrqoi__segment):
 * lines go to their destination, lines not wanted or split between
 * places through scratch. For exrqoi__decompress_block_covered, whose
 * caller checks that the segments cover the block. */
EXRQOI_INTERNAL exrqoi_result exrqoi__dwa_decompress_segments(exrqoi__codec_ctx *ctx,
                                                              const exrqoi__block_layout *b,
                                                              const uint8_t *src, size_t n,
                                                              const exrqoi__segment *seg, size_t nseg);
/* The same with a chosen kernel path, for tests. */
EXRQOI_INTERNAL exrqoi_result exrqoi__dwa_decode_segments_path(exrqoi__codec_ctx *ctx,
                                                               const exrqoi__block_layout *b,
                                                               const uint8_t *src, size_t n,
                                                               const exrqoi__segment *seg,
                                                               size_t nseg, int path);
EXRQOI_INTERNAL size_t exrqoi__dwa_bound(const exrqoi__block_layout *b);
/* ac_coder: DWA_AC_HUFFMAN (OpenEXR's choice except for DWAA tiles) or
 * DWA_AC_DEFLATE (OpenEXR's choice for DWAA tiles). */
EXRQOI_INTERNAL exrqoi_result exrqoi__dwa_encode(exrqoi__codec_ctx *ctx,
                                                 const exrqoi__block_layout *b, const uint8_t *src,
                                                 uint8_t *dst, size_t cap, size_t *out,
                                                 int ac_coder);

/* Arena carving helper: returns p rounded up to 16 and advances *used. */
static inline void *dwa_carve(uint8_t *base, size_t *used, size_t bytes)
{
    size_t at = (*used + 15) & ~(size_t)15;
    *used = at + bytes;
    return base ? base + at : NULL;
}

/* Blocks of 8 covering n samples. */
static inline size_t dwa_blocks(int32_t n) { return n > 0 ? ((size_t)n + 7) / 8 : 0; }

#endif
