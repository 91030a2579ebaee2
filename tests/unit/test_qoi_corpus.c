/* The official QOI test images (shared corpus): encoding each .raw gives
 * exactly its .ref.qoi; decoding each .qoi and .ref.qoi gives exactly its
 * .raw, from memory, a file and to the other channel count; parallel
 * stripes decode to the same pixels with the reference decoder. */
#define _GNU_SOURCE 1
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exrqoi/exrqoi.h"

#define QOI_IMPLEMENTATION
#define QOI_NO_STDIO
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wpedantic"
#include <qoi.h>
#pragma GCC diagnostic pop
#include "test_support.h"

#define DIR EXRQOI_SHARED_DIR "/corpus/qoi"

typedef struct entry {
    char name[64];
    unsigned w, h, ch, cs;
} entry;

static int load_manifest(entry *e, int max)
{
    FILE *f = fopen(DIR "/MANIFEST.txt", "r");
    if (!f) return -1;
    char line[512];
    int n = 0;
    while (n < max && fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        if (sscanf(line, "%63s %u %u %u %u", e[n].name, &e[n].w, &e[n].h, &e[n].ch, &e[n].cs) == 5)
            n++;
    }
    fclose(f);
    return n;
}

static void decode_matches(const uint8_t *q, size_t qlen, const char *qpath, const entry *e,
                           const uint8_t *raw)
{
    exrqoi_qoi_desc d;
    uint8_t *px;
    size_t plen;
    assert_int_equal(exrqoi_qoi_decode(exrqoi_source_memory(q, qlen), NULL, &d, (void **)&px, &plen), EXRQOI_OK);
    assert_int_equal(d.width, e->w);
    assert_int_equal(d.height, e->h);
    assert_int_equal(d.channels, e->ch);
    assert_int_equal(d.colorspace, e->cs);
    assert_int_equal(plen, (size_t)e->w * e->h * e->ch);
    assert_memory_equal(px, raw, plen);
    exrqoi_free(NULL, px);

    assert_int_equal(exrqoi_qoi_decode(exrqoi_source_path(qpath), NULL, &d, (void **)&px, &plen), EXRQOI_OK);
    assert_memory_equal(px, raw, plen);
    exrqoi_free(NULL, px);

    /* the other channel count, as the reference gives it */
    int other = e->ch == 3 ? 4 : 3;
    exrqoi_qoi_options o = {.struct_size = sizeof(exrqoi_qoi_options), .channels = other};
    assert_int_equal(exrqoi_qoi_decode(exrqoi_source_memory(q, qlen), &o, &d, (void **)&px, &plen), EXRQOI_OK);
    qoi_desc rd;
    uint8_t *rpx = qoi_decode(q, (int)qlen, &rd, other);
    assert_non_null(rpx);
    assert_int_equal(plen, (size_t)e->w * e->h * other);
    assert_memory_equal(px, rpx, plen);
    free(rpx);
    exrqoi_free(NULL, px);
}

static void test_corpus(void **state)
{
    (void)state;
    entry es[32];
    int n = load_manifest(es, 32);
    if (n <= 0) {
        printf("skipping: no QOI corpus in %s\n", DIR);
        skip();
    }
    exrqoi_pool *pool;
    assert_int_equal(exrqoi_pool_open(2, NULL, &pool), EXRQOI_OK);
    for (int i = 0; i < n; i++) {
        const entry *e = &es[i];
        char path[4096];
        size_t rawlen = 0, qlen = 0, reflen = 0;
        snprintf(path, sizeof path, DIR "/%s.raw", e->name);
        uint8_t *raw = ts_read_file(path, &rawlen);
        assert_non_null(raw);
        assert_int_equal(rawlen, (size_t)e->w * e->h * e->ch);
        char qpath[4096], rpath[4096];
        snprintf(qpath, sizeof qpath, DIR "/%s.qoi", e->name);
        snprintf(rpath, sizeof rpath, DIR "/%s.ref.qoi", e->name);
        uint8_t *q = ts_read_file(qpath, &qlen);
        uint8_t *ref = ts_read_file(rpath, &reflen);
        assert_non_null(q);
        assert_non_null(ref);

        exrqoi_qoi_desc d = {e->w, e->h, (uint8_t)e->ch, (uint8_t)e->cs};
        void *enc;
        size_t elen;
        assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&enc, &elen), raw, &d, NULL), EXRQOI_OK);
        if (elen != reflen || memcmp(enc, ref, elen) != 0)
            fail_msg("%s: encoding differs from %s.ref.qoi", e->name, e->name);
        exrqoi_free(NULL, enc);

        decode_matches(q, qlen, qpath, e, raw);
        decode_matches(ref, reflen, rpath, e, raw);

        exrqoi_qoi_options po = {.struct_size = sizeof(exrqoi_qoi_options), .pool = pool, .stripe_rows = 64};
        assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&enc, &elen), raw, &d, &po), EXRQOI_OK);
        qoi_desc rd;
        uint8_t *rpx = qoi_decode(enc, (int)elen, &rd, 0);
        assert_non_null(rpx);
        assert_memory_equal(rpx, raw, rawlen);
        free(rpx);
        exrqoi_free(NULL, enc);

        free(raw);
        free(q);
        free(ref);
    }
    exrqoi_pool_close(pool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_corpus)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
