/* PIZ wavelet (see wavelet.h). Both basis variants follow OpenEXR's
 * definition exactly: the output is part of the file format.
 *
 * One level with step p transforms disjoint 2x2 blocks of samples p apart
 * (plus a leftover column/row pair when the count is odd), so the blocks
 * may go in any order. The SIMD paths do a whole row pair at a time for
 * the levels whose x step is 1 or 2 words (with 16-bit halves, ~95% of
 * the work); everything else runs the portable code. All arithmetic is
 * modulo 2^16 (OpenEXR truncates to 16 bits between the steps, the 14-bit
 * encoder's average excepted), so 16-bit vector lanes give identical
 * words. */
#include "codec/wavelet.h"
#include "common/cpu.h"

#if (defined(__x86_64__) || defined(__i386__)) && defined(__SSE2__)
#include <emmintrin.h>
#define WAV_SSE2 1
#else
#define WAV_SSE2 0
#endif
#if defined(__aarch64__) && defined(__ARM_NEON)
#include <arm_neon.h>
#define WAV_NEON 1
#else
#define WAV_NEON 0
#endif

#define U16(v) ((uint16_t)(v))
#define INLINE static inline __attribute__((always_inline))

/* ---- 14-bit basis: plain average/difference on signed 16-bit values ---- */

INLINE void enc14(int a, int b, int *l, int *h)
{
    int as = (int16_t)a, bs = (int16_t)b;
    /* >> on a negative int is an arithmetic shift with gcc/clang (floor) */
    *l = (as + bs) >> 1;
    *h = as - bs;
}

INLINE void dec14(int l, int h, int *a, int *b)
{
    int ls = (int16_t)l, hs = (int16_t)h;
    int ai = ls + (hs & 1) + (hs >> 1);
    *a = ai;
    *b = ai - hs;
}

/* ---- 16-bit basis: the same idea modulo 2^16 ----------------------------- */

INLINE void enc16(int a, int b, int *l, int *h)
{
    int ao = (a + 0x8000) & 0xffff;
    int m = (ao + b) >> 1;
    int d = ao - b;
    if (d < 0) m = (m + 0x8000) & 0xffff;
    *l = m;
    *h = d & 0xffff;
}

INLINE void dec16(int l, int h, int *a, int *b)
{
    int bb = (l - (h >> 1)) & 0xffff;
    *b = bb;
    *a = (h + bb - 0x8000) & 0xffff;
}

/* ---- portable: one pair / one 2x2 block ----------------------------------- */

/* One butterfly (dec: its inverse) on the pair x, y in place. */
INLINE void pair(uint16_t *x, uint16_t *y, bool w14, bool dec)
{
    int a, b;
    if (dec && w14)
        dec14(*x, *y, &a, &b);
    else if (dec)
        dec16(*x, *y, &a, &b);
    else if (w14)
        enc14(*x, *y, &a, &b);
    else
        enc16(*x, *y, &a, &b);
    *x = U16(a);
    *y = U16(b);
}

/* Encoding does the rows of a block, then its columns; decoding undoes
 * the columns, then the rows: the same steps with 01 and 10 swapped. */
INLINE void block(uint16_t *p00, ptrdiff_t ox1, ptrdiff_t oy1, bool w14, bool dec)
{
    uint16_t *p01 = p00 + ox1, *p10 = p00 + oy1, *p11 = p10 + ox1;
    uint16_t *qa = dec ? p10 : p01, *qb = dec ? p01 : p10;
    pair(p00, qa, w14, dec);
    pair(qb, p11, w14, dec);
    pair(p00, qb, w14, dec);
    pair(qa, p11, w14, dec);
}

/* ---- SSE2: 8 words of a row pair at a time -------------------------------- */

