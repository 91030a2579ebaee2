/* Deep parts through the reader and writer: deep scanline and deep tiled
 * (single, mipmap, ripmap) levels written in memory and on disk with
 * NONE, RLE and ZIPS, multipart files mixing deep and flat parts, read
 * back identical; Balls.exr round trip; limits; corrupt count tables; the
 * ambiguous clipped-tile table size. */
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

#include "deep/deep_chunk.h"
#include "exrqoi/exrqoi.h"
#include "test_support.h"

/* ---- building test images ------------------------------------------------ */

typedef struct shape {
    const char *type; /* "deepscanline", "deeptile", "scanlineimage" */
    exrqoi_box2i dw;
    exrqoi_line_order order;
    exrqoi_tiledesc tiles; /* deeptile */
} shape;

static const char *const k_names[4] = {"A", "Z", "id", "zz half"};
static const exrqoi_pixel_type k_types[4] = {EXRQOI_PIXEL_HALF, EXRQOI_PIXEL_FLOAT, EXRQOI_PIXEL_UINT,
                                             EXRQOI_PIXEL_HALF};

static void make_header(exrqoi_header *h, const shape *s, exrqoi_compression c, const char *name)
{
    ts_header_image(h, s->dw, NULL, c);
    assert_int_equal(exrqoi_header_set_line_order(h, s->order), EXRQOI_OK);
    assert_int_equal(exrqoi_header_set_string(h, "type", s->type), EXRQOI_OK);
    if (name) assert_int_equal(exrqoi_header_set_string(h, "name", name), EXRQOI_OK);
    if (!strcmp(s->type, "deeptile")) assert_int_equal(exrqoi_header_set_tiles(h, s->tiles), EXRQOI_OK);
    int n = !strcmp(s->type, "scanlineimage") ? 3 : 4;
    ts_header_add_channels(h, n, k_names, k_types);
}

/* Counts with many zero-sample pixels, runs of one, and thick pixels. */
static void make_deep(exrqoi_deep_image *img, int32_t w, int32_t h, uint32_t seed)
{
    assert_int_equal(exrqoi_deep_image_init(img, NULL, w, h, 4, k_names, k_types), EXRQOI_OK);
    for (int32_t y = 0; y < h; y++)
        for (int32_t x = 0; x < w; x++) {
            uint32_t v = ((uint32_t)x * 7u + (uint32_t)y * 13u + seed) % 11u;
            img->counts[(size_t)y * (size_t)w + (size_t)x] = v < 4 ? 0 : v < 7 ? 1 : v * 3;
        }
    assert_int_equal(exrqoi_deep_image_alloc_samples(img, 0), EXRQOI_OK);
    for (uint64_t i = 0; i < img->total_samples; i++) {
        uint32_t r = (uint32_t)(i * 2654435761u) ^ seed;
        ((uint16_t *)img->channels[0].samples)[i] = (uint16_t)(r & 0x7bff);
        ((float *)img->channels[1].samples)[i] = (float)i * 0.25f + (float)seed;
        ((uint32_t *)img->channels[2].samples)[i] = r;
        ((uint16_t *)img->channels[3].samples)[i] = (uint16_t)(r >> 16);
    }
}

static void assert_deep_equal(const exrqoi_deep_image *a, const exrqoi_deep_image *b)
{
    assert_int_equal(a->width, b->width);
    assert_int_equal(a->height, b->height);
    assert_int_equal(a->total_samples, b->total_samples);
    size_t npix = (size_t)a->width * (size_t)a->height;
    assert_memory_equal(a->counts, b->counts, npix * 4);
    assert_memory_equal(a->offsets, b->offsets, (npix + 1) * 8);
    assert_int_equal(a->channel_count, b->channel_count);
    for (int32_t c = 0; c < a->channel_count; c++) {
        int32_t k = exrqoi_deep_image_find_channel(b, a->channels[c].name);
        assert_true(k >= 0);
        assert_int_equal(a->channels[c].type, b->channels[k].type);
        size_t sz = (size_t)exrqoi_pixel_type_size(a->channels[c].type);
        if (a->total_samples)
            assert_memory_equal(a->channels[c].samples, b->channels[k].samples,
                                (size_t)a->total_samples * sz);
    }
}

