/* HTJ2K decoder pieces: the VLC lookup tables against T.814's codeword
 * rows, MEL decoding against an encoder written here from the standard's
 * description, the 5/3 inverse wavelet and the inverse RCT against
 * forward transforms written here (any size, origin parity, levels), the
 * HT block decoder's output paths (cleanup-only blocks written straight
 * or through the scratch, the SigProp / MagRef path) on blocks from our
 * encoder, the chunk header checks, and damaged chunks of the shared HTJ2K files
 * (truncated, marker lengths changed, bytes flipped) failing cleanly.
 *
 * `test_htj2k --print-vlc` prints src/codec/htj2k_dec_vlc.c's tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec/htj2k_dec.h"
#include "codec/htj2k_enc.h"
#include "common/cpu.h"
#include "exrqoi/read.h"
#include "../fuzz/htj2k_layout.h"
#include "htj2k_vlc_rows.h"
#include "test_support.h"

/* what the block decoder's AVX2 path runs (exrqoi__kernels_for: BMI2 too) */
#define BLOCK_AVX2 (EXRQOI__CPU_AVX2 | EXRQOI__CPU_BMI2)

static uint32_t rng_state = 20260505u;
static uint32_t rnd(void) { return ts_xorshift32(&rng_state); }

/* ---- VLC tables ---------------------------------------------------------- */

static void build_vlc(const uint8_t (*rows)[7], size_t nrows, uint16_t out[1024])
{
    memset(out, 0, 1024 * sizeof out[0]);
    for (unsigned i = 0; i < 1024; i++) {
        unsigned ctx = i >> 7, bits = i & 0x7F;
        for (size_t j = 0; j < nrows; j++) {
            const uint8_t *r = rows[j];
            if (r[0] != ctx || r[5] != (bits & ((1u << r[6]) - 1))) continue;
            out[i] = (uint16_t)(r[6] | r[2] << 3 | r[1] << 4 | r[4] << 8 | r[3] << 12);
        }
    }
}

/* The decoder's 32-bit entry (htj2k_dec.h) from a 16-bit one: the
 * length alone in bits 0-5, the context bits for the quad to the right
 * (the first row's or the others'), u_off again in bit 11. */
static void widen_vlc(const uint16_t in[1024], int first, uint32_t out[1024])
{
    for (unsigned i = 0; i < 1024; i++) {
        const uint32_t e = in[i], rho = e >> 4 & 15;
        const uint32_t ctx = first ? (uint32_t)((rho & 3) != 0) << 7 | (rho >> 2 & 1) << 8 | (rho >> 3) << 9
                                   : (uint32_t)((rho >> 2) != 0) << 8;
        out[i] = (e & 7) | ctx | (e >> 3 & 1) << 11 | e << 16;
    }
}

static void test_vlc_tables(void **state)
{
    (void)state;
    uint16_t t[1024];
    uint32_t t32[1024];
    build_vlc(k_vlc_rows0, sizeof k_vlc_rows0 / sizeof k_vlc_rows0[0], t);
    widen_vlc(t, 1, t32);
    assert_memory_equal(t32, exrqoi__htj2k_vlc_tbl0, sizeof t32);
    build_vlc(k_vlc_rows1, sizeof k_vlc_rows1 / sizeof k_vlc_rows1[0], t);
    widen_vlc(t, 0, t32);
    assert_memory_equal(t32, exrqoi__htj2k_vlc_tbl1, sizeof t32);
    /* the context bits a quad gives its right neighbour, against T.814
     * 7.3.5 written out: first row, rho bits 0|1 -> context bit 0, 2 -> 1,
     * 3 -> 2; other rows, rho bits 2|3 -> context bit 1 */
    for (unsigned i = 0; i < 1024; i++) {
        const unsigned r0 = exrqoi__htj2k_vlc_tbl0[i] >> 20 & 15, r1 = exrqoi__htj2k_vlc_tbl1[i] >> 20 & 15;
        const unsigned c0 = ((r0 & 1) | (r0 >> 1 & 1)) | (r0 >> 2 & 1) << 1 | (r0 >> 3 & 1) << 2;
        const unsigned c1 = ((r1 >> 2 & 1) | (r1 >> 3 & 1)) << 1;
        assert_int_equal(exrqoi__htj2k_vlc_tbl0[i] >> 7 & 7, c0);
        assert_int_equal(exrqoi__htj2k_vlc_tbl1[i] >> 7 & 7, c1);
        /* the shift by the entry takes its low 6 bits: the length alone */
        for (int k = 0; k < 2; k++) {
            const uint32_t e = k ? exrqoi__htj2k_vlc_tbl1[i] : exrqoi__htj2k_vlc_tbl0[i];
            assert_int_equal(e & 0x7F, e >> 16 & 7);
            assert_int_equal(e >> 11 & 0x1F, e >> 19 & 1);
        }
    }
    /* the codes are prefix-free: each row's codeword fills exactly
     * 2^(7 - length) table slots of its context */
    size_t n = sizeof k_vlc_rows1 / sizeof k_vlc_rows1[0];
    for (size_t j = 0; j < n; j++) {
        const uint8_t *r = k_vlc_rows1[j];
        unsigned hits = 0;
        for (unsigned b = 0; b < 128; b++)
            if ((b & ((1u << r[6]) - 1)) == r[5] && (t[r[0] << 7 | b] & 7) == r[6]) hits++;
        assert_int_equal(hits, 1u << (7 - r[6]));
    }
}

static int print_vlc(void)
{
    uint16_t t[1024];
    uint32_t t32[1024];
    for (int k = 0; k < 2; k++) {
        if (k == 0)
            build_vlc(k_vlc_rows0, sizeof k_vlc_rows0 / sizeof k_vlc_rows0[0], t);
        else
            build_vlc(k_vlc_rows1, sizeof k_vlc_rows1 / sizeof k_vlc_rows1[0], t);
        widen_vlc(t, k == 0, t32);
        printf("const uint32_t exrqoi__htj2k_vlc_tbl%d[1024] = {\n", k);
        for (int i = 0; i < 1024; i += 8) {
            printf("   ");
            for (int j = 0; j < 8; j++) printf(" 0x%08X,", (unsigned)t32[i + j]);
            printf("\n");
        }
        printf("};\n\n");
    }
    return 0;
}

/* ---- MEL ---------------------------------------------------------------- */

typedef struct bitw {
    uint8_t buf[4096];
    size_t n;
    int used; /* bits in buf[n] */
    int cap;  /* bits the current byte can hold (7 after 0xFF) */
} bitw;

static void bw_bit(bitw *w, int b)
{
    if (w->used == 0) {
        w->buf[w->n] = 0;
        w->cap = (w->n > 0 && w->buf[w->n - 1] == 0xFF) ? 7 : 8;
    }
    w->buf[w->n] |= (uint8_t)(b << (w->cap - 1 - w->used));
    if (++w->used == w->cap) {
        w->n++;
        w->used = 0;
    }
}

/* T.814 MEL encoder: a run of 2^E[k] zero events is a 1; a shorter run
 * ended by a one event is a 0 and E[k] bits of the run length. */
static void mel_encode(const int *ev, size_t n, bitw *w)
{
    static const int E[13] = {0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5};
    int k = 0, run = 0;
    memset(w, 0, sizeof *w);
    for (size_t i = 0; i < n; i++) {
        if (!ev[i]) {
            if (++run == 1 << E[k]) {
                bw_bit(w, 1);
                run = 0;
                if (k < 12) k++;
            }
        } else {
            bw_bit(w, 0);
            for (int b = E[k] - 1; b >= 0; b--) bw_bit(w, (run >> b) & 1);
            run = 0;
            if (k > 0) k--;
        }
    }
    if (run) bw_bit(w, 1);
    while (w->used) bw_bit(w, 0);
}

static void test_mel(void **state)
{
    (void)state;
    static int ev[3000];
    for (int trial = 0; trial < 200; trial++) {
        size_t n = 1 + rnd() % 3000;
        unsigned density = rnd() % 100;
        for (size_t i = 0; i < n; i++) ev[i] = (rnd() % 100) < density;
        bitw w;
        mel_encode(ev, n, &w);
        w.buf[w.n++] = 0; /* the decoder ORs 0x0F into the segment's last byte */
        exrqoi__htj2k_mel m;
        exrqoi__htj2k_mel_init(&m, w.buf, (uint32_t)w.n);
        for (size_t i = 0; i < n; i++) assert_int_equal(exrqoi__htj2k_mel_event(&m), ev[i]);
    }
}

/* ---- wavelet and RCT ------------------------------------------------------ */

static int64_t fdiv(int64_t a, int s) { return a >> s; }

/* forward 1D_SD (T.800 F.4.8.2) over absolute positions first..first+n-1 */
static void fdwt53_line(int64_t *x, size_t n, size_t step, uint32_t first)
{
    if (n == 1) {
        if (first & 1) x[0] *= 2;
        return;
    }
    const size_t par = first & 1;
    for (size_t k = 1 - par; k < n; k += 2) {
        int64_t a = k > 0 ? x[(k - 1) * step] : x[(k + 1) * step];
        int64_t b = k + 1 < n ? x[(k + 1) * step] : x[(k - 1) * step];
        x[k * step] -= fdiv(a + b, 1);
    }
    for (size_t k = par; k < n; k += 2) {
        int64_t a = k > 0 ? x[(k - 1) * step] : x[(k + 1) * step];
        int64_t b = k + 1 < n ? x[(k + 1) * step] : x[(k - 1) * step];
        x[k * step] += fdiv(a + b + 2, 2);
    }
}

static void test_wavelet_line(void **state)
{
    (void)state;
    int64_t a[70], b[70];
    for (uint32_t first = 0; first < 4; first++)
        for (size_t n = 1; n < 70; n++)
            for (int t = 0; t < 8; t++) {
                for (size_t i = 0; i < n; i++) a[i] = b[i] = (int64_t)(rnd() % 200001) - 100000;
                if (t == 0) a[0] = b[0] = INT32_MIN;
                fdwt53_line(a, n, 1, first);
                exrqoi__htj2k_idwt53_line(a, n, 1, first);
                assert_memory_equal(a, b, n * sizeof a[0]);
            }
}

/* One level: forward (VER_SD then HOR_SD), split into subbands, then the
 * decoder's 2D synthesis must give the input back. */
