/*
 * The codec interface: every EXR compression method turns one chunk's
 * "unpacked" bytes into packed bytes and back.
 *
 * Unpacked layout (the EXR uncompressed block, little-endian as in the
 * file): for each line yy of the block, top to bottom, for each channel c
 * in channel-list order, if mod(yy, c.y_sampling) == 0: c.width samples of
 * c.size bytes each. Codecs that need another order (PIZ, B44, DWA)
 * rearrange internally. The expected unpacked size always comes from the
 * header (block->unpacked_size), never from the stream.
 *
 * One exrqoi__codec_ctx belongs to one thread at a time (a worker slot):
 * it owns that thread's deflate state and scratch memory.
 */
#ifndef EXRQOI_CODEC_H
#define EXRQOI_CODEC_H

#include "common/cpu.h"
#include "common/internal.h"

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

/* Per-thread codec state and scratch memory. Create with
 * exrqoi__codec_ctx_init, release with exrqoi__codec_ctx_free. */
#define EXRQOI__SCRATCH_SLOTS 6
typedef struct exrqoi__codec_ctx {
    const exrqoi_allocator *alloc;
    struct libdeflate_decompressor *inflater;
    /* two compressors, as the default ZIP level switches between two
     * levels chunk by chunk (exrqoi__deflate) */
    struct libdeflate_compressor *deflater[2];
    int deflate_level[2];   /* level each deflater was made for */
    int deflate_last;       /* index of the one used last */
    int zip_level;          /* deflate level asked for (1..12), 0 = each codec's default */
    float dwa_level;        /* dwaCompressionLevel, default 45 */
    exrqoi__kernels k;      /* SIMD paths, chosen at init (common/cpu.h) */
    void *scratch[EXRQOI__SCRATCH_SLOTS];
    size_t scratch_cap[EXRQOI__SCRATCH_SLOTS];
    exrqoi__err err; /* message of the last failure on this thread */
} exrqoi__codec_ctx;

EXRQOI_INTERNAL void exrqoi__codec_ctx_init(exrqoi__codec_ctx *ctx, const exrqoi_allocator *alloc);
EXRQOI_INTERNAL void exrqoi__codec_ctx_free(exrqoi__codec_ctx *ctx);

/* Scratch buffer `slot` of at least `size` bytes (contents undefined).
 * Slots are private to the codec running; codecs number theirs from 0. */
EXRQOI_INTERNAL exrqoi_result exrqoi__codec_scratch(exrqoi__codec_ctx *ctx, int slot, size_t size,
                                                    void **out);

/* zlib-format (RFC 1950) inflate into exactly `dst_size` bytes: any other
 * decoded size, or a bad stream, is EXRQOI_ERR_CORRUPT. Uses libdeflate. */
EXRQOI_INTERNAL exrqoi_result exrqoi__inflate(exrqoi__codec_ctx *ctx, const uint8_t *src,
                                              size_t src_size, uint8_t *dst, size_t dst_size);
/* Like exrqoi__inflate but the decoded size may be anything up to dst_cap;
 * it is returned in *out_size. */
EXRQOI_INTERNAL exrqoi_result exrqoi__inflate_any(exrqoi__codec_ctx *ctx, const uint8_t *src,
                                                  size_t src_size, uint8_t *dst, size_t dst_cap,
                                                  size_t *out_size);
/* Deflate levels on libdeflate's scale. With no level asked for
 * (ctx->zip_level == 0), ZIP/ZIPS and deep data deflate each chunk at
 * EXRQOI__DEFLATE_FAST_LEVEL when it is at least
 * EXRQOI__DEFLATE_FAST_MIN_SIZE bytes and its predicted bytes have a
 * sampled order-0 entropy of at least EXRQOI__DEFLATE_FAST_MIN_BITS / 4
 * bits per byte (photographic data: level 4 is ~35% faster than 6 and
 * still 1-3% smaller than OpenEXR's zlib level 4), else at
 * EXRQOI__DEFLATE_DEFAULT_LEVEL (flat or synthetic data, where 6 gains
 * 4-10% for little extra time, and short chunks such as ZIPS lines,
 * where libdeflate needs 6 to beat zlib's level 4). The choice depends
 * on the chunk's bytes only, so output is the same for any thread count.
 * PXR24 uses EXRQOI__PXR24_DEFAULT_LEVEL: its byte planes compress worse
 * with libdeflate at 6 than with zlib, and PXR24 has no speed target. */
