/* Test support: the helpers the tests share, once (tests/support/, the
 * static library exrqoi_test_support that the unit tests link). Not part
 * of the library. */
#ifndef EXRQOI_TEST_SUPPORT_H
#define EXRQOI_TEST_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exrqoi/exrqoi.h"

/* ---- deterministic pseudo-random numbers ----------------------------------
 * Each test keeps its own state and seed, so a test's data stay the same
 * on every platform and every run. Each returns the new state; tests take
 * the bits they want from it. (Inline: some tests draw millions.) */

/* Marsaglia's xorshift32 (shifts 13, 17, 5); the state must not be 0. */
static inline uint32_t ts_xorshift32(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

/* xorshift64 (shifts 13, 7, 17); the state must not be 0. */
static inline uint64_t ts_xorshift64(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

/* Linear congruential, Numerical Recipes' constants (1664525, 1013904223). */
static inline uint32_t ts_lcg(uint32_t *state)
{
    return *state = *state * 1664525u + 1013904223u;
}

/* Linear congruential, the C standard's sample rand() constants
 * (1103515245, 12345). */
static inline uint32_t ts_lcg_ansi(uint32_t *state)
{
    return *state = *state * 1103515245u + 12345u;
}

/* ---- files ---------------------------------------------------------------- */

/* The whole file at `path` in memory from malloc() (free() it), with one
 * zero byte after its end; its length in *size. NULL when the file cannot
 * be opened or read whole. */
void *ts_read_file(const char *path, size_t *size);

/* Writes `size` bytes to `path` (created or truncated); false on failure. */
bool ts_write_file(const char *path, const void *data, size_t size);

/* ---- headers (cmocka: a failed call fails the test) ---------------------- */

/* exrqoi_header_init_image() for the data window `dw` with compression
 * `c`; the display window is `*display`, or without one the (0,0)-based
 * window of the same size that init_image gives. */
void ts_header_image(exrqoi_header *h, exrqoi_box2i dw, const exrqoi_box2i *display, exrqoi_compression c);

/* Adds `n` channels named `names`, of `types`, sampled 1 x 1. */
void ts_header_add_channels(exrqoi_header *h, int n, const char *const *names, const exrqoi_pixel_type *types);

#endif
