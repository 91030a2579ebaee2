/* QOI module internals: pixel packing, the codec states and the hot loops
 * shared by the one-shot and streaming front ends. Depends only on common/. */
#ifndef EXRQOI_QOI_INTERNAL_H
#define EXRQOI_QOI_INTERNAL_H

#include "common/cpu.h"
#include "common/internal.h"
#include "io/stream.h"
#include "exrqoi/qoi.h"

#define EXRQOI__QOI_OP_INDEX 0x00
#define EXRQOI__QOI_OP_DIFF 0x40
#define EXRQOI__QOI_OP_LUMA 0x80
#define EXRQOI__QOI_OP_RUN 0xc0
#define EXRQOI__QOI_OP_RGB 0xfe
#define EXRQOI__QOI_OP_RGBA 0xff

/* A pixel is a uint32_t holding the bytes r,g,b,a in memory order, so
 * that loading 4 bytes of an RGBA image gives it directly and equality is
 * one compare. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define EXRQOI__QOI_BE 1
#define EXRQOI__QPX(r, g, b, a)                                                              \
    (((uint32_t)(r) << 24) | ((uint32_t)(g) << 16) | ((uint32_t)(b) << 8) | (uint32_t)(a))
#define EXRQOI__QR(v) ((uint32_t)(v) >> 24)
#define EXRQOI__QG(v) (((uint32_t)(v) >> 16) & 0xffu)
#define EXRQOI__QB(v) (((uint32_t)(v) >> 8) & 0xffu)
#define EXRQOI__QA(v) ((uint32_t)(v) & 0xffu)
#define EXRQOI__QRGB_MASK 0xffffff00u
#else
#define EXRQOI__QOI_BE 0
#define EXRQOI__QPX(r, g, b, a)                                                              \
    ((uint32_t)(r) | ((uint32_t)(g) << 8) | ((uint32_t)(b) << 16) | ((uint32_t)(a) << 24))
#define EXRQOI__QR(v) ((uint32_t)(v) & 0xffu)
#define EXRQOI__QG(v) (((uint32_t)(v) >> 8) & 0xffu)
#define EXRQOI__QB(v) (((uint32_t)(v) >> 16) & 0xffu)
#define EXRQOI__QA(v) ((uint32_t)(v) >> 24)
#define EXRQOI__QRGB_MASK 0x00ffffffu
#endif
#define EXRQOI__QALPHA_MASK (~(uint32_t)EXRQOI__QRGB_MASK)

/* (r*3 + g*5 + b*7 + a*11) % 64. On little-endian hosts one 64-bit multiply:
 * the channels are spread into 16-bit lanes and the constant puts the four
 * weighted products at bit 56, where no lower partial product can carry. */
static inline uint32_t exrqoi__qoi_hash(uint32_t v)
{
#if EXRQOI__QOI_BE
    return (EXRQOI__QR(v) * 3 + EXRQOI__QG(v) * 5 + EXRQOI__QB(v) * 7 + EXRQOI__QA(v) * 11) & 63;
#else
    uint64_t w = ((uint64_t)(v & 0xff00ff00u) << 24) | (v & 0x00ff00ffu);
    const uint64_t k = (3ull << 56) | (7ull << 40) | (5ull << 24) | (11ull << 8);
    return (uint32_t)((w * k) >> 56) & 63;
#endif
}

static inline uint32_t exrqoi__qoi_load32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Decoder state that survives between calls (rows, buffer refills). */
typedef struct exrqoi__qoi_dec {
    uint32_t index[64];
    uint32_t px;
    uint32_t run; /* pixels still to repeat px */
    int path;     /* exrqoi__qoi_decode_span's path, from the CPU kernels at init */
} exrqoi__qoi_dec;

EXRQOI_INTERNAL void exrqoi__qoi_dec_init(exrqoi__qoi_dec *st);

/* Decodes up to `npix` pixels into `out` (out_ch = 3 or 4 bytes each),
 * finishing any pending run first. An op is started only at *pos < lim;
 * the caller guarantees that data[*pos .. *pos+8) is readable whenever
 * *pos < lim (the end marker's 8 bytes follow lim). Any byte of
 * out[0 .. npix*out_ch) may be written, also beyond the pixels produced.
 * Returns the pixels produced (fewer than npix only when *pos reached
 * lim). */
EXRQOI_INTERNAL size_t exrqoi__qoi_decode_span(exrqoi__qoi_dec *st, const uint8_t *data,
                                               size_t *pos, size_t lim, uint8_t *out,
                                               size_t npix, int out_ch);
