/* PIZ codec: round trips over edge-case blocks and corrupt chunks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec/codec.h"
#include "test_support.h"

static uint32_t rng_state = 987654321u;
static uint32_t rnd(void) { return ts_xorshift32(&rng_state); }

typedef struct blk {
    exrqoi__block_layout b;
    exrqoi__chan_layout ch[8];
} blk;

/* Channels given as size, x_sampling, y_sampling; block at (x, y). */
static void make_block(blk *k, int32_t x, int32_t y, int32_t w, int32_t h, int nchan,
                       const int spec[][3])
{
    memset(k, 0, sizeof *k);
    k->b.x = x;
    k->b.y = y;
    k->b.width = w;
    k->b.height = h;
    k->b.nchan = nchan;
    k->b.chans = k->ch;
    k->b.compression = EXRQOI_COMPRESSION_PIZ;
    size_t total = 0;
    for (int c = 0; c < nchan; c++) {
        exrqoi__chan_layout *ch = &k->ch[c];
        ch->name = "c";
        ch->size = (uint8_t)spec[c][0];
        ch->type = spec[c][0] == 2 ? 1 : 2;
        ch->x_sampling = spec[c][1];
        ch->y_sampling = spec[c][2];
        ch->width = exrqoi__count_sampled(x, x + w - 1, spec[c][1]);
        ch->height = exrqoi__count_sampled(y, y + h - 1, spec[c][2]);
        total += (size_t)ch->width * ch->height * ch->size;
    }
    k->b.unpacked_size = total;
}

/* Round trip through the dispatcher, and through the codec itself when
 * its output is smaller than the block. Returns the packed size. */
static size_t round_trip(const exrqoi__block_layout *b, const uint8_t *data)
{
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    const uint8_t *packed;
    size_t psz = 0;
    assert_int_equal(exrqoi__compress_block(&ctx, b, data, &packed, &psz), EXRQOI_OK);
    assert_true(psz <= b->unpacked_size);
    uint8_t *copy = malloc(psz + 1);
    memcpy(copy, packed, psz);
    uint8_t *out = malloc(b->unpacked_size + 1);
    exrqoi_result r = exrqoi__decompress_block(&ctx, b, copy, psz, out);
    if (r != EXRQOI_OK) print_error("%s\n", ctx.err.msg);
    assert_int_equal(r, EXRQOI_OK);
    assert_memory_equal(out, data, b->unpacked_size);
    if (psz < b->unpacked_size) {
        /* decoding is deterministic across a reused context */
        memset(out, 0xAB, b->unpacked_size);
        assert_int_equal(exrqoi__decompress_block(&ctx, b, copy, psz, out), EXRQOI_OK);
        assert_memory_equal(out, data, b->unpacked_size);
    }
    free(copy);
    free(out);
    exrqoi__codec_ctx_free(&ctx);
    return psz;
}

static uint8_t *filled(size_t n, int kind)
{
    uint8_t *d = malloc(n + 1);
    for (size_t i = 0; i + 1 < n + 1; i += 2) {
        uint16_t v;
        switch (kind) {
        case 0: v = 0x3c00; break;                                  /* all equal */
        case 1: v = (uint16_t)rnd(); break;                         /* noise */
        case 2: v = (uint16_t)(0x3800 + (i / 2) % 97 + (rnd() & 3)); break; /* smooth-ish */
        default: {
            static const uint16_t special[] = {0x7e00, 0x7c00, 0xfc00, 0x0001, 0x8001,
                                               0x03ff, 0x0000, 0x8000, 0x7bff, 0x7fff};
            v = special[rnd() % 10];
        }
        }
        if (i + 1 < n) {
            d[i] = (uint8_t)v;
            d[i + 1] = (uint8_t)(v >> 8);
        }
    }
    return d;
}

static void run_kinds(const exrqoi__block_layout *b)
{
    for (int kind = 0; kind < 4; kind++) {
        uint8_t *d = filled(b->unpacked_size, kind);
        size_t sz = round_trip(b, d);
        if (kind == 0 && b->unpacked_size > 200) assert_true(sz < b->unpacked_size / 4);
        free(d);
    }
}

static const int k_half[][3] = {{2, 1, 1}};
static const int k_mixed[][3] = {{2, 1, 1}, {4, 1, 1}, {4, 1, 1}, {2, 1, 1}};
static const int k_sub[][3] = {{2, 1, 1}, {2, 2, 2}, {4, 1, 2}, {4, 2, 1}};

