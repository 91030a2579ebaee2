/* The DWA decoder's AC run walk (exrqoi__dwa_unrle): every kernel path
 * (SSE2 on x86-64, NEON on AArch64) against the portable one on random
 * symbol streams: values, runs of every length, end marks, blocks whose
 * runs overshoot slot 63, and streams that end inside a block. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec/dwa.h"
#include "test_support.h"

static uint32_t rng_state = 4242;
static uint32_t rnd(void) { return ts_xorshift32(&rng_state); }

/* A random AC symbol: end marks one in `end_odds`, runs of 1..max_run. */
static uint16_t symbol(uint32_t end_odds, uint32_t max_run)
{
    uint32_t r = rnd();
    if (r % end_odds == 0) return 0xff00u;
    if ((r >> 4) % 3 == 0) return (uint16_t)(0xff00u | (1 + (r >> 8) % max_run));
    return (uint16_t)((r >> 8) % 0xff00u); /* a coefficient: anything below 0xff00 */
}

static void test_unrle_paths(void **state)
{
    (void)state;
    enum { N = 3000 };
    uint16_t *ac = malloc(N * sizeof *ac);
    assert_non_null(ac);
    uint16_t ref[80], got[80];
    int paths = exrqoi__dwa_best_path() + 1, blocks = 0, overshoots = 0, ends = 0;
    for (int iter = 0; iter < 300; iter++) {
        uint32_t end_odds = 4 + (uint32_t)(iter % 5) * 20, max_run = iter % 3 == 0 ? 255 : 8;
        for (int i = 0; i < N; i++) ac[i] = symbol(end_odds, max_run);
        /* a stream cut anywhere: the last block may run out of symbols */
        size_t n = N - rnd() % 200;
        size_t pos_ref = 0;
        while (pos_ref < n) {
            size_t start = pos_ref;
            memset(ref, 0, sizeof ref);
            int last_ref = exrqoi__dwa_unrle(DWA_PATH_C, ac, n, &pos_ref, ref);
            blocks++;
            if (last_ref < 0) ends++;
            else if (ac[pos_ref - 1] != 0xff00u) overshoots++;
            for (int path = 1; path < paths; path++) {
                size_t pos = start;
                memset(got, 0, sizeof got);
                int last = exrqoi__dwa_unrle(path, ac, n, &pos, got);
                if (last != last_ref || (last >= 0 && pos != pos_ref))
                    fail_msg("path %d: last %d pos %zu, portable last %d pos %zu (block at %zu)", path, last,
                             pos, last_ref, pos_ref, start);
                if (last >= 0) assert_memory_equal(got, ref, 64 * sizeof *got);
            }
            if (last_ref < 0) break;
        }
    }
    /* every kind of block end was met */
    assert_true(blocks > 1000);
    assert_true(overshoots > 50);
    assert_true(ends > 50);
    free(ac);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unrle_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
