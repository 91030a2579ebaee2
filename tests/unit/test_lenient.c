/*
 * Lenient reads of damaged files: what survives is exactly the original.
 * Corpus files (flat scanline, deep scanline) are cut short or get a run
 * of flipped bytes; exrqoi_reader_read_region_lenient and
 * exrqoi_reader_read_deep_lenient must then succeed, list the damaged
 * chunks, give every pixel of every other chunk bit for bit as the intact
 * file does, and leave the listed chunks filled (fill value; no samples).
 */
#define _POSIX_C_SOURCE 200809L
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

static uint8_t *load(const char *rel, size_t *size)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/corpus/openexr-images/%s", EXRQOI_SHARED_DIR, rel);
    return ts_read_file(path, size);
}

static exrqoi_reader *open_mem(const uint8_t *d, size_t n)
{
    exrqoi_read_options o = EXRQOI_READ_OPTIONS_INIT;
    o.threads = 2;
    exrqoi_reader *r = NULL;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(d, n), &o, &r), EXRQOI_OK);
    return r;
}

static bool listed(const uint64_t *list, size_t n, uint64_t k)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == k) return true;
    return false;
}

/* Flat scanline part 0: every channel as float, damaged vs intact. */
static void check_flat(const uint8_t *orig, size_t osize, const uint8_t *dmg, size_t dsize, bool expect_damage)
{
    exrqoi_reader *ro = open_mem(orig, osize), *rd = open_mem(dmg, dsize);
    exrqoi_part_info pi;
    assert_int_equal(exrqoi_reader_part_info(ro, 0, &pi), EXRQOI_OK);
    assert_false(pi.tiled);
    int32_t w = pi.data_window.max.x - pi.data_window.min.x + 1, h = pi.data_window.max.y - pi.data_window.min.y + 1;
    int n = pi.channel_count;
    size_t plane = (size_t)w * (size_t)h;
    float *a = malloc(plane * (size_t)n * sizeof(float)), *b = malloc(plane * (size_t)n * sizeof(float));
    exrqoi_slice *sa = calloc((size_t)n, sizeof *sa), *sb = calloc((size_t)n, sizeof *sb);
    for (int c = 0; c < n; c++) {
        assert_int_equal(pi.channels[c].x_sampling, 1);
        sa[c].name = sb[c].name = pi.channels[c].name;
        sa[c].type = sb[c].type = EXRQOI_PIXEL_FLOAT;
        sa[c].base = a + plane * (size_t)c;
        sb[c].base = b + plane * (size_t)c;
        sa[c].x_stride = sb[c].x_stride = sizeof(float);
        sa[c].y_stride = sb[c].y_stride = (ptrdiff_t)w * (ptrdiff_t)sizeof(float);
        sb[c].fill = 0.5; /* distinguishable from what is decoded */
    }
    assert_int_equal(exrqoi_reader_read_region(ro, 0, 0, 0, NULL, sa, n), EXRQOI_OK);
    uint64_t *list = NULL;
    size_t nl = 0;
    assert_int_equal(exrqoi_reader_read_region_lenient(rd, 0, 0, 0, NULL, sb, n, &list, &nl), EXRQOI_OK);
    if (expect_damage) assert_true(nl > 0);
    assert_true(nl < pi.chunk_count);
    size_t intact_rows = 0;
    for (int32_t y = 0; y < h; y++) {
        uint64_t k = (uint64_t)y / (uint64_t)pi.lines_per_chunk;
        for (int c = 0; c < n; c++) {
            const float *ra = a + plane * (size_t)c + (size_t)y * (size_t)w;
            const float *rb = b + plane * (size_t)c + (size_t)y * (size_t)w;
            if (listed(list, nl, k)) {
                for (int32_t x = 0; x < w; x++) assert_true(rb[x] == 0.5f);
            } else {
                assert_memory_equal(ra, rb, (size_t)w * sizeof(float));
            }
        }
        if (!listed(list, nl, k)) intact_rows++;
    }
    assert_true(intact_rows > 0);
    exrqoi_free(NULL, list);
    free(a);
    free(b);
    free(sa);
    free(sb);
    exrqoi_reader_close(ro);
    exrqoi_reader_close(rd);
}

