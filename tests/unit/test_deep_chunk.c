/* Deep chunks: count-table validation, the deep-tiled NONE filler rule,
 * encode/decode round trips for NONE/RLE/ZIPS (ZIP decode), the deep
 * image container, and the corpus's real deep file against its
 * canonical hash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "deep/deep_chunk.h"
#include "exrqoi/deep.h"
#include "test_support.h"

/* ---- helpers ------------------------------------------------------------ */

static void put_table(uint8_t *t, const int32_t *cum, size_t n)
{
    for (size_t i = 0; i < n; i++) exrqoi__put32(t + 4 * i, (uint32_t)cum[i]);
}

static const exrqoi_pixel_type k_float1[1] = {EXRQOI_PIXEL_FLOAT};

static exrqoi__deep_chunk_layout layout_of(int32_t w, int32_t h, int nchan,
                                           const exrqoi_pixel_type *types, exrqoi_compression c)
{
    exrqoi__deep_chunk_layout L;
    memset(&L, 0, sizeof L);
    L.width = w;
    L.height = h;
    L.nchan = nchan;
    L.types = types;
    L.compression = c;
    return L;
}

static exrqoi_result decode_table(exrqoi__codec_ctx *ctx, const exrqoi_limits *lim,
                                  const exrqoi__deep_chunk_layout *L, const uint8_t *table,
                                  uint64_t table_size, uint64_t unpacked, uint32_t *counts,
                                  uint64_t *total)
{
    exrqoi__deep_chunk_sizes s = {table_size, 0, unpacked};
    return exrqoi__deep_decode_counts(ctx, lim, L, &s, table, counts, (size_t)L->width, total);
}

/* ---- count table -------------------------------------------------------- */

static void test_counts_valid(void **state)
{
    (void)state;
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    /* cumulative per line, restarting at 0 on each line */
    const int32_t cum[6] = {1, 1, 3, 0, 2, 2};
    uint8_t t[24];
    put_table(t, cum, 6);
    exrqoi__deep_chunk_layout L = layout_of(3, 2, 1, k_float1, EXRQOI_COMPRESSION_NONE);
    uint32_t counts[6];
    uint64_t total = 99;
    assert_int_equal(decode_table(&ctx, NULL, &L, t, 24, 5 * 4, counts, &total), EXRQOI_OK);
    const uint32_t want[6] = {1, 0, 2, 0, 2, 0};
    assert_memory_equal(counts, want, sizeof want);
    assert_int_equal(total, 5);

    /* counts written with a stride into a wider image */
    uint32_t img[2 * 5];
    memset(img, 0xee, sizeof img);
    exrqoi__deep_chunk_sizes s = {24, 0, 20};
    assert_int_equal(exrqoi__deep_decode_counts(&ctx, NULL, &L, &s, t, img + 1, 5, NULL),
                     EXRQOI_OK);
    assert_int_equal(img[1], 1);
    assert_int_equal(img[3], 2);
    assert_int_equal(img[4], 0xeeeeeeeeu);
    assert_int_equal(img[6], 0);
    assert_int_equal(img[7], 2);
    exrqoi__codec_ctx_free(&ctx);
}

