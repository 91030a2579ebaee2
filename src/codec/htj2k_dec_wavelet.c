/*
 * Reversible 5/3 inverse wavelet (T.800 Annex F: 2D_SR = interleave,
 * HOR_SR on every row, then VER_SR on every column, with whole-sample
 * symmetric extension) and the inverse reversible colour transform
 * (T.800 Annex G.2). Positions are absolute, so odd origins and sizes
 * put the low-pass samples where the standard says.
 *
 * Two widths from one source (htj2k_dec_wavelet_tpl.h): int64 for
 * components with more than 30 magnitude bit-planes, int32 for the rest;
 * the int32 vertical lifting has SSE2, AVX2 and NEON kernels (the row
 * step is the same over every column, so it vectorises across columns).
 */
#include "codec/htj2k_dec.h"
#include "common/cpu.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HTDWT_X86 1
#include <immintrin.h>
#else
#define HTDWT_X86 0
#endif
#if defined(__aarch64__) && defined(__ARM_NEON) && !defined(__ARM_BIG_ENDIAN)
#define HTDWT_NEON 1
#include <arm_neon.h>
#else
#define HTDWT_NEON 0
#endif

#define ADD exrqoi__htj2k_add
#define SUB exrqoi__htj2k_sub

static inline uint32_t ceil_half(uint32_t v) { return (uint32_t)(((uint64_t)v + 1) >> 1); }

/* arithmetic shift = floor division by a power of two */
static inline int64_t floor_shift(int64_t v, int s) { return v >> s; }

void exrqoi__htj2k_idwt53_line(int64_t *x, size_t n, size_t step, uint32_t first)
{
    if (n == 0) return;
    if (n == 1) {
        if (first & 1) x[0] = floor_shift(x[0], 1);
        return;
    }
    const size_t par = first & 1; /* index of the first low-pass sample is par */
    /* even positions: X(2n) = Y(2n) - floor((Y(2n-1) + Y(2n+1) + 2) / 4);
     * the ends mirror (whole-sample symmetric extension) */
    size_t k = par;
    if (k == 0) {
        x[0] = SUB(x[0], floor_shift(ADD(ADD(x[step], x[step]), 2), 2));
        k = 2;
    }
    for (; k + 1 < n; k += 2)
        x[k * step] = SUB(x[k * step], floor_shift(ADD(ADD(x[(k - 1) * step], x[(k + 1) * step]), 2), 2));
    if (k < n) x[k * step] = SUB(x[k * step], floor_shift(ADD(ADD(x[(k - 1) * step], x[(k - 1) * step]), 2), 2));
    /* odd positions: X(2n+1) = Y(2n+1) + floor((X(2n) + X(2n+2)) / 2) */
    k = 1 - par;
    if (k == 0) {
        x[0] = ADD(x[0], floor_shift(ADD(x[step], x[step]), 1));
        k = 2;
    }
    for (; k + 1 < n; k += 2) x[k * step] = ADD(x[k * step], floor_shift(ADD(x[(k - 1) * step], x[(k + 1) * step]), 1));
    if (k < n) x[k * step] = ADD(x[k * step], floor_shift(ADD(x[(k - 1) * step], x[(k - 1) * step]), 1));
}

/* ---- int64 instance ------------------------------------------------------ */

#define COEF int64_t
#define UCOEF uint64_t
#define SFX(n) n##_64
#define VERT_ROW(r, a, b, n, hi) vert_row_c_64(r, a, b, n, hi)
#define VERT_PAIR(lo, hi, below, above, n) (vert_row_c_64(lo, hi, below, n, 0), vert_row_c_64(hi, above, lo, n, 1))
#define HOR_EVEN(o, l, h, n) horizontal_even_64(o, l, h, n)
#include "codec/htj2k_dec_wavelet_tpl.h"
#undef COEF
#undef UCOEF
#undef SFX
#undef VERT_ROW
#undef VERT_PAIR
#undef HOR_EVEN

