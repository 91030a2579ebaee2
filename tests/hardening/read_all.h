/*
 * read_all.h - reads everything an EXR (or QOI) file holds through the
 * public API, for the hardening tests and the fuzz targets: every level of
 * every flat part (all channels at once) and of every deep part, and
 * (optionally; always for deep parts) every chunk's leader and raw bytes. Header-only (static functions) so each
 * test or fuzz executable stays one source file plus this.
 *
 * The caller-side buffers are bounded by `max_level_bytes`: a level whose
 * channels would need more is skipped (counted as a limit), so a hostile
 * header cannot make the *test* allocate gigabytes.
 */
#ifndef EXRQOI_HARD_READ_ALL_H
#define EXRQOI_HARD_READ_ALL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exrqoi/exrqoi.h"

/* each user needs only some of these */
#define HARD_FN static __attribute__((unused))

/* Receives every decoded byte in a fixed order (part, level, channel). */
typedef void (*hard_sink_fn)(void *user, const void *data, size_t size);

typedef struct hard_opts {
    int threads;              /* reader threads (1 = serial) */
    uint64_t max_level_bytes; /* 0 = 256 MiB */
    const exrqoi_limits *limits; /* NULL = hard_default_limits */
    hard_sink_fn sink;
    void *sink_user;
    int raw_chunks;           /* also read every chunk raw (leaders, sizes) */
} hard_opts;

/* Limits for hostile inputs in tests: generous for the corpus (largest
 * image ~3.2 Mpixel), small enough that nothing allocates gigabytes. */
HARD_FN void hard_default_limits(exrqoi_limits *l)
{
    exrqoi_limits_default(l);
    l->max_pixels = (uint64_t)1 << 23;
    l->max_width = 1u << 16;
    l->max_height = 1u << 16;
    l->max_alloc_bytes = (uint64_t)1 << 30;
    l->max_chunk_size = (uint64_t)256 << 20;
    l->max_attribute_size = 16u << 20;
    l->max_deep_samples_per_pixel = 1u << 16;
    l->max_deep_samples_total = (uint64_t)1 << 26;
    l->max_parts = 1024;
    l->max_qoi_pixels = (uint64_t)1 << 24;
}

/* One flat level: all channels into tightly packed buffers. Returns the
 * read's result; *skipped is set when the level is too big for the test. */
HARD_FN exrqoi_result hard_read_level(exrqoi_reader *r, int part, const exrqoi_part_info *pi, int lx,
                                     int ly, const hard_opts *o, int *skipped)
{
    exrqoi_box2i win;
    exrqoi_result rv = exrqoi_reader_level_window(r, part, lx, ly, &win);
    if (rv) return rv;
    int n = pi->channel_count;
    uint64_t max_bytes = o->max_level_bytes ? o->max_level_bytes : (uint64_t)256 << 20;
    uint64_t total = 0;
    for (int c = 0; c < n; c++) {
        int32_t cols, rows;
        exrqoi_sample_extent(&win, pi->channels[c].x_sampling, pi->channels[c].y_sampling, &cols,
                             &rows);
        total += (uint64_t)cols * (uint64_t)rows * 4u;
        if (total > max_bytes) {
            *skipped = 1;
            return EXRQOI_OK;
        }
    }
    exrqoi_slice *slices = (exrqoi_slice *)calloc((size_t)n + 1, sizeof *slices);
    void **bufs = (void **)calloc((size_t)n + 1, sizeof *bufs);
    size_t *bytes = (size_t *)calloc((size_t)n + 1, sizeof *bytes);
    if (!slices || !bufs || !bytes) rv = EXRQOI_ERR_OUT_OF_MEMORY;
    for (int c = 0; c < n && !rv; c++) {
        const exrqoi_channel *ch = &pi->channels[c];
        int32_t cols, rows;
        exrqoi_sample_extent(&win, ch->x_sampling, ch->y_sampling, &cols, &rows);
        size_t sz = (size_t)exrqoi_pixel_type_size(ch->type);
        if (!sz) sz = 4;
        bytes[c] = (size_t)cols * (size_t)rows * sz;
        /* poison so that samples the reader fails to write differ run to run
         * only if the reader is wrong (threads test compares outputs) */
        bufs[c] = malloc(bytes[c] + 1);
        if (!bufs[c]) {
            rv = EXRQOI_ERR_OUT_OF_MEMORY;
            break;
        }
        memset(bufs[c], 0xa5, bytes[c] + 1);
        slices[c].name = ch->name;
        slices[c].type = ch->type;
        slices[c].base = bufs[c];
        slices[c].x_stride = (ptrdiff_t)sz;
        slices[c].y_stride = (ptrdiff_t)(sz * (size_t)cols);
    }
    if (!rv) rv = exrqoi_reader_read_region(r, part, lx, ly, NULL, slices, n);
    if (!rv && o->sink)
        for (int c = 0; c < n; c++) o->sink(o->sink_user, bufs[c], bytes[c]);
    for (int c = 0; c < n; c++) free(bufs ? bufs[c] : NULL);
    free(bufs);
    free(slices);
    free(bytes);
    return rv;
}

