/* Huffman coder: round trips, hand-built streams (long codes), and
 * corrupt streams that must fail cleanly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec/huf.h"
#include "test_support.h"

static uint32_t rng_state = 12345;
static uint32_t rnd(void) { return ts_xorshift32(&rng_state); }

/* Encodes, decodes, compares; returns the encoded size. */
static size_t round_trip(const uint16_t *in, size_t n)
{
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    size_t cap = exrqoi__huf_bound(n);
    uint8_t *enc = malloc(cap);
    uint16_t *dec = malloc((n ? n : 1) * sizeof(uint16_t));
    assert_non_null(enc);
    assert_non_null(dec);
    size_t got = 0;
    assert_int_equal(exrqoi__huf_compress(&ctx, in, n, enc, cap, &got), EXRQOI_OK);
    assert_true(got <= cap);
    exrqoi_result r = exrqoi__huf_decompress(&ctx, enc, got, dec, n);
    if (r != EXRQOI_OK) print_error("%s\n", ctx.err.msg);
    assert_int_equal(r, EXRQOI_OK);
    if (n) assert_memory_equal(in, dec, n * sizeof(uint16_t));
    /* every decoder path (one reader, two halves, BMI2; 16- or 32-bit tables) */
    for (int path = 0; path <= 4; path++) {
        memset(dec, 0xA5, (n ? n : 1) * sizeof(uint16_t));
        assert_int_equal(exrqoi__huf_decompress_path(path, &ctx, enc, got, dec, n), EXRQOI_OK);
        if (n) assert_memory_equal(in, dec, n * sizeof(uint16_t));
    }
    /* a stream decodes only to its own length */
    if (n > 1)
        assert_int_equal(exrqoi__huf_decompress(&ctx, enc, got, dec, n - 1), EXRQOI_ERR_CORRUPT);
    free(enc);
    free(dec);
    exrqoi__codec_ctx_free(&ctx);
    return got;
}

static void test_single_value(void **state)
{
    (void)state;
    uint16_t one = 7;
    round_trip(&one, 1);
    uint16_t *v = malloc(5000 * sizeof *v);
    for (int i = 0; i < 5000; i++) v[i] = 0;
    size_t sz = round_trip(v, 5000);
    assert_true(sz < 20 + 8 + 5000 / 255 * 3); /* runs make it tiny */
    for (int i = 0; i < 5000; i++) v[i] = 65535;
    round_trip(v, 5000);
    free(v);
}

static void test_empty(void **state)
{
    (void)state;
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    uint8_t buf[32];
    size_t got = 99;
    assert_int_equal(exrqoi__huf_compress(&ctx, NULL, 0, buf, sizeof buf, &got), EXRQOI_OK);
    assert_int_equal(got, 0);
    exrqoi__codec_ctx_free(&ctx);
}

static void test_all_symbols(void **state)
{
    (void)state;
    size_t n = 65536 * 3;
    uint16_t *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) v[i] = (uint16_t)(i * 40503u);
    round_trip(v, n);
    /* skewed: every symbol at least once, a few very often */
    for (size_t i = 0; i < n; i++) v[i] = (i < 65536) ? (uint16_t)i : (uint16_t)(rnd() % 5);
    round_trip(v, n);
    free(v);
}

static void test_random_mixes(void **state)
{
    (void)state;
    size_t n = 40000;
    uint16_t *v = malloc(n * sizeof *v);
    for (int round = 0; round < 12; round++) {
        uint32_t range = 1u << (round + 2);
        for (size_t i = 0; i < n; i++) {
            uint32_t r = rnd();
            /* geometric-ish around 0 with runs, like wavelet output */
            if ((r & 7) == 0 && i > 0) {
                size_t run = rnd() % 600;
                for (size_t k = 0; k < run && i < n; k++, i++) v[i] = v[i - 1];
                if (i >= n) break;
            }
            uint32_t x = rnd() % range;
            x = x * x / range;
            v[i] = (uint16_t)((r & 8) ? x : (uint16_t)(0u - x));
        }
        round_trip(v, n);
    }
    free(v);
}

/* Frequencies like Fibonacci numbers give a code of length ~n: exercises
 * codes longer than the fast table and than 32 bits in the writer. */