static void check_2d(uint32_t x0, uint32_t y0, uint32_t w, uint32_t h)
{
    size_t n = (size_t)w * h;
    int64_t *img = malloc(n * 8 + 8), *t = malloc(n * 8 + 8), *out = malloc(n * 8 + 8);
    int64_t *bands = malloc(n * 8 + 8);
    assert_non_null(img);
    assert_non_null(t);
    assert_non_null(out);
    assert_non_null(bands);
    for (size_t i = 0; i < n; i++) img[i] = t[i] = (int64_t)(rnd() % 65536) - 32768;
    for (uint32_t x = 0; x < w; x++) fdwt53_line(t + x, h, w, y0);
    for (uint32_t y = 0; y < h; y++) fdwt53_line(t + (size_t)y * w, w, 1, x0);
    const uint32_t lw = (x0 + w + 1) / 2 - (x0 + 1) / 2, hw = (x0 + w) / 2 - x0 / 2;
    const uint32_t lh = (y0 + h + 1) / 2 - (y0 + 1) / 2, hh = (y0 + h) / 2 - y0 / 2;
    int64_t *ll = bands, *hl = ll + (size_t)lw * lh, *lhb = hl + (size_t)hw * lh, *hhb = lhb + (size_t)lw * hh;
    uint32_t cnt[4] = {0, 0, 0, 0};
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            int v = (int)((x0 + x) & 1) | (int)((y0 + y) & 1) << 1;
            int64_t *dst = v == 0 ? ll : v == 1 ? hl : v == 2 ? lhb : hhb;
            dst[cnt[v]++] = t[(size_t)y * w + x];
        }
    exrqoi__htj2k_idwt53_2d(out, x0, y0, w, h, ll, hl, lhb, hhb);
    if (memcmp(out, img, n * 8) != 0) fail_msg("2D synthesis of %ux%u at (%u,%u)", w, h, x0, y0);
    free(img);
    free(t);
    free(out);
    free(bands);
}

static void test_wavelet_2d(void **state)
{
    (void)state;
    for (uint32_t x0 = 0; x0 < 3; x0++)
        for (uint32_t y0 = 0; y0 < 3; y0++)
            for (uint32_t w = 1; w < 12; w++)
                for (uint32_t h = 1; h < 12; h++) check_2d(x0 + 1000, y0 + 7, w, h);
    check_2d(1, 1, 257, 33);
}

static void test_rct(void **state)
{
    (void)state;
    enum { N = 4096 };
    static int64_t r[N], g[N], b[N], y[N], cb[N], cr[N];
    for (int i = 0; i < N; i++) {
        int64_t lim = i < 16 ? ((int64_t)1 << 32) : 65536;
        r[i] = (int64_t)(((uint64_t)rnd() << 16 ^ rnd()) % (uint64_t)(2 * lim)) - lim;
        g[i] = (int64_t)(((uint64_t)rnd() << 16 ^ rnd()) % (uint64_t)(2 * lim)) - lim;
        b[i] = (int64_t)(((uint64_t)rnd() << 16 ^ rnd()) % (uint64_t)(2 * lim)) - lim;
        y[i] = fdiv(r[i] + 2 * g[i] + b[i], 2);
        cb[i] = b[i] - g[i];
        cr[i] = r[i] - g[i];
    }
    exrqoi__htj2k_inverse_rct(y, cb, cr, N);
    assert_memory_equal(y, r, sizeof r);
    assert_memory_equal(cb, g, sizeof g);
    assert_memory_equal(cr, b, sizeof b);
}

/* The 32-bit synthesis: every SIMD path the machine has gives the portable
 * path's values, on coefficients of the full int32 range (the wrapping
 * arithmetic must agree) and on small ones (where it must also agree with
 * the 64-bit synthesis). */
static void check_2d_32(uint32_t x0, uint32_t y0, uint32_t w, uint32_t h, bool full)
{
    const size_t n = (size_t)w * h;
    int32_t *bands = malloc(n * 4 + 4), *ref = malloc(n * 4 + 4), *out = malloc(n * 4 + 4);
    int64_t *b64 = malloc(n * 8 + 8), *o64 = malloc(n * 8 + 8);
    assert_non_null(bands);
    assert_non_null(ref);
    assert_non_null(out);
    assert_non_null(b64);
    assert_non_null(o64);
    for (size_t i = 0; i < n; i++) {
        bands[i] = full ? (int32_t)rnd() : (int32_t)(rnd() % 2000001) - 1000000;
        b64[i] = bands[i];
    }
    const uint32_t lw = (x0 + w + 1) / 2 - (x0 + 1) / 2, hw = (x0 + w) / 2 - x0 / 2;
    const uint32_t lh = (y0 + h + 1) / 2 - (y0 + 1) / 2;
    const size_t o_hl = (size_t)lw * lh, o_lh = o_hl + (size_t)hw * lh, o_hh = o_lh + (size_t)lw * (h - lh);
    exrqoi__htj2k_idwt53_2d_32(EXRQOI__PATH_C, ref, x0, y0, w, h, bands, bands + o_hl, bands + o_lh, bands + o_hh);
    if (!full) {
        exrqoi__htj2k_idwt53_2d(o64, x0, y0, w, h, b64, b64 + o_hl, b64 + o_lh, b64 + o_hh);
        for (size_t i = 0; i < n; i++)
            if (o64[i] != ref[i]) fail_msg("32-bit synthesis of %ux%u at (%u,%u) differs from 64-bit", w, h, x0, y0);
    }
    const uint32_t f = exrqoi__cpu_features();
    const struct {
        int path;
        uint32_t need;
    } paths[] = {{EXRQOI__PATH_SSE2, EXRQOI__CPU_SSE2},
                 {EXRQOI__PATH_AVX2, EXRQOI__CPU_AVX2 | EXRQOI__CPU_SSE2},
                 {EXRQOI__PATH_NEON, EXRQOI__CPU_NEON}};
    for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++) {
        if ((f & paths[p].need) != paths[p].need) continue;
        exrqoi__htj2k_idwt53_2d_32(paths[p].path, out, x0, y0, w, h, bands, bands + o_hl, bands + o_lh,
                                   bands + o_hh);
        if (memcmp(out, ref, n * 4) != 0)
            fail_msg("32-bit synthesis path %d of %ux%u at (%u,%u) differs from the portable one", paths[p].path, w,
                     h, x0, y0);
    }
    free(bands);
    free(ref);
    free(out);
    free(b64);
    free(o64);
}

static void test_wavelet_2d_32(void **state)
{
    (void)state;
    for (uint32_t x0 = 0; x0 < 2; x0++)
        for (uint32_t y0 = 0; y0 < 2; y0++)
            for (uint32_t w = 1; w < 72; w += (w < 40 ? 1 : 7)) /* the AVX2 row's every end up to hw 20 */
                for (uint32_t h = 1; h < 9; h++) {
                    check_2d_32(x0 + 64, y0 + 3, w, h, false);
                    check_2d_32(x0 + 64, y0 + 3, w, h, true);
                }
    check_2d_32(0, 0, 1262, 33, false);
    check_2d_32(0, 0, 1262, 33, true);
    check_2d_32(1, 1, 517, 32, true);
}

static void test_rct32(void **state)
{
    (void)state;
    enum { N = 1000 };
    static int32_t a[3][N], s[3][N];
    static int64_t b[3][N];
    for (int c = 0; c < 3; c++)
        for (int i = 0; i < N; i++) b[c][i] = a[c][i] = s[c][i] = (int32_t)(rnd() % 2000001) - 1000000;
    exrqoi__htj2k_inverse_rct32(EXRQOI__PATH_C, a[0], a[1], a[2], N);
    exrqoi__htj2k_inverse_rct(b[0], b[1], b[2], N);
    for (int c = 0; c < 3; c++)
        for (int i = 0; i < N; i++) assert_int_equal(a[c][i], b[c][i]);
    /* the machine's SIMD path on the full range (wrapping) against the portable one */
    const int path = exrqoi__cpu_kernels().htdwt;
    for (int c = 0; c < 3; c++)
        for (int i = 0; i < N; i++) a[c][i] = s[c][i] = (int32_t)rnd();
    exrqoi__htj2k_inverse_rct32(EXRQOI__PATH_C, a[0], a[1], a[2], N - 3);
    exrqoi__htj2k_inverse_rct32(path, s[0], s[1], s[2], N - 3);
    assert_memory_equal(a, s, sizeof a);
}

/* ---- block decoder output paths ------------------------------------------ */

/* Decodes `len` cleanup bytes (plus `ref` refinement bytes after them) as
 * a w x h block whose cleanup pass codes plane p, into out (pitch
 * stride). */
static exrqoi_result decode_cb(exrqoi__htj2k_block_scratch *s, const uint8_t *data, uint32_t len, uint32_t ref,
                               uint32_t passes, uint32_t p, uint32_t kmax, uint32_t w, uint32_t h, int64_t *out,
                               size_t stride)
{
    exrqoi__htj2k_cblk cb;
    memset(&cb, 0, sizeof cb);
    cb.data = data;
    cb.len_cup = len;
    cb.len_ref = ref;
    cb.passes = passes;
    cb.p = p;
    cb.missing = kmax - 1 - p;
    cb.width = w;
    cb.height = h;
    exrqoi__err err;
    memset(&err, 0, sizeof err);
    return exrqoi__htj2k_decode_block(s, &cb, out, stride, &err);
}

/* Our encoder's cleanup bytes decode back exactly through the direct path
 * (even sizes) and the scratch path (odd sizes); read at plane 1 they give
 * 2|c| + 1 with and without an all-zero SigProp segment (no sample becomes
 * significant) and 2|c| after an all-zero MagRef segment (every refinement
 * bit 0). */
