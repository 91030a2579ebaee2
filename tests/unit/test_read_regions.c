/*
 * exrqoi_reader_read_regions: several levels/parts/regions read as one
 * parallel job give exactly what one exrqoi_reader_read_region call per
 * request gives (native types, converted types, missing channels filled,
 * sub-regions, single chunks through the cache), on files written here
 * (scanline, mipmap, ripmap, NONE with subsampled channels, several parts)
 * and on the corpus' mip/ripmapped and multipart files (skipped without
 * ../shared). Bad requests are refused before anything is written;
 * limits and chunk errors come out as for read_region.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exrqoi/exrqoi.h"
#include "test_support.h"

#ifndef EXRQOI_SHARED_DIR
#define EXRQOI_SHARED_DIR "../shared"
#endif

/* ---- one request's buffers ---------------------------------------------- */

#define MAXCH 24

typedef struct req_buf {
    exrqoi_region_request rq;
    exrqoi_box2i region;
    exrqoi_slice slices[MAXCH + 1];
    size_t bytes[MAXCH + 1];
} req_buf;

/* Slices for every channel of the part (type `as` unless native) over
 * `region`, plus one channel the part lacks (filled). */
static void make_request(const exrqoi_part_info *pi, int part, int lx, int ly, const exrqoi_box2i *region,
                         int native, req_buf *b)
{
    memset(b, 0, sizeof *b);
    b->region = *region;
    int n = pi->channel_count < MAXCH ? pi->channel_count : MAXCH;
    for (int c = 0; c <= n; c++) {
        exrqoi_slice *s = &b->slices[c];
        int xs = c < n ? pi->channels[c].x_sampling : 1, ys = c < n ? pi->channels[c].y_sampling : 1;
        int32_t cols, rows;
        exrqoi_sample_extent(region, xs, ys, &cols, &rows);
        s->name = c < n ? pi->channels[c].name : "not-in-file";
        s->type = c < n && native ? pi->channels[c].type : EXRQOI_PIXEL_FLOAT;
        s->fill = 0.25;
        size_t sz = (size_t)exrqoi_pixel_type_size(s->type);
        b->bytes[c] = (size_t)cols * (size_t)rows * sz;
        s->base = malloc(b->bytes[c] ? b->bytes[c] : 1);
        assert_non_null(s->base);
        memset(s->base, 0xab, b->bytes[c]);
        s->x_stride = (ptrdiff_t)sz;
        s->y_stride = (ptrdiff_t)(sz * (size_t)cols);
    }
    b->rq.part = part;
    b->rq.lx = lx;
    b->rq.ly = ly;
    b->rq.region = &b->region;
    b->rq.slices = b->slices;
    b->rq.slice_count = n + 1;
}

static void free_request(req_buf *b)
{
    for (int c = 0; c < b->rq.slice_count; c++) free(b->slices[c].base);
}

static void assert_requests_equal(const req_buf *a, const req_buf *b)
{
    assert_int_equal(a->rq.slice_count, b->rq.slice_count);
    for (int c = 0; c < a->rq.slice_count; c++)
        assert_memory_equal(a->slices[c].base, b->slices[c].base, a->bytes[c]);
}

static int all_untouched(const req_buf *b)
{
    for (int c = 0; c < b->rq.slice_count; c++)
        for (size_t i = 0; i < b->bytes[c]; i++)
            if (((const uint8_t *)b->slices[c].base)[i] != 0xab) return 0;
    return 1;
}

/* The request read again with every sample two samples apart (so no
 * direct copy path applies: the general conversion walk does it) gives
 * the same samples: checks the fast paths against the general one. */
static void check_strided(exrqoi_reader *r, const req_buf *a)
{
    exrqoi_slice s[MAXCH + 1];
    for (int c = 0; c < a->rq.slice_count; c++) {
        s[c] = a->slices[c];
        s[c].base = malloc(2 * a->bytes[c] + 1);
        assert_non_null(s[c].base);
        s[c].x_stride *= 2;
        s[c].y_stride *= 2;
    }
    const exrqoi_region_request *q = &a->rq;
    assert_int_equal(exrqoi_reader_read_region(r, q->part, q->lx, q->ly, q->region, s, q->slice_count), EXRQOI_OK);
    for (int c = 0; c < a->rq.slice_count; c++) {
        size_t sz = (size_t)a->slices[c].x_stride;
        for (size_t i = 0; i < a->bytes[c] / sz; i++)
            assert_memory_equal((const uint8_t *)a->slices[c].base + i * sz, (const uint8_t *)s[c].base + 2 * i * sz, sz);
        free(s[c].base);
    }
}