static void test_single_pixel(void **state)
{
    (void)state;
    blk k;
    make_block(&k, 0, 0, 1, 1, 1, k_half);
    run_kinds(&k.b);
    make_block(&k, 5, -3, 1, 1, 4, k_mixed);
    run_kinds(&k.b);
}

static void test_thin_blocks(void **state)
{
    (void)state;
    blk k;
    make_block(&k, 0, 0, 1, 32, 4, k_mixed); /* width 1 */
    run_kinds(&k.b);
    make_block(&k, 0, 0, 777, 1, 4, k_mixed); /* height 1 */
    run_kinds(&k.b);
    make_block(&k, 0, 0, 2, 2, 1, k_half);
    run_kinds(&k.b);
    make_block(&k, 0, 0, 3, 31, 4, k_mixed);
    run_kinds(&k.b);
}

static void test_full_blocks(void **state)
{
    (void)state;
    blk k;
    make_block(&k, 0, 0, 257, 32, 4, k_mixed);
    run_kinds(&k.b);
    make_block(&k, -10, 64, 100, 32, 1, k_half);
    run_kinds(&k.b);
}

static void test_subsampled(void **state)
{
    (void)state;
    blk k;
    make_block(&k, 0, 0, 64, 32, 4, k_sub);
    run_kinds(&k.b);
    /* odd origin and size: sampled line counts differ per channel */
    make_block(&k, -3, 7, 31, 17, 4, k_sub);
    run_kinds(&k.b);
    make_block(&k, 1, 1, 1, 1, 4, k_sub); /* some channels have no samples */
    run_kinds(&k.b);
}

/* Values spread so the 16-bit wavelet variant is chosen, but with
 * structure so the codec (not raw storage) is used. */
static void test_wide_value_range(void **state)
{
    (void)state;
    blk k;
    make_block(&k, 0, 0, 300, 32, 1, k_half);
    uint8_t *d = malloc(k.b.unpacked_size);
    for (size_t i = 0; i < k.b.unpacked_size / 2; i++) {
        uint16_t v = (uint16_t)((i * 3) & 0xffff);
        if (i % 300 > 150) v = (uint16_t)(i * 2654435761u >> 16);
        if (i % 7 == 0) v = 0;
        d[2 * i] = (uint8_t)v;
        d[2 * i + 1] = (uint8_t)(v >> 8);
    }
    round_trip(&k.b, d);
    free(d);
}

/* Ranks past the last value in the bitmap decode to 0 (as OpenEXR's
 * zero-filled table does): a constant block whose only value is then
 * dropped from the bitmap comes back all zero. */
static void test_rank_beyond_bitmap(void **state)
{
    (void)state;
    blk k;
    make_block(&k, 0, 0, 40, 12, 1, k_half);
    uint8_t *d = filled(k.b.unpacked_size, 0); /* all 0x3c00 */
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    const uint8_t *packed;
    size_t psz = 0;
    assert_int_equal(exrqoi__compress_block(&ctx, &k.b, d, &packed, &psz), EXRQOI_OK);
    assert_true(psz < k.b.unpacked_size);
    uint8_t *copy = malloc(psz);
    memcpy(copy, packed, psz);
    uint16_t lo = (uint16_t)(copy[0] | copy[1] << 8), hi = (uint16_t)(copy[2] | copy[3] << 8);
    assert_int_equal(lo, 0x3c00 >> 3);
    assert_int_equal(hi, 0x3c00 >> 3);
    copy[4] &= (uint8_t)~(1u << (0x3c00 & 7));
    uint8_t *out = malloc(k.b.unpacked_size);
    memset(out, 0xAB, k.b.unpacked_size);
    assert_int_equal(exrqoi__decompress_block(&ctx, &k.b, copy, psz, out), EXRQOI_OK);
    for (size_t i = 0; i < k.b.unpacked_size; i++) assert_int_equal(out[i], 0);
    free(out);
    free(copy);
    free(d);
    exrqoi__codec_ctx_free(&ctx);
}

static void test_layout_mismatch(void **state)
{
    (void)state;
    blk k;
    make_block(&k, 0, 0, 8, 8, 1, k_half);
    k.b.unpacked_size += 2;
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    uint8_t src[16] = {0}, dst[256];
    const exrqoi__codec *c = exrqoi__codec_get(EXRQOI_COMPRESSION_PIZ);
    assert_int_equal(c->decompress(&ctx, &k.b, src, sizeof src, dst), EXRQOI_ERR_INVALID_ARGUMENT);
    exrqoi__codec_ctx_free(&ctx);
}

/* ---- corrupt chunks ---------------------------------------------------- */

