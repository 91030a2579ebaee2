/* EXR <-> QOI conversion: tone curves, premultiplication, windows, the
 * exhaustive 8-bit round trip, the official QOI images, view selection. */
#define _POSIX_C_SOURCE 200809L
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
#include "test_support.h"

#define QOI_DIR EXRQOI_SHARED_DIR "/corpus/qoi"
#define EXR_DIR EXRQOI_SHARED_DIR "/corpus/openexr-images"

/* Converts an in-memory EXR with the given options. */
static uint8_t *to_qoi(const void *exr, size_t size, const exrqoi_exr_to_qoi_options *o,
                       exrqoi_qoi_desc *desc)
{
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(exr, size), NULL, &r), 0);
    void *px;
    assert_int_equal(exrqoi_exr_to_qoi_pixels(r, o, desc, &px, NULL), 0);
    exrqoi_reader_close(r);
    return px;
}

static void *rgba_exr(const float *px, int w, int h, int channels, const exrqoi_chromaticities *c,
                      size_t *size)
{
    exrqoi_rgba_write_options wo = EXRQOI_RGBA_WRITE_OPTIONS_INIT;
    wo.channels = channels;
    if (c) {
        wo.write_chromaticities = 1;
        wo.chromaticities = *c;
    }
    void *data;
    assert_int_equal(exrqoi_rgba_write(exrqoi_sink_memory(&data, size), w, h, px, 0, &wo), 0);
    return data;
}

/* Expected 8-bit values, by hand: code = round(255 * srgb(tone(x))), with
 * srgb(v) = 1.055 v^(1/2.4) - 0.055 (v > 0.0031308).
 *   clamp:    0.5 -> 0.7354 -> 188;  0.25 -> 0.5371 -> 137;  >= 1 -> 255
 *   reinhard: 0.5 -> 1/3 -> 156; 1 -> 1/2 -> 188; 3 -> 3/4 -> 225;
 *             0.25 -> 0.2 -> 124; 2 -> 2/3 -> 213
 *   aces:     x(2.51x+0.03)/(x(2.43x+0.59)+0.14): 0.5 -> 0.6163 -> 206;
 *             1 -> 0.8038 -> 232; 3 -> 0.9790 -> 250; 0.25 -> 0.3849 -> 165;
 *             2 -> 0.9506 -> 245 */
static void test_tone_curves(void **state)
{
    (void)state;
    const float px[8] = {0.5f, 1.0f, 3.0f, 0, 0.25f, 2.0f, 0.0f, 0};
    size_t size;
    void *exr = rgba_exr(px, 2, 1, 3, NULL, &size);
    static const uint8_t want[3][6] = {{188, 255, 255, 137, 255, 0},
                                       {156, 188, 225, 124, 213, 0},
                                       {206, 232, 250, 165, 245, 0}};
    exrqoi_exr_to_qoi_options o = EXRQOI_EXR_TO_QOI_OPTIONS_INIT;
    exrqoi_qoi_desc d;
    for (int t = 0; t < 3; t++) {
        o.tonemap = (exrqoi_tonemap)t;
        uint8_t *q = to_qoi(exr, size, &o, &d);
        assert_int_equal(d.channels, 3);
        assert_int_equal(d.colorspace, EXRQOI_QOI_SRGB);
        assert_memory_equal(q, want[t], 6);
        exrqoi_free(NULL, q);
    }
    /* exposure: +1 EV doubles 0.25 to 0.5 (188); -2 EV takes 2 to 0.5 */
    o.tonemap = EXRQOI_TONEMAP_CLAMP;
    o.exposure = 1;
    uint8_t *q = to_qoi(exr, size, &o, &d);
    assert_int_equal(q[3], 188);
    exrqoi_free(NULL, q);
    o.exposure = -2;
    q = to_qoi(exr, size, &o, &d);
    assert_int_equal(q[4], 188);
    exrqoi_free(NULL, q);
    /* linear: round(0.5 * 255) = 128, colorspace 1 */
    o.exposure = 0;
    o.linear = 1;
    q = to_qoi(exr, size, &o, &d);
    assert_int_equal(d.colorspace, EXRQOI_QOI_LINEAR);
    assert_int_equal(q[0], 128);
    assert_int_equal(q[3], 64); /* 0.25 * 255 = 63.75 */
    exrqoi_free(NULL, q);
    exrqoi_free(NULL, exr);
    exrqoi_tonemap t;
    assert_int_equal(exrqoi_tonemap_from_name("aces", &t), 0);
    assert_int_equal(t, EXRQOI_TONEMAP_ACES);
    assert_int_equal(exrqoi_tonemap_from_name("filmic", &t), EXRQOI_ERR_NOT_FOUND);
}

