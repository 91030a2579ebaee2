/* The flat read driver's fast paths (segment lists planned once per
 * request and moved per chunk, cached block layouts, the quick leader
 * check) give the same samples as the unpacked-buffer path, which strided
 * slices force, for every codec with a segment decoder, scanline and
 * tiled, whole levels and clipped regions, several requests per call. */
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
#include "test_support.h"

#define W 70
#define H 45
#define NCH 4

static const char *const k_names[NCH] = {"B", "G", "R", "Z"};
static const exrqoi_pixel_type k_types[NCH] = {EXRQOI_PIXEL_HALF, EXRQOI_PIXEL_HALF, EXRQOI_PIXEL_HALF,
                                               EXRQOI_PIXEL_FLOAT};

static size_t tsize(int c) { return (size_t)exrqoi_pixel_type_size(k_types[c]); }

/* Smooth values with some noise: every codec has something to do. */
static void make_image(uint8_t *planes[NCH])
{
    uint32_t s = 99;
    for (int c = 0; c < NCH; c++) {
        planes[c] = (uint8_t *)malloc((size_t)W * H * tsize(c));
        assert_non_null(planes[c]);
        for (int i = 0; i < W * H; i++) {
            ts_lcg(&s);
            float v = (float)(i % W) * 0.01f + (float)(i / W) * 0.02f + (float)(s >> 24) * 0.001f + (float)c;
            if (k_types[c] == EXRQOI_PIXEL_FLOAT) {
                memcpy(planes[c] + 4 * (size_t)i, &v, 4);
            } else {
                /* a half in [1, 8): exponent 15..17, mantissa from the value */
                uint16_t h = (uint16_t)(0x3c00u + (uint16_t)(v * 256.0f) % 0x0c00u);
                memcpy(planes[c] + 2 * (size_t)i, &h, 2);
            }
        }
    }
}

static void write_file(exrqoi_compression comp, bool tiled, uint8_t *planes[NCH], void **file, size_t *size)
{
    exrqoi_header h;
    exrqoi_box2i dw = {{-3, 5}, {W - 4, H + 4}};
    ts_header_image(&h, dw, &dw, comp);
    ts_header_add_channels(&h, NCH, k_names, k_types);
    if (tiled) {
        exrqoi_tiledesc t = {16, 8, EXRQOI_LEVEL_ONE, EXRQOI_ROUND_DOWN};
        assert_int_equal(exrqoi_header_set_tiles(&h, t), EXRQOI_OK);
    }
    exrqoi_writer *w;
    assert_int_equal(exrqoi_writer_open(exrqoi_sink_memory(file, size), &h, 1, NULL, &w), EXRQOI_OK);
    exrqoi_slice s[NCH];
    memset(s, 0, sizeof s);
    for (int c = 0; c < NCH; c++) {
        s[c].name = k_names[c];
        s[c].type = k_types[c];
        s[c].base = planes[c];
        s[c].x_stride = (ptrdiff_t)tsize(c);
        s[c].y_stride = (ptrdiff_t)(tsize(c) * W);
    }
    assert_int_equal(exrqoi_writer_write_region(w, 0, 0, 0, NULL, s, NCH), EXRQOI_OK);
    assert_int_equal(exrqoi_writer_finish(w), EXRQOI_OK);
    exrqoi_writer_close(w);
    exrqoi_header_free(&h);
}

/* Reads `reg` with packed slices (may be decoded straight into them) or,
 * `strided`, with a gap after each sample (never), into planes of the
 * region's size. */
static void set_slices(const exrqoi_box2i *reg, bool strided, uint8_t *buf[NCH], exrqoi_slice s[NCH])
{
    size_t w = (size_t)(reg->max.x - reg->min.x + 1), h = (size_t)(reg->max.y - reg->min.y + 1);
    memset(s, 0, sizeof(exrqoi_slice) * NCH);
    for (int c = 0; c < NCH; c++) {
        size_t xs = tsize(c) * (strided ? 2 : 1);
        buf[c] = (uint8_t *)calloc(w * h, xs);
        assert_non_null(buf[c]);
        s[c].name = k_names[c];
        s[c].type = k_types[c];
        s[c].base = buf[c];
        s[c].x_stride = (ptrdiff_t)xs;
        s[c].y_stride = (ptrdiff_t)(xs * w);
    }
}

