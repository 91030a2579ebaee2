/* The DWA encoder's SIMD paths (half<->float through ctx->k.half, the
 * quantiser's candidate compares through ctx->k.dwa) must write
 * exactly the bytes of the portable path, for half and float channels,
 * RGB triples and single lossy channels, edge blocks (sizes not multiples
 * of 8), special values (NaN, infinities, subnormals, negatives) and
 * several quality levels, with both AC coders. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec/dwa.h"
#include "common/cpu.h"
#include "common/half.h"
#include "test_support.h"

static uint32_t rng_state = 4242u;
static uint32_t rnd(void) { return ts_xorshift32(&rng_state); }
static double urand(double lo, double hi) { return lo + (hi - lo) * (rnd() / 4294967296.0); }

/* The portable path, the x86 ones up to the best, or NEON when that is the best. */
static bool usable(int path, int best)
{
    if (path == EXRQOI__PATH_C) return true;
    if (best == EXRQOI__PATH_NEON) return path == EXRQOI__PATH_NEON;
    return path != EXRQOI__PATH_NEON && path <= best;
}

#define NCH 9
static void test_encode_paths(void **state)
{
    (void)state;
    static const char *const names[NCH] = {"B", "G", "R", "BY", "Y", "A", "x.R", "x.G", "x.B"};
    const uint8_t H = EXRQOI_PIXEL_HALF, F = EXRQOI_PIXEL_FLOAT;
    const uint8_t types[NCH] = {F, F, F, H, H, H, H, H, H};
    static const int sizes[][2] = {{37, 21}, {8, 8}, {1, 3}, {64, 16}};
    static const uint16_t special[] = {0x7c00, 0xfc00, 0x7e00, 0x7c01, 0xfd55, 0x0001, 0x83ff,
                                       0x7bff, 0xfbff, 0x8000, 0x0000, 0x03ff};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        int w = sizes[si][0], h = sizes[si][1];
        exrqoi__chan_layout ch[NCH];
        exrqoi__block_layout b;
        memset(ch, 0, sizeof ch);
        memset(&b, 0, sizeof b);
        size_t total = 0;
        for (int i = 0; i < NCH; i++) {
            ch[i].name = names[i];
            ch[i].type = types[i];
            ch[i].size = types[i] == H ? 2 : 4;
            ch[i].x_sampling = ch[i].y_sampling = 1;
            ch[i].width = w;
            ch[i].height = h;
            total += (size_t)w * (size_t)h * ch[i].size;
        }
        ch[3].p_linear = 1;
        ch[8].p_linear = 1;
        b.width = w;
        b.height = h;
        b.nchan = NCH;
        b.chans = ch;
        b.unpacked_size = total;
        b.compression = EXRQOI_COMPRESSION_DWAA;

        uint8_t *src = malloc(total);
        assert_non_null(src);
        size_t o = 0;
        for (int y = 0; y < h; y++)
            for (int c = 0; c < NCH; c++)
                for (int x = 0; x < w; x++) {
                    double v = 0.25 + 0.2 * sin(x * 0.4 + c) * cos(y * 0.3);
                    if (x < 16 && y < 8) v = 0.5;           /* flat */
                    else if (x > 24) v = urand(0, 4.0);     /* noise, > 1 too */
                    if (c == 4 && y > 12) v = -v;           /* negative values */
                    if (x % 11 == 3 && y % 5 == 2) v *= 1e-6; /* subnormal halves */
                    if (types[c] == F) {
                        float f = (float)v;
                        if (x == 5 && y == 1) f = NAN;
                        if (x == 30 && y == 2) f = 1e6f; /* clamped to the half range */
                        exrqoi__putf32(src + o, f);
                        o += 4;
                    } else {
                        uint16_t hv = exrqoi__f2h((float)v);
                        if ((x * 7 + y * 3 + c) % 29 == 0) hv = special[(size_t)(x + y + c) % 12];
                        exrqoi__put16(src + o, hv);
                        o += 2;
                    }
                }
        assert_int_equal(o, total);

        exrqoi__codec_ctx ctx;
        exrqoi__codec_ctx_init(&ctx, NULL);
        size_t cap = exrqoi__dwa_bound(&b);
        uint8_t *ref = malloc(cap), *got = malloc(cap);
        assert_non_null(ref);
        assert_non_null(got);
        int best = exrqoi__cpu_kernels().half, best_q = exrqoi__cpu_kernels().dwa;
        const float levels[] = {0.0f, 45.0f, 300.0f};
        for (size_t li = 0; li < sizeof levels / sizeof levels[0]; li++)
            for (int coder = DWA_AC_HUFFMAN; coder <= DWA_AC_DEFLATE; coder++) {
                ctx.dwa_level = levels[li];
                ctx.k.half = EXRQOI__PATH_C;
                ctx.k.dwa = EXRQOI__PATH_C;
                size_t nref = 0, ngot = 0;
                assert_int_equal(exrqoi__dwa_encode(&ctx, &b, src, ref, cap, &nref, coder), EXRQOI_OK);
                for (int path = 1; path <= EXRQOI__PATH_NEON; path++) {
                    if (!usable(path, best) && !usable(path, best_q)) continue;
                    ctx.k.half = (uint8_t)(usable(path, best) ? path : EXRQOI__PATH_C);
                    ctx.k.dwa = (uint8_t)(usable(path, best_q) ? path : EXRQOI__PATH_C);
                    memset(got, 0xcd, cap);
                    assert_int_equal(exrqoi__dwa_encode(&ctx, &b, src, got, cap, &ngot, coder), EXRQOI_OK);
                    assert_int_equal(ngot, nref);
                    assert_memory_equal(got, ref, nref);
                }
            }
        free(ref);
        free(got);
        free(src);
        exrqoi__codec_ctx_free(&ctx);
    }
}

