/*
 * PIZ (32 lines per chunk), as OpenEXR defines it. The block's samples
 * are taken as 16-bit words, channel by channel (all lines of a channel
 * together; 32-bit samples are two words whose halves are transformed
 * separately). Packed layout:
 *   u16 minNonZero, u16 maxNonZero, bitmap bytes [min..max] (if min<=max)
 *       one bit per 16-bit value present (value 0 is implicit),
 *   u32 Huffman byte count, Huffman stream (huf.c)
 * The Huffman stream holds the wavelet transform (wavelet.c) of the words
 * after mapping each value to its rank among the values present.
 *
 * Scratch: EXRQOI__SCRATCH_PIZ_WORDS and EXRQOI__SCRATCH_PIZ_TABLES; huf.c
 * uses EXRQOI__SCRATCH_HUF.
 */
#include "codec/huf.h"
#include "codec/wavelet.h"

#include <limits.h>

#if (defined(__x86_64__) || defined(__i386__)) && defined(__SSE2__)
#include <emmintrin.h>
#define PIZ_SSE2 1
#else
#define PIZ_SSE2 0
#endif
#if defined(__aarch64__) && defined(__ARM_NEON)
#include <arm_neon.h>
#define PIZ_NEON 1
#else
#define PIZ_NEON 0
#endif

#define BITMAP_SIZE 8192 /* 65536 values / 8 */
#define LUT_BYTES (65536 * sizeof(uint16_t))

static exrqoi_result corrupt(exrqoi__codec_ctx *ctx, const char *what)
{
    return exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT, "PIZ data: %s", what);
}

/* The block layout must describe exactly unpacked_size bytes in lines
 * whose sampling matches the channel heights; the rearrangement below
 * relies on it. */
static exrqoi_result check_layout(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b)
{
    size_t total = 0;
    if (b->nchan < 0 || (b->nchan > 0 && !b->chans) || b->height < 0) goto bad;
    for (int c = 0; c < b->nchan; c++) {
        const exrqoi__chan_layout *ch = &b->chans[c];
        size_t bytes;
        if ((ch->size != 2 && ch->size != 4) || ch->width < 0 || ch->height < 0 ||
            ch->y_sampling < 1 || ch->width > INT_MAX / 2)
            goto bad;
        if (b->height > 0 && exrqoi__count_sampled(b->y, b->y + b->height - 1, ch->y_sampling) !=
                                 ch->height)
            goto bad;
        if (b->height == 0 && ch->height != 0) goto bad;
        if (exrqoi__mul_size((size_t)ch->width * ch->size, (size_t)ch->height, &bytes) ||
            exrqoi__add_size(total, bytes, &total))
            goto bad;
    }
    if (total != b->unpacked_size) goto bad;
    return EXRQOI_OK;
bad:
    return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                        "PIZ: block layout does not match its %zu unpacked bytes",
                        b->unpacked_size);
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_LE 1
#else
#define HOST_LE 0
#endif

static inline void words_from_le(uint16_t *dst, const uint8_t *src, size_t n)
{
    if (HOST_LE) {
        memcpy(dst, src, n * 2);
    } else {
        for (size_t i = 0; i < n; i++) dst[i] = exrqoi__le16(src + 2 * i);
    }
}

/* Where line yy of channel ch starts in its plane (rows are sampled
 * lines only). */
static inline size_t plane_row(const exrqoi__block_layout *b, const exrqoi__chan_layout *ch,
                               int32_t yy)
{
    if (ch->y_sampling == 1) return (size_t)yy;
    return (size_t)exrqoi__count_sampled(b->y, b->y + yy - 1, ch->y_sampling);
}

/* Line-interleaved unpacked bytes -> channel planes. */
/* Words channel c has on line yy (0 if none); *at gets where they sit
 * in the planes, and *plane moves past the channel's plane. */