/* Every request of the file: each flat part's levels whole, plus a
 * sub-region and a one-pixel region of level (0, 0). */
static size_t plan_file(exrqoi_reader *r, int native, req_buf **out)
{
    size_t n = 0, cap = 16;
    req_buf *b = calloc(cap, sizeof *b);
    assert_non_null(b);
    for (int k = 0; k < exrqoi_reader_part_count(r); k++) {
        exrqoi_part_info pi;
        assert_int_equal(exrqoi_reader_part_info(r, k, &pi), EXRQOI_OK);
        if (pi.type == EXRQOI_PART_DEEP_SCANLINE || pi.type == EXRQOI_PART_DEEP_TILED) continue;
        for (int ly = 0; ly < pi.num_y_levels; ly++) {
            for (int lx = 0; lx < pi.num_x_levels; lx++) {
                exrqoi_box2i w;
                if (exrqoi_reader_level_window(r, k, lx, ly, &w) != EXRQOI_OK) continue;
                exrqoi_box2i regs[3] = {w, w, {w.min, w.min}};
                int32_t dx = (w.max.x - w.min.x) / 3, dy = (w.max.y - w.min.y) / 4;
                regs[1].min.x += dx;
                regs[1].max.x -= dx / 2;
                regs[1].min.y += dy;
                regs[1].max.y -= dy;
                int nr = lx == 0 && ly == 0 ? 3 : 1;
                for (int q = 0; q < nr; q++) {
                    if (n == cap) {
                        cap *= 2;
                        b = realloc(b, cap * sizeof *b);
                        assert_non_null(b);
                    }
                    make_request(&pi, k, lx, ly, &regs[q], native, &b[n++]);
                }
            }
        }
    }
    /* the requests point into their own entries: fix after the moves */
    for (size_t i = 0; i < n; i++) {
        b[i].rq.region = &b[i].region;
        b[i].rq.slices = b[i].slices;
    }
    *out = b;
    return n;
}

/* read_region per request == read_regions over all of them, on a few
 * thread counts, in native and converted types. */
static void check_equal_reads(const void *data, size_t size, const char *what)
{
    for (int t = 0; t < 3; t++) {
        static const int threads[3] = {1, 2, 4};
        for (int native = 0; native < 2; native++) {
            exrqoi_read_options ro = EXRQOI_READ_OPTIONS_INIT;
            ro.threads = threads[t];
            exrqoi_reader *r;
            assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), &ro, &r), EXRQOI_OK);
            req_buf *a, *b;
            size_t na = plan_file(r, native, &a), nb = plan_file(r, native, &b);
            assert_int_equal(na, nb);
            for (size_t i = 0; i < na; i++) {
                const exrqoi_region_request *q = &a[i].rq;
                exrqoi_result rv = exrqoi_reader_read_region(r, q->part, q->lx, q->ly, q->region, q->slices,
                                                             q->slice_count);
                if (rv) fprintf(stderr, "%s: request %zu: %s\n", what, i, exrqoi_reader_error(r));
                assert_int_equal(rv, EXRQOI_OK);
            }
            exrqoi_region_request *rq = calloc(nb ? nb : 1, sizeof *rq);
            assert_non_null(rq);
            for (size_t i = 0; i < nb; i++) rq[i] = b[i].rq;
            exrqoi_result rv = exrqoi_reader_read_regions(r, rq, nb);
            if (rv) fprintf(stderr, "%s: %s\n", what, exrqoi_reader_error(r));
            assert_int_equal(rv, EXRQOI_OK);
            for (size_t i = 0; i < na; i++) assert_requests_equal(&a[i], &b[i]);
            if (native && t == 1)
                for (size_t i = 0; i < na; i++) check_strided(r, &a[i]);
            /* each request alone through read_regions (single chunks: the cache) */
            for (size_t i = 0; i < nb; i++) {
                for (int c = 0; c < b[i].rq.slice_count; c++) memset(b[i].slices[c].base, 0xab, b[i].bytes[c]);
                assert_int_equal(exrqoi_reader_read_regions(r, &rq[i], 1), EXRQOI_OK);
                assert_requests_equal(&a[i], &b[i]);
            }
            free(rq);
            for (size_t i = 0; i < na; i++) {
                free_request(&a[i]);
                free_request(&b[i]);
            }
            free(a);
            free(b);
            exrqoi_reader_close(r);
        }
    }
}

