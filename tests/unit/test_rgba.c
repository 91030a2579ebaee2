/* RGBA convenience API: reading R,G,B,A / gray Y / luminance-chroma,
 * layers and views, windows; writing half RGB(A). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "exrqoi/exrqoi.h"

#define CORPUS EXRQOI_SHARED_DIR "/corpus/openexr-images"

/* Builds a one-part EXR in memory: channels named in `names` (half), each
 * sample = value(channel index, x, y); data window dw inside display window. */
typedef float (*value_fn)(int c, int x, int y);

static void *make_exr(const char *const *names, int n, exrqoi_box2i disp, exrqoi_box2i dw,
                      value_fn fn, const exrqoi_header *extra, size_t *size)
{
    exrqoi_header h;
    assert_int_equal(exrqoi_header_init_image(&h, NULL, disp.max.x - disp.min.x + 1,
                                              disp.max.y - disp.min.y + 1,
                                              EXRQOI_COMPRESSION_ZIP),
                     0);
    assert_int_equal(exrqoi_header_set_box2i(&h, "displayWindow", disp), 0);
    assert_int_equal(exrqoi_header_set_box2i(&h, "dataWindow", dw), 0);
    for (int c = 0; c < n; c++)
        assert_int_equal(exrqoi_header_add_channel(&h, names[c], EXRQOI_PIXEL_HALF, 1, 1, 0), 0);
    if (extra)
        for (int i = 0; i < extra->count; i++) assert_int_equal(exrqoi_header_set(&h, &extra->attrs[i]), 0);
    int w = dw.max.x - dw.min.x + 1, hh = dw.max.y - dw.min.y + 1;
    float *buf = malloc(sizeof(float) * (size_t)(w * hh * n));
    exrqoi_slice s[16];
    for (int c = 0; c < n; c++) {
        for (int y = 0; y < hh; y++)
            for (int x = 0; x < w; x++)
                buf[((size_t)c * (size_t)hh + (size_t)y) * (size_t)w + (size_t)x] =
                    fn(c, x + dw.min.x, y + dw.min.y);
        s[c].name = names[c];
        s[c].type = EXRQOI_PIXEL_FLOAT;
        s[c].base = buf + (size_t)c * (size_t)(w * hh);
        s[c].x_stride = 4;
        s[c].y_stride = 4 * w;
        s[c].fill = 0;
    }
    exrqoi_writer *wr;
    void *data;
    assert_int_equal(exrqoi_writer_open(exrqoi_sink_memory(&data, size), &h, 1, NULL, &wr), 0);
    assert_int_equal(exrqoi_writer_write_region(wr, 0, 0, 0, NULL, s, n), 0);
    assert_int_equal(exrqoi_writer_finish(wr), 0);
    exrqoi_writer_close(wr);
    exrqoi_header_free(&h);
    free(buf);
    return data;
}

static exrqoi_box2i box(int x0, int y0, int x1, int y1)
{
    exrqoi_box2i b = {{x0, y0}, {x1, y1}};
    return b;
}

