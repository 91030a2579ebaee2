/*
 * HTJ2K decoder internals: the HT block decoder (htj2k_dec_block.c), the
 * inverse wavelet and colour transform (htj2k_dec_wavelet.c) and the VLC
 * lookup tables (htj2k_dec_vlc.c), used by the codestream decoder
 * (htj2k_dec_stream.c) and the unit tests.
 */
#ifndef EXRQOI_HTJ2K_DEC_H
#define EXRQOI_HTJ2K_DEC_H

#include "codec/htj2k.h"

/* exrqoi__htj2k_decode_codestream, with `raw` true leaving the samples
 * before the inverse DC level shift and NLT (the chunk decoder applies
 * them while it writes the samples out, htj2k_dec.c), 32-bit where the
 * component allows (samples32), and, for a single-tile image, before the
 * inverse RCT (img->rct_pending). */
EXRQOI_INTERNAL exrqoi_result exrqoi__htj2k_decode_codestream_raw(const exrqoi_allocator *alloc, exrqoi__err *err,
                                                                  const uint8_t *cs, size_t cs_size,
                                                                  const exrqoi__htj2k_expect *expect,
                                                                  uint64_t max_samples, exrqoi__htj2k_ws *ws,
                                                                  exrqoi__htj2k_image *img, bool raw);

/* Called by a raw decode when rows 0..rows-1 of every component are final
 * (img->rct_pending set as it will be); an error stops the decode with it. */
typedef exrqoi_result (*exrqoi__htj2k_rows_fn)(void *arg, uint32_t rows);
/* exrqoi__htj2k_decode_codestream_raw telling `rows_fn` as rows become
 * final, strip by strip, when the codestream is one tile whose components
 * all have the image's size, int32 coefficients and at least one
 * wavelet level (otherwise it is not called): a caller writing the rows
 * out as they come reads them while they are in cache. */
EXRQOI_INTERNAL exrqoi_result exrqoi__htj2k_decode_codestream_rows(const exrqoi_allocator *alloc, exrqoi__err *err,
                                                                   const uint8_t *cs, size_t cs_size,
                                                                   const exrqoi__htj2k_expect *expect,
                                                                   uint64_t max_samples, exrqoi__htj2k_ws *ws,
                                                                   exrqoi__htj2k_image *img, bool raw,
                                                                   exrqoi__htj2k_rows_fn rows_fn, void *rows_arg);

/* CxtVLC lookup: index = context * 128 + the next 7 bits of the VLC stream
 * (first bit in the LSB). Entry bits 16-31 (the quad's qinf entry): 0-2
 * codeword length, 3 u_off, 4-7 rho (significance of the quad's samples:
 * bit 0 top-left, 1 bottom-left, 2 top-right, 3 bottom-right), 8-11 e_1,
 * 12-15 e_k. Bits 0-15, for the VLC loop's dependency chain: 0-5 the
 * codeword length alone (a shift by the entry skips the codeword), 7-9
 * the context bits (shifted by 7) the quad gives the quad to its right,
 * 11 u_off. Table 0 is for the first row of quads, table 1 for the
 * others. */
EXRQOI_INTERNAL extern const uint32_t exrqoi__htj2k_vlc_tbl0[1024];
EXRQOI_INTERNAL extern const uint32_t exrqoi__htj2k_vlc_tbl1[1024];

/* U-VLC lookup for a pair of quads: index = mode * 64 + the next 6 bits
 * (first bit in the LSB). Modes: 0 no quad has u_off, 1 quad 0 only, 2
 * quad 1 only, 3 both, 4 both in the first row after a MEL 0 (a long
 * first prefix makes quad 1's u one bit), 5 both in the first row after a
 * MEL 1 (2 added to each). Entry bits: 0-3 prefix bits (both prefixes),
 * 4-7 and 8-11 suffix lengths of quad 0 and 1 (the suffixes follow the
 * prefixes, quad 0's first), 12-15 the amount added to both u after
 * u_ext, 16-23 and 24-31 the u of quad 0 and 1 before their suffix. */
EXRQOI_INTERNAL extern const uint32_t exrqoi__htj2k_uvlc_tbl[6 * 64];
/* The same when no prefix is "000" (the usual case: u at most 4 each, 6
 * in mode 5): index = mode (0-5) * 256 + the next 8 bits; entry bits 0-5
 * the bits used alone (a shift by the entry skips them), 8-15 u of quad
 * 0, 16-23 u of quad 1 (so both store as one 16-bit word), or 0x80000000
 * for a pair that needs exrqoi__htj2k_uvlc_tbl. */
EXRQOI_INTERNAL extern const uint32_t exrqoi__htj2k_uvlc_short[6 * 256];

