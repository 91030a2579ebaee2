/*
 * The worker pool's scratch cache (thread/pool.h): buffers grow only, each
 * row is its own, a lease given back keeps its memory for the next taker,
 * two leases out at once never share memory, and everything is freed by
 * exrqoi_pool_close (counted through the pool's allocator; ASan/valgrind
 * see the rest). Writers given one pool keep their scratch between writes
 * and write the same bytes as without it, and readers (flat, deep, deep
 * regions) read the same samples as without it, at 1 and 2 threads; the
 * reader's chunk cache never lives in the pool's memory. Run under
 * ThreadSanitizer by tests/hardening/tsan.sh.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exrqoi/exrqoi.h"
#include "test_support.h"
#include "thread/pool.h"

/* An allocator counting live blocks and every allocation made. */
typedef struct counter {
    pthread_mutex_t m;
    long live, made;
} counter;

static void *count_alloc(void *user, size_t size)
{
    counter *c = (counter *)user;
    void *p = malloc(size ? size : 1);
    pthread_mutex_lock(&c->m);
    if (p) c->live++, c->made++;
    pthread_mutex_unlock(&c->m);
    return p;
}

static void count_free(void *user, void *ptr)
{
    counter *c = (counter *)user;
    if (!ptr) return;
    pthread_mutex_lock(&c->m);
    c->live--;
    pthread_mutex_unlock(&c->m);
    free(ptr);
}

static long made(counter *c)
{
    pthread_mutex_lock(&c->m);
    long v = c->made;
    pthread_mutex_unlock(&c->m);
    return v;
}

/* A pool whose memory is counted: every block it allocates, live or made. */
typedef struct counted_pool {
    counter cnt;
    exrqoi_allocator a;
    exrqoi_pool *pool;
} counted_pool;

static void cp_open(counted_pool *cp, int threads)
{
    memset(cp, 0, sizeof *cp);
    assert_int_equal(pthread_mutex_init(&cp->cnt.m, NULL), 0);
    cp->a.alloc = count_alloc;
    cp->a.free = count_free;
    cp->a.user = &cp->cnt;
    assert_int_equal(exrqoi_pool_open(threads, &cp->a, &cp->pool), EXRQOI_OK);
}

/* Closes the pool: nothing of it may stay allocated. */
static void cp_close(counted_pool *cp)
{
    exrqoi_pool_close(cp->pool);
    assert_int_equal(cp->cnt.live, 0);
    pthread_mutex_destroy(&cp->cnt.m);
}

static void test_grow_only_per_row(void **state)
{
    (void)state;
    counted_pool cp;
    cp_open(&cp, 1);
    exrqoi_pool *pool = cp.pool;
    counter *cnt = &cp.cnt;
    long base = cnt->live;
    assert_null(exrqoi__pool_lease_take(NULL, 1));
    assert_null(exrqoi__pool_lease_take(pool, 0));

    exrqoi__pool_lease *l = exrqoi__pool_lease_take(pool, 2);
    assert_non_null(l);
    uint8_t *p = (uint8_t *)exrqoi__pool_scratch(l, 0, 0, 100);
    assert_non_null(p);
    memset(p, 0xab, 100);
    /* smaller or equal: the same memory, contents kept */
    assert_ptr_equal(exrqoi__pool_scratch(l, 0, 0, 10), p);
    assert_ptr_equal(exrqoi__pool_scratch(l, 0, 0, 100), p);
    assert_int_equal(p[99], 0xab);
    /* another row or slot: other memory */
    uint8_t *q = (uint8_t *)exrqoi__pool_scratch(l, 1, 0, 100);
    uint8_t *s = (uint8_t *)exrqoi__pool_scratch(l, 0, 1, 100);
    assert_non_null(q);
    assert_non_null(s);
    assert_true(q != p && s != p && s != q);
    /* out of range */
    assert_null(exrqoi__pool_scratch(l, 2, 0, 1));
    assert_null(exrqoi__pool_scratch(l, -1, 0, 1));
    assert_null(exrqoi__pool_scratch(l, 0, EXRQOI__POOL_SLOTS, 1));
    /* larger: usable to its end, then kept at that size */
    uint8_t *big = (uint8_t *)exrqoi__pool_scratch(l, 0, 0, (size_t)1 << 20);
    assert_non_null(big);
    memset(big, 1, (size_t)1 << 20);
    assert_ptr_equal(exrqoi__pool_scratch(l, 0, 0, 100), big);
    long live = cnt->live;
    exrqoi__pool_lease_give(pool, l);
    assert_int_equal(cnt->live, live); /* kept by the pool */

    /* the next taker gets the same memory; more rows keep the old ones */
    exrqoi__pool_lease *l2 = exrqoi__pool_lease_take(pool, 5);
    assert_ptr_equal(l2, l);
    assert_ptr_equal(exrqoi__pool_scratch(l2, 0, 0, 1000), big);
    assert_ptr_equal(exrqoi__pool_scratch(l2, 1, 0, 100), q);
    assert_non_null(exrqoi__pool_scratch(l2, 4, 7, 64));
    /* a second lease while the first is out: its own memory */
    exrqoi__pool_lease *l3 = exrqoi__pool_lease_take(pool, 1);
    assert_non_null(l3);
    assert_true(l3 != l2);
    void *r3 = exrqoi__pool_scratch(l3, 0, 0, 1000);
    assert_non_null(r3);
    assert_true(r3 != big);
    exrqoi__pool_lease_give(pool, l3);
    exrqoi__pool_lease_give(pool, l2);
    exrqoi__pool_lease_give(pool, NULL);
    assert_true(cnt->live > base);
    cp_close(&cp); /* all of it freed with the pool */
}

