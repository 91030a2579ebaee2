/* PXR24 codec: lossless half/uint, OpenEXR's 24-bit float rounding,
 * edge layouts, and corrupt input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <zlib.h>

#include "codec/codec.h"
#include "codec/pxr24.h"

#include "codec_block.h"
#include "test_support.h"

static uint32_t g_rng = 7;
static uint32_t rnd(void) { return ts_lcg_ansi(&g_rng) >> 8; }

static size_t encode(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b, const uint8_t *src,
                     uint8_t **packed)
{
    const exrqoi__codec *cd = exrqoi__codec_get(EXRQOI_COMPRESSION_PXR24);
    size_t cap = cd->bound(b), n = 0;
    *packed = malloc(cap);
    assert_non_null(*packed);
    assert_int_equal(cd->compress(ctx, b, src, *packed, cap, &n), EXRQOI_OK);
    return n;
}

static void roundtrip(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b, const uint8_t *src,
                      uint8_t *dec)
{
    uint8_t *packed;
    size_t n = encode(ctx, b, src, &packed);
    const exrqoi__codec *cd = exrqoi__codec_get(EXRQOI_COMPRESSION_PXR24);
    assert_int_equal(cd->decompress(ctx, b, packed, n, dec), EXRQOI_OK);
    free(packed);
}

/* Float samples and what PXR24 turns them into (OpenEXR's rounding). */
static const uint32_t k_float_in[] = {
    0x3f800000u, /* 1.0 kept */
    0x3f800080u, /* half-way: rounds up */
    0x3f80007fu, /* below half-way: down */
    0x3f8001ffu, /* up across a byte */
    0xbf800080u, /* negative half-way: magnitude up */
    0x7f7fffffu, /* FLT_MAX: round-up would overflow, truncated */
    0x7f800000u, /* +Inf */
    0xff800000u, /* -Inf */
    0x7f800001u, /* NaN with low payload only: stays NaN */
    0x7fc00000u, /* quiet NaN */
    0x00000080u, /* denormal rounds up */
    0x80000000u, /* -0 */
    0x3fffff80u, /* mantissa carry into the exponent */
};
static const uint32_t k_float_out[] = {
    0x3f800000u, 0x3f800100u, 0x3f800000u, 0x3f800200u, 0xbf800100u, 0x7f7fff00u, 0x7f800000u,
    0xff800000u, 0x7f800100u, 0x7fc00000u, 0x00000100u, 0x80000000u, 0x40000000u,
};

static void test_float24(void **state)
{
    (void)state;
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    size_t n = sizeof k_float_in / sizeof k_float_in[0];
    chan_spec cs[1] = {{EXRQOI_PIXEL_FLOAT, 0, 1, 1}};
    exrqoi__chan_layout cl[1];
    exrqoi__block_layout b;
    make_block(&b, cl, cs, 1, 0, 0, (int32_t)n, 1, EXRQOI_COMPRESSION_PXR24);
    uint8_t src[64], dec[64], dec2[64];
    for (size_t i = 0; i < n; i++) exrqoi__put32(src + 4 * i, k_float_in[i]);
    roundtrip(&ctx, &b, src, dec);
    for (size_t i = 0; i < n; i++) assert_int_equal(exrqoi__le32(dec + 4 * i), k_float_out[i]);
    roundtrip(&ctx, &b, dec, dec2); /* 24-bit values pass unchanged */
    assert_memory_equal(dec, dec2, 4 * n);
    exrqoi__codec_ctx_free(&ctx);
}

/* The pre-deflate stream of one line: byte planes of differences. */
static void test_plane_layout(void **state)
{
    (void)state;
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    chan_spec cs[2] = {{EXRQOI_PIXEL_HALF, 0, 1, 1}, {EXRQOI_PIXEL_UINT, 0, 1, 1}};
    exrqoi__chan_layout cl[2];
    exrqoi__block_layout b;
    make_block(&b, cl, cs, 2, 0, 0, 2, 1, EXRQOI_COMPRESSION_PXR24);
    uint8_t src[12];
    exrqoi__put16(src, 0x1234);
    exrqoi__put16(src + 2, 0x1236);
    exrqoi__put32(src + 4, 0x01020304u);
    exrqoi__put32(src + 8, 0x01020300u);
    uint8_t *packed;
    size_t n = encode(&ctx, &b, src, &packed);
    uint8_t planes[32];
    uLongf got = sizeof planes;
    assert_int_equal(uncompress(planes, &got, packed, n), Z_OK);
    static const uint8_t want[12] = {0x12, 0x00, 0x34, 0x02, /* half: hi, lo planes */
                                     0x01, 0xff, 0x02, 0xff, 0x03, 0xff, 0x04, 0xfc};
    assert_int_equal(got, 12);
    assert_memory_equal(planes, want, 12);
    free(packed);
    exrqoi__codec_ctx_free(&ctx);
}