/* The same with a chosen path (for tests): 0 the exact loop alone
 * (portable, also big-endian), 1 the fast loop in portable C, 2 the fast
 * loop with SSE2, 3 the fast loop with NEON (each falls back to the best
 * one below that the build has). All give the same pixels and state. */
EXRQOI_INTERNAL size_t exrqoi__qoi_decode_span_path(int path, exrqoi__qoi_dec *st,
                                                    const uint8_t *data, size_t *pos, size_t lim,
                                                    uint8_t *out, size_t npix, int out_ch);

/* Encoder state. */
typedef struct exrqoi__qoi_enc {
    uint32_t index[64];
    uint32_t prev;
    uint32_t run; /* pixels equal to prev not yet written */
    int path;     /* exrqoi__qoi_encode_span's path, from the CPU kernels at init */
} exrqoi__qoi_enc;

/* Start of an image: zeroed index, previous pixel (0,0,0,255). */
EXRQOI_INTERNAL void exrqoi__qoi_enc_init(exrqoi__qoi_enc *st);
/* Start of a stripe that follows other data: the decoder's index then holds
 * entries this encoder does not know, so every slot is made unmatchable
 * (it holds a pixel whose hash is not the slot's) and only slots set within
 * the stripe are ever referenced. `prev` is the last pixel before the
 * stripe, which the decoder knows exactly. */
EXRQOI_INTERNAL void exrqoi__qoi_enc_init_stripe(exrqoi__qoi_enc *st, uint32_t prev);
/* Encodes `npix` pixels of `ch` (3/4) bytes. `out` must have room for
 * npix*(ch+1) + 1 bytes. A run may stay pending in st. Returns bytes written. */
EXRQOI_INTERNAL size_t exrqoi__qoi_encode_span(exrqoi__qoi_enc *st, const uint8_t *pixels,
                                               size_t npix, int ch, uint8_t *out);
/* The same with a chosen path (for tests): 0 portable C, 1 SSE2 (falls
 * back to 0 where the build lacks it). */
EXRQOI_INTERNAL size_t exrqoi__qoi_encode_span_path(int path, exrqoi__qoi_enc *st,
                                                    const uint8_t *pixels, size_t npix, int ch,
                                                    uint8_t *out);
/* Writes a pending run (at most 1 byte). Returns bytes written. */
EXRQOI_INTERNAL size_t exrqoi__qoi_encode_flush(exrqoi__qoi_enc *st, uint8_t *out);

/* Reads one pixel of `ch` bytes as the encoder sees it (alpha 255 for RGB). */
static inline uint32_t exrqoi__qoi_pixel_at(const uint8_t *p, int ch)
{
    return ch == 4 ? exrqoi__qoi_load32(p) : EXRQOI__QPX(p[0], p[1], p[2], 255);
}

/* ---- header, options ------------------------------------------------- */

/* The failure message of an exrqoi__qoi_opts whose status is not OK. */
#define EXRQOI__QOI_UNINIT_MSG \
    "QOI: options or limits not initialised (EXRQOI_QOI_OPTIONS_INIT, EXRQOI_LIMITS_INIT)"

typedef struct exrqoi__qoi_opts {
    exrqoi_qoi_options o;      /* copy with defaults filled in */
    exrqoi_allocator alloc;    /* copy of the caller's allocator */
    const exrqoi_allocator *a; /* &alloc or NULL */
    exrqoi_limits limits;
    exrqoi_result status; /* EXRQOI_ERR_INVALID_ARGUMENT: options or limits not initialised */
} exrqoi__qoi_opts;

EXRQOI_INTERNAL void exrqoi__qoi_opts_resolve(const exrqoi_qoi_options *in, exrqoi__qoi_opts *out);
/* Checks a description (for encoding) or a parsed header. */
EXRQOI_INTERNAL exrqoi_result exrqoi__qoi_check_desc(const exrqoi_qoi_desc *d,
                                                     const exrqoi_limits *limits,
                                                     exrqoi__err *err);
EXRQOI_INTERNAL exrqoi_result exrqoi__qoi_parse_header(const uint8_t *h, size_t size,
                                                       const exrqoi_limits *limits,
                                                       exrqoi_qoi_desc *d, exrqoi__err *err);
EXRQOI_INTERNAL void exrqoi__qoi_write_header(uint8_t h[EXRQOI_QOI_HEADER_SIZE],
                                              const exrqoi_qoi_desc *d);
EXRQOI_INTERNAL extern const uint8_t exrqoi__qoi_end_marker[EXRQOI_QOI_END_SIZE];

/* Files go through the library's sinks and sources (io/stream.h):
 * temporary file renamed into place, pread input. */

#endif
