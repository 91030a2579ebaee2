#define _POSIX_C_SOURCE 200809L
/* Reader and writer together: every layout written in memory reads back
 * sample for sample, across codecs, types, levels, parts, line orders,
 * thread counts and output kinds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include <cmocka.h>

#include "exrqoi/exrqoi.h"
#include "test_support.h"

static uint32_t rng_state;
static uint32_t rng(void) { return ts_lcg(&rng_state) >> 8; }

/* Deterministic sample of any type; halves include NaN/Inf/denormals. */
static void fill_samples(void *dst, exrqoi_pixel_type t, size_t n, uint32_t seed)
{
    rng_state = seed;
    for (size_t i = 0; i < n; i++) {
        uint32_t r = rng();
        if (t == EXRQOI_PIXEL_HALF) {
            uint16_t h = (uint16_t)(i % 97 == 0 ? 0x7c00 : i % 89 == 0 ? 0x7e01 : i % 83 == 0 ? 0x0003 : (r & 0x3fff) + 0x2000);
            if (i % 3 == 0) h = (uint16_t)(0x3c00 + (i & 0xff)); /* compressible runs */
            ((uint16_t *)dst)[i] = h;
        } else if (t == EXRQOI_PIXEL_FLOAT) {
            float f = (float)(r % 10000) / 77.0f - 20.0f;
            ((float *)dst)[i] = f;
        } else {
            ((uint32_t *)dst)[i] = i % 5 ? r : 7u;
        }
    }
}

typedef struct chan_spec {
    const char *name;
    exrqoi_pixel_type type;
    int xs, ys;
} chan_spec;

typedef struct level_data {
    exrqoi_box2i win;
    void *data[8];
    int32_t cols[8], rows[8];
} level_data;

static size_t tsize(exrqoi_pixel_type t) { return t == EXRQOI_PIXEL_HALF ? 2 : 4; }

static void make_slices(const chan_spec *cs, int n, level_data *L, exrqoi_slice *s)
{
    for (int c = 0; c < n; c++) {
        memset(&s[c], 0, sizeof s[c]);
        s[c].name = cs[c].name;
        s[c].type = cs[c].type;
        s[c].base = L->data[c];
        s[c].x_stride = (ptrdiff_t)tsize(cs[c].type);
        s[c].y_stride = (ptrdiff_t)(tsize(cs[c].type) * (size_t)L->cols[c]);
    }
}

static void alloc_level(const chan_spec *cs, int n, const exrqoi_box2i *win, level_data *L, uint32_t seed)
{
    L->win = *win;
    for (int c = 0; c < n; c++) {
        exrqoi_sample_extent(win, cs[c].xs, cs[c].ys, &L->cols[c], &L->rows[c]);
        size_t count = (size_t)L->cols[c] * (size_t)L->rows[c];
        L->data[c] = calloc(count ? count : 1, 4);
        assert_non_null(L->data[c]);
        if (seed) fill_samples(L->data[c], cs[c].type, count, seed + (uint32_t)c * 101u);
    }
}

static void free_level(int n, level_data *L)
{
    for (int c = 0; c < n; c++) free(L->data[c]);
}

static void assert_level_equal(const chan_spec *cs, int n, const level_data *a, const level_data *b)
{
    for (int c = 0; c < n; c++) {
        size_t bytes = (size_t)a->cols[c] * (size_t)a->rows[c] * tsize(cs[c].type);
        assert_memory_equal(a->data[c], b->data[c], bytes);
    }
}

static void make_header(exrqoi_header *h, const chan_spec *cs, int n, exrqoi_box2i dw, exrqoi_compression c)
{
    exrqoi_box2i disp = {{dw.min.x - 3, dw.min.y - 5}, {dw.max.x + 7, dw.max.y + 2}};
    ts_header_image(h, dw, &disp, c);
    for (int i = 0; i < n; i++)
        assert_int_equal(exrqoi_header_add_channel(h, cs[i].name, cs[i].type, cs[i].xs, cs[i].ys, 0), EXRQOI_OK);
}

/* Writes one part with all levels from `levels` (filled by the caller), reads back and compares. */
/* The level coordinates of the part's l-th level (0 for scan lines). */
static void level_xy(const exrqoi_part_info *pi, int l, int *lx, int *ly)
{
    *lx = *ly = pi->tiled ? l : 0;
    if (pi->tiled && pi->tiles.level_mode == EXRQOI_LEVEL_RIPMAP) {
        *lx = l % pi->num_x_levels;
        *ly = l / pi->num_x_levels;
    }
}