/* ---- int32 vertical kernels ------------------------------------------------ */

#if HTDWT_X86 || HTDWT_NEON
static inline int32_t add32(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
static inline int32_t sub32(int32_t a, int32_t b) { return (int32_t)((uint32_t)a - (uint32_t)b); }

/* the scalar tail of a SIMD row */
static void vert_tail32(int32_t *r, const int32_t *a, const int32_t *b, size_t i, size_t n, int hi)
{
    if (hi)
        for (; i < n; i++) r[i] = add32(r[i], add32(a[i], b[i]) >> 1);
    else
        for (; i < n; i++) r[i] = sub32(r[i], add32(add32(a[i], b[i]), 2) >> 2);
}
#endif

#if HTDWT_X86
/* SIMD integer adds wrap, shifts are arithmetic: the same values as the
 * scalar code */
static void vert_row_sse2(int32_t *r, const int32_t *a, const int32_t *b, size_t n, int hi)
{
    size_t i = 0;
    if (hi) {
        for (; i + 4 <= n; i += 4) {
            __m128i s = _mm_add_epi32(_mm_loadu_si128((const __m128i *)(a + i)), _mm_loadu_si128((const __m128i *)(b + i)));
            __m128i v = _mm_add_epi32(_mm_loadu_si128((const __m128i *)(r + i)), _mm_srai_epi32(s, 1));
            _mm_storeu_si128((__m128i *)(r + i), v);
        }
    } else {
        const __m128i two = _mm_set1_epi32(2);
        for (; i + 4 <= n; i += 4) {
            __m128i s = _mm_add_epi32(_mm_loadu_si128((const __m128i *)(a + i)), _mm_loadu_si128((const __m128i *)(b + i)));
            s = _mm_srai_epi32(_mm_add_epi32(s, two), 2);
            _mm_storeu_si128((__m128i *)(r + i), _mm_sub_epi32(_mm_loadu_si128((const __m128i *)(r + i)), s));
        }
    }
    vert_tail32(r, a, b, i, n, hi);
}

__attribute__((target("avx2"))) static void vert_row_avx2(int32_t *r, const int32_t *a, const int32_t *b, size_t n,
                                                          int hi)
{
    size_t i = 0;
    if (hi) {
        for (; i + 8 <= n; i += 8) {
            __m256i s = _mm256_add_epi32(_mm256_loadu_si256((const __m256i *)(a + i)),
                                         _mm256_loadu_si256((const __m256i *)(b + i)));
            __m256i v = _mm256_add_epi32(_mm256_loadu_si256((const __m256i *)(r + i)), _mm256_srai_epi32(s, 1));
            _mm256_storeu_si256((__m256i *)(r + i), v);
        }
    } else {
        const __m256i two = _mm256_set1_epi32(2);
        for (; i + 8 <= n; i += 8) {
            __m256i s = _mm256_add_epi32(_mm256_loadu_si256((const __m256i *)(a + i)),
                                         _mm256_loadu_si256((const __m256i *)(b + i)));
            s = _mm256_srai_epi32(_mm256_add_epi32(s, two), 2);
            _mm256_storeu_si256((__m256i *)(r + i), _mm256_sub_epi32(_mm256_loadu_si256((const __m256i *)(r + i)), s));
        }
    }
    if (i + 4 <= n) {
        vert_row_sse2(r + i, a + i, b + i, 4, hi);
        i += 4;
    }
    vert_tail32(r, a, b, i, n, hi);
}

/* One vector of vert_pair at column i, for the SSE2 (T __m128i, P _mm_,
 * SI si128) and the AVX2 (__m256i, _mm256_, si256) kernels alike; `two`
 * holds 2 in every lane. */
#define VERT_PAIR_STEP(T, P, SI, lo, hi, below, above, i, two)                                                         \
    do {                                                                                                               \
        const T h_ = P##loadu_##SI((const T *)((hi) + (i)));                                                           \
        const T s_ = P##add_epi32(P##add_epi32(h_, P##loadu_##SI((const T *)((below) + (i)))), two);                   \
        const T l_ = P##sub_epi32(P##loadu_##SI((const T *)((lo) + (i))), P##srai_epi32(s_, 2));                       \
        P##storeu_##SI((T *)((lo) + (i)), l_);                                                                         \
        const T t_ = P##add_epi32(P##loadu_##SI((const T *)((above) + (i))), l_);                                      \
        P##storeu_##SI((T *)((hi) + (i)), P##add_epi32(h_, P##srai_epi32(t_, 1)));                                     \
    } while (0)

/* A low-pass row's step and then that of the high-pass row above it in
 * one pass: lo -= (hi + below + 2) >> 2, hi += (above + lo) >> 1, with
 * hi read before and written after, and the new lo not reloaded. `above`
 * is a third row (not lo: the caller mirrors at the top itself). */
static inline void vert_pair_tail32(int32_t *lo, int32_t *hi, const int32_t *below, const int32_t *above, size_t i,
                                    size_t n)
{
    for (; i < n; i++) {
        lo[i] = sub32(lo[i], add32(add32(hi[i], below[i]), 2) >> 2);
        hi[i] = add32(hi[i], add32(above[i], lo[i]) >> 1);
    }
}

static void vert_pair_sse2(int32_t *lo, int32_t *hi, const int32_t *below, const int32_t *above, size_t n)
{
    const __m128i two = _mm_set1_epi32(2);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) VERT_PAIR_STEP(__m128i, _mm_, si128, lo, hi, below, above, i, two);
    vert_pair_tail32(lo, hi, below, above, i, n);
}