/* The block decoder's U-VLC step (T.814 7.3.6) for a pair of quads: u of
 * quad 0 and 1 from the next bits (at most 24 used, first bit in the LSB)
 * in table `mode` above; `first` for the first row of quads (modes 4 and
 * 5 occur only there). Returns the bits used. The cleanup pass inlines
 * the same function (uvlc_pair); this out-of-line entry is for the tests. */
EXRQOI_INTERNAL uint32_t exrqoi__htj2k_uvlc_pair(uint64_t bits, uint32_t mode, uint32_t *u0, uint32_t *u1,
                                                 bool first);

/* kappa below the first row (T.814 7.3.7): index = rho * 64 + the largest
 * exponent E above the quad (below 64); kappa = E - 1 when the quad has
 * two or more significant samples and E > 2, else 1. */
EXRQOI_INTERNAL extern const uint8_t exrqoi__htj2k_kappa[16 * 64];

/* MEL decoding (T.814 7.3.3) by the state k and the next 6 bits: index =
 * k * 64 + those bits (the first in bit 5); entry bits 0-6 the run code
 * (2 * the zero events, + 1 when a one event ends the run), 7-9 the
 * bits used (1 to 6), 10-13 the next k. */
EXRQOI_INTERNAL extern const uint16_t exrqoi__htj2k_mel_tbl[13 * 64];

/* Largest code-block side and area (T.800: xcb, ycb <= 10, xcb + ycb <= 12). */
#define EXRQOI__HTJ2K_CB_MAX_SIDE 1024
#define EXRQOI__HTJ2K_CB_MAX_AREA 4096

/* One code-block's coded data and where its cleanup pass sits. */
typedef struct exrqoi__htj2k_cblk {
    const uint8_t *data; /* cleanup segment, then the refinement segment */
    uint32_t len_cup;    /* Lcup: cleanup (MagSgn + MEL + VLC) bytes */
    uint32_t len_ref;    /* SigProp + MagRef bytes */
    uint32_t passes;     /* 1 = cleanup only, 2 = + SigProp, 3 = + MagRef */
    uint32_t p;          /* bit-plane of the cleanup pass's LSB */
    uint32_t missing;    /* missing MSBs (zero bit-planes + placeholder passes) */
    uint32_t width, height;
    bool stripe_causal;
} exrqoi__htj2k_cblk;

/* Scratch for one block decode, allocated once per decoder. */
typedef struct exrqoi__htj2k_block_scratch {
    /* sign (bit 63) and twice the magnitude (bin centre in bit 0), padded
     * to even width and height plus a border */
    uint64_t mag[(EXRQOI__HTJ2K_CB_MAX_SIDE + 4) * 6 + EXRQOI__HTJ2K_CB_MAX_AREA * 2];
    uint8_t sig[(EXRQOI__HTJ2K_CB_MAX_SIDE + 4) * 6 + EXRQOI__HTJ2K_CB_MAX_AREA * 2];
    uint8_t exps[2][EXRQOI__HTJ2K_CB_MAX_SIDE + 4]; /* E of the previous/current quad row's last line */
    uint16_t qinf[EXRQOI__HTJ2K_CB_MAX_SIDE / 2 + 2]; /* one quad row's CxtVLC entries (from index 1) ... */
    uint8_t uq[EXRQOI__HTJ2K_CB_MAX_SIDE / 2 + 2];    /* ... and exponent bounds U */
    uint16_t pre[EXRQOI__HTJ2K_CB_MAX_SIDE / 2 + 8];  /* what a quad row takes from the row above */
} exrqoi__htj2k_block_scratch;

/* Decodes one HT code-block into `out` (width x height coefficients, row
 * pitch `stride`). Corrupt data gives EXRQOI_ERR_CORRUPT with detail. */
EXRQOI_INTERNAL exrqoi_result exrqoi__htj2k_decode_block(exrqoi__htj2k_block_scratch *s,
                                                         const exrqoi__htj2k_cblk *cb, int64_t *out,
                                                         size_t stride, exrqoi__err *err);
/* exrqoi__htj2k_decode_block into 32-bit coefficients, for components
 * whose subbands have at most 30 magnitude bit-planes (the caller checks
 * that from QCD); a block coding more planes than fit is EXRQOI_ERR_CORRUPT. */
EXRQOI_INTERNAL exrqoi_result exrqoi__htj2k_decode_block32(exrqoi__htj2k_block_scratch *s,
                                                           const exrqoi__htj2k_cblk *cb, int32_t *out,
                                                           size_t stride, exrqoi__err *err);
/* exrqoi__htj2k_decode_block32 with the MagSgn kernel of a path
 * (exrqoi__kernels.htdwt: EXRQOI__PATH_AVX2 has one; any other path, and
 * exrqoi__htj2k_decode_block32 itself, runs the portable code). Same
 * coefficients and errors on every path. */
