/* The HTJ2K encoder's SIMD kernels for 16-bit components, each with its
 * portable version: the code-block sample preparation (exponents and
 * MagSgn values), the half samples' NLT, the RCT and the forward
 * reversible 5/3 wavelet on 32-bit samples (values stay within 21 bits).
 *
 * The wavelet:
 * Every step is one of two lifting kernels over contiguous arrays:
 *   predict: out[i] = mid[i] - ((a[i] + b[i]) >> 1)      (high samples)
 *   update:  out[i] = src[i] + ((a[i] + b[i] + 2) >> 2)  (low samples)
 * The vertical step lifts whole rows; the horizontal step first splits a
 * row into its even (low) and odd (high) samples, then lifts those as
 * arrays. Integer lanes give the portable code's integers exactly. */
#include "codec/htj2k_enc.h"

#include "common/cpu.h"

#if (defined(__x86_64__) || defined(__i386__)) && defined(__SSE2__)
#include <immintrin.h>
#define DWT_X86 1
#else
#define DWT_X86 0
#endif
#if defined(__aarch64__) && defined(__ARM_NEON)
#include <arm_neon.h>
#define DWT_NEON 1
#else
#define DWT_NEON 0
#endif

#define LEVELS 5
#define INLINE static inline __attribute__((always_inline))

int exrqoi__htj2k_enc_path(uint32_t features)
{
#if DWT_X86
    /* the AVX2 path's block coder also uses BMI2 (htj2k_enc_block.c) */
    if ((features & (EXRQOI__CPU_AVX2 | EXRQOI__CPU_BMI2)) == (EXRQOI__CPU_AVX2 | EXRQOI__CPU_BMI2))
        return EXRQOI__PATH_AVX2;
    if (features & EXRQOI__CPU_SSE2) return EXRQOI__PATH_SSE2;
#endif
#if DWT_NEON
    if (features & EXRQOI__CPU_NEON) return EXRQOI__PATH_NEON;
#endif
    (void)features;
    return EXRQOI__PATH_C;
}

/* ---- kernels: the portable tail of each, then the vector bodies -------- */
/* An x86 kernel does a tail of at least one vector as the last whole
 * vector again, which recomputes the same integers: an output never
 * overlaps an input other than `src` of an in-place update (then the
 * tail is portable). */

INLINE void predict_c(int32_t *out, const int32_t *mid, const int32_t *a, const int32_t *b, size_t i, size_t n)
{
    for (; i < n; i++) out[i] = mid[i] - ((a[i] + b[i]) >> 1);
}
INLINE void update_c(int32_t *out, const int32_t *src, const int32_t *a, const int32_t *b, size_t i, size_t n)
{
    for (; i < n; i++) out[i] = src[i] + ((a[i] + b[i] + 2) >> 2);
}
INLINE void split_c(const int32_t *x, int32_t *lo, int32_t *hi, size_t i, size_t n)
{
    for (; 2 * i + 1 < n; i++) {
        lo[i] = x[2 * i];
        hi[i] = x[2 * i + 1];
    }
    if (2 * i < n) lo[i] = x[2 * i];
}

INLINE void predict_k0(int32_t *out, const int32_t *mid, const int32_t *a, const int32_t *b, size_t n)
{
    predict_c(out, mid, a, b, 0, n);
}
INLINE void update_k0(int32_t *out, const int32_t *src, const int32_t *a, const int32_t *b, size_t n)
{
    update_c(out, src, a, b, 0, n);
}
INLINE void split_k0(const int32_t *x, int32_t *lo, int32_t *hi, size_t n) { split_c(x, lo, hi, 0, n); }

