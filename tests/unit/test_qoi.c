/* QOI codec: byte-identity with the reference qoi.h on synthetic images,
 * decoding to other channel counts, strict and lenient handling of bad
 * input (checked against the reference on mutated streams), streaming,
 * parallel stripes, allocators and atomic file output. */
#define _GNU_SOURCE 1
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "exrqoi/exrqoi.h"
#include "qoi/qoi_internal.h"

/* Debian's reference implementation, used only as the test oracle. */
#define QOI_IMPLEMENTATION
#define QOI_NO_STDIO
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wpedantic"
#include <qoi.h>
#pragma GCC diagnostic pop
#include "test_support.h"

/* ---- helpers ------------------------------------------------------------ */

/* An image that exercises every op: runs (also longer than 62), repeats
 * of earlier colours (index), small and medium steps (diff, luma), noise
 * (rgb) and alpha changes (rgba, only with 4 channels). */
static uint8_t *make_image(uint32_t w, uint32_t h, int ch, uint32_t seed)
{
    uint8_t *p = malloc((size_t)w * h * ch);
    assert_non_null(p);
    uint32_t s = seed | 1;
    uint8_t c[4] = {10, 20, 30, 255};
    for (size_t i = 0; i < (size_t)w * h; i++) {
        uint32_t r = ts_xorshift32(&s);
        switch (r % 16) {
        case 0: case 1: case 2: case 3: case 4: break; /* repeat: runs */
        case 5: case 6: c[0] += (uint8_t)(r >> 8 & 3) - 2; c[2] += (uint8_t)(r >> 10 & 1); break;
        case 7: case 8: {
            uint8_t d = (uint8_t)(r >> 8 & 31) - 16;
            c[0] += d + (uint8_t)(r >> 13 & 7) - 4; c[1] += d; c[2] += d + (uint8_t)(r >> 16 & 7) - 4;
            break;
        }
        case 9: c[0] = (uint8_t)(r >> 8); c[1] = (uint8_t)(r >> 16); c[2] = (uint8_t)(r >> 24); break;
        case 10: c[0] = (uint8_t)(r >> 8 & 3) * 60; c[1] = 7; c[2] = (uint8_t)(r >> 12 & 1) * 90; break;
        case 11: if (ch == 4) c[3] = (uint8_t)(r >> 8 & 1) ? 255 : (uint8_t)(r >> 16); break;
        case 12:
            if ((r >> 8 & 7) == 0) { /* a long run */
                size_t n = (r >> 12) % 300;
                for (size_t k = 0; k < n && i < (size_t)w * h; k++, i++)
                    memcpy(p + i * ch, c, ch);
                if (i >= (size_t)w * h) return p;
            }
            break;
        case 13: memset(c, 0, 4); break; /* the zero pixel (index slot quirks) */
        default: c[1] ^= 1; break;
        }
        memcpy(p + i * ch, c, ch);
    }
    return p;
}

static void *ref_encode(const uint8_t *px, uint32_t w, uint32_t h, int ch, int cs, int *len)
{
    qoi_desc d = {w, h, (unsigned char)ch, (unsigned char)cs};
    void *r = qoi_encode(px, &d, len);
    assert_non_null(r);
    return r;
}

static exrqoi_qoi_desc mkdesc(uint32_t w, uint32_t h, int ch, int cs)
{
    exrqoi_qoi_desc d = {w, h, (uint8_t)ch, (uint8_t)cs};
    return d;
}

static const exrqoi_qoi_options k_lenient = {.struct_size = sizeof(exrqoi_qoi_options), .lenient = 1};

/* ---- core helpers ------------------------------------------------------- */

static void test_hash(void **state)
{
    (void)state;
    uint32_t s = 12345;
    for (int i = 0; i < 200000; i++) {
        uint32_t r = ts_xorshift32(&s);
        uint8_t b[4] = {(uint8_t)r, (uint8_t)(r >> 8), (uint8_t)(r >> 16), (uint8_t)(r >> 24)};
        uint32_t v = exrqoi__qoi_load32(b);
        assert_int_equal(exrqoi__qoi_hash(v), (b[0] * 3 + b[1] * 5 + b[2] * 7 + b[3] * 11) % 64);
    }
    uint8_t w[4] = {255, 255, 255, 255};
    assert_int_equal(exrqoi__qoi_hash(exrqoi__qoi_load32(w)), (255 * 26) % 64);
}

/* ---- byte identity and round trips -------------------------------------- */

static void check_image(uint32_t w, uint32_t h, int ch, int cs, uint32_t seed)
{
    uint8_t *px = make_image(w, h, ch, seed);
    int rlen;
    uint8_t *ref = ref_encode(px, w, h, ch, cs, &rlen);
    exrqoi_qoi_desc d = mkdesc(w, h, ch, cs);
    void *enc = NULL;
    size_t len = 0;
    assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&enc, &len), px, &d, NULL), EXRQOI_OK);
    assert_int_equal(len, (size_t)rlen);
    assert_memory_equal(enc, ref, len);

    for (int want = 0; want <= 4; want++) {
        if (want == 1 || want == 2) continue;
        exrqoi_qoi_options o = {.struct_size = sizeof(exrqoi_qoi_options), .channels = want};
        exrqoi_qoi_desc got;
        void *dec = NULL;
        size_t dlen = 0;
        assert_int_equal(exrqoi_qoi_decode(exrqoi_source_memory(enc, len), &o, &got, &dec, &dlen), EXRQOI_OK);
        assert_int_equal(got.width, w);
        assert_int_equal(got.height, h);
        assert_int_equal(got.channels, ch);
        assert_int_equal(got.colorspace, cs);
        qoi_desc rd;
        uint8_t *rpx = qoi_decode(ref, rlen, &rd, want);
        assert_non_null(rpx);
        int oc = want ? want : ch;
        assert_int_equal(dlen, (size_t)w * h * oc);
        assert_memory_equal(dec, rpx, dlen);
        if (oc == ch) assert_memory_equal(dec, px, dlen);
        free(rpx);
        exrqoi_free(NULL, dec);
    }
    exrqoi_free(NULL, enc);
    free(ref);
    free(px);
}

static void test_identity_synthetic(void **state)
{
    (void)state;
    static const uint32_t sizes[][2] = {{1, 1}, {1, 7}, {7, 1}, {2, 2}, {63, 5}, {64, 64},
                                        {200, 3}, {5, 300}, {257, 129}};
    uint32_t seed = 1;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (int ch = 3; ch <= 4; ch++)
            for (int cs = 0; cs <= 1; cs++)
                check_image(sizes[i][0], sizes[i][1], ch, cs, seed++);
}

/* The SSE2 encoder path gives the portable path's bytes, also when the
 * pixels arrive in spans of odd sizes (the state carries over), on images
 * of every op and on photo-like ones (few repeats: mostly 4-pixel batches). */
