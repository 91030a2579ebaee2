/*
 * ZIP/ZIPS encoding: the per-chunk default level rule, an explicit
 * zip_level meaning exactly that libdeflate level, output that decodes to
 * the input, and files that do not depend on the thread count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libdeflate.h>

#include "codec/codec.h"
#include "codec/deflate_enc.h"
#include "codec_block.h"
#include "exrqoi/exrqoi.h"
#include "test_support.h"

/* Bytes cycling through `k` values: an order-0 entropy of log2(k) bits
 * in every 64-byte run the estimate samples (64 is a multiple of k). */
static void fill_cycle(uint8_t *p, size_t n, unsigned k)
{
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(17 * (i % k));
}

static void test_auto_level_rule(void **state)
{
    (void)state;
    size_t n = 1 << 16;
    uint8_t *p = malloc(n);
    assert_non_null(p);
    uint32_t s = 12345;
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)ts_xorshift32(&s);
    assert_int_equal(exrqoi__deflate_auto_level(p, n), EXRQOI__DEFLATE_FAST_LEVEL);
    /* short chunks always get the default, however noisy */
    assert_int_equal(exrqoi__deflate_auto_level(p, EXRQOI__DEFLATE_FAST_MIN_SIZE - 1),
                     EXRQOI__DEFLATE_DEFAULT_LEVEL);
    assert_int_equal(exrqoi__deflate_auto_level(p, EXRQOI__DEFLATE_FAST_MIN_SIZE),
                     EXRQOI__DEFLATE_FAST_LEVEL);
    memset(p, 0, n);
    assert_int_equal(exrqoi__deflate_auto_level(p, n), EXRQOI__DEFLATE_DEFAULT_LEVEL);
    /* 2 bits per byte is below the 2.5-bit line, 3 bits above it */
    fill_cycle(p, n, 4);
    assert_int_equal(exrqoi__deflate_auto_level(p, n), EXRQOI__DEFLATE_DEFAULT_LEVEL);
    fill_cycle(p, n, 8);
    assert_int_equal(exrqoi__deflate_auto_level(p, n), EXRQOI__DEFLATE_FAST_LEVEL);
    /* 2.5 bits exactly (each run: half its bytes from 4 values, half from
     * 2) is fast; a little less (some 1s turned to 0s) is not */
    for (size_t i = 0; i < n; i++) p[i] = (i & 32) ? (uint8_t)(i % 2) : (uint8_t)(2 + i % 4);
    assert_int_equal(exrqoi__deflate_auto_level(p, n), EXRQOI__DEFLATE_FAST_LEVEL);
    for (size_t i = 0; i < n; i += 64) p[i + 41] = p[i + 43] = p[i + 45] = p[i + 47] = 0;
    assert_int_equal(exrqoi__deflate_auto_level(p, n), EXRQOI__DEFLATE_DEFAULT_LEVEL);
    free(p);
}

/* A ZIP block of 4 half channels: noisy (photo-like) or a smooth ramp. */
static uint8_t *make_pixels(exrqoi__block_layout *b, exrqoi__chan_layout *cl, int w, int h,
                            exrqoi_compression comp, bool noisy)
{
    chan_spec cs[4] = {{EXRQOI_PIXEL_HALF, 0, 1, 1}, {EXRQOI_PIXEL_HALF, 0, 1, 1},
                       {EXRQOI_PIXEL_HALF, 0, 1, 1}, {EXRQOI_PIXEL_HALF, 0, 1, 1}};
    make_block(b, cl, cs, 4, 0, 0, w, h, comp);
    uint8_t *p = malloc(b->unpacked_size);
    assert_non_null(p);
    uint32_t s = 99;
    for (size_t i = 0; i < b->unpacked_size / 2; i++) {
        uint16_t v = noisy ? (uint16_t)(0x3400 + (ts_xorshift32(&s) & 0x3ff)) : (uint16_t)(0x3c00 + (i % 61));
        p[2 * i] = (uint8_t)v;
        p[2 * i + 1] = (uint8_t)(v >> 8);
    }
    return p;
}

