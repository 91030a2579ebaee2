/* The ZIP/RLE byte predictor: portable and SIMD versions, exposed so a
 * unit test can check that every path gives the same bytes. Callers use
 * exrqoi__zip_*_path with their context's exrqoi__kernels.zip. */
#ifndef EXRQOI_PREDICT_H
#define EXRQOI_PREDICT_H

#include "codec/codec.h"
#include "common/cpu.h"

/* Paths for exrqoi__zip_*_path: EXRQOI__PATH_C, _SSE2, _AVX2 or _NEON
 * (common/cpu.h), as exrqoi__kernels.zip chose it; a path the build
 * lacks runs the portable code, a path the CPU lacks must not be asked. */
EXRQOI_INTERNAL void exrqoi__zip_predict_path(int path, const uint8_t *in, size_t n, uint8_t *out);
/* Like exrqoi__zip_unpredict: `buf` is clobbered. */
EXRQOI_INTERNAL void exrqoi__zip_unpredict_path(int path, uint8_t *buf, size_t n, uint8_t *out);

/* Like exrqoi__zip_unpredict_segments. */
EXRQOI_INTERNAL void exrqoi__zip_unpredict_segments_path(int path, uint8_t *buf, size_t n,
                                                         const exrqoi__segment *seg, size_t nseg);

#endif
