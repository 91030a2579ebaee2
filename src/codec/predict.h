/* The ZIP/RLE byte predictor: portable and SIMD versions, exposed so a
 * unit test can check that every path gives the same bytes. Callers use
 * exrqoi__zip_predict / exrqoi__zip_unpredict (codec.h), which pick the
 * fastest path the CPU has. */
#ifndef EXRQOI_PREDICT_H
#define EXRQOI_PREDICT_H

#include "codec/codec.h"

/* Paths for exrqoi__zip_*_path: 0 portable C, 1 SSE2, 2 AVX2. A path the
 * build or CPU lacks falls back to the next slower one. */
EXRQOI_INTERNAL int exrqoi__zip_best_path(void);
EXRQOI_INTERNAL void exrqoi__zip_predict_path(int path, const uint8_t *in, size_t n, uint8_t *out);
/* Like exrqoi__zip_unpredict: `buf` is clobbered. */
EXRQOI_INTERNAL void exrqoi__zip_unpredict_path(int path, uint8_t *buf, size_t n, uint8_t *out);

/* Like exrqoi__zip_unpredict_segments. */
EXRQOI_INTERNAL void exrqoi__zip_unpredict_segments_path(int path, uint8_t *buf, size_t n,
                                                         const exrqoi__segment *seg, size_t nseg);

#endif
