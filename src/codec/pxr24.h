/* PXR24 internals exposed for tests. */
#ifndef EXRQOI_PXR24_H
#define EXRQOI_PXR24_H

#include "codec/record.h"

/* Plane-to-line rebuild kernels (the values of EXRQOI__PATH_*): 0 portable
 * C, 1 SSE2 (x86-64 baseline), 2 AVX2 (the caller checks the CPU has it),
 * 3 NEON (AArch64); one the build lacks falls back to 0. Every path gives
 * the same bytes. */
enum { PXR24_PATH_C = 0, PXR24_PATH_SSE2 = 1, PXR24_PATH_AVX2 = 2, PXR24_PATH_NEON = 3 };

/* Rebuilds the unpacked lines of block `b` into dst from the byte planes
 * in `in` (`avail` bytes) with the chosen kernel path. */
EXRQOI_INTERNAL exrqoi_result exrqoi__pxr24_unplane_path(exrqoi__codec_ctx *ctx,
                                                         const exrqoi__block_layout *b,
                                                         const uint8_t *in, size_t avail,
                                                         uint8_t *dst, int path);

/* Decodes a PXR24 block delivering its unpacked bytes through segments
 * (see exrqoi__segment) whose lengths must sum to b->unpacked_size: lines
 * go straight to their destination, unwanted lines are not rebuilt. For
 * exrqoi__decompress_block_covered, whose caller checks the sum. */
EXRQOI_INTERNAL exrqoi_result exrqoi__pxr24_decompress_segments(exrqoi__codec_ctx *ctx,
                                                                const exrqoi__block_layout *b,
                                                                const uint8_t *src, size_t n,
                                                                const exrqoi__segment *seg,
                                                                size_t nseg);

#endif