static void test_long_codes(void **state)
{
    (void)state;
    uint64_t f[30];
    f[0] = 1;
    f[1] = 1;
    size_t n = 2;
    for (int i = 2; i < 30; i++) {
        f[i] = f[i - 1] + f[i - 2];
        n += f[i];
    }
    uint16_t *v = malloc(n * sizeof *v);
    size_t o = 0;
    for (int i = 0; i < 30; i++)
        for (uint64_t k = 0; k < f[i]; k++) v[o++] = (uint16_t)(i * 1000);
    /* shuffle so runs do not hide the long codes */
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = rnd() % (i + 1);
        uint16_t t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
    round_trip(v, o);
    free(v);
}

/* ---- hand-built streams ------------------------------------------------ */

typedef struct bits {
    uint8_t buf[4096];
    size_t nbits;
} bits;

static void put(bits *b, int n, uint64_t v)
{
    for (int i = n - 1; i >= 0; i--) {
        if ((v >> i) & 1) b->buf[b->nbits >> 3] |= (uint8_t)(0x80 >> (b->nbits & 7));
        b->nbits++;
    }
}

/* Builds header + length table for symbols im..iM with lengths `len`,
 * then the data bits; returns the size. Codes are computed with the
 * canonical rule so the test is independent of the library's encoder. */
static size_t build_stream(uint8_t *out, uint32_t im, uint32_t iM, const uint8_t *len,
                           const uint32_t *syms, size_t nsyms, uint64_t code[])
{
    uint64_t cnt[59] = {0}, first[59];
    for (uint32_t i = im; i <= iM; i++) cnt[len[i - im]]++;
    uint64_t c = 0;
    for (int l = 58; l > 0; l--) {
        first[l] = c;
        c = (c + cnt[l]) >> 1;
    }
    for (uint32_t i = im; i <= iM; i++)
        if (len[i - im]) code[i - im] = first[len[i - im]]++;
    bits t;
    memset(&t, 0, sizeof t);
    for (uint32_t i = im; i <= iM; i++) put(&t, 6, len[i - im]);
    size_t tbytes = (t.nbits + 7) / 8;
    bits d;
    memset(&d, 0, sizeof d);
    for (size_t k = 0; k < nsyms; k++) {
        uint32_t s = syms[k];
        if (s >= 0x10000000u) {
            put(&d, 8, s & 0xff); /* raw bits (run count) */
            continue;
        }
        put(&d, len[s - im], code[s - im]);
    }
    memset(out, 0, 20);
    out[0] = (uint8_t)im;
    out[1] = (uint8_t)(im >> 8);
    out[2] = (uint8_t)(im >> 16);
    out[4] = (uint8_t)iM;
    out[5] = (uint8_t)(iM >> 8);
    out[6] = (uint8_t)(iM >> 16);
    out[8] = (uint8_t)tbytes;
    out[9] = (uint8_t)(tbytes >> 8);
    out[12] = (uint8_t)d.nbits;
    out[13] = (uint8_t)(d.nbits >> 8);
    memcpy(out + 20, t.buf, tbytes);
    memcpy(out + 20 + tbytes, d.buf, (d.nbits + 7) / 8);
    return 20 + tbytes + (d.nbits + 7) / 8;
}

#define RAW(x) (0x10000000u | (x))

static void test_hand_built_58_bit_codes(void **state)
{
    (void)state;
    /* symbol i has length i+1 (i < 58), run symbol 58 has length 58 */
    uint8_t len[59];
    for (int i = 0; i < 58; i++) len[i] = (uint8_t)(i + 1);
    len[58] = 58;
    uint64_t code[59];
    uint32_t syms[] = {57, 56, 0, 13, 12, 11, 40, 58, RAW(3), 1, 57, 0, 57};
    uint16_t expect[] = {57, 56, 0, 13, 12, 11, 40, 40, 40, 40, 1, 57, 0, 57};
    size_t n = sizeof expect / sizeof expect[0];
    uint8_t stream[1024];
    size_t sz = build_stream(stream, 0, 58, len, syms, sizeof syms / sizeof syms[0], code);
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    uint16_t out[32];
    assert_int_equal(exrqoi__huf_decompress(&ctx, stream, sz, out, n), EXRQOI_OK);
    assert_memory_equal(out, expect, sizeof expect);
    /* each truncation fails cleanly */
    for (size_t cut = 0; cut < sz; cut++)
        assert_int_not_equal(exrqoi__huf_decompress(&ctx, stream, cut, out, n), EXRQOI_OK);
    exrqoi__codec_ctx_free(&ctx);
}