static void test_counts_rejected(void **state)
{
    (void)state;
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    exrqoi__deep_chunk_layout L = layout_of(3, 2, 1, k_float1, EXRQOI_COMPRESSION_NONE);
    uint32_t counts[6];
    uint8_t t[24];

    const int32_t decreasing[6] = {2, 1, 3, 0, 0, 0};
    put_table(t, decreasing, 6);
    assert_int_equal(decode_table(&ctx, NULL, &L, t, 24, 12, counts, NULL),
                     EXRQOI_ERR_BAD_SAMPLES);
    assert_non_null(strstr(ctx.err.msg, "decreases"));

    const int32_t negative[6] = {0, 0, 0, -1, 0, 0};
    put_table(t, negative, 6);
    assert_int_equal(decode_table(&ctx, NULL, &L, t, 24, 0, counts, NULL),
                     EXRQOI_ERR_BAD_SAMPLES);
    assert_non_null(strstr(ctx.err.msg, "negative"));

    const int32_t ok[6] = {1, 1, 3, 0, 2, 2};
    put_table(t, ok, 6);
    /* 5 float samples are 20 bytes, not 16 or 24 */
    assert_int_equal(decode_table(&ctx, NULL, &L, t, 24, 16, counts, NULL),
                     EXRQOI_ERR_BAD_SAMPLES);
    assert_int_equal(decode_table(&ctx, NULL, &L, t, 24, 24, counts, NULL),
                     EXRQOI_ERR_BAD_SAMPLES);

    exrqoi_limits lim;
    lim = (exrqoi_limits)EXRQOI_LIMITS_INIT;
    lim.max_deep_samples_per_pixel = 1;
    assert_int_equal(decode_table(&ctx, &lim, &L, t, 24, 20, counts, NULL), EXRQOI_ERR_LIMIT);
    lim.max_deep_samples_per_pixel = 2;
    assert_int_equal(decode_table(&ctx, &lim, &L, t, 24, 20, counts, NULL), EXRQOI_OK);
    lim.max_deep_samples_total = 4;
    assert_int_equal(decode_table(&ctx, &lim, &L, t, 24, 20, counts, NULL), EXRQOI_ERR_LIMIT);
    lim = (exrqoi_limits)EXRQOI_LIMITS_INIT;
    lim.max_chunk_size = 16;
    assert_int_equal(decode_table(&ctx, &lim, &L, t, 24, 20, counts, NULL), EXRQOI_ERR_LIMIT);

    /* a huge total whose byte size overflows 64 bits is caught, not wrapped */
    exrqoi_pixel_type many[8];
    for (int i = 0; i < 8; i++) many[i] = EXRQOI_PIXEL_FLOAT;
    exrqoi__deep_chunk_layout L1 = layout_of(1, 1, 8, many, EXRQOI_COMPRESSION_NONE);
    const int32_t big[1] = {INT32_MAX};
    put_table(t, big, 1);
    lim = (exrqoi_limits)EXRQOI_LIMITS_INIT;
    lim.max_deep_samples_per_pixel = UINT32_MAX;
    lim.max_chunk_size = UINT64_MAX;
    assert_int_equal(decode_table(&ctx, &lim, &L1, t, 4, 32, counts, NULL),
                     EXRQOI_ERR_BAD_SAMPLES);

    /* compression that deep data cannot use */
    exrqoi__deep_chunk_layout Lp = layout_of(3, 2, 1, k_float1, EXRQOI_COMPRESSION_PIZ);
    put_table(t, ok, 6);
    assert_int_equal(decode_table(&ctx, NULL, &Lp, t, 24, 20, counts, NULL),
                     EXRQOI_ERR_UNSUPPORTED_COMPRESSION);
    exrqoi__codec_ctx_free(&ctx);
}

/* Lines wide enough for the vector table pass (4 pixels per step): the
 * counts match a scalar reading, and a bad entry anywhere in a block, or
 * in the tail, is reported as the scalar pass reports it. */
static void test_counts_wide_lines(void **state)
{
    (void)state;
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    enum { W = 13, H = 2, N = W * H };
    exrqoi__deep_chunk_layout L = layout_of(W, H, 1, k_float1, EXRQOI_COMPRESSION_NONE);
    int32_t cum[N];
    uint32_t want[N], counts[N];
    uint64_t sum = 0;
    for (int y = 0; y < H; y++) {
        int32_t run = 0;
        for (int x = 0; x < W; x++) {
            uint32_t n = (uint32_t)((x * 7 + y * 3) % 5); /* zeros included */
            run += (int32_t)n;
            cum[y * W + x] = run;
            want[y * W + x] = n;
            sum += n;
        }
    }
    uint8_t t[4 * N];
    put_table(t, cum, N);
    uint64_t total = 0;
    assert_int_equal(decode_table(&ctx, NULL, &L, t, sizeof t, sum * 4, counts, &total), EXRQOI_OK);
    assert_memory_equal(counts, want, sizeof want);
    assert_int_equal(total, sum);

    /* one bad entry at each position of the first line */
    for (int x = 0; x < W; x++) {
        int32_t bad[N];
        memcpy(bad, cum, sizeof bad);
        bad[x] = x ? cum[x - 1] - 1 : -1; /* below the entry before it */
        put_table(t, bad, N);
        assert_int_equal(decode_table(&ctx, NULL, &L, t, sizeof t, sum * 4, counts, NULL),
                         EXRQOI_ERR_BAD_SAMPLES);
        char where[64];
        snprintf(where, sizeof where, "pixel %d", x);
        assert_non_null(strstr(ctx.err.msg, where));
        assert_non_null(strstr(ctx.err.msg, bad[x] < 0 ? "negative" : "decreases"));

        /* a count over the per-pixel limit: later entries shifted up */
        memcpy(bad, cum, sizeof bad);
        for (int k = x; k < W; k++) bad[k] += 11;
        put_table(t, bad, N);
        exrqoi_limits lim;
        lim = (exrqoi_limits)EXRQOI_LIMITS_INIT;
        lim.max_deep_samples_per_pixel = 10;
        assert_int_equal(decode_table(&ctx, &lim, &L, t, sizeof t, (sum + 11) * 4, counts, NULL),
                         EXRQOI_ERR_LIMIT);
        snprintf(where, sizeof where, "pixel (%d, 0)", x);
        assert_non_null(strstr(ctx.err.msg, where));
        lim.max_deep_samples_per_pixel = 15;
        assert_int_equal(decode_table(&ctx, &lim, &L, t, sizeof t, (sum + 11) * 4, counts, NULL), EXRQOI_OK);
    }

    /* INT32_MIN after a positive entry: no wrap hides it */
    int32_t wrap[N];
    memcpy(wrap, cum, sizeof wrap);
    wrap[6] = INT32_MIN;
    put_table(t, wrap, N);
    exrqoi_limits lim;
    lim = (exrqoi_limits)EXRQOI_LIMITS_INIT;
    lim.max_deep_samples_per_pixel = UINT32_MAX;
    assert_int_equal(decode_table(&ctx, &lim, &L, t, sizeof t, sum * 4, counts, NULL), EXRQOI_ERR_BAD_SAMPLES);
    assert_non_null(strstr(ctx.err.msg, "negative"));
    exrqoi__codec_ctx_free(&ctx);
}

