/* The SIMD paths of the hot loops (ZIP predictor, half<->float) must give
 * exactly the bytes of the portable C paths, on random data of every
 * length around the vector widths. Every path the CPU (less
 * EXRQOI_DISABLE_CPU_FEATURES) has is compared: SSE2 and AVX2 on x86-64,
 * NEON on AArch64. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "block/half_simd.h"
#include "codec/predict.h"
#include "common/cpu.h"
#include "common/half.h"
#include "test_support.h"

/* A path the kernels for this CPU allow: the portable one, the x86 ones
 * up to the best, or NEON when that is the best. */
static bool usable(int path, int best)
{
    if (path == EXRQOI__PATH_C) return true;
    if (best == EXRQOI__PATH_NEON) return path == EXRQOI__PATH_NEON;
    return path != EXRQOI__PATH_NEON && path <= best;
}

static uint32_t rng_state = 12345u;
static uint8_t rnd8(void) { return (uint8_t)(ts_lcg(&rng_state) >> 24); }

static void fill(uint8_t *p, size_t n, int mode)
{
    /* random bytes, and smooth data (long carries through the prefix sums) */
    uint8_t v = rnd8();
    for (size_t i = 0; i < n; i++) {
        if (mode == 0)
            p[i] = rnd8();
        else
            p[i] = v += (uint8_t)(rnd8() & 3);
    }
}

static void test_predict_paths(void **state)
{
    (void)state;
    enum { MAX = 1200 };
    uint8_t *in = malloc(MAX), *ref = malloc(MAX), *got = malloc(MAX);
    uint8_t *b1 = malloc(MAX), *b2 = malloc(MAX), *u1 = malloc(MAX + 1), *u2 = malloc(MAX + 1);
    assert_non_null(in && ref && got && b1 && b2 && u1 && u2);
    for (int mode = 0; mode < 2; mode++) {
        for (size_t n = 1; n <= MAX; n += (n < 140 ? 1 : 37)) {
            fill(in, n, mode);
            exrqoi__zip_predict_path(0, in, n, ref);
            for (int path = 1; path <= EXRQOI__PATH_NEON; path++) {
                if (!usable(path, exrqoi__cpu_kernels().zip)) continue;
                memset(got, 0xcd, MAX);
                exrqoi__zip_predict_path(path, in, n, got);
                assert_memory_equal(ref, got, n);
                memcpy(b1, ref, n);
                memcpy(b2, ref, n);
                memset(u1, 0x11, MAX + 1);
                memset(u2, 0x22, MAX + 1);
                exrqoi__zip_unpredict_path(0, b1, n, u1);
                exrqoi__zip_unpredict_path(path, b2, n, u2);
                assert_memory_equal(u1, u2, n);
                assert_memory_equal(u1, in, n); /* and it round-trips */
                assert_int_equal(u2[n], 0x22);  /* nothing written past the end */
            }
        }
    }
    free(in); free(ref); free(got); free(b1); free(b2); free(u1); free(u2);
}

/* Unpredicting into segments (with unwanted runs, odd and empty ones)
 * must place every byte where the plain unpredict puts it. */
static void test_unpredict_segments(void **state)
{
    (void)state;
    enum { MAX = 3000 };
    uint8_t *in = malloc(MAX), *ref = malloc(MAX), *b = malloc(MAX), *out = malloc(MAX + 64);
    assert_non_null(in && ref && b && out);
    exrqoi__segment seg[64];
    for (int round = 0; round < 400; round++) {
        size_t n = 1 + (size_t)(rnd8() | (rnd8() << 8)) % MAX;
        fill(in, n, round & 1);
        exrqoi__zip_predict_path(0, in, n, ref);
        /* random cut points; every third segment unwanted */
        size_t nseg = 0, p = 0;
        while (p < n && nseg < 63) {
            size_t len = (size_t)(rnd8() % 4 == 0 ? rnd8() % 8 : rnd8() * 3u + rnd8() % 2);
            if (len > n - p) len = n - p;
            seg[nseg].dst = (nseg % 3 == 2) ? NULL : out + 32 + p;
            seg[nseg].len = len;
            nseg++;
            p += len;
        }
        if (p < n) {
            seg[nseg].dst = out + 32 + p;
            seg[nseg].len = n - p;
            nseg++;
        }
        for (int path = 0; path <= EXRQOI__PATH_NEON; path++) {
            if (!usable(path, exrqoi__cpu_kernels().zip)) continue;
            memcpy(b, ref, n);
            memset(out, 0x5a, MAX + 64);
            exrqoi__zip_unpredict_segments_path(path, b, n, seg, nseg);
            size_t q = 0;
            for (size_t s = 0; s < nseg; s++) {
                for (size_t k = 0; k < seg[s].len; k++)
                    assert_int_equal(out[32 + q + k], seg[s].dst ? in[q + k] : 0x5a);
                q += seg[s].len;
            }
            for (size_t k = 0; k < 32; k++) assert_int_equal(out[k], 0x5a);
            for (size_t k = 32 + n; k < MAX + 64; k++) assert_int_equal(out[k], 0x5a);
        }
    }
    free(in); free(ref); free(b); free(out);
}

