/*
 * OpenEXR's Huffman coder (used by PIZ and by DWA's AC coefficients).
 * Stream format as OpenEXR's internal_huf.c: a 20-byte header (im, iM,
 * tableLength, nBits, reserved), the run-length packed code-length table,
 * then the bit stream.
 */
#ifndef EXRQOI_HUF_H
#define EXRQOI_HUF_H

#include "codec/record.h"

/* Decodes `src` into exactly `n_out` 16-bit values. Any inconsistency
 * (table, bit count, output count) is EXRQOI_ERR_CORRUPT. */
EXRQOI_INTERNAL exrqoi_result exrqoi__huf_decompress(exrqoi__codec_ctx *ctx, const uint8_t *src,
                                                     size_t src_size, uint16_t *out, size_t n_out);
/* The same with a chosen implementation, for tests: 0 portable, one
 * reader; 1 portable, large streams in two halves at once (16-bit tables
 * when the alphabet allows); 2 as 1 with BMI2 instructions (x86, falls
 * back to 1 when the CPU lacks them); 3 and 4 as 1 and 2 with the 32-bit
 * tables only. Every path gives the same result. */
EXRQOI_INTERNAL exrqoi_result exrqoi__huf_decompress_path(int path, exrqoi__codec_ctx *ctx,
                                                          const uint8_t *src, size_t src_size,
                                                          uint16_t *out, size_t n_out);
/* Values of the first piece repeated before the second one (below). */
#define HUF_OVERLAP 64
/* exrqoi__huf_decompress without the final copy of a stream decoded in
 * two halves: then *tail is set to the second piece and *head to the
 * count of values in out (>= HUF_OVERLAP); the values are out[0 ..
 * *head) followed by tail[0 .. n_out - *head), and tail[-HUF_OVERLAP ..
 * -1] repeats the last HUF_OVERLAP of out. The piece lives in the ctx's
 * Huffman scratch: valid until the next Huffman call on ctx. Otherwise
 * *tail is NULL and all n_out values are in out. */
EXRQOI_INTERNAL exrqoi_result exrqoi__huf_decompress_parts(exrqoi__codec_ctx *ctx,
                                                           const uint8_t *src, size_t src_size,
                                                           uint16_t *out, size_t n_out,
                                                           const uint16_t **tail, size_t *head);
/* The same with a chosen path (as exrqoi__huf_decompress_path). */
EXRQOI_INTERNAL exrqoi_result exrqoi__huf_decompress_parts_path(int path, exrqoi__codec_ctx *ctx,
                                                                const uint8_t *src, size_t src_size,
                                                                uint16_t *out, size_t n_out,
                                                                const uint16_t **tail,
                                                                size_t *head);
/* Worst-case encoded size of n 16-bit values. */
EXRQOI_INTERNAL size_t exrqoi__huf_bound(size_t n);
/* Encodes n values into dst (capacity >= exrqoi__huf_bound(n)); *out_size
 * gets the bytes written. Output identical to OpenEXR's encoder. */
EXRQOI_INTERNAL exrqoi_result exrqoi__huf_compress(exrqoi__codec_ctx *ctx, const uint16_t *in,
                                                   size_t n, uint8_t *dst, size_t dst_cap,
                                                   size_t *out_size);

#endif
