/*
 * Parallel decode gives the same bytes as serial: every corpus EXR is read
 * with 1, 2 and 8 threads (the reader's own pool), through a shared pool,
 * and by two threads using one reader at once; every output must equal
 * the serial one byte for byte. Run under ThreadSanitizer by
 * tests/hardening/tsan.sh.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
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

/* Serial output, and a cursor comparing a later run against it. */
typedef struct ref {
    uint8_t *d;
    size_t n, cap;
    size_t at;        /* compare position */
    int mismatch;
} ref;

static void ref_store(void *user, const void *data, size_t size)
{
    ref *r = (ref *)user;
    if (r->n + size > r->cap) {
        size_t cap = r->cap ? r->cap : 1 << 20;
        while (cap < r->n + size) cap *= 2;
        uint8_t *nd = (uint8_t *)realloc(r->d, cap);
        assert_non_null(nd);
        r->d = nd;
        r->cap = cap;
    }
    memcpy(r->d + r->n, data, size);
    r->n += size;
}

typedef struct cmp {
    const ref *base;
    size_t at;
    int mismatch;
} cmp;

static void ref_compare(void *user, const void *data, size_t size)
{
    cmp *c = (cmp *)user;
    if (c->at + size > c->base->n || memcmp(c->base->d + c->at, data, size) != 0) c->mismatch = 1;
    c->at += size;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(const char *dir, char ***v, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "Damaged") == 0) continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            walk(p, v, n);
        } else if (strlen(p) > 4 && strcmp(p + strlen(p) - 4, ".exr") == 0) {
            *v = (char **)realloc(*v, (*n + 1) * sizeof **v);
            assert_non_null(*v);
            (*v)[(*n)++] = strdup(p);
        }
    }
    closedir(d);
}

/* One reader shared by two threads, each reading the whole file. */
typedef struct shared_job {
    exrqoi_reader *r;
    const ref *base;
    int mismatch;
    exrqoi_result rv;
} shared_job;

static exrqoi_result read_with_reader(exrqoi_reader *r, hard_sink_fn sink, void *user)
{
    hard_opts o;
    memset(&o, 0, sizeof o);
    o.sink = sink;
    o.sink_user = user;
    return hard_read_reader(r, &o, NULL);
}

static void *shared_thread(void *arg)
{
    shared_job *j = (shared_job *)arg;
    cmp c = {j->base, 0, 0};
    j->rv = read_with_reader(j->r, ref_compare, &c);
    j->mismatch = c.mismatch || c.at != j->base->n;
    return NULL;
}

static void test_threads_identical(void **state)
{
    (void)state;
    struct stat st;
    if (stat(EXRQOI_SHARED_DIR "/corpus/openexr-images", &st) != 0) {
        print_message("%s absent: skipped\n", EXRQOI_SHARED_DIR);
        skip();
    }
    char **files = NULL;
    size_t nfiles = 0;
    walk(EXRQOI_SHARED_DIR "/corpus/openexr-images", &files, &nfiles);
    assert_true(nfiles > 0);
    qsort(files, nfiles, sizeof *files, cmp_str);
    /* EXRQOI_PARALLEL_MAX_BYTES: skip files larger than this (TSan runs) */
    const char *mx = getenv("EXRQOI_PARALLEL_MAX_BYTES");
    size_t max_bytes = mx ? (size_t)strtoull(mx, NULL, 10) : 0;
    exrqoi_pool *pool = NULL;
    assert_int_equal(exrqoi_pool_open(3, NULL, &pool), EXRQOI_OK);
    int compared = 0;
    for (size_t i = 0; i < nfiles; i++) {
        size_t size = 0;
        uint8_t *buf = hard_load(files[i], &size);
        assert_non_null(buf);
        if (max_bytes && size > max_bytes) {
            free(buf);
            continue;
        }
        ref base;
        memset(&base, 0, sizeof base);
        hard_opts o;
        memset(&o, 0, sizeof o);
        o.threads = 1;
        o.sink = ref_store;
        o.sink_user = &base;
        exrqoi_result rv1 = hard_read_exr(buf, size, &o, NULL);
        static const int threads[] = {2, 8};
        for (size_t t = 0; t < 2; t++) {
            cmp c = {&base, 0, 0};
            o.threads = threads[t];
            o.sink = ref_compare;
            o.sink_user = &c;
            exrqoi_result rv = hard_read_exr(buf, size, &o, NULL);
            if (rv != rv1 || c.mismatch || c.at != base.n)
                fail_msg("%s: %d threads differ from serial (%s vs %s)", files[i], threads[t],
                         exrqoi_error_name(rv), exrqoi_error_name(rv1));
        }
        /* a shared pool, and one reader used by two threads at once */
        exrqoi_read_options ro = EXRQOI_READ_OPTIONS_INIT;
        ro.pool = pool;
        exrqoi_reader *r = NULL;
        if (exrqoi_reader_open(exrqoi_source_memory(buf, size), &ro, &r) == EXRQOI_OK) {
            shared_job j[2];
            pthread_t th[2];
            for (int k = 0; k < 2; k++) {
                memset(&j[k], 0, sizeof j[k]);
                j[k].r = r;
                j[k].base = &base;
                assert_int_equal(pthread_create(&th[k], NULL, shared_thread, &j[k]), 0);
            }
            for (int k = 0; k < 2; k++) {
                pthread_join(th[k], NULL);
                if (rv1 == EXRQOI_OK && (j[k].rv != EXRQOI_OK || j[k].mismatch))
                    fail_msg("%s: shared reader thread %d differs from serial (%s)", files[i], k,
                             exrqoi_error_name(j[k].rv));
            }
            exrqoi_reader_close(r);
        }
        compared++;
        free(base.d);
        free(buf);
    }
    print_message("parallel: %d files identical with 1, 2, 8 threads and a shared reader\n",
                  compared);
    exrqoi_pool_close(pool);
    for (size_t i = 0; i < nfiles; i++) free(files[i]);
    free(files);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_threads_identical)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