#if DWT_X86
#define LD(p) _mm_loadu_si128((const __m128i *)(const void *)(p))
#define ST(p, v) _mm_storeu_si128((__m128i *)(void *)(p), v)
INLINE void predict_k1(int32_t *out, const int32_t *mid, const int32_t *a, const int32_t *b, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        ST(out + i, _mm_sub_epi32(LD(mid + i), _mm_srai_epi32(_mm_add_epi32(LD(a + i), LD(b + i)), 1)));
    if (i < n && n >= 4) { /* the tail as the last 4 again: out never overlaps the inputs */
        i = n - 4;
        ST(out + i, _mm_sub_epi32(LD(mid + i), _mm_srai_epi32(_mm_add_epi32(LD(a + i), LD(b + i)), 1)));
        return;
    }
    predict_c(out, mid, a, b, i, n);
}
INLINE void update_k1(int32_t *out, const int32_t *src, const int32_t *a, const int32_t *b, size_t n)
{
    const __m128i two = _mm_set1_epi32(2);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        __m128i s = _mm_add_epi32(_mm_add_epi32(LD(a + i), LD(b + i)), two);
        ST(out + i, _mm_add_epi32(LD(src + i), _mm_srai_epi32(s, 2)));
    }
    if (i < n && n >= 4 && out != src) { /* the tail as the last 4 again, unless in place */
        i = n - 4;
        __m128i s = _mm_add_epi32(_mm_add_epi32(LD(a + i), LD(b + i)), two);
        ST(out + i, _mm_add_epi32(LD(src + i), _mm_srai_epi32(s, 2)));
        return;
    }
    update_c(out, src, a, b, i, n);
}
INLINE void split_k1(const int32_t *x, int32_t *lo, int32_t *hi, size_t n)
{
    size_t i = 0;
    for (; 2 * i + 8 <= n; i += 4) {
        __m128 p = _mm_castsi128_ps(LD(x + 2 * i)), q = _mm_castsi128_ps(LD(x + 2 * i + 4));
        ST(lo + i, _mm_castps_si128(_mm_shuffle_ps(p, q, _MM_SHUFFLE(2, 0, 2, 0))));
        ST(hi + i, _mm_castps_si128(_mm_shuffle_ps(p, q, _MM_SHUFFLE(3, 1, 3, 1))));
    }
    split_c(x, lo, hi, i, n);
}

#define LD8(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define ST8(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), v)
#define AVX2 __attribute__((target("avx2")))
AVX2 INLINE void predict_k2(int32_t *out, const int32_t *mid, const int32_t *a, const int32_t *b, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        ST8(out + i, _mm256_sub_epi32(LD8(mid + i), _mm256_srai_epi32(_mm256_add_epi32(LD8(a + i), LD8(b + i)), 1)));
    if (i < n && n >= 8) { /* the tail as the last 8 again: out never overlaps the inputs */
        i = n - 8;
        ST8(out + i, _mm256_sub_epi32(LD8(mid + i), _mm256_srai_epi32(_mm256_add_epi32(LD8(a + i), LD8(b + i)), 1)));
        return;
    }
    predict_c(out, mid, a, b, i, n);
}
AVX2 INLINE void update_k2(int32_t *out, const int32_t *src, const int32_t *a, const int32_t *b, size_t n)
{
    const __m256i two = _mm256_set1_epi32(2);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i s = _mm256_add_epi32(_mm256_add_epi32(LD8(a + i), LD8(b + i)), two);
        ST8(out + i, _mm256_add_epi32(LD8(src + i), _mm256_srai_epi32(s, 2)));
    }
    if (i < n && n >= 8 && out != src) { /* the tail as the last 8 again, unless in place */
        i = n - 8;
        __m256i s = _mm256_add_epi32(_mm256_add_epi32(LD8(a + i), LD8(b + i)), two);
        ST8(out + i, _mm256_add_epi32(LD8(src + i), _mm256_srai_epi32(s, 2)));
        return;
    }
    update_c(out, src, a, b, i, n);
}
AVX2 INLINE void split_k2(const int32_t *x, int32_t *lo, int32_t *hi, size_t n)
{
    const __m256i perm = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
    size_t i = 0;
    for (; 2 * i + 16 <= n; i += 8) {
        __m256i p = _mm256_permutevar8x32_epi32(LD8(x + 2 * i), perm); /* e0..e3 o0..o3 */
        __m256i q = _mm256_permutevar8x32_epi32(LD8(x + 2 * i + 8), perm);
        ST8(lo + i, _mm256_permute2x128_si256(p, q, 0x20));
        ST8(hi + i, _mm256_permute2x128_si256(p, q, 0x31));
    }
    split_c(x, lo, hi, i, n);
}
#else
#define AVX2
#define predict_k1 predict_k0
#define update_k1 update_k0
#define split_k1 split_k0
#define predict_k2 predict_k0
#define update_k2 update_k0
#define split_k2 split_k0
#endif

#if DWT_NEON
INLINE void predict_k3(int32_t *out, const int32_t *mid, const int32_t *a, const int32_t *b, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        vst1q_s32(out + i, vsubq_s32(vld1q_s32(mid + i), vshrq_n_s32(vaddq_s32(vld1q_s32(a + i), vld1q_s32(b + i)), 1)));
    predict_c(out, mid, a, b, i, n);
}
INLINE void update_k3(int32_t *out, const int32_t *src, const int32_t *a, const int32_t *b, size_t n)
{
    const int32x4_t two = vdupq_n_s32(2);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        int32x4_t s = vaddq_s32(vaddq_s32(vld1q_s32(a + i), vld1q_s32(b + i)), two);
        vst1q_s32(out + i, vaddq_s32(vld1q_s32(src + i), vshrq_n_s32(s, 2)));
    }
    update_c(out, src, a, b, i, n);
}
INLINE void split_k3(const int32_t *x, int32_t *lo, int32_t *hi, size_t n)
{
    size_t i = 0;
    for (; 2 * i + 8 <= n; i += 4) {
        int32x4x2_t v = vld2q_s32(x + 2 * i);
        vst1q_s32(lo + i, v.val[0]);
        vst1q_s32(hi + i, v.val[1]);
    }
    split_c(x, lo, hi, i, n);
}
#else
#define predict_k3 predict_k0
#define update_k3 update_k0
#define split_k3 split_k0
#endif