static void roundtrip(exrqoi_header *h, const chan_spec *cs, int n, int threads, void **file, size_t *size)
{
    exrqoi_write_options wo = EXRQOI_WRITE_OPTIONS_INIT;
    wo.threads = threads;
    exrqoi_writer *w;
    assert_int_equal(exrqoi_writer_open(exrqoi_sink_memory(file, size), h, 1, &wo, &w), EXRQOI_OK);
    exrqoi_part_info pi;
    assert_int_equal(exrqoi_writer_part_info(w, 0, &pi), EXRQOI_OK);
    int nl = pi.tiled ? (pi.tiles.level_mode == EXRQOI_LEVEL_RIPMAP ? pi.num_x_levels * pi.num_y_levels : pi.num_x_levels) : 1;
    level_data *src = calloc((size_t)nl, sizeof *src);
    for (int l = 0; l < nl; l++) {
        int lx, ly;
        level_xy(&pi, l, &lx, &ly);
        exrqoi_box2i win;
        assert_int_equal(exrqoi_writer_level_window(w, 0, lx, ly, &win), EXRQOI_OK);
        alloc_level(cs, n, &win, &src[l], 1000u + (uint32_t)l);
        exrqoi_slice s[8];
        make_slices(cs, n, &src[l], s);
        assert_int_equal(exrqoi_writer_write_region(w, 0, lx, ly, NULL, s, n), EXRQOI_OK);
    }
    assert_int_equal(exrqoi_writer_finish(w), EXRQOI_OK);
    exrqoi_writer_close(w);

    exrqoi_read_options ro = EXRQOI_READ_OPTIONS_INIT;
    ro.threads = threads;
    ro.strict = 1;
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(*file, *size), &ro, &r), EXRQOI_OK);
    for (int l = 0; l < nl; l++) {
        int lx, ly;
        level_xy(&pi, l, &lx, &ly);
        level_data got;
        alloc_level(cs, n, &src[l].win, &got, 0);
        exrqoi_slice s[8];
        make_slices(cs, n, &got, s);
        assert_int_equal(exrqoi_reader_read_region(r, 0, lx, ly, NULL, s, n), EXRQOI_OK);
        assert_level_equal(cs, n, &src[l], &got);
        free_level(n, &got);
        free_level(n, &src[l]);
    }
    free(src);
    exrqoi_reader_close(r);
}

/* roundtrip() of a new header with these channels; the file is dropped. */
static void roundtrip_scan(const chan_spec *cs, int n, exrqoi_box2i dw, exrqoi_compression c, int threads)
{
    exrqoi_header h;
    make_header(&h, cs, n, dw, c);
    void *file;
    size_t size;
    roundtrip(&h, cs, n, threads, &file, &size);
    free(file);
    exrqoi_header_free(&h);
}

static const chan_spec k_mixed[] = {
    {"A", EXRQOI_PIXEL_HALF, 1, 1}, {"B", EXRQOI_PIXEL_FLOAT, 1, 1}, {"G", EXRQOI_PIXEL_UINT, 1, 1}};
static const chan_spec k_yc[] = {
    {"BY", EXRQOI_PIXEL_HALF, 2, 2}, {"RY", EXRQOI_PIXEL_HALF, 2, 2}, {"Y", EXRQOI_PIXEL_HALF, 1, 1}};
static const chan_spec k_halfuint[] = {{"R", EXRQOI_PIXEL_HALF, 1, 1}, {"id", EXRQOI_PIXEL_UINT, 1, 1}};

