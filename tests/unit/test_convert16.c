/* The 16-bit end of the EXR -> display pipeline (exrqoi_exr_to_pixels16)
 * and display-referred 8/16-bit pixels -> scene-linear
 * (exrqoi_display_to_linear), as used for PNG: hand-computed values, a
 * double-precision oracle over corpus EXR images, exact 16-bit round
 * trips through float EXR files. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exrqoi/exrqoi.h"

#define EXR_DIR EXRQOI_SHARED_DIR "/corpus/openexr-images"

static void *float_exr(const float *px, int w, int h, int channels, exrqoi_pixel_type type,
                       size_t *size)
{
    exrqoi_rgba_write_options wo = EXRQOI_RGBA_WRITE_OPTIONS_INIT;
    wo.channels = channels;
    wo.channel_type = type;
    void *data;
    assert_int_equal(exrqoi_rgba_write(exrqoi_sink_memory(&data, size), w, h, px, 0, &wo), 0);
    return data;
}

static uint16_t *to16(const void *exr, size_t size, const exrqoi_exr_to_qoi_options *o,
                      exrqoi_qoi_desc *desc)
{
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(exr, size), NULL, &r), 0);
    uint16_t *px;
    size_t bytes;
    assert_int_equal(exrqoi_exr_to_pixels16(r, o, desc, &px, &bytes), 0);
    assert_int_equal(bytes, (size_t)desc->width * desc->height * desc->channels * 2);
    exrqoi_reader_close(r);
    return px;
}

/* By hand: code = round(65535 * srgb(x)), srgb(v) = 1.055 v^(1/2.4) - 0.055
 * (v > 0.0031308), else 12.92 v:
 *   0.5 -> 48191.62 -> 48192;  0.25 -> 35198.77 -> 35199;
 *   0.125 -> 25465.12 -> 25465;  2^-10 -> 12.92 * 65535 / 1024 = 826.87 -> 827;
 *   >= 1 -> 65535;  linear: 0.5 -> 32767.5 -> 32768, 0.25 -> 16383.75 -> 16384 */
static void test_hand_values(void **state)
{
    (void)state;
    const float px[8] = {0.5f, 0.25f, 0.125f, 0, 0.0009765625f, 2.0f, 0.0f, 0};
    size_t size;
    void *exr = float_exr(px, 2, 1, 3, EXRQOI_PIXEL_HALF, &size);
    exrqoi_qoi_desc d;
    uint16_t *p = to16(exr, size, NULL, &d);
    assert_int_equal(d.channels, 3);
    assert_int_equal(d.colorspace, EXRQOI_QOI_SRGB);
    static const uint16_t want[6] = {48192, 35199, 25465, 827, 65535, 0};
    assert_memory_equal(p, want, sizeof want);
    exrqoi_free(NULL, p);
    exrqoi_exr_to_qoi_options o = EXRQOI_EXR_TO_QOI_OPTIONS_INIT;
    o.linear = 1;
    p = to16(exr, size, &o, &d);
    assert_int_equal(d.colorspace, EXRQOI_QOI_LINEAR);
    assert_int_equal(p[0], 32768);
    assert_int_equal(p[1], 16384);
    exrqoi_free(NULL, p);
    exrqoi_free(NULL, exr);

    /* premultiplied (0.25, 0.25, 0, 0.5) is straight (0.5, 0.5, 0), alpha 32768 */
    const float pm[4] = {0.25f, 0.25f, 0.0f, 0.5f};
    exr = float_exr(pm, 1, 1, 4, EXRQOI_PIXEL_HALF, &size);
    p = to16(exr, size, NULL, &d);
    assert_int_equal(d.channels, 4);
    const uint16_t want_a[4] = {48192, 48192, 0, 32768};
    assert_memory_equal(p, want_a, sizeof want_a);
    exrqoi_free(NULL, p);
    exrqoi_free(NULL, exr);
}

static double oetf(double v)
{
    return v <= 0.0031308 ? v * 12.92 : 1.055 * pow(v, 1.0 / 2.4) - 0.055;
}

/* Over corpus images with Rec. 709 primaries: every 16-bit sample is within
 * 1 code of an oracle computed here in double from the file's float
 * samples; each matches the 8-bit pipeline's code for the same value; and
 * the 16-bit codes are not 8-bit codes widened. */