static void test_write_read_roundtrip(void **state)
{
    (void)state;
    enum { W = 5, H = 3 };
    float px[W * H * 4];
    for (int i = 0; i < W * H * 4; i++) px[i] = (float)i * 0.25f - 3.0f;
    exrqoi_rgba_write_options wo = EXRQOI_RGBA_WRITE_OPTIONS_INIT;
    wo.compression = EXRQOI_COMPRESSION_PIZ;
    wo.write_chromaticities = 1;
    wo.chromaticities = exrqoi_chromaticities_rec709();
    void *data;
    size_t size;
    assert_int_equal(exrqoi_rgba_write(exrqoi_sink_memory(&data, &size), W, H, px, 0, &wo), 0);
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), NULL, &r), 0);
    exrqoi_part_info pi;
    assert_int_equal(exrqoi_reader_part_info(r, 0, &pi), 0);
    assert_int_equal(pi.compression, EXRQOI_COMPRESSION_PIZ);
    assert_int_equal(pi.channel_count, 4);
    assert_non_null(exrqoi_header_find(exrqoi_reader_header(r, 0), "chromaticities"));

    exrqoi_rgba_info info;
    float *out;
    size_t osz;
    assert_int_equal(exrqoi_rgba_read_alloc(r, NULL, &info, (void **)&out, &osz), 0);
    assert_int_equal(info.width, W);
    assert_int_equal(info.height, H);
    assert_int_equal(info.found, EXRQOI_RGBA_R | EXRQOI_RGBA_G | EXRQOI_RGBA_B | EXRQOI_RGBA_A);
    assert_int_equal(osz, sizeof px);
    assert_memory_equal(out, px, sizeof px); /* quarter steps are exact in half */
    exrqoi_free(NULL, out);

    /* half output into a caller buffer with padding between rows */
    uint16_t hb[H][W * 4 + 3];
    exrqoi_rgba_read_options ro = EXRQOI_RGBA_READ_OPTIONS_INIT;
    ro.type = EXRQOI_PIXEL_HALF;
    assert_int_equal(exrqoi_rgba_read(r, &ro, NULL, hb, sizeof hb[0], sizeof hb[0] * (H - 1) + W * 8 - 1),
                     EXRQOI_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(exrqoi_rgba_read(r, &ro, NULL, hb, sizeof hb[0], sizeof hb), 0);
    for (int y = 0; y < H; y++)
        for (int i = 0; i < W * 4; i++)
            assert_true(exrqoi_half_to_float(hb[y][i]) == px[y * W * 4 + i]);
    exrqoi_reader_close(r);
    exrqoi_free(NULL, data);

    /* RGB only: A reads as 1; half input */
    uint16_t hp[W * H * 4];
    for (int i = 0; i < W * H * 4; i++) hp[i] = exrqoi_float_to_half(px[i]);
    wo.channels = 3;
    wo.input_type = EXRQOI_PIXEL_HALF;
    wo.write_chromaticities = 0;
    assert_int_equal(exrqoi_rgba_write(exrqoi_sink_memory(&data, &size), W, H, hp, 0, &wo), 0);
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), NULL, &r), 0);
    assert_null(exrqoi_header_find(exrqoi_reader_header(r, 0), "chromaticities"));
    assert_int_equal(exrqoi_rgba_read_alloc(r, NULL, &info, (void **)&out, &osz), 0);
    assert_int_equal(info.found, EXRQOI_RGBA_R | EXRQOI_RGBA_G | EXRQOI_RGBA_B);
    for (int i = 0; i < W * H; i++) {
        assert_true(out[4 * i] == px[4 * i]);
        assert_true(out[4 * i + 2] == px[4 * i + 2]);
        assert_true(out[4 * i + 3] == 1.0f);
    }
    exrqoi_free(NULL, out);
    exrqoi_reader_close(r);
    exrqoi_free(NULL, data);
}

static float val_gray(int c, int x, int y)
{
    return c == 0 ? 0.5f : (float)(x + y); /* channel 0 is A, 1 is Y */
}

static void test_gray_and_windows(void **state)
{
    (void)state;
    const char *names[] = {"A", "Y"};
    size_t size;
    void *data = make_exr(names, 2, box(0, 0, 5, 4), box(2, 1, 4, 3), val_gray, NULL, &size);
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), NULL, &r), 0);
    exrqoi_rgba_info info;
    float *px;
    /* data window */
    assert_int_equal(exrqoi_rgba_read_alloc(r, NULL, &info, (void **)&px, NULL), 0);
    assert_int_equal(info.width, 3);
    assert_int_equal(info.height, 3);
    assert_int_equal(info.found, EXRQOI_RGBA_Y | EXRQOI_RGBA_A);
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 3; x++) {
            const float *p = px + (y * 3 + x) * 4;
            float v = (float)(x + 2 + y + 1);
            assert_true(p[0] == v && p[1] == v && p[2] == v && p[3] == 0.5f);
        }
    exrqoi_free(NULL, px);
    /* display window: outside the data window all zero */
    exrqoi_rgba_read_options ro = EXRQOI_RGBA_READ_OPTIONS_INIT;
    ro.display_window = 1;
    assert_int_equal(exrqoi_rgba_read_alloc(r, &ro, &info, (void **)&px, NULL), 0);
    assert_int_equal(info.width, 6);
    assert_int_equal(info.height, 5);
    for (int y = 0; y < 5; y++)
        for (int x = 0; x < 6; x++) {
            const float *p = px + (y * 6 + x) * 4;
            bool inside = x >= 2 && x <= 4 && y >= 1 && y <= 3;
            assert_true(p[3] == (inside ? 0.5f : 0.0f));
            assert_true(p[0] == (inside ? (float)(x + y) : 0.0f));
        }
    exrqoi_free(NULL, px);
    exrqoi_reader_close(r);
    exrqoi_free(NULL, data);
}