/* Levels of a part in canonical order. */
static int level_list(const exrqoi_part_info *pi, int *lx, int *ly)
{
    if (!pi->tiled) {
        lx[0] = ly[0] = 0;
        return 1;
    }
    int n = 0;
    if (pi->tiles.level_mode == EXRQOI_LEVEL_RIPMAP) {
        for (int y = 0; y < pi->num_y_levels; y++)
            for (int x = 0; x < pi->num_x_levels; x++, n++) {
                lx[n] = x;
                ly[n] = y;
            }
    } else {
        for (; n < pi->num_x_levels; n++) lx[n] = ly[n] = n;
    }
    return n;
}

#define MAX_LEVELS 64

typedef struct written {
    int nparts;
    exrqoi_deep_image deep[4][MAX_LEVELS];
    int nlevels[4];
    uint16_t *flat[4]; /* flat part: 3 channels of w*h values kept as half/float/uint bits */
} written;

static void written_free(written *wr)
{
    for (int k = 0; k < 4; k++) {
        for (int l = 0; l < MAX_LEVELS; l++) exrqoi_deep_image_free(&wr->deep[k][l]);
        free(wr->flat[k]);
    }
}

/* Writes the parts (memory or `path`), remembering what went in. */
static void write_parts(const shape *shapes, int n, exrqoi_compression c, int threads, const char *path,
                        void **data, size_t *size, written *wr)
{
    exrqoi_header h[4];
    for (int k = 0; k < n; k++) {
        char name[16];
        snprintf(name, sizeof name, "part%d", k);
        make_header(&h[k], &shapes[k], c, n > 1 ? name : NULL);
    }
    exrqoi_write_options o = EXRQOI_WRITE_OPTIONS_INIT;
    o.threads = threads;
    exrqoi_writer *w;
    if (path)
        assert_int_equal(exrqoi_writer_open(exrqoi_sink_path(path), h, n, &o, &w), EXRQOI_OK);
    else
        assert_int_equal(exrqoi_writer_open(exrqoi_sink_memory(data, size), h, n, &o, &w), EXRQOI_OK);
    memset(wr, 0, sizeof *wr);
    wr->nparts = n;
    for (int k = 0; k < n; k++) {
        exrqoi_part_info pi;
        assert_int_equal(exrqoi_writer_part_info(w, k, &pi), EXRQOI_OK);
        int lx[MAX_LEVELS], ly[MAX_LEVELS];
        int nl = level_list(&pi, lx, ly);
        wr->nlevels[k] = nl;
        for (int l = 0; l < nl; l++) {
            exrqoi_box2i win;
            assert_int_equal(exrqoi_writer_level_window(w, k, lx[l], ly[l], &win), EXRQOI_OK);
            int32_t lw = win.max.x - win.min.x + 1, lh = win.max.y - win.min.y + 1;
            if (strcmp(shapes[k].type, "scanlineimage") == 0) {
                size_t npix = (size_t)lw * (size_t)lh;
                /* half, float, uint channels in one buffer (4-byte aligned) */
                uint16_t *buf = calloc(npix * 6, 2);
                assert_non_null(buf);
                for (size_t i = 0; i < npix * 6; i++) buf[i] = (uint16_t)(i * 31 + (size_t)k);
                /* float bits that survive as they are (no NaN patterns) */
                for (size_t i = 0; i < npix; i++) {
                    float f = (float)i * 0.5f;
                    memcpy(buf + 2 * npix + 2 * i, &f, 4);
                }
                wr->flat[k] = buf;
                exrqoi_slice s[3];
                memset(s, 0, sizeof s);
                size_t at[3] = {0, npix * 2, npix * 4};
                for (int ch = 0; ch < 3; ch++) {
                    size_t sz = (size_t)exrqoi_pixel_type_size(k_types[ch]);
                    s[ch].name = k_names[ch];
                    s[ch].type = k_types[ch];
                    s[ch].base = buf + at[ch];
                    s[ch].x_stride = (ptrdiff_t)sz;
                    s[ch].y_stride = (ptrdiff_t)(sz * (size_t)lw);
                }
                assert_int_equal(exrqoi_writer_write_region(w, k, 0, 0, NULL, s, 3), EXRQOI_OK);
            } else {
                make_deep(&wr->deep[k][l], lw, lh, (uint32_t)(k * 100 + l));
                exrqoi_result rv = exrqoi_writer_write_deep(w, k, lx[l], ly[l], &wr->deep[k][l]);
                if (rv) fprintf(stderr, "%s\n", exrqoi_writer_error(w));
                assert_int_equal(rv, EXRQOI_OK);
            }
        }
    }
    for (int k = 0; k < n; k++) exrqoi_header_free(&h[k]);
    if (path)
        assert_int_equal(exrqoi_writer_finish(w), EXRQOI_OK);
    else
        assert_int_equal(exrqoi_writer_finish(w), EXRQOI_OK);
    exrqoi_writer_close(w);
}

