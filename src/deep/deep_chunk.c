/* One deep chunk: count table and sample data, both directions. */
#include "deep/deep_chunk.h"
#include "codec/predict.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define DEEP_SSE2 1
#include <emmintrin.h>
#else
#define DEEP_SSE2 0
#endif

void exrqoi__deep_sizes_read(const uint8_t *p, exrqoi__deep_chunk_sizes *s)
{
    s->packed_table = exrqoi__le64(p);
    s->packed_data = exrqoi__le64(p + 8);
    s->unpacked_data = exrqoi__le64(p + 16);
}

void exrqoi__deep_sizes_write(uint8_t *p, const exrqoi__deep_chunk_sizes *s)
{
    exrqoi__put64(p, s->packed_table);
    exrqoi__put64(p + 8, s->packed_data);
    exrqoi__put64(p + 16, s->unpacked_data);
}

static size_t type_size(exrqoi_pixel_type t)
{
    switch (t) {
    case EXRQOI_PIXEL_HALF: return 2;
    case EXRQOI_PIXEL_UINT:
    case EXRQOI_PIXEL_FLOAT: return 4;
    default: return 0;
    }
}

size_t exrqoi__deep_bytes_per_sample(int nchan, const exrqoi_pixel_type *types)
{
    if (nchan < 0 || (nchan > 0 && !types)) return 0;
    size_t sum = 0;
    for (int c = 0; c < nchan; c++) {
        size_t s = type_size(types[c]);
        if (!s) return 0;
        sum += s;
    }
    return sum;
}

/* File order is little-endian; the in-memory arrays are native. The swap
 * is its own inverse, so one helper serves both directions. */
static void copy_le(uint8_t *dst, const uint8_t *src, size_t n, size_t size)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    if (size == 2) {
        for (size_t i = 0; i < n; i++) {
            dst[2 * i] = src[2 * i + 1];
            dst[2 * i + 1] = src[2 * i];
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            dst[4 * i] = src[4 * i + 3];
            dst[4 * i + 1] = src[4 * i + 2];
            dst[4 * i + 2] = src[4 * i + 1];
            dst[4 * i + 3] = src[4 * i];
        }
    }
#else
    memcpy(dst, src, n * size);
#endif
}

static exrqoi_result check_layout(exrqoi__codec_ctx *ctx, const exrqoi__deep_chunk_layout *L,
                                  size_t stride_a, size_t stride_b, size_t *bps, size_t *npix)
{
    if (L->width < 0 || L->height < 0 || L->nchan < 0 || stride_a < (size_t)L->width ||
        stride_b < (size_t)L->width)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                            "deep chunk: bad geometry %dx%d, %d channels", (int)L->width,
                            (int)L->height, L->nchan);
    *bps = exrqoi__deep_bytes_per_sample(L->nchan, L->types);
    if (*bps == 0 && L->nchan > 0)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                            "deep chunk: invalid channel type");
    if (exrqoi__mul_size((size_t)L->width, (size_t)L->height, npix))
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_LIMIT, "deep chunk: too many pixels");
    return EXRQOI_OK;
}

static exrqoi_result bad_compression(exrqoi__codec_ctx *ctx, exrqoi_compression c)
{
    const char *name = exrqoi_compression_name(c);
    return exrqoi__fail(&ctx->err, EXRQOI_ERR_UNSUPPORTED_COMPRESSION,
                        "%s compression is not valid for deep data", name ? name : "unknown");
}

/* The samples' bytes (*bytes) must be the leader's unpacked size. */
static exrqoi_result sample_bytes_match(exrqoi__codec_ctx *ctx, const exrqoi__deep_chunk_sizes *S, uint64_t total,
                                        size_t bps, uint64_t *bytes)
{
    if (exrqoi__mul_u64(total, (uint64_t)bps, bytes) || *bytes != S->unpacked_data)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_BAD_SAMPLES,
                            "deep chunk: %llu samples of %zu bytes do not match the unpacked "
                            "size %llu",
                            (unsigned long long)total, bps, (unsigned long long)S->unpacked_data);
    return EXRQOI_OK;
}

/* Turns an unpacked table (width*height int32, cumulative per line) into
 * per-pixel counts, validating as it goes. */
