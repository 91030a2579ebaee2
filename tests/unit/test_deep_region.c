/* Deep region reads into the caller's layout (exrqoi/deep_read.h): deep
 * scanline (NONE, RLE, ZIPS; increasing and decreasing) and deep tiled
 * (mipmap, ripmap, clipped edge tiles) files written in memory and on
 * disk, sub-regions read into per-pixel arrays and into one contiguous
 * buffer per channel with type conversion, compared to the whole-level
 * read; argument errors, count mismatches, limits and damage; Balls.exr. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* mkstemp */
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pthread.h>

#include "block/lines.h"
#include "exrqoi/exrqoi.h"
#include "test_support.h"

/* ---- writing test files ------------------------------------------------------ */

static const char *const k_names[4] = {"A", "R", "Z", "id"};
static const exrqoi_pixel_type k_types[4] = {EXRQOI_PIXEL_HALF, EXRQOI_PIXEL_HALF, EXRQOI_PIXEL_FLOAT,
                                             EXRQOI_PIXEL_UINT};

typedef struct shape {
    const char *type; /* "deepscanline" or "deeptile" */
    exrqoi_box2i dw;
    exrqoi_line_order order;
    exrqoi_tiledesc tiles;
} shape;

/* Empty pixels, single samples and thick pixels mixed. */
static void make_level(exrqoi_deep_image *img, int32_t w, int32_t h, uint32_t seed)
{
    assert_int_equal(exrqoi_deep_image_init(img, NULL, w, h, 4, k_names, k_types), EXRQOI_OK);
    for (int32_t y = 0; y < h; y++)
        for (int32_t x = 0; x < w; x++) {
            uint32_t v = ((uint32_t)x * 5u + (uint32_t)y * 11u + seed) % 13u;
            img->counts[(size_t)y * (size_t)w + (size_t)x] = v < 4 ? 0 : v < 8 ? 1 : v - 5;
        }
    assert_int_equal(exrqoi_deep_image_alloc_samples(img, 0), EXRQOI_OK);
    for (uint64_t i = 0; i < img->total_samples; i++) {
        uint32_t r = (uint32_t)(i * 2654435761u) ^ seed;
        ((uint16_t *)img->channels[0].samples)[i] = (uint16_t)(r & 0x3bff); /* finite halves */
        ((uint16_t *)img->channels[1].samples)[i] = (uint16_t)((r >> 7) & 0x7bff);
        ((float *)img->channels[2].samples)[i] = (float)i * 0.3125f + (float)seed + 1.0f / 3.0f;
        ((uint32_t *)img->channels[3].samples)[i] = r;
    }
}

/* Writes every level of a one-part file to memory or to `path`. */
static void write_file(const shape *s, exrqoi_compression c, int threads, const char *path, void **data,
                       size_t *size)
{
    exrqoi_header h;
    ts_header_image(&h, s->dw, NULL, c);
    assert_int_equal(exrqoi_header_set_line_order(&h, s->order), EXRQOI_OK);
    assert_int_equal(exrqoi_header_set_string(&h, "type", s->type), EXRQOI_OK);
    if (!strcmp(s->type, "deeptile")) assert_int_equal(exrqoi_header_set_tiles(&h, s->tiles), EXRQOI_OK);
    ts_header_add_channels(&h, 4, k_names, k_types);
    exrqoi_write_options o = EXRQOI_WRITE_OPTIONS_INIT;
    o.threads = threads;
    exrqoi_writer *wr;
    if (path)
        assert_int_equal(exrqoi_writer_open(exrqoi_sink_path(path), &h, 1, &o, &wr), EXRQOI_OK);
    else
        assert_int_equal(exrqoi_writer_open(exrqoi_sink_memory(data, size), &h, 1, &o, &wr), EXRQOI_OK);
    exrqoi_part_info pi;
    assert_int_equal(exrqoi_writer_part_info(wr, 0, &pi), EXRQOI_OK);
    int nx = pi.tiled ? pi.num_x_levels : 1, ny = pi.tiled ? pi.num_y_levels : 1;
    for (int ly = 0; ly < ny; ly++)
        for (int lx = 0; lx < nx; lx++) {
            if (pi.tiled && pi.tiles.level_mode != EXRQOI_LEVEL_RIPMAP && lx != ly) continue;
            exrqoi_box2i win;
            assert_int_equal(exrqoi_writer_level_window(wr, 0, lx, ly, &win), EXRQOI_OK);
            exrqoi_deep_image img;
            make_level(&img, win.max.x - win.min.x + 1, win.max.y - win.min.y + 1, (uint32_t)(lx * 10 + ly));
            assert_int_equal(exrqoi_writer_write_deep(wr, 0, lx, ly, &img), EXRQOI_OK);
            exrqoi_deep_image_free(&img);
        }
    exrqoi_header_free(&h);
    if (path)
        assert_int_equal(exrqoi_writer_finish(wr), EXRQOI_OK);
    else
        assert_int_equal(exrqoi_writer_finish(wr), EXRQOI_OK);
    exrqoi_writer_close(wr);
}