static void check_read(exrqoi_reader *r, const shape *shapes, const written *wr)
{
    /* one image reused for every level of every part, in turn: arrays
     * grow, shrink (kept) and channel lists change; each read must give
     * exactly what a fresh read does */
    exrqoi_deep_image reused;
    memset(&reused, 0, sizeof reused);
    assert_int_equal(exrqoi_reader_part_count(r), wr->nparts);
    for (int k = 0; k < wr->nparts; k++) {
        exrqoi_part_info pi;
        assert_int_equal(exrqoi_reader_part_info(r, k, &pi), EXRQOI_OK);
        assert_int_equal(pi.line_order, shapes[k].order);
        int lx[MAX_LEVELS], ly[MAX_LEVELS];
        int nl = level_list(&pi, lx, ly);
        assert_int_equal(nl, wr->nlevels[k]);
        if (!strcmp(shapes[k].type, "scanlineimage")) {
            exrqoi_deep_image d;
            assert_int_equal(exrqoi_reader_read_deep(r, k, 0, 0, &d), EXRQOI_ERR_INVALID_ARGUMENT);
            size_t npix = (size_t)(pi.data_window.max.x - pi.data_window.min.x + 1) *
                          (size_t)(pi.data_window.max.y - pi.data_window.min.y + 1);
            uint16_t *buf = calloc(npix * 6, 2);
            assert_non_null(buf);
            exrqoi_slice s[3];
            memset(s, 0, sizeof s);
            size_t at[3] = {0, npix * 2, npix * 4};
            for (int ch = 0; ch < 3; ch++) {
                size_t sz = (size_t)exrqoi_pixel_type_size(k_types[ch]);
                s[ch].name = k_names[ch];
                s[ch].type = k_types[ch];
                s[ch].base = buf + at[ch];
                s[ch].x_stride = (ptrdiff_t)sz;
                s[ch].y_stride = (ptrdiff_t)(sz * (size_t)(pi.data_window.max.x - pi.data_window.min.x + 1));
            }
            assert_int_equal(exrqoi_reader_read_region(r, k, 0, 0, NULL, s, 3), EXRQOI_OK);
            assert_memory_equal(buf, wr->flat[k], npix * 2);
            assert_memory_equal(buf + npix * 2, wr->flat[k] + npix * 2, npix * 8);
            free(buf);
            continue;
        }
        for (int l = 0; l < nl; l++) {
            exrqoi_deep_image d;
            exrqoi_result rv = exrqoi_reader_read_deep(r, k, lx[l], ly[l], &d);
            if (rv) fprintf(stderr, "%s\n", exrqoi_reader_error(r));
            assert_int_equal(rv, EXRQOI_OK);
            assert_deep_equal(&wr->deep[k][l], &d);
            exrqoi_deep_image_free(&d);
            assert_int_equal(exrqoi_reader_read_deep_reuse(r, k, lx[l], ly[l], &reused), EXRQOI_OK);
            assert_deep_equal(&wr->deep[k][l], &reused);
            assert_true(reused.pixel_capacity >= (size_t)reused.width * (size_t)reused.height);
        }
    }
    exrqoi_deep_image_free(&reused);
}

static void roundtrip(const shape *shapes, int n)
{
    static const exrqoi_compression comps[3] = {EXRQOI_COMPRESSION_NONE, EXRQOI_COMPRESSION_RLE,
                                                EXRQOI_COMPRESSION_ZIPS};
    for (int ci = 0; ci < 3; ci++) {
        for (int threads = 1; threads <= 2; threads++) {
            void *data;
            size_t size;
            written wr;
            write_parts(shapes, n, comps[ci], threads, NULL, &data, &size, &wr);
            exrqoi_read_options o = EXRQOI_READ_OPTIONS_INIT;
            o.threads = 3 - threads;
            o.strict = 1;
            exrqoi_reader *r;
            assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), &o, &r), EXRQOI_OK);
            check_read(r, shapes, &wr);
            exrqoi_reader_close(r);
            exrqoi_free(NULL, data);
            written_free(&wr);
        }
    }
}

