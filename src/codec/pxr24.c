/*
 * PXR24 (16 lines per chunk): line by line, channel by channel, each
 * sample is replaced by its difference to the previous sample of the same
 * line and channel, and the differences are split into byte planes (most
 * significant first): 2 planes for half, 4 for uint, 3 for float, whose
 * value is first cut to 24 bits. The whole is then zlib-deflated. Half and
 * uint are lossless; float keeps sign, exponent and 15 mantissa bits.
 */
#include "codec/pxr24.h"
#include "codec/pair_sum_avx2.h"
#include "codec/seg_cursor.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define PXR24_SSE2 1
#include <immintrin.h>
#else
#define PXR24_SSE2 0
#endif
#if defined(__aarch64__) && defined(__ARM_NEON) && !defined(__ARM_BIG_ENDIAN)
#define PXR24_NEON 1
#include <arm_neon.h>
#else
#define PXR24_NEON 0
#endif

/* OpenEXR's float -> 24 bits: round the mantissa to 15 bits (ties away
 * from zero), NaN keeps its top payload bits (forced non-zero), and a
 * round-up that would overflow to Inf truncates instead. */
static inline uint32_t float24(uint32_t f)
{
    uint32_t s = f & 0x80000000u, e = f & 0x7f800000u, m = f & 0x007fffffu, i;
    if (e == 0x7f800000u) {
        if (m) {
            m >>= 8;
            i = (e >> 8) | m | (m == 0);
        } else {
            i = e >> 8;
        }
    } else {
        i = ((e | m) + (m & 0x80u)) >> 8;
        if (i >= 0x7f8000u) i = (e | m) >> 8;
    }
    return (s >> 8) | i;
}

/* Bytes of the pre-deflate stream, checked against the unpacked size. */
static exrqoi_result plane_size(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                size_t *out)
{
    size_t planes = 0, raw = 0;
    for (int c = 0; c < b->nchan; c++) {
        const exrqoi__chan_layout *ch = &b->chans[c];
        if (ch->width < 0 || ch->height < 0 || ch->y_sampling < 1 ||
            ch->size != (ch->type == EXRQOI_PIXEL_HALF ? 2 : 4) ||
            ch->type > EXRQOI_PIXEL_FLOAT)
            return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                                "invalid layout of channel %d in PXR24 block", c);
        size_t n = (size_t)ch->width * (size_t)ch->height;
        raw += n * ch->size;
        planes += n * (ch->type == EXRQOI_PIXEL_FLOAT ? 3u : ch->size);
    }
    if (raw != b->unpacked_size)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                            "PXR24 block layout covers %zu of %zu bytes", raw, b->unpacked_size);
    *out = planes;
    return EXRQOI_OK;
}

/* One line of one channel: running sums of the plane bytes. The portable
 * loops finish what the vector loops leave (the last w % 8 samples). */
static inline void line_half(const uint8_t *p0, const uint8_t *p1, size_t x, size_t w,
                             uint32_t v, uint8_t *out)
{
    for (; x < w; x++) {
        v += ((uint32_t)p0[x] << 8) | p1[x];
        exrqoi__put16(out + 2 * x, (uint16_t)v);
    }
}

static inline void line_word(const uint8_t *p0, const uint8_t *p1, const uint8_t *p2,
                             const uint8_t *p3, size_t x, size_t w, uint32_t v, uint8_t *out)
{
    /* p3 == NULL: float (3 planes, low byte zero) */
    if (p3) {
        for (; x < w; x++) {
            v += ((uint32_t)p0[x] << 24) | ((uint32_t)p1[x] << 16) | ((uint32_t)p2[x] << 8) | p3[x];
            exrqoi__put32(out + 4 * x, v);
        }
    } else {
        for (; x < w; x++) {
            v += ((uint32_t)p0[x] << 24) | ((uint32_t)p1[x] << 16) | ((uint32_t)p2[x] << 8);
            exrqoi__put32(out + 4 * x, v);
        }
    }
}

#if PXR24_SSE2
/* 8 samples per step: the differences in 16/32-bit lanes, an in-register
 * prefix sum (log steps), plus the previous step's last value. Wrapping
 * lane arithmetic is exactly the scalar modulo-2^16/2^32 sum. */
