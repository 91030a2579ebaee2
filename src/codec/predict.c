/* The byte shuffle shared by ZIP, ZIPS and RLE: bytes at even offsets go
 * to the first half, odd offsets to the second; then each byte becomes its
 * difference from the previous one, biased by 128.
 *
 * Decoding spends most of its time here after inflate, so there is an SSE2
 * path (x86-64 baseline) and an AVX2 one picked at run time. Adding or
 * subtracting the 128 bias is the same as flipping the top bit. */
#include "codec/predict.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define PREDICT_X86 1
#include <immintrin.h>
#else
#define PREDICT_X86 0
#endif

/* ---- portable ------------------------------------------------------------ */

static void predict_c(const uint8_t *in, size_t n, uint8_t *out)
{
    uint8_t *t1 = out;
    uint8_t *t2 = out + (n + 1) / 2;
    size_t i = 0;
    for (; i + 1 < n; i += 2) {
        *t1++ = in[i];
        *t2++ = in[i + 1];
    }
    if (i < n) *t1 = in[i];
    uint8_t prev = out[0];
    for (size_t k = 1; k < n; k++) {
        uint8_t cur = out[k];
        out[k] = (uint8_t)(cur - prev + 128);
        prev = cur;
    }
}

static void unpredict_c(uint8_t *buf, size_t n, uint8_t *out)
{
    uint8_t acc = buf[0];
    for (size_t k = 1; k < n; k++) {
        acc = (uint8_t)(acc + buf[k] - 128);
        buf[k] = acc;
    }
    const uint8_t *t1 = buf;
    const uint8_t *t2 = buf + (n + 1) / 2;
    size_t i = 0;
    for (; i + 1 < n; i += 2) {
        out[i] = *t1++;
        out[i + 1] = *t2++;
    }
    if (i < n) out[i] = *t1;
}

#if PREDICT_X86
/* ---- SSE2 ---------------------------------------------------------------- */

/* Running sum of the 16 bytes of v (mod 256) plus `carry` (all lanes the
 * previous running total). */
static inline __m128i prefix16(__m128i v, __m128i carry)
{
    v = _mm_add_epi8(v, _mm_slli_si128(v, 1));
    v = _mm_add_epi8(v, _mm_slli_si128(v, 2));
    v = _mm_add_epi8(v, _mm_slli_si128(v, 4));
    v = _mm_add_epi8(v, _mm_slli_si128(v, 8));
    return _mm_add_epi8(v, carry);
}

/* Broadcast of byte 15. */
static inline __m128i last16(__m128i v)
{
    v = _mm_unpackhi_epi8(v, v);          /* bytes 8..15 doubled */
    v = _mm_shufflehi_epi16(v, 0xff);     /* word 7 everywhere in the high half */
    return _mm_shuffle_epi32(v, 0xff);    /* dword 3 everywhere */
}

static void unpredict_sse2(uint8_t *buf, size_t n, uint8_t *out)
{
    const __m128i bias = _mm_set1_epi8((char)0x80);
    size_t h1 = (n + 1) / 2, h2 = n / 2;
    /* pass 1: running sum over the first half, in place (byte 0 is no
     * difference: it seeds the sum) */
    size_t k = 1;
    __m128i carry = _mm_set1_epi8((char)buf[0]);
    for (; k + 16 <= h1; k += 16) {
        __m128i v = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(buf + k)), bias);
        v = prefix16(v, carry);
        _mm_storeu_si128((__m128i *)(buf + k), v);
        carry = last16(v);
    }
    uint8_t a = (uint8_t)_mm_cvtsi128_si32(carry);
    for (; k < h1; k++) {
        a = (uint8_t)(a + buf[k] - 128);
        buf[k] = a;
    }
    /* pass 2: running sum over the second half, interleaved on the fly */
    carry = _mm_set1_epi8((char)a);
    const uint8_t *t1 = buf;
    uint8_t *t2 = buf + h1;
    size_t i = 0;
    for (; i + 16 <= h2; i += 16) {
        __m128i v = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(t2 + i)), bias);
        v = prefix16(v, carry);
        carry = last16(v);
        __m128i f = _mm_loadu_si128((const __m128i *)(t1 + i));
        _mm_storeu_si128((__m128i *)(out + 2 * i), _mm_unpacklo_epi8(f, v));
        _mm_storeu_si128((__m128i *)(out + 2 * i + 16), _mm_unpackhi_epi8(f, v));
    }
    a = (uint8_t)_mm_cvtsi128_si32(carry);
    for (; i < h2; i++) {
        a = (uint8_t)(a + t2[i] - 128);
        out[2 * i] = t1[i];
        out[2 * i + 1] = a;
    }
    if (n & 1) out[n - 1] = t1[h1 - 1];
}