/* ---- round trips ----------------------------------------------------------- */

static void test_deep_scanline(void **state)
{
    (void)state;
    shape s = {"deepscanline", {{-3, -2}, {20, 14}}, EXRQOI_LINE_ORDER_INCREASING, {0, 0, 0, 0}};
    roundtrip(&s, 1);
    s.order = EXRQOI_LINE_ORDER_DECREASING;
    roundtrip(&s, 1);
}

static void test_deep_tiled(void **state)
{
    (void)state;
    /* tiles that do not divide the image: clipped edge tiles */
    shape s = {"deeptile", {{5, 7}, {27, 22}}, EXRQOI_LINE_ORDER_INCREASING,
               {6, 4, EXRQOI_LEVEL_ONE, EXRQOI_ROUND_DOWN}};
    roundtrip(&s, 1);
    s.tiles.level_mode = EXRQOI_LEVEL_MIPMAP;
    roundtrip(&s, 1);
    s.tiles.level_mode = EXRQOI_LEVEL_RIPMAP;
    s.tiles.rounding_mode = EXRQOI_ROUND_UP;
    roundtrip(&s, 1);
}

/* exrqoi_reader_read_deep_reuse keeps the arrays that are large enough:
 * the largest level first, then smaller ones, then the largest again,
 * all into the same memory; a read that fails leaves an image that can
 * be read into again. */
static void test_reuse_keeps_memory(void **state)
{
    (void)state;
    shape s = {"deeptile", {{0, 0}, {40, 30}}, EXRQOI_LINE_ORDER_INCREASING,
               {8, 8, EXRQOI_LEVEL_MIPMAP, EXRQOI_ROUND_DOWN}};
    void *data;
    size_t size;
    written wr;
    write_parts(&s, 1, EXRQOI_COMPRESSION_ZIPS, 1, NULL, &data, &size, &wr);
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), NULL, &r), EXRQOI_OK);
    exrqoi_deep_image img;
    memset(&img, 0, sizeof img);
    assert_int_equal(exrqoi_reader_read_deep_reuse(r, 0, 0, 0, &img), EXRQOI_OK);
    assert_deep_equal(&wr.deep[0][0], &img);
    uint32_t *counts = img.counts;
    void *samples[4];
    for (int c = 0; c < 4; c++) {
        samples[c] = img.channels[c].samples;
        assert_true(img.channels[c].capacity >= img.total_samples * (uint64_t)exrqoi_pixel_type_size(k_types[c]));
    }
    for (int l = 1; l < wr.nlevels[0]; l++) {
        assert_int_equal(exrqoi_reader_read_deep_reuse(r, 0, l, l, &img), EXRQOI_OK);
        assert_deep_equal(&wr.deep[0][l], &img);
        assert_ptr_equal(img.counts, counts);
        for (int c = 0; c < 4; c++)
            if (img.total_samples <= wr.deep[0][0].total_samples) assert_ptr_equal(img.channels[c].samples, samples[c]);
    }
    assert_int_equal(exrqoi_reader_read_deep_reuse(r, 0, 0, 0, &img), EXRQOI_OK);
    assert_deep_equal(&wr.deep[0][0], &img);
    assert_ptr_equal(img.counts, counts);
    for (int c = 0; c < 4; c++) assert_ptr_equal(img.channels[c].samples, samples[c]);
    /* a level that does not exist: an error, the image still usable */
    assert_int_not_equal(exrqoi_reader_read_deep_reuse(r, 0, 99, 99, &img), EXRQOI_OK);
    assert_int_equal(exrqoi_reader_read_deep_reuse(r, 0, 1, 1, &img), EXRQOI_OK);
    assert_deep_equal(&wr.deep[0][1], &img);
    /* an image from exrqoi_deep_image_init (same allocator) is reusable too */
    exrqoi_deep_image_free(&img);
    assert_int_equal(exrqoi_deep_image_init(&img, NULL, 64, 64, 4, k_names, k_types), EXRQOI_OK);
    assert_int_equal(exrqoi_reader_read_deep_reuse(r, 0, 0, 0, &img), EXRQOI_OK);
    assert_deep_equal(&wr.deep[0][0], &img);
    exrqoi_deep_image_free(&img);
    assert_int_equal(exrqoi_reader_read_deep_reuse(NULL, 0, 0, 0, &img), EXRQOI_ERR_INVALID_ARGUMENT);
    assert_int_equal(exrqoi_reader_read_deep_reuse(r, 0, 0, 0, NULL), EXRQOI_ERR_INVALID_ARGUMENT);
    exrqoi_reader_close(r);
    exrqoi_free(NULL, data);
    written_free(&wr);
}

