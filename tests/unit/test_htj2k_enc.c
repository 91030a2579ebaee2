/*
 * HTJ2K encoder: the chunk header and codestream markers OpenEXR writes
 * (values as in the shared corpus files written by OpenEXR main), the
 * R,G,B detection of OpenEXR's channel map, stored-raw and unsupported
 * layouts, and the HT code block's locator. The codestreams themselves
 * are checked against OpenJPH and OpenEXR by tests/htj2k. The encoder's
 * VLC lookup (src/codec/htj2k_enc_tables.c) is checked against T.814's
 * codeword rows (htj2k_vlc_rows.h); `test_htj2k_enc --print-vlc` prints it.
 * The SIMD paths of the NLT, RCT, wavelet and block preparation give
 * exactly the portable path's integers and bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <stdio.h>

#include "codec/htj2k_enc.h"
#include "common/cpu.h"
#include "htj2k_vlc_rows.h"
#include "test_support.h"

typedef struct chunk {
    uint8_t *p;
    size_t n;
} chunk;

/* Encodes w x h of channels (names, types, sampling) filled with a smooth
 * pattern; returns the payload (whatever its size). */
static chunk encode(int w, int h, int nc, const char *const *names, const uint8_t *types, const int *xs,
                    const int *ys, exrqoi_result *res)
{
    exrqoi__chan_layout ch[8];
    size_t total = 0;
    for (int i = 0; i < nc; i++) {
        int sx = xs ? xs[i] : 1, sy = ys ? ys[i] : 1, size = types[i] == EXRQOI_PIXEL_HALF ? 2 : 4;
        ch[i] = (exrqoi__chan_layout){names[i], types[i], (uint8_t)size, 0, sx, sy, w / sx, h / sy};
        total += (size_t)(w / sx) * (size_t)(h / sy) * (size_t)size;
    }
    exrqoi__block_layout b = {0, 0, w, h, nc, ch, total, EXRQOI_COMPRESSION_NONE, 0};
    uint8_t *src = malloc(total + 1);
    for (size_t i = 0; i < total; i++) src[i] = (uint8_t)(i % 7 == 1 ? 0x3c : i % 5);
    chunk c = {malloc(4 * total + 4096), 0};
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    *res = exrqoi__htj2k_encode_payload(&ctx, &b, src, c.p, 4 * total + 4096, &c.n);
    exrqoi__codec_ctx_free(&ctx);
    free(src);
    return c;
}

static unsigned be16(const uint8_t *p) { return ((unsigned)p[0] << 8) | p[1]; }

/* The k-th marker segment `m` of the codestream in `c` (NULL if absent). */
static const uint8_t *segment(const chunk *c, unsigned m, int k)
{
    size_t at = 6 + ((size_t)c->p[2] << 24 | (size_t)c->p[3] << 16 | (size_t)c->p[4] << 8 | c->p[5]);
    assert_int_equal(be16(c->p + at), 0xFF4F);
    at += 2;
    while (at + 4 <= c->n) {
        unsigned mk = be16(c->p + at);
        if (mk == m && k-- == 0) return c->p + at;
        if (mk == 0xFF93) break;
        at += 2 + be16(c->p + at + 2);
    }
    return NULL;
}