static void test_encode_paths(void **state)
{
    (void)state;
    const uint32_t w = 173, h = 61;
    for (int kind = 0; kind < 2; kind++)
        for (int ch = 3; ch <= 4; ch++) {
            uint8_t *img = make_image(w, h, ch, 77u + (uint32_t)kind);
            if (kind == 1) {
                uint32_t s = 99;
                uint8_t c[4] = {100, 100, 100, 255};
                for (size_t i = 0; i < (size_t)w * h; i++) {
                    uint32_t r = ts_xorshift32(&s);
                    int spread = (r & 3) == 0 ? 255 : (r & 3) == 1 ? 40 : 4;
                    for (int k = 0; k < 3; k++) c[k] = (uint8_t)(c[k] + (int)((r >> (8 * k + 2)) % (uint32_t)spread) - spread / 2);
                    if (ch == 4 && (r >> 28) == 0) c[3] = (uint8_t)(r >> 20);
                    memcpy(img + i * ch, c, ch);
                }
            }
            size_t n = (size_t)w * h, cap = n * (size_t)(ch + 1) + 64;
            uint8_t *o0 = malloc(cap), *o1 = malloc(cap);
            assert_non_null(o0);
            assert_non_null(o1);
            exrqoi__qoi_enc s0, s1;
            exrqoi__qoi_enc_init(&s0);
            exrqoi__qoi_enc_init(&s1);
            size_t l0 = 0, l1 = 0, i = 0;
            uint32_t rs = 5;
            while (i < n) {
                size_t k = 1 + ts_xorshift32(&rs) % 97;
                if (k > n - i) k = n - i;
                l0 += exrqoi__qoi_encode_span_path(0, &s0, img + i * ch, k, ch, o0 + l0);
                l1 += exrqoi__qoi_encode_span_path(1, &s1, img + i * ch, k, ch, o1 + l1);
                assert_int_equal(l0, l1);
                assert_memory_equal(o0, o1, l0);
                i += k;
            }
            l0 += exrqoi__qoi_encode_flush(&s0, o0 + l0);
            l1 += exrqoi__qoi_encode_flush(&s1, o1 + l1);
            assert_int_equal(l0, l1);
            assert_memory_equal(o0, o1, l0);
            /* and the whole image equals the reference encoder's output */
            int rlen = 0;
            uint8_t *ref = ref_encode(img, w, h, ch, 0, &rlen);
            assert_int_equal((size_t)rlen, l0 + EXRQOI_QOI_HEADER_SIZE + EXRQOI_QOI_END_SIZE);
            assert_memory_equal(ref + EXRQOI_QOI_HEADER_SIZE, o0, l0);
            free(ref);
            free(o0);
            free(o1);
            free(img);
        }
}

/* Few colours in short and long runs: repeats inside the SIMD path's
 * groups, pending runs near the 62 limit, pixels of one group sharing an
 * index slot, rare alpha changes. Each span gets a buffer of exactly the
 * promised size (npix * (ch + 1) + 1), so ASan sees any store beyond it. */
static void test_encode_paths_runs(void **state)
{
    (void)state;
    const uint32_t w = 241, h = 37;
    const size_t n = (size_t)w * h;
    for (int kind = 0; kind < 3; kind++)
        for (int ch = 3; ch <= 4; ch++) {
            uint8_t *img = malloc(n * (size_t)ch);
            assert_non_null(img);
            uint32_t s = 1234u + (uint32_t)kind * 7u + (uint32_t)ch;
            uint8_t pal[8][4];
            for (int k = 0; k < 8; k++)
                for (int c = 0; c < 4; c++) pal[k][c] = (uint8_t)ts_xorshift32(&s);
            /* colours 0 and 1 share an index slot: (r*3 + g*5 + b*7 + a*11) % 64 */
            memcpy(pal[1], pal[0], 4);
            pal[1][0] = (uint8_t)(pal[1][0] + 64);
            for (int k = 0; k < 8; k++)
                if (ch == 3 || kind != 2 || k > 0) pal[k][3] = 255;
            size_t i = 0;
            while (i < n) {
                uint32_t r = ts_xorshift32(&s);
                size_t len = (r & 7) < 5 ? 1 + (r >> 3) % 3 : (r & 7) == 5 ? 1 + (r >> 3) % 70 : 55 + (r >> 3) % 10;
                const uint8_t *c = pal[(r >> 12) % (kind == 0 ? 3u : 8u)];
                for (size_t j = 0; j < len && i < n; j++, i++) memcpy(img + i * ch, c, (size_t)ch);
            }
            uint8_t *out[2];
            size_t tot[2] = {0, 0};
            for (int path = 0; path < 2; path++) {
                out[path] = malloc(n * (size_t)(ch + 1) + 1);
                assert_non_null(out[path]);
                exrqoi__qoi_enc st;
                exrqoi__qoi_enc_init(&st);
                uint32_t rs = 11;
                for (i = 0; i < n;) {
                    size_t k = 1 + ts_xorshift32(&rs) % 150;
                    if (k > n - i) k = n - i;
                    size_t cap = k * (size_t)(ch + 1) + 1;
                    uint8_t *buf = malloc(cap);
                    assert_non_null(buf);
                    size_t got = exrqoi__qoi_encode_span_path(path, &st, img + i * ch, k, ch, buf);
                    assert_true(got <= cap);
                    memcpy(out[path] + tot[path], buf, got);
                    tot[path] += got;
                    free(buf);
                    i += k;
                }
                tot[path] += exrqoi__qoi_encode_flush(&st, out[path] + tot[path]);
            }
            assert_int_equal(tot[0], tot[1]);
            assert_memory_equal(out[0], out[1], tot[0]);
            int rlen = 0;
            uint8_t *ref = ref_encode(img, w, h, ch, 0, &rlen);
            assert_int_equal((size_t)rlen, tot[0] + EXRQOI_QOI_HEADER_SIZE + EXRQOI_QOI_END_SIZE);
            assert_memory_equal(ref + EXRQOI_QOI_HEADER_SIZE, out[0], tot[0]);
            free(ref);
            free(out[0]);
            free(out[1]);
            free(img);
        }
}

static void test_identity_flat(void **state)
{
    (void)state;
    /* one colour: only runs; also the start pixel (0,0,0,255) and zero */
    for (int ch = 3; ch <= 4; ch++) {
        for (int v = 0; v < 3; v++) {
            uint32_t w = 311, h = 3;
            uint8_t *px = malloc(w * h * ch);
            for (size_t i = 0; i < w * h; i++) {
                uint8_t c[4] = {0, 0, 0, (uint8_t)(v == 1 ? 0 : 255)};
                if (v == 2) c[0] = c[1] = c[2] = 9;
                memcpy(px + i * ch, c, ch);
            }
            int rlen;
            uint8_t *ref = ref_encode(px, w, h, ch, 0, &rlen);
            exrqoi_qoi_desc d = mkdesc(w, h, ch, 0);
            void *enc;
            size_t len;
            assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&enc, &len), px, &d, NULL), EXRQOI_OK);
            assert_int_equal(len, (size_t)rlen);
            assert_memory_equal(enc, ref, len);
            exrqoi_free(NULL, enc);
            free(ref);
            free(px);
        }
    }
}