static void test_corpus_oracle(void **state)
{
    (void)state;
    static const char *const files[] = {"TestImages/GrayRampsHorizontal.exr",
                                        "TestImages/RgbRampsDiagonal.exr",
                                        "TestImages/WideFloatRange.exr",
                                        "TestImages/BrightRings.exr",
                                        "TestImages/SquaresSwirls.exr",
                                        "ScanLines/Desk.exr",
                                        "Chromaticities/Rec709.exr"};
    int tested = 0;
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", EXR_DIR, files[f]);
        exrqoi_reader *r;
        if (exrqoi_reader_open(exrqoi_source_path(path), NULL, &r) != 0) continue;
        exrqoi_rgba_read_options ro = EXRQOI_RGBA_READ_OPTIONS_INIT;
        ro.type = EXRQOI_PIXEL_FLOAT;
        ro.display_window = 1;
        exrqoi_rgba_info info;
        float *src;
        assert_int_equal(exrqoi_rgba_read_alloc(r, &ro, &info, (void **)&src, NULL), 0);
        exrqoi_chromaticities rec = exrqoi_chromaticities_rec709();
        if (memcmp(&info.chromaticities, &rec, sizeof rec) != 0) {
            exrqoi_free(NULL, src);
            exrqoi_reader_close(r);
            continue;
        }
        exrqoi_qoi_desc d16, d8;
        uint16_t *p16;
        uint8_t *p8;
        assert_int_equal(exrqoi_exr_to_pixels16(r, NULL, &d16, &p16, NULL), 0);
        assert_int_equal(exrqoi_exr_to_qoi_pixels(r, NULL, &d8, (void **)&p8, NULL), 0);
        assert_int_equal(d16.channels, d8.channels);
        const int c = d16.channels;
        size_t n = (size_t)d16.width * d16.height, not_widened = 0;
        for (size_t i = 0; i < n; i++) {
            const float *s = src + i * 4;
            double a = s[3];
            for (int k = 0; k < c; k++) {
                double v = s[k];
                if (k < 3 && c == 4 && a > 0) v = (double)(float)(s[k] / s[3]);
                if (!(v > 0)) v = 0;
                if (v > 1) v = 1;
                double want = (k == 3 ? v : oetf(v)) * 65535.0;
                uint16_t got = p16[i * c + k];
                if (fabs(got - want) > 1.0)
                    fail_msg("%s: pixel %zu channel %d: %u, oracle %.3f", files[f], i, k, got,
                             want);
                /* the 8-bit code of the same value */
                double want8 = got / 65535.0 * 255.0;
                if (fabs(p8[i * c + k] - want8) > 0.5 + 255.0 / 65535.0)
                    fail_msg("%s: pixel %zu channel %d: 8-bit %u vs 16-bit %u", files[f], i, k,
                             p8[i * c + k], got);
                if (got % 257 != 0) not_widened++;
            }
        }
        assert_true(not_widened > 0);
        exrqoi_free(NULL, p16);
        exrqoi_free(NULL, p8);
        exrqoi_free(NULL, src);
        exrqoi_reader_close(r);
        tested++;
    }
    if (!tested) skip();
}

/* 16-bit display pixels -> float EXR -> 16-bit display pixels: exact for
 * every code, RGB and RGBA (alpha > 0), sRGB and linear. */
static void test_roundtrip16(void **state)
{
    (void)state;
    static const uint16_t alphas[] = {65535, 65534, 40000, 32768, 4097, 1000, 257, 2, 1};
    const int w = 256, h = 256;
    for (int linear = 0; linear <= 1; linear++)
        for (size_t ai = 0; ai <= sizeof alphas / sizeof alphas[0]; ai++) {
            bool rgb = ai == sizeof alphas / sizeof alphas[0];
            int c = rgb ? 3 : 4;
            uint16_t *px = malloc((size_t)w * h * c * 2);
            for (int i = 0; i < w * h; i++) {
                px[i * c] = (uint16_t)i;
                px[i * c + 1] = (uint16_t)(65535 - i);
                px[i * c + 2] = (uint16_t)(i * 7919);
                if (!rgb) px[i * c + 3] = alphas[ai];
            }
            exrqoi_display_desc dd = {(uint32_t)w, (uint32_t)h, c, 16,
                                      linear ? EXRQOI_TRANSFER_LINEAR : EXRQOI_TRANSFER_SRGB, 0};
            float *lin = malloc((size_t)w * h * 4 * sizeof *lin);
            assert_int_equal(exrqoi_display_to_linear(px, &dd, EXRQOI_PIXEL_FLOAT, lin), 0);
            size_t size;
            void *exr = float_exr(lin, w, h, c, EXRQOI_PIXEL_FLOAT, &size);
            exrqoi_exr_to_qoi_options o = EXRQOI_EXR_TO_QOI_OPTIONS_INIT;
            o.linear = linear;
            exrqoi_qoi_desc d;
            uint16_t *back = to16(exr, size, &o, &d);
            assert_int_equal(d.channels, c);
            for (int i = 0; i < w * h * c; i++)
                if (back[i] != px[i])
                    fail_msg("linear %d alpha %u: sample %d is %u, was %u", linear,
                             rgb ? 65535 : alphas[ai], i, back[i], px[i]);
            exrqoi_free(NULL, back);
            exrqoi_free(NULL, exr);
            free(lin);
            free(px);
        }
}