static void test_premultiply(void **state)
{
    (void)state;
    /* premultiplied (0.25, 0.25, 0, 0.5) is straight (0.5, 0.5, 0) */
    const float px[4] = {0.25f, 0.25f, 0.0f, 0.5f};
    size_t size;
    void *exr = rgba_exr(px, 1, 1, 4, NULL, &size);
    exrqoi_qoi_desc d;
    uint8_t *q = to_qoi(exr, size, NULL, &d);
    assert_int_equal(d.channels, 4);
    assert_int_equal(q[0], 188);
    assert_int_equal(q[1], 188);
    assert_int_equal(q[2], 0);
    assert_int_equal(q[3], 128); /* 127.5 rounds up */
    exrqoi_free(NULL, q);
    exrqoi_free(NULL, exr);

    /* and back: colour is multiplied by alpha */
    const uint8_t in[4] = {255, 0, 188, 51};
    exrqoi_qoi_desc qd = {1, 1, 4, EXRQOI_QOI_SRGB};
    uint16_t h[4];
    assert_int_equal(exrqoi_qoi_pixels_to_half(in, &qd, h), 0);
    assert_int_equal(h[3], exrqoi_float_to_half(0.2f));
    assert_int_equal(h[0], exrqoi_float_to_half(0.2f));
    assert_int_equal(h[1], 0);
    float b = exrqoi_half_to_float(h[2]);
    assert_true(b > 0.1005f && b < 0.1007f); /* srgb^-1(188/255) = 0.50289 -> * 0.2 */
}

static void *windowed_exr(int with_alpha, size_t *size)
{
    exrqoi_header h;
    assert_int_equal(exrqoi_header_init_image(&h, NULL, 4, 3, EXRQOI_COMPRESSION_NONE), 0);
    exrqoi_box2i dw = {{1, 1}, {2, 1}};
    assert_int_equal(exrqoi_header_set_box2i(&h, "dataWindow", dw), 0);
    const char *names[4] = {"R", "G", "B", "A"};
    float ones[2] = {1, 1};
    exrqoi_slice s[4];
    for (int c = 0; c < 3 + with_alpha; c++) {
        assert_int_equal(exrqoi_header_add_channel(&h, names[c], EXRQOI_PIXEL_HALF, 1, 1, 0), 0);
        s[c].name = names[c];
        s[c].type = EXRQOI_PIXEL_FLOAT;
        s[c].base = ones;
        s[c].x_stride = 4;
        s[c].y_stride = 8;
        s[c].fill = 0;
    }
    exrqoi_writer *w;
    void *data;
    assert_int_equal(exrqoi_writer_open(exrqoi_sink_memory(&data, size), &h, 1, NULL, &w), 0);
    assert_int_equal(exrqoi_writer_write_region(w, 0, 0, 0, NULL, s, 3 + with_alpha), 0);
    assert_int_equal(exrqoi_writer_finish(w), 0);
    exrqoi_writer_close(w);
    exrqoi_header_free(&h);
    return data;
}

static void test_windows(void **state)
{
    (void)state;
    for (int alpha = 0; alpha < 2; alpha++) {
        size_t size;
        void *exr = windowed_exr(alpha, &size);
        exrqoi_qoi_desc d;
        uint8_t *q = to_qoi(exr, size, NULL, &d);
        int ch = 3 + alpha;
        assert_int_equal(d.width, 4);
        assert_int_equal(d.height, 3);
        assert_int_equal(d.channels, ch);
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 4; x++) {
                bool in = y == 1 && (x == 1 || x == 2);
                for (int c = 0; c < ch; c++) assert_int_equal(q[(y * 4 + x) * ch + c], in ? 255 : 0);
            }
        exrqoi_free(NULL, q);
        exrqoi_free(NULL, exr);
    }
}

/* Every (value, alpha) pair survives QOI -> EXR (half, premultiplied) ->
 * QOI, except alpha 0 which may come back as 0,0,0,0. */
