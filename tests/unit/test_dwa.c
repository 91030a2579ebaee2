/* DWAA/DWAB: DCTs against a double-precision reference, zig-zag,
 * OpenEXR's tables (by checksum), channel rules, round trips at several
 * levels, and corrupt chunks that must fail cleanly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "codec/codec.h"
#include "codec/dwa.h"
#include "common/half.h"
#include "test_support.h"

static uint32_t rng_state = 777;
static uint32_t rnd(void) { return ts_xorshift32(&rng_state); }
static double urand(double lo, double hi) { return lo + (hi - lo) * (rnd() / 4294967296.0); }

/* ---- DCT ------------------------------------------------------------------ */

static void test_idct_reference(void **state)
{
    (void)state;
    for (int iter = 0; iter < 200; iter++) {
        double in[64], ref[64];
        float blk[64];
        for (int i = 0; i < 64; i++) {
            in[i] = (float)urand(-4, 4) / (1 + i / 8); /* larger low frequencies */
            blk[i] = (float)in[i];
        }
        exrqoi__dwa_ref_idct(in, ref);
        exrqoi__dwa_idct(blk, 8);
        for (int i = 0; i < 64; i++) assert_true(fabs(blk[i] - ref[i]) < 1e-5 * 16);
    }
}

/* A block whose rows >= L are zero decodes the same through the short
 * kernels (up to the sign of zero). */
static void test_idct_live_rows(void **state)
{
    (void)state;
    for (int live = 1; live <= 8; live++)
        for (int iter = 0; iter < 50; iter++) {
            float a[64] = {0}, b[64];
            double in[64] = {0}, ref[64];
            for (int i = 0; i < 8 * live; i++) in[i] = a[i] = (float)urand(-2, 2);
            if (live == 1)
                for (int i = 2; i < 8; i++) in[i] = a[i] = 0; /* only slots 0, 1 in row 0 */
            memcpy(b, a, sizeof a);
            exrqoi__dwa_idct(a, live);
            exrqoi__dwa_idct(b, 8);
            exrqoi__dwa_ref_idct(in, ref);
            for (int i = 0; i < 64; i++) {
                assert_true(fabsf(a[i] - b[i]) < 1e-6f);
                assert_true(fabs(a[i] - ref[i]) < 1e-4);
            }
        }
    float dc[64] = {8.0f};
    exrqoi__dwa_idct_dc(dc);
    for (int i = 0; i < 64; i++) assert_true(fabsf(dc[i] - 1.0f) < 1e-5f);
}

static void test_fdct_reference(void **state)
{
    (void)state;
    for (int iter = 0; iter < 200; iter++) {
        double in[64], ref[64], back[64];
        float blk[64];
        for (int i = 0; i < 64; i++) blk[i] = (float)(in[i] = urand(-1, 3));
        exrqoi__dwa_ref_fdct(in, ref);
        exrqoi__dwa_fdct(blk);
        for (int i = 0; i < 64; i++) assert_true(fabs(blk[i] - ref[i]) < 1e-4);
        exrqoi__dwa_ref_idct(ref, back);
        for (int i = 0; i < 64; i++) assert_true(fabs(back[i] - in[i]) < 1e-9);
        exrqoi__dwa_idct(blk, 8);
        for (int i = 0; i < 64; i++) assert_true(fabs(blk[i] - in[i]) < 1e-4);
    }
}

static void test_csc(void **state)
{
    (void)state;
    float r[4] = {0, 1, 0.25f, 3}, g[4] = {0, 1, 0.5f, -1}, b[4] = {0, 1, 0.75f, 0.5f};
    float r0[4], g0[4], b0[4];
    memcpy(r0, r, sizeof r);
    memcpy(g0, g, sizeof g);
    memcpy(b0, b, sizeof b);
    exrqoi__dwa_csc_forward(r, g, b, 4);
    assert_true(fabsf(r[1] - 1.0f) < 1e-6f && fabsf(g[1]) < 1e-4f && fabsf(b[1]) < 1e-4f);
    exrqoi__dwa_csc_inverse(r, g, b, 4);
    for (int i = 0; i < 4; i++)
        assert_true(fabsf(r[i] - r0[i]) < 1e-3f && fabsf(g[i] - g0[i]) < 1e-3f &&
                    fabsf(b[i] - b0[i]) < 1e-3f);
}

/* ---- zig-zag and tables ------------------------------------------------------ */

static void test_zigzag(void **state)
{
    (void)state;
    /* walk the anti-diagonals, alternating direction as JPEG does */
    uint8_t expect[64];
    int k = 0;
    for (int s = 0; s < 15; s++) {
        for (int i = 0; i <= s; i++) {
            int r = (s % 2) ? i : s - i, c = s - r;
            if (r < 8 && c < 8) expect[k++] = (uint8_t)(r * 8 + c);
        }
    }
    assert_int_equal(k, 64);
    assert_memory_equal(expect, exrqoi__dwa_zigzag, 64);
    uint8_t inv[64];
    exrqoi__dwa_zigzag_inverse(inv);
    for (int i = 0; i < 64; i++) assert_int_equal(inv[exrqoi__dwa_zigzag[i]], i);
    float qy[64], qc[64];
    exrqoi__dwa_quant_tables(qy, qc);
    assert_true(qy[2] == 1.0f && qy[0] == 1.6f && qc[0] == 1.0f && qc[63] == 99.0f / 17.0f);
}

