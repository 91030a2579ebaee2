/* Flattening deep pixels: hand-computed cases from InterpretingDeepPixels.rst
 * (point samples, volume splitting, overlapping volumes, merging of
 * coincident samples, opaque and zero-alpha samples, unsorted input),
 * and whole-image flattening. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exrqoi/deep.h"
#include "test_support.h"

static double g_work[4096];

typedef struct out {
    float c, a, z;
} out;

/* One colour channel. */
static out flat(size_t n, const float *z, const float *zb, const float *a, const float *c)
{
    const float *cols[1] = {c};
    out o = {-1, -1, -1};
    assert_true(exrqoi_deep_flatten_work_size(n, 1) <= sizeof g_work);
    assert_int_equal(exrqoi_deep_flatten_pixel(n, z, zb, a, 1, cols, g_work, sizeof g_work, &o.c,
                                               &o.a, &o.z),
                     EXRQOI_OK);
    return o;
}

#define NEAR(x, y) assert_true(fabs((double)(x) - (double)(y)) < 1e-6)

static void test_empty_and_single(void **state)
{
    (void)state;
    out o = flat(0, NULL, NULL, NULL, NULL);
    assert_true(o.a == 0.0f);
    assert_true(isinf(o.z));
    const float z[1] = {3}, a[1] = {0.5f}, c[1] = {0.4f};
    o = flat(1, z, NULL, a, c);
    assert_true(o.a == 0.5f && o.c == 0.4f && o.z == 3.0f);
    /* a volume sample on its own is exactly itself */
    const float zb[1] = {7};
    o = flat(1, z, zb, a, c);
    assert_true(o.a == 0.5f && o.c == 0.4f);
    /* no alpha channel: opaque */
    o = flat(1, z, NULL, NULL, c);
    assert_true(o.a == 1.0f && o.c == 0.4f);
}

static void test_two_points_unsorted(void **state)
{
    (void)state;
    /* the back sample is listed first */
    const float z[2] = {5, 2}, a[2] = {0.5f, 0.25f}, c[2] = {0.5f, 0.2f};
    out o = flat(2, z, NULL, a, c);
    NEAR(o.c, 0.2 + 0.75 * 0.5);
    NEAR(o.a, 0.25 + 0.75 * 0.5);
    assert_true(o.z == 2.0f);
    /* ZBack below Z also means a point sample */
    const float zb[2] = {1, 0};
    out p = flat(2, z, zb, a, c);
    assert_true(p.c == o.c && p.a == o.a);
}

/* Volume [0,2) alpha 0.75 colour 0.6, split at 1 by a point sample: each
 * half has alpha 1-(1-0.75)^0.5 = 0.5 and colour 0.6*0.5/0.75 = 0.4. */
static void test_volume_split_in_halves(void **state)
{
    (void)state;
    const float z[2] = {0, 1}, zb[2] = {2, 1}, a[2] = {0.75f, 0.5f}, c[2] = {0.6f, 0.5f};
    out o = flat(2, z, zb, a, c);
    /* front half, then the point, then the back half */
    double cc = 0.4, aa = 0.5;
    cc += (1 - aa) * 0.5;
    aa += (1 - aa) * 0.5;
    cc += (1 - aa) * 0.4;
    aa += (1 - aa) * 0.5;
    NEAR(o.c, cc); /* 0.75 */
    NEAR(o.a, aa); /* 0.875 */
    assert_true(o.z == 0.0f);

    /* a transparent point splits the volume but changes nothing */
    const float a0[2] = {0.75f, 0.0f}, c0[2] = {0.6f, 0.0f};
    o = flat(2, z, zb, a0, c0);
    NEAR(o.c, 0.6);
    NEAR(o.a, 0.75);

    /* one volume cut into two consecutive ones flattens like the whole */
    const float z2[2] = {0, 1}, zb2[2] = {1, 2}, a2[2] = {0.5f, 0.5f}, c2[2] = {0.4f, 0.4f};
    o = flat(2, z2, zb2, a2, c2);
    NEAR(o.c, 0.6);
    NEAR(o.a, 0.75);
}

