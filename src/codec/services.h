/*
 * Codec services: what every codec calls, and nothing that knows a codec.
 * Per-thread codec state (libdeflate and scratch memory), zlib-format
 * inflate and deflate, and the saturating arithmetic of expansion bounds.
 *
 * One exrqoi__codec_ctx belongs to one thread at a time (a worker slot):
 * it owns that thread's deflate state and scratch memory.
 */
#ifndef EXRQOI_CODEC_SERVICES_H
#define EXRQOI_CODEC_SERVICES_H

#include "common/cpu.h"
#include "common/internal.h"

/* Per-thread codec state and scratch memory. Create with
 * exrqoi__codec_ctx_init, release with exrqoi__codec_ctx_free. */
/* Scratch buffers, carved by name. Each name is one use; the names
 * given one buffer number share its memory and are never live at the
 * same time: a codec runs alone on its context, and the only nesting is
 * written here (Huffman coding inside PIZ and DWA, the byte codecs
 * inside the deep chunk coder, any codec inside exrqoi__compress_block). */
typedef enum exrqoi__scratch_name {
    /* 0: the running codec's main working memory */
    EXRQOI__SCRATCH_BYTES = 0,      /* ZIP/ZIPS/RLE/PXR24 bytes; the deep table predictor */
    EXRQOI__SCRATCH_PIZ_WORDS = 0,  /* PIZ word planes */
    EXRQOI__SCRATCH_B44_JUNK = 0,   /* B44 row for unwanted lines */
    EXRQOI__SCRATCH_DWA_STATE = 0,  /* DWA plan and planes */
    EXRQOI__SCRATCH_HTJ2K_WORK = 0, /* HTJ2K decoder workspace (its size kept as a hint), encoder metadata */
    /* 1 */
    EXRQOI__SCRATCH_PIZ_TABLES = 1,   /* PIZ bitmap and lookup table */
    EXRQOI__SCRATCH_B44_LINES = 1,    /* B44 line map */
    EXRQOI__SCRATCH_HTJ2K_PLANES = 1, /* HTJ2K encoder sample planes */
    EXRQOI__SCRATCH_DEEP_DATA = 1,    /* deep sample bytes */
    /* 2 */
    EXRQOI__SCRATCH_B44_ROWS = 2,  /* B44 line pointers */
    EXRQOI__SCRATCH_HTJ2K_TMP = 2, /* HTJ2K encoder wavelet rows */
    EXRQOI__SCRATCH_DEEP_TABLE = 2, /* deep sample count table */
    /* 3 */
    EXRQOI__SCRATCH_B44_INDEX = 3,   /* B44 per-channel line index (> 16 channels) */
    EXRQOI__SCRATCH_HTJ2K_ARENA = 3, /* HTJ2K encoder code-block arena */
    EXRQOI__SCRATCH_DEEP_CHUNK = 3,  /* a whole deep chunk being written */
    /* 4 */
    EXRQOI__SCRATCH_HUF = 4,          /* Huffman tables (inside PIZ and DWA) */
    EXRQOI__SCRATCH_B44_UNPACKED = 4, /* B44 block when lines straddle segments */
    EXRQOI__SCRATCH_DEEP_SPARE = 4,   /* deep tile table packed by hand */
    EXRQOI__SCRATCH_DEFLATE_LZ = 4,   /* exrqoi__deflate_lz tables (inside ZIP/ZIPS encode) */
    /* 5 */
    EXRQOI__SCRATCH_PACKED = 5, /* exrqoi__compress_block / exrqoi__compress_bytes output */
} exrqoi__scratch_name;
#define EXRQOI__SCRATCH_BUFFERS 6
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
    /* the scratch buffers; while lent (exrqoi__codec_scratch_lend) the
     * buffers are the lender's, scratch[] is NULL and scratch_cap[] holds
     * the lender's capacities (a codec may read a capacity as a size hint) */
    void *scratch[EXRQOI__SCRATCH_BUFFERS];
    size_t scratch_cap[EXRQOI__SCRATCH_BUFFERS];
    /* when set, scratch comes from here instead (memory a worker pool
     * keeps across reads and writes: thread/pool.h), slot = the buffer
     * number, *cap = the capacity given; NULL = out of memory */
    void *(*scratch_fn)(void *user, int slot, size_t size, size_t *cap);
    void *scratch_user;
    void *own_scratch[EXRQOI__SCRATCH_BUFFERS]; /* the context's own buffers, aside while lent */
    size_t own_cap[EXRQOI__SCRATCH_BUFFERS];
    exrqoi__err err; /* message of the last failure on this thread */
} exrqoi__codec_ctx;

EXRQOI_INTERNAL void exrqoi__codec_ctx_init(exrqoi__codec_ctx *ctx, const exrqoi_allocator *alloc);
EXRQOI_INTERNAL void exrqoi__codec_ctx_free(exrqoi__codec_ctx *ctx);

/* Routes the context's scratch to fn/user until exrqoi__codec_scratch_unlend,
 * its own buffers kept aside; caps[slot] are the lender's capacities now
 * (NULL: all 0). Nothing: when already lent. */
EXRQOI_INTERNAL void exrqoi__codec_scratch_lend(exrqoi__codec_ctx *ctx, void *(*fn)(void *, int, size_t, size_t *),
                                                void *user, const size_t *caps);
EXRQOI_INTERNAL void exrqoi__codec_scratch_unlend(exrqoi__codec_ctx *ctx);

/* Scratch buffer `name` of at least `size` bytes (contents undefined). */
EXRQOI_INTERNAL exrqoi_result exrqoi__codec_scratch(exrqoi__codec_ctx *ctx, exrqoi__scratch_name name,
                                                    size_t size, void **out);

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
 * (ctx->zip_level == 0), deep data deflates each chunk (and ZIP/ZIPS
 * use the same choice to find the chunks for the split encoder) at
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

/* Level of ZIP/ZIPS chunks with no level asked for that the split
 * encoder does not take (flat, synthetic or float data, short chunks):
 * OpenEXR's own default (zipCompressionLevel 4 with libdeflate, as
 * OpenEXR 3.2+ writes them). Level 6 made them 3-14% smaller but took
 * 1.15-1.55x the deflate time, the most on the large flat CG frames
 * (docs/benchmarks.md, "ZIP encode of flat images (zipenc3)"). */
#define EXRQOI__DEFLATE_ZIP_LEVEL 4

/* EXR ZIP/ZIPS predicted bytes: at ctx->zip_level when one is asked for
 * (the same bytes as exrqoi__deflate); else run-heavy chunks
 * (exrqoi__deflate_lz_suits) by the own LZ77 encoder; photographs'
 * chunks (of at least 1 KiB; of 16 KiB or more only where the automatic
 * choice is EXRQOI__DEFLATE_FAST_LEVEL) as literals and runs without a
 * matcher (exrqoi__deflate_runs), or, for the long ones it refuses, by
 * the split encoder (all in codec/deflate_enc.h, faster there); and
 * libdeflate at EXRQOI__DEFLATE_ZIP_LEVEL for the rest. */
EXRQOI_INTERNAL exrqoi_result exrqoi__deflate_zip(exrqoi__codec_ctx *ctx, const uint8_t *src,
                                                  size_t src_size, uint8_t *dst, size_t dst_cap,
                                                  size_t *out_size);

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

#endif
