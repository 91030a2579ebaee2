/* src/tools/png_io.c: every PNG kind read to RGB(A) 8/16, colour chunks,
 * write/read round trips, the official QOI images (PNG -> QOI equals the
 * reference encoder's bytes, QOI -> PNG -> QOI exact), hostile files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exrqoi/exrqoi.h"
#include "tools/png_io.h"

#if EXRQOI_HAVE_PNG
#include <spng.h>

#include "test_support.h"

#define QOI_DIR EXRQOI_SHARED_DIR "/corpus/qoi"

static uint32_t rng_state = 12345;
static uint32_t rnd(void) { return ts_lcg_ansi(&rng_state) >> 8; }

typedef struct png_spec {
    uint32_t w, h;
    int color_type, depth, interlace;
    bool trns;
} png_spec;

typedef struct made_png {
    void *png;
    size_t size;
    uint16_t *expect; /* RGBA at the read's depth (8 or 16), w*h*4 */
} made_png;

static int samples_of(int ct)
{
    switch (ct) {
    case 0: return 1;
    case 2: return 3;
    case 3: return 1;
    case 4: return 2;
    default: return 4;
    }
}

/* Sample i of a row in PNG's packing: MSB first below 8 bits, 16-bit big-endian. */
static unsigned get_sample(const uint8_t *row, size_t i, int depth)
{
    if (depth == 16) return (unsigned)row[2 * i] << 8 | row[2 * i + 1];
    if (depth == 8) return row[i];
    size_t bit = i * (size_t)depth;
    unsigned byte = row[bit / 8];
    return (byte >> (8 - depth - bit % 8)) & ((1u << depth) - 1);
}

/* A random image of the given kind, its PNG made by libspng, and the RGBA
 * the reader must give, worked out here from the PNG rules (low-depth gray
 * scaled by 255/(2^d-1), tRNS colour -> alpha 0, palette alpha from tRNS). */