/* the row's last 4 to 7 columns without a call: a narrow subband's rows
 * are short, the call would cost as much as the columns */
__attribute__((target("avx2"))) static void vert_pair_avx2(int32_t *lo, int32_t *hi, const int32_t *below,
                                                           const int32_t *above, size_t n)
{
    const __m256i two = _mm256_set1_epi32(2);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) VERT_PAIR_STEP(__m256i, _mm256_, si256, lo, hi, below, above, i, two);
    if (i + 4 <= n) {
        const __m128i two4 = _mm_set1_epi32(2);
        VERT_PAIR_STEP(__m128i, _mm_, si128, lo, hi, below, above, i, two4);
        i += 4;
    }
    vert_pair_tail32(lo, hi, below, above, i, n);
}
#endif

#if HTDWT_NEON
static void vert_row_neon(int32_t *r, const int32_t *a, const int32_t *b, size_t n, int hi)
{
    size_t i = 0;
    if (hi) {
        for (; i + 4 <= n; i += 4) vst1q_s32(r + i, vaddq_s32(vld1q_s32(r + i), vshrq_n_s32(vaddq_s32(vld1q_s32(a + i), vld1q_s32(b + i)), 1)));
    } else {
        const int32x4_t two = vdupq_n_s32(2);
        for (; i + 4 <= n; i += 4) {
            int32x4_t s = vshrq_n_s32(vaddq_s32(vaddq_s32(vld1q_s32(a + i), vld1q_s32(b + i)), two), 2);
            vst1q_s32(r + i, vsubq_s32(vld1q_s32(r + i), s));
        }
    }
    vert_tail32(r, a, b, i, n, hi);
}
#endif

static inline void vert_row_32(int path, int32_t *r, const int32_t *a, const int32_t *b, size_t n, int hi);
static inline void vert_pair_32(int path, int32_t *lo, int32_t *hi, const int32_t *below, const int32_t *above,
                                size_t n);
static void hor_even_32(int path, int32_t *o, const int32_t *l, const int32_t *h, uint32_t n);

/* ---- int32 instance ------------------------------------------------------ */

