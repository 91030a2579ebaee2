/* Allocation follows evidence: small files that declare huge images (data
 * windows widened to 2^24 columns, for every codec, scanline, tiled and
 * deep, and files whose chunks lie past the end), and every file of
 * ../shared/corpus/openexr-images/Damaged/, read through every public read
 * path with a counting allocator. Each read must fail cleanly (or succeed),
 * and the most the library holds at once must stay within
 * 64 MiB + 2048 x the file's size, with the default limits. Also QOI
 * headers declaring huge images, and the growing read used for sizes
 * declared by sources of unknown size.
 *
 * EXRQOI_ALLOC_REPORT=1 in the environment prints each file's peak. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* strdup */
#endif
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exrqoi/exrqoi.h"
#include "io/stream.h"
#include "small_files.h"
#include "test_support.h"

/* ---- counting allocator ------------------------------------------------- */

typedef struct counter {
    size_t live, peak;
    size_t calls;
} counter;

static void *cnt_alloc(void *user, size_t size)
{
    counter *c = (counter *)user;
    size_t *p = (size_t *)malloc(size + 16);
    if (!p) return NULL;
    p[0] = size;
    c->live += size;
    c->calls++;
    if (c->live > c->peak) c->peak = c->live;
    return (char *)p + 16;
}

static void cnt_free(void *user, void *ptr)
{
    if (!ptr) return;
    counter *c = (counter *)user;
    size_t *p = (size_t *)((char *)ptr - 16);
    c->live -= p[0];
    free(p);
}

/* ---- reading everything through the public API ----------------------------- */

typedef struct source {
    const bytes *b;
} source;

static int64_t src_read(void *user, void *buf, size_t size, uint64_t offset)
{
    const bytes *b = ((source *)user)->b;
    if (offset >= b->n) return 0;
    size_t n = b->n - (size_t)offset < size ? b->n - (size_t)offset : size;
    memcpy(buf, b->d + offset, n);
    return (int64_t)n;
}

/* Reads `b` through every read path (memory and callbacks of unknown
 * size); returns the peak the library held, and in *ok how many reads
 * succeeded. Every allocation is freed at the end. */
/* In report mode, which step held the most. */
static const char *g_worst;
static size_t g_worst_peak;
#define STEP(name, expr)                                                                           \
    do {                                                                                           \
        size_t before_ = c.peak;                                                                   \
        c.peak = c.live;                                                                           \
        if ((expr) == EXRQOI_OK) ++*ok;                                                            \
        if (getenv("EXRQOI_ALLOC_STEPS")) printf("  %-16s %12zu\n", name, c.peak);                \
        if (c.peak > g_worst_peak) {                                                               \
            g_worst_peak = c.peak;                                                                 \
            g_worst = name;                                                                        \
        }                                                                                          \
        if (before_ > c.peak) c.peak = before_;                                                    \
    } while (0)