/* CRC-32 of OpenEXR 3.1's own tables (dwaLookups, as in Debian's
 * libOpenEXR-3_1.so.30): the quantiser candidates (closestData, every h
 * then its candidates by increasing bit count), toLinear and toNonlinear. */
#define CRC_CLOSEST 0xcd47a1cau
#define CRC_TO_LINEAR 0xfef3ff96u
#define CRC_TO_NONLINEAR 0x623a3a3du

static void test_openexr_tables(void **state)
{
    (void)state;
    uint16_t *lin = malloc(65536 * 2), *nl = malloc(65536 * 2), *cand = malloc(16 * 2);
    assert_non_null(lin);
    assert_non_null(nl);
    assert_non_null(cand);
    uint32_t crc = 0;
    for (uint32_t h = 0; h < 65536; h++) {
        int n = __builtin_popcount(h);
        uint8_t bytes[32];
        for (int t = 0; t < n; t++) exrqoi__put16(bytes + 2 * t, exrqoi__dwa_closest((uint16_t)h, t));
        crc = exrqoi__crc32(crc, bytes, (size_t)n * 2);
        exrqoi__put16(&lin[h], exrqoi__dwa_to_linear((uint16_t)h));
        exrqoi__put16(&nl[h], exrqoi__dwa_to_nonlinear((uint16_t)h));
    }
    assert_int_equal(crc, CRC_CLOSEST);
    /* the encoder's one-sweep table holds the same candidates */
    const uint32_t *off;
    const float *vals;
    const uint16_t *tab = exrqoi__dwa_candidates(&off, &vals);
    assert_int_equal(off[65536], 524288);
    for (uint32_t h = 0; h < 65536; h++) {
        int n = __builtin_popcount(h);
        assert_int_equal(off[h + 1] - off[h], n);
        for (int t = 0; t < n; t++) {
            uint16_t c = exrqoi__dwa_closest((uint16_t)h, t);
            if (tab[off[h] + (uint32_t)t] != c)
                fail_msg("candidate %d of %04x: table %04x, direct %04x", t, h, tab[off[h] + (uint32_t)t], c);
            float f = vals[off[h] + (uint32_t)t], g = exrqoi__h2f(c);
            assert_memory_equal(&f, &g, 4);
        }
    }
    assert_int_equal(exrqoi__crc32(0, lin, 65536 * 2), CRC_TO_LINEAR);
    assert_int_equal(exrqoi__crc32(0, nl, 65536 * 2), CRC_TO_NONLINEAR);
    free(lin);
    free(nl);
    free(cand);
}

static void test_quantize(void **state)
{
    (void)state;
    for (int iter = 0; iter < 5000; iter++) {
        uint16_t h = (uint16_t)rnd();
        if ((h & 0x7c00) == 0x7c00) {
            assert_int_equal(exrqoi__dwa_quantize(h, 1.0f), h);
            continue;
        }
        float tol = (float)urand(0, 0.1);
        uint16_t q = exrqoi__dwa_quantize(h, tol);
        assert_true(__builtin_popcount(q) <= __builtin_popcount(h));
        if (q != h) assert_true(fabsf(exrqoi__h2f(q) - exrqoi__h2f(h)) < tol);
        assert_int_equal(exrqoi__dwa_quantize(h, 0.0f), h);
    }
    const uint32_t *off;
    const float *vals;
    const uint16_t *tab = exrqoi__dwa_candidates(&off, &vals);
    for (int iter = 0; iter < 20000; iter++) {
        uint16_t h = (uint16_t)rnd();
        float tol = iter % 2 ? (float)urand(0, 0.05) : (float)urand(0, 50);
        assert_int_equal(dwa_quantize_tab(tab, vals, off, h, tol), exrqoi__dwa_quantize(h, tol));
    }
    assert_int_equal(exrqoi__dwa_quantize(0x3c00 /* 1.0 */, 2.0f), 0);
    assert_int_equal(exrqoi__dwa_closest(0x0003, 1), 0x0002); /* tie: lower pattern wins */
}

/* ---- rules -------------------------------------------------------------------- */

#define MAXC 12
typedef struct layout {
    exrqoi__chan_layout ch[MAXC];
    exrqoi__block_layout b;
} layout;

static void make_layout(layout *l, int w, int h, const char *const *names, const uint8_t *types,
                        int n)
{
    memset(l, 0, sizeof *l);
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        l->ch[i].name = names[i];
        l->ch[i].type = types[i];
        l->ch[i].size = types[i] == EXRQOI_PIXEL_HALF ? 2 : 4;
        l->ch[i].x_sampling = l->ch[i].y_sampling = 1;
        l->ch[i].width = w;
        l->ch[i].height = h;
        total += (size_t)w * h * l->ch[i].size;
    }
    l->b.width = w;
    l->b.height = h;
    l->b.nchan = n;
    l->b.chans = l->ch;
    l->b.unpacked_size = total;
    l->b.compression = EXRQOI_COMPRESSION_DWAA;
}