static void expect_corrupt(const uint8_t *s, size_t sz, size_t n)
{
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    uint16_t *out = malloc(n * sizeof *out + 2);
    assert_int_equal(exrqoi__huf_decompress(&ctx, s, sz, out, n), EXRQOI_ERR_CORRUPT);
    assert_true(ctx.err.msg[0] != '\0');
    free(out);
    exrqoi__codec_ctx_free(&ctx);
}

static void test_corrupt_headers(void **state)
{
    (void)state;
    uint8_t s[64];
    memset(s, 0, sizeof s);
    expect_corrupt(s, 10, 4); /* shorter than the header */
    /* im > iM */
    s[0] = 5;
    s[4] = 4;
    expect_corrupt(s, sizeof s, 4);
    /* iM out of range (65537) */
    s[0] = 0;
    s[4] = 0x01;
    s[5] = 0x00;
    s[6] = 0x01;
    expect_corrupt(s, sizeof s, 4);
    /* huge table range with a tiny buffer: truncated table */
    memset(s, 0, sizeof s);
    s[5] = 0xff; /* iM = 65280 */
    expect_corrupt(s, sizeof s, 4);
    /* nBits larger than the data present */
    uint8_t len[3] = {1, 2, 2};
    uint64_t code[3];
    uint32_t syms[] = {0, 1, 0};
    size_t sz = build_stream(s, 0, 2, len, syms, 3, code);
    s[12] = 0xff;
    s[13] = 0xff;
    s[14] = 0xff;
    s[15] = 0xff;
    expect_corrupt(s, sz, 3);
}

static void test_corrupt_tables(void **state)
{
    (void)state;
    uint8_t s[256];
    uint64_t code[8];
    uint32_t syms[] = {0, 1, 0};
    /* oversubscribed: three codes of length 1 */
    uint8_t over[3] = {1, 1, 1};
    size_t sz = build_stream(s, 0, 2, over, syms, 3, code);
    expect_corrupt(s, sz, 3);
    /* incomplete and overlapping under the canonical rule: lengths 3 and 1 */
    uint8_t lap[2] = {3, 1};
    uint32_t syms2[] = {0, 0};
    sz = build_stream(s, 0, 1, lap, syms2, 2, code);
    expect_corrupt(s, sz, 2);
    /* zero run past the end of the table: iM = 3, run of 6 zeros (63, 0) */
    memset(s, 0, sizeof s);
    s[4] = 3;
    s[20] = 0xfc; /* 111111 00 */
    s[21] = 0x00;
    s[12] = 8;
    expect_corrupt(s, 40, 2);
    /* short run 62 (5 zeros) past the end */
    memset(s, 0, sizeof s);
    s[4] = 3;
    s[20] = 62 << 2;
    s[12] = 8;
    expect_corrupt(s, 40, 2);
    /* no codes at all */
    memset(s, 0, sizeof s);
    s[4] = 3;
    s[12] = 8;
    expect_corrupt(s, 40, 2);
}

static void test_corrupt_data(void **state)
{
    (void)state;
    uint8_t s[256];
    uint64_t code[4];
    uint8_t len[3] = {1, 2, 2}; /* symbols 0,1 and run symbol 2 */
    /* run first: no previous value */
    uint32_t r0[] = {2, RAW(3), 0};
    size_t sz = build_stream(s, 0, 2, len, r0, 3, code);
    expect_corrupt(s, sz, 4);
    /* run longer than the output */
    uint32_t r1[] = {0, 2, RAW(200)};
    sz = build_stream(s, 0, 2, len, r1, 3, code);
    expect_corrupt(s, sz, 10);
    /* fewer values than asked */
    uint32_t r2[] = {0, 1, 0};
    sz = build_stream(s, 0, 2, len, r2, 3, code);
    expect_corrupt(s, sz, 100);
    /* an incomplete code hit in the data: lengths {1} only, stream of 1s */
    uint8_t one[2] = {1, 0};
    uint32_t r3[] = {0};
    sz = build_stream(s, 0, 1, one, r3, 1, code);
    s[sz - 1] = 0xff;
    s[12] = 8;
    expect_corrupt(s, sz, 2);
}