static void test_multipart_mixed(void **state)
{
    (void)state;
    shape s[3] = {
        {"deepscanline", {{0, 0}, {12, 9}}, EXRQOI_LINE_ORDER_DECREASING, {0, 0, 0, 0}},
        {"scanlineimage", {{-4, 1}, {9, 7}}, EXRQOI_LINE_ORDER_INCREASING, {0, 0, 0, 0}},
        {"deeptile", {{0, 0}, {10, 9}}, EXRQOI_LINE_ORDER_INCREASING,
         {4, 4, EXRQOI_LEVEL_RIPMAP, EXRQOI_ROUND_DOWN}},
    };
    roundtrip(s, 3);
}

/* File source (not zero-copy): chunks are read into worker buffers. */
static void test_file_source(void **state)
{
    (void)state;
    char path[] = "/tmp/exrqoi_deep_io_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    shape s[2] = {
        {"deeptile", {{0, 0}, {30, 17}}, EXRQOI_LINE_ORDER_INCREASING,
         {8, 8, EXRQOI_LEVEL_MIPMAP, EXRQOI_ROUND_DOWN}},
        {"deepscanline", {{2, 3}, {40, 33}}, EXRQOI_LINE_ORDER_INCREASING, {0, 0, 0, 0}},
    };
    written wr;
    write_parts(s, 2, EXRQOI_COMPRESSION_ZIPS, 2, path, NULL, NULL, &wr);
    exrqoi_read_options o = EXRQOI_READ_OPTIONS_INIT;
    o.threads = 2;
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_path(path), &o, &r), EXRQOI_OK);
    check_read(r, s, &wr);
    exrqoi_reader_close(r);
    written_free(&wr);
    unlink(path);
}

/* ---- whole image, Balls.exr ------------------------------------------------- */

static void test_balls_roundtrip(void **state)
{
    (void)state;
    const char *path = EXRQOI_SHARED_DIR "/corpus/openexr-images/v2/LowResLeftView/Balls.exr";
    if (access(path, R_OK) != 0) {
        skip();
        return;
    }
    exrqoi_image img;
    assert_int_equal(exrqoi_image_read(exrqoi_source_path(path), NULL, &img), EXRQOI_OK);
    assert_int_equal(img.part_count, 1);
    const exrqoi_deep_image *d = &img.parts[0].levels[0].deep;
    /* canonical hash of the corpus manifest */
    assert_int_equal(d->total_samples, 162877);
    /* the manifest's CRC is over the counts as little-endian bytes */
    uint32_t crc = 0;
    for (size_t i = 0; i < (size_t)d->width * (size_t)d->height; i++) {
        uint8_t b[4];
        exrqoi__put32(b, d->counts[i]);
        crc = exrqoi_crc32(crc, b, 4);
    }
    assert_int_equal(crc, 0xf4072345u);
    static const exrqoi_compression comps[3] = {EXRQOI_COMPRESSION_NONE, EXRQOI_COMPRESSION_RLE,
                                                EXRQOI_COMPRESSION_ZIPS};
    for (int ci = 0; ci < 3; ci++) {
        assert_int_equal(exrqoi_header_set_compression(&img.parts[0].header, comps[ci]), EXRQOI_OK);
        void *data;
        size_t size;
        assert_int_equal(exrqoi_image_write(exrqoi_sink_memory(&data, &size), &img, NULL), EXRQOI_OK);
        exrqoi_reader *r;
        assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), NULL, &r), EXRQOI_OK);
        exrqoi_deep_image back;
        assert_int_equal(exrqoi_reader_read_deep(r, 0, 0, 0, &back), EXRQOI_OK);
        assert_deep_equal(d, &back);
        exrqoi_deep_image_free(&back);
        exrqoi_reader_close(r);
        exrqoi_free(NULL, data);
    }
    exrqoi_image_free(&img);
}

/* ---- limits and damage --------------------------------------------------------- */

