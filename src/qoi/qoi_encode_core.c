/* The QOI encoding loop. It makes the reference encoder's choices op for op
 * (run, index, diff, luma, rgb, rgba), so its output is byte-identical, but
 * finds runs by scanning ahead with 32-bit compares and writes into a
 * buffer whose capacity the caller guarantees. */
#include "qoi/qoi_internal.h"

void exrqoi__qoi_enc_init(exrqoi__qoi_enc *st)
{
    memset(st->index, 0, sizeof st->index);
    st->prev = EXRQOI__QPX(0, 0, 0, 255);
    st->run = 0;
}

void exrqoi__qoi_enc_init_stripe(exrqoi__qoi_enc *st, uint32_t prev)
{
    /* A zero pixel hashes to 0, so it can never match slots 1..63; slot 0
     * gets (1,0,0,0), which hashes to 3. */
    memset(st->index, 0, sizeof st->index);
    st->index[0] = EXRQOI__QPX(1, 0, 0, 0);
    st->prev = prev;
    st->run = 0;
}

/* Encodes px (different from prev). Photographs mix INDEX, DIFF, LUMA and
 * RGB unpredictably, so on little-endian hosts all four are built and the
 * right one chosen with masks, then written as one 4-byte store (the
 * capacity rule leaves room for the bytes beyond a shorter op). Storing px
 * into the index unconditionally is harmless: on a hit it is already there. */
static inline uint8_t *put_pixel(uint32_t *index, uint32_t prev, uint32_t px, uint8_t *o)
{
    uint32_t h = exrqoi__qoi_hash(px);
    if (EXRQOI_UNLIKELY(((px ^ prev) & EXRQOI__QALPHA_MASK) != 0)) {
        if (index[h] == px) {
            *o++ = (uint8_t)h;
            return o;
        }
        index[h] = px;
        o[0] = EXRQOI__QOI_OP_RGBA;
        memcpy(o + 1, &px, 4);
        return o + 5;
    }
    int vr = (int8_t)(uint8_t)(EXRQOI__QR(px) - EXRQOI__QR(prev));
    int vg = (int8_t)(uint8_t)(EXRQOI__QG(px) - EXRQOI__QG(prev));
    int vb = (int8_t)(uint8_t)(EXRQOI__QB(px) - EXRQOI__QB(prev));
    uint32_t ur = (uint32_t)(vr + 2), ug = (uint32_t)(vg + 2), ub = (uint32_t)(vb + 2);
    uint32_t lg = (uint32_t)(vg + 32);
    uint32_t lr = (uint32_t)(vr - vg + 8), lb = (uint32_t)(vb - vg + 8);
#if !EXRQOI__QOI_BE
    uint32_t hit = index[h] == px;
    index[h] = px;
    uint32_t is_diff = !hit & ((ur | ug | ub) < 4);
    uint32_t is_luma = !hit & !is_diff & (lg < 64) & ((lr | lb) < 16);
    uint32_t is_rgb = !hit & !is_diff & !is_luma;
    uint32_t word = ((0u - hit) & h) |
                    ((0u - is_diff) & (EXRQOI__QOI_OP_DIFF | (ur << 4) | (ug << 2) | ub)) |
                    ((0u - is_luma) & (EXRQOI__QOI_OP_LUMA | lg | (((lr << 4) | lb) << 8))) |
                    ((0u - is_rgb) & (EXRQOI__QOI_OP_RGB | (px << 8)));
    memcpy(o, &word, 4);
    return o + hit + is_diff + 2 * is_luma + 4 * is_rgb;
#else
    if (index[h] == px) {
        *o++ = (uint8_t)h;
        return o;
    }
    index[h] = px;
    if ((ur | ug | ub) < 4) {
        *o++ = (uint8_t)(EXRQOI__QOI_OP_DIFF | (ur << 4) | (ug << 2) | ub);
        return o;
    }
    if (lg < 64 && (lr | lb) < 16) {
        o[0] = (uint8_t)(EXRQOI__QOI_OP_LUMA | lg);
        o[1] = (uint8_t)((lr << 4) | lb);
        return o + 2;
    }
    o[0] = EXRQOI__QOI_OP_RGB;
    o[1] = (uint8_t)EXRQOI__QR(px);
    o[2] = (uint8_t)EXRQOI__QG(px);
    o[3] = (uint8_t)EXRQOI__QB(px);
    return o + 4;
#endif
}

static inline uint32_t load_px(const uint8_t *p, const int ch)
{
    if (ch == 4) return exrqoi__qoi_load32(p);
    return (exrqoi__qoi_load32(p) & EXRQOI__QRGB_MASK) | EXRQOI__QALPHA_MASK;
}

/* ch is a constant in each instantiation. With 3 channels the last pixel is
 * read byte by byte: a 4-byte load would pass the end of the input. */
static inline size_t span(exrqoi__qoi_enc *st, const uint8_t *in, size_t npix, uint8_t *out,
                          const int ch)
{
    uint32_t index[64];
    memcpy(index, st->index, sizeof index);
    uint32_t prev = st->prev;
    size_t run = st->run;
    uint8_t *o = out;
    const size_t nfast = (ch == 3 && npix > 0) ? npix - 1 : npix;
    size_t i = 0;

    while (i < nfast) {
        uint32_t px = load_px(in + i * ch, ch);
        if (px == prev) {
            size_t j = i + 1;
            while (j < nfast && load_px(in + j * ch, ch) == px) j++;
            run += j - i;
            i = j;
            while (run >= 62) {
                *o++ = EXRQOI__QOI_OP_RUN | 61;
                run -= 62;
            }
            continue;
        }
        if (run) {
            *o++ = (uint8_t)(EXRQOI__QOI_OP_RUN | (run - 1));
            run = 0;
        }
        o = put_pixel(index, prev, px, o);
        prev = px;
        i++;
    }
    if (nfast < npix) {
        uint32_t px = exrqoi__qoi_pixel_at(in + nfast * 3, 3);
        if (px == prev) {
            if (++run == 62) {
                *o++ = EXRQOI__QOI_OP_RUN | 61;
                run = 0;
            }
        } else {
            if (run) {
                *o++ = (uint8_t)(EXRQOI__QOI_OP_RUN | (run - 1));
                run = 0;
            }
            o = put_pixel(index, prev, px, o);
            prev = px;
        }
    }

    memcpy(st->index, index, sizeof index);
    st->prev = prev;
    st->run = (uint32_t)run;
    return (size_t)(o - out);
}

static size_t span3(exrqoi__qoi_enc *st, const uint8_t *in, size_t npix, uint8_t *out)
{
    return span(st, in, npix, out, 3);
}

static size_t span4(exrqoi__qoi_enc *st, const uint8_t *in, size_t npix, uint8_t *out)
{
    return span(st, in, npix, out, 4);
}

size_t exrqoi__qoi_encode_span(exrqoi__qoi_enc *st, const uint8_t *pixels, size_t npix, int ch,
                               uint8_t *out)
{
    return ch == 4 ? span4(st, pixels, npix, out) : span3(st, pixels, npix, out);
}

size_t exrqoi__qoi_encode_flush(exrqoi__qoi_enc *st, uint8_t *out)
{
    if (!st->run) return 0;
    out[0] = (uint8_t)(EXRQOI__QOI_OP_RUN | (st->run - 1));
    st->run = 0;
    return 1;
}
