/*
 * Hostile inputs in process: every Damaged/ file, every corpus EXR and QOI
 * truncated at a spread of lengths and with bytes flipped at a spread of
 * places (deterministic), read fully through the public API. Each must
 * give a correct result or a clean error; the sanitizer builds turn any
 * out-of-bounds access or leak into a failure. A truncated file that still
 * reads must give exactly the pixels of the whole file.
 *
 * EXRQOI_HARD_SCALE / EXRQOI_HARD_DIVISOR (environment, default 1) scale
 * the number of mutations per file (longer local runs, valgrind runs).
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
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

typedef struct path_list {
    char **v;
    size_t n, cap;
} path_list;

static void list_add(path_list *l, const char *p)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = (char **)realloc(l->v, l->cap * sizeof *l->v);
        assert_non_null(l->v);
    }
    l->v[l->n] = strdup(p);
    assert_non_null(l->v[l->n]);
    l->n++;
}

static void list_free(path_list *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_suffix(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

/* Regular files under dir (recursively), filtered by suffix ("" = all),
 * skipping a subfolder named `skip`; sorted so runs are deterministic. */
static void walk(const char *dir, const char *suffix, const char *skip, path_list *out)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            if (!skip || strcmp(e->d_name, skip) != 0) walk(p, suffix, skip, out);
        } else if (S_ISREG(st.st_mode) && has_suffix(e->d_name, suffix)) {
            list_add(out, p);
        }
    }
    closedir(d);
    qsort(out->v, out->n, sizeof *out->v, cmp_str);
}

/* Mutations per file, times EXRQOI_HARD_SCALE, divided by
 * EXRQOI_HARD_DIVISOR (valgrind runs use fewer). */
static int count(int base)
{
    const char *s = getenv("EXRQOI_HARD_SCALE");
    const char *d = getenv("EXRQOI_HARD_DIVISOR");
    int m = s ? atoi(s) : 1, v = d ? atoi(d) : 1;
    int n = base * (m < 1 ? 1 : m) / (v < 1 ? 1 : v);
    return n < 8 ? 8 : n;
}

static int have_shared(void)
{
    struct stat st;
    return stat(EXRQOI_SHARED_DIR "/corpus/openexr-images", &st) == 0;
}

static void crc_sink(void *user, const void *data, size_t size)
{
    uint32_t *c = (uint32_t *)user;
    *c = exrqoi_crc32(*c, data, size);
}

/* Reads one buffer, checks the result is a defined code; returns it. */
static exrqoi_result read_checked(const uint8_t *buf, size_t size, uint32_t *crc, const char *what,
                                  const char *path, size_t where, int check)
{
    hard_opts o;
    memset(&o, 0, sizeof o);
    o.threads = 2;
    o.sink = crc_sink;
    o.sink_user = crc;
    o.raw_chunks = 1;
    *crc = 0;
    int skipped = 0;
    exrqoi_result rv = hard_read_exr(buf, size, &o, &skipped);
    if (!hard_known_result(rv))
        fail_msg("%s %s at %zu: undefined result code %d", path, what, where, (int)rv);
    if (check) {
        /* the check must agree: a file that read whole checks whole */
        exrqoi_limits lim;
        hard_default_limits(&lim);
        exrqoi_read_options ro = EXRQOI_READ_OPTIONS_INIT;
        ro.limits = &lim;
        ro.threads = 1;
        exrqoi_check_report rep;
        exrqoi_result cr = exrqoi_check(exrqoi_source_memory(buf, size), &ro, &rep);
        if (!hard_known_result(cr) || (rv == EXRQOI_OK && skipped == 0 && cr != EXRQOI_OK))
            fail_msg("%s %s at %zu: read %s but check %s", path, what, where,
                     exrqoi_error_name(rv), exrqoi_error_name(cr));
        if (cr != EXRQOI_OK && rep.problem_count == 0)
            fail_msg("%s %s at %zu: check failed without naming a problem", path, what, where);
        exrqoi_check_report_free(&rep);
    }
    return rv;
}

static void test_damaged_files(void **state)
{
    (void)state;
    if (!have_shared()) skip();
    path_list l = {0};
    walk(EXRQOI_SHARED_DIR "/corpus/openexr-images/Damaged", "", NULL, &l);
    assert_true(l.n > 0);
    int ok = 0;
    for (size_t i = 0; i < l.n; i++) {
        size_t size = 0;
        uint8_t *buf = hard_load(l.v[i], &size);
        assert_non_null(buf);
        uint32_t crc;
        if (read_checked(buf, size, &crc, "damaged", l.v[i], 0, 1) == EXRQOI_OK) ok++;
        /* the same through a file, as the CLI reads it */
        exrqoi_reader *r = NULL;
        exrqoi_result rv = exrqoi_reader_open(exrqoi_source_path(l.v[i]), NULL, &r);
        assert_true(hard_known_result(rv));
        assert_true((rv == EXRQOI_OK) == (r != NULL));
        exrqoi_reader_close(r);
        free(buf);
    }
    print_message("damaged: %zu files, %d read without error\n", l.n, ok);
    list_free(&l);
}

/* Truncation lengths: a few inside the header, then spread evenly. */
static size_t cut_at(size_t size, int k, int n, uint64_t *rng)
{
    static const size_t fixed[] = {0, 4, 8, 9, 40, 200};
    if (k < 6) return fixed[k] < size ? fixed[k] : size / 2;
    size_t base = (size_t)((double)size * (k - 6) / (n - 6));
    return base + (size_t)(hard_rand(rng) % (size / (size_t)n + 1));
}