/* ---- the transform, once per path ---------------------------------------- */

/* One row of n samples from src to ceil(n/2) low then floor(n/2) high
 * at x (src may be x), symmetric extension at both ends; tmp holds n
 * samples. */
#define DWT_ROW(K, ATTR)                                                                                      \
    ATTR INLINE void row_k##K(const int32_t *src, int32_t *x, int n, int32_t *tmp)                           \
    {                                                                                                         \
        if (n < 2) {                                                                                          \
            if (n == 1) x[0] = src[0];                                                                        \
            return;                                                                                           \
        }                                                                                                     \
        const size_t nl = (size_t)(n + 1) / 2, nh = (size_t)n / 2, np = n & 1 ? nh : nh - 1;                  \
        int32_t *lo = tmp, *hi = tmp + nl, *L = x, *H = x + nl;                                               \
        split_k##K(src, lo, hi, (size_t)n);                                                                   \
        predict_k##K(H, hi, lo, lo + 1, np);                                                                  \
        if (!(n & 1)) H[nh - 1] = hi[nh - 1] - lo[nh - 1];                                                    \
        L[0] = lo[0] + ((2 * H[0] + 2) >> 2);                                                                 \
        update_k##K(L + 1, lo + 1, H, H + 1, nh - 1);                                                         \
        if (n & 1) L[nh] = lo[nh] + ((2 * H[nh - 1] + 2) >> 2);                                               \
    }

/* Vertical then horizontal per level; the low band stays at the top left
 * (Mallat layout). Vertically, high rows go to tmp and low rows move up
 * in place (row i is free once rows 2i-1 and 2i are used); the
 * horizontal step then takes the low rows in place and the high rows
 * from tmp to their places below them, using the last w samples of tmp
 * for a row. tmp: (h / 2) * w + w samples. */
#define DWT_2D(K, ATTR)                                                                                       \
    ATTR static void fwd53_k##K(int32_t *p, int w, int h, int32_t *tmp)                                      \
    {                                                                                                         \
        int cw = w, ch = h;                                                                                   \
        const size_t rw = (size_t)w;                                                                          \
        int32_t *rowtmp = tmp + (size_t)(h / 2) * rw;                                                         \
        for (int d = 0; d < LEVELS; d++) {                                                                    \
            const size_t cwz = (size_t)cw;                                                                    \
            if (ch > 1) {                                                                                     \
                const int nl = (ch + 1) / 2, nh = ch / 2;                                                     \
                for (int i = 0; i < nh; i++) {                                                                \
                    const int32_t *up = p + (size_t)(2 * i) * rw, *mid = up + rw;                             \
                    const int32_t *dn = 2 * i + 2 < ch ? mid + rw : up;                                       \
                    predict_k##K(tmp + (size_t)i * cwz, mid, up, dn, cwz);                                   \
                }                                                                                             \
                for (int i = 0; i < nl; i++) {                                                                \
                    const int32_t *dl = tmp + (size_t)(i > 0 ? i - 1 : 0) * cwz;                              \
                    const int32_t *dr = tmp + (size_t)(i < nh ? i : nh - 1) * cwz;                            \
                    update_k##K(p + (size_t)i * rw, p + (size_t)(2 * i) * rw, dl, dr, cwz);                   \
                }                                                                                             \
                for (int y = 0; y < nl; y++) row_k##K(p + (size_t)y * rw, p + (size_t)y * rw, cw, rowtmp);    \
                for (int i = 0; i < nh; i++)                                                                  \
                    row_k##K(tmp + (size_t)i * cwz, p + (size_t)(nl + i) * rw, cw, rowtmp);                   \
            } else {                                                                                          \
                for (int y = 0; y < ch; y++) row_k##K(p + (size_t)y * rw, p + (size_t)y * rw, cw, rowtmp);    \
            }                                                                                                 \
            cw = (cw + 1) / 2;                                                                                \
            ch = (ch + 1) / 2;                                                                                \
        }                                                                                                     \
    }