/* ---- reading a region and checking it -------------------------------------------- */

typedef struct want {
    const char *name;
    exrqoi_pixel_type type;
    double fill;
} want;

/* The conversions the tests ask for: half->float, float->half, same type,
 * uint->float and a channel the part lacks. */
static const want k_wants[6] = {
    {"A", EXRQOI_PIXEL_FLOAT, 0}, {"Z", EXRQOI_PIXEL_HALF, 0},   {"id", EXRQOI_PIXEL_UINT, 0},
    {"R", EXRQOI_PIXEL_HALF, 0},  {"Z", EXRQOI_PIXEL_FLOAT, 0}, {"missing", EXRQOI_PIXEL_FLOAT, 0.5},
};

enum { PER_PIXEL = 0, CONTIGUOUS = 1 };

static uint32_t whole_count(const exrqoi_deep_image *d, const exrqoi_box2i *lwin, int32_t x, int32_t y)
{
    return d->counts[(size_t)(y - lwin->min.y) * (size_t)d->width + (size_t)(x - lwin->min.x)];
}

/* Reads `region` (NULL = level) with the region calls in `layout` and
 * checks every value against `whole`, the level read by
 * exrqoi_reader_read_deep. Counts go into a padded array, bottom-up for
 * the contiguous layout (negative y stride). */
