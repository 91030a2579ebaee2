/* The byte shuffle shared by ZIP, ZIPS and RLE: bytes at even offsets go
 * to the first half, odd offsets to the second; then each byte becomes its
 * difference from the previous one, biased by 128.
 *
 * Decoding spends most of its time here after inflate, so there are SSE2,
 * AVX2 and NEON paths (the caller's exrqoi__kernels picks one). Adding or
 * subtracting the 128 bias is the same as flipping the top bit. */
#include "codec/predict.h"
#include "codec/pair_sum_avx2.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define PREDICT_X86 1
#include <immintrin.h>
#else
#define PREDICT_X86 0
#endif
#if defined(__aarch64__) && defined(__ARM_NEON)
#define PREDICT_NEON 1
#include <arm_neon.h>
#else
#define PREDICT_NEON 0
#endif

/* The segment helpers below are forced inline: inlined into the AVX2
 * function they are VEX-encoded, while an out-of-line SSE copy called with
 * the upper YMM halves dirty pays the AVX/SSE transition penalty. */
#if defined(__GNUC__) || defined(__clang__)
#define PREDICT_INLINE inline __attribute__((always_inline))
#else
#define PREDICT_INLINE inline
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

/* Running sum of the first half, in place (byte 0 seeds the sum). */
static uint8_t pass1_c(uint8_t *buf, size_t h1)
{
    uint8_t acc = buf[0];
    for (size_t k = 1; k < h1; k++) {
        acc = (uint8_t)(acc + buf[k] - 128);
        buf[k] = acc;
    }
    return acc;
}

/* Output bytes [p, end) of the interleaved result, written from `d` on:
 * even bytes come from the finished first half t1, odd ones continue the
 * running sum *acc over the second half t2. `d` NULL only advances the sum. */
static void pass2_c(const uint8_t *t1, const uint8_t *t2, size_t p, size_t end, uint8_t *acc,
                    uint8_t *d)
{
    uint8_t a = *acc;
    if (!d) {
        /* the sum of the skipped differences is all that matters */
        unsigned sum = 0;
        size_t i0 = p / 2, i1 = end / 2; /* odd positions 2i+1 in [p, end) */
        for (size_t i = i0; i < i1; i++) sum += t2[i];
        a = (uint8_t)(a + sum - 128u * (unsigned)(i1 - i0));
        *acc = a;
        return;
    }
    for (; p < end; p++) {
        if (p & 1) {
            a = (uint8_t)(a + t2[p / 2] - 128);
            *d++ = a;
        } else {
            *d++ = t1[p / 2];
        }
    }
    *acc = a;
}

static void unpredict_c(uint8_t *buf, size_t n, uint8_t *out)
{
    uint8_t acc = pass1_c(buf, (n + 1) / 2);
    pass2_c(buf, buf + (n + 1) / 2, 0, n, &acc, out);
}

/* The vector paths produce the output in fixed-size blocks; a cursor maps
 * each block to its segment, and a block straddling segments goes through
 * a small buffer. */
typedef struct seg_cursor {
    const exrqoi__segment *seg;
    size_t nseg, s;
    size_t start, end; /* output range of segment s */
} seg_cursor;

static PREDICT_INLINE void cur_init(seg_cursor *c, const exrqoi__segment *seg, size_t nseg)
{
    c->seg = seg;
    c->nseg = nseg;
    c->s = 0;
    c->start = 0;
    c->end = nseg ? seg[0].len : 0;
}

static PREDICT_INLINE void cur_seek(seg_cursor *c, size_t p)
{
    while (p >= c->end && c->s + 1 < c->nseg) {
        c->s++;
        c->start = c->end;
        c->end += c->seg[c->s].len;
    }
}

/* memcpy of k <= 64 bytes without a library call: two overlapping
 * fixed-size copies per size class. Every block straddling segments (one
 * per channel line) comes through here, so a call per piece is costly. */