/* What a chunk must be at `level`: predictor, then libdeflate itself, or
 * at the default level on run-heavy bytes the LZ77 encoder, on noise the
 * literal/run coder or the split encoder (codec/deflate_enc.h) and on the
 * rest libdeflate at OpenEXR's level. */
static size_t reference(const uint8_t *src, size_t n, int level, uint8_t *out, size_t cap)
{
    uint8_t *pred = malloc(n);
    assert_non_null(pred);
    exrqoi__zip_predict(src, n, pred);
    if (level == 0 && exrqoi__deflate_lz_suits(exrqoi__deflate_sample_of(pred, n))) {
        void *work = malloc(exrqoi__deflate_lz_work_size(n));
        assert_non_null(work);
        size_t got = exrqoi__deflate_lz(work, pred, n, out, cap);
        free(work);
        free(pred);
        return got;
    }
    bool long_chunk = n >= EXRQOI__DEFLATE_FAST_MIN_SIZE;
    bool photo = level == 0 &&
                 (long_chunk ? exrqoi__deflate_auto_level(pred, n) == EXRQOI__DEFLATE_FAST_LEVEL
                             : n >= EXRQOI__DEFLATE_RUNS_MIN_SIZE);
    bool runs = photo && exrqoi__deflate_runs_suits(exrqoi__deflate_sample_of(pred, n));
    bool suits = photo && (runs || long_chunk) && exrqoi__deflate_split_suits(pred, n);
    size_t got = suits && runs ? exrqoi__deflate_runs(pred, n, out, cap) : 0;
    bool split = !got && suits && long_chunk;
    if (!got) {
        if (level == 0) level = split ? EXRQOI__DEFLATE_SPLIT_HIGH_LEVEL : EXRQOI__DEFLATE_ZIP_LEVEL;
        struct libdeflate_compressor *c = libdeflate_alloc_compressor(level);
        assert_non_null(c);
        got = split ? exrqoi__deflate_split(c, pred, n, out, cap) : libdeflate_zlib_compress(c, pred, n, out, cap);
        libdeflate_free_compressor(c);
    }
    free(pred);
    return got;
}

static void test_levels_honoured(void **state)
{
    (void)state;
    exrqoi__chan_layout cla[4], clb[4];
    exrqoi__block_layout ba, bb;
    uint8_t *noisy = make_pixels(&ba, cla, 512, 16, EXRQOI_COMPRESSION_ZIP, true);
    uint8_t *flat = make_pixels(&bb, clb, 512, 16, EXRQOI_COMPRESSION_ZIP, false);
    size_t cap = exrqoi__compress_bound(&ba) * 2;
    uint8_t *want = malloc(cap), *dec = malloc(ba.unpacked_size);
    assert_non_null(want);
    assert_non_null(dec);
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    /* alternating chunks and levels, so the compressor cache is exercised */
    const int levels[] = {0, 0, 1, 4, 6, 0, 9, 12, 5, 0, 8, 6, 4, 0};
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        for (int k = 0; k < 2; k++) {
            const exrqoi__block_layout *b = k ? &bb : &ba;
            const uint8_t *src = k ? flat : noisy;
            ctx.zip_level = levels[i];
            const uint8_t *out;
            size_t n;
            assert_int_equal(exrqoi__compress_block(&ctx, b, src, &out, &n), EXRQOI_OK);
            size_t wn = reference(src, b->unpacked_size, levels[i], want, cap);
            assert_true(wn > 0);
            assert_int_equal(n, wn);
            assert_memory_equal(out, want, n);
            assert_int_equal(exrqoi__decompress_block(&ctx, b, out, n, dec), EXRQOI_OK);
            assert_memory_equal(dec, src, b->unpacked_size);
        }
    }
    /* the default picks the fast level for noise and 6 for the ramp */
    uint8_t *pred = malloc(ba.unpacked_size);
    assert_non_null(pred);
    exrqoi__zip_predict(noisy, ba.unpacked_size, pred);
    assert_int_equal(exrqoi__deflate_auto_level(pred, ba.unpacked_size), EXRQOI__DEFLATE_FAST_LEVEL);
    exrqoi__zip_predict(flat, bb.unpacked_size, pred);
    assert_int_equal(exrqoi__deflate_auto_level(pred, bb.unpacked_size), EXRQOI__DEFLATE_DEFAULT_LEVEL);
    free(pred);
    exrqoi__codec_ctx_free(&ctx);
    free(noisy);
    free(flat);
    free(want);
    free(dec);
}