DWT_ROW(0, )
DWT_2D(0, )
#if DWT_X86
DWT_ROW(1, )
DWT_2D(1, )
DWT_ROW(2, AVX2)
DWT_2D(2, AVX2)
#endif
#if DWT_NEON
DWT_ROW(3, )
DWT_2D(3, )
#endif

void exrqoi__htj2k_fwd53_i32(int path, int32_t *p, int w, int h, int32_t *tmp)
{
    switch (path) {
#if DWT_X86
    case EXRQOI__PATH_AVX2:
        fwd53_k2(p, w, h, tmp);
        return;
    case EXRQOI__PATH_SSE2:
        fwd53_k1(p, w, h, tmp);
        return;
#endif
#if DWT_NEON
    case EXRQOI__PATH_NEON:
        fwd53_k3(p, w, h, tmp);
        return;
#endif
    default:
        fwd53_k0(p, w, h, tmp);
        return;
    }
}

/* ---- code-block preparation ---------------------------------------------- */

#define EW 132 /* htj2k_enc_block.c's stride */

static int prep_c(const int32_t *coef, size_t stride, int w, int h, uint32_t mask, uint8_t *E, uint32_t *V, int x0)
{
    const int hp = (h + 1) & ~1, wp = (w + 3) & ~3;
    uint32_t any = 0;
    for (int y = 0; y < hp; y++) {
        uint8_t *er = E + (size_t)y * EW;
        uint32_t *vr = V + (size_t)y * EW;
        const int32_t *cr = coef + (size_t)y * stride;
        int x = y < h ? x0 : 0;
        if (y < h)
            for (; x < w; x++) {
                int32_t c = cr[x];
                uint32_t mu = (c < 0 ? 0u - (uint32_t)c : (uint32_t)c) & mask;
                any |= mu;
                er[x] = mu ? (uint8_t)(32 - __builtin_clz(2 * mu - 1)) : 0;
                vr[x] = mu ? 2 * (mu - 1) + (c < 0) : 0;
            }
        for (; x < wp; x++) {
            er[x] = 0;
            vr[x] = 0;
        }
    }
    return any != 0;
}

/* The vector forms: mu = |c| & mask; E from the float exponent of
 * 2 mu - 1 (exact below 2^24), V = 2 mu - 2 + sign; both 0 where mu is.
 * Whole rows of 8 (SSE2, NEON) or 16 (AVX2) samples, the rest portable;
 * rows past h are all padding. */
#if DWT_X86
static int prep_k1(const int32_t *coef, size_t stride, int w, int h, uint32_t mask, uint8_t *E, uint32_t *V)
{
    const int wv = w & ~7;
    const __m128i m = _mm_set1_epi32((int)mask), one = _mm_set1_epi32(1), k126 = _mm_set1_epi32(126),
                  zero = _mm_setzero_si128();
    __m128i any = zero;
    for (int y = 0; y < h; y++) {
        const int32_t *cr = coef + (size_t)y * stride;
        uint8_t *er = E + (size_t)y * EW;
        uint32_t *vr = V + (size_t)y * EW;
        for (int x = 0; x < wv; x += 8) {
            __m128i e2[2];
            for (int j = 0; j < 2; j++) {
                __m128i c = LD(cr + x + 4 * j), s = _mm_srai_epi32(c, 31);
                __m128i mu = _mm_and_si128(_mm_sub_epi32(_mm_xor_si128(c, s), s), m);
                __m128i z = _mm_cmpeq_epi32(mu, zero);
                any = _mm_or_si128(any, mu);
                __m128i t = _mm_sub_epi32(_mm_add_epi32(mu, mu), one);
                __m128i e = _mm_sub_epi32(_mm_srli_epi32(_mm_castps_si128(_mm_cvtepi32_ps(t)), 23), k126);
                e2[j] = _mm_andnot_si128(z, e);
                __m128i v = _mm_sub_epi32(_mm_add_epi32(mu, mu), _mm_add_epi32(one, _mm_add_epi32(one, s)));
                ST(vr + x + 4 * j, _mm_andnot_si128(z, v));
            }
            __m128i e16 = _mm_packs_epi32(e2[0], e2[1]);
            _mm_storel_epi64((__m128i *)(void *)(er + x), _mm_packus_epi16(e16, e16));
        }
    }
    int r = _mm_movemask_epi8(_mm_cmpeq_epi32(any, zero)) != 0xFFFF;
    return prep_c(coef, stride, w, h, mask, E, V, wv) | r;
}

