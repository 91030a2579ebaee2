/* The QOI decoding loop. Bounds are checked once per op against `lim`
 * (the caller keeps 5 readable bytes beyond it), never per byte. */
#include "qoi/qoi_internal.h"

/* The loop keeps the pixel "wide": r, g, b, a in the low bytes of the
 * four 16-bit lanes of a uint64_t. Adding a delta of bytes (each < 256,
 * negative ones modulo 256) then cannot carry into the next channel, and
 * one mask takes every channel modulo 256. */
#define WMASK 0x00ff00ff00ff00ffull
#define WIDE(r, g, b, a)                                                                     \
    ((uint64_t)(r) | ((uint64_t)(g) << 16) | ((uint64_t)(b) << 32) | ((uint64_t)(a) << 48))

static inline uint64_t widen(uint32_t px)
{
    return WIDE(EXRQOI__QR(px), EXRQOI__QG(px), EXRQOI__QB(px), EXRQOI__QA(px));
}

static inline uint32_t narrow(uint64_t w)
{
#if EXRQOI__QOI_BE
    return EXRQOI__QPX(w & 255u, (w >> 16) & 255u, (w >> 32) & 255u, w >> 48);
#else
    uint64_t x = w | (w >> 8); /* bytes r g g b b a a 0 */
    return (uint32_t)((x & 0xffffu) | ((x >> 16) & 0xffff0000u));
#endif
}

/* (r*3 + g*5 + b*7 + a*11) % 64: the weighted sum lands in bits 48..63 and
 * no lower partial product (each sum < 2^16) carries into it. */
static inline uint32_t whash(uint64_t w)
{
    const uint64_t k = 11u | (7ull << 16) | (5ull << 32) | (3ull << 48);
    return (uint32_t)((w * k) >> 48) & 63u;
}

/* Delta of the first op byte: QOI_OP_DIFF (each channel -2..1), the green
 * part of QOI_OP_LUMA (dg on every channel, -8 on red and blue, which the
 * second byte's table then raises by 0..15), 0 for other ops. */
#define B8(v) ((uint64_t)((v) & 255u))
#define T1(b)                                                                                \
    ((b) >= 0x80u && (b) < 0xc0u                                                             \
         ? WIDE(B8(((b)&63u) - 32u - 8u), B8(((b)&63u) - 32u), B8(((b)&63u) - 32u - 8u), 0u) \
     : (b) >= 0x40u && (b) < 0x80u                                                           \
         ? WIDE(B8((((b) >> 4) & 3u) - 2u), B8((((b) >> 2) & 3u) - 2u), B8(((b)&3u) - 2u), 0u) \
         : 0u)
#define T2(b) WIDE((b) >> 4, 0u, (b)&15u, 0u)
#define R4(f, i) f(i), f((i) + 1u), f((i) + 2u), f((i) + 3u)
#define R16(f, i) R4(f, i), R4(f, (i) + 4u), R4(f, (i) + 8u), R4(f, (i) + 12u)
#define R64(f, i) R16(f, i), R16(f, (i) + 16u), R16(f, (i) + 32u), R16(f, (i) + 48u)
#define R256(f) R64(f, 0u), R64(f, 64u), R64(f, 128u), R64(f, 192u)
static const uint64_t k_first[256] = {R256(T1)};
static const uint64_t k_second[256] = {R256(T2)};

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
static inline uint64_t step(const uint8_t *data, size_t *pp, uint64_t *index, uint64_t px,
                            uint32_t *run)
{
    size_t p = *pp;
    uint32_t b1 = data[p];
    if (EXRQOI_LIKELY(b1 < EXRQOI__QOI_OP_RUN)) {
        uint32_t is_luma = b1 >> 7;
        /* masks rather than ?: so that the compiler cannot make branches */
        uint64_t delta = k_first[b1] + (k_second[data[p + 1]] & (0u - (uint64_t)is_luma));
        uint64_t moved = (px + delta) & WMASK;
        uint64_t m_index = 0u - (uint64_t)(b1 < EXRQOI__QOI_OP_DIFF);
        px = (index[b1 & 63] & m_index) | (moved & ~m_index);
        p += 1 + is_luma;
    } else if (b1 < EXRQOI__QOI_OP_RGB) {
        *run = b1 & 63;
        p += 1;
    } else if (b1 == EXRQOI__QOI_OP_RGB) {
        px = WIDE(data[p + 1], data[p + 2], data[p + 3], 0u) | (px & WIDE(0u, 0u, 0u, 255u));
        p += 4;
    } else {
        px = WIDE(data[p + 1], data[p + 2], data[p + 3], data[p + 4]);
        p += 5;
    }
    index[whash(px)] = px;
    *pp = p;
    return px;
}

static inline void store3(uint8_t *o, uint32_t px)
{
    o[0] = (uint8_t)EXRQOI__QR(px);
    o[1] = (uint8_t)EXRQOI__QG(px);
    o[2] = (uint8_t)EXRQOI__QB(px);
}

/* Writes pixel px k times at *op, 8 bytes per store where the output
 * (ending at oend) has room; never past `ofast` with single pixels, whose
 * 4-byte stores reach one byte beyond a 3-byte pixel. */
static inline void fill(uint8_t **op, uint32_t px, size_t k, uint8_t *oend, uint8_t *ofast,
                        const int ch)
{
    uint8_t *o = *op;
    uint8_t pat[8];
    for (int i = 0; i < 8; i++) memcpy(pat + i, (const uint8_t *)&px + i % ch, 1);
    uint64_t w;
    memcpy(&w, pat, 8);
    while (k >= 2 && (size_t)(oend - o) >= 8) {
        memcpy(o, &w, 8);
        o += 2 * ch;
        k -= 2;
    }
    for (; k && o < ofast; k--, o += ch) memcpy(o, &px, 4);
    *op = o;
}

/* ch is a constant in each instantiation. With 3 channels every pixel but
 * the last is stored as 4 bytes (the 4th is overwritten by the next pixel). */
static inline size_t span(exrqoi__qoi_dec *st, const uint8_t *data, size_t *pos, size_t lim,
                          uint8_t *out, size_t npix, const int ch)
{
    if (npix == 0) return 0;
    uint64_t index[64];
    for (int i = 0; i < 64; i++) index[i] = widen(st->index[i]);
    uint64_t wpx = widen(st->px);
    uint32_t px = st->px, run = st->run;
    size_t p = *pos;
    uint8_t *o = out;
    uint8_t *const oend = out + npix * (size_t)ch;
    uint8_t *const ofast = oend - (ch == 3 ? 3 : 0);

    for (;;) {
        if (run) {
            /* a run, of an earlier call or of the last op: as much as fits */
            size_t room = (size_t)(ofast - o) / (size_t)ch;
            size_t k = run < room ? run : room;
            run -= (uint32_t)k;
            fill(&o, px, k, oend, ofast, ch);
        }
        if (o >= ofast || EXRQOI_UNLIKELY(p >= lim)) break;
        wpx = step(data, &p, index, wpx, &run);
        px = narrow(wpx);
        memcpy(o, &px, 4);
        o += ch;
    }
    if (ch == 3 && o == ofast) {
        if (run) {
            run--;
            store3(o, px);
            o += 3;
        } else if (p < lim) {
            wpx = step(data, &p, index, wpx, &run);
            px = narrow(wpx);
            store3(o, px);
            o += 3;
        }
    }

    for (int i = 0; i < 64; i++) st->index[i] = narrow(index[i]);
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