#define COEF int32_t
#define UCOEF uint32_t
#define SFX(n) n##_32
#define VERT_ROW(r, a, b, n, hi) vert_row_32(path, r, a, b, n, hi)
#define VERT_PAIR(lo, hi, below, above, n) vert_pair_32(path, lo, hi, below, above, n)
#define HOR_EVEN(o, l, h, n) hor_even_32(path, o, l, h, n)
#include "codec/htj2k_dec_wavelet_tpl.h"
#undef COEF
#undef UCOEF
#undef SFX
#undef VERT_ROW
#undef VERT_PAIR
#undef HOR_EVEN

/* ---- int32 horizontal kernels ------------------------------------------------ */

/* HOR_SR of an even-origin row (n >= 2 samples; lw = ceil(n / 2) lows,
 * hw = floor(n / 2) highs) sample by sample, each output from the bands
 * directly (mirrored at the ends): the SIMD kernels' edges. */
static inline int32_t hlo_at(const int32_t *l, const int32_t *h, uint32_t j, uint32_t hw)
{
    return lift_lo_32(l[j], h[j ? j - 1 : 0], h[j < hw ? j : j - 1]);
}

/* Pairs j.. (j >= 1) to the end of the row, each low computed once: the
 * interior ones without the mirror tests, then the last pair and the
 * last low, which may mirror. */
static inline void hpairs_from(int32_t *o, const int32_t *l, const int32_t *h, uint32_t j, uint32_t lw, uint32_t hw)
{
    if (j >= lw) return;
    int32_t lo = hlo_at(l, h, j, hw);
    for (; j + 1 < hw; j++) {
        const int32_t next = lift_lo_32(l[j + 1], h[j], h[j + 1]);
        o[2 * j] = lo;
        o[2 * j + 1] = lift_hi_32(h[j], lo, next);
        lo = next;
    }
    if (j < hw) {
        const int32_t next = j + 1 < lw ? hlo_at(l, h, j + 1, hw) : lo;
        o[2 * j] = lo;
        o[2 * j + 1] = lift_hi_32(h[j], lo, next);
        lo = next;
        j++;
    }
    if (j < lw) o[2 * j] = lo;
}

/* Inside the row (1 <= j, j + W + 1 <= hw) nothing mirrors: W pairs at a
 * time from unaligned loads of l[j..], l[j+1..], h[j-1..], h[j..],
 * h[j+1..], interleaved on the store. The outputs depend on the bands
 * only, so a last step placed at hw - W - 1 may overlap pairs already
 * done: every interior pair of a row of hw > W pairs is SIMD, and only
 * the mirrored ends are left to the scalar code. */
#if HTDWT_X86
/* pairs j..j+3 */
static inline __attribute__((always_inline)) void hor_even4_sse2(int32_t *o, const int32_t *l, const int32_t *h,
                                                                 uint32_t j)
{
    const __m128i two = _mm_set1_epi32(2);
    const __m128i hm = _mm_loadu_si128((const __m128i *)(h + j - 1)), h0 = _mm_loadu_si128((const __m128i *)(h + j)),
                  h1 = _mm_loadu_si128((const __m128i *)(h + j + 1));
    const __m128i l0 = _mm_loadu_si128((const __m128i *)(l + j)), l1 = _mm_loadu_si128((const __m128i *)(l + j + 1));
    const __m128i lo = _mm_sub_epi32(l0, _mm_srai_epi32(_mm_add_epi32(_mm_add_epi32(hm, h0), two), 2));
    const __m128i ln = _mm_sub_epi32(l1, _mm_srai_epi32(_mm_add_epi32(_mm_add_epi32(h0, h1), two), 2));
    const __m128i hi = _mm_add_epi32(h0, _mm_srai_epi32(_mm_add_epi32(lo, ln), 1));
    _mm_storeu_si128((__m128i *)(o + 2 * j), _mm_unpacklo_epi32(lo, hi));
    _mm_storeu_si128((__m128i *)(o + 2 * j + 4), _mm_unpackhi_epi32(lo, hi));
}