/* Segment lists as the planners make them (even lengths summing to n):
 * runs shorter than, equal to and longer than a vector step, unwanted
 * runs, empty ones, and destinations scattered at every alignment, so the
 * vector paths' in-place steps, redone segment ends and short runs all
 * meet the portable path's bytes. Guard bytes around every destination
 * must stay untouched. */
static void test_unpredict_segments_even(void **state)
{
    (void)state;
    enum { MAXN = 6000, MAXSEG = 200, GAP = 72 };
    uint8_t *in = malloc(MAXN), *ref = malloc(MAXN), *b = malloc(MAXN);
    size_t cap = MAXN + (size_t)MAXSEG * GAP + 64;
    uint8_t *out = malloc(cap), *want = malloc(cap);
    assert_non_null(in && ref && b && out && want);
    exrqoi__segment seg[MAXSEG];
    for (int round = 0; round < 600; round++) {
        size_t n = 2 * (1 + (size_t)(rnd8() | (rnd8() << 8)) % (MAXN / 2));
        fill(in, n, round & 1);
        exrqoi__zip_predict_path(0, in, n, ref);
        size_t nseg = 0, p = 0, o = 0;
        int style = round % 4;
        while (p < n && nseg < MAXSEG - 1) {
            size_t len;
            switch (rnd8() % 6) {
            case 0: len = 2u * (rnd8() % 32); break;          /* under a step, maybe empty */
            case 1: len = 64u * (1u + rnd8() % 4); break;     /* whole steps */
            case 2: len = 64u + 2u * (rnd8() % 32); break;    /* one step and a bit */
            default: len = 2u * (rnd8() % 400); break;
            }
            if (style == 3) len = 128; /* a regular layout: one line per run */
            if (len > n - p) len = n - p;
            o += (size_t)(rnd8() % GAP);                      /* any alignment */
            seg[nseg].dst = (style != 2 && rnd8() % 4 == 0) ? NULL : out + o;
            seg[nseg].len = len;
            if (seg[nseg].dst) o += len;
            nseg++;
            p += len;
        }
        if (p < n) {
            seg[nseg].dst = out + o;
            seg[nseg].len = n - p;
            nseg++;
        }
        memset(want, 0x5a, cap);
        for (size_t s = 0, q = 0; s < nseg; q += seg[s].len, s++)
            if (seg[s].dst) memcpy(want + (seg[s].dst - out), in + q, seg[s].len);
        for (int path = 0; path <= EXRQOI__PATH_NEON; path++) {
            if (!usable(path, exrqoi__cpu_kernels().zip)) continue;
            memcpy(b, ref, n);
            memset(out, 0x5a, cap);
            exrqoi__zip_unpredict_segments_path(path, b, n, seg, nseg);
            assert_memory_equal(out, want, cap);
        }
    }
    free(in); free(ref); free(b); free(out); free(want);
}

/* Every half, through every path, unaligned, at lengths that leave tails. */
static void test_half_to_float_paths(void **state)
{
    (void)state;
    enum { N = 65536 };
    uint8_t *h = malloc(2 * N + 1), *ref = malloc(4 * N), *got = malloc(4 * N + 1);
    assert_non_null(h && ref && got);
    for (uint32_t i = 0; i < N; i++) exrqoi__put16(h + 1 + 2 * i, (uint16_t)i);
    for (uint32_t i = 0; i < N; i++) {
        uint32_t bits = exrqoi__h2f_bits((uint16_t)i);
        memcpy(ref + 4 * i, &bits, 4);
    }
    for (int path = 0; path <= EXRQOI__PATH_NEON; path++) {
        if (!usable(path, exrqoi__cpu_kernels().half)) continue;
        memset(got, 0, 4 * N + 1);
        exrqoi__h2f_n_path(path, h + 1, got + 1, N);
        assert_memory_equal(ref, got + 1, 4 * N);
        /* short runs starting anywhere */
        for (size_t start = 0; start < 40; start++) {
            memset(got, 0, 64);
            exrqoi__h2f_n_path(path, h + 1 + 2 * (0x7bf0 + start), got, 13);
            assert_memory_equal(ref + 4 * (0x7bf0 + start), got, 4 * 13);
        }
    }
    free(h); free(ref); free(got);
}