static void test_truncated_exr(void **state)
{
    (void)state;
    if (!have_shared()) skip();
    path_list l = {0};
    walk(EXRQOI_SHARED_DIR "/corpus/openexr-images", ".exr", "Damaged", &l);
    assert_true(l.n > 0);
    int n = count(20), reads = 0, still_ok = 0;
    for (size_t i = 0; i < l.n; i++) {
        size_t size = 0;
        uint8_t *buf = hard_load(l.v[i], &size);
        assert_non_null(buf);
        uint32_t crc0;
        exrqoi_result rv0 = read_checked(buf, size, &crc0, "whole", l.v[i], size, 1);
        /* large files get fewer cuts: each read decodes up to the cut */
        int nf = size > (1u << 20) ? n / 2 : n;
        uint64_t rng = 0x9e3779b97f4a7c15ULL ^ (uint64_t)i;
        for (int k = 0; k < nf; k++) {
            size_t len = cut_at(size, k, nf, &rng);
            if (len >= size) continue;
            /* a copy of exactly `len` bytes so ASan sees any overread */
            uint8_t *cut = (uint8_t *)malloc(len ? len : 1);
            assert_non_null(cut);
            memcpy(cut, buf, len);
            uint32_t crc;
            exrqoi_result rv = read_checked(cut, len, &crc, "truncated", l.v[i], len, 1);
            reads++;
            if (rv == EXRQOI_OK) {
                still_ok++;
                if (rv0 != EXRQOI_OK || crc != crc0)
                    fail_msg("%s truncated to %zu bytes reads without error but differs", l.v[i],
                             len);
            }
            free(cut);
        }
        free(buf);
    }
    print_message("truncated: %d reads, %d without error\n", reads, still_ok);
    list_free(&l);
}

static void test_flipped_exr(void **state)
{
    (void)state;
    if (!have_shared()) skip();
    path_list l = {0};
    walk(EXRQOI_SHARED_DIR "/corpus/openexr-images", ".exr", "Damaged", &l);
    assert_true(l.n > 0);
    int n = count(40), reads = 0, errors = 0;
    for (size_t i = 0; i < l.n; i++) {
        size_t size = 0;
        uint8_t *buf = hard_load(l.v[i], &size);
        assert_non_null(buf);
        int nf = size > (1u << 20) ? n / 2 : n;
        uint64_t rng = 0x243f6a8885a308d3ULL ^ ((uint64_t)i << 32);
        /* where the header ends, roughly: flips there hit the parser */
        size_t head = size < 2048 ? size : 2048;
        for (int k = 0; k < nf; k++) {
            size_t pos;
            if (k % 2 == 0)
                pos = (size_t)(hard_rand(&rng) % head);
            else
                pos = (size_t)((double)size * k / nf) + (size_t)(hard_rand(&rng) % (size / nf + 1));
            if (pos >= size) pos = size - 1;
            uint8_t old = buf[pos];
            uint64_t v = hard_rand(&rng);
            /* a single bit, a random byte, or 0xff (a large count) */
            buf[pos] = (k % 3 == 0) ? (uint8_t)(old ^ (1u << (v & 7)))
                       : (k % 3 == 1) ? (uint8_t)(v >> 8)
                                      : 0xff;
            uint32_t crc;
            if (read_checked(buf, size, &crc, "flipped", l.v[i], pos, k % 4 == 0) != EXRQOI_OK) errors++;
            reads++;
            buf[pos] = old;
        }
        free(buf);
    }
    print_message("flipped: %d reads, %d errors\n", reads, errors);
    list_free(&l);
}

static void test_qoi_mutations(void **state)
{
    (void)state;
    if (!have_shared()) skip();
    path_list l = {0};
    walk(EXRQOI_SHARED_DIR "/corpus/qoi", ".qoi", NULL, &l);
    assert_true(l.n > 0);
    int n = count(20), reads = 0;
    for (size_t i = 0; i < l.n; i++) {
        size_t size = 0;
        uint8_t *buf = hard_load(l.v[i], &size);
        assert_non_null(buf);
        uint32_t crc0 = 0, crc = 0;
        exrqoi_result rv0 = hard_read_qoi(buf, size, &crc0);
        uint64_t rng = 0x13198a2e03707344ULL ^ (uint64_t)i;
        for (int k = 0; k < n; k++) {
            size_t len = cut_at(size, k, n, &rng);
            if (len >= size) continue;
            uint8_t *cut = (uint8_t *)malloc(len ? len : 1);
            assert_non_null(cut);
            memcpy(cut, buf, len);
            crc = 0;
            exrqoi_result rv = hard_read_qoi(cut, len, &crc);
            assert_true(hard_known_result(rv));
            /* a strict decode of a cut stream can only succeed with the same pixels */
            if (rv == EXRQOI_OK && (rv0 != EXRQOI_OK || crc != crc0))
                fail_msg("%s cut to %zu decodes strictly to other pixels", l.v[i], len);
            free(cut);
            reads++;
        }
        for (int k = 0; k < 2 * n; k++) {
            size_t pos = (k % 2 == 0) ? (size_t)(hard_rand(&rng) % (size < 64 ? size : 64))
                                      : (size_t)(hard_rand(&rng) % size);
            uint8_t old = buf[pos];
            buf[pos] = (uint8_t)(old ^ (1u + hard_rand(&rng) % 255));
            assert_true(hard_known_result(hard_read_qoi(buf, size, &crc)));
            buf[pos] = old;
            reads++;
        }
        free(buf);
    }
    print_message("qoi: %d mutated decodes\n", reads);
    list_free(&l);
}

int main(void)
{
    if (!have_shared())
        print_message("test_damaged: %s absent, corpus tests skipped\n", EXRQOI_SHARED_DIR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_damaged_files),
        cmocka_unit_test(test_truncated_exr),
        cmocka_unit_test(test_flipped_exr),
        cmocka_unit_test(test_qoi_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