static uint32_t hor_even_sse2(int32_t *o, const int32_t *l, const int32_t *h, uint32_t hw)
{
    uint32_t j = 1;
    for (; j + 5 <= hw; j += 4) hor_even4_sse2(o, l, h, j);
    if (j + 1 < hw && hw >= 6) {
        hor_even4_sse2(o, l, h, hw - 5);
        j = hw - 1;
    }
    return j;
}

/* The AVX2 row, hw >= 9: every pair in vectors of 8, the mirrored ends
 * included, so nothing is left to the scalar code. */
__attribute__((target("avx2"))) static inline __attribute__((always_inline)) __m256i load8(const int32_t *p)
{
    return _mm256_loadu_si256((const __m256i *)p);
}

/* 8 lows from their band samples (at l) and the highs before (hm) and after (h0) each */
__attribute__((target("avx2"))) static inline __attribute__((always_inline)) __m256i
lows8_avx2(const int32_t *l, __m256i hm, __m256i h0)
{
    const __m256i s = _mm256_add_epi32(_mm256_add_epi32(hm, h0), _mm256_set1_epi32(2));
    return _mm256_sub_epi32(load8(l), _mm256_srai_epi32(s, 2));
}

/* pairs j..j+7 at o = out + 2 * j from their lows (lo), the next lows
 * (ln, lows j+1..j+8) and their highs (h0) */
__attribute__((target("avx2"))) static inline __attribute__((always_inline)) void
pairs8_avx2(int32_t *o, __m256i lo, __m256i ln, __m256i h0)
{
    const __m256i hi = _mm256_add_epi32(h0, _mm256_srai_epi32(_mm256_add_epi32(lo, ln), 1));
    const __m256i a = _mm256_unpacklo_epi32(lo, hi), b = _mm256_unpackhi_epi32(lo, hi);
    _mm256_storeu_si256((__m256i *)o, _mm256_permute2x128_si256(a, b, 0x20));
    _mm256_storeu_si256((__m256i *)(o + 8), _mm256_permute2x128_si256(a, b, 0x31));
}

__attribute__((target("avx2"))) static void hor_even_avx2(int32_t *o, const int32_t *l, const int32_t *h, uint32_t lw,
                                                          uint32_t hw)
{
    /* the first step mirrors h[-1] = h[0] */
    __m256i h0 = load8(h);
    __m256i lo = lows8_avx2(l, _mm256_permutevar8x32_epi32(h0, _mm256_setr_epi32(0, 0, 1, 2, 3, 4, 5, 6)), h0);
    pairs8_avx2(o, lo, lows8_avx2(l + 1, h0, load8(h + 1)), h0);
    size_t j = 8;
    for (; j + 9 <= hw; j += 8) {
        h0 = load8(h + j);
        pairs8_avx2(o + 2 * j, lows8_avx2(l + j, load8(h + j - 1), h0), lows8_avx2(l + j + 1, h0, load8(h + j + 1)),
                    h0);
    }
    /* the last 8 pairs (again any already done), mirroring h[hw] = h[hw - 1]
     * and, with no low hw, low hw - 1 */
    j = hw - 8;
    h0 = load8(h + j);
    lo = lows8_avx2(l + j, load8(h + j - 1), h0);
    const __m256i last = _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 7);
    __m256i ln;
    if (lw > hw) {
        ln = lows8_avx2(l + j + 1, h0, _mm256_permutevar8x32_epi32(h0, last));
        o[2 * (size_t)hw] = _mm256_extract_epi32(ln, 7);
    } else {
        ln = _mm256_permutevar8x32_epi32(lo, last);
    }
    pairs8_avx2(o + 2 * j, lo, ln, h0);
}
#endif