/* Half and uint are lossless in any layout; float keeps its 24 bits. */
static void test_edge_layouts(void **state)
{
    (void)state;
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    chan_spec cs[4] = {{EXRQOI_PIXEL_HALF, 0, 1, 1},
                       {EXRQOI_PIXEL_FLOAT, 0, 1, 1},
                       {EXRQOI_PIXEL_UINT, 0, 1, 1},
                       {EXRQOI_PIXEL_HALF, 0, 2, 2}};
    static const int32_t rects[][4] = {{0, 0, 1, 1},  {0, 0, 1, 16}, {-3, 5, 37, 1},
                                       {1, -7, 5, 7}, {0, 0, 64, 16}, {-2, -1, 6, 11}};
    for (size_t r = 0; r < sizeof rects / sizeof rects[0]; r++) {
        exrqoi__chan_layout cl[4];
        exrqoi__block_layout b;
        make_block(&b, cl, cs, 4, rects[r][0], rects[r][1], rects[r][2], rects[r][3], EXRQOI_COMPRESSION_PXR24);
        uint8_t *src = malloc(b.unpacked_size), *dec = malloc(b.unpacked_size);
        assert_non_null(src);
        assert_non_null(dec);
        for (size_t i = 0; i < b.unpacked_size; i++) src[i] = (uint8_t)rnd();
        roundtrip(&ctx, &b, src, dec);
        size_t pos = 0;
        for (int32_t yy = 0; yy < b.height; yy++)
            for (int c = 0; c < 4; c++) {
                if (exrqoi__mod(b.y + yy, cl[c].y_sampling) != 0) continue;
                for (int32_t x = 0; x < cl[c].width; x++) {
                    if (cl[c].type == EXRQOI_PIXEL_FLOAT) {
                        uint32_t a = exrqoi__le32(src + pos), d = exrqoi__le32(dec + pos);
                        assert_int_equal(d & 0xffu, 0);
                        if ((a & 0x7f800000u) != 0x7f800000u && (a & 0x7fffff00u) != 0x7f7fff00u) {
                            /* within half a unit of the 15-bit mantissa */
                            int64_t diff = (int64_t)(a & 0x7fffffffu) - (int64_t)(d & 0x7fffffffu);
                            assert_true(diff >= -128 && diff < 128);
                            assert_int_equal(a >> 31, d >> 31);
                        }
                        pos += 4;
                    } else {
                        assert_memory_equal(src + pos, dec + pos, cl[c].size);
                        pos += cl[c].size;
                    }
                }
            }
        assert_int_equal(pos, b.unpacked_size);
        free(src);
        free(dec);
    }
    exrqoi__codec_ctx_free(&ctx);
}

static void test_corrupt(void **state)
{
    (void)state;
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    chan_spec cs[2] = {{EXRQOI_PIXEL_HALF, 0, 1, 1}, {EXRQOI_PIXEL_FLOAT, 0, 1, 1}};
    exrqoi__chan_layout cl[2];
    exrqoi__block_layout b;
    make_block(&b, cl, cs, 2, 0, 0, 19, 16, EXRQOI_COMPRESSION_PXR24);
    const exrqoi__codec *cd = exrqoi__codec_get(EXRQOI_COMPRESSION_PXR24);
    uint8_t *src = malloc(b.unpacked_size), *dst = malloc(b.unpacked_size);
    assert_non_null(src);
    assert_non_null(dst);
    for (size_t i = 0; i < b.unpacked_size; i++) src[i] = (uint8_t)rnd();
    uint8_t *packed;
    size_t n = encode(&ctx, &b, src, &packed);
    for (size_t len = 0; len < n; len++)
        assert_int_equal(cd->decompress(&ctx, &b, packed, len, dst), EXRQOI_ERR_CORRUPT);
    /* a valid zlib stream of the wrong (shorter) size */
    uint8_t small[64] = {0}, z[128];
    uLongf zn = sizeof z;
    assert_int_equal(compress(z, &zn, small, sizeof small), Z_OK);
    assert_int_equal(cd->decompress(&ctx, &b, z, zn, dst), EXRQOI_ERR_CORRUPT);
    /* flipped bytes: clean error or success, never out of bounds */
    for (int t = 0; t < 200; t++) {
        uint8_t *m = malloc(n);
        assert_non_null(m);
        memcpy(m, packed, n);
        m[rnd() % n] ^= (uint8_t)(1u + rnd() % 255);
        exrqoi_result r = cd->decompress(&ctx, &b, m, n, dst);
        assert_true(r == EXRQOI_OK || r == EXRQOI_ERR_CORRUPT);
        free(m);
    }
    free(packed);
    free(src);
    free(dst);
    exrqoi__codec_ctx_free(&ctx);
}

