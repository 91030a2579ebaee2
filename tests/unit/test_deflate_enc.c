/*
 * The split zlib encoder, the literal/run coder (codec/deflate_enc.c) and
 * the LZ77 encoder (codec/deflate_lz.c): every stream they make inflates
 * to its input with libdeflate and with zlib, for random,
 * constant, short, empty, worst-case and EXR-like data; the bound holds;
 * too small an output buffer is refused, never overrun; the probe tells
 * noise from repeating data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libdeflate.h>
#include <zlib.h>

#include "codec/codec.h"
#include "codec/deflate_bits.h"
#include "codec/deflate_enc.h"
#include "codec/predict.h"
#include "codec/services.h"
#include "test_support.h"

#define GUARD 64

/* An encoder under test: the zlib stream of src[0..n) into z[0..cap),
 * its size or 0. */
typedef size_t (*encoder_fn)(void *arg, const uint8_t *src, size_t n, uint8_t *z, size_t cap);

/* z[0..zn) inflates to src[0..n) with libdeflate and with zlib, and no
 * further. */
static void check_inflates(const uint8_t *z, size_t zn, const uint8_t *src, size_t n)
{
    uint8_t *back = malloc(n + 1);
    assert_non_null(back);
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    assert_non_null(d);
    size_t got = 0;
    assert_int_equal(libdeflate_zlib_decompress(d, z, zn, back, n + 1, &got), LIBDEFLATE_SUCCESS);
    assert_int_equal(got, n);
    if (n) assert_memory_equal(back, src, n);
    libdeflate_free_decompressor(d);
    uLongf zl = (uLongf)(n + 1);
    memset(back, 0, n + 1);
    assert_int_equal(uncompress(back, &zl, z, (uLong)zn), Z_OK);
    assert_int_equal(zl, n);
    if (n) assert_memory_equal(back, src, n);
    free(back);
}

/* Encodes src into `bound` bytes; checks the size against the bound and
 * the guard bytes after it, check_inflates, that one byte less room than
 * it needed is refused without a write past it and that a second encode
 * gives the same bytes. Returns the stream size. */
static size_t check_stream(encoder_fn enc, void *arg, const uint8_t *src, size_t n, size_t bound)
{
    uint8_t *z = malloc(bound + GUARD), *z2 = malloc(bound + GUARD);
    assert_non_null(z);
    assert_non_null(z2);
    memset(z, 0xa5, bound + GUARD);
    size_t zn = enc(arg, src, n, z, bound);
    assert_true(zn > 0);
    assert_true(zn <= bound);
    for (size_t i = 0; i < GUARD; i++) assert_int_equal(z[bound + i], 0xa5);
    check_inflates(z, zn, src, n);

    memset(z2, 0x5a, bound + GUARD);
    assert_int_equal(enc(arg, src, n, z2, zn - 1), 0);
    for (size_t i = zn - 1; i < bound + GUARD; i++) assert_int_equal(z2[i], 0x5a);
    assert_int_equal(enc(arg, src, n, z2, bound), zn);
    assert_memory_equal(z2, z, zn);
    free(z);
    free(z2);
    return zn;
}

/* The split encoder with arg (its compressor), or with arg NULL the
 * literal/run coder. */
static size_t encode_split_or_runs(void *arg, const uint8_t *src, size_t n, uint8_t *z, size_t cap)
{
    return arg ? exrqoi__deflate_split(arg, src, n, z, cap) : exrqoi__deflate_runs(src, n, z, cap);
}

static size_t round_trip(struct libdeflate_compressor *c, const uint8_t *src, size_t n)
{
    return check_stream(encode_split_or_runs, c, src, n, exrqoi__deflate_split_bound(n));
}

static struct libdeflate_compressor *high(void)
{
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(EXRQOI__DEFLATE_SPLIT_HIGH_LEVEL);
    assert_non_null(c);
    return c;
}

static void test_small_and_empty(void **state)
{
    (void)state;
    struct libdeflate_compressor *c = high();
    uint8_t b[64];
    uint32_t s = 99;
    for (size_t i = 0; i < sizeof b; i++) b[i] = (uint8_t)ts_xorshift32(&s);
    for (size_t n = 0; n <= sizeof b; n++) round_trip(c, b, n);
    memset(b, 7, sizeof b);
    for (size_t n = 0; n <= sizeof b; n++) round_trip(c, b, n);
    libdeflate_free_compressor(c);
}

