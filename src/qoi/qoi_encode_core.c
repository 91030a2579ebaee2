/* The QOI encoding loop. It makes the reference encoder's choices op for op
 * (run, index, diff, luma, rgb, rgba), so its output is byte-identical, but
 * finds runs by scanning ahead four pixels at a time and writes into a
 * buffer whose capacity the caller guarantees. */
#include "qoi/qoi_internal.h"

#if (defined(__x86_64__) || defined(__i386__)) && defined(__SSE2__) && !EXRQOI__QOI_BE
#include <emmintrin.h>
#define QOI_ENC_SSE2 1
#else
#define QOI_ENC_SSE2 0
#endif

void exrqoi__qoi_enc_init(exrqoi__qoi_enc *st)
{
    memset(st->index, 0, sizeof st->index);
    st->prev = EXRQOI__QPX(0, 0, 0, 255);
    st->run = 0;
    st->path = exrqoi__cpu_kernels().qoi == EXRQOI__PATH_SSE2;
}

void exrqoi__qoi_enc_init_stripe(exrqoi__qoi_enc *st, uint32_t prev)
{
    /* A zero pixel hashes to 0, so it can never match slots 1..63; slot 0
     * gets (1,0,0,0), which hashes to 3. */
    memset(st->index, 0, sizeof st->index);
    st->index[0] = EXRQOI__QPX(1, 0, 0, 0);
    st->prev = prev;
    st->run = 0;
    st->path = exrqoi__cpu_kernels().qoi == EXRQOI__PATH_SSE2;
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

/* Encodes pixel px of the span the scalar way: a run, or put_pixel. */
#define SCALAR_STEP(px)                                                                      \
    do {                                                                                     \
        if ((px) == prev) {                                                                  \
            if (++run == 62) {                                                               \
                *o++ = EXRQOI__QOI_OP_RUN | 61;                                              \
                run = 0;                                                                     \
            }                                                                                \
        } else {                                                                             \
            if (run) {                                                                       \
                *o++ = (uint8_t)(EXRQOI__QOI_OP_RUN | (run - 1));                            \
                run = 0;                                                                     \
            }                                                                                \
            o = put_pixel(index, prev, (px), o);                                             \
            prev = (px);                                                                     \
        }                                                                                    \
    } while (0)

#if QOI_ENC_SSE2
/* For a mask m of the pixels in a group that repeat their predecessor:
 * per pixel, how many repeats come right before it, and -1 where those
 * reach back to the group's start (the pending run adds to them). */
static const int32_t rep_before[16][4] = {
    {0, 0, 0, 0},
    {0, 1, 0, 0},
    {0, 0, 1, 0},
    {0, 1, 2, 0},
    {0, 0, 0, 1},
    {0, 1, 0, 1},
    {0, 0, 1, 2},
    {0, 1, 2, 3},
    {0, 0, 0, 0},
    {0, 1, 0, 0},
    {0, 0, 1, 0},
    {0, 1, 2, 0},
    {0, 0, 0, 1},
    {0, 1, 0, 1},
    {0, 0, 1, 2},
    {0, 1, 2, 3}};
static const int32_t rep_reach[16][4] = {
    {-1, 0, 0, 0},
    {-1, -1, 0, 0},
    {-1, 0, 0, 0},
    {-1, -1, -1, 0},
    {-1, 0, 0, 0},
    {-1, -1, 0, 0},
    {-1, 0, 0, 0},
    {-1, -1, -1, -1},
    {-1, 0, 0, 0},
    {-1, -1, 0, 0},
    {-1, 0, 0, 0},
    {-1, -1, -1, 0},
    {-1, 0, 0, 0},
    {-1, -1, 0, 0},
    {-1, 0, 0, 0},
    {-1, -1, -1, -1}};
/* repeats at the group's end: the run left pending */
static const uint8_t rep_trail[16] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 4};

/* Encodes four pixels (RGBA in 32-bit lanes); returns how many it
 * encoded (0..4). Everything but the index lookup is computed for the four
 * at once: the hash, and the op each would get on an index miss (DIFF,
 * LUMA or RGB, as a 4-byte little-endian word) with its length. When no
 * alpha changes, the pending run is short and `room` says 32 bytes may be
 * written, the lookups too are done at once and repeats become RUN ops;
 * else the pixels before the first repeat or alpha change are encoded one
 * by one (none if a run is pending). `index` has a 65th slot that takes
 * the stores of repeats, which the reference never puts in the index. */