/* Random corruption of valid streams: any result but a crash is fine. */
static void test_mutations(void **state)
{
    (void)state;
    size_t n = 3000;
    uint16_t *v = malloc(n * sizeof *v), *out = malloc(n * sizeof *out);
    for (size_t i = 0; i < n; i++) v[i] = (uint16_t)((rnd() % 50) * (rnd() % 3));
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    size_t cap = exrqoi__huf_bound(n), sz = 0;
    uint8_t *enc = malloc(cap), *mut = malloc(cap);
    assert_int_equal(exrqoi__huf_compress(&ctx, v, n, enc, cap, &sz), EXRQOI_OK);
    for (int k = 0; k < 3000; k++) {
        memcpy(mut, enc, sz);
        int flips = 1 + (int)(rnd() % 4);
        for (int f = 0; f < flips; f++) mut[rnd() % sz] ^= (uint8_t)(1u << (rnd() % 8));
        size_t msz = (k % 5 == 0) ? rnd() % sz : sz;
        exrqoi_result r = exrqoi__huf_decompress(&ctx, mut, msz, out, n);
        assert_true(r == EXRQOI_OK || r == EXRQOI_ERR_CORRUPT);
    }
    free(v);
    free(out);
    free(enc);
    free(mut);
    exrqoi__codec_ctx_free(&ctx);
}

static int g_two_pieces; /* decodes that came back in two pieces */

/* Decodes `enc` with every path, whole and in two pieces: all must agree
 * on the result and, when it is OK, on every value. Returns the result. */
static exrqoi_result decode_all_paths(exrqoi__codec_ctx *ctx, const uint8_t *enc, size_t sz,
                                      uint16_t *out, uint16_t *tmp, size_t n)
{
    exrqoi_result r0 = exrqoi__huf_decompress_path(0, ctx, enc, sz, out, n);
    for (int path = 1; path <= 4; path++) {
        exrqoi_result r = exrqoi__huf_decompress_path(path, ctx, enc, sz, tmp, n);
        assert_int_equal(r, r0);
        if (r == EXRQOI_OK) assert_memory_equal(out, tmp, n * sizeof *out);
        const uint16_t *tail = NULL;
        size_t head = 0;
        r = exrqoi__huf_decompress_parts_path(path, ctx, enc, sz, tmp, n, &tail, &head);
        assert_int_equal(r, r0);
        if (r != EXRQOI_OK) continue;
        if (tail) {
            g_two_pieces++;
            /* the second piece, its repeated lead-in, and the first piece */
            assert_true(head >= HUF_OVERLAP && head <= n);
            assert_memory_equal(tail - HUF_OVERLAP, out + head - HUF_OVERLAP, HUF_OVERLAP * sizeof *out);
            if (n > head) assert_memory_equal(tail, out + head, (n - head) * sizeof *out);
        } else {
            assert_int_equal(head, n);
        }
        assert_memory_equal(tmp, out, head * sizeof *out);
    }
    return r0;
}

/* Large streams (decoded in two halves): data where the second reader
 * meets the first one quickly, late, or never (codes of one length that
 * started out of step stay out of step), plus runs at the meeting point. */