static exrqoi_result decode_raw(const exrqoi__block_layout *b, const uint8_t *src, size_t n)
{
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    uint8_t *out = malloc(b->unpacked_size + 1);
    exrqoi_result r = exrqoi__codec_get(EXRQOI_COMPRESSION_PIZ)->decompress(&ctx, b, src, n, out);
    if (r != EXRQOI_OK) assert_true(ctx.err.msg[0] != '\0');
    free(out);
    exrqoi__codec_ctx_free(&ctx);
    return r;
}

static void test_corrupt_headers(void **state)
{
    (void)state;
    blk k;
    make_block(&k, 0, 0, 16, 4, 1, k_half);
    uint8_t s[64];
    memset(s, 0, sizeof s);
    assert_int_equal(decode_raw(&k.b, s, 3), EXRQOI_ERR_CORRUPT); /* too short */
    /* maxNonZero beyond the bitmap */
    s[0] = 0x00;
    s[1] = 0x00;
    s[2] = 0x00;
    s[3] = 0x20; /* 8192 */
    assert_int_equal(decode_raw(&k.b, s, sizeof s), EXRQOI_ERR_CORRUPT);
    s[2] = 0xff;
    s[3] = 0xff;
    assert_int_equal(decode_raw(&k.b, s, sizeof s), EXRQOI_ERR_CORRUPT);
    /* bitmap range past the end of the chunk */
    s[0] = 0;
    s[1] = 0;
    s[2] = 0xff;
    s[3] = 0x1f; /* 0..8191 */
    assert_int_equal(decode_raw(&k.b, s, sizeof s), EXRQOI_ERR_CORRUPT);
    /* min > max: empty bitmap, then a missing Huffman length */
    s[0] = 0xff;
    s[1] = 0x1f;
    s[2] = 0;
    s[3] = 0;
    assert_int_equal(decode_raw(&k.b, s, 6), EXRQOI_ERR_CORRUPT);
    /* Huffman length larger than the chunk */
    s[4] = 0xff;
    s[5] = 0xff;
    s[6] = 0xff;
    s[7] = 0x7f;
    assert_int_equal(decode_raw(&k.b, s, sizeof s), EXRQOI_ERR_CORRUPT);
    /* Huffman length zero */
    memset(s + 4, 0, 4);
    assert_int_equal(decode_raw(&k.b, s, sizeof s), EXRQOI_ERR_CORRUPT);
}

/* Every truncation and many bit flips of valid chunks fail cleanly or
 * decode (corrupt values are fine, out-of-bounds access is not). */
static void test_mutations(void **state)
{
    (void)state;
    blk k;
    make_block(&k, 0, 0, 40, 32, 4, k_sub);
    uint8_t *d = filled(k.b.unpacked_size, 2);
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    const uint8_t *packed;
    size_t psz;
    assert_int_equal(exrqoi__compress_block(&ctx, &k.b, d, &packed, &psz), EXRQOI_OK);
    assert_true(psz < k.b.unpacked_size);
    uint8_t *enc = malloc(psz), *mut = malloc(psz);
    memcpy(enc, packed, psz);
    uint8_t *out = malloc(k.b.unpacked_size);
    const exrqoi__codec *c = exrqoi__codec_get(EXRQOI_COMPRESSION_PIZ);
    for (size_t cut = 0; cut < psz; cut += 1 + cut / 16)
        assert_int_equal(c->decompress(&ctx, &k.b, enc, cut, out), EXRQOI_ERR_CORRUPT);
    for (int it = 0; it < 2000; it++) {
        memcpy(mut, enc, psz);
        int flips = 1 + (int)(rnd() % 3);
        for (int f = 0; f < flips; f++) {
            /* bias towards the headers, where the lengths live */
            size_t at = (rnd() & 1) ? rnd() % (psz < 64 ? psz : 64) : rnd() % psz;
            mut[at] ^= (uint8_t)(1u << (rnd() % 8));
        }
        exrqoi_result r = c->decompress(&ctx, &k.b, mut, psz, out);
        assert_true(r == EXRQOI_OK || r == EXRQOI_ERR_CORRUPT);
    }
    free(enc);
    free(mut);
    free(out);
    free(d);
    exrqoi__codec_ctx_free(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_pixel),    cmocka_unit_test(test_thin_blocks),
        cmocka_unit_test(test_full_blocks),     cmocka_unit_test(test_subsampled),
        cmocka_unit_test(test_wide_value_range), cmocka_unit_test(test_layout_mismatch),
        cmocka_unit_test(test_corrupt_headers), cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_rank_beyond_bitmap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