static void test_scanline_codecs(void **state)
{
    (void)state;
    const exrqoi_compression codecs[] = {EXRQOI_COMPRESSION_NONE, EXRQOI_COMPRESSION_RLE, EXRQOI_COMPRESSION_ZIPS,
                                         EXRQOI_COMPRESSION_ZIP, EXRQOI_COMPRESSION_PIZ};
    for (size_t c = 0; c < sizeof codecs / sizeof codecs[0]; c++) {
        for (int order = 0; order < 2; order++) {
            exrqoi_header h;
            exrqoi_box2i dw = {{-5, -7}, {31, 15}}; /* 37 x 23 */
            make_header(&h, k_mixed, 3, dw, codecs[c]);
            assert_int_equal(exrqoi_header_set_line_order(&h, (exrqoi_line_order)order), EXRQOI_OK);
            void *file;
            size_t size;
            roundtrip(&h, k_mixed, 3, 2, &file, &size);
            free(file);
            exrqoi_header_free(&h);
        }
    }
    /* PXR24 is lossless for half and uint */
    roundtrip_scan(k_halfuint, 2, (exrqoi_box2i){{0, 0}, {36, 22}}, EXRQOI_COMPRESSION_PXR24, 1);
}

static void test_subsampled(void **state)
{
    (void)state;
    const exrqoi_compression codecs[] = {EXRQOI_COMPRESSION_NONE, EXRQOI_COMPRESSION_ZIP, EXRQOI_COMPRESSION_PIZ,
                                         EXRQOI_COMPRESSION_RLE};
    for (size_t c = 0; c < 4; c++) /* even origin and size for 2x2 */
        roundtrip_scan(k_yc, 3, (exrqoi_box2i){{-4, -6}, {33, 25}}, codecs[c], 2);
}

static void test_tiled_levels(void **state)
{
    (void)state;
    for (int mode = 0; mode < 3; mode++) {
        for (int round = 0; round < 2; round++) {
            exrqoi_header h;
            exrqoi_box2i dw = {{3, -2}, {39, 20}}; /* 37 x 23 */
            make_header(&h, k_mixed, 3, dw, round ? EXRQOI_COMPRESSION_ZIP : EXRQOI_COMPRESSION_PIZ);
            exrqoi_tiledesc t = {16, 8, (uint8_t)mode, (uint8_t)round};
            assert_int_equal(exrqoi_header_set_tiles(&h, t), EXRQOI_OK);
            void *file;
            size_t size;
            roundtrip(&h, k_mixed, 3, 2, &file, &size);
            exrqoi_reader *r;
            assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(file, size), NULL, &r), EXRQOI_OK);
            exrqoi_part_info pi;
            assert_int_equal(exrqoi_reader_part_info(r, 0, &pi), EXRQOI_OK);
            int expect_x = mode == 0 ? 1 : (round ? 7 : 6); /* log2(37): floor 5, ceil 6 */
            if (mode == 2) assert_int_equal(pi.num_y_levels, round ? 6 : 5);
            assert_int_equal(pi.num_x_levels, expect_x);
            assert_int_equal(exrqoi_reader_version(r) & EXRQOI_VERSION_FLAG_TILED, EXRQOI_VERSION_FLAG_TILED);
            exrqoi_reader_close(r);
            free(file);
            exrqoi_header_free(&h);
        }
    }
}

/* Same bytes out whatever the thread count; same samples in. */
static void test_threads_deterministic(void **state)
{
    (void)state;
    void *files[3];
    size_t sizes[3];
    const int threads[3] = {1, 2, 8};
    for (int i = 0; i < 3; i++) {
        exrqoi_header h;
        exrqoi_box2i dw = {{0, 0}, {200, 150}};
        make_header(&h, k_mixed, 3, dw, EXRQOI_COMPRESSION_ZIPS);
        roundtrip(&h, k_mixed, 3, threads[i], &files[i], &sizes[i]);
        exrqoi_header_free(&h);
    }
    assert_int_equal(sizes[0], sizes[1]);
    assert_int_equal(sizes[0], sizes[2]);
    assert_memory_equal(files[0], files[1], sizes[0]);
    assert_memory_equal(files[0], files[2], sizes[0]);
    for (int i = 0; i < 3; i++) free(files[i]);
}

/* Builds a ZIP scanline file in memory for the tests below. */
static void small_file(void **file, size_t *size, level_data *src)
{
    exrqoi_header h;
    exrqoi_box2i dw = {{0, 0}, {40, 50}};
    make_header(&h, k_mixed, 3, dw, EXRQOI_COMPRESSION_ZIP);
    exrqoi_writer *w;
    assert_int_equal(exrqoi_writer_open(exrqoi_sink_memory(file, size), &h, 1, NULL, &w), EXRQOI_OK);
    alloc_level(k_mixed, 3, &dw, src, 42);
    exrqoi_slice s[3];
    make_slices(k_mixed, 3, src, s);
    assert_int_equal(exrqoi_writer_write_region(w, 0, 0, 0, NULL, s, 3), EXRQOI_OK);
    assert_int_equal(exrqoi_writer_finish(w), EXRQOI_OK);
    exrqoi_writer_close(w);
    exrqoi_header_free(&h);
}