static void test_random_and_constant(void **state)
{
    (void)state;
    struct libdeflate_compressor *c = high();
    const size_t sizes[] = {1000, 65535, 65536, 131071, 200001, 1u << 20};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k];
        uint8_t *p = malloc(n);
        assert_non_null(p);
        uint32_t s = 7 + (uint32_t)k;
        for (size_t i = 0; i < n; i++) p[i] = (uint8_t)ts_xorshift32(&s);
        /* incompressible: the first half goes out stored */
        size_t zn = round_trip(c, p, n);
        assert_true(zn <= n + n / 100 + 64);
        memset(p, 0x80, n);
        zn = round_trip(c, p, n);
        assert_true(zn < n / 50 + 600);
        /* runs of every length around the limits, on random literals */
        for (size_t i = 0; i < n;) {
            size_t len = 1 + ts_xorshift32(&s) % 300;
            uint8_t v = (uint8_t)ts_xorshift32(&s);
            for (size_t j = 0; j < len && i < n; j++) p[i++] = (len & 1) ? v : (uint8_t)ts_xorshift32(&s);
        }
        round_trip(c, p, n);
        free(p);
    }
    libdeflate_free_compressor(c);
}

/* Skewed literals: long codes that the 15-bit limit must cut (Fibonacci
 * frequencies), and a single literal value with runs cut by others. */
static void test_worst_case_codes(void **state)
{
    (void)state;
    struct libdeflate_compressor *c = high();
    size_t n = 0;
    uint32_t f[26] = {1, 1};
    for (int i = 2; i < 26; i++) f[i] = f[i - 1] + f[i - 2];
    for (int i = 0; i < 26; i++) n += f[i];
    uint8_t *p = malloc(2 * n);
    assert_non_null(p);
    size_t k = 0;
    uint32_t s = 5;
    /* interleave so that no runs form: symbol i appears f[i] times */
    uint32_t left[26];
    memcpy(left, f, sizeof left);
    while (k < n) {
        int i = (int)(ts_xorshift32(&s) % 26);
        if (!left[i] || (k && p[k - 1] == (uint8_t)(3 * i))) {
            for (i = 0; i < 26 && (!left[i] || (k && p[k - 1] == (uint8_t)(3 * i))); i++) {}
            if (i == 26) break;
        }
        p[k++] = (uint8_t)(3 * i);
        left[i]--;
    }
    memcpy(p + k, p, k); /* the second half the same, for libdeflate */
    round_trip(c, p, 2 * k);
    for (size_t i = 0; i < 2 * n; i++) p[i] = (i % 97) ? 200 : 1;
    round_trip(c, p, 2 * n);
    free(p);
    libdeflate_free_compressor(c);
}

/* EXR-like chunk: half values of a noisy gradient, predicted and
 * interleaved as ZIP does; the split stream is smaller than libdeflate's
 * level 4 on the whole chunk here. */
static void test_exr_like(void **state)
{
    (void)state;
    struct libdeflate_compressor *c = high();
    const size_t w = 1024, lines = 16, chans = 3, n = w * lines * chans * 2;
    uint8_t *raw = malloc(n), *pred = malloc(n), *z = malloc(libdeflate_zlib_compress_bound(NULL, n));
    assert_non_null(raw);
    assert_non_null(pred);
    assert_non_null(z);
    uint32_t s = 1234;
    size_t o = 0;
    for (size_t y = 0; y < lines; y++)
        for (size_t ch = 0; ch < chans; ch++)
            for (size_t x = 0; x < w; x++) {
                uint16_t v = (uint16_t)(0x3800 + x / 2 + y * 3 + ch * 40 + ts_xorshift32(&s) % 24);
                raw[o++] = (uint8_t)v;
                raw[o++] = (uint8_t)(v >> 8);
            }
    exrqoi__zip_predict(raw, n, pred);
    assert_true(exrqoi__deflate_split_suits(pred, n));
    size_t zn = round_trip(c, pred, n);
    size_t ref = libdeflate_zlib_compress(c, pred, n, z, libdeflate_zlib_compress_bound(NULL, n));
    assert_true(ref > 0);
    assert_true(zn <= ref);
    /* 2.4 bits a byte: the literal/run coder refuses it, or is smaller */
    size_t runs = exrqoi__deflate_runs(pred, n, z, libdeflate_zlib_compress_bound(NULL, n));
    assert_true(runs == 0 || runs <= ref);
    free(raw);
    free(pred);
    free(z);
    libdeflate_free_compressor(c);
}

