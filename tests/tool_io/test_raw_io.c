/* src/tools/raw_io.c: synthetic uncompressed Bayer DNGs (a short TIFF
 * written here: CFA pattern, black and white levels, AsShotNeutral,
 * ColorMatrix1, EXIF exposure data) developed to scene-linear values worked
 * out by hand; metadata; orientation; hostile files. */
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
#include "tools/raw_io.h"
#include "test_support.h"

#if EXRQOI_HAVE_RAW

/* ---- a little-endian TIFF/DNG writer ---- */

typedef struct tiff_entry {
    uint16_t tag, type;
    uint32_t count;
    uint8_t data[96]; /* the value, little-endian */
} tiff_entry;

enum { T_BYTE = 1, T_ASCII = 2, T_SHORT = 3, T_LONG = 4, T_RATIONAL = 5, T_SRATIONAL = 10 };

static size_t type_size(uint16_t t)
{
    return t == T_SHORT ? 2 : t == T_LONG ? 4 : t == T_RATIONAL || t == T_SRATIONAL ? 8 : 1;
}

static void le16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void le32(uint8_t *p, uint32_t v)
{
    le16(p, v & 0xffff);
    le16(p + 2, v >> 16);
}

typedef struct ifd {
    tiff_entry e[40];
    int n;
} ifd;

static tiff_entry *add(ifd *d, uint16_t tag, uint16_t type, uint32_t count)
{
    tiff_entry *e = &d->e[d->n++];
    memset(e, 0, sizeof *e);
    e->tag = tag, e->type = type, e->count = count;
    assert_true(count * type_size(type) <= sizeof e->data);
    return e;
}
static void add_short(ifd *d, uint16_t tag, uint32_t v) { le16(add(d, tag, T_SHORT, 1)->data, v); }
static void add_long(ifd *d, uint16_t tag, uint32_t v) { le32(add(d, tag, T_LONG, 1)->data, v); }
static void add_ascii(ifd *d, uint16_t tag, const char *s)
{
    tiff_entry *e = add(d, tag, T_ASCII, (uint32_t)strlen(s) + 1);
    memcpy(e->data, s, strlen(s) + 1);
}
static void add_bytes(ifd *d, uint16_t tag, const uint8_t *b, uint32_t n)
{
    memcpy(add(d, tag, T_BYTE, n)->data, b, n);
}
/* (signed) rationals v[i] ~ num / 1000000 */
static void add_rationals(ifd *d, uint16_t tag, uint16_t type, const double *v, uint32_t n)
{
    tiff_entry *e = add(d, tag, type, n);
    for (uint32_t i = 0; i < n; i++) {
        le32(e->data + 8 * i, (uint32_t)(int32_t)lround(v[i] * 1000000.0));
        le32(e->data + 8 * i + 4, 1000000);
    }
}

static int by_tag(const void *a, const void *b)
{
    return (int)((const tiff_entry *)a)->tag - (int)((const tiff_entry *)b)->tag;
}

/* Writes the IFD at `at` in buf, values that do not fit 4 bytes after it;
 * returns the end. */
static size_t put_ifd(uint8_t *buf, size_t at, ifd *d)
{
    qsort(d->e, (size_t)d->n, sizeof d->e[0], by_tag);
    size_t extra = at + 2 + 12 * (size_t)d->n + 4;
    le16(buf + at, (uint32_t)d->n);
    for (int i = 0; i < d->n; i++) {
        uint8_t *p = buf + at + 2 + 12 * i;
        tiff_entry *e = &d->e[i];
        size_t len = e->count * type_size(e->type);
        le16(p, e->tag), le16(p + 2, e->type), le32(p + 4, e->count);
        if (len <= 4) {
            memcpy(p + 8, e->data, len);
        } else {
            extra = (extra + 1) & ~(size_t)1;
            le32(p + 8, (uint32_t)extra);
            memcpy(buf + extra, e->data, len);
            extra += len;
        }
    }
    le32(buf + at + 2 + 12 * d->n, 0);
    return extra;
}

typedef struct dng_spec {
    uint32_t w, h;
    uint16_t black, white;
    double neutral[3];  /* AsShotNeutral */
    double cm[9];       /* ColorMatrix1, XYZ -> camera */
    double cam[3];      /* normalised camera values (0..1 of white - black) per CFA colour */
    int orientation;
} dng_spec;