#if WAV_SSE2
INLINE void venc(__m128i a, __m128i b, __m128i *l, __m128i *h, bool w14)
{
    const __m128i bias = _mm_set1_epi16(-0x8000), one = _mm_set1_epi16(1);
    if (w14) {
        /* floor((a + b) / 2) of signed values without 17-bit sums */
        __m128i s = _mm_add_epi16(_mm_srai_epi16(a, 1), _mm_srai_epi16(b, 1));
        *l = _mm_add_epi16(s, _mm_and_si128(_mm_and_si128(a, b), one));
        *h = _mm_sub_epi16(a, b);
    } else {
        __m128i ao = _mm_xor_si128(a, bias);
        /* avg_epu16 rounds up; the 17-bit floor average is one less when
         * the sum is odd */
        __m128i m = _mm_sub_epi16(_mm_avg_epu16(ao, b), _mm_and_si128(_mm_xor_si128(ao, b), one));
        /* ao < b unsigned  <=>  a < (b ^ 0x8000) signed */
        __m128i neg = _mm_cmpgt_epi16(_mm_xor_si128(b, bias), a);
        *l = _mm_xor_si128(m, _mm_and_si128(neg, bias));
        *h = _mm_sub_epi16(ao, b);
    }
}

INLINE void vdec(__m128i l, __m128i h, __m128i *a, __m128i *b, bool w14)
{
    if (w14) {
        const __m128i one = _mm_set1_epi16(1);
        __m128i ai = _mm_add_epi16(_mm_add_epi16(l, _mm_and_si128(h, one)), _mm_srai_epi16(h, 1));
        *a = ai;
        *b = _mm_sub_epi16(ai, h);
    } else {
        __m128i bb = _mm_sub_epi16(l, _mm_srli_epi16(h, 1));
        *b = bb;
        *a = _mm_xor_si128(_mm_add_epi16(h, bb), _mm_set1_epi16(-0x8000));
    }
}

/* Even and odd words of two vectors: [x0 x2 x4 x6 y0 y2 y4 y6] and
 * [x1 x3 ... y7]. Sign-extended halves survive the saturating pack. */
INLINE __m128i evens(__m128i x, __m128i y)
{
    return _mm_packs_epi32(_mm_srai_epi32(_mm_slli_epi32(x, 16), 16),
                           _mm_srai_epi32(_mm_slli_epi32(y, 16), 16));
}

INLINE __m128i odds(__m128i x, __m128i y)
{
    return _mm_packs_epi32(_mm_srai_epi32(x, 16), _mm_srai_epi32(y, 16));
}

/* Words 0 and 4 of x and of y (y's moved to 2 and 6), zeros elsewhere. */
INLINE __m128i pack_pairs(__m128i x, __m128i y, __m128i lo)
{
    return _mm_or_si128(_mm_and_si128(x, lo), _mm_slli_epi64(_mm_and_si128(y, lo), 32));
}

/* Blocks of one row pair (rows r0, r0 + oy1) with x step s words; returns
 * how many of the nb blocks it did. */