static void test_rgb_half_headers(void **state)
{
    (void)state;
    static const char *const names[] = {"B", "G", "R"};
    static const uint8_t types[] = {EXRQOI_PIXEL_HALF, EXRQOI_PIXEL_HALF, EXRQOI_PIXEL_HALF};
    exrqoi_result r;
    chunk c = encode(17, 33, 3, names, types, NULL, NULL, &r);
    assert_int_equal(r, EXRQOI_OK);
    /* magic, header length 8, 3 channels, codestream component -> file channel R, G, B */
    static const uint8_t head[] = {0x48, 0x54, 0, 0, 0, 8, 0, 3, 0, 2, 0, 1, 0, 0};
    assert_memory_equal(c.p, head, sizeof head);
    const uint8_t *siz = segment(&c, 0xFF51, 0);
    assert_non_null(siz);
    assert_int_equal(be16(siz + 2), 38 + 9);
    assert_int_equal(be16(siz + 4), 0xC200); /* HT, Part 2 extensions: NLT */
    assert_int_equal(be16(siz + 8), 17);
    assert_int_equal(be16(siz + 12), 33);
    assert_int_equal(siz[40], 0x8F); /* signed 16 bits */
    const uint8_t *cap = segment(&c, 0xFF50, 0);
    assert_non_null(cap);
    assert_int_equal(be16(cap + 8), 0x000B);
    static const uint8_t cod[] = {0xFF, 0x52, 0, 12, 0, 2, 0, 1, 1, 5, 5, 3, 0x40, 1};
    assert_memory_equal(segment(&c, 0xFF52, 0), cod, sizeof cod);
    static const uint8_t qcd[] = {0xFF, 0x5C, 0, 19, 0x20, 0x90, 0x98, 0x98, 0x98, 0x98, 0x98, 0x98,
                                  0x98, 0x98,  0x98, 0x98, 0x98, 0x98, 0x90, 0x90, 0x90};
    assert_memory_equal(segment(&c, 0xFF5C, 0), qcd, sizeof qcd);
    assert_null(segment(&c, 0xFF5D, 0));
    for (int i = 0; i < 3; i++) {
        const uint8_t nlt[] = {0xFF, 0x76, 0, 6, 0, (uint8_t)i, 0x8F, 3};
        assert_memory_equal(segment(&c, 0xFF76, i), nlt, sizeof nlt);
    }
    const uint8_t *sot = segment(&c, 0xFF90, 0);
    assert_non_null(sot);
    /* Psot runs to the EOC that ends the payload */
    size_t psot = (size_t)be16(sot + 6) << 16 | be16(sot + 8);
    assert_int_equal((size_t)(sot - c.p) + psot + 2, c.n);
    assert_int_equal(be16(c.p + c.n - 2), 0xFFD9);
    free(c.p);
}

/* Float and uint beside half: QCC for the 32-bit components (4 guard
 * bits), no NLT for uint, CAP from the largest magnitude. */
static void test_mixed_types(void **state)
{
    (void)state;
    static const char *const names[] = {"A", "Z", "id"};
    static const uint8_t types[] = {EXRQOI_PIXEL_HALF, EXRQOI_PIXEL_FLOAT, EXRQOI_PIXEL_UINT};
    exrqoi_result r;
    chunk c = encode(9, 4, 3, names, types, NULL, NULL, &r);
    assert_int_equal(r, EXRQOI_OK);
    const uint8_t *siz = segment(&c, 0xFF51, 0);
    assert_int_equal(siz[40], 0x8F);
    assert_int_equal(siz[43], 0x9F);
    assert_int_equal(siz[46], 0x1F);
    assert_int_equal(be16(segment(&c, 0xFF50, 0) + 8), 0x0015);
    static const uint8_t qcd[] = {0xFF, 0x5C, 0, 19, 0x20, 0x88, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
                                  0x90, 0x90,  0x90, 0x90, 0x90, 0x90, 0x88, 0x88, 0x88};
    assert_memory_equal(segment(&c, 0xFF5C, 0), qcd, sizeof qcd);
    for (int i = 0; i < 2; i++) {
        const uint8_t *q = segment(&c, 0xFF5D, i);
        assert_non_null(q);
        static const uint8_t qcc_tail[] = {0x80, 0xF0, 0xF8, 0xF8, 0xF8, 0xF8, 0xF8, 0xF8, 0xF8,
                                           0xF8, 0xF8, 0xF8, 0xF8, 0xF8, 0xF0, 0xF0, 0xF0};
        assert_int_equal(be16(q + 2), 20);
        assert_int_equal(q[4], i + 1);
        assert_memory_equal(q + 5, qcc_tail, sizeof qcc_tail);
    }
    assert_non_null(segment(&c, 0xFF76, 1));
    assert_null(segment(&c, 0xFF76, 2)); /* A and Z only */
    free(c.p);
}

static void test_uint_only(void **state)
{
    (void)state;
    static const char *const names[] = {"id"};
    static const uint8_t types[] = {EXRQOI_PIXEL_UINT};
    exrqoi_result r;
    chunk c = encode(40, 7, 1, names, types, NULL, NULL, &r);
    assert_int_equal(r, EXRQOI_OK);
    assert_int_equal(be16(segment(&c, 0xFF51, 0) + 4), 0x4000); /* no NLT: HT only */
    assert_null(segment(&c, 0xFF76, 0));
    free(c.p);
}

/* OpenEXR's channel map: R, G, B by whole name or suffix after the last
 * '.', any case, also red/green/blue, one prefix, one type and sampling. */