#if DEEP_SSE2
/* The valid start of one line of the count table, 4 pixels per step:
 * returns how many pixels it turned into counts (a multiple of 4); the
 * block with a decreasing or negative entry or a count over max_pp is
 * left to the scalar loop, which reports it. Baseline SSE2, so no CPU
 * check: the table pass is a fifth of a deep read. */
static size_t counts_line_sse2(const uint8_t *in, uint32_t *out, size_t w, uint32_t max_pp)
{
    const __m128i flip = _mm_set1_epi32((int)0x80000000u);
    const __m128i lim = _mm_xor_si128(_mm_set1_epi32((int)max_pp), flip);
    __m128i prev = _mm_setzero_si128(); /* lane 3: the entry before the block */
    size_t x = 0;
    for (; x + 4 <= w; x += 4) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(in + 4 * x)); /* little-endian */
        __m128i before = _mm_or_si128(_mm_slli_si128(v, 4), _mm_srli_si128(prev, 12));
        __m128i n = _mm_sub_epi32(v, before);
        /* signed v < before, then n > max_pp unsigned (n >= 0 when v >= before) */
        __m128i bad = _mm_or_si128(_mm_cmpgt_epi32(before, v), _mm_cmpgt_epi32(_mm_xor_si128(n, flip), lim));
        if (_mm_movemask_epi8(bad)) break;
        _mm_storeu_si128((__m128i *)(void *)(out + x), n);
        prev = v;
    }
    return x;
}
#endif

static exrqoi_result parse_table(exrqoi__codec_ctx *ctx, const exrqoi_limits *lim,
                                 const exrqoi__deep_chunk_layout *L,
                                 const exrqoi__deep_chunk_sizes *S, const uint8_t *raw, size_t bps,
                                 uint32_t *counts, size_t counts_stride, uint64_t *lines,
                                 size_t lines_stride, uint64_t *out_total)
{
    const size_t w = (size_t)L->width;
    const int32_t h = raw ? L->height : 0;
    const uint32_t max_pp = lim->max_deep_samples_per_pixel;
    uint64_t total = 0;
    for (int32_t y = 0; y < h; y++) {
        const uint8_t *in = raw + (size_t)y * w * 4;
        uint32_t *out = counts + (size_t)y * counts_stride;
        size_t x = 0;
#if DEEP_SSE2
        x = counts_line_sse2(in, out, w, max_pp);
#endif
        int32_t prev = x ? (int32_t)exrqoi__le32(in + 4 * (x - 1)) : 0;
        for (; x < w; x++) {
            int32_t v = (int32_t)exrqoi__le32(in + 4 * x);
            if (EXRQOI_UNLIKELY(v < prev))
                return exrqoi__fail(&ctx->err, EXRQOI_ERR_BAD_SAMPLES,
                                    v < 0 ? "deep count table: negative entry %d at line %d pixel %zu"
                                          : "deep count table: entry %d at line %d pixel %zu "
                                            "decreases",
                                    (int)v, (int)y, x);
            uint32_t n = (uint32_t)(v - prev);
            if (EXRQOI_UNLIKELY(n > max_pp))
                return exrqoi__fail(&ctx->err, EXRQOI_ERR_LIMIT,
                                    "deep pixel (%zu, %d) of the chunk has %u samples, limit %u",
                                    x, (int)y, (unsigned)n, (unsigned)max_pp);
            out[x] = n;
            prev = v;
        }
        if (lines) lines[(size_t)y * lines_stride] = (uint64_t)prev;
        total += (uint64_t)prev; /* < 2^31 per line, 2^31 lines: no overflow */
    }
    if (total > lim->max_deep_samples_total)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_LIMIT,
                            "deep chunk has %llu samples, limit %llu", (unsigned long long)total,
                            (unsigned long long)lim->max_deep_samples_total);
    uint64_t bytes;
    EXRQOI_TRY(sample_bytes_match(ctx, S, total, bps, &bytes));
    if (out_total) *out_total = total;
    return EXRQOI_OK;
}