EXRQOI_INTERNAL exrqoi_result exrqoi__htj2k_decode_block32_path(exrqoi__htj2k_block_scratch *s,
                                                                const exrqoi__htj2k_cblk *cb, int32_t *out,
                                                                size_t stride, exrqoi__err *err, int path);

/* MEL decoder state (exposed for the unit tests). */
typedef struct exrqoi__htj2k_mel {
    const uint8_t *data;
    uint32_t left;   /* bytes not yet read */
    uint64_t acc;    /* bits not yet used, the next one in bit 63 */
    int nbits;       /* how many */
    bool unstuff;    /* the previous byte was 0xFF */
    int k;           /* MEL state 0..12 */
    uint32_t run;    /* zero events left before the next symbol */
    bool one;        /* a one event follows the run */
    uint32_t next;   /* the cleanup pass's run codes decoded ahead: runs[next..8) */
    uint8_t runs[8];
} exrqoi__htj2k_mel;
EXRQOI_INTERNAL void exrqoi__htj2k_mel_init(exrqoi__htj2k_mel *m, const uint8_t *data, uint32_t size);
EXRQOI_INTERNAL int exrqoi__htj2k_mel_event(exrqoi__htj2k_mel *m);

/* Reversible 5/3 synthesis of one line: x[0..n) holds the interleaved
 * low/high samples of absolute positions first..first+n-1 (even positions
 * low-pass); `step` is the distance between samples in memory. */
EXRQOI_INTERNAL void exrqoi__htj2k_idwt53_line(int64_t *x, size_t n, size_t step, uint32_t first);

/* One level of 2D reversible synthesis: ll, hl, lh, hh (row pitches equal
 * to their widths) into out (rw x rh, pitch rw) for the resolution
 * spanning [x0, x0 + rw) x [y0, y0 + rh). */
EXRQOI_INTERNAL void exrqoi__htj2k_idwt53_2d(int64_t *out, uint32_t x0, uint32_t y0, uint32_t rw,
                                            uint32_t rh, const int64_t *ll, const int64_t *hl,
                                            const int64_t *lh, const int64_t *hh);

/* The same on 32-bit coefficients (components whose subbands have at most
 * 30 magnitude bit-planes), with the vertical lifting on SIMD path `path`
 * (exrqoi__kernels.htdwt: EXRQOI__PATH_C, _SSE2, _AVX2 or _NEON; a path the
 * build lacks runs the portable code). Every path gives the same values. */
EXRQOI_INTERNAL void exrqoi__htj2k_idwt53_2d_32(int path, int32_t *out, uint32_t x0, uint32_t y0, uint32_t rw,
                                               uint32_t rh, const int32_t *ll, const int32_t *hl,
                                               const int32_t *lh, const int32_t *hh);

/* exrqoi__htj2k_idwt53_2d_32 in parts: the rows t0 <= t < t1 of its sweep
 * down the output (calls over consecutive ranges from 0 to rh give the
 * same values as one call); afterwards the rows below t1 - 2 are final,
 * and every row once t1 >= rh. With ring 0, out holds all rh rows; else
 * only ring of them (a power of two, at least t1 - t0 + 3): row t at row
 * t % ring, and a call overwrites the rows before t0 - 3. */
EXRQOI_INTERNAL void exrqoi__htj2k_idwt53_2d_32_rows(int path, int32_t *out, uint32_t x0, uint32_t y0, uint32_t rw,
                                                    uint32_t rh, const int32_t *ll, const int32_t *hl,
                                                    const int32_t *lh, const int32_t *hh, uint32_t t0, uint32_t t1,
                                                    uint32_t ring);

/* Inverse reversible colour transform in place: c0 = Y, c1 = Cb, c2 = Cr
 * become R, G, B. */
EXRQOI_INTERNAL void exrqoi__htj2k_inverse_rct(int64_t *c0, int64_t *c1, int64_t *c2, size_t n);
EXRQOI_INTERNAL void exrqoi__htj2k_inverse_rct32(int path, int32_t *c0, int32_t *c1, int32_t *c2, size_t n);

/* One line of n raw 32-bit samples of component c (before the inverse DC
 * level shift and NLT, which it applies) as `size`-byte little-endian
 * EXR samples at o, on SIMD path `path` (exrqoi__kernels.htdwt; a path
 * the build lacks runs the portable code; every path gives the same
 * bytes). Returns o + n * size. */
EXRQOI_INTERNAL uint8_t *exrqoi__htj2k_put_line32(uint8_t *o, const int32_t *s, uint32_t n, int size,
                                                  const exrqoi__htj2k_comp *c, int path);

/* Wrapping arithmetic: hostile coefficients may not overflow into UB. */
static inline int64_t exrqoi__htj2k_add(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static inline int64_t exrqoi__htj2k_sub(int64_t a, int64_t b) { return (int64_t)((uint64_t)a - (uint64_t)b); }

#endif
