/* The QOI decoding loops. Bounds are checked once per op against `lim`
 * (the caller keeps 8 readable bytes beyond it), never per byte.
 *
 * Two loops: a fast one for the bulk of the output (little-endian hosts;
 * it needs FILL_PX pixels of writable output and 8 readable input bytes per
 * op) and an exact one for the rest (the last pixels of a span, pending runs,
 * big-endian hosts). Both decode every op the same way; the paths are
 * selectable for tests (exrqoi__qoi_decode_span_path). */
#include "qoi/qoi_internal.h"

#if defined(__x86_64__) && defined(__SSE2__)
#include <emmintrin.h>
#define QOI_HAVE_SSE2 1
#else
#define QOI_HAVE_SSE2 0
#endif
#if defined(__aarch64__) && defined(__ARM_NEON) && !defined(__ARM_BIG_ENDIAN)
#include <arm_neon.h>
#define QOI_HAVE_NEON 1
#else
#define QOI_HAVE_NEON 0
#endif

/* The loops are instantiated per channel count and path: they must be
 * inlined into each instantiation for those to be constants. */
#if defined(__GNUC__)
#define QOI_INLINE static inline __attribute__((always_inline))
#else
#define QOI_INLINE static inline
#endif

/* Keeps a rarely taken branch a branch: as a conditional move its
 * condition would join the data dependences that the branch avoids. */
#if defined(__GNUC__)
#define QOI_KEEP_BRANCH() __asm__ volatile("")
#else
#define QOI_KEEP_BRANCH() ((void)0)
#endif

enum { PATH_EXACT = 0, PATH_FAST_C = 1, PATH_FAST_SSE2 = 2, PATH_FAST_NEON = 3 };

/* The loops keep the pixel "wide": r, g, b, a in the low bytes of the
 * four 16-bit lanes of a uint64_t. Adding a delta of bytes (each < 256,
 * negative ones modulo 256) then cannot carry into the next channel, and
 * one mask takes every channel modulo 256. */
#define WMASK 0x00ff00ff00ff00ffull
#define WIDE(r, g, b, a)                                                                     \
    ((uint64_t)(r) | ((uint64_t)(g) << 16) | ((uint64_t)(b) << 32) | ((uint64_t)(a) << 48))

QOI_INLINE uint64_t widen(uint32_t px, const int path)
{
#if QOI_HAVE_SSE2
    if (path == PATH_FAST_SSE2) {
        __m128i v = _mm_cvtsi32_si128((int)px);
        return (uint64_t)_mm_cvtsi128_si64(_mm_unpacklo_epi8(v, _mm_setzero_si128()));
    }
#endif
    (void)path;
    return WIDE(EXRQOI__QR(px), EXRQOI__QG(px), EXRQOI__QB(px), EXRQOI__QA(px));
}

