/*
 * exrqoi_limits: each limit is enforced (EXRQOI_ERR_LIMIT, before the
 * allocation it guards) and a value just at the limit still works, on small
 * EXR files built byte by byte here (so the test needs no writer and no
 * corpus), plus the QOI and deep limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exrqoi/exrqoi.h"

/* ---- a tiny EXR builder (scanline, NONE, half channels) ---------------- */

typedef struct bytes {
    uint8_t d[1 << 18];
    size_t n;
} bytes;

static void put(bytes *b, const void *p, size_t n)
{
    assert_true(b->n + n <= sizeof b->d);
    memcpy(b->d + b->n, p, n);
    b->n += n;
}
static void put8(bytes *b, uint8_t v) { put(b, &v, 1); }
static void put32(bytes *b, uint32_t v)
{
    uint8_t t[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(b, t, 4);
}
static void put64(bytes *b, uint64_t v)
{
    put32(b, (uint32_t)v);
    put32(b, (uint32_t)(v >> 32));
}
static void putf(bytes *b, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    put32(b, u);
}
static void puts0(bytes *b, const char *s) { put(b, s, strlen(s) + 1); }
static void attr(bytes *b, const char *name, const char *type, uint32_t size)
{
    puts0(b, name);
    puts0(b, type);
    put32(b, size);
}

typedef struct spec {
    int32_t w, h;
    int parts;          /* 1 = single part file */
    uint32_t comment;   /* bytes of an extra string attribute (0 = none) */
} spec;

/* Attributes per header written by build() besides the comment. */
#define BASE_ATTRS 8

static void header(bytes *b, const spec *s, int part)
{
    attr(b, "channels", "chlist", 2 + 16 + 1);
    puts0(b, "Y");
    put32(b, EXRQOI_PIXEL_HALF);
    put8(b, 0);
    put8(b, 0);
    put8(b, 0);
    put8(b, 0);
    put32(b, 1);
    put32(b, 1);
    put8(b, 0);
    attr(b, "compression", "compression", 1);
    put8(b, EXRQOI_COMPRESSION_NONE);
    for (int k = 0; k < 2; k++) {
        attr(b, k ? "displayWindow" : "dataWindow", "box2i", 16);
        put32(b, 0);
        put32(b, 0);
        put32(b, (uint32_t)(s->w - 1));
        put32(b, (uint32_t)(s->h - 1));
    }
    attr(b, "lineOrder", "lineOrder", 1);
    put8(b, 0);
    attr(b, "pixelAspectRatio", "float", 4);
    putf(b, 1.f);
    attr(b, "screenWindowCenter", "v2f", 8);
    putf(b, 0.f);
    putf(b, 0.f);
    attr(b, "screenWindowWidth", "float", 4);
    putf(b, 1.f);
    if (s->parts > 1) {
        char nm[16];
        snprintf(nm, sizeof nm, "p%d", part);
        attr(b, "name", "string", (uint32_t)strlen(nm));
        put(b, nm, strlen(nm));
        attr(b, "type", "string", 13);
        put(b, "scanlineimage", 13);
        attr(b, "chunkCount", "int", 4);
        put32(b, (uint32_t)s->h);
    }
    if (s->comment) {
        attr(b, "comment", "string", s->comment);
        for (uint32_t i = 0; i < s->comment; i++) put8(b, 'a' + (uint8_t)(i % 26));
    }
    put8(b, 0);
}

static void build(bytes *b, const spec *s)
{
    b->n = 0;
    put32(b, 20000630u);
    put32(b, 2u | (s->parts > 1 ? 0x1000u : 0u));
    for (int p = 0; p < s->parts; p++) header(b, s, p);
    if (s->parts > 1) put8(b, 0);
    size_t lead = (s->parts > 1 ? 4u : 0u) + 8u;
    size_t chunk = lead + (size_t)s->w * 2;
    size_t start = b->n + (size_t)s->parts * (size_t)s->h * 8;
    for (int p = 0; p < s->parts; p++)
        for (int y = 0; y < s->h; y++)
            put64(b, start + ((size_t)p * (size_t)s->h + (size_t)y) * chunk);
    for (int p = 0; p < s->parts; p++)
        for (int y = 0; y < s->h; y++) {
            if (s->parts > 1) put32(b, (uint32_t)p);
            put32(b, (uint32_t)y);
            put32(b, (uint32_t)s->w * 2);
            for (int x = 0; x < s->w; x++) {
                put8(b, (uint8_t)(x + y));
                put8(b, 0x3c);
            }
        }
}

static exrqoi_result open_with(const bytes *b, const exrqoi_limits *l, exrqoi_reader **r)
{
    exrqoi_read_options o = EXRQOI_READ_OPTIONS_INIT;
    o.limits = l;
    o.threads = 1;
    return exrqoi_reader_open(exrqoi_source_memory(b->d, b->n), &o, r);
}

/* Opens and closes; returns the open's result. */
static exrqoi_result try_open(const bytes *b, const exrqoi_limits *l)
{
    exrqoi_reader *r = NULL;
    exrqoi_result rv = open_with(b, l, &r);
    assert_true((rv == EXRQOI_OK) == (r != NULL));
    exrqoi_reader_close(r);
    return rv;
}

/* Opens, reads the whole of part 0; returns the read's result. */
static exrqoi_result try_read(const bytes *b, const exrqoi_limits *l, int threads)
{
    exrqoi_read_options o = EXRQOI_READ_OPTIONS_INIT;
    o.limits = l;
    o.threads = threads;
    exrqoi_reader *r = NULL;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(b->d, b->n), &o, &r), EXRQOI_OK);
    exrqoi_part_info pi;
    assert_int_equal(exrqoi_reader_part_info(r, 0, &pi), EXRQOI_OK);
    int32_t w = pi.data_window.max.x + 1, h = pi.data_window.max.y + 1;
    uint16_t *px = (uint16_t *)calloc((size_t)w * (size_t)h, 2);
    assert_non_null(px);
    exrqoi_slice s = {"Y", EXRQOI_PIXEL_HALF, px, 2, (ptrdiff_t)w * 2, 0.0};
    exrqoi_result rv = exrqoi_reader_read_region(r, 0, 0, 0, NULL, &s, 1);
    if (rv == EXRQOI_OK) assert_int_equal(px[w * h - 1], 0x3c00 | (uint16_t)((w - 1 + h - 1) & 0xff));
    free(px);
    exrqoi_reader_close(r);
    return rv;
}