static inline size_t line_words(const exrqoi__block_layout *b, int c, int32_t yy, size_t *plane, size_t *at)
{
    const exrqoi__chan_layout *ch = &b->chans[c];
    size_t row = (size_t)ch->width * (ch->size / 2), base = *plane;
    *plane += row * (size_t)ch->height;
    if (!row || exrqoi__mod(b->y + yy, ch->y_sampling) != 0) return 0;
    *at = base + plane_row(b, ch, yy) * row;
    return row;
}

static void lines_to_planes(const exrqoi__block_layout *b, const uint8_t *lines, uint16_t *planes)
{
    for (int32_t yy = 0; yy < b->height; yy++) {
        size_t plane = 0, at = 0;
        for (int c = 0; c < b->nchan; c++) {
            size_t row = line_words(b, c, yy, &plane, &at);
            words_from_le(planes + at, lines, row);
            lines += row * 2;
        }
    }
}

static void wavelet_all(int path, const exrqoi__block_layout *b, uint16_t *planes, uint16_t max_value,
                        bool encode)
{
    for (int c = 0; c < b->nchan; c++) {
        const exrqoi__chan_layout *ch = &b->chans[c];
        int wc = ch->size / 2;
        int nx = ch->width, ny = ch->height;
        for (int j = 0; j < wc; j++) {
            if (encode)
                exrqoi__wav_encode_path(path, planes + j, nx, wc, ny, wc * nx, max_value);
            else
                exrqoi__wav_decode_path(path, planes + j, nx, wc, ny, wc * nx, max_value);
        }
        planes += (size_t)nx * (size_t)ny * (size_t)wc;
    }
}

/* Channel planes -> line-interleaved unpacked bytes, each word mapped
 * through the rank -> value table. */
static void planes_to_lines_lut(const exrqoi__block_layout *b, const uint16_t *planes,
                                const uint16_t *lut, uint8_t *lines)
{
    for (int32_t yy = 0; yy < b->height; yy++) {
        size_t plane = 0, at = 0;
        for (int c = 0; c < b->nchan; c++) {
            size_t row = line_words(b, c, yy, &plane, &at);
            if (row) {
                const uint16_t *s = planes + at;
                if (HOST_LE) {
                    uint16_t *d = (uint16_t *)(void *)lines;
                    /* lines is only byte-aligned: store through memcpy */
                    for (size_t i = 0; i < row; i++) {
                        uint16_t v = lut[s[i]];
                        memcpy(d + i, &v, 2);
                    }
                } else {
                    for (size_t i = 0; i < row; i++) exrqoi__put16(lines + 2 * i, lut[s[i]]);
                }
                lines += row * 2;
            }
        }
    }
}

/* True if some word exceeds max_value (only corrupt data does that). */
static bool any_above(int path, const uint16_t *w, size_t n, uint16_t max_value)
{
    size_t i = 0;
    unsigned acc = 0;
#if PIZ_SSE2
    if (path == EXRQOI__PATH_SSE2) {
        const __m128i mv = _mm_set1_epi16((short)max_value);
        __m128i vacc = _mm_setzero_si128();
        for (; i + 8 <= n; i += 8)
            vacc = _mm_or_si128(
                vacc, _mm_subs_epu16(_mm_loadu_si128((const __m128i *)(const void *)(w + i)), mv));
        acc = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi16(vacc, _mm_setzero_si128())) ^ 0xffffu;
    }
#endif
#if PIZ_NEON
    if (path == EXRQOI__PATH_NEON) {
        uint16x8_t vmax = vdupq_n_u16(0);
        for (; i + 8 <= n; i += 8) vmax = vmaxq_u16(vmax, vld1q_u16(w + i));
        acc = vmaxvq_u16(vmax) > max_value;
    }
#endif
    (void)path;
    for (; i < n; i++) acc |= w[i] > max_value;
    return acc != 0;
}

