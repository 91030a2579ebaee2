/* The QOI decoding loop. Bounds are checked once per op against `lim`
 * (the caller keeps 5 readable bytes beyond it), never per byte. */
#include "qoi/qoi_internal.h"

/* Adds each byte of d to the matching byte of a, modulo 256, with no carry
 * from one channel into the next. */
static inline uint32_t add_bytes(uint32_t a, uint32_t d)
{
    return ((a & 0x7f7f7f7fu) + (d & 0x7f7f7f7fu)) ^ ((a ^ d) & 0x80808080u);
}

/* QOI_OP_DIFF deltas (each channel -2..1, as a byte) for the 6 payload bits. */
#define QD(i)                                                                                \
    EXRQOI__QPX(((((i) >> 4) & 3u) + 254u) & 255u, ((((i) >> 2) & 3u) + 254u) & 255u,       \
                (((i)&3u) + 254u) & 255u, 0u)
#define QD4(i) QD(i), QD((i) + 1u), QD((i) + 2u), QD((i) + 3u)
#define QD16(i) QD4(i), QD4((i) + 4u), QD4((i) + 8u), QD4((i) + 12u)
static const uint32_t k_diff[64] = {QD16(0u), QD16(16u), QD16(32u), QD16(48u)};

void exrqoi__qoi_dec_init(exrqoi__qoi_dec *st)
{
    memset(st->index, 0, sizeof st->index);
    st->px = EXRQOI__QPX(0, 0, 0, 255);
    st->run = 0;
}

/* Decodes the op at data[*pp] (5 bytes readable) and returns the new pixel;
 * a run op also sets *run to the repeats that follow this pixel.
 * INDEX, DIFF and LUMA (most ops of photographs) are decoded without
 * branches, as their order is unpredictable. Like the reference decoder,
 * every op stores the pixel into the index (for INDEX ops that only
 * matters when a still-zero slot is read: zero hashes to slot 0). */
static inline uint32_t step(const uint8_t *data, size_t *pp, uint32_t *index, uint32_t px,
                            uint32_t *run)
{
    size_t p = *pp;
    uint32_t b1 = data[p];
    if (EXRQOI_LIKELY(b1 < EXRQOI__QOI_OP_RUN)) {
        uint32_t b2 = data[p + 1];
        uint32_t vg = b1 - 0xa0u; /* LUMA: (b1 & 63) - 32, modulo 2^32 */
        uint32_t luma = EXRQOI__QPX((vg - 8 + (b2 >> 4)) & 255u, vg & 255u,
                                    (vg - 8 + (b2 & 15)) & 255u, 0);
        uint32_t is_luma = b1 >> 7;
        /* masks rather than ?: so that the compiler cannot make branches */
        uint32_t m_luma = 0u - is_luma;
        uint32_t delta = (luma & m_luma) | (k_diff[b1 & 63] & ~m_luma);
        uint32_t moved = add_bytes(px, delta);
        uint32_t m_index = 0u - (uint32_t)(b1 < EXRQOI__QOI_OP_DIFF);
        px = (index[b1 & 63] & m_index) | (moved & ~m_index);
        p += 1 + is_luma;
    } else if (b1 < EXRQOI__QOI_OP_RGB) {
        *run = b1 & 63;
        p += 1;
    } else if (b1 == EXRQOI__QOI_OP_RGB) {
        px = (exrqoi__qoi_load32(data + p + 1) & EXRQOI__QRGB_MASK) | (px & EXRQOI__QALPHA_MASK);
        p += 4;
    } else {
        px = exrqoi__qoi_load32(data + p + 1);
        p += 5;
    }
    index[exrqoi__qoi_hash(px)] = px;
    *pp = p;
    return px;
}

static inline void store3(uint8_t *o, uint32_t px)
{
    o[0] = (uint8_t)EXRQOI__QR(px);
    o[1] = (uint8_t)EXRQOI__QG(px);
    o[2] = (uint8_t)EXRQOI__QB(px);
}

/* ch is a constant in each instantiation. With 3 channels every pixel but
 * the last is stored as 4 bytes (the 4th is overwritten by the next pixel). */
static inline size_t span(exrqoi__qoi_dec *st, const uint8_t *data, size_t *pos, size_t lim,
                          uint8_t *out, size_t npix, const int ch)
{
    if (npix == 0) return 0;
    uint32_t index[64];
    memcpy(index, st->index, sizeof index);
    uint32_t px = st->px, run = st->run;
    size_t p = *pos;
    uint8_t *o = out;
    uint8_t *const ofast = out + (ch == 3 ? npix - 1 : npix) * (size_t)ch;

    while (o < ofast) {
        if (run) {
            size_t room = (size_t)(ofast - o) / (size_t)ch;
            size_t k = run < room ? run : room;
            run -= (uint32_t)k;
            for (size_t j = 0; j < k; j++, o += ch) memcpy(o, &px, 4);
            continue;
        }
        if (EXRQOI_UNLIKELY(p >= lim)) break;
        px = step(data, &p, index, px, &run);
        memcpy(o, &px, 4);
        o += ch;
    }
    if (ch == 3 && o == ofast) {
        if (run) {
            run--;
            store3(o, px);
            o += 3;
        } else if (p < lim) {
            px = step(data, &p, index, px, &run);
            store3(o, px);
            o += 3;
        }
    }

    memcpy(st->index, index, sizeof index);
    st->px = px;
    st->run = run;
    *pos = p;
    return (size_t)(o - out) / (size_t)ch;
}

static size_t span3(exrqoi__qoi_dec *st, const uint8_t *data, size_t *pos, size_t lim,
                    uint8_t *out, size_t npix)
{
    return span(st, data, pos, lim, out, npix, 3);
}

static size_t span4(exrqoi__qoi_dec *st, const uint8_t *data, size_t *pos, size_t lim,
                    uint8_t *out, size_t npix)
{
    return span(st, data, pos, lim, out, npix, 4);
}

size_t exrqoi__qoi_decode_span(exrqoi__qoi_dec *st, const uint8_t *data, size_t *pos, size_t lim,
                               uint8_t *out, size_t npix, int out_ch)
{
    return out_ch == 4 ? span4(st, data, pos, lim, out, npix)
                       : span3(st, data, pos, lim, out, npix);
}