/* Half RGBA pixels: noise in the top half, a smooth ramp below, so both
 * default levels are used within one file. */
static uint16_t *make_image(int w, int h)
{
    uint16_t *px = malloc((size_t)w * (size_t)h * 4 * sizeof *px);
    assert_non_null(px);
    uint32_t s = 7;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 4; c++) {
                uint16_t v = y < h / 2 ? (uint16_t)(0x3000 + (ts_xorshift32(&s) & 0x7ff))
                                       : (uint16_t)(0x3800 + ((x + y + 64 * c) & 0x3ff));
                px[((size_t)y * (size_t)w + (size_t)x) * 4 + (size_t)c] = v;
            }
    return px;
}

static void *write_rgba(const uint16_t *px, int w, int h, exrqoi_compression comp, int threads, int level,
                        size_t *size)
{
    exrqoi_write_options wo = EXRQOI_WRITE_OPTIONS_INIT;
    wo.threads = threads;
    wo.zip_level = level;
    exrqoi_rgba_write_options ro = EXRQOI_RGBA_WRITE_OPTIONS_INIT;
    ro.write = &wo;
    ro.compression = comp;
    ro.input_type = EXRQOI_PIXEL_HALF;
    void *data = NULL;
    assert_int_equal(exrqoi_rgba_write(exrqoi_sink_memory(&data, size), w, h, px, 0, &ro), EXRQOI_OK);
    return data;
}

static void check_decodes(const void *data, size_t size, const uint16_t *px, int w, int h)
{
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), NULL, &r), EXRQOI_OK);
    exrqoi_rgba_read_options ro = EXRQOI_RGBA_READ_OPTIONS_INIT;
    ro.type = EXRQOI_PIXEL_HALF;
    void *got = NULL;
    size_t n = 0;
    assert_int_equal(exrqoi_rgba_read_alloc(r, &ro, NULL, &got, &n), EXRQOI_OK);
    assert_int_equal(n, (size_t)w * (size_t)h * 8);
    assert_memory_equal(got, px, n);
    exrqoi_free(NULL, got);
    exrqoi_reader_close(r);
}

static void test_threads_same_bytes(void **state)
{
    (void)state;
    const int w = 700, h = 96;
    uint16_t *px = make_image(w, h);
    const exrqoi_compression comps[] = {EXRQOI_COMPRESSION_ZIP, EXRQOI_COMPRESSION_ZIPS};
    for (int k = 0; k < 2; k++)
        for (int level = 0; level <= 4; level += 4) {
            size_t n1, n;
            void *one = write_rgba(px, w, h, comps[k], 1, level, &n1);
            check_decodes(one, n1, px, w, h);
            for (int t = 2; t <= 3; t++) {
                void *d = write_rgba(px, w, h, comps[k], t, level, &n);
                assert_int_equal(n, n1);
                assert_memory_equal(d, one, n);
                exrqoi_free(NULL, d);
            }
            exrqoi_free(NULL, one);
        }
    free(px);
}

/* An explicit level is that level for every chunk: level 6 must give the
 * bytes of the former fixed default, which differ from level 4's. */