static void line_half_sse2(const uint8_t *p0, const uint8_t *p1, size_t w, uint8_t *out)
{
    __m128i carry = _mm_setzero_si128();
    size_t x = 0;
    for (; x + 8 <= w; x += 8) {
        __m128i hi = _mm_loadl_epi64((const __m128i *)(const void *)(p0 + x));
        __m128i lo = _mm_loadl_epi64((const __m128i *)(const void *)(p1 + x));
        __m128i d = _mm_unpacklo_epi8(lo, hi);
        d = _mm_add_epi16(d, _mm_slli_si128(d, 2));
        d = _mm_add_epi16(d, _mm_slli_si128(d, 4));
        d = _mm_add_epi16(d, _mm_slli_si128(d, 8));
        _mm_storeu_si128((__m128i *)(void *)(out + 2 * x), _mm_add_epi16(d, carry));
        /* the step's total from the differences alone: one add on the chain */
        __m128i t = _mm_shufflehi_epi16(d, 0xff);
        carry = _mm_add_epi16(carry, _mm_unpackhi_epi64(t, t));
    }
    /* the last sum from the register: reading it back from `out` would wait
     * for the store, which may still be waiting for its cache line */
    line_half(p0, p1, x, w, (uint32_t)_mm_cvtsi128_si32(carry) & 0xffffu, out);
}

static inline __m128i prefix32(__m128i d, __m128i carry)
{
    d = _mm_add_epi32(d, _mm_slli_si128(d, 4));
    d = _mm_add_epi32(d, _mm_slli_si128(d, 8));
    return _mm_add_epi32(d, carry);
}

/* From sample x on, `carry` holding the running value in every lane (the
 * AVX2 kernel hands its remainder here). */
static void line_word_sse2_from(const uint8_t *p0, const uint8_t *p1, const uint8_t *p2,
                                const uint8_t *p3, size_t x, size_t w, __m128i carry, uint8_t *out)
{
    const __m128i zero = _mm_setzero_si128();
    for (; x + 8 <= w; x += 8) {
        __m128i b0 = _mm_loadl_epi64((const __m128i *)(const void *)(p0 + x));
        __m128i b1 = _mm_loadl_epi64((const __m128i *)(const void *)(p1 + x));
        __m128i b2 = _mm_loadl_epi64((const __m128i *)(const void *)(p2 + x));
        __m128i b3 = p3 ? _mm_loadl_epi64((const __m128i *)(const void *)(p3 + x)) : zero;
        __m128i top = _mm_unpacklo_epi8(b1, b0), bot = _mm_unpacklo_epi8(b3, b2);
        /* both halves summed from zero, then offset: the carry chain is
         * one add per step instead of two sums and two shuffles */
        __m128i d0 = prefix32(_mm_unpacklo_epi16(bot, top), zero);
        __m128i d1 = prefix32(_mm_unpackhi_epi16(bot, top), zero);
        __m128i t0 = _mm_shuffle_epi32(d0, 0xff), t1 = _mm_shuffle_epi32(d1, 0xff);
        _mm_storeu_si128((__m128i *)(void *)(out + 4 * x), _mm_add_epi32(d0, carry));
        _mm_storeu_si128((__m128i *)(void *)(out + 4 * x + 16), _mm_add_epi32(d1, _mm_add_epi32(carry, t0)));
        carry = _mm_add_epi32(carry, _mm_add_epi32(t0, t1));
    }
    line_word(p0, p1, p2, p3, x, w, (uint32_t)_mm_cvtsi128_si32(carry), out);
}

static void line_word_sse2(const uint8_t *p0, const uint8_t *p1, const uint8_t *p2,
                           const uint8_t *p3, size_t w, uint8_t *out)
{
    line_word_sse2_from(p0, p1, p2, p3, 0, w, _mm_setzero_si128(), out);
}