static void test_block_paths(void **state)
{
    (void)state;
    static const uint32_t sizes[][2] = {{1, 1}, {2, 2}, {3, 1}, {1, 5}, {4, 4}, {7, 3}, {16, 8},
                                        {33, 17}, {64, 32}, {128, 32}, {127, 31}, {5, 32}};
    enum { KMAX = 18, STRIDE = 131 };
    exrqoi__htj2k_block_scratch *s = malloc(sizeof *s);
    uint8_t *work = malloc(EXRQOI__HTJ2K_BLOCK_WORK), *bytes = malloc(EXRQOI__HTJ2K_BLOCK_MAX + 64);
    int64_t *coef = malloc(sizeof(int64_t) * 128 * 32), *out = malloc(sizeof(int64_t) * STRIDE * 33);
    assert_non_null(s);
    assert_non_null(work);
    assert_non_null(bytes);
    assert_non_null(coef);
    assert_non_null(out);
    for (size_t t = 0; t < sizeof sizes / sizeof sizes[0]; t++)
        for (uint32_t density = 0; density < 3; density++) {
            const uint32_t w = sizes[t][0], h = sizes[t][1];
            for (uint32_t i = 0; i < w * h; i++) {
                const uint32_t r = rnd();
                const int64_t v = (r % 3 < density) ? (int64_t)(rnd() % (1u << (r % 14))) : 0;
                coef[i] = (r & 0x80000000u) ? -v : v;
            }
            coef[0] = 1000; /* never an empty block */
            const size_t len = exrqoi__htj2k_encode_block(coef, w, (int)w, (int)h, KMAX, work, bytes);
            assert_true(len > 0);
            memset(bytes + len, 0, 64); /* the refinement segment: zeros */
            for (uint32_t i = 0; i < STRIDE * 33; i++) out[i] = 0x5A5A;
            assert_int_equal(decode_cb(s, bytes, (uint32_t)len, 0, 1, 0, KMAX, w, h, out, STRIDE), EXRQOI_OK);
            for (uint32_t y = 0; y < h; y++) {
                for (uint32_t x = 0; x < w; x++)
                    if (out[y * STRIDE + x] != coef[y * w + x])
                        fail_msg("%ux%u: (%u,%u) is %lld, coded %lld", w, h, x, y, (long long)out[y * STRIDE + x],
                                 (long long)coef[y * w + x]);
                assert_int_equal(out[y * STRIDE + w], 0x5A5A); /* nothing past the block's width */
            }
            for (uint32_t passes = 1; passes <= 3; passes++) {
                assert_int_equal(decode_cb(s, bytes, (uint32_t)len, passes > 1 ? 8 : 0, passes, 1, KMAX + 1, w, h,
                                           out, STRIDE),
                                 EXRQOI_OK);
                for (uint32_t y = 0; y < h; y++)
                    for (uint32_t x = 0; x < w; x++) {
                        const int64_t c = coef[y * w + x], m = c < 0 ? -c : c;
                        const int64_t e = m == 0 ? 0 : passes == 3 ? 2 * m : 2 * m + 1;
                        if (out[y * STRIDE + x] != (c < 0 ? -e : e))
                            fail_msg("%ux%u, %u passes: (%u,%u) is %lld, expected %lld", w, h, passes, x, y,
                                     (long long)out[y * STRIDE + x], (long long)(c < 0 ? -e : e));
                    }
            }
        }
    free(s);
    free(work);
    free(bytes);
    free(coef);
    free(out);
}

/* decode_block32 gives decode_block's coefficients (or its error) on our
 * encoder's blocks read as cleanup-only and, with random refinement bytes,
 * with SigProp and MagRef passes, stripe-causal or not, at several
 * cleanup planes; and refuses blocks coding more planes than int32 holds. */
static void test_block32(void **state)
{
    (void)state;
    static const uint32_t sizes[][2] = {{1, 1}, {2, 2}, {3, 1}, {1, 5}, {4, 4},   {7, 3},   {16, 8},
                                        {33, 17}, {64, 32}, {128, 32}, {127, 31}, {5, 32}, {6, 9}};
    enum { STRIDE = 133 };
    exrqoi__htj2k_block_scratch *s = malloc(sizeof *s);
    uint8_t *work = malloc(EXRQOI__HTJ2K_BLOCK_WORK), *bytes = malloc(EXRQOI__HTJ2K_BLOCK_MAX + 256);
    int64_t *coef = malloc(sizeof(int64_t) * 128 * 32), *out64 = malloc(sizeof(int64_t) * STRIDE * 130);
    int32_t *out32 = malloc(sizeof(int32_t) * STRIDE * 130);
    assert_non_null(s);
    assert_non_null(work);
    assert_non_null(bytes);
    assert_non_null(coef);
    assert_non_null(out64);
    assert_non_null(out32);
    size_t compared = 0, refused = 0;
    for (size_t t = 0; t < sizeof sizes / sizeof sizes[0]; t++)
        for (uint32_t density = 0; density < 4; density++) {
            const uint32_t w = sizes[t][0], h = sizes[t][1];
            const uint32_t kmax = density == 3 ? 28 : 18;
            for (uint32_t i = 0; i < w * h; i++) {
                const uint32_t r = rnd();
                const uint32_t bits = density == 3 ? r % 27 : r % 17;
                const int64_t v = (r % 3 < density) ? (int64_t)(rnd() & ((1u << bits) - 1)) : 0;
                coef[i] = (r & 0x80000000u) ? -v : v;
            }
            coef[0] = density == 3 ? -((1 << 26) + 5) : 1000;
            const size_t len = exrqoi__htj2k_encode_block(coef, w, (int)w, (int)h, (int)kmax, work, bytes);
            assert_true(len > 0);
            for (uint32_t i = 0; i < 256; i++) bytes[len + i] = (uint8_t)rnd();
            for (uint32_t variant = 0; variant < 12; variant++) {
                exrqoi__htj2k_cblk cb;
                memset(&cb, 0, sizeof cb);
                cb.data = bytes;
                cb.len_cup = (uint32_t)len;
                cb.passes = 1 + variant % 3;
                cb.len_ref = cb.passes > 1 ? 1 + rnd() % 200 : 0;
                cb.p = variant / 3; /* 0..3: the block read at higher planes */
                if (cb.p == 0 && cb.passes > 1) cb.p = 1;
                cb.missing = kmax - 1;
                cb.width = w;
                cb.height = h;
                cb.stripe_causal = (variant & 1) != 0;
                for (uint32_t i = 0; i < STRIDE * 130; i++) {
                    out64[i] = 0x5A5A;
                    out32[i] = 0x5A5A;
                }
                exrqoi__err e64, e32;
                memset(&e64, 0, sizeof e64);
                memset(&e32, 0, sizeof e32);
                const exrqoi_result r64 = exrqoi__htj2k_decode_block(s, &cb, out64, STRIDE, &e64);
                const exrqoi_result r32 = exrqoi__htj2k_decode_block32(s, &cb, out32, STRIDE, &e32);
                if (cb.p + cb.missing + 2 > 31) {
                    assert_int_equal(r32, EXRQOI_ERR_CORRUPT);
                    refused++;
                    continue;
                }
                assert_int_equal(r32, r64);
                if (r64 != EXRQOI_OK) continue;
                for (uint32_t y = 0; y < h; y++)
                    for (uint32_t x = 0; x <= w; x++)
                        if (out32[y * STRIDE + x] != out64[y * STRIDE + x])
                            fail_msg("%ux%u variant %u: (%u,%u) is %d, int64 decoder %lld", w, h, variant, x, y,
                                     out32[y * STRIDE + x], (long long)out64[y * STRIDE + x]);
                compared++;
            }
        }
    assert_true(compared > 300);
    assert_true(refused > 0);
    free(s);
    free(work);
    free(bytes);
    free(coef);
    free(out64);
    free(out32);
}

/* ---- chunks ------------------------------------------------------------- */

/* An exact-size copy of p[0..n): ASan sees any read past the end. */
static uint8_t *exact_copy(const uint8_t *p, size_t n)
{
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    if (n) memcpy(copy, p, n);
    return copy;
}

static exrqoi_result decode_chunk(const uint8_t *p, size_t n, const exrqoi__block_layout *bl, uint8_t *out)
{
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    uint8_t *copy = exact_copy(p, n);
    exrqoi_result rv = exrqoi__decompress_block(&ctx, bl, copy, n, out);
    if (rv != EXRQOI_OK) assert_true(ctx.err.msg[0] != 0); /* every failure says why */
    free(copy);
    exrqoi__codec_ctx_free(&ctx);
    return rv;
}

static void test_chunk_header(void **state)
{
    (void)state;
    exrqoi__chan_layout ch = {"Y", EXRQOI_PIXEL_HALF, 2, 0, 1, 1, 4, 2};
    exrqoi__block_layout bl = {0, 0, 4, 2, 1, &ch, 16, EXRQOI_COMPRESSION_HTJ2K32, 0};
    uint8_t out[16];
    /* bad magic, payload past the end, map of the wrong size, duplicate
     * map entries, no codestream */
    const uint8_t bad_magic[] = {0x48, 0x55, 0, 0, 0, 4, 0, 1, 0, 0, 0xFF, 0x4F};
    const uint8_t long_payload[] = {0x48, 0x54, 0, 0, 1, 0, 0, 1, 0, 0, 0xFF, 0x4F};
    const uint8_t two_chans[] = {0x48, 0x54, 0, 0, 0, 6, 0, 2, 0, 0, 0, 1, 0xFF, 0x4F};
    const uint8_t no_cs[] = {0x48, 0x54, 0, 0, 0, 4, 0, 1, 0, 0};
    const uint8_t bad_index[] = {0x48, 0x54, 0, 0, 0, 4, 0, 1, 0, 1, 0xFF, 0x4F, 0xFF, 0x51};
    const uint8_t short_cs[] = {0x48, 0x54, 0, 0, 0, 4, 0, 1, 0, 0, 0xFF, 0x4F, 0xFF, 0x51, 0, 41, 0};
    assert_int_equal(decode_chunk(bad_magic, sizeof bad_magic, &bl, out), EXRQOI_ERR_CORRUPT);
    assert_int_equal(decode_chunk(long_payload, sizeof long_payload, &bl, out), EXRQOI_ERR_CORRUPT);
    assert_int_equal(decode_chunk(two_chans, sizeof two_chans, &bl, out), EXRQOI_ERR_CORRUPT);
    assert_int_equal(decode_chunk(no_cs, sizeof no_cs, &bl, out), EXRQOI_ERR_CORRUPT);
    assert_int_equal(decode_chunk(bad_index, sizeof bad_index, &bl, out), EXRQOI_ERR_CORRUPT);
    assert_int_equal(decode_chunk(short_cs, sizeof short_cs, &bl, out), EXRQOI_ERR_CORRUPT);
    /* writing is not available yet: a clean error, no crash */
    const uint8_t *packed = NULL;
    size_t packed_size = 0;
    exrqoi__codec_ctx ctx;
    exrqoi__codec_ctx_init(&ctx, NULL);
    uint8_t px[16] = {0};
    exrqoi_result rv = exrqoi__compress_block(&ctx, &bl, px, &packed, &packed_size);
    assert_true(rv == EXRQOI_OK || rv == EXRQOI_ERR_UNSUPPORTED_COMPRESSION);
    exrqoi__codec_ctx_free(&ctx);
}

