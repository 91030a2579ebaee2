/* Attribute layer: parse/serialise round trips for every type, rejection of
 * wrong sizes and hostile counts, deep copies, and the tool's printers. */
#define _GNU_SOURCE 1
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "meta/attr.h"
/* The printers live in the tool, which is not part of the library. */
#include "tools/attr_print.c"
#include "test_support.h"

/* ---- byte builder ------------------------------------------------------- */

typedef struct buf {
    uint8_t b[1024];
    size_t n;
} buf;

static void b_u8(buf *b, uint8_t v) { b->b[b->n++] = v; }
static void b_i32(buf *b, int32_t v)
{
    uint32_t u = (uint32_t)v;
    for (int i = 0; i < 4; i++) b_u8(b, (uint8_t)(u >> (8 * i)));
}
static void b_f32(buf *b, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    b_i32(b, (int32_t)u);
}
static void b_f64(buf *b, double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    b_i32(b, (int32_t)(uint32_t)u);
    b_i32(b, (int32_t)(uint32_t)(u >> 32));
}
static void b_raw(buf *b, const void *p, size_t n)
{
    memcpy(b->b + b->n, p, n);
    b->n += n;
}
static void b_str0(buf *b, const char *s) { b_raw(b, s, strlen(s) + 1); }
static void b_chan(buf *b, const char *name, int32_t type, uint8_t plin, int32_t xs, int32_t ys)
{
    b_str0(b, name);
    b_i32(b, type);
    b_u8(b, plin);
    b_u8(b, 0);
    b_u8(b, 0);
    b_u8(b, 0);
    b_i32(b, xs);
    b_i32(b, ys);
}

/* Parses, checks the size and the re-serialised bytes, and checks that a
 * deep copy serialises the same. The caller inspects and frees *a. */
static void parse_ok(const char *name, const char *type, const buf *b, exrqoi_attribute *a)
{
    exrqoi__err err;
    memset(&err, 0, sizeof err);
    exrqoi_result r = exrqoi__attr_parse(NULL, NULL, name, type, b->b, b->n, a, &err);
    if (r != EXRQOI_OK) fail_msg("parse %s (%s) failed: %s", name, type, err.msg);
    assert_string_equal(a->name, name);
    assert_string_equal(a->type_name, type);
    assert_int_equal(exrqoi__attr_value_size(a), b->n);
    uint8_t out[1024];
    memset(out, 0xcd, sizeof out);
    exrqoi__attr_serialize(a, out);
    assert_memory_equal(out, b->b, b->n);
    assert_int_equal(out[b->n], 0xcd);

    exrqoi_attribute c;
    assert_int_equal(exrqoi__attr_copy(NULL, &c, a), EXRQOI_OK);
    assert_int_equal(c.type, a->type);
    assert_string_equal(c.type_name, type);
    assert_int_equal(exrqoi__attr_value_size(&c), b->n);
    memset(out, 0xcd, sizeof out);
    exrqoi__attr_serialize(&c, out);
    assert_memory_equal(out, b->b, b->n);
    exrqoi_attribute_free(NULL, &c);
}

static exrqoi_result parse_err(const char *name, const char *type, const uint8_t *d, size_t n,
                               exrqoi__err *err)
{
    exrqoi_attribute a;
    memset(err, 0, sizeof *err);
    exrqoi_result r = exrqoi__attr_parse(NULL, NULL, name, type, d, n, &a, err);
    if (r == EXRQOI_OK) exrqoi_attribute_free(NULL, &a);
    return r;
}

/* ---- type names --------------------------------------------------------- */

static void test_type_names(void **state)
{
    (void)state;
    assert_null(exrqoi_attr_type_name(EXRQOI_ATTR_OPAQUE));
    assert_null(exrqoi_attr_type_name(EXRQOI_ATTR_TYPE_COUNT));
    for (int t = 1; t < EXRQOI_ATTR_TYPE_COUNT; t++) {
        const char *n = exrqoi_attr_type_name((exrqoi_attr_type)t);
        assert_non_null(n);
        assert_int_equal(exrqoi_attr_type_from_name(n), t);
    }
    assert_string_equal(exrqoi_attr_type_name(EXRQOI_ATTR_LINEORDER), "lineOrder");
    assert_string_equal(exrqoi_attr_type_name(EXRQOI_ATTR_DEEP_IMAGE_STATE), "deepImageState");
    assert_int_equal(exrqoi_attr_type_from_name("Box2i"), EXRQOI_ATTR_OPAQUE);
    assert_int_equal(exrqoi_attr_type_from_name(""), EXRQOI_ATTR_OPAQUE);
    assert_int_equal(exrqoi_attr_type_from_name(NULL), EXRQOI_ATTR_OPAQUE);
}

/* ---- round trips, one test per group of types --------------------------- */