static made_png make_png(const png_spec *s)
{
    made_png m;
    memset(&m, 0, sizeof m);
    const int ns = samples_of(s->color_type);
    const size_t row_bytes = ((size_t)s->w * (size_t)ns * (size_t)s->depth + 7) / 8;
    uint8_t *raw = calloc(row_bytes * s->h, 1);
    assert_non_null(raw);
    const unsigned maxv = (1u << s->depth) - 1;
    struct spng_plte plte;
    memset(&plte, 0, sizeof plte);
    struct spng_trns trns;
    memset(&trns, 0, sizeof trns);
    if (s->color_type == 3) {
        plte.n_entries = 1u << s->depth;
        for (uint32_t i = 0; i < plte.n_entries; i++) {
            plte.entries[i].red = (uint8_t)rnd();
            plte.entries[i].green = (uint8_t)rnd();
            plte.entries[i].blue = (uint8_t)rnd();
        }
        trns.n_type3_entries = plte.n_entries / 2 + 1;
        for (uint32_t i = 0; i < trns.n_type3_entries; i++) trns.type3_alpha[i] = (uint8_t)rnd();
    }
    /* random samples, with the tRNS colour made to occur */
    for (uint32_t y = 0; y < s->h; y++)
        for (size_t i = 0; i < (size_t)s->w * ns; i++) {
            unsigned v = rnd() & maxv;
            uint8_t *row = raw + y * row_bytes;
            if (s->depth == 16) {
                row[2 * i] = (uint8_t)(v >> 8);
                row[2 * i + 1] = (uint8_t)v;
            } else if (s->depth == 8) {
                row[i] = (uint8_t)v;
            } else {
                size_t bit = i * (size_t)s->depth;
                row[bit / 8] |= (uint8_t)(v << (8 - s->depth - bit % 8));
            }
        }
    if (s->trns && s->color_type == 0) trns.gray = (uint16_t)get_sample(raw, 0, s->depth);
    if (s->trns && s->color_type == 2) {
        trns.red = (uint16_t)get_sample(raw, 0, s->depth);
        trns.green = (uint16_t)get_sample(raw, 1, s->depth);
        trns.blue = (uint16_t)get_sample(raw, 2, s->depth);
    }

    const bool wide = s->depth == 16;
    const unsigned full = wide ? 65535 : 255;
    m.expect = malloc((size_t)s->w * s->h * 4 * sizeof *m.expect);
    assert_non_null(m.expect);
    for (uint32_t y = 0; y < s->h; y++) {
        const uint8_t *row = raw + y * row_bytes;
        for (uint32_t x = 0; x < s->w; x++) {
            uint16_t *e = m.expect + ((size_t)y * s->w + x) * 4;
            unsigned v[4];
            for (int k = 0; k < ns; k++) v[k] = get_sample(row, (size_t)x * ns + k, s->depth);
            unsigned scale = s->depth < 8 ? 255 / maxv : 1;
            switch (s->color_type) {
            case 0:
                e[0] = e[1] = e[2] = (uint16_t)(v[0] * scale);
                e[3] = (uint16_t)(s->trns && v[0] == trns.gray ? 0 : full);
                break;
            case 2:
                for (int k = 0; k < 3; k++) e[k] = (uint16_t)v[k];
                e[3] = (uint16_t)(s->trns && v[0] == trns.red && v[1] == trns.green &&
                                          v[2] == trns.blue
                                      ? 0
                                      : full);
                break;
            case 3:
                e[0] = plte.entries[v[0]].red;
                e[1] = plte.entries[v[0]].green;
                e[2] = plte.entries[v[0]].blue;
                e[3] = s->trns ? (v[0] < trns.n_type3_entries ? trns.type3_alpha[v[0]] : 255)
                               : 255;
                break;
            case 4:
                e[0] = e[1] = e[2] = (uint16_t)v[0];
                e[3] = (uint16_t)v[1];
                break;
            default:
                for (int k = 0; k < 4; k++) e[k] = (uint16_t)v[k];
            }
        }
    }

    spng_ctx *ctx = spng_ctx_new(SPNG_CTX_ENCODER);
    assert_non_null(ctx);
    struct spng_ihdr ihdr = {s->w, s->h, (uint8_t)s->depth, (uint8_t)s->color_type, 0, 0,
                             (uint8_t)s->interlace};
    assert_int_equal(spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1), 0);
    assert_int_equal(spng_set_ihdr(ctx, &ihdr), 0);
    if (s->color_type == 3) assert_int_equal(spng_set_plte(ctx, &plte), 0);
    if (s->trns) assert_int_equal(spng_set_trns(ctx, &trns), 0);
    /* SPNG_FMT_RAW: PNG's own layout, 16-bit big-endian */
    int e = spng_encode_image(ctx, raw, row_bytes * s->h, SPNG_FMT_RAW, SPNG_ENCODE_FINALIZE);
    if (e) fail_msg("spng_encode_image: %s", spng_strerror(e));
    m.png = spng_get_png_buffer(ctx, &m.size, &e);
    assert_non_null(m.png);
    spng_ctx_free(ctx);
    free(raw);
    return m;
}

static void check_kind(const png_spec *s)
{
    made_png m = make_png(s);
    tool_image img;
    tool_color_info ci;
    tool_png_source src;
    char msg[256] = "";
    exrqoi_result rv = tool_png_read_mem(m.png, m.size, NULL, &img, &ci, &src, msg, sizeof msg);
    if (rv) fail_msg("type %d depth %d: %s", s->color_type, s->depth, msg);
    bool alpha = s->color_type == 4 || s->color_type == 6 || s->trns;
    assert_int_equal(img.width, s->w);
    assert_int_equal(img.height, s->h);
    assert_int_equal(img.channels, alpha ? 4 : 3);
    assert_int_equal(img.sample, s->depth == 16 ? TOOL_SAMPLE_U16 : TOOL_SAMPLE_U8);
    assert_int_equal(src.color_type, s->color_type);
    assert_int_equal(src.bit_depth, s->depth);
    assert_int_equal(src.interlaced, s->interlace != 0);
    assert_int_equal(src.has_trns, s->trns);
    for (size_t i = 0; i < (size_t)s->w * s->h; i++)
        for (int k = 0; k < img.channels; k++) {
            unsigned got = img.sample == TOOL_SAMPLE_U16
                               ? ((uint16_t *)img.pixels)[i * img.channels + k]
                               : ((uint8_t *)img.pixels)[i * img.channels + k];
            if (got != m.expect[i * 4 + k])
                fail_msg("type %d depth %d interlace %d trns %d: pixel %zu channel %d is %u, "
                         "expected %u",
                         s->color_type, s->depth, s->interlace, s->trns, i, k, got,
                         m.expect[i * 4 + k]);
        }
    /* no colour chunks: PNG's default, sRGB */
    assert_false(ci.srgb || ci.has_gamma || ci.has_chroma || ci.has_icc);
    assert_int_equal(tool_color_transfer(&ci, NULL), TOOL_TRANSFER_SRGB);
    tool_image_free(&img);
    free(m.png);
    free(m.expect);
}

