/* Reads that decode straight into the caller's slices (ZIP/ZIPS/RLE and
 * raw chunks into slices of the file's type, packed samples) must give
 * exactly what the general path gives: the same reads into strided slices
 * (which take the unpacked-buffer path) over random regions, channel
 * subsets, subsampled channels, tiles, and 1 or 2 threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exrqoi/exrqoi.h"
#include "test_support.h"

static uint32_t rng_state = 777u;
static uint32_t rng(void) { return ts_lcg(&rng_state) >> 8; }

typedef struct chan {
    const char *name;
    exrqoi_pixel_type type;
    int xs, ys;
} chan;

/* tiled parts may not be subsampled */
static const chan k_scan[] = {{"A", EXRQOI_PIXEL_HALF, 1, 1},
                              {"BY", EXRQOI_PIXEL_HALF, 2, 2},
                              {"Y", EXRQOI_PIXEL_FLOAT, 1, 1},
                              {"id", EXRQOI_PIXEL_UINT, 1, 1}};
static const chan k_tile[] = {{"A", EXRQOI_PIXEL_HALF, 1, 1},
                              {"BY", EXRQOI_PIXEL_HALF, 1, 1},
                              {"Y", EXRQOI_PIXEL_FLOAT, 1, 1},
                              {"id", EXRQOI_PIXEL_UINT, 1, 1}};
static const chan *k_chans = k_scan;
enum { NCH = 4 };

static size_t tsize(exrqoi_pixel_type t) { return t == EXRQOI_PIXEL_HALF ? 2 : 4; }

static void *make_file(exrqoi_compression comp, int tiled, size_t *size)
{
    exrqoi_box2i dw = {{-4, -6}, {59, 39}}; /* even origin and size: BY is 2x2 */
    exrqoi_header h;
    assert_int_equal(exrqoi_header_init_image(&h, NULL, 1, 1, comp), EXRQOI_OK);
    assert_int_equal(exrqoi_header_set_box2i(&h, "dataWindow", dw), EXRQOI_OK);
    assert_int_equal(exrqoi_header_set_box2i(&h, "displayWindow", dw), EXRQOI_OK);
    for (int c = 0; c < NCH; c++)
        assert_int_equal(exrqoi_header_add_channel(&h, k_chans[c].name, k_chans[c].type, k_chans[c].xs,
                                                   k_chans[c].ys, 0),
                         EXRQOI_OK);
    if (tiled) {
        exrqoi_tiledesc t = {16, 8, EXRQOI_LEVEL_ONE, EXRQOI_ROUND_DOWN};
        assert_int_equal(exrqoi_header_set_tiles(&h, t), EXRQOI_OK);
    }
    exrqoi_writer *w;
    void *file;
    assert_int_equal(exrqoi_writer_open(exrqoi_sink_memory(&file, size), &h, 1, NULL, &w), EXRQOI_OK);
    exrqoi_slice s[NCH];
    void *data[NCH];
    for (int c = 0; c < NCH; c++) {
        int32_t cols, rows;
        exrqoi_sample_extent(&dw, k_chans[c].xs, k_chans[c].ys, &cols, &rows);
        size_t n = (size_t)cols * (size_t)rows, ts = tsize(k_chans[c].type);
        uint8_t *p = malloc(n * ts);
        assert_non_null(p);
        /* smooth with noise: both runs and literals for RLE */
        for (size_t i = 0; i < n * ts; i++) p[i] = (uint8_t)((i / 7) + (rng() % 5 == 0 ? rng() : 0));
        if (k_chans[c].type == EXRQOI_PIXEL_FLOAT)
            for (size_t i = 0; i < n; i++) p[4 * i + 3] &= 0x3f; /* no NaNs: compare bytes anyway */
        data[c] = p;
        memset(&s[c], 0, sizeof s[c]);
        s[c].name = k_chans[c].name;
        s[c].type = k_chans[c].type;
        s[c].base = p;
        s[c].x_stride = (ptrdiff_t)ts;
        s[c].y_stride = (ptrdiff_t)(ts * (size_t)cols);
    }
    assert_int_equal(exrqoi_writer_write_region(w, 0, 0, 0, NULL, s, NCH), EXRQOI_OK);
    assert_int_equal(exrqoi_writer_finish(w), EXRQOI_OK);
    exrqoi_writer_close(w);
    exrqoi_header_free(&h);
    for (int c = 0; c < NCH; c++) free(data[c]);
    return file;
}