static void classify(const layout *l, const dwa_rules *r, dwa_plan *plan, void **mem)
{
    *mem = malloc(exrqoi__dwa_plan_scratch(l->b.nchan));
    assert_non_null(*mem);
    exrqoi__dwa_classify(&l->b, r, *mem, plan);
}

static void test_classify_default(void **state)
{
    (void)state;
    const char *names[] = {"A", "B", "G", "R", "Z", "left.B", "left.G", "left.R", "right.R", "id", "Y"};
    const uint8_t H = EXRQOI_PIXEL_HALF, F = EXRQOI_PIXEL_FLOAT, U = EXRQOI_PIXEL_UINT;
    const uint8_t types[] = {H, F, H, H, F, H, H, H, H, U, H};
    layout l;
    make_layout(&l, 8, 8, names, types, 11);
    dwa_rules r;
    exrqoi__dwa_rules_default(&r);
    dwa_plan p;
    void *mem;
    classify(&l, &r, &p, &mem);
    const uint8_t want[] = {DWA_SCHEME_RLE,       DWA_SCHEME_LOSSY_DCT, DWA_SCHEME_LOSSY_DCT,
                            DWA_SCHEME_LOSSY_DCT, DWA_SCHEME_UNKNOWN,   DWA_SCHEME_LOSSY_DCT,
                            DWA_SCHEME_LOSSY_DCT, DWA_SCHEME_LOSSY_DCT, DWA_SCHEME_LOSSY_DCT,
                            DWA_SCHEME_UNKNOWN,   DWA_SCHEME_LOSSY_DCT};
    assert_memory_equal(p.scheme, want, 11);
    /* triples ordered by prefix: "" before "left"; right.R alone */
    assert_int_equal(p.ncsc, 2);
    assert_int_equal(p.csc[0][0], 3);
    assert_int_equal(p.csc[0][1], 2);
    assert_int_equal(p.csc[0][2], 1);
    assert_int_equal(p.csc[1][0], 7);
    assert_int_equal(p.csc[1][1], 6);
    assert_int_equal(p.csc[1][2], 5);
    assert_false(p.in_csc[8]);
    free(mem);

    /* different sampling breaks a triple; UINT colour is not lossy */
    l.ch[2].x_sampling = 2;
    l.ch[3].type = U;
    l.ch[3].size = 4;
    classify(&l, &r, &p, &mem);
    assert_int_equal(p.ncsc, 1);
    assert_int_equal(p.csc[0][0], 7);
    assert_int_equal(p.scheme[3], DWA_SCHEME_UNKNOWN);
    free(mem);

    /* the rules a writer stores: only those matching some channel */
    const char *n2[] = {"A", "B", "G", "R"};
    const uint8_t t2[] = {H, H, H, H};
    make_layout(&l, 4, 4, n2, t2, 4);
    uint8_t buf[DWA_MAX_RULES_SIZE];
    size_t sz = exrqoi__dwa_relevant_rules(&l.b, buf);
    const uint8_t expect[] = {18, 0, 'R', 0, 0x14, 1, 'G', 0, 0x24, 1,
                              'B', 0, 0x34, 1,     'A', 0, 0x08, 1};
    assert_int_equal(sz, sizeof expect);
    assert_memory_equal(buf, expect, sizeof expect);
}

static void test_classify_legacy_and_stored(void **state)
{
    (void)state;
    const char *names[] = {"RED", "green", "Blu", "a", "x.y"};
    const uint8_t H = EXRQOI_PIXEL_HALF;
    const uint8_t types[] = {H, H, H, H, H};
    layout l;
    make_layout(&l, 8, 8, names, types, 5);
    dwa_rules r;
    exrqoi__dwa_rules_legacy(&r);
    dwa_plan p;
    void *mem;
    classify(&l, &r, &p, &mem);
    assert_int_equal(p.ncsc, 1);
    assert_int_equal(p.scheme[3], DWA_SCHEME_RLE);
    assert_int_equal(p.scheme[4], DWA_SCHEME_LOSSY_DCT); /* "y" */
    free(mem);

    /* stored rules: "Blu" case-insensitive only matches if stored lowered;
     * later rules override earlier ones */
    const uint8_t rules[] = {'y', 0, 0x04, 1, 'y', 0, 0x08, 1, 'B', 'l', 'u', 0, 0x35, 1};
    exrqoi_result rc = exrqoi__dwa_rules_parse(NULL, rules, sizeof rules, &r);
    assert_int_equal(rc, EXRQOI_OK);
    classify(&l, &r, &p, &mem);
    assert_int_equal(p.scheme[4], DWA_SCHEME_RLE);
    assert_int_equal(p.scheme[2], DWA_SCHEME_UNKNOWN);
    assert_int_equal(p.ncsc, 0);
    free(mem);

    /* malformed rules */
    const uint8_t no_nul[] = {'R', 'G', 'B'};
    const uint8_t bad_csc[] = {'R', 0, 0x54, 1};
    const uint8_t neg_csc[] = {'R', 0, 0x84, 1};
    const uint8_t bad_scheme[] = {'R', 0, 0x0c, 1};
    const uint8_t bad_type[] = {'R', 0, 0x14, 3};
    const uint8_t short_rule[] = {'R', 0, 0x14};
    assert_int_equal(exrqoi__dwa_rules_parse(NULL, no_nul, 3, &r), EXRQOI_ERR_CORRUPT);
    assert_int_equal(exrqoi__dwa_rules_parse(NULL, bad_csc, 4, &r), EXRQOI_ERR_CORRUPT);
    assert_int_equal(exrqoi__dwa_rules_parse(NULL, neg_csc, 4, &r), EXRQOI_ERR_CORRUPT);
    assert_int_equal(exrqoi__dwa_rules_parse(NULL, bad_scheme, 4, &r), EXRQOI_ERR_CORRUPT);
    assert_int_equal(exrqoi__dwa_rules_parse(NULL, bad_type, 4, &r), EXRQOI_ERR_CORRUPT);
    assert_int_equal(exrqoi__dwa_rules_parse(NULL, short_rule, 3, &r), EXRQOI_ERR_CORRUPT);
}