/* ---- bad input ---------------------------------------------------------- */

static size_t valid_stream(uint8_t **out, uint32_t w, uint32_t h, int ch)
{
    uint8_t *px = make_image(w, h, ch, 77);
    exrqoi_qoi_desc d = mkdesc(w, h, ch, 0);
    void *enc;
    size_t len;
    assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&enc, &len), px, &d, NULL), EXRQOI_OK);
    free(px);
    *out = enc;
    return len;
}

static exrqoi_result dec_rc(const uint8_t *data, size_t size, const exrqoi_qoi_options *o)
{
    void *px = (void *)1;
    exrqoi_qoi_desc d;
    exrqoi_result r = exrqoi_qoi_decode(exrqoi_source_memory(data, size), o, &d, &px, NULL);
    if (r == EXRQOI_OK)
        exrqoi_free(NULL, px);
    else
        assert_null(px);
    return r;
}

static void put_be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

typedef struct msg_sink {
    int calls;
    exrqoi_result last;
    char text[512];
} msg_sink;

static void on_msg(void *user, exrqoi_result code, const char *message)
{
    msg_sink *m = user;
    m->calls++;
    m->last = code;
    snprintf(m->text, sizeof m->text, "%s", message);
}

static void test_bad_header(void **state)
{
    (void)state;
    uint8_t *s;
    size_t n = valid_stream(&s, 16, 16, 4);
    uint8_t *b = malloc(n);

    memcpy(b, s, n);
    b[0] = 'Q';
    assert_int_equal(dec_rc(b, n, NULL), EXRQOI_ERR_BAD_MAGIC);
    assert_int_equal(dec_rc(b, n, &k_lenient), EXRQOI_ERR_BAD_MAGIC);

    memcpy(b, s, n);
    put_be(b + 4, 0);
    assert_int_equal(dec_rc(b, n, NULL), EXRQOI_ERR_BAD_HEADER);
    memcpy(b, s, n);
    put_be(b + 8, 0);
    assert_int_equal(dec_rc(b, n, &k_lenient), EXRQOI_ERR_BAD_HEADER);

    /* huge: over the default limit of 400 million pixels, and over a set limit */
    memcpy(b, s, n);
    put_be(b + 4, 20001);
    put_be(b + 8, 20000);
    msg_sink m = {0};
    exrqoi_qoi_options om = {.struct_size = sizeof(exrqoi_qoi_options), .on_message = on_msg, .message_user = &m};
    assert_int_equal(dec_rc(b, n, &om), EXRQOI_ERR_LIMIT);
    assert_int_equal(m.calls, 1);
    assert_non_null(strstr(m.text, "limit"));
    put_be(b + 4, 0xffffffffu);
    put_be(b + 8, 0xffffffffu);
    assert_int_equal(dec_rc(b, n, NULL), EXRQOI_ERR_LIMIT);
    exrqoi_limits lim = EXRQOI_LIMITS_INIT;
    lim.max_qoi_pixels = 255;
    exrqoi_qoi_options ol = {.struct_size = sizeof(exrqoi_qoi_options), .limits = &lim};
    assert_int_equal(dec_rc(s, n, &ol), EXRQOI_ERR_LIMIT);
    lim.max_qoi_pixels = 256;
    assert_int_equal(dec_rc(s, n, &ol), EXRQOI_OK);

    memcpy(b, s, n);
    b[12] = 5;
    assert_int_equal(dec_rc(b, n, NULL), EXRQOI_ERR_BAD_HEADER);
    b[12] = 0;
    assert_int_equal(dec_rc(b, n, &k_lenient), EXRQOI_ERR_BAD_HEADER);
    memcpy(b, s, n);
    b[13] = 2;
    assert_int_equal(dec_rc(b, n, NULL), EXRQOI_ERR_BAD_HEADER);

    /* too short for a header, or for header + end marker */
    assert_int_equal(dec_rc(s, 0, NULL), EXRQOI_ERR_TRUNCATED);
    assert_int_equal(dec_rc(s, 3, NULL), EXRQOI_ERR_TRUNCATED);
    assert_int_equal(dec_rc(s, 13, NULL), EXRQOI_ERR_TRUNCATED);
    assert_int_equal(dec_rc(s, 21, &k_lenient), EXRQOI_ERR_TRUNCATED);
    assert_int_equal(dec_rc((const uint8_t *)"GIF89a", 6, NULL), EXRQOI_ERR_BAD_MAGIC);

    /* requested channels */
    exrqoi_qoi_options oc = {.struct_size = sizeof(exrqoi_qoi_options), .channels = 2};
    assert_int_equal(dec_rc(s, n, &oc), EXRQOI_ERR_INVALID_ARGUMENT);

    exrqoi_qoi_desc hd;
    assert_int_equal(exrqoi_qoi_read_header(s, n, NULL, &hd), EXRQOI_OK);
    assert_int_equal(hd.width, 16);
    assert_int_equal(hd.channels, 4);
    free(b);
    exrqoi_free(NULL, s);
}