/* Reads the first chunk of a shared HTJ2K file; 0 when the corpus is absent. */
static int first_chunk(const char *name, uint8_t **data, size_t *size, exrqoi_compression *comp)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/corpus/htj2k/%s", EXRQOI_SHARED_DIR, name);
    exrqoi_reader *r = NULL;
    if (exrqoi_reader_open(exrqoi_source_path(path), NULL, &r) != EXRQOI_OK) return 0;
    exrqoi_part_info pi;
    exrqoi_chunk_info ci;
    void *p = NULL;
    int ok = exrqoi_reader_part_info(r, 0, &pi) == EXRQOI_OK &&
             exrqoi_reader_read_raw_chunk(r, 0, 0, &ci, &p, size) == EXRQOI_OK;
    if (ok) {
        *data = malloc(*size);
        assert_non_null(*data);
        memcpy(*data, p, *size);
        *comp = pi.compression;
    }
    exrqoi_free(NULL, p);
    exrqoi_reader_close(r);
    return ok;
}

/* The first chunk of a shared HTJ2K file and its layout (the file's own
 * header); 0 when the corpus is absent. */
static int shared_chunk(const char *name, uint8_t **chunk, size_t *n, htj2k_layout *L)
{
    exrqoi_compression comp;
    if (!first_chunk(name, chunk, n, &comp)) return 0;
    if (!htj2k_layout_from_chunk(*chunk, *n, comp, L)) fail_msg("%s: not an HTJ2K chunk", name);
    return 1;
}

static const char *const k_damage_files[] = {"scan_17x33_zip.htj2k32.exr", "scan_mixed_zip.htj2k32.exr",
                                             "scan_yc_zip.htj2k256.exr", "WideFloatRange.htj2k32.exr"};

/* EXRQOI_HARD_DIVISOR (environment; valgrind runs set 4) thins the cuts
 * and random changes. */
static size_t hard_divisor(void)
{
    const char *d = getenv("EXRQOI_HARD_DIVISOR");
    long v = d ? strtol(d, NULL, 10) : 1;
    return v > 1 ? (size_t)v : 1;
}

static void test_damaged_chunks(void **state)
{
    (void)state;
    int found = 0;
    const size_t div = hard_divisor();
    for (size_t f = 0; f < sizeof k_damage_files / sizeof k_damage_files[0]; f++) {
        uint8_t *chunk = NULL;
        size_t n = 0;
        htj2k_layout L;
        if (!shared_chunk(k_damage_files[f], &chunk, &n, &L)) continue;
        found++;
        uint8_t *out = malloc(L.block.unpacked_size + 1);
        uint8_t *mut = malloc(n);
        assert_non_null(out);
        assert_non_null(mut);
        assert_int_equal(decode_chunk(chunk, n, &L.block, out), EXRQOI_OK);
        /* truncated: only dropping the final EOC marker still decodes */
        const size_t cuts = 400 / div;
        size_t step = n > cuts ? n / cuts : 1;
        for (size_t cut = 0; cut < n; cut += step) {
            if (cut == L.block.unpacked_size) continue; /* that size means "stored raw" */
            exrqoi_result rv = decode_chunk(chunk, cut, &L.block, out);
            if (cut + 2 < n) assert_int_not_equal(rv, EXRQOI_OK);
        }
        /* every marker segment length of the codestream, set to other values */
        const size_t cs = 6 + exrqoi__htj2k_be32(chunk + 2);
        for (size_t i = cs + 2; i + 4 <= n;) {
            uint32_t m = exrqoi__htj2k_be16(chunk + i);
            if (m == EXRQOI__J2K_SOD || m < 0xFF00) break;
            uint32_t len = exrqoi__htj2k_be16(chunk + i + 2);
            const uint32_t tries[] = {0, 1, 2, len - 1, len + 1, len + 7, 0xFFFF};
            for (size_t k = 0; k < sizeof tries / sizeof tries[0]; k++) {
                memcpy(mut, chunk, n);
                mut[i + 2] = (uint8_t)(tries[k] >> 8);
                mut[i + 3] = (uint8_t)tries[k];
                exrqoi_result rv = decode_chunk(mut, n, &L.block, out);
                if (tries[k] != len) assert_int_not_equal(rv, EXRQOI_OK);
            }
            i += m == EXRQOI__J2K_SOT ? 12 : 2 + len;
        }
        /* random byte changes anywhere: any result, never a crash */
        for (size_t t = 0; t < 200 / div; t++) {
            memcpy(mut, chunk, n);
            int k = 1 + (int)(rnd() % 4);
            while (k--) mut[rnd() % n] = (uint8_t)rnd();
            (void)decode_chunk(mut, n, &L.block, out);
        }
        free(out);
        free(mut);
        free(chunk);
    }
    if (!found) skip();
}

/* A chunk whose codestream disagrees with the header it is read under. */
static void test_header_mismatch(void **state)
{
    (void)state;
    uint8_t *chunk = NULL;
    size_t n = 0;
    htj2k_layout L;
    if (!shared_chunk("scan_mixed_zip.htj2k32.exr", &chunk, &n, &L)) skip();
    uint8_t *out = malloc(L.block.unpacked_size * 2 + 64);
    assert_non_null(out);
    htj2k_layout M = L;
    M.block.chans = M.chans;
    M.block.height--; /* one line fewer */
    assert_int_equal(decode_chunk(chunk, n, &M.block, out), EXRQOI_ERR_CORRUPT);
    M = L;
    M.block.chans = M.chans;
    M.chans[0].type = M.chans[0].type == EXRQOI_PIXEL_HALF ? EXRQOI_PIXEL_FLOAT : EXRQOI_PIXEL_HALF;
    M.chans[0].size = (uint8_t)exrqoi_pixel_type_size((exrqoi_pixel_type)M.chans[0].type);
    M.block.unpacked_size += (size_t)M.chans[0].width * M.chans[0].height * 2;
    assert_int_equal(decode_chunk(chunk, n, &M.block, out), EXRQOI_ERR_CORRUPT);
    M = L;
    M.block.chans = M.chans;
    M.block.nchan--;
    assert_int_equal(decode_chunk(chunk, n, &M.block, out), EXRQOI_ERR_CORRUPT);
    free(out);
    free(chunk);
}

/* The chunk output (DC level shift, NLT, truncation to the EXR sample) on
 * every SIMD path the machine has against the formula, on the full int32
 * range (hostile codestreams) and on row lengths around the SIMD widths. */
static void test_put_line32_paths(void **state)
{
    (void)state;
    enum { N = 300 };
    static int32_t s[N];
    static uint8_t ref[N * 4], out[N * 4 + 8];
    const uint32_t f = exrqoi__cpu_features();
    const struct {
        int path;
        uint32_t need;
    } paths[] = {{EXRQOI__PATH_C, 0},
                 {EXRQOI__PATH_SSE2, EXRQOI__CPU_SSE2},
                 {EXRQOI__PATH_AVX2, EXRQOI__CPU_AVX2 | EXRQOI__CPU_SSE2},
                 {EXRQOI__PATH_NEON, EXRQOI__CPU_NEON}};
    for (int kind = 0; kind < 4; kind++) {
        exrqoi__htj2k_comp c;
        memset(&c, 0, sizeof c);
        c.depth = kind >= 2 ? 32 : 16; /* 0, 1: half; 2: float; 3: uint */
        c.is_signed = kind != 3;
        c.nlt_type = kind == 1 || kind == 2 ? EXRQOI__J2K_NLT_BINARY_COMPLEMENT : 0;
        const int size = kind >= 2 ? 4 : 2;
        const uint32_t half = (uint32_t)1 << (c.depth - 1);
        for (uint32_t n = 0; n < N; n += n < 40 ? 1 : 37) {
            for (uint32_t i = 0; i < n; i++) s[i] = (i & 1) ? (int32_t)rnd() : (int32_t)(rnd() % 70001) - 35000;
            for (uint32_t i = 0; i < n; i++) {
                uint32_t u = (uint32_t)s[i] + (c.is_signed ? 0 : half);
                if (c.nlt_type && s[i] < 0) u = 0u - (uint32_t)s[i] - (half + 1);
                for (int b = 0; b < size; b++) ref[(size_t)i * size + b] = (uint8_t)(u >> (8 * b));
            }
            for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++) {
                if ((f & paths[p].need) != paths[p].need) continue;
                memset(out, 0xA5, sizeof out);
                uint8_t *e = exrqoi__htj2k_put_line32(out, s, n, size, &c, paths[p].path);
                assert_ptr_equal(e, out + (size_t)n * size);
                if (memcmp(out, ref, (size_t)n * size) != 0)
                    fail_msg("output path %d, kind %d, %u samples differs from the formula", paths[p].path, kind, n);
                assert_int_equal(out[(size_t)n * size], 0xA5);
            }
        }
    }
}

/* ---- U-VLC pair table (htvlc) ------------------------------------------- */

/* T.814 7.3.6 read step by step: prefix, then suffix, u_ext last. */
static unsigned uvlc_take(uint64_t *bits, unsigned *used, unsigned n)
{
    const unsigned v = (unsigned)(*bits & ((1u << n) - 1));
    *bits >>= n;
    *used += n;
    return v;
}

static unsigned uvlc_ref_prefix(uint64_t *bits, unsigned *used)
{
    if (uvlc_take(bits, used, 1)) return 1;
    if (uvlc_take(bits, used, 1)) return 2;
    return uvlc_take(bits, used, 1) ? 3 : 5;
}

static unsigned uvlc_ref_suffix(uint64_t *bits, unsigned *used, unsigned pfx)
{
    return pfx + (pfx == 3 ? uvlc_take(bits, used, 1) : pfx == 5 ? uvlc_take(bits, used, 5) : 0);
}

static unsigned uvlc_ref_ext(uint64_t *bits, unsigned *used, unsigned u)
{
    return u > 32 ? u + 4 * uvlc_take(bits, used, 4) : u;
}