static void test_box_and_vectors(void **state)
{
    (void)state;
    exrqoi_attribute a;
    buf b = {.n = 0};

    b_i32(&b, -3), b_i32(&b, 0), b_i32(&b, 609), b_i32(&b, 405);
    parse_ok("dataWindow", "box2i", &b, &a);
    assert_int_equal(a.type, EXRQOI_ATTR_BOX2I);
    assert_int_equal(a.v.box2i.min.x, -3);
    assert_int_equal(a.v.box2i.max.y, 405);
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    b_f32(&b, 1.5f), b_f32(&b, -2.0f), b_f32(&b, 3.25f), b_f32(&b, 4.0f);
    parse_ok("b", "box2f", &b, &a);
    assert_true(a.v.box2f.min.x == 1.5f && a.v.box2f.min.y == -2.0f);
    assert_true(a.v.box2f.max.x == 3.25f && a.v.box2f.max.y == 4.0f);
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    b_i32(&b, 7), b_i32(&b, -8);
    parse_ok("v", "v2i", &b, &a);
    assert_int_equal(a.v.v2i.x, 7);
    assert_int_equal(a.v.v2i.y, -8);
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    b_f32(&b, 0.5f), b_f32(&b, -0.25f);
    parse_ok("screenWindowCenter", "v2f", &b, &a);
    assert_true(a.v.v2f.x == 0.5f && a.v.v2f.y == -0.25f);
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    b_f64(&b, 1.0 / 3.0), b_f64(&b, -1e300);
    parse_ok("v", "v2d", &b, &a);
    assert_true(a.v.v2d.x == 1.0 / 3.0 && a.v.v2d.y == -1e300);
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    b_i32(&b, 1), b_i32(&b, 2), b_i32(&b, INT32_MIN);
    parse_ok("v", "v3i", &b, &a);
    assert_int_equal(a.v.v3i.z, INT32_MIN);
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    b_f32(&b, 1.0f), b_f32(&b, 2.0f), b_f32(&b, 3.0f);
    parse_ok("v", "v3f", &b, &a);
    assert_true(a.v.v3f.x == 1.0f && a.v.v3f.y == 2.0f && a.v.v3f.z == 3.0f);
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    b_f64(&b, 1.0), b_f64(&b, 2.0), b_f64(&b, 0.1);
    parse_ok("v", "v3d", &b, &a);
    assert_true(a.v.v3d.z == 0.1);
    exrqoi_attribute_free(NULL, &a);
}

static void test_scalars_and_enums(void **state)
{
    (void)state;
    exrqoi_attribute a;
    buf b = {.n = 0};

    b_i32(&b, -5);
    parse_ok("i", "int", &b, &a);
    assert_int_equal(a.type, EXRQOI_ATTR_INT);
    assert_int_equal(a.v.i, -5);
    exrqoi_attribute_free(NULL, &a);

    /* A NaN with a payload keeps its exact bits. */
    b.n = 0;
    b_i32(&b, (int32_t)0x7fa12345u);
    parse_ok("f", "float", &b, &a);
    assert_true(isnan(a.v.f));
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    b_f32(&b, 1.0f);
    parse_ok("pixelAspectRatio", "float", &b, &a);
    assert_true(a.v.f == 1.0f);
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    b_f64(&b, 1.0 / 3.0);
    parse_ok("d", "double", &b, &a);
    assert_true(a.v.d == 1.0 / 3.0);
    exrqoi_attribute_free(NULL, &a);

    static const struct {
        const char *type;
        exrqoi_attr_type t;
        uint8_t v;
    } enums[] = {
        {"compression", EXRQOI_ATTR_COMPRESSION, 4},
        {"compression", EXRQOI_ATTR_COMPRESSION, 200}, /* unknown kept, validated elsewhere */
        {"envmap", EXRQOI_ATTR_ENVMAP, 1},
        {"lineOrder", EXRQOI_ATTR_LINEORDER, 2},
        {"deepImageState", EXRQOI_ATTR_DEEP_IMAGE_STATE, 3},
    };
    for (size_t i = 0; i < sizeof enums / sizeof enums[0]; i++) {
        b.n = 0;
        b_u8(&b, enums[i].v);
        parse_ok("e", enums[i].type, &b, &a);
        assert_int_equal(a.type, enums[i].t);
        assert_int_equal(a.v.u8, enums[i].v);
        exrqoi_attribute_free(NULL, &a);
    }

    b.n = 0;
    b_i32(&b, -1), b_i32(&b, (int32_t)3000000000u);
    parse_ok("framesPerSecond", "rational", &b, &a);
    assert_int_equal(a.v.rational.num, -1);
    assert_int_equal(a.v.rational.denom, 3000000000u);
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    b_i32(&b, 0x01020304), b_i32(&b, 7);
    parse_ok("timeCode", "timecode", &b, &a);
    assert_int_equal(a.v.timecode.time_and_flags, 0x01020304u);
    assert_int_equal(a.v.timecode.user_data, 7u);
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    for (int i = 1; i <= 7; i++) b_i32(&b, i * 11);
    parse_ok("keyCode", "keycode", &b, &a);
    assert_int_equal(a.v.keycode.film_mfc_code, 11);
    assert_int_equal(a.v.keycode.film_type, 22);
    assert_int_equal(a.v.keycode.prefix, 33);
    assert_int_equal(a.v.keycode.count, 44);
    assert_int_equal(a.v.keycode.perf_offset, 55);
    assert_int_equal(a.v.keycode.perfs_per_frame, 66);
    assert_int_equal(a.v.keycode.perfs_per_count, 77);
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    b_i32(&b, 64), b_i32(&b, 32), b_u8(&b, 0x12);
    parse_ok("tiles", "tiledesc", &b, &a);
    assert_int_equal(a.v.tiledesc.x_size, 64);
    assert_int_equal(a.v.tiledesc.y_size, 32);
    assert_int_equal(a.v.tiledesc.level_mode, EXRQOI_LEVEL_RIPMAP);
    assert_int_equal(a.v.tiledesc.rounding_mode, EXRQOI_ROUND_UP);
    exrqoi_attribute_free(NULL, &a);

    /* Out-of-range modes are kept so the bytes round-trip. */
    b.n = 0;
    b_i32(&b, 1), b_i32(&b, 1), b_u8(&b, 0xff);
    parse_ok("tiles", "tiledesc", &b, &a);
    assert_int_equal(a.v.tiledesc.level_mode, 15);
    assert_int_equal(a.v.tiledesc.rounding_mode, 15);
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    const float chroma[8] = {0.64f, 0.33f, 0.3f, 0.6f, 0.15f, 0.06f, 0.3127f, 0.329f};
    for (int i = 0; i < 8; i++) b_f32(&b, chroma[i]);
    parse_ok("chromaticities", "chromaticities", &b, &a);
    assert_true(a.v.chromaticities.red_x == 0.64f && a.v.chromaticities.red_y == 0.33f);
    assert_true(a.v.chromaticities.green_x == 0.3f && a.v.chromaticities.green_y == 0.6f);
    assert_true(a.v.chromaticities.blue_x == 0.15f && a.v.chromaticities.blue_y == 0.06f);
    assert_true(a.v.chromaticities.white_x == 0.3127f && a.v.chromaticities.white_y == 0.329f);
    exrqoi_attribute_free(NULL, &a);
}

