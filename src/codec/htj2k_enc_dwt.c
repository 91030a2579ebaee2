/* The HTJ2K encoder's forward reversible 5/3 wavelet on 32-bit samples
 * (16-bit components; values stay within 21 bits), portable and SIMD.
 *
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
    if (features & EXRQOI__CPU_AVX2) return EXRQOI__PATH_AVX2;
    if (features & EXRQOI__CPU_SSE2) return EXRQOI__PATH_SSE2;
#endif
#if DWT_NEON
    if (features & EXRQOI__CPU_NEON) return EXRQOI__PATH_NEON;
#endif
    (void)features;
    return EXRQOI__PATH_C;
}

/* ---- kernels: the portable tail of each, then the vector bodies -------- */

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

/* One row of n samples to ceil(n/2) low then floor(n/2) high, symmetric
 * extension at both ends; tmp holds n samples. */
#define DWT_ROW(K, ATTR)                                                                                      \
    ATTR INLINE void row_k##K(int32_t *x, int n, int32_t *tmp)                                                \
    {                                                                                                         \
        if (n < 2) return;                                                                                    \
        const size_t nl = (size_t)(n + 1) / 2, nh = (size_t)n / 2, np = n & 1 ? nh : nh - 1;                  \
        int32_t *lo = tmp, *hi = tmp + nl, *L = x, *H = x + nl;                                               \
        split_k##K(x, lo, hi, (size_t)n);                                                                     \
        predict_k##K(H, hi, lo, lo + 1, np);                                                                  \
        if (!(n & 1)) H[nh - 1] = hi[nh - 1] - lo[nh - 1];                                                    \
        L[0] = lo[0] + ((2 * H[0] + 2) >> 2);                                                                 \
        update_k##K(L + 1, lo + 1, H, H + 1, nh - 1);                                                         \
        if (n & 1) L[nh] = lo[nh] + ((2 * H[nh - 1] + 2) >> 2);                                               \
    }

/* Vertical then horizontal per level; the low band stays at the top left
 * (Mallat layout). Vertically, high rows go to tmp, low rows move up in
 * place (row i is free once rows 2i-1 and 2i are used), then the high
 * rows come back below them. tmp: w * h + w samples. */
#define DWT_2D(K, ATTR)                                                                                       \
    ATTR static void fwd53_k##K(int32_t *p, int w, int h, int32_t *tmp)                                      \
    {                                                                                                         \
        int cw = w, ch = h;                                                                                   \
        const size_t rw = (size_t)w;                                                                          \
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
                for (int i = 0; i < nh; i++)                                                                  \
                    memcpy(p + (size_t)(nl + i) * rw, tmp + (size_t)i * cwz, cwz * sizeof(int32_t));          \
            }                                                                                                 \
            if (cw > 1)                                                                                       \
                for (int y = 0; y < ch; y++) row_k##K(p + (size_t)y * rw, cw, tmp);                           \
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