static void test_bad_data(void **state)
{
    (void)state;
    uint8_t *s;
    size_t n = valid_stream(&s, 40, 30, 3);
    uint8_t *b = calloc(1, n + 64);
    uint8_t *good;
    size_t glen;
    exrqoi_qoi_desc d;
    assert_int_equal(exrqoi_qoi_decode(exrqoi_source_memory(s, n), NULL, &d, (void **)&good, &glen), EXRQOI_OK);

    /* truncated: strict fails for every cut; lenient gives the reference */
    for (size_t cut = 22; cut < n; cut += (cut < n - 20 ? 37 : 1)) {
        exrqoi_result r = dec_rc(s, cut, NULL);
        assert_true(r == EXRQOI_ERR_TRUNCATED || r == EXRQOI_ERR_CORRUPT);
        uint8_t *px;
        size_t plen;
        assert_int_equal(exrqoi_qoi_decode(exrqoi_source_memory(s, cut), &k_lenient, &d, (void **)&px, &plen),
                         EXRQOI_OK);
        qoi_desc rd;
        uint8_t *rpx = qoi_decode(s, (int)cut, &rd, 0);
        assert_non_null(rpx);
        assert_memory_equal(px, rpx, plen);
        free(rpx);
        exrqoi_free(NULL, px);
    }
    /* end marker missing entirely */
    assert_int_equal(dec_rc(s, n - 8, NULL), EXRQOI_ERR_TRUNCATED);
    /* wrong end marker */
    memcpy(b, s, n);
    b[n - 1] = 2;
    assert_int_equal(dec_rc(b, n, NULL), EXRQOI_ERR_CORRUPT);
    uint8_t *px;
    assert_int_equal(exrqoi_qoi_decode(exrqoi_source_memory(b, n), &k_lenient, &d, (void **)&px, NULL), EXRQOI_OK);
    assert_memory_equal(px, good, glen);
    exrqoi_free(NULL, px);
    /* data after the end marker */
    memcpy(b, s, n);
    memcpy(b + n, "trailing", 8);
    assert_int_equal(dec_rc(b, n + 8, NULL), EXRQOI_ERR_CORRUPT);
    assert_int_equal(dec_rc(b, n + 1, NULL), EXRQOI_ERR_CORRUPT);
    assert_int_equal(exrqoi_qoi_decode(exrqoi_source_memory(b, n + 8), &k_lenient, &d, (void **)&px, NULL), EXRQOI_OK);
    assert_memory_equal(px, good, glen);
    exrqoi_free(NULL, px);
    /* a run past the last pixel */
    {
        uint8_t t[] = {'q', 'o', 'i', 'f', 0, 0, 0, 1, 0, 0, 0, 1, 3, 0, 0xc3, 0, 0, 0, 0, 0, 0, 0, 1};
        assert_int_equal(dec_rc(t, sizeof t, NULL), EXRQOI_ERR_CORRUPT);
        assert_int_equal(dec_rc(t, sizeof t, &k_lenient), EXRQOI_OK);
        t[14] = 0xc0;
        assert_int_equal(dec_rc(t, sizeof t, NULL), EXRQOI_OK);
    }
    exrqoi_free(NULL, good);
    free(b);
    exrqoi_free(NULL, s);
}

/* Mutated streams: lenient must equal the reference exactly (accept,
 * reject, pixels); strict may only accept what decodes to the same. */
static void test_mutations_vs_reference(void **state)
{
    (void)state;
    uint32_t seed = 99;
    for (int ch = 3; ch <= 4; ch++) {
        uint8_t *s;
        size_t n = valid_stream(&s, 23, 17, ch);
        uint8_t *b = calloc(n + 16, 1); /* the bytes past n are defined: some lengths run into them */
        for (int iter = 0; iter < 3000; iter++) {
            memcpy(b, s, n);
            size_t len = n;
            int k = 1 + ts_xorshift32(&seed) % 4;
            for (int j = 0; j < k; j++) {
                uint32_t r = ts_xorshift32(&seed);
                size_t at = 14 + (r >> 8) % (n - 14);
                b[at] = (uint8_t)r;
            }
            uint32_t r = ts_xorshift32(&seed);
            if (r % 4 == 0) len = 14 + (r >> 4) % (n - 13);
            if (r % 4 == 1) len = n + (r >> 4) % 16;
            int want = (r >> 20) % 2 ? 0 : 3 + (r >> 21) % 2;

            qoi_desc rd;
            uint8_t *rpx = qoi_decode(b, (int)len, &rd, want);
            exrqoi_qoi_options o = {.struct_size = sizeof(exrqoi_qoi_options), .lenient = 1, .channels = want};
            exrqoi_qoi_desc d;
            uint8_t *px = NULL;
            size_t plen = 0;
            exrqoi_result rc = exrqoi_qoi_decode(exrqoi_source_memory(b, len), &o, &d, (void **)&px, &plen);
            assert_int_equal(rc == EXRQOI_OK, rpx != NULL);
            if (rpx) assert_memory_equal(px, rpx, plen);
            exrqoi_free(NULL, px);
            px = NULL;
            o.lenient = 0;
            rc = exrqoi_qoi_decode(exrqoi_source_memory(b, len), &o, &d, (void **)&px, &plen);
            if (rc == EXRQOI_OK) {
                assert_non_null(rpx);
                assert_memory_equal(px, rpx, plen);
            }
            exrqoi_free(NULL, px);
            free(rpx);
        }
        free(b);
        exrqoi_free(NULL, s);
    }
}

/* ---- decoder paths on random op streams ---------------------------------- */

/* A stream of random ops (any mix, runs up to 62, INDEX of unset slots,
 * RGBA in 3-channel files) giving about w*h pixels, then the end marker. */
static uint8_t *random_ops(uint32_t w, uint32_t h, int ch, uint32_t *seed, size_t *len)
{
    size_t cap = 14 + (size_t)w * h * 5 + 64;
    uint8_t *b = malloc(cap);
    assert_non_null(b);
    memcpy(b, "qoif", 4);
    put_be(b + 4, w);
    put_be(b + 8, h);
    b[12] = (uint8_t)ch;
    b[13] = 0;
    size_t p = 14;
    /* sometimes a few pixels short or long, to end in the middle of a span */
    uint64_t want = (uint64_t)w * h, got = 0;
    uint32_t r0 = ts_xorshift32(seed);
    if (r0 % 4 == 0) want = want > 3 ? want - (r0 >> 8) % 4 : want;
    if (r0 % 4 == 1) want += (r0 >> 8) % 70;
    uint32_t mode = (r0 >> 16) % 3; /* 0 photo-like, 1 alpha-heavy, 2 long runs */
    while (got < want && p + 5 < cap - 8) {
        uint32_t r = ts_xorshift32(seed);
        uint32_t k = r % 16;
        if (mode == 1 && k < 6) k = 15;
        if (mode == 2 && k < 6) k = 12;
        if (k < 3) {
            b[p++] = (uint8_t)(r >> 8 & 63); /* INDEX */
        } else if (k < 6) {
            b[p++] = (uint8_t)(0x40 | (r >> 8 & 63)); /* DIFF */
        } else if (k < 9) {
            b[p++] = (uint8_t)(0x80 | (r >> 8 & 63)); /* LUMA */
            b[p++] = (uint8_t)(r >> 16);
        } else if (k < 13) {
            uint32_t n = k == 12 ? 1 + (r >> 8) % 62 : 1 + (r >> 8) % 5;
            b[p++] = (uint8_t)(0xc0 | (n - 1)); /* RUN */
            got += n - 1;
        } else if (k < 14) {
            b[p++] = 0xfe; /* RGB */
            for (int i = 0; i < 3; i++) b[p++] = (uint8_t)(r >> (8 * i));
        } else {
            b[p++] = 0xff; /* RGBA */
            for (int i = 0; i < 4; i++) b[p++] = (uint8_t)(ts_xorshift32(seed) >> 7);
        }
        got++;
    }
    memcpy(b + p, "\0\0\0\0\0\0\0\1", 8);
    *len = p + 8;
    /* exactly sized, so that ASan sees any read past the end */
    uint8_t *e = malloc(*len);
    assert_non_null(e);
    memcpy(e, b, *len);
    free(b);
    return e;
}