typedef struct bytes_in {
    const uint8_t *data;
    size_t size;
} bytes_in;

static int64_t bytes_read(void *user, void *buf, size_t size, uint64_t offset)
{
    const bytes_in *b = (const bytes_in *)user;
    if (offset >= b->size) return 0;
    size_t n = b->size - (size_t)offset < size ? b->size - (size_t)offset : size;
    memcpy(buf, b->data + offset, n);
    return (int64_t)n;
}

/* Keeps an open's last failure message. */
static void keep_message(void *user, exrqoi_result code, const char *message)
{
    (void)code;
    snprintf((char *)user, 512, "%s", message);
}

/* The header parser reads a memory source in place and a callback source
 * through its buffer: the first bytes of a file up to past its header,
 * cut at every length, give the same result and failure message both ways
 * (and an exact-size copy lets the sanitizers see any read past the
 * memory source). */
static void test_header_sources_agree(void **state)
{
    (void)state;
    void *file;
    size_t size;
    level_data src;
    small_file(&file, &size, &src);
    free_level(3, &src);
    size_t most = size < 1024 ? size : 1024;
    int opened = 0;
    for (size_t len = 0; len <= most; len++) {
        uint8_t *cut = (uint8_t *)malloc(len ? len : 1);
        assert_non_null(cut);
        memcpy(cut, file, len);
        exrqoi_reader *rm = NULL, *rc = NULL;
        char mm[512] = "", mc[512] = "";
        exrqoi_read_options om = EXRQOI_READ_OPTIONS_INIT, oc = EXRQOI_READ_OPTIONS_INIT;
        om.on_message = oc.on_message = keep_message;
        om.message_user = mm;
        oc.message_user = mc;
        exrqoi_result vm = exrqoi_reader_open(exrqoi_source_memory(cut, len), &om, &rm);
        bytes_in b = {cut, len};
        exrqoi_input in = {bytes_read, (int64_t)len, 1, &b};
        exrqoi_result vc = exrqoi_reader_open(exrqoi_source_input(&in), &oc, &rc);
        assert_int_equal(vm, vc);
        assert_string_equal(mm, mc);
        if (vm == EXRQOI_OK) {
            opened++;
            assert_int_equal(exrqoi_reader_part_count(rm), exrqoi_reader_part_count(rc));
            assert_int_equal(exrqoi_reader_header(rm, 0)->count, exrqoi_reader_header(rc, 0)->count);
            /* the values parsed in place are the values read through the buffer */
            exrqoi_part_info im, ic;
            assert_int_equal(exrqoi_reader_part_info(rm, 0, &im), EXRQOI_OK);
            assert_int_equal(exrqoi_reader_part_info(rc, 0, &ic), EXRQOI_OK);
            assert_memory_equal(&im.data_window, &ic.data_window, sizeof im.data_window);
            assert_int_equal(im.compression, ic.compression);
            assert_int_equal(im.channel_count, ic.channel_count);
            for (int32_t k = 0; k < im.channel_count; k++) {
                assert_string_equal(im.channels[k].name, ic.channels[k].name);
                assert_int_equal(im.channels[k].type, ic.channels[k].type);
            }
        }
        exrqoi_reader_close(rm);
        exrqoi_reader_close(rc);
        free(cut);
    }
    assert_true(opened > 0); /* the cuts reach past the header and offset table */
    exrqoi_free(NULL, file);
}

