/*
 * The codec registry: the table of codec records (one line per codec in
 * codec.c) and the dispatchers the rest of the library calls, which apply
 * the rules common to every codec (stored raw, maximum expansion). The
 * records and the services codecs use are in codec/record.h and
 * codec/services.h; codecs include those, never this header.
 */
#ifndef EXRQOI_CODEC_H
#define EXRQOI_CODEC_H

#include "codec/record.h"

/* EXRQOI_OK when `packed_size` packed bytes of compression `c` can decode
 * to `unpacked_size` bytes: they are stored raw (equal sizes, every codec)
 * or the codec's max_unpacked allows it. Otherwise EXRQOI_ERR_CORRUPT
 * recorded in `err` (may be NULL), saying why; the caller names the chunk.
 * `block` may be NULL (deep data). Allocates nothing. */
EXRQOI_INTERNAL exrqoi_result exrqoi__check_expansion(exrqoi_compression c, const exrqoi__block_layout *block,
                                                      uint64_t packed_size, uint64_t unpacked_size,
                                                      exrqoi__err *err);

/* The record of compression `c`, or NULL when the method is unknown. */
EXRQOI_INTERNAL const exrqoi__codec *exrqoi__codec_get(exrqoi_compression c);

/* Dispatchers applying the stored-raw rule (packed size == unpacked size
 * means the bytes are stored uncompressed, for every codec; on encode,
 * output that would not be smaller is stored raw, as OpenEXR does). */
EXRQOI_INTERNAL exrqoi_result exrqoi__decompress_block(exrqoi__codec_ctx *ctx,
                                                       const exrqoi__block_layout *block,
                                                       const uint8_t *src, size_t src_size,
                                                       uint8_t *dst);
/* On success *out points into scratch EXRQOI__SCRATCH_PACKED (or
 * at `src` itself when stored raw) and stays valid until the next call. */
EXRQOI_INTERNAL exrqoi_result exrqoi__compress_block(exrqoi__codec_ctx *ctx,
                                                     const exrqoi__block_layout *block,
                                                     const uint8_t *src, const uint8_t **out,
                                                     size_t *out_size);

/* exrqoi__compress_block into the caller's buffer: dst_cap must be at
 * least exrqoi__compress_bound(block) (0: the method cannot be written).
 * *raw is set when the block is to be stored uncompressed (dst unused,
 * *out_size = unpacked size). */
EXRQOI_INTERNAL size_t exrqoi__compress_bound(const exrqoi__block_layout *block);
EXRQOI_INTERNAL exrqoi_result exrqoi__compress_block_to(exrqoi__codec_ctx *ctx,
                                                        const exrqoi__block_layout *block,
                                                        const uint8_t *src, uint8_t *dst, size_t dst_cap,
                                                        size_t *out_size, bool *raw);

/* Byte-stream codecs used by deep data (sample count table and sample
 * bytes have no channel layout): NONE, RLE, ZIPS, ZIP only. */
EXRQOI_INTERNAL exrqoi_result exrqoi__decompress_bytes(exrqoi__codec_ctx *ctx, exrqoi_compression c,
                                                       const uint8_t *src, size_t src_size,
                                                       uint8_t *dst, size_t dst_size);
EXRQOI_INTERNAL exrqoi_result exrqoi__compress_bytes(exrqoi__codec_ctx *ctx, exrqoi_compression c,
                                                     const uint8_t *src, size_t src_size,
                                                     const uint8_t **out, size_t *out_size);

/* The record's facts, for the rest of the library (NULL record: false). */
EXRQOI_INTERNAL bool exrqoi__codec_deep_capable(exrqoi_compression c);
EXRQOI_INTERNAL bool exrqoi__codec_deep_writable(exrqoi_compression c);
/* The cost hint: rough single-thread decode speed in unpacked bytes per
 * microsecond (the slowest codec's for an unknown method). */
EXRQOI_INTERNAL uint32_t exrqoi__codec_speed(exrqoi_compression c);
/* Whether exrqoi__decompress_block_segments can decode a chunk of `c`
 * (a tile when `tiled`) without the unpacked buffer and is the faster way
 * (otherwise: exrqoi__decompress_block). */
EXRQOI_INTERNAL bool exrqoi__codec_segments_pay(exrqoi_compression c, bool tiled);
/* Whether exrqoi__decompress_block_segments can decode compression `c`
 * without the unpacked buffer (other codecs: use exrqoi__decompress_block). */
EXRQOI_INTERNAL bool exrqoi__codec_has_segments(exrqoi_compression c);
/* exrqoi__decompress_block delivering the unpacked bytes through the
 * segments, whose lengths must sum to block->unpacked_size. */
EXRQOI_INTERNAL exrqoi_result exrqoi__decompress_block_segments(exrqoi__codec_ctx *ctx,
                                                                const exrqoi__block_layout *block,
                                                                const uint8_t *src, size_t src_size,
                                                                const exrqoi__segment *seg, size_t nseg);
/* Whether the segments' lengths sum to exactly n. */
EXRQOI_INTERNAL bool exrqoi__segments_cover(const exrqoi__segment *seg, size_t nseg, size_t n);
/* exrqoi__decompress_block_segments for segments whose sum the caller has
 * checked with exrqoi__segments_cover: a list reused for many chunks with
 * the same lengths (moved tile templates) is summed once. */
EXRQOI_INTERNAL exrqoi_result exrqoi__decompress_block_covered(exrqoi__codec_ctx *ctx,
                                                               const exrqoi__block_layout *block,
                                                               const uint8_t *src, size_t src_size,
                                                               const exrqoi__segment *seg, size_t nseg);

#endif