/* ---- files written here ---------------------------------------------------- */

static uint32_t rng_state;
static uint32_t rng(void) { return ts_lcg(&rng_state) >> 8; }

static void fill_random(void *dst, exrqoi_pixel_type t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t v = rng();
        if (t == EXRQOI_PIXEL_HALF) {
            /* few distinct values: the codecs compress it (no chunk stored raw) */
            uint16_t h = (uint16_t)((i % 3 == 0) ? 0x3c00 : (v & 0x7) + 0x3800);
            memcpy((uint8_t *)dst + 2 * i, &h, 2);
        } else if (t == EXRQOI_PIXEL_FLOAT) {
            float f = (float)(v % 8) - 3.0f;
            memcpy((uint8_t *)dst + 4 * i, &f, 4);
        } else {
            v %= 16;
            memcpy((uint8_t *)dst + 4 * i, &v, 4);
        }
    }
}

typedef struct chan_spec {
    const char *name;
    exrqoi_pixel_type type;
    int xs, ys;
} chan_spec;

static const chan_spec k_rgb[] = {
    {"B", EXRQOI_PIXEL_HALF, 1, 1}, {"G", EXRQOI_PIXEL_FLOAT, 1, 1}, {"id", EXRQOI_PIXEL_UINT, 1, 1}};
static const chan_spec k_sub[] = {
    {"BY", EXRQOI_PIXEL_HALF, 2, 2}, {"RY", EXRQOI_PIXEL_HALF, 2, 2}, {"Y", EXRQOI_PIXEL_HALF, 1, 1}};

typedef struct part_spec {
    exrqoi_box2i dw;
    exrqoi_compression comp;
    int tiled, mode; /* mode: EXRQOI_LEVEL_* */
    const chan_spec *chans;
    int nchan;
} part_spec;

static void writer_message(void *user, exrqoi_result code, const char *msg)
{
    (void)user;
    fprintf(stderr, "writer: %s (%d)\n", msg, (int)code);
}

/* Writes the parts with random samples on every level. */
static void write_file(const part_spec *ps, int np, void **file, size_t *size)
{
    exrqoi_header h[4];
    for (int k = 0; k < np; k++) {
        ts_header_image(&h[k], ps[k].dw, &ps[k].dw, ps[k].comp);
        for (int c = 0; c < ps[k].nchan; c++)
            assert_int_equal(exrqoi_header_add_channel(&h[k], ps[k].chans[c].name, ps[k].chans[c].type,
                                                       ps[k].chans[c].xs, ps[k].chans[c].ys, 0),
                             EXRQOI_OK);
        if (ps[k].tiled) {
            exrqoi_tiledesc t = {8, 4, (uint8_t)ps[k].mode, EXRQOI_ROUND_DOWN};
            assert_int_equal(exrqoi_header_set_tiles(&h[k], t), EXRQOI_OK);
        }
        if (np > 1) {
            char name[16];
            snprintf(name, sizeof name, "part%d", k);
            assert_int_equal(exrqoi_header_set_string(&h[k], "name", name), EXRQOI_OK);
        }
    }
    exrqoi_writer *w;
    exrqoi_write_options wo = EXRQOI_WRITE_OPTIONS_INIT;
    wo.on_message = writer_message;
    assert_int_equal(exrqoi_writer_open(exrqoi_sink_memory(file, size), h, np, &wo, &w), EXRQOI_OK);
    rng_state = 12345;
    for (int k = 0; k < np; k++) {
        exrqoi_part_info pi;
        assert_int_equal(exrqoi_writer_part_info(w, k, &pi), EXRQOI_OK);
        for (int ly = 0; ly < pi.num_y_levels; ly++) {
            for (int lx = 0; lx < pi.num_x_levels; lx++) {
                exrqoi_box2i win;
                if (exrqoi_writer_level_window(w, k, lx, ly, &win) != EXRQOI_OK) continue;
                exrqoi_slice s[8];
                memset(s, 0, sizeof s);
                for (int c = 0; c < ps[k].nchan; c++) {
                    int32_t cols, rows;
                    exrqoi_sample_extent(&win, ps[k].chans[c].xs, ps[k].chans[c].ys, &cols, &rows);
                    size_t sz = (size_t)exrqoi_pixel_type_size(ps[k].chans[c].type);
                    s[c].name = ps[k].chans[c].name;
                    s[c].type = ps[k].chans[c].type;
                    s[c].base = malloc((size_t)cols * (size_t)rows * sz + 1);
                    assert_non_null(s[c].base);
                    fill_random(s[c].base, s[c].type, (size_t)cols * (size_t)rows);
                    s[c].x_stride = (ptrdiff_t)sz;
                    s[c].y_stride = (ptrdiff_t)(sz * (size_t)cols);
                }
                assert_int_equal(exrqoi_writer_write_region(w, k, lx, ly, NULL, s, ps[k].nchan), EXRQOI_OK);
                for (int c = 0; c < ps[k].nchan; c++) free(s[c].base);
            }
        }
    }
    assert_int_equal(exrqoi_writer_finish(w), EXRQOI_OK);
    exrqoi_writer_close(w);
    for (int k = 0; k < np; k++) exrqoi_header_free(&h[k]);
}