static int rct_of(const char *const *names, const uint8_t *types, int nc, uint16_t *map)
{
    exrqoi_result r;
    chunk c = encode(8, 8, nc, names, types, NULL, NULL, &r);
    assert_int_equal(r, EXRQOI_OK);
    for (int i = 0; i < nc; i++) map[i] = (uint16_t)be16(c.p + 8 + 2 * i);
    int mct = segment(&c, 0xFF52, 0)[8];
    free(c.p);
    return mct;
}

static void test_channel_map(void **state)
{
    (void)state;
    static const uint8_t h4[] = {EXRQOI_PIXEL_HALF, EXRQOI_PIXEL_HALF, EXRQOI_PIXEL_HALF, EXRQOI_PIXEL_HALF};
    uint16_t map[4];
    static const char *const dotted[] = {"a", "main.b", "main.g", "main.r"};
    assert_int_equal(rct_of(dotted, h4, 4, map), 1);
    assert_int_equal(map[0], 3);
    assert_int_equal(map[1], 2);
    assert_int_equal(map[2], 1);
    assert_int_equal(map[3], 0);
    static const char *const words[] = {"Blue", "GREEN", "red"};
    assert_int_equal(rct_of(words, h4, 3, map), 1);
    assert_int_equal(map[0], 2);
    static const char *const glued[] = {"MainB", "MainG", "MainR"};
    assert_int_equal(rct_of(glued, h4, 3, map), 0);
    assert_int_equal(map[0], 0);
    static const char *const prefixes[] = {"x.B", "y.G", "z.R"};
    assert_int_equal(rct_of(prefixes, h4, 3, map), 0);
    static const char *const rgb[] = {"B", "G", "R"};
    static const uint8_t mixed[] = {EXRQOI_PIXEL_HALF, EXRQOI_PIXEL_FLOAT, EXRQOI_PIXEL_HALF};
    assert_int_equal(rct_of(rgb, mixed, 3, map), 0);
    assert_int_equal(map[0], 0);
}

/* Subsampled channels: components of their own size, no RCT (OpenEXR
 * codes them as planar). */
static void test_subsampled(void **state)
{
    (void)state;
    static const char *const names[] = {"BY", "RY", "Y"};
    static const uint8_t types[] = {EXRQOI_PIXEL_HALF, EXRQOI_PIXEL_HALF, EXRQOI_PIXEL_HALF};
    static const int s[] = {2, 2, 1};
    exrqoi_result r;
    chunk c = encode(12, 6, 3, names, types, s, s, &r);
    assert_int_equal(r, EXRQOI_OK);
    const uint8_t *siz = segment(&c, 0xFF51, 0);
    assert_int_equal(siz[41], 2);
    assert_int_equal(siz[42], 2);
    assert_int_equal(siz[47], 1);
    assert_int_equal(segment(&c, 0xFF52, 0)[8], 0);
    free(c.p);

    static const int s3[] = {3, 3, 1};
    c = encode(12, 6, 3, names, types, s3, s3, &r);
    assert_int_equal(r, EXRQOI_ERR_UNSUPPORTED);
    free(c.p);
    static const int s4[] = {4, 4, 1};
    c = encode(12, 6, 3, names, types, s4, s4, &r); /* 6 lines not a multiple of 4 */
    assert_int_equal(r, EXRQOI_ERR_UNSUPPORTED);
    free(c.p);
}

/* Through the codec hook a payload that is not smaller is stored raw. */
static void test_stored_raw(void **state)
{
    (void)state;
    exrqoi__chan_layout ch = {"Y", EXRQOI_PIXEL_HALF, 2, 0, 1, 1, 1, 1};
    exrqoi__block_layout b = {0, 0, 1, 1, 1, &ch, 2, EXRQOI_COMPRESSION_NONE, 0};
    uint8_t src[2] = {0x00, 0x3c}, dst[128];
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    size_t n = 0;
    assert_int_equal(exrqoi__htj2k_compress(&ctx, &b, src, dst, sizeof dst, &n), EXRQOI_OK);
    assert_int_equal(n, 2);
    assert_int_equal(exrqoi__htj2k_encode_payload(&ctx, &b, src, dst, 8, &n), EXRQOI_ERR_BUFFER_TOO_SMALL);
    exrqoi__codec_ctx_free(&ctx);
}

/* A code block: nothing for all zeros; otherwise the last two bytes hold
 * the MEL+VLC length (Scup), which fits in the block. */