/* ---- round trips ---------------------------------------------------------------- */

/* R, G, B half + A half (RLE) + Z float (stored) + id uint (stored). */
static const char *const rt_names[] = {"A", "B", "G", "R", "Z", "id"};
static const uint8_t rt_types[] = {EXRQOI_PIXEL_HALF,  EXRQOI_PIXEL_HALF,  EXRQOI_PIXEL_HALF,
                                   EXRQOI_PIXEL_HALF,  EXRQOI_PIXEL_FLOAT, EXRQOI_PIXEL_UINT};

static uint8_t *make_pixels(const layout *l)
{
    uint8_t *p = malloc(l->b.unpacked_size);
    assert_non_null(p);
    size_t o = 0;
    int w = l->b.width;
    for (int y = 0; y < l->b.height; y++)
        for (int c = 0; c < l->b.nchan; c++)
            for (int x = 0; x < w; x++) {
                double v = 0.3 + 0.4 * sin(x * 0.3 + c) * cos(y * 0.2) + 0.01 * urand(-1, 1);
                if (c == 0) v = (x + y) % 7 ? 1.0 : 0.5;
                if (x > 12 && y > 6) v *= 3.0; /* above 1: the log part of the curve */
                if (rt_types[c] == EXRQOI_PIXEL_HALF) {
                    exrqoi__put16(p + o, exrqoi__f2h((float)v));
                    o += 2;
                } else if (rt_types[c] == EXRQOI_PIXEL_FLOAT) {
                    exrqoi__putf32(p + o, (float)v);
                    o += 4;
                } else {
                    exrqoi__put32(p + o, rnd());
                    o += 4;
                }
            }
    assert_int_equal(o, l->b.unpacked_size);
    return p;
}

/* Encodes at `level`, decodes, returns the largest colour error and the
 * size; non-colour channels must come back exactly. */
static double round_trip(const layout *l, const uint8_t *src, float level, size_t *size)
{
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    ctx.dwa_level = level;
    size_t cap = exrqoi__dwa_bound(&l->b), n = 0;
    uint8_t *enc = malloc(cap), *dec = malloc(l->b.unpacked_size);
    assert_non_null(enc);
    assert_non_null(dec);
    assert_int_equal(exrqoi__dwa_encode(&ctx, &l->b, src, enc, cap, &n, DWA_AC_HUFFMAN), EXRQOI_OK);
    exrqoi_result r = exrqoi__dwa_decode(&ctx, &l->b, enc, n, dec);
    if (r != EXRQOI_OK) print_error("%s\n", ctx.err.msg);
    assert_int_equal(r, EXRQOI_OK);
    /* the deflate AC variant decodes to the same pixels */
    uint8_t *enc2 = malloc(cap), *dec2 = malloc(l->b.unpacked_size);
    size_t n2 = 0;
    assert_int_equal(exrqoi__dwa_encode(&ctx, &l->b, src, enc2, cap, &n2, DWA_AC_DEFLATE), EXRQOI_OK);
    assert_int_equal(exrqoi__dwa_decode(&ctx, &l->b, enc2, n2, dec2), EXRQOI_OK);
    assert_memory_equal(dec, dec2, l->b.unpacked_size);
    double maxerr = 0;
    size_t o = 0;
    for (int y = 0; y < l->b.height; y++)
        for (int c = 0; c < l->b.nchan; c++)
            for (int x = 0; x < l->b.width; x++) {
                if (c >= 1 && c <= 3) {
                    double a = exrqoi__h2f(exrqoi__le16(src + o)), b = exrqoi__h2f(exrqoi__le16(dec + o));
                    double e = fabs(a - b) / (a > 1 ? a : 1);
                    if (e > maxerr) maxerr = e;
                } else {
                    assert_memory_equal(src + o, dec + o, l->ch[c].size);
                }
                o += l->ch[c].size;
            }
    *size = n;
    free(enc);
    free(dec);
    free(enc2);
    free(dec2);
    exrqoi__codec_ctx_free(&ctx);
    return maxerr;
}