/* An uncompressed 16-bit RGGB DNG whose every R, G, B photosite holds
 * black + cam[c] * (white - black), rounded. */
static uint8_t *make_dng(const dng_spec *s, size_t *size)
{
    size_t strip = (size_t)s->w * s->h * 2;
    uint8_t *buf = calloc(4096 + strip, 1);
    assert_non_null(buf);
    memcpy(buf, "II*\0", 4);
    le32(buf + 4, 8);
    ifd d0 = {.n = 0}, exif = {.n = 0};
    add_long(&d0, 254, 0);
    add_long(&d0, 256, s->w);
    add_long(&d0, 257, s->h);
    add_short(&d0, 258, 16);
    add_short(&d0, 259, 1);
    add_short(&d0, 262, 32803); /* CFA */
    add_ascii(&d0, 271, "Exrqoi");
    add_ascii(&d0, 272, "Synthetic DNG");
    add_long(&d0, 273, 0); /* StripOffsets, patched below */
    add_short(&d0, 274, (uint32_t)(s->orientation ? s->orientation : 1));
    add_short(&d0, 277, 1);
    add_long(&d0, 278, s->h);
    add_long(&d0, 279, (uint32_t)strip);
    add_short(&d0, 284, 1);
    tiff_entry *dim = add(&d0, 33421, T_SHORT, 2);
    le16(dim->data, 2), le16(dim->data + 2, 2);
    static const uint8_t rggb[4] = {0, 1, 1, 2};
    add_bytes(&d0, 33422, rggb, 4);
    add_long(&d0, 34665, 0); /* Exif IFD, patched below */
    static const uint8_t v14[4] = {1, 4, 0, 0}, v11[4] = {1, 1, 0, 0};
    add_bytes(&d0, 50706, v14, 4);
    add_bytes(&d0, 50707, v11, 4);
    add_ascii(&d0, 50708, "Exrqoi Synthetic DNG");
    add_long(&d0, 50714, s->black);
    add_long(&d0, 50717, s->white);
    add_rationals(&d0, 50721, T_SRATIONAL, s->cm, 9);
    add_rationals(&d0, 50728, T_RATIONAL, s->neutral, 3);
    add_short(&d0, 50778, 21); /* CalibrationIlluminant1: D65 */

    const double exposure = 1.0 / 125, fnumber = 2.8;
    add_rationals(&exif, 33434, T_RATIONAL, &exposure, 1);
    add_rationals(&exif, 33437, T_RATIONAL, &fnumber, 1);
    add_short(&exif, 34855, 400);
    add_ascii(&exif, 42036, "Test Lens 50mm F2.8");

    /* IFD0 at 8, the Exif IFD after it, the strip at 2048 */
    for (int i = 0; i < d0.n; i++) {
        if (d0.e[i].tag == 273) le32(d0.e[i].data, 2048);
    }
    size_t end0 = put_ifd(buf, 8, &d0);
    size_t exif_at = (end0 + 1) & ~(size_t)1;
    /* patch the Exif pointer inside the written IFD0 */
    uint16_t n0 = (uint16_t)(buf[8] | buf[9] << 8);
    for (int i = 0; i < n0; i++) {
        uint8_t *p = buf + 10 + 12 * i;
        if ((p[0] | p[1] << 8) == 34665) le32(p + 8, (uint32_t)exif_at);
    }
    assert_true(put_ifd(buf, exif_at, &exif) < 2048);
    for (uint32_t y = 0; y < s->h; y++)
        for (uint32_t x = 0; x < s->w; x++) {
            int c = rggb[(y & 1) * 2 + (x & 1)];
            long v = lround(s->black + s->cam[c] * (s->white - s->black));
            le16(buf + 2048 + ((size_t)y * s->w + x) * 2, (uint32_t)v);
        }
    *size = 2048 + strip;
    return buf;
}

/* ---- the hand computation ---- */

/* dcraw's and LibRaw's sRGB (D65) -> XYZ matrix, and the camera's own RGB
 * response chosen here: rows sum to 1, so a neutral stays neutral */
static const double xyz_rgb[9] = {0.412453, 0.357580, 0.180423, 0.212671, 0.715160,
                                  0.072169, 0.019334, 0.119193, 0.950227};