static const part_spec k_parts[] = {
    {{{0, 0}, {40, 37}}, EXRQOI_COMPRESSION_ZIPS, 0, 0, k_rgb, 3},
    {{{-5, 3}, {52, 30}}, EXRQOI_COMPRESSION_PIZ, 1, EXRQOI_LEVEL_MIPMAP, k_rgb, 3},
    {{{2, -7}, {37, 20}}, EXRQOI_COMPRESSION_NONE, 1, EXRQOI_LEVEL_RIPMAP, k_rgb, 3},
    {{{-4, 2}, {33, 41}}, EXRQOI_COMPRESSION_NONE, 0, 0, k_sub, 3},
};

static void test_written_files(void **state)
{
    (void)state;
    void *file;
    size_t size;
    write_file(k_parts, 4, &file, &size); /* multipart: every kind at once */
    check_equal_reads(file, size, "multipart");
    free(file);
    for (int k = 0; k < 4; k++) { /* each kind alone (single-part files) */
        write_file(&k_parts[k], 1, &file, &size);
        check_equal_reads(file, size, "single part");
        free(file);
    }
}

/* The whole-image read (one read_regions call) equals level-by-level reads. */
static void test_image_read(void **state)
{
    (void)state;
    void *file;
    size_t size;
    write_file(k_parts, 4, &file, &size);
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(file, size), NULL, &r), EXRQOI_OK);
    exrqoi_image img;
    assert_int_equal(exrqoi_reader_read_image(r, &img), EXRQOI_OK);
    assert_int_equal(img.part_count, 4);
    for (int k = 0; k < img.part_count; k++) {
        for (int l = 0; l < img.parts[k].level_count; l++) {
            const exrqoi_image_level *L = &img.parts[k].levels[l];
            for (int c = 0; c < L->channel_count; c++) {
                const exrqoi_image_channel *ic = &L->channels[c];
                size_t sz = (size_t)exrqoi_pixel_type_size(ic->type);
                size_t bytes = (size_t)ic->width * (size_t)ic->height * sz;
                void *buf = malloc(bytes ? bytes : 1);
                assert_non_null(buf);
                exrqoi_slice s;
                memset(&s, 0, sizeof s);
                s.name = ic->name;
                s.type = ic->type;
                s.base = buf;
                s.x_stride = (ptrdiff_t)sz;
                s.y_stride = (ptrdiff_t)(sz * (size_t)ic->width);
                assert_int_equal(exrqoi_reader_read_region(r, k, L->lx, L->ly, NULL, &s, 1), EXRQOI_OK);
                assert_memory_equal(buf, ic->data, bytes);
                free(buf);
            }
        }
    }
    exrqoi_image_free(&img);
    exrqoi_reader_close(r);
    free(file);
}

static int g_messages;
static char g_last[512];
static void on_message(void *user, exrqoi_result code, const char *msg)
{
    (void)user;
    (void)code;
    g_messages++;
    snprintf(g_last, sizeof g_last, "%s", msg);
}

