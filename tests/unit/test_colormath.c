/* Colour math: hand-computed values of the sRGB curves and tone curves,
 * the fast 8-bit encoder against the exact one, and chromaticity matrices. */
#define _GNU_SOURCE 1
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "convert/colormath.h"

#define NEAR(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))

static void test_srgb(void **state)
{
    (void)state;
    /* 1.055 * 0.5^(1/2.4) - 0.055 = 0.735357..., * 255 = 187.52 -> 188 */
    assert_int_equal(exrqoi__srgb_encode8(0.5f), 188);
    assert_int_equal(exrqoi__srgb_encode8(0.0f), 0);
    assert_int_equal(exrqoi__srgb_encode8(1.0f), 255);
    assert_int_equal(exrqoi__srgb_encode8(-3.0f), 0);
    assert_int_equal(exrqoi__srgb_encode8(7.0f), 255);
    assert_int_equal(exrqoi__srgb_encode8(NAN), 0);
    /* linear segment: 0.001 * 12.92 * 255 = 3.29 -> 3 */
    assert_int_equal(exrqoi__srgb_encode8(0.001f), 3);
    /* 0.18 (mid grey): 1.055*0.18^(1/2.4)-0.055 = 0.46135 -> 117.6 -> 118 */
    assert_int_equal(exrqoi__srgb_encode8(0.18f), 118);
    NEAR(exrqoi__srgb_oetf(0.5f), 0.735356983, 1e-6);
    NEAR(exrqoi__srgb_eotf(0.735356983f), 0.5, 1e-6);
    NEAR(exrqoi__srgb_eotf(0.04045f), 0.04045 / 12.92, 1e-9);
    assert_int_equal(exrqoi__unorm_encode8(0.5f), 128);
    assert_int_equal(exrqoi__unorm_encode8(0.499f), 127);
    assert_int_equal(exrqoi__unorm_encode8(2.0f), 255);

    float t[256];
    exrqoi__srgb_decode_table(t);
    assert_true(t[0] == 0.0f);
    assert_true(t[255] == 1.0f);
    /* 188/255 = 0.737255 -> ((0.737255+0.055)/1.055)^2.4 = 0.502886 */
    NEAR(t[188], 0.502886, 1e-5);
    NEAR(t[10], 10.0 / 255.0 / 12.92, 1e-9);
    for (int i = 0; i < 256; i++) {
        assert_int_equal(exrqoi__srgb_encode8(t[i]), i); /* round trip */
        if (i) assert_true(t[i] > t[i - 1]);
    }
}

static void test_srgb_fast(void **state)
{
    (void)state;
    exrqoi__srgb8_encoder e;
    exrqoi__srgb8_encoder_init(&e);
    /* every 997th float of [0, 1], and around each threshold */
    for (uint32_t u = 0; u <= 0x3f800000u; u += 997) {
        float f;
        memcpy(&f, &u, 4);
        assert_int_equal(exrqoi__srgb8_encode_fast(&e, f), exrqoi__srgb_encode8(f));
    }
    for (int k = 0; k < 255; k++) {
        float th = e.threshold[k];
        float below = nextafterf(th, 0.0f);
        assert_int_equal(exrqoi__srgb8_encode_fast(&e, th), exrqoi__srgb_encode8(th));
        assert_int_equal(exrqoi__srgb_encode8(th), k + 1);
        assert_int_equal(exrqoi__srgb_encode8(below), k);
        assert_int_equal(exrqoi__srgb8_encode_fast(&e, below), k);
    }
    assert_int_equal(exrqoi__srgb8_encode_fast(&e, -1.0f), 0);
    assert_int_equal(exrqoi__srgb8_encode_fast(&e, NAN), 0);
    assert_int_equal(exrqoi__srgb8_encode_fast(&e, 5.0f), 255);
    assert_int_equal(exrqoi__srgb8_encode_fast(&e, INFINITY), 255);
}