static void predict_sse2(const uint8_t *in, size_t n, uint8_t *out)
{
    const __m128i bias = _mm_set1_epi8((char)0x80);
    const __m128i lo = _mm_set1_epi16(0x00ff);
    size_t h1 = (n + 1) / 2, h2 = n / 2;
    uint8_t *t1 = out, *t2 = out + h1;
    /* The difference of byte k needs byte k-1 of the shuffled order:
     * in the first half that is in[2i-2], in the second in[2i-1]; the
     * first byte of the second half follows the last of the first. */
    size_t i = 0;
    __m128i prev1 = _mm_setzero_si128(), prev2 = _mm_setzero_si128();
    if (h2 >= 16) {
        for (; i + 16 <= h2; i += 16) {
            __m128i x0 = _mm_loadu_si128((const __m128i *)(in + 2 * i));
            __m128i x1 = _mm_loadu_si128((const __m128i *)(in + 2 * i + 16));
            __m128i ev = _mm_packus_epi16(_mm_and_si128(x0, lo), _mm_and_si128(x1, lo));
            __m128i od = _mm_packus_epi16(_mm_srli_epi16(x0, 8), _mm_srli_epi16(x1, 8));
            /* previous byte of each lane: shift in the last byte of the last block */
            __m128i pe = _mm_or_si128(_mm_slli_si128(ev, 1), _mm_srli_si128(prev1, 15));
            __m128i po = _mm_or_si128(_mm_slli_si128(od, 1), _mm_srli_si128(prev2, 15));
            _mm_storeu_si128((__m128i *)(t1 + i), _mm_xor_si128(_mm_sub_epi8(ev, pe), bias));
            _mm_storeu_si128((__m128i *)(t2 + i), _mm_xor_si128(_mm_sub_epi8(od, po), bias));
            prev1 = ev;
            prev2 = od;
        }
    }
    /* scalar tail, then patch the two lane starts the vector loop got wrong */
    uint8_t p1 = i ? (uint8_t)_mm_cvtsi128_si32(_mm_srli_si128(prev1, 15)) : 0;
    uint8_t p2 = i ? (uint8_t)_mm_cvtsi128_si32(_mm_srli_si128(prev2, 15)) : 0;
    for (size_t j = i; j < h2; j++) {
        uint8_t e = in[2 * j], o = in[2 * j + 1];
        t1[j] = (uint8_t)(e - p1 + 128);
        t2[j] = (uint8_t)(o - p2 + 128);
        p1 = e;
        p2 = o;
    }
    if (n & 1) t1[h1 - 1] = (uint8_t)(in[n - 1] - (h1 >= 2 ? in[n - 3] : 0) + 128);
    /* byte 0 is stored as is; the second half's first byte follows the
     * first half's last */
    out[0] = in[0];
    if (h2) t2[0] = (uint8_t)(in[1] - in[2 * (h1 - 1)] + 128);
}

/* ---- AVX2 ---------------------------------------------------------------- */