/* The probe: noise suits, a repeating pattern (synthetic images) does not. */
static void test_probe(void **state)
{
    (void)state;
    const size_t n = 1 << 17;
    uint8_t *p = malloc(n);
    assert_non_null(p);
    uint32_t s = 77;
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)ts_xorshift32(&s);
    assert_true(exrqoi__deflate_split_suits(p, n));
    memset(p, 0x80, n); /* runs only: coded as runs, suits */
    assert_true(exrqoi__deflate_split_suits(p, n));
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(i % 300 < 150 ? (i % 300) * 7 : 0x55 ^ (uint8_t)(i % 300));
    assert_false(exrqoi__deflate_split_suits(p, n));
    (void)exrqoi__deflate_split_suits(p, 0); /* defined for 0 bytes */
    free(p);
}

/* A synthetic chunk (a zigzag line repeated, a noisy end: too few runs
 * for the own LZ77 encoder): with no level asked for,
 * exrqoi__deflate_zip gives libdeflate's level-4 bytes (OpenEXR's
 * level), an explicit level its own; both inflate with libdeflate and
 * zlib. */
static void test_flat_default_level(void **state)
{
    (void)state;
    const size_t n = 1 << 16;
    uint8_t *raw = malloc(n), *pred = malloc(n);
    size_t cap = libdeflate_zlib_compress_bound(NULL, n);
    uint8_t *z = malloc(cap), *want = malloc(cap);
    assert_non_null(raw);
    assert_non_null(pred);
    assert_non_null(z);
    assert_non_null(want);
    uint32_t s = 5;
    for (size_t i = 0; i < n; i += 2) {
        size_t x = (i / 2) % 512;
        uint16_t v = (uint16_t)(0x3800 + (x >> 1) + 3 * (x & 1)); /* low bytes step +3, -2 */
        if (x >= 480) v = (uint16_t)(0x3000 + (ts_xorshift32(&s) & 0x3ff));
        raw[i] = (uint8_t)v;
        raw[i + 1] = (uint8_t)(v >> 8);
    }
    exrqoi__zip_predict(raw, n, pred);
    assert_int_equal(exrqoi__deflate_auto_level(pred, n), EXRQOI__DEFLATE_DEFAULT_LEVEL);
    assert_false(exrqoi__deflate_lz_suits(exrqoi__deflate_sample_of(pred, n)));
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    const int levels[] = {0, 6, 0, 1};
    size_t sizes[4];
    for (size_t k = 0; k < sizeof levels / sizeof levels[0]; k++) {
        ctx.zip_level = levels[k];
        size_t zn = 0;
        assert_int_equal(exrqoi__deflate_zip(&ctx, pred, n, z, cap, &zn), EXRQOI_OK);
        struct libdeflate_compressor *c =
            libdeflate_alloc_compressor(levels[k] ? levels[k] : EXRQOI__DEFLATE_ZIP_LEVEL);
        assert_non_null(c);
        size_t wn = libdeflate_zlib_compress(c, pred, n, want, cap);
        libdeflate_free_compressor(c);
        assert_int_equal(zn, wn);
        assert_memory_equal(z, want, zn);
        check_inflates(z, zn, pred, n);
        sizes[k] = zn;
    }
    assert_true(sizes[0] != sizes[1]); /* the default is not level 6 */
    exrqoi__codec_ctx_free(&ctx);
    free(raw);
    free(pred);
    free(z);
    free(want);
}

/* ---- the LZ77 encoder of run-heavy chunks (codec/deflate_lz.c) ------- */

/* exrqoi__deflate_lz with arg its work area. */
static size_t encode_lz(void *arg, const uint8_t *src, size_t n, uint8_t *z, size_t cap)
{
    return exrqoi__deflate_lz(arg, src, n, z, cap);
}

static size_t lz_round_trip(const uint8_t *src, size_t n)
{
    void *work = malloc(exrqoi__deflate_lz_work_size(n));
    assert_non_null(work);
    size_t zn = check_stream(encode_lz, work, src, n, exrqoi__deflate_lz_bound(n));
    free(work);
    return zn;
}