static inline unsigned batch4(__m128i px, uint32_t prev, size_t *runp, uint32_t *index,
                              uint8_t **op, int room)
{
    __m128i pv = _mm_or_si128(_mm_slli_si128(px, 4), _mm_cvtsi32_si128((int)prev));
    const __m128i alpha = _mm_set1_epi32((int)0xff000000u);
    __m128i same = _mm_cmpeq_epi32(px, pv);
    __m128i akeep = _mm_cmpeq_epi32(_mm_and_si128(_mm_xor_si128(px, pv), alpha), _mm_setzero_si128());
    unsigned ms = (unsigned)_mm_movemask_ps(_mm_castsi128_ps(same));
    unsigned ma = ~(unsigned)_mm_movemask_ps(_mm_castsi128_ps(akeep)) & 0xfu;
    size_t run = *runp;
    const int full = ma == 0 && ms != 0xf && run < 58 && room;
    unsigned n = 4;
    if (!full) {
        if (run) return 0;
        n = (unsigned)__builtin_ctz(ms | ma | 16u);
        if (!n) return 0;
    }

    /* hash: (r*3 + g*5 + b*7 + a*11) % 64 */
    const __m128i zero = _mm_setzero_si128(), w = _mm_set_epi16(11, 7, 5, 3, 11, 7, 5, 3);
    __m128i hl = _mm_madd_epi16(_mm_unpacklo_epi8(px, zero), w);
    __m128i hh = _mm_madd_epi16(_mm_unpackhi_epi8(px, zero), w);
    __m128i h = _mm_madd_epi16(_mm_packs_epi32(hl, hh), _mm_set1_epi16(1));
    h = _mm_and_si128(h, _mm_set1_epi32(63));

    /* d = px - prev per byte (alpha 0) */
    __m128i d = _mm_sub_epi8(px, pv);
    const __m128i rgb = _mm_set1_epi32(0x00ffffff);
    /* DIFF: every d + 2 in 0..3 */
    __m128i x = _mm_and_si128(_mm_add_epi8(d, _mm_set1_epi8(2)), rgb);
    __m128i is_diff = _mm_cmpeq_epi32(_mm_subs_epu8(x, _mm_set1_epi8(3)), zero);
    __m128i wdiff = _mm_or_si128(
        _mm_or_si128(_mm_slli_epi32(_mm_and_si128(x, _mm_set1_epi32(0x3)), 4),
                     _mm_srli_epi32(_mm_and_si128(x, _mm_set1_epi32(0x300)), 6)),
        _mm_or_si128(_mm_srli_epi32(x, 16), _mm_set1_epi32(EXRQOI__QOI_OP_DIFF)));
    /* LUMA: bytes (dr - dg + 8, dg + 32, db - dg + 8) below (16, 64, 16) */
    __m128i g = _mm_and_si128(_mm_srli_epi32(d, 8), _mm_set1_epi32(0xff));
    __m128i f = _mm_add_epi8(_mm_sub_epi8(d, _mm_or_si128(g, _mm_slli_epi32(g, 16))),
                             _mm_set1_epi32(0x00082008));
    f = _mm_and_si128(f, rgb);
    __m128i is_luma =
        _mm_cmpeq_epi32(_mm_subs_epu8(f, _mm_set1_epi32(0x000f3f0f)), zero);
    /* f >> 8 puts dg + 32 in byte 0 and db - dg + 8 in byte 1 */
    __m128i wluma = _mm_or_si128(_mm_slli_epi32(_mm_and_si128(f, _mm_set1_epi32(0xff)), 12),
                                 _mm_or_si128(_mm_srli_epi32(f, 8), _mm_set1_epi32(EXRQOI__QOI_OP_LUMA)));
    /* RGB: 0xfe r g b */
    __m128i wrgb = _mm_or_si128(_mm_slli_epi32(px, 8), _mm_set1_epi32(EXRQOI__QOI_OP_RGB));
    /* DIFF over LUMA over RGB; lengths 1, 2, 4 */
    is_luma = _mm_andnot_si128(is_diff, is_luma);
    __m128i word = _mm_or_si128(_mm_and_si128(is_diff, wdiff), _mm_and_si128(is_luma, wluma));
    word = _mm_or_si128(word, _mm_andnot_si128(_mm_or_si128(is_diff, is_luma), wrgb));
    __m128i len = _mm_sub_epi32(_mm_set1_epi32(4), _mm_and_si128(is_diff, _mm_set1_epi32(3)));
    len = _mm_sub_epi32(len, _mm_and_si128(is_luma, _mm_set1_epi32(2)));

    uint32_t ps[4], hs[4], ws[4], ls[4];
    _mm_storeu_si128((__m128i *)(void *)ps, px);
    uint8_t *o = *op;
    if (full) {
        /* lane k sees the slot as the pixels before it in the group left
         * it: the latest earlier pixel with the same hash, else the index */
        h = _mm_or_si128(_mm_andnot_si128(same, h), _mm_and_si128(same, _mm_set1_epi32(64)));
        _mm_storeu_si128((__m128i *)(void *)hs, h);
        /* each lookup after the stores of the pixels before it, so it
         * sees what they left in the slot */
        uint32_t s0 = index[hs[0]];
        index[hs[0]] = ps[0];
        uint32_t s1 = index[hs[1]];
        index[hs[1]] = ps[1];
        uint32_t s2 = index[hs[2]];
        index[hs[2]] = ps[2];
        uint32_t s3 = index[hs[3]];
        index[hs[3]] = ps[3];
        __m128i seen = _mm_setr_epi32((int)s0, (int)s1, (int)s2, (int)s3);
        __m128i hit = _mm_cmpeq_epi32(seen, px);
        word = _mm_or_si128(_mm_and_si128(hit, h), _mm_andnot_si128(hit, word));
        len = _mm_sub_epi32(len, _mm_and_si128(hit, _mm_sub_epi32(len, _mm_set1_epi32(1))));
        /* a pixel ending a run gets its RUN byte in front of its op */
        __m128i r = _mm_add_epi32(_mm_loadu_si128((const __m128i *)(const void *)rep_before[ms]),
                                  _mm_and_si128(_mm_loadu_si128((const __m128i *)(const void *)rep_reach[ms]),
                                                _mm_set1_epi32((int)run)));
        __m128i hasrun = _mm_andnot_si128(same, _mm_cmpgt_epi32(r, _mm_setzero_si128()));
        __m128i rb = _mm_and_si128(_mm_add_epi32(r, _mm_set1_epi32(EXRQOI__QOI_OP_RUN - 1)),
                                   _mm_set1_epi32(0xff));
        __m128i lo = _mm_or_si128(_mm_and_si128(hasrun, _mm_or_si128(_mm_slli_epi32(word, 8), rb)),
                                  _mm_andnot_si128(hasrun, word));
        __m128i hi = _mm_and_si128(hasrun, _mm_srli_epi32(word, 24));
        len = _mm_andnot_si128(same, _mm_sub_epi32(len, hasrun));
        __m128i end = _mm_add_epi32(len, _mm_slli_si128(len, 4));
        end = _mm_add_epi32(end, _mm_slli_si128(end, 8));
        _mm_storeu_si128((__m128i *)(void *)ls, _mm_sub_epi32(end, len));
        /* overlapping 8-byte stores in order: each op's spare bytes are
         * overwritten by the next, those of the last lie beyond the end */
        __m128i w01 = _mm_unpacklo_epi32(lo, hi), w23 = _mm_unpackhi_epi32(lo, hi);
        _mm_storel_epi64((__m128i *)(void *)(o + ls[0]), w01);
        _mm_storel_epi64((__m128i *)(void *)(o + ls[1]), _mm_srli_si128(w01, 8));
        _mm_storel_epi64((__m128i *)(void *)(o + ls[2]), w23);
        _mm_storel_epi64((__m128i *)(void *)(o + ls[3]), _mm_srli_si128(w23, 8));
        *op = o + (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(end, 12));
        *runp = rep_trail[ms];
        return 4;
    }
    _mm_storeu_si128((__m128i *)(void *)hs, h);
    _mm_storeu_si128((__m128i *)(void *)ws, word);
    _mm_storeu_si128((__m128i *)(void *)ls, len);
    for (unsigned k = 0; k < n; k++) {
        /* the index changes with every pixel, so this part is serial;
         * masks, as a branch on the hit mispredicts on photographs */
        uint32_t hk = hs[k], hit = 0u - (uint32_t)(index[hk] == ps[k]);
        index[hk] = ps[k];
        uint32_t wk = (hk & hit) | (ws[k] & ~hit);
        memcpy(o, &wk, 4);
        o += ls[k] - ((ls[k] - 1) & hit);
    }
    *op = o;
    return n;
}

