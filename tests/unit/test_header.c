/* Headers: set/replace/remove/copy/find, typed setters, channel sorting,
 * init_image, and that everything goes through the header's allocator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "meta/attr.h"

typedef struct counting {
    int live;
    int total;
    int budget; /* < 0: unlimited */
} counting;

static void *c_alloc(void *user, size_t size)
{
    counting *c = (counting *)user;
    if (c->budget == 0) return NULL;
    if (c->budget > 0) c->budget--;
    c->live++;
    c->total++;
    return malloc(size);
}

static void c_free(void *user, void *p)
{
    counting *c = (counting *)user;
    if (p) c->live--;
    free(p);
}

static void test_set_find_replace_remove(void **state)
{
    (void)state;
    counting cnt = {0, 0, -1};
    exrqoi_allocator al = {c_alloc, c_free, &cnt};
    exrqoi_header h;
    exrqoi_header_init(&h, &al);
    assert_int_equal(h.count, 0);
    assert_null(exrqoi_header_find(&h, "a"));

    assert_int_equal(exrqoi_header_set_int(&h, "a", 1), EXRQOI_OK);
    assert_int_equal(exrqoi_header_set_float(&h, "b", 2.5f), EXRQOI_OK);
    assert_int_equal(exrqoi_header_set_string(&h, "c", "hello"), EXRQOI_OK);
    assert_int_equal(h.count, 3);
    assert_true(cnt.total > 0);

    const exrqoi_attribute *a = exrqoi_header_find(&h, "b");
    assert_non_null(a);
    assert_int_equal(a->type, EXRQOI_ATTR_FLOAT);
    assert_string_equal(a->type_name, "float");
    assert_true(a->v.f == 2.5f);

    /* Replacing keeps the position, even with another type. */
    assert_int_equal(exrqoi_header_set_double(&h, "a", 0.25), EXRQOI_OK);
    assert_int_equal(h.count, 3);
    assert_string_equal(h.attrs[0].name, "a");
    assert_int_equal(h.attrs[0].type, EXRQOI_ATTR_DOUBLE);
    assert_true(h.attrs[0].v.d == 0.25);
    assert_string_equal(h.attrs[0].type_name, "double");

    /* New names are appended. */
    assert_int_equal(exrqoi_header_set_int(&h, "d", 4), EXRQOI_OK);
    assert_string_equal(h.attrs[3].name, "d");

    /* Setting from an attribute inside the same header is safe, also when
     * the list has to grow. */
    for (int i = 0; i < 40; i++) {
        exrqoi_attribute tmp = h.attrs[2];
        char nm[16];
        snprintf(nm, sizeof nm, "copy%d", i);
        tmp.name = nm;
        assert_int_equal(exrqoi_header_set(&h, &tmp), EXRQOI_OK);
    }
    assert_int_equal(h.count, 44);
    a = exrqoi_header_find(&h, "copy39");
    assert_non_null(a);
    assert_string_equal(a->v.string.str, "hello");
    assert_int_equal(exrqoi_header_set(&h, &h.attrs[2]), EXRQOI_OK);
    assert_int_equal(h.count, 44);
    assert_string_equal(h.attrs[2].v.string.str, "hello");

    assert_int_equal(exrqoi_header_remove(&h, "b"), EXRQOI_OK);
    assert_int_equal(exrqoi_header_remove(&h, "b"), EXRQOI_ERR_NOT_FOUND);
    assert_int_equal(h.count, 43);
    assert_string_equal(h.attrs[0].name, "a");
    assert_string_equal(h.attrs[1].name, "c");
    assert_string_equal(h.attrs[2].name, "d");
    assert_null(exrqoi_header_find(&h, "b"));

    exrqoi_header_free(&h);
    assert_int_equal(h.count, 0);
    assert_int_equal(cnt.live, 0);
    exrqoi_header_free(&h);
    exrqoi_header_free(NULL);
}