static void test_regions_and_lines(void **state)
{
    (void)state;
    void *file;
    size_t size;
    level_data src;
    small_file(&file, &size, &src);
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(file, size), NULL, &r), EXRQOI_OK);
    /* line by line into float: equals the half->float conversion of the source */
    for (int32_t y = 0; y <= 50; y++) {
        float A[41], B[41], G[41], Z[41];
        exrqoi_slice s[4] = {
            {"A", EXRQOI_PIXEL_FLOAT, A, 4, 0, 0}, {"B", EXRQOI_PIXEL_FLOAT, B, 4, 0, 0},
            {"G", EXRQOI_PIXEL_FLOAT, G, 4, 0, 0}, {"Zmissing", EXRQOI_PIXEL_FLOAT, Z, 4, 0, 0.25}};
        assert_int_equal(exrqoi_reader_read_scanlines(r, 0, y, y, s, 4), EXRQOI_OK);
        for (int x = 0; x <= 40; x++) {
            size_t i = (size_t)y * 41 + (size_t)x;
            assert_true(memcmp(&(float){exrqoi_half_to_float(((uint16_t *)src.data[0])[i])}, &A[x], 4) == 0);
            assert_true(memcmp(&((float *)src.data[1])[i], &B[x], 4) == 0);
            assert_true(G[x] == (float)((uint32_t *)src.data[2])[i]);
            assert_true(Z[x] == 0.25f);
        }
    }
    /* a sub-rectangle into half: float channel rounded as exrqoi_float_to_half */
    exrqoi_box2i reg = {{5, 17}, {20, 33}};
    uint16_t B16[16 * 17];
    exrqoi_slice s1 = {"B", EXRQOI_PIXEL_HALF, B16, 2, 32, 0};
    assert_int_equal(exrqoi_reader_read_region(r, 0, 0, 0, &reg, &s1, 1), EXRQOI_OK);
    for (int y = 17; y <= 33; y++)
        for (int x = 5; x <= 20; x++)
            assert_int_equal(B16[(y - 17) * 16 + (x - 5)],
                             exrqoi_float_to_half(((float *)src.data[1])[y * 41 + x]));
    /* bad region */
    exrqoi_box2i bad = {{-1, 0}, {3, 3}};
    assert_int_equal(exrqoi_reader_read_region(r, 0, 0, 0, &bad, &s1, 1), EXRQOI_ERR_INVALID_ARGUMENT);
    exrqoi_reader_close(r);
    free_level(3, &src);
    free(file);
}

typedef struct pipe_out {
    uint8_t *buf;
    size_t len, cap;
} pipe_out;

static int pipe_write(void *user, const void *buf, size_t size)
{
    pipe_out *p = (pipe_out *)user;
    if (p->len + size > p->cap) {
        p->cap = (p->len + size) * 2;
        p->buf = realloc(p->buf, p->cap);
    }
    memcpy(p->buf + p->len, buf, size);
    p->len += size;
    return 0;
}

static void test_non_seekable_output(void **state)
{
    (void)state;
    void *file;
    size_t size;
    level_data src;
    small_file(&file, &size, &src);
    exrqoi_header h;
    exrqoi_box2i dw = {{0, 0}, {40, 50}};
    make_header(&h, k_mixed, 3, dw, EXRQOI_COMPRESSION_ZIP);
    pipe_out p = {0};
    exrqoi_output out = {pipe_write, NULL, &p};
    exrqoi_writer *w;
    assert_int_equal(exrqoi_writer_open(exrqoi_sink_output(&out), &h, 1, NULL, &w), EXRQOI_OK);
    exrqoi_slice s[3];
    make_slices(k_mixed, 3, &src, s);
    assert_int_equal(exrqoi_writer_write_region(w, 0, 0, 0, NULL, s, 3), EXRQOI_OK);
    assert_int_equal(exrqoi_writer_finish(w), EXRQOI_OK);
    exrqoi_writer_close(w);
    /* the held stream is byte-identical to the seekable one */
    assert_int_equal(p.len, size);
    assert_memory_equal(p.buf, file, size);
    free(p.buf);
    free(file);
    free_level(3, &src);
    exrqoi_header_free(&h);
}

static int abort_progress(void *user, uint64_t done, uint64_t total)
{
    (void)user;
    (void)total;
    return done > 0;
}

