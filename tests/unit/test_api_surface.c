/*
 * The public source/sink values and options conventions: every kind of
 * source gives the same pixels and every kind of sink the same bytes, a
 * memory sink hands its buffer over only on success, unset sources, sinks
 * and options (struct_size 0) are refused, the DEFAULT values mean their
 * defaults and a real value they used to shadow is refused, and the public
 * parallel loop visits every index once.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "exrqoi/exrqoi.h"

#define W 37
#define H 23

static void make_pixels(uint8_t *px, int ch)
{
    for (int i = 0; i < W * H * ch; i++) px[i] = (uint8_t)((i * 7) / 5 + (i % 11));
}

static char *tmp_path(const char *name)
{
    static char buf[4][256];
    static int k;
    char *p = buf[k++ & 3];
    snprintf(p, 256, "api_surface_%ld_%s", (long)getpid(), name);
    return p;
}

static void *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *d = malloc((size_t)len + 1);
    assert_int_equal(fread(d, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return d;
}

typedef struct mem_out {
    uint8_t *d;
    size_t n, cap;
} mem_out;

static int out_write(void *user, const void *buf, size_t size)
{
    mem_out *m = (mem_out *)user;
    if (m->n + size > m->cap) {
        size_t c = (m->n + size) * 2;
        uint8_t *q = realloc(m->d, c);
        if (!q) return -1;
        m->d = q;
        m->cap = c;
    }
    memcpy(m->d + m->n, buf, size);
    m->n += size;
    return 0;
}

typedef struct mem_in {
    const uint8_t *d;
    size_t n;
} mem_in;

static int64_t in_read(void *user, void *buf, size_t size, uint64_t off)
{
    mem_in *m = (mem_in *)user;
    if (off >= m->n) return 0;
    size_t k = m->n - (size_t)off < size ? m->n - (size_t)off : size;
    memcpy(buf, m->d + off, k);
    return (int64_t)k;
}

/* QOI: one image through every sink, one stream through every source. */
static void test_qoi_every_source_and_sink(void **state)
{
    (void)state;
    uint8_t px[W * H * 4];
    make_pixels(px, 4);
    exrqoi_qoi_desc desc = {W, H, 4, EXRQOI_QOI_SRGB};
    void *mem = (void *)1;
    size_t mem_n = 99;
    assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&mem, &mem_n), px, &desc, NULL), EXRQOI_OK);
    assert_non_null(mem);
    mem_out out = {0};
    exrqoi_output o = {out_write, NULL, &out};
    assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_output(&o), px, &desc, NULL), EXRQOI_OK);
    const char *path = tmp_path("a.qoi");
    assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_path(path), px, &desc, NULL), EXRQOI_OK);
    size_t file_n;
    void *file = read_all(path, &file_n);
    assert_int_equal(out.n, mem_n);
    assert_int_equal(file_n, mem_n);
    assert_memory_equal(out.d, mem, mem_n);
    assert_memory_equal(file, mem, mem_n);

    /* the streaming encoder into a memory sink gives the same bytes */
    exrqoi_qoi_encoder *e;
    void *smem = NULL;
    size_t smem_n = 0;
    assert_int_equal(exrqoi_qoi_encoder_open(exrqoi_sink_memory(&smem, &smem_n), &desc, NULL, &e),
                     EXRQOI_OK);
    assert_int_equal(exrqoi_qoi_encoder_write_rows(e, px, 0, H), EXRQOI_OK);
    assert_null(smem); /* handed over only by finish */
    assert_int_equal(exrqoi_qoi_encoder_finish(e), EXRQOI_OK);
    exrqoi_qoi_encoder_close(e);
    assert_int_equal(smem_n, mem_n);
    assert_memory_equal(smem, mem, mem_n);
    exrqoi_free(NULL, smem);

    /* an encoder closed unfinished hands nothing over */
    smem = (void *)1;
    assert_int_equal(exrqoi_qoi_encoder_open(exrqoi_sink_memory(&smem, &smem_n), &desc, NULL, &e),
                     EXRQOI_OK);
    exrqoi_qoi_encoder_close(e);
    assert_null(smem);
    assert_int_equal(smem_n, 0);

    mem_in in = {(const uint8_t *)mem, mem_n};
    exrqoi_input inp = {in_read, (int64_t)mem_n, 0, &in};
    exrqoi_source sources[3] = {exrqoi_source_memory(mem, mem_n), exrqoi_source_path(path),
                                exrqoi_source_input(&inp)};
    for (int k = 0; k < 3; k++) {
        exrqoi_qoi_desc d;
        void *back;
        size_t back_n;
        assert_int_equal(exrqoi_qoi_decode(sources[k], NULL, &d, &back, &back_n), EXRQOI_OK);
        assert_int_equal(back_n, sizeof px);
        assert_memory_equal(back, px, sizeof px);
        exrqoi_free(NULL, back);
        uint8_t into[W * H * 4];
        assert_int_equal(exrqoi_qoi_decode_into(sources[k], NULL, &d, into, 0, sizeof into), EXRQOI_OK);
        assert_memory_equal(into, px, sizeof px);
        exrqoi_qoi_decoder *dec;
        assert_int_equal(exrqoi_qoi_decoder_open(sources[k], NULL, &dec), EXRQOI_OK);
        memset(into, 0, sizeof into);
        assert_int_equal(exrqoi_qoi_decoder_read_rows(dec, into, 0, H), EXRQOI_OK);
        exrqoi_qoi_decoder_close(dec);
        assert_memory_equal(into, px, sizeof px);
    }
    unlink(path);
    free(file);
    free(out.d);
    exrqoi_free(NULL, mem);
}

