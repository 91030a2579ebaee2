/* Allocation-failure injection: on small files of every codec, flat
 * scanline, tiled, deep scanline and deep tiled, writing and reading
 * (whole image, regions, lenient reads, check, RGBA) are run again and
 * again with the 1st, 2nd, 3rd, ... allocation failing until they
 * succeed. Every run must end in EXRQOI_ERR_OUT_OF_MEMORY or success,
 * with nothing left allocated; the run that succeeds must give exactly
 * the bytes of a run without failures. Under ASan (the sanitize CI step)
 * this also proves no failure path crashes or leaks. */
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
#include "small_files.h"

/* ---- an allocator failing its n-th call ----------------------------------- */

typedef struct failing {
    long calls;
    long fail_at; /* the call that fails (0-based); -1 = none */
    long live;
} failing;

static void *f_alloc(void *user, size_t size)
{
    failing *f = (failing *)user;
    if (f->calls++ == f->fail_at) return NULL;
    void *p = malloc(size);
    if (p) f->live++;
    return p;
}

static void f_free(void *user, void *p)
{
    if (!p) return;
    ((failing *)user)->live--;
    free(p);
}

/* ---- hashing what a read gives -------------------------------------------- */

static void mix(uint64_t *h, const void *data, size_t n)
{
    const uint8_t *p = (const uint8_t *)data;
    for (size_t i = 0; i < n; i++) *h = (*h ^ p[i]) * 1099511628211u;
}

/* Reads everything of `b` with allocator `al` (first failure returned),
 * hashing the results into *h. */
static exrqoi_result read_op(const bytes *b, const exrqoi_allocator *al, int threads, uint64_t *h)
{
    exrqoi_read_options o = EXRQOI_READ_OPTIONS_INIT;
    o.allocator = al;
    o.threads = threads;
    exrqoi_reader *r = NULL;
    exrqoi_result rv = exrqoi_reader_open(exrqoi_source_memory(b->d, b->n), &o, &r);
    if (rv) return rv;
    exrqoi_image img;
    rv = exrqoi_reader_read_image(r, &img);
    for (int p = 0; rv == EXRQOI_OK && p < img.part_count; p++) {
        for (int l = 0; l < img.parts[p].level_count; l++) {
            const exrqoi_image_level *L = &img.parts[p].levels[l];
            for (int c = 0; c < L->channel_count; c++)
                mix(h, L->channels[c].data,
                    (size_t)L->channels[c].width * (size_t)L->channels[c].height *
                        (size_t)exrqoi_pixel_type_size(L->channels[c].type));
            if (L->deep.counts) {
                mix(h, L->deep.counts, (size_t)L->deep.width * (size_t)L->deep.height * 4);
                for (int c = 0; c < L->deep.channel_count; c++)
                    mix(h, L->deep.channels[c].samples,
                        (size_t)L->deep.total_samples * (size_t)exrqoi_pixel_type_size(L->deep.channels[c].type));
            }
        }
    }
    exrqoi_image_free(&img);
    exrqoi_part_info pi;
    if (rv == EXRQOI_OK) rv = exrqoi_reader_part_info(r, 0, &pi);
    if (rv == EXRQOI_OK && !pi.deep_version) {
        /* a region read and a lenient read of a corner, into floats */
        static float buf[4][16 * 12];
        exrqoi_slice s[4];
        memset(s, 0, sizeof s);
        for (int k = 0; k < 4; k++) {
            s[k].name = k_names[k];
            s[k].type = EXRQOI_PIXEL_FLOAT;
            s[k].base = buf[k];
            s[k].x_stride = 4;
            s[k].y_stride = 16 * 4;
        }
        exrqoi_box2i reg = {{3, 5}, {18, 16}};
        rv = exrqoi_reader_read_region(r, 0, 0, 0, &reg, s, 4);
        if (rv == EXRQOI_OK) mix(h, buf, sizeof buf);
        uint64_t *filled = NULL;
        size_t nfilled = 0;
        if (rv == EXRQOI_OK) rv = exrqoi_reader_read_region_lenient(r, 0, 0, 0, &reg, s, 4, &filled, &nfilled);
        exrqoi_free(al, filled);
        if (rv == EXRQOI_OK) mix(h, buf, sizeof buf);
        void *px = NULL;
        size_t sz = 0;
        if (rv == EXRQOI_OK) rv = exrqoi_rgba_read_alloc(r, NULL, NULL, &px, &sz);
        if (rv == EXRQOI_OK) mix(h, px, sz);
        exrqoi_free(al, px);
    }
    if (rv == EXRQOI_OK) {
        exrqoi_check_report rep;
        memset(&rep, 0, sizeof rep);
        rv = exrqoi_check_reader(r, &rep);
        if (rv == EXRQOI_OK) mix(h, &rep.chunks_ok, sizeof rep.chunks_ok);
        exrqoi_check_report_free(&rep);
    }
    exrqoi_reader_close(r);
    return rv;
}