static void test_every_kind(void **state)
{
    (void)state;
    static const struct {
        int ct;
        int depths[5];
    } kinds[] = {{0, {1, 2, 4, 8, 16}}, {2, {8, 16}}, {3, {1, 2, 4, 8}}, {4, {8, 16}},
                 {6, {8, 16}}};
    int n = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        for (int d = 0; d < 5 && kinds[k].depths[d]; d++)
            for (int il = 0; il <= 1; il++)
                for (int trns = 0; trns <= 1; trns++) {
                    int ct = kinds[k].ct;
                    if (trns && (ct == 4 || ct == 6)) continue; /* tRNS not allowed there */
                    /* odd sizes: partial bytes at row ends, every Adam7 pass shape */
                    png_spec s = {13, 11, ct, kinds[k].depths[d], il, trns != 0};
                    check_kind(&s);
                    png_spec one = {1, 1, ct, kinds[k].depths[d], il, trns != 0};
                    check_kind(&one);
                    n++;
                }
    /* 11 depths of types 0, 2, 3 x interlace x tRNS + 4 of types 4, 6 x interlace */
    assert_int_equal(n, 11 * 2 * 2 + 4 * 2);
}

/* A PNG with chosen colour chunks (1x1 RGB). */
static void *png_with_chunks(int srgb, uint32_t gama, bool chrm, const char *icc_name,
                             size_t *size)
{
    spng_ctx *ctx = spng_ctx_new(SPNG_CTX_ENCODER);
    struct spng_ihdr ihdr = {1, 1, 8, 2, 0, 0, 0};
    assert_int_equal(spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1), 0);
    assert_int_equal(spng_set_ihdr(ctx, &ihdr), 0);
    if (srgb >= 0) assert_int_equal(spng_set_srgb(ctx, (uint8_t)srgb), 0);
    if (gama) assert_int_equal(spng_set_gama_int(ctx, gama), 0);
    if (chrm) {
        /* Rec. 2020 with D65 */
        struct spng_chrm_int c = {31270, 32900, 70800, 29200, 17000, 79700, 13100, 4600};
        assert_int_equal(spng_set_chrm_int(ctx, &c), 0);
    }
    char profile[200];
    memset(profile, 0, sizeof profile);
    if (icc_name) {
        struct spng_iccp icc;
        memset(&icc, 0, sizeof icc);
        snprintf(icc.profile_name, sizeof icc.profile_name, "%s", icc_name);
        icc.profile = profile;
        icc.profile_len = sizeof profile;
        assert_int_equal(spng_set_iccp(ctx, &icc), 0);
    }
    uint8_t px[3] = {1, 2, 3};
    assert_int_equal(spng_encode_image(ctx, px, 3, SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE), 0);
    int e;
    void *png = spng_get_png_buffer(ctx, size, &e);
    assert_non_null(png);
    spng_ctx_free(ctx);
    return png;
}

static tool_color_info read_info(void *png, size_t size)
{
    tool_image img;
    tool_color_info ci;
    char msg[256];
    assert_int_equal(tool_png_read_mem(png, size, NULL, &img, &ci, NULL, msg, sizeof msg), 0);
    tool_image_free(&img);
    free(png);
    return ci;
}

static tool_color_info read_png_info(int srgb, uint32_t gama, bool chrm, const char *icc_name)
{
    size_t n;
    void *png = png_with_chunks(srgb, gama, chrm, icc_name, &n);
    return read_info(png, n);
}

