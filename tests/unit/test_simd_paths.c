/* The SIMD paths of the hot loops (ZIP predictor, half<->float) must give
 * exactly the bytes of the portable C paths, on random data of every
 * length around the vector widths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec/predict.h"

static uint32_t rng_state = 12345u;
static uint8_t rnd8(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (uint8_t)(rng_state >> 24);
}

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
            for (int path = 1; path <= 2; path++) {
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_predict_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
