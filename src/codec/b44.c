/*
 * B44 and B44A (32 lines per chunk). The chunk holds the channels one after
 * the other, each as a whole plane: half channels cut into 4x4 blocks (the
 * right column and bottom row repeated to pad partial blocks), each block
 * packed to 14 bytes, or to 3 when all 16 values are equal (B44A only);
 * uint and float channels as their raw little-endian samples.
 *
 * A 14-byte block: the first value t0 (16 bits), then sixteen 6-bit fields
 * big-endian: the shift, then 15 differences biased by 32 (three down the
 * first column, then for each next column one per row). Values are first
 * mapped to an ordered form t (sign-magnitude to offset), Inf/NaN to 0.
 */
#include "codec/b44.h"
#include "codec/b44_tables.h"
#include "codec/seg_cursor.h"

#if (defined(__x86_64__) || defined(__i386__)) && defined(__SSE2__)
#include <emmintrin.h>
#define EXRQOI_B44_SSE2 1
#else
#define EXRQOI_B44_SSE2 0
#endif
#if defined(__aarch64__) && defined(__ARM_NEON) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#include <arm_neon.h>
#define B44_NEON 1
#else
#define B44_NEON 0
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define B44_HOST_LE 0
#else
#define B44_HOST_LE 1
#endif

enum { B44_BIAS = 0x20, B44_FLAT_MARK = 13 << 2 };

/* ---- layout ------------------------------------------------------------ */

/* Offsets into the unpacked buffer of every sampled line of every channel:
 * lines[first[c] + j] is where line j of channel c starts. Checks the
 * layout against block->unpacked_size so nothing later can overrun. */
typedef struct b44_lines {
    const size_t *first; /* nchan entries */
    const size_t *lines;
} b44_lines;

static exrqoi_result map_lines(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                               b44_lines *out)
{
    if (b->nchan < 0 || b->height < 0 || (b->nchan > 0 && !b->chans))
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT, "invalid B44 block layout");
    size_t n = (size_t)b->nchan;
    size_t total_lines = 0;
    for (size_t c = 0; c < n; c++) {
        const exrqoi__chan_layout *ch = &b->chans[c];
        if (ch->height < 0 || ch->width < 0 || ch->y_sampling < 1 ||
            ch->size != (ch->type == EXRQOI_PIXEL_HALF ? 2 : 4))
            return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                                "invalid layout of channel %zu in B44 block", c);
        total_lines += (size_t)ch->height;
    }
    /* first[n + 1], cursor[n], lines[total_lines] */
    size_t bytes;
    if (exrqoi__mul_size(2 * n + 1 + total_lines, sizeof(size_t), &bytes))
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_OUT_OF_MEMORY, "B44 layout too large");
    void *mem;
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_B44_LINES, bytes, &mem));
    size_t *first = (size_t *)mem, *cursor = first + n + 1, *lines = cursor + n;
    first[0] = 0;
    for (size_t c = 0; c < n; c++) {
        cursor[c] = first[c];
        first[c + 1] = first[c] + (size_t)b->chans[c].height;
    }

    size_t pos = 0;
    for (int32_t yy = 0; yy < b->height; yy++) {
        int32_t y = b->y + yy;
        for (size_t c = 0; c < n; c++) {
            const exrqoi__chan_layout *ch = &b->chans[c];
            if (exrqoi__mod(y, ch->y_sampling) != 0) continue;
            if (cursor[c] == first[c + 1])
                return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                                    "channel %zu has more sampled lines than its height", c);
            size_t row, next;
            if (exrqoi__mul_size((size_t)ch->width, ch->size, &row) ||
                exrqoi__add_size(pos, row, &next) || next > b->unpacked_size)
                return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                                    "B44 block layout exceeds its unpacked size");
            lines[cursor[c]++] = pos;
            pos = next;
        }
    }
    if (pos != b->unpacked_size)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                            "B44 block layout covers %zu of %zu bytes", pos, b->unpacked_size);
    for (size_t c = 0; c < n; c++)
        if (cursor[c] != first[c + 1])
            return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                                "channel %zu has fewer sampled lines than its height", c);
    out->first = first;
    out->lines = lines;
    return EXRQOI_OK;
}

/* ---- decoding one 4x4 block -------------------------------------------- */

/* The 12 bytes after t0 are four 24-bit groups g of four 6-bit fields k
 * (big-endian): group 0 holds the shift and the differences down column 0
 * (rows 1..3), group c >= 1 the differences from column c - 1 to column c
 * (rows 0..3). So sample (row, col) = t of the column-0 sample of its row
 * plus the fields k = row of groups 1..col, each (field - 32) << shift, all
 * modulo 2^16 as OpenEXR's 16-bit arithmetic. */

/* Ordered form back to a half: sign-magnitude from offset binary. */
static inline uint32_t from_ordered(uint32_t t)
{
    t &= 0xffffu;
    return (t & 0x8000u) ? (t & 0x7fffu) : (~t & 0xffffu);
}

static inline uint16_t flat_value(const uint8_t *b)
{
    return (uint16_t)from_ordered(((uint32_t)b[0] << 8) | b[1]);
}

/* Portable path: the 16 halves of a 14-byte block, row-major. */
static inline void unpack14(const uint8_t *b, uint16_t s[16])
{
    uint32_t g[4];
    for (int c = 0; c < 4; c++)
        g[c] = ((uint32_t)b[2 + 3 * c] << 16) | ((uint32_t)b[3 + 3 * c] << 8) | b[4 + 3 * c];
    uint32_t shift = g[0] >> 18; /* < 13: larger means a flat block */
    uint32_t bias = (uint32_t)B44_BIAS << shift;
    uint32_t col0 = ((uint32_t)b[0] << 8) | b[1];
    for (int row = 0; row < 4; row++) {
        uint32_t k = 18 - 6 * (uint32_t)row;
        if (row > 0) col0 += (((g[0] >> k) & 63u) << shift) - bias;
        uint32_t t = col0;
        s[4 * row] = (uint16_t)from_ordered(t);
        for (int c = 1; c < 4; c++) {
            t += (((g[c] >> k) & 63u) << shift) - bias;
            s[4 * row + c] = (uint16_t)from_ordered(t);
        }
    }
}