static void test_counts_corrupt_compressed(void **state)
{
    (void)state;
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    uint32_t counts[64];
    uint8_t junk[40];
    for (int i = 0; i < 40; i++) junk[i] = (uint8_t)(i * 37 + 11);
    const exrqoi_compression comps[3] = {EXRQOI_COMPRESSION_RLE, EXRQOI_COMPRESSION_ZIPS,
                                         EXRQOI_COMPRESSION_ZIP};
    for (int k = 0; k < 3; k++) {
        exrqoi__deep_chunk_layout L = layout_of(8, 8, 1, k_float1, comps[k]);
        for (uint64_t n = 1; n <= 40; n++) {
            exrqoi_result r = decode_table(&ctx, NULL, &L, junk, n, 0, counts, NULL);
            assert_int_not_equal(r, EXRQOI_OK);
        }
    }
    exrqoi__codec_ctx_free(&ctx);
}

/* Deep tiled NONE: OpenEXR's writer stores an edge tile's table at full
 * tile size; only the first width*height entries count. */
static void test_counts_tiled_none_filler(void **state)
{
    (void)state;
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    uint8_t t[4 * 4 * 4];
    memset(t, 0xff, sizeof t); /* filler: would be -1 entries */
    const int32_t cum[6] = {1, 2, 3, 2, 2, 4};
    put_table(t, cum, 6);
    exrqoi__deep_chunk_layout L = layout_of(3, 2, 1, k_float1, EXRQOI_COMPRESSION_NONE);
    L.full_table_size = sizeof t;
    uint32_t counts[6];
    uint64_t total = 0;
    assert_int_equal(decode_table(&ctx, NULL, &L, t, sizeof t, 7 * 4, counts, &total), EXRQOI_OK);
    const uint32_t want[6] = {1, 1, 1, 2, 0, 2};
    assert_memory_equal(counts, want, sizeof want);
    assert_int_equal(total, 7);

    /* NONE needs no tile size to apply it */
    L.full_table_size = 0;
    assert_int_equal(decode_table(&ctx, NULL, &L, t, sizeof t, 7 * 4, counts, &total), EXRQOI_OK);

    /* a compressed part whose writer fell back to the raw full-tile table */
    L.compression = EXRQOI_COMPRESSION_ZIPS;
    L.full_table_size = sizeof t;
    assert_int_equal(decode_table(&ctx, NULL, &L, t, sizeof t, 7 * 4, counts, &total), EXRQOI_OK);
    assert_memory_equal(counts, want, sizeof want);

    /* short raw tables are zero-filled (OpenEXR's reader does the same) */
    L.compression = EXRQOI_COMPRESSION_NONE;
    assert_int_equal(decode_table(&ctx, NULL, &L, t, 12, 3 * 4, counts, &total), EXRQOI_OK);
    assert_int_equal(total, 3);
    assert_int_equal(decode_table(&ctx, NULL, &L, NULL, 0, 0, counts, &total), EXRQOI_OK);
    assert_int_equal(total, 0);
    L.compression = EXRQOI_COMPRESSION_RLE;
    assert_int_equal(decode_table(&ctx, NULL, &L, NULL, 0, 0, counts, &total), EXRQOI_OK);
    exrqoi__codec_ctx_free(&ctx);
}

/* ---- round trips -------------------------------------------------------- */

static uint32_t rng_state = 12345;
static uint32_t rnd(void) { return ts_lcg(&rng_state) >> 8; }

