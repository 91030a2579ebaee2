/* Per-codec maximum expansion (the codec table's max_unpacked, derived in
 * docs/security.md): every codec has one; each is accepted at exactly its
 * bound and refused one byte past it, for layouts of each sample type;
 * a refused chunk allocates nothing; and real chunks of the most
 * compressible data (constant blocks) written by our encoders stay within
 * the bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec/codec.h"
#include "codec_block.h"

/* The bounds as docs/security.md states them, written out independently
 * of the library's code. */
static uint64_t htj2k_doc_min(const exrqoi__block_layout *bl)
{
    /* 6 + 2 chunk header, 2 SOC, 40 SIZ, 14 COD, 6 QCD, 12 SOT, 2 SOD;
     * per channel 2 (map) + 3 (SIZ); per component of w x h samples
     * ceil(w / 32768) * ceil(h / 32768) one-byte packets */
    if (!bl) return 84 + 5 + 1;
    uint64_t m = 84 + 5 * (uint64_t)bl->nchan;
    for (int c = 0; c < bl->nchan; c++)
        if (bl->chans[c].width > 0 && bl->chans[c].height > 0)
            m += (((uint64_t)bl->chans[c].width + 32767) / 32768) * (((uint64_t)bl->chans[c].height + 32767) / 32768);
    return m;
}

static uint64_t doc_bound(exrqoi_compression c, bool has_half, bool has_float, uint64_t n,
                          const exrqoi__block_layout *bl)
{
    switch (c) {
    case EXRQOI_COMPRESSION_NONE: return n;
    case EXRQOI_COMPRESSION_RLE: return n / 2 * 128;
    case EXRQOI_COMPRESSION_ZIPS:
    case EXRQOI_COMPRESSION_ZIP: return n > 6 ? (n - 6) * 1032 : 0;
    case EXRQOI_COMPRESSION_PXR24: {
        uint64_t planes = n > 6 ? (n - 6) * 1032 : 0;
        return has_float ? planes * 4 / 3 : planes;
    }
    case EXRQOI_COMPRESSION_PIZ: {
        if (n <= 28) return 0;
        uint64_t bits = (n - 28) * 8;
        return bits / 9 * 510 + bits % 9 * 2;
    }
    case EXRQOI_COMPRESSION_B44:
    case EXRQOI_COMPRESSION_B44A: return has_half ? n / 3 * 32 + n % 3 : n;
    case EXRQOI_COMPRESSION_DWAA:
    case EXRQOI_COMPRESSION_DWAB: return n > 88 ? (n - 88) * (has_float ? 132096u : 66048u) : 0;
    case EXRQOI_COMPRESSION_HTJ2K256:
    case EXRQOI_COMPRESSION_HTJ2K32: {
        /* a minimum packed size, then exactly the layout's bytes */
        if (n < htj2k_doc_min(bl)) return 0;
        if (!bl) return UINT64_MAX;
        uint64_t bytes = 0;
        for (int ch = 0; ch < bl->nchan; ch++)
            if (bl->chans[ch].width > 0 && bl->chans[ch].height > 0)
                bytes += (uint64_t)bl->chans[ch].width * (uint64_t)bl->chans[ch].height * bl->chans[ch].size;
        return bytes;
    }
    default: return 0;
    }
}

static void test_table_complete(void **state)
{
    (void)state;
    int seen = 0;
    for (int c = 0; c < EXRQOI_COMPRESSION_COUNT; c++) {
        const exrqoi__codec *k = exrqoi__codec_get((exrqoi_compression)c);
        if (!k) continue;
        seen++;
        if (!k->max_unpacked) fail_msg("codec %s has no max_unpacked in the codec table", k->name);
        /* more packed bytes never allow less */
        uint64_t prev = 0;
        for (uint64_t n = 0; n < 4096; n++) {
            uint64_t m = k->max_unpacked(NULL, n);
            assert_true(m >= prev);
            prev = m;
        }
        /* saturates instead of wrapping */
        assert_true(k->max_unpacked(NULL, UINT64_MAX / 2) >= k->max_unpacked(NULL, 1u << 30));
    }
    assert_true(seen >= 10);
}

typedef struct layout_case {
    const char *what;
    chan_spec cs[3];
    int n;
    bool has_half, has_float;
} layout_case;

static const layout_case k_layouts[] = {
    {"half", {{EXRQOI_PIXEL_HALF, 0, 1, 1}, {EXRQOI_PIXEL_HALF, 0, 1, 1}}, 2, true, false},
    {"float", {{EXRQOI_PIXEL_FLOAT, 0, 1, 1}}, 1, false, true},
    {"uint", {{EXRQOI_PIXEL_UINT, 0, 1, 1}}, 1, false, false},
    {"mixed", {{EXRQOI_PIXEL_HALF, 0, 1, 1}, {EXRQOI_PIXEL_FLOAT, 0, 1, 1}, {EXRQOI_PIXEL_UINT, 0, 1, 1}},
     3, true, true},
};