static void test_color_chunks(void **state)
{
    (void)state;
    double g;
    tool_color_info ci = read_png_info(1, 45455, false, NULL);
    assert_true(ci.srgb);
    assert_int_equal(ci.srgb_intent, 1);
    assert_true(ci.has_gamma);
    assert_int_equal(tool_color_transfer(&ci, &g), TOOL_TRANSFER_SRGB);
    assert_null(tool_color_warning(&ci));

    ci = read_png_info(-1, 100000, false, NULL);
    assert_false(ci.srgb);
    assert_int_equal(tool_color_transfer(&ci, &g), TOOL_TRANSFER_LINEAR);

    ci = read_png_info(-1, 55555, true, NULL);
    assert_int_equal(tool_color_transfer(&ci, &g), TOOL_TRANSFER_GAMMA);
    assert_float_equal(g, 0.55555, 1e-9);
    assert_true(ci.has_chroma);
    assert_float_equal(ci.chroma.red_x, 0.708, 1e-6);
    assert_float_equal(ci.chroma.green_y, 0.797, 1e-6);
    assert_float_equal(ci.chroma.blue_y, 0.046, 1e-6);
    assert_float_equal(ci.chroma.white_x, 0.3127, 1e-6);

    /* an ICC profile overrides gAMA; one not named sRGB is reported */
    ci = read_png_info(-1, 55555, false, "Display P3");
    assert_true(ci.has_icc);
    assert_false(ci.icc_is_srgb);
    assert_string_equal(ci.icc_name, "Display P3");
    assert_int_equal(tool_color_transfer(&ci, &g), TOOL_TRANSFER_SRGB);
    assert_non_null(tool_color_warning(&ci));
    ci = read_png_info(-1, 0, false, "sRGB IEC61966-2.1");
    assert_true(ci.icc_is_srgb);
    assert_null(tool_color_warning(&ci));
}

/* Our writer -> our reader, 8/16 bits, RGB/RGBA, both encodings. */
static void test_write_round_trip(void **state)
{
    (void)state;
    for (int wide = 0; wide <= 1; wide++)
        for (int ch = 3; ch <= 4; ch++)
            for (int enc = 0; enc <= 1; enc++) {
                tool_image img = {37, 19, ch, wide ? TOOL_SAMPLE_U16 : TOOL_SAMPLE_U8, NULL, 0};
                size_t n = (size_t)img.width * img.height * (size_t)ch;
                img.size = n * (wide ? 2 : 1);
                img.pixels = malloc(img.size);
                for (size_t i = 0; i < n; i++) {
                    uint32_t v = rnd();
                    if (wide)
                        ((uint16_t *)img.pixels)[i] = (uint16_t)v;
                    else
                        ((uint8_t *)img.pixels)[i] = (uint8_t)v;
                }
                void *png;
                size_t size;
                char msg[256];
                assert_int_equal(tool_png_write_mem(&img, (tool_png_encoding)enc, enc ? 9 : -1,
                                                    &png, &size, msg, sizeof msg),
                                 0);
                tool_image back;
                tool_color_info ci;
                tool_png_source src;
                assert_int_equal(
                    tool_png_read_mem(png, size, NULL, &back, &ci, &src, msg, sizeof msg), 0);
                assert_int_equal(back.width, img.width);
                assert_int_equal(back.height, img.height);
                assert_int_equal(back.channels, ch);
                assert_int_equal(back.sample, img.sample);
                assert_int_equal(back.size, img.size);
                assert_memory_equal(back.pixels, img.pixels, img.size);
                assert_int_equal(src.bit_depth, wide ? 16 : 8);
                assert_int_equal(src.color_type, ch == 4 ? 6 : 2);
                assert_true(ci.has_chroma);
                if (enc == TOOL_PNG_SRGB) {
                    assert_true(ci.srgb);
                    assert_float_equal(ci.gamma, 0.45455, 1e-9);
                    assert_int_equal(tool_color_transfer(&ci, NULL), TOOL_TRANSFER_SRGB);
                } else {
                    assert_false(ci.srgb);
                    assert_int_equal(tool_color_transfer(&ci, NULL), TOOL_TRANSFER_LINEAR);
                }
                free(png);
                tool_image_free(&back);
                tool_image_free(&img);
            }
}

