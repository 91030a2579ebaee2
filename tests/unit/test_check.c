/*
 * exrqoi_check_* and exrqoi_reader_read_region_lenient on a corpus file
 * (whole, truncated, one chunk corrupted): the report names exactly the
 * damaged chunks, and a lenient read fills exactly those with the slice's
 * fill value while every other pixel equals the whole file's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "../hardening/read_all.h"

#ifndef EXRQOI_SHARED_DIR
#define EXRQOI_SHARED_DIR "../shared"
#endif

/* pxr24, 800 x 800, one half channel Y: 50 chunks of 16 lines */
#define FILE_PATH EXRQOI_SHARED_DIR "/corpus/openexr-images/TestImages/GrayRampsHorizontal.exr"
#define W 800
#define H 800

static uint8_t *g_file;
static size_t g_size;

static int setup(void **state)
{
    (void)state;
    g_file = hard_load(FILE_PATH, &g_size);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(g_file);
    return 0;
}

static void need_file(void)
{
    if (!g_file) {
        print_message("%s absent: skipped\n", FILE_PATH);
        skip();
    }
}

/* Reads Y of the whole image, leniently; returns the result. */
static exrqoi_result read_y(const uint8_t *data, size_t size, uint16_t *px, uint64_t **filled,
                            size_t *nfilled)
{
    exrqoi_reader *r = NULL;
    exrqoi_result rv = exrqoi_reader_open(exrqoi_source_memory(data, size), NULL, &r);
    if (rv) return rv;
    exrqoi_slice s = {"Y", EXRQOI_PIXEL_HALF, px, 2, W * 2, 0.5};
    rv = exrqoi_reader_read_region_lenient(r, 0, 0, 0, NULL, &s, 1, filled, nfilled);
    exrqoi_reader_close(r);
    return rv;
}

static void test_whole(void **state)
{
    (void)state;
    need_file();
    exrqoi_check_report rep;
    assert_int_equal(exrqoi_check(exrqoi_source_memory(g_file, g_size), NULL, &rep), EXRQOI_OK);
    assert_int_equal(rep.part_count, 1);
    assert_true(rep.chunk_count == 50);
    assert_true(rep.chunks_ok == 50);
    assert_int_equal(rep.problem_count, 0);
    assert_int_equal(rep.offsets_rebuilt, 0);
    exrqoi_check_report_free(&rep);
    assert_int_equal(exrqoi_check(exrqoi_source_path(FILE_PATH), NULL, &rep), EXRQOI_OK);
    exrqoi_check_report_free(&rep);
    /* not an EXR at all: one whole-file problem */
    assert_int_not_equal(exrqoi_check(exrqoi_source_memory("hello", 5), NULL, &rep), EXRQOI_OK);
    assert_int_equal(rep.problem_count, 1);
    assert_int_equal(rep.problems[0].part, -1);
    assert_int_equal(rep.problems[0].kind, EXRQOI_CHECK_UNREADABLE);
    exrqoi_check_report_free(&rep);
}

static void test_truncated(void **state)
{
    (void)state;
    need_file();
    size_t len = g_size * 6 / 10;
    uint8_t *cut = (uint8_t *)malloc(len);
    assert_non_null(cut);
    memcpy(cut, g_file, len);
    exrqoi_check_report rep;
    exrqoi_result rv = exrqoi_check(exrqoi_source_memory(cut, len), NULL, &rep);
    assert_int_not_equal(rv, EXRQOI_OK);
    assert_true(rep.problem_count > 0);
    assert_true(rep.chunks_ok + rep.problem_count == rep.chunk_count);
    for (size_t i = 0; i < rep.problem_count; i++) {
        const exrqoi_check_problem *p = &rep.problems[i];
        assert_int_equal(p->part, 0);
        assert_true(p->kind == EXRQOI_CHECK_TRUNCATED || p->kind == EXRQOI_CHECK_MISSING);
        assert_true(p->chunk > 0 && p->chunk < 50);
        assert_int_equal(p->window.min.y, (int32_t)p->chunk * 16);
        assert_true(p->reason[0] != '\0');
        if (i) assert_true(p->chunk > rep.problems[i - 1].chunk);
    }
    /* a lenient read fills exactly the chunks the check found */
    uint16_t *ref = (uint16_t *)calloc(W * H, 2), *px = (uint16_t *)calloc(W * H, 2);
    assert_non_null(ref);
    assert_non_null(px);
    assert_int_equal(read_y(g_file, g_size, ref, NULL, NULL), EXRQOI_OK);
    uint64_t *filled = NULL;
    size_t nfilled = 0;
    assert_int_equal(read_y(cut, len, px, &filled, &nfilled), EXRQOI_OK);
    assert_int_equal(nfilled, rep.problem_count);
    for (size_t i = 0; i < nfilled; i++) assert_true(filled[i] == rep.problems[i].chunk);
    for (int y = 0; y < H; y++) {
        bool f = false;
        for (size_t i = 0; i < nfilled; i++) f |= filled[i] == (uint64_t)(y / 16);
        for (int x = 0; x < W; x += 37)
            assert_int_equal(px[y * W + x], f ? 0x3800 : ref[y * W + x]);
    }
    exrqoi_free(NULL, filled);
    exrqoi_check_report_free(&rep);
    free(ref);
    free(px);
    free(cut);
}