/* Reads every chunk raw; the first failure is returned but all are tried. */
HARD_FN exrqoi_result hard_read_raw(exrqoi_reader *r, int part, const exrqoi_part_info *pi)
{
    exrqoi_result first = EXRQOI_OK;
    for (uint64_t i = 0; i < pi->chunk_count; i++) {
        exrqoi_chunk_info ci;
        void *data = NULL;
        size_t size = 0;
        exrqoi_result rv = exrqoi_reader_read_raw_chunk(r, part, i, &ci, &data, &size);
        if (!rv && size != ci.packed_size + ci.packed_count_table_size) rv = EXRQOI_ERR_CORRUPT;
        exrqoi_free(NULL, data);
        if (rv && !first) first = rv;
    }
    return first;
}

HARD_FN exrqoi_result hard_read_reader(exrqoi_reader *r, const hard_opts *o, int *levels_skipped);

/* Opens `data` and reads everything. Returns the first failure (or OK);
 * *levels_skipped counts levels too large for the test buffers. */
HARD_FN exrqoi_result hard_read_exr(const void *data, size_t size, const hard_opts *o,
                                   int *levels_skipped)
{
    exrqoi_limits lim;
    if (o->limits)
        lim = *o->limits;
    else
        hard_default_limits(&lim);
    exrqoi_read_options ro = EXRQOI_READ_OPTIONS_INIT;
    ro.limits = &lim;
    ro.threads = o->threads ? o->threads : 1;
    exrqoi_reader *r = NULL;
    exrqoi_result rv = exrqoi_reader_open(exrqoi_source_memory(data, size), &ro, &r);
    if (rv) return rv;
    rv = hard_read_reader(r, o, levels_skipped);
    exrqoi_reader_close(r);
    return rv;
}

/* Reads everything of an open reader (may run on several threads at once). */
HARD_FN exrqoi_result hard_read_reader(exrqoi_reader *r, const hard_opts *o, int *levels_skipped)
{
    exrqoi_result rv, first = EXRQOI_OK;
    int np = exrqoi_reader_part_count(r);
    for (int k = 0; k < np; k++) {
        exrqoi_part_info pi;
        rv = exrqoi_reader_part_info(r, k, &pi);
        if (rv) {
            if (!first) first = rv;
            continue;
        }
        if (pi.type == EXRQOI_PART_SCANLINE || pi.type == EXRQOI_PART_TILED) {
            int nl = 1;
            if (pi.tiled)
                nl = pi.tiles.level_mode == EXRQOI_LEVEL_RIPMAP ? pi.num_x_levels * pi.num_y_levels
                                                                : pi.num_x_levels;
            for (int l = 0; l < nl; l++) {
                int lx = 0, ly = 0;
                if (pi.tiled) {
                    lx = ly = l;
                    if (pi.tiles.level_mode == EXRQOI_LEVEL_RIPMAP) {
                        lx = l % pi.num_x_levels;
                        ly = l / pi.num_x_levels;
                    }
                }
                int skipped = 0;
                rv = hard_read_level(r, k, &pi, lx, ly, o, &skipped);
                if (skipped && levels_skipped) (*levels_skipped)++;
                if (rv && !first) first = rv;
                /* a level that failed says enough about this part */
                if (rv) break;
            }
        }
        if (pi.type == EXRQOI_PART_DEEP_SCANLINE || pi.type == EXRQOI_PART_DEEP_TILED) {
            int nl = 1;
            if (pi.tiled)
                nl = pi.tiles.level_mode == EXRQOI_LEVEL_RIPMAP ? pi.num_x_levels * pi.num_y_levels
                                                                : pi.num_x_levels;
            for (int l = 0; l < nl; l++) {
                int lx = 0, ly = 0;
                if (pi.tiled) {
                    lx = ly = l;
                    if (pi.tiles.level_mode == EXRQOI_LEVEL_RIPMAP) {
                        lx = l % pi.num_x_levels;
                        ly = l / pi.num_x_levels;
                    }
                }
                exrqoi_deep_image img;
                memset(&img, 0, sizeof img);
                rv = exrqoi_reader_read_deep(r, k, lx, ly, &img);
                if (!rv && o->sink) {
                    size_t px = (size_t)img.width * (size_t)img.height;
                    o->sink(o->sink_user, img.counts, px * sizeof *img.counts);
                    for (int32_t c = 0; c < img.channel_count; c++)
                        o->sink(o->sink_user, img.channels[c].samples,
                                (size_t)img.total_samples *
                                    (size_t)exrqoi_pixel_type_size(img.channels[c].type));
                }
                exrqoi_deep_image_free(&img);
                if (rv && !first) first = rv;
                if (rv) break;
            }
        }
        if (o->raw_chunks || pi.type == EXRQOI_PART_DEEP_SCANLINE ||
            pi.type == EXRQOI_PART_DEEP_TILED) {
            rv = hard_read_raw(r, k, &pi);
            if (rv && !first) first = rv;
        }
    }
    return first;
}

