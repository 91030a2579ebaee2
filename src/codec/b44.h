/* B44/B44A internals exposed so a unit test can check that the SIMD and
 * portable paths give the same samples. The codec entries take the path
 * from their context's exrqoi__kernels.b44. */
#ifndef EXRQOI_B44_H
#define EXRQOI_B44_H

#include "codec/record.h"

/* Decodes like the B44/B44A decompress entry: path 0 portable C, any
 * other the vector code, SSE2 on x86 or NEON on AArch64 (falls back to 0
 * where the build has neither; NEON decodes only). */
EXRQOI_INTERNAL exrqoi_result exrqoi__b44_decompress_path(int path, exrqoi__codec_ctx *ctx,
                                                          const exrqoi__block_layout *b,
                                                          const uint8_t *src, size_t n,
                                                          uint8_t *dst);
/* Encodes like the compress entry (B44A flat blocks when
 * b->compression is B44A), path as above. */
EXRQOI_INTERNAL exrqoi_result exrqoi__b44_compress_path(int path, exrqoi__codec_ctx *ctx,
                                                        const exrqoi__block_layout *b,
                                                        const uint8_t *src, uint8_t *dst,
                                                        size_t cap, size_t *out_size);
/* The segment decoder of the B44/B44A records. */
EXRQOI_INTERNAL exrqoi_result exrqoi__b44_decompress_segments(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                                              const uint8_t *src, size_t n,
                                                              const exrqoi__segment *seg, size_t nseg);

#endif