/* the reference u of a pair in table mode `mode` (htj2k_dec.h) */
static unsigned uvlc_ref(uint64_t bits, unsigned mode, unsigned *u0, unsigned *u1)
{
    unsigned used = 0;
    *u0 = *u1 = 0;
    if (mode == 1 || mode == 2) {
        const unsigned u = uvlc_ref_ext(&bits, &used, uvlc_ref_suffix(&bits, &used, uvlc_ref_prefix(&bits, &used)));
        *(mode == 1 ? u0 : u1) = u;
    } else if (mode >= 3) {
        const unsigned p0 = uvlc_ref_prefix(&bits, &used);
        if (mode == 4 && p0 > 2) {
            *u1 = 1 + uvlc_take(&bits, &used, 1);
            *u0 = uvlc_ref_ext(&bits, &used, uvlc_ref_suffix(&bits, &used, p0));
        } else {
            const unsigned p1 = uvlc_ref_prefix(&bits, &used);
            *u0 = uvlc_ref_suffix(&bits, &used, p0);
            *u1 = uvlc_ref_suffix(&bits, &used, p1);
            *u0 = uvlc_ref_ext(&bits, &used, *u0);
            *u1 = uvlc_ref_ext(&bits, &used, *u1);
            if (mode == 5) {
                *u0 += 2;
                *u1 += 2;
            }
        }
    }
    return used;
}

/* One entry of the short U-VLC table against T.814's reading of the same
 * bits: the long-path marker when a quad's u needs the long table, else
 * the u of both quads (a byte each) and the bits used, nothing above. */
static void check_uvlc_short(uint32_t f, uint64_t bits, unsigned mode, int is_long)
{
    if (is_long) {
        assert_int_equal(f, 0x80000000u);
        return;
    }
    unsigned r0, r1;
    const unsigned ru = uvlc_ref(bits, mode, &r0, &r1);
    assert_int_equal(f >> 8 & 0xFF, r0);
    assert_int_equal(f >> 16 & 0xFF, r1);
    assert_int_equal(f & 0xFF, ru);
    assert_int_equal(f >> 24, 0);
}

static void test_uvlc_table(void **state)
{
    (void)state;
    /* the decoder's U-VLC step (exrqoi__htj2k_uvlc_pair) in the first row
     * (the full table, every mode) and below it (modes 0-3: the short
     * table, the full one after a "000" prefix): every 6-bit index with the
     * suffix bits all 0, all 1 (u_ext) and random */
    for (unsigned first = 0; first < 2; first++)
        for (unsigned mode = 0; mode < (first ? 6u : 4u); mode++)
            for (unsigned i = 0; i < 64 * 3 + 20000; i++) {
                uint64_t bits = i & 63;
                if (i >= 64 && i < 128) bits |= ~(uint64_t)63;
                if (i >= 128) bits = (uint64_t)rnd() << 32 | rnd();
                if (i >= 192 && (i & 1)) bits |= (uint64_t)0x1F << (bits & 1 ? 1 : 3); /* long suffixes */
                unsigned r0, r1;
                uint32_t t0, t1;
                const unsigned ru = uvlc_ref(bits, mode, &r0, &r1);
                const uint32_t tu = exrqoi__htj2k_uvlc_pair(bits, mode, &t0, &t1, first != 0);
                assert_int_equal(tu, ru);
                assert_int_equal(t0, r0);
                assert_int_equal(t1, r1);
                assert_true(tu <= 24);
            }
    /* codewords of T.814 Table 3 written out (first bit in the LSB): one
     * quad (mode 1) "1", "01", "001"+suffix, "000"+5-bit suffix, u_ext
     * after a suffix of 28 or more; both quads after a MEL 1 (mode 5: 2
     * added to each) and after a MEL 0 with a first prefix above 2 (mode
     * 4: quad 1's u is 1 + one bit, before quad 0's suffix) */
    static const struct {
        uint64_t bits;
        unsigned mode, used, u0, u1;
    } k_words[] = {
        {0x1, 1, 1, 1, 0},           {0x2, 1, 2, 2, 0},
        {0x4, 1, 4, 3, 0},           {0xC, 1, 4, 4, 0},
        {0x0, 1, 8, 5, 0},           {27u << 3, 1, 8, 32, 0},
        {28u << 3, 1, 12, 33, 0},    {0xFull << 8 | 0x1Full << 3, 1, 12, 36 + 60, 0},
        {0x1, 2, 1, 0, 1},           {0x1 | 0x2 << 1, 3, 3, 1, 2},
        {0x1 | 0x1 << 1, 5, 2, 3, 3}, {0x4 | 1u << 3 | 1u << 4, 4, 5, 4, 2},
    };
    for (size_t k = 0; k < sizeof k_words / sizeof k_words[0]; k++) {
        uint32_t u0, u1;
        assert_int_equal(exrqoi__htj2k_uvlc_pair(k_words[k].bits, k_words[k].mode, &u0, &u1, true), k_words[k].used);
        assert_int_equal(u0, k_words[k].u0);
        assert_int_equal(u1, k_words[k].u1);
    }
    /* the short table: where it has an entry, the same u and length as
     * the reference; it defers exactly the pairs with a "000" prefix */
    for (unsigned mode = 0; mode < 4; mode++)
        for (unsigned i = 0; i < 256 * 8; i++) {
            const uint64_t bits = (i & 255) | (uint64_t)(i >> 8 ? rnd() : 0) << 8;
            const uint32_t f = exrqoi__htj2k_uvlc_short[mode << 8 | (i & 255)];
            const int long0 = (mode & 1) && (bits & 7) == 0;
            const int long1 = mode == 2 ? (bits & 7) == 0
                              : mode == 3 && !long0
                                  ? ((bits >> ((bits & 1) ? 1 : (bits & 2) ? 2 : 3)) & 7) == 0
                                  : 0;
            check_uvlc_short(f, bits, mode, long0 || long1);
        }
    /* kappa */
    for (unsigned r = 0; r < 16; r++)
        for (unsigned e = 0; e < 64; e++) {
            const unsigned nsig = (r & 1) + (r >> 1 & 1) + (r >> 2 & 1) + (r >> 3 & 1);
            assert_int_equal(exrqoi__htj2k_kappa[r << 6 | e], nsig >= 2 && e > 2 ? e - 1 : 1);
        }
    /* every 7-bit pattern is a CxtVLC codeword in every context: the
     * block decoder has no invalid codeword to refuse */
    for (unsigned i = 0; i < 1024; i++) {
        assert_true(exrqoi__htj2k_vlc_tbl0[i] & 7);
        assert_true(exrqoi__htj2k_vlc_tbl1[i] & 7);
    }
}

/* ---- MagSgn kernels ------------------------------------------------------ */

enum { MS_STRIDE = 130, MS_ROWS = 130 };

/* What the MagSgn path tests share: the paths to compare with the
 * portable one (the default kernel, then each the machine has) and the
 * buffers. */
typedef struct ms_bench {
    int paths[4], npaths;
    exrqoi__htj2k_block_scratch *s;
    uint8_t *work, *bytes;
    int64_t *coef;
    int32_t *ref, *got;
} ms_bench;

static void ms_open(ms_bench *b, bool neon)
{
    const uint32_t have = exrqoi__cpu_detect();
    b->npaths = 0;
    b->paths[b->npaths++] = exrqoi__cpu_kernels().htdwt;
    if ((have & BLOCK_AVX2) == BLOCK_AVX2) b->paths[b->npaths++] = EXRQOI__PATH_AVX2;
    if (have & EXRQOI__CPU_SSE2) b->paths[b->npaths++] = EXRQOI__PATH_SSE2;
    if (neon && (have & EXRQOI__CPU_NEON)) b->paths[b->npaths++] = EXRQOI__PATH_NEON;
    b->s = malloc(sizeof *b->s);
    b->work = malloc(EXRQOI__HTJ2K_BLOCK_WORK);
    b->bytes = malloc(EXRQOI__HTJ2K_BLOCK_MAX + 256);
    b->coef = malloc(sizeof(int64_t) * 128 * 128);
    b->ref = malloc(sizeof(int32_t) * MS_STRIDE * MS_ROWS);
    b->got = malloc(sizeof(int32_t) * MS_STRIDE * MS_ROWS);
    assert_non_null(b->s);
    assert_non_null(b->work);
    assert_non_null(b->bytes);
    assert_non_null(b->coef);
    assert_non_null(b->ref);
    assert_non_null(b->got);
}

static void ms_close(ms_bench *b)
{
    free(b->s);
    free(b->work);
    free(b->bytes);
    free(b->coef);
    free(b->ref);
    free(b->got);
}

/* A cleanup-only w x h block of `len` bytes at data, coding plane p. */
static exrqoi__htj2k_cblk ms_block(const uint8_t *data, size_t len, uint32_t w, uint32_t h, uint32_t p,
                                   uint32_t kmax)
{
    exrqoi__htj2k_cblk cb;
    memset(&cb, 0, sizeof cb);
    cb.data = data;
    cb.len_cup = (uint32_t)len;
    cb.passes = 1;
    cb.p = p;
    cb.missing = kmax - 1;
    cb.width = w;
    cb.height = h;
    return cb;
}

/* Decodes cb on the portable path into b->ref, then on every path into
 * b->got: the same result and, where it succeeds, the same coefficients
 * (the whole buffer: nothing written past the block either). Returns the
 * portable result; *checked counts the paths compared. */
static exrqoi_result ms_compare(ms_bench *b, const exrqoi__htj2k_cblk *cb, uint32_t density, uint32_t variant,
                                size_t *checked)
{
    exrqoi__err e0;
    memset(&e0, 0, sizeof e0);
    for (uint32_t i = 0; i < MS_STRIDE * MS_ROWS; i++) b->ref[i] = 0x5A5A;
    const exrqoi_result r0 = exrqoi__htj2k_decode_block32_path(b->s, cb, b->ref, MS_STRIDE, &e0, EXRQOI__PATH_C);
    for (int k = 0; k < b->npaths; k++) {
        exrqoi__err e1;
        memset(&e1, 0, sizeof e1);
        for (uint32_t i = 0; i < MS_STRIDE * MS_ROWS; i++) b->got[i] = 0x5A5A;
        const exrqoi_result r1 = exrqoi__htj2k_decode_block32_path(b->s, cb, b->got, MS_STRIDE, &e1, b->paths[k]);
        assert_int_equal(r1, r0);
        if (r0 == EXRQOI_OK) {
            for (uint32_t i = 0; i < MS_STRIDE * MS_ROWS; i++)
                if (b->got[i] != b->ref[i])
                    fail_msg("%ux%u density %u variant %u path %d: [%u] is %d, portable %d", cb->width, cb->height,
                             density, variant, b->paths[k], i, b->got[i], b->ref[i]);
            (*checked)++;
        }
    }
    return r0;
}