static void test_exact_bounds(void **state)
{
    (void)state;
    static const uint64_t sizes[] = {0, 1, 2, 3, 5, 6, 7, 8, 27, 28, 29, 37, 88, 89, 90, 95, 96, 100, 101, 102, 1000, 4097, 123457,
                                     (uint64_t)1 << 31};
    for (int c = 0; c < EXRQOI_COMPRESSION_COUNT; c++) {
        const exrqoi__codec *k = exrqoi__codec_get((exrqoi_compression)c);
        if (!k) continue;
        for (size_t li = 0; li < sizeof k_layouts / sizeof k_layouts[0]; li++) {
            const layout_case *lc = &k_layouts[li];
            exrqoi__block_layout bl;
            exrqoi__chan_layout cl[3];
            make_block(&bl, cl, lc->cs, lc->n, 0, 0, 8, 8, (exrqoi_compression)c);
            for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
                uint64_t n = sizes[si];
                uint64_t b = doc_bound((exrqoi_compression)c, lc->has_half, lc->has_float, n, &bl);
                assert_int_equal(k->max_unpacked(&bl, n), b);
                exrqoi__err err;
                memset(&err, 0, sizeof err);
                /* at the bound: accepted */
                assert_int_equal(exrqoi__check_expansion((exrqoi_compression)c, &bl, n, b, &err), EXRQOI_OK);
                /* one byte past: refused, unless that is the stored-raw size */
                if (b + 1 != n && b != UINT64_MAX) {
                    exrqoi_result want = c == EXRQOI_COMPRESSION_NONE ? EXRQOI_ERR_BAD_CHUNK : EXRQOI_ERR_CORRUPT;
                    assert_int_equal(exrqoi__check_expansion((exrqoi_compression)c, &bl, n, b + 1, &err), want);
                    assert_true(err.msg[0] != 0);
                }
                /* stored raw is always accepted */
                assert_int_equal(exrqoi__check_expansion((exrqoi_compression)c, &bl, n, n, &err), EXRQOI_OK);
            }
        }
        /* no layout (deep data): the most any channels allow */
        for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
            assert_int_equal(k->max_unpacked(NULL, sizes[si]),
                             doc_bound((exrqoi_compression)c, true, true, sizes[si], NULL));
    }
}

/* HTJ2K's bound is a minimum packed size per layout: accepted at exactly
 * that size, refused one byte below it, for narrow, wide (several
 * precincts) and subsampled layouts and a channel with no lines. */
static void test_htj2k_min_packed(void **state)
{
    (void)state;
    static const struct {
        int32_t w, h;
        chan_spec cs[3];
        int n;
        uint64_t min;
    } cases[] = {
        {1, 1, {{EXRQOI_PIXEL_HALF, 0, 1, 1}}, 1, 84 + 5 + 1},
        {8, 8, {{EXRQOI_PIXEL_HALF, 0, 1, 1}, {EXRQOI_PIXEL_FLOAT, 0, 1, 1}, {EXRQOI_PIXEL_UINT, 0, 1, 1}}, 3,
         84 + 15 + 3},
        {32768, 1, {{EXRQOI_PIXEL_HALF, 0, 1, 1}}, 1, 84 + 5 + 1},
        {32769, 1, {{EXRQOI_PIXEL_HALF, 0, 1, 1}}, 1, 84 + 5 + 2},
        {200000, 2, {{EXRQOI_PIXEL_HALF, 0, 1, 1}, {EXRQOI_PIXEL_HALF, 0, 2, 2}}, 2, 84 + 10 + 7 + 4},
        {4, 1, {{EXRQOI_PIXEL_HALF, 0, 1, 1}, {EXRQOI_PIXEL_HALF, 0, 1, 2}}, 2, 84 + 10 + 1},
    };
    for (int e = EXRQOI_COMPRESSION_HTJ2K256; e <= EXRQOI_COMPRESSION_HTJ2K32; e++) {
        const exrqoi__codec *k = exrqoi__codec_get((exrqoi_compression)e);
        assert_non_null(k);
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            exrqoi__block_layout bl;
            exrqoi__chan_layout cl[3];
            /* rows at y = 1: a y-sampling 2 channel has none in a 1-line block */
            make_block(&bl, cl, cases[i].cs, cases[i].n, 0, 1, cases[i].w, cases[i].h, (exrqoi_compression)e);
            assert_int_equal(htj2k_doc_min(&bl), cases[i].min);
            exrqoi__err err;
            memset(&err, 0, sizeof err);
            assert_int_equal(exrqoi__check_expansion((exrqoi_compression)e, &bl, cases[i].min, bl.unpacked_size, &err),
                             EXRQOI_OK);
            assert_int_equal(
                exrqoi__check_expansion((exrqoi_compression)e, &bl, cases[i].min - 1, bl.unpacked_size, &err),
                EXRQOI_ERR_CORRUPT);
            assert_non_null(strstr(err.msg, k->name));
        }
    }
}

