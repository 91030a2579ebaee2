/* B44 / B44A codec: known vectors (confirmed against OpenEXR 3.1.5's
 * encoder), round trips of edge layouts, and corrupt input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "codec/b44.h"
#include "codec/b44_tables.h"
#include "codec/codec.h"
#include "common/half.h"

#include "codec_block.h"
#include "test_support.h"

static uint32_t g_rng = 1;
static uint32_t rnd(void) { return ts_lcg_ansi(&g_rng) >> 8; }

/* Raw codec encode + decode (no stored-raw shortcut). */
static void codec_roundtrip(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                            const uint8_t *src, uint8_t *dec, size_t *packed_n)
{
    const exrqoi__codec *cd = exrqoi__codec_get(b->compression);
    size_t cap = cd->bound(b);
    uint8_t *packed = malloc(cap);
    assert_non_null(packed);
    size_t n = 0;
    assert_int_equal(cd->compress(ctx, b, src, packed, cap, &n), EXRQOI_OK);
    assert_true(n <= cap);
    assert_int_equal(cd->decompress(ctx, b, packed, n, dec), EXRQOI_OK);
    if (packed_n) *packed_n = n;
    free(packed);
}

/* 0x3c00 + i*37 + (i%3)*500 with an Inf, a negative and a denormal */
static uint16_t known_block(int i)
{
    if (i == 5) return 0x7c00;
    if (i == 6) return 0xbc00;
    if (i == 9) return 0x0001;
    return (uint16_t)(0x3c00 + i * 37 + (i % 3) * 500);
}

static void test_known_vectors(void **state)
{
    (void)state;
    /* bytes and decoded values of known_block by OpenEXR 3.1.5 (pLinear 0, 1) */
    static const uint8_t want_log[14] = {0xbd, 0xee, 0x2a, 0x08, 0x5f, 0x81, 0x14,
                                         0x20, 0x85, 0x1b, 0xe1, 0x7f, 0xe8, 0x5f};
    static const uint8_t want_lin[14] = {0xbc, 0x88, 0x26, 0x18, 0x1f, 0x84, 0x17,
                                         0xe1, 0x83, 0xe8, 0x60, 0x7e, 0x18, 0x20};
    static const uint16_t dec_log[16] = {0x3dee, 0x3dee, 0x41ee, 0x3dee, 0x3dee, 0x01ee,
                                         0xba11, 0x3dee, 0x41ee, 0x01ee, 0x3dee, 0x41ee,
                                         0x3dee, 0x3dee, 0x41ee, 0x3dee};
    static const uint16_t dec_lin[16] = {0x3bfb, 0x43d8, 0x43d8, 0x3bfb, 0x43d8, 0xd5dd,
                                         0x3bfb, 0x43d8, 0x43d8, 0x3bfb, 0x43d8, 0x43d8,
                                         0x3bfb, 0x43d8, 0x43d8, 0x43d8};
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    /* two channels, same data: Y (pLinear 0) then Z (pLinear 1) */
    chan_spec cs[2] = {{EXRQOI_PIXEL_HALF, 0, 1, 1}, {EXRQOI_PIXEL_HALF, 1, 1, 1}};
    exrqoi__chan_layout cl[2];
    exrqoi__block_layout b;
    for (int mode = 0; mode < 2; mode++) {
        make_block(&b, cl, cs, 2, 0, 0, 4, 4,
                   mode ? EXRQOI_COMPRESSION_B44A : EXRQOI_COMPRESSION_B44);
        uint8_t src[64], packed[128], dec[64];
        for (int y = 0; y < 4; y++)
            for (int c = 0; c < 2; c++)
                for (int x = 0; x < 4; x++)
                    exrqoi__put16(src + y * 16 + c * 8 + x * 2, known_block(y * 4 + x));
        const exrqoi__codec *cd = exrqoi__codec_get(b.compression);
        size_t n = 0;
        assert_int_equal(cd->compress(&ctx, &b, src, packed, sizeof packed, &n), EXRQOI_OK);
        assert_int_equal(n, 28);
        assert_memory_equal(packed, want_log, 14);
        assert_memory_equal(packed + 14, want_lin, 14);
        assert_int_equal(cd->decompress(&ctx, &b, packed, n, dec), EXRQOI_OK);
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++) {
                assert_int_equal(exrqoi__le16(dec + y * 16 + x * 2), dec_log[y * 4 + x]);
                assert_int_equal(exrqoi__le16(dec + y * 16 + 8 + x * 2), dec_lin[y * 4 + x]);
            }
    }
    exrqoi__codec_ctx_free(&ctx);
}