/* quantize_v4 reads up to 3 candidates past a finite half's last one:
 * they must lie inside the table. */
static void test_candidate_reads_in_table(void **state)
{
    (void)state;
    const uint32_t *off;
    const float *vals;
    const uint16_t *cand = exrqoi__dwa_candidates(&off, &vals);
    for (uint32_t h = 0; h < 65536u; h++) {
        if ((h & 0x7c00) == 0x7c00) continue;
        assert_true(off[h + 1] + 3 <= off[65536]);
        /* the encoder returns f2h(value) for the candidate: it must be the candidate */
        for (uint32_t i = off[h]; i < off[h + 1]; i++)
            if (!isnan(vals[i])) assert_int_equal(exrqoi__f2h(vals[i]), cand[i]);
    }
}

/* The AC run-length symbols as OpenEXR writes them, one slot at a time. */
static size_t rle_ac_ref(const uint16_t *zig, uint16_t *out)
{
    size_t o = 0;
    int comp = 1;
    while (comp < 64) {
        if (zig[comp] != 0) {
            out[o++] = zig[comp++];
            continue;
        }
        int run = 1;
        while (comp + run < 64 && zig[comp + run] == 0) run++;
        if (run == 1) out[o++] = 0;
        else if (comp + run == 64) out[o++] = 0xff00u;
        else out[o++] = (uint16_t)(0xff00u | (unsigned)run);
        comp += run;
    }
    return o;
}

static void test_rle_ac(void **state)
{
    (void)state;
    uint16_t zig[64], ref[64], got[64];
    for (int t = 0; t < 20000; t++) {
        int density = t % 9; /* all zero .. mostly set */
        for (int i = 0; i < 64; i++) zig[i] = (rnd() % 8 < (uint32_t)density) ? (uint16_t)(1 + rnd() % 0xfffe) : 0;
        if (t % 7 == 0) zig[63] = 0;
        if (t % 11 == 0) zig[62] = 0;
        size_t n = rle_ac_ref(zig, ref);
        memset(got, 0xcd, sizeof got);
        assert_int_equal(exrqoi__dwa_rle_ac(zig, got), n);
        assert_memory_equal(got, ref, n * 2);
    }
}

/* Tile chunks (AC deflated) deflate each chunk at one of two levels
 * picked from its AC value count: over many chunk sizes (both levels),
 * a tile chunk must decode to exactly the samples of the same chunk
 * with Huffman-coded AC data, with the same stream counts. */