/* A = [0,2) alpha 0.75 colour 0.3, B = [1,3) alpha 0.75 colour 0.6.
 * [0,1): half of A: alpha 0.5, colour 0.2. [1,2): halves of A and B
 * merged: alpha 1-0.5*0.5 = 0.75, colour w*(c_a v_a + c_b v_b) with
 * v = ln2/0.5, w = 0.75/(2 ln2): 0.75/(2ln2) * (0.2+0.4)*2ln2 = 0.45.
 * [2,3): half of B: alpha 0.5, colour 0.4. */
static void test_overlapping_volumes(void **state)
{
    (void)state;
    const float z[2] = {1, 0}, zb[2] = {3, 2}, a[2] = {0.75f, 0.75f}, c[2] = {0.6f, 0.3f};
    out o = flat(2, z, zb, a, c);
    double cc = 0.2, aa = 0.5;
    cc += (1 - aa) * 0.45;
    aa += (1 - aa) * 0.75;
    cc += (1 - aa) * 0.4;
    aa += (1 - aa) * 0.5;
    NEAR(o.c, cc); /* 0.475 */
    NEAR(o.a, aa); /* 0.9375 = 1 - 0.25*0.25 */

    /* perfectly overlapping volumes merge as in the document */
    const float zs[2] = {0, 0}, zbs[2] = {2, 2}, as[2] = {0.5f, 0.5f}, cs[2] = {0.3f, 0.1f};
    o = flat(2, zs, zbs, as, cs);
    NEAR(o.a, 0.75);
    NEAR(o.c, 0.3); /* 0.75/(2ln2) * (0.3+0.1) * 2ln2 */
}

static void test_coincident_points(void **state)
{
    (void)state;
    /* merged, not composited: the result is independent of order */
    const float z[2] = {1, 1}, a[2] = {0.5f, 0.5f}, c1[2] = {0.3f, 0.1f}, c2[2] = {0.1f, 0.3f};
    const float a2[2] = {0.5f, 0.5f};
    out o = flat(2, z, NULL, a, c1);
    NEAR(o.a, 0.75);
    NEAR(o.c, 0.3);
    out p = flat(2, z, NULL, a2, c2);
    NEAR(p.c, o.c);
    /* one opaque: its colour wins; both opaque: the mean */
    const float ao[2] = {1.0f, 0.5f};
    o = flat(2, z, NULL, ao, c1);
    assert_true(o.a == 1.0f);
    NEAR(o.c, 0.3);
    const float aoo[2] = {1.0f, 1.0f};
    o = flat(2, z, NULL, aoo, c1);
    NEAR(o.c, 0.2);
    /* both transparent: emitted light adds up */
    const float az[2] = {0.0f, 0.0f};
    o = flat(2, z, NULL, az, c1);
    assert_true(o.a == 0.0f);
    NEAR(o.c, 0.4);
}

static void test_opaque_stops(void **state)
{
    (void)state;
    const float z[3] = {2, 1, 3}, a[3] = {0.5f, 1.0f, 0.9f}, c[3] = {0.5f, 0.7f, 0.9f};
    out o = flat(3, z, NULL, a, c);
    assert_true(o.a == 1.0f);
    assert_true(o.c == 0.7f);
    assert_true(o.z == 1.0f);
    /* an opaque volume hides a point inside it: its front piece is opaque */
    const float zv[2] = {0, 2}, zbv[2] = {4, 2}, av[2] = {1.0f, 0.5f}, cv[2] = {0.9f, 0.1f};
    o = flat(2, zv, zbv, av, cv);
    assert_true(o.a == 1.0f);
    NEAR(o.c, 0.9);
}