#define EXRQOI__DEFLATE_DEFAULT_LEVEL 6
#define EXRQOI__DEFLATE_FAST_LEVEL 4
#define EXRQOI__DEFLATE_FAST_MIN_SIZE 16384
#define EXRQOI__DEFLATE_FAST_MIN_BITS 10 /* quarter bits per byte: 2.5 */
#define EXRQOI__PXR24_DEFAULT_LEVEL 8

/* The level exrqoi__deflate uses for `src` when ctx->zip_level is 0. */
EXRQOI_INTERNAL int exrqoi__deflate_auto_level(const uint8_t *src, size_t src_size);

/* zlib-format deflate at ctx->zip_level, or the level chosen by
 * exrqoi__deflate_auto_level when that is 0 (exrqoi__deflate), or at
 * `level` (exrqoi__deflate_at; 0 = EXRQOI__DEFLATE_DEFAULT_LEVEL). dst_cap
 * must be at least exrqoi__deflate_bound(ctx, src_size). */
EXRQOI_INTERNAL size_t exrqoi__deflate_bound(exrqoi__codec_ctx *ctx, size_t src_size);
EXRQOI_INTERNAL exrqoi_result exrqoi__deflate_at(exrqoi__codec_ctx *ctx, int level, const uint8_t *src,
                                                 size_t src_size, uint8_t *dst, size_t dst_cap,
                                                 size_t *out_size);
EXRQOI_INTERNAL exrqoi_result exrqoi__deflate(exrqoi__codec_ctx *ctx, const uint8_t *src,
                                              size_t src_size, uint8_t *dst, size_t dst_cap,
                                              size_t *out_size);

/* One entry per compression method. */
typedef struct exrqoi__codec {
    exrqoi_compression id;
    const char *name;
    int lines_per_chunk;
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
} exrqoi__codec;

/* Saturating a * b and a + b (the bounds above). */
static inline uint64_t exrqoi__sat_mul(uint64_t a, uint64_t b)
{
    uint64_t r;
    return exrqoi__mul_u64(a, b, &r) ? UINT64_MAX : r;
}
static inline uint64_t exrqoi__sat_add(uint64_t a, uint64_t b)
{
    uint64_t r;
    return exrqoi__add_u64(a, b, &r) ? UINT64_MAX : r;
}

/* The most bytes a zlib stream (RFC 1950) of n bytes inflates to: each
 * deflate match of at most 258 bytes costs at least 2 bits (a length and a
 * distance code of 1 bit each; length 258 has no extra bits), and the
 * 2-byte header and 4-byte Adler-32 carry no data. Used by every codec
 * built on zlib. */
#define EXRQOI__DEFLATE_MAX_RATIO 1032u
#define EXRQOI__ZLIB_OVERHEAD 6u
static inline uint64_t exrqoi__inflate_max(uint64_t n)
{
    return n > EXRQOI__ZLIB_OVERHEAD ? exrqoi__sat_mul(n - EXRQOI__ZLIB_OVERHEAD, EXRQOI__DEFLATE_MAX_RATIO) : 0;
}

/* EXRQOI_OK when `packed_size` packed bytes of compression `c` can decode
 * to `unpacked_size` bytes: they are stored raw (equal sizes, every codec)
 * or the codec's max_unpacked allows it. Otherwise EXRQOI_ERR_CORRUPT
 * recorded in `err` (may be NULL), saying why; the caller names the chunk.
 * `block` may be NULL (deep data). Allocates nothing. */
EXRQOI_INTERNAL exrqoi_result exrqoi__check_expansion(exrqoi_compression c, const exrqoi__block_layout *block,
                                                      uint64_t packed_size, uint64_t unpacked_size,
                                                      exrqoi__err *err);

/* The table entry, or NULL when the method is unknown or not built. */
EXRQOI_INTERNAL const exrqoi__codec *exrqoi__codec_get(exrqoi_compression c);

/* Dispatchers applying the stored-raw rule (packed size == unpacked size
 * means the bytes are stored uncompressed, for every codec; on encode,
 * output that would not be smaller is stored raw, as OpenEXR does). */
EXRQOI_INTERNAL exrqoi_result exrqoi__decompress_block(exrqoi__codec_ctx *ctx,
                                                       const exrqoi__block_layout *block,
                                                       const uint8_t *src, size_t src_size,
                                                       uint8_t *dst);