static void limits_none(exrqoi_limits *l) { *l = (exrqoi_limits)EXRQOI_LIMITS_INIT; }

/* ---- tests -------------------------------------------------------------- */

static void test_defaults(void **state)
{
    (void)state;
    exrqoi_limits d;
    exrqoi_limits_default(&d);
    assert_int_equal(d.max_width, 1u << 24);
    assert_int_equal(d.max_height, 1u << 24);
    assert_true(d.max_pixels == (uint64_t)1 << 30);
    assert_true(d.max_alloc_bytes == (uint64_t)4 << 30);
    /* a desktop reads a 16k x 16k RGBA float image whole with the defaults */
    assert_true(d.max_alloc_bytes >= (uint64_t)16384 * 16384 * 4 * 4);
    assert_true(d.max_pixels >= (uint64_t)16384 * 16384);
    assert_true(d.max_width >= 16384 && d.max_height >= 16384);
    assert_int_equal(d.max_attribute_size, 64u << 20);
    assert_true(d.max_chunk_size == (uint64_t)2 << 30);
    assert_int_equal(d.max_deep_samples_per_pixel, 1u << 24);
    assert_true(d.max_deep_samples_total == (uint64_t)1 << 32);
    assert_int_equal(d.max_parts, 1u << 16);
    assert_int_equal(d.max_attributes, 1u << 16);
    assert_true(d.max_qoi_pixels == 400000000u);
    /* all-zero limits mean the defaults */
    static bytes b;
    spec s = {64, 8, 1, 0};
    build(&b, &s);
    exrqoi_limits z;
    limits_none(&z);
    assert_int_equal(try_open(&b, &z), EXRQOI_OK);
    assert_int_equal(try_read(&b, &z, 1), EXRQOI_OK);
    assert_int_equal(try_read(&b, NULL, 2), EXRQOI_OK);
}