static void test_tables(void **state)
{
    (void)state;
    const uint16_t *e = exrqoi__b44_exp_table(), *l = exrqoi__b44_log_table();
    assert_int_equal(e[0x0000], 0x3c00); /* exp(0) = 1 */
    assert_int_equal(e[0x4800], 0x4170); /* exp(8/8) = e */
    assert_int_equal(e[0xc800], 0x35e3); /* exp(-1) */
    assert_int_equal(e[0x558b], 0x7bf7);
    assert_int_equal(e[0x558c], 0x7bff); /* clamps to HALF_MAX */
    assert_int_equal(e[0x7c00], 0);      /* Inf -> 0 */
    assert_int_equal(e[0x7e00], 0);      /* NaN -> 0 */
    assert_int_equal(l[0x3c00], 0x0000); /* 8 ln 1 = 0 */
    assert_int_equal(l[0x4170], 0x4800);
    assert_int_equal(l[0x4000], 0x458c); /* 8 ln 2 */
    assert_int_equal(l[0x0000], 0xfc00); /* ln 0 = -inf */
    assert_int_equal(l[0x8000], 0xfc00); /* -0 too */
    assert_int_equal(l[0x8001], 0);      /* negatives -> 0 */
    assert_int_equal(l[0x7c00], 0);
    for (uint32_t i = 1; i < 0x7c00; i++) assert_true(e[i] >= e[i - 1]); /* monotonic */
}

/* Flat blocks: B44A packs to 3 bytes, B44 to 14, both decode exactly. */
static void test_flat(void **state)
{
    (void)state;
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    chan_spec cs[1] = {{EXRQOI_PIXEL_HALF, 0, 1, 1}};
    exrqoi__chan_layout cl[1];
    exrqoi__block_layout b;
    static const uint16_t vals[] = {0x0000, 0x8000, 0x3c00, 0xc000, 0x7bff, 0xfbff, 0x0001, 0x83ff};
    for (int mode = 0; mode < 2; mode++)
        for (size_t v = 0; v < sizeof vals / sizeof vals[0]; v++) {
            make_block(&b, cl, cs, 1, 0, 0, 8, 8,
                       mode ? EXRQOI_COMPRESSION_B44A : EXRQOI_COMPRESSION_B44);
            uint8_t src[128], dec[128];
            for (int i = 0; i < 64; i++) exrqoi__put16(src + 2 * i, vals[v]);
            size_t n;
            codec_roundtrip(&ctx, &b, src, dec, &n);
            assert_int_equal(n, mode ? 4 * 3 : 4 * 14);
            assert_memory_equal(src, dec, sizeof src);
        }
    /* NaN and Inf flatten to +0 */
    make_block(&b, cl, cs, 1, 0, 0, 4, 4, EXRQOI_COMPRESSION_B44A);
    uint8_t src[32], dec[32];
    for (int i = 0; i < 16; i++) exrqoi__put16(src + 2 * i, (uint16_t)(i & 1 ? 0x7c00 : 0xfe01));
    size_t n;
    codec_roundtrip(&ctx, &b, src, dec, &n);
    assert_int_equal(n, 3);
    for (int i = 0; i < 16; i++) assert_int_equal(exrqoi__le16(dec + 2 * i), 0);
    exrqoi__codec_ctx_free(&ctx);
}

/* Blocks whose values span fewer than 32 steps are kept exactly (shift 0). */
static void test_small_range_lossless(void **state)
{
    (void)state;
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    chan_spec cs[1] = {{EXRQOI_PIXEL_HALF, 0, 1, 1}};
    exrqoi__chan_layout cl[1];
    exrqoi__block_layout b;
    make_block(&b, cl, cs, 1, 0, 0, 16, 12, EXRQOI_COMPRESSION_B44);
    uint8_t src[16 * 12 * 2], dec[sizeof src];
    for (int i = 0; i < 16 * 12; i++) {
        int bx = (i % 16) / 4, by = (i / 16) / 4;
        uint16_t base = (uint16_t)(0x3000 + 0x400 * bx + 0x100 * by);
        if (by == 2) base ^= 0x8000; /* negative blocks too */
        exrqoi__put16(src + 2 * i, (uint16_t)(base + (rnd() % 16)));
    }
    codec_roundtrip(&ctx, &b, src, dec, NULL);
    assert_memory_equal(src, dec, sizeof src);
    exrqoi__codec_ctx_free(&ctx);
}