static void test_failed_write_leaves_old_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/exrqoi_test_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/out.exr", dir);
    FILE *f = fopen(path, "wb");
    fputs("old contents", f);
    fclose(f);
    exrqoi_header h;
    exrqoi_box2i dw = {{0, 0}, {40, 200}};
    make_header(&h, k_mixed, 3, dw, EXRQOI_COMPRESSION_ZIPS);
    exrqoi_write_options wo = EXRQOI_WRITE_OPTIONS_INIT;
    wo.progress = abort_progress;
    wo.threads = 1;
    exrqoi_writer *w;
    assert_int_equal(exrqoi_writer_open(exrqoi_sink_path(path), &h, 1, &wo, &w), EXRQOI_OK);
    level_data src;
    alloc_level(k_mixed, 3, &dw, &src, 5);
    exrqoi_slice s[3];
    make_slices(k_mixed, 3, &src, s);
    assert_int_equal(exrqoi_writer_write_region(w, 0, 0, 0, NULL, s, 3), EXRQOI_ERR_ABORTED);
    assert_int_equal(exrqoi_writer_finish(w), EXRQOI_ERR_BAD_STATE);
    exrqoi_writer_close(w);
    char buf[64] = {0};
    f = fopen(path, "rb");
    assert_non_null(f);
    assert_true(fread(buf, 1, sizeof buf - 1, f) > 0);
    fclose(f);
    assert_string_equal(buf, "old contents");
    /* nothing else left in the directory */
    DIR *d = opendir(dir);
    assert_non_null(d);
    int entries = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) entries++;
    closedir(d);
    assert_int_equal(entries, 1);
    unlink(path);
    rmdir(dir);
    free_level(3, &src);
    exrqoi_header_free(&h);
}

static void test_damaged_offsets_rebuilt(void **state)
{
    (void)state;
    void *file;
    size_t size;
    level_data src;
    small_file(&file, &size, &src);
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(file, size), NULL, &r), EXRQOI_OK);
    exrqoi_part_info pi;
    exrqoi_reader_part_info(r, 0, &pi);
    assert_int_equal(pi.offsets_rebuilt, 0);
    exrqoi_chunk_info ci;
    assert_int_equal(exrqoi_reader_chunk_info(r, 0, 0, &ci), EXRQOI_OK);
    exrqoi_reader_close(r);
    /* zero the whole table (an interrupted write): it is rebuilt by scanning */
    uint64_t table = ci.file_offset - pi.chunk_count * 8;
    memset((uint8_t *)file + table, 0, pi.chunk_count * 8);
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(file, size), NULL, &r), EXRQOI_OK);
    exrqoi_reader_part_info(r, 0, &pi);
    assert_int_equal(pi.offsets_rebuilt, 1);
    level_data got;
    alloc_level(k_mixed, 3, &src.win, &got, 0);
    exrqoi_slice s[3];
    make_slices(k_mixed, 3, &got, s);
    assert_int_equal(exrqoi_reader_read_region(r, 0, 0, 0, NULL, s, 3), EXRQOI_OK);
    assert_level_equal(k_mixed, 3, &src, &got);
    exrqoi_reader_close(r);
    /* strict mode refuses a truncated file whose chunks cannot all be found */
    exrqoi_read_options ro = EXRQOI_READ_OPTIONS_INIT;
    ro.strict = 1;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(file, size - 100), &ro, &r), EXRQOI_ERR_BAD_OFFSETS);
    /* lenient mode opens it; the missing chunk is a clean error */
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(file, size - 100), NULL, &r), EXRQOI_OK);
    assert_int_not_equal(exrqoi_reader_read_region(r, 0, 0, 0, NULL, s, 3), EXRQOI_OK);
    exrqoi_reader_close(r);
    free_level(3, &got);
    free_level(3, &src);
    free(file);
}