static void test_matrices(void **state)
{
    (void)state;
    exrqoi_attribute a;
    buf b = {.n = 0};

    for (int i = 0; i < 9; i++) b_f32(&b, (float)i + 0.5f);
    parse_ok("m", "m33f", &b, &a);
    for (int i = 0; i < 9; i++) assert_true(a.v.m33f.m[i] == (float)i + 0.5f);
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    for (int i = 0; i < 9; i++) b_f64(&b, (double)i / 7.0);
    parse_ok("m", "m33d", &b, &a);
    for (int i = 0; i < 9; i++) assert_true(a.v.m33d.m[i] == (double)i / 7.0);
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    for (int i = 0; i < 16; i++) b_f32(&b, (float)-i);
    parse_ok("worldToCamera", "m44f", &b, &a);
    for (int i = 0; i < 16; i++) assert_true(a.v.m44f.m[i] == (float)-i);
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    for (int i = 0; i < 16; i++) b_f64(&b, (double)i * 1e-3);
    parse_ok("m", "m44d", &b, &a);
    for (int i = 0; i < 16; i++) assert_true(a.v.m44d.m[i] == (double)i * 1e-3);
    exrqoi_attribute_free(NULL, &a);
}

static void test_chlist(void **state)
{
    (void)state;
    exrqoi_attribute a;
    buf b = {.n = 0};

    /* Order as given, even when unsorted. */
    b_chan(&b, "R", 1, 0, 1, 1);
    b_chan(&b, "B", 2, 1, 2, 2);
    b_chan(&b, "layer.G", 0, 0, 1, 4);
    b_u8(&b, 0);
    parse_ok("channels", "chlist", &b, &a);
    assert_int_equal(a.type, EXRQOI_ATTR_CHLIST);
    assert_int_equal(a.v.chlist.count, 3);
    assert_string_equal(a.v.chlist.entries[0].name, "R");
    assert_int_equal(a.v.chlist.entries[0].type, EXRQOI_PIXEL_HALF);
    assert_string_equal(a.v.chlist.entries[1].name, "B");
    assert_int_equal(a.v.chlist.entries[1].type, EXRQOI_PIXEL_FLOAT);
    assert_int_equal(a.v.chlist.entries[1].p_linear, 1);
    assert_int_equal(a.v.chlist.entries[1].x_sampling, 2);
    assert_string_equal(a.v.chlist.entries[2].name, "layer.G");
    assert_int_equal(a.v.chlist.entries[2].type, EXRQOI_PIXEL_UINT);
    assert_int_equal(a.v.chlist.entries[2].y_sampling, 4);
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    b_u8(&b, 0);
    parse_ok("channels", "chlist", &b, &a);
    assert_int_equal(a.v.chlist.count, 0);
    exrqoi_attribute_free(NULL, &a);
}