/* Bad requests: refused with the request's index, nothing read. */
static void test_bad_requests(void **state)
{
    (void)state;
    void *file;
    size_t size;
    write_file(k_parts, 4, &file, &size);
    exrqoi_read_options ro = EXRQOI_READ_OPTIONS_INIT;
    ro.on_message = on_message;
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(file, size), &ro, &r), EXRQOI_OK);
    exrqoi_part_info pi;
    assert_int_equal(exrqoi_reader_part_info(r, 1, &pi), EXRQOI_OK);
    exrqoi_box2i w;
    assert_int_equal(exrqoi_reader_level_window(r, 1, 0, 0, &w), EXRQOI_OK);
    req_buf good, bad;
    make_request(&pi, 1, 0, 0, &w, 1, &good);
    make_request(&pi, 1, 0, 0, &w, 1, &bad);
    exrqoi_region_request rq[2] = {good.rq, bad.rq};

    assert_int_equal(exrqoi_reader_read_regions(NULL, rq, 2), EXRQOI_ERR_INVALID_ARGUMENT);
    assert_int_equal(exrqoi_reader_read_regions(r, NULL, 2), EXRQOI_ERR_INVALID_ARGUMENT);
    assert_int_equal(exrqoi_reader_read_regions(r, NULL, 0), EXRQOI_OK);
    assert_int_equal(exrqoi_reader_read_regions(r, rq, 0), EXRQOI_OK);

    struct {
        exrqoi_result want;
        const char *says;
    } cases[] = {
        {EXRQOI_ERR_NOT_FOUND, "no part"},               /* part out of range */
        {EXRQOI_ERR_NOT_FOUND, "no level"},              /* level the part lacks */
        {EXRQOI_ERR_INVALID_ARGUMENT, "not inside"},     /* region outside the level */
        {EXRQOI_ERR_INVALID_ARGUMENT, "slices"},         /* negative slice count */
        {EXRQOI_ERR_INVALID_ARGUMENT, "slices"},         /* NULL slices */
        {EXRQOI_ERR_INVALID_ARGUMENT, "incomplete"},     /* slice without memory */
        {EXRQOI_ERR_INVALID_ARGUMENT, "not inside"},     /* empty region */
    };
    exrqoi_box2i outside = w, empty = w;
    outside.max.x += 1;
    empty.min.x = empty.max.x + 1;
    exrqoi_slice noslice = good.slices[0];
    noslice.base = NULL;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        exrqoi_region_request q = good.rq;
        switch (i) {
        case 0: q.part = 7; break;
        case 1: q.lx = q.ly = 30; break;
        case 2: q.region = &outside; break;
        case 3: q.slice_count = -1; break;
        case 4: q.slices = NULL; break;
        case 5: q.slices = &noslice; q.slice_count = 1; break;
        default: q.region = &empty; break;
        }
        rq[1] = q;
        int before = g_messages;
        assert_int_equal(exrqoi_reader_read_regions(r, rq, 2), cases[i].want);
        assert_int_equal(g_messages, before + 1); /* one message, naming the request */
        assert_non_null(strstr(g_last, "request 1"));
        assert_non_null(strstr(g_last, cases[i].says));
        assert_true(all_untouched(&good)); /* checked before anything was read */
    }
    /* deep parts are refused (corpus deep file) */
    char path[1024];
    snprintf(path, sizeof path, "%s/corpus/openexr-images/v2/LowResLeftView/Balls.exr", EXRQOI_SHARED_DIR);
    exrqoi_reader *d;
    if (exrqoi_reader_open(exrqoi_source_path(path), NULL, &d) == EXRQOI_OK) {
        exrqoi_region_request q;
        memset(&q, 0, sizeof q);
        exrqoi_slice s = good.slices[0];
        q.slices = &s;
        q.slice_count = 1;
        assert_int_equal(exrqoi_reader_read_regions(d, &q, 1), EXRQOI_ERR_INVALID_ARGUMENT);
        exrqoi_reader_close(d);
    }
    free_request(&good);
    free_request(&bad);
    exrqoi_reader_close(r);
    free(file);
}

