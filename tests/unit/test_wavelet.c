/* PIZ wavelet: the SIMD path gives exactly the portable path's words, for
 * both basis variants, every small shape, both x steps PIZ uses (1 word
 * for 16-bit samples, 2 for 32-bit ones), with padding that must stay
 * untouched; and decoding inverts encoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec/wavelet.h"
#include "common/cpu.h"
#include "test_support.h"

static uint32_t rng_state = 424242u;
static uint32_t rnd(void) { return ts_xorshift32(&rng_state); }

/* Values below `limit`, or (limit 0) any 16-bit value. */
static void fill(uint16_t *p, size_t n, uint32_t limit)
{
    for (size_t i = 0; i < n; i++) p[i] = (uint16_t)(limit ? rnd() % limit : rnd());
}

static void check_shape(int nx, int ny, int ox, int pad, uint32_t limit)
{
    int oy = nx * ox + pad;
    size_t n = (size_t)oy * (size_t)ny + 8;
    uint16_t *orig = malloc(n * 2), *a = malloc(n * 2), *b = malloc(n * 2);
    assert_non_null(orig);
    assert_non_null(a);
    assert_non_null(b);
    fill(orig, n, limit);
    /* max_value picks the variant: the data's bound, or beyond 14 bits */
    uint16_t max_value = (uint16_t)(limit ? limit - 1 : 65535);

    for (int j = 0; j < ox; j++) {
        memcpy(a, orig, n * 2);
        memcpy(b, orig, n * 2);
        exrqoi__wav_encode_path(0, a + j, nx, ox, ny, oy, max_value);
        exrqoi__wav_encode_path(exrqoi__cpu_kernels().piz, b + j, nx, ox, ny, oy, max_value);
        assert_memory_equal(a, b, n * 2);
        /* decoding random words (not only encoder output) agrees too */
        memcpy(a, orig, n * 2);
        memcpy(b, orig, n * 2);
        exrqoi__wav_decode_path(0, a + j, nx, ox, ny, oy, max_value);
        exrqoi__wav_decode_path(exrqoi__cpu_kernels().piz, b + j, nx, ox, ny, oy, max_value);
        assert_memory_equal(a, b, n * 2);
        /* round trip (the 14-bit variant is exact for values < 2^14) */
        memcpy(a, orig, n * 2);
        exrqoi__wav_encode(a + j, nx, ox, ny, oy, max_value);
        exrqoi__wav_decode(a + j, nx, ox, ny, oy, max_value);
        assert_memory_equal(a, orig, n * 2);
    }
    free(orig);
    free(a);
    free(b);
}

static void test_small_shapes(void **state)
{
    (void)state;
    const uint32_t limits[] = {1u << 14, 300, 0, 1u << 15};
    for (int li = 0; li < 4; li++)
        for (int nx = 1; nx <= 21; nx++)
            for (int ny = 1; ny <= 9; ny++)
                for (int ox = 1; ox <= 2; ox++) check_shape(nx, ny, ox, (nx + ny) % 3, limits[li]);
}

static void test_large_shapes(void **state)
{
    (void)state;
    const int shapes[][2] = {{64, 32}, {643, 32}, {128, 128}, {1000, 17}, {37, 200}, {256, 3}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int ox = 1; ox <= 2; ox++) {
            check_shape(shapes[s][0], shapes[s][1], ox, 0, 1u << 14);
            check_shape(shapes[s][0], shapes[s][1], ox, 5, 0);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_shapes),
        cmocka_unit_test(test_large_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