/* Halves: 32 samples per step by the ZIP un-predict's pair sums
 * (pair_sum_avx2.h) in 16-bit lanes, each sample the word (low plane
 * byte, high plane byte): 10 shuffle-port operations per 32 samples where
 * two of the 16-sample steps take 18. Then 16 samples per step: the SSE2
 * sums in each 128-bit lane, the low lane's total added to the high lane,
 * then the previous step's last value to both. The next step's value is
 * this one plus both lane totals, taken from the totals alone: the
 * loop-carried chain is one add (it was add, two shuffles and a lane
 * permute, which bound the loop). */
__attribute__((target("avx2"))) static void line_half_avx2(const uint8_t *p0, const uint8_t *p1, size_t w,
                                                            uint8_t *out)
{
    __m256i carry = _mm256_setzero_si256();
    size_t x = 0;
    for (; x + 32 <= w; x += 32) {
        __m256i ul, uh;
        exrqoi__pair_sums_avx2(p1 + x, p0 + x, 16, &carry, &ul, &uh);
        exrqoi__pair_store_avx2(out + 2 * x, ul, uh);
    }
    if (x == w) return; /* tiles' 64-sample lines: no tail tests */
    if (x) {
        /* redo the line's last 32 samples (the overlap gets the same
         * values): their carry is the sample before them, the running
         * value less the overlapped samples' differences */
        const size_t back = x - (w - 32);
        const unsigned over =
            (exrqoi__head_sum_avx2(p0 + w - 32, back) << 8) + exrqoi__head_sum_avx2(p1 + w - 32, back);
        __m256i ul, uh;
        carry = _mm256_sub_epi16(carry, _mm256_set1_epi16((short)(over & 0xffffu)));
        exrqoi__pair_sums_avx2(p1 + w - 32, p0 + w - 32, 16, &carry, &ul, &uh);
        exrqoi__pair_store_avx2(out + 2 * (w - 32), ul, uh);
        return;
    }
    for (; x + 16 <= w; x += 16) {
        __m256i hi = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(p0 + x)));
        __m256i lo = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(p1 + x)));
        __m256i d = _mm256_or_si256(_mm256_slli_epi16(hi, 8), lo);
        d = _mm256_add_epi16(d, _mm256_slli_si256(d, 2));
        d = _mm256_add_epi16(d, _mm256_slli_si256(d, 4));
        d = _mm256_add_epi16(d, _mm256_slli_si256(d, 8));
        /* each lane's last sum everywhere in its lane */
        __m256i t = _mm256_shuffle_epi32(_mm256_shufflehi_epi16(d, 0xff), 0xff);
        d = _mm256_add_epi16(d, _mm256_permute2x128_si256(t, t, 0x08)); /* low lane: 0 */
        d = _mm256_add_epi16(d, carry);
        _mm256_storeu_si256((__m256i *)(void *)(out + 2 * x), d);
        carry = _mm256_add_epi16(carry, _mm256_add_epi16(t, _mm256_permute2x128_si256(t, t, 0x01)));
    }
    line_half(p0, p1, x, w, (uint32_t)_mm256_cvtsi256_si32(carry) & 0xffffu, out);
}

/* Words (uint; float when p3 == NULL): 16 samples per step. The words of
 * samples 0-3 and 8-11 come out in one register, 4-7 and 12-15 in the
 * other (unpack works within 128-bit lanes); each lane is summed alone,
 * then the lanes are put back in sample order and offset by the totals
 * of the lanes before them. The loop-carried chain is one add. */