static size_t read_everything(const bytes *b, int threads, int *ok)
{
    counter c = {0, 0, 0};
    exrqoi_allocator al = {cnt_alloc, cnt_free, &c};
    exrqoi_read_options o = EXRQOI_READ_OPTIONS_INIT;
    o.allocator = &al;
    o.threads = threads;
    *ok = 0;
    for (int via = 0; via < 2; via++) {
        exrqoi_reader *r = NULL;
        source s = {b};
        exrqoi_input in = {src_read, -1, 1, &s};
        exrqoi_result rv =
            via == 0 ? exrqoi_reader_open(exrqoi_source_memory(b->d, b->n), &o, &r) : exrqoi_reader_open(exrqoi_source_input(&in), &o, &r);
        if (rv) continue;
        /* whole image */
        exrqoi_image img;
        STEP("image_read", exrqoi_reader_read_image(r, &img));
        exrqoi_image_free(&img);
        for (int p = 0; p < exrqoi_reader_part_count(r); p++) {
            exrqoi_part_info pi;
            if (exrqoi_reader_part_info(r, p, &pi)) continue;
            exrqoi_box2i win;
            if (exrqoi_reader_level_window(r, p, 0, 0, &win)) continue;
            /* a narrow band of every row: the chunks are decoded whole */
            exrqoi_box2i reg = win;
            if (reg.max.x - reg.min.x > 63) reg.max.x = reg.min.x + 63;
            if (reg.max.y - reg.min.y > 255) reg.max.y = reg.min.y + 255;
            size_t cols = (size_t)(reg.max.x - reg.min.x + 1), rows = (size_t)(reg.max.y - reg.min.y + 1);
            if (pi.deep_version) {
                uint32_t *cnt = (uint32_t *)calloc(cols * rows, 4);
                assert_non_null(cnt);
                STEP("deep_counts", exrqoi_reader_read_deep_counts(r, p, 0, 0, &reg, cnt, 4, (ptrdiff_t)cols * 4));
                free(cnt);
                exrqoi_deep_image d;
                STEP("read_deep", exrqoi_reader_read_deep(r, p, 0, 0, &d));
                exrqoi_deep_image_free(&d);
                continue;
            }
            int n = pi.channel_count < 8 ? pi.channel_count : 8;
            float *buf = (float *)calloc(cols * rows * (size_t)(n ? n : 1), 4);
            assert_non_null(buf);
            exrqoi_slice sl[8];
            memset(sl, 0, sizeof sl);
            for (int k = 0; k < n; k++) {
                sl[k].name = pi.channels[k].name;
                sl[k].type = EXRQOI_PIXEL_FLOAT;
                sl[k].base = buf + (size_t)k * cols * rows;
                sl[k].x_stride = 4;
                sl[k].y_stride = (ptrdiff_t)cols * 4;
            }
            STEP("read_region", exrqoi_reader_read_region(r, p, 0, 0, &reg, sl, n));
            /* one line: the single-chunk (cached) path */
            exrqoi_box2i one = reg;
            one.max.y = one.min.y;
            STEP("read_line", exrqoi_reader_read_region(r, p, 0, 0, &one, sl, n));
            uint64_t *filled = NULL;
            size_t nfilled = 0;
            STEP("lenient", exrqoi_reader_read_region_lenient(r, p, 0, 0, &reg, sl, n, &filled, &nfilled));
            exrqoi_free(&al, filled);
            free(buf);
        }
        /* whole-image helpers allocating their output */
        void *px = NULL;
        size_t sz = 0;
        STEP("rgba_read_alloc", exrqoi_rgba_read_alloc(r, NULL, NULL, &px, &sz));
        exrqoi_free(&al, px);
        px = NULL;
        exrqoi_qoi_desc qd;
        exrqoi_exr_to_qoi_options qo = EXRQOI_EXR_TO_QOI_OPTIONS_INIT;
        STEP("exr_to_qoi", exrqoi_exr_to_qoi_pixels(r, &qo, &qd, &px, &sz));
        exrqoi_free(&al, px);
        exrqoi_check_report rep;
        memset(&rep, 0, sizeof rep);
        STEP("check_reader", exrqoi_check_reader(r, &rep));
        exrqoi_check_report_free(&rep);
        exrqoi_reader_close(r);
    }
    exrqoi_check_report rep;
    memset(&rep, 0, sizeof rep);
    STEP("check_memory", exrqoi_check(exrqoi_source_memory(b->d, b->n), &o, &rep));
    exrqoi_check_report_free(&rep);
    assert_int_equal(c.live, 0);
    return c.peak;
}

static bool report(void)
{
    const char *e = getenv("EXRQOI_ALLOC_REPORT");
    return e && *e && *e != '0';
}

static size_t budget(size_t file_size) { return ((size_t)64 << 20) + 2048 * file_size; }


static void check_hostile(const bytes *b, const char *what)
{
    for (int threads = 1; threads <= 2; threads++) {
        int ok = 0;
        g_worst = "open";
        g_worst_peak = 0;
        size_t peak = read_everything(b, threads, &ok);
        if (report())
            printf("%-40s %8zu bytes  %d thread(s)  peak %12zu  (budget %zu) in %s\n", what, b->n, threads,
                   peak, budget(b->n), g_worst);
        if (peak > budget(b->n)) fail_msg("%s: the library held %zu bytes at once (file of %zu bytes)", what, peak, b->n);
    }
}

/* Every codec and layout, widened to 2^24 columns; also with the chunks
 * cut off (the offset table points past the end). */
static void test_widened(void **state)
{
    (void)state;
    for (size_t ci = 0; ci < NCODECS; ci++) {
        for (int lay = 0; lay < LAYOUTS; lay++) {
            exrqoi_compression c = k_codecs[ci];
            if ((lay == DEEP_SCAN || lay == DEEP_TILE) && !deep_codec(c)) continue;
            bytes b = {NULL, 0};
            assert_int_equal(make_file(c, (enum layout)lay, NULL, &b), EXRQOI_OK);
            char what[96];
            /* the original reads */
            int ok = 0;
            read_everything(&b, 1, &ok);
            assert_true(ok > 0);
            widen(&b);
            snprintf(what, sizeof what, "%s %s widened", exrqoi_compression_name(c), k_layout_name[lay]);
            check_hostile(&b, what);
            /* chunks past the end: keep the header and half the rest */
            bytes cut = {b.d, b.n / 2 + 64 < b.n ? b.n / 2 + 64 : b.n};
            snprintf(what, sizeof what, "%s %s widened, cut", exrqoi_compression_name(c), k_layout_name[lay]);
            check_hostile(&cut, what);
            free(b.d);
        }
    }
}

static bool read_file(const char *path, bytes *b)
{
    b->d = (uint8_t *)ts_read_file(path, &b->n);
    return b->d != NULL;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every file of OpenEXR's damaged set. */
static void test_damaged(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/corpus/openexr-images/Damaged", EXRQOI_SHARED_DIR);
    DIR *d = opendir(dir);
    if (!d) skip();
    char *names[512];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 512)
        if (e->d_name[0] != '.') names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof *names, name_cmp);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        bytes b;
        assert_true(read_file(path, &b));
        check_hostile(&b, names[i]);
        free(b.d);
        free(names[i]);
    }
}