static void test_strings_and_vectors(void **state)
{
    (void)state;
    exrqoi_attribute a;
    buf b = {.n = 0};

    /* No terminator in the file; NUL bytes inside are part of the value. */
    b_raw(&b, "ab\0cd", 5);
    parse_ok("owner", "string", &b, &a);
    assert_int_equal(a.type, EXRQOI_ATTR_STRING);
    assert_int_equal(a.v.string.length, 5);
    assert_memory_equal(a.v.string.str, "ab\0cd", 6);
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    parse_ok("owner", "string", &b, &a);
    assert_int_equal(a.v.string.length, 0);
    assert_string_equal(a.v.string.str, "");
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    b_i32(&b, 2), b_raw(&b, "ab", 2);
    b_i32(&b, 0);
    b_i32(&b, 3), b_raw(&b, "xyz", 3);
    parse_ok("multiView", "stringvector", &b, &a);
    assert_int_equal(a.v.stringvector.count, 3);
    assert_int_equal(a.v.stringvector.strings[0].length, 2);
    assert_string_equal(a.v.stringvector.strings[0].str, "ab");
    assert_int_equal(a.v.stringvector.strings[1].length, 0);
    assert_string_equal(a.v.stringvector.strings[1].str, "");
    assert_string_equal(a.v.stringvector.strings[2].str, "xyz");
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    parse_ok("multiView", "stringvector", &b, &a);
    assert_int_equal(a.v.stringvector.count, 0);
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    b_f32(&b, 1.0f), b_f32(&b, -2.5f), b_f32(&b, 1e-30f);
    parse_ok("fv", "floatvector", &b, &a);
    assert_int_equal(a.v.floatvector.count, 3);
    assert_true(a.v.floatvector.values[1] == -2.5f && a.v.floatvector.values[2] == 1e-30f);
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    parse_ok("fv", "floatvector", &b, &a);
    assert_int_equal(a.v.floatvector.count, 0);
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    b_i32(&b, 2), b_i32(&b, 1);
    for (int i = 0; i < 8; i++) b_u8(&b, (uint8_t)(i * 30));
    parse_ok("preview", "preview", &b, &a);
    assert_int_equal(a.v.preview.width, 2);
    assert_int_equal(a.v.preview.height, 1);
    assert_int_equal(a.v.preview.rgba[7], 210);
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    b_i32(&b, 0), b_i32(&b, 0);
    parse_ok("preview", "preview", &b, &a);
    assert_int_equal(a.v.preview.width, 0);
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    b_i32(&b, 4), b_raw(&b, "text", 4), b_raw(&b, "hello", 5);
    parse_ok("blob", "bytes", &b, &a);
    assert_int_equal(a.type, EXRQOI_ATTR_BYTES);
    assert_int_equal(a.v.bytes.hint_length, 4);
    assert_string_equal(a.v.bytes.type_hint, "text");
    assert_int_equal(a.v.bytes.size, 5);
    assert_memory_equal(a.v.bytes.data, "hello", 5);
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    b_i32(&b, 0);
    parse_ok("blob", "bytes", &b, &a);
    assert_int_equal(a.v.bytes.size, 0);
    assert_string_equal(a.v.bytes.type_hint, "");
    exrqoi_attribute_free(NULL, &a);
}

static void test_opaque(void **state)
{
    (void)state;
    exrqoi_attribute a;
    buf b = {.n = 0};
    for (int i = 0; i < 37; i++) b_u8(&b, (uint8_t)(i * 7 + 1));
    parse_ok("vendor", "myCustomType", &b, &a);
    assert_int_equal(a.type, EXRQOI_ATTR_OPAQUE);
    assert_int_equal(a.v.opaque.size, 37);
    exrqoi_attribute_free(NULL, &a);

    b.n = 0;
    parse_ok("vendor", "emptyCustom", &b, &a);
    assert_int_equal(a.v.opaque.size, 0);
    exrqoi_attribute_free(NULL, &a);
}

/* ---- rejections --------------------------------------------------------- */

static void test_fixed_size_mismatch(void **state)
{
    (void)state;
    static const struct {
        const char *type;
        size_t size;
    } fixed[] = {{"box2i", 16},   {"box2f", 16},    {"chromaticities", 32}, {"compression", 1},
                 {"double", 8},   {"envmap", 1},    {"float", 4},           {"int", 4},
                 {"keycode", 28}, {"lineOrder", 1}, {"m33f", 36},           {"m33d", 72},
                 {"m44f", 64},    {"m44d", 128},    {"rational", 8},        {"tiledesc", 9},
                 {"timecode", 8}, {"v2i", 8},       {"v2f", 8},             {"v2d", 16},
                 {"v3i", 12},     {"v3f", 12},      {"v3d", 24},            {"deepImageState", 1}};
    uint8_t zeros[256] = {0};
    exrqoi__err err;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        assert_int_equal(parse_err("x", fixed[i].type, zeros, fixed[i].size, &err), EXRQOI_OK);
        assert_int_equal(parse_err("x", fixed[i].type, zeros, fixed[i].size - 1, &err),
                         EXRQOI_ERR_BAD_ATTRIBUTE);
        assert_int_equal(parse_err("x", fixed[i].type, zeros, fixed[i].size + 1, &err),
                         EXRQOI_ERR_BAD_ATTRIBUTE);
        assert_int_equal(parse_err("x", fixed[i].type, zeros, 0, &err), EXRQOI_ERR_BAD_ATTRIBUTE);
    }
    assert_int_equal(parse_err("dataWindow", "box2i", zeros, 12, &err), EXRQOI_ERR_BAD_ATTRIBUTE);
    assert_int_equal(err.code, EXRQOI_ERR_BAD_ATTRIBUTE);
    assert_string_equal(err.msg, "attribute 'dataWindow' (box2i): size 12, expected 16");
}