/* ---- a refused chunk allocates nothing ------------------------------------ */

typedef struct counter {
    size_t calls, live;
} counter;

static void *cnt_alloc(void *user, size_t size)
{
    ((counter *)user)->calls++;
    ((counter *)user)->live++;
    return malloc(size);
}

static void cnt_free(void *user, void *p)
{
    if (p) ((counter *)user)->live--;
    free(p);
}

static void test_refused_before_allocation(void **state)
{
    (void)state;
    static uint8_t src[4096];
    memset(src, 0x55, sizeof src);
    for (int c = 1; c < EXRQOI_COMPRESSION_COUNT; c++) {
        const exrqoi__codec *k = exrqoi__codec_get((exrqoi_compression)c);
        if (!k) continue;
        counter cnt = {0, 0};
        exrqoi_allocator al = {cnt_alloc, cnt_free, &cnt};
        exrqoi__codec_ctx ctx;
        exrqoi__codec_ctx_init(&ctx, &al);
        exrqoi__block_layout bl;
        exrqoi__chan_layout cl[3];
        make_block(&bl, cl, k_layouts[3].cs, 3, 0, 0, 64, 64, (exrqoi_compression)c);
        uint64_t most = k->max_unpacked(&bl, sizeof src);
        bl.unpacked_size = (size_t)most + 1; /* what a widened header would claim */
        assert_int_equal(exrqoi__decompress_block(&ctx, &bl, src, sizeof src, NULL), EXRQOI_ERR_CORRUPT);
        assert_int_equal(cnt.calls, 0);
        exrqoi__segment seg = {NULL, bl.unpacked_size};
        if (exrqoi__codec_has_segments((exrqoi_compression)c)) {
            assert_int_equal(exrqoi__decompress_block_segments(&ctx, &bl, src, sizeof src, &seg, 1),
                             EXRQOI_ERR_CORRUPT);
            assert_int_equal(cnt.calls, 0);
        }
        exrqoi__codec_ctx_free(&ctx);
        assert_int_equal(cnt.live, 0);
    }
    /* deep data's byte codecs too */
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    static const exrqoi_compression deep[] = {EXRQOI_COMPRESSION_RLE, EXRQOI_COMPRESSION_ZIPS,
                                              EXRQOI_COMPRESSION_ZIP};
    for (int i = 0; i < 3; i++) {
        uint64_t most = exrqoi__codec_get(deep[i])->max_unpacked(NULL, 100);
        assert_int_equal(exrqoi__decompress_bytes(&ctx, deep[i], src, 100, NULL, (size_t)most + 1),
                         EXRQOI_ERR_CORRUPT);
    }
    exrqoi__codec_ctx_free(&ctx);
}

/* ---- real chunks of constant data stay within the bounds -------------------- */

static void test_real_chunks_within(void **state)
{
    (void)state;
    static const int32_t dims[][2] = {{256, 32}, {1024, 256}, {16, 16}, {1, 1}};
    for (int c = 1; c < EXRQOI_COMPRESSION_COUNT; c++) {
        const exrqoi__codec *k = exrqoi__codec_get((exrqoi_compression)c);
        if (!k || !k->compress) continue;
        for (size_t li = 0; li < sizeof k_layouts / sizeof k_layouts[0]; li++) {
            for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
                exrqoi__block_layout bl;
                exrqoi__chan_layout cl[3];
                int32_t h = dims[d][1] < k->lines_per_chunk ? dims[d][1] : k->lines_per_chunk;
                make_block(&bl, cl, k_layouts[li].cs, k_layouts[li].n, 0, 0, dims[d][0], h,
                           (exrqoi_compression)c);
                uint8_t *src = (uint8_t *)calloc(bl.unpacked_size, 1);
                assert_non_null(src);
                exrqoi__codec_ctx ctx;
                exrqoi__codec_ctx_init(&ctx, NULL);
                const uint8_t *out = NULL;
                size_t out_size = 0;
                assert_int_equal(exrqoi__compress_block(&ctx, &bl, src, &out, &out_size), EXRQOI_OK);
                exrqoi__err err;
                memset(&err, 0, sizeof err);
                if (exrqoi__check_expansion(bl.compression, &bl, out_size, bl.unpacked_size, &err) != EXRQOI_OK)
                    fail_msg("%s %s %dx%d: %s", k->name, k_layouts[li].what, dims[d][0], h, err.msg);
                /* and it decodes */
                uint8_t *back = (uint8_t *)malloc(bl.unpacked_size);
                assert_non_null(back);
                assert_int_equal(exrqoi__decompress_block(&ctx, &bl, out, out_size, back), EXRQOI_OK);
                free(back);
                exrqoi__codec_ctx_free(&ctx);
                free(src);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_complete),
        cmocka_unit_test(test_exact_bounds),
        cmocka_unit_test(test_htj2k_min_packed),
        cmocka_unit_test(test_refused_before_allocation),
        cmocka_unit_test(test_real_chunks_within),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