/* channel index -> distinct values per channel name */
static float val_index(int c, int x, int y)
{
    (void)x;
    (void)y;
    return (float)(c + 1);
}

static void test_layer_and_view(void **state)
{
    (void)state;
    /* sorted as the channel list sorts them */
    const char *names[] = {"A", "B", "G", "R", "diffuse.G", "diffuse.R", "diffuse.right.R",
                           "right.B", "right.G", "right.R"};
    exrqoi_header extra;
    exrqoi_header_init(&extra, NULL);
    exrqoi_attribute mv;
    memset(&mv, 0, sizeof mv);
    exrqoi_string views[2] = {{4, (char *)"left"}, {5, (char *)"right"}};
    mv.name = (char *)"multiView";
    mv.type = EXRQOI_ATTR_STRINGVECTOR;
    mv.v.stringvector.count = 2;
    mv.v.stringvector.strings = views;
    assert_int_equal(exrqoi_header_set(&extra, &mv), 0);
    size_t size;
    void *data = make_exr(names, 10, box(0, 0, 1, 1), box(0, 0, 1, 1), val_index, &extra, &size);
    exrqoi_header_free(&extra);
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), NULL, &r), 0);
    exrqoi_rgba_read_options ro = EXRQOI_RGBA_READ_OPTIONS_INIT;
    float px[16];
    struct {
        const char *layer, *view;
        float r, g, b, a;
    } cases[] = {
        {NULL, NULL, 4, 3, 2, 1},       {NULL, "left", 4, 3, 2, 1},
        {NULL, "right", 10, 9, 8, 1},   {"diffuse", NULL, 6, 5, 0, 1},
        {"diffuse", "right", 7, 0, 0, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ro.layer = cases[i].layer;
        ro.view = cases[i].view;
        assert_int_equal(exrqoi_rgba_read(r, &ro, NULL, px, 0, sizeof px), 0);
        assert_true(px[0] == cases[i].r);
        assert_true(px[1] == cases[i].g);
        assert_true(px[2] == cases[i].b);
        assert_true(px[3] == cases[i].a);
    }
    ro.layer = NULL;
    ro.view = "centre";
    assert_int_equal(exrqoi_rgba_read(r, &ro, NULL, px, 0, sizeof px), EXRQOI_ERR_NOT_FOUND);
    ro.view = NULL;
    ro.layer = "specular";
    assert_int_equal(exrqoi_rgba_read(r, &ro, NULL, px, 0, sizeof px), EXRQOI_ERR_NOT_FOUND);
    exrqoi_reader_close(r);
    exrqoi_free(NULL, data);
}

static float val_yc_gray(int c, int x, int y)
{
    return c == 1 ? (float)(x * 3 + y) * 0.25f : 0.0f; /* BY, Y, RY */
}

/* Gray luminance/chroma images (chroma 0) come back exactly as R=G=B=Y. */
static void test_yca_gray(void **state)
{
    (void)state;
    exrqoi_header h;
    assert_int_equal(exrqoi_header_init_image(&h, NULL, 6, 4, EXRQOI_COMPRESSION_NONE), 0);
    assert_int_equal(exrqoi_header_add_channel(&h, "Y", EXRQOI_PIXEL_HALF, 1, 1, 0), 0);
    assert_int_equal(exrqoi_header_add_channel(&h, "RY", EXRQOI_PIXEL_HALF, 2, 2, 0), 0);
    assert_int_equal(exrqoi_header_add_channel(&h, "BY", EXRQOI_PIXEL_HALF, 2, 2, 0), 0);
    float y[24], c[6] = {0};
    for (int i = 0; i < 24; i++) y[i] = val_yc_gray(1, i % 6, i / 6);
    exrqoi_slice s[3] = {{"Y", EXRQOI_PIXEL_FLOAT, y, 4, 24, 0},
                         {"RY", EXRQOI_PIXEL_FLOAT, c, 4, 12, 0},
                         {"BY", EXRQOI_PIXEL_FLOAT, c, 4, 12, 0}};
    exrqoi_writer *w;
    void *data;
    size_t size;
    assert_int_equal(exrqoi_writer_open(exrqoi_sink_memory(&data, &size), &h, 1, NULL, &w), 0);
    assert_int_equal(exrqoi_writer_write_region(w, 0, 0, 0, NULL, s, 3), 0);
    assert_int_equal(exrqoi_writer_finish(w), 0);
    exrqoi_writer_close(w);
    exrqoi_header_free(&h);
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(data, size), NULL, &r), 0);
    exrqoi_rgba_info info;
    float *px;
    assert_int_equal(exrqoi_rgba_read_alloc(r, NULL, &info, (void **)&px, NULL), 0);
    assert_int_equal(info.found, EXRQOI_RGBA_Y | EXRQOI_RGBA_C);
    for (int i = 0; i < 24; i++) {
        assert_true(px[4 * i] == y[i]);
        assert_true(px[4 * i + 1] == y[i]);
        assert_true(px[4 * i + 2] == y[i]);
        assert_true(px[4 * i + 3] == 1.0f);
    }
    exrqoi_free(NULL, px);
    exrqoi_reader_close(r);
    exrqoi_free(NULL, data);
}