#if EXRQOI_B44_SSE2 || B44_NEON
/* A 14-byte block as two big-endian words: bytes 0..7 in v0 and bytes
 * 6..13 in v1, byte 0 (6) on top. */
static inline void load14_be(const uint8_t *b, uint64_t *v0, uint64_t *v1)
{
    memcpy(v0, b, 8);
    memcpy(v1, b + 6, 8);
    *v0 = __builtin_bswap64(*v0);
    *v1 = __builtin_bswap64(*v1);
}
#endif

#if EXRQOI_B44_SSE2
/* SSE2 path: the block as two registers of 16-bit lanes, rows 0-1 and
 * rows 2-3 (one row per 64-bit half), in the unpacked byte order. */
static inline void unpack14_sse2(const uint8_t *b, __m128i *r01, __m128i *r23)
{
    uint64_t v0, v1;
    load14_be(b, &v0, &v1);
    uint32_t t0 = (uint32_t)(v0 >> 48);
    uint32_t shift = (uint32_t)(v0 >> 42) & 63u;
    __m128i g = _mm_set_epi32((int)(v1 & 0xffffffu), (int)((v1 >> 24) & 0xffffffu),
                              (int)(v0 & 0xffffffu), (int)((v0 >> 24) & 0xffffffu));
    const __m128i m6 = _mm_set1_epi32(63);
    /* lane (row, col) = field row of group col */
    __m128i a = _mm_packs_epi32(_mm_and_si128(_mm_srli_epi32(g, 18), m6),
                                _mm_and_si128(_mm_srli_epi32(g, 12), m6));
    __m128i c = _mm_packs_epi32(_mm_and_si128(_mm_srli_epi32(g, 6), m6), _mm_and_si128(g, m6));
    const __m128i cnt = _mm_cvtsi32_si128((int)shift), bias = _mm_set1_epi16(B44_BIAS);
    a = _mm_sll_epi16(_mm_sub_epi16(a, bias), cnt);
    c = _mm_sll_epi16(_mm_sub_epi16(c, bias), cnt);
    a = _mm_insert_epi16(a, (int)t0, 0); /* lane (0, 0) held the shift */
    /* running sum down column 0 */
    const __m128i m0 = _mm_set_epi16(0, 0, 0, -1, 0, 0, 0, -1);
    __m128i ca = _mm_and_si128(a, m0), cc = _mm_and_si128(c, m0);
    ca = _mm_add_epi16(ca, _mm_slli_si128(ca, 8));
    cc = _mm_add_epi16(cc, _mm_slli_si128(cc, 8));
    cc = _mm_add_epi16(cc, _mm_unpackhi_epi64(ca, ca));
    a = _mm_or_si128(_mm_andnot_si128(m0, a), ca);
    c = _mm_or_si128(_mm_andnot_si128(m0, c), cc);
    /* running sums along each row */
    a = _mm_add_epi16(a, _mm_slli_epi64(a, 16));
    c = _mm_add_epi16(c, _mm_slli_epi64(c, 16));
    a = _mm_add_epi16(a, _mm_slli_epi64(a, 32));
    c = _mm_add_epi16(c, _mm_slli_epi64(c, 32));
    /* from_ordered: xor 0x8000 when the top bit is set, else 0xffff */
    const __m128i k8000 = _mm_set1_epi16((short)0x8000), k7fff = _mm_set1_epi16(0x7fff);
    a = _mm_xor_si128(a, _mm_xor_si128(k8000, _mm_andnot_si128(_mm_srai_epi16(a, 15), k7fff)));
    c = _mm_xor_si128(c, _mm_xor_si128(k8000, _mm_andnot_si128(_mm_srai_epi16(c, 15), k7fff)));
    *r01 = a;
    *r23 = c;
}
#endif

/* ---- encoding one 4x4 block -------------------------------------------- */

/* The encoder maps each half to its ordered form t (Inf/NaN to 0x8000),
 * takes tmax, and looks for the smallest shift at which the differences
 * of d = round((tmax - t) / 2^shift) (to nearest, ties to even) between
 * neighbours (as the decoder walks them) all fit 6 bits biased by 32. That
 * is what OpenEXR's search from shift 0 upwards finds; here shifts that
 * cannot fit are skipped without trying them: r - 32 = R(d_a) - R(d_b) lies
 * within 1 of (t_b - t_a) / 2^shift, so a pair with t_b - t_a > 32 << shift
 * or < -(33 << shift) rules that shift out. */

/* The smallest shift not ruled out, from the largest rise and fall (as
 * positive numbers, < 2^16) of t between neighbours: the smallest s with
 * ceil(rise / 32) <= 2^s and ceil(fall / 33) <= 2^s. At most 11. */
static inline uint32_t ceil_log2(uint32_t m)
{
    return m <= 1 ? 0 : 32 - (uint32_t)__builtin_clz(m - 1);
}

static inline uint32_t first_shift(uint32_t rise, uint32_t fall)
{
    uint32_t sr = ceil_log2((rise + 31) / 32), sf = ceil_log2((fall + 32) / 33);
    return sr > sf ? sr : sf;
}

/* Writes the block from the rounded differences d at `shift`. tmax and t0
 * are ordered values (16 bits): the largest, and the first sample's. */
static int emit_block(const uint16_t d[16], uint32_t shift, uint32_t tmax, uint32_t t0,
                      uint8_t *b, int flat_ok, int exact_max)
{
    int32_t r[15];
    r[0] = d[0] - d[4] + B44_BIAS;
    r[1] = d[4] - d[8] + B44_BIAS;
    r[2] = d[8] - d[12] + B44_BIAS;
    for (int col = 1; col < 4; col++)
        for (int row = 0; row < 4; row++)
            r[3 + 4 * (col - 1) + row] = d[4 * row + col - 1] - d[4 * row + col] + B44_BIAS;

    if (flat_ok) {
        int flat = 1;
        for (int i = 0; i < 15; i++) flat &= r[i] == B44_BIAS;
        if (flat) {
            b[0] = (uint8_t)(t0 >> 8);
            b[1] = (uint8_t)t0;
            b[2] = 0xfc;
            return 3;
        }
    }

    /* exact_max: choose t0 so that the largest value decodes exactly */
    if (exact_max) t0 = (tmax - ((uint32_t)d[0] << shift)) & 0xffffu;
    uint64_t hi = (uint64_t)shift << 42, lo = 0;
    for (int i = 0; i < 7; i++) hi |= (uint64_t)r[i] << (36 - 6 * i);
    for (int i = 7; i < 15; i++) lo |= (uint64_t)r[i] << (42 - 6 * (i - 7));
    b[0] = (uint8_t)(t0 >> 8);
    b[1] = (uint8_t)t0;
    for (int i = 0; i < 6; i++) {
        b[2 + i] = (uint8_t)(hi >> (40 - 8 * i));
        b[8 + i] = (uint8_t)(lo >> (40 - 8 * i));
    }
    return 14;
}