/* On success *out points into ctx scratch slot EXRQOI__SCRATCH_SLOTS-1 (or
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

/* The codec table entries, defined in their own modules. */
EXRQOI_INTERNAL extern const exrqoi__codec exrqoi__codec_none;
EXRQOI_INTERNAL extern const exrqoi__codec exrqoi__codec_rle;
EXRQOI_INTERNAL extern const exrqoi__codec exrqoi__codec_zips;
EXRQOI_INTERNAL extern const exrqoi__codec exrqoi__codec_zip;
EXRQOI_INTERNAL extern const exrqoi__codec exrqoi__codec_piz;
EXRQOI_INTERNAL extern const exrqoi__codec exrqoi__codec_pxr24;
EXRQOI_INTERNAL extern const exrqoi__codec exrqoi__codec_b44;
EXRQOI_INTERNAL extern const exrqoi__codec exrqoi__codec_b44a;
EXRQOI_INTERNAL extern const exrqoi__codec exrqoi__codec_dwaa;
EXRQOI_INTERNAL extern const exrqoi__codec exrqoi__codec_dwab;
EXRQOI_INTERNAL extern const exrqoi__codec exrqoi__codec_htj2k256;
EXRQOI_INTERNAL extern const exrqoi__codec exrqoi__codec_htj2k32;

/* Shared by ZIP/ZIPS, RLE and PXR24-style byte shuffles:
 * predictor + interleave as OpenEXR defines them. */
/* The zip_* helpers without a context take the process's kernel choice
 * (exrqoi__cpu_kernels); codecs call predict.h's exrqoi__zip_*_path with
 * ctx->k.zip. */
EXRQOI_INTERNAL void exrqoi__zip_unpredict(uint8_t *buf, size_t n, uint8_t *out_interleaved);
EXRQOI_INTERNAL void exrqoi__zip_predict(const uint8_t *in, size_t n, uint8_t *out);

/* ---- decoding straight into the caller's memory --------------------------
 * A block's unpacked bytes, in order, cut into runs that each go to one
 * place (a line of one channel in a slice of the same type), so a codec
 * that produces its output front to back can skip the unpacked buffer and
 * the copy out of it. */
typedef struct exrqoi__segment {
    uint8_t *dst; /* NULL: these bytes are not wanted */
    size_t len;
} exrqoi__segment;

/* Like exrqoi__zip_unpredict, writing output byte k to wherever the
 * segments (lengths summing to n) put it. */
EXRQOI_INTERNAL void exrqoi__zip_unpredict_segments(uint8_t *buf, size_t n, const exrqoi__segment *seg,
                                                    size_t nseg);
/* Whether exrqoi__decompress_block_segments can decode compression `c`
 * without the unpacked buffer (other codecs: use exrqoi__decompress_block). */
EXRQOI_INTERNAL bool exrqoi__codec_has_segments(exrqoi_compression c);
/* exrqoi__decompress_block delivering the unpacked bytes through the
 * segments, whose lengths must sum to block->unpacked_size. */
EXRQOI_INTERNAL exrqoi_result exrqoi__decompress_block_segments(exrqoi__codec_ctx *ctx,
                                                                const exrqoi__block_layout *block,
                                                                const uint8_t *src, size_t src_size,
                                                                const exrqoi__segment *seg, size_t nseg);
/* The codecs' segment decoders (zip.c). */
EXRQOI_INTERNAL exrqoi_result exrqoi__zip_decompress_segments(exrqoi__codec_ctx *ctx, const uint8_t *src,
                                                              size_t src_size, size_t unpacked_size,
                                                              const exrqoi__segment *seg, size_t nseg);
EXRQOI_INTERNAL exrqoi_result exrqoi__b44_decompress_segments(exrqoi__codec_ctx *ctx,
                                                              const exrqoi__block_layout *b,
                                                              const uint8_t *src, size_t n,
                                                              const exrqoi__segment *seg, size_t nseg);
EXRQOI_INTERNAL exrqoi_result exrqoi__rle_decompress_segments(exrqoi__codec_ctx *ctx, const uint8_t *src,
                                                              size_t src_size, size_t unpacked_size,
                                                              const exrqoi__segment *seg, size_t nseg);

#endif