/* Loads 4 RGB pixels (16 bytes readable) as RGBA with alpha 255. */
static inline __m128i load4_rgb(const uint8_t *p)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i r = _mm_and_si128(v, _mm_set_epi32(0, 0, 0, 0x00ffffff));
    r = _mm_or_si128(r, _mm_and_si128(_mm_slli_si128(v, 1), _mm_set_epi32(0, 0, 0x00ffffff, 0)));
    r = _mm_or_si128(r, _mm_and_si128(_mm_slli_si128(v, 2), _mm_set_epi32(0, 0x00ffffff, 0, 0)));
    r = _mm_or_si128(r, _mm_and_si128(_mm_slli_si128(v, 3), _mm_set_epi32(0x00ffffff, 0, 0, 0)));
    return _mm_or_si128(r, _mm_set1_epi32((int)0xff000000u));
}

/* The first pixel from j on that differs from px, or the first from which
 * four can no longer be loaded (j + 4 > nbatch): four compared at once. */
static inline size_t run_end(const uint8_t *in, size_t j, size_t nbatch, uint32_t px,
                             const int ch)
{
    const __m128i want = _mm_set1_epi32((int)px);
    for (; j + 4 <= nbatch; j += 4) {
        __m128i v = ch == 4 ? _mm_loadu_si128((const __m128i *)(const void *)(in + j * 4))
                            : load4_rgb(in + j * 3);
        unsigned m = (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(v, want)));
        if (m != 0xf) return j + (unsigned)__builtin_ctz(~m);
    }
    return j;
}
#endif

