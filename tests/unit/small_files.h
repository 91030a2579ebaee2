/* Test helper: small EXR files of every codec and layout (flat scanline,
 * tiled, deep scanline, deep tiled) made in memory through the public
 * writer, for the allocation tests. Header-only (static functions). */
#ifndef EXRQOI_TEST_SMALL_FILES_H
#define EXRQOI_TEST_SMALL_FILES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exrqoi/exrqoi.h"

#define SMALL_FN static __attribute__((unused))

/* ---- building small files ------------------------------------------------- */

typedef struct bytes {
    uint8_t *d;
    size_t n;
} bytes;

enum layout { FLAT_SCAN, FLAT_TILE, DEEP_SCAN, DEEP_TILE, LAYOUTS };
static const char *const k_layout_name[LAYOUTS] = {"scanline", "tiled", "deep scanline", "deep tiled"};

#define W 40
#define H 24

static const char *const k_names[4] = {"B", "G", "R", "Z"};
static const exrqoi_pixel_type k_types[4] = {EXRQOI_PIXEL_HALF, EXRQOI_PIXEL_HALF, EXRQOI_PIXEL_HALF,
                                             EXRQOI_PIXEL_FLOAT};

SMALL_FN bool deep_codec(exrqoi_compression c)
{
    return c == EXRQOI_COMPRESSION_NONE || c == EXRQOI_COMPRESSION_RLE || c == EXRQOI_COMPRESSION_ZIPS;
}

/* A W x H image of `layout` compressed with `c`, in memory (the writer
 * uses `al`, NULL = malloc). Returns the writer's result. */
SMALL_FN exrqoi_result make_file(exrqoi_compression c, enum layout lay, const exrqoi_allocator *al, bytes *out)
{
    exrqoi_header h;
    exrqoi_result rv = exrqoi_header_init_image(&h, NULL, W, H, c);
    if (rv) return rv;
    bool deep = lay == DEEP_SCAN || lay == DEEP_TILE;
    if (deep) exrqoi_header_set_string(&h, "type", lay == DEEP_TILE ? "deeptile" : "deepscanline");
    if (lay == FLAT_TILE || lay == DEEP_TILE) {
        exrqoi_tiledesc t = {16, 8, EXRQOI_LEVEL_ONE, EXRQOI_ROUND_DOWN};
        exrqoi_header_set_tiles(&h, t);
    }
    for (int k = 0; k < 4; k++) exrqoi_header_add_channel(&h, k_names[k], k_types[k], 1, 1, 0);
    exrqoi_write_options o = EXRQOI_WRITE_OPTIONS_INIT;
    o.allocator = al;
    o.threads = 1;
    exrqoi_writer *w = NULL;
    void *d = NULL;
    size_t n = 0;
    rv = exrqoi_writer_open(exrqoi_sink_memory(&d, &n), &h, 1, &o, &w);
    exrqoi_header_free(&h);
    if (rv) return rv;
    if (!deep) {
        /* smooth values, so that every codec compresses them */
        static uint16_t half[3][W * H];
        static float z[W * H];
        for (int i = 0; i < W * H; i++) {
            int x = i % W, y = i / W;
            for (int k = 0; k < 3; k++) half[k][i] = (uint16_t)(0x3c00 + x * 3 + y * 5 + k * 64);
            z[i] = (float)(x + y) * 0.5f;
        }
        exrqoi_slice s[4];
        memset(s, 0, sizeof s);
        for (int k = 0; k < 4; k++) {
            s[k].name = k_names[k];
            s[k].type = k_types[k];
            s[k].base = k < 3 ? (void *)half[k] : (void *)z;
            s[k].x_stride = k < 3 ? 2 : 4;
            s[k].y_stride = (ptrdiff_t)W * s[k].x_stride;
        }
        rv = exrqoi_writer_write_region(w, 0, 0, 0, NULL, s, 4);
    } else {
        exrqoi_deep_image img;
        rv = exrqoi_deep_image_init(&img, al, W, H, 4, k_names, k_types);
        if (rv == EXRQOI_OK) {
            for (int i = 0; i < W * H; i++) img.counts[i] = (uint32_t)(i % 5 == 0 ? 0 : 1 + i % 3);
            rv = exrqoi_deep_image_alloc_samples(&img, 0);
        }
        if (rv == EXRQOI_OK) {
            for (int k = 0; k < 4; k++) {
                size_t sz = (size_t)exrqoi_pixel_type_size(k_types[k]);
                memset(img.channels[k].samples, 0x11 * (k + 1), (size_t)img.total_samples * sz);
            }
            rv = exrqoi_writer_write_deep(w, 0, 0, 0, &img);
        }
        exrqoi_deep_image_free(&img);
    }
    if (rv == EXRQOI_OK) {
        rv = exrqoi_writer_finish(w);
        if (rv == EXRQOI_OK) {
            out->d = (uint8_t *)malloc(n);
            if (out->d) memcpy(out->d, d, n);
            out->n = n;
            exrqoi_free(al, d);
            if (!out->d) rv = EXRQOI_ERR_OUT_OF_MEMORY;
        }
    }
    exrqoi_writer_close(w);
    return rv;
}

/* Sets the dataWindow's max.x so that the window is 2^24 columns wide. */
SMALL_FN void widen(bytes *b)
{
    static const char key[] = "dataWindow\0box2i";
    for (size_t i = 0; i + sizeof key + 4 + 16 <= b->n; i++) {
        if (memcmp(b->d + i, key, sizeof key) == 0) {
            uint8_t *v = b->d + i + sizeof key + 4;
            int32_t minx = (int32_t)((uint32_t)v[0] | (uint32_t)v[1] << 8 | (uint32_t)v[2] << 16 |
                                     (uint32_t)v[3] << 24);
            uint32_t maxx = (uint32_t)(minx + (1 << 24) - 1);
            for (int k = 0; k < 4; k++) v[8 + k] = (uint8_t)(maxx >> (8 * k));
            return;
        }
    }
    fail_msg("no dataWindow");
}

static const exrqoi_compression k_codecs[] = {
    EXRQOI_COMPRESSION_NONE, EXRQOI_COMPRESSION_RLE,  EXRQOI_COMPRESSION_ZIPS, EXRQOI_COMPRESSION_ZIP,
    EXRQOI_COMPRESSION_PIZ,  EXRQOI_COMPRESSION_PXR24, EXRQOI_COMPRESSION_B44, EXRQOI_COMPRESSION_B44A,
    EXRQOI_COMPRESSION_DWAA, EXRQOI_COMPRESSION_DWAB,
};
#define NCODECS (sizeof k_codecs / sizeof k_codecs[0])

#endif