static void check_region(exrqoi_reader *r, int lx, int ly, const exrqoi_box2i *region,
                         const exrqoi_deep_image *whole, const want *wants, int nw, int layout)
{
    exrqoi_box2i lwin;
    assert_int_equal(exrqoi_reader_level_window(r, 0, lx, ly, &lwin), EXRQOI_OK);
    exrqoi_box2i g = region ? *region : lwin;
    size_t rw = (size_t)(g.max.x - g.min.x + 1), rh = (size_t)(g.max.y - g.min.y + 1);

    size_t crow = rw + 1; /* one padding entry per row */
    uint32_t *cbuf = malloc(crow * rh * 4);
    assert_non_null(cbuf);
    memset(cbuf, 0xee, crow * rh * 4);
    uint32_t *cbase = cbuf;
    ptrdiff_t cys = (ptrdiff_t)(crow * 4);
    if (layout == CONTIGUOUS) {
        cbase = cbuf + crow * (rh - 1);
        cys = -cys;
    }
    exrqoi_result rv = exrqoi_reader_read_deep_counts(r, 0, lx, ly, region, cbase, 4, cys);
    if (rv) fprintf(stderr, "%s\n", exrqoi_reader_error(r));
    assert_int_equal(rv, EXRQOI_OK);
    /* counts[] in region row-major order, for the checks below */
    uint32_t *cnt = malloc(rw * rh * 4);
    size_t *first = malloc(rw * rh * sizeof *first);
    assert_non_null(cnt);
    assert_non_null(first);
    size_t total = 0;
    for (size_t y = 0; y < rh; y++) {
        const uint32_t *row = (const uint32_t *)(const void *)((const uint8_t *)cbase + (ptrdiff_t)y * cys);
        assert_int_equal(row[rw], 0xeeeeeeeeu); /* padding untouched */
        for (size_t x = 0; x < rw; x++) {
            uint32_t n = row[x];
            assert_int_equal(n, whole_count(whole, &lwin, g.min.x + (int32_t)x, g.min.y + (int32_t)y));
            cnt[y * rw + x] = n;
            first[y * rw + x] = total;
            total += n;
        }
    }

    /* per slice: the per-pixel pointer array and the sample memory */
    exrqoi_deep_slice sl[8];
    void **ptrs[8];
    uint8_t *bufs[8];
    void *skipped = NULL; /* contiguous layout: one pixel's pointer left NULL */
    size_t skipped_at = 0;
    memset(sl, 0, sizeof sl);
    for (int k = 0; k < nw; k++) {
        size_t vs = (size_t)exrqoi_pixel_type_size(wants[k].type);
        ptrs[k] = calloc(rw * rh, sizeof(void *));
        assert_non_null(ptrs[k]);
        bufs[k] = NULL;
        if (layout == CONTIGUOUS) {
            bufs[k] = malloc(total * 4 + 1);
            assert_non_null(bufs[k]);
            memset(bufs[k], 0xab, total * 4 + 1);
        }
        for (size_t i = 0; i < rw * rh; i++) {
            if (layout == PER_PIXEL)
                ptrs[k][i] = cnt[i] ? malloc(cnt[i] * vs) : NULL;
            else
                ptrs[k][i] = bufs[k] + first[i] * 4;
        }
        sl[k].name = wants[k].name;
        sl[k].type = wants[k].type;
        sl[k].base = ptrs[k];
        sl[k].x_stride = (ptrdiff_t)sizeof(void *);
        sl[k].y_stride = (ptrdiff_t)(rw * sizeof(void *));
        sl[k].sample_stride = layout == CONTIGUOUS ? 4 : (ptrdiff_t)vs;
        sl[k].fill = wants[k].fill;
    }
    if (layout == CONTIGUOUS && nw > 0)
        for (size_t i = 0; i < rw * rh && !skipped; i++)
            if (cnt[i]) {
                skipped = ptrs[0][i];
                skipped_at = i;
                ptrs[0][i] = NULL;
            }

    rv = exrqoi_reader_read_deep_region(r, 0, lx, ly, region, cbase, 4, cys, sl, nw);
    if (rv) fprintf(stderr, "%s\n", exrqoi_reader_error(r));
    assert_int_equal(rv, EXRQOI_OK);

    for (int k = 0; k < nw; k++) {
        size_t vs = (size_t)exrqoi_pixel_type_size(wants[k].type);
        int32_t wc = exrqoi_deep_image_find_channel(whole, wants[k].name);
        for (size_t y = 0; y < rh; y++)
            for (size_t x = 0; x < rw; x++) {
                size_t i = y * rw + x;
                int32_t px = g.min.x + (int32_t)x, py = g.min.y + (int32_t)y;
                size_t wi = (size_t)(py - lwin.min.y) * (size_t)whole->width + (size_t)(px - lwin.min.x);
                const uint8_t *got = (const uint8_t *)ptrs[k][i];
                ptrdiff_t ss = sl[k].sample_stride;
                if (!got) {
                    if (k == 0 && skipped && i == skipped_at) {
                        for (size_t b = 0; b < cnt[i] * 4; b++) /* untouched */
                            assert_int_equal(((uint8_t *)skipped)[b], 0xab);
                    }
                    continue;
                }
                for (uint32_t s = 0; s < cnt[i]; s++) {
                    uint8_t expect[4];
                    if (wc < 0) {
                        float f = (float)wants[k].fill;
                        memcpy(expect, &f, 4); /* the tests' fills are float */
                    } else {
                        exrqoi_pixel_type ft = whole->channels[wc].type;
                        size_t fs = (size_t)exrqoi_pixel_type_size(ft);
                        const uint8_t *src =
                            (const uint8_t *)whole->channels[wc].samples + (whole->offsets[wi] + s) * fs;
                        exrqoi__convert_samples(src, ft, (ptrdiff_t)fs, expect, wants[k].type, (ptrdiff_t)vs, 1);
                    }
                    assert_memory_equal(got + (ptrdiff_t)s * ss, expect, vs);
                }
                if (layout == CONTIGUOUS && vs == 2) /* gaps left by a 4-byte stride untouched */
                    for (uint32_t s = 0; s < cnt[i]; s++) {
                        assert_int_equal(got[s * 4 + 2], 0xab);
                        assert_int_equal(got[s * 4 + 3], 0xab);
                    }
            }
        if (layout == CONTIGUOUS) assert_int_equal(bufs[k][total * 4], 0xab);
    }
    for (int k = 0; k < nw; k++) {
        if (layout == PER_PIXEL)
            for (size_t i = 0; i < rw * rh; i++) free(ptrs[k][i]);
        free(ptrs[k]);
        free(bufs[k]);
    }
    free(cnt);
    free(first);
    free(cbuf);
}

/* Regions of a level: one pixel (the last, in a clipped edge tile or the
 * last line), a row across every chunk column, a rectangle across chunk
 * boundaries, the whole level (as NULL and as a box). */