exrqoi_result exrqoi__deep_decode_counts(exrqoi__codec_ctx *ctx, const exrqoi_limits *limits,
                                         const exrqoi__deep_chunk_layout *L,
                                         const exrqoi__deep_chunk_sizes *S, const uint8_t *table,
                                         uint32_t *counts, size_t counts_stride,
                                         uint64_t *out_total)
{
    return exrqoi__deep_decode_counts_lines(ctx, limits, L, S, table, counts, counts_stride, NULL, 0,
                                            out_total);
}

exrqoi_result exrqoi__deep_decode_counts_lines(exrqoi__codec_ctx *ctx, const exrqoi_limits *limits,
                                               const exrqoi__deep_chunk_layout *L,
                                               const exrqoi__deep_chunk_sizes *S, const uint8_t *table,
                                               uint32_t *counts, size_t counts_stride, uint64_t *lines,
                                               size_t lines_stride, uint64_t *out_total)
{
    if (!ctx) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (!L || !S || !counts || (S->packed_table && !table))
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT, "deep counts: NULL argument");
    exrqoi_limits lim;
    if (exrqoi__limits_resolve(limits, &lim) != EXRQOI_OK)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT, "deep: limits not initialised");
    size_t bps = 0, npix = 0, need;
    EXRQOI_TRY(check_layout(ctx, L, counts_stride, counts_stride, &bps, &npix));
    if (!exrqoi__codec_deep_capable(L->compression)) return bad_compression(ctx, L->compression);
    if (S->packed_table > lim.max_chunk_size || S->packed_data > lim.max_chunk_size ||
        S->unpacked_data > lim.max_chunk_size)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_LIMIT,
                            "deep chunk sizes %llu/%llu/%llu exceed the chunk size limit %llu",
                            (unsigned long long)S->packed_table,
                            (unsigned long long)S->packed_data,
                            (unsigned long long)S->unpacked_data,
                            (unsigned long long)lim.max_chunk_size);
    if (exrqoi__mul_size(npix, 4, &need))
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_LIMIT, "deep chunk: count table too large");
    if (out_total) *out_total = 0;

    /* A clipped deep tile's compressed-part table of exactly
     * width*height*4 bytes is ambiguous: OpenEXRCore stores a table that
     * did not shrink raw at that size, while OpenEXR 3.1's C++ writer
     * compares with the full tile size and so also leaves compressed
     * tables of exactly that size (its reader decompresses them). Try
     * the C++ reading first, then raw. */
    bool ambiguous = npix && S->packed_table == need && L->full_table_size > need &&
                     L->compression != EXRQOI_COMPRESSION_NONE;
    if (ambiguous) {
        void *buf;
        EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_DEEP_TABLE, need, &buf));
        /* the codec entry itself: the dispatcher would apply the raw rule */
        const exrqoi__codec *codec = exrqoi__codec_get(L->compression);
        exrqoi__block_layout bl;
        memset(&bl, 0, sizeof bl);
        bl.unpacked_size = need;
        bl.compression = L->compression;
        if (codec && codec->decompress(ctx, &bl, table, need, (uint8_t *)buf) == EXRQOI_OK &&
            parse_table(ctx, &lim, L, S, (const uint8_t *)buf, bps, counts, counts_stride,
                        lines, lines_stride, out_total) == EXRQOI_OK)
            return EXRQOI_OK;
        exrqoi__err_clear(&ctx->err);
        return parse_table(ctx, &lim, L, S, table, bps, counts, counts_stride, lines, lines_stride,
                           out_total);
    }

    const uint8_t *raw = table;
    if (npix == 0) {
        raw = NULL;
    } else if (S->packed_table == need) {
        /* stored raw */
    } else if (L->compression == EXRQOI_COMPRESSION_NONE || S->packed_table == 0 ||
               (L->full_table_size > need && S->packed_table == L->full_table_size)) {
        /* OpenEXR's writer stores edge-tile tables raw at full-tile size
         * (tail is filler); OpenEXR's reader zero-fills short raw tables. */
        if (S->packed_table < need) {
            void *buf;
            EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_DEEP_TABLE, need, &buf));
            if (S->packed_table) memcpy(buf, table, (size_t)S->packed_table);
            memset((uint8_t *)buf + (size_t)S->packed_table, 0, need - (size_t)S->packed_table);
            raw = (const uint8_t *)buf;
        }
    } else {
        void *buf;
        EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_DEEP_TABLE, need, &buf));
        EXRQOI_TRY(exrqoi__decompress_bytes(ctx, L->compression, table, (size_t)S->packed_table,
                                            (uint8_t *)buf, need));
        raw = (const uint8_t *)buf;
    }
    return parse_table(ctx, &lim, L, S, raw, bps, counts, counts_stride, lines, lines_stride, out_total);
}