static void fill_samples(exrqoi_deep_image *img)
{
    for (int32_t c = 0; c < img->channel_count; c++) {
        exrqoi_deep_channel *ch = &img->channels[c];
        for (uint64_t i = 0; i < img->total_samples; i++) {
            uint32_t r = rnd();
            if (ch->type == EXRQOI_PIXEL_HALF)
                ((uint16_t *)ch->samples)[i] = (uint16_t)(i % 7 == 0 ? 0x3c00 : r);
            else if (ch->type == EXRQOI_PIXEL_FLOAT)
                ((float *)ch->samples)[i] = (float)(r % 1000) * 0.25f;
            else
                ((uint32_t *)ch->samples)[i] = r ^ (uint32_t)(i << 20);
        }
    }
}

static void make_image(exrqoi_deep_image *img, int32_t w, int32_t h, uint32_t maxn)
{
    static const char *const names[3] = {"A", "id", "Z"};
    static const exrqoi_pixel_type types[3] = {EXRQOI_PIXEL_HALF, EXRQOI_PIXEL_UINT,
                                               EXRQOI_PIXEL_FLOAT};
    assert_int_equal(exrqoi_deep_image_init(img, NULL, w, h, 3, names, types), EXRQOI_OK);
    for (int32_t i = 0; i < w * h; i++) img->counts[i] = (i % 5 == 0) ? 0 : rnd() % (maxn + 1);
    assert_int_equal(exrqoi_deep_image_alloc_samples(img, 0), EXRQOI_OK);
    fill_samples(img);
}

static void expect_same(const exrqoi_deep_image *a, const exrqoi_deep_image *b)
{
    size_t npix = (size_t)a->width * (size_t)a->height;
    assert_memory_equal(a->counts, b->counts, npix * sizeof(uint32_t));
    assert_int_equal(a->total_samples, b->total_samples);
    for (int32_t c = 0; c < a->channel_count; c++)
        if (a->total_samples)
            assert_memory_equal(a->channels[c].samples, b->channels[c].samples,
                                a->total_samples * (a->channels[c].type == EXRQOI_PIXEL_HALF ? 2 : 4));
}

/* Splits an image into chunks of tw x th, encodes each, decodes back into
 * a fresh image in the two passes a reader uses (all counts, then
 * samples). */