static void test_window(void **state)
{
    (void)state;
    static bytes b;
    spec s = {64, 8, 1, 0};
    build(&b, &s);
    exrqoi_limits l;
    limits_none(&l);
    l.max_width = 63;
    assert_int_equal(try_open(&b, &l), EXRQOI_ERR_LIMIT);
    l.max_width = 64;
    assert_int_equal(try_open(&b, &l), EXRQOI_OK);
    limits_none(&l);
    l.max_height = 7;
    assert_int_equal(try_open(&b, &l), EXRQOI_ERR_LIMIT);
    l.max_height = 8;
    assert_int_equal(try_open(&b, &l), EXRQOI_OK);
    limits_none(&l);
    l.max_pixels = 511;
    assert_int_equal(try_open(&b, &l), EXRQOI_ERR_LIMIT);
    l.max_pixels = 512;
    assert_int_equal(try_open(&b, &l), EXRQOI_OK);
}

static void test_attributes(void **state)
{
    (void)state;
    static bytes b;
    spec s = {16, 4, 1, 100};
    build(&b, &s);
    exrqoi_limits l;
    limits_none(&l);
    l.max_attribute_size = 99;
    assert_int_equal(try_open(&b, &l), EXRQOI_ERR_LIMIT);
    l.max_attribute_size = 100;
    assert_int_equal(try_open(&b, &l), EXRQOI_OK);
    limits_none(&l);
    l.max_attributes = BASE_ATTRS; /* the comment is one more */
    assert_int_equal(try_open(&b, &l), EXRQOI_ERR_LIMIT);
    l.max_attributes = BASE_ATTRS + 1;
    assert_int_equal(try_open(&b, &l), EXRQOI_OK);
}

static void test_parts(void **state)
{
    (void)state;
    static bytes b;
    spec s = {8, 2, 3, 0};
    build(&b, &s);
    exrqoi_limits l;
    limits_none(&l);
    l.max_parts = 2;
    assert_int_equal(try_open(&b, &l), EXRQOI_ERR_LIMIT);
    l.max_parts = 3;
    assert_int_equal(try_open(&b, &l), EXRQOI_OK);
    assert_int_equal(try_read(&b, &l, 1), EXRQOI_OK);
}

static void test_chunk_size(void **state)
{
    (void)state;
    static bytes b;
    spec s = {64, 4, 1, 0}; /* chunks of 128 bytes */
    build(&b, &s);
    exrqoi_limits l;
    limits_none(&l);
    l.max_chunk_size = 127;
    assert_int_equal(try_open(&b, &l), EXRQOI_OK); /* chunks are checked when read */
    assert_int_equal(try_read(&b, &l, 1), EXRQOI_ERR_LIMIT);
    exrqoi_reader *r;
    assert_int_equal(open_with(&b, &l, &r), EXRQOI_OK);
    void *data = NULL;
    size_t size = 0;
    assert_int_equal(exrqoi_reader_read_raw_chunk(r, 0, 0, NULL, &data, &size), EXRQOI_ERR_LIMIT);
    assert_null(data);
    exrqoi_reader_close(r);
    l.max_chunk_size = 128;
    assert_int_equal(try_read(&b, &l, 1), EXRQOI_OK);
}

/* Counts what the library allocates, to show a refused read allocated no
 * more than the limit allows. */
typedef struct counter {
    size_t live, peak, biggest;
} counter;
typedef struct hdr {
    size_t size;
    max_align_t pad;
} hdr;
static void *cnt_alloc(void *user, size_t size)
{
    counter *c = (counter *)user;
    hdr *h = (hdr *)malloc(sizeof(hdr) + size);
    if (!h) return NULL;
    h->size = size;
    c->live += size;
    if (c->live > c->peak) c->peak = c->live;
    if (size > c->biggest) c->biggest = size;
    return h + 1;
}
static void cnt_free(void *user, void *p)
{
    if (!p) return;
    hdr *h = (hdr *)p - 1;
    ((counter *)user)->live -= h->size;
    free(h);
}

