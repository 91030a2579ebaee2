/*
 * What a codec implements: every EXR compression method turns one chunk's
 * "unpacked" bytes into packed bytes and back, and describes itself in one
 * record (exrqoi__codec) defined in its own file and listed once in the
 * registry (codec.c). Codecs include this header and codec/services.h,
 * never the registry's codec/codec.h.
 *
 * Unpacked layout (the EXR uncompressed block, little-endian as in the
 * file): for each line yy of the block, top to bottom, for each channel c
 * in channel-list order, if mod(yy, c.y_sampling) == 0: c.width samples of
 * c.size bytes each. Codecs that need another order (PIZ, B44, DWA)
 * rearrange internally. The expected unpacked size always comes from the
 * header (block->unpacked_size), never from the stream.
 */
#ifndef EXRQOI_CODEC_RECORD_H
#define EXRQOI_CODEC_RECORD_H

#include "codec/services.h"

typedef struct exrqoi__chan_layout {
    const char *name;
    uint8_t type;     /* exrqoi_pixel_type */
    uint8_t size;     /* bytes per sample: 2 (half) or 4 (uint, float) */
    uint8_t p_linear; /* the channel's pLinear flag (B44 transfer) */
    int32_t x_sampling;
    int32_t y_sampling;
    int32_t width;  /* samples on each sampled line of this block */
    int32_t height; /* sampled lines in this block (y mod y_sampling == 0) */
} exrqoi__chan_layout;

typedef struct exrqoi__block_layout {
    int32_t x, y;          /* absolute coordinates of the block's top-left pixel */
    int32_t width, height; /* block size in pixels (clipped to the data window) */
    int nchan;
    const exrqoi__chan_layout *chans;
    size_t unpacked_size; /* sum over channels of width*height*size */
    exrqoi_compression compression;
    uint8_t tiled; /* the chunk is a tile (DWAA codes tiles' AC data with zlib) */
} exrqoi__block_layout;

/* ---- decoding straight into the caller's memory --------------------------
 * A block's unpacked bytes, in order, cut into runs that each go to one
 * place (a line of one channel in a slice of the same type), so a codec
 * that produces its output front to back can skip the unpacked buffer and
 * the copy out of it. */
typedef struct exrqoi__segment {
    uint8_t *dst; /* NULL: these bytes are not wanted */
    size_t len;
} exrqoi__segment;

/* Record flags. */
#define EXRQOI__CODEC_DEEP 1u  /* valid for deep data (a byte-stream codec) */
#define EXRQOI__CODEC_DEEP_WRITE 8u /* and deep data is written with it (OpenEXR writes ZIPS, not ZIP) */
#define EXRQOI__CODEC_LOSSY 2u /* decoding does not give back the samples encoded */
/* Tiles decode through the unpacked buffer even with a segment decoder:
 * measured faster (DWA tiles, GoldenGate -5% through segments). */
#define EXRQOI__CODEC_TILES_UNPACKED 4u

/* One record per compression method: every fact about a codec lives here. */
typedef struct exrqoi__codec {
    exrqoi_compression id;
    const char *name; /* as exrqoi_compression_name gives it */
    int lines_per_chunk;
    unsigned flags; /* EXRQOI__CODEC_* */
    /* Cost hint: rough single-thread decode speed, unpacked bytes per
     * microsecond (docs/benchmarks.md); the read driver's small-call rule. */
    uint32_t speed;
    /* Decode `src` (packed, src_size bytes, never equal to unpacked_size:
     * that case is "stored raw" and handled by the dispatcher) into `dst`
     * of exactly block->unpacked_size bytes. */
    exrqoi_result (*decompress)(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *block,
                                const uint8_t *src, size_t src_size, uint8_t *dst);
    /* Worst-case packed size for the block (the dispatcher allocates it). */
    size_t (*bound)(const exrqoi__block_layout *block);
    /* Encode block->unpacked_size bytes from `src` into `dst` (capacity
     * `dst_cap` >= bound). Sets *out_size. */
    exrqoi_result (*compress)(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *block,
                              const uint8_t *src, uint8_t *dst, size_t dst_cap, size_t *out_size);
    /* The codec's maximum expansion: the most unpacked bytes `packed_size`
     * bytes of its format can decode to (saturating at UINT64_MAX), for
     * `block`'s channels, or for any channels when `block` is NULL (deep
     * data). Derived from the format in docs/security.md; every codec
     * must have one (test_codec_bounds checks the table). Reads refuse a
     * chunk claiming more before allocating anything for it. */
    uint64_t (*max_unpacked)(const exrqoi__block_layout *block, uint64_t packed_size);
    /* Like decompress, delivering the unpacked bytes through segments whose
     * lengths sum to block->unpacked_size (coverage already checked), or
     * NULL when the codec needs the unpacked buffer. */
    exrqoi_result (*decompress_segments)(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *block,
                                         const uint8_t *src, size_t src_size, const exrqoi__segment *seg,
                                         size_t nseg);
    /* Byte streams without a channel layout (deep data, EXRQOI__CODEC_DEEP
     * codecs other than NONE): decode to exactly dst_size bytes; encode
     * into dst_cap >= bound_bytes(src_size) bytes. */
    exrqoi_result (*decode_bytes)(exrqoi__codec_ctx *ctx, const uint8_t *src, size_t src_size, uint8_t *dst,
                                  size_t dst_size);
    size_t (*bound_bytes)(size_t src_size);
    exrqoi_result (*encode_bytes)(exrqoi__codec_ctx *ctx, const uint8_t *src, size_t src_size, uint8_t *dst,
                                  size_t dst_cap, size_t *out_size);
} exrqoi__codec;

/* Shared by ZIP/ZIPS, RLE and PXR24-style byte shuffles (predict.c):
 * predictor + interleave as OpenEXR defines them. */
/* The zip_* helpers without a context take the process's kernel choice
 * (exrqoi__cpu_kernels); codecs call predict.h's exrqoi__zip_*_path with
 * ctx->k.zip. */
EXRQOI_INTERNAL void exrqoi__zip_unpredict(uint8_t *buf, size_t n, uint8_t *out_interleaved);
EXRQOI_INTERNAL void exrqoi__zip_predict(const uint8_t *in, size_t n, uint8_t *out);
/* Like exrqoi__zip_unpredict, writing output byte k to wherever the
 * segments (lengths summing to n) put it. */
EXRQOI_INTERNAL void exrqoi__zip_unpredict_segments(uint8_t *buf, size_t n, const exrqoi__segment *seg,
                                                    size_t nseg);

#endif