/* Portable path. s is row-major, already through the pLinear transfer if
 * any; returns the bytes written, 3 or 14. */
static int pack_block(const uint16_t s[16], uint8_t *b, int flat_ok, int exact_max)
{
    int32_t t[16], tmax = 0;
    for (int i = 0; i < 16; i++) {
        uint32_t v = s[i];
        if ((v & 0x7c00u) == 0x7c00u)
            t[i] = 0x8000;
        else if (v & 0x8000u)
            t[i] = (int32_t)(~v & 0xffffu);
        else
            t[i] = (int32_t)(v | 0x8000u);
        if (t[i] > tmax) tmax = t[i];
    }

    int32_t emin = 0, emax = 0;
    for (int i = 0; i < 3; i++) {
        int32_t e = t[4 * i + 4] - t[4 * i];
        emin = e < emin ? e : emin;
        emax = e > emax ? e : emax;
    }
    for (int row = 0; row < 4; row++)
        for (int col = 1; col < 4; col++) {
            int32_t e = t[4 * row + col] - t[4 * row + col - 1];
            emin = e < emin ? e : emin;
            emax = e > emax ? e : emax;
        }
    uint32_t shift = first_shift((uint32_t)emax, (uint32_t)-emin);

    uint16_t d[16];
    for (;;) {
        int32_t add = shift ? (1 << (shift - 1)) - 1 : 0, odd = shift ? 1 : 0;
        for (int i = 0; i < 16; i++) {
            int32_t x = tmax - t[i];
            d[i] = (uint16_t)((x + add + ((x >> shift) & odd)) >> shift);
        }
        uint32_t any = 0; /* a negative r sets high bits too */
        for (int i = 0; i < 3; i++) any |= (uint32_t)(d[4 * i] - d[4 * i + 4] + B44_BIAS);
        for (int row = 0; row < 4; row++)
            for (int col = 1; col < 4; col++)
                any |= (uint32_t)(d[4 * row + col - 1] - d[4 * row + col] + B44_BIAS);
        if (any <= 63) break;
        shift++;
    }
    return emit_block(d, shift, (uint32_t)tmax, (uint32_t)t[0], b, flat_ok, exact_max);
}

#if EXRQOI_B44_SSE2
/* max of unsigned 16-bit lanes (SSE2 has only the signed one) */
static inline __m128i max_u16(__m128i a, __m128i b)
{
    return _mm_add_epi16(_mm_subs_epu16(a, b), b);
}

/* SSE2 path: rows 0-1 in a, rows 2-3 in c (one row per 64-bit half, the
 * 16-bit lanes in sample order), already through the pLinear transfer. */
