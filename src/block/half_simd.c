/* Bulk half <-> float. The SSE2 paths are pure integer arithmetic except
 * one exact float subtraction (half subnormals); the F16C paths hand NaN
 * lanes (F16C sets the quiet bit, Imath's rule keeps the payload) and
 * lanes whose half result is subnormal (flush-to-zero modes) to the scalar
 * code, 8 samples at a time. NEON runs the SSE2 algorithm. */
#include "block/half_simd.h"
#include "common/half.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HALF_X86 1
#include <immintrin.h>
#else
#define HALF_X86 0
#endif
#if defined(__aarch64__) && defined(__ARM_NEON)
#define HALF_NEON 1
#include <arm_neon.h>
#else
#define HALF_NEON 0
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HALF_LE 1
#else
#define HALF_LE 0
#endif

static void h2f_c(const uint8_t *src, uint8_t *dst, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float f = exrqoi__h2f(exrqoi__le16(src + 2 * i));
        memcpy(dst + 4 * i, &f, 4);
    }
}

static void f2h_c(const uint8_t *src, uint8_t *dst, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float f;
        memcpy(&f, src + 4 * i, 4);
        exrqoi__put16(dst + 2 * i, exrqoi__f2h(f));
    }
}

#if HALF_X86
/* 4 halves (zero-extended in 32-bit lanes) to float bits. */
static inline __m128i h2f4_sse2(__m128i h)
{
    const __m128i expmask = _mm_set1_epi32(0x7c00 << 13);
    __m128i sign = _mm_slli_epi32(_mm_and_si128(h, _mm_set1_epi32(0x8000)), 16);
    __m128i o = _mm_slli_epi32(_mm_and_si128(h, _mm_set1_epi32(0x7fff)), 13);
    __m128i e = _mm_and_si128(o, expmask);
    o = _mm_add_epi32(o, _mm_set1_epi32((127 - 15) << 23));
    /* inf / NaN: exponent all ones, payload kept */
    __m128i infnan = _mm_cmpeq_epi32(e, expmask);
    o = _mm_add_epi32(o, _mm_and_si128(infnan, _mm_set1_epi32((127 - 15) << 23)));
    /* zero / subnormal: m * 2^-24 as (2^-14 * (1 + m/1024)) - 2^-14, exact */
    __m128i zd = _mm_cmpeq_epi32(e, _mm_setzero_si128());
    __m128 d = _mm_sub_ps(_mm_castsi128_ps(_mm_add_epi32(o, _mm_set1_epi32(1 << 23))),
                          _mm_castsi128_ps(_mm_set1_epi32(113 << 23)));
    o = _mm_or_si128(_mm_and_si128(zd, _mm_castps_si128(d)), _mm_andnot_si128(zd, o));
    return _mm_or_si128(o, sign);
}

static void h2f_sse2(const uint8_t *src, uint8_t *dst, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m128i h = _mm_loadu_si128((const __m128i *)(src + 2 * i));
        __m128i lo = _mm_unpacklo_epi16(h, _mm_setzero_si128());
        __m128i hi = _mm_unpackhi_epi16(h, _mm_setzero_si128());
        _mm_storeu_si128((__m128i *)(dst + 4 * i), h2f4_sse2(lo));
        _mm_storeu_si128((__m128i *)(dst + 4 * i + 16), h2f4_sse2(hi));
    }
    h2f_c(src + 2 * i, dst + 4 * i, n - i);
}

/* 4 floats to halves in 32-bit lanes, sign excluded; *odd gets the lanes
 * the vector rule does not cover (NaN, subnormal results). */
static inline __m128i f2h4_sse2(__m128i x, __m128i *odd)
{
    __m128i ax = _mm_and_si128(x, _mm_set1_epi32(0x7fffffff));
    /* normal results: rebias, round to nearest even at bit 13 */
    __m128i r = _mm_sub_epi32(ax, _mm_set1_epi32(0x38000000));
    __m128i lsb = _mm_and_si128(_mm_srli_epi32(r, 13), _mm_set1_epi32(1));
    r = _mm_srli_epi32(_mm_add_epi32(_mm_add_epi32(r, _mm_set1_epi32(0xfff)), lsb), 13);
    __m128i big = _mm_cmpgt_epi32(ax, _mm_set1_epi32(0x477fefff)); /* overflow and inf */
    __m128i tiny = _mm_cmpgt_epi32(_mm_set1_epi32(0x33000000), ax); /* rounds to zero */
    __m128i sub = _mm_cmpgt_epi32(_mm_set1_epi32(0x38800000), ax);  /* subnormal or zero */
    __m128i nan = _mm_cmpgt_epi32(ax, _mm_set1_epi32(0x7f800000));
    *odd = _mm_or_si128(*odd, _mm_or_si128(nan, _mm_andnot_si128(tiny, sub)));
    r = _mm_or_si128(_mm_andnot_si128(big, r), _mm_and_si128(big, _mm_set1_epi32(0x7c00)));
    return _mm_andnot_si128(tiny, r);
}