static uint32_t rnd32(void) { return (uint32_t)rnd8() << 24 | (uint32_t)rnd8() << 16 | (uint32_t)rnd8() << 8 | rnd8(); }

/* Random and special floats (NaNs with every kind of payload, rounding
 * ties, the subnormal and overflow edges), every path against exrqoi__f2h. */
static void test_float_to_half_paths(void **state)
{
    (void)state;
    enum { N = 1 << 18 };
    uint32_t *bits = malloc(4 * N);
    uint8_t *src = malloc(4 * N + 1), *ref = malloc(2 * N), *got = malloc(2 * N + 1);
    assert_non_null(bits && src && ref && got);
    static const uint32_t special[] = {
        0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7f800001u, 0x7fc00000u, 0xffc00001u,
        0x7f802000u, 0x7fbfffffu, 0x7f801fffu, 0xff802000u, 0x477fefffu, 0x477ff000u, 0x477fe000u,
        0xc77ff000u, 0x7f7fffffu, 0x38800000u, 0x387fffffu, 0x33000000u, 0x33000001u, 0x32ffffffu,
        0x00000001u, 0x807fffffu, 0x3f801000u, 0x3f803000u, 0x3f800fffu, 0x3f801001u, 0x38801000u,
        0x38000000u, 0x38001000u, 0x37fff000u, 0x3c000000u};
    size_t ns = sizeof special / sizeof special[0];
    for (size_t i = 0; i < N; i++) {
        uint32_t r = rnd32();
        switch (i % 8) {
        case 0: bits[i] = special[(i / 8) % ns]; break;
        case 1: bits[i] = (r & 0x80001fffu) | 0x7f800000u; break; /* NaN, low payloads */
        case 2: bits[i] = (r & 0x8fffe000u) | 0x30000000u | 0x1000u; break; /* ties near 1 and the subnormals */
        case 3: bits[i] = (r & 0x87ffffffu) | 0x30000000u; break; /* subnormal-result range */
        default: bits[i] = r; break;
        }
    }
    memcpy(src + 1, bits, 4 * N);
    for (size_t i = 0; i < N; i++) {
        float f;
        memcpy(&f, &bits[i], 4);
        exrqoi__put16(ref + 2 * i, exrqoi__f2h(f));
    }
    for (int path = 0; path <= EXRQOI__PATH_NEON; path++) {
        if (!usable(path, exrqoi__cpu_kernels().half)) continue;
        memset(got, 0, 2 * N + 1);
        exrqoi__f2h_n_path(path, src + 1, got + 1, N);
        for (size_t i = 0; i < N; i++)
            if (memcmp(ref + 2 * i, got + 1 + 2 * i, 2) != 0)
                fail_msg("path %d: float bits 0x%08x gave half 0x%04x, want 0x%04x", path, bits[i],
                         exrqoi__le16(got + 1 + 2 * i), exrqoi__le16(ref + 2 * i));
        for (size_t start = 0; start < 24; start++) {
            memset(got, 0, 64);
            exrqoi__f2h_n_path(path, src + 1 + 4 * start, got, 11);
            assert_memory_equal(ref + 2 * start, got, 2 * 11);
        }
    }
    /* every half round-trips through float on every path */
    uint8_t *h = malloc(2 * 65536), *f = malloc(4 * 65536), *back = malloc(2 * 65536);
    assert_non_null(h && f && back);
    for (uint32_t i = 0; i < 65536; i++) exrqoi__put16(h + 2 * i, (uint16_t)i);
    exrqoi__h2f_n_path(0, h, f, 65536);
    for (int path = 0; path <= EXRQOI__PATH_NEON; path++) {
        if (!usable(path, exrqoi__cpu_kernels().half)) continue;
        exrqoi__f2h_n_path(path, f, back, 65536);
        for (uint32_t i = 0; i < 65536; i++) {
            float x;
            memcpy(&x, f + 4 * i, 4);
            assert_int_equal(exrqoi__le16(back + 2 * i), exrqoi__f2h(x));
        }
    }
    free(h); free(f); free(back);
    free(bits); free(src); free(ref); free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_predict_paths),
        cmocka_unit_test(test_unpredict_segments),
        cmocka_unit_test(test_unpredict_segments_even),
        cmocka_unit_test(test_half_to_float_paths),
        cmocka_unit_test(test_float_to_half_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