QOI_INLINE uint32_t narrow(uint64_t w, const int path)
{
#if QOI_HAVE_SSE2
    if (path == PATH_FAST_SSE2) {
        /* every lane is < 256, so the saturating pack is exact */
        __m128i v = _mm_cvtsi64_si128((long long)w);
        return (uint32_t)_mm_cvtsi128_si32(_mm_packus_epi16(v, v));
    }
#endif
    (void)path;
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
/* Pixels an op gives: 1 to 62 for QOI_OP_RUN, else 1. */
#define TN(b) ((b) >= 0xc0u && (b) < 0xfeu ? ((b)&63u) + 1u : 1u)
/* Masks that pick the fast loop's new pixel: the indexed one for
 * QOI_OP_INDEX, the moved one (modulo 256 per channel) for the others;
 * loads where compare-and-negate would cost four instructions per op. */
#define TTAKE(b) ((b) < 0x40u ? ~0ull : 0u)
#define TKEEP(b) ((b) < 0x40u ? 0u : WMASK)
/* All ones for QOI_OP_LUMA (which takes the second byte's table), else 0. */
#define TLUMA(b) ((b) >= 0x80u && (b) < 0xc0u ? ~0ull : 0u)
#define R4(f, i) f(i), f((i) + 1u), f((i) + 2u), f((i) + 3u)
#define R16(f, i) R4(f, i), R4(f, (i) + 4u), R4(f, (i) + 8u), R4(f, (i) + 12u)
#define R64(f, i) R16(f, i), R16(f, (i) + 16u), R16(f, (i) + 32u), R16(f, (i) + 48u)
#define R256(f) R64(f, 0u), R64(f, 64u), R64(f, 128u), R64(f, 192u)
/* one object, so that the loop needs a single base register for all */
static const struct {
    uint64_t first[256];
    uint64_t second[256];
    uint64_t take[256];
    uint64_t keep[256];
    uint64_t luma[256];
    uint8_t count[256];
} k_tab = {{R256(T1)}, {R256(T2)}, {R256(TTAKE)}, {R256(TKEEP)}, {R256(TLUMA)}, {R256(TN)}};

void exrqoi__qoi_dec_init(exrqoi__qoi_dec *st)
{
    memset(st->index, 0, sizeof st->index);
    st->px = EXRQOI__QPX(0, 0, 0, 255);
    st->run = 0;
    const uint8_t k = exrqoi__cpu_kernels().qoi;
    st->path = k == EXRQOI__PATH_SSE2 ? PATH_FAST_SSE2 : k == EXRQOI__PATH_NEON ? PATH_FAST_NEON : PATH_FAST_C;
}

/* ---- the exact loop ---------------------------------------------------- */

/* Decodes the op at data[*pp] (5 bytes readable) and returns the new pixel;
 * a run op also sets *run to the repeats that follow this pixel.
 * INDEX, DIFF and LUMA are decoded without branches, as their order is
 * unpredictable. Like the reference decoder, every op stores the pixel into
 * the index (for INDEX ops that only matters when a still-zero slot is
 * read: zero hashes to slot 0). */
QOI_INLINE uint64_t step(const uint8_t *data, size_t *pp, uint64_t *index, uint64_t px,
                         uint32_t *run)
{
    size_t p = *pp;
    uint32_t b1 = data[p];
    if (EXRQOI_LIKELY(b1 < EXRQOI__QOI_OP_RUN)) {
        uint32_t is_luma = b1 >> 7;
        /* masks rather than ?: so that the compiler cannot make branches */
        uint64_t delta =
            k_tab.first[b1] + (k_tab.second[data[p + 1]] & (0u - (uint64_t)is_luma));
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
QOI_INLINE void fill(uint8_t **op, uint32_t px, size_t k, uint8_t *oend, uint8_t *ofast,
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

/* ---- the fast loop (little-endian) --------------------------------------
 * INDEX, DIFF, LUMA and RUN share one straight-line path (a run adds
 * nothing to the pixel and repeats it), so the common op mixes of
 * photographs never mispredict; RGB/RGBA take the other side of a single
 * branch, which runs of RGBA ops (images with alpha) predict well. Each
 * op writes its pixel FILL_PX times (that margin is kept), so runs of up
 * to FILL_PX pixels cost nothing more; longer ones fill 16/24-byte groups. The
 * next op's first byte is picked from bytes loaded at this op's position,
 * so finding it does not wait for a load after this op's length is known;
 * likewise the next op's index slot is read before this op's pixel is
 * stored (see there). */

#define LANE_A 0x00ff000000000000ull

/* 8 bytes of the pixel repeated; for 3 channels r g b r g b r g. No
 * partial product overlaps another, so one multiply places the copies. */
QOI_INLINE uint64_t pattern8(uint32_t px, const int ch)
{
    if (ch == 4) return (uint64_t)px * 0x0000000100000001ull;
    return (uint64_t)(px & 0xffffffu) * 0x0001000001000001ull;
}

/* Pixels every op of the fast loop writes: 16 with SSE2/NEON and 4 channels
 * (four 16-byte stores), which spares most runs of synthetic images the
 * branch to fill_groups, whose mixed run lengths would mispredict; else 4. */
#define FILL_PX(ch, path) \
    ((ch) == 4 && ((path) == PATH_FAST_SSE2 || (path) == PATH_FAST_NEON) ? 16u : 4u)

/* Stores the pixel FILL_PX times at o and sets *px to it. 3 channels: four
 * 4-byte stores 3 bytes apart (13 bytes; the 4th byte of each is
 * overwritten by the next store or the next op's pixels), fewer
 * instructions than building the 8-byte pattern for two stores. */
QOI_INLINE void store_fill(uint8_t *o, uint64_t wpx, uint32_t *px, const int ch, const int path)
{
#if QOI_HAVE_SSE2
    if (path == PATH_FAST_SSE2) {
        __m128i v = _mm_cvtsi64_si128((long long)wpx);
        v = _mm_packus_epi16(v, v);
        *px = (uint32_t)_mm_cvtsi128_si32(v);
        if (ch == 4) {
            v = _mm_shuffle_epi32(v, 0);
            _mm_storeu_si128((__m128i *)(void *)o, v);
            _mm_storeu_si128((__m128i *)(void *)(o + 16), v);
            _mm_storeu_si128((__m128i *)(void *)(o + 32), v);
            _mm_storeu_si128((__m128i *)(void *)(o + 48), v);
            return;
        }
    } else
#endif
        *px = narrow(wpx, path);
#if QOI_HAVE_NEON
    if (path == PATH_FAST_NEON && ch == 4) {
        uint8x16_t v = vreinterpretq_u8_u32(vdupq_n_u32(*px));
        vst1q_u8(o, v);
        vst1q_u8(o + 16, v);
        vst1q_u8(o + 32, v);
        vst1q_u8(o + 48, v);
        return;
    }
#endif
    if (ch == 4) {
        uint64_t pat = pattern8(*px, ch);
        memcpy(o, &pat, 8);
        memcpy(o + 8, &pat, 8);
    } else {
        memcpy(o, px, 4);
        memcpy(o + 3, px, 4);
        memcpy(o + 6, px, 4);
        memcpy(o + 9, px, 4);
    }
}

/* Writes pattern a over [q, end) in groups of 16 bytes (4 channels) or 24
 * bytes (3 channels: 8 pixels), so up to one group beyond `end`, which the
 * caller has checked is inside the output. */
QOI_INLINE void fill_groups(uint8_t *q, uint8_t *end, uint64_t a, const int ch, const int path)
{
#if QOI_HAVE_SSE2
    if (ch == 4 && path == PATH_FAST_SSE2) {
        __m128i v = _mm_set1_epi64x((long long)a);
        for (; q < end; q += 16) _mm_storeu_si128((__m128i *)(void *)q, v);
        return;
    }
#endif
#if QOI_HAVE_NEON
    if (ch == 4 && path == PATH_FAST_NEON) {
        uint8x16_t v = vreinterpretq_u8_u64(vdupq_n_u64(a));
        for (; q < end; q += 16) vst1q_u8(q, v);
        return;
    }
#endif
    (void)path;
    if (ch == 4) {
        for (; q < end; q += 16) {
            memcpy(q, &a, 8);
            memcpy(q + 8, &a, 8);
        }
    } else {
        /* the 3-byte period as seen from bytes 8 and 16 */
        uint64_t b = (a >> 16) | (a << 32), c = (a >> 8) | (a << 40);
        for (; q < end; q += 24) {
            memcpy(q, &a, 8);
            memcpy(q + 8, &b, 8);
            memcpy(q + 16, &c, 8);
        }
    }
}

/* Decodes while o <= ostop (FILL_PX writable pixels at o) and p < lim (8 readable
 * bytes at p). Starts with no pending run and ends with none, except when a
 * long run does not fit before oend: then its first pixel is written and
 * *runp holds the rest for the exact loop. */
QOI_INLINE void fast_loop(const uint8_t *data, size_t *pp, size_t lim, uint64_t *index,
                          uint64_t *wpxp, uint32_t *pxp, uint32_t *runp, uint8_t **op,
                          uint8_t *ostop, uint8_t *oend, const int ch, const int path)
{
    size_t p = *pp;
    uint8_t *o = *op;
    uint64_t wpx = *wpxp;
    uint32_t px = *pxp;
    uint32_t b1 = data[p];
    uint64_t iv = index[b1 & 63u];
    while (o <= ostop && p < lim) {
        uint32_t c1 = data[p + 1], c2 = data[p + 2];
        if (EXRQOI_LIKELY(b1 < EXRQOI__QOI_OP_RGB)) {
            /* is_luma from b1 itself: the next op's position waits for it */
            uint32_t is_luma = (b1 & 0xc0u) == EXRQOI__QOI_OP_LUMA;
            uint64_t delta = k_tab.first[b1] + (k_tab.second[c1] & k_tab.luma[b1]);
            /* masks, not ?:, which compilers may turn into a branch */
            wpx = (iv & k_tab.take[b1]) | ((wpx + delta) & k_tab.keep[b1]);
            uint32_t h = whash(wpx);
            store_fill(o, wpx, &px, ch, path);
            uint32_t n = k_tab.count[b1];
            p += 1u + is_luma;
            b1 = is_luma ? c2 : c1;
            if (EXRQOI_UNLIKELY(n > FILL_PX(ch, path))) {
                size_t bytes = (size_t)n * (size_t)ch;
                if (bytes + (ch == 4 ? 16u : 24u) > (size_t)(oend - o)) {
                    index[h] = wpx;
                    o += ch;
                    *runp = n - 1u;
                    break;
                }
                fill_groups(o + FILL_PX(ch, path) * (size_t)ch, o + bytes, pattern8(px, ch), ch,
                            path);
            }
            o += (size_t)n * (size_t)ch;
            /* The next op's index slot is read before this pixel is stored:
             * a load that waits for the address of the store before it (a
             * hash on the pixel's critical path) would serialise the ops.
             * Reading the slot just stored needs an INDEX op naming the
             * previous pixel, which encoders write as a run: rare, so a
             * branch. */
            iv = index[b1 & 63u];
            index[h] = wpx;
            if (EXRQOI_UNLIKELY(b1 == h)) {
                QOI_KEEP_BRANCH();
                iv = wpx;
            }
        } else {
            /* RGB keeps alpha, RGBA replaces it */
            uint32_t a = b1 & 1u;
            uint32_t m_lit = EXRQOI__QRGB_MASK | (0u - a);
            px = (exrqoi__qoi_load32(data + p + 1) & m_lit) | (px & ~m_lit);
            wpx = widen(px, path);
            uint32_t h = whash(wpx);
            memcpy(o, &px, 4);
            o += ch;
            b1 = data[p + 4u + a];
            p += 4u + a;
            iv = index[b1 & 63u]; /* as above */
            index[h] = wpx;
            if (EXRQOI_UNLIKELY(b1 == h)) {
                QOI_KEEP_BRANCH();
                iv = wpx;
            }
        }
    }
    *pp = p;
    *op = o;
    *wpxp = wpx;
    *pxp = px;
}

/* ---- spans ------------------------------------------------------------- */

/* ch and path are constants in each instantiation. In the exact loop with
 * 3 channels every pixel but the last is stored as 4 bytes (the 4th is
 * overwritten by the next pixel). */
QOI_INLINE size_t span(exrqoi__qoi_dec *st, const uint8_t *data, size_t *pos, size_t lim,
                       uint8_t *out, size_t npix, const int ch, const int path)
{
    if (npix == 0) return 0;
    uint64_t index[64];
    for (int i = 0; i < 64; i++) index[i] = widen(st->index[i], path);
    uint64_t wpx = widen(st->px, path);
    uint32_t px = st->px, run = st->run;
    size_t p = *pos;
    uint8_t *o = out;
    uint8_t *const oend = out + npix * (size_t)ch;
    uint8_t *const ofast = oend - (ch == 3 ? 3 : 0);
    /* the fast loop runs while FILL_PX pixels can be written at o */
    /* (3 channels: 4 pixels, written as four 4-byte stores: 13 bytes) */
    const size_t margin = ch == 4 ? FILL_PX(ch, path) * 4u : 16u;
    const int fast = path != PATH_EXACT && !EXRQOI__QOI_BE && npix * (size_t)ch >= margin;
    uint8_t *const ostop = fast ? oend - margin : out;

    for (;;) {
        if (run) {
            /* a run, of an earlier call or of the last op: as much as fits */
            size_t room = (size_t)(ofast - o) / (size_t)ch;
            size_t k = run < room ? run : room;
            run -= (uint32_t)k;
            fill(&o, px, k, oend, ofast, ch);
        }
        if (fast && !run && o <= ostop && p < lim) {
            fast_loop(data, &p, lim, index, &wpx, &px, &run, &o, ostop, oend, ch, path);
            continue;
        }
        if (o >= ofast || EXRQOI_UNLIKELY(p >= lim)) break;
        wpx = step(data, &p, index, wpx, &run);
        px = narrow(wpx, path);
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
            px = narrow(wpx, path);
            store3(o, px);
            o += 3;
        }
    }

    for (int i = 0; i < 64; i++) st->index[i] = narrow(index[i], path);
    st->px = px;
    st->run = run;
    *pos = p;
    return (size_t)(o - out) / (size_t)ch;
}

#define SPAN_FN(name, ch, path)                                                              \
    static size_t name(exrqoi__qoi_dec *st, const uint8_t *data, size_t *pos, size_t lim,    \
                       uint8_t *out, size_t npix)                                            \
    {                                                                                        \
        return span(st, data, pos, lim, out, npix, ch, path);                                \
    }
SPAN_FN(span3_exact, 3, PATH_EXACT)
SPAN_FN(span4_exact, 4, PATH_EXACT)
SPAN_FN(span3_fast, 3, PATH_FAST_C)
SPAN_FN(span4_fast, 4, PATH_FAST_C)
#if QOI_HAVE_SSE2
SPAN_FN(span3_sse2, 3, PATH_FAST_SSE2)
SPAN_FN(span4_sse2, 4, PATH_FAST_SSE2)
#endif
#if QOI_HAVE_NEON
SPAN_FN(span4_neon, 4, PATH_FAST_NEON)
#endif

size_t exrqoi__qoi_decode_span_path(int path, exrqoi__qoi_dec *st, const uint8_t *data,
                                    size_t *pos, size_t lim, uint8_t *out, size_t npix,
                                    int out_ch)
{
#if QOI_HAVE_NEON
    /* 3 channels: the portable fast loop is already all 8-byte stores */
    if (path >= PATH_FAST_NEON && out_ch == 4) return span4_neon(st, data, pos, lim, out, npix);
#endif
#if QOI_HAVE_SSE2
    if (path >= PATH_FAST_SSE2)
        return out_ch == 4 ? span4_sse2(st, data, pos, lim, out, npix)
                           : span3_sse2(st, data, pos, lim, out, npix);
#endif
    if (path >= PATH_FAST_C)
        return out_ch == 4 ? span4_fast(st, data, pos, lim, out, npix)
                           : span3_fast(st, data, pos, lim, out, npix);
    return out_ch == 4 ? span4_exact(st, data, pos, lim, out, npix)
                       : span3_exact(st, data, pos, lim, out, npix);
}

size_t exrqoi__qoi_decode_span(exrqoi__qoi_dec *st, const uint8_t *data, size_t *pos, size_t lim,
                               uint8_t *out, size_t npix, int out_ch)
{
    return exrqoi__qoi_decode_span_path(st->path, st, data, pos, lim, out, npix, out_ch);
}