AVX2 static int prep_k2(const int32_t *coef, size_t stride, int w, int h, uint32_t mask, uint8_t *E, uint32_t *V)
{
    const int wv = w & ~15;
    const __m256i m = _mm256_set1_epi32((int)mask), one = _mm256_set1_epi32(1), k126 = _mm256_set1_epi32(126),
                  zero = _mm256_setzero_si256();
    __m256i any = zero;
    for (int y = 0; y < h; y++) {
        const int32_t *cr = coef + (size_t)y * stride;
        uint8_t *er = E + (size_t)y * EW;
        uint32_t *vr = V + (size_t)y * EW;
        for (int x = 0; x < wv; x += 16) {
            __m256i e2[2];
            for (int j = 0; j < 2; j++) {
                __m256i c = LD8(cr + x + 8 * j), s = _mm256_srai_epi32(c, 31);
                __m256i mu = _mm256_and_si256(_mm256_abs_epi32(c), m);
                __m256i z = _mm256_cmpeq_epi32(mu, zero);
                any = _mm256_or_si256(any, mu);
                __m256i t = _mm256_sub_epi32(_mm256_add_epi32(mu, mu), one);
                __m256i e = _mm256_sub_epi32(_mm256_srli_epi32(_mm256_castps_si256(_mm256_cvtepi32_ps(t)), 23), k126);
                e2[j] = _mm256_andnot_si256(z, e);
                __m256i v = _mm256_sub_epi32(_mm256_add_epi32(mu, mu), _mm256_add_epi32(one, _mm256_add_epi32(one, s)));
                ST8(vr + x + 8 * j, _mm256_andnot_si256(z, v));
            }
            /* packs work per 128-bit lane: e0 lo, e1 lo, e0 hi, e1 hi -> reorder */
            __m256i e16 = _mm256_permute4x64_epi64(_mm256_packs_epi32(e2[0], e2[1]), 0xD8);
            __m128i e8 = _mm_packus_epi16(_mm256_castsi256_si128(e16), _mm256_extracti128_si256(e16, 1));
            _mm_storeu_si128((__m128i *)(void *)(er + x), e8);
        }
    }
    int r = !_mm256_testz_si256(any, any);
    return prep_c(coef, stride, w, h, mask, E, V, wv) | r;
}
#endif

#if DWT_NEON
static int prep_k3(const int32_t *coef, size_t stride, int w, int h, uint32_t mask, uint8_t *E, uint32_t *V)
{
    const int wv = w & ~7;
    const uint32x4_t m = vdupq_n_u32(mask);
    uint32x4_t any = vdupq_n_u32(0);
    for (int y = 0; y < h; y++) {
        const int32_t *cr = coef + (size_t)y * stride;
        uint8_t *er = E + (size_t)y * EW;
        uint32_t *vr = V + (size_t)y * EW;
        for (int x = 0; x < wv; x += 8) {
            uint16x4_t e4[2];
            for (int j = 0; j < 2; j++) {
                int32x4_t c = vld1q_s32(cr + x + 4 * j);
                uint32x4_t mu = vandq_u32(vreinterpretq_u32_s32(vabsq_s32(c)), m);
                uint32x4_t nz = vtstq_u32(mu, mu);
                any = vorrq_u32(any, mu);
                /* bits of 2 mu - 1 = 32 - clz(2 mu - 1) */
                uint32x4_t t = vsubq_u32(vaddq_u32(mu, mu), vdupq_n_u32(1));
                uint32x4_t e = vsubq_u32(vdupq_n_u32(32), vreinterpretq_u32_s32(vclzq_s32(vreinterpretq_s32_u32(t))));
                e4[j] = vmovn_u32(vandq_u32(e, nz));
                uint32x4_t sgn = vshrq_n_u32(vreinterpretq_u32_s32(c), 31);
                uint32x4_t v = vaddq_u32(vsubq_u32(vaddq_u32(mu, mu), vdupq_n_u32(2)), sgn);
                vst1q_u32(vr + x + 4 * j, vandq_u32(v, nz));
            }
            vst1_u8(er + x, vmovn_u16(vcombine_u16(e4[0], e4[1])));
        }
    }
    int r = vmaxvq_u32(any) != 0;
    return prep_c(coef, stride, w, h, mask, E, V, wv) | r;
}
#endif

int exrqoi__htj2k_prep32(int path, const int32_t *coef, size_t stride, int w, int h, uint32_t mask, uint8_t *E,
                         uint32_t *V)
{
    switch (path) {
#if DWT_X86
    case EXRQOI__PATH_AVX2:
        return prep_k2(coef, stride, w, h, mask, E, V);
    case EXRQOI__PATH_SSE2:
        return prep_k1(coef, stride, w, h, mask, E, V);
#endif
#if DWT_NEON
    case EXRQOI__PATH_NEON:
        return prep_k3(coef, stride, w, h, mask, E, V);
#endif
    default:
        return prep_c(coef, stride, w, h, mask, E, V, 0);
    }
}

/* ---- each quad's coding inputs -------------------------------------------- */