static void test_set_rejects(void **state)
{
    (void)state;
    exrqoi_header h;
    exrqoi_header_init(&h, NULL);
    exrqoi_attribute a;
    memset(&a, 0, sizeof a);
    a.name = (char *)"x";
    a.type = EXRQOI_ATTR_OPAQUE; /* an unknown type needs its name */
    assert_int_equal(exrqoi_header_set(&h, &a), EXRQOI_ERR_INVALID_ARGUMENT);
    a.type = EXRQOI_ATTR_TYPE_COUNT;
    assert_int_equal(exrqoi_header_set(&h, &a), EXRQOI_ERR_INVALID_ARGUMENT);
    a.type = EXRQOI_ATTR_INT;
    a.name = (char *)"";
    assert_int_equal(exrqoi_header_set(&h, &a), EXRQOI_ERR_INVALID_ARGUMENT);
    assert_int_equal(exrqoi_header_set(&h, NULL), EXRQOI_ERR_INVALID_ARGUMENT);
    assert_int_equal(exrqoi_header_set_string(&h, "s", NULL), EXRQOI_ERR_INVALID_ARGUMENT);
    assert_int_equal(exrqoi_header_set_compression(&h, EXRQOI_COMPRESSION_COUNT),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    exrqoi_tiledesc t = {0, 16, 0, 0};
    assert_int_equal(exrqoi_header_set_tiles(&h, t), EXRQOI_ERR_INVALID_ARGUMENT);
    assert_int_equal(h.count, 0);

    /* A known type given a different type name still gets its own. */
    a.name = (char *)"i";
    a.type_name = (char *)"float";
    a.v.i = 3;
    assert_int_equal(exrqoi_header_set(&h, &a), EXRQOI_OK);
    assert_string_equal(exrqoi_header_find(&h, "i")->type_name, "int");

    /* Opaque with its own type name. */
    uint8_t bytes[3] = {1, 2, 3};
    memset(&a, 0, sizeof a);
    a.name = (char *)"vendor";
    a.type_name = (char *)"vendorType";
    a.v.opaque.size = 3;
    a.v.opaque.data = bytes;
    assert_int_equal(exrqoi_header_set(&h, &a), EXRQOI_OK);
    const exrqoi_attribute *o = exrqoi_header_find(&h, "vendor");
    assert_string_equal(o->type_name, "vendorType");
    assert_true(o->v.opaque.data != bytes);
    assert_memory_equal(o->v.opaque.data, bytes, 3);
    exrqoi_header_free(&h);
}

static void test_copy(void **state)
{
    (void)state;
    counting cnt = {0, 0, -1};
    exrqoi_allocator al = {c_alloc, c_free, &cnt};
    exrqoi_header h, c;
    assert_int_equal(exrqoi_header_init_image(&h, &al, 64, 32, EXRQOI_COMPRESSION_ZIP), EXRQOI_OK);
    assert_int_equal(exrqoi_header_add_channel(&h, "R", EXRQOI_PIXEL_HALF, 1, 1, 0), EXRQOI_OK);
    assert_int_equal(exrqoi_header_set_string(&h, "owner", "me"), EXRQOI_OK);

    assert_int_equal(exrqoi_header_copy(&c, &h), EXRQOI_OK);
    assert_int_equal(c.count, h.count);
    assert_true(c.alloc.alloc == c_alloc && c.alloc.user == &cnt);
    for (int32_t i = 0; i < h.count; i++) {
        assert_string_equal(c.attrs[i].name, h.attrs[i].name);
        assert_true(c.attrs[i].name != h.attrs[i].name);
        assert_int_equal(c.attrs[i].type, h.attrs[i].type);
        size_t n = exrqoi__attr_value_size(&h.attrs[i]);
        assert_int_equal(exrqoi__attr_value_size(&c.attrs[i]), n);
        uint8_t x[256], y[256];
        exrqoi__attr_serialize(&h.attrs[i], x);
        exrqoi__attr_serialize(&c.attrs[i], y);
        assert_memory_equal(x, y, n);
    }
    /* Changing the original leaves the copy alone. */
    assert_int_equal(exrqoi_header_set_string(&h, "owner", "someone else"), EXRQOI_OK);
    assert_int_equal(exrqoi_header_add_channel(&h, "G", EXRQOI_PIXEL_HALF, 1, 1, 0), EXRQOI_OK);
    assert_string_equal(exrqoi_header_find(&c, "owner")->v.string.str, "me");
    assert_int_equal(exrqoi_header_find(&c, "channels")->v.chlist.count, 1);
    exrqoi_header_free(&h);
    exrqoi_header_free(&c);
    assert_int_equal(cnt.live, 0);

    /* Copy under allocation failure: never leaks, eventually succeeds. */
    exrqoi_header_init_image(&h, NULL, 8, 8, EXRQOI_COMPRESSION_NONE);
    exrqoi_header_add_channel(&h, "A", EXRQOI_PIXEL_FLOAT, 1, 1, 0);
    counting fc = {0, 0, 0};
    exrqoi_header src = h;
    src.alloc = (exrqoi_allocator){c_alloc, c_free, &fc};
    bool ok = false;
    for (int budget = 0; budget < 100 && !ok; budget++) {
        fc.budget = budget;
        exrqoi_result r = exrqoi_header_copy(&c, &src);
        if (r == EXRQOI_OK) {
            ok = true;
            exrqoi_header_free(&c);
        } else {
            assert_int_equal(r, EXRQOI_ERR_OUT_OF_MEMORY);
            assert_int_equal(c.count, 0);
        }
        assert_int_equal(fc.live, 0);
    }
    assert_true(ok);
    exrqoi_header_free(&h);
}

static void test_channels_sorted(void **state)
{
    (void)state;
    exrqoi_header h;
    exrqoi_header_init(&h, NULL);
    const char *names[] = {"R", "G", "B", "A", "Z.foo", "AA", "a", "B.x"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_int_equal(exrqoi_header_add_channel(&h, names[i], EXRQOI_PIXEL_HALF, 1, 1, 0),
                         EXRQOI_OK);
    const char *sorted[] = {"A", "AA", "B", "B.x", "G", "R", "Z.foo", "a"};
    const exrqoi_attribute *ch = exrqoi_header_find(&h, "channels");
    assert_non_null(ch);
    assert_int_equal(ch->type, EXRQOI_ATTR_CHLIST);
    assert_int_equal(ch->v.chlist.count, 8);
    for (int i = 0; i < 8; i++) assert_string_equal(ch->v.chlist.entries[i].name, sorted[i]);

    assert_int_equal(exrqoi_header_add_channel(&h, "G", EXRQOI_PIXEL_FLOAT, 1, 1, 0),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    assert_int_equal(exrqoi_header_add_channel(&h, "Y", EXRQOI_PIXEL_FLOAT, 0, 1, 0),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    assert_int_equal(exrqoi_header_add_channel(&h, "Y", (exrqoi_pixel_type)3, 1, 1, 0),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    assert_int_equal(exrqoi_header_add_channel(&h, "", EXRQOI_PIXEL_FLOAT, 1, 1, 0),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    assert_int_equal(exrqoi_header_add_channel(&h, "ry", EXRQOI_PIXEL_UINT, 2, 2, 1), EXRQOI_OK);
    ch = exrqoi_header_find(&h, "channels");
    assert_int_equal(ch->v.chlist.count, 9);
    const exrqoi_channel *last = &ch->v.chlist.entries[8];
    assert_string_equal(last->name, "ry");
    assert_int_equal(last->type, EXRQOI_PIXEL_UINT);
    assert_int_equal(last->x_sampling, 2);
    assert_int_equal(last->p_linear, 1);

    /* The list serialises in file layout, in sorted order. */
    exrqoi_header_free(&h);
    exrqoi_header_init(&h, NULL);
    exrqoi_header_add_channel(&h, "G", EXRQOI_PIXEL_HALF, 1, 1, 0);
    exrqoi_header_add_channel(&h, "B", EXRQOI_PIXEL_FLOAT, 2, 2, 1);
    ch = exrqoi_header_find(&h, "channels");
    static const uint8_t expect[] = {'B', 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0,
                                     'G', 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0};
    assert_int_equal(exrqoi__attr_value_size(ch), sizeof expect);
    uint8_t out[sizeof expect];
    exrqoi__attr_serialize(ch, out);
    assert_memory_equal(out, expect, sizeof expect);

    /* "channels" of another type cannot take channels. */
    exrqoi_header_free(&h);
    exrqoi_header_init(&h, NULL);
    exrqoi_header_set_int(&h, "channels", 3);
    assert_int_equal(exrqoi_header_add_channel(&h, "R", EXRQOI_PIXEL_HALF, 1, 1, 0),
                     EXRQOI_ERR_TYPE_MISMATCH);
    exrqoi_header_free(&h);
}

static void test_init_image(void **state)
{
    (void)state;
    exrqoi_header h;
    assert_int_equal(exrqoi_header_init_image(&h, NULL, 610, 406, EXRQOI_COMPRESSION_PIZ),
                     EXRQOI_OK);
    const char *order[] = {"channels",   "compression",      "dataWindow",         "displayWindow",
                           "lineOrder",  "pixelAspectRatio", "screenWindowCenter", "screenWindowWidth"};
    assert_int_equal(h.count, 8);
    for (int i = 0; i < 8; i++) assert_string_equal(h.attrs[i].name, order[i]);
    assert_int_equal(h.attrs[0].type, EXRQOI_ATTR_CHLIST);
    assert_int_equal(h.attrs[0].v.chlist.count, 0);
    assert_int_equal(h.attrs[1].v.u8, EXRQOI_COMPRESSION_PIZ);
    assert_int_equal(h.attrs[2].v.box2i.min.x, 0);
    assert_int_equal(h.attrs[2].v.box2i.min.y, 0);
    assert_int_equal(h.attrs[2].v.box2i.max.x, 609);
    assert_int_equal(h.attrs[2].v.box2i.max.y, 405);
    assert_memory_equal(&h.attrs[3].v.box2i, &h.attrs[2].v.box2i, sizeof(exrqoi_box2i));
    assert_int_equal(h.attrs[4].type, EXRQOI_ATTR_LINEORDER);
    assert_int_equal(h.attrs[4].v.u8, EXRQOI_LINE_ORDER_INCREASING);
    assert_true(h.attrs[5].v.f == 1.0f);
    assert_true(h.attrs[6].v.v2f.x == 0.0f && h.attrs[6].v.v2f.y == 0.0f);
    assert_true(h.attrs[7].v.f == 1.0f);
    exrqoi_header_free(&h);

    assert_int_equal(exrqoi_header_init_image(&h, NULL, 0, 5, EXRQOI_COMPRESSION_NONE),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    assert_int_equal(h.count, 0);
    assert_int_equal(exrqoi_header_init_image(&h, NULL, 5, 5, EXRQOI_COMPRESSION_COUNT),
                     EXRQOI_ERR_INVALID_ARGUMENT);
}

static void test_typed_setters(void **state)
{
    (void)state;
    exrqoi_header h;
    exrqoi_header_init(&h, NULL);
    exrqoi_tiledesc t = {32, 16, EXRQOI_LEVEL_MIPMAP, EXRQOI_ROUND_UP};
    assert_int_equal(exrqoi_header_set_tiles(&h, t), EXRQOI_OK);
    const exrqoi_attribute *a = exrqoi_header_find(&h, "tiles");
    assert_int_equal(a->type, EXRQOI_ATTR_TILEDESC);
    uint8_t out[9];
    exrqoi__attr_serialize(a, out);
    static const uint8_t expect[9] = {32, 0, 0, 0, 16, 0, 0, 0, 0x11};
    assert_memory_equal(out, expect, 9);

    assert_int_equal(exrqoi_header_set_line_order(&h, EXRQOI_LINE_ORDER_DECREASING), EXRQOI_OK);
    assert_int_equal(exrqoi_header_find(&h, "lineOrder")->v.u8, 1);
    assert_int_equal(exrqoi_header_set_line_order(&h, (exrqoi_line_order)3),
                     EXRQOI_ERR_INVALID_ARGUMENT);

    exrqoi_chromaticities c = exrqoi_chromaticities_rec709();
    assert_true(c.red_x == 0.64f && c.red_y == 0.33f && c.green_x == 0.30f && c.green_y == 0.60f);
    assert_true(c.blue_x == 0.15f && c.blue_y == 0.06f && c.white_x == 0.3127f &&
                c.white_y == 0.3290f);
    assert_int_equal(exrqoi_header_set_chromaticities(&h, c), EXRQOI_OK);
    assert_true(exrqoi_header_find(&h, "chromaticities")->v.chromaticities.white_x == 0.3127f);

    exrqoi_box2i bx = {{-1, -2}, {3, 4}};
    assert_int_equal(exrqoi_header_set_box2i(&h, "dataWindow", bx), EXRQOI_OK);
    assert_int_equal(exrqoi_header_find(&h, "dataWindow")->v.box2i.min.y, -2);
    exrqoi_v2f v = {0.5f, 1.5f};
    assert_int_equal(exrqoi_header_set_v2f(&h, "screenWindowCenter", v), EXRQOI_OK);
    assert_true(exrqoi_header_find(&h, "screenWindowCenter")->v.v2f.y == 1.5f);
    assert_int_equal(exrqoi_header_set_compression(&h, EXRQOI_COMPRESSION_DWAB), EXRQOI_OK);
    assert_int_equal(exrqoi_header_find(&h, "compression")->v.u8, 9);
    assert_int_equal(exrqoi_header_set_string(&h, "owner", ""), EXRQOI_OK);
    assert_int_equal(exrqoi_header_find(&h, "owner")->v.string.length, 0);
    exrqoi_header_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_find_replace_remove),
        cmocka_unit_test(test_set_rejects),
        cmocka_unit_test(test_copy),
        cmocka_unit_test(test_channels_sorted),
        cmocka_unit_test(test_init_image),
        cmocka_unit_test(test_typed_setters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