static void check_level(exrqoi_reader *r, int lx, int ly)
{
    exrqoi_deep_image whole;
    exrqoi_result rv = exrqoi_reader_read_deep(r, 0, lx, ly, &whole);
    if (rv) fprintf(stderr, "%s\n", exrqoi_reader_error(r));
    assert_int_equal(rv, EXRQOI_OK);
    exrqoi_box2i lw;
    assert_int_equal(exrqoi_reader_level_window(r, 0, lx, ly, &lw), EXRQOI_OK);
    exrqoi_box2i regs[5];
    int n = 0;
    regs[n++] = (exrqoi_box2i){lw.max, lw.max};
    int32_t my = lw.min.y + (lw.max.y - lw.min.y) / 2;
    regs[n++] = (exrqoi_box2i){{lw.min.x, my}, {lw.max.x, my}};
    exrqoi_box2i rect = {{lw.min.x + (lw.max.x - lw.min.x) / 4, lw.min.y + (lw.max.y - lw.min.y) / 5},
                         {lw.max.x - (lw.max.x - lw.min.x) / 5, lw.max.y - (lw.max.y - lw.min.y) / 4}};
    regs[n++] = rect;
    regs[n++] = lw;
    for (int layout = 0; layout < 2; layout++) {
        for (int i = 0; i < n; i++) check_region(r, lx, ly, &regs[i], &whole, k_wants, 6, layout);
        check_region(r, lx, ly, NULL, &whole, k_wants, 6, layout);
    }
    exrqoi_deep_image_free(&whole);
}

static void check_all_levels(exrqoi_reader *r)
{
    exrqoi_part_info pi;
    assert_int_equal(exrqoi_reader_part_info(r, 0, &pi), EXRQOI_OK);
    int nx = pi.tiled ? pi.num_x_levels : 1, ny = pi.tiled ? pi.num_y_levels : 1;
    for (int ly = 0; ly < ny; ly++)
        for (int lx = 0; lx < nx; lx++) {
            if (pi.tiled && pi.tiles.level_mode != EXRQOI_LEVEL_RIPMAP && lx != ly) continue;
            check_level(r, lx, ly);
        }
}

static void check_shape(const shape *s, int thread_variants)
{
    static const exrqoi_compression comps[3] = {EXRQOI_COMPRESSION_NONE, EXRQOI_COMPRESSION_RLE,
                                                EXRQOI_COMPRESSION_ZIPS};
    for (int ci = 0; ci < 3; ci++)
        for (int t = 1; t <= thread_variants; t++) {
            void *data;
            size_t size;
            write_file(s, comps[ci], 2, NULL, &data, &size);
            exrqoi_read_options o = EXRQOI_READ_OPTIONS_INIT;
            o.threads = t;
            exrqoi_reader *r;
            assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), &o, &r), EXRQOI_OK);
            check_all_levels(r);
            exrqoi_reader_close(r);
            exrqoi_free(NULL, data);
        }
}

/* ---- tests ---------------------------------------------------------------------- */

static void test_scanline(void **state)
{
    (void)state;
    shape s = {"deepscanline", {{-3, -2}, {20, 14}}, EXRQOI_LINE_ORDER_INCREASING, {0, 0, 0, 0}};
    check_shape(&s, 2);
    s.order = EXRQOI_LINE_ORDER_DECREASING;
    check_shape(&s, 1);
}

static void test_tiled(void **state)
{
    (void)state;
    /* 6x4 tiles that do not divide the levels: clipped edge tiles */
    shape s = {"deeptile", {{5, 7}, {27, 22}}, EXRQOI_LINE_ORDER_INCREASING,
               {6, 4, EXRQOI_LEVEL_MIPMAP, EXRQOI_ROUND_DOWN}};
    check_shape(&s, 2);
    s.tiles.level_mode = EXRQOI_LEVEL_RIPMAP;
    s.tiles.rounding_mode = EXRQOI_ROUND_UP;
    check_shape(&s, 1);
}

/* File source: chunks are read into worker buffers, not mapped. */
static void test_file_source(void **state)
{
    (void)state;
    char path[] = "/tmp/exrqoi_deep_region_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    shape s = {"deeptile", {{0, 0}, {30, 17}}, EXRQOI_LINE_ORDER_INCREASING,
               {8, 8, EXRQOI_LEVEL_MIPMAP, EXRQOI_ROUND_DOWN}};
    write_file(&s, EXRQOI_COMPRESSION_ZIPS, 1, path, NULL, NULL);
    exrqoi_read_options o = EXRQOI_READ_OPTIONS_INIT;
    o.threads = 2;
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_path(path), &o, &r), EXRQOI_OK);
    check_level(r, 0, 0);
    check_level(r, 2, 2);
    exrqoi_reader_close(r);
    unlink(path);
}