static const double cam_rgb[9] = {0.80, 0.15, 0.05, 0.10, 0.80, 0.10, 0.05, 0.25, 0.70};
static const double gains[3] = {0.5, 1.0, 0.8}; /* the sensor's response to white */

static void mat_mul(const double *a, const double *b, double *o)
{
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++)
            o[r * 3 + c] = a[r * 3] * b[c] + a[r * 3 + 1] * b[3 + c] + a[r * 3 + 2] * b[6 + c];
}

static void mat_inv(const double *m, double *o)
{
    double det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
                 m[2] * (m[3] * m[7] - m[4] * m[6]);
    o[0] = (m[4] * m[8] - m[5] * m[7]) / det;
    o[1] = (m[2] * m[7] - m[1] * m[8]) / det;
    o[2] = (m[1] * m[5] - m[2] * m[4]) / det;
    o[3] = (m[5] * m[6] - m[3] * m[8]) / det;
    o[4] = (m[0] * m[8] - m[2] * m[6]) / det;
    o[5] = (m[2] * m[3] - m[0] * m[5]) / det;
    o[6] = (m[3] * m[7] - m[4] * m[6]) / det;
    o[7] = (m[1] * m[6] - m[0] * m[7]) / det;
    o[8] = (m[0] * m[4] - m[1] * m[3]) / det;
}

/* A DNG of a uniform scene whose linear Rec. 709 colour is `target`:
 * ColorMatrix1 = diag(gains) * cam_rgb * xyz_rgb^-1 (XYZ -> camera),
 * AsShotNeutral = gains (the camera's raw white), and the photosites hold
 * camera = diag(gains) * cam_rgb * target. Developing it must give back
 * target: white balance 1/gains undoes the gains, the matrix
 * LibRaw derives (rows of ColorMatrix1 * xyz_rgb normalised to 1, i.e.
 * cam_rgb, inverted) undoes cam_rgb. */
static dng_spec scene(const double target[3])
{
    dng_spec s;
    memset(&s, 0, sizeof s);
    s.w = 32, s.h = 24;
    s.black = 512, s.white = 65000;
    double g[9] = {gains[0], 0, 0, 0, gains[1], 0, 0, 0, gains[2]}, t[9], inv[9];
    mat_mul(g, cam_rgb, t);
    mat_inv(xyz_rgb, inv);
    mat_mul(t, inv, s.cm);
    memcpy(s.neutral, gains, sizeof gains);
    for (int c = 0; c < 3; c++) {
        double v = 0;
        for (int k = 0; k < 3; k++) v += cam_rgb[c * 3 + k] * target[k];
        s.cam[c] = gains[c] * v;
        assert_true(s.cam[c] >= 0 && s.cam[c] <= 1); /* the sensor's range */
    }
    return s;
}

/* Tolerance: photosites are rounded to 1/64488 of the range (times a white
 * balance gain of at most 2 and a matrix of norm < 1.5: < 3e-5), the matrix
 * is stored as rationals of 1/10^6 and LibRaw keeps it in float: 1e-4. */
#define TOL 1e-4

static void develop(const dng_spec *s, const tool_raw_options *o, tool_image *img,
                    tool_raw_meta *meta)
{
    size_t size;
    uint8_t *dng = make_dng(s, &size);
    char msg[256] = "";
    exrqoi_result rv = tool_raw_read_mem(dng, size, o, img, meta, msg, sizeof msg);
    if (rv) fail_msg("develop: %s", msg);
    free(dng);
    assert_int_equal(img->sample, TOOL_SAMPLE_F32);
    assert_int_equal(img->channels, 3);
}

static void expect_uniform(const tool_image *img, const double want[3], double tol)
{
    const float *p = (const float *)img->pixels;
    for (size_t i = 0; i < (size_t)img->width * img->height; i++)
        for (int c = 0; c < 3; c++)
            if (fabs(p[i * 3 + c] - want[c]) > tol)
                fail_msg("pixel %zu channel %d: %.6f, expected %.6f", i, c, p[i * 3 + c],
                         want[c]);
}