/* Reads `reg` of the chosen channels with x_stride = stride_mul * size;
 * returns the packed samples per channel (caller frees). */
static void read_region(exrqoi_reader *r, const exrqoi_box2i *reg, const int *want, int nwant, int stride_mul,
                        uint8_t **out, size_t *bytes)
{
    exrqoi_slice s[NCH + 1];
    uint8_t *buf[NCH + 1];
    int32_t cols[NCH + 1], rows[NCH + 1];
    int n = 0;
    for (int k = 0; k < nwant; k++) {
        const chan *ch = &k_chans[want[k]];
        exrqoi_sample_extent(reg, ch->xs, ch->ys, &cols[n], &rows[n]);
        size_t ts = tsize(ch->type);
        buf[n] = malloc((size_t)cols[n] * (size_t)rows[n] * ts * (size_t)stride_mul + 1);
        assert_non_null(buf[n]);
        memset(&s[n], 0, sizeof s[n]);
        s[n].name = ch->name;
        s[n].type = ch->type;
        s[n].base = buf[n];
        s[n].x_stride = (ptrdiff_t)(ts * (size_t)stride_mul);
        s[n].y_stride = s[n].x_stride * cols[n];
        n++;
    }
    /* plus a channel the file lacks: filled */
    float fillbuf[64 * 64];
    memset(&s[n], 0, sizeof s[n]);
    s[n].name = "missing";
    s[n].type = EXRQOI_PIXEL_FLOAT;
    s[n].base = fillbuf;
    s[n].x_stride = 4;
    s[n].y_stride = 4 * (reg->max.x - reg->min.x + 1);
    s[n].fill = 0.5;
    assert_int_equal(exrqoi_reader_read_region(r, 0, 0, 0, reg, s, n + 1), EXRQOI_OK);
    for (int k = 0; k < n; k++) {
        size_t ts = tsize(k_chans[want[k]].type), cnt = (size_t)cols[k] * (size_t)rows[k];
        out[k] = malloc(cnt * ts + 1);
        assert_non_null(out[k]);
        for (size_t i = 0; i < cnt; i++) memcpy(out[k] + i * ts, buf[k] + i * ts * (size_t)stride_mul, ts);
        bytes[k] = cnt * ts;
        free(buf[k]);
    }
}

static void test_direct_equals_general(void **state)
{
    (void)state;
    const exrqoi_compression comps[] = {EXRQOI_COMPRESSION_NONE, EXRQOI_COMPRESSION_RLE, EXRQOI_COMPRESSION_ZIPS,
                                        EXRQOI_COMPRESSION_ZIP};
    for (size_t ci = 0; ci < sizeof comps / sizeof comps[0]; ci++) {
        for (int tiled = 0; tiled < 2; tiled++) {
            k_chans = tiled ? k_tile : k_scan;
            size_t size;
            void *file = make_file(comps[ci], tiled, &size);
            for (int threads = 1; threads <= 2; threads++) {
                exrqoi_read_options ro = EXRQOI_READ_OPTIONS_INIT;
                ro.threads = threads;
                exrqoi_reader *r;
                assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(file, size), &ro, &r), EXRQOI_OK);
                for (int round = 0; round < 12; round++) {
                    exrqoi_box2i reg;
                    if (round == 0) {
                        reg = (exrqoi_box2i){{-4, -6}, {59, 39}};
                    } else {
                        reg.min.x = -4 + (int32_t)(rng() % 60);
                        reg.min.y = -6 + (int32_t)(rng() % 44);
                        reg.max.x = reg.min.x + (int32_t)(rng() % (uint32_t)(60 - reg.min.x));
                        reg.max.y = reg.min.y + (int32_t)(rng() % (uint32_t)(40 - reg.min.y));
                    }
                    int want[NCH], nwant = 0;
                    for (int c = 0; c < NCH; c++)
                        if (round < 2 || rng() % 3) want[nwant++] = c;
                    uint8_t *direct[NCH], *general[NCH];
                    size_t db[NCH], gb[NCH];
                    read_region(r, &reg, want, nwant, 1, direct, db);
                    read_region(r, &reg, want, nwant, 2, general, gb);
                    for (int k = 0; k < nwant; k++) {
                        assert_int_equal(db[k], gb[k]);
                        assert_memory_equal(direct[k], general[k], db[k]);
                        free(direct[k]);
                        free(general[k]);
                    }
                }
                exrqoi_reader_close(r);
            }
            free(file);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_direct_equals_general),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