static void test_explicit_level_file(void **state)
{
    (void)state;
    const int w = 700, h = 96;
    uint16_t *px = make_image(w, h);
    size_t n0, n4, n6;
    void *d0 = write_rgba(px, w, h, EXRQOI_COMPRESSION_ZIP, 1, 0, &n0);
    void *d4 = write_rgba(px, w, h, EXRQOI_COMPRESSION_ZIP, 1, 4, &n4);
    void *d6 = write_rgba(px, w, h, EXRQOI_COMPRESSION_ZIP, 1, 6, &n6);
    /* the default mixes: noisy chunks by the split encoder, ramp chunks as at 4 */
    assert_true(n0 != n4 || memcmp(d0, d4, n0) != 0);
    assert_true(n0 != n6 || memcmp(d0, d6, n0) != 0);
    assert_true(n6 < n4);
    check_decodes(d4, n4, px, w, h);
    check_decodes(d6, n6, px, w, h);
    exrqoi_free(NULL, d0);
    exrqoi_free(NULL, d4);
    exrqoi_free(NULL, d6);
    free(px);
}

/* The inflate runs into scratch with room past the unpacked size (to stay
 * in libdeflate's fast loop): a stream of exactly the unpacked size
 * decodes, through the byte entry and the segments entry, and a stream of
 * any other size, inside that room or beyond it, is still corrupt. */
static void test_inflate_exact_size(void **state)
{
    (void)state;
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    exrqoi__chan_layout cl[1];
    const chan_spec cs[1] = {{EXRQOI_PIXEL_HALF, 0, 1, 1}};
    exrqoi__block_layout b;
    make_block(&b, cl, cs, 1, 0, 0, 100, 16, EXRQOI_COMPRESSION_ZIP);
    const size_t n = b.unpacked_size; /* 3200 */
    const size_t extra[] = {0, 1, 2, 100, 511, 512, 513, 4000};
    uint8_t *src = malloc(n + 4000), *out = malloc(n), *z = malloc(2 * (n + 4000) + 64);
    assert_non_null(src);
    assert_non_null(out);
    assert_non_null(z);
    for (size_t i = 0; i < n + 4000; i++) src[i] = (uint8_t)(i * 7 + (i >> 5));
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
    assert_non_null(c);

    /* exact: our own encoding decodes to the input both ways */
    const uint8_t *packed;
    size_t packed_size;
    assert_int_equal(exrqoi__compress_bytes(&ctx, EXRQOI_COMPRESSION_ZIP, src, n, &packed, &packed_size),
                     EXRQOI_OK);
    uint8_t *copy = malloc(packed_size);
    assert_non_null(copy);
    memcpy(copy, packed, packed_size);
    memset(out, 0, n);
    assert_int_equal(exrqoi__decompress_bytes(&ctx, EXRQOI_COMPRESSION_ZIP, copy, packed_size, out, n), EXRQOI_OK);
    assert_memory_equal(out, src, n);
    memset(out, 0, n);
    exrqoi__segment seg[2] = {{out, n / 2}, {out + n / 2, n - n / 2}};
    assert_int_equal(exrqoi__decompress_block_segments(&ctx, &b, copy, packed_size, seg, 2), EXRQOI_OK);
    assert_memory_equal(out, src, n);
    free(copy);

    /* streams of n - 1 and n + extra bytes */
    for (size_t k = 0; k < sizeof extra / sizeof extra[0] + 1; k++) {
        size_t m = k < sizeof extra / sizeof extra[0] ? n + extra[k] : n - 1;
        if (m == n) continue;
        size_t zn = libdeflate_zlib_compress(c, src, m, z, 2 * (n + 4000) + 64);
        assert_true(zn > 0);
        assert_int_equal(exrqoi__decompress_bytes(&ctx, EXRQOI_COMPRESSION_ZIP, z, zn, out, n),
                         EXRQOI_ERR_CORRUPT);
        assert_int_equal(exrqoi__decompress_block_segments(&ctx, &b, z, zn, seg, 2), EXRQOI_ERR_CORRUPT);
    }
    libdeflate_free_compressor(c);
    free(z);
    free(out);
    free(src);
    exrqoi__codec_ctx_free(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auto_level_rule),
        cmocka_unit_test(test_levels_honoured),
        cmocka_unit_test(test_threads_same_bytes),
        cmocka_unit_test(test_explicit_level_file),
        cmocka_unit_test(test_inflate_exact_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