static const char *const corpus_names[] = {"dice",    "kodim10",       "kodim23",      "qoi_logo",
                                           "testcard", "testcard_rgba", "wikipedia_008"};

/* Over the official QOI images:
 *  PNG -> QOI: our reader + the library's encoder give exactly NAME.ref.qoi,
 *    the reference encoder's (qoi.h's qoiconv) bytes for these pixels;
 *  QOI -> PNG -> QOI: NAME.qoi decoded, written as PNG by us, read back:
 *    the same pixels, and encoded again the same reference bytes;
 *  PNG -> QOI -> PNG: the source PNG's pixels come back exactly. */
static void test_qoi_corpus(void **state)
{
    (void)state;
    char path[512];
    size_t size;
    snprintf(path, sizeof path, "%s/%s.png", QOI_DIR, corpus_names[0]);
    void *probe = ts_read_file(path, &size);
    if (!probe) skip();
    free(probe);
    for (size_t t = 0; t < sizeof corpus_names / sizeof corpus_names[0]; t++) {
        const char *name = corpus_names[t];
        char msg[256];
        snprintf(path, sizeof path, "%s/%s.png", QOI_DIR, name);
        tool_image png_img;
        tool_color_info ci;
        assert_int_equal(tool_png_read_path(path, NULL, &png_img, &ci, NULL, msg, sizeof msg), 0);
        assert_int_equal(png_img.sample, TOOL_SAMPLE_U8);

        snprintf(path, sizeof path, "%s/%s.ref.qoi", QOI_DIR, name);
        size_t ref_size;
        uint8_t *ref = ts_read_file(path, &ref_size);
        assert_non_null(ref);
        exrqoi_qoi_desc desc = {png_img.width, png_img.height, (uint8_t)png_img.channels,
                                EXRQOI_QOI_SRGB};
        void *enc;
        size_t enc_size;
        assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&enc, &enc_size), png_img.pixels, &desc, NULL), 0);
        if (enc_size != ref_size || memcmp(enc, ref, ref_size) != 0)
            fail_msg("%s: PNG -> QOI differs from the reference encoder's bytes", name);
        exrqoi_free(NULL, enc);

        snprintf(path, sizeof path, "%s/%s.qoi", QOI_DIR, name);
        exrqoi_qoi_desc qd;
        void *qpx;
        size_t qsize;
        assert_int_equal(exrqoi_qoi_decode(exrqoi_source_path(path), NULL, &qd, &qpx, &qsize), 0);
        assert_int_equal(qd.channels, png_img.channels);
        assert_int_equal(qsize, png_img.size);
        assert_memory_equal(qpx, png_img.pixels, qsize);
        tool_image q = {qd.width, qd.height, qd.channels, TOOL_SAMPLE_U8, qpx, qsize};
        void *png;
        size_t png_size;
        assert_int_equal(tool_png_write_mem(&q, TOOL_PNG_SRGB, -1, &png, &png_size, msg, sizeof msg),
                         0);
        tool_image back;
        assert_int_equal(tool_png_read_mem(png, png_size, NULL, &back, &ci, NULL, msg, sizeof msg),
                         0);
        assert_int_equal(back.size, qsize);
        assert_memory_equal(back.pixels, qpx, qsize);
        assert_int_equal(exrqoi_qoi_encode(exrqoi_sink_memory(&enc, &enc_size), back.pixels, &qd, NULL), 0);
        assert_int_equal(enc_size, ref_size);
        assert_memory_equal(enc, ref, ref_size);
        exrqoi_free(NULL, enc);
        free(png);
        tool_image_free(&back);
        exrqoi_free(NULL, qpx);
        free(ref);
        tool_image_free(&png_img);
    }
}

/* ---- hostile files ---- */

static uint32_t crc32_png(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    }
    return c ^ 0xffffffffu;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8),
    p[3] = (uint8_t)v;
}

/* Reading must fail cleanly with a message and leave *out empty. */
static exrqoi_result expect_failure(const void *png, size_t size, const exrqoi_limits *lim)
{
    tool_image img;
    tool_color_info ci;
    char msg[256] = "";
    exrqoi_result rv = tool_png_read_mem(png, size, lim, &img, &ci, NULL, msg, sizeof msg);
    assert_int_not_equal(rv, 0);
    assert_true(strlen(msg) > 0);
    assert_null(img.pixels);
    return rv;
}