static void test_zero_alpha(void **state)
{
    (void)state;
    /* a transparent emitter in front adds its colour; z is the front of
     * the first sample with alpha */
    const float z[2] = {1, 2}, a[2] = {0.0f, 0.5f}, c[2] = {0.3f, 0.4f};
    out o = flat(2, z, NULL, a, c);
    NEAR(o.c, 0.7);
    NEAR(o.a, 0.5);
    assert_true(o.z == 2.0f);
    /* a transparent volume [0,2) colour 0.4 split at 1: colour 0.2 per half */
    const float zv[2] = {0, 1}, zbv[2] = {2, 1}, av[2] = {0.0f, 0.5f}, cv[2] = {0.4f, 0.2f};
    o = flat(2, zv, zbv, av, cv);
    NEAR(o.c, 0.2 + 0.2 + 0.5 * 0.2);
    NEAR(o.a, 0.5);
    assert_true(o.z == 1.0f);
    /* all transparent: z is the front-most sample */
    const float a00[2] = {0.0f, 0.0f};
    o = flat(2, z, NULL, a00, c);
    assert_true(o.z == 1.0f);
}

static void test_tiny_alpha_keeps_colour(void **state)
{
    (void)state;
    /* 1-(1-a)^x would round to 0 in float: the log1p/expm1 form must not */
    const float z[2] = {0, 1}, zb[2] = {2, 1}, a[2] = {1e-9f, 0.0f}, c[2] = {5e-10f, 0.0f};
    out o = flat(2, z, zb, a, c);
    assert_true(fabs(o.c - 5e-10) < 5e-10 * 1e-5);
    assert_true(fabs(o.a - 1e-9) < 1e-9 * 1e-5);
}

static void test_odd_values(void **state)
{
    (void)state;
    /* NaN depth is skipped; alpha above 1 is clamped; NaN alpha is 0 */
    const float z[3] = {NAN, 1, 2}, a[3] = {0.5f, 2.0f, 0.5f}, c[3] = {9, 0.5f, 9};
    out o = flat(3, z, NULL, a, c);
    assert_true(o.a == 1.0f && o.c == 0.5f);
    const float an[2] = {NAN, 0.5f}, z2[2] = {1, 2}, c2[2] = {0.25f, 0.5f};
    o = flat(2, z2, NULL, an, c2);
    NEAR(o.c, 0.75);
    NEAR(o.a, 0.5);
    /* infinite back: treated as a point sample */
    const float zi[1] = {1}, zbi[1] = {INFINITY}, ai[1] = {0.5f}, ci[1] = {0.5f};
    o = flat(1, zi, zbi, ai, ci);
    assert_true(o.a == 0.5f && o.c == 0.5f);

    /* work buffer too small */
    const float *cols[1] = {c2};
    float oc, oa;
    assert_int_equal(exrqoi_deep_flatten_pixel(2, z2, NULL, an, 1, cols, g_work, 8, &oc, &oa, NULL),
                     EXRQOI_ERR_BUFFER_TOO_SMALL);
}

/* Many point samples at distinct depths: flatten equals plain "over" in
 * depth order (exercises the merge sort beyond its insertion runs). */