/* The samples of a strided read, packed. */
static void unstride(const exrqoi_box2i *reg, uint8_t *buf[NCH])
{
    size_t n = (size_t)(reg->max.x - reg->min.x + 1) * (size_t)(reg->max.y - reg->min.y + 1);
    for (int c = 0; c < NCH; c++)
        for (size_t i = 0; i < n; i++) memmove(buf[c] + i * tsize(c), buf[c] + 2 * i * tsize(c), tsize(c));
}

static void check_codec(exrqoi_compression comp, bool tiled, int threads)
{
    uint8_t *planes[NCH];
    make_image(planes);
    void *file;
    size_t size;
    write_file(comp, tiled, planes, &file, &size);
    exrqoi_read_options ro = EXRQOI_READ_OPTIONS_INIT;
    ro.threads = threads;
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(file, size), &ro, &r), EXRQOI_OK);
    exrqoi_box2i full = {{-3, 5}, {W - 4, H + 4}};
    /* the whole level; chunks clipped on every side; one chunk's inside */
    const exrqoi_box2i regs[3] = {full, {{2, 9}, {W - 10, H - 1}}, {{1, 14}, {11, 19}}};
    uint8_t *ref[3][NCH], *got[3][NCH];
    exrqoi_slice rs[3][NCH], gs[3][NCH];
    exrqoi_region_request rq[3], gq[3];
    for (int k = 0; k < 3; k++) {
        set_slices(&regs[k], true, ref[k], rs[k]);
        set_slices(&regs[k], false, got[k], gs[k]);
        /* the reference: one region at a time, the unpacked-buffer path */
        exrqoi_region_request a = {0, 0, 0, &regs[k], rs[k], NCH};
        exrqoi_region_request b = {0, 0, 0, &regs[k], gs[k], NCH};
        rq[k] = a;
        gq[k] = b;
        assert_int_equal(exrqoi_reader_read_regions(r, &rq[k], 1), EXRQOI_OK);
        unstride(&regs[k], ref[k]);
    }
    /* all three in one call, twice: templates must follow the request */
    for (int pass = 0; pass < 2; pass++) {
        assert_int_equal(exrqoi_reader_read_regions(r, gq, 3), EXRQOI_OK);
        for (int k = 0; k < 3; k++) {
            size_t n = (size_t)(regs[k].max.x - regs[k].min.x + 1) * (size_t)(regs[k].max.y - regs[k].min.y + 1);
            for (int c = 0; c < NCH; c++) {
                if (memcmp(ref[k][c], got[k][c], n * tsize(c)) != 0)
                    fail_msg("%s %s threads %d: region %d channel %s differs", exrqoi_compression_name(comp),
                             tiled ? "tiled" : "scanline", threads, k, k_names[c]);
                memset(got[k][c], 0, n * tsize(c));
            }
        }
    }
    /* lossless codecs give back what was written */
    if (comp != EXRQOI_COMPRESSION_DWAA && comp != EXRQOI_COMPRESSION_DWAB && comp != EXRQOI_COMPRESSION_PXR24 &&
        comp != EXRQOI_COMPRESSION_B44 && comp != EXRQOI_COMPRESSION_B44A)
        for (int c = 0; c < NCH; c++) assert_memory_equal(ref[0][c], planes[c], (size_t)W * H * tsize(c));
    for (int k = 0; k < 3; k++)
        for (int c = 0; c < NCH; c++) {
            free(ref[k][c]);
            free(got[k][c]);
        }
    exrqoi_reader_close(r);
    exrqoi_free(NULL, file);
    for (int c = 0; c < NCH; c++) free(planes[c]);
}

static void test_segment_codecs(void **state)
{
    (void)state;
    const exrqoi_compression comps[] = {EXRQOI_COMPRESSION_NONE,  EXRQOI_COMPRESSION_RLE,
                                        EXRQOI_COMPRESSION_ZIPS,  EXRQOI_COMPRESSION_ZIP,
                                        EXRQOI_COMPRESSION_PXR24, EXRQOI_COMPRESSION_DWAA,
                                        EXRQOI_COMPRESSION_DWAB,  EXRQOI_COMPRESSION_B44,
                                        EXRQOI_COMPRESSION_B44A};
    for (size_t i = 0; i < sizeof comps / sizeof comps[0]; i++)
        for (int tiled = 0; tiled < 2; tiled++)
            for (int threads = 1; threads <= 2; threads++) check_codec(comps[i], tiled != 0, threads);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_segment_codecs)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