static void test_hostile(void **state)
{
    (void)state;
    png_spec s = {64, 48, 6, 8, 0, false};
    made_png m = make_png(&s);
    free(m.expect);
    uint8_t *p = m.png;

    /* truncations, up to a cut inside IEND's length, type; libspng does not
     * read the CRC of IEND (an empty chunk), so a file cut in those last 4
     * bytes, whose image data are complete and checked, is accepted */
    for (size_t cut = 0; cut < m.size - 4; cut += (cut < 64 || cut > m.size - 40 ? 1 : 97))
        expect_failure(p, cut, NULL);

    uint8_t *bad = malloc(m.size);
    /* bad CRC of IHDR (critical), then a flipped byte inside IDAT */
    memcpy(bad, p, m.size);
    bad[8 + 8 + 13] ^= 1;
    assert_int_equal(expect_failure(bad, m.size, NULL), EXRQOI_ERR_CORRUPT);
    memcpy(bad, p, m.size);
    bad[8 + 25 + 8 + 10] ^= 0x40; /* IDAT data (IHDR is 25 bytes with its frame) */
    expect_failure(bad, m.size, NULL);

    /* huge declared size with a valid CRC: the limits stop it before any
     * allocation, the library's default limits included */
    memcpy(bad, p, m.size);
    put32(bad + 16, 0x7fffffffu);
    put32(bad + 20, 0x7fffffffu);
    put32(bad + 29, crc32_png(bad + 12, 17));
    assert_int_equal(expect_failure(bad, m.size, NULL), EXRQOI_ERR_LIMIT);
    put32(bad + 16, 100000);
    put32(bad + 20, 100000);
    put32(bad + 29, crc32_png(bad + 12, 17));
    assert_int_equal(expect_failure(bad, m.size, NULL), EXRQOI_ERR_LIMIT);
    /* within the limits but more than the data holds */
    put32(bad + 16, 2000);
    put32(bad + 20, 2000);
    put32(bad + 29, crc32_png(bad + 12, 17));
    expect_failure(bad, m.size, NULL);

    /* the caller's limits */
    exrqoi_limits lim;
    lim = (exrqoi_limits)EXRQOI_LIMITS_INIT;
    lim.max_width = 63;
    assert_int_equal(expect_failure(p, m.size, &lim), EXRQOI_ERR_LIMIT);
    lim = (exrqoi_limits)EXRQOI_LIMITS_INIT;
    lim.max_pixels = 64 * 48 - 1;
    assert_int_equal(expect_failure(p, m.size, &lim), EXRQOI_ERR_LIMIT);
    lim = (exrqoi_limits)EXRQOI_LIMITS_INIT;
    lim.max_alloc_bytes = 64 * 48 * 4 - 1;
    assert_int_equal(expect_failure(p, m.size, &lim), EXRQOI_ERR_LIMIT);

    /* not a PNG; a missing file */
    assert_int_equal(expect_failure("GIF89a..", 8, NULL), EXRQOI_ERR_BAD_MAGIC);
    tool_image img;
    tool_color_info ci;
    char msg[256] = "";
    assert_int_equal(tool_png_read_path("/nonexistent/x.png", NULL, &img, &ci, NULL, msg, sizeof msg),
                     EXRQOI_ERR_OPEN);
    assert_non_null(strstr(msg, "x.png"));
    free(bad);
    free(m.png);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kind),       cmocka_unit_test(test_color_chunks),
        cmocka_unit_test(test_write_round_trip), cmocka_unit_test(test_qoi_corpus),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else /* built without libspng: the stubs say so */

static void test_without_png(void **state)
{
    (void)state;
    assert_false(tool_png_available());
    tool_image img;
    tool_color_info ci;
    char msg[256] = "";
    assert_int_equal(tool_png_read_mem("\x89PNG\r\n\x1a\n", 8, NULL, &img, &ci, NULL, msg, sizeof msg),
                     EXRQOI_ERR_UNSUPPORTED);
    assert_non_null(strstr(msg, "without PNG support"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_without_png)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