static void test_block(void **state)
{
    (void)state;
    int64_t *coef = calloc(128 * 32, sizeof(int64_t));
    uint8_t *work = malloc(EXRQOI__HTJ2K_BLOCK_WORK), *out = malloc(EXRQOI__HTJ2K_BLOCK_MAX);
    assert_int_equal(exrqoi__htj2k_encode_block(coef, 128, 128, 32, 19, work, out), 0);
    coef[5 * 128 + 7] = 1 << 19; /* beyond kmax 19: still all zero */
    assert_int_equal(exrqoi__htj2k_encode_block(coef, 128, 128, 32, 19, work, out), 0);
    uint32_t s = 12345;
    for (int i = 0; i < 128 * 32; i++) {
        ts_lcg_ansi(&s);
        coef[i] = (int64_t)((s >> 8) % 2001) - 1000;
    }
    size_t n = exrqoi__htj2k_encode_block(coef, 128, 128, 32, 19, work, out);
    assert_true(n > 2 && n <= EXRQOI__HTJ2K_BLOCK_MAX);
    size_t scup = ((size_t)out[n - 1] << 4) | (out[n - 2] & 15);
    assert_true(scup >= 2 && scup <= n);
    /* same input, same bytes */
    uint8_t *again = malloc(EXRQOI__HTJ2K_BLOCK_MAX);
    assert_int_equal(exrqoi__htj2k_encode_block(coef, 128, 128, 32, 19, work, again), n);
    assert_memory_equal(out, again, n);
    /* 64-bit magnitudes (float components reach 35 bit planes) */
    for (int i = 0; i < 128 * 32; i++) coef[i] = (i & 1 ? -1 : 1) * ((int64_t)1 << 33) + i;
    n = exrqoi__htj2k_encode_block(coef, 128, 128, 32, 35, work, out);
    assert_true(n > 4 * 128 * 32 && n <= EXRQOI__HTJ2K_BLOCK_MAX);
    free(again);
    free(coef);
    free(work);
    free(out);
}

/* ---- VLC lookup ----------------------------------------------------------- */

static int popcount4(unsigned v) { return (int)((v & 1) + ((v >> 1) & 1) + ((v >> 2) & 1) + ((v >> 3) & 1)); }

/* Entry (c_q << 8) | (rho << 4) | emb: (codeword << 8) | (length << 4) |
 * e_k. With emb == 0 (u_q == 0) the row with u_off 0; otherwise, among
 * the u_off 1 rows whose e_1 agrees with emb on e_k, the one with most
 * bits in e_k, the last on a tie (as OpenJPH picks: our codestreams equal
 * its). Rows: context, rho, u_off, e_k, e_1, codeword, length. */
static void build_enc_vlc(const uint8_t (*rows)[7], size_t n, uint16_t out[2048])
{
    for (unsigned i = 0; i < 2048; i++) {
        unsigned c_q = i >> 8, rho = (i >> 4) & 15, emb = i & 15;
        out[i] = 0;
        if ((emb & rho) != emb || (rho == 0 && c_q == 0)) continue;
        int best = -1, best_ones = -1;
        for (size_t j = 0; j < n; j++) {
            const uint8_t *r = rows[j];
            if (r[0] != c_q || r[1] != rho) continue;
            if (!emb) {
                if (r[2] == 0) {
                    best = (int)j;
                    break;
                }
            } else if (r[2] == 1 && (emb & r[3]) == r[4] && popcount4(r[3]) >= best_ones) {
                best = (int)j;
                best_ones = popcount4(r[3]);
            }
        }
        if (best < 0) continue;
        const uint8_t *r = rows[best];
        out[i] = (uint16_t)((r[5] << 8) | (r[6] << 4) | r[3]);
    }
}

static void test_vlc_lookup(void **state)
{
    (void)state;
    uint16_t t[2048];
    build_enc_vlc(k_vlc_rows0, sizeof k_vlc_rows0 / sizeof k_vlc_rows0[0], t);
    assert_memory_equal(t, exrqoi__htj2k_vlc_enc_table(1), sizeof t);
    build_enc_vlc(k_vlc_rows1, sizeof k_vlc_rows1 / sizeof k_vlc_rows1[0], t);
    assert_memory_equal(t, exrqoi__htj2k_vlc_enc_table(0), sizeof t);
}