__attribute__((target("avx2"))) static void line_word_avx2(const uint8_t *p0, const uint8_t *p1,
                                                            const uint8_t *p2, const uint8_t *p3, size_t w,
                                                            uint8_t *out)
{
    __m256i carry = _mm256_setzero_si256();
    size_t x = 0;
    for (; x + 16 <= w; x += 16) {
        __m256i b0 = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(p0 + x)));
        __m256i b1 = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(p1 + x)));
        __m256i b2 = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(p2 + x)));
        __m256i top = _mm256_or_si256(_mm256_slli_epi16(b0, 8), b1);
        __m256i bot = _mm256_slli_epi16(b2, 8);
        if (p3) {
            __m128i b3 = _mm_loadu_si128((const __m128i *)(const void *)(p3 + x));
            bot = _mm256_or_si256(bot, _mm256_cvtepu8_epi16(b3));
        }
        __m256i d0 = _mm256_unpacklo_epi16(bot, top); /* samples 0-3 | 8-11 */
        __m256i d1 = _mm256_unpackhi_epi16(bot, top); /* samples 4-7 | 12-15 */
        d0 = _mm256_add_epi32(d0, _mm256_slli_si256(d0, 4));
        d1 = _mm256_add_epi32(d1, _mm256_slli_si256(d1, 4));
        d0 = _mm256_add_epi32(d0, _mm256_slli_si256(d0, 8));
        d1 = _mm256_add_epi32(d1, _mm256_slli_si256(d1, 8));
        __m256i t0 = _mm256_shuffle_epi32(d0, 0xff); /* totals of 0-3 | 8-11 */
        __m256i t1 = _mm256_shuffle_epi32(d1, 0xff); /* totals of 4-7 | 12-15 */
        __m256i s = _mm256_add_epi32(t0, t1);        /* totals of 0-7 | 8-15 */
        /* 0-7: nothing before 0-3, the total of 0-3 before 4-7 */
        __m256i lo = _mm256_add_epi32(_mm256_permute2x128_si256(d0, d1, 0x20),
                                      _mm256_permute2x128_si256(t0, t0, 0x08));
        /* 8-15: the total of 0-7 before both, that of 8-11 before 12-15 */
        __m256i hi = _mm256_add_epi32(_mm256_permute2x128_si256(d0, d1, 0x31),
                                      _mm256_add_epi32(_mm256_permute2x128_si256(s, s, 0x00),
                                                       _mm256_permute2x128_si256(t0, t0, 0x18)));
        _mm256_storeu_si256((__m256i *)(void *)(out + 4 * x), _mm256_add_epi32(lo, carry));
        _mm256_storeu_si256((__m256i *)(void *)(out + 4 * x + 32), _mm256_add_epi32(hi, carry));
        carry = _mm256_add_epi32(carry, _mm256_add_epi32(s, _mm256_permute2x128_si256(s, s, 0x01)));
    }
    line_word_sse2_from(p0, p1, p2, p3, x, w, _mm256_castsi256_si128(carry), out);
}
#endif

#if PXR24_NEON
/* The SSE2 kernels' scheme with NEON: differences widened into 16/32-bit
 * lanes, a log-step prefix sum by lane shifts (vext with zero), plus the
 * previous step's last value. */
static void line_half_neon(const uint8_t *p0, const uint8_t *p1, size_t w, uint8_t *out)
{
    const uint16x8_t zero = vdupq_n_u16(0);
    uint16x8_t carry = zero;
    size_t x = 0;
    for (; x + 8 <= w; x += 8) {
        uint16x8_t d = vaddw_u8(vshll_n_u8(vld1_u8(p0 + x), 8), vld1_u8(p1 + x));
        d = vaddq_u16(d, vextq_u16(zero, d, 7));
        d = vaddq_u16(d, vextq_u16(zero, d, 6));
        d = vaddq_u16(d, vextq_u16(zero, d, 4));
        d = vaddq_u16(d, carry);
        vst1q_u8(out + 2 * x, vreinterpretq_u8_u16(d));
        carry = vdupq_laneq_u16(d, 7);
    }
    line_half(p0, p1, x, w, vgetq_lane_u16(carry, 0), out);
}

static inline uint32x4_t prefix32_neon(uint32x4_t d, uint32x4_t carry)
{
    const uint32x4_t zero = vdupq_n_u32(0);
    d = vaddq_u32(d, vextq_u32(zero, d, 3));
    d = vaddq_u32(d, vextq_u32(zero, d, 2));
    return vaddq_u32(d, carry);
}