INLINE int enc_rows_sse2(uint16_t *r0, ptrdiff_t oy1, ptrdiff_t s, int nb, bool w14)
{
    uint16_t *r1 = r0 + oy1;
    int b = 0;
    if (s == 1) {
        for (; b + 4 <= nb; b += 4) {
            __m128i *q0 = (__m128i *)(void *)(r0 + 2 * b), *q1 = (__m128i *)(void *)(r1 + 2 * b);
            __m128i v0 = _mm_loadu_si128(q0), v1 = _mm_loadu_si128(q1);
            __m128i i, j;
            venc(evens(v0, v1), odds(v0, v1), &i, &j, w14); /* [i00 | i10], [i01 | i11] */
            __m128i top, bot;
            venc(_mm_unpacklo_epi64(i, j), _mm_unpackhi_epi64(i, j), &top, &bot, w14);
            /* top = [p00 | p01] of row 0, bot = [p10 | p11] of row 1 */
            _mm_storeu_si128(q0, _mm_unpacklo_epi16(top, _mm_unpackhi_epi64(top, top)));
            _mm_storeu_si128(q1, _mm_unpacklo_epi16(bot, _mm_unpackhi_epi64(bot, bot)));
        }
    } else if (s == 2) {
        /* words 0,2 and 4,6 are two blocks; the odd words stay */
        const __m128i lo = _mm_set_epi16(0, 0, 0, -1, 0, 0, 0, -1);
        const __m128i keep = _mm_set_epi16(-1, 0, -1, 0, -1, 0, -1, 0);
        for (; b + 2 <= nb; b += 2) {
            __m128i *q0 = (__m128i *)(void *)(r0 + 4 * b), *q1 = (__m128i *)(void *)(r1 + 4 * b);
            __m128i v0 = _mm_loadu_si128(q0), v1 = _mm_loadu_si128(q1);
            __m128i l0, h0, l1, h1;
            venc(v0, _mm_srli_epi64(v0, 32), &l0, &h0, w14);
            venc(v1, _mm_srli_epi64(v1, 32), &l1, &h1, w14);
            __m128i i0 = pack_pairs(l0, h0, lo);
            __m128i i1 = pack_pairs(l1, h1, lo);
            __m128i t, u;
            venc(i0, i1, &t, &u, w14);
            _mm_storeu_si128(q0, _mm_or_si128(_mm_and_si128(v0, keep), _mm_andnot_si128(keep, t)));
            _mm_storeu_si128(q1, _mm_or_si128(_mm_and_si128(v1, keep), _mm_andnot_si128(keep, u)));
        }
    }
    return b;
}

INLINE int dec_rows_sse2(uint16_t *r0, ptrdiff_t oy1, ptrdiff_t s, int nb, bool w14)
{
    uint16_t *r1 = r0 + oy1;
    int b = 0;
    if (s == 1) {
        for (; b + 4 <= nb; b += 4) {
            __m128i *q0 = (__m128i *)(void *)(r0 + 2 * b), *q1 = (__m128i *)(void *)(r1 + 2 * b);
            __m128i t0, t1, a, c;
            vdec(_mm_loadu_si128(q0), _mm_loadu_si128(q1), &t0, &t1, w14);
            vdec(evens(t0, t1), odds(t0, t1), &a, &c, w14);
            _mm_storeu_si128(q0, _mm_unpacklo_epi16(a, c));
            _mm_storeu_si128(q1, _mm_unpackhi_epi16(a, c));
        }
    } else if (s == 2) {
        const __m128i lo = _mm_set_epi16(0, 0, 0, -1, 0, 0, 0, -1);
        const __m128i keep = _mm_set_epi16(-1, 0, -1, 0, -1, 0, -1, 0);
        for (; b + 2 <= nb; b += 2) {
            __m128i *q0 = (__m128i *)(void *)(r0 + 4 * b), *q1 = (__m128i *)(void *)(r1 + 4 * b);
            __m128i v0 = _mm_loadu_si128(q0), v1 = _mm_loadu_si128(q1);
            __m128i t0, t1, a0, b0, a1, b1;
            vdec(v0, v1, &t0, &t1, w14);
            vdec(t0, _mm_srli_epi64(t0, 32), &a0, &b0, w14);
            vdec(t1, _mm_srli_epi64(t1, 32), &a1, &b1, w14);
            __m128i o0 = pack_pairs(a0, b0, lo), o1 = pack_pairs(a1, b1, lo);
            _mm_storeu_si128(q0, _mm_or_si128(_mm_and_si128(v0, keep), o0));
            _mm_storeu_si128(q1, _mm_or_si128(_mm_and_si128(v1, keep), o1));
        }
    }
    return b;
}
#endif

/* ---- NEON: 8 blocks of a row pair at a time ------------------------------- */

