/* Bulk half <-> float conversion for the slice copies: portable C, SSE2,
 * F16C and NEON. Every path gives the
 * bits of exrqoi__h2f / exrqoi__f2h (common/half.h), NaN payloads
 * included, whatever the caller's MXCSR rounding / flush modes. */
#ifndef EXRQOI_HALF_SIMD_H
#define EXRQOI_HALF_SIMD_H

#include "common/cpu.h"
#include "common/internal.h"

/* Paths (common/cpu.h): EXRQOI__PATH_C, _SSE2, _AVX2 (F16C), _NEON, as
 * exrqoi__kernels.half chose it; a path the build lacks runs the portable
 * code, a path the CPU lacks must not be asked. */

/* n little-endian halves at src (any alignment) to native floats. */
EXRQOI_INTERNAL void exrqoi__h2f_n_path(int path, const uint8_t *src, uint8_t *dst, size_t n);
/* n native floats (any alignment) to little-endian halves. */
EXRQOI_INTERNAL void exrqoi__f2h_n_path(int path, const uint8_t *src, uint8_t *dst, size_t n);

#endif