/* 8-bit: the QOI path's values; gamma and linear decoding by hand. */
static void test_display_to_linear(void **state)
{
    (void)state;
    /* 8-bit sRGB RGBA: the same half values as exrqoi_qoi_pixels_to_half */
    uint8_t px8[256 * 4];
    for (int i = 0; i < 256; i++) {
        px8[i * 4] = (uint8_t)i;
        px8[i * 4 + 1] = (uint8_t)(255 - i);
        px8[i * 4 + 2] = (uint8_t)(i * 37);
        px8[i * 4 + 3] = (uint8_t)(i * 91);
    }
    exrqoi_display_desc dd = {256, 1, 4, 8, EXRQOI_TRANSFER_SRGB, 0};
    uint16_t a[256 * 4], b[256 * 4];
    assert_int_equal(exrqoi_display_to_linear(px8, &dd, EXRQOI_PIXEL_HALF, a), 0);
    exrqoi_qoi_desc qd = {256, 1, 4, EXRQOI_QOI_SRGB};
    assert_int_equal(exrqoi_qoi_pixels_to_half(px8, &qd, b), 0);
    assert_memory_equal(a, b, sizeof a);

    /* gamma 0.45455 (PNG gAMA 45455): linear = code^(1/0.45455); 16-bit RGB */
    uint16_t px16[3] = {32768, 65535, 1000};
    float out[4];
    exrqoi_display_desc g = {1, 1, 3, 16, EXRQOI_TRANSFER_GAMMA, 0.45455};
    assert_int_equal(exrqoi_display_to_linear(px16, &g, EXRQOI_PIXEL_FLOAT, out), 0);
    assert_float_equal(out[0], pow(32768 / 65535.0, 1 / 0.45455), 1e-7);
    assert_float_equal(out[1], 1.0, 0);
    assert_float_equal(out[2], pow(1000 / 65535.0, 1 / 0.45455), 1e-9);
    assert_float_equal(out[3], 1.0, 0);
    /* linear 8-bit RGBA: colour code/255 times alpha */
    uint8_t l8[4] = {255, 51, 0, 102};
    exrqoi_display_desc l = {1, 1, 4, 8, EXRQOI_TRANSFER_LINEAR, 0};
    assert_int_equal(exrqoi_display_to_linear(l8, &l, EXRQOI_PIXEL_FLOAT, out), 0);
    assert_float_equal(out[0], 0.4, 1e-7);
    assert_float_equal(out[1], 0.2 * 0.4, 1e-7);
    assert_float_equal(out[2], 0, 0);
    assert_float_equal(out[3], 0.4, 1e-7);
    /* bad arguments */
    g.gamma = 0;
    assert_int_equal(exrqoi_display_to_linear(px16, &g, EXRQOI_PIXEL_FLOAT, out),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    g.gamma = 0.45455;
    g.bits = 12;
    assert_int_equal(exrqoi_display_to_linear(px16, &g, EXRQOI_PIXEL_FLOAT, out),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    g.bits = 16;
    assert_int_equal(exrqoi_display_to_linear(px16, &g, EXRQOI_PIXEL_UINT, out),
                     EXRQOI_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_values),
        cmocka_unit_test(test_corpus_oracle),
        cmocka_unit_test(test_roundtrip16),
        cmocka_unit_test(test_display_to_linear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