static uint64_t line_total(const uint32_t *counts, size_t w)
{
    uint64_t t = 0;
    for (size_t x = 0; x < w; x++) t += counts[x];
    return t;
}

/* Common checks of both sample decoders; *bps and *h for the caller. */
static exrqoi_result samples_prologue(exrqoi__codec_ctx *ctx, const exrqoi_limits *limits,
                                      const exrqoi__deep_chunk_layout *L, const exrqoi__deep_chunk_sizes *S,
                                      size_t stride_a, size_t stride_b, size_t *bps, int32_t *h)
{
    exrqoi_limits lim;
    if (exrqoi__limits_resolve(limits, &lim) != EXRQOI_OK)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT, "deep: limits not initialised");
    size_t npix = 0;
    EXRQOI_TRY(check_layout(ctx, L, stride_a, stride_b, bps, &npix));
    if (!exrqoi__codec_deep_capable(L->compression)) return bad_compression(ctx, L->compression);
    if (S->packed_data > lim.max_chunk_size || S->unpacked_data > lim.max_chunk_size)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_LIMIT,
                            "deep sample data %llu/%llu bytes exceeds the chunk size limit",
                            (unsigned long long)S->packed_data,
                            (unsigned long long)S->unpacked_data);
    *h = npix ? L->height : 0;
    return EXRQOI_OK;
}

/* A line's samples must lie inside the destination arrays. */
static exrqoi_result line_fits(exrqoi__codec_ctx *ctx, int32_t y, uint64_t first, uint64_t t,
                               uint64_t dst_samples)
{
    if (first > dst_samples || t > dst_samples - first)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                            "deep samples: line %d (%llu samples at %llu) exceeds the "
                            "destination of %llu samples",
                            (int)y, (unsigned long long)t, (unsigned long long)first,
                            (unsigned long long)dst_samples);
    return EXRQOI_OK;
}

/* Room for one segment per line and channel (codec scratch: the count
 * table's slot, free once the counts are decoded). */
static exrqoi_result segment_room(exrqoi__codec_ctx *ctx, const exrqoi__deep_chunk_layout *L, int32_t h,
                                  exrqoi__segment **seg)
{
    size_t n, bytes;
    void *buf;
    if (exrqoi__mul_size((size_t)h, (size_t)(L->nchan > 0 ? L->nchan : 0), &n) ||
        exrqoi__mul_size(n ? n : 1, sizeof **seg, &bytes))
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_LIMIT, "deep chunk: too many lines");
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_DEEP_TABLE, bytes, &buf));
    *seg = (exrqoi__segment *)buf;
    return EXRQOI_OK;
}

/* The segment of line y's channel c: `t` samples from index `first`. */
static void segment_set(exrqoi__segment *seg, const exrqoi__deep_chunk_layout *L, int c, void *const *dst,
                        size_t first, size_t t)
{
    size_t sz = type_size(L->types[c]);
    seg->dst = dst[c] ? (uint8_t *)dst[c] + first * sz : NULL;
    seg->len = t * sz;
}

/* Segments shorter than this on average (narrow deep tiles: a few pixels
 * per line and channel) cost more one at a time than one unpack into
 * scratch and a copy per segment (callgrind: 8x8 RLE tiles +10%). */
#define DIRECT_MIN_SEGMENT 256

/* Unpacks the sample data (`bytes` unpacked) into the segments: straight
 * into the caller's arrays when the segments are long enough (the codec
 * undoes its predictor there; no unpacked buffer, no copy out of it),
 * otherwise through scratch. Big-endian hosts always go through scratch
 * to swap each sample. */
static exrqoi_result deliver(exrqoi__codec_ctx *ctx, const exrqoi__deep_chunk_layout *L,
                             const exrqoi__deep_chunk_sizes *S, const uint8_t *data, uint64_t bytes,
                             const exrqoi__segment *seg, size_t nseg)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    const bool direct = false;