/* CRC-32 of the float RGBA that OpenEXR 3.1.5's RgbaInputFile gives for
 * these files (data window, floats of its half results), computed once
 * with a throwaway C++ program. */
static void check_crc(const char *file, const char *view, uint32_t want, int found)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", CORPUS, file);
    exrqoi_rgba_read_options ro = EXRQOI_RGBA_READ_OPTIONS_INIT;
    ro.view = view;
    exrqoi_rgba_info info;
    void *px;
    size_t size;
    exrqoi_reader *rd;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_path(path), NULL, &rd), 0);
    assert_int_equal(exrqoi_rgba_read_alloc(rd, &ro, &info, &px, &size), 0);
    exrqoi_reader_close(rd);
    assert_int_equal(info.found, found);
    /* over the floats as little-endian bytes, whatever the host's order */
    uint32_t crc = 0;
    for (size_t i = 0; i + 4 <= size; i += 4) {
        uint32_t u;
        memcpy(&u, (const uint8_t *)px + i, 4);
        const uint8_t b[4] = {(uint8_t)u, (uint8_t)(u >> 8), (uint8_t)(u >> 16), (uint8_t)(u >> 24)};
        crc = exrqoi_crc32(crc, b, 4);
    }
    assert_int_equal(crc, want);
    exrqoi_free(NULL, px);
}

static void test_corpus_matches_openexr(void **state)
{
    (void)state;
    if (access(CORPUS "/LuminanceChroma/Flowers.exr", R_OK) != 0) skip();
    check_crc("LuminanceChroma/Flowers.exr", NULL, 0x5a7fd21cu, EXRQOI_RGBA_Y | EXRQOI_RGBA_C);
    check_crc("Chromaticities/Rec709_YC.exr", NULL, 0xea55fbe9u, EXRQOI_RGBA_Y | EXRQOI_RGBA_C);
    check_crc("MultiView/Fog.exr", NULL, 0x778b5f90u, EXRQOI_RGBA_Y);
    check_crc("MultiView/Fog.exr", "right", 0x751cafd7u, EXRQOI_RGBA_Y);
}

static void test_multipart_view(void **state)
{
    (void)state;
    const char *path = CORPUS "/Beachball/multipart.0001.exr";
    if (access(path, R_OK) != 0) skip();
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_path(path), NULL, &r), 0);
    exrqoi_rgba_read_options ro = EXRQOI_RGBA_READ_OPTIONS_INIT;
    exrqoi_rgba_info info;
    assert_int_equal(exrqoi_rgba_select(r, &ro, &info), 0);
    assert_string_equal(exrqoi_header_find(exrqoi_reader_header(r, info.part), "name")->v.string.str,
                        "rgba_right");
    ro.view = "left";
    assert_int_equal(exrqoi_rgba_select(r, &ro, &info), 0);
    assert_string_equal(exrqoi_header_find(exrqoi_reader_header(r, info.part), "name")->v.string.str,
                        "rgba_left");
    ro.part_name = "depth_left"; /* no colour there */
    assert_int_equal(exrqoi_rgba_select(r, &ro, &info), EXRQOI_ERR_NOT_FOUND);
    exrqoi_reader_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_read_roundtrip),
        cmocka_unit_test(test_gray_and_windows),
        cmocka_unit_test(test_layer_and_view),
        cmocka_unit_test(test_yca_gray),
        cmocka_unit_test(test_corpus_matches_openexr),
        cmocka_unit_test(test_multipart_view),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