static void f2h_sse2(const uint8_t *src, uint8_t *dst, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m128i x0 = _mm_loadu_si128((const __m128i *)(src + 4 * i));
        __m128i x1 = _mm_loadu_si128((const __m128i *)(src + 4 * i + 16));
        __m128i odd = _mm_setzero_si128();
        __m128i h0 = f2h4_sse2(x0, &odd), h1 = f2h4_sse2(x1, &odd);
        if (_mm_movemask_epi8(odd)) {
            f2h_c(src + 4 * i, dst + 2 * i, 8);
            continue;
        }
        /* values <= 0x7c00 pack without saturation; the sign comes from
         * the top halves, which an arithmetic shift keeps in range */
        __m128i h = _mm_packs_epi32(h0, h1);
        __m128i s = _mm_packs_epi32(_mm_srai_epi32(x0, 16), _mm_srai_epi32(x1, 16));
        h = _mm_or_si128(h, _mm_and_si128(s, _mm_set1_epi16((short)0x8000)));
        _mm_storeu_si128((__m128i *)(dst + 2 * i), h);
    }
    f2h_c(src + 4 * i, dst + 2 * i, n - i);
}

__attribute__((target("avx,f16c"))) static void h2f_f16c(const uint8_t *src, uint8_t *dst, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m128i h = _mm_loadu_si128((const __m128i *)(src + 2 * i));
        __m128i nan = _mm_cmpgt_epi16(_mm_and_si128(h, _mm_set1_epi16(0x7fff)), _mm_set1_epi16(0x7c00));
        if (_mm_movemask_epi8(nan)) {
            h2f_sse2(src + 2 * i, dst + 4 * i, 8);
            continue;
        }
        _mm256_storeu_ps((float *)(void *)(dst + 4 * i), _mm256_cvtph_ps(h));
    }
    h2f_sse2(src + 2 * i, dst + 4 * i, n - i);
}

__attribute__((target("avx,f16c"))) static void f2h_f16c(const uint8_t *src, uint8_t *dst, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        /* AVX1 has no 256-bit integer operations: test as two halves */
        const __m128i absmask = _mm_set1_epi32(0x7fffffff);
        __m128i a0 = _mm_and_si128(_mm_loadu_si128((const __m128i *)(src + 4 * i)), absmask);
        __m128i a1 = _mm_and_si128(_mm_loadu_si128((const __m128i *)(src + 4 * i + 16)), absmask);
        __m128i odd = _mm_or_si128(_mm_cmpgt_epi32(a0, _mm_set1_epi32(0x7f800000)),
                                   _mm_cmpgt_epi32(a1, _mm_set1_epi32(0x7f800000)));
        __m128i s0 = _mm_and_si128(_mm_cmpgt_epi32(_mm_set1_epi32(0x38800000), a0),
                                   _mm_cmpgt_epi32(a0, _mm_set1_epi32(0x32ffffff)));
        __m128i s1 = _mm_and_si128(_mm_cmpgt_epi32(_mm_set1_epi32(0x38800000), a1),
                                   _mm_cmpgt_epi32(a1, _mm_set1_epi32(0x32ffffff)));
        odd = _mm_or_si128(odd, _mm_or_si128(s0, s1));
        if (_mm_movemask_epi8(odd)) {
            f2h_c(src + 4 * i, dst + 2 * i, 8);
            continue;
        }
        __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps((const float *)(const void *)(src + 4 * i)),
                                    _MM_FROUND_TO_NEAREST_INT);
        _mm_storeu_si128((__m128i *)(dst + 2 * i), h);
    }
    f2h_sse2(src + 4 * i, dst + 2 * i, n - i);
}
#endif

#if HALF_NEON
/* The SSE2 algorithm in NEON: integer arithmetic and one exact float
 * subtraction, so the FPCR's flush and NaN modes cannot change a bit. */