static void test_multipart(void **state)
{
    (void)state;
    exrqoi_header h[2];
    exrqoi_box2i dw0 = {{0, 0}, {30, 20}}, dw1 = {{-8, 2}, {25, 40}};
    make_header(&h[0], k_mixed, 3, dw0, EXRQOI_COMPRESSION_ZIP);
    make_header(&h[1], k_halfuint, 2, dw1, EXRQOI_COMPRESSION_PIZ);
    exrqoi_tiledesc t = {8, 8, EXRQOI_LEVEL_MIPMAP, EXRQOI_ROUND_DOWN};
    assert_int_equal(exrqoi_header_set_tiles(&h[1], t), EXRQOI_OK);
    assert_int_equal(exrqoi_header_set_string(&h[0], "name", "beauty"), EXRQOI_OK);
    assert_int_equal(exrqoi_header_set_string(&h[1], "name", "data"), EXRQOI_OK);
    exrqoi_writer *w;
    void *file;
    size_t size;
    assert_int_equal(exrqoi_writer_open(exrqoi_sink_memory(&file, &size), h, 2, NULL, &w), EXRQOI_OK);
    level_data a, b;
    alloc_level(k_mixed, 3, &dw0, &a, 9);
    alloc_level(k_halfuint, 2, &dw1, &b, 10);
    exrqoi_slice s[3];
    make_slices(k_mixed, 3, &a, s);
    assert_int_equal(exrqoi_writer_write_region(w, 0, 0, 0, NULL, s, 3), EXRQOI_OK);
    make_slices(k_halfuint, 2, &b, s);
    exrqoi_part_info pi;
    exrqoi_writer_part_info(w, 1, &pi);
    for (int l = 0; l < pi.num_x_levels; l++) {
        exrqoi_box2i win;
        exrqoi_writer_level_window(w, 1, l, l, &win);
        level_data lv;
        alloc_level(k_halfuint, 2, &win, &lv, l == 0 ? 10 : 77);
        exrqoi_slice sl[2];
        make_slices(k_halfuint, 2, l == 0 ? &b : &lv, sl);
        assert_int_equal(exrqoi_writer_write_region(w, 1, l, l, NULL, sl, 2), EXRQOI_OK);
        free_level(2, &lv);
    }
    /* unfinished parts are refused */
    assert_int_equal(exrqoi_writer_finish(w), EXRQOI_OK);
    exrqoi_writer_close(w);
    exrqoi_reader *r;
    exrqoi_read_options ro = EXRQOI_READ_OPTIONS_INIT;
    ro.strict = 1;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(file, size), &ro, &r), EXRQOI_OK);
    assert_int_equal(exrqoi_reader_part_count(r), 2);
    assert_int_equal(exrqoi_reader_find_part(r, "data"), 1);
    assert_true(exrqoi_reader_version(r) & EXRQOI_VERSION_FLAG_MULTIPART);
    level_data g;
    alloc_level(k_halfuint, 2, &dw1, &g, 0);
    make_slices(k_halfuint, 2, &g, s);
    assert_int_equal(exrqoi_reader_read_region(r, 1, 0, 0, NULL, s, 2), EXRQOI_OK);
    assert_level_equal(k_halfuint, 2, &b, &g);
    exrqoi_reader_close(r);
    free_level(2, &g);
    free_level(3, &a);
    free_level(2, &b);
    free(file);
    exrqoi_header_free(&h[0]);
    exrqoi_header_free(&h[1]);
}

static void test_whole_image_and_unwritten(void **state)
{
    (void)state;
    void *file;
    size_t size;
    level_data src;
    small_file(&file, &size, &src);
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(file, size), NULL, &r), EXRQOI_OK);
    exrqoi_image img;
    assert_int_equal(exrqoi_reader_read_image(r, &img), EXRQOI_OK);
    exrqoi_reader_close(r);
    assert_int_equal(img.part_count, 1);
    assert_int_equal(img.parts[0].levels[0].channel_count, 3);
    void *again;
    size_t again_size;
    assert_int_equal(exrqoi_image_write(exrqoi_sink_memory(&again, &again_size), &img, NULL), EXRQOI_OK);
    assert_int_equal(again_size, size);
    assert_memory_equal(again, file, size);
    /* a writer finished before every chunk was written fails */
    exrqoi_writer *w;
    void *d;
    size_t ds;
    assert_int_equal(exrqoi_writer_open(exrqoi_sink_memory(&d, &ds), &img.parts[0].header, 1, NULL, &w), EXRQOI_OK);
    assert_int_equal(exrqoi_writer_finish(w), EXRQOI_ERR_BAD_STATE);
    exrqoi_writer_close(w);
    exrqoi_image_free(&img);
    free(again);
    free(file);
    free_level(3, &src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scanline_codecs),
        cmocka_unit_test(test_subsampled),
        cmocka_unit_test(test_tiled_levels),
        cmocka_unit_test(test_threads_deterministic),
        cmocka_unit_test(test_header_sources_agree),
        cmocka_unit_test(test_regions_and_lines),
        cmocka_unit_test(test_non_seekable_output),
        cmocka_unit_test(test_failed_write_leaves_old_file),
        cmocka_unit_test(test_damaged_offsets_rebuilt),
        cmocka_unit_test(test_multipart),
        cmocka_unit_test(test_whole_image_and_unwritten),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