/* ch is a constant in each instantiation. With 3 channels the last pixel is
 * read byte by byte: a 4-byte load would pass the end of the input. */
static inline size_t span(exrqoi__qoi_enc *st, const uint8_t *in, size_t npix, uint8_t *out,
                          const int ch, const int simd)
{
    uint32_t index[65]; /* the last slot is batch4's */
    memcpy(index, st->index, sizeof st->index);
    uint32_t prev = st->prev;
    size_t run = st->run;
    uint8_t *o = out;
    const size_t nfast = (ch == 3 && npix > 0) ? npix - 1 : npix;
    size_t i = 0;

#if QOI_ENC_SSE2
    /* batches of 4 pixels i.. while 16 bytes can be loaded at pixel i */
    const size_t nbatch = !simd ? 0 : ch == 4 ? npix : npix * 3 >= 16 ? (npix * 3 - 16) / 3 + 4 : 0;
    while (i + 4 <= nbatch) {
        __m128i px = ch == 4 ? _mm_loadu_si128((const __m128i *)(const void *)(in + i * 4))
                             : load4_rgb(in + i * 3);
        /* with 8 pixels left the capacity rule leaves at least 32 bytes */
        unsigned k = batch4(px, prev, &run, index, &o, i + 8 <= npix);
        if (k == 4) {
            prev = (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(px, 12));
            i += 4;
            continue;
        }
        if (k) {
            uint32_t lanes[4];
            _mm_storeu_si128((__m128i *)(void *)lanes, px);
            prev = lanes[k - 1];
            i += k;
        }
        /* a pixel repeating its predecessor (with its run), or changing
         * alpha: the scalar way, then batches again; after a batch that did
         * nothing, several pixels, as retrying after each costs images with
         * many alpha changes more than it saves */
        for (size_t stop = i + (k || run ? 1 : 8); i < stop && i < nfast;) {
            uint32_t p1 = load_px(in + i * ch, ch);
            if (p1 == prev) {
                size_t j = run_end(in, i + 1, nbatch, p1, ch);
                while (j < nfast && load_px(in + j * ch, ch) == p1) j++;
                run += j - i;
                i = j;
                while (run >= 62) {
                    *o++ = EXRQOI__QOI_OP_RUN | 61;
                    run -= 62;
                }
                break;
            }
            SCALAR_STEP(p1);
            i++;
        }
    }
#else
    (void)simd;
#endif
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
        SCALAR_STEP(px);
    }

    memcpy(st->index, index, sizeof st->index);
    st->prev = prev;
    st->run = (uint32_t)run;
    return (size_t)(o - out);
}

static size_t span3(exrqoi__qoi_enc *st, const uint8_t *in, size_t npix, uint8_t *out)
{
    return span(st, in, npix, out, 3, 0);
}

static size_t span4(exrqoi__qoi_enc *st, const uint8_t *in, size_t npix, uint8_t *out)
{
    return span(st, in, npix, out, 4, 0);
}

#if QOI_ENC_SSE2
static size_t span3_sse2(exrqoi__qoi_enc *st, const uint8_t *in, size_t npix, uint8_t *out)
{
    return span(st, in, npix, out, 3, 1);
}

static size_t span4_sse2(exrqoi__qoi_enc *st, const uint8_t *in, size_t npix, uint8_t *out)
{
    return span(st, in, npix, out, 4, 1);
}
#endif

size_t exrqoi__qoi_encode_span_path(int path, exrqoi__qoi_enc *st, const uint8_t *pixels,
                                    size_t npix, int ch, uint8_t *out)
{
#if QOI_ENC_SSE2
    if (path >= 1) return ch == 4 ? span4_sse2(st, pixels, npix, out) : span3_sse2(st, pixels, npix, out);
#endif
    (void)path;
    return ch == 4 ? span4(st, pixels, npix, out) : span3(st, pixels, npix, out);
}

size_t exrqoi__qoi_encode_span(exrqoi__qoi_enc *st, const uint8_t *pixels, size_t npix, int ch,
                               uint8_t *out)
{
    return exrqoi__qoi_encode_span_path(st->path, st, pixels, npix, ch, out);
}

size_t exrqoi__qoi_encode_flush(exrqoi__qoi_enc *st, uint8_t *out)
{
    if (!st->run) return 0;
    out[0] = (uint8_t)(EXRQOI__QOI_OP_RUN | (st->run - 1));
    st->run = 0;
    return 1;
}