/* Several threads reading regions of one reader at once (the second
 * caller gets temporary worker slots). Threads do not assert: they report. */
typedef struct thread_arg {
    exrqoi_reader *r;
    const exrqoi_deep_image *whole;
    int32_t y0, y1; /* rows of the region, whole width */
    int ok;
} thread_arg;

static void *reader_thread(void *p)
{
    thread_arg *a = (thread_arg *)p;
    const exrqoi_deep_image *d = a->whole;
    size_t w = (size_t)d->width, h = (size_t)(a->y1 - a->y0 + 1);
    exrqoi_box2i reg = {{0, a->y0}, {d->width - 1, a->y1}};
    uint32_t *cnt = malloc(w * h * 4);
    void **ptr = malloc(w * h * sizeof(void *));
    const uint64_t *off = d->offsets + (size_t)a->y0 * w;
    uint64_t n = off[w * h] - off[0];
    float *z = malloc((size_t)(n ? n : 1) * 4);
    a->ok = cnt && ptr && z;
    for (int round = 0; round < 20 && a->ok; round++) {
        a->ok = exrqoi_reader_read_deep_counts(a->r, 0, 0, 0, &reg, cnt, 4, (ptrdiff_t)(w * 4)) == EXRQOI_OK &&
                memcmp(cnt, d->counts + (size_t)a->y0 * w, w * h * 4) == 0;
        for (size_t i = 0; i < w * h && a->ok; i++) ptr[i] = z + (off[i] - off[0]);
        exrqoi_deep_slice sl = {"Z", EXRQOI_PIXEL_FLOAT, ptr, sizeof(void *), (ptrdiff_t)(w * sizeof(void *)), 4, 0};
        if (a->ok)
            a->ok = exrqoi_reader_read_deep_region(a->r, 0, 0, 0, &reg, cnt, 4, (ptrdiff_t)(w * 4), &sl, 1) ==
                        EXRQOI_OK &&
                    memcmp(z, (const float *)d->channels[2].samples + off[0], (size_t)n * 4) == 0;
    }
    free(cnt);
    free(ptr);
    free(z);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    shape s = {"deepscanline", {{0, 0}, {40, 39}}, EXRQOI_LINE_ORDER_INCREASING, {0, 0, 0, 0}};
    void *data;
    size_t size;
    write_file(&s, EXRQOI_COMPRESSION_ZIPS, 2, NULL, &data, &size);
    exrqoi_read_options o = EXRQOI_READ_OPTIONS_INIT;
    o.threads = 2;
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), &o, &r), EXRQOI_OK);
    exrqoi_deep_image whole;
    assert_int_equal(exrqoi_reader_read_deep(r, 0, 0, 0, &whole), EXRQOI_OK);
    assert_string_equal(whole.channels[2].name, "Z");
    thread_arg args[3] = {{r, &whole, 0, 39, 0}, {r, &whole, 5, 17, 0}, {r, &whole, 30, 30, 0}};
    pthread_t t[3];
    for (int i = 0; i < 3; i++) assert_int_equal(pthread_create(&t[i], NULL, reader_thread, &args[i]), 0);
    for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < 3; i++) assert_true(args[i].ok);
    exrqoi_deep_image_free(&whole);
    exrqoi_reader_close(r);
    exrqoi_free(NULL, data);
}

/* A small scanline file for the error cases. */
static void small_file(exrqoi_compression c, void **data, size_t *size)
{
    static const shape s = {"deepscanline", {{0, 0}, {15, 11}}, EXRQOI_LINE_ORDER_INCREASING, {0, 0, 0, 0}};
    write_file(&s, c, 1, NULL, data, size);
}