static PREDICT_INLINE void copy_upto64(uint8_t *d, const uint8_t *s, size_t k)
{
    if (k >= 32) {
        memcpy(d, s, 32);
        memcpy(d + k - 32, s + k - 32, 32);
    } else if (k >= 16) {
        memcpy(d, s, 16);
        memcpy(d + k - 16, s + k - 16, 16);
    } else if (k >= 8) {
        memcpy(d, s, 8);
        memcpy(d + k - 8, s + k - 8, 8);
    } else if (k >= 4) {
        memcpy(d, s, 4);
        memcpy(d + k - 4, s + k - 4, 4);
    } else if (k >= 2) {
        memcpy(d, s, 2);
        memcpy(d + k - 2, s + k - 2, 2);
    } else if (k) {
        d[0] = s[0];
    }
}

/* Copies output bytes [p, p+len), held in tmp, to their segments
 * (len <= 64). */
static PREDICT_INLINE void cur_scatter(seg_cursor *c, size_t p, const uint8_t *tmp, size_t len)
{
    while (len) {
        cur_seek(c, p);
        if (p >= c->end) return; /* beyond the last segment */
        size_t k = c->end - p;
        if (k > len) k = len;
        if (c->seg[c->s].dst) copy_upto64(c->seg[c->s].dst + (p - c->start), tmp, k);
        p += k;
        tmp += k;
        len -= k;
    }
}

/* Output bytes [p, n) after a vector path's last whole step (fewer than
 * a step): the first half finished in place from its running value a1
 * (that before pair p / 2), then pass 2 from acc through tmp into the
 * segments. */
static PREDICT_INLINE void finish_tail(uint8_t *buf, size_t n, size_t p, uint8_t a1, uint8_t acc, seg_cursor *c,
                                       uint8_t *tmp)
{
    const size_t h1 = (n + 1) / 2;
    for (size_t k = p / 2; k < h1; k++) {
        a1 = (uint8_t)(a1 + buf[k] - 128);
        buf[k] = a1;
    }
    pass2_c(buf, buf + h1, p, n, &acc, tmp);
    cur_scatter(c, p, tmp, n - p);
}

/* The predictor after a vector loop over pairs [0, i) whose last bytes
 * of each half were p1, p2: the scalar tail, the odd last byte, then the
 * two lane starts the vector loop got wrong (byte 0 is stored as is; the
 * second half's first byte follows the first half's last). */
static inline void predict_tail(const uint8_t *in, size_t n, size_t i, uint8_t p1, uint8_t p2, uint8_t *out)
{
    const size_t h1 = (n + 1) / 2, h2 = n / 2;
    uint8_t *t1 = out, *t2 = out + h1;
    for (size_t j = i; j < h2; j++) {
        uint8_t e = in[2 * j], o = in[2 * j + 1];
        t1[j] = (uint8_t)(e - p1 + 128);
        t2[j] = (uint8_t)(o - p2 + 128);
        p1 = e;
        p2 = o;
    }
    if (n & 1) t1[h1 - 1] = (uint8_t)(in[n - 1] - (h1 >= 2 ? in[n - 3] : 0) + 128);
    out[0] = in[0];
    if (h2) t2[0] = (uint8_t)(in[1] - in[2 * (h1 - 1)] + 128);
}

/* Running value after the first half: byte 0 plus every later
 * difference, i.e. the byte sum less 128 per difference. */