static void test_split_paths(void **state)
{
    (void)state;
    size_t nmax = 60000;
    uint16_t *v = malloc(nmax * sizeof *v), *out = malloc(nmax * sizeof *out);
    uint16_t *tmp = malloc(nmax * sizeof *tmp);
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    size_t cap = exrqoi__huf_bound(nmax);
    uint8_t *enc = malloc(cap);
    for (int kind = 0; kind < 5; kind++) {
        for (int rep = 0; rep < 8; rep++) {
            size_t n = 20000 + (size_t)rep * 4099 + (size_t)kind * 17;
            for (size_t i = 0; i < n; i++) {
                uint32_t r = rnd();
                switch (kind) {
                case 0: /* 128 equally likely values, no runs: 7-bit codes */
                    v[i] = (uint16_t)(r % 128);
                    if (i && v[i] == v[i - 1]) v[i] = (uint16_t)((v[i] + 1) % 128);
                    break;
                case 1: /* skewed with long codes */
                    v[i] = (uint16_t)((r % 7) ? r % 9 : r % 20000);
                    break;
                case 2: /* mostly runs */
                    v[i] = (i && (r % 16)) ? v[i - 1] : (uint16_t)(r % 5);
                    break;
                case 3: /* 256 values: 8-bit codes, byte aligned */
                    v[i] = (uint16_t)(r % 256);
                    if (i && v[i] == v[i - 1]) v[i] = (uint16_t)((v[i] + 1) % 256);
                    break;
                default: /* wide random */
                    v[i] = (uint16_t)r;
                    break;
                }
            }
            size_t sz = 0;
            assert_int_equal(exrqoi__huf_compress(&ctx, v, n, enc, cap, &sz), EXRQOI_OK);
            assert_int_equal(decode_all_paths(&ctx, enc, sz, out, tmp, n), EXRQOI_OK);
            assert_memory_equal(out, v, n * sizeof *v);
            /* wrong counts fail alike on every path */
            assert_int_equal(decode_all_paths(&ctx, enc, sz, out, tmp, n - 1), EXRQOI_ERR_CORRUPT);
        }
    }
    free(v);
    free(out);
    free(tmp);
    free(enc);
    exrqoi__codec_ctx_free(&ctx);
}

/* Corrupt large streams: every path gives the sequential reader's answer. */
static void test_split_mutations(void **state)
{
    (void)state;
    size_t n = 30000;
    uint16_t *v = malloc(n * sizeof *v), *out = malloc(n * sizeof *out);
    uint16_t *tmp = malloc(n * sizeof *tmp);
    for (size_t i = 0; i < n; i++)
        v[i] = (i && rnd() % 4 == 0) ? v[i - 1] : (uint16_t)((rnd() % 60) * (rnd() % 3));
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    size_t cap = exrqoi__huf_bound(n), sz = 0;
    uint8_t *enc = malloc(cap), *mut = malloc(cap);
    assert_int_equal(exrqoi__huf_compress(&ctx, v, n, enc, cap, &sz), EXRQOI_OK);
    assert_true(sz > 2 * 4096);
    for (int k = 0; k < 300; k++) {
        memcpy(mut, enc, sz);
        int flips = 1 + (int)(rnd() % 3);
        for (int f = 0; f < flips; f++) {
            /* mostly near the middle, where the halves meet */
            size_t at = (k % 2) ? sz / 2 - 64 + rnd() % 192 : rnd() % sz;
            mut[at] ^= (uint8_t)(1u << (rnd() % 8));
        }
        size_t msz = (k % 7 == 0) ? sz - rnd() % 64 : sz;
        exrqoi_result r = decode_all_paths(&ctx, mut, msz, out, tmp, n);
        assert_true(r == EXRQOI_OK || r == EXRQOI_ERR_CORRUPT);
    }
    free(v);
    free(out);
    free(tmp);
    free(enc);
    free(mut);
    exrqoi__codec_ctx_free(&ctx);
}

/* Streams long enough for the two-codes-per-lookup table (DWA-like: a
 * few hundred skewed values, some long codes, runs, the end mark), whole
 * and corrupted: every path gives the sequential reader's answer. */