static void test_tone(void **state)
{
    (void)state;
    NEAR(exrqoi__tone_reinhard(1.0f), 0.5, 1e-7);
    NEAR(exrqoi__tone_reinhard(3.0f), 0.75, 1e-7);
    assert_true(exrqoi__tone_reinhard(-1.0f) == 0.0f);
    assert_true(exrqoi__tone_reinhard(INFINITY) == 1.0f);
    assert_true(exrqoi__tone_reinhard(NAN) == 0.0f);
    /* (2.51 + 0.03) / (2.43 + 0.59 + 0.14) = 2.54 / 3.16 = 0.803797 */
    NEAR(exrqoi__tone_aces(1.0f), 0.8037975, 1e-6);
    assert_true(exrqoi__tone_aces(0.0f) == 0.0f);
    assert_true(exrqoi__tone_aces(100.0f) == 1.0f); /* clamped (the fit exceeds 1) */
    /* 0.18: 0.18*(0.4518+0.03) / (0.18*(0.4374+0.59)+0.14) = 0.086724/0.324932 */
    NEAR(exrqoi__tone_aces(0.18f), 0.0867240 / 0.3249320, 1e-6);
    assert_true(exrqoi__tone_clamp(1.5f) == 1.0f);
    assert_true(exrqoi__tone_clamp(-0.5f) == 0.0f);
    assert_true(exrqoi__tone_clamp(0.25f) == 0.25f);
    assert_true(exrqoi__tone_clamp(NAN) == 0.0f);
    assert_true(exrqoi__exposure_scale(0.0f) == 1.0f);
    assert_true(exrqoi__exposure_scale(2.0f) == 4.0f);
    assert_true(exrqoi__exposure_scale(-1.0f) == 0.5f);
}

static void test_alpha(void **state)
{
    (void)state;
    float c[3] = {0.2f, 0.4f, 1.0f};
    exrqoi__premultiply(c, 0.5f);
    NEAR(c[0], 0.1, 1e-7);
    NEAR(c[2], 0.5, 1e-7);
    exrqoi__unpremultiply(c, 0.5f);
    NEAR(c[0], 0.2, 1e-7);
    NEAR(c[1], 0.4, 1e-7);
    float z[3] = {0.3f, 0.0f, 0.1f};
    exrqoi__unpremultiply(z, 0.0f); /* unchanged */
    assert_true(z[0] == 0.3f && z[2] == 0.1f);
    exrqoi__unpremultiply(z, NAN);
    assert_true(z[0] == 0.3f);
}

static void test_matrix(void **state)
{
    (void)state;
    exrqoi__chroma c;
    exrqoi__chroma_rec709(&c);
    double m[9];
    assert_true(exrqoi__chroma_to_rec709(&c, m));
    for (int i = 0; i < 9; i++) NEAR(m[i], (i % 4 == 0) ? 1.0 : 0.0, 1e-5);

    /* the sRGB RGB->XYZ matrix of IEC 61966-2-1 (first row 0.4124 0.3576 0.1805) */
    double x[9];
    assert_true(exrqoi__rgb_to_xyz(&c, x));
    NEAR(x[0], 0.4124, 1e-3);
    NEAR(x[1], 0.3576, 1e-3);
    NEAR(x[2], 0.1805, 1e-3);
    NEAR(x[3] + x[4] + x[5], 1.0, 1e-9); /* Y of white */

    /* ACES 2065-1 (AP0, white ~D60) to linear sRGB with Bradford, as the
     * commonly published matrix */
    exrqoi__chroma ap0 = {0.7347f, 0.2653f, 0.0f, 1.0f, 0.0001f, -0.0770f, 0.32168f, 0.33767f};
    static const double want[9] = {2.52169, -1.13413, -0.38756, -0.27648, 1.37272,
                                   -0.09624, -0.01538, -0.15298, 1.16835};
    assert_true(exrqoi__chroma_to_rec709(&ap0, m));
    for (int i = 0; i < 9; i++) NEAR(m[i], want[i], 2e-3);
    /* adaptation maps the source white (RGB 1,1,1) to white */
    float w[3] = {1, 1, 1}, o[3];
    exrqoi__mat3_apply(m, w, o);
    NEAR(o[0], 1.0, 1e-5);
    NEAR(o[1], 1.0, 1e-5);
    NEAR(o[2], 1.0, 1e-5);

    /* degenerate chromaticities */
    exrqoi__chroma bad = c;
    bad.green_x = bad.red_x;
    bad.green_y = bad.red_y;
    assert_false(exrqoi__chroma_to_rec709(&bad, m));
    bad = c;
    bad.white_y = 0.0f;
    assert_false(exrqoi__chroma_to_rec709(&bad, m));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_srgb),  cmocka_unit_test(test_srgb_fast),
        cmocka_unit_test(test_tone),  cmocka_unit_test(test_alpha),
        cmocka_unit_test(test_matrix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