static void one_scanline_file(exrqoi_compression c, void **data, size_t *size, written *wr)
{
    static const shape s = {"deepscanline", {{0, 0}, {15, 11}}, EXRQOI_LINE_ORDER_INCREASING, {0, 0, 0, 0}};
    write_parts(&s, 1, c, 1, NULL, data, size, wr);
}

static void test_limits(void **state)
{
    (void)state;
    void *data;
    size_t size;
    written wr;
    one_scanline_file(EXRQOI_COMPRESSION_ZIPS, &data, &size, &wr);
    uint64_t total = wr.deep[0][0].total_samples;
    assert_true(total > 20);
    exrqoi_limits lim;
    exrqoi_limits_default(&lim);
    exrqoi_read_options o = EXRQOI_READ_OPTIONS_INIT;
    o.limits = &lim;
    exrqoi_reader *r;
    exrqoi_deep_image d;
    /* the part-wide total (every chunk alone is within it) */
    lim.max_deep_samples_total = total - 1;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), &o, &r), EXRQOI_OK);
    assert_int_equal(exrqoi_reader_read_deep(r, 0, 0, 0, &d), EXRQOI_ERR_LIMIT);
    assert_null(d.counts);
    exrqoi_reader_close(r);
    /* a single chunk over it */
    lim.max_deep_samples_total = 5;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), &o, &r), EXRQOI_OK);
    assert_int_equal(exrqoi_reader_read_deep(r, 0, 0, 0, &d), EXRQOI_ERR_LIMIT);
    exrqoi_reader_close(r);
    /* bytes: counts and offsets fit, the samples do not */
    exrqoi_limits_default(&lim);
    lim.max_alloc_bytes = 16 * 12 * 12 + 4096;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), &o, &r), EXRQOI_OK);
    assert_int_equal(exrqoi_reader_read_deep(r, 0, 0, 0, &d), EXRQOI_ERR_LIMIT);
    exrqoi_reader_close(r);
    exrqoi_limits_default(&lim);
    lim.max_deep_samples_per_pixel = 10;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), &o, &r), EXRQOI_OK);
    assert_int_equal(exrqoi_reader_read_deep(r, 0, 0, 0, &d), EXRQOI_ERR_LIMIT);
    assert_non_null(strstr(exrqoi_reader_error(r), "part 0, chunk"));
    exrqoi_reader_close(r);
    exrqoi_free(NULL, data);
    written_free(&wr);
}

/* Offset of chunk 0's leader: the single-part offset table follows the header. */
static size_t chunk0(const uint8_t *d, size_t size, uint64_t nchunks)
{
    (void)nchunks;
    /* the table starts right before the first chunk; find it by scanning
     * for an 8-byte offset that points at a leader with y == 0 */
    for (size_t p = 8; p + 8 <= size; p++) {
        uint64_t o = exrqoi__le64(d + p);
        if (o > p && o + 4 <= size && o == p + nchunks * 8 && exrqoi__le32(d + o) == 0) return (size_t)o;
    }
    fail();
    return 0;
}