/* The MagSgn kernels (exrqoi__htj2k_decode_block32_path) give the
 * portable path's coefficients and errors: on our encoder's blocks (even
 * sizes: straight into the output; magnitudes up to 2^26, so quads that
 * need refills between their samples) and on damaged copies of them
 * (bytes changed, segments cut short), at plane 0 and higher planes. */
static void test_magsgn_paths(void **state)
{
    (void)state;
    static const uint32_t sizes[][2] = {{2, 2}, {4, 2}, {16, 8}, {64, 32}, {128, 32}, {32, 32}, {6, 10}};
    ms_bench b;
    ms_open(&b, true);
    uint8_t *const bytes = b.bytes;
    int64_t *const coef = b.coef;
    size_t checked = 0, damaged_ok = 0, damaged_bad = 0;
    for (size_t t = 0; t < sizeof sizes / sizeof sizes[0]; t++)
        for (uint32_t density = 0; density < 5; density++) {
            const uint32_t w = sizes[t][0], h = sizes[t][1];
            const uint32_t kmax = density >= 3 ? 28 : 18;
            for (uint32_t i = 0; i < w * h; i++) {
                const uint32_t r = rnd();
                const uint32_t bits = density >= 3 ? r % 27 : r % 17;
                const int64_t v = (r % 4 < density) ? (int64_t)(rnd() & ((1u << bits) - 1)) : 0;
                coef[i] = (r & 0x80000000u) ? -v : v;
            }
            coef[0] = density == 4 ? -((1 << 26) + 5) : 1000;
            const size_t len = exrqoi__htj2k_encode_block(coef, w, (int)w, (int)h, (int)kmax, b.work, bytes);
            assert_true(len > 0);
            for (uint32_t variant = 0; variant < 16; variant++) {
                /* plane 0 (the AVX2 kernel's) and 1 */
                exrqoi__htj2k_cblk cb = ms_block(bytes, len, w, h, variant & 1, kmax);
                uint8_t saved[3] = {0, 0, 0};
                uint32_t at[3] = {0, 0, 0};
                const bool damage = variant >= 4;
                if (damage) {
                    /* change up to 3 bytes of the MagSgn part, or cut it */
                    for (int k = 0; k < 3; k++) {
                        at[k] = rnd() % (uint32_t)len;
                        saved[k] = bytes[at[k]];
                        bytes[at[k]] = (uint8_t)(variant & 2 ? 0xFF : rnd());
                    }
                    if (variant & 8) {
                        /* keep the MEL/VLC tail: drop MagSgn bytes in front */
                        const uint32_t cut = rnd() % 16 + 1;
                        if (len > cut + 8) {
                            cb.data = bytes + cut;
                            cb.len_cup = (uint32_t)len - cut;
                        }
                    }
                }
                const exrqoi_result r0 = ms_compare(&b, &cb, density, variant, &checked);
                if (!damage) {
                    assert_int_equal(r0, EXRQOI_OK);
                    for (uint32_t y = 0; y < h; y++)
                        for (uint32_t x = 0; x < w; x++) {
                            const int64_t c = coef[y * w + x], m = c < 0 ? -c : c;
                            const int64_t e = cb.p ? (m ? 2 * m + 1 : 0) : m;
                            assert_int_equal(b.ref[y * MS_STRIDE + x], (int32_t)(c < 0 ? -e : e));
                        }
                } else if (r0 == EXRQOI_OK) {
                    damaged_ok++;
                } else {
                    damaged_bad++;
                }
                if (damage)
                    for (int k = 2; k >= 0; k--) bytes[at[k]] = saved[k];
            }
        }
    /* every path compared every undamaged block (4 variants of 16), and
     * more: the count depends on the paths the machine has */
    const size_t clean = sizeof sizes / sizeof sizes[0] * 5 * 4;
    assert_true(checked > clean * (size_t)b.npaths);
    assert_true(damaged_ok > 0 && damaged_bad > 0);
    ms_close(&b);
}

/* ---- decoding straight into the caller's memory (segments) ----------------- */

/* The segment decoder against the unpacked-buffer decoder on first chunks
 * of the shared files (RCT, subsampled, mixed types, negative origin):
 * segments one per line and channel, cut at random lengths (runs split
 * between segments go through the line buffer), and with some bytes not
 * wanted, which stay untouched; damaged chunks fail alike. */
static void test_segments(void **state)
{
    (void)state;
    static const char *const files[] = {"Desk.htj2k32.exr",        "scan_yc_zip.htj2k256.exr",
                                        "scan_mixed_zip.htj2k32.exr", "scan_negorigin_zip.htj2k32.exr",
                                        "scan_17x33_zip.htj2k32.exr", "WideFloatRange.htj2k32.exr"};
    int found = 0;
    for (size_t fi = 0; fi < sizeof files / sizeof files[0]; fi++) {
        uint8_t *chunk = NULL;
        size_t n = 0;
        htj2k_layout L;
        if (!shared_chunk(files[fi], &chunk, &n, &L)) continue;
        found++;
        const size_t total = L.block.unpacked_size;
        uint8_t *ref = malloc(total), *got = malloc(total), *tmp = malloc(total);
        exrqoi__segment *seg = malloc(sizeof *seg * (total + 1));
        assert_non_null(ref);
        assert_non_null(tmp);
        assert_non_null(got);
        assert_non_null(seg);
        assert_int_equal(decode_chunk(chunk, n, &L.block, ref), EXRQOI_OK);
        for (int mode = 0; mode < 3; mode++) {
            size_t ns = 0, at = 0;
            if (mode == 0) { /* one segment per line and channel, as the read driver cuts them */
                for (int32_t yy = 0; yy < L.block.height; yy++)
                    for (int c = 0; c < L.block.nchan; c++) {
                        const exrqoi__chan_layout *ch = &L.block.chans[c];
                        if ((L.block.y + yy) % ch->y_sampling != 0) continue;
                        seg[ns].dst = got + at;
                        seg[ns].len = (size_t)ch->width * ch->size;
                        at += seg[ns++].len;
                    }
            } else {
                while (at < total) {
                    size_t len = 1 + rnd() % 300;
                    if (len > total - at) len = total - at;
                    seg[ns].dst = mode == 2 && rnd() % 3 == 0 ? NULL : got + at;
                    seg[ns].len = len;
                    at += seg[ns++].len;
                }
            }
            assert_int_equal(at, total);
            memset(got, 0xA5, total);
            exrqoi__codec_ctx ctx;
            exrqoi__codec_ctx_init(&ctx, NULL);
            assert_int_equal(exrqoi__decompress_block_segments(&ctx, &L.block, chunk, n, seg, ns), EXRQOI_OK);
            at = 0;
            for (size_t k = 0; k < ns; k++) {
                for (size_t i = 0; i < seg[k].len; i++)
                    if (got[at + i] != (seg[k].dst ? ref[at + i] : 0xA5))
                        fail_msg("%s mode %d: byte %zu is %u, expected %u", files[fi], mode, at + i, got[at + i],
                                 seg[k].dst ? ref[at + i] : 0xA5);
                at += seg[k].len;
            }
            /* truncated chunks: the same result as through the unpacked buffer */
            for (size_t cut = 0; cut < n; cut += n / 16 + 1) {
                if (cut == total) continue;
                uint8_t *copy = exact_copy(chunk, cut);
                exrqoi__err_clear(&ctx.err);
                const exrqoi_result rs = exrqoi__decompress_block_segments(&ctx, &L.block, copy, cut, seg, ns);
                assert_int_equal(rs, decode_chunk(chunk, cut, &L.block, tmp));
                if (cut + 2 < n) assert_int_not_equal(rs, EXRQOI_OK);
                free(copy);
            }
            exrqoi__codec_ctx_free(&ctx);
        }
        free(ref);
        free(got);
        free(tmp);
        free(seg);
        free(chunk);
    }
    if (!found) skip();
}

/* ---- the last wavelet level in strips ----------------------------------------- */

/* exrqoi__htj2k_idwt53_2d_32_rows over consecutive row ranges of random
 * lengths gives exactly one whole exrqoi__htj2k_idwt53_2d_32, on every
 * path, and after each range the rows it says are final already hold
 * their values; in a ring of 16 rows too, where each row is read as soon
 * as it is final (the next ranges overwrite it). */