static inline uint8_t first_half_total(uint8_t sum, size_t h1)
{
    return (uint8_t)(sum - ((h1 - 1) & 1u) * 128u);
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

/* Sum of bytes [0, n) mod 256. */
static uint8_t byte_sum_sse2(const uint8_t *p, size_t n)
{
    __m128i acc = _mm_setzero_si128();
    size_t k = 0;
    for (; k + 16 <= n; k += 16)
        acc = _mm_add_epi64(acc, _mm_sad_epu8(_mm_loadu_si128((const __m128i *)(p + k)), _mm_setzero_si128()));
    uint64_t t = (uint64_t)_mm_cvtsi128_si64(acc) + (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(acc, acc));
    for (; k < n; k++) t += p[k];
    return (uint8_t)t;
}

/* 32 output bytes from pair index i on: both halves' running sums (the
 * first half's without storing it back), interleaved. Treating byte 0 as
 * a difference from a start value of 128 makes it uniform. */
static inline void step_sse2(const uint8_t *t1, const uint8_t *t2, size_t i, __m128i *c1, __m128i *c2,
                             __m128i *lo, __m128i *hi)
{
    const __m128i bias = _mm_set1_epi8((char)0x80);
    __m128i f = prefix16(_mm_xor_si128(_mm_loadu_si128((const __m128i *)(t1 + i)), bias), *c1);
    __m128i v = prefix16(_mm_xor_si128(_mm_loadu_si128((const __m128i *)(t2 + i)), bias), *c2);
    *c1 = last16(f);
    *c2 = last16(v);
    *lo = _mm_unpacklo_epi8(f, v);
    *hi = _mm_unpackhi_epi8(f, v);
}

/* Pass 2 over the whole block, 32 output bytes per step: runs of steps
 * inside one segment store directly; a step straddling segments goes
 * through tmp. */
static void unpredict_segments_sse2(uint8_t *buf, size_t n, const exrqoi__segment *seg, size_t nseg)
{
    size_t h1 = (n + 1) / 2;
    const uint8_t *t1 = buf, *t2 = buf + h1;
    seg_cursor c;
    cur_init(&c, seg, nseg);
    uint8_t tmp[64];
    __m128i c1 = _mm_set1_epi8((char)0x80), lo, hi;
    __m128i carry = _mm_set1_epi8((char)first_half_total(byte_sum_sse2(t1, h1), h1));
    size_t p = 0;
    while (p + 32 <= n) {
        cur_seek(&c, p);
        size_t end = c.end < n ? c.end : n;
        uint8_t *d = c.seg[c.s].dst;
        if (d) {
            d -= c.start;
            for (; p + 32 <= end; p += 32) {
                step_sse2(t1, t2, p / 2, &c1, &carry, &lo, &hi);
                _mm_storeu_si128((__m128i *)(d + p), lo);
                _mm_storeu_si128((__m128i *)(d + p + 16), hi);
            }
        } else {
            for (; p + 32 <= end; p += 32) step_sse2(t1, t2, p / 2, &c1, &carry, &lo, &hi);
        }
        if (p + 32 > n) break;
        step_sse2(t1, t2, p / 2, &c1, &carry, &lo, &hi);
        _mm_storeu_si128((__m128i *)tmp, lo);
        _mm_storeu_si128((__m128i *)(tmp + 16), hi);
        cur_scatter(&c, p, tmp, 32);
        p += 32;
    }
    if (p < n)
        finish_tail(buf, n, p, (uint8_t)_mm_cvtsi128_si32(c1), (uint8_t)_mm_cvtsi128_si32(carry), &c, tmp);
}

static void unpredict_sse2(uint8_t *buf, size_t n, uint8_t *out)
{
    exrqoi__segment one = {out, n};
    unpredict_segments_sse2(buf, n, &one, 1);
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
    predict_tail(in, n, i, i ? (uint8_t)_mm_cvtsi128_si32(_mm_srli_si128(prev1, 15)) : 0,
                 i ? (uint8_t)_mm_cvtsi128_si32(_mm_srli_si128(prev2, 15)) : 0, out);
}

/* ---- AVX2 ---------------------------------------------------------------- */

/* Prefetching the destination. Each segment of a chunk usually starts a
 * new destination stream (another channel's plane) that the hardware
 * prefetchers have not picked up, and those misses stalled the stores
 * (Beachball, 20 planes: a third of the predictor's time). Fetching a
 * fixed lead of lines ahead, one line per step, overlaps them with the
 * work; issuing a whole segment's lines at once measured worse. */
#define PREFETCH_LEAD 64 /* lines (4 KB): measured best of 16-128 on many-plane outputs */

typedef struct pf_cursor {
    const exrqoi__segment *seg;
    size_t nseg, s;        /* segment being fetched */
    uintptr_t next, end;   /* its next line, the end of its last whole line */
} pf_cursor;

/* Moves to the first wanted segment from s on. */
static PREDICT_INLINE void pf_open(pf_cursor *f, size_t s)
{
    for (; s < f->nseg; s++) {
        if (f->seg[s].dst && f->seg[s].len) {
            f->s = s;
            /* whole lines only: a line shared with the next or previous
             * line of the plane may be another worker's (measured: fetching
             * those cost 2 threads 2% on Beachball multipart) */
            f->next = ((uintptr_t)f->seg[s].dst + 63) & ~(uintptr_t)63;
            f->end = ((uintptr_t)f->seg[s].dst + f->seg[s].len) & ~(uintptr_t)63;
            return;
        }
    }
    f->s = f->nseg;
    f->next = f->end = 0;
}

static PREDICT_INLINE void pf_step(pf_cursor *f)
{
    if (f->next < f->end) {
        __builtin_prefetch((const void *)f->next, 1, 3);
        f->next += 64;
    } else if (f->s < f->nseg) {
        pf_open(f, f->s + 1);
    }
}

/* Starts `lead` lines ahead of the output. */
static PREDICT_INLINE void pf_init(pf_cursor *f, const exrqoi__segment *seg, size_t nseg, size_t lead)
{
    f->seg = seg;
    f->nseg = nseg;
    pf_open(f, 0);
    for (size_t k = 0; k < lead && f->s < nseg; k++) pf_step(f);
}


/* The halves are interleaved first (pair j = first-half byte j, second-half
 * byte j), then both running sums are taken at once in 8-bit lanes
 * (pair_sum_avx2.h): 8 shuffles per 64 output bytes where the older
 * sum-then-interleave loop, bound by the shuffle ports, had 20. */

/* Sum of bytes [0, n) mod 256: bytewise adds (any of three ports) into
 * two accumulators, one SAD at the end. */
__attribute__((target("avx2"))) static uint8_t byte_sum_avx2(const uint8_t *p, size_t n)
{
    const __m256i z = _mm256_setzero_si256();
    __m256i a0 = z, a1 = z;
    size_t k = 0;
    for (; k + 64 <= n; k += 64) {
        a0 = _mm256_add_epi8(a0, _mm256_loadu_si256((const __m256i *)(p + k)));
        a1 = _mm256_add_epi8(a1, _mm256_loadu_si256((const __m256i *)(p + k + 32)));
    }
    if (k + 32 <= n) {
        a0 = _mm256_add_epi8(a0, _mm256_loadu_si256((const __m256i *)(p + k)));
        k += 32;
    }
    __m256i q = _mm256_sad_epu8(_mm256_add_epi8(a0, a1), z);
    __m128i a = _mm_add_epi64(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
    uint64_t t = (uint64_t)_mm_cvtsi128_si64(a) + (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(a, a));
    for (; k < n; k++) t += p[k];
    return (uint8_t)t;
}

/* The 128 bias of every difference, summed: pair j of a step has j+1 of
 * them (blocks start at even pairs, so one pattern fits every block). The
 * carry is kept with this pattern added, so a step needs no extra add. */
#define STEP_BIAS 0x00008080

/* A carry vector from the previous pair's two bytes (first half's value
 * low, second half's high), and back. */
__attribute__((target("avx2"))) static inline __m256i carry_from(unsigned pair)
{
    return _mm256_add_epi8(_mm256_set1_epi16((short)pair), _mm256_set1_epi32(STEP_BIAS));
}

__attribute__((target("avx2"))) static inline unsigned carry_pair(__m256i carry)
{
    return ((unsigned)_mm256_cvtsi256_si32(carry) & 0xffffu) ^ 0x8080u;
}

/* Running sums advanced over pairs [i, i + m) without output. */
__attribute__((target("avx2"))) static inline __m256i skip_avx2(const uint8_t *t1, const uint8_t *t2, size_t i,
                                                                  size_t m, __m256i carry)
{
    unsigned odd = (unsigned)(m & 1u) * 128u, cp = carry_pair(carry);
    uint8_t a1 = (uint8_t)((cp & 0xffu) + byte_sum_avx2(t1 + i, m) - odd);
    uint8_t a2 = (uint8_t)((cp >> 8) + byte_sum_avx2(t2 + i, m) - odd);
    return carry_from(a1 | (unsigned)a2 << 8);
}

/* Pass 2 over the whole block, segment by segment, 64 output bytes per
 * step stored straight into the segment; a segment's last partial step is
 * redone ending at its last byte (rewriting a few bytes with the same
 * values), so only segments shorter than a step go through tmp. Needs
 * even segment lengths summing to n (what the planners produce); other
 * lists take the SSE2 path. */
__attribute__((target("avx2"))) static void unpredict_segments_avx2(uint8_t *buf, size_t n,
                                                                    const exrqoi__segment *seg,
                                                                    size_t nseg)
{
    size_t total = 0;
    unsigned odd = 0;
    for (size_t s = 0; s < nseg; s++) {
        total += seg[s].len;
        odd |= (unsigned)seg[s].len;
    }
    if ((odd & 1u) || total != n) {
        unpredict_segments_sse2(buf, n, seg, nseg);
        return;
    }
    size_t h1 = (n + 1) / 2;
    const uint8_t *t1 = buf, *t2 = buf + h1;
    uint8_t tmp[64];
    unsigned total1 = first_half_total(byte_sum_avx2(t1, h1), h1);
    __m256i carry = carry_from(0x80u | total1 << 8), ul, uh;
    pf_cursor pf;
    pf_init(&pf, seg, nseg, PREFETCH_LEAD);
    size_t p = 0, s = 0;
    for (; s < nseg && p + 64 <= n; s++) {
        size_t len = seg[s].len, e = p + len;
        uint8_t *d = seg[s].dst;
        if (!d) {
            carry = skip_avx2(t1, t2, p / 2, len / 2, carry);
        } else if (len >= 64) {
            const uint8_t *f = t1 + p / 2, *g = t2 + p / 2;
            for (size_t k = len / 64; k; k--, f += 32, g += 32, d += 64) {
                pf_step(&pf);
                exrqoi__pair_sums_avx2(f, g, 8, &carry, &ul, &uh);
                exrqoi__pair_store_avx2(d, ul, uh);
            }
            if (len % 64) {
                /* redo the segment's last 64 bytes; their carry is the
                 * pair just before them: the running sums less the
                 * overlapped pairs' differences (each biased by 128) */
                const size_t back = 64 - len % 64, m = back / 2;
                const unsigned cp = carry_pair(carry), odd = (unsigned)(m & 1u) * 128u;
                const uint8_t a1 = (uint8_t)((cp & 0xffu) - exrqoi__head_sum_avx2(f - m, m) + odd);
                const uint8_t a2 = (uint8_t)((cp >> 8) - exrqoi__head_sum_avx2(g - m, m) + odd);
                carry = carry_from(a1 | (unsigned)a2 << 8);
                exrqoi__pair_sums_avx2(f - m, g - m, 8, &carry, &ul, &uh);
                exrqoi__pair_store_avx2(d - back, ul, uh);
            }
        } else if (len) {
            __m256i k = carry;
            pf_step(&pf);
            exrqoi__pair_sums_avx2(t1 + p / 2, t2 + p / 2, 8, &k, &ul, &uh);
            exrqoi__pair_store_avx2(tmp, ul, uh);
            copy_upto64(d, tmp, len);
            carry = carry_from(tmp[len - 2] | (unsigned)tmp[len - 1] << 8);
        }
        p = e;
    }
    if (p < n) { /* under 64 bytes left */
        const unsigned cp = carry_pair(carry);
        seg_cursor c = {seg, nseg, s, p, p + seg[s].len}; /* s < nseg: the lengths sum to n */
        finish_tail(buf, n, p, (uint8_t)cp, (uint8_t)(cp >> 8), &c, tmp);
    }
}

__attribute__((target("avx2"))) static void unpredict_avx2(uint8_t *buf, size_t n, uint8_t *out)
{
    exrqoi__segment one = {out, n};
    unpredict_segments_avx2(buf, n, &one, 1);
}
#endif

#if PREDICT_NEON
/* ---- NEON ---------------------------------------------------------------- */
/* The SSE2 scheme with AArch64's structure loads and stores doing the
 * (de)interleave. */

/* Running sum of the 16 bytes of v (mod 256) plus `carry`. */
static inline uint8x16_t prefix16_neon(uint8x16_t v, uint8x16_t carry)
{
    const uint8x16_t z = vdupq_n_u8(0);
    v = vaddq_u8(v, vextq_u8(z, v, 15));
    v = vaddq_u8(v, vextq_u8(z, v, 14));
    v = vaddq_u8(v, vextq_u8(z, v, 12));
    v = vaddq_u8(v, vextq_u8(z, v, 8));
    return vaddq_u8(v, carry);
}

static uint8_t byte_sum_neon(const uint8_t *p, size_t n)
{
    uint8x16_t acc = vdupq_n_u8(0);
    size_t k = 0;
    for (; k + 16 <= n; k += 16) acc = vaddq_u8(acc, vld1q_u8(p + k));
    uint8_t t = vaddvq_u8(acc);
    for (; k < n; k++) t = (uint8_t)(t + p[k]);
    return t;
}

static inline uint8x16x2_t step_neon(const uint8_t *t1, const uint8_t *t2, size_t i, uint8x16_t *c1,
                                     uint8x16_t *c2)
{
    const uint8x16_t bias = vdupq_n_u8(0x80);
    uint8x16x2_t r;
    r.val[0] = prefix16_neon(veorq_u8(vld1q_u8(t1 + i), bias), *c1);
    r.val[1] = prefix16_neon(veorq_u8(vld1q_u8(t2 + i), bias), *c2);
    *c1 = vdupq_laneq_u8(r.val[0], 15);
    *c2 = vdupq_laneq_u8(r.val[1], 15);
    return r;
}

static void unpredict_segments_neon(uint8_t *buf, size_t n, const exrqoi__segment *seg, size_t nseg)
{
    size_t h1 = (n + 1) / 2;
    const uint8_t *t1 = buf, *t2 = buf + h1;
    seg_cursor c;
    cur_init(&c, seg, nseg);
    uint8_t tmp[64];
    uint8x16_t c1 = vdupq_n_u8(0x80);
    uint8x16_t carry = vdupq_n_u8(first_half_total(byte_sum_neon(t1, h1), h1));
    size_t p = 0;
    while (p + 32 <= n) {
        cur_seek(&c, p);
        size_t end = c.end < n ? c.end : n;
        uint8_t *d = c.seg[c.s].dst;
        if (d) {
            d -= c.start;
            for (; p + 32 <= end; p += 32) vst2q_u8(d + p, step_neon(t1, t2, p / 2, &c1, &carry));
        } else {
            for (; p + 32 <= end; p += 32) (void)step_neon(t1, t2, p / 2, &c1, &carry);
        }
        if (p + 32 > n) break;
        vst2q_u8(tmp, step_neon(t1, t2, p / 2, &c1, &carry));
        cur_scatter(&c, p, tmp, 32);
        p += 32;
    }
    if (p < n) finish_tail(buf, n, p, vgetq_lane_u8(c1, 0), vgetq_lane_u8(carry, 0), &c, tmp);
}

static void unpredict_neon(uint8_t *buf, size_t n, uint8_t *out)
{
    exrqoi__segment one = {out, n};
    unpredict_segments_neon(buf, n, &one, 1);
}

static void predict_neon(const uint8_t *in, size_t n, uint8_t *out)
{
    const uint8x16_t bias = vdupq_n_u8(0x80);
    size_t h1 = (n + 1) / 2, h2 = n / 2;
    uint8_t *t1 = out, *t2 = out + h1;
    size_t i = 0;
    uint8x16_t prev1 = vdupq_n_u8(0), prev2 = vdupq_n_u8(0);
    for (; i + 16 <= h2; i += 16) {
        uint8x16x2_t x = vld2q_u8(in + 2 * i);
        vst1q_u8(t1 + i, veorq_u8(vsubq_u8(x.val[0], vextq_u8(prev1, x.val[0], 15)), bias));
        vst1q_u8(t2 + i, veorq_u8(vsubq_u8(x.val[1], vextq_u8(prev2, x.val[1], 15)), bias));
        prev1 = x.val[0];
        prev2 = x.val[1];
    }
    predict_tail(in, n, i, i ? vgetq_lane_u8(prev1, 15) : 0, i ? vgetq_lane_u8(prev2, 15) : 0, out);
}
#endif

/* ---- dispatch ------------------------------------------------------------ */

/* The path comes from the caller's exrqoi__kernels (common/cpu.h), chosen
 * once per context: nothing here asks the CPU. */
void exrqoi__zip_predict_path(int path, const uint8_t *in, size_t n, uint8_t *out)
{
    if (n == 0) return;
    switch (path) {
#if PREDICT_X86
    case EXRQOI__PATH_SSE2:
    case EXRQOI__PATH_AVX2: predict_sse2(in, n, out); return;
#endif
#if PREDICT_NEON
    case EXRQOI__PATH_NEON: predict_neon(in, n, out); return;
#endif
    default: predict_c(in, n, out);
    }
}

void exrqoi__zip_unpredict_path(int path, uint8_t *buf, size_t n, uint8_t *out)
{
    if (n == 0) return;
    switch (path) {
#if PREDICT_X86
    case EXRQOI__PATH_AVX2: unpredict_avx2(buf, n, out); return;
    case EXRQOI__PATH_SSE2: unpredict_sse2(buf, n, out); return;
#endif
#if PREDICT_NEON
    case EXRQOI__PATH_NEON: unpredict_neon(buf, n, out); return;
#endif
    default: unpredict_c(buf, n, out);
    }
}

void exrqoi__zip_predict(const uint8_t *in, size_t n, uint8_t *out)
{
    exrqoi__zip_predict_path(exrqoi__cpu_kernels().zip, in, n, out);
}

/* End of a segment starting at p, clipped to the block. */
static inline size_t seg_end(size_t p, size_t len, size_t n) { return len > n - p ? n : p + len; }

void exrqoi__zip_unpredict_segments_path(int path, uint8_t *buf, size_t n, const exrqoi__segment *seg,
                                         size_t nseg)
{
    if (n == 0) return;
#if PREDICT_X86
    if (path == EXRQOI__PATH_AVX2) {
        unpredict_segments_avx2(buf, n, seg, nseg);
        return;
    }
    if (path == EXRQOI__PATH_SSE2) {
        unpredict_segments_sse2(buf, n, seg, nseg);
        return;
    }
#endif
#if PREDICT_NEON
    if (path == EXRQOI__PATH_NEON) {
        unpredict_segments_neon(buf, n, seg, nseg);
        return;
    }
#endif
    (void)path;
    size_t h1 = (n + 1) / 2, p = 0;
    uint8_t acc = pass1_c(buf, h1);
    for (size_t s = 0; s < nseg && p < n; s++) {
        size_t e = seg_end(p, seg[s].len, n);
        pass2_c(buf, buf + h1, p, e, &acc, seg[s].dst);
        p = e;
    }
}

void exrqoi__zip_unpredict_segments(uint8_t *buf, size_t n, const exrqoi__segment *seg, size_t nseg)
{
    exrqoi__zip_unpredict_segments_path(exrqoi__cpu_kernels().zip, buf, n, seg, nseg);
}

/* Undo the predictor and interleave the halves into `out` (`buf` is clobbered). */
void exrqoi__zip_unpredict(uint8_t *buf, size_t n, uint8_t *out)
{
    exrqoi__zip_unpredict_path(exrqoi__cpu_kernels().zip, buf, n, out);
}