static void test_many_points_match_over(void **state)
{
    (void)state;
    enum { N = 150 };
    float z[N], a[N], c[N];
    int order[N];
    uint32_t s = 7;
    for (int i = 0; i < N; i++) order[i] = i;
    for (int i = N - 1; i > 0; i--) {
        ts_lcg_ansi(&s);
        int j = (int)((s >> 8) % (uint32_t)(i + 1));
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (int i = 0; i < N; i++) {
        z[order[i]] = (float)i * 0.5f + 1.0f; /* sample order[i] is i-th from the front */
        a[order[i]] = 0.02f + 0.001f * (float)(i % 7);
        c[order[i]] = a[order[i]] * (0.25f + 0.05f * (float)(i % 3));
    }
    double cc = 0, aa = 0;
    for (int i = 0; i < N; i++) {
        int k = order[i];
        cc += (1 - aa) * c[k];
        aa += (1 - aa) * a[k];
    }
    out o = flat(N, z, NULL, a, c);
    NEAR(o.c, cc);
    NEAR(o.a, aa);
    assert_true(o.z == 1.0f);
}

static void test_whole_image(void **state)
{
    (void)state;
    exrqoi_deep_image img;
    const char *names[5] = {"A", "G", "R", "Z", "ZBack"};
    const exrqoi_pixel_type types[5] = {EXRQOI_PIXEL_HALF, EXRQOI_PIXEL_FLOAT, EXRQOI_PIXEL_HALF,
                                        EXRQOI_PIXEL_FLOAT, EXRQOI_PIXEL_FLOAT};
    assert_int_equal(exrqoi_deep_image_init(&img, NULL, 3, 1, 5, names, types), EXRQOI_OK);
    img.counts[0] = 2;
    img.counts[1] = 0;
    img.counts[2] = 1;
    assert_int_equal(exrqoi_deep_image_alloc_samples(&img, 0), EXRQOI_OK);
    uint16_t *A = img.channels[0].samples, *R = img.channels[2].samples;
    float *G = img.channels[1].samples, *Z = img.channels[3].samples, *ZB = img.channels[4].samples;
    /* pixel 0: back sample first (Z 5, alpha 0.5, R 0.5) then front (Z 2,
     * alpha 0.25, R 0.25); pixel 2: volume [1,3) alpha 1 */
    A[0] = 0x3800; R[0] = 0x3800; G[0] = 0.5f; Z[0] = 5; ZB[0] = 5;
    A[1] = 0x3400; R[1] = 0x3400; G[1] = 0.0f; Z[1] = 2; ZB[1] = 2;
    A[2] = 0x3c00; R[2] = 0x3c00; G[2] = 1.0f; Z[2] = 1; ZB[2] = 3;
    float rgba[12], z[3];
    assert_int_equal(exrqoi_deep_flatten_image(&img, rgba, z), EXRQOI_OK);
    NEAR(rgba[0], 0.25 + 0.75 * 0.5);
    NEAR(rgba[1], 0.75 * 0.5);
    assert_true(rgba[2] == 0.0f); /* no B channel */
    NEAR(rgba[3], 0.625);
    assert_true(z[0] == 2.0f);
    assert_true(rgba[4] == 0 && rgba[5] == 0 && rgba[6] == 0 && rgba[7] == 0);
    assert_true(isinf(z[1]));
    assert_true(rgba[8] == 1.0f && rgba[9] == 1.0f && rgba[11] == 1.0f && z[2] == 1.0f);
    /* outputs are optional */
    assert_int_equal(exrqoi_deep_flatten_image(&img, NULL, z), EXRQOI_OK);
    exrqoi_deep_image_free(&img);

    /* Z is required */
    const char *nz[1] = {"R"};
    assert_int_equal(exrqoi_deep_image_init(&img, NULL, 1, 1, 1, nz, types), EXRQOI_OK);
    assert_int_equal(exrqoi_deep_image_alloc_samples(&img, 0), EXRQOI_OK);
    assert_int_equal(exrqoi_deep_flatten_image(&img, rgba, z), EXRQOI_ERR_NOT_FOUND);
    exrqoi_deep_image_free(&img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_and_single),
        cmocka_unit_test(test_two_points_unsorted),
        cmocka_unit_test(test_volume_split_in_halves),
        cmocka_unit_test(test_overlapping_volumes),
        cmocka_unit_test(test_coincident_points),
        cmocka_unit_test(test_opaque_stops),
        cmocka_unit_test(test_zero_alpha),
        cmocka_unit_test(test_tiny_alpha_keeps_colour),
        cmocka_unit_test(test_odd_values),
        cmocka_unit_test(test_many_points_match_over),
        cmocka_unit_test(test_whole_image),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