static void test_arguments(void **state)
{
    (void)state;
    void *data;
    size_t size;
    small_file(EXRQOI_COMPRESSION_ZIPS, &data, &size);
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), NULL, &r), EXRQOI_OK);
    uint32_t counts[16 * 12];
    exrqoi_box2i all = {{0, 0}, {15, 11}};
    assert_int_equal(exrqoi_reader_read_deep_counts(r, 0, 0, 0, NULL, counts, 4, 64), EXRQOI_OK);
    exrqoi_box2i out = {{0, 0}, {16, 11}};
    assert_int_equal(exrqoi_reader_read_deep_counts(r, 0, 0, 0, &out, counts, 4, 64),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    exrqoi_box2i empty = {{3, 3}, {2, 3}};
    assert_int_equal(exrqoi_reader_read_deep_counts(r, 0, 0, 0, &empty, counts, 4, 64),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    assert_int_equal(exrqoi_reader_read_deep_counts(r, 1, 0, 0, NULL, counts, 4, 64), EXRQOI_ERR_NOT_FOUND);
    assert_int_equal(exrqoi_reader_read_deep_counts(r, 0, 1, 0, NULL, counts, 4, 64), EXRQOI_ERR_NOT_FOUND);
    assert_int_equal(exrqoi_reader_read_deep_counts(r, 0, 0, 0, NULL, NULL, 4, 64), EXRQOI_ERR_INVALID_ARGUMENT);
    assert_int_equal(exrqoi_reader_read_deep_counts(NULL, 0, 0, 0, NULL, counts, 4, 64),
                     EXRQOI_ERR_INVALID_ARGUMENT);

    /* samples: one float Z array per pixel, sized from the counts */
    void *ptrs[16 * 12];
    for (int i = 0; i < 16 * 12; i++) ptrs[i] = counts[i] ? malloc(counts[i] * 4) : NULL;
    exrqoi_deep_slice z = {"Z", EXRQOI_PIXEL_FLOAT, ptrs, sizeof(void *), 16 * sizeof(void *), 4, 0};
    assert_int_equal(exrqoi_reader_read_deep_region(r, 0, 0, 0, &all, counts, 4, 64, &z, 1), EXRQOI_OK);
    assert_int_equal(exrqoi_reader_read_deep_region(r, 0, 0, 0, &all, NULL, 4, 64, &z, 1),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    assert_int_equal(exrqoi_reader_read_deep_region(r, 0, 0, 0, &all, counts, 4, 64, NULL, 1),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    assert_int_equal(exrqoi_reader_read_deep_region(r, 0, 0, 0, &out, counts, 4, 64, &z, 1),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    exrqoi_deep_slice bad = z;
    bad.name = NULL;
    assert_int_equal(exrqoi_reader_read_deep_region(r, 0, 0, 0, &all, counts, 4, 64, &bad, 1),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    bad = z;
    bad.type = (exrqoi_pixel_type)7;
    assert_int_equal(exrqoi_reader_read_deep_region(r, 0, 0, 0, &all, counts, 4, 64, &bad, 1),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    bad = z;
    bad.base = NULL;
    assert_int_equal(exrqoi_reader_read_deep_region(r, 0, 0, 0, &all, counts, 4, 64, &bad, 1),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    assert_int_equal(exrqoi_reader_read_deep_region(r, 0, 0, 0, &all, counts, 4, 64, &z, 0), EXRQOI_OK);

    /* counts that differ from the file's: refused, naming the pixel. The
     * per-pixel arrays are exactly sized, so ASan would catch any write
     * past them. */
    int thick = -1;
    for (int i = 0; i < 16 * 12 && thick < 0; i++)
        if (counts[i] > 1) thick = i;
    assert_true(thick >= 0);
    counts[thick] -= 1;
    assert_int_equal(exrqoi_reader_read_deep_region(r, 0, 0, 0, &all, counts, 4, 64, &z, 1),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    char expect[64];
    snprintf(expect, sizeof expect, "pixel (%d, %d)", thick % 16, thick / 16);
    assert_non_null(strstr(exrqoi_reader_error(r), expect));
    counts[thick] += 2;
    assert_int_equal(exrqoi_reader_read_deep_region(r, 0, 0, 0, &all, counts, 4, 64, &z, 1),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    counts[thick] -= 1;
    for (int i = 0; i < 16 * 12; i++) free(ptrs[i]);

    /* a flat part is refused */
    exrqoi_header h;
    assert_int_equal(exrqoi_header_init_image(&h, NULL, 4, 4, EXRQOI_COMPRESSION_NONE), EXRQOI_OK);
    assert_int_equal(exrqoi_header_add_channel(&h, "Z", EXRQOI_PIXEL_FLOAT, 1, 1, 0), EXRQOI_OK);
    exrqoi_writer *w;
    void *fdata;
    size_t fsize;
    assert_int_equal(exrqoi_writer_open(exrqoi_sink_memory(&fdata, &fsize), &h, 1, NULL, &w), EXRQOI_OK);
    float flat[16] = {0};
    exrqoi_slice fs = {"Z", EXRQOI_PIXEL_FLOAT, flat, 4, 16, 0};
    assert_int_equal(exrqoi_writer_write_region(w, 0, 0, 0, NULL, &fs, 1), EXRQOI_OK);
    assert_int_equal(exrqoi_writer_finish(w), EXRQOI_OK);
    exrqoi_writer_close(w);
    exrqoi_header_free(&h);
    exrqoi_reader *fr;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(fdata, fsize), NULL, &fr), EXRQOI_OK);
    assert_int_equal(exrqoi_reader_read_deep_counts(fr, 0, 0, 0, NULL, counts, 4, 16),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    assert_int_equal(exrqoi_reader_read_deep_region(fr, 0, 0, 0, NULL, counts, 4, 16, &z, 1),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    exrqoi_reader_close(fr);
    exrqoi_free(NULL, fdata);

    exrqoi_reader_close(r);
    exrqoi_free(NULL, data);
}

static void test_limits(void **state)
{
    (void)state;
    void *data;
    size_t size;
    small_file(EXRQOI_COMPRESSION_ZIPS, &data, &size);
    uint32_t counts[16 * 12];
    void *ptrs[16 * 12];
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), NULL, &r), EXRQOI_OK);
    assert_int_equal(exrqoi_reader_read_deep_counts(r, 0, 0, 0, NULL, counts, 4, 64), EXRQOI_OK);
    exrqoi_reader_close(r);
    uint32_t maxc = 0;
    for (int i = 0; i < 16 * 12; i++) {
        ptrs[i] = counts[i] ? malloc(counts[i] * 2) : NULL;
        if (counts[i] > maxc) maxc = counts[i];
    }
    exrqoi_deep_slice a = {"A", EXRQOI_PIXEL_HALF, ptrs, sizeof(void *), 16 * sizeof(void *), 2, 0};

    exrqoi_limits lim;
    exrqoi_limits_default(&lim);
    exrqoi_read_options o = EXRQOI_READ_OPTIONS_INIT;
    o.limits = &lim;
    o.threads = 1;
    /* a thick pixel over the per-pixel limit */
    lim.max_deep_samples_per_pixel = maxc - 1;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), &o, &r), EXRQOI_OK);
    uint32_t c2[16 * 12];
    assert_int_equal(exrqoi_reader_read_deep_counts(r, 0, 0, 0, NULL, c2, 4, 64), EXRQOI_ERR_LIMIT);
    assert_int_equal(exrqoi_reader_read_deep_region(r, 0, 0, 0, NULL, counts, 4, 64, &a, 1), EXRQOI_ERR_LIMIT);
    assert_non_null(strstr(exrqoi_reader_error(r), "chunk"));
    exrqoi_reader_close(r);
    /* chunk-local buffers over max_alloc_bytes: counts need less than samples */
    exrqoi_limits_default(&lim);
    lim.max_alloc_bytes = 16 * 8 + 8; /* a line's counts and table, no more */
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), &o, &r), EXRQOI_OK);
    assert_int_equal(exrqoi_reader_read_deep_counts(r, 0, 0, 0, NULL, c2, 4, 64), EXRQOI_OK);
    assert_memory_equal(c2, counts, sizeof c2);
    assert_int_equal(exrqoi_reader_read_deep_region(r, 0, 0, 0, NULL, counts, 4, 64, &a, 1), EXRQOI_ERR_LIMIT);
    assert_non_null(strstr(exrqoi_reader_error(r), "max_alloc_bytes"));
    exrqoi_reader_close(r);
    for (int i = 0; i < 16 * 12; i++) free(ptrs[i]);
    exrqoi_free(NULL, data);
}