static void test_corrupt_table(void **state)
{
    (void)state;
    void *data;
    size_t size;
    written wr;
    one_scanline_file(EXRQOI_COMPRESSION_NONE, &data, &size, &wr);
    uint8_t *d = (uint8_t *)data;
    size_t c0 = chunk0(d, size, 12);
    /* leader: y, three sizes; then the raw table of 16 cumulative counts */
    assert_int_equal(exrqoi__le64(d + c0 + 4), 64);
    uint8_t *table = d + c0 + 4 + 24;
    uint8_t keep[64];
    memcpy(keep, table, 64);
    exrqoi_reader *r;
    exrqoi_deep_image img;
    exrqoi__put32(table, 1000); /* the next entry decreases */
    exrqoi__put32(table + 4, 0);
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), NULL, &r), EXRQOI_OK);
    assert_int_equal(exrqoi_reader_read_deep(r, 0, 0, 0, &img), EXRQOI_ERR_BAD_SAMPLES);
    assert_non_null(strstr(exrqoi_reader_error(r), "chunk 0 at byte"));
    exrqoi_reader_close(r);
    memcpy(table, keep, 64);
    exrqoi__put32(table + 4 * 15, exrqoi__le32(table + 4 * 15) + 1); /* totals no longer match */
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), NULL, &r), EXRQOI_OK);
    assert_int_equal(exrqoi_reader_read_deep(r, 0, 0, 0, &img), EXRQOI_ERR_BAD_SAMPLES);
    exrqoi_reader_close(r);
    memcpy(table, keep, 64);
    exrqoi__put32(table, 0xffffffffu); /* negative */
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), NULL, &r), EXRQOI_OK);
    assert_int_equal(exrqoi_reader_read_deep(r, 0, 0, 0, &img), EXRQOI_ERR_BAD_SAMPLES);
    exrqoi_reader_close(r);
    exrqoi_free(NULL, data);
    written_free(&wr);

    /* compressed tables: flip every byte of the packed table in turn */
    one_scanline_file(EXRQOI_COMPRESSION_ZIPS, &data, &size, &wr);
    d = (uint8_t *)data;
    c0 = chunk0(d, size, 12);
    uint64_t pt = exrqoi__le64(d + c0 + 4);
    assert_true(pt > 0 && pt < 64);
    int failures = 0;
    for (uint64_t i = 0; i < pt; i++) {
        d[c0 + 28 + i] ^= 0x5a;
        assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), NULL, &r), EXRQOI_OK);
        exrqoi_result rv = exrqoi_reader_read_deep(r, 0, 0, 0, &img);
        if (rv) failures++;
        else exrqoi_deep_image_free(&img);
        exrqoi_reader_close(r);
        d[c0 + 28 + i] ^= 0x5a;
    }
    assert_true(failures > 0);
    /* packed size claims more bytes than the file has */
    exrqoi__put64(d + c0 + 4, (uint64_t)size);
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), NULL, &r), EXRQOI_OK);
    assert_true(exrqoi_reader_read_deep(r, 0, 0, 0, &img) != EXRQOI_OK);
    exrqoi_reader_close(r);
    exrqoi_free(NULL, data);
    written_free(&wr);
}

/* ---- writer arguments ----------------------------------------------------------- */

static void test_writer_arguments(void **state)
{
    (void)state;
    shape s = {"deepscanline", {{0, 0}, {7, 5}}, EXRQOI_LINE_ORDER_INCREASING, {0, 0, 0, 0}};
    exrqoi_header h;
    make_header(&h, &s, EXRQOI_COMPRESSION_ZIP, NULL);
    exrqoi_writer *w;
    exrqoi_deep_image img;
    make_deep(&img, 8, 6, 1);
    size_t size;
    void *data;
    /* ZIP deep data can be read but not written (OpenEXR rejects it) */
    assert_int_equal(exrqoi_writer_open(exrqoi_sink_memory(&data, &size), &h, 1, NULL, &w), EXRQOI_OK);
    assert_int_equal(exrqoi_writer_write_deep(w, 0, 0, 0, &img), EXRQOI_ERR_UNSUPPORTED_COMPRESSION);
    exrqoi_writer_close(w);
    exrqoi_header_free(&h);

    make_header(&h, &s, EXRQOI_COMPRESSION_RLE, NULL);
    assert_int_equal(exrqoi_writer_open(exrqoi_sink_memory(&data, &size), &h, 1, NULL, &w), EXRQOI_OK);
    exrqoi_deep_image small;
    make_deep(&small, 7, 6, 1);
    assert_int_equal(exrqoi_writer_write_deep(w, 0, 0, 0, &small), EXRQOI_ERR_INVALID_ARGUMENT);
    assert_int_equal(exrqoi_writer_write_deep(w, 0, 1, 1, &img), EXRQOI_ERR_NOT_FOUND);
    /* offsets not matching counts */
    img.offsets[3] += 1;
    assert_int_equal(exrqoi_writer_write_deep(w, 0, 0, 0, &img), EXRQOI_ERR_INVALID_ARGUMENT);
    img.offsets[3] -= 1;
    /* argument errors leave the writer usable */
    assert_int_equal(exrqoi_writer_write_deep(w, 0, 0, 0, &img), EXRQOI_OK);
    assert_int_equal(exrqoi_writer_write_deep(w, 0, 0, 0, &img), EXRQOI_ERR_BAD_STATE);
    exrqoi_writer_close(w);

    /* a channel the image lacks is written as zeros; a wrong type is refused */
    exrqoi_deep_image two;
    assert_int_equal(exrqoi_deep_image_init(&two, NULL, 8, 6, 2, k_names, k_types), EXRQOI_OK);
    memcpy(two.counts, img.counts, 8 * 6 * 4);
    assert_int_equal(exrqoi_deep_image_alloc_samples(&two, 0), EXRQOI_OK);
    memcpy(two.channels[1].samples, img.channels[1].samples, (size_t)img.total_samples * 4);
    assert_int_equal(exrqoi_writer_open(exrqoi_sink_memory(&data, &size), &h, 1, NULL, &w), EXRQOI_OK);
    two.channels[0].type = EXRQOI_PIXEL_FLOAT;
    assert_int_equal(exrqoi_writer_write_deep(w, 0, 0, 0, &two), EXRQOI_ERR_INVALID_ARGUMENT);
    two.channels[0].type = EXRQOI_PIXEL_HALF;
    assert_int_equal(exrqoi_writer_write_deep(w, 0, 0, 0, &two), EXRQOI_OK);
    assert_int_equal(exrqoi_writer_finish(w), EXRQOI_OK);
    exrqoi_writer_close(w);
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), NULL, &r), EXRQOI_OK);
    exrqoi_deep_image back;
    assert_int_equal(exrqoi_reader_read_deep(r, 0, 0, 0, &back), EXRQOI_OK);
    assert_int_equal(back.total_samples, img.total_samples);
    int32_t idc = exrqoi_deep_image_find_channel(&back, "id");
    assert_true(idc >= 0);
    for (uint64_t i = 0; i < back.total_samples; i++)
        assert_int_equal(((uint32_t *)back.channels[idc].samples)[i], 0);
    assert_memory_equal(back.channels[exrqoi_deep_image_find_channel(&back, "Z")].samples,
                        img.channels[1].samples, (size_t)img.total_samples * 4);
    exrqoi_deep_image_free(&back);
    exrqoi_reader_close(r);
    exrqoi_free(NULL, data);
    exrqoi_deep_image_free(&two);
    exrqoi_deep_image_free(&small);
    exrqoi_deep_image_free(&img);
    exrqoi_header_free(&h);
}