static void round_trip(exrqoi_compression comp, int32_t w, int32_t h, int32_t tw, int32_t th,
                       uint32_t maxn)
{
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    exrqoi_deep_image src, dst;
    make_image(&src, w, h, maxn);
    static const char *const names[3] = {"A", "id", "Z"};
    exrqoi_pixel_type types[3];
    for (int c = 0; c < 3; c++) types[c] = src.channels[c].type;
    assert_int_equal(exrqoi_deep_image_init(&dst, NULL, w, h, 3, names, types), EXRQOI_OK);

    int32_t ntx = (w + tw - 1) / tw, nty = (h + th - 1) / th;
    uint8_t **chunks = calloc((size_t)(ntx * nty), sizeof *chunks);
    assert_non_null(chunks);
    void *sp[3] = {src.channels[0].samples, src.channels[1].samples, src.channels[2].samples};
    for (int32_t ty = 0; ty < nty; ty++)
        for (int32_t tx = 0; tx < ntx; tx++) {
            int32_t x0 = tx * tw, y0 = ty * th;
            int32_t cw = (x0 + tw <= w) ? tw : w - x0, ch = (y0 + th <= h) ? th : h - y0;
            exrqoi__deep_chunk_layout L = layout_of(cw, ch, 3, types, comp);
            if (th > 1) L.full_table_size = (uint64_t)tw * (uint64_t)th * 4; /* tiled */
            size_t at = (size_t)y0 * (size_t)w + (size_t)x0;
            const uint8_t *out;
            size_t out_size;
            exrqoi__deep_chunk_sizes s;
            assert_int_equal(exrqoi__deep_encode_chunk(&ctx, &L, src.counts + at, (size_t)w,
                                                       src.offsets + at, (size_t)w,
                                                       (const void *const *)sp, src.total_samples,
                                                       &out, &out_size, &s),
                             EXRQOI_OK);
            assert_int_equal(out_size, EXRQOI__DEEP_SIZES_BYTES + s.packed_table + s.packed_data);
            uint64_t need = (uint64_t)cw * (uint64_t)ch * 4;
            if (comp == EXRQOI_COMPRESSION_NONE)
                assert_int_equal(s.packed_table, th > 1 ? (uint64_t)tw * th * 4 : need);
            else if (th > 1)
                assert_true(s.packed_table < (uint64_t)tw * th * 4 &&
                            (s.packed_table != need || need == (uint64_t)tw * th * 4));
            else
                assert_true(s.packed_table <= need);
            assert_int_equal(s.packed_data <= s.unpacked_data, 1);
            if (comp == EXRQOI_COMPRESSION_NONE) assert_int_equal(s.packed_data, s.unpacked_data);
            chunks[ty * ntx + tx] = malloc(out_size);
            memcpy(chunks[ty * ntx + tx], out, out_size);
        }

    /* pass 1: counts straight into the image */
    for (int32_t ty = 0; ty < nty; ty++)
        for (int32_t tx = 0; tx < ntx; tx++) {
            int32_t x0 = tx * tw, y0 = ty * th;
            int32_t cw = (x0 + tw <= w) ? tw : w - x0, ch = (y0 + th <= h) ? th : h - y0;
            exrqoi__deep_chunk_layout L = layout_of(cw, ch, 3, types, comp);
            if (th > 1) L.full_table_size = (uint64_t)tw * (uint64_t)th * 4;
            const uint8_t *p = chunks[ty * ntx + tx];
            exrqoi__deep_chunk_sizes s;
            exrqoi__deep_sizes_read(p, &s);
            assert_int_equal(exrqoi__deep_decode_counts(&ctx, NULL, &L, &s,
                                                        p + EXRQOI__DEEP_SIZES_BYTES,
                                                        dst.counts + (size_t)y0 * w + x0,
                                                        (size_t)w, NULL),
                             EXRQOI_OK);
        }
    assert_int_equal(exrqoi_deep_image_alloc_samples(&dst, 0), EXRQOI_OK);
    /* pass 2: samples */
    void *dp[3] = {dst.channels[0].samples, dst.channels[1].samples, dst.channels[2].samples};
    for (int32_t ty = 0; ty < nty; ty++)
        for (int32_t tx = 0; tx < ntx; tx++) {
            int32_t x0 = tx * tw, y0 = ty * th;
            int32_t cw = (x0 + tw <= w) ? tw : w - x0, ch = (y0 + th <= h) ? th : h - y0;
            exrqoi__deep_chunk_layout L = layout_of(cw, ch, 3, types, comp);
            if (th > 1) L.full_table_size = (uint64_t)tw * (uint64_t)th * 4;
            const uint8_t *p = chunks[ty * ntx + tx];
            exrqoi__deep_chunk_sizes s;
            exrqoi__deep_sizes_read(p, &s);
            size_t at = (size_t)y0 * (size_t)w + (size_t)x0;
            assert_int_equal(exrqoi__deep_decode_samples(
                                 &ctx, NULL, &L, &s,
                                 p + EXRQOI__DEEP_SIZES_BYTES + s.packed_table, dst.counts + at,
                                 (size_t)w, dst.offsets + at, (size_t)w, dp, dst.total_samples),
                             EXRQOI_OK);
            free(chunks[ty * ntx + tx]);
        }
    free(chunks);
    expect_same(&src, &dst);
    exrqoi_deep_image_free(&src);
    exrqoi_deep_image_free(&dst);
    exrqoi__codec_ctx_free(&ctx);
}

static void test_round_trips(void **state)
{
    (void)state;
    const exrqoi_compression comps[3] = {EXRQOI_COMPRESSION_NONE, EXRQOI_COMPRESSION_RLE,
                                         EXRQOI_COMPRESSION_ZIPS};
    for (int k = 0; k < 3; k++) {
        round_trip(comps[k], 37, 9, 37, 1, 4);   /* scanline chunks */
        round_trip(comps[k], 37, 19, 8, 6, 7);   /* tiles with clipped edges */
        round_trip(comps[k], 5, 4, 5, 1, 0);     /* every pixel empty */
        round_trip(comps[k], 200, 3, 200, 1, 40); /* larger lines */
        round_trip(comps[k], 9, 9, 4, 4, 3);     /* 1-pixel-wide edge tiles */
        round_trip(comps[k], 300, 2, 256, 2, 2);  /* edge table beyond one RLE literal run */
    }
}

/* A chunk-local destination (offsets over the chunk alone), and ZIP, which
 * deep files may use on read but this library never writes. */