/* The SSE2 plane kernel equals the portable one on random planes, for
 * every type and widths around the 8-sample step (ASan checks that no
 * path writes past an exactly sized output). */
/* A PXR24 block of 1-4 random channels (any type, sampling 1 or 2) at a
 * random origin near 0, up to max_w x 16 pixels; returns the channel count. */
static int random_block(exrqoi__block_layout *b, exrqoi__chan_layout cl[4], chan_spec cs[4], int32_t max_w)
{
    static const uint8_t types[3] = {EXRQOI_PIXEL_HALF, EXRQOI_PIXEL_UINT, EXRQOI_PIXEL_FLOAT};
    int n = 1 + (int)(rnd() % 4);
    for (int c = 0; c < n; c++) {
        cs[c].type = types[rnd() % 3];
        cs[c].p_linear = 0;
        cs[c].xs = 1 + (int32_t)(rnd() % 2);
        cs[c].ys = 1 + (int32_t)(rnd() % 2);
    }
    int32_t w = 1 + (int32_t)(rnd() % (uint32_t)max_w), h = 1 + (int32_t)(rnd() % 16);
    int32_t x = (int32_t)(rnd() % 5) - 2, y = (int32_t)(rnd() % 5) - 2;
    make_block(b, cl, cs, n, x, y, w, h, EXRQOI_COMPRESSION_PXR24);
    return n;
}

static void test_unplane_paths(void **state)
{
    (void)state;
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    for (int iter = 0; iter < 300; iter++) {
        chan_spec cs[4];
        exrqoi__chan_layout cl[4];
        exrqoi__block_layout b;
        int n = random_block(&b, cl, cs, 70);
        size_t planes = 0;
        for (int c = 0; c < n; c++)
            planes += (size_t)cl[c].width * cl[c].height * (cl[c].type == EXRQOI_PIXEL_FLOAT ? 3u : cl[c].size);
        uint8_t *in = malloc(planes + 1), *a = malloc(b.unpacked_size + 1), *v = malloc(b.unpacked_size + 1);
        assert_non_null(in);
        assert_non_null(a);
        assert_non_null(v);
        for (size_t i = 0; i < planes; i++) in[i] = (uint8_t)(iter & 1 ? rnd() : (rnd() % 3 == 0 ? rnd() : 0));
        assert_int_equal(exrqoi__pxr24_unplane_path(&ctx, &b, in, planes, a, PXR24_PATH_C), EXRQOI_OK);
        /* the SIMD paths of this build (SSE2 and AVX2 where the CPU has
         * it, or NEON; C elsewhere) */
        static const int simd[] = {PXR24_PATH_SSE2, PXR24_PATH_AVX2, PXR24_PATH_NEON};
        for (int k = 0; k < 3; k++) {
            if (simd[k] == PXR24_PATH_AVX2 && !(exrqoi__cpu_detect() & EXRQOI__CPU_AVX2)) continue;
            memset(v, 0x5a, b.unpacked_size + 1);
            assert_int_equal(exrqoi__pxr24_unplane_path(&ctx, &b, in, planes, v, simd[k]), EXRQOI_OK);
            assert_memory_equal(a, v, b.unpacked_size);
            if (planes)
                assert_int_equal(exrqoi__pxr24_unplane_path(&ctx, &b, in, planes - 1, v, simd[k]),
                                 EXRQOI_ERR_CORRUPT);
        }
        free(in);
        free(a);
        free(v);
    }
    exrqoi__codec_ctx_free(&ctx);
}

/* Random cuts of a block's unpacked bytes into segments, some not wanted
 * (dst NULL), the rest at scattered places of `out`; `want` gets what the
 * segments must deliver there. */
