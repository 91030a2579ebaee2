/*
 * HTJ2K256 / HTJ2K32 (OpenEXR 3.4): facts shared by the decoder
 * (htj2k_dec*.c) and the encoder (htj2k_enc*.c).
 *
 * A chunk is a small header and then a JPEG 2000 codestream (ITU-T T.800
 * with the High-Throughput block coder of T.814):
 *   magic 0x4854 ("HT"), big-endian u16
 *   PLEN: payload length, big-endian u32
 *   payload: NCH (big-endian u16), then NCH big-endian u16 file channel
 *            indices, codestream component i -> file channel CS_TO_F[i];
 *            any further payload bytes are opaque
 *   the codestream
 * OpenEXR codes half as signed 16-bit, float as signed 32-bit (both with
 * the type-3 NLT, binary complement) and uint as unsigned 32-bit samples.
 */
#ifndef EXRQOI_HTJ2K_H
#define EXRQOI_HTJ2K_H

#include "codec/codec.h" /* the format tests decode through the registry */

#define EXRQOI__HTJ2K_MAGIC 0x4854u
#define EXRQOI__HTJ2K_PREFIX 6u /* magic + PLEN */

/* Codestream markers (T.800 Annex A, T.814 Annex A). */
enum {
    EXRQOI__J2K_SOC = 0xFF4F,
    EXRQOI__J2K_CAP = 0xFF50,
    EXRQOI__J2K_SIZ = 0xFF51,
    EXRQOI__J2K_COD = 0xFF52,
    EXRQOI__J2K_COC = 0xFF53,
    EXRQOI__J2K_TLM = 0xFF55,
    EXRQOI__J2K_PLM = 0xFF57,
    EXRQOI__J2K_PLT = 0xFF58,
    EXRQOI__J2K_CPF = 0xFF59,
    EXRQOI__J2K_QCD = 0xFF5C,
    EXRQOI__J2K_QCC = 0xFF5D,
    EXRQOI__J2K_RGN = 0xFF5E,
    EXRQOI__J2K_POC = 0xFF5F,
    EXRQOI__J2K_PPM = 0xFF60,
    EXRQOI__J2K_PPT = 0xFF61,
    EXRQOI__J2K_CRG = 0xFF63,
    EXRQOI__J2K_COM = 0xFF64,
    EXRQOI__J2K_NLT = 0xFF76,
    EXRQOI__J2K_SOT = 0xFF90,
    EXRQOI__J2K_SOP = 0xFF91,
    EXRQOI__J2K_EPH = 0xFF92,
    EXRQOI__J2K_SOD = 0xFF93,
    EXRQOI__J2K_EOC = 0xFFD9
};

/* The NLT type OpenEXR uses for half and float channels. */
#define EXRQOI__J2K_NLT_BINARY_COMPLEMENT 3

/* Chunk header helpers (the encoder writes what the decoder reads). */
static inline uint32_t exrqoi__htj2k_be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static inline uint32_t exrqoi__htj2k_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- decoding a bare codestream (used by the chunk decoder, tests, fuzz) --- */

#define EXRQOI__HTJ2K_MAX_COMPONENTS 16384

/* One decoded component: width x height samples, row-major, as integers
 * (after the inverse DC shift and NLT). A raw decode
 * (exrqoi__htj2k_decode_codestream_raw) of a component whose subbands
 * have at most 30 magnitude bit-planes gives them in samples32 instead
 * (samples is NULL then). */
typedef struct exrqoi__htj2k_comp {
    uint32_t width, height;
    uint8_t depth;     /* bits per sample, 1..38 */
    uint8_t is_signed;
    uint8_t x_sampling, y_sampling;
    uint8_t nlt_type; /* 0 or EXRQOI__J2K_NLT_BINARY_COMPLEMENT */
    int64_t *samples;
    int32_t *samples32;
    /* 0: samples32 holds every row. Else (a raw decode handing its rows to
     * a rows_fn as they are finished) only the latest ring_rows of them, a
     * power of two: row r at row r % ring_rows. */
    uint32_t ring_rows;
} exrqoi__htj2k_comp;

typedef struct exrqoi__htj2k_image {
    uint32_t x0, y0, x1, y1; /* image area on the reference grid */
    uint32_t ncomp;
    exrqoi__htj2k_comp *comps; /* owned; free with exrqoi__htj2k_image_free */
    bool own_samples;          /* samples were allocated (no workspace) */
    bool rct_pending;          /* raw decode: components 0-2 still need the inverse RCT */
} exrqoi__htj2k_image;

/* What the caller knows the image must be; NULL fields of a decode call are
 * not checked. A mismatch is EXRQOI_ERR_CORRUPT with detail. */
typedef struct exrqoi__htj2k_expect {
    uint32_t width, height; /* image extent (Xsiz - XOsiz, Ysiz - YOsiz) */
    uint32_t ncomp;
    const exrqoi__htj2k_comp *comps; /* width, height, depth, is_signed, sampling */
} exrqoi__htj2k_expect;

/* Working memory of a decode: the caller's reusable buffer (base, cap;
 * may be NULL, 0) and what did not fit in it. The decoded samples live
 * here until exrqoi__htj2k_ws_release; `peak` is the buffer size that
 * would have held everything (grow to it for the next chunk). */
typedef struct exrqoi__htj2k_ws {
    const exrqoi_allocator *alloc;
    uint8_t *base;
    size_t cap;
    size_t used, over, peak;
    void *blocks; /* allocations beyond cap */
    uint8_t dwt_path; /* exrqoi__kernels.htdwt of the caller */
} exrqoi__htj2k_ws;
EXRQOI_INTERNAL void exrqoi__htj2k_ws_release(exrqoi__htj2k_ws *ws);

/* Decodes a whole codestream. `max_samples` bounds the total sample count
 * (EXRQOI_ERR_LIMIT above it). With `ws` NULL the samples are allocated
 * and freed by exrqoi__htj2k_image_free; otherwise they are in *ws. On
 * failure *img is empty. */
EXRQOI_INTERNAL exrqoi_result exrqoi__htj2k_decode_codestream(const exrqoi_allocator *alloc,
                                                              exrqoi__err *err, const uint8_t *cs,
                                                              size_t cs_size,
                                                              const exrqoi__htj2k_expect *expect,
                                                              uint64_t max_samples, exrqoi__htj2k_ws *ws,
                                                              exrqoi__htj2k_image *img);
EXRQOI_INTERNAL void exrqoi__htj2k_image_free(const exrqoi_allocator *alloc, exrqoi__htj2k_image *img);

/* The codec table's decode entry (htj2k_dec.c). */
EXRQOI_INTERNAL exrqoi_result exrqoi__htj2k_decompress(exrqoi__codec_ctx *ctx,
                                                       const exrqoi__block_layout *block,
                                                       const uint8_t *src, size_t src_size,
                                                       uint8_t *dst);

#endif