static void test_wavelet_rows(void **state)
{
    (void)state;
    static const uint32_t sizes[][2] = {{1, 1}, {5, 1}, {1, 7}, {7, 2}, {17, 3}, {33, 16}, {64, 17}, {130, 33}, {9, 40}};
    const int paths[] = {EXRQOI__PATH_C, EXRQOI__PATH_SSE2, EXRQOI__PATH_AVX2, EXRQOI__PATH_NEON};
    size_t checked = 0;
    for (size_t t = 0; t < sizeof sizes / sizeof sizes[0]; t++)
        for (uint32_t org = 0; org < 4; org++) {
            const uint32_t x0 = 10 + (org & 1), y0 = 6 + (org >> 1), rw = sizes[t][0], rh = sizes[t][1];
            const uint32_t x1 = x0 + rw, y1 = y0 + rh;
            const uint32_t lw = (x1 + 1) / 2 - (x0 + 1) / 2, hw = x1 / 2 - x0 / 2;
            const uint32_t lh_ = (y1 + 1) / 2 - (y0 + 1) / 2, hh_ = y1 / 2 - y0 / 2;
            int32_t *b[4];
            const size_t bn[4] = {(size_t)lw * lh_, (size_t)hw * lh_, (size_t)lw * hh_, (size_t)hw * hh_};
            for (int k = 0; k < 4; k++) {
                b[k] = malloc(sizeof(int32_t) * (bn[k] + 1));
                assert_non_null(b[k]);
                for (size_t i = 0; i < bn[k]; i++) b[k][i] = (int32_t)(rnd() % 4001) - 2000;
            }
            enum { RING = 16 };
            const size_t got_rows = rh > RING ? rh : RING;
            int32_t *ref = malloc(sizeof(int32_t) * rw * rh + 32), *got = malloc(sizeof(int32_t) * rw * got_rows + 32);
            assert_non_null(ref);
            assert_non_null(got);
            exrqoi__htj2k_idwt53_2d_32(EXRQOI__PATH_C, ref, x0, y0, rw, rh, b[0], b[1], b[2], b[3]);
            for (size_t pr = 0; pr < sizeof paths / sizeof paths[0] * 2; pr++) {
                const int path = paths[pr / 2];
                const uint32_t ring = pr & 1 ? RING : 0;
                memset(got, 0x5A, sizeof(int32_t) * rw * got_rows);
                uint32_t seen = 0; /* rows checked */
                for (uint32_t t0 = 0; t0 < rh;) {
                    uint32_t t1 = t0 + 1 + rnd() % 9;
                    if (t1 > rh) t1 = rh;
                    exrqoi__htj2k_idwt53_2d_32_rows(path, got, x0, y0, rw, rh, b[0], b[1], b[2], b[3], t0, t1, ring);
                    const uint32_t final = t1 >= rh ? rh : (t1 >= 2 ? t1 - 2 : 0);
                    for (uint32_t r = ring ? seen : 0; r < final; r++)
                        for (size_t i = 0; i < rw; i++)
                            if (got[(size_t)(ring ? r % ring : r) * rw + i] != ref[(size_t)r * rw + i])
                                fail_msg("%ux%u at (%u,%u), path %d, ring %u, rows to %u: row %u column %zu differs",
                                         rw, rh, x0, y0, path, ring, t1, r, i);
                    seen = final;
                    t0 = t1;
                }
                checked++;
            }
            for (int k = 0; k < 4; k++) free(b[k]);
            free(ref);
            free(got);
        }
    assert_true(checked == sizeof sizes / sizeof sizes[0] * 4 * 4 * 2);
}

/* Pass 1 takes the row above from a table built per quad row (portable
 * and SSE2): the widest blocks our encoder makes, odd quad counts and
 * stale scratch decode to the coefficients coded, on every path. */
static void test_pass1_rows(void **state)
{
    (void)state;
    static const uint32_t sizes[][2] = {{128, 32}, {126, 4}, {18, 6}, {14, 12}, {30, 32}, {128, 2}, {2, 32}};
    int paths[3], npaths = 0;
    const uint32_t have = exrqoi__cpu_detect();
    paths[npaths++] = EXRQOI__PATH_C;
    if (have & EXRQOI__CPU_SSE2) paths[npaths++] = EXRQOI__PATH_SSE2;
    if ((have & BLOCK_AVX2) == BLOCK_AVX2) paths[npaths++] = EXRQOI__PATH_AVX2;
    exrqoi__htj2k_block_scratch *s = malloc(sizeof *s);
    uint8_t *work = malloc(EXRQOI__HTJ2K_BLOCK_WORK), *bytes = malloc(EXRQOI__HTJ2K_BLOCK_MAX + 256);
    int64_t *coef = malloc(sizeof(int64_t) * EXRQOI__HTJ2K_CB_MAX_AREA);
    int32_t *got = malloc(sizeof(int32_t) * EXRQOI__HTJ2K_CB_MAX_AREA);
    assert_non_null(s);
    assert_non_null(work);
    assert_non_null(bytes);
    assert_non_null(coef);
    assert_non_null(got);
    memset(s, 0xA5, sizeof *s);
    for (size_t t = 0; t < sizeof sizes / sizeof sizes[0]; t++)
        for (uint32_t density = 1; density < 5; density++) {
            const uint32_t w = sizes[t][0], h = sizes[t][1];
            for (uint32_t i = 0; i < w * h; i++) {
                const uint32_t r = rnd();
                const int64_t v = (i == 0 || r % 4 < density) ? (int64_t)(rnd() & ((1u << (r % 19)) - 1)) : 0;
                coef[i] = (r & 0x80000000u) ? -v : v;
            }
            const size_t len = exrqoi__htj2k_encode_block(coef, w, (int)w, (int)h, 20, work, bytes);
            assert_true(len > 0);
            exrqoi__htj2k_cblk cb;
            memset(&cb, 0, sizeof cb);
            cb.data = bytes;
            cb.len_cup = (uint32_t)len;
            cb.passes = 1;
            cb.missing = 19;
            cb.width = w;
            cb.height = h;
            for (int k = 0; k < npaths; k++) {
                exrqoi__err e;
                memset(&e, 0, sizeof e);
                assert_int_equal(exrqoi__htj2k_decode_block32_path(s, &cb, got, w, &e, paths[k]), EXRQOI_OK);
                for (uint32_t i = 0; i < w * h; i++)
                    if (got[i] != (int32_t)coef[i])
                        fail_msg("%ux%u density %u path %d: [%u] is %d, coded %d", w, h, density, paths[k], i,
                                 got[i], (int32_t)coef[i]);
            }
        }
    free(s);
    free(work);
    free(bytes);
    free(coef);
    free(got);
}

/* The MagSgn kernels against the portable path where the AVX2 kernel
 * changes its way of reading: odd widths and heights (a last single quad
 * in a row, through the scratch), and MagSgn bytes with 0xFF in every
 * few (stuffed bits, so pairs fall back quad by quad and come back) or
 * one in every 13 or 29 (a pair's bytes hold one 0xFF: the AVX2 kernel
 * unstuffs it in place), up to the end of the segment; every path gives
 * the portable coefficients and result. */
static void test_magsgn_paths_stuffing(void **state)
{
    (void)state;
    static const uint32_t sizes[][2] = {{1, 1}, {3, 2}, {5, 7}, {2, 9}, {126, 32}, {127, 31}, {128, 32}, {30, 30}};
    ms_bench b;
    ms_open(&b, false);
    uint8_t *const bytes = b.bytes;
    int64_t *const coef = b.coef;
    size_t checked = 0, stuffed_ok = 0;
    /* kmax 23: U <= 24, the AVX2 kernel's narrow lanes at their limit */
    for (uint32_t kmax = 23; kmax <= 28; kmax += 5) {
        for (size_t t = 0; t < sizeof sizes / sizeof sizes[0]; t++)
            for (uint32_t density = 0; density < 4; density++) {
                const uint32_t w = sizes[t][0], h = sizes[t][1];
                const uint32_t top = kmax == 28 ? 27 : kmax;
                for (uint32_t i = 0; i < w * h; i++) {
                    const uint32_t r = rnd();
                    /* density 3: magnitudes up to 2^top, pairs past 128 bits */
                    const uint32_t bits = density == 3 ? top - 7 + r % 8 : 4 * density + r % 9;
                    const int64_t v = (r % 4 <= density) ? (int64_t)(rnd() & ((1u << bits) - 1)) : 0;
                    coef[i] = (r & 0x80000000u) ? -v : v;
                }
                coef[0] = -1000 - (int64_t)density; /* not all zero: a coded block */
                const size_t len = exrqoi__htj2k_encode_block(coef, w, (int)w, (int)h, (int)kmax, b.work, bytes);
                assert_true(len > 2);
                const uint32_t scup = ((uint32_t)bytes[len - 1] << 4) | (bytes[len - 2] & 0x0F);
                const uint32_t lms = (uint32_t)len - scup; /* MagSgn bytes */
                for (uint32_t variant = 0; variant < 8; variant++) {
                    const exrqoi__htj2k_cblk cb = ms_block(bytes, len, w, h, 0, kmax);
                    /* variant 0 clean; else 0xFF in every step-th MagSgn byte
                     * from a random start (runs of them with variant 5) */
                    const uint32_t step = variant <= 5 ? variant + 2 : variant == 6 ? 13 : 29;
                    uint8_t *saved = malloc(lms + 1);
                    assert_non_null(saved);
                    memcpy(saved, bytes, lms);
                    if (variant)
                        for (uint32_t k = rnd() % step; k < lms; k += step) {
                            bytes[k] = 0xFF;
                            if (variant == 5 && k + 1 < lms) bytes[k + 1] = 0xFF;
                        }
                    const exrqoi_result r0 = ms_compare(&b, &cb, density, variant, &checked);
                    if (variant == 0) {
                        assert_int_equal(r0, EXRQOI_OK);
                        for (uint32_t y = 0; y < h; y++)
                            for (uint32_t x = 0; x < w; x++)
                                assert_int_equal(b.ref[y * MS_STRIDE + x], (int32_t)coef[y * w + x]);
                    } else if (r0 == EXRQOI_OK) {
                        stuffed_ok++;
                    }
                    memcpy(bytes, saved, lms);
                    free(saved);
                }
            }
    }
    assert_true(checked >= 2 * sizeof sizes / sizeof sizes[0] * 4 * (size_t)b.npaths);
    assert_true(stuffed_ok > 0);
    ms_close(&b);
}

/* The AVX2 MagSgn kernel reads the last 16 bytes of a segment from a copy
 * padded with fill bytes: it gives the portable path's coefficients and
 * errors on short segments (fewer than 16 MagSgn bytes from the start),
 * on blocks whose significant samples come after long zero runs (the
 * reader is near the end for many rows), and on segments cut short so
 * that they end inside a quad pair or before it, or whose last bytes are
 * 0xFF. */