static int pack_block_sse2(__m128i a, __m128i c, uint8_t *b, int flat_ok, int exact_max)
{
    const __m128i k7fff = _mm_set1_epi16(0x7fff), k7c00 = _mm_set1_epi16(0x7c00);
    /* ordered form minus 0x8000, as signed lanes: v ^ 0x7fff if negative */
    __m128i infa = _mm_cmpeq_epi16(_mm_and_si128(a, k7c00), k7c00);
    __m128i infc = _mm_cmpeq_epi16(_mm_and_si128(c, k7c00), k7c00);
    a = _mm_andnot_si128(infa, _mm_xor_si128(a, _mm_and_si128(_mm_srai_epi16(a, 15), k7fff)));
    c = _mm_andnot_si128(infc, _mm_xor_si128(c, _mm_and_si128(_mm_srai_epi16(c, 15), k7fff)));
    uint32_t t0 = ((uint32_t)_mm_cvtsi128_si32(a) + 0x8000u) & 0xffffu;
    __m128i m = _mm_max_epi16(a, c);
    m = _mm_max_epi16(m, _mm_shuffle_epi32(m, _MM_SHUFFLE(1, 0, 3, 2)));
    m = _mm_max_epi16(m, _mm_shuffle_epi32(m, _MM_SHUFFLE(2, 3, 0, 1)));
    m = _mm_max_epi16(m, _mm_shufflelo_epi16(m, _MM_SHUFFLE(2, 3, 0, 1)));
    uint32_t tmax = ((uint32_t)_mm_cvtsi128_si32(m) + 0x8000u) & 0xffffu;
    m = _mm_shuffle_epi32(_mm_shufflelo_epi16(m, 0), 0);
    /* d = tmax - t, unsigned 16 bits */
    __m128i da = _mm_sub_epi16(m, a), dc = _mm_sub_epi16(m, c);

    /* neighbours: the next sample in the row (lanes 0..2 of each row) and
     * the next row (lane 0 of rows 0..2) */
    const __m128i mh = _mm_set_epi16(0, -1, -1, -1, 0, -1, -1, -1);
    const __m128i mva = _mm_set_epi16(0, 0, 0, -1, 0, 0, 0, -1), mvc = _mm_set_epi16(0, 0, 0, 0, 0, 0, 0, -1);
#define B44_NEXT(da, dc)                                                                       \
    __m128i ha = _mm_srli_epi64(da, 16), hc = _mm_srli_epi64(dc, 16);                          \
    __m128i va = _mm_or_si128(_mm_srli_si128(da, 8), _mm_slli_si128(dc, 8));                   \
    __m128i vc = _mm_srli_si128(dc, 8)
    uint32_t rise, fall;
    {
        B44_NEXT(da, dc);
        /* rise of t = fall of d: d_a - d_b saturated at 0 */
        __m128i up = max_u16(_mm_and_si128(_mm_subs_epu16(da, ha), mh),
                             _mm_and_si128(_mm_subs_epu16(dc, hc), mh));
        up = max_u16(up, max_u16(_mm_and_si128(_mm_subs_epu16(da, va), mva),
                                 _mm_and_si128(_mm_subs_epu16(dc, vc), mvc)));
        __m128i dn = max_u16(_mm_and_si128(_mm_subs_epu16(ha, da), mh),
                             _mm_and_si128(_mm_subs_epu16(hc, dc), mh));
        dn = max_u16(dn, max_u16(_mm_and_si128(_mm_subs_epu16(va, da), mva),
                                 _mm_and_si128(_mm_subs_epu16(vc, dc), mvc)));
        up = max_u16(up, _mm_srli_si128(up, 8));
        dn = max_u16(dn, _mm_srli_si128(dn, 8));
        __m128i ud = _mm_unpacklo_epi64(up, dn);
        ud = max_u16(ud, _mm_srli_epi64(ud, 32));
        ud = max_u16(ud, _mm_srli_epi64(ud, 16));
        rise = (uint32_t)_mm_cvtsi128_si32(ud) & 0xffffu;
        fall = (uint32_t)_mm_extract_epi16(ud, 4);
    }
    uint32_t shift = first_shift(rise, fall);

    /* Only shifts >= first_shift are tried, where every |r - 32| <= 34:
     * 16-bit lanes cannot wrap into a false fit. */
    const __m128i bias = _mm_set1_epi16(B44_BIAS), k63 = _mm_set1_epi16(63);
    __m128i qa, qc;
    for (;;) {
        const __m128i cnt = _mm_cvtsi32_si128((int)shift);
        const __m128i mask = _mm_set1_epi16((short)((1 << shift) - 1));
        const __m128i add = _mm_set1_epi16((short)(shift ? (1 << (shift - 1)) - 1 : 0));
        const __m128i odd = _mm_set1_epi16((short)(shift ? 1 : 0));
        /* (d >> s) + ((rem + add + ((d >> s) & odd)) >> s), never above 16 bits */
        qa = _mm_srl_epi16(da, cnt);
        qc = _mm_srl_epi16(dc, cnt);
        qa = _mm_add_epi16(qa, _mm_srl_epi16(_mm_add_epi16(_mm_add_epi16(_mm_and_si128(da, mask), add),
                                                           _mm_and_si128(qa, odd)),
                                             cnt));
        qc = _mm_add_epi16(qc, _mm_srl_epi16(_mm_add_epi16(_mm_add_epi16(_mm_and_si128(dc, mask), add),
                                                           _mm_and_si128(qc, odd)),
                                             cnt));
        B44_NEXT(qa, qc);
        /* r = d_a - d_b + 32 must be 0..63 (as unsigned 16 bits) */
        __m128i bad = _mm_or_si128(
            _mm_and_si128(_mm_subs_epu16(_mm_add_epi16(_mm_sub_epi16(qa, ha), bias), k63), mh),
            _mm_and_si128(_mm_subs_epu16(_mm_add_epi16(_mm_sub_epi16(qc, hc), bias), k63), mh));
        bad = _mm_or_si128(
            bad, _mm_and_si128(_mm_subs_epu16(_mm_add_epi16(_mm_sub_epi16(qa, va), bias), k63), mva));
        bad = _mm_or_si128(
            bad, _mm_and_si128(_mm_subs_epu16(_mm_add_epi16(_mm_sub_epi16(qc, vc), bias), k63), mvc));
        if (_mm_movemask_epi8(_mm_cmpeq_epi16(bad, _mm_setzero_si128())) == 0xffff) break;
        shift++;
    }
    /* B44A: all d equal (so all 0, tmax's d being 0) is a flat block */
    if (flat_ok && _mm_movemask_epi8(_mm_cmpeq_epi16(_mm_or_si128(qa, qc), _mm_setzero_si128())) == 0xffff) {
        b[0] = (uint8_t)(t0 >> 8);
        b[1] = (uint8_t)t0;
        b[2] = 0xfc;
        return 3;
    }
    /* exact_max: choose t0 so that the largest value decodes exactly */
    if (exact_max) t0 = (tmax - (((uint32_t)_mm_cvtsi128_si32(qa) & 0xffffu) << shift)) & 0xffffu;

    /* The fields as a 4x4 matrix, row k holding field k of groups 1, 2, 3
     * (lanes 0..2: the differences along row k) and of group 0 (lane 3:
     * the shift, then the differences down column 0). */
    B44_NEXT(qa, qc);
    __m128i rha = _mm_add_epi16(_mm_sub_epi16(qa, ha), bias);
    __m128i rhc = _mm_add_epi16(_mm_sub_epi16(qc, hc), bias);
    __m128i rva = _mm_add_epi16(_mm_sub_epi16(qa, va), bias);
    __m128i rvc = _mm_add_epi16(_mm_sub_epi16(qc, vc), bias);
#undef B44_NEXT
    const __m128i lane3 = _mm_set_epi16(0, 0, 0, 0, -1, 0, 0, 0);
    __m128i fa = _mm_or_si128(_mm_and_si128(rha, mh), _mm_slli_si128(rva, 14));
    fa = _mm_or_si128(fa, _mm_set_epi16(0, 0, 0, 0, (short)shift, 0, 0, 0));
    __m128i fc = _mm_or_si128(_mm_and_si128(rhc, mh), _mm_slli_si128(rvc, 14));
    fc = _mm_or_si128(fc, _mm_and_si128(_mm_srli_si128(rva, 2), lane3));
    /* group g = field0 << 18 | field1 << 12 | field2 << 6 | field3 */
    const __m128i zero = _mm_setzero_si128();
    __m128i g = _mm_or_si128(_mm_slli_epi32(_mm_unpacklo_epi16(fa, zero), 18),
                             _mm_slli_epi32(_mm_unpackhi_epi16(fa, zero), 12));
    g = _mm_or_si128(g, _mm_slli_epi32(_mm_unpacklo_epi16(fc, zero), 6));
    g = _mm_or_si128(g, _mm_unpackhi_epi16(fc, zero));
    uint32_t gs[4]; /* groups 1, 2, 3, 0 */
    _mm_storeu_si128((__m128i *)(void *)gs, g);
    /* big-endian: t0, then the groups 0..3 of 24 bits */
    uint64_t hi = __builtin_bswap64(((uint64_t)t0 << 48) | ((uint64_t)gs[3] << 24) | gs[0]);
    uint64_t lo = __builtin_bswap64(((uint64_t)gs[1] << 40) | ((uint64_t)gs[2] << 16));
    memcpy(b, &hi, 8);
    memcpy(b + 8, &lo, 6);
    return 14;
}
#endif