static void test_round_trip_levels(void **state)
{
    (void)state;
    layout l;
    make_layout(&l, 19, 13, rt_names, rt_types, 6);
    uint8_t *src = make_pixels(&l);
    size_t s0, s45, s200;
    double e0 = round_trip(&l, src, 0.0f, &s0);
    double e45 = round_trip(&l, src, 45.0f, &s45);
    double e200 = round_trip(&l, src, 200.0f, &s200);
    assert_true(e0 < 0.01);
    assert_true(e45 < 0.05);
    assert_true(e200 < 0.2);
    assert_true(e0 <= e45 && e45 <= e200);
    assert_true(s0 > s45 && s45 > s200);
    free(src);

    /* 1x1 and a single lossy channel with pLinear */
    const char *one[] = {"Y"};
    const uint8_t th[] = {EXRQOI_PIXEL_HALF};
    make_layout(&l, 1, 1, one, th, 1);
    l.ch[0].p_linear = 1;
    uint8_t px[2], dec[2];
    exrqoi__put16(px, 0x3c00);
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    size_t n, cap = exrqoi__dwa_bound(&l.b);
    uint8_t *enc = malloc(cap);
    assert_non_null(enc);
    assert_int_equal(exrqoi__dwa_encode(&ctx, &l.b, px, enc, cap, &n, DWA_AC_HUFFMAN), EXRQOI_OK);
    assert_int_equal(exrqoi__dwa_decode(&ctx, &l.b, enc, n, dec), EXRQOI_OK);
    assert_int_equal(exrqoi__le16(dec), 0x3c00);
    free(enc);
    exrqoi__codec_ctx_free(&ctx);
}

/* ---- corrupt chunks ---------------------------------------------------------------- */

static void test_corrupt(void **state)
{
    (void)state;
    layout l;
    make_layout(&l, 19, 13, rt_names, rt_types, 6);
    uint8_t *src = make_pixels(&l);
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    size_t cap = exrqoi__dwa_bound(&l.b), n = 0;
    uint8_t *enc = malloc(cap), *bad = malloc(cap), *dec = malloc(l.b.unpacked_size);
    assert_int_equal(exrqoi__dwa_encode(&ctx, &l.b, src, enc, cap, &n, DWA_AC_HUFFMAN), EXRQOI_OK);
    assert_int_equal(exrqoi__dwa_decode(&ctx, &l.b, enc, n, dec), EXRQOI_OK);

    /* truncation anywhere */
    for (size_t k = 0; k < n; k += (k < 120 ? 1 : 37))
        assert_int_not_equal(exrqoi__dwa_decode(&ctx, &l.b, enc, k, dec), EXRQOI_OK);
    assert_int_equal(exrqoi__dwa_decode(&ctx, &l.b, enc, 10, dec), EXRQOI_ERR_CORRUPT);

    /* each header field: huge, off by one, zero */
    const uint64_t vals[] = {UINT64_MAX, (uint64_t)1 << 63, (uint64_t)1 << 40, 0, 3};
    for (int f = 0; f < DWA_NUM_SIZES; f++)
        for (size_t v = 0; v < sizeof vals / sizeof vals[0]; v++) {
            memcpy(bad, enc, n);
            uint64_t old = exrqoi__le64(bad + 8 * f);
            uint64_t nv = vals[v] == 3 ? old + 1 : vals[v];
            if (nv == old) continue;
            if (f == DWA_AC_COMPRESSION && nv == 1) continue; /* valid switch to deflate */
            exrqoi__put64(bad + 8 * f, nv);
            exrqoi_result r = exrqoi__dwa_decode(&ctx, &l.b, bad, n, dec);
            if (f != DWA_VERSION || nv != 0) /* version 0 reads the legacy rules: may pass */
                assert_int_not_equal(r, EXRQOI_OK);
        }

    /* rule block: size below 2, past the end, unterminated suffix */
    const uint16_t rsz[] = {0, 1, 0xffff};
    for (size_t i = 0; i < 3; i++) {
        memcpy(bad, enc, n);
        exrqoi__put16(bad + DWA_HEADER_SIZE, rsz[i]);
        assert_int_equal(exrqoi__dwa_decode(&ctx, &l.b, bad, n, dec), EXRQOI_ERR_CORRUPT);
    }
    memcpy(bad, enc, n);
    size_t rs = exrqoi__le16(bad + DWA_HEADER_SIZE);
    memset(bad + DWA_HEADER_SIZE + 2, 'x', rs - 2);
    assert_int_equal(exrqoi__dwa_decode(&ctx, &l.b, bad, n, dec), EXRQOI_ERR_CORRUPT);

    /* random byte damage: any result but a clean error or success is a bug
     * (the sanitizer build checks the memory side) */
    for (int iter = 0; iter < 400; iter++) {
        memcpy(bad, enc, n);
        int hits = 1 + (int)(rnd() % 4);
        for (int h = 0; h < hits; h++) bad[rnd() % n] ^= (uint8_t)(1u << (rnd() % 8));
        exrqoi_result r = exrqoi__dwa_decode(&ctx, &l.b, bad, n, dec);
        assert_true(r == EXRQOI_OK || r == EXRQOI_ERR_CORRUPT);
    }
    free(enc);
    free(bad);
    free(dec);
    free(src);
    exrqoi__codec_ctx_free(&ctx);
}