/* T.814's quad context, exponent bound and offset, from the exponents
 * alone (none depends on what was coded before): in the first row pair
 * c_q from the quad on the left and kappa 1; below, c_q from the last
 * row above (columns 2k-1 .. 2k+2) and the left quad's right column,
 * kappa = max(1, E_max above - 1) where two or more samples are
 * significant. Columns past the padded width read as 0. */
#define QW EXRQOI__HTJ2K_QW

static void quads_c(const uint8_t *E, int w, int h, uint32_t *Q)
{
    const int nq = (w + 1) / 2, hp = (h + 1) & ~1;
    for (int y = 0; y < hp; y += 2) {
        const uint8_t *t = E + (size_t)y * EW, *b = t + EW, *p = y ? t - EW : t;
        uint32_t *q = Q + (size_t)(y / 2) * QW;
        int rho_left = 0;
        for (int k = 0; k < nq; k++) {
            const int e0 = t[2 * k], e1 = b[2 * k], e2 = t[2 * k + 1], e3 = b[2 * k + 1];
            const int rho = (e0 > 0) | (e1 > 0) << 1 | (e2 > 0) << 2 | (e3 > 0) << 3;
            const int m01 = e0 > e1 ? e0 : e1, m23 = e2 > e3 ? e2 : e3, emax = m01 > m23 ? m01 : m23;
            const int emb = ((e0 == emax) | (e1 == emax) << 1 | (e2 == emax) << 2 | (e3 == emax) << 3) & rho;
            int c, kappa = 1;
            if (y == 0) {
                c = (rho_left >> 1) | (rho_left & 1);
            } else {
                const int nw = k > 0 ? p[2 * k - 1] : 0, n0 = p[2 * k], n1 = p[2 * k + 1], ne = p[2 * k + 2];
                c = ((nw | n0) != 0) | ((rho_left & 12) != 0) << 1 | ((n1 | ne) != 0) << 2;
                int me = nw > n0 ? nw : n0;
                me = me > n1 ? me : n1;
                me = (me > ne ? me : ne) - 1;
                if (rho & (rho - 1)) kappa = me > 1 ? me : 1;
            }
            const int U = emax > kappa ? emax : kappa, u = U - kappa;
            q[k] = (uint32_t)((c << 8) | (rho << 4) | (u > 0 ? emb : 0)) | (uint32_t)U << 16 | (uint32_t)u << 24;
            rho_left = rho;
        }
    }
}

#if DWT_X86
/* 16 quads at a time: 32 columns of two rows as 16-bit lanes (low byte
 * the left column, high byte the right one). */