/* ---- codec entry points ------------------------------------------------- */

/* The context's kernel choice as this file's path flag (1: the vector
 * code, SSE2 on x86, NEON on AArch64 (decoding only)). */
static inline int vec_path(const exrqoi__codec_ctx *ctx)
{
    return (EXRQOI_B44_SSE2 || B44_NEON) && ctx->k.b44 != EXRQOI__PATH_C;
}


static exrqoi_result corrupt(exrqoi__codec_ctx *ctx, size_t c, const char *what)
{
    return exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT, "B44 data ends inside %s of channel %zu",
                        what, c);
}

/* Writes samples s (row-major 4x4) to the block's four rows, `cols` of
 * them per row. */
static inline void put_rows(uint8_t *const p[4], const uint16_t s[16], size_t cols)
{
    if (B44_HOST_LE && cols == 4) {
        for (int k = 0; k < 4; k++) memcpy(p[k], s + 4 * k, 8);
        return;
    }
    for (int k = 0; k < 4; k++)
        for (size_t i = 0; i < cols; i++) exrqoi__put16(p[k] + 2 * i, s[4 * k + i]);
}

/* One half channel: nx x ny samples; line j starts at dst + lines[j].
 * `junk` takes the rows of a last block strip that lie below the channel
 * (room for nx rounded up to 4 samples), so that every strip writes 4 rows. */
#if B44_NEON
/* NEON path: the SSE2 scheme, rows 0-1 and rows 2-3 in two registers. */
static inline void unpack14_neon(const uint8_t *b, uint16x8_t *r01, uint16x8_t *r23)
{
    uint64_t v0, v1;
    load14_be(b, &v0, &v1);
    uint16_t t0 = (uint16_t)(v0 >> 48);
    int16_t shift = (int16_t)((v0 >> 42) & 63u);
    const uint32_t ga[4] = {(uint32_t)(v0 >> 24) & 0xffffffu, (uint32_t)v0 & 0xffffffu,
                            (uint32_t)(v1 >> 24) & 0xffffffu, (uint32_t)v1 & 0xffffffu};
    uint32x4_t g = vld1q_u32(ga);
    const uint32x4_t m6 = vdupq_n_u32(63);
    /* lane (row, col) = field row of group col */
    uint16x8_t a = vcombine_u16(vmovn_u32(vandq_u32(vshrq_n_u32(g, 18), m6)),
                                vmovn_u32(vandq_u32(vshrq_n_u32(g, 12), m6)));
    uint16x8_t c = vcombine_u16(vmovn_u32(vandq_u32(vshrq_n_u32(g, 6), m6)), vmovn_u32(vandq_u32(g, m6)));
    const int16x8_t cnt = vdupq_n_s16(shift);
    const uint16x8_t bias = vdupq_n_u16(B44_BIAS);
    a = vshlq_u16(vsubq_u16(a, bias), cnt);
    c = vshlq_u16(vsubq_u16(c, bias), cnt);
    /* column 0 (lanes 0 and 4): t0, then running sums down the rows */
    uint16_t c1 = (uint16_t)(t0 + vgetq_lane_u16(a, 4));
    uint16_t c2 = (uint16_t)(c1 + vgetq_lane_u16(c, 0));
    uint16_t c3 = (uint16_t)(c2 + vgetq_lane_u16(c, 4));
    a = vsetq_lane_u16(c1, vsetq_lane_u16(t0, a, 0), 4);
    c = vsetq_lane_u16(c3, vsetq_lane_u16(c2, c, 0), 4);
    /* running sums along each row (one row per 64-bit half) */
    a = vaddq_u16(a, vreinterpretq_u16_u64(vshlq_n_u64(vreinterpretq_u64_u16(a), 16)));
    c = vaddq_u16(c, vreinterpretq_u16_u64(vshlq_n_u64(vreinterpretq_u64_u16(c), 16)));
    a = vaddq_u16(a, vreinterpretq_u16_u64(vshlq_n_u64(vreinterpretq_u64_u16(a), 32)));
    c = vaddq_u16(c, vreinterpretq_u16_u64(vshlq_n_u64(vreinterpretq_u64_u16(c), 32)));
    /* from_ordered: xor 0x8000 when the top bit is set, else 0xffff */
    const uint16x8_t k8000 = vdupq_n_u16(0x8000), k7fff = vdupq_n_u16(0x7fff);
    uint16x8_t sa = vreinterpretq_u16_s16(vshrq_n_s16(vreinterpretq_s16_u16(a), 15));
    uint16x8_t sc = vreinterpretq_u16_s16(vshrq_n_s16(vreinterpretq_s16_u16(c), 15));
    *r01 = veorq_u16(a, veorq_u16(k8000, vbicq_u16(k7fff, sa)));
    *r23 = veorq_u16(c, veorq_u16(k8000, vbicq_u16(k7fff, sc)));
}
#endif