static void test_lz_small_and_incompressible(void **state)
{
    (void)state;
    uint32_t s = 7;
    size_t max = 65535 * 2 + 1000;
    uint8_t *b = malloc(max);
    assert_non_null(b);
    for (size_t i = 0; i < max; i++) b[i] = (uint8_t)ts_xorshift32(&s);
    for (size_t n = 0; n <= 12; n++) lz_round_trip(b, n);
    /* noise: stored halves, two stored pieces per half in the largest;
     * never above the bound */
    size_t sizes[] = {100, 4095, 65535 * 2, max};
    for (size_t k = 0; k < 4; k++) {
        size_t n = sizes[k];
        size_t zn = lz_round_trip(b, n);
        assert_true(zn <= n + 6 * (n / 65535 + 2) + 6);
    }
    free(b);
}

/* Runs of the lengths around 3 and 258, across the half (the block
 * edge) and at the very end, and a constant chunk: all distance-1. */
static void test_lz_runs_at_edges(void **state)
{
    (void)state;
    uint32_t s = 11;
    size_t n = 20000;
    uint8_t *p = malloc(n);
    assert_non_null(p);
    /* every length near the minimum and the maximum, some between */
    for (size_t run = 1; run < 300; run += run < 12 || (run >= 240 && run < 262) ? 1 : 13) {
        size_t i = 0;
        while (i < n) {
            uint8_t v = (uint8_t)ts_xorshift32(&s);
            for (size_t j = 0; j < run && i < n; j++) p[i++] = v;
            if (i < n) p[i++] = (uint8_t)ts_xorshift32(&s);
        }
        /* a run that crosses the half and one that ends the chunk */
        memset(p + n / 2 - run / 2, 0x42, run);
        memset(p + n - run, 0x17, run);
        lz_round_trip(p, run < 20 ? n : n / 3 + run);
    }
    memset(p, 0, n);
    size_t zn = lz_round_trip(p, n);
    assert_true(zn < 200); /* runs of 258 at distance 1 */
    free(p);
}

/* A random block repeated at distance 32768 (the window) and at 32769
 * (just out of it), and matches of the longest length: every distance
 * code and the length symbol 285. */
static void test_lz_max_distance_and_length(void **state)
{
    (void)state;
    uint32_t s = 5;
    size_t n = 3 * 32768 + 4000;
    uint8_t *p = malloc(n);
    assert_non_null(p);
    for (size_t i = 0; i < 32768 + 1000; i++) p[i] = (uint8_t)ts_xorshift32(&s);
    for (size_t i = 32768 + 1000; i < n; i++) p[i] = p[i - 32768];
    size_t zn = lz_round_trip(p, n);
    assert_true(zn < 32768 + 6000); /* the copies cost almost nothing */
    for (size_t i = 32769; i < n; i++) p[i] = p[i - 32769];
    lz_round_trip(p, n);
    /* a 300-byte pattern repeated: long matches at distance 300 */
    for (size_t i = 300; i < n; i++) p[i] = p[i - 300];
    zn = lz_round_trip(p, n);
    assert_true(zn < 2000);
    /* short distances 1..40 mixed with noise */
    for (size_t i = 0; i < n;) {
        size_t d = 1 + ts_xorshift32(&s) % 40, len = 3 + ts_xorshift32(&s) % 60;
        if (i < d) {
            p[i++] = (uint8_t)ts_xorshift32(&s);
            continue;
        }
        for (size_t j = 0; j < len && i < n; j++, i++) p[i] = p[i - d];
        if (i < n) p[i++] = (uint8_t)ts_xorshift32(&s);
    }
    lz_round_trip(p, n);
    free(p);
}

/* EXR-like predicted bytes of a flat CG frame (runs, steps, a noisy
 * corner): no larger than libdeflate level 4 here. */