/* Decodes a QOI held in memory both whole and row by row, strict and
 * lenient. Returns the strict whole-image result. */
HARD_FN exrqoi_result hard_read_qoi(const void *data, size_t size, uint32_t *crc)
{
    exrqoi_limits lim;
    hard_default_limits(&lim);
    exrqoi_qoi_options qo = EXRQOI_QOI_OPTIONS_INIT;
    qo.limits = &lim;
    exrqoi_qoi_desc d;
    void *px = NULL;
    size_t pxs = 0;
    exrqoi_result strict = exrqoi_qoi_decode(exrqoi_source_memory(data, size), &qo, &d, &px, &pxs);
    if (!strict && crc) *crc = exrqoi_crc32(0, px, pxs);
    exrqoi_free(NULL, px);
    px = NULL;
    qo.lenient = 1;
    qo.channels = 4;
    (void)exrqoi_qoi_decode(exrqoi_source_memory(data, size), &qo, &d, &px, &pxs);
    exrqoi_free(NULL, px);
    /* streaming, strict */
    qo.lenient = 0;
    qo.channels = 0;
    exrqoi_qoi_decoder *dec = NULL;
    if (exrqoi_qoi_decoder_open(exrqoi_source_memory(data, size), &qo, &dec) == EXRQOI_OK) {
        exrqoi_qoi_desc dd;
        if (exrqoi_qoi_decoder_desc(dec, &dd) == EXRQOI_OK) {
            int ch = exrqoi_qoi_decoder_channels(dec);
            size_t row = (size_t)dd.width * (size_t)(ch > 0 ? ch : 4);
            uint8_t *buf = (uint8_t *)malloc(row * 7 + 1);
            if (buf) {
                uint32_t left = dd.height;
                while (left) {
                    uint32_t n = left < 7 ? left : 7;
                    if (exrqoi_qoi_decoder_read_rows(dec, buf, 0, n) != EXRQOI_OK) break;
                    left -= n;
                }
                free(buf);
            }
        }
        exrqoi_qoi_decoder_close(dec);
    }
    return strict;
}

/* True when `rv` is one of the result codes common.h defines. */
HARD_FN int hard_known_result(exrqoi_result rv)
{
    return strcmp(exrqoi_error_name(rv), exrqoi_error_name(-12345)) != 0;
}

/* Deterministic pseudo-random numbers (xorshift64*) for mutations. */
HARD_FN uint64_t hard_rand(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Reads a whole file into malloc'd memory; NULL on failure. */
HARD_FN uint8_t *hard_load(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    uint8_t *buf = NULL;
    size_t cap = 0, len = 0;
    for (;;) {
        if (len == cap) {
            size_t nc = cap ? cap * 2 : 65536;
            uint8_t *nb = (uint8_t *)realloc(buf, nc);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
            cap = nc;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    fclose(f);
    *size = len;
    return buf;
}

#endif