static inline exrqoi_result decode_half(exrqoi__codec_ctx *ctx, size_t c, const uint8_t *src,
                                        size_t n, size_t *pos_io, uint8_t *const *rowp,
                                        size_t nx, size_t ny,
                                        const uint16_t *log_table, uint8_t *junk, const int path)
{
    size_t pos = *pos_io;
    const size_t nfull = nx & ~(size_t)3;
    for (size_t y = 0; y < ny; y += 4) {
        size_t rows = ny - y < 4 ? ny - y : 4;
        uint8_t *p[4];
        for (size_t k = 0; k < 4; k++) p[k] = k < rows ? rowp[y + k] : junk;
        for (size_t x = 0; x < nx; x += 4) {
            if (EXRQOI_UNLIKELY(n - pos < 3)) return corrupt(ctx, c, "a block");
            const uint8_t *b = src + pos;
            uint16_t s[16];
            if (b[2] >= B44_FLAT_MARK) {
                pos += 3;
                uint16_t v = flat_value(b);
                if (x < nfull) {
                    uint8_t le[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
                    uint16_t h;
                    memcpy(&h, le, 2);
                    uint64_t w = h * 0x0001000100010001ull;
                    for (int k = 0; k < 4; k++) memcpy(p[k] + 2 * x, &w, 8);
                    continue;
                }
                for (int i = 0; i < 16; i++) s[i] = v;
            } else {
                if (EXRQOI_UNLIKELY(n - pos < 14)) return corrupt(ctx, c, "a block");
                pos += 14;
#if EXRQOI_B44_SSE2
                if (path) {
                    __m128i r01, r23;
                    unpack14_sse2(b, &r01, &r23);
                    if (x < nfull) {
                        _mm_storel_epi64((__m128i *)(void *)(p[0] + 2 * x), r01);
                        _mm_storel_epi64((__m128i *)(void *)(p[1] + 2 * x),
                                         _mm_unpackhi_epi64(r01, r01));
                        _mm_storel_epi64((__m128i *)(void *)(p[2] + 2 * x), r23);
                        _mm_storel_epi64((__m128i *)(void *)(p[3] + 2 * x),
                                         _mm_unpackhi_epi64(r23, r23));
                        continue;
                    }
                    _mm_storeu_si128((__m128i *)(void *)s, r01);
                    _mm_storeu_si128((__m128i *)(void *)(s + 8), r23);
                } else
#endif
#if B44_NEON
                if (path) {
                    uint16x8_t r01, r23;
                    unpack14_neon(b, &r01, &r23);
                    if (x < nfull) {
                        vst1_u16((uint16_t *)(void *)(p[0] + 2 * x), vget_low_u16(r01));
                        vst1_u16((uint16_t *)(void *)(p[1] + 2 * x), vget_high_u16(r01));
                        vst1_u16((uint16_t *)(void *)(p[2] + 2 * x), vget_low_u16(r23));
                        vst1_u16((uint16_t *)(void *)(p[3] + 2 * x), vget_high_u16(r23));
                        continue;
                    }
                    vst1q_u16(s, r01);
                    vst1q_u16(s + 8, r23);
                } else
#endif
                {
                    (void)path;
                    unpack14(b, s);
                }
            }
            uint8_t *q[4] = {p[0] + 2 * x, p[1] + 2 * x, p[2] + 2 * x, p[3] + 2 * x};
            put_rows(q, s, nx - x < 4 ? nx - x : 4);
        }
        /* the pLinear transfer, on the strip while it is in cache */
        if (log_table)
            for (size_t k = 0; k < rows; k++)
                for (size_t i = 0; i < nx; i++)
                    exrqoi__put16(p[k] + 2 * i, log_table[exrqoi__le16(p[k] + 2 * i)]);
    }
    *pos_io = pos;
    return EXRQOI_OK;
}

static exrqoi_result decode_half_c(exrqoi__codec_ctx *ctx, size_t c, const uint8_t *src, size_t n,
                                   size_t *pos, uint8_t *const *rowp, size_t nx,
                                   size_t ny, const uint16_t *log_table, uint8_t *junk)
{
    return decode_half(ctx, c, src, n, pos, rowp, nx, ny, log_table, junk, 0);
}

#if EXRQOI_B44_SSE2
static exrqoi_result decode_half_sse2(exrqoi__codec_ctx *ctx, size_t c, const uint8_t *src,
                                      size_t n, size_t *pos, uint8_t *const *rowp,
                                      size_t nx, size_t ny, const uint16_t *log_table,
                                      uint8_t *junk)
{
    return decode_half(ctx, c, src, n, pos, rowp, nx, ny, log_table, junk, 1);
}
#endif

/* Room for the junk rows: the widest line, plus the 4-sample padding of a
 * half channel's last block column. */
static size_t junk_bytes(const exrqoi__block_layout *b)
{
    size_t junk_size = 8;
    for (size_t c = 0; c < (size_t)b->nchan; c++) {
        size_t row = (size_t)b->chans[c].width * b->chans[c].size + 8;
        if (junk_size < row) junk_size = row;
    }
    return junk_size;
}

/* Decodes every channel; line j of channel c goes to rowp[first[c] + j]. */
static exrqoi_result decode_rows(int path, exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                 const uint8_t *src, size_t n, uint8_t *const *rowp,
                                 const size_t *first, uint8_t *junk)
{
    size_t pos = 0;
    for (size_t c = 0; c < (size_t)b->nchan; c++) {
        const exrqoi__chan_layout *ch = &b->chans[c];
        uint8_t *const *rows = rowp + first[c];
        size_t nx = (size_t)ch->width, ny = (size_t)ch->height;
        if (nx == 0 || ny == 0) continue;
        if (ch->type != EXRQOI_PIXEL_HALF) {
            size_t row = nx * ch->size;
            for (size_t j = 0; j < ny; j++) {
                if (n - pos < row) return corrupt(ctx, c, "the raw samples");
                memcpy(rows[j], src + pos, row);
                pos += row;
            }
            continue;
        }
        const uint16_t *log_table = ch->p_linear ? exrqoi__b44_log_table() : NULL;
#if EXRQOI_B44_SSE2
        if (path >= 1) {
            EXRQOI_TRY(decode_half_sse2(ctx, c, src, n, &pos, rows, nx, ny, log_table, junk));
            continue;
        }
#endif
        (void)path;
        EXRQOI_TRY(decode_half_c(ctx, c, src, n, &pos, rows, nx, ny, log_table, junk));
    }
    /* bytes after the last block are ignored, as OpenEXR does */
    return EXRQOI_OK;
}

/* The line pointer table and the junk row. */
static exrqoi_result row_tables(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                const b44_lines *L, uint8_t ***rowp, uint8_t **junk)
{
    size_t total = L->first[b->nchan], bytes;
    if (exrqoi__mul_size(total ? total : 1, sizeof(uint8_t *), &bytes))
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_OUT_OF_MEMORY, "B44 layout too large");
    void *mem, *j;
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_B44_ROWS, bytes, &mem));
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_B44_JUNK, junk_bytes(b), &j));
    *rowp = (uint8_t **)mem;
    *junk = (uint8_t *)j;
    return EXRQOI_OK;
}