static exrqoi_result piz_decompress(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                    const uint8_t *src, size_t n, uint8_t *dst)
{
    EXRQOI_TRY(check_layout(ctx, b));
    size_t nwords = b->unpacked_size / 2;
    void *wmem, *tmem;
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_PIZ_WORDS, nwords * 2 + 16, &wmem));
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_PIZ_TABLES, LUT_BYTES, &tmem));
    uint16_t *words = (uint16_t *)wmem;
    uint16_t *lut = (uint16_t *)tmem;

    if (n < 4) return corrupt(ctx, "chunk shorter than the bitmap range");
    uint16_t lo = exrqoi__le16(src), hi = exrqoi__le16(src + 2);
    size_t at = 4;
    /* rank -> value, straight from the bitmap bytes (value 0 is implicit;
     * lo > hi is an empty bitmap: the encoder writes 8191, 0 then) */
    uint32_t k = 0;
    lut[k++] = 0;
    if (lo <= hi) {
        if (hi >= BITMAP_SIZE) return corrupt(ctx, "bitmap range beyond 65536 values");
        size_t len = (size_t)(hi - lo) + 1;
        if (len > n - at) return corrupt(ctx, "bitmap extends past the chunk");
        const uint8_t *bm = src + at - lo;
        for (uint32_t byte = lo; byte <= hi; byte++) {
            unsigned bits = bm[byte];
            if (byte == 0) bits &= ~1u;
            while (bits) {
                unsigned bit = (unsigned)__builtin_ctz(bits);
                lut[k++] = (uint16_t)(byte * 8 + bit);
                bits &= bits - 1;
            }
        }
        at += len;
    }
    uint16_t max_value = (uint16_t)(k - 1);

    if (n - at < 4) return corrupt(ctx, "chunk ends before the Huffman length");
    uint32_t hlen = exrqoi__le32(src + at);
    at += 4;
    if (hlen > n - at) return corrupt(ctx, "Huffman length exceeds the chunk");
    EXRQOI_TRY(exrqoi__huf_decompress(ctx, src + at, hlen, words, nwords));

    wavelet_all(ctx->k.piz, b, words, max_value, false);
    /* Ranks past the last value decode to 0, as in OpenEXR; only the
     * ranks in use have table entries, so clamp strays onto a zero one
     * (k < 65536 whenever a word can exceed k - 1). */
    if (EXRQOI_UNLIKELY(any_above(ctx->k.piz, words, nwords, max_value))) {
        lut[k] = 0;
        for (size_t i = 0; i < nwords; i++)
            if (words[i] > max_value) words[i] = (uint16_t)k;
    }
    planes_to_lines_lut(b, words, lut, dst);
    return EXRQOI_OK;
}

/* Anything not smaller than the raw block is stored raw, so the buffer
 * only needs room for outputs below that size. */
static size_t piz_bound(const exrqoi__block_layout *b)
{
    return b->unpacked_size + BITMAP_SIZE + 64;
}

/* bitmap[v / 8] bit v % 8 <- present[v] != 0 (LSB first, as the format). */
static void bitmap_from_bytes(int path, const uint8_t *present, uint8_t *bitmap)
{
    size_t i = 0;
#if PIZ_SSE2
    if (path == EXRQOI__PATH_SSE2) {
        const __m128i zero = _mm_setzero_si128();
        for (; i < 65536; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(present + i));
            unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero)) ^ 0xffffu;
            bitmap[i / 8] = (uint8_t)m;
            bitmap[i / 8 + 1] = (uint8_t)(m >> 8);
        }
    }
#endif
    (void)path;
    for (; i < 65536; i += 8) {
        unsigned m = 0;
        for (unsigned j = 0; j < 8; j++) m |= (present[i + j] != 0) << j;
        bitmap[i / 8] = (uint8_t)m;
    }
}