static size_t random_segments(const uint8_t *unpacked, size_t n, uint8_t *out, uint8_t *want,
                              exrqoi__segment *seg, size_t cap, int style)
{
    size_t k = 0, pos = 0, at = 0;
    while (pos < n && k < cap - 1) {
        size_t len = style == 0 ? 1 + rnd() % 7 : (style == 1 ? 1 + rnd() % 200 : n);
        if (len > n - pos) len = n - pos;
        if (rnd() % 4 == 0) {
            seg[k].dst = NULL;
        } else {
            if (at + len + 4 <= 2 * n) at += rnd() % 5; /* gaps between destinations */
            seg[k].dst = out + at;
            memcpy(want + at, unpacked + pos, len);
            at += len;
        }
        seg[k++].len = len;
        pos += len;
        if (rnd() % 8 == 0 && k < cap - 1) seg[k++] = (exrqoi__segment){NULL, 0}; /* empty */
    }
    if (pos < n) {
        seg[k].dst = out + at;
        memcpy(want + at, unpacked + pos, n - pos);
        seg[k++].len = n - pos;
    }
    return k;
}

/* One segment a line of a channel (the lists of tiles inside the region,
 * which seg_whole takes without its loop), some not wanted, some empty
 * ones between; like random_segments otherwise. */
static size_t line_segments(const exrqoi__block_layout *b, const uint8_t *unpacked, uint8_t *out, uint8_t *want,
                            exrqoi__segment *seg, size_t cap)
{
    size_t k = 0, pos = 0, at = 0;
    for (int32_t yy = 0; yy < b->height; yy++) {
        int32_t y = b->y + yy;
        for (int c = 0; c < b->nchan; c++) {
            const exrqoi__chan_layout *ch = &b->chans[c];
            if (((y % ch->y_sampling) + ch->y_sampling) % ch->y_sampling != 0) continue;
            size_t len = (size_t)ch->width * ch->size;
            assert_true(k + 2 <= cap);
            if (rnd() % 8 == 0) seg[k++] = (exrqoi__segment){NULL, 0};
            seg[k].dst = NULL;
            if (rnd() % 4 != 0) {
                at += rnd() % 5;
                seg[k].dst = out + at;
                memcpy(want + at, unpacked + pos, len);
                at += len;
            }
            seg[k++].len = len;
            pos += len;
        }
    }
    assert_int_equal(pos, b->unpacked_size);
    return k;
}

/* Decoding through segments delivers the same bytes as decoding into the
 * unpacked buffer, leaves everything else alone, and fails alike. */
static void test_segments(void **state)
{
    (void)state;
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    const exrqoi__codec *cd = exrqoi__codec_get(EXRQOI_COMPRESSION_PXR24);
    for (int iter = 0; iter < 200; iter++) {
        chan_spec cs[4];
        exrqoi__chan_layout cl[4];
        exrqoi__block_layout b;
        random_block(&b, cl, cs, 50);
        size_t sz = b.unpacked_size;
        if (!sz) continue;
        uint8_t *src = malloc(sz), *dec = malloc(sz), *out = malloc(sz * 3 + 64), *want = malloc(sz * 3 + 64);
        assert_non_null(src);
        assert_non_null(dec);
        assert_non_null(out);
        assert_non_null(want);
        for (size_t i = 0; i < sz; i++) src[i] = (uint8_t)rnd();
        uint8_t *packed;
        size_t np = encode(&ctx, &b, src, &packed);
        assert_int_equal(cd->decompress(&ctx, &b, packed, np, dec), EXRQOI_OK);
        memset(out, 0x5a, sz * 3 + 64);
        memset(want, 0x5a, sz * 3 + 64);
        exrqoi__segment seg[600];
        size_t nseg = iter % 4 == 3 ? line_segments(&b, dec, out, want, seg, 600)
                                    : random_segments(dec, sz, out, want, seg, 600, iter % 4);
        assert_int_equal(exrqoi__pxr24_decompress_segments(&ctx, &b, packed, np, seg, nseg), EXRQOI_OK);
        assert_memory_equal(out, want, sz * 3 + 64);
        /* truncated data fails as the plain decoder does */
        if (np > 8) {
            exrqoi_result r1 = cd->decompress(&ctx, &b, packed, np - 8, dec);
            exrqoi_result r2 = exrqoi__pxr24_decompress_segments(&ctx, &b, packed, np - 8, seg, nseg);
            assert_int_equal(r1, r2);
        }
        /* the entry for checked lists delivers what the checking entry does
         * (both read a chunk as stored raw when np == sz, as files do) */
        memset(out, 0x5a, sz * 3 + 64);
        assert_int_equal(exrqoi__decompress_block_segments(&ctx, &b, packed, np, seg, nseg), EXRQOI_OK);
        memcpy(want, out, sz * 3 + 64);
        memset(out, 0x5a, sz * 3 + 64);
        assert_int_equal(exrqoi__segments_cover(seg, nseg, sz), true);
        assert_int_equal(exrqoi__decompress_block_covered(&ctx, &b, packed, np, seg, nseg), EXRQOI_OK);
        assert_memory_equal(out, want, sz * 3 + 64);
        /* segments not covering the block are refused (by the codecs' common entry) */
        seg[nseg - 1].len++;
        assert_int_equal(exrqoi__segments_cover(seg, nseg, sz), false);
        assert_int_equal(exrqoi__decompress_block_segments(&ctx, &b, packed, np, seg, nseg),
                         EXRQOI_ERR_INVALID_ARGUMENT);
        free(packed);
        free(src);
        free(dec);
        free(out);
        free(want);
    }
    exrqoi__codec_ctx_free(&ctx);
}