/* Two threads with a lease each, on one pool at once. */
typedef struct user_arg {
    exrqoi_pool *pool;
    int ok;
} user_arg;

static void *lease_user(void *arg)
{
    user_arg *u = (user_arg *)arg;
    u->ok = 1;
    for (int round = 0; round < 50; round++) {
        exrqoi__pool_lease *l = exrqoi__pool_lease_take(u->pool, 1 + round % 3);
        if (!l) {
            u->ok = 0;
            break;
        }
        size_t n = 256 + (size_t)round * 97;
        uint8_t *p = (uint8_t *)exrqoi__pool_scratch(l, 0, round % EXRQOI__POOL_SLOTS, n);
        if (!p) u->ok = 0;
        if (p) {
            memset(p, round, n);
            for (size_t i = 0; i < n; i++) u->ok &= p[i] == (uint8_t)round;
        }
        exrqoi__pool_lease_give(u->pool, l);
    }
    return NULL;
}

static void test_leases_threads(void **state)
{
    (void)state;
    counted_pool cp;
    cp_open(&cp, 2);
    user_arg u[2] = {{cp.pool, 0}, {cp.pool, 0}};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, lease_user, &u[1]), 0);
    lease_user(&u[0]);
    pthread_join(t, NULL);
    assert_true(u[0].ok && u[1].ok);
    cp_close(&cp);
}

/* ---- flat files ---------------------------------------------------------------- */

enum { W = 173, H = 600, NCH = 3 };
static const char *const k_names[NCH] = {"B", "G", "R"};

/* Slices of the NCH channels in a W-wide pixel-interleaved buffer of
 * `type` samples of `size` bytes each. */
static void interleaved_slices(exrqoi_slice *s, exrqoi_pixel_type type, void *base, size_t size)
{
    memset(s, 0, NCH * sizeof *s);
    for (int c = 0; c < NCH; c++) {
        s[c].name = k_names[c];
        s[c].type = type;
        s[c].base = (uint8_t *)base + (size_t)c * size;
        s[c].x_stride = (ptrdiff_t)(size * NCH);
        s[c].y_stride = (ptrdiff_t)(W * size * NCH);
    }
}

/* A file of 3 half channels, W x H, scanline or in 64x64 tiles, its samples
 * from `seed`, written with `pool` (NULL: none) on `threads`; returns its
 * bytes (free with exrqoi_free). */
static uint8_t *write_file(exrqoi_compression comp, bool tiled, uint32_t seed, exrqoi_pool *pool, int threads,
                           size_t *size)
{
    exrqoi_box2i dw = {{0, 0}, {W - 1, H - 1}};
    exrqoi_header h;
    ts_header_image(&h, dw, &dw, comp);
    if (tiled) {
        exrqoi_tiledesc t = {64, 64, EXRQOI_LEVEL_ONE, EXRQOI_ROUND_DOWN};
        assert_int_equal(exrqoi_header_set_tiles(&h, t), EXRQOI_OK);
    }
    static const exrqoi_pixel_type types[NCH] = {EXRQOI_PIXEL_HALF, EXRQOI_PIXEL_HALF, EXRQOI_PIXEL_HALF};
    ts_header_add_channels(&h, NCH, k_names, types);
    uint16_t *px = (uint16_t *)malloc((size_t)W * H * NCH * 2);
    assert_non_null(px);
    uint32_t x = 7 + seed;
    for (size_t i = 0; i < (size_t)W * H * NCH; i++) {
        x = x * 1664525u + 1013904223u;
        px[i] = (uint16_t)(0x3800 + ((x >> 20) & 0x3ff) + (i % W) * 2 + seed);
    }
    exrqoi_slice s[NCH];
    interleaved_slices(s, EXRQOI_PIXEL_HALF, px, 2);
    exrqoi_write_options wo = EXRQOI_WRITE_OPTIONS_INIT;
    wo.pool = pool;
    wo.threads = threads;
    void *file = NULL;
    exrqoi_writer *w;
    assert_int_equal(exrqoi_writer_open(exrqoi_sink_memory(&file, size), &h, 1, &wo, &w), EXRQOI_OK);
    assert_int_equal(exrqoi_writer_write_region(w, 0, 0, 0, NULL, s, NCH), EXRQOI_OK);
    assert_int_equal(exrqoi_writer_finish(w), EXRQOI_OK);
    exrqoi_writer_close(w);
    exrqoi_header_free(&h);
    free(px);
    return (uint8_t *)file;
}