/* ---- the ambiguous clipped-tile table ------------------------------------------- */

/* OpenEXR 3.1's C++ writer leaves a compressed table whose size happens
 * to equal width*height*4 (it compares with the full tile size); Core
 * stores such a table raw. Both must read. */
static void test_ambiguous_tile_table(void **state)
{
    (void)state;
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    static const exrqoi_pixel_type t1[1] = {EXRQOI_PIXEL_FLOAT};
    exrqoi__deep_chunk_layout L;
    memset(&L, 0, sizeof L);
    L.width = L.height = 1;
    L.nchan = 1;
    L.types = t1;
    L.compression = EXRQOI_COMPRESSION_RLE;
    L.full_table_size = 4 * 4 * 4;
    /* RLE of one zero int32 (as OpenEXR 3.1 wrote it in a 4x4 ripmap tile) */
    static const uint8_t rle0[4] = {0xff, 0x00, 0x02, 0x80};
    exrqoi__deep_chunk_sizes s = {4, 0, 0};
    uint32_t count = 99;
    uint64_t total = 99;
    assert_int_equal(exrqoi__deep_decode_counts(&ctx, NULL, &L, &s, rle0, &count, 1, &total), EXRQOI_OK);
    assert_int_equal(count, 0);
    assert_int_equal(total, 0);
    /* a raw table of the same size (it does not decode as RLE) */
    static const uint8_t raw5[4] = {5, 0, 0, 0};
    exrqoi__deep_chunk_sizes s5 = {4, 20, 20};
    assert_int_equal(exrqoi__deep_decode_counts(&ctx, NULL, &L, &s5, raw5, &count, 1, &total), EXRQOI_OK);
    assert_int_equal(count, 5);
    assert_int_equal(total, 5);
    /* neither reading fits the sample data size */
    exrqoi__deep_chunk_sizes bad = {4, 8, 8};
    assert_int_equal(exrqoi__deep_decode_counts(&ctx, NULL, &L, &bad, raw5, &count, 1, &total),
                     EXRQOI_ERR_BAD_SAMPLES);
    exrqoi__codec_ctx_free(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deep_scanline),    cmocka_unit_test(test_deep_tiled),
        cmocka_unit_test(test_multipart_mixed),  cmocka_unit_test(test_file_source),
        cmocka_unit_test(test_balls_roundtrip),  cmocka_unit_test(test_limits),
        cmocka_unit_test(test_corrupt_table),    cmocka_unit_test(test_writer_arguments),
        cmocka_unit_test(test_ambiguous_tile_table), cmocka_unit_test(test_reuse_keeps_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