/* Decodes with one path in spans of random sizes, each into a buffer of
 * exactly its size (so that ASan sees any write past it). Returns the
 * pixels produced. */
static size_t decode_by_spans(int path, const uint8_t *data, size_t len, int out_ch,
                              uint8_t *out, size_t npix, uint32_t seed, exrqoi__qoi_dec *st,
                              size_t *pos)
{
    exrqoi__qoi_dec_init(st);
    *pos = 14;
    size_t lim = len - 8, done = 0;
    while (done < npix) {
        uint32_t r = ts_xorshift32(&seed);
        size_t k = r % 3 == 0 ? 1 + (r >> 8) % 7 : r % 3 == 1 ? 1 + (r >> 8) % 300 : npix;
        if (k > npix - done) k = npix - done;
        uint8_t *tmp = malloc(k * (size_t)out_ch);
        assert_non_null(tmp);
        size_t got = exrqoi__qoi_decode_span_path(path, st, data, pos, lim, tmp, k, out_ch);
        memcpy(out + done * (size_t)out_ch, tmp, got * (size_t)out_ch);
        free(tmp);
        done += got;
        if (got < k) break;
    }
    return done;
}

/* exrqoi__qoi_decode_span_path: exact, fast C, SSE2, NEON (those the build
 * lacks fall back, so every number is valid on every host) */
#define QOI_DEC_PATHS 4

static void test_decode_paths(void **state)
{
    (void)state;
    uint32_t seed = 4242;
    static const uint32_t dims[][2] = {{1, 1}, {2, 3}, {5, 1}, {3, 7}, {17, 9}, {64, 33}, {301, 47}};
    for (int iter = 0; iter < 600; iter++) {
        const uint32_t *dm = dims[iter % 7];
        int ch = 3 + (int)(ts_xorshift32(&seed) % 2);
        size_t len;
        uint8_t *q = random_ops(dm[0], dm[1], ch, &seed, &len);
        qoi_desc rd;
        for (int out_ch = 3; out_ch <= 4; out_ch++) {
            uint8_t *ref = qoi_decode(q, (int)len, &rd, out_ch);
            assert_non_null(ref);
            size_t npix = (size_t)dm[0] * dm[1];
            uint8_t *out[QOI_DEC_PATHS];
            size_t got[QOI_DEC_PATHS], pos[QOI_DEC_PATHS];
            exrqoi__qoi_dec st[QOI_DEC_PATHS];
            uint32_t split = ts_xorshift32(&seed);
            for (int path = 0; path < QOI_DEC_PATHS; path++) {
                out[path] = calloc(npix, (size_t)out_ch);
                got[path] = decode_by_spans(path, q, len, out_ch, out[path], npix, split,
                                            &st[path], &pos[path]);
                /* the reference repeats the last pixel where the ops run out */
                assert_memory_equal(out[path], ref, got[path] * (size_t)out_ch);
            }
            for (int path = 1; path < QOI_DEC_PATHS; path++) {
                assert_int_equal(got[path], got[0]);
                assert_int_equal(pos[path], pos[0]);
                assert_int_equal(st[path].px, st[0].px);
                assert_int_equal(st[path].run, st[0].run);
                assert_memory_equal(st[path].index, st[0].index, sizeof st[0].index);
            }
            for (int path = 0; path < QOI_DEC_PATHS; path++) free(out[path]);

            /* and the public calls, whole and row by row with a stride */
            exrqoi_qoi_options o = {.struct_size = sizeof(exrqoi_qoi_options), .lenient = 1, .channels = out_ch};
            uint8_t *px = NULL;
            size_t plen = 0;
            assert_int_equal(exrqoi_qoi_decode(exrqoi_source_memory(q, len), &o, NULL, (void **)&px, &plen), EXRQOI_OK);
            assert_memory_equal(px, ref, plen);
            exrqoi_free(NULL, px);
            size_t row = (size_t)dm[0] * out_ch, stride = row + 5;
            uint8_t *sp = malloc(stride * dm[1]);
            assert_non_null(sp);
            memset(sp, 0xa5, stride * dm[1]);
            exrqoi_qoi_decoder *dec;
            assert_int_equal(exrqoi_qoi_decoder_open(exrqoi_source_memory(q, len), &o, &dec), EXRQOI_OK);
            for (uint32_t y = 0; y < dm[1]; y++)
                assert_int_equal(exrqoi_qoi_decoder_read_rows(dec, sp + y * stride, stride, 1),
                                 EXRQOI_OK);
            exrqoi_qoi_decoder_close(dec);
            for (uint32_t y = 0; y < dm[1]; y++) {
                assert_memory_equal(sp + y * stride, ref + y * row, row);
                for (size_t i = row; i < stride; i++) assert_int_equal(sp[y * stride + i], 0xa5);
            }
            free(sp);
            free(ref);
        }
        free(q);
    }
}

/* INDEX ops naming the slot of the pixel just decoded (encoders write a
 * run instead, but the stream is valid): the fast loops read the next
 * op's slot before storing the current pixel and must patch that read. */
static void test_decode_index_of_previous(void **state)
{
    (void)state;
    for (int ch = 3; ch <= 4; ch++) {
        uint8_t q[14 + 600 + 8];
        size_t p = 14;
        memcpy(q, "qoif", 4);
        put_be(q + 4, 100);
        put_be(q + 8, 1);
        q[12] = (uint8_t)ch;
        q[13] = 0;
        uint32_t seed = 7;
        for (int i = 0; i < 100; i++) {
            uint32_t r = ts_xorshift32(&seed);
            if (i % 2 == 0) {
                /* a new pixel by RGB, RGBA, DIFF or LUMA ... */
                uint8_t c[4] = {(uint8_t)r, (uint8_t)(r >> 8), (uint8_t)(r >> 16), (uint8_t)(r >> 24 | 0x80)};
                switch (i / 2 % 4) {
                case 0: q[p++] = 0xfe; memcpy(q + p, c, 3); p += 3; break;
                case 1: q[p++] = 0xff; memcpy(q + p, c, 4); p += 4; break;
                case 2: q[p++] = (uint8_t)(0x40 | (r & 63)); break;
                default: q[p++] = (uint8_t)(0x80 | (r & 63)); q[p++] = (uint8_t)(r >> 8); break;
                }
            } else {
                /* ... then an INDEX op naming its own slot */
                qoi_desc rd;
                memcpy(q + p, "\0\0\0\0\0\0\0\1", 8);
                put_be(q + 4, (uint32_t)(i / 2 + 1));
                uint8_t *ref = qoi_decode(q, (int)(p + 8), &rd, 4);
                assert_non_null(ref);
                uint32_t v = exrqoi__qoi_load32(ref + (i / 2) * 4);
                q[p++] = (uint8_t)exrqoi__qoi_hash(v);
                free(ref);
            }
        }
        memcpy(q + p, "\0\0\0\0\0\0\0\1", 8);
        put_be(q + 4, 100);
        size_t len = p + 8;
        qoi_desc rd;
        for (int out_ch = 3; out_ch <= 4; out_ch++) {
            uint8_t *ref = qoi_decode(q, (int)len, &rd, out_ch);
            assert_non_null(ref);
            for (int path = 0; path < QOI_DEC_PATHS; path++) {
                uint8_t out[100 * 4];
                exrqoi__qoi_dec st;
                exrqoi__qoi_dec_init(&st);
                size_t pos = 14;
                assert_int_equal(exrqoi__qoi_decode_span_path(path, &st, q, &pos, len - 8, out, 100, out_ch), 100);
                assert_memory_equal(out, ref, 100 * (size_t)out_ch);
            }
            free(ref);
        }
    }
}