exrqoi_result exrqoi__b44_decompress_path(int path, exrqoi__codec_ctx *ctx,
                                          const exrqoi__block_layout *b, const uint8_t *src,
                                          size_t n, uint8_t *dst)
{
    b44_lines L;
    EXRQOI_TRY(map_lines(ctx, b, &L));
    uint8_t **rowp, *junk;
    EXRQOI_TRY(row_tables(ctx, b, &L, &rowp, &junk));
    for (size_t i = 0; i < L.first[b->nchan]; i++) rowp[i] = dst + L.lines[i];
    return decode_rows(path, ctx, b, src, n, rowp, L.first, junk);
}

exrqoi_result exrqoi__b44_decompress_segments(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                              const uint8_t *src, size_t n,
                                              const exrqoi__segment *seg, size_t nseg)
{
    b44_lines L;
    EXRQOI_TRY(map_lines(ctx, b, &L));
    uint8_t **rowp, *junk;
    EXRQOI_TRY(row_tables(ctx, b, &L, &rowp, &junk));
    /* each line goes where its segment puts it, or to the junk row when
     * unwanted; the lines in unpacked order are the offsets in increasing
     * order, so one pass over the segments places them all */
    size_t s = 0, start = 0; /* segment s covers [start, start + seg[s].len) */
    /* pLinear reads its rows back: two lines aliasing one destination
     * would be converted twice, so those take the buffer */
    bool split = false; /* some line is cut between segments */
    size_t nch = (size_t)b->nchan;
    for (size_t c = 0; c < nch; c++)
        if (b->chans[c].type == EXRQOI_PIXEL_HALF && b->chans[c].p_linear) split = true;
    size_t idx_local[16];
    size_t *idx = idx_local;
    if (nch > 16) {
        void *im;
        EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_B44_INDEX, nch * sizeof(size_t), &im));
        idx = (size_t *)im;
    }
    for (size_t c = 0; c < nch; c++) idx[c] = 0;
    for (int32_t yy = 0; yy < b->height && !split; yy++) {
        int32_t y = b->y + yy;
        for (size_t c = 0; c < nch; c++) {
            const exrqoi__chan_layout *ch = &b->chans[c];
            if (exrqoi__mod(y, ch->y_sampling) != 0) continue;
            size_t li = L.first[c] + idx[c]++;
            size_t off = L.lines[li], row = (size_t)ch->width * ch->size;
            if (row == 0) {
                rowp[li] = junk;
                continue;
            }
            while (s < nseg && start + seg[s].len <= off) {
                start += seg[s].len;
                s++;
            }
            if (s == nseg || off + row > start + seg[s].len) {
                split = true;
                break;
            }
            rowp[li] = seg[s].dst ? seg[s].dst + (off - start) : junk;
        }
    }
    if (!split) return decode_rows(vec_path(ctx), ctx, b, src, n, rowp, L.first, junk);
    /* a line shared by several destinations: decode to a buffer, scatter it */
    void *buf;
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_B44_UNPACKED, b->unpacked_size ? b->unpacked_size : 1, &buf));
    for (size_t i = 0; i < L.first[b->nchan]; i++) rowp[i] = (uint8_t *)buf + L.lines[i];
    EXRQOI_TRY(decode_rows(vec_path(ctx), ctx, b, src, n, rowp, L.first, junk));
    seg_cursor sc = {seg, nseg, 0, 0}; /* coverage checked before exrqoi__decompress_block_covered */
    seg_scatter(&sc, (const uint8_t *)buf, b->unpacked_size);
    return EXRQOI_OK;
}

static exrqoi_result b44_decompress(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                    const uint8_t *src, size_t n, uint8_t *dst)
{
    return exrqoi__b44_decompress_path(vec_path(ctx), ctx, b, src, n, dst);
}

static size_t b44_bound(const exrqoi__block_layout *b)
{
    size_t total = 64;
    for (int c = 0; c < b->nchan; c++) {
        const exrqoi__chan_layout *ch = &b->chans[c];
        if (ch->width <= 0 || ch->height <= 0) continue;
        size_t nx = (size_t)ch->width, ny = (size_t)ch->height, part;
        if (ch->type == EXRQOI_PIXEL_HALF)
            part = 14 * ((nx + 3) / 4) * ((ny + 3) / 4);
        else
            part = nx * ny * 4;
        if (exrqoi__add_size(total, part, &total)) return SIZE_MAX;
    }
    return total;
}

/* One half channel: nx x ny samples, line j at src + lines[j]; returns the
 * bytes written to dst. */