/* ---- SIMD paths against the portable one -------------------------------------- */

static int npaths(void) { return exrqoi__dwa_best_path() + 1; }

static void test_zigzag_transposed(void **state)
{
    (void)state;
    for (int i = 0; i < 64; i++) {
        int n = exrqoi__dwa_zigzag[i];
        assert_int_equal(exrqoi__dwa_zigzag_t[i], (n % 8) * 8 + n / 8);
    }
}

/* A random finite half, often small or zero as DCT coefficients are. */
static uint16_t rand_coef(void)
{
    uint32_t r = rnd();
    switch (r % 8) {
    case 0: return 0;
    case 1: return 0x8000; /* -0 */
    case 2: return (uint16_t)(r >> 16) & 0x83ffu; /* subnormal */
    default: {
        uint16_t h = (uint16_t)(r >> 16);
        return (h & 0x7c00u) == 0x7c00u ? (uint16_t)(h & 0xbfffu) : h;
    }
    }
}

/* Blocks as the decoder builds them: zig-zag slots up to `last` coded
 * (values, zeros and -0), the rest zero, stored column-major; every path
 * must give the portable kernel's bits for every live-row count. */
static void test_idct_paths(void **state)
{
    (void)state;
    uint16_t t[64] __attribute__((aligned(32)));
    float ref[64] __attribute__((aligned(32))), got[64] __attribute__((aligned(32)));
    int seen[9] = {0};
    for (int iter = 0; iter < 6000; iter++) {
        int last = 1 + (int)(rnd() % 63);
        if (iter % 3 == 0) last = 1 + (int)(rnd() % 9); /* the short kernels more often */
        memset(t, 0, sizeof t);
        t[0] = rand_coef();
        for (int i = 1; i <= last; i++) t[exrqoi__dwa_zigzag_t[i]] = rand_coef();
        if (iter % 5 == 0) /* small values: mixes of signed zeros in the sums */
            for (int i = 0; i <= last; i++) t[exrqoi__dwa_zigzag_t[i]] &= 0x8001u;
        int live = exrqoi__dwa_live_rows(last);
        seen[live]++;
        exrqoi__dwa_idct_halves(DWA_PATH_C, t, ref, live);
        /* the portable path is the natural-layout kernel */
        float nat[64];
        for (int i = 0; i < 64; i++) nat[i] = exrqoi__h2f(t[(i % 8) * 8 + i / 8]);
        exrqoi__dwa_idct(nat, live);
        assert_memory_equal(nat, ref, sizeof ref);
        for (int path = 1; path < npaths(); path++) {
            memset(got, 0x5a, sizeof got);
            exrqoi__dwa_idct_halves(path, t, got, live);
            if (memcmp(got, ref, sizeof ref) != 0)
                fail_msg("path %d differs (live rows %d, last slot %d)", path, live, last);
        }
    }
    for (int l = 1; l <= 8; l++) assert_true(seen[l] > 20);
    /* the whole block of live rows, at the limits of the half range */
    for (int iter = 0; iter < 200; iter++) {
        for (int i = 0; i < 64; i++) t[i] = (uint16_t)((rnd() & 1 ? 0x7bffu : 0xfbffu) - (rnd() % 64));
        exrqoi__dwa_idct_halves(DWA_PATH_C, t, ref, 8);
        for (int path = 1; path < npaths(); path++) {
            exrqoi__dwa_idct_halves(path, t, got, 8);
            assert_memory_equal(got, ref, sizeof ref);
        }
    }
}

/* float -> half on every kind of float, ties and range limits included. */
static void test_f2h_paths(void **state)
{
    (void)state;
    enum { N = 1 << 16 };
    float *in = malloc(N * sizeof(float));
    uint16_t *ref = malloc(N * 2), *got = malloc(N * 2);
    assert_non_null(in);
    assert_non_null(ref);
    assert_non_null(got);
    static const uint32_t edges[] = {
        0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0x7f800001u, 0xffc12345u,
        0x7f802000u, 0x477fe000u, 0x477fefffu, 0x477ff000u, 0x477fffffu, 0x47800000u, 0x38800000u,
        0x387fffffu, 0x38000000u, 0x33000000u, 0x33000001u, 0x32ffffffu, 0x337fffffu, 0x33800000u,
        0x00000001u, 0x3f801000u, 0x3f803000u, 0x3f801001u, 0x3f802fffu, 0x387fe000u, 0x387ff000u,
    };
    size_t ne = sizeof edges / sizeof edges[0];
    for (int i = 0; i < N; i++) {
        uint32_t b;
        if ((size_t)i < 2 * ne) {
            b = edges[i % ne] ^ (i >= (int)ne ? 0x80000000u : 0);
        } else {
            switch (i % 4) {
            case 0: b = rnd(); break;                                   /* anything, NaN too */
            case 1: b = 0x33000000u + rnd() % (0x47800000u - 0x33000000u); break; /* half range */
            case 2: b = (rnd() & 0xffffe000u) | 0x1000u; break;         /* exact ties */
            default: b = (0x33000000u + rnd() % 0x06000000u) | (rnd() & 0x80000000u); break;
            }
        }
        memcpy(&in[i], &b, 4);
    }
    for (int i = 0; i < N; i++) ref[i] = exrqoi__dwa_f2h(in[i]);
    /* spot checks of the scalar rounding itself */
    assert_int_equal(exrqoi__dwa_f2h(65519.0f), 0x7bff);
    assert_int_equal(exrqoi__dwa_f2h(65520.0f), 0x7c00);
    assert_int_equal(exrqoi__dwa_f2h(1.0f + 1.0f / 2048), 0x3c00); /* tie to even */
    assert_int_equal(exrqoi__dwa_f2h(1.0f + 3.0f / 2048), 0x3c02);
    for (int path = 0; path < npaths(); path++) {
        memset(got, 0, N * 2);
        exrqoi__dwa_f2h_n(path, in, got, N);
        for (int i = 0; i < N; i++)
            if (got[i] != ref[i]) {
                uint32_t b;
                memcpy(&b, &in[i], 4);
                fail_msg("path %d: %08x -> %04x, expected %04x", path, b, got[i], ref[i]);
            }
    }
    free(in);
    free(ref);
    free(got);
}