static inline uint32x4_t h2f4_neon(uint32x4_t h)
{
    const uint32x4_t expmask = vdupq_n_u32(0x7c00u << 13), rebias = vdupq_n_u32((127u - 15u) << 23);
    uint32x4_t sign = vshlq_n_u32(vandq_u32(h, vdupq_n_u32(0x8000)), 16);
    uint32x4_t o = vshlq_n_u32(vandq_u32(h, vdupq_n_u32(0x7fff)), 13);
    uint32x4_t e = vandq_u32(o, expmask);
    o = vaddq_u32(o, rebias);
    o = vaddq_u32(o, vandq_u32(vceqq_u32(e, expmask), rebias));
    float32x4_t d = vsubq_f32(vreinterpretq_f32_u32(vaddq_u32(o, vdupq_n_u32(1u << 23))),
                              vreinterpretq_f32_u32(vdupq_n_u32(113u << 23)));
    o = vbslq_u32(vceqq_u32(e, vdupq_n_u32(0)), vreinterpretq_u32_f32(d), o);
    return vorrq_u32(o, sign);
}

static void h2f_neon(const uint8_t *src, uint8_t *dst, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint16x8_t h = vld1q_u16((const uint16_t *)(const void *)(src + 2 * i));
        vst1q_u32((uint32_t *)(void *)(dst + 4 * i), h2f4_neon(vmovl_u16(vget_low_u16(h))));
        vst1q_u32((uint32_t *)(void *)(dst + 4 * i + 16), h2f4_neon(vmovl_high_u16(h)));
    }
    h2f_c(src + 2 * i, dst + 4 * i, n - i);
}

static inline uint16x4_t f2h4_neon(uint32x4_t x, uint32x4_t *odd)
{
    uint32x4_t ax = vandq_u32(x, vdupq_n_u32(0x7fffffff));
    uint32x4_t r = vsubq_u32(ax, vdupq_n_u32(0x38000000));
    uint32x4_t lsb = vandq_u32(vshrq_n_u32(r, 13), vdupq_n_u32(1));
    r = vshrq_n_u32(vaddq_u32(vaddq_u32(r, vdupq_n_u32(0xfff)), lsb), 13);
    uint32x4_t big = vcgtq_u32(ax, vdupq_n_u32(0x477fefff));
    uint32x4_t tiny = vcltq_u32(ax, vdupq_n_u32(0x33000000));
    uint32x4_t sub = vcltq_u32(ax, vdupq_n_u32(0x38800000));
    uint32x4_t nan = vcgtq_u32(ax, vdupq_n_u32(0x7f800000));
    *odd = vorrq_u32(*odd, vorrq_u32(nan, vbicq_u32(sub, tiny)));
    r = vbslq_u32(big, vdupq_n_u32(0x7c00), r);
    r = vbicq_u32(r, tiny);
    return vorr_u16(vmovn_u32(r), vand_u16(vshrn_n_u32(x, 16), vdup_n_u16(0x8000)));
}

static void f2h_neon(const uint8_t *src, uint8_t *dst, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint32x4_t odd = vdupq_n_u32(0);
        uint16x4_t h0 = f2h4_neon(vld1q_u32((const uint32_t *)(const void *)(src + 4 * i)), &odd);
        uint16x4_t h1 = f2h4_neon(vld1q_u32((const uint32_t *)(const void *)(src + 4 * i + 16)), &odd);
        if (vmaxvq_u32(odd)) {
            f2h_c(src + 4 * i, dst + 2 * i, 8);
            continue;
        }
        vst1q_u16((uint16_t *)(void *)(dst + 2 * i), vcombine_u16(h0, h1));
    }
    f2h_c(src + 4 * i, dst + 2 * i, n - i);
}
#endif

/* The path comes from the caller's exrqoi__kernels.half, chosen once
 * per context or per block: nothing here asks the CPU. */
#if HALF_X86 && HALF_LE
#define HALF_X86_CASES(k)               \
    case EXRQOI__PATH_AVX2:             \
        k##_f16c(src, dst, n);          \
        return;                         \
    case EXRQOI__PATH_SSE2:             \
        k##_sse2(src, dst, n);          \
        return;
#else
#define HALF_X86_CASES(k)
#endif
#if HALF_NEON && HALF_LE
#define HALF_NEON_CASES(k)              \
    case EXRQOI__PATH_NEON:             \
        k##_neon(src, dst, n);          \
        return;
#else
#define HALF_NEON_CASES(k)
#endif
/* exrqoi__<k>_n_path: the kernel k (h2f or f2h) of the path, the
 * portable one for a path this build lacks. */
#define HALF_DISPATCH(k)                                                        \
    void exrqoi__##k##_n_path(int path, const uint8_t *src, uint8_t *dst, size_t n) \
    {                                                                           \
        switch (path) {                                                         \
            HALF_X86_CASES(k)                                                   \
            HALF_NEON_CASES(k)                                                  \
        default:                                                                \
            k##_c(src, dst, n);                                                 \
        }                                                                       \
    }
HALF_DISPATCH(h2f)
HALF_DISPATCH(f2h)