static void line_word_neon(const uint8_t *p0, const uint8_t *p1, const uint8_t *p2,
                           const uint8_t *p3, size_t w, uint8_t *out)
{
    uint32x4_t carry = vdupq_n_u32(0);
    size_t x = 0;
    for (; x + 8 <= w; x += 8) {
        uint16x8_t top = vaddw_u8(vshll_n_u8(vld1_u8(p0 + x), 8), vld1_u8(p1 + x));
        uint16x8_t bot = vshll_n_u8(vld1_u8(p2 + x), 8);
        if (p3) bot = vaddw_u8(bot, vld1_u8(p3 + x));
        uint32x4_t d0 = vaddw_u16(vshll_n_u16(vget_low_u16(top), 16), vget_low_u16(bot));
        uint32x4_t d1 = vaddw_u16(vshll_n_u16(vget_high_u16(top), 16), vget_high_u16(bot));
        d0 = prefix32_neon(d0, carry);
        carry = vdupq_laneq_u32(d0, 3);
        d1 = prefix32_neon(d1, carry);
        carry = vdupq_laneq_u32(d1, 3);
        vst1q_u8(out + 4 * x, vreinterpretq_u8_u32(d0));
        vst1q_u8(out + 4 * x + 16, vreinterpretq_u8_u32(d1));
    }
    line_word(p0, p1, p2, p3, x, w, vgetq_lane_u32(carry, 0), out);
}
#endif

/* One line of one channel from its planes: halves (p0, p1), words
 * (p0..p3; float when p3 == NULL). */
typedef void (*half_kernel)(const uint8_t *p0, const uint8_t *p1, size_t w, uint8_t *out);
typedef void (*word_kernel)(const uint8_t *p0, const uint8_t *p1, const uint8_t *p2, const uint8_t *p3, size_t w,
                            uint8_t *out);

static void line_half_c(const uint8_t *p0, const uint8_t *p1, size_t w, uint8_t *out)
{
    line_half(p0, p1, 0, w, 0, out);
}

static void line_word_c(const uint8_t *p0, const uint8_t *p1, const uint8_t *p2, const uint8_t *p3, size_t w,
                        uint8_t *out)
{
    line_word(p0, p1, p2, p3, 0, w, 0, out);
}

/* The plane-to-line rebuild into `dst` (unpacked layout) or, when `seg`
 * is set, through its segments (`line_buf` holds the longest line). The
 * cursor is this function's own, so it can stay in registers. Inlined
 * into each caller below with its kernels: the AVX2 one has them fixed,
 * so nothing is chosen per line and they can be inlined (narrow tiles
 * have many short lines, each paying its own dispatch and call). */
static inline __attribute__((always_inline)) exrqoi_result
unplane_lines(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b, const uint8_t *in, size_t avail, uint8_t *dst,
              const exrqoi__segment *seg, size_t nseg, uint8_t *line_buf, half_kernel half, word_kernel word)
{
    /* used by name, not through a pointer chosen at run time: fewer
     * loads and stores a line */
    seg_cursor sc = {seg, nseg, 0, 0};
    size_t left = b->unpacked_size;
    uint8_t *out = dst;
    const uint8_t *in_end = in + avail;
    for (int32_t yy = 0; yy < b->height; yy++) {
        int32_t y = b->y + yy;
        for (int c = 0; c < b->nchan; c++) {
            const exrqoi__chan_layout *ch = &b->chans[c];
            /* no division per line for the usual unsampled channel */
            if (ch->y_sampling != 1 && exrqoi__mod(y, ch->y_sampling) != 0) continue;
            size_t w = (size_t)ch->width, line = w * ch->size;
            size_t nplanes = ch->type == EXRQOI_PIXEL_FLOAT ? 3 : ch->size;
            if (left < line || (size_t)(in_end - in) < w * nplanes)
                return exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT,
                                    "PXR24 data too short for line %d", (int)y);
            left -= line;
            bool spread = false;
            if (seg) {
                /* a line split between places is rebuilt in line_buf first */
                spread = !seg_whole(&sc, line, &out);
                if (spread) out = line_buf;
                if (!out) {
                    in += w * nplanes; /* not wanted: each line stands alone */
                    continue;
                }
            }
            if (ch->type == EXRQOI_PIXEL_HALF)
                half(in, in + w, w, out);
            else
                word(in, in + w, in + 2 * w, ch->type == EXRQOI_PIXEL_UINT ? in + 3 * w : NULL, w, out);
            in += w * nplanes;
            if (spread) seg_scatter(&sc, line_buf, line);
            if (!seg) out += line;
        }
    }
    if (left)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                            "PXR24 block layout does not match its unpacked size");
    return EXRQOI_OK;
}