static void test_magsgn_tail(void **state)
{
    (void)state;
    static const uint32_t sizes[][2] = {{2, 2}, {4, 2}, {8, 4}, {6, 6}, {16, 4}, {32, 8}, {64, 16}, {128, 32}, {9, 5}};
    enum { STRIDE = 130, ROWS = 34, MAXLEN = EXRQOI__HTJ2K_BLOCK_MAX + 256 };
    int paths[4], npaths = 0;
    const uint32_t have = exrqoi__cpu_detect();
    paths[npaths++] = exrqoi__cpu_kernels().htdwt;
    if ((have & BLOCK_AVX2) == BLOCK_AVX2) paths[npaths++] = EXRQOI__PATH_AVX2;
    if (have & EXRQOI__CPU_SSE2) paths[npaths++] = EXRQOI__PATH_SSE2;
    exrqoi__htj2k_block_scratch *s = malloc(sizeof *s);
    uint8_t *work = malloc(EXRQOI__HTJ2K_BLOCK_WORK), *bytes = malloc(EXRQOI__HTJ2K_BLOCK_MAX + 256);
    uint8_t *cut = malloc(MAXLEN);
    int64_t *coef = malloc(sizeof(int64_t) * 128 * 32);
    int32_t *ref = malloc(sizeof(int32_t) * STRIDE * ROWS), *got = malloc(sizeof(int32_t) * STRIDE * ROWS);
    assert_non_null(s);
    assert_non_null(work);
    assert_non_null(bytes);
    assert_non_null(cut);
    assert_non_null(coef);
    assert_non_null(ref);
    assert_non_null(got);
    size_t checked = 0, short_segments = 0, cut_ok = 0, cut_bad = 0;
    for (size_t t = 0; t < sizeof sizes / sizeof sizes[0]; t++)
        for (uint32_t density = 0; density < 4; density++)
            for (uint32_t rep = 0; rep < 3; rep++) {
                const uint32_t w = sizes[t][0], h = sizes[t][1], kmax = 20;
                /* density 0: one sample; 1: a few, at the end; 2, 3: sparse
                 * small ones, then a dense last rows */
                for (uint32_t i = 0; i < w * h; i++) {
                    const uint32_t r = rnd(), y = i / w;
                    const bool on = density == 0   ? false
                                    : density == 1 ? y + 2 >= h && r % 3 == 0
                                    : density == 2 ? r % 16 == 0 || (y + 2 >= h && r % 2 == 0)
                                                   : r % 5 == 0 || y + 2 >= h;
                    const int64_t v = on ? (int64_t)(rnd() & ((1u << (1 + rnd() % 18)) - 1)) : 0;
                    coef[i] = (r & 0x80000000u) ? -v : v;
                }
                coef[(w * h - 1) * (rep & 1)] = rep == 2 ? -((1 << 18) + 3) : 5;
                const size_t len = exrqoi__htj2k_encode_block(coef, w, (int)w, (int)h, (int)kmax, work, bytes);
                assert_true(len > 2 && len < MAXLEN);
                const uint32_t scup = ((uint32_t)bytes[len - 1] << 4) | (bytes[len - 2] & 0x0F);
                const uint32_t lms = (uint32_t)len - scup; /* MagSgn bytes */
                if (lms < 16) short_segments++;
                for (uint32_t variant = 0; variant < 8; variant++) {
                    /* 0 clean; 1-4: the MagSgn part cut by 1..4 bytes (ends
                     * inside or before a pair); 5: last byte 0xFF; 6: last
                     * three 0xFF; 7: cut by 1 and the new last byte 0xFF */
                    const uint32_t drop = variant >= 1 && variant <= 4 ? variant : variant == 7 ? 1 : 0;
                    if (drop > lms) continue;
                    const uint32_t nms = lms - drop;
                    memcpy(cut, bytes, nms);
                    memcpy(cut + nms, bytes + lms, scup);
                    if (nms && (variant == 5 || variant == 7)) cut[nms - 1] = 0xFF;
                    if (variant == 6)
                        for (uint32_t k = nms > 3 ? nms - 3 : 0; k < nms; k++) cut[k] = 0xFF;
                    exrqoi__htj2k_cblk cb;
                    memset(&cb, 0, sizeof cb);
                    cb.data = cut;
                    cb.len_cup = nms + scup;
                    cb.passes = 1;
                    cb.p = 0;
                    cb.missing = kmax - 1;
                    cb.width = w;
                    cb.height = h;
                    exrqoi__err e0;
                    memset(&e0, 0, sizeof e0);
                    for (uint32_t i = 0; i < STRIDE * ROWS; i++) ref[i] = 0x5A5A;
                    const exrqoi_result r0 =
                        exrqoi__htj2k_decode_block32_path(s, &cb, ref, STRIDE, &e0, EXRQOI__PATH_C);
                    if (variant == 0) {
                        assert_int_equal(r0, EXRQOI_OK);
                        for (uint32_t y = 0; y < h; y++)
                            for (uint32_t x = 0; x < w; x++)
                                assert_int_equal(ref[y * STRIDE + x], (int32_t)coef[y * w + x]);
                    } else if (r0 == EXRQOI_OK) {
                        cut_ok++;
                    } else {
                        cut_bad++;
                    }
                    for (int k = 0; k < npaths; k++) {
                        exrqoi__err e1;
                        memset(&e1, 0, sizeof e1);
                        for (uint32_t i = 0; i < STRIDE * ROWS; i++) got[i] = 0x5A5A;
                        const exrqoi_result r1 =
                            exrqoi__htj2k_decode_block32_path(s, &cb, got, STRIDE, &e1, paths[k]);
                        assert_int_equal(r1, r0);
                        if (r0 == EXRQOI_OK) {
                            for (uint32_t i = 0; i < STRIDE * ROWS; i++)
                                if (got[i] != ref[i])
                                    fail_msg("%ux%u density %u rep %u variant %u path %d: [%u] is %d, portable %d",
                                             w, h, density, rep, variant, paths[k], i, got[i], ref[i]);
                            checked++;
                        }
                    }
                }
            }
    assert_true(checked >= sizeof sizes / sizeof sizes[0] * 4 * 3 * (size_t)npaths);
    assert_true(short_segments > 0);
    assert_true(cut_ok > 0);
    (void)cut_bad;
    free(s);
    free(work);
    free(bytes);
    free(cut);
    free(coef);
    free(ref);
    free(got);
}

/* Every row width from 30 to 90 samples (the SIMD horizontal steps of 4
 * and 8 pairs, their overlapping last step and the scalar ends in every
 * combination), both origins, on every SIMD path the machine has, gives
 * the portable path's values. */
static void test_wavelet_hor_widths(void **state)
{
    (void)state;
    size_t checked = 0;
    for (uint32_t w = 30; w <= 90; w++)
        for (uint32_t x0 = 0; x0 < 2; x0++) {
            check_2d_32(x0 + 64, 3, w, 3, true);
            checked++;
        }
    assert_true(checked == 61 * 2);
}

/* ---- pass 1 again (htp1c): MEL table, MEL stuffing, first-row U-VLC -- */

/* exrqoi__htj2k_mel_tbl against T.814's symbol read bit by bit */
static void test_mel_table(void **state)
{
    (void)state;
    static const unsigned E[13] = {0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5};
    for (unsigned k = 0; k < 13; k++)
        for (unsigned b = 0; b < 64; b++) {
            const unsigned e = exrqoi__htj2k_mel_tbl[k << 6 | b];
            unsigned code, used, nk;
            if (b >> 5) {
                code = 2u << E[k];
                used = 1;
                nk = k < 12 ? k + 1 : 12;
            } else {
                unsigned r = 0;
                for (unsigned i = 0; i < E[k]; i++) r = r << 1 | (b >> (4 - i) & 1);
                code = 2 * r + 1;
                used = 1 + E[k];
                nk = k > 0 ? k - 1 : 0;
            }
            assert_int_equal(e & 127, code);
            assert_int_equal(e >> 7 & 7, used);
            assert_int_equal(e >> 10, nk);
        }
}

/* MEL streams with 0xFF bytes (long runs of zero events: the bit after
 * each is stuffed) and long enough for the 8-byte refill */
static void test_mel_stuffed(void **state)
{
    (void)state;
    static int ev[20000];
    int stuffed = 0;
    for (int trial = 0; trial < 100; trial++) {
        const size_t n = 2000 + rnd() % 18000;
        const unsigned per_mille = rnd() % 8; /* mostly zero events */
        for (size_t i = 0; i < n; i++) ev[i] = (rnd() % 1000) < per_mille;
        bitw w;
        mel_encode(ev, n, &w);
        w.buf[w.n++] = 0; /* the decoder ORs 0x0F into the segment's last byte */
        for (size_t i = 0; i + 1 < w.n; i++) stuffed += w.buf[i] == 0xFF;
        exrqoi__htj2k_mel m;
        exrqoi__htj2k_mel_init(&m, w.buf, (uint32_t)w.n);
        for (size_t i = 0; i < n; i++) assert_int_equal(exrqoi__htj2k_mel_event(&m), ev[i]);
    }
    assert_true(stuffed > 0);
}

/* the short U-VLC table's first-row modes 4 and 5, as test_uvlc_table
 * checks modes 0-3: where it has an entry, the reference's u and length;
 * it defers exactly the pairs with a "000" prefix read */
static void test_uvlc_short_first(void **state)
{
    (void)state;
    for (unsigned mode = 4; mode < 6; mode++)
        for (unsigned i = 0; i < 256 * 8; i++) {
            const uint64_t bits = (i & 255) | (uint64_t)(i >> 8 ? rnd() : 0) << 8;
            const uint32_t f = exrqoi__htj2k_uvlc_short[mode << 8 | (i & 255)];
            const unsigned p0 = (bits & 1) ? 1 : (bits & 2) ? 2 : 3; /* first prefix length */
            const int long0 = (bits & 7) == 0;
            /* mode 4 after "001": quad 1's u is one bit, no prefix */
            const int long1 = !long0 && !(mode == 4 && p0 == 3) && ((bits >> p0) & 7) == 0;
            check_uvlc_short(f, bits, mode, long0 || long1);
        }
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--print-vlc") == 0) return print_vlc();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vlc_tables),    cmocka_unit_test(test_mel),
        cmocka_unit_test(test_wavelet_line),  cmocka_unit_test(test_wavelet_2d),
        cmocka_unit_test(test_rct),           cmocka_unit_test(test_wavelet_2d_32),
        cmocka_unit_test(test_rct32),           cmocka_unit_test(test_chunk_header),
        cmocka_unit_test(test_damaged_chunks), cmocka_unit_test(test_header_mismatch),
        cmocka_unit_test(test_block_paths),   cmocka_unit_test(test_block32),
        cmocka_unit_test(test_put_line32_paths), cmocka_unit_test(test_uvlc_table),
        cmocka_unit_test(test_magsgn_paths),  cmocka_unit_test(test_segments),
        cmocka_unit_test(test_wavelet_rows),  cmocka_unit_test(test_pass1_rows),
        cmocka_unit_test(test_magsgn_paths_stuffing),
        cmocka_unit_test(test_magsgn_tail),
        cmocka_unit_test(test_wavelet_hor_widths),
        cmocka_unit_test(test_mel_table),     cmocka_unit_test(test_mel_stuffed),
        cmocka_unit_test(test_uvlc_short_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