/* A path this CPU runs: the portable one, the x86 ones up to the best,
 * or NEON when that is the best. */
static int usable(int path, int best)
{
    if (path == EXRQOI__PATH_C) return 1;
    if (best == EXRQOI__PATH_NEON) return path == EXRQOI__PATH_NEON;
    return path != EXRQOI__PATH_NEON && path <= best;
}

static uint64_t g_rng = 0x2545F4914F6CDD1Dull;

/* Random 32-bit samples: sparse, small or up to 21 bits, either sign. */
static int32_t rnd_sample(int kind)
{
    uint32_t r = (uint32_t)(ts_xorshift64(&g_rng) >> 20);
    int32_t mag = kind == 0 ? (r % 9 == 0 ? (int32_t)(r >> 8) % 200 : 0)
                            : kind == 1 ? (int32_t)(r >> 4) % 40 : (int32_t)(r & 0x1FFFFF);
    return (r >> 3) & 1 ? -mag : mag;
}

static void test_simd_paths(void **state)
{
    (void)state;
    const int best = exrqoi__htj2k_enc_path(exrqoi__cpu_features());
    static const int sizes[][2] = {{1, 1}, {2, 1}, {1, 2}, {3, 3}, {7, 5}, {8, 8}, {17, 33},
                                   {64, 64}, {129, 37}, {300, 20}, {33, 256}};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        const int w = sizes[s][0], h = sizes[s][1];
        const size_t n = (size_t)w * (size_t)h;
        int32_t *src = malloc(n * 4), *ref = malloc(n * 4), *got = malloc(n * 4);
        /* tmp exactly as documented, so that ASan sees an overrun */
        int32_t *tmp = malloc(((size_t)(h / 2) * (size_t)w + (size_t)w) * 4);
        assert_non_null(src);
        assert_non_null(ref);
        assert_non_null(got);
        assert_non_null(tmp);
        for (int kind = 0; kind < 3; kind++) {
            for (size_t i = 0; i < n; i++) src[i] = rnd_sample(kind) * (kind == 2 ? 1 : 1000);
            memcpy(ref, src, n * 4);
            exrqoi__htj2k_fwd53_i32(EXRQOI__PATH_C, ref, w, h, tmp);
            for (int path = EXRQOI__PATH_SSE2; path <= EXRQOI__PATH_NEON; path++) {
                if (!usable(path, best)) continue;
                memcpy(got, src, n * 4);
                exrqoi__htj2k_fwd53_i32(path, got, w, h, tmp);
                assert_memory_equal(got, ref, n * 4);
            }
        }
        free(src);
        free(ref);
        free(got);
        free(tmp);
    }
    /* half samples to NLT integers, the RCT */
    {
        enum { N = 1000 };
        uint8_t halves[2 * N];
        int32_t r0[N], g0[N], b0[N], r1[N], g1[N], b1[N];
        for (int i = 0; i < 2 * N; i++) halves[i] = (uint8_t)(ts_xorshift64(&g_rng) >> 32);
        for (size_t n = 0; n <= N; n += n < 40 ? 1 : 239) {
            exrqoi__htj2k_half_nlt(EXRQOI__PATH_C, halves, r0, n);
            for (size_t i = 0; i < n; i++) {
                int32_t v = (int16_t)(uint16_t)(halves[2 * i] | (halves[2 * i + 1] << 8));
                assert_int_equal(r0[i], v >= 0 ? v : -v - 32769);
            }
            exrqoi__htj2k_half_nlt(EXRQOI__PATH_C, halves + 1, g0, n);
            exrqoi__htj2k_half_nlt(EXRQOI__PATH_C, halves + 3, b0, n);
            for (int path = EXRQOI__PATH_SSE2; path <= EXRQOI__PATH_NEON; path++) {
                if (!usable(path, best)) continue;
                exrqoi__htj2k_half_nlt(path, halves, r1, n);
                exrqoi__htj2k_half_nlt(path, halves + 1, g1, n);
                exrqoi__htj2k_half_nlt(path, halves + 3, b1, n);
                assert_memory_equal(r1, r0, n * 4);
                assert_memory_equal(g1, g0, n * 4);
                assert_memory_equal(b1, b0, n * 4);
            }
            int32_t R[N], G[N], B[N];
            memcpy(R, r0, n * 4);
            memcpy(G, g0, n * 4);
            memcpy(B, b0, n * 4);
            exrqoi__htj2k_rct_i32(EXRQOI__PATH_C, r0, g0, b0, n);
            for (size_t i = 0; i < n; i++) {
                assert_int_equal(r0[i], (R[i] + 2 * G[i] + B[i]) >> 2);
                assert_int_equal(g0[i], B[i] - G[i]);
                assert_int_equal(b0[i], R[i] - G[i]);
            }
            for (int path = EXRQOI__PATH_SSE2; path <= EXRQOI__PATH_NEON; path++) {
                if (!usable(path, best)) continue;
                memcpy(r1, R, n * 4);
                memcpy(g1, G, n * 4);
                memcpy(b1, B, n * 4);
                exrqoi__htj2k_rct_i32(path, r1, g1, b1, n);
                assert_memory_equal(r1, r0, n * 4);
                assert_memory_equal(g1, g0, n * 4);
                assert_memory_equal(b1, b0, n * 4);
            }
        }
    }
    /* block preparation and whole code blocks */
    int32_t *coef = malloc(sizeof(int32_t) * 160 * 32);
    uint8_t *work = malloc(EXRQOI__HTJ2K_BLOCK_WORK), *ref = malloc(EXRQOI__HTJ2K_BLOCK_MAX),
            *got = malloc(EXRQOI__HTJ2K_BLOCK_MAX);
    uint8_t *E0 = malloc(34 * 132), *E1 = malloc(34 * 132);
    uint32_t *V0 = malloc(34 * 132 * 4), *V1 = malloc(34 * 132 * 4);
    assert_non_null(coef);
    assert_non_null(work);
    assert_non_null(ref);
    assert_non_null(got);
    assert_non_null(E0);
    assert_non_null(E1);
    assert_non_null(V0);
    assert_non_null(V1);
    for (int t = 0; t < 300; t++) {
        int w = 1 + (int)(ts_xorshift64(&g_rng) % 128), h = 1 + (int)(ts_xorshift64(&g_rng) % 32);
        if (t % 5 == 0) w = 128, h = 32;
        int kind = t % 3, kmax = 1 + (int)(ts_xorshift64(&g_rng) % 23);
        for (int i = 0; i < 160 * 32; i++) coef[i] = rnd_sample(kind);
        uint32_t mask = (1u << kmax) - 1;
        memset(E0, 0xAA, 34 * 132);
        memset(V0, 0xAA, 34 * 132 * 4);
        int any0 = exrqoi__htj2k_prep32(EXRQOI__PATH_C, coef, 160, w, h, mask, E0, V0);
        size_t n0 = exrqoi__htj2k_encode_block32(coef, 160, w, h, kmax, work, ref);
        assert_int_equal(n0 != 0, any0);
        for (int path = EXRQOI__PATH_SSE2; path <= EXRQOI__PATH_NEON; path++) {
            if (!usable(path, best)) continue;
            memset(E1, 0xAA, 34 * 132);
            memset(V1, 0xAA, 34 * 132 * 4);
            assert_int_equal(exrqoi__htj2k_prep32(path, coef, 160, w, h, mask, E1, V1), any0);
            for (int y = 0; y < ((h + 1) & ~1); y++) {
                const size_t wp = (size_t)((w + 3) & ~3);
                assert_memory_equal(E1 + 132 * y, E0 + 132 * y, wp);
                assert_memory_equal(V1 + 132 * y, V0 + 132 * y, wp * 4);
            }
            size_t n1 = exrqoi__htj2k_encode_block32_path(path, coef, 160, w, h, kmax, work, got);
            assert_int_equal(n1, n0);
            assert_memory_equal(got, ref, n0);
        }
    }
    free(coef);
    free(work);
    free(ref);
    free(got);
    free(E0);
    free(E1);
    free(V0);
    free(V1);
}