__attribute__((target("avx2"))) static void unpredict_avx2(uint8_t *buf, size_t n, uint8_t *out)
{
    /* Two 16-byte running sums per 32-byte load: prefix within each lane,
     * then add lane 0's total to lane 1 and the carry to both. */
    const __m256i bias = _mm256_set1_epi8((char)0x80);
    size_t h1 = (n + 1) / 2, h2 = n / 2;
    uint8_t a = buf[0];
    size_t k = 1;
    __m256i carry = _mm256_set1_epi8((char)a);
    const __m256i bcast15 = _mm256_set1_epi8(15);
    for (; k + 32 <= h1; k += 32) {
        __m256i v = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(buf + k)), bias);
        v = _mm256_add_epi8(v, _mm256_slli_si256(v, 1));
        v = _mm256_add_epi8(v, _mm256_slli_si256(v, 2));
        v = _mm256_add_epi8(v, _mm256_slli_si256(v, 4));
        v = _mm256_add_epi8(v, _mm256_slli_si256(v, 8));
        __m256i l0 = _mm256_shuffle_epi8(v, bcast15); /* each lane's total, broadcast in-lane */
        __m256i lo_total = _mm256_permute2x128_si256(l0, l0, 0x08); /* lane1 = lane0 total, lane0 = 0 */
        v = _mm256_add_epi8(_mm256_add_epi8(v, lo_total), carry);
        _mm256_storeu_si256((__m256i *)(buf + k), v);
        __m256i t = _mm256_shuffle_epi8(v, bcast15);
        carry = _mm256_permute2x128_si256(t, t, 0x11);
    }
    a = (uint8_t)_mm256_cvtsi256_si32(carry);
    for (; k < h1; k++) {
        a = (uint8_t)(a + buf[k] - 128);
        buf[k] = a;
    }
    carry = _mm256_set1_epi8((char)a);
    const uint8_t *t1 = buf;
    uint8_t *t2 = buf + h1;
    size_t i = 0;
    for (; i + 32 <= h2; i += 32) {
        __m256i v = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(t2 + i)), bias);
        v = _mm256_add_epi8(v, _mm256_slli_si256(v, 1));
        v = _mm256_add_epi8(v, _mm256_slli_si256(v, 2));
        v = _mm256_add_epi8(v, _mm256_slli_si256(v, 4));
        v = _mm256_add_epi8(v, _mm256_slli_si256(v, 8));
        __m256i l0 = _mm256_shuffle_epi8(v, bcast15);
        __m256i lo_total = _mm256_permute2x128_si256(l0, l0, 0x08);
        v = _mm256_add_epi8(_mm256_add_epi8(v, lo_total), carry);
        __m256i t = _mm256_shuffle_epi8(v, bcast15);
        carry = _mm256_permute2x128_si256(t, t, 0x11);
        __m256i f = _mm256_loadu_si256((const __m256i *)(t1 + i));
        /* unpack works per lane: lanes hold bytes 0-15 and 16-31 */
        __m256i ul = _mm256_unpacklo_epi8(f, v), uh = _mm256_unpackhi_epi8(f, v);
        _mm256_storeu_si256((__m256i *)(out + 2 * i), _mm256_permute2x128_si256(ul, uh, 0x20));
        _mm256_storeu_si256((__m256i *)(out + 2 * i + 32), _mm256_permute2x128_si256(ul, uh, 0x31));
    }
    a = (uint8_t)_mm256_cvtsi256_si32(carry);
    for (; i < h2; i++) {
        a = (uint8_t)(a + t2[i] - 128);
        out[2 * i] = t1[i];
        out[2 * i + 1] = a;
    }
    if (n & 1) out[n - 1] = t1[h1 - 1];
}
#endif

/* ---- dispatch ------------------------------------------------------------ */

int exrqoi__zip_best_path(void)
{
#if PREDICT_X86
    /* __builtin_cpu_supports is a cheap read of data libgcc set up at start */
    return __builtin_cpu_supports("avx2") ? 2 : 1;
#else
    return 0;
#endif
}

void exrqoi__zip_predict_path(int path, const uint8_t *in, size_t n, uint8_t *out)
{
    if (n == 0) return;
#if PREDICT_X86
    if (path >= 1) {
        predict_sse2(in, n, out);
        return;
    }
#endif
    (void)path;
    predict_c(in, n, out);
}

void exrqoi__zip_unpredict_path(int path, uint8_t *buf, size_t n, uint8_t *out)
{
    if (n == 0) return;
#if PREDICT_X86
    if (path >= 2 && __builtin_cpu_supports("avx2")) {
        unpredict_avx2(buf, n, out);
        return;
    }
    if (path >= 1) {
        unpredict_sse2(buf, n, out);
        return;
    }
#endif
    (void)path;
    unpredict_c(buf, n, out);
}

void exrqoi__zip_predict(const uint8_t *in, size_t n, uint8_t *out)
{
    exrqoi__zip_predict_path(exrqoi__zip_best_path(), in, n, out);
}

/* Undo the predictor and interleave the halves into `out` (`buf` is clobbered). */
void exrqoi__zip_unpredict(uint8_t *buf, size_t n, uint8_t *out)
{
    exrqoi__zip_unpredict_path(exrqoi__zip_best_path(), buf, n, out);
}