static void test_chlist_rejects(void **state)
{
    (void)state;
    exrqoi__err err;
    buf b;

    b.n = 0; /* empty: no terminator */
    assert_int_equal(parse_err("channels", "chlist", b.b, 0, &err), EXRQOI_ERR_BAD_ATTRIBUTE);
    assert_non_null(strstr(err.msg, "attribute 'channels' (chlist)"));

    b.n = 0; /* terminator missing after a channel */
    b_chan(&b, "R", 1, 0, 1, 1);
    assert_int_equal(parse_err("channels", "chlist", b.b, b.n, &err), EXRQOI_ERR_BAD_ATTRIBUTE);

    b.n = 0; /* bytes after the terminator */
    b_chan(&b, "R", 1, 0, 1, 1);
    b_u8(&b, 0);
    b_u8(&b, 0);
    assert_int_equal(parse_err("channels", "chlist", b.b, b.n, &err), EXRQOI_ERR_BAD_ATTRIBUTE);

    b.n = 0; /* bad pixel type */
    b_chan(&b, "R", 3, 0, 1, 1);
    b_u8(&b, 0);
    assert_int_equal(parse_err("channels", "chlist", b.b, b.n, &err), EXRQOI_ERR_BAD_ATTRIBUTE);
    assert_non_null(strstr(err.msg, "pixel type 3"));

    b.n = 0;
    b_chan(&b, "R", -1, 0, 1, 1);
    b_u8(&b, 0);
    assert_int_equal(parse_err("channels", "chlist", b.b, b.n, &err), EXRQOI_ERR_BAD_ATTRIBUTE);

    b.n = 0; /* zero and negative sampling */
    b_chan(&b, "R", 1, 0, 0, 1);
    b_u8(&b, 0);
    assert_int_equal(parse_err("channels", "chlist", b.b, b.n, &err), EXRQOI_ERR_BAD_ATTRIBUTE);
    b.n = 0;
    b_chan(&b, "R", 1, 0, 1, -2);
    b_u8(&b, 0);
    assert_int_equal(parse_err("channels", "chlist", b.b, b.n, &err), EXRQOI_ERR_BAD_ATTRIBUTE);

    b.n = 0; /* entry truncated */
    b_chan(&b, "R", 1, 0, 1, 1);
    assert_int_equal(parse_err("channels", "chlist", b.b, b.n - 1, &err), EXRQOI_ERR_BAD_ATTRIBUTE);
    b.n = 0; /* name without its NUL */
    b_raw(&b, "RGB", 3);
    assert_int_equal(parse_err("channels", "chlist", b.b, b.n, &err), EXRQOI_ERR_BAD_ATTRIBUTE);
}

static void test_hostile_counts(void **state)
{
    (void)state;
    exrqoi__err err;
    buf b;

    b.n = 0; /* string length larger than what is left */
    b_i32(&b, 0x7fffffff);
    b_raw(&b, "abc", 3);
    assert_int_equal(parse_err("sv", "stringvector", b.b, b.n, &err), EXRQOI_ERR_BAD_ATTRIBUTE);
    b.n = 0;
    b_i32(&b, 4);
    b_raw(&b, "abc", 3);
    assert_int_equal(parse_err("sv", "stringvector", b.b, b.n, &err), EXRQOI_ERR_BAD_ATTRIBUTE);
    b.n = 0;
    b_i32(&b, -1);
    assert_int_equal(parse_err("sv", "stringvector", b.b, b.n, &err), EXRQOI_ERR_BAD_ATTRIBUTE);
    b.n = 0; /* stray bytes where a length should be */
    b_i32(&b, 1);
    b_u8(&b, 'a');
    b_u8(&b, 0);
    b_u8(&b, 0);
    assert_int_equal(parse_err("sv", "stringvector", b.b, b.n, &err), EXRQOI_ERR_BAD_ATTRIBUTE);

    uint8_t zeros[16] = {0};
    assert_int_equal(parse_err("fv", "floatvector", zeros, 5, &err), EXRQOI_ERR_BAD_ATTRIBUTE);
    assert_int_equal(parse_err("fv", "floatvector", zeros, 2, &err), EXRQOI_ERR_BAD_ATTRIBUTE);

    assert_int_equal(parse_err("p", "preview", zeros, 7, &err), EXRQOI_ERR_BAD_ATTRIBUTE);
    b.n = 0; /* w*h*4 overflows 32 and 64 bits */
    b_i32(&b, -1), b_i32(&b, -1);
    assert_int_equal(parse_err("p", "preview", b.b, b.n, &err), EXRQOI_ERR_BAD_ATTRIBUTE);
    b.n = 0; /* 0x40000000 * 4 wraps to 0 in 32 bits */
    b_i32(&b, 0x40000000), b_i32(&b, 1);
    assert_int_equal(parse_err("p", "preview", b.b, b.n, &err), EXRQOI_ERR_BAD_ATTRIBUTE);
    b.n = 0; /* 2 x 2 needs 16 bytes of pixels, has 12 */
    b_i32(&b, 2), b_i32(&b, 2);
    for (int i = 0; i < 12; i++) b_u8(&b, 1);
    assert_int_equal(parse_err("p", "preview", b.b, b.n, &err), EXRQOI_ERR_BAD_ATTRIBUTE);

    assert_int_equal(parse_err("bl", "bytes", zeros, 3, &err), EXRQOI_ERR_BAD_ATTRIBUTE);
    b.n = 0;
    b_i32(&b, 5), b_raw(&b, "abcd", 4);
    assert_int_equal(parse_err("bl", "bytes", b.b, b.n, &err), EXRQOI_ERR_BAD_ATTRIBUTE);
    b.n = 0;
    b_i32(&b, -1), b_raw(&b, "abcd", 4);
    assert_int_equal(parse_err("bl", "bytes", b.b, b.n, &err), EXRQOI_ERR_BAD_ATTRIBUTE);
}