/* Deep part 0: counts and every channel's samples, damaged vs intact. */
static void check_deep(const uint8_t *orig, size_t osize, const uint8_t *dmg, size_t dsize)
{
    exrqoi_reader *ro = open_mem(orig, osize), *rd = open_mem(dmg, dsize);
    exrqoi_part_info pi;
    assert_int_equal(exrqoi_reader_part_info(ro, 0, &pi), EXRQOI_OK);
    exrqoi_deep_image a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    assert_int_equal(exrqoi_reader_read_deep(ro, 0, 0, 0, &a), EXRQOI_OK);
    assert_int_not_equal(exrqoi_reader_read_deep(rd, 0, 0, 0, &b), EXRQOI_OK);
    uint64_t *list = NULL;
    size_t nl = 0;
    assert_int_equal(exrqoi_reader_read_deep_lenient(rd, 0, 0, 0, &b, &list, &nl), EXRQOI_OK);
    assert_true(nl > 0 && nl < pi.chunk_count);
    assert_int_equal(a.width, b.width);
    assert_int_equal(a.height, b.height);
    assert_int_equal(a.channel_count, b.channel_count);
    size_t intact_samples = 0;
    for (int32_t y = 0; y < a.height; y++) {
        uint64_t k = (uint64_t)y / (pi.tiled ? (uint64_t)pi.tiles.y_size : (uint64_t)pi.lines_per_chunk);
        for (int32_t x = 0; x < a.width; x++) {
            size_t i = (size_t)y * (size_t)a.width + (size_t)x;
            if (listed(list, nl, k)) {
                assert_int_equal(b.counts[i], 0);
                continue;
            }
            assert_int_equal(a.counts[i], b.counts[i]);
            for (int32_t c = 0; c < a.channel_count; c++) {
                size_t sz = (size_t)exrqoi_pixel_type_size(a.channels[c].type);
                assert_memory_equal((uint8_t *)a.channels[c].samples + a.offsets[i] * sz,
                                    (uint8_t *)b.channels[c].samples + b.offsets[i] * sz, a.counts[i] * sz);
            }
            intact_samples += a.counts[i];
        }
    }
    assert_true(intact_samples > 0);
    exrqoi_free(NULL, list);
    exrqoi_deep_image_free(&a);
    exrqoi_deep_image_free(&b);
    exrqoi_reader_close(ro);
    exrqoi_reader_close(rd);
}

static uint8_t *flipped(const uint8_t *d, size_t n, size_t at, size_t len)
{
    uint8_t *c = malloc(n);
    memcpy(c, d, n);
    for (size_t i = at; i < at + len && i < n; i++) c[i] ^= 0xff;
    return c;
}

static void test_flat_truncated_and_flipped(void **state)
{
    (void)state;
    size_t n;
    uint8_t *d = load("TestImages/GammaChart.exr", &n);
    if (!d) skip();
    for (int frac = 3; frac <= 9; frac += 3) check_flat(d, n, d, n * (size_t)frac / 10, true);
    uint8_t *f = flipped(d, n, n / 2, 64);
    check_flat(d, n, f, n, false);
    free(f);
    free(d);
}

static void test_deep_truncated_and_flipped(void **state)
{
    (void)state;
    size_t n;
    uint8_t *d = load("v2/LowResLeftView/Balls.exr", &n);
    if (!d) skip();
    for (int frac = 3; frac <= 9; frac += 3) check_deep(d, n, d, n * (size_t)frac / 10);
    uint8_t *f = flipped(d, n, n / 2, 64);
    check_deep(d, n, f, n);
    free(f);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_flat_truncated_and_flipped),
                                       cmocka_unit_test(test_deep_truncated_and_flipped)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