/* Any path but AVX2 (one the build lacks: the portable kernels). */
static exrqoi_result unplane_any(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b, const uint8_t *in,
                                 size_t avail, uint8_t *dst, const exrqoi__segment *seg, size_t nseg,
                                 uint8_t *line_buf, int path)
{
    half_kernel half = line_half_c;
    word_kernel word = line_word_c;
#if PXR24_SSE2
    if (path == PXR24_PATH_SSE2 || path == PXR24_PATH_AVX2) {
        half = line_half_sse2;
        word = line_word_sse2;
    }
#elif PXR24_NEON
    if (path == PXR24_PATH_NEON) {
        half = line_half_neon;
        word = line_word_neon;
    }
#else
    (void)path;
#endif
    return unplane_lines(ctx, b, in, avail, dst, seg, nseg, line_buf, half, word);
}

#if PXR24_SSE2
__attribute__((target("avx2"))) static exrqoi_result unplane_avx2(exrqoi__codec_ctx *ctx,
                                                                   const exrqoi__block_layout *b, const uint8_t *in,
                                                                   size_t avail, uint8_t *dst,
                                                                   const exrqoi__segment *seg, size_t nseg,
                                                                   uint8_t *line_buf)
{
    return unplane_lines(ctx, b, in, avail, dst, seg, nseg, line_buf, line_half_avx2, line_word_avx2);
}
#endif

static exrqoi_result unplane(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b, const uint8_t *in,
                             size_t avail, uint8_t *dst, const exrqoi__segment *seg, size_t nseg,
                             uint8_t *line_buf, int path)
{
#if PXR24_SSE2
    if (path == PXR24_PATH_AVX2) return unplane_avx2(ctx, b, in, avail, dst, seg, nseg, line_buf);
#endif
    return unplane_any(ctx, b, in, avail, dst, seg, nseg, line_buf, path);
}

exrqoi_result exrqoi__pxr24_unplane_path(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                         const uint8_t *in, size_t avail, uint8_t *dst, int path)
{
    return unplane(ctx, b, in, avail, dst, NULL, 0, NULL, path);
}

/* Inflates and rebuilds into dst or through segments (seg != NULL; their
 * coverage of the block checked before exrqoi__decompress_block_covered). */
static exrqoi_result decode(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b, const uint8_t *src,
                            size_t n, uint8_t *dst, const exrqoi__segment *seg, size_t nseg)
{
    size_t need;
    EXRQOI_TRY(plane_size(ctx, b, &need));
    size_t max_line = 0;
    for (int c = 0; c < b->nchan; c++) {
        size_t line = (size_t)b->chans[c].width * b->chans[c].size;
        if (line > max_line) max_line = line;
    }
    /* OpenEXR accepts a stream that inflates to more than needed (the
     * excess is ignored), so allow some slack rather than demand equality */
    size_t cap = need + need / 8 + 64;
    void *tmp;
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_BYTES, cap + (seg ? max_line : 0), &tmp));
    size_t got = 0;
    EXRQOI_TRY(exrqoi__inflate_any(ctx, src, n, (uint8_t *)tmp, cap, &got));
    if (got < need)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT,
                            "PXR24 data inflates to %zu bytes, %zu expected", got, need);
    return unplane(ctx, b, (const uint8_t *)tmp, got, dst, seg, nseg, (uint8_t *)tmp + cap, ctx->k.pxr24);
}

static exrqoi_result pxr24_decompress(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                      const uint8_t *src, size_t n, uint8_t *dst)
{
    return decode(ctx, b, src, n, dst, NULL, 0);
}

exrqoi_result exrqoi__pxr24_decompress_segments(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                                const uint8_t *src, size_t n,
                                                const exrqoi__segment *seg, size_t nseg)
{
    return decode(ctx, b, src, n, NULL, seg, nseg);
}