static void test_corrupt(void **state)
{
    (void)state;
    void *data;
    size_t size;
    small_file(EXRQOI_COMPRESSION_NONE, &data, &size);
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), NULL, &r), EXRQOI_OK);
    uint32_t counts[16 * 12];
    assert_int_equal(exrqoi_reader_read_deep_counts(r, 0, 0, 0, NULL, counts, 4, 64), EXRQOI_OK);
    exrqoi_chunk_info ci;
    assert_int_equal(exrqoi_reader_chunk_info(r, 0, 3, &ci), EXRQOI_OK); /* line 3 */
    exrqoi_reader_close(r);
    uint8_t *d = (uint8_t *)data;
    /* leader: y, three sizes; then the raw table of 16 cumulative counts */
    assert_int_equal(ci.packed_count_table_size, 64);
    uint8_t *table = d + ci.file_offset + 4 + 24;
    uint8_t keep[64];
    memcpy(keep, table, 64);
    void *ptrs[16 * 12];
    for (int i = 0; i < 16 * 12; i++) ptrs[i] = counts[i] ? malloc(counts[i] * 4) : NULL;
    exrqoi_deep_slice z = {"Z", EXRQOI_PIXEL_FLOAT, ptrs, sizeof(void *), 16 * sizeof(void *), 4, 0};
    exrqoi_box2i line3 = {{0, 3}, {15, 3}};
    exrqoi_box2i line2 = {{0, 2}, {15, 2}};

    /* decreasing cumulative counts */
    exrqoi__put32(table, 1000);
    exrqoi__put32(table + 4, 0);
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), NULL, &r), EXRQOI_OK);
    uint32_t c2[16];
    assert_int_equal(exrqoi_reader_read_deep_counts(r, 0, 0, 0, &line3, c2, 4, 64), EXRQOI_ERR_BAD_SAMPLES);
    assert_int_equal(exrqoi_reader_read_deep_region(r, 0, 0, 0, &line3, counts + 3 * 16, 4, 64, &z, 1),
                     EXRQOI_ERR_BAD_SAMPLES);
    /* the region never touches the damaged chunk: fine */
    assert_int_equal(exrqoi_reader_read_deep_region(r, 0, 0, 0, &line2, counts + 2 * 16, 4, 64, &z, 1),
                     EXRQOI_OK);
    exrqoi_reader_close(r);
    /* the last pixel claims a sample more than the sample data holds */
    memcpy(table, keep, 64);
    exrqoi__put32(table + 4 * 15, exrqoi__le32(table + 4 * 15) + 1);
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), NULL, &r), EXRQOI_OK);
    assert_int_equal(exrqoi_reader_read_deep_region(r, 0, 0, 0, &line3, counts + 3 * 16, 4, 64, &z, 1),
                     EXRQOI_ERR_BAD_SAMPLES);
    exrqoi_reader_close(r);
    /* the sample data size claims more bytes than the file has */
    memcpy(table, keep, 64);
    exrqoi__put64(d + ci.file_offset + 4 + 8, (uint64_t)size);
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), NULL, &r), EXRQOI_OK);
    assert_true(exrqoi_reader_read_deep_region(r, 0, 0, 0, &line3, counts + 3 * 16, 4, 64, &z, 1) != EXRQOI_OK);
    exrqoi_reader_close(r);
    for (int i = 0; i < 16 * 12; i++) free(ptrs[i]);
    exrqoi_free(NULL, data);
}