static void test_encode_args(void **state)
{
    (void)state;
    uint8_t px[16] = {0};
    void *out;
    size_t len;
    exrqoi_qoi_desc d = mkdesc(2, 2, 4, 0);
    d.width = 0;
    assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&out, &len), px, &d, NULL), EXRQOI_ERR_INVALID_ARGUMENT);
    d = mkdesc(2, 2, 5, 0);
    assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&out, &len), px, &d, NULL), EXRQOI_ERR_INVALID_ARGUMENT);
    d = mkdesc(2, 2, 4, 2);
    assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&out, &len), px, &d, NULL), EXRQOI_ERR_INVALID_ARGUMENT);
    d = mkdesc(2, 2, 4, 0);
    assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&out, &len), NULL, &d, NULL), EXRQOI_ERR_INVALID_ARGUMENT);
    assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&out, &len), px, NULL, NULL), EXRQOI_ERR_INVALID_ARGUMENT);
    d = mkdesc(30000, 20000, 4, 0);
    assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&out, &len), px, &d, NULL), EXRQOI_ERR_LIMIT);
    size_t ms;
    d = mkdesc(10, 10, 3, 0);
    assert_int_equal(exrqoi_qoi_max_encoded_size(&d, &ms), EXRQOI_OK);
    assert_int_equal(ms, 10 * 10 * 4 + 22);
}

/* ---- streaming ---------------------------------------------------------- */

typedef struct membuf {
    uint8_t *data;
    size_t len, cap;
    int fail_after; /* writes before failing, -1 = never */
} membuf;

static int mb_write(void *user, const void *buf, size_t size)
{
    membuf *m = user;
    if (m->fail_after == 0) return -1;
    if (m->fail_after > 0) m->fail_after--;
    if (m->len + size > m->cap) {
        m->cap = (m->len + size) * 2;
        m->data = realloc(m->data, m->cap);
    }
    memcpy(m->data + m->len, buf, size);
    m->len += size;
    return 0;
}

/* sequential source that ignores offsets and hands out few bytes at a
 * time only at the end (like a pipe, honouring the contract) */
typedef struct pipe_src {
    const uint8_t *data;
    size_t len, pos;
} pipe_src;

static int64_t pipe_read(void *user, void *buf, size_t size, uint64_t offset)
{
    (void)offset;
    pipe_src *p = user;
    size_t n = p->len - p->pos < size ? p->len - p->pos : size;
    memcpy(buf, p->data + p->pos, n);
    p->pos += n;
    return (int64_t)n;
}

static void test_streaming(void **state)
{
    (void)state;
    for (int ch = 3; ch <= 4; ch++) {
        const uint32_t w = 97, h = 1500; /* > 64 KiB of stream */
        uint8_t *px = make_image(w, h, ch, 5 + ch);
        int rlen;
        uint8_t *ref = ref_encode(px, w, h, ch, 1, &rlen);
        exrqoi_qoi_desc d = mkdesc(w, h, ch, 1);

        /* rows from a buffer with padding between rows, in uneven batches */
        size_t stride = w * ch + 13;
        uint8_t *padded = calloc(h, stride);
        for (uint32_t y = 0; y < h; y++) memcpy(padded + y * stride, px + y * w * ch, w * ch);
        membuf mb = {NULL, 0, 0, -1};
        exrqoi_output out = {mb_write, NULL, &mb};
        exrqoi_qoi_encoder *e;
        assert_int_equal(exrqoi_qoi_encoder_open(exrqoi_sink_output(&out), &d, NULL, &e), EXRQOI_OK);
        uint32_t y = 0, step = 1;
        while (y < h) {
            uint32_t n = step < h - y ? step : h - y;
            assert_int_equal(exrqoi_qoi_encoder_write_rows(e, padded + y * stride, stride, n),
                             EXRQOI_OK);
            y += n;
            step = step * 3 % 17 + 1;
        }
        assert_int_equal(exrqoi_qoi_encoder_write_rows(e, padded, stride, 1),
                         EXRQOI_ERR_INVALID_ARGUMENT);
        assert_int_equal(exrqoi_qoi_encoder_finish(e), EXRQOI_OK);
        assert_int_equal(exrqoi_qoi_encoder_finish(e), EXRQOI_ERR_BAD_STATE);
        exrqoi_qoi_encoder_close(e);
        assert_int_equal(mb.len, (size_t)rlen);
        assert_memory_equal(mb.data, ref, mb.len);

        /* the one-shot output call */
        mb.len = 0;
        assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_output(&out), px, &d, NULL), EXRQOI_OK);
        assert_int_equal(mb.len, (size_t)rlen);
        assert_memory_equal(mb.data, ref, mb.len);

        /* write failure is reported */
        mb.len = 0;
        mb.fail_after = 0;
        assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_output(&out), px, &d, NULL), EXRQOI_ERR_WRITE);
        mb.fail_after = -1;

        /* finish too early */
        assert_int_equal(exrqoi_qoi_encoder_open(exrqoi_sink_output(&out), &d, NULL, &e), EXRQOI_OK);
        assert_int_equal(exrqoi_qoi_encoder_write_rows(e, px, 0, 3), EXRQOI_OK);
        assert_int_equal(exrqoi_qoi_encoder_finish(e), EXRQOI_ERR_BAD_STATE);
        exrqoi_qoi_encoder_close(e);

        /* decode row by row from a pipe, to both channel counts */
        for (int want = 3; want <= 4; want++) {
            pipe_src src = {ref, (size_t)rlen, 0};
            exrqoi_input in = {pipe_read, -1, 0, &src};
            exrqoi_qoi_options o = {.struct_size = sizeof(exrqoi_qoi_options), .channels = want};
            exrqoi_qoi_decoder *dd;
            assert_int_equal(exrqoi_qoi_decoder_open(exrqoi_source_input(&in), &o, &dd), EXRQOI_OK);
            exrqoi_qoi_desc got;
            assert_int_equal(exrqoi_qoi_decoder_desc(dd, &got), EXRQOI_OK);
            assert_int_equal(got.height, h);
            assert_int_equal(exrqoi_qoi_decoder_channels(dd), want);
            qoi_desc rd;
            uint8_t *rpx = qoi_decode(ref, rlen, &rd, want);
            uint8_t *row = malloc(w * want + 1);
            for (uint32_t yy = 0; yy < h; yy++) {
                row[w * want] = 0xa5; /* canary: no write past the row */
                assert_int_equal(exrqoi_qoi_decoder_read_rows(dd, row, 0, 1), EXRQOI_OK);
                assert_int_equal(row[w * want], 0xa5);
                assert_memory_equal(row, rpx + (size_t)yy * w * want, w * want);
            }
            assert_int_equal(exrqoi_qoi_decoder_read_rows(dd, row, 0, 1),
                             EXRQOI_ERR_INVALID_ARGUMENT);
            exrqoi_qoi_decoder_close(dd);
            free(row);
            free(rpx);
        }

        /* the whole-image input call, and strict errors through a stream */
        pipe_src src = {ref, (size_t)rlen - 1, 0};
        exrqoi_input in = {pipe_read, -1, 0, &src};
        exrqoi_qoi_desc got;
        void *dpx = NULL;
        assert_int_equal(exrqoi_qoi_decode(exrqoi_source_input(&in), NULL, &got, &dpx, NULL),
                         EXRQOI_ERR_TRUNCATED);
        src.pos = 0;
        src.len = (size_t)rlen;
        size_t dlen;
        assert_int_equal(exrqoi_qoi_decode(exrqoi_source_input(&in), NULL, &got, &dpx, &dlen), EXRQOI_OK);
        assert_memory_equal(dpx, px, dlen);
        exrqoi_free(NULL, dpx);

        /* memory decoder with a stride */
        exrqoi_qoi_decoder *md;
        assert_int_equal(exrqoi_qoi_decoder_open(exrqoi_source_memory(ref, rlen), NULL, &md), EXRQOI_OK);
        memset(padded, 0, h * stride);
        assert_int_equal(exrqoi_qoi_decoder_read_rows(md, padded, stride, h - 1), EXRQOI_OK);
        assert_int_equal(exrqoi_qoi_decoder_read_rows(md, padded + (h - 1) * stride, stride, 1),
                         EXRQOI_OK);
        for (uint32_t yy = 0; yy < h; yy++)
            assert_memory_equal(padded + yy * stride, px + yy * w * ch, w * ch);
        exrqoi_qoi_decoder_close(md);
        assert_int_equal(exrqoi_qoi_decode_into(exrqoi_source_memory(ref, rlen), NULL, &got, padded, stride, h * stride),
                         EXRQOI_OK);
        assert_int_equal(exrqoi_qoi_decode_into(exrqoi_source_memory(ref, rlen), NULL, &got, padded, stride, h * stride - 14),
                         EXRQOI_ERR_BUFFER_TOO_SMALL);

        free(mb.data);
        free(padded);
        free(ref);
        free(px);
    }
}