#if WAV_NEON
INLINE void nenc(uint16x8_t a, uint16x8_t b, uint16x8_t *l, uint16x8_t *h, bool w14)
{
    if (w14) {
        int16x8_t as = vreinterpretq_s16_u16(a), bs = vreinterpretq_s16_u16(b);
        int16x8_t s = vaddq_s16(vshrq_n_s16(as, 1), vshrq_n_s16(bs, 1));
        *l = vaddq_u16(vreinterpretq_u16_s16(s), vandq_u16(vandq_u16(a, b), vdupq_n_u16(1)));
        *h = vsubq_u16(a, b);
    } else {
        uint16x8_t ao = veorq_u16(a, vdupq_n_u16(0x8000));
        /* the halving add is the 17-bit floor average */
        uint16x8_t m = vhaddq_u16(ao, b);
        *l = veorq_u16(m, vandq_u16(vcltq_u16(ao, b), vdupq_n_u16(0x8000)));
        *h = vsubq_u16(ao, b);
    }
}

INLINE void ndec(uint16x8_t l, uint16x8_t h, uint16x8_t *a, uint16x8_t *b, bool w14)
{
    if (w14) {
        uint16x8_t hs = vreinterpretq_u16_s16(vshrq_n_s16(vreinterpretq_s16_u16(h), 1));
        uint16x8_t ai = vaddq_u16(vaddq_u16(l, vandq_u16(h, vdupq_n_u16(1))), hs);
        *a = ai;
        *b = vsubq_u16(ai, h);
    } else {
        uint16x8_t bb = vsubq_u16(l, vshrq_n_u16(h, 1));
        *b = bb;
        *a = veorq_u16(vaddq_u16(h, bb), vdupq_n_u16(0x8000));
    }
}

/* One 2x2 step on 8 blocks: the butterfly on (q0, q1) and (q2, q3), then
 * on their first and on their second results. Encoding passes a block's
 * words as (00, 01, 10, 11), rows first; decoding as (00, 10, 01, 11),
 * columns first. */
INLINE void quad_neon(uint16x8_t *q0, uint16x8_t *q1, uint16x8_t *q2, uint16x8_t *q3, bool w14, bool dec)
{
    uint16x8_t a0, a1, a2, a3;
    if (dec) {
        ndec(*q0, *q1, &a0, &a1, w14);
        ndec(*q2, *q3, &a2, &a3, w14);
        ndec(a0, a2, q0, q2, w14);
        ndec(a1, a3, q1, q3, w14);
    } else {
        nenc(*q0, *q1, &a0, &a1, w14);
        nenc(*q2, *q3, &a2, &a3, w14);
        nenc(a0, a2, q0, q2, w14);
        nenc(a1, a3, q1, q3, w14);
    }
}

/* x step 1: the structure loads split each row into the blocks' left and
 * right words; x step 2: into words 0 and 2 of every 4 (1 and 3 stay). */
INLINE int rows_neon(uint16_t *r0, ptrdiff_t oy1, ptrdiff_t s, int nb, bool w14, bool dec)
{
    uint16_t *r1 = r0 + oy1;
    int b = 0;
    if (s == 1) {
        for (; b + 8 <= nb; b += 8) {
            uint16x8x2_t x0 = vld2q_u16(r0 + 2 * b), x1 = vld2q_u16(r1 + 2 * b);
            quad_neon(&x0.val[0], dec ? &x1.val[0] : &x0.val[1], dec ? &x0.val[1] : &x1.val[0], &x1.val[1], w14,
                      dec);
            vst2q_u16(r0 + 2 * b, x0);
            vst2q_u16(r1 + 2 * b, x1);
        }
    } else if (s == 2) {
        for (; b + 8 <= nb; b += 8) {
            uint16x8x4_t x0 = vld4q_u16(r0 + 4 * b), x1 = vld4q_u16(r1 + 4 * b);
            quad_neon(&x0.val[0], dec ? &x1.val[0] : &x0.val[2], dec ? &x0.val[2] : &x1.val[0], &x1.val[2], w14,
                      dec);
            vst4q_u16(r0 + 4 * b, x0);
            vst4q_u16(r1 + 4 * b, x1);
        }
    }
    return b;
}
#endif