/* The encoder keeps its scratch in the context from chunk to chunk (and
 * reuses one plane for component after component): a chunk's payload is
 * the same from a fresh context and from one that just coded other
 * layouts, larger and smaller, with other types, RCT or not. */
typedef struct layout_case {
    int w, h, nc;
    const char *names[5];
    uint8_t types[5];
} layout_case;

static chunk encode_with(exrqoi__codec_ctx *ctx, const layout_case *L, uint32_t seed)
{
    exrqoi__chan_layout ch[5];
    size_t total = 0;
    for (int i = 0; i < L->nc; i++) {
        int size = L->types[i] == EXRQOI_PIXEL_HALF ? 2 : 4;
        ch[i] = (exrqoi__chan_layout){L->names[i], L->types[i], (uint8_t)size, 0, 1, 1, L->w, L->h};
        total += (size_t)L->w * (size_t)L->h * (size_t)size;
    }
    exrqoi__block_layout b = {0, 0, L->w, L->h, L->nc, ch, total, EXRQOI_COMPRESSION_NONE, 0};
    uint8_t *src = malloc(total);
    assert_non_null(src);
    for (size_t i = 0; i < total; i++) { /* smooth low bytes, random-ish high bits */
        seed = seed * 1103515245u + 12345u;
        src[i] = (uint8_t)(i & 1 ? (seed >> 24) & 0x47 : (i / 2) % 251);
    }
    chunk c = {malloc(4 * total + 4096), 0};
    assert_non_null(c.p);
    assert_int_equal(exrqoi__htj2k_encode_payload(ctx, &b, src, c.p, 4 * total + 4096, &c.n), EXRQOI_OK);
    free(src);
    return c;
}