/* Fills `planes` (plane_size bytes) from the unpacked lines in `src`. */
static void pxr24_plane(const exrqoi__block_layout *b, const uint8_t *src, uint8_t *planes)
{
    const uint8_t *in = src;
    uint8_t *out = planes;
    for (int32_t yy = 0; yy < b->height; yy++) {
        int32_t y = b->y + yy;
        for (int c = 0; c < b->nchan; c++) {
            const exrqoi__chan_layout *ch = &b->chans[c];
            if (exrqoi__mod(y, ch->y_sampling) != 0) continue;
            size_t w = (size_t)ch->width;
            uint8_t *p0 = out, *p1 = out + w, *p2 = out + 2 * w, *p3 = out + 3 * w;
            uint32_t prev = 0;
            switch (ch->type) {
            case EXRQOI_PIXEL_HALF:
                for (size_t x = 0; x < w; x++) {
                    uint32_t v = exrqoi__le16(in + 2 * x), d = v - prev;
                    prev = v;
                    p0[x] = (uint8_t)(d >> 8);
                    p1[x] = (uint8_t)d;
                }
                out += 2 * w;
                break;
            case EXRQOI_PIXEL_UINT:
                for (size_t x = 0; x < w; x++) {
                    uint32_t v = exrqoi__le32(in + 4 * x), d = v - prev;
                    prev = v;
                    p0[x] = (uint8_t)(d >> 24);
                    p1[x] = (uint8_t)(d >> 16);
                    p2[x] = (uint8_t)(d >> 8);
                    p3[x] = (uint8_t)d;
                }
                out += 4 * w;
                break;
            default: /* float */
                for (size_t x = 0; x < w; x++) {
                    uint32_t v = float24(exrqoi__le32(in + 4 * x)), d = v - prev;
                    prev = v;
                    p0[x] = (uint8_t)(d >> 16);
                    p1[x] = (uint8_t)(d >> 8);
                    p2[x] = (uint8_t)d;
                }
                out += 3 * w;
                break;
            }
            in += w * ch->size;
        }
    }
}

/* Worst case of libdeflate's zlib wrapper for the plane bytes, which never
 * outnumber the unpacked bytes. */
static size_t pxr24_bound(const exrqoi__block_layout *b)
{
    size_t n = b->unpacked_size;
    return n + n / 8 + 64 + 6 * (n / 65535 + 1);
}

static exrqoi_result pxr24_compress(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                    const uint8_t *src, uint8_t *dst, size_t cap, size_t *out)
{
    size_t need;
    EXRQOI_TRY(plane_size(ctx, b, &need));
    /* the line walk below must cover exactly the unpacked bytes */
    size_t lines_bytes = 0;
    for (int32_t yy = 0; yy < b->height; yy++)
        for (int c = 0; c < b->nchan; c++)
            if (exrqoi__mod(b->y + yy, b->chans[c].y_sampling) == 0)
                lines_bytes += (size_t)b->chans[c].width * b->chans[c].size;
    if (lines_bytes != b->unpacked_size)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                            "PXR24 block layout does not match its unpacked size");
    void *tmp;
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_BYTES, need ? need : 1, &tmp));
    pxr24_plane(b, src, (uint8_t *)tmp);
    int level = ctx->zip_level > 0 ? ctx->zip_level : EXRQOI__PXR24_DEFAULT_LEVEL;
    return exrqoi__deflate_at(ctx, level, (const uint8_t *)tmp, need, dst, cap, out);
}

/* zlib's bound on the plane bytes; a FLOAT sample keeps 3 of its 4
 * bytes in the planes (HALF and UINT keep all). */
static uint64_t pxr24_max_unpacked(const exrqoi__block_layout *b, uint64_t n)
{
    uint64_t planes = exrqoi__inflate_max(n);
    bool has_float = !b;
    for (int c = 0; b && c < b->nchan; c++) has_float |= b->chans[c].type == EXRQOI_PIXEL_FLOAT;
    return has_float ? planes + planes / 3 : planes;
}

const exrqoi__codec exrqoi__codec_pxr24 = {
    .id = EXRQOI_COMPRESSION_PXR24, .name = "pxr24", .lines_per_chunk = 16, .flags = EXRQOI__CODEC_LOSSY,
    .speed = 1500, .decompress = pxr24_decompress, .bound = pxr24_bound, .compress = pxr24_compress,
    .max_unpacked = pxr24_max_unpacked, .decompress_segments = exrqoi__pxr24_decompress_segments};