/* Fails each allocation of `op` in turn until it succeeds. */
#define MAX_RUNS 5000
static long g_runs, g_failed; /* runs made, and runs ending out of memory */

static void inject_read(const bytes *b, int threads, const char *what)
{
    uint64_t want = 14695981039346656037u;
    assert_int_equal(read_op(b, NULL, threads, &want), EXRQOI_OK);
    for (long n = 0;; n++) {
        if (n >= MAX_RUNS) fail_msg("%s: still failing after %d allocations", what, MAX_RUNS);
        failing f = {0, n, 0};
        exrqoi_allocator al = {f_alloc, f_free, &f};
        uint64_t h = 14695981039346656037u;
        exrqoi_result rv = read_op(b, &al, threads, &h);
        g_runs++;
        g_failed += rv != EXRQOI_OK;
        if (f.live != 0) fail_msg("%s: %ld allocations left after failing allocation %ld", what, f.live, n);
        if (rv == EXRQOI_OK) {
            if (h != want) fail_msg("%s: different result after failing allocation %ld", what, n);
            if (f.calls <= n) break; /* nothing failed: done */
            continue; /* a failure that did not matter (a cache, a fast path) */
        }
        if (rv != EXRQOI_ERR_OUT_OF_MEMORY)
            fail_msg("%s: failing allocation %ld gave %s, not out of memory", what, n, exrqoi_error_name(rv));
    }
}

static void inject_write(exrqoi_compression c, enum layout lay, const bytes *ref, const char *what)
{
    for (long n = 0;; n++) {
        if (n >= MAX_RUNS) fail_msg("%s: still failing after %d allocations", what, MAX_RUNS);
        failing f = {0, n, 0};
        exrqoi_allocator al = {f_alloc, f_free, &f};
        bytes b = {NULL, 0};
        exrqoi_result rv = make_file(c, lay, &al, &b);
        g_runs++;
        g_failed += rv != EXRQOI_OK;
        if (f.live != 0) fail_msg("%s: %ld allocations left after failing allocation %ld", what, f.live, n);
        if (rv == EXRQOI_OK) {
            bool same = b.n == ref->n && memcmp(b.d, ref->d, b.n) == 0;
            free(b.d);
            if (!same) fail_msg("%s: different file after failing allocation %ld", what, n);
            if (f.calls <= n) break;
            continue;
        }
        if (rv != EXRQOI_ERR_OUT_OF_MEMORY)
            fail_msg("%s: failing allocation %ld gave %s, not out of memory", what, n, exrqoi_error_name(rv));
    }
}

static void test_every_codec_and_layout(void **state)
{
    (void)state;
    for (size_t ci = 0; ci < NCODECS; ci++) {
        for (int lay = 0; lay < LAYOUTS; lay++) {
            exrqoi_compression c = k_codecs[ci];
            if ((lay == DEEP_SCAN || lay == DEEP_TILE) && !deep_codec(c)) continue;
            char what[96];
            snprintf(what, sizeof what, "%s %s", exrqoi_compression_name(c), k_layout_name[lay]);
            bytes b = {NULL, 0};
            assert_int_equal(make_file(c, (enum layout)lay, NULL, &b), EXRQOI_OK);
            inject_write(c, (enum layout)lay, &b, what);
            inject_read(&b, 1, what);
            free(b.d);
        }
    }
    print_message("%ld runs, %ld ended out of memory\n", g_runs, g_failed);
    assert_true(g_failed > 1000); /* the failures did reach the library */
}

/* Two threads: the pool's worker slots and per-thread state fail too. */
static void test_threads(void **state)
{
    (void)state;
    static const exrqoi_compression some[] = {EXRQOI_COMPRESSION_ZIP, EXRQOI_COMPRESSION_PIZ,
                                              EXRQOI_COMPRESSION_DWAB};
    for (size_t i = 0; i < 3; i++) {
        bytes b = {NULL, 0};
        assert_int_equal(make_file(some[i], FLAT_SCAN, NULL, &b), EXRQOI_OK);
        inject_read(&b, 2, exrqoi_compression_name(some[i]));
        free(b.d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_codec_and_layout),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