AVX2 static void quads_k2(const uint8_t *E, int w, int h, uint32_t *Q)
{
    const int hp = (h + 1) & ~1;
    const __m256i zero = _mm256_setzero_si256(), lo8 = _mm256_set1_epi16(0xFF), one = _mm256_set1_epi16(1),
                  two = _mm256_set1_epi16(2), bits_t = _mm256_set1_epi16(0x0401), bits_b = _mm256_set1_epi16(0x0802),
                  nib = _mm256_set1_epi16(0xF), k12 = _mm256_set1_epi16(12);
    /* at column 0: no quad on the left, no column -1 above */
    const __m256i first_q = _mm256_setr_epi16(0, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    const __m256i first_c = _mm256_setr_epi16((short)0xFF00, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    for (int y = 0; y < hp; y += 2) {
        const uint8_t *t = E + (size_t)y * EW, *b = t + EW, *p = y ? t - EW : t;
        uint32_t *q = Q + (size_t)(y / 2) * QW;
        for (int x = 0; x < w; x += 32) {
            const __m256i T = LD8(t + x), B = LD8(b + x);
            __m256i TL = LD8(t + x - 2), BL = LD8(b + x - 2);
            if (x == 0) {
                TL = _mm256_and_si256(TL, first_q);
                BL = _mm256_and_si256(BL, first_q);
            }
            const __m256i nzT = _mm256_cmpgt_epi8(T, zero), nzB = _mm256_cmpgt_epi8(B, zero);
            __m256i r16 = _mm256_or_si256(_mm256_and_si256(nzT, bits_t), _mm256_and_si256(nzB, bits_b));
            const __m256i rho = _mm256_and_si256(_mm256_or_si256(r16, _mm256_srli_epi16(r16, 8)), nib);
            r16 = _mm256_or_si256(_mm256_and_si256(_mm256_cmpgt_epi8(TL, zero), bits_t),
                                  _mm256_and_si256(_mm256_cmpgt_epi8(BL, zero), bits_b));
            const __m256i rho_l = _mm256_and_si256(_mm256_or_si256(r16, _mm256_srli_epi16(r16, 8)), nib);
            const __m256i m = _mm256_max_epu8(T, B);
            const __m256i emax = _mm256_max_epu16(_mm256_and_si256(m, lo8), _mm256_srli_epi16(m, 8));
            const __m256i emax2 = _mm256_or_si256(emax, _mm256_slli_epi16(emax, 8));
            __m256i e16 = _mm256_or_si256(_mm256_and_si256(_mm256_cmpeq_epi8(T, emax2), bits_t),
                                          _mm256_and_si256(_mm256_cmpeq_epi8(B, emax2), bits_b));
            const __m256i emb = _mm256_and_si256(_mm256_or_si256(e16, _mm256_srli_epi16(e16, 8)), rho);
            __m256i c, kappa = one;
            if (y == 0) {
                c = _mm256_or_si256(_mm256_srli_epi16(rho_l, 1), _mm256_and_si256(rho_l, one));
            } else {
                __m256i PL = LD8(p + x - 1);
                const __m256i P0 = LD8(p + x), P1 = LD8(p + x + 1);
                if (x == 0) PL = _mm256_and_si256(PL, first_c);
                /* low bytes of PL | P0: columns 2k-1, 2k; P1's two bytes: 2k+1, 2k+2 */
                const __m256i z0 = _mm256_cmpeq_epi16(_mm256_and_si256(_mm256_or_si256(PL, P0), lo8), zero);
                const __m256i z2 = _mm256_cmpeq_epi16(P1, zero);
                const __m256i zl = _mm256_cmpeq_epi16(_mm256_and_si256(rho_l, k12), zero);
                c = _mm256_or_si256(_mm256_andnot_si256(z0, one),
                                    _mm256_or_si256(_mm256_andnot_si256(zl, two), _mm256_andnot_si256(z2, _mm256_set1_epi16(4))));
                const __m256i pm = _mm256_max_epu8(_mm256_max_epu8(PL, P0), P1);
                const __m256i me = _mm256_max_epu16(_mm256_and_si256(pm, lo8), _mm256_srli_epi16(pm, 8));
                const __m256i kb = _mm256_sub_epi16(_mm256_max_epu16(me, two), one);
                const __m256i single = _mm256_cmpeq_epi16(_mm256_and_si256(rho, _mm256_sub_epi16(rho, one)), zero);
                kappa = _mm256_or_si256(_mm256_and_si256(single, one), _mm256_andnot_si256(single, kb));
            }
            const __m256i U = _mm256_max_epu16(emax, kappa), u = _mm256_sub_epi16(U, kappa);
            const __m256i embu = _mm256_andnot_si256(_mm256_cmpeq_epi16(u, zero), emb);
            const __m256i idx = _mm256_or_si256(_mm256_or_si256(_mm256_slli_epi16(c, 8), _mm256_slli_epi16(rho, 4)), embu);
            const __m256i hi = _mm256_or_si256(U, _mm256_slli_epi16(u, 8));
            const __m256i a = _mm256_unpacklo_epi16(idx, hi), d = _mm256_unpackhi_epi16(idx, hi);
            ST8(q + x / 2, _mm256_permute2x128_si256(a, d, 0x20));
            ST8(q + x / 2 + 8, _mm256_permute2x128_si256(a, d, 0x31));
        }
    }
}
#endif

void exrqoi__htj2k_quads(int path, uint8_t *E, int w, int h, uint32_t *Q)
{
    const int hp = (h + 1) & ~1, wp = (w + 3) & ~3;
    for (int y = 0; y < hp; y++) memset(E + (size_t)y * EW + wp, 0, 4);
#if DWT_X86
    if (path == EXRQOI__PATH_AVX2) {
        quads_k2(E, w, h, Q);
        return;
    }
#endif
    (void)path;
    quads_c(E, w, h, Q);
}

/* ---- half samples to NLT integers, and the RCT ----------------------------- */

/* NLT type 3 of a half's bits v (sign-extended): v >= 0 ? v : -v - 32769,
 * which is v ^ 0x7FFF for negative v. */
static void half_nlt_c(const uint8_t *sp, int32_t *row, size_t i, size_t n)
{
    for (; i < n; i++) {
        int32_t v = (int16_t)(uint16_t)(sp[2 * i] | (sp[2 * i + 1] << 8));
        row[i] = v >= 0 ? v : -v - 32769;
    }
}

static void rct_c(int32_t *r, int32_t *g, int32_t *b, size_t i, size_t n)
{
    for (; i < n; i++) {
        int32_t R = r[i], G = g[i], B = b[i];
        r[i] = (R + 2 * G + B) >> 2;
        g[i] = B - G;
        b[i] = R - G;
    }
}

#if DWT_X86
static void half_nlt_k1(const uint8_t *sp, int32_t *row, size_t n)
{
    const __m128i k = _mm_set1_epi32(0x7FFF);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m128i h = LD(sp + 2 * i); /* little-endian halves */
        __m128i lo = _mm_srai_epi32(_mm_unpacklo_epi16(h, h), 16), hi = _mm_srai_epi32(_mm_unpackhi_epi16(h, h), 16);
        ST(row + i, _mm_xor_si128(lo, _mm_and_si128(_mm_srai_epi32(lo, 31), k)));
        ST(row + i + 4, _mm_xor_si128(hi, _mm_and_si128(_mm_srai_epi32(hi, 31), k)));
    }
    half_nlt_c(sp, row, i, n);
}
static void rct_k1(int32_t *r, int32_t *g, int32_t *b, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        __m128i R = LD(r + i), G = LD(g + i), B = LD(b + i);
        ST(r + i, _mm_srai_epi32(_mm_add_epi32(_mm_add_epi32(R, B), _mm_add_epi32(G, G)), 2));
        ST(g + i, _mm_sub_epi32(B, G));
        ST(b + i, _mm_sub_epi32(R, G));
    }
    rct_c(r, g, b, i, n);
}
AVX2 static void half_nlt_k2(const uint8_t *sp, int32_t *row, size_t n)
{
    const __m256i k = _mm256_set1_epi32(0x7FFF);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i v = _mm256_cvtepi16_epi32(LD(sp + 2 * i));
        ST8(row + i, _mm256_xor_si256(v, _mm256_and_si256(_mm256_srai_epi32(v, 31), k)));
    }
    half_nlt_c(sp, row, i, n);
}
AVX2 static void rct_k2(int32_t *r, int32_t *g, int32_t *b, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i R = LD8(r + i), G = LD8(g + i), B = LD8(b + i);
        ST8(r + i, _mm256_srai_epi32(_mm256_add_epi32(_mm256_add_epi32(R, B), _mm256_add_epi32(G, G)), 2));
        ST8(g + i, _mm256_sub_epi32(B, G));
        ST8(b + i, _mm256_sub_epi32(R, G));
    }
    rct_c(r, g, b, i, n);
}
#endif