static void test_lz_flat_frame(void **state)
{
    (void)state;
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    uint32_t s = 3;
    size_t w = 640, lines = 16, n = w * lines * 3 * 2;
    uint8_t *raw = malloc(n), *pred = malloc(n);
    assert_non_null(raw);
    assert_non_null(pred);
    for (size_t y = 0; y < lines; y++)
        for (size_t ch = 0; ch < 3; ch++)
            for (size_t x = 0; x < w; x++) {
                uint16_t v = (uint16_t)(0x3c00 + (x / 64) * 16 + ch * 3);
                if (x > 500 && y > 8) v = (uint16_t)(0x3000 + (ts_xorshift32(&s) & 0xff));
                exrqoi__put16(raw + 2 * ((y * 3 + ch) * w + x), v);
            }
    exrqoi__zip_predict_path(ctx.k.zip, raw, n, pred);
    size_t ours = lz_round_trip(pred, n);
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(4);
    assert_non_null(c);
    size_t cap = libdeflate_zlib_compress_bound(c, n);
    uint8_t *z = malloc(cap);
    assert_non_null(z);
    size_t l4 = libdeflate_zlib_compress(c, pred, n, z, cap);
    assert_true(l4 > 0);
    assert_true(ours <= l4);
    libdeflate_free_compressor(c);
    exrqoi__codec_ctx_free(&ctx);
    free(raw);
    free(pred);
    free(z);
}

/* Matches of every length 3..258, each at a distance of the next of the
 * 30 distance codes, between literals, in a chunk past 64 KiB (two
 * blocks, the walk cut short after good matches) and in a small one: the
 * block writer's packed symbols and extra bits of every code. */