/* max_alloc_bytes and a damaged chunk fail as for read_region. */
static void test_limits_and_errors(void **state)
{
    (void)state;
    void *file;
    size_t size;
    write_file(&k_parts[1], 1, &file, &size); /* PIZ mipmap alone: small offset tables */
    for (int t = 1; t <= 2; t++) {
        exrqoi_limits lim;
        exrqoi_limits_default(&lim);
        lim.max_alloc_bytes = 1000; /* less than a full PIZ tile's working memory */
        exrqoi_read_options ro = EXRQOI_READ_OPTIONS_INIT;
        ro.limits = &lim;
        ro.threads = t;
        exrqoi_reader *r;
        assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(file, size), &ro, &r), EXRQOI_OK);
        req_buf *a;
        size_t n = plan_file(r, 1, &a);
        exrqoi_region_request *rq = calloc(n, sizeof *rq);
        assert_non_null(rq);
        for (size_t i = 0; i < n; i++) rq[i] = a[i].rq;
        exrqoi_result one = exrqoi_reader_read_region(r, 0, 0, 0, NULL, rq[0].slices, rq[0].slice_count);
        assert_int_equal(one, EXRQOI_ERR_LIMIT);
        assert_int_equal(exrqoi_reader_read_regions(r, &rq[0], 1), EXRQOI_ERR_LIMIT);
        assert_int_equal(exrqoi_reader_read_regions(r, rq, n), EXRQOI_ERR_LIMIT);
        for (size_t i = 0; i < n; i++) free_request(&a[i]);
        free(a);
        free(rq);
        exrqoi_reader_close(r);
    }
    free(file);
    write_file(k_parts, 4, &file, &size);
    /* damage the packed bytes of one chunk of the ZIPS part */
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(file, size), NULL, &r), EXRQOI_OK);
    exrqoi_chunk_info ci;
    uint64_t bad_chunk = 0;
    for (;; bad_chunk++) { /* a chunk of the ZIPS part that is compressed, not stored raw */
        assert_int_equal(exrqoi_reader_chunk_info(r, 0, bad_chunk, &ci), EXRQOI_OK);
        if (ci.packed_size < ci.unpacked_size) break;
    }
    exrqoi_reader_close(r);
    char says[64];
    snprintf(says, sizeof says, "chunk %llu", (unsigned long long)bad_chunk);
    uint8_t *bad = malloc(size);
    assert_non_null(bad);
    memcpy(bad, file, size);
    size_t leader = 4 + 4 + 4; /* part number, y, size */
    memset(bad + ci.file_offset + leader, 0xff, (size_t)ci.packed_size);
    for (int t = 1; t <= 2; t++) {
        exrqoi_read_options ro = EXRQOI_READ_OPTIONS_INIT;
        ro.threads = t;
        assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(bad, size), &ro, &r), EXRQOI_OK);
        req_buf *a;
        size_t n = plan_file(r, 1, &a);
        exrqoi_region_request *rq = calloc(n, sizeof *rq);
        assert_non_null(rq);
        for (size_t i = 0; i < n; i++) rq[i] = a[i].rq;
        exrqoi_result one = exrqoi_reader_read_region(r, 0, 0, 0, NULL, rq[0].slices, rq[0].slice_count);
        assert_int_not_equal(one, EXRQOI_OK);
        assert_int_equal(exrqoi_reader_read_regions(r, rq, n), one);
        assert_non_null(strstr(exrqoi_reader_error(r), says));
        /* the other parts still read */
        size_t first = 0;
        while (rq[first].part == 0) first++;
        assert_int_equal(exrqoi_reader_read_regions(r, rq + first, n - first), EXRQOI_OK);
        for (size_t i = 0; i < n; i++) free_request(&a[i]);
        free(a);
        free(rq);
        exrqoi_reader_close(r);
    }
    free(bad);
    free(file);
}

/* ---- corpus ------------------------------------------------------------------ */

static void test_corpus(void **state)
{
    (void)state;
    static const char *files[] = {
        "MultiResolution/ColorCodedLevels.exr", "MultiResolution/MirrorPattern.exr",
        "MultiResolution/WavyLinesSphere.exr",  "MultiResolution/Bonita.exr",
        "Beachball/multipart.0001.exr",          "v2/LowResLeftView/composited.exr",
    };
    int found = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/corpus/openexr-images/%s", EXRQOI_SHARED_DIR, files[i]);
        size_t n;
        void *data = ts_read_file(path, &n);
        if (!data) continue;
        check_equal_reads(data, n, files[i]);
        free(data);
        found++;
    }
    if (!found) {
        printf("corpus not found under %s: skipped\n", EXRQOI_SHARED_DIR);
        skip();
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_written_files),  cmocka_unit_test(test_image_read),
        cmocka_unit_test(test_bad_requests),   cmocka_unit_test(test_limits_and_errors),
        cmocka_unit_test(test_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