/* Edge layouts: widths and heights not multiple of 4, width 1, height 1,
 * subsampled channels, float and uint channels among half ones, pLinear.
 * Non-half channels must round-trip exactly; half ones stay close and a
 * second round trip changes nothing further than the first (idempotent on
 * already-decoded values for the non-pLinear case). */
static void test_edge_layouts(void **state)
{
    (void)state;
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    chan_spec cs[5] = {{EXRQOI_PIXEL_HALF, 0, 1, 1},
                       {EXRQOI_PIXEL_FLOAT, 0, 1, 1},
                       {EXRQOI_PIXEL_HALF, 1, 1, 1},
                       {EXRQOI_PIXEL_UINT, 0, 1, 1},
                       {EXRQOI_PIXEL_HALF, 0, 2, 2}};
    static const int32_t rects[][4] = {{0, 0, 1, 1},  {0, 0, 1, 32}, {-3, 5, 37, 1},
                                       {1, -7, 5, 7}, {0, 0, 13, 32}, {-2, -1, 6, 11}};
    for (int comp = 0; comp < 2; comp++)
        for (size_t r = 0; r < sizeof rects / sizeof rects[0]; r++) {
            exrqoi__chan_layout cl[5];
            exrqoi__block_layout b;
            make_block(&b, cl, cs, 5, rects[r][0], rects[r][1], rects[r][2], rects[r][3],
                       comp ? EXRQOI_COMPRESSION_B44A : EXRQOI_COMPRESSION_B44);
            uint8_t *src = malloc(b.unpacked_size), *dec = malloc(b.unpacked_size),
                    *dec2 = malloc(b.unpacked_size);
            assert_non_null(src);
            assert_non_null(dec);
            assert_non_null(dec2);
            /* fill line by line so each sample knows its channel */
            size_t pos = 0;
            for (int32_t yy = 0; yy < b.height; yy++)
                for (int c = 0; c < 5; c++) {
                    if (exrqoi__mod(b.y + yy, cl[c].y_sampling) != 0) continue;
                    for (int32_t x = 0; x < cl[c].width; x++) {
                        if (cl[c].type == EXRQOI_PIXEL_HALF) {
                            float f = 1.0f + 0.01f * (float)x + 0.02f * (float)yy + 0.1f * c;
                            exrqoi__put16(src + pos, exrqoi__f2h(f));
                            pos += 2;
                        } else {
                            exrqoi__put32(src + pos, rnd() ^ (rnd() << 20));
                            pos += 4;
                        }
                    }
                }
            assert_int_equal(pos, b.unpacked_size);
            codec_roundtrip(&ctx, &b, src, dec, NULL);
            codec_roundtrip(&ctx, &b, dec, dec2, NULL);
            pos = 0;
            for (int32_t yy = 0; yy < b.height; yy++)
                for (int c = 0; c < 5; c++) {
                    if (exrqoi__mod(b.y + yy, cl[c].y_sampling) != 0) continue;
                    for (int32_t x = 0; x < cl[c].width; x++) {
                        if (cl[c].type != EXRQOI_PIXEL_HALF) {
                            assert_memory_equal(src + pos, dec + pos, 4);
                            pos += 4;
                            continue;
                        }
                        float a = exrqoi__h2f(exrqoi__le16(src + pos));
                        float d = exrqoi__h2f(exrqoi__le16(dec + pos));
                        assert_true(d > a * 0.97f && d < a * 1.03f);
                        if (!cl[c].p_linear)
                            assert_int_equal(exrqoi__le16(dec + pos), exrqoi__le16(dec2 + pos));
                        pos += 2;
                    }
                }
            free(src);
            free(dec);
            free(dec2);
        }
    exrqoi__codec_ctx_free(&ctx);
}

/* The packed stream: channels one after another; raw float after blocks. */
static void test_stream_layout(void **state)
{
    (void)state;
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    chan_spec cs[2] = {{EXRQOI_PIXEL_HALF, 0, 1, 1}, {EXRQOI_PIXEL_FLOAT, 0, 1, 1}};
    exrqoi__chan_layout cl[2];
    exrqoi__block_layout b;
    make_block(&b, cl, cs, 2, 0, 0, 5, 2, EXRQOI_COMPRESSION_B44A);
    uint8_t src[5 * 2 * 6], packed[256], dec[sizeof src];
    for (int y = 0; y < 2; y++) {
        for (int x = 0; x < 5; x++) exrqoi__put16(src + y * 30 + 2 * x, 0x3c00);
        for (int x = 0; x < 5; x++) exrqoi__put32(src + y * 30 + 10 + 4 * x, (uint32_t)(y * 5 + x));
    }
    const exrqoi__codec *cd = exrqoi__codec_get(b.compression);
    size_t n = 0;
    assert_int_equal(cd->compress(&ctx, &b, src, packed, sizeof packed, &n), EXRQOI_OK);
    assert_int_equal(n, 2 * 3 + 40); /* two flat blocks, then 10 floats */
    for (uint32_t i = 0; i < 10; i++) assert_int_equal(exrqoi__le32(packed + 6 + 4 * i), i);
    assert_int_equal(cd->decompress(&ctx, &b, packed, n, dec), EXRQOI_OK);
    assert_memory_equal(src, dec, sizeof src);
    exrqoi__codec_ctx_free(&ctx);
}