static void test_tile_levels_decode(void **state)
{
    (void)state;
    static const char *const names[4] = {"A", "B", "G", "R"}; /* RLE alpha, lossy RGB */
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    ctx.dwa_level = 45.0f;
    int optimal = 0, chunks = 0; /* chunks at level 10 (dwa_encode.c's tile_level) */
    for (int w = 5; w <= 72; w += 7) {
        int h = 3 + (w * 5) % 61;
        exrqoi__chan_layout ch[4];
        exrqoi__block_layout b;
        memset(ch, 0, sizeof ch);
        memset(&b, 0, sizeof b);
        for (int i = 0; i < 4; i++) {
            ch[i].name = names[i];
            ch[i].type = EXRQOI_PIXEL_HALF;
            ch[i].size = 2;
            ch[i].x_sampling = ch[i].y_sampling = 1;
            ch[i].width = w;
            ch[i].height = h;
        }
        b.width = w;
        b.height = h;
        b.nchan = 4;
        b.chans = ch;
        b.unpacked_size = (size_t)w * (size_t)h * 8;
        b.compression = EXRQOI_COMPRESSION_DWAA;
        b.tiled = 1;
        uint8_t *src = malloc(b.unpacked_size), *d1 = malloc(b.unpacked_size), *d2 = malloc(b.unpacked_size);
        assert_non_null(src);
        assert_non_null(d1);
        assert_non_null(d2);
        size_t o = 0;
        for (int y = 0; y < h; y++)
            for (int c = 0; c < 4; c++)
                for (int x = 0; x < w; x++, o += 2) {
                    double v = c == 0 ? (x < w / 2 ? 1.0 : 0.5) : 0.3 + 0.2 * sin(x * 0.3 + c) * cos(y * 0.2);
                    if (c && (x + y) % 3 == 0) v += urand(0, 0.5);
                    exrqoi__put16(src + o, exrqoi__f2h((float)v));
                }
        size_t cap = exrqoi__dwa_bound(&b), n1 = 0, n2 = 0;
        uint8_t *e1 = malloc(cap), *e2 = malloc(cap);
        assert_non_null(e1);
        assert_non_null(e2);
        assert_int_equal(exrqoi__dwa_encode(&ctx, &b, src, e1, cap, &n1, DWA_AC_DEFLATE), EXRQOI_OK);
        assert_int_equal(exrqoi__dwa_encode(&ctx, &b, src, e2, cap, &n2, DWA_AC_HUFFMAN), EXRQOI_OK);
        assert_int_equal(exrqoi__le64(e1 + 8 * DWA_AC_COMPRESSION), DWA_AC_DEFLATE);
        uint32_t nac = (uint32_t)exrqoi__le64(e1 + 8 * DWA_AC_UNCOMPRESSED_COUNT);
        optimal += (nac * 0x9E3779B1u) >> 30 == 0;
        chunks++;
        static const int same[] = {DWA_AC_UNCOMPRESSED_COUNT, DWA_DC_UNCOMPRESSED_COUNT, DWA_RLE_RAW_SIZE,
                                   DWA_RLE_UNCOMPRESSED_SIZE};
        for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
            assert_int_equal(exrqoi__le64(e1 + 8 * same[i]), exrqoi__le64(e2 + 8 * same[i]));
        assert_int_equal(exrqoi__dwa_decode(&ctx, &b, e1, n1, d1), EXRQOI_OK);
        assert_int_equal(exrqoi__dwa_decode(&ctx, &b, e2, n2, d2), EXRQOI_OK);
        assert_memory_equal(d1, d2, b.unpacked_size);
        free(e1);
        free(e2);
        free(src);
        free(d1);
        free(d2);
    }
    assert_true(optimal > 0 && optimal < chunks); /* both levels were written */
    exrqoi__codec_ctx_free(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_paths),
        cmocka_unit_test(test_candidate_reads_in_table),
        cmocka_unit_test(test_rle_ac),
        cmocka_unit_test(test_tile_levels_decode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