/* Unset sources and sinks, and options not initialised, are refused. */
static void test_refusals(void **state)
{
    (void)state;
    exrqoi_source none_src;
    memset(&none_src, 0, sizeof none_src);
    exrqoi_sink none_sink;
    memset(&none_sink, 0, sizeof none_sink);
    exrqoi_reader *r = (exrqoi_reader *)1;
    assert_int_equal(exrqoi_reader_open(none_src, NULL, &r), EXRQOI_ERR_INVALID_ARGUMENT);
    assert_null(r);
    assert_int_equal(exrqoi_reader_open(exrqoi_source_path(NULL), NULL, &r), EXRQOI_ERR_INVALID_ARGUMENT);
    assert_int_equal(exrqoi_reader_open(exrqoi_source_input(NULL), NULL, &r), EXRQOI_ERR_INVALID_ARGUMENT);

    exrqoi_header h;
    assert_int_equal(exrqoi_header_init_image(&h, NULL, 4, 4, EXRQOI_COMPRESSION_NONE), EXRQOI_OK);
    assert_int_equal(exrqoi_header_add_channel(&h, "Y", EXRQOI_PIXEL_HALF, 1, 1, 0), EXRQOI_OK);
    exrqoi_writer *w = (exrqoi_writer *)1;
    assert_int_equal(exrqoi_writer_open(none_sink, &h, 1, NULL, &w), EXRQOI_ERR_INVALID_ARGUMENT);
    assert_null(w);
    assert_int_equal(exrqoi_writer_open(exrqoi_sink_memory(NULL, NULL), &h, 1, NULL, &w),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    exrqoi_write_options zero_wo;
    memset(&zero_wo, 0, sizeof zero_wo);
    void *d;
    size_t n;
    assert_int_equal(exrqoi_writer_open(exrqoi_sink_memory(&d, &n), &h, 1, &zero_wo, &w),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    exrqoi_write_options wo = EXRQOI_WRITE_OPTIONS_INIT;
    assert_int_equal(exrqoi_writer_open(exrqoi_sink_memory(&d, &n), &h, 1, &wo, &w), EXRQOI_OK);
    exrqoi_writer_close(w);
    exrqoi_header_free(&h);

    exrqoi_qoi_options zero_qo;
    memset(&zero_qo, 0, sizeof zero_qo);
    uint8_t px[W * H * 3];
    make_pixels(px, 3);
    exrqoi_qoi_desc desc = {W, H, 3, EXRQOI_QOI_SRGB};
    assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&d, &n), px, &desc, &zero_qo),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    assert_int_equal(exrqoi_qoi_encode(none_sink, px, &desc, NULL), EXRQOI_ERR_INVALID_ARGUMENT);
    exrqoi_read_options zero_ro;
    memset(&zero_ro, 0, sizeof zero_ro);
    exrqoi_check_report rep;
    assert_int_equal(exrqoi_check(exrqoi_source_memory(px, sizeof px), &zero_ro, &rep),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    exrqoi_check_report_free(&rep);
}

/* An older caller's shorter options struct: the fields it lacks keep
 * their defaults. */
static void test_short_options(void **state)
{
    (void)state;
    uint8_t px[W * H * 4];
    make_pixels(px, 4);
    exrqoi_qoi_desc desc = {W, H, 4, EXRQOI_QOI_SRGB};
    void *d;
    size_t n;
    assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&d, &n), px, &desc, NULL), EXRQOI_OK);
    exrqoi_qoi_options o = EXRQOI_QOI_OPTIONS_INIT;
    o.channels = 3;
    o.struct_size = offsetof(exrqoi_qoi_options, channels); /* cannot see `channels` */
    exrqoi_qoi_desc back_desc;
    void *back;
    size_t back_n;
    assert_int_equal(exrqoi_qoi_decode(exrqoi_source_memory(d, n), &o, &back_desc, &back, &back_n),
                     EXRQOI_OK);
    assert_int_equal(back_n, sizeof px); /* 4 channels: the default */
    exrqoi_free(NULL, back);
    exrqoi_free(NULL, d);
}

/* RGBA: DEFAULT means float (read) / none, float in, half out (write);
 * UINT, which 0 used to shadow, is refused. Every sink gives the same file. */