/* ---- one level ------------------------------------------------------------ */

/* One level of the transform (dec: its inverse) at spacing p. */
INLINE void level(int path, uint16_t *in, int nx, int ox, int ny, int oy, int p, bool w14, bool dec)
{
    const ptrdiff_t ox1 = (ptrdiff_t)ox * p, oy1 = (ptrdiff_t)oy * p, step = 2 * ox1;
    const int p2 = 2 * p, nb = nx / p2;
    int y = 0;
    (void)path;
    for (; y + p2 <= ny; y += p2) {
        uint16_t *row = in + (ptrdiff_t)y * oy;
        int b = 0;
#if WAV_SSE2
        if (path == EXRQOI__PATH_SSE2)
            b = dec ? dec_rows_sse2(row, oy1, ox1, nb, w14) : enc_rows_sse2(row, oy1, ox1, nb, w14);
#endif
#if WAV_NEON
        if (path == EXRQOI__PATH_NEON) b = rows_neon(row, oy1, ox1, nb, w14, dec);
#endif
        for (; b < nb; b++) block(row + b * step, ox1, oy1, w14, dec);
        if (nx & p) pair(row + nb * step, row + nb * step + oy1, w14, dec);
    }
    if (ny & p) {
        uint16_t *row = in + (ptrdiff_t)y * oy;
        for (int b = 0; b < nb; b++) pair(row + b * step, row + b * step + ox1, w14, dec);
    }
}

/* Separate copies per variant so the inner loops carry no variant branch. */
static void enc_level14(int path, uint16_t *in, int nx, int ox, int ny, int oy, int p)
{
    level(path, in, nx, ox, ny, oy, p, true, false);
}
static void enc_level16(int path, uint16_t *in, int nx, int ox, int ny, int oy, int p)
{
    level(path, in, nx, ox, ny, oy, p, false, false);
}
static void dec_level14(int path, uint16_t *in, int nx, int ox, int ny, int oy, int p)
{
    level(path, in, nx, ox, ny, oy, p, true, true);
}
static void dec_level16(int path, uint16_t *in, int nx, int ox, int ny, int oy, int p)
{
    level(path, in, nx, ox, ny, oy, p, false, true);
}

void exrqoi__wav_encode_path(int path, uint16_t *in, int nx, int ox, int ny, int oy,
                             uint16_t max_value)
{
    int n = nx < ny ? nx : ny;
    bool w14 = max_value < (1 << 14);
    for (int p = 1; 2 * p <= n; p *= 2) {
        if (w14)
            enc_level14(path, in, nx, ox, ny, oy, p);
        else
            enc_level16(path, in, nx, ox, ny, oy, p);
    }
}

void exrqoi__wav_decode_path(int path, uint16_t *in, int nx, int ox, int ny, int oy,
                             uint16_t max_value)
{
    int n = nx < ny ? nx : ny;
    if (n < 2) return;
    bool w14 = max_value < (1 << 14);
    int top = 1; /* largest power of two <= n / 2: the last encoder level */
    while (top <= n / 4) top <<= 1;
    for (int p = top; p >= 1; p >>= 1) {
        if (w14)
            dec_level14(path, in, nx, ox, ny, oy, p);
        else
            dec_level16(path, in, nx, ox, ny, oy, p);
    }
}

void exrqoi__wav_encode(uint16_t *in, int nx, int ox, int ny, int oy, uint16_t max_value)
{
    exrqoi__wav_encode_path(exrqoi__cpu_kernels().piz, in, nx, ox, ny, oy, max_value);
}

void exrqoi__wav_decode(uint16_t *in, int nx, int ox, int ny, int oy, uint16_t max_value)
{
    exrqoi__wav_decode_path(exrqoi__cpu_kernels().piz, in, nx, ox, ny, oy, max_value);
}