static void test_chunk_local_and_zip(void **state)
{
    (void)state;
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    const exrqoi_pixel_type types[2] = {EXRQOI_PIXEL_HALF, EXRQOI_PIXEL_FLOAT};
    /* 2x2 chunk, counts 2,0 / 1,3 -> 6 samples */
    const int32_t cum[4] = {2, 2, 1, 4};
    uint8_t table[16];
    put_table(table, cum, 4);
    /* file order: line 0: half x2, float x2; line 1: half x4, float x4 */
    uint8_t data[6 * 2 + 6 * 4];
    size_t o = 0;
    const uint16_t h0[2] = {0x3c00, 0x4000}, h1[4] = {0x4200, 0x4400, 0x4500, 0x4600};
    const float f0[2] = {1.5f, 2.5f}, f1[4] = {3.5f, 4.5f, 5.5f, 6.5f};
    for (int i = 0; i < 2; i++, o += 2) exrqoi__put16(data + o, h0[i]);
    for (int i = 0; i < 2; i++, o += 4) exrqoi__putf32(data + o, f0[i]);
    for (int i = 0; i < 4; i++, o += 2) exrqoi__put16(data + o, h1[i]);
    for (int i = 0; i < 4; i++, o += 4) exrqoi__putf32(data + o, f1[i]);
    assert_int_equal(o, sizeof data);

    /* compress both parts with ZIP through the codec layer */
    uint8_t ptable[64], pdata[128];
    const uint8_t *p;
    size_t ntab, ndat;
    assert_int_equal(exrqoi__compress_bytes(&ctx, EXRQOI_COMPRESSION_ZIP, table, sizeof table, &p,
                                            &ntab),
                     EXRQOI_OK);
    memcpy(ptable, p, ntab);
    assert_int_equal(exrqoi__compress_bytes(&ctx, EXRQOI_COMPRESSION_ZIP, data, sizeof data, &p,
                                            &ndat),
                     EXRQOI_OK);
    memcpy(pdata, p, ndat);

    exrqoi__deep_chunk_layout L = layout_of(2, 2, 2, types, EXRQOI_COMPRESSION_ZIP);
    exrqoi__deep_chunk_sizes s = {ntab, ndat, sizeof data};
    uint32_t counts[4];
    uint64_t total;
    assert_int_equal(exrqoi__deep_decode_counts(&ctx, NULL, &L, &s, ptable, counts, 2, &total),
                     EXRQOI_OK);
    assert_int_equal(total, 6);
    uint64_t offs[5] = {0, 2, 2, 3, 6};
    uint16_t hv[6];
    float fv[6];
    void *dst[2] = {hv, fv};
    assert_int_equal(exrqoi__deep_decode_samples(&ctx, NULL, &L, &s, pdata, counts, 2, offs, 2,
                                                 dst, 6),
                     EXRQOI_OK);
    const uint16_t hw[6] = {0x3c00, 0x4000, 0x4200, 0x4400, 0x4500, 0x4600};
    const float fw[6] = {1.5f, 2.5f, 3.5f, 4.5f, 5.5f, 6.5f};
    assert_memory_equal(hv, hw, sizeof hw);
    assert_memory_equal(fv, fw, sizeof fw);

    /* skip a channel */
    memset(fv, 0, sizeof fv);
    void *dst_skip[2] = {NULL, fv};
    assert_int_equal(exrqoi__deep_decode_samples(&ctx, NULL, &L, &s, pdata, counts, 2, offs, 2,
                                                 dst_skip, 6),
                     EXRQOI_OK);
    assert_memory_equal(fv, fw, sizeof fw);

    /* a destination too small is refused before anything is written */
    assert_int_equal(exrqoi__deep_decode_samples(&ctx, NULL, &L, &s, pdata, counts, 2, offs, 2,
                                                 dst, 5),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    /* counts that disagree with the unpacked size */
    counts[0] = 3;
    assert_int_equal(exrqoi__deep_decode_samples(&ctx, NULL, &L, &s, pdata, counts, 2, offs, 2,
                                                 dst, 100),
                     EXRQOI_ERR_BAD_SAMPLES);
    counts[0] = 2;
    /* truncated sample data (raw or deflated, it no longer decodes) */
    exrqoi__deep_chunk_sizes st = s;
    st.packed_data = ndat - 1;
    assert_int_not_equal(exrqoi__deep_decode_samples(&ctx, NULL, &L, &st, pdata, counts, 2, offs,
                                                     2, dst, 6),
                         EXRQOI_OK);

    /* ZIP is not written */
    const void *srcp[2] = {hw, fw};
    size_t out_size;
    assert_int_equal(exrqoi__deep_encode_chunk(&ctx, &L, counts, 2, offs, 2, srcp, 6, &p,
                                               &out_size, NULL),
                     EXRQOI_ERR_UNSUPPORTED_COMPRESSION);
    /* NONE writes the exact layout */
    L.compression = EXRQOI_COMPRESSION_NONE;
    exrqoi__deep_chunk_sizes so;
    assert_int_equal(exrqoi__deep_encode_chunk(&ctx, &L, counts, 2, offs, 2, srcp, 6, &p,
                                               &out_size, &so),
                     EXRQOI_OK);
    assert_int_equal(out_size, 24 + sizeof table + sizeof data);
    assert_int_equal(exrqoi__le64(p), sizeof table);
    assert_int_equal(exrqoi__le64(p + 8), sizeof data);
    assert_int_equal(exrqoi__le64(p + 16), sizeof data);
    assert_memory_equal(p + 24, table, sizeof table);
    assert_memory_equal(p + 24 + sizeof table, data, sizeof data);

    /* a line whose cumulative count does not fit int32 */
    uint32_t huge[4] = {0x80000000u, 0, 0, 0};
    assert_int_equal(exrqoi__deep_encode_chunk(&ctx, &L, huge, 2, offs, 2, srcp, UINT64_MAX, &p,
                                               &out_size, NULL),
                     EXRQOI_ERR_LIMIT);
    exrqoi__codec_ctx_free(&ctx);
}

static void test_image_container(void **state)
{
    (void)state;
    exrqoi_deep_image img;
    const char *names[2] = {"R", "Z"};
    const exrqoi_pixel_type types[2] = {EXRQOI_PIXEL_HALF, EXRQOI_PIXEL_FLOAT};
    assert_int_equal(exrqoi_deep_image_init(&img, NULL, 3, 2, 2, names, types), EXRQOI_OK);
    assert_int_equal(exrqoi_deep_image_find_channel(&img, "Z"), 1);
    assert_int_equal(exrqoi_deep_image_find_channel(&img, "G"), -1);
    const uint32_t c[6] = {1, 0, 2, 0, 3, 1};
    memcpy(img.counts, c, sizeof c);
    assert_int_equal(exrqoi_deep_image_alloc_samples(&img, 6), EXRQOI_ERR_LIMIT);
    assert_int_equal(exrqoi_deep_image_alloc_samples(&img, 7), EXRQOI_OK);
    const uint64_t want[7] = {0, 1, 1, 3, 3, 6, 7};
    assert_memory_equal(img.offsets, want, sizeof want);
    assert_int_equal(img.total_samples, 7);
    assert_int_equal(exrqoi_deep_image_alloc_samples(&img, 6), EXRQOI_ERR_LIMIT);
    exrqoi_deep_image_free(&img);
    assert_null(img.counts);
    exrqoi_deep_image_free(&img);
    const exrqoi_pixel_type bad[2] = {EXRQOI_PIXEL_HALF, (exrqoi_pixel_type)7};
    assert_int_equal(exrqoi_deep_image_init(&img, NULL, 3, 2, 2, names, bad),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    exrqoi_deep_image_free(&img);
}

/* ---- the corpus's deep scanline file against the canonical hash ----------- */

/* Just enough header parsing for a single-part deep scanline file. */
static void test_corpus_balls(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/corpus/openexr-images/v2/LowResLeftView/Balls.exr",
             EXRQOI_SHARED_DIR);
    size_t n;
    uint8_t *f = ts_read_file(path, &n);
    if (!f) {
        fprintf(stderr, "skipping: %s not found\n", path);
        skip();
    }
    assert_int_equal(exrqoi__le32(f), 20000630);
    size_t p = 8;
    int32_t dw[4] = {0, 0, -1, -1}, chunk_count = -1;
    exrqoi_compression comp = EXRQOI_COMPRESSION_COUNT;
    char cnames[8][32];
    exrqoi_pixel_type ctypes[8];
    int nchan = 0;
    while (f[p]) {
        const char *name = (const char *)f + p;
        p += strlen(name) + 1;
        const char *type = (const char *)f + p;
        p += strlen(type) + 1;
        uint32_t size = exrqoi__le32(f + p);
        p += 4;
        const uint8_t *v = f + p;
        if (!strcmp(name, "dataWindow"))
            for (int i = 0; i < 4; i++) dw[i] = (int32_t)exrqoi__le32(v + 4 * i);
        else if (!strcmp(name, "compression"))
            comp = (exrqoi_compression)v[0];
        else if (!strcmp(name, "chunkCount"))
            chunk_count = (int32_t)exrqoi__le32(v);
        else if (!strcmp(name, "channels")) {
            size_t q = 0;
            while (v[q] && nchan < 8) {
                snprintf(cnames[nchan], sizeof cnames[nchan], "%s", (const char *)v + q);
                q += strlen((const char *)v + q) + 1;
                ctypes[nchan++] = (exrqoi_pixel_type)exrqoi__le32(v + q);
                q += 16;
            }
        }
        p += size;
    }
    p++;
    int32_t w = dw[2] - dw[0] + 1, h = dw[3] - dw[1] + 1;
    assert_int_equal(comp, EXRQOI_COMPRESSION_ZIPS);
    assert_int_equal(chunk_count, h);
    const char *np[8];
    for (int c = 0; c < nchan; c++) np[c] = cnames[c];
    exrqoi_deep_image img;
    assert_int_equal(exrqoi_deep_image_init(&img, NULL, w, h, nchan, np, ctypes), EXRQOI_OK);
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    exrqoi__deep_chunk_layout L = layout_of(w, 1, nchan, ctypes, comp);
    const uint8_t *offs = f + p;
    for (int pass = 0; pass < 2; pass++) {
        void *dst[8];
        for (int c = 0; c < nchan; c++) dst[c] = img.channels[c].samples;
        for (int32_t i = 0; i < chunk_count; i++) {
            uint64_t at = exrqoi__le64(offs + 8 * (size_t)i);
            assert_true(at + 28 <= n);
            int32_t y = (int32_t)exrqoi__le32(f + at) - dw[1];
            assert_true(y >= 0 && y < h);
            exrqoi__deep_chunk_sizes s;
            exrqoi__deep_sizes_read(f + at + 4, &s);
            const uint8_t *table = f + at + 28;
            assert_true(at + 28 + s.packed_table + s.packed_data <= n);
            size_t row = (size_t)y * (size_t)w;
            if (pass == 0)
                assert_int_equal(exrqoi__deep_decode_counts(&ctx, NULL, &L, &s, table,
                                                            img.counts + row, (size_t)w, NULL),
                                 EXRQOI_OK);
            else
                assert_int_equal(exrqoi__deep_decode_samples(
                                     &ctx, NULL, &L, &s, table + s.packed_table,
                                     img.counts + row, (size_t)w, img.offsets + row, (size_t)w,
                                     dst, img.total_samples),
                                 EXRQOI_OK);
        }
        if (pass == 0) assert_int_equal(exrqoi_deep_image_alloc_samples(&img, 0), EXRQOI_OK);
    }
    /* MANIFEST.txt: counts 0 0 0 pixels=310184 total=162877 crc32=f4072345 */
    assert_int_equal((int64_t)w * h, 310184);
    assert_int_equal(img.total_samples, 162877);
    uint32_t crc = 0;
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++) {
        uint8_t b[4];
        exrqoi__put32(b, img.counts[i]);
        crc = exrqoi__crc32(crc, b, 4);
    }
    assert_int_equal(crc, 0xf4072345u);
    const uint32_t want[5] = {0xb80d50e4u, 0x0c802e91u, 0x36f0da71u, 0x8bdac3aeu, 0x98db30bcu};
    assert_int_equal(nchan, 5);
    for (int c = 0; c < nchan; c++) {
        size_t sz = ctypes[c] == EXRQOI_PIXEL_HALF ? 2 : 4;
        /* samples are native; the hash is over little-endian bytes */
        uint32_t cc = 0;
        const uint8_t *s = (const uint8_t *)img.channels[c].samples;
        for (uint64_t i = 0; i < img.total_samples; i++) {
            uint8_t b[4];
            if (sz == 2)
                exrqoi__put16(b, ((const uint16_t *)s)[i]);
            else
                exrqoi__put32(b, ((const uint32_t *)s)[i]);
            cc = exrqoi__crc32(cc, b, sz);
        }
        assert_int_equal(cc, want[c]);
    }

    /* and it flattens without NaNs, alpha within [0,1] */
    float *rgba = malloc((size_t)w * (size_t)h * 4 * sizeof(float));
    float *z = malloc((size_t)w * (size_t)h * sizeof(float));
    assert_int_equal(exrqoi_deep_flatten_image(&img, rgba, z), EXRQOI_OK);
    size_t covered = 0;
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++) {
        for (int k = 0; k < 4; k++) assert_false(rgba[4 * i + k] != rgba[4 * i + k]);
        assert_true(rgba[4 * i + 3] >= 0.0f && rgba[4 * i + 3] <= 1.0f);
        if (img.counts[i]) covered++;
        if (!img.counts[i]) assert_true(rgba[4 * i + 3] == 0.0f);
    }
    assert_true(covered > 0);
    free(rgba);
    free(z);
    exrqoi__codec_ctx_free(&ctx);
    exrqoi_deep_image_free(&img);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_valid),
        cmocka_unit_test(test_counts_rejected),
        cmocka_unit_test(test_counts_wide_lines),
        cmocka_unit_test(test_counts_corrupt_compressed),
        cmocka_unit_test(test_counts_tiled_none_filler),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_chunk_local_and_zip),
        cmocka_unit_test(test_image_container),
        cmocka_unit_test(test_corpus_balls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
