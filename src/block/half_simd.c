/* Bulk half <-> float. The SSE2 paths are pure integer arithmetic except
 * one exact float subtraction (half subnormals); the F16C paths hand NaN
 * lanes (F16C sets the quiet bit, Imath's rule keeps the payload) and
 * lanes whose half result is subnormal (flush-to-zero modes) to the scalar
 * code, 8 samples at a time. */
#include "block/half_simd.h"
#include "common/half.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HALF_X86 1
#include <immintrin.h>
#else
#define HALF_X86 0
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

int exrqoi__half_best_path(void)
{
#if HALF_X86
    /* clang 14's __builtin_cpu_supports knows no "f16c" (and CPUID itself
     * is slow under a hypervisor, too slow per call): every CPU with AVX2
     * has F16C, so AVX2 stands for it */
#if defined(__clang__)
    return __builtin_cpu_supports("avx2") ? 2 : 1;
#else
    return (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("f16c")) ? 2 : 1;
#endif
#else
    return 0;
#endif
}

void exrqoi__h2f_n_path(int path, const uint8_t *src, uint8_t *dst, size_t n)
{
#if HALF_X86 && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (path >= 2 && exrqoi__half_best_path() >= 2) {
        h2f_f16c(src, dst, n);
        return;
    }
    if (path >= 1) {
        h2f_sse2(src, dst, n);
        return;
    }
#endif
    (void)path;
    h2f_c(src, dst, n);
}

void exrqoi__f2h_n_path(int path, const uint8_t *src, uint8_t *dst, size_t n)
{
#if HALF_X86 && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (path >= 2 && exrqoi__half_best_path() >= 2) {
        f2h_f16c(src, dst, n);
        return;
    }
    if (path >= 1) {
        f2h_sse2(src, dst, n);
        return;
    }
#endif
    (void)path;
    f2h_c(src, dst, n);
}

void exrqoi__h2f_n(const uint8_t *src, uint8_t *dst, size_t n)
{
    exrqoi__h2f_n_path(exrqoi__half_best_path(), src, dst, n);
}

void exrqoi__f2h_n(const uint8_t *src, uint8_t *dst, size_t n)
{
    exrqoi__f2h_n_path(exrqoi__half_best_path(), src, dst, n);
}