#else
    const bool direct = bytes / nseg >= DIRECT_MIN_SEGMENT; /* nseg >= 1: bytes > 0 needs a channel */
#endif
    if (direct) {
        exrqoi__block_layout bl;
        memset(&bl, 0, sizeof bl);
        bl.width = L->width;
        bl.height = L->height;
        bl.unpacked_size = (size_t)bytes;
        bl.compression = L->compression;
        if (S->packed_data != S->unpacked_data && L->compression == EXRQOI_COMPRESSION_NONE)
            return exrqoi__fail(&ctx->err, EXRQOI_ERR_BAD_CHUNK,
                                "uncompressed deep data holds %llu bytes, %llu expected",
                                (unsigned long long)S->packed_data, (unsigned long long)bytes);
        return exrqoi__decompress_block_segments(ctx, &bl, data, (size_t)S->packed_data, seg, nseg);
    }
    const uint8_t *raw = data;
    if (S->packed_data != S->unpacked_data) {
        void *buf;
        EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_DEEP_DATA, (size_t)bytes, &buf));
        EXRQOI_TRY(exrqoi__decompress_bytes(ctx, L->compression, data, (size_t)S->packed_data,
                                            (uint8_t *)buf, (size_t)bytes));
        raw = (const uint8_t *)buf;
    }
    size_t pos = 0;
    for (size_t k = 0; k < nseg; k++) {
        size_t sz = type_size(L->types[k % (size_t)L->nchan]);
        if (seg[k].dst && seg[k].len) copy_le(seg[k].dst, raw + pos, seg[k].len / sz, sz);
        pos += seg[k].len;
    }
    return EXRQOI_OK;
}

exrqoi_result exrqoi__deep_decode_samples(exrqoi__codec_ctx *ctx, const exrqoi_limits *limits,
                                          const exrqoi__deep_chunk_layout *L,
                                          const exrqoi__deep_chunk_sizes *S, const uint8_t *data,
                                          const uint32_t *counts, size_t counts_stride,
                                          const uint64_t *offsets, size_t offsets_stride,
                                          void *const *dst, uint64_t dst_samples)
{
    if (!ctx) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (!L || !S || (L->height > 0 && L->width > 0 && (!counts || !offsets)) ||
        (L->nchan > 0 && !dst) || (S->packed_data && !data))
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT, "deep samples: NULL argument");
    size_t bps = 0;
    int32_t h = 0;
    EXRQOI_TRY(samples_prologue(ctx, limits, L, S, counts_stride, offsets_stride, &bps, &h));
    const size_t w = (size_t)L->width;

    /* Everything about the destination is checked before decompressing. */
    exrqoi__segment *seg = NULL;
    EXRQOI_TRY(segment_room(ctx, L, h, &seg));
    uint64_t total = 0;
    size_t k = 0;
    for (int32_t y = 0; y < h; y++) {
        uint64_t t = line_total(counts + (size_t)y * counts_stride, w);
        uint64_t first = offsets[(size_t)y * offsets_stride];
        EXRQOI_TRY(line_fits(ctx, y, first, t, dst_samples));
        for (int c = 0; c < L->nchan; c++) segment_set(&seg[k++], L, c, dst, (size_t)first, (size_t)t);
        total += t;
    }
    uint64_t bytes;
    EXRQOI_TRY(sample_bytes_match(ctx, S, total, bps, &bytes));
    if (bytes == 0) return EXRQOI_OK;
    return deliver(ctx, L, S, data, bytes, seg, k);
}