static void test_exhaustive_roundtrip(void **state)
{
    (void)state;
    uint8_t *in = malloc(256 * 256 * 4);
    for (int a = 0; a < 256; a++)
        for (int v = 0; v < 256; v++) {
            uint8_t *p = in + (a * 256 + v) * 4;
            p[0] = (uint8_t)v;
            p[1] = (uint8_t)(255 - v);
            p[2] = (uint8_t)(v * 7);
            p[3] = (uint8_t)a;
        }
    for (int ch = 3; ch <= 4; ch++) {
        uint32_t h = ch == 4 ? 256 : 1;
        exrqoi_qoi_desc qd = {256, h, (uint8_t)ch, EXRQOI_QOI_SRGB};
        uint8_t *packed = malloc(256 * 256 * 4);
        for (size_t i = 0; i < 256 * (size_t)h; i++) memcpy(packed + i * (size_t)ch, in + i * 4, (size_t)ch);
        uint16_t *half = malloc(256 * 256 * 8);
        assert_int_equal(exrqoi_qoi_pixels_to_half(packed, &qd, half), 0);
        exrqoi_rgba_write_options wo = EXRQOI_RGBA_WRITE_OPTIONS_INIT;
        wo.channels = ch;
        wo.input_type = EXRQOI_PIXEL_HALF;
        wo.compression = EXRQOI_COMPRESSION_ZIP;
        void *exr;
        size_t size;
        assert_int_equal(exrqoi_rgba_write(exrqoi_sink_memory(&exr, &size), 256, (int32_t)h, half, 0, &wo), 0);
        exrqoi_qoi_desc d;
        uint8_t *out = to_qoi(exr, size, NULL, &d);
        assert_int_equal(d.channels, ch);
        size_t bad = 0;
        for (size_t i = 0; i < 256 * (size_t)h; i++) {
            const uint8_t *a = packed + i * (size_t)ch, *b = out + i * (size_t)ch;
            if (memcmp(a, b, (size_t)ch) == 0) continue;
            if (ch == 4 && a[3] == 0 && !b[0] && !b[1] && !b[2] && !b[3]) continue;
            if (bad++ < 5)
                print_error("pixel %zu: %d,%d,%d,%d -> %d,%d,%d,%d\n", i, a[0], a[1], a[2],
                            ch == 4 ? a[3] : 255, b[0], b[1], b[2], ch == 4 ? b[3] : 255);
        }
        assert_int_equal(bad, 0);
        exrqoi_free(NULL, out);
        exrqoi_free(NULL, exr);
        free(half);
        free(packed);
    }
    free(in);
}

static void test_corpus_roundtrip(void **state)
{
    (void)state;
    static const char *names[] = {"dice", "kodim10", "kodim23", "qoi_logo",
                                  "testcard", "testcard_rgba", "wikipedia_008"};
    if (access(QOI_DIR "/dice.qoi", R_OK) != 0) skip();
    char dir[] = "/tmp/exrqoi_convert_XXXXXX";
    assert_non_null(mkdtemp(dir));
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        char qoi[512], raw[512], ref[512], exr[512], back[512];
        snprintf(qoi, sizeof qoi, "%s/%s.qoi", QOI_DIR, names[k]);
        snprintf(raw, sizeof raw, "%s/%s.raw", QOI_DIR, names[k]);
        snprintf(ref, sizeof ref, "%s/%s.ref.qoi", QOI_DIR, names[k]);
        snprintf(exr, sizeof exr, "%s/%s.exr", dir, names[k]);
        snprintf(back, sizeof back, "%s/%s.qoi", dir, names[k]);
        assert_int_equal(exrqoi_convert_qoi_to_exr(exrqoi_source_path(qoi), exrqoi_sink_path(exr), NULL), 0);
        assert_int_equal(exrqoi_convert_exr_to_qoi(exrqoi_source_path(exr), exrqoi_sink_path(back), NULL, NULL), 0);
        exrqoi_qoi_desc d0, d1;
        void *p0, *p1;
        size_t n0, n1;
        assert_int_equal(exrqoi_qoi_decode(exrqoi_source_path(qoi), NULL, &d0, &p0, &n0), 0);
        assert_int_equal(exrqoi_qoi_decode(exrqoi_source_path(back), NULL, &d1, &p1, &n1), 0);
        assert_int_equal(d0.width, d1.width);
        assert_int_equal(d0.height, d1.height);
        assert_int_equal(d0.channels, d1.channels);
        size_t rsize;
        uint8_t *rawpx = ts_read_file(raw, &rsize);
        assert_non_null(rawpx);
        assert_int_equal(rsize, n1);
        const uint8_t *b = p1;
        for (size_t i = 0; i < n1; i += d1.channels) {
            if (memcmp(rawpx + i, b + i, d1.channels) == 0) continue;
            assert_int_equal(d1.channels, 4);
            assert_int_equal(rawpx[i + 3], 0);
            assert_int_equal(b[i] | b[i + 1] | b[i + 2] | b[i + 3], 0);
        }
        /* QOI -> QOI re-encoding gives the reference encoder's bytes */
        void *enc;
        size_t esize, refsize;
        assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&enc, &esize), p0, &d0, NULL), 0);
        uint8_t *refbytes = ts_read_file(ref, &refsize);
        assert_int_equal(esize, refsize);
        assert_memory_equal(enc, refbytes, esize);
        free(refbytes);
        exrqoi_free(NULL, enc);
        free(rawpx);
        exrqoi_free(NULL, p0);
        exrqoi_free(NULL, p1);
        unlink(exr);
        unlink(back);
    }
    rmdir(dir);
}