static void test_pair_table(void **state)
{
    (void)state;
    size_t n = 150000;
    uint16_t *v = malloc(n * sizeof *v), *out = malloc(n * sizeof *out);
    uint16_t *tmp = malloc(n * sizeof *tmp);
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    size_t cap = exrqoi__huf_bound(n);
    uint8_t *enc = malloc(cap), *mut = malloc(cap);
    for (int kind = 0; kind < 3; kind++) {
        for (size_t i = 0; i < n; i++) {
            uint32_t r = rnd();
            if (kind == 0) /* skewed, long tail */
                v[i] = (uint16_t)((r % 3) ? 0x3c00 + r % 40 : (r % 11 ? 0xff00 + r % 30 : r % 3000));
            else if (kind == 1) /* runs and a flat alphabet of 600 */
                v[i] = (i && (r % 5 == 0)) ? v[i - 1] : (uint16_t)(r % 600);
            else /* few symbols: short codes, most entries hold two */
                v[i] = (uint16_t)(r % 4 ? r % 3 : 7 + r % 9);
        }
        size_t sz = 0;
        assert_int_equal(exrqoi__huf_compress(&ctx, v, n, enc, cap, &sz), EXRQOI_OK);
        assert_int_equal(decode_all_paths(&ctx, enc, sz, out, tmp, n), EXRQOI_OK);
        assert_memory_equal(out, v, n * sizeof *v);
        assert_int_equal(decode_all_paths(&ctx, enc, sz, out, tmp, n - 1), EXRQOI_ERR_CORRUPT);
        for (int k = 0; k < 12; k++) {
            memcpy(mut, enc, sz);
            size_t at = (k % 2) ? sz / 2 - 64 + rnd() % 192 : rnd() % sz;
            mut[at] ^= (uint8_t)(1u << (rnd() % 8));
            exrqoi_result r = decode_all_paths(&ctx, mut, (k % 5 == 4) ? sz - rnd() % 64 : sz, out, tmp, n);
            assert_true(r == EXRQOI_OK || r == EXRQOI_ERR_CORRUPT);
        }
    }
    assert_true(g_two_pieces > 0);
    free(v);
    free(out);
    free(tmp);
    free(enc);
    free(mut);
    exrqoi__codec_ctx_free(&ctx);
}

static void test_small_capacity(void **state)
{
    (void)state;
    size_t n = 5000;
    uint16_t *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) v[i] = (uint16_t)rnd();
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    uint8_t *buf = malloc(n);
    size_t got;
    assert_int_equal(exrqoi__huf_compress(&ctx, v, n, buf, n, &got), EXRQOI_ERR_BUFFER_TOO_SMALL);
    free(buf);
    free(v);
    exrqoi__codec_ctx_free(&ctx);
}

/* Every capacity from a little below the stream's size up to its size:
 * the register writer hands over to the careful one near the end, so the
 * stream either fits (same bytes as with room to spare) or fails cleanly;
 * mixes with runs (short and long), long codes and plain values. */
static void test_tight_capacity(void **state)
{
    (void)state;
    size_t n = 3000;
    uint16_t *v = malloc(n * sizeof *v);
    assert_non_null(v);
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    size_t cap = exrqoi__huf_bound(n);
    uint8_t *ref = malloc(cap), *got = malloc(cap);
    assert_non_null(ref);
    assert_non_null(got);
    for (int mix = 0; mix < 3; mix++) {
        for (size_t i = 0; i < n; i++) {
            uint32_t r = rnd();
            if (mix == 0) v[i] = (uint16_t)(r % 7);
            else if (mix == 1) v[i] = (r % 5) ? (uint16_t)0 : (uint16_t)(r >> 16); /* runs */
            else v[i] = (uint16_t)(i / (1 + r % 300));                            /* long runs */
        }
        size_t nref = 0;
        assert_int_equal(exrqoi__huf_compress(&ctx, v, n, ref, cap, &nref), EXRQOI_OK);
        for (size_t c = nref > 80 ? nref - 80 : 0; c <= nref + 8; c++) {
            size_t ngot = 0;
            memset(got, 0xcd, cap);
            exrqoi_result r = exrqoi__huf_compress(&ctx, v, n, got, c, &ngot);
            if (c < nref) {
                assert_int_equal(r, EXRQOI_ERR_BUFFER_TOO_SMALL);
            } else {
                assert_int_equal(r, EXRQOI_OK);
                assert_int_equal(ngot, nref);
                assert_memory_equal(got, ref, nref);
            }
        }
    }
    free(ref);
    free(got);
    free(v);
    exrqoi__codec_ctx_free(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_value),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_all_symbols),
        cmocka_unit_test(test_random_mixes),
        cmocka_unit_test(test_long_codes),
        cmocka_unit_test(test_hand_built_58_bit_codes),
        cmocka_unit_test(test_corrupt_headers),
        cmocka_unit_test(test_corrupt_tables),
        cmocka_unit_test(test_corrupt_data),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_small_capacity),
        cmocka_unit_test(test_tight_capacity),
        cmocka_unit_test(test_split_paths),
        cmocka_unit_test(test_split_mutations),
        cmocka_unit_test(test_pair_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