static void test_scratch_reuse(void **state)
{
    (void)state;
    static const layout_case cases[] = {
        {300, 40, 5, {"A", "B", "G", "R", "Z"}, {1, 1, 1, 1, 2}}, /* RCT on half, A, float Z */
        {17, 5, 4, {"R", "G", "B", "id"}, {2, 2, 2, 0}},           /* RCT on float, uint */
        {129, 64, 3, {"Y", "RY", "BY"}, {1, 1, 1}},                /* no RCT */
        {64, 256, 4, {"R", "G", "B", "A"}, {1, 1, 1, 1}},          /* taller than the first */
    };
    enum { N = sizeof cases / sizeof cases[0] };
    chunk fresh[N];
    for (int i = 0; i < N; i++) {
        exrqoi__codec_ctx ctx;
        exrqoi__codec_ctx_init(&ctx, NULL);
        fresh[i] = encode_with(&ctx, &cases[i], (uint32_t)i + 1);
        exrqoi__codec_ctx_free(&ctx);
    }
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    static const int order[] = {0, 1, 2, 3, 0, 2, 1, 3, 1, 0};
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        int i = order[k];
        chunk c = encode_with(&ctx, &cases[i], (uint32_t)i + 1);
        assert_int_equal(c.n, fresh[i].n);
        assert_memory_equal(c.p, fresh[i].p, c.n);
        free(c.p);
    }
    exrqoi__codec_ctx_free(&ctx);
    for (int i = 0; i < N; i++) free(fresh[i].p);
}

/* Each quad's coding inputs (context, exponent bound and offset, VLC
 * index) are the same words on every path, whatever the exponent buffer
 * holds past the padded width (garbage from earlier blocks, here 0xAA /
 * 0x55); and a whole chunk's payload is the same bytes on every path. */