static void test_views_and_layers(void **state)
{
    (void)state;
    if (access(EXR_DIR "/MultiView/Fog.exr", R_OK) != 0) skip();
    exrqoi_exr_to_qoi_options o = EXRQOI_EXR_TO_QOI_OPTIONS_INIT;
    exrqoi_rgba_read_options sel = EXRQOI_RGBA_READ_OPTIONS_INIT;
    o.select = &sel;
    exrqoi_reader *r;
    exrqoi_qoi_desc d;
    void *left, *right;
    size_t n;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_path(EXR_DIR "/MultiView/Fog.exr"), NULL, &r), 0);
    assert_int_equal(exrqoi_exr_to_qoi_pixels(r, &o, &d, &left, &n), 0);
    assert_int_equal(d.channels, 3); /* gray Y, no alpha */
    const uint8_t *l = left;
    for (size_t i = 0; i < n; i += 3) assert_true(l[i] == l[i + 1] && l[i] == l[i + 2]);
    sel.view = "right";
    assert_int_equal(exrqoi_exr_to_qoi_pixels(r, &o, &d, &right, &n), 0);
    assert_memory_not_equal(left, right, n);
    sel.view = "centre";
    void *none;
    assert_int_equal(exrqoi_exr_to_qoi_pixels(r, &o, &d, &none, &n), EXRQOI_ERR_NOT_FOUND);
    exrqoi_free(NULL, left);
    exrqoi_free(NULL, right);
    exrqoi_reader_close(r);

    /* single-part stereo with a display window larger than the data */
    const char *bb = EXR_DIR "/Beachball/singlepart.0001.exr";
    if (access(bb, R_OK) != 0) return;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_path(bb), NULL, &r), 0);
    sel.view = NULL;
    assert_int_equal(exrqoi_exr_to_qoi_pixels(r, &o, &d, &right, &n), 0);
    assert_int_equal(d.width, 2048);
    assert_int_equal(d.height, 1556);
    assert_int_equal(d.channels, 4);
    assert_int_equal(((uint8_t *)right)[3], 0); /* corner outside the data window */
    sel.view = "left";
    assert_int_equal(exrqoi_exr_to_qoi_pixels(r, &o, &d, &left, &n), 0);
    assert_memory_not_equal(left, right, n);
    exrqoi_free(NULL, left);
    exrqoi_free(NULL, right);
    sel.view = NULL;
    sel.layer = "whitebarmask"; /* no colour channels in that layer */
    assert_int_equal(exrqoi_exr_to_qoi_pixels(r, &o, &d, &left, &n), EXRQOI_ERR_NOT_FOUND);
    exrqoi_reader_close(r);
}

/* Display-P3 primaries (D65): white stays white, pure red leaves the
 * Rec. 709 gamut (clipped), gray stays gray. */
static void test_chromaticities(void **state)
{
    (void)state;
    exrqoi_chromaticities p3 = {0.680f, 0.320f, 0.265f, 0.690f, 0.150f, 0.060f, 0.3127f, 0.3290f};
    const float px[12] = {1, 1, 1, 1, 1, 0, 0, 1, 0.2f, 0.2f, 0.2f, 1};
    size_t size;
    void *exr = rgba_exr(px, 3, 1, 3, &p3, &size);
    exrqoi_qoi_desc d;
    uint8_t *q = to_qoi(exr, size, NULL, &d);
    const uint8_t want[9] = {255, 255, 255, 255, 0, 0, 124, 124, 124};
    assert_memory_equal(q, want, 9);
    exrqoi_free(NULL, q);
    exrqoi_free(NULL, exr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tone_curves),        cmocka_unit_test(test_premultiply),
        cmocka_unit_test(test_windows),            cmocka_unit_test(test_exhaustive_roundtrip),
        cmocka_unit_test(test_corpus_roundtrip),   cmocka_unit_test(test_views_and_layers),
        cmocka_unit_test(test_chromaticities),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