/* Through the dispatcher: output not smaller than the input is stored raw
 * (a 1x1 half chunk packs to 14 bytes; a 7x2 one to exactly 28). */
static void test_stored_raw(void **state)
{
    (void)state;
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    chan_spec cs[1] = {{EXRQOI_PIXEL_HALF, 0, 1, 1}};
    exrqoi__chan_layout cl[1];
    exrqoi__block_layout b;
    static const int32_t dims[][2] = {{1, 1}, {7, 2}, {2, 1}};
    for (size_t i = 0; i < 3; i++) {
        make_block(&b, cl, cs, 1, 0, 0, dims[i][0], dims[i][1], EXRQOI_COMPRESSION_B44);
        uint8_t src[64], dec[64];
        for (size_t k = 0; k < b.unpacked_size; k++) src[k] = (uint8_t)(rnd() & 0x3f);
        const uint8_t *out;
        size_t n;
        assert_int_equal(exrqoi__compress_block(&ctx, &b, src, &out, &n), EXRQOI_OK);
        assert_ptr_equal(out, src);
        assert_int_equal(n, b.unpacked_size);
        assert_int_equal(exrqoi__decompress_block(&ctx, &b, out, n, dec), EXRQOI_OK);
        assert_memory_equal(src, dec, n);
    }
    exrqoi__codec_ctx_free(&ctx);
}

/* Truncations, garbage, oversized shifts: a clean error or success, never
 * an access outside the buffers (run under ASan). */
static void test_corrupt(void **state)
{
    (void)state;
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    chan_spec cs[3] = {{EXRQOI_PIXEL_HALF, 1, 1, 1},
                       {EXRQOI_PIXEL_UINT, 0, 1, 1},
                       {EXRQOI_PIXEL_HALF, 0, 1, 1}};
    exrqoi__chan_layout cl[3];
    exrqoi__block_layout b;
    make_block(&b, cl, cs, 3, 0, 3, 9, 6, EXRQOI_COMPRESSION_B44);
    const exrqoi__codec *cd = exrqoi__codec_get(b.compression);
    uint8_t *src = malloc(b.unpacked_size), *dst = malloc(b.unpacked_size);
    size_t cap = cd->bound(&b);
    uint8_t *packed = malloc(cap);
    assert_non_null(src);
    assert_non_null(dst);
    assert_non_null(packed);
    for (size_t i = 0; i < b.unpacked_size; i++) src[i] = (uint8_t)rnd();
    size_t n = 0;
    assert_int_equal(cd->compress(&ctx, &b, src, packed, cap, &n), EXRQOI_OK);
    /* every proper prefix is too short */
    for (size_t len = 0; len < n; len++) {
        uint8_t *cut = malloc(len ? len : 1);
        assert_non_null(cut);
        memcpy(cut, packed, len);
        assert_int_equal(cd->decompress(&ctx, &b, cut, len, dst), EXRQOI_ERR_CORRUPT);
        free(cut);
    }
    /* shift fields of 12 (largest non-flat) and flat markers up to 0xff */
    for (int v = 0; v < 256; v++) {
        uint8_t *m = malloc(n);
        assert_non_null(m);
        for (size_t i = 0; i < n; i++) m[i] = (uint8_t)(i % 14 == 2 ? (uint32_t)v : rnd());
        exrqoi_result r = cd->decompress(&ctx, &b, m, n, dst);
        assert_true(r == EXRQOI_OK || r == EXRQOI_ERR_CORRUPT);
        free(m);
    }
    /* random garbage of random lengths */
    for (int t = 0; t < 200; t++) {
        size_t len = rnd() % (n + 20);
        uint8_t *m = malloc(len ? len : 1);
        assert_non_null(m);
        for (size_t i = 0; i < len; i++) m[i] = (uint8_t)rnd();
        exrqoi_result r = cd->decompress(&ctx, &b, m, len, dst);
        assert_true(r == EXRQOI_OK || r == EXRQOI_ERR_CORRUPT);
        free(m);
    }
    /* a layout that does not add up to unpacked_size is refused */
    exrqoi__block_layout bad = b;
    bad.unpacked_size += 2;
    assert_int_not_equal(cd->decompress(&ctx, &bad, packed, n, dst), EXRQOI_OK);
    free(src);
    free(dst);
    free(packed);
    exrqoi__codec_ctx_free(&ctx);
}