/* Opens a reader on a file in memory with `pool` (NULL: the reader's own,
 * on `threads`). */
static exrqoi_reader *open_reader(const uint8_t *file, size_t size, exrqoi_pool *pool, int threads)
{
    exrqoi_read_options ro = EXRQOI_READ_OPTIONS_INIT;
    ro.pool = pool;
    ro.threads = threads;
    exrqoi_reader *r = NULL;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(file, size), &ro, &r), EXRQOI_OK);
    return r;
}

/* Reads lines y0..y1 of every channel as float, pixel-interleaved, into out
 * (W * NCH floats per line, from line y0). */
static void read_lines(exrqoi_reader *r, int32_t y0, int32_t y1, float *out)
{
    exrqoi_slice s[NCH];
    interleaved_slices(s, EXRQOI_PIXEL_FLOAT, out, 4);
    exrqoi_box2i reg = {{0, y0}, {W - 1, y1}};
    assert_int_equal(exrqoi_reader_read_region(r, 0, 0, 0, &reg, s, NCH), EXRQOI_OK);
}

/* The whole image of a file as a new reader with `pool` reads it. */
static void read_whole(const uint8_t *file, size_t size, exrqoi_pool *pool, int threads, float *out)
{
    exrqoi_reader *r = open_reader(file, size, pool, threads);
    read_lines(r, 0, H - 1, out);
    exrqoi_reader_close(r);
}

/* ---- writers ---------------------------------------------------------------- */

static void test_writers_keep_scratch(void **state)
{
    (void)state;
    static const exrqoi_compression comps[] = {EXRQOI_COMPRESSION_HTJ2K256, EXRQOI_COMPRESSION_HTJ2K32,
                                                EXRQOI_COMPRESSION_ZIP, EXRQOI_COMPRESSION_PIZ};
    for (size_t ci = 0; ci < sizeof comps / sizeof comps[0]; ci++) {
        size_t ref_size;
        uint8_t *ref = write_file(comps[ci], false, 0, NULL, 1, &ref_size);
        for (int threads = 1; threads <= 2; threads++) {
            counted_pool cp;
            cp_open(&cp, threads);
            long before = made(&cp.cnt), after1 = 0;
            for (int round = 0; round < 2; round++) {
                size_t n;
                uint8_t *f = write_file(comps[ci], false, 0, cp.pool, 0, &n);
                assert_int_equal(n, ref_size);
                assert_memory_equal(f, ref, ref_size);
                exrqoi_free(NULL, f);
                /* the first write filled the cache; the second took nothing
                 * new (1 thread: one worker sees every chunk size in the
                 * first write; with 2 the sizes a worker sees vary from
                 * write to write) */
                if (round == 0) after1 = made(&cp.cnt);
            }
            assert_true(after1 > before);
            if (threads == 1) assert_int_equal(made(&cp.cnt), after1);
            cp_close(&cp);
        }
        exrqoi_free(NULL, ref);
    }
}

/* ---- readers ---------------------------------------------------------------- */

/* Readers given one pool take their workers' scratch from it (the pool's
 * allocator sees it) and read the same samples as without a pool, scanline
 * and tiled, at 1 and 2 threads, read after read. */