/* Whole chunks through every path: colour triples with float and half
 * channels, pLinear and transfer-curve channels, partial blocks, flat
 * areas (the constant-block path) and noise (all eight live rows). */
static void test_decode_paths(void **state)
{
    (void)state;
    static const char *const names[] = {"B", "G", "R", "BY", "Y", "A", "x.R", "x.G", "x.B"};
    const uint8_t H = EXRQOI_PIXEL_HALF, F = EXRQOI_PIXEL_FLOAT;
    const uint8_t types[] = {F, F, F, H, H, H, H, H, H};
    layout l;
    make_layout(&l, 37, 21, names, types, 9);
    l.ch[3].p_linear = 1;
    l.ch[8].p_linear = 1; /* a triple always uses the curve */
    uint8_t *src = malloc(l.b.unpacked_size);
    assert_non_null(src);
    size_t o = 0;
    for (int y = 0; y < 21; y++)
        for (int c = 0; c < 9; c++)
            for (int x = 0; x < 37; x++) {
                double v = 0.25 + 0.2 * sin(x * 0.4 + c) * cos(y * 0.3);
                if (x < 16 && y < 8) v = 0.5;                                 /* flat */
                else if (x > 24) v = urand(0, 4.0);                           /* noise, > 1 too */
                if (c == 4 && y > 12) v = -v;                                 /* negative values */
                if (types[c] == F) {
                    exrqoi__putf32(src + o, (float)v);
                    o += 4;
                } else {
                    exrqoi__put16(src + o, exrqoi__f2h((float)v));
                    o += 2;
                }
            }
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    size_t cap = exrqoi__dwa_bound(&l.b), n = 0;
    uint8_t *enc = malloc(cap), *ref = malloc(l.b.unpacked_size), *got = malloc(l.b.unpacked_size);
    assert_non_null(enc);
    assert_non_null(ref);
    assert_non_null(got);
    const float levels[] = {0.0f, 5.0f, 45.0f, 300.0f};
    for (size_t li = 0; li < sizeof levels / sizeof levels[0]; li++) {
        ctx.dwa_level = levels[li];
        assert_int_equal(exrqoi__dwa_encode(&ctx, &l.b, src, enc, cap, &n, DWA_AC_HUFFMAN), EXRQOI_OK);
        assert_int_equal(exrqoi__dwa_decode_path(&ctx, &l.b, enc, n, ref, DWA_PATH_C), EXRQOI_OK);
        for (int path = 1; path < npaths(); path++) {
            memset(got, 0xcd, l.b.unpacked_size);
            assert_int_equal(exrqoi__dwa_decode_path(&ctx, &l.b, enc, n, got, path), EXRQOI_OK);
            assert_memory_equal(got, ref, l.b.unpacked_size);
        }
        /* truncated AC data fails the same way on every path */
        for (int path = 0; path < npaths(); path++)
            assert_int_equal(exrqoi__dwa_decode_path(&ctx, &l.b, enc, n - 1, got, path),
                             exrqoi__dwa_decode_path(&ctx, &l.b, enc, n - 1, ref, 0));
    }
    free(enc);
    free(ref);
    free(got);
    free(src);
    exrqoi__codec_ctx_free(&ctx);
}

/* Random cuts of `n` unpacked bytes into segments, some not wanted (dst
 * NULL) or empty, the rest at scattered places of `out` (2n + 8 bytes);
 * `want` gets what they must deliver there. */
static size_t random_segments(const uint8_t *unpacked, size_t n, uint8_t *out, uint8_t *want,
                              exrqoi__segment *seg, size_t cap, size_t max_len)
{
    size_t k = 0, pos = 0, at = 0;
    while (pos < n && k < cap - 2) {
        size_t len = 1 + rnd() % max_len;
        if (len > n - pos) len = n - pos;
        if (rnd() % 4 == 0) {
            seg[k].dst = NULL;
        } else {
            if (at + len + 4 <= 2 * n) at += rnd() % 5;
            seg[k].dst = out + at;
            memcpy(want + at, unpacked + pos, len);
            at += len;
        }
        seg[k++].len = len;
        pos += len;
        if (rnd() % 8 == 0) seg[k++] = (exrqoi__segment){NULL, 0};
    }
    if (pos < n) {
        seg[k].dst = out + at;
        memcpy(want + at, unpacked + pos, n - pos);
        seg[k++].len = n - pos;
    }
    return k;
}