static void test_rgba_defaults(void **state)
{
    (void)state;
    static float rgba[W * H * 4];
    for (int i = 0; i < W * H * 4; i++) rgba[i] = (float)(i % 17) / 16.0f;
    exrqoi_rgba_write_options wo = EXRQOI_RGBA_WRITE_OPTIONS_INIT;
    void *d;
    size_t n;
    assert_int_equal(exrqoi_rgba_write(exrqoi_sink_memory(&d, &n), W, H, rgba, 0, &wo), EXRQOI_OK);
    void *d2;
    size_t n2;
    assert_int_equal(exrqoi_rgba_write(exrqoi_sink_memory(&d2, &n2), W, H, rgba, 0, NULL), EXRQOI_OK);
    assert_int_equal(n, n2);
    assert_memory_equal(d, d2, n);
    const char *path = tmp_path("a.exr");
    assert_int_equal(exrqoi_rgba_write(exrqoi_sink_path(path), W, H, rgba, 0, &wo), EXRQOI_OK);
    size_t fn;
    void *f = read_all(path, &fn);
    assert_int_equal(fn, n);
    assert_memory_equal(f, d, n);
    free(f);
    unlink(path);
    wo.input_type = EXRQOI_PIXEL_UINT;
    void *bad = (void *)1;
    size_t bad_n = 1;
    assert_int_equal(exrqoi_rgba_write(exrqoi_sink_memory(&bad, &bad_n), W, H, rgba, 0, &wo),
                     EXRQOI_ERR_INVALID_ARGUMENT);
    assert_null(bad);

    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(d, n), NULL, &r), EXRQOI_OK);
    exrqoi_part_info pi;
    assert_int_equal(exrqoi_reader_part_info(r, 0, &pi), EXRQOI_OK);
    assert_int_equal(pi.compression, EXRQOI_COMPRESSION_NONE);
    assert_int_equal(pi.channels[0].type, EXRQOI_PIXEL_HALF);
    exrqoi_rgba_read_options ro = EXRQOI_RGBA_READ_OPTIONS_INIT;
    exrqoi_rgba_info info;
    assert_int_equal(exrqoi_rgba_select(r, &ro, &info), EXRQOI_OK);
    assert_int_equal(info.type, EXRQOI_PIXEL_FLOAT);
    ro.type = EXRQOI_PIXEL_UINT;
    assert_int_equal(exrqoi_rgba_select(r, &ro, &info), EXRQOI_ERR_INVALID_ARGUMENT);
    exrqoi_reader_close(r);
    exrqoi_free(NULL, d);
    exrqoi_free(NULL, d2);
}

/* QOI -> EXR and back through memory sinks and sources. */
static void test_convert_memory(void **state)
{
    (void)state;
    uint8_t px[W * H * 4];
    make_pixels(px, 4);
    for (int i = 3; i < W * H * 4; i += 4) px[i] = 255;
    exrqoi_qoi_desc desc = {W, H, 4, EXRQOI_QOI_SRGB};
    void *q;
    size_t qn;
    assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&q, &qn), px, &desc, NULL), EXRQOI_OK);
    void *e;
    size_t en;
    assert_int_equal(exrqoi_convert_qoi_to_exr(exrqoi_source_memory(q, qn), exrqoi_sink_memory(&e, &en), NULL),
                     EXRQOI_OK);
    exrqoi_reader *r;
    assert_int_equal(exrqoi_reader_open(exrqoi_source_memory(e, en), NULL, &r), EXRQOI_OK);
    exrqoi_part_info pi;
    assert_int_equal(exrqoi_reader_part_info(r, 0, &pi), EXRQOI_OK);
    assert_int_equal(pi.compression, EXRQOI_COMPRESSION_ZIP); /* EXRQOI_COMPRESSION_DEFAULT */
    exrqoi_reader_close(r);
    void *q2;
    size_t q2n;
    assert_int_equal(exrqoi_convert_exr_to_qoi(exrqoi_source_memory(e, en), exrqoi_sink_memory(&q2, &q2n), NULL, NULL),
                     EXRQOI_OK);
    exrqoi_qoi_desc d2;
    void *back;
    assert_int_equal(exrqoi_qoi_decode(exrqoi_source_memory(q2, q2n), NULL, &d2, &back, NULL), EXRQOI_OK);
    assert_memory_equal(back, px, sizeof px);
    exrqoi_free(NULL, back);
    exrqoi_free(NULL, q2);
    exrqoi_free(NULL, e);
    exrqoi_free(NULL, q);
}

static void visit(void *user, size_t i, int worker)
{
    (void)worker;
    __atomic_fetch_add(&((int *)user)[i], 1, __ATOMIC_RELAXED);
}

static void test_parallel_for(void **state)
{
    (void)state;
    exrqoi_pool *pool;
    assert_int_equal(exrqoi_pool_open(3, NULL, &pool), EXRQOI_OK);
    static int seen[1000];
    memset(seen, 0, sizeof seen);
    exrqoi_pool_parallel_for(pool, 1000, visit, seen);
    for (int i = 0; i < 1000; i++) assert_int_equal(seen[i], 1);
    exrqoi_pool_parallel_for(NULL, 1000, visit, seen);
    for (int i = 0; i < 1000; i++) assert_int_equal(seen[i], 2);
    exrqoi_pool_close(pool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qoi_every_source_and_sink),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_short_options),
        cmocka_unit_test(test_rgba_defaults),
        cmocka_unit_test(test_convert_memory),
        cmocka_unit_test(test_parallel_for),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