static void test_readers_keep_scratch(void **state)
{
    (void)state;
    static const exrqoi_compression comps[] = {EXRQOI_COMPRESSION_ZIP, EXRQOI_COMPRESSION_ZIPS,
                                                EXRQOI_COMPRESSION_PXR24, EXRQOI_COMPRESSION_PIZ,
                                                EXRQOI_COMPRESSION_HTJ2K32, EXRQOI_COMPRESSION_DWAA};
    size_t n = (size_t)W * H * NCH;
    float *ref = (float *)malloc(n * sizeof *ref), *got = (float *)malloc(n * sizeof *got);
    assert_non_null(ref);
    assert_non_null(got);
    for (size_t ci = 0; ci < sizeof comps / sizeof comps[0]; ci++) {
        for (int tiled = 0; tiled <= 1; tiled++) {
            size_t size;
            uint8_t *file = write_file(comps[ci], tiled, 0, NULL, 1, &size);
            read_whole(file, size, NULL, 1, ref);
            for (int threads = 1; threads <= 2; threads++) {
                counted_pool cp;
                cp_open(&cp, threads);
                long before = made(&cp.cnt), after1 = 0;
                for (int round = 0; round < 3; round++) {
                    memset(got, 0xff, n * sizeof *got);
                    read_whole(file, size, cp.pool, 0, got);
                    assert_memory_equal(got, ref, n * sizeof *ref);
                    if (round == 0) after1 = made(&cp.cnt);
                }
                assert_true(after1 > before);
                if (threads == 1) assert_int_equal(made(&cp.cnt), after1);
                cp_close(&cp);
            }
            exrqoi_free(NULL, file);
        }
    }
    free(ref);
    free(got);
}

/* A chunk the reader keeps for line-by-line calls is its own copy: another
 * reader on the same pool, decoding other samples into the same leased
 * memory between two calls, does not change what the next line reads. */
static void test_read_cache_across_calls(void **state)
{
    (void)state;
    size_t na, nb;
    uint8_t *fa = write_file(EXRQOI_COMPRESSION_ZIP, false, 0, NULL, 1, &na);
    uint8_t *fb = write_file(EXRQOI_COMPRESSION_ZIP, false, 977, NULL, 1, &nb);
    size_t line = (size_t)W * NCH;
    float *ref = (float *)malloc((size_t)H * line * sizeof(float));
    float *got = (float *)malloc(line * sizeof(float)), *other = (float *)malloc(line * sizeof(float));
    assert_non_null(ref);
    assert_non_null(got);
    assert_non_null(other);
    read_whole(fa, na, NULL, 1, ref);
    for (int threads = 1; threads <= 2; threads++) {
        counted_pool cp;
        cp_open(&cp, threads);
        exrqoi_reader *a = open_reader(fa, na, cp.pool, 0), *b = open_reader(fb, nb, cp.pool, 0);
        for (int32_t y = 0; y < 40; y++) {
            memset(got, 0xff, line * sizeof(float));
            read_lines(a, y, y, got); /* ZIP: 16 lines a chunk, 15 of them from the cache */
            assert_memory_equal(got, ref + (size_t)y * line, line * sizeof(float));
            read_lines(b, y, y, other);
            assert_memory_not_equal(other, got, line * sizeof(float));
        }
        exrqoi_reader_close(a);
        exrqoi_reader_close(b);
        cp_close(&cp);
    }
    free(ref);
    free(got);
    free(other);
    exrqoi_free(NULL, fa);
    exrqoi_free(NULL, fb);
}

/* ---- deep readers ------------------------------------------------------------- */

enum { DW = 61, DH = 45 };
static const char *const k_deep_names[2] = {"A", "Z"};

/* A deep file, scanline or in 16x16 tiles, of counts 0..5 and two channels. */
static uint8_t *write_deep(exrqoi_compression comp, bool tiled, size_t *size)
{
    static const exrqoi_pixel_type types[2] = {EXRQOI_PIXEL_HALF, EXRQOI_PIXEL_FLOAT};
    exrqoi_box2i dw = {{0, 0}, {DW - 1, DH - 1}};
    exrqoi_header h;
    ts_header_image(&h, dw, NULL, comp);
    assert_int_equal(exrqoi_header_set_string(&h, "type", tiled ? "deeptile" : "deepscanline"), EXRQOI_OK);
    if (tiled) {
        exrqoi_tiledesc t = {16, 16, EXRQOI_LEVEL_ONE, EXRQOI_ROUND_DOWN};
        assert_int_equal(exrqoi_header_set_tiles(&h, t), EXRQOI_OK);
    }
    ts_header_add_channels(&h, 2, k_deep_names, types);
    exrqoi_deep_image img;
    assert_int_equal(exrqoi_deep_image_init(&img, NULL, DW, DH, 2, k_deep_names, types), EXRQOI_OK);
    for (size_t i = 0; i < (size_t)DW * DH; i++) img.counts[i] = (uint32_t)((i * 7 + i / DW) % 6);
    assert_int_equal(exrqoi_deep_image_alloc_samples(&img, 0), EXRQOI_OK);
    for (uint64_t i = 0; i < img.total_samples; i++) {
        ((uint16_t *)img.channels[0].samples)[i] = (uint16_t)(0x3000 + (i * 37) % 0x800);
        ((float *)img.channels[1].samples)[i] = (float)i * 0.25f + 1.0f / 3.0f;
    }
    exrqoi_write_options wo = EXRQOI_WRITE_OPTIONS_INIT;
    wo.threads = 1;
    void *file = NULL;
    exrqoi_writer *w;
    assert_int_equal(exrqoi_writer_open(exrqoi_sink_memory(&file, size), &h, 1, &wo, &w), EXRQOI_OK);
    assert_int_equal(exrqoi_writer_write_deep(w, 0, 0, 0, &img), EXRQOI_OK);
    assert_int_equal(exrqoi_writer_finish(w), EXRQOI_OK);
    exrqoi_writer_close(w);
    exrqoi_deep_image_free(&img);
    exrqoi_header_free(&h);
    return (uint8_t *)file;
}

