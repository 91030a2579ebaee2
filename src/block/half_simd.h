/* Bulk half <-> float conversion for the slice copies: portable C, SSE2
 * (x86-64 baseline) and F16C (picked at run time). Every path gives the
 * bits of exrqoi__h2f / exrqoi__f2h (common/half.h), NaN payloads
 * included, whatever the caller's MXCSR rounding / flush modes. */
#ifndef EXRQOI_HALF_SIMD_H
#define EXRQOI_HALF_SIMD_H

#include "common/internal.h"

/* Paths: 0 portable C, 1 SSE2, 2 F16C. A path the build or CPU lacks
 * falls back to the next slower one. */
EXRQOI_INTERNAL int exrqoi__half_best_path(void);

/* n little-endian halves at src (any alignment) to native floats. */
EXRQOI_INTERNAL void exrqoi__h2f_n_path(int path, const uint8_t *src, uint8_t *dst, size_t n);
/* n native floats (any alignment) to little-endian halves. */
EXRQOI_INTERNAL void exrqoi__f2h_n_path(int path, const uint8_t *src, uint8_t *dst, size_t n);

EXRQOI_INTERNAL void exrqoi__h2f_n(const uint8_t *src, uint8_t *dst, size_t n);
EXRQOI_INTERNAL void exrqoi__f2h_n(const uint8_t *src, uint8_t *dst, size_t n);

#endif