/* Random halves with a spread that varies per call: exercises every shift. */
static uint16_t rnd_half(uint16_t base, uint32_t spread_bits)
{
    uint32_t r = rnd();
    if (r % 29 == 0) return (uint16_t)(0x7c00 | (r >> 12)); /* Inf/NaN */
    if (spread_bits >= 16) return (uint16_t)(r >> 4);
    return (uint16_t)(base + ((r >> 4) & ((1u << spread_bits) - 1)));
}

/* The SSE2 and portable paths give the same bytes (encode) and samples
 * (decode), on random data, edge layouts, pLinear channels, flat blocks,
 * and on random packed streams with flat markers. */
static void test_paths_agree(void **state)
{
    (void)state;
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    chan_spec cs[3] = {{EXRQOI_PIXEL_HALF, 0, 1, 1},
                       {EXRQOI_PIXEL_HALF, 1, 1, 1},
                       {EXRQOI_PIXEL_FLOAT, 0, 1, 1}};
    static const int32_t dims[][2] = {{16, 8}, {13, 7}, {3, 32}, {1, 1}, {37, 5}};
    for (int comp = 0; comp < 2; comp++)
        for (size_t dmi = 0; dmi < sizeof dims / sizeof dims[0]; dmi++)
            for (int round = 0; round < 40; round++) {
                exrqoi__chan_layout cl[3];
                exrqoi__block_layout b;
                make_block(&b, cl, cs, 3, 0, 0, dims[dmi][0], dims[dmi][1],
                           comp ? EXRQOI_COMPRESSION_B44A : EXRQOI_COMPRESSION_B44);
                uint8_t *src = malloc(b.unpacked_size), *d0 = malloc(b.unpacked_size),
                        *d1 = malloc(b.unpacked_size);
                size_t cap = exrqoi__codec_get(b.compression)->bound(&b);
                uint8_t *p0 = malloc(cap), *p1 = malloc(cap);
                assert_non_null(src && d0 && d1 && p0 && p1);
                uint16_t base = (uint16_t)rnd();
                uint32_t spread = (uint32_t)round % 17;
                for (size_t i = 0; i + 1 < b.unpacked_size; i += 2)
                    exrqoi__put16(src + i, round % 5 == 0 ? base : rnd_half(base, spread));
                size_t n0 = 0, n1 = 0;
                assert_int_equal(exrqoi__b44_compress_path(0, &ctx, &b, src, p0, cap, &n0), EXRQOI_OK);
                assert_int_equal(exrqoi__b44_compress_path(1, &ctx, &b, src, p1, cap, &n1), EXRQOI_OK);
                assert_int_equal(n0, n1);
                assert_memory_equal(p0, p1, n0);
                /* or random bytes: mostly flat markers, some 14-byte blocks */
                if (round & 1)
                    for (size_t i = 0; i < n0; i++) p0[i] = (uint8_t)rnd();
                memset(d0, 0x11, b.unpacked_size);
                memset(d1, 0x22, b.unpacked_size);
                exrqoi_result r0 = exrqoi__b44_decompress_path(0, &ctx, &b, p0, n0, d0);
                exrqoi_result r1 = exrqoi__b44_decompress_path(1, &ctx, &b, p0, n0, d1);
                assert_int_equal(r0, r1);
                if (r0 == EXRQOI_OK) assert_memory_equal(d0, d1, b.unpacked_size);
                free(src);
                free(d0);
                free(d1);
                free(p0);
                free(p1);
            }
    exrqoi__codec_ctx_free(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_vectors),      cmocka_unit_test(test_tables),
        cmocka_unit_test(test_flat),               cmocka_unit_test(test_small_range_lossless),
        cmocka_unit_test(test_edge_layouts),       cmocka_unit_test(test_stream_layout),
        cmocka_unit_test(test_stored_raw),         cmocka_unit_test(test_corrupt),
        cmocka_unit_test(test_paths_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