/* QOI: a header declaring 20000 x 20000 pixels with a few bytes of data,
 * from memory and from a stream of unknown size; and a constant image,
 * whose runs are exactly the densest QOI there is, still decodes. */
static void test_qoi(void **state)
{
    (void)state;
    static uint8_t px[300 * 200 * 4];
    for (size_t i = 0; i < sizeof px; i += 4) px[i] = px[i + 1] = px[i + 2] = 0, px[i + 3] = 255;
    exrqoi_qoi_desc d = {300, 200, 4, EXRQOI_QOI_SRGB};
    void *enc = NULL;
    size_t n = 0;
    assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&enc, &n), px, &d, NULL), EXRQOI_OK);
    assert_true(n < 300 * 200 / 62 + 64); /* all runs */
    counter c = {0, 0, 0};
    exrqoi_allocator al = {cnt_alloc, cnt_free, &c};
    exrqoi_qoi_options o = EXRQOI_QOI_OPTIONS_INIT;
    o.allocator = &al;
    void *dec = NULL;
    exrqoi_qoi_desc got;
    assert_int_equal(exrqoi_qoi_decode(exrqoi_source_memory(enc, n), &o, &got, &dec, NULL), EXRQOI_OK);
    assert_memory_equal(dec, px, sizeof px);
    exrqoi_free(&al, dec);
    bytes b = {(uint8_t *)enc, n};
    source s = {&b};
    exrqoi_input in = {src_read, -1, 0, &s};
    assert_int_equal(exrqoi_qoi_decode(exrqoi_source_input(&in), &o, &got, &dec, NULL), EXRQOI_OK);
    assert_memory_equal(dec, px, sizeof px);
    exrqoi_free(&al, dec);
    /* the same bytes under a huge header */
    uint8_t *big = (uint8_t *)enc;
    big[4] = 0, big[5] = 0, big[6] = 0x4e, big[7] = 0x20; /* width 20000 */
    big[8] = 0, big[9] = 0, big[10] = 0x4e, big[11] = 0x20; /* height 20000 */
    c.peak = c.live = 0;
    dec = NULL;
    assert_int_equal(exrqoi_qoi_decode(exrqoi_source_memory(enc, n), &o, &got, &dec, NULL), EXRQOI_ERR_TRUNCATED);
    assert_null(dec);
    assert_true(c.peak < ((size_t)1 << 20));
    assert_int_equal(exrqoi_qoi_decode(exrqoi_source_input(&in), &o, &got, &dec, NULL), EXRQOI_ERR_TRUNCATED);
    assert_true(c.peak <= ((size_t)4 << 20));
    assert_int_equal(c.live, 0);
    if (report()) printf("QOI 20000x20000 header on %zu bytes: peak %zu\n", n, c.peak);
    exrqoi_free(NULL, enc);
}

/* The growing read behind every declared size from a source of unknown
 * size: the right bytes across several steps, and a size the source does
 * not hold takes about twice the bytes that are there, not the size. */
static void test_read_grow(void **state)
{
    (void)state;
    size_t n = 5 * EXRQOI__SOURCE_STEP + 12345;
    bytes b = {(uint8_t *)malloc(n), n};
    assert_non_null(b.d);
    for (size_t i = 0; i < n; i++) b.d[i] = (uint8_t)(i * 7 + (i >> 12));
    source s = {&b};
    exrqoi_input in = {src_read, -1, 1, &s};
    counter c = {0, 0, 0};
    exrqoi_allocator al = {cnt_alloc, cnt_free, &c};
    exrqoi__source src;
    exrqoi__err err;
    memset(&err, 0, sizeof err);
    assert_int_equal(exrqoi__source_open_input(&src, &in, &err), EXRQOI_OK);
    void *buf = NULL;
    size_t cap = 0;
    assert_int_equal(exrqoi__source_read_grow(&src, &al, 100, &buf, &cap, n - 100, &err), EXRQOI_OK);
    assert_memory_equal(buf, b.d + 100, n - 100);
    assert_true(c.calls > 2); /* it did grow in steps */
    exrqoi_free(&al, buf);
    /* 2 GiB declared, 5 MiB there */
    buf = NULL;
    cap = 0;
    c.peak = c.live = 0;
    assert_int_equal(exrqoi__source_read_grow(&src, &al, 0, &buf, &cap, (size_t)2 << 30, &err),
                     EXRQOI_ERR_TRUNCATED);
    exrqoi_free(&al, buf);
    assert_true(c.peak <= 3 * n);
    assert_int_equal(c.live, 0);
    exrqoi__source_close(&src);
    free(b.d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_widened),
        cmocka_unit_test(test_damaged),
        cmocka_unit_test(test_qoi),
        cmocka_unit_test(test_read_grow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