static void test_limit(void **state)
{
    (void)state;
    exrqoi_limits lim;
    exrqoi_limits_default(&lim);
    lim.max_attribute_size = 16;
    uint8_t d[17] = {0};
    exrqoi_attribute a;
    exrqoi__err err;
    memset(&err, 0, sizeof err);
    assert_int_equal(exrqoi__attr_parse(NULL, &lim, "x", "custom", d, 17, &a, &err),
                     EXRQOI_ERR_LIMIT);
    assert_non_null(strstr(err.msg, "'x'"));
    assert_int_equal(exrqoi__attr_parse(NULL, &lim, "x", "custom", d, 16, &a, &err), EXRQOI_OK);
    exrqoi_attribute_free(NULL, &a);
    assert_int_equal(exrqoi__attr_parse(NULL, &lim, "x", "string", d, 17, &a, &err),
                     EXRQOI_ERR_LIMIT);
    assert_int_equal(exrqoi__attr_parse(NULL, NULL, NULL, "string", d, 1, &a, &err),
                     EXRQOI_ERR_INVALID_ARGUMENT);
}

/* Random and mutated inputs: every accepted value serialises back to the
 * same bytes (chlist: the same value, as its reserved bytes are dropped). */
static void test_random_inputs(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    uint8_t d[96], out[96];
    for (int t = 0; t < EXRQOI_ATTR_TYPE_COUNT; t++) {
        const char *type = t ? exrqoi_attr_type_name((exrqoi_attr_type)t) : "unknownType";
        for (int iter = 0; iter < 400; iter++) {
            size_t n = 0;
            ts_lcg_ansi(&seed);
            n = (seed >> 16) % sizeof d;
            for (size_t i = 0; i < n; i++) {
                ts_lcg_ansi(&seed);
                /* Mostly small bytes so lengths and counts are often plausible. */
                uint8_t v = (uint8_t)(seed >> 16);
                d[i] = (seed >> 28) < 12 ? (uint8_t)(v & 3) : v;
            }
            exrqoi_attribute a;
            exrqoi__err err;
            memset(&err, 0, sizeof err);
            exrqoi_result r = exrqoi__attr_parse(NULL, NULL, "x", type, d, n, &a, &err);
            if (r != EXRQOI_OK) {
                assert_int_equal(r, EXRQOI_ERR_BAD_ATTRIBUTE);
                assert_non_null(strstr(err.msg, "attribute 'x'"));
                continue;
            }
            assert_int_equal(exrqoi__attr_value_size(&a), n);
            exrqoi__attr_serialize(&a, out);
            if (t != EXRQOI_ATTR_CHLIST) {
                assert_memory_equal(out, d, n);
            } else {
                exrqoi_attribute b;
                assert_int_equal(exrqoi__attr_parse(NULL, NULL, "x", type, out, n, &b, &err),
                                 EXRQOI_OK);
                uint8_t again[96];
                exrqoi__attr_serialize(&b, again);
                assert_memory_equal(again, out, n);
                exrqoi_attribute_free(NULL, &b);
            }
            exrqoi_attribute_free(NULL, &a);
        }
    }
}

/* ---- allocation failures ------------------------------------------------ */

typedef struct fail_alloc {
    int budget; /* allocations that still succeed */
    int live;
} fail_alloc;

static void *fa_alloc(void *user, size_t size)
{
    fail_alloc *f = (fail_alloc *)user;
    if (f->budget <= 0) return NULL;
    f->budget--;
    f->live++;
    return malloc(size);
}

static void fa_free(void *user, void *p)
{
    fail_alloc *f = (fail_alloc *)user;
    if (p) f->live--;
    free(p);
}