/* A block big enough for the Huffman decoder's two-reader, two-piece and
 * pair-table paths, with lossy, RLE and stored channels: every kernel path
 * decodes the same, into the unpacked layout and through segments (lines
 * whole, split, or not wanted). */
static void test_big_block_segments(void **state)
{
    (void)state;
    static const char *const names[] = {"A", "B", "G", "R", "Z"};
    const uint8_t H = EXRQOI_PIXEL_HALF, F = EXRQOI_PIXEL_FLOAT;
    const uint8_t types[] = {H, H, H, H, F};
    layout l;
    const int w = 397, h = 200;
    make_layout(&l, w, h, names, types, 5);
    uint8_t *src = malloc(l.b.unpacked_size);
    assert_non_null(src);
    size_t o = 0;
    for (int y = 0; y < h; y++)
        for (int c = 0; c < 5; c++)
            for (int x = 0; x < w; x++) {
                double v = 0.3 + 0.2 * sin(x * 0.05 + c) * cos(y * 0.07) + urand(-0.3, 0.3);
                if (c == 0) v = x < 150 ? 1.0 : 0.5; /* alpha: RLE friendly */
                if (types[c] == F) {
                    exrqoi__putf32(src + o, (float)v);
                    o += 4;
                } else {
                    exrqoi__put16(src + o, exrqoi__f2h((float)v));
                    o += 2;
                }
            }
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    size_t sz = l.b.unpacked_size, cap = exrqoi__dwa_bound(&l.b), n = 0;
    uint8_t *enc = malloc(cap), *ref = malloc(sz), *got = malloc(sz);
    uint8_t *out = malloc(2 * sz + 8), *want = malloc(2 * sz + 8);
    assert_non_null(enc);
    assert_non_null(ref);
    assert_non_null(got);
    assert_non_null(out);
    assert_non_null(want);
    static exrqoi__segment seg[20000];
    ctx.dwa_level = 45.0f;
    assert_int_equal(exrqoi__dwa_encode(&ctx, &l.b, src, enc, cap, &n, DWA_AC_HUFFMAN), EXRQOI_OK);
    /* the AC stream is past the two-reader and pair-table sizes */
    assert_true(exrqoi__le64(enc + 8 * DWA_AC_COMPRESSED_SIZE) > 8192);
    assert_true(exrqoi__le64(enc + 8 * DWA_AC_UNCOMPRESSED_COUNT) > 140000);
    assert_int_equal(exrqoi__dwa_decode_path(&ctx, &l.b, enc, n, ref, DWA_PATH_C), EXRQOI_OK);
    for (int path = 0; path < npaths(); path++) {
        memset(got, 0xcd, sz);
        assert_int_equal(exrqoi__dwa_decode_path(&ctx, &l.b, enc, n, got, path), EXRQOI_OK);
        assert_memory_equal(got, ref, sz);
        for (int k = 0; k < 3; k++) {
            memset(out, 0x5a, 2 * sz + 8);
            memset(want, 0x5a, 2 * sz + 8);
            size_t max_len = k == 0 ? 2 * sz : (k == 1 ? 3000 : 40);
            size_t nseg = random_segments(ref, sz, out, want, seg, sizeof seg / sizeof seg[0], max_len);
            assert_int_equal(exrqoi__dwa_decode_segments_path(&ctx, &l.b, enc, n, seg, nseg, path), EXRQOI_OK);
            assert_memory_equal(out, want, 2 * sz + 8);
            seg[nseg - 1].len++;
            assert_int_equal(exrqoi__decompress_block_segments(&ctx, &l.b, enc, n, seg, nseg),
                             EXRQOI_ERR_INVALID_ARGUMENT);
        }
        assert_int_equal(exrqoi__dwa_decode_path(&ctx, &l.b, enc, n - 1, got, path),
                         exrqoi__dwa_decode_path(&ctx, &l.b, enc, n - 1, ref, 0));
    }
    free(enc);
    free(ref);
    free(got);
    free(out);
    free(want);
    free(src);
    exrqoi__codec_ctx_free(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idct_reference),   cmocka_unit_test(test_idct_live_rows),
        cmocka_unit_test(test_fdct_reference),   cmocka_unit_test(test_csc),
        cmocka_unit_test(test_zigzag),           cmocka_unit_test(test_openexr_tables),
        cmocka_unit_test(test_quantize),         cmocka_unit_test(test_classify_default),
        cmocka_unit_test(test_classify_legacy_and_stored),
        cmocka_unit_test(test_round_trip_levels), cmocka_unit_test(test_corrupt),
        cmocka_unit_test(test_zigzag_transposed), cmocka_unit_test(test_idct_paths),
        cmocka_unit_test(test_f2h_paths),        cmocka_unit_test(test_decode_paths),
        cmocka_unit_test(test_big_block_segments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