/* Whole deep levels and deep regions read with a pool: the samples of a
 * read without one, at 1 and 2 threads, read after read. */
static void test_deep_readers_keep_scratch(void **state)
{
    (void)state;
    static const exrqoi_compression comps[] = {EXRQOI_COMPRESSION_ZIPS, EXRQOI_COMPRESSION_RLE};
    for (size_t ci = 0; ci < sizeof comps / sizeof comps[0]; ci++) {
        for (int tiled = 0; tiled <= 1; tiled++) {
            size_t size;
            uint8_t *file = write_deep(comps[ci], tiled, &size);
            exrqoi_reader *r0 = open_reader(file, size, NULL, 1);
            exrqoi_deep_image ref;
            assert_int_equal(exrqoi_reader_read_deep(r0, 0, 0, 0, &ref), EXRQOI_OK);
            exrqoi_reader_close(r0);
            size_t npix = (size_t)DW * DH;
            float *z = (float *)malloc((ref.total_samples ? ref.total_samples : 1) * sizeof(float));
            void **ptrs = (void **)malloc(npix * sizeof *ptrs);
            assert_non_null(z);
            assert_non_null(ptrs);
            for (size_t i = 0; i < npix; i++) ptrs[i] = z + ref.offsets[i];
            for (int threads = 1; threads <= 2; threads++) {
                counted_pool cp;
                cp_open(&cp, threads);
                long before = made(&cp.cnt);
                for (int round = 0; round < 2; round++) {
                    exrqoi_reader *r = open_reader(file, size, cp.pool, 0);
                    exrqoi_deep_image got;
                    assert_int_equal(exrqoi_reader_read_deep(r, 0, 0, 0, &got), EXRQOI_OK);
                    assert_int_equal(got.total_samples, ref.total_samples);
                    assert_memory_equal(got.counts, ref.counts, npix * sizeof(uint32_t));
                    assert_memory_equal(got.channels[0].samples, ref.channels[0].samples, ref.total_samples * 2);
                    assert_memory_equal(got.channels[1].samples, ref.channels[1].samples, ref.total_samples * 4);
                    exrqoi_deep_image_free(&got);
                    /* the region path: the Z samples into per-pixel room */
                    exrqoi_deep_slice sl = {"Z", EXRQOI_PIXEL_FLOAT, ptrs, sizeof(void *),
                                            (ptrdiff_t)(DW * sizeof(void *)), 4, 0};
                    memset(z, 0xff, (ref.total_samples ? ref.total_samples : 1) * sizeof(float));
                    assert_int_equal(exrqoi_reader_read_deep_region(r, 0, 0, 0, NULL, ref.counts, 4, DW * 4, &sl, 1),
                                     EXRQOI_OK);
                    assert_memory_equal(z, ref.channels[1].samples, ref.total_samples * 4);
                    exrqoi_reader_close(r);
                }
                assert_true(made(&cp.cnt) > before);
                cp_close(&cp);
            }
            free(z);
            free(ptrs);
            exrqoi_deep_image_free(&ref);
            exrqoi_free(NULL, file);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_grow_only_per_row),
                                       cmocka_unit_test(test_leases_threads),
                                       cmocka_unit_test(test_writers_keep_scratch),
                                       cmocka_unit_test(test_readers_keep_scratch),
                                       cmocka_unit_test(test_read_cache_across_calls),
                                       cmocka_unit_test(test_deep_readers_keep_scratch)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