static void test_alloc_bytes(void **state)
{
    (void)state;
    static bytes b;
    spec s = {64, 8, 1, 0}; /* 8 chunks of 128 bytes; offset table 64 bytes */
    build(&b, &s);
    exrqoi_limits l;
    limits_none(&l);
    /* the offset table is allocated at open */
    l.max_alloc_bytes = 63;
    assert_int_equal(try_open(&b, &l), EXRQOI_ERR_LIMIT);
    /* a read of several chunks on one thread: 4 blocks of 128 bytes */
    l.max_alloc_bytes = 511;
    assert_int_equal(try_read(&b, &l, 1), EXRQOI_ERR_LIMIT);
    l.max_alloc_bytes = 512;
    assert_int_equal(try_read(&b, &l, 1), EXRQOI_OK);
    /* more threads than the limit has room for: fewer threads, not a failure */
    assert_int_equal(try_read(&b, &l, 4), EXRQOI_OK);
    /* raw chunk copies */
    l.max_alloc_bytes = 127;
    exrqoi_reader *r;
    assert_int_equal(open_with(&b, &l, &r), EXRQOI_OK);
    void *data = NULL;
    size_t size = 0;
    assert_int_equal(exrqoi_reader_read_raw_chunk(r, 0, 0, NULL, &data, &size), EXRQOI_ERR_LIMIT);
    exrqoi_reader_close(r);

    /* a big image refused by the limit allocates nothing of its size */
    static bytes big;
    spec sb = {4096, 8, 1, 0}; /* chunks of 8 KiB */
    build(&big, &sb);
    counter c = {0, 0, 0};
    exrqoi_allocator al = {cnt_alloc, cnt_free, &c};
    exrqoi_read_options o = EXRQOI_READ_OPTIONS_INIT;
    limits_none(&l);
    l.max_alloc_bytes = 4096;
    o.limits = &l;
    o.allocator = &al;
    o.threads = 1;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(big.d, big.n), &o, &r), EXRQOI_OK);
    c.biggest = 0; /* what the open allocated (its header buffer) does not count */
    uint16_t *px = (uint16_t *)calloc(4096 * 8, 2);
    assert_non_null(px);
    exrqoi_slice sl = {"Y", EXRQOI_PIXEL_HALF, px, 2, 4096 * 2, 0.0};
    assert_int_equal(exrqoi_reader_read_region(r, 0, 0, 0, NULL, &sl, 1), EXRQOI_ERR_LIMIT);
    assert_true(c.biggest <= 4096);
    free(px);
    exrqoi_reader_close(r);
    assert_int_equal(c.live, 0);
}

static void test_qoi(void **state)
{
    (void)state;
    uint8_t px[16 * 16 * 4];
    for (size_t i = 0; i < sizeof px; i++) px[i] = (uint8_t)(i * 7);
    exrqoi_qoi_desc d = {16, 16, 4, EXRQOI_QOI_SRGB};
    void *enc = NULL;
    size_t enc_size = 0;
    assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&enc, &enc_size), px, &d, NULL), EXRQOI_OK);
    exrqoi_limits l;
    limits_none(&l);
    exrqoi_qoi_options o = EXRQOI_QOI_OPTIONS_INIT;
    o.limits = &l;
    exrqoi_qoi_desc got;
    void *dec = NULL;
    l.max_qoi_pixels = 255;
    assert_int_equal(exrqoi_qoi_read_header(enc, enc_size, &o, &got), EXRQOI_ERR_LIMIT);
    assert_int_equal(exrqoi_qoi_decode(exrqoi_source_memory(enc, enc_size), &o, &got, &dec, NULL), EXRQOI_ERR_LIMIT);
    assert_null(dec);
    l.max_qoi_pixels = 256;
    l.max_alloc_bytes = sizeof px - 1;
    assert_int_equal(exrqoi_qoi_decode(exrqoi_source_memory(enc, enc_size), &o, &got, &dec, NULL), EXRQOI_ERR_LIMIT);
    assert_null(dec);
    l.max_alloc_bytes = sizeof px;
    assert_int_equal(exrqoi_qoi_decode(exrqoi_source_memory(enc, enc_size), &o, &got, &dec, NULL), EXRQOI_OK);
    assert_memory_equal(dec, px, sizeof px);
    exrqoi_free(NULL, dec);
    /* encoding is bounded too */
    l.max_qoi_pixels = 255;
    void *enc2 = NULL;
    size_t enc2_size = 0;
    assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&enc2, &enc2_size), px, &d, &o), EXRQOI_ERR_LIMIT);
    assert_null(enc2);
    exrqoi_free(NULL, enc);
}