static exrqoi_result piz_compress(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                  const uint8_t *src, uint8_t *dst, size_t cap, size_t *out_size)
{
    EXRQOI_TRY(check_layout(ctx, b));
    if (cap < BITMAP_SIZE + 8) return EXRQOI_ERR_BUFFER_TOO_SMALL;
    size_t nwords = b->unpacked_size / 2;
    void *wmem, *tmem;
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_PIZ_WORDS, nwords * 2 + 16, &wmem));
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_PIZ_TABLES, LUT_BYTES + 65536 + BITMAP_SIZE, &tmem));
    uint16_t *words = (uint16_t *)wmem;
    uint16_t *lut = (uint16_t *)tmem;
    uint8_t *present = (uint8_t *)tmem + LUT_BYTES;
    uint8_t *bitmap = present + 65536;

    lines_to_planes(b, src, words);

    /* one plain byte store per word (a bit set would be a dependent
     * read-modify-write on the same byte for close values) */
    memset(present, 0, 65536);
    for (size_t i = 0; i < nwords; i++) present[words[i]] = 1;
    present[0] = 0; /* zero is always assumed present */
    bitmap_from_bytes(ctx->k.piz, present, bitmap);
    uint16_t lo = BITMAP_SIZE - 1, hi = 0;
    for (uint32_t i = 0; i < BITMAP_SIZE; i++) {
        if (bitmap[i]) {
            if (lo > i) lo = (uint16_t)i;
            hi = (uint16_t)i;
        }
    }
    /* value -> rank, for the values present only (no other is looked up) */
    uint32_t k = 0;
    lut[0] = (uint16_t)k++;
    for (uint32_t byte = lo; byte <= hi && lo <= hi; byte++) {
        unsigned bits = bitmap[byte];
        while (bits) {
            unsigned bit = (unsigned)__builtin_ctz(bits);
            lut[byte * 8 + bit] = (uint16_t)k++;
            bits &= bits - 1;
        }
    }
    uint16_t max_value = (uint16_t)(k - 1);
    for (size_t i = 0; i < nwords; i++) words[i] = lut[words[i]];
    wavelet_all(ctx->k.piz, b, words, max_value, true);

    exrqoi__put16(dst, lo);
    exrqoi__put16(dst + 2, hi);
    size_t at = 4;
    if (lo <= hi) {
        memcpy(dst + at, bitmap + lo, (size_t)(hi - lo) + 1);
        at += (size_t)(hi - lo) + 1;
    }
    size_t hlen = 0;
    exrqoi_result r = exrqoi__huf_compress(ctx, words, nwords, dst + at + 4, cap - at - 4, &hlen);
    if (r == EXRQOI_ERR_BUFFER_TOO_SMALL) {
        /* larger than the raw block: tell the dispatcher to store it raw */
        *out_size = b->unpacked_size;
        return EXRQOI_OK;
    }
    if (r != EXRQOI_OK) return r;
    if (hlen > UINT32_MAX) return exrqoi__fail(&ctx->err, EXRQOI_ERR_LIMIT, "PIZ chunk too large");
    exrqoi__put32(dst + at, (uint32_t)hlen);
    *out_size = at + 4 + hlen;
    return EXRQOI_OK;
}

/* Before the Huffman bits: minNonZero, maxNonZero, the Huffman length
 * and the 20-byte Huffman header (the bitmap and code table only add).
 * Every code is at least 1 bit and gives one 16-bit value, except the
 * run code (at least 1 bit) with its 8-bit count: up to 255 more values
 * per 9 bits, the most output per bit there is. */
#define PIZ_MIN_OVERHEAD 28u

static uint64_t piz_max_unpacked(const exrqoi__block_layout *b, uint64_t n)
{
    (void)b;
    if (n <= PIZ_MIN_OVERHEAD) return 0;
    uint64_t bits = exrqoi__sat_mul(n - PIZ_MIN_OVERHEAD, 8);
    return exrqoi__sat_add(exrqoi__sat_mul(bits / 9, 255 * 2), (bits % 9) * 2); /* runs, then 1 value a bit */
}

const exrqoi__codec exrqoi__codec_piz = {
    .id = EXRQOI_COMPRESSION_PIZ, .name = "piz", .lines_per_chunk = 32, .speed = 700, .decompress = piz_decompress,
    .bound = piz_bound, .compress = piz_compress, .max_unpacked = piz_max_unpacked};