/* ---- parallel stripes --------------------------------------------------- */

static void test_parallel(void **state)
{
    (void)state;
    exrqoi_pool *p1, *p2;
    assert_int_equal(exrqoi_pool_open(1, NULL, &p1), EXRQOI_OK);
    assert_int_equal(exrqoi_pool_open(2, NULL, &p2), EXRQOI_OK);
    for (int ch = 3; ch <= 4; ch++) {
        const uint32_t sizes[][2] = {{50, 41}, {1, 100}, {300, 9}};
        for (size_t si = 0; si < 3; si++) {
            uint32_t w = sizes[si][0], h = sizes[si][1];
            /* a small palette: every stripe meets colours whose index slots
             * the decoder already filled in earlier stripes */
            uint8_t *px = make_image(w, h, ch, 3);
            for (size_t i = 0; i < (size_t)w * h; i++)
                if (i % 5 == 0) px[i * ch] = (uint8_t)(i / 7 % 4 * 40);
            exrqoi_qoi_desc d = mkdesc(w, h, ch, 0);
            for (uint32_t sr = 1; sr <= 17; sr += 4) {
                exrqoi_qoi_options o1 = {.struct_size = sizeof(exrqoi_qoi_options), .pool = p1, .stripe_rows = sr};
                exrqoi_qoi_options o2 = {.struct_size = sizeof(exrqoi_qoi_options), .pool = p2, .stripe_rows = sr};
                void *a, *b;
                size_t la, lb;
                assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&a, &la), px, &d, &o1), EXRQOI_OK);
                assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&b, &lb), px, &d, &o2), EXRQOI_OK);
                assert_int_equal(la, lb);
                assert_memory_equal(a, b, la);
                qoi_desc rd;
                uint8_t *rpx = qoi_decode(a, (int)la, &rd, 0);
                assert_non_null(rpx);
                assert_memory_equal(rpx, px, (size_t)w * h * ch);
                free(rpx);
                uint8_t *mine;
                exrqoi_qoi_desc got;
                assert_int_equal(exrqoi_qoi_decode(exrqoi_source_memory(a, la), NULL, &got, (void **)&mine, NULL),
                                 EXRQOI_OK);
                assert_memory_equal(mine, px, (size_t)w * h * ch);
                exrqoi_free(NULL, mine);
                exrqoi_free(NULL, a);
                exrqoi_free(NULL, b);
            }
            /* one stripe: exactly the reference */
            exrqoi_qoi_options o = {.struct_size = sizeof(exrqoi_qoi_options), .pool = p2, .stripe_rows = h};
            void *a;
            size_t la;
            int rlen;
            uint8_t *ref = ref_encode(px, w, h, ch, 0, &rlen);
            assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&a, &la), px, &d, &o), EXRQOI_OK);
            assert_int_equal(la, (size_t)rlen);
            assert_memory_equal(a, ref, la);
            exrqoi_free(NULL, a);
            free(ref);
            free(px);
        }
    }
    exrqoi_pool_close(p1);
    exrqoi_pool_close(p2);
}

/* ---- allocator ---------------------------------------------------------- */

typedef struct counting {
    long live, total;
} counting;

static void *c_alloc(void *user, size_t size)
{
    counting *c = user;
    c->live++;
    c->total++;
    return malloc(size);
}

static void c_free(void *user, void *p)
{
    counting *c = user;
    if (p) c->live--;
    free(p);
}