static void test_lz_every_length_and_distance_code(void **state)
{
    (void)state;
    static const size_t dist_base[30] = {1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
                                         33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
                                         1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
    uint32_t s = 9;
    size_t n = 32768 + 256 * 300;
    uint8_t *p = malloc(n);
    assert_non_null(p);
    for (size_t i = 0; i < 32768; i++) p[i] = (uint8_t)ts_xorshift32(&s);
    size_t i = 32768;
    for (size_t len = 3, code = 0; len <= 258 && i < n; len++, code = (code + 1) % 30) {
        /* the top of the code's range, then its base next time round */
        size_t d = dist_base[code] + (len & 1 ? 0 : (code < 29 ? dist_base[code + 1] - 1 : 32768) - dist_base[code]);
        for (size_t j = 0; j < len && i < n; j++, i++) p[i] = p[i - d];
        for (size_t j = 0; j < 3 && i < n; j++) p[i++] = (uint8_t)ts_xorshift32(&s);
    }
    n = i;
    size_t zn = lz_round_trip(p, n);
    assert_true(zn < n - 16384); /* the copies were found */
    lz_round_trip(p + n - 12000, 12000);
    free(p);
}

/* The writer's class for the own encoder: a flat line suits, also past
 * 16 KiB, noise does not; the suited bytes round-trip through
 * exrqoi__deflate_zip. */
static void test_lz_suits(void **state)
{
    (void)state;
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    size_t n = 20000, line = 3840;
    uint8_t *flat = malloc(n), *noise = malloc(line);
    assert_non_null(flat);
    assert_non_null(noise);
    uint32_t s = 5;
    for (size_t i = 0; i < n; i++) flat[i] = (uint8_t)(i % 640 < 600 ? 0x80 : ts_xorshift32(&s));
    for (size_t i = 0; i < line; i++) noise[i] = (uint8_t)ts_xorshift32(&s);
    assert_true(exrqoi__deflate_lz_suits(exrqoi__deflate_sample_of(flat, line)));
    assert_true(exrqoi__deflate_lz_suits(exrqoi__deflate_sample_of(flat, n)));
    assert_false(exrqoi__deflate_lz_suits(exrqoi__deflate_sample_of(noise, line)));
    size_t cap = exrqoi__deflate_bound(&ctx, n), got = 0, out = 0;
    uint8_t *z = malloc(cap), *back = malloc(n);
    assert_non_null(z);
    assert_non_null(back);
    size_t sizes[] = {line, n};
    for (int k = 0; k < 2; k++) {
        size_t m = sizes[k];
        assert_int_equal(exrqoi__deflate_zip(&ctx, flat, m, z, cap, &out), EXRQOI_OK);
        assert_int_equal(exrqoi__inflate_any(&ctx, z, out, back, m, &got), EXRQOI_OK);
        assert_int_equal(got, m);
        assert_memory_equal(back, flat, m);
        assert_int_equal(out, lz_round_trip(flat, m)); /* it took the own encoder */
    }
    exrqoi__codec_ctx_free(&ctx);
    free(flat);
    free(noise);
    free(z);
    free(back);
}

/* Code lengths of Fibonacci frequencies (the deepest Huffman trees)
 * limited to 7 and 15 bits: within the limit and a complete code (Kraft
 * sum exactly 1), the property an inflater checks. */
static void test_huff_length_limit(void **state)
{
    (void)state;
    const int sizes[] = {19, 30, 286};
    const int limits[] = {7, 15, 15};
    for (int t = 0; t < 3; t++) {
        uint32_t freq[286];
        uint8_t lens[286];
        uint32_t a = 1, b = 1;
        for (int i = 0; i < sizes[t]; i++) {
            freq[i] = i < 40 ? a : 1u + (uint32_t)i;
            uint32_t c = a + b;
            a = b;
            b = c;
        }
        exrqoi__huff_lengths(freq, sizes[t], limits[t], lens);
        uint64_t kraft = 0;
        for (int i = 0; i < sizes[t]; i++) {
            assert_true(lens[i] >= 1 && lens[i] <= limits[t]);
            kraft += (uint64_t)1 << (limits[t] - lens[i]);
        }
        assert_int_equal(kraft, (uint64_t)1 << limits[t]);
    }
}

/* The literal/run coder on noise whose halves are stored or coded (one
 * alphabet of 256 values, one of 64), with runs of 1..299 across the
 * half and at the end, stored pieces of > 65535 bytes; every stream
 * inflates to its input. */
static void test_runs_noise_and_edges(void **state)
{
    (void)state;
    const size_t sizes[] = {1, 2, 9, 1024, 1025, 5001, 140001};
    const unsigned masks[][2] = {{255, 255}, {63, 255}, {255, 63}, {63, 63}};
    uint32_t s = 99;
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
        for (size_t m = 0; m < 4; m++) {
            size_t n = sizes[k], h = (n + 1) / 2;
            uint8_t *p = malloc(n);
            assert_non_null(p);
            for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(ts_xorshift32(&s) & masks[m][i >= h]);
            if (n > 100000)
                for (size_t r = 1; r < 300; r += 37) {
                    memset(p + h - r / 2, 0x11, r); /* across the half */
                    memset(p + (n - r) * r / 320, (int)r, r);
                }
            memset(p + n - (n > 4 ? 4 : n), 0x22, n > 4 ? 4 : n); /* a run to the end */
            round_trip(NULL, p, n);
            free(p);
        }
}

/* Data with repeats codes to fewer bits than the coder accepts: refused
 * (nothing written), and the sampler rejects runs before it plans. */
static void test_runs_refused(void **state)
{
    (void)state;
    const size_t n = 8192;
    uint8_t *p = malloc(n), *z = malloc(exrqoi__deflate_split_bound(n));
    assert_non_null(p);
    assert_non_null(z);
    memset(p, 0x80, n);
    assert_false(exrqoi__deflate_runs_suits(exrqoi__deflate_sample_of(p, n)));
    assert_int_equal(exrqoi__deflate_runs(p, n, z, exrqoi__deflate_split_bound(n)), 0);
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(i % 7); /* no runs, 2.8 bits a byte */
    assert_true(exrqoi__deflate_runs_suits(exrqoi__deflate_sample_of(p, n)));
    assert_int_equal(exrqoi__deflate_runs(p, n, z, exrqoi__deflate_split_bound(n)), 0);
    uint32_t s = 5;
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)ts_xorshift32(&s);
    assert_true(exrqoi__deflate_runs_suits(exrqoi__deflate_sample_of(p, n)));
    assert_true(exrqoi__deflate_runs(p, n, z, exrqoi__deflate_split_bound(n)) > 0);
    (void)exrqoi__deflate_runs_suits(exrqoi__deflate_sample_of(p, 0)); /* defined for 0 bytes */
    free(p);
    free(z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_and_empty),     cmocka_unit_test(test_random_and_constant),
        cmocka_unit_test(test_worst_case_codes),    cmocka_unit_test(test_exr_like),
        cmocka_unit_test(test_probe),              cmocka_unit_test(test_flat_default_level),
        cmocka_unit_test(test_lz_small_and_incompressible), cmocka_unit_test(test_lz_runs_at_edges),
        cmocka_unit_test(test_lz_max_distance_and_length), cmocka_unit_test(test_lz_flat_frame),
        cmocka_unit_test(test_lz_every_length_and_distance_code), cmocka_unit_test(test_lz_suits),            cmocka_unit_test(test_huff_length_limit),
        cmocka_unit_test(test_runs_noise_and_edges), cmocka_unit_test(test_runs_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