static void test_alloc_failures(void **state)
{
    (void)state;
    buf cl = {.n = 0}, sv = {.n = 0};
    b_chan(&cl, "A", 1, 0, 1, 1);
    b_chan(&cl, "B", 1, 0, 1, 1);
    b_chan(&cl, "C", 1, 0, 1, 1);
    b_u8(&cl, 0);
    b_i32(&sv, 1), b_raw(&sv, "a", 1), b_i32(&sv, 2), b_raw(&sv, "bc", 2);
    const struct {
        const char *type;
        const buf *b;
    } cases[] = {{"chlist", &cl}, {"stringvector", &sv}};
    for (size_t c = 0; c < 2; c++) {
        bool done = false;
        for (int budget = 0; budget < 64 && !done; budget++) {
            fail_alloc fa = {budget, 0};
            exrqoi_allocator al = {fa_alloc, fa_free, &fa};
            exrqoi_attribute a;
            exrqoi_result r = exrqoi__attr_parse(&al, NULL, "n", cases[c].type, cases[c].b->b,
                                                 cases[c].b->n, &a, NULL);
            if (r == EXRQOI_OK) {
                exrqoi_attribute cp;
                fail_alloc fb = {0, 0};
                for (int cb = 0; cb < 64; cb++) {
                    fb.budget = cb;
                    exrqoi_allocator alb = {fa_alloc, fa_free, &fb};
                    if (exrqoi__attr_copy(&alb, &cp, &a) == EXRQOI_OK) {
                        exrqoi_attribute_free(&alb, &cp);
                        break;
                    }
                    assert_int_equal(fb.live, 0);
                }
                assert_int_equal(fb.live, 0);
                exrqoi_attribute_free(&al, &a);
                done = true;
            } else {
                assert_int_equal(r, EXRQOI_ERR_OUT_OF_MEMORY);
            }
            assert_int_equal(fa.live, 0);
        }
        assert_true(done);
    }
}

/* ---- printing ----------------------------------------------------------- */

typedef struct memout {
    FILE *f;
    char *text;
    size_t len;
} memout;

/* The printed text: in memory (open_memstream), or on Windows, which has
 * no such call, in a temporary file read back. */
static void mo_open(memout *m)
{
    m->text = NULL;
    m->len = 0;
#ifdef _WIN32
    m->f = tmpfile();
#else
    m->f = open_memstream(&m->text, &m->len);
#endif
    assert_non_null(m->f);
}

static void mo_check(memout *m, const char *expect)
{
#ifdef _WIN32
    assert_int_equal(fflush(m->f), 0);
    long n = ftell(m->f);
    assert_true(n >= 0);
    rewind(m->f);
    m->text = malloc((size_t)n + 1);
    assert_non_null(m->text);
    assert_int_equal(fread(m->text, 1, (size_t)n, m->f), (size_t)n);
    m->text[n] = 0;
#endif
    fclose(m->f);
    assert_string_equal(m->text, expect);
    free(m->text);
}

static void print_check(const char *name, const char *type, const buf *b, const char *text,
                        const char *json)
{
    exrqoi_attribute a;
    exrqoi__err err;
    memset(&err, 0, sizeof err);
    assert_int_equal(exrqoi__attr_parse(NULL, NULL, name, type, b->b, b->n, &a, &err), EXRQOI_OK);
    memout m;
    if (text) {
        mo_open(&m);
        exrqoi_tool_print_attr(m.f, &a);
        mo_check(&m, text);
    }
    if (json) {
        mo_open(&m);
        exrqoi_tool_print_attr_json(m.f, &a);
        mo_check(&m, json);
    }
    exrqoi_attribute_free(NULL, &a);
}