static void test_as_shot(void **state)
{
    (void)state;
    const double target[3] = {0.5, 0.25, 0.125};
    dng_spec s = scene(target);
    tool_image img;
    tool_raw_meta meta;
    develop(&s, NULL, &img, &meta);
    assert_int_equal(img.width, 32);
    assert_int_equal(img.height, 24);
    expect_uniform(&img, target, TOL);
    /* white balance used: 1 / AsShotNeutral, green 1 */
    assert_float_equal(meta.wb[0], 2.0, 1e-5);
    assert_float_equal(meta.wb[1], 1.0, 0);
    assert_float_equal(meta.wb[2], 1.25, 1e-5);
    assert_float_equal(meta.chroma.red_x, 0.64, 1e-6);
    assert_float_equal(meta.chroma.white_y, 0.3290, 1e-6);
    /* metadata */
    assert_string_equal(meta.make, "Exrqoi");
    assert_string_equal(meta.model, "Synthetic DNG");
    assert_string_equal(meta.lens, "Test Lens 50mm F2.8");
    assert_float_equal(meta.iso, 400, 0);
    assert_float_equal(meta.exposure_time, 1.0 / 125, 1e-7);
    assert_float_equal(meta.aperture, 2.8, 1e-6);
    tool_image_free(&img);
}

/* Highlights: a red of 1.6 (the sensor's red photosites at 72% of their
 * range, doubled by the white balance) is kept above 1. */
static void test_highlights_not_clipped(void **state)
{
    (void)state;
    const double target[3] = {1.6, 0.9, 0.4};
    dng_spec s = scene(target);
    tool_image img;
    develop(&s, NULL, &img, NULL);
    expect_uniform(&img, target, TOL);
    tool_image_free(&img);
}

/* Given multipliers replace the as-shot ones: with (1, 1, 1) the camera
 * values go through the matrix alone: want = cam_rgb^-1 * camera. */
