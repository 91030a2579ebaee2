/*
 * The worker pool's scratch cache (thread/pool.h): buffers grow only, each
 * row is its own, a lease given back keeps its memory for the next taker,
 * two leases out at once never share memory, and everything is freed by
 * exrqoi_pool_close (counted through the pool's allocator; ASan/valgrind
 * see the rest). Writers given one pool keep their scratch between writes
 * and write the same bytes as without it, at 1 and 2 threads. Run under
 * ThreadSanitizer by tests/hardening/tsan.sh.
 */
#include <pthread.h>
#include <setjmp.h>
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

static void test_grow_only_per_row(void **state)
{
    (void)state;
    counter cnt = {PTHREAD_MUTEX_INITIALIZER, 0, 0};
    exrqoi_allocator a = {count_alloc, count_free, &cnt};
    exrqoi_pool *pool;
    assert_int_equal(exrqoi_pool_open(1, &a, &pool), EXRQOI_OK);
    long base = cnt.live;
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
    long live = cnt.live;
    exrqoi__pool_lease_give(pool, l);
    assert_int_equal(cnt.live, live); /* kept by the pool */

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
    assert_true(cnt.live > base);
    exrqoi_pool_close(pool);
    assert_int_equal(cnt.live, 0); /* all of it freed with the pool */
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
    counter cnt = {PTHREAD_MUTEX_INITIALIZER, 0, 0};
    exrqoi_allocator a = {count_alloc, count_free, &cnt};
    exrqoi_pool *pool;
    assert_int_equal(exrqoi_pool_open(2, &a, &pool), EXRQOI_OK);
    user_arg u[2] = {{pool, 0}, {pool, 0}};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, lease_user, &u[1]), 0);
    lease_user(&u[0]);
    pthread_join(t, NULL);
    assert_true(u[0].ok && u[1].ok);
    exrqoi_pool_close(pool);
    assert_int_equal(cnt.live, 0);
}

/* An HTJ2K256 (or other) file of 3 half channels and 600 lines, written with
 * `pool` (NULL: none); returns its bytes. */
static uint8_t *write_file(exrqoi_compression comp, exrqoi_pool *pool, int threads, size_t *size)
{
    enum { W = 173, H = 600 };
    exrqoi_box2i dw = {{0, 0}, {W - 1, H - 1}};
    exrqoi_header h;
    ts_header_image(&h, dw, &dw, comp);
    static const char *const names[3] = {"B", "G", "R"};
    static const exrqoi_pixel_type types[3] = {EXRQOI_PIXEL_HALF, EXRQOI_PIXEL_HALF, EXRQOI_PIXEL_HALF};
    ts_header_add_channels(&h, 3, names, types);
    uint16_t *px = (uint16_t *)malloc((size_t)W * H * 3 * 2);
    assert_non_null(px);
    uint32_t x = 7;
    for (size_t i = 0; i < (size_t)W * H * 3; i++) {
        x = x * 1664525u + 1013904223u;
        px[i] = (uint16_t)(0x3800 + ((x >> 20) & 0x3ff) + (i % W) * 2);
    }
    exrqoi_slice s[3];
    memset(s, 0, sizeof s);
    for (int c = 0; c < 3; c++) {
        s[c].name = names[c];
        s[c].type = EXRQOI_PIXEL_HALF;
        s[c].base = px + c;
        s[c].x_stride = 6;
        s[c].y_stride = (ptrdiff_t)W * 6;
    }
    exrqoi_write_options wo = EXRQOI_WRITE_OPTIONS_INIT;
    wo.pool = pool;
    wo.threads = threads;
    void *file = NULL;
    exrqoi_writer *w;
    assert_int_equal(exrqoi_writer_open(exrqoi_sink_memory(&file, size), &h, 1, &wo, &w), EXRQOI_OK);
    assert_int_equal(exrqoi_writer_write_region(w, 0, 0, 0, NULL, s, 3), EXRQOI_OK);
    assert_int_equal(exrqoi_writer_finish(w), EXRQOI_OK);
    exrqoi_writer_close(w);
    exrqoi_header_free(&h);
    free(px);
    return (uint8_t *)file;
}

static void test_writers_keep_scratch(void **state)
{
    (void)state;
    static const exrqoi_compression comps[] = {EXRQOI_COMPRESSION_HTJ2K256, EXRQOI_COMPRESSION_HTJ2K32,
                                                EXRQOI_COMPRESSION_ZIP, EXRQOI_COMPRESSION_PIZ};
    for (size_t ci = 0; ci < sizeof comps / sizeof comps[0]; ci++) {
        size_t ref_size;
        uint8_t *ref = write_file(comps[ci], NULL, 1, &ref_size);
        for (int threads = 1; threads <= 2; threads++) {
            counter cnt = {PTHREAD_MUTEX_INITIALIZER, 0, 0};
            exrqoi_allocator a = {count_alloc, count_free, &cnt};
            exrqoi_pool *pool;
            assert_int_equal(exrqoi_pool_open(threads, &a, &pool), EXRQOI_OK);
            long opened = made(&cnt);
            size_t n1, n2;
            uint8_t *f1 = write_file(comps[ci], pool, 0, &n1);
            long after1 = made(&cnt);
            uint8_t *f2 = write_file(comps[ci], pool, 0, &n2);
            /* the first write filled the cache; the second took nothing new
             * (1 thread: one worker sees every chunk size in the first
             * write; with 2 the sizes a worker sees vary from write to write) */
            assert_true(after1 > opened);
            if (threads == 1) assert_int_equal(made(&cnt), after1);
            assert_int_equal(n1, ref_size);
            assert_int_equal(n2, ref_size);
            assert_memory_equal(f1, ref, ref_size);
            assert_memory_equal(f2, ref, ref_size);
            exrqoi_free(NULL, f1);
            exrqoi_free(NULL, f2);
            exrqoi_pool_close(pool);
            assert_int_equal(cnt.live, 0);
        }
        exrqoi_free(NULL, ref);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_grow_only_per_row),
                                       cmocka_unit_test(test_leases_threads),
                                       cmocka_unit_test(test_writers_keep_scratch)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