exrqoi_result exrqoi__deep_decode_lines(exrqoi__codec_ctx *ctx, const exrqoi_limits *limits,
                                        const exrqoi__deep_chunk_layout *L,
                                        const exrqoi__deep_chunk_sizes *S, const uint8_t *data,
                                        const uint64_t *starts, size_t starts_stride, void *const *dst,
                                        uint64_t dst_samples)
{
    if (!ctx) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (!L || !S || (L->height > 0 && L->width > 0 && !starts) || (L->nchan > 0 && !dst) ||
        (S->packed_data && !data))
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT, "deep samples: NULL argument");
    size_t bps = 0;
    int32_t h = 0;
    EXRQOI_TRY(samples_prologue(ctx, limits, L, S, (size_t)L->width, (size_t)L->width, &bps, &h));
    exrqoi__segment *seg = NULL;
    EXRQOI_TRY(segment_room(ctx, L, h, &seg));
    uint64_t total = 0;
    size_t k = 0;
    for (int32_t y = 0; y < h; y++) {
        uint64_t first = starts[(size_t)y * starts_stride], end = starts[(size_t)y * starts_stride + 1];
        if (end < first)
            return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT, "deep samples: line %d ends before it starts",
                                (int)y);
        EXRQOI_TRY(line_fits(ctx, y, first, end - first, dst_samples));
        for (int c = 0; c < L->nchan; c++) segment_set(&seg[k++], L, c, dst, (size_t)first, (size_t)(end - first));
        total += end - first;
    }
    uint64_t bytes;
    EXRQOI_TRY(sample_bytes_match(ctx, S, total, bps, &bytes));
    if (bytes == 0) return EXRQOI_OK;
    return deliver(ctx, L, S, data, bytes, seg, k);
}

/* A clipped deep tile's table that did not shrink. OpenEXR's C++ reader
 * (3.1) decompresses every compressed-part table whose size is not the
 * full tile's, so a raw table of width*height*4 bytes would fail there;
 * OpenEXRCore (3.2+) instead reads exactly width*height*4 bytes as raw
 * and decompresses anything else, so a raw full-tile table fails there.
 * A packed stream of any other size below the full size suits both: the
 * real compressor output, or for RLE an all-literal run list. Only when
 * none exists is the table stored raw at width*height*4 (Core's rule). */
static exrqoi_result table_for_tile(exrqoi__codec_ctx *ctx, exrqoi_compression comp,
                                    const uint8_t *table, size_t need, size_t full,
                                    const uint8_t **out, size_t *out_size)
{
    void *pred, *buf;
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_BYTES, need, &pred));
    exrqoi__zip_predict_path(ctx->k.zip, table, need, (uint8_t *)pred);
    size_t n = 0;
    if (comp == EXRQOI_COMPRESSION_ZIPS) {
        size_t cap = exrqoi__deflate_bound(ctx, need);
        EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_DEEP_SPARE, cap, &buf));
        EXRQOI_TRY(exrqoi__deflate(ctx, (const uint8_t *)pred, need, (uint8_t *)buf, cap, &n));
    } else {
        /* RLE: runs of up to 128 literals, each led by the negated length */
        size_t cap = need + need / 128 + 1;
        EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_DEEP_SPARE, cap, &buf));
        uint8_t *b = (uint8_t *)buf;
        for (size_t i = 0; i < need; i += 128) {
            size_t len = need - i < 128 ? need - i : 128;
            b[n++] = (uint8_t)(256 - len);
            memcpy(b + n, (const uint8_t *)pred + i, len);
            n += len;
        }
    }
    if (n != need && n < full) {
        *out = (const uint8_t *)buf;
        *out_size = n;
    } else {
        *out = table;
        *out_size = need;
    }
    return EXRQOI_OK;
}