static void test_allocator(void **state)
{
    (void)state;
    counting c = {0, 0};
    exrqoi_allocator al = {c_alloc, c_free, &c};
    exrqoi_qoi_options o = {.struct_size = sizeof(exrqoi_qoi_options), .allocator = &al};
    uint8_t *px = make_image(33, 33, 4, 8);
    exrqoi_qoi_desc d = mkdesc(33, 33, 4, 0);
    void *enc, *dec;
    size_t len;
    assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&enc, &len), px, &d, &o), EXRQOI_OK);
    assert_int_equal(c.live, 1);
    exrqoi_qoi_desc got;
    assert_int_equal(exrqoi_qoi_decode(exrqoi_source_memory(enc, len), &o, &got, &dec, NULL), EXRQOI_OK);
    assert_int_equal(c.live, 2);
    exrqoi_free(&al, dec);
    exrqoi_qoi_decoder *dd;
    assert_int_equal(exrqoi_qoi_decoder_open(exrqoi_source_memory(enc, len), &o, &dd), EXRQOI_OK);
    exrqoi_qoi_decoder_close(dd);
    exrqoi_pool *pool;
    assert_int_equal(exrqoi_pool_open(2, NULL, &pool), EXRQOI_OK);
    exrqoi_qoi_options op = {.struct_size = sizeof(exrqoi_qoi_options), .allocator = &al, .pool = pool, .stripe_rows = 4};
    void *penc;
    size_t plen;
    assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&penc, &plen), px, &d, &op), EXRQOI_OK);
    exrqoi_free(&al, penc);
    exrqoi_pool_close(pool);
    /* a caller built against an older, shorter options struct */
    exrqoi_qoi_options os = {.struct_size = offsetof(exrqoi_qoi_options, lenient),
                             .allocator = &al, .lenient = 1};
    assert_int_equal(dec_rc(enc, len - 1, &os), EXRQOI_ERR_TRUNCATED); /* lenient ignored */
    exrqoi_free(&al, enc);
    assert_int_equal(c.live, 0);
    assert_true(c.total >= 4);
    free(px);
}

/* ---- files -------------------------------------------------------------- */

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static void test_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/exrqoi_qoi_testXXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/a.qoi", dir);
    uint8_t *px = make_image(64, 80, 3, 11);
    exrqoi_qoi_desc d = mkdesc(64, 80, 3, 0);
    int rlen;
    uint8_t *ref = ref_encode(px, 64, 80, 3, 0, &rlen);

    assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_path(path), px, &d, NULL), EXRQOI_OK);
    assert_int_equal(count_entries(dir), 1);
    void *dec;
    size_t dl;
    exrqoi_qoi_desc got;
    assert_int_equal(exrqoi_qoi_decode(exrqoi_source_path(path), NULL, &got, &dec, &dl), EXRQOI_OK);
    assert_memory_equal(dec, px, dl);
    exrqoi_free(NULL, dec);
    FILE *f = fopen(path, "rb");
    uint8_t *back = malloc(rlen + 1);
    assert_int_equal(fread(back, 1, rlen + 1, f), (size_t)rlen);
    fclose(f);
    assert_memory_equal(back, ref, rlen);

    /* parallel to a file, fsync on */
    exrqoi_pool *pool;
    assert_int_equal(exrqoi_pool_open(2, NULL, &pool), EXRQOI_OK);
    exrqoi_qoi_options op = {.struct_size = sizeof(exrqoi_qoi_options), .pool = pool, .stripe_rows = 16, .fsync = 1};
    assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_path(path), px, &d, &op), EXRQOI_OK);
    assert_int_equal(count_entries(dir), 1);
    assert_int_equal(exrqoi_qoi_decode(exrqoi_source_path(path), NULL, &got, &dec, &dl), EXRQOI_OK);
    assert_memory_equal(dec, px, dl);
    exrqoi_free(NULL, dec);
    exrqoi_pool_close(pool);

    /* an unfinished streaming file never replaces the old one */
    assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_path(path), px, &d, NULL), EXRQOI_OK);
    exrqoi_qoi_encoder *e;
    exrqoi_qoi_desc d2 = mkdesc(8, 8, 4, 0);
    assert_int_equal(exrqoi_qoi_encoder_open(exrqoi_sink_path(path), &d2, NULL, &e), EXRQOI_OK);
    /* the temporary file: unnamed (O_TMPFILE), or named where unsupported */
    assert_true(count_entries(dir) == 1 || count_entries(dir) == 2);
    uint8_t row[8 * 4] = {1};
    assert_int_equal(exrqoi_qoi_encoder_write_rows(e, row, 0, 1), EXRQOI_OK);
    exrqoi_qoi_encoder_close(e);
    assert_int_equal(count_entries(dir), 1);
    f = fopen(path, "rb");
    assert_int_equal(fread(back, 1, rlen + 1, f), (size_t)rlen);
    fclose(f);
    assert_memory_equal(back, ref, rlen);

    /* a finished streaming file replaces it */
    assert_int_equal(exrqoi_qoi_encoder_open(exrqoi_sink_path(path), &d2, NULL, &e), EXRQOI_OK);
    for (int y = 0; y < 8; y++) assert_int_equal(exrqoi_qoi_encoder_write_rows(e, row, 0, 1), EXRQOI_OK);
    assert_int_equal(exrqoi_qoi_encoder_finish(e), EXRQOI_OK);
    exrqoi_qoi_encoder_close(e);
    assert_int_equal(count_entries(dir), 1);
    assert_int_equal(exrqoi_qoi_decode(exrqoi_source_path(path), NULL, &got, &dec, &dl), EXRQOI_OK);
    assert_int_equal(got.width, 8);
    exrqoi_free(NULL, dec);

    /* failures */
    char bad[300];
    snprintf(bad, sizeof bad, "%s/missing/dir/a.qoi", dir);
    assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_path(bad), px, &d, NULL), EXRQOI_ERR_OPEN);
    assert_int_equal(exrqoi_qoi_decode(exrqoi_source_path(bad), NULL, &got, &dec, &dl), EXRQOI_ERR_OPEN);
    d.channels = 7; /* invalid: no file is created */
    snprintf(bad, sizeof bad, "%s/b.qoi", dir);
    assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_path(bad), px, &d, NULL), EXRQOI_ERR_INVALID_ARGUMENT);
    assert_int_equal(count_entries(dir), 1);

    unlink(path);
    rmdir(dir);
    free(back);
    free(ref);
    free(px);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_identity_synthetic),
        cmocka_unit_test(test_identity_flat),
        cmocka_unit_test(test_encode_paths),
        cmocka_unit_test(test_encode_paths_runs),
        cmocka_unit_test(test_bad_header),
        cmocka_unit_test(test_bad_data),
        cmocka_unit_test(test_mutations_vs_reference),
        cmocka_unit_test(test_decode_paths),
        cmocka_unit_test(test_decode_index_of_previous),
        cmocka_unit_test(test_encode_args),
        cmocka_unit_test(test_streaming),
        cmocka_unit_test(test_parallel),
        cmocka_unit_test(test_allocator),
        cmocka_unit_test(test_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