static void test_corrupt_chunk(void **state)
{
    (void)state;
    need_file();
    uint8_t *bad = (uint8_t *)malloc(g_size);
    assert_non_null(bad);
    memcpy(bad, g_file, g_size);
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(g_file, g_size), NULL, &r), EXRQOI_OK);
    exrqoi_chunk_info ci;
    assert_int_equal(exrqoi_reader_chunk_info(r, 0, 10, &ci), EXRQOI_OK);
    exrqoi_reader_close(r);
    /* scramble the middle of chunk 10's deflate stream */
    size_t at = (size_t)ci.file_offset + 8 + (size_t)ci.packed_size / 2;
    for (int k = 0; k < 8; k++) bad[at + (size_t)k] ^= 0x5a;
    exrqoi_check_report rep;
    assert_int_not_equal(exrqoi_check(exrqoi_source_memory(bad, g_size), NULL, &rep), EXRQOI_OK);
    assert_int_equal(rep.problem_count, 1);
    assert_true(rep.problems[0].chunk == 10);
    assert_int_equal(rep.problems[0].kind, EXRQOI_CHECK_CORRUPT);
    assert_true(rep.problems[0].file_offset == ci.file_offset);
    assert_int_equal(rep.problems[0].window.min.y, 160);
    assert_int_equal(rep.problems[0].window.max.y, 175);
    assert_true(rep.chunks_ok == 49);
    exrqoi_check_report_free(&rep);

    uint16_t *px = (uint16_t *)calloc(W * H, 2);
    assert_non_null(px);
    uint64_t *filled = NULL;
    size_t nfilled = 0;
    assert_int_equal(read_y(bad, g_size, px, &filled, &nfilled), EXRQOI_OK);
    assert_int_equal(nfilled, 1);
    assert_true(filled[0] == 10);
    assert_int_equal(px[165 * W + 3], 0x3800);
    exrqoi_free(NULL, filled);
    /* a sub-region away from the damage reads normally, nothing filled */
    exrqoi_box2i reg = {{5, 300}, {99, 420}};
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(bad, g_size), NULL, &r), EXRQOI_OK);
    exrqoi_slice s = {"Y", EXRQOI_PIXEL_HALF, px, 2, 95 * 2, 0.5};
    assert_int_equal(exrqoi_reader_read_region_lenient(r, 0, 0, 0, &reg, &s, 1, &filled, &nfilled),
                     EXRQOI_OK);
    assert_int_equal(nfilled, 0);
    assert_null(filled);
    /* the plain read of the damaged region fails cleanly */
    reg.min.y = 150;
    assert_int_equal(exrqoi_reader_read_region(r, 0, 0, 0, &reg, &s, 1), EXRQOI_ERR_CORRUPT);
    assert_int_equal(exrqoi_reader_read_region_lenient(r, 0, 0, 0, &reg, &s, 1, &filled, &nfilled),
                     EXRQOI_OK);
    assert_int_equal(nfilled, 1);
    exrqoi_free(NULL, filled);
    exrqoi_reader_close(r);
    free(px);
    free(bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_corrupt_chunk),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