exrqoi_result exrqoi__deep_encode_chunk(exrqoi__codec_ctx *ctx, const exrqoi__deep_chunk_layout *L,
                                        const uint32_t *counts, size_t counts_stride,
                                        const uint64_t *offsets, size_t offsets_stride,
                                        const void *const *src, uint64_t src_samples,
                                        const uint8_t **out, size_t *out_size,
                                        exrqoi__deep_chunk_sizes *sizes_out)
{
    if (!ctx) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (!L || !out || !out_size || (L->height > 0 && L->width > 0 && (!counts || !offsets)) ||
        (L->nchan > 0 && !src))
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT, "deep encode: NULL argument");
    size_t bps = 0, npix = 0, need;
    EXRQOI_TRY(check_layout(ctx, L, counts_stride, offsets_stride, &bps, &npix));
    exrqoi_compression comp = L->compression;
    if (!exrqoi__codec_deep_writable(comp))
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_UNSUPPORTED_COMPRESSION,
                            "deep data can be written with none, rle or zips only");
    if (exrqoi__mul_size(npix, 4, &need))
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_LIMIT, "deep chunk: count table too large");
    const size_t w = (size_t)L->width;
    const int32_t h = npix ? L->height : 0;

    uint64_t total = 0;
    for (int32_t y = 0; y < h; y++) {
        uint64_t t = line_total(counts + (size_t)y * counts_stride, w);
        if (t > (uint64_t)INT32_MAX)
            return exrqoi__fail(&ctx->err, EXRQOI_ERR_LIMIT,
                                "deep chunk line %d has %llu samples (the format stores int32)",
                                (int)y, (unsigned long long)t);
        uint64_t first = offsets[(size_t)y * offsets_stride];
        if (first > src_samples || t > src_samples - first)
            return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                                "deep encode: line %d lies outside the %llu source samples",
                                (int)y, (unsigned long long)src_samples);
        if (t)
            for (int c = 0; c < L->nchan; c++)
                if (!src[c])
                    return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                                        "deep encode: channel %d has no samples", c);
        total += t;
    }
    /* deep tiled edge tiles: see table_for_tile() */
    size_t full = need;
    if (L->full_table_size > need) {
        if (L->full_table_size > (uint64_t)UINT32_MAX) /* OpenEXR's own cap */
            return exrqoi__fail(&ctx->err, EXRQOI_ERR_LIMIT, "deep tile count table too large");
        full = (size_t)L->full_table_size;
    }
    uint64_t data64;
    size_t data_size, cap;
    if (exrqoi__mul_u64(total, (uint64_t)bps, &data64) || data64 > (uint64_t)SIZE_MAX ||
        exrqoi__add_size(EXRQOI__DEEP_SIZES_BYTES, full, &cap) ||
        exrqoi__add_size(cap, (size_t)data64, &cap))
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_LIMIT, "deep chunk: sample data too large");
    data_size = (size_t)data64;

    void *obuf;
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_DEEP_CHUNK, cap, &obuf));
    uint8_t *o = (uint8_t *)obuf;
    uint8_t *table = o + EXRQOI__DEEP_SIZES_BYTES, *samples = table + full;
    if (comp != EXRQOI_COMPRESSION_NONE) {
        /* raw parts go to scratch first, the packed ones are copied into o */
        void *tb, *db;
        EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_DEEP_TABLE, need, &tb));
        EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_DEEP_DATA, data_size, &db));
        table = (uint8_t *)tb;
        samples = (uint8_t *)db;
    }

    size_t pos = 0;
    for (int32_t y = 0; y < h; y++) {
        const uint32_t *cnt = counts + (size_t)y * counts_stride;
        uint8_t *trow = table + (size_t)y * w * 4;
        uint32_t cum = 0;
        for (size_t x = 0; x < w; x++) {
            cum += cnt[x];
            exrqoi__put32(trow + 4 * x, cum);
        }
        size_t first = (size_t)offsets[(size_t)y * offsets_stride];
        for (int c = 0; c < L->nchan; c++) {
            size_t sz = type_size(L->types[c]);
            if (cum) copy_le(samples + pos, (const uint8_t *)src[c] + first * sz, cum, sz);
            pos += (size_t)cum * sz;
        }
    }

    exrqoi__deep_chunk_sizes s = {full, data_size, data_size};
    if (comp == EXRQOI_COMPRESSION_NONE) {
        memset(table + need, 0, full - need); /* filler OpenEXR 3.1 needs */
    } else {
        const uint8_t *p;
        size_t n;
        uint8_t *dest = o + EXRQOI__DEEP_SIZES_BYTES;
        if (need) {
            EXRQOI_TRY(exrqoi__compress_bytes(ctx, comp, table, need, &p, &n));
            if (n == need && full > need) EXRQOI_TRY(table_for_tile(ctx, comp, table, need, full, &p, &n));
            memcpy(dest, p, n);
            s.packed_table = n;
            dest += n;
        } else {
            s.packed_table = 0;
        }
        if (data_size) {
            EXRQOI_TRY(exrqoi__compress_bytes(ctx, comp, samples, data_size, &p, &n));
            memcpy(dest, p, n);
            s.packed_data = n;
        }
    }
    exrqoi__deep_sizes_write(o, &s);
    *out = o;
    *out_size = EXRQOI__DEEP_SIZES_BYTES + (size_t)s.packed_table + (size_t)s.packed_data;
    if (sizes_out) *sizes_out = s;
    return EXRQOI_OK;
}