/* Balls.exr: region reads of the whole level and of a rectangle equal
 * the whole-level read. */
static void test_balls(void **state)
{
    (void)state;
    const char *path = EXRQOI_SHARED_DIR "/corpus/openexr-images/v2/LowResLeftView/Balls.exr";
    if (access(path, R_OK) != 0) {
        skip();
        return;
    }
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_path(path), NULL, &r), EXRQOI_OK);
    exrqoi_part_info pi;
    assert_int_equal(exrqoi_reader_part_info(r, 0, &pi), EXRQOI_OK);
    exrqoi_deep_image whole;
    assert_int_equal(exrqoi_reader_read_deep(r, 0, 0, 0, &whole), EXRQOI_OK);
    /* every channel in its own type, plus half->float and float->half where they apply */
    want wants[8];
    int nw = 0;
    for (int32_t c = 0; c < pi.channel_count && nw < 6; c++) {
        wants[nw].name = pi.channels[c].name;
        wants[nw].type = pi.channels[c].type;
        wants[nw++].fill = 0;
    }
    for (int32_t c = 0; c < pi.channel_count && nw < 8; c++) {
        if (pi.channels[c].type == EXRQOI_PIXEL_UINT) continue;
        wants[nw].name = pi.channels[c].name;
        wants[nw].type = pi.channels[c].type == EXRQOI_PIXEL_HALF ? EXRQOI_PIXEL_FLOAT : EXRQOI_PIXEL_HALF;
        wants[nw++].fill = 0;
    }
    exrqoi_box2i lw = pi.data_window;
    exrqoi_box2i rect = {{lw.min.x + 100, lw.min.y + 50}, {lw.min.x + 300, lw.min.y + 180}};
    if (rect.max.x > lw.max.x) rect.max.x = lw.max.x;
    if (rect.max.y > lw.max.y) rect.max.y = lw.max.y;
    check_region(r, 0, 0, NULL, &whole, wants, nw, CONTIGUOUS);
    check_region(r, 0, 0, &rect, &whole, wants, nw, PER_PIXEL);
    exrqoi_deep_image_free(&whole);
    exrqoi_reader_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scanline),  cmocka_unit_test(test_tiled),   cmocka_unit_test(test_file_source),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_arguments), cmocka_unit_test(test_limits), cmocka_unit_test(test_corrupt),
        cmocka_unit_test(test_balls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