/* Lines of every width 1..300 of two channels of type `t`, with
 * differences over the whole sample range: each SIMD path gives the
 * portable path's bytes. */
static void check_unplane_widths(exrqoi_pixel_type t)
{
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    const chan_spec cs[2] = {{t, 0, 1, 1}, {t, 0, 1, 1}};
    const size_t nplanes = t == EXRQOI_PIXEL_HALF ? 2 : t == EXRQOI_PIXEL_FLOAT ? 3 : 4;
    for (int32_t w = 1; w <= 300; w++) {
        exrqoi__chan_layout cl[2];
        exrqoi__block_layout b;
        const int32_t h = 1 + w % 3;
        make_block(&b, cl, cs, 2, 0, 0, w, h, EXRQOI_COMPRESSION_PXR24);
        const size_t planes = (size_t)w * (size_t)h * 2 * nplanes;
        uint8_t *in = malloc(planes), *a = malloc(b.unpacked_size), *v = malloc(b.unpacked_size);
        assert_non_null(in);
        assert_non_null(a);
        assert_non_null(v);
        for (size_t i = 0; i < planes; i++) in[i] = (uint8_t)rnd();
        assert_int_equal(exrqoi__pxr24_unplane_path(&ctx, &b, in, planes, a, PXR24_PATH_C), EXRQOI_OK);
        static const int simd[] = {PXR24_PATH_SSE2, PXR24_PATH_AVX2, PXR24_PATH_NEON};
        for (int k = 0; k < 3; k++) {
            if (simd[k] == PXR24_PATH_AVX2 && !(exrqoi__cpu_detect() & EXRQOI__CPU_AVX2)) continue;
            memset(v, 0xa5, b.unpacked_size);
            assert_int_equal(exrqoi__pxr24_unplane_path(&ctx, &b, in, planes, v, simd[k]), EXRQOI_OK);
            assert_memory_equal(a, v, b.unpacked_size);
        }
        free(in);
        free(a);
        free(v);
    }
    exrqoi__codec_ctx_free(&ctx);
}

/* Half lines: the AVX2 kernel's 32-sample steps, its 16-sample step and
 * the scalar tail in every combination. */
static void test_unplane_half_wide(void **state)
{
    (void)state;
    check_unplane_widths(EXRQOI_PIXEL_HALF);
}

/* Uint and float lines: the AVX2 word kernel's 16-sample steps, the SSE2
 * 8-sample steps it hands the rest to, and the scalar tail. */
static void test_unplane_word_wide(void **state)
{
    (void)state;
    check_unplane_widths(EXRQOI_PIXEL_UINT);
    check_unplane_widths(EXRQOI_PIXEL_FLOAT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_float24),
        cmocka_unit_test(test_plane_layout),
        cmocka_unit_test(test_edge_layouts),
        cmocka_unit_test(test_corrupt),
        cmocka_unit_test(test_unplane_paths),
        cmocka_unit_test(test_segments),
        cmocka_unit_test(test_unplane_half_wide),
        cmocka_unit_test(test_unplane_word_wide),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