#if DWT_NEON && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NLT_NEON 1
static void half_nlt_k3(const uint8_t *sp, int32_t *row, size_t n)
{
    const int32x4_t k = vdupq_n_s32(0x7FFF);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        int16x8_t h = vreinterpretq_s16_u8(vld1q_u8(sp + 2 * i));
        int32x4_t lo = vmovl_s16(vget_low_s16(h)), hi = vmovl_s16(vget_high_s16(h));
        vst1q_s32(row + i, veorq_s32(lo, vandq_s32(vshrq_n_s32(lo, 31), k)));
        vst1q_s32(row + i + 4, veorq_s32(hi, vandq_s32(vshrq_n_s32(hi, 31), k)));
    }
    half_nlt_c(sp, row, i, n);
}
#else
#define NLT_NEON 0
#endif
#if DWT_NEON
static void rct_k3(int32_t *r, int32_t *g, int32_t *b, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        int32x4_t R = vld1q_s32(r + i), G = vld1q_s32(g + i), B = vld1q_s32(b + i);
        vst1q_s32(r + i, vshrq_n_s32(vaddq_s32(vaddq_s32(R, B), vaddq_s32(G, G)), 2));
        vst1q_s32(g + i, vsubq_s32(B, G));
        vst1q_s32(b + i, vsubq_s32(R, G));
    }
    rct_c(r, g, b, i, n);
}
#endif

void exrqoi__htj2k_half_nlt(int path, const uint8_t *src, int32_t *row, size_t n)
{
    switch (path) {
#if DWT_X86
    case EXRQOI__PATH_AVX2:
        half_nlt_k2(src, row, n);
        return;
    case EXRQOI__PATH_SSE2:
        half_nlt_k1(src, row, n);
        return;
#endif
#if NLT_NEON
    case EXRQOI__PATH_NEON:
        half_nlt_k3(src, row, n);
        return;
#endif
    default:
        half_nlt_c(src, row, 0, n);
        return;
    }
}

void exrqoi__htj2k_rct_i32(int path, int32_t *r, int32_t *g, int32_t *b, size_t n)
{
    switch (path) {
#if DWT_X86
    case EXRQOI__PATH_AVX2:
        rct_k2(r, g, b, n);
        return;
    case EXRQOI__PATH_SSE2:
        rct_k1(r, g, b, n);
        return;
#endif
#if DWT_NEON
    case EXRQOI__PATH_NEON:
        rct_k3(r, g, b, n);
        return;
#endif
    default:
        rct_c(r, g, b, 0, n);
        return;
    }
}