static inline size_t encode_half(const uint8_t *src, const size_t *lines, size_t nx, size_t ny,
                                 const uint16_t *exp_table, uint8_t *dst, int flat_ok,
                                 int exact_max, const int path)
{
    size_t pos = 0;
    for (size_t y = 0; y < ny; y += 4) {
        /* pad below by repeating the last line */
        const uint8_t *row_ptr[4];
        for (size_t k = 0; k < 4; k++) row_ptr[k] = src + lines[y + k < ny ? y + k : ny - 1];
        for (size_t x = 0; x < nx; x += 4) {
#if EXRQOI_B44_SSE2
            if (path && !exp_table && nx - x >= 4) {
                __m128i a = _mm_unpacklo_epi64(
                    _mm_loadl_epi64((const __m128i *)(const void *)(row_ptr[0] + 2 * x)),
                    _mm_loadl_epi64((const __m128i *)(const void *)(row_ptr[1] + 2 * x)));
                __m128i c = _mm_unpacklo_epi64(
                    _mm_loadl_epi64((const __m128i *)(const void *)(row_ptr[2] + 2 * x)),
                    _mm_loadl_epi64((const __m128i *)(const void *)(row_ptr[3] + 2 * x)));
                pos += (size_t)pack_block_sse2(a, c, dst + pos, flat_ok, exact_max);
                continue;
            }
#endif
            uint16_t s[16];
            if (nx - x >= 4) {
                for (int k = 0; k < 4; k++)
                    for (int i = 0; i < 4; i++)
                        s[4 * k + i] = exrqoi__le16(row_ptr[k] + 2 * (x + (size_t)i));
            } else {
                /* pad right by repeating the last column */
                for (int k = 0; k < 4; k++)
                    for (size_t i = 0; i < 4; i++) {
                        size_t xi = x + i < nx ? x + i : nx - 1;
                        s[4 * k + i] = exrqoi__le16(row_ptr[k] + 2 * xi);
                    }
            }
            if (exp_table)
                for (int i = 0; i < 16; i++) s[i] = exp_table[s[i]];
#if EXRQOI_B44_SSE2
            if (path) {
                __m128i a = _mm_loadu_si128((const __m128i *)(const void *)s);
                __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(s + 8));
                pos += (size_t)pack_block_sse2(a, c, dst + pos, flat_ok, exact_max);
                continue;
            }
#endif
            (void)path;
            pos += (size_t)pack_block(s, dst + pos, flat_ok, exact_max);
        }
    }
    return pos;
}

static size_t encode_half_c(const uint8_t *src, const size_t *lines, size_t nx, size_t ny,
                            const uint16_t *exp_table, uint8_t *dst, int flat_ok, int exact_max)
{
    return encode_half(src, lines, nx, ny, exp_table, dst, flat_ok, exact_max, 0);
}

#if EXRQOI_B44_SSE2
static size_t encode_half_sse2(const uint8_t *src, const size_t *lines, size_t nx, size_t ny,
                               const uint16_t *exp_table, uint8_t *dst, int flat_ok,
                               int exact_max)
{
    return encode_half(src, lines, nx, ny, exp_table, dst, flat_ok, exact_max, 1);
}
#endif

static exrqoi_result compress_impl(int path, exrqoi__codec_ctx *ctx,
                                   const exrqoi__block_layout *b, const uint8_t *src, uint8_t *dst,
                                   size_t cap, size_t *out_size, int flat_ok)
{
    if (cap < b44_bound(b))
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_BUFFER_TOO_SMALL,
                            "B44 output buffer of %zu bytes is too small", cap);
    b44_lines L;
    EXRQOI_TRY(map_lines(ctx, b, &L));
    size_t pos = 0;
    for (size_t c = 0; c < (size_t)b->nchan; c++) {
        const exrqoi__chan_layout *ch = &b->chans[c];
        const size_t *lines = L.lines + L.first[c];
        size_t nx = (size_t)ch->width, ny = (size_t)ch->height;
        if (nx == 0 || ny == 0) continue;
        if (ch->type != EXRQOI_PIXEL_HALF) {
            size_t row = nx * ch->size;
            for (size_t j = 0; j < ny; j++) {
                memcpy(dst + pos, src + lines[j], row);
                pos += row;
            }
            continue;
        }
        const uint16_t *exp_table = ch->p_linear ? exrqoi__b44_exp_table() : NULL;
#if EXRQOI_B44_SSE2
        if (path >= 1) {
            pos += encode_half_sse2(src, lines, nx, ny, exp_table, dst + pos, flat_ok,
                                    !ch->p_linear);
            continue;
        }
#endif
        (void)path;
        pos += encode_half_c(src, lines, nx, ny, exp_table, dst + pos, flat_ok, !ch->p_linear);
    }
    *out_size = pos;
    return EXRQOI_OK;
}

exrqoi_result exrqoi__b44_compress_path(int path, exrqoi__codec_ctx *ctx,
                                        const exrqoi__block_layout *b, const uint8_t *src,
                                        uint8_t *dst, size_t cap, size_t *out_size)
{
    return compress_impl(path, ctx, b, src, dst, cap, out_size,
                         b->compression == EXRQOI_COMPRESSION_B44A);
}

static exrqoi_result b44_compress(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                  const uint8_t *src, uint8_t *dst, size_t cap, size_t *out)
{
    return compress_impl(vec_path(ctx), ctx, b, src, dst, cap, out, 0);
}

static exrqoi_result b44a_compress(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                   const uint8_t *src, uint8_t *dst, size_t cap, size_t *out)
{
    return compress_impl(vec_path(ctx), ctx, b, src, dst, cap, out, 1);
}

/* Output can exceed the unpacked size (a 14-byte block may stand for a
 * single 2-byte sample); the dispatcher then stores the chunk raw, which is
 * also what OpenEXR's writers do. */
/* A 4x4 block of HALF samples (32 bytes) is 14 bytes, or 3 when flat;
 * the decoder takes flat blocks in B44 chunks too. Other channels are
 * stored as they are. */
static uint64_t b44_max_unpacked(const exrqoi__block_layout *b, uint64_t n)
{
    bool has_half = !b;
    for (int c = 0; b && c < b->nchan; c++) has_half |= b->chans[c].type == EXRQOI_PIXEL_HALF;
    return has_half ? exrqoi__sat_add(exrqoi__sat_mul(n / 3, 32), n % 3) : n;
}

const exrqoi__codec exrqoi__codec_b44 = {
    .id = EXRQOI_COMPRESSION_B44, .name = "b44", .lines_per_chunk = 32, .flags = EXRQOI__CODEC_LOSSY, .speed = 3000,
    .decompress = b44_decompress, .bound = b44_bound, .compress = b44_compress, .max_unpacked = b44_max_unpacked,
    .decompress_segments = exrqoi__b44_decompress_segments};
const exrqoi__codec exrqoi__codec_b44a = {
    .id = EXRQOI_COMPRESSION_B44A, .name = "b44a", .lines_per_chunk = 32, .flags = EXRQOI__CODEC_LOSSY, .speed = 3000,
    .decompress = b44_decompress, .bound = b44_bound, .compress = b44a_compress, .max_unpacked = b44_max_unpacked,
    .decompress_segments = exrqoi__b44_decompress_segments};