static void test_quads_paths(void **state)
{
    (void)state;
    const int best = exrqoi__htj2k_enc_path(exrqoi__cpu_features());
    int32_t *coef = malloc(sizeof(int32_t) * 128 * 32);
    uint8_t *E0 = malloc(34 * 132 + 8), *E1 = malloc(34 * 132 + 8);
    uint32_t *V = malloc(34 * 132 * 4);
    uint32_t *Q0 = malloc(16 * EXRQOI__HTJ2K_QW * 4), *Q1 = malloc(16 * EXRQOI__HTJ2K_QW * 4);
    assert_non_null(coef);
    assert_non_null(E0);
    assert_non_null(E1);
    assert_non_null(V);
    assert_non_null(Q0);
    assert_non_null(Q1);
    for (int t = 0; t < 400; t++) {
        int w = 1 + (int)(ts_xorshift64(&g_rng) % 128), h = 1 + (int)(ts_xorshift64(&g_rng) % 32);
        if (t % 7 == 0) w = 128, h = 32;
        const int kind = t % 3, kmax = 1 + (int)(ts_xorshift64(&g_rng) % 23);
        for (int i = 0; i < 128 * 32; i++) coef[i] = rnd_sample(kind);
        memset(E0, 0xAA, 34 * 132 + 8);
        exrqoi__htj2k_prep32(EXRQOI__PATH_C, coef, 128, w, h, (1u << kmax) - 1, E0 + 8, V);
        exrqoi__htj2k_quads(EXRQOI__PATH_C, E0 + 8, w, h, Q0);
        const int nq = (w + 1) / 2, hp = (h + 1) & ~1, wp = (w + 3) & ~3;
        for (int path = EXRQOI__PATH_SSE2; path <= EXRQOI__PATH_NEON; path++) {
            if (!usable(path, best)) continue;
            memset(E1, 0x55, 34 * 132 + 8);
            for (int y = 0; y < hp; y++) memcpy(E1 + 8 + 132 * y, E0 + 8 + 132 * y, (size_t)wp);
            memset(Q1, 0xEE, 16 * EXRQOI__HTJ2K_QW * 4);
            exrqoi__htj2k_quads(path, E1 + 8, w, h, Q1);
            for (int j = 0; j < hp / 2; j++)
                assert_memory_equal(Q1 + j * EXRQOI__HTJ2K_QW, Q0 + j * EXRQOI__HTJ2K_QW, (size_t)nq * 4);
        }
        /* the first row pair by the standard's rules: kappa 1, context from the left quad */
        int rho_left = 0;
        for (int k = 0; k < nq; k++) {
            const uint8_t *e = E0 + 8 + 2 * k;
            const int s[4] = {e[0], e[132], e[1], e[133]};
            int rho = 0, emax = 0;
            for (int n = 0; n < 4; n++) {
                rho |= (s[n] != 0) << n;
                if (s[n] > emax) emax = s[n];
            }
            const int U = emax > 1 ? emax : 1;
            assert_int_equal((Q0[k] >> 4) & 15, rho);
            assert_int_equal(Q0[k] >> 8 & 7, (rho_left >> 1) | (rho_left & 1));
            assert_int_equal((Q0[k] >> 16) & 0xFF, U);
            assert_int_equal(Q0[k] >> 24, U - 1);
            rho_left = rho;
        }
    }
    free(coef);
    free(E0);
    free(E1);
    free(V);
    free(Q0);
    free(Q1);

    static const layout_case cases[] = {
        {300, 40, 5, {"A", "B", "G", "R", "Z"}, {1, 1, 1, 1, 2}},
        {77, 33, 3, {"Y", "RY", "BY"}, {1, 1, 1}},
        {17, 5, 4, {"R", "G", "B", "id"}, {2, 2, 2, 0}},
    };
    static const uint32_t feats[] = {0, EXRQOI__CPU_SSE2, EXRQOI__CPU_NEON};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        exrqoi__codec_ctx ctx;
        exrqoi__codec_ctx_init(&ctx, NULL);
        chunk ref = encode_with(&ctx, &cases[i], 7u + (uint32_t)i);
        const uint32_t have = ctx.k.features;
        for (size_t f = 0; f < sizeof feats / sizeof feats[0]; f++) {
            ctx.k.features = have & feats[f];
            chunk c = encode_with(&ctx, &cases[i], 7u + (uint32_t)i);
            assert_int_equal(c.n, ref.n);
            assert_memory_equal(c.p, ref.p, c.n);
            free(c.p);
        }
        ctx.k.features = have;
        exrqoi__codec_ctx_free(&ctx);
        free(ref.p);
    }
}

static int print_vlc(void)
{
    uint16_t t[2048];
    printf("const uint16_t exrqoi__htj2k_vlc_enc[2][2048] = {\n");
    for (int k = 0; k < 2; k++) {
        if (k == 0)
            build_enc_vlc(k_vlc_rows0, sizeof k_vlc_rows0 / sizeof k_vlc_rows0[0], t);
        else
            build_enc_vlc(k_vlc_rows1, sizeof k_vlc_rows1 / sizeof k_vlc_rows1[0], t);
        printf("    {\n");
        for (int i = 0; i < 2048; i += 8) {
            printf("       ");
            for (int j = 0; j < 8; j++) printf(" 0x%04X,", t[i + j]);
            printf("\n");
        }
        printf("    },\n");
    }
    printf("};\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--print-vlc") == 0) return print_vlc();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rgb_half_headers), cmocka_unit_test(test_mixed_types),
        cmocka_unit_test(test_uint_only),        cmocka_unit_test(test_channel_map),
        cmocka_unit_test(test_subsampled),       cmocka_unit_test(test_stored_raw),
        cmocka_unit_test(test_block),            cmocka_unit_test(test_vlc_lookup),
        cmocka_unit_test(test_simd_paths),
        cmocka_unit_test(test_scratch_reuse),
        cmocka_unit_test(test_quads_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