static void test_given_wb(void **state)
{
    (void)state;
    const double target[3] = {0.5, 0.25, 0.125};
    dng_spec s = scene(target);
    tool_raw_options o;
    memset(&o, 0, sizeof o);
    o.has_wb = true;
    o.wb[0] = o.wb[1] = o.wb[2] = 3.0f; /* ratios only: same as 1,1,1 */
    tool_image img;
    tool_raw_meta meta;
    develop(&s, &o, &img, &meta);
    double inv[9], want[3];
    mat_inv(cam_rgb, inv);
    for (int r = 0; r < 3; r++)
        want[r] = inv[r * 3] * s.cam[0] + inv[r * 3 + 1] * s.cam[1] + inv[r * 3 + 2] * s.cam[2];
    expect_uniform(&img, want, TOL);
    assert_float_equal(meta.wb[0], 1.0, 0);
    tool_image_free(&img);
    o.wb[1] = 0;
    size_t size;
    uint8_t *dng = make_dng(&s, &size);
    char msg[256] = "";
    assert_int_equal(tool_raw_read_mem(dng, size, &o, &img, NULL, msg, sizeof msg),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    assert_true(strlen(msg) > 0);
    free(dng);
}

/* ACES AP0: Rec. 709 -> AP0 with Bradford D65 -> ACES white, the matrix
 * published with ACES (e.g. colour-science): rows
 * (0.4397010, 0.3829780, 0.1773350), (0.0897923, 0.8134230, 0.0967616),
 * (0.0175440, 0.1115440, 0.8707040). */
static void test_aces(void **state)
{
    (void)state;
    const double target[3] = {0.5, 0.25, 0.125};
    static const double ap0[9] = {0.4397010, 0.3829780, 0.1773350, 0.0897923, 0.8134230,
                                  0.0967616, 0.0175440, 0.1115440, 0.8707040};
    dng_spec s = scene(target);
    tool_raw_options o;
    memset(&o, 0, sizeof o);
    o.primaries = TOOL_RAW_ACES;
    tool_image img;
    tool_raw_meta meta;
    develop(&s, &o, &img, &meta);
    double want[3];
    for (int r = 0; r < 3; r++)
        want[r] = ap0[r * 3] * target[0] + ap0[r * 3 + 1] * target[1] + ap0[r * 3 + 2] * target[2];
    expect_uniform(&img, want, 2e-4);
    assert_float_equal(meta.chroma.red_x, 0.7347, 1e-6);
    assert_float_equal(meta.chroma.blue_y, -0.0770, 1e-6);
    assert_float_equal(meta.chroma.white_x, 0.32168, 1e-6);
    tool_image_free(&img);
}

/* Orientation 6 (rotate 90 degrees clockwise): width and height swap. */
static void test_orientation(void **state)
{
    (void)state;
    const double target[3] = {0.5, 0.25, 0.125};
    dng_spec s = scene(target);
    s.orientation = 6;
    tool_image img;
    develop(&s, NULL, &img, NULL);
    assert_int_equal(img.width, 24);
    assert_int_equal(img.height, 32);
    expect_uniform(&img, target, TOL);
    tool_image_free(&img);
}

static exrqoi_result expect_failure(const void *data, size_t size, const exrqoi_limits *lim)
{
    tool_raw_options o;
    memset(&o, 0, sizeof o);
    o.limits = lim;
    tool_image img;
    char msg[256] = "";
    exrqoi_result rv = tool_raw_read_mem(data, size, &o, &img, NULL, msg, sizeof msg);
    assert_int_not_equal(rv, 0);
    assert_true(strlen(msg) > 0);
    assert_null(img.pixels);
    return rv;
}

static void test_hostile(void **state)
{
    (void)state;
    const double target[3] = {0.5, 0.25, 0.125};
    dng_spec s = scene(target);
    size_t size;
    uint8_t *dng = make_dng(&s, &size);
    /* truncated: in the header, in the strip */
    expect_failure(dng, 7, NULL);
    expect_failure(dng, 300, NULL);
    expect_failure(dng, 2048 + 100, NULL);
    expect_failure(dng, size - 2, NULL);
    /* not a raw file */
    expect_failure("hello, this is not a camera raw file at all........", 50, NULL);
    /* the caller's limits */
    exrqoi_limits lim;
    lim = (exrqoi_limits)EXRQOI_LIMITS_INIT;
    lim.max_width = 31;
    assert_int_equal(expect_failure(dng, size, &lim), EXRQOI_ERR_LIMIT);
    lim = (exrqoi_limits)EXRQOI_LIMITS_INIT;
    lim.max_pixels = 32 * 24 - 1;
    assert_int_equal(expect_failure(dng, size, &lim), EXRQOI_ERR_LIMIT);
    /* huge declared size: 60000 x 60000 16-bit in a file of a few KB */
    uint16_t n0 = (uint16_t)(dng[8] | dng[9] << 8);
    for (int i = 0; i < n0; i++) {
        uint8_t *p = dng + 10 + 12 * i;
        int tag = p[0] | p[1] << 8;
        if (tag == 256 || tag == 257 || tag == 278) le32(p + 8, 60000);
        if (tag == 279) le32(p + 8, 60000u * 60000u * 2u);
    }
    lim = (exrqoi_limits)EXRQOI_LIMITS_INIT;
    lim.max_pixels = 1u << 24;
    assert_int_equal(expect_failure(dng, size, &lim), EXRQOI_ERR_LIMIT);
    expect_failure(dng, size, NULL); /* default limits: LibRaw finds the data missing */
    free(dng);
    /* missing file */
    tool_image img;
    char msg[256] = "";
    assert_int_not_equal(tool_raw_read_path("/nonexistent/x.dng", NULL, &img, NULL, msg, sizeof msg),
                         0);
    assert_true(strlen(msg) > 0);
}

/* test_raw_io --write-dng PATH [aces-target]: writes the scene of
 * test_as_shot as a DNG file for the command-line test
 * (convert_formats_test.sh) and exits. */
static int write_dng(const char *path)
{
    const double target[3] = {0.5, 0.25, 0.125};
    dng_spec s = scene(target);
    size_t size;
    uint8_t *dng = make_dng(&s, &size);
    bool ok = ts_write_file(path, dng, size);
    free(dng);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write-dng") == 0) return write_dng(argv[2]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_as_shot),    cmocka_unit_test(test_highlights_not_clipped),
        cmocka_unit_test(test_given_wb),   cmocka_unit_test(test_aces),
        cmocka_unit_test(test_orientation), cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else /* built without LibRaw: the stubs say so */

static void test_without_raw(void **state)
{
    (void)state;
    assert_false(tool_raw_available());
    tool_image img;
    char msg[256] = "";
    assert_int_equal(tool_raw_read_path("x.dng", NULL, &img, NULL, msg, sizeof msg),
                     EXRQOI_ERR_UNSUPPORTED);
    assert_non_null(strstr(msg, "without camera raw support"));
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write-dng") == 0) return 77;
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_without_raw)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