static void test_print(void **state)
{
    (void)state;
    buf b = {.n = 0};
    b_i32(&b, 0), b_i32(&b, 0), b_i32(&b, 609), b_i32(&b, 405);
    print_check("dataWindow", "box2i", &b, "dataWindow (type box2i): (0 0) - (609 405)\n",
                "{\"name\":\"dataWindow\",\"type\":\"box2i\",\"value\":{\"min\":[0,0],\"max\":[609,405]}}");

    b.n = 0;
    b_chan(&b, "B", 1, 0, 1, 1);
    b_chan(&b, "G", 2, 1, 2, 2);
    b_u8(&b, 0);
    print_check("channels", "chlist", &b,
                "channels (type chlist):\n"
                "    B, 16-bit floating-point, sampling 1 1\n"
                "    G, 32-bit floating-point, sampling 2 2, plinear\n",
                "{\"name\":\"channels\",\"type\":\"chlist\",\"value\":["
                "{\"name\":\"B\",\"type\":\"half\",\"x_sampling\":1,\"y_sampling\":1,\"p_linear\":false},"
                "{\"name\":\"G\",\"type\":\"float\",\"x_sampling\":2,\"y_sampling\":2,\"p_linear\":true}]}");

    b.n = 0;
    b_u8(&b, 4);
    print_check("compression", "compression", &b, "compression (type compression): piz\n",
                "{\"name\":\"compression\",\"type\":\"compression\",\"value\":\"piz\"}");
    b.n = 0;
    b_u8(&b, 2);
    print_check("lineOrder", "lineOrder", &b, "lineOrder (type lineOrder): random y\n",
                "{\"name\":\"lineOrder\",\"type\":\"lineOrder\",\"value\":\"random_y\"}");

    b.n = 0;
    b_f32(&b, 1.0f);
    print_check("pixelAspectRatio", "float", &b, "pixelAspectRatio (type float): 1\n",
                "{\"name\":\"pixelAspectRatio\",\"type\":\"float\",\"value\":1}");
    b.n = 0;
    b_f32(&b, 0.1f);
    print_check("f", "float", &b, "f (type float): 0.1\n",
                "{\"name\":\"f\",\"type\":\"float\",\"value\":0.100000001}");
    b.n = 0;
    b_f64(&b, 0.1);
    print_check("d", "double", &b, NULL, "{\"name\":\"d\",\"type\":\"double\",\"value\":0.10000000000000001}");
    b.n = 0;
    b_f32(&b, NAN);
    print_check("f", "float", &b, NULL, "{\"name\":\"f\",\"type\":\"float\",\"value\":\"NaN\"}");
    b.n = 0;
    b_f32(&b, -INFINITY);
    print_check("f", "float", &b, NULL, "{\"name\":\"f\",\"type\":\"float\",\"value\":\"-Infinity\"}");

    b.n = 0;
    b_f32(&b, 0.5f), b_f32(&b, -1.0f);
    print_check("screenWindowCenter", "v2f", &b, "screenWindowCenter (type v2f): (0.5 -1)\n", NULL);

    b.n = 0;
    b_raw(&b, "a\"b\\c\nd\x01\xff\xc3\xa9", 11);
    print_check("owner", "string", &b, NULL,
                "{\"name\":\"owner\",\"type\":\"string\",\"value\":\"a\\\"b\\\\c\\nd\\u0001\\u00ff\xc3\xa9\"}");
    b.n = 0;
    b_raw(&b, "Jane", 4);
    print_check("owner", "string", &b, "owner (type string): \"Jane\"\n", NULL);

    b.n = 0;
    b_i32(&b, 2), b_raw(&b, "ab", 2), b_i32(&b, 1), b_raw(&b, "c", 1);
    print_check("multiView", "stringvector", &b, "multiView (type stringvector):\n    \"ab\"\n    \"c\"\n",
                "{\"name\":\"multiView\",\"type\":\"stringvector\",\"value\":[\"ab\",\"c\"]}");

    b.n = 0;
    b_i32(&b, 2), b_i32(&b, 1);
    for (int i = 0; i < 8; i++) b_u8(&b, 9);
    print_check("preview", "preview", &b, "preview (type preview): 2 by 1 pixels\n",
                "{\"name\":\"preview\",\"type\":\"preview\",\"value\":{\"width\":2,\"height\":1}}");

    b.n = 0;
    b_i32(&b, 64), b_i32(&b, 32), b_u8(&b, 0x11);
    print_check("tiles", "tiledesc", &b,
                "tiles (type tiledesc):\n    mip-map\n    tile size 64 by 32 pixels\n"
                "    level sizes rounded up\n",
                "{\"name\":\"tiles\",\"type\":\"tiledesc\",\"value\":{\"x_size\":64,\"y_size\":32,"
                "\"level_mode\":\"mipmap\",\"rounding_mode\":\"up\"}}");

    /* 01:02:03:04 with drop frame, user data 0xab */
    b.n = 0;
    b_i32(&b, 0x01020344), b_i32(&b, 0xab);
    print_check("timeCode", "timecode", &b,
                "timeCode (type timecode):\n    time 01:02:03:04\n"
                "    drop frame 1, color frame 0, field/phase 0\n"
                "    bgf0 0, bgf1 0, bgf2 0\n    user data 0xab\n",
                NULL);

    b.n = 0;
    b_i32(&b, 24000), b_i32(&b, 1001);
    print_check("framesPerSecond", "rational", &b,
                "framesPerSecond (type rational): 24000/1001 (23.976)\n",
                "{\"name\":\"framesPerSecond\",\"type\":\"rational\",\"value\":{\"num\":24000,\"denom\":1001}}");

    b.n = 0;
    b_u8(&b, 0xde), b_u8(&b, 0xad), b_u8(&b, 0x01);
    print_check("vendor", "myType", &b, "vendor (type myType): 3 bytes\n",
                "{\"name\":\"vendor\",\"type\":\"myType\",\"value\":\"dead01\"}");

    b.n = 0;
    for (int i = 0; i < 9; i++) b_f32(&b, (float)(i + 1));
    print_check("m", "m33f", &b, "m (type m33f):\n   (1 2 3\n    4 5 6\n    7 8 9)\n",
                "{\"name\":\"m\",\"type\":\"m33f\",\"value\":[1,2,3,4,5,6,7,8,9]}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_box_and_vectors),
        cmocka_unit_test(test_scalars_and_enums),
        cmocka_unit_test(test_matrices),
        cmocka_unit_test(test_chlist),
        cmocka_unit_test(test_strings_and_vectors),
        cmocka_unit_test(test_opaque),
        cmocka_unit_test(test_fixed_size_mismatch),
        cmocka_unit_test(test_chlist_rejects),
        cmocka_unit_test(test_hostile_counts),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_random_inputs),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_print),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