static void test_deep_samples(void **state)
{
    (void)state;
    const char *names[1] = {"Z"};
    exrqoi_pixel_type types[1] = {EXRQOI_PIXEL_FLOAT};
    exrqoi_deep_image img;
    memset(&img, 0, sizeof img);
    assert_int_equal(exrqoi_deep_image_init(&img, NULL, 2, 2, 1, names, types), EXRQOI_OK);
    for (int i = 0; i < 4; i++) img.counts[i] = 3;
    assert_int_equal(exrqoi_deep_image_alloc_samples(&img, 11), EXRQOI_ERR_LIMIT);
    assert_int_equal(exrqoi_deep_image_alloc_samples(&img, 12), EXRQOI_OK);
    assert_true(img.total_samples == 12);
    exrqoi_deep_image_free(&img);
}

/* struct_size: 0 is refused everywhere limits are taken; an older
 * caller's shorter struct keeps the defaults of the fields it lacks. */
static void test_struct_size(void **state)
{
    (void)state;
    static bytes b;
    spec s = {64, 8, 1, 0};
    build(&b, &s);
    exrqoi_limits l;
    memset(&l, 0, sizeof l);
    assert_int_equal(try_open(&b, &l), EXRQOI_ERR_INVALID_ARGUMENT);
    /* a caller that knows only max_width: the rest (max_height = 7
     * behind it) is not read */
    limits_none(&l);
    l.struct_size = offsetof(exrqoi_limits, max_height);
    l.max_width = 64;
    l.max_height = 7;
    assert_int_equal(try_open(&b, &l), EXRQOI_OK);
    l.max_width = 63;
    assert_int_equal(try_open(&b, &l), EXRQOI_ERR_LIMIT);
    /* QOI options carry limits too */
    uint8_t px[4 * 4 * 4] = {0};
    exrqoi_qoi_desc d = {4, 4, 4, EXRQOI_QOI_SRGB};
    void *enc = NULL;
    size_t enc_size = 0;
    assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&enc, &enc_size), px, &d, NULL), EXRQOI_OK);
    memset(&l, 0, sizeof l);
    exrqoi_qoi_options o = EXRQOI_QOI_OPTIONS_INIT;
    o.limits = &l;
    exrqoi_qoi_desc got;
    assert_int_equal(exrqoi_qoi_read_header(enc, enc_size, &o, &got), EXRQOI_ERR_INVALID_ARGUMENT);
    exrqoi_limits_default(&l);
    assert_true(l.struct_size == sizeof l);
    assert_int_equal(exrqoi_qoi_read_header(enc, enc_size, &o, &got), EXRQOI_OK);
    exrqoi_free(NULL, enc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),   cmocka_unit_test(test_window),
        cmocka_unit_test(test_attributes), cmocka_unit_test(test_parts),
        cmocka_unit_test(test_chunk_size), cmocka_unit_test(test_alloc_bytes),
        cmocka_unit_test(test_qoi),        cmocka_unit_test(test_deep_samples),
        cmocka_unit_test(test_struct_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
