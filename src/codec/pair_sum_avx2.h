/* Running sums over two-byte pairs with AVX2, shared by the ZIP/RLE
 * un-predict (predict.c: two independent byte sums, 8-bit lanes) and the
 * PXR24 half planes (pxr24.c: one 16-bit sum of high and low byte planes).
 * The logic is the same at both widths; only the lane add differs, and
 * `bits` is a constant at every call, so the inlined code has one add
 * instruction per step where the width-specific copies had it.
 *
 * The bytes are interleaved first (pair j = low byte j, high byte j), then
 * the running sums are taken with a stride of two bytes: within each
 * 64-bit word by shifts (ports 0/1), within each 16-byte block by one
 * shuffle, and across the four blocks of a step through their totals.
 * That is 8 shuffles per 64 output bytes (2 crossing lanes). */
#ifndef EXRQOI_PAIR_SUM_AVX2_H
#define EXRQOI_PAIR_SUM_AVX2_H

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#include <stdint.h>

#define EXRQOI__AVX2_INLINE __attribute__((target("avx2"))) static inline __attribute__((always_inline))

/* The lane add: 8 (each byte of a pair on its own) or 16 (the pair as one
 * little-endian word). */
EXRQOI__AVX2_INLINE __m256i exrqoi__pair_add_avx2(__m256i a, __m256i b, unsigned bits)
{
    return bits == 16 ? _mm256_add_epi16(a, b) : _mm256_add_epi8(a, b);
}

/* One step: the running sums of the 32 pairs (low[j], high[j]), j = 0..31,
 * plus `*carry` (the sum before them, in every pair of both lanes), which
 * is advanced by the step's total. On return ul holds output bytes
 * 0-15 | 32-47, uh 16-31 | 48-63 (low | high lane); see
 * exrqoi__pair_store_avx2. */
EXRQOI__AVX2_INLINE void exrqoi__pair_sums_avx2(const uint8_t *low, const uint8_t *high, unsigned bits,
                                                __m256i *carry, __m256i *ul_out, __m256i *uh_out)
{
    /* within each 16-byte block: the total of pairs 0-3 added to pairs 4-7 */
    const __m256i q0to1 = _mm256_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, 6, 7, 6, 7, 6, 7, 6, 7,
                                           -1, -1, -1, -1, -1, -1, -1, -1, 6, 7, 6, 7, 6, 7, 6, 7);
    /* pair 7 of each block everywhere in it */
    const __m256i last = _mm256_setr_epi8(14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15,
                                          14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15);
    __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)low);
    __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)high);
    __m256i ul = _mm256_unpacklo_epi8(a, b), uh = _mm256_unpackhi_epi8(a, b);
    ul = exrqoi__pair_add_avx2(ul, _mm256_slli_epi64(ul, 16), bits);
    uh = exrqoi__pair_add_avx2(uh, _mm256_slli_epi64(uh, 16), bits);
    ul = exrqoi__pair_add_avx2(ul, _mm256_slli_epi64(ul, 32), bits);
    uh = exrqoi__pair_add_avx2(uh, _mm256_slli_epi64(uh, 32), bits);
    ul = exrqoi__pair_add_avx2(ul, _mm256_shuffle_epi8(ul, q0to1), bits);
    uh = exrqoi__pair_add_avx2(uh, _mm256_shuffle_epi8(uh, q0to1), bits);
    /* block totals: T0 | T2 (ul) and T1 | T3 (uh), T0..T3 in memory order */
    __m256i tl = _mm256_shuffle_epi8(ul, last), th = _mm256_shuffle_epi8(uh, last);
    __m256i s = exrqoi__pair_add_avx2(tl, th, bits);     /* T0+T1 | T2+T3 */
    __m256i lo01 = _mm256_permute2x128_si256(s, s, 0x08); /* 0 | T0+T1 */
    /* the step's total, in both lanes, from the totals alone: the next
     * carry is one add away from this one (the loop-carried chain was
     * add, add, add, lane permute) */
    __m256i all = exrqoi__pair_add_avx2(s, _mm256_permute2x128_si256(s, s, 0x01), bits);
    __m256i cl = exrqoi__pair_add_avx2(*carry, lo01, bits);
    __m256i ch = exrqoi__pair_add_avx2(cl, tl, bits);
    *ul_out = exrqoi__pair_add_avx2(ul, cl, bits);
    *uh_out = exrqoi__pair_add_avx2(uh, ch, bits);
    *carry = exrqoi__pair_add_avx2(*carry, all, bits);
}

/* The 64 bytes of a step, in order, at d: two lane permutes and two
 * 32-byte stores (measured 2% faster on the ZIP pass than four 16-byte
 * stores, two of them lane extracts). */
EXRQOI__AVX2_INLINE void exrqoi__pair_store_avx2(uint8_t *d, __m256i ul, __m256i uh)
{
    _mm256_storeu_si256((__m256i *)(void *)d, _mm256_permute2x128_si256(ul, uh, 0x20));
    _mm256_storeu_si256((__m256i *)(void *)(d + 32), _mm256_permute2x128_si256(ul, uh, 0x31));
}

/* Sum (mod 2^16 at most: 32 bytes) of the first n <= 32 bytes of the 32
 * readable at p. The kernels' line and segment ends redo a whole step
 * that overlaps bytes already done; the carry before that step is the
 * running sum less these bytes' sum, taken from the input instead of
 * reading back the output just stored (a store-forwarding stall, and a
 * wait for the line when the store missed: measured 28% of the PXR24
 * half-line kernel on Desk, whose 644-sample lines each end that way). */
EXRQOI__AVX2_INLINE unsigned exrqoi__head_sum_avx2(const uint8_t *p, size_t n)
{
    const __m256i index = _mm256_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
                                           20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
    __m256i keep = _mm256_cmpgt_epi8(_mm256_set1_epi8((char)n), index);
    __m256i v = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(const void *)p), keep);
    __m256i q = _mm256_sad_epu8(v, _mm256_setzero_si256());
    __m128i h = _mm_add_epi64(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
    return (unsigned)_mm_cvtsi128_si32(_mm_add_epi64(h, _mm_unpackhi_epi64(h, h)));
}

#endif
#endif