#if HTDWT_NEON
static inline void hor_even4_neon(int32_t *o, const int32_t *l, const int32_t *h, uint32_t j)
{
    const int32x4_t two = vdupq_n_s32(2);
    const int32x4_t hm = vld1q_s32(h + j - 1), h0 = vld1q_s32(h + j), h1 = vld1q_s32(h + j + 1);
    int32x4x2_t p;
    p.val[0] = vsubq_s32(vld1q_s32(l + j), vshrq_n_s32(vaddq_s32(vaddq_s32(hm, h0), two), 2));
    const int32x4_t ln = vsubq_s32(vld1q_s32(l + j + 1), vshrq_n_s32(vaddq_s32(vaddq_s32(h0, h1), two), 2));
    p.val[1] = vaddq_s32(h0, vshrq_n_s32(vaddq_s32(p.val[0], ln), 1));
    vst2q_s32(o + 2 * j, p);
}

static uint32_t hor_even_neon(int32_t *o, const int32_t *l, const int32_t *h, uint32_t hw)
{
    uint32_t j = 1;
    for (; j + 5 <= hw; j += 4) hor_even4_neon(o, l, h, j);
    if (j + 1 < hw && hw >= 6) {
        hor_even4_neon(o, l, h, hw - 5);
        j = hw - 1;
    }
    return j;
}
#endif

static void hor_even_32(int path, int32_t *o, const int32_t *l, const int32_t *h, uint32_t n)
{
    const uint32_t lw = (n + 1) / 2, hw = n / 2;
    uint32_t j;
    switch (path) {
#if HTDWT_X86
    case EXRQOI__PATH_AVX2:
        if (hw >= 9) {
            hor_even_avx2(o, l, h, lw, hw);
            return;
        }
        j = hor_even_sse2(o, l, h, hw);
        break;
    case EXRQOI__PATH_SSE2: j = hor_even_sse2(o, l, h, hw); break;
#endif
#if HTDWT_NEON
    case EXRQOI__PATH_NEON: j = hor_even_neon(o, l, h, hw); break;
#endif
    default: horizontal_even_32(o, l, h, n); return;
    }
    /* pair 0 (its low mirrors h[-1]) and the tail */
    const int32_t lo0 = hlo_at(l, h, 0, hw);
    o[0] = lo0;
    o[1] = lift_hi_32(h[0], lo0, lw > 1 ? hlo_at(l, h, 1, hw) : lo0);
    if (j < lw) hpairs_from(o, l, h, j, lw, hw);
}

static inline void vert_row_32(int path, int32_t *r, const int32_t *a, const int32_t *b, size_t n, int hi)
{
    switch (path) {
#if HTDWT_X86
    case EXRQOI__PATH_AVX2: vert_row_avx2(r, a, b, n, hi); return;
    case EXRQOI__PATH_SSE2: vert_row_sse2(r, a, b, n, hi); return;
#endif
#if HTDWT_NEON
    case EXRQOI__PATH_NEON: vert_row_neon(r, a, b, n, hi); return;
#endif
    default: vert_row_c_32(r, a, b, n, hi); return;
    }
}

static inline void vert_pair_32(int path, int32_t *lo, int32_t *hi, const int32_t *below, const int32_t *above,
                                size_t n)
{
    switch (path) {
#if HTDWT_X86
    case EXRQOI__PATH_AVX2: vert_pair_avx2(lo, hi, below, above, n); return;
    case EXRQOI__PATH_SSE2: vert_pair_sse2(lo, hi, below, above, n); return;
#endif
    default:
        vert_row_32(path, lo, hi, below, n, 0);
        vert_row_32(path, hi, above, lo, n, 1);
        return;
    }
}

/* ---- entry points ---------------------------------------------------------- */

void exrqoi__htj2k_idwt53_2d(int64_t *out, uint32_t x0, uint32_t y0, uint32_t rw, uint32_t rh, const int64_t *ll,
                             const int64_t *hl, const int64_t *lh, const int64_t *hh)
{
    idwt53_2d_64(out, x0, y0, rw, rh, ll, hl, lh, hh, EXRQOI__PATH_C);
}

void exrqoi__htj2k_idwt53_2d_32(int path, int32_t *out, uint32_t x0, uint32_t y0, uint32_t rw, uint32_t rh,
                                const int32_t *ll, const int32_t *hl, const int32_t *lh, const int32_t *hh)
{
    idwt53_2d_32(out, x0, y0, rw, rh, ll, hl, lh, hh, path);
}

void exrqoi__htj2k_idwt53_2d_32_rows(int path, int32_t *out, uint32_t x0, uint32_t y0, uint32_t rw, uint32_t rh,
                                     const int32_t *ll, const int32_t *hl, const int32_t *lh, const int32_t *hh,
                                     uint32_t t0, uint32_t t1, uint32_t ring)
{
    idwt53_2d_rows_32(out, x0, y0, rw, rh, ll, hl, lh, hh, path, t0, t1, ring ? ring - 1 : UINT32_MAX);
}

void exrqoi__htj2k_inverse_rct(int64_t *c0, int64_t *c1, int64_t *c2, size_t n) { inverse_rct_64(c0, c1, c2, n); }

#if HTDWT_X86
static size_t rct_sse2(int32_t *c0, int32_t *c1, int32_t *c2, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const __m128i y = _mm_loadu_si128((const __m128i *)(c0 + i)), cb = _mm_loadu_si128((const __m128i *)(c1 + i)),
                      cr = _mm_loadu_si128((const __m128i *)(c2 + i));
        const __m128i g = _mm_sub_epi32(y, _mm_srai_epi32(_mm_add_epi32(cb, cr), 2));
        _mm_storeu_si128((__m128i *)(c0 + i), _mm_add_epi32(cr, g));
        _mm_storeu_si128((__m128i *)(c1 + i), g);
        _mm_storeu_si128((__m128i *)(c2 + i), _mm_add_epi32(cb, g));
    }
    return i;
}

__attribute__((target("avx2"))) static size_t rct_avx2(int32_t *c0, int32_t *c1, int32_t *c2, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256i y = _mm256_loadu_si256((const __m256i *)(c0 + i)),
                      cb = _mm256_loadu_si256((const __m256i *)(c1 + i)),
                      cr = _mm256_loadu_si256((const __m256i *)(c2 + i));
        const __m256i g = _mm256_sub_epi32(y, _mm256_srai_epi32(_mm256_add_epi32(cb, cr), 2));
        _mm256_storeu_si256((__m256i *)(c0 + i), _mm256_add_epi32(cr, g));
        _mm256_storeu_si256((__m256i *)(c1 + i), g);
        _mm256_storeu_si256((__m256i *)(c2 + i), _mm256_add_epi32(cb, g));
    }
    return i;
}
#endif

#if HTDWT_NEON
static size_t rct_neon(int32_t *c0, int32_t *c1, int32_t *c2, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const int32x4_t cb = vld1q_s32(c1 + i), cr = vld1q_s32(c2 + i);
        const int32x4_t g = vsubq_s32(vld1q_s32(c0 + i), vshrq_n_s32(vaddq_s32(cb, cr), 2));
        vst1q_s32(c0 + i, vaddq_s32(cr, g));
        vst1q_s32(c1 + i, g);
        vst1q_s32(c2 + i, vaddq_s32(cb, g));
    }
    return i;
}
#endif

void exrqoi__htj2k_inverse_rct32(int path, int32_t *c0, int32_t *c1, int32_t *c2, size_t n)
{
    size_t i = 0;
    switch (path) {
#if HTDWT_X86
    case EXRQOI__PATH_AVX2: i = rct_avx2(c0, c1, c2, n); break;
    case EXRQOI__PATH_SSE2: i = rct_sse2(c0, c1, c2, n); break;
#endif
#if HTDWT_NEON
    case EXRQOI__PATH_NEON: i = rct_neon(c0, c1, c2, n); break;
#endif
    default: break;
    }
    inverse_rct_32(c0 + i, c1 + i, c2 + i, n - i);
}
