/* Codec table, per-thread codec state, and the stored-raw rule. */
#include "codec/codec.h"

#include <libdeflate.h>

static const exrqoi__codec *const k_codecs[EXRQOI_COMPRESSION_COUNT] = {
    &exrqoi__codec_none, &exrqoi__codec_rle,   &exrqoi__codec_zips, &exrqoi__codec_zip,
    &exrqoi__codec_piz,  &exrqoi__codec_pxr24, &exrqoi__codec_b44,  &exrqoi__codec_b44a,
    &exrqoi__codec_dwaa, &exrqoi__codec_dwab,
};

const exrqoi__codec *exrqoi__codec_get(exrqoi_compression c)
{
    if ((unsigned)c >= EXRQOI_COMPRESSION_COUNT) return NULL;
    return k_codecs[c];
}

void exrqoi__codec_ctx_init(exrqoi__codec_ctx *ctx, const exrqoi_allocator *alloc)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->alloc = alloc;
    ctx->zip_level = 0; /* each codec's default */
    ctx->dwa_level = 45.0f;
}

void exrqoi__codec_ctx_free(exrqoi__codec_ctx *ctx)
{
    if (!ctx) return;
    if (ctx->inflater) libdeflate_free_decompressor(ctx->inflater);
    if (ctx->deflater) libdeflate_free_compressor(ctx->deflater);
    for (int i = 0; i < EXRQOI__SCRATCH_SLOTS; i++) exrqoi__free(ctx->alloc, ctx->scratch[i]);
    memset(ctx, 0, sizeof *ctx);
}

exrqoi_result exrqoi__codec_scratch(exrqoi__codec_ctx *ctx, int slot, size_t size, void **out)
{
    if (slot < 0 || slot >= EXRQOI__SCRATCH_SLOTS) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (ctx->scratch_cap[slot] < size) {
        /* contents need not survive: free first to keep peak memory low */
        exrqoi__free(ctx->alloc, ctx->scratch[slot]);
        ctx->scratch[slot] = NULL;
        ctx->scratch_cap[slot] = 0;
        size_t cap = size + size / 4 + 64;
        if (cap < size) cap = size;
        ctx->scratch[slot] = exrqoi__alloc(ctx->alloc, cap);
        if (!ctx->scratch[slot])
            return exrqoi__fail(&ctx->err, EXRQOI_ERR_OUT_OF_MEMORY,
                                "cannot allocate %zu bytes of codec scratch", cap);
        ctx->scratch_cap[slot] = cap;
    }
    *out = ctx->scratch[slot];
    return EXRQOI_OK;
}

/* libdeflate 1.14 has no per-instance allocator (and its global setter must
 * not be used by a library), so its small state comes from malloc. */
static exrqoi_result need_inflater(exrqoi__codec_ctx *ctx)
{
    if (!ctx->inflater) ctx->inflater = libdeflate_alloc_decompressor();
    if (!ctx->inflater)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_OUT_OF_MEMORY, "cannot create inflater");
    return EXRQOI_OK;
}

exrqoi_result exrqoi__inflate_any(exrqoi__codec_ctx *ctx, const uint8_t *src, size_t src_size,
                                  uint8_t *dst, size_t dst_cap, size_t *out_size)
{
    EXRQOI_TRY(need_inflater(ctx));
    size_t got = 0;
    enum libdeflate_result r =
        libdeflate_zlib_decompress(ctx->inflater, src, src_size, dst, dst_cap, &got);
    if (r != LIBDEFLATE_SUCCESS)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT,
                            r == LIBDEFLATE_INSUFFICIENT_SPACE
                                ? "deflate data decodes to more than %zu bytes"
                                : "invalid deflate data (%zu bytes expected)",
                            dst_cap);
    *out_size = got;
    return EXRQOI_OK;
}

exrqoi_result exrqoi__inflate(exrqoi__codec_ctx *ctx, const uint8_t *src, size_t src_size,
                              uint8_t *dst, size_t dst_size)
{
    size_t got = 0;
    EXRQOI_TRY(exrqoi__inflate_any(ctx, src, src_size, dst, dst_size, &got));
    if (got != dst_size)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT,
                            "deflate data decodes to %zu bytes, %zu expected", got, dst_size);
    return EXRQOI_OK;
}

static exrqoi_result need_deflater(exrqoi__codec_ctx *ctx, int level)
{
    if (level <= 0) level = EXRQOI__DEFLATE_DEFAULT_LEVEL;
    if (level > 12) level = 12;
    if (ctx->deflater && ctx->deflate_level == level) return EXRQOI_OK;
    if (ctx->deflater) libdeflate_free_compressor(ctx->deflater);
    ctx->deflater = libdeflate_alloc_compressor(level);
    if (!ctx->deflater)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_OUT_OF_MEMORY, "cannot create deflater");
    ctx->deflate_level = level;
    return EXRQOI_OK;
}

size_t exrqoi__deflate_bound(exrqoi__codec_ctx *ctx, size_t src_size)
{
    (void)ctx;
    return libdeflate_zlib_compress_bound(NULL, src_size); /* valid for every level */
}

exrqoi_result exrqoi__deflate(exrqoi__codec_ctx *ctx, const uint8_t *src, size_t src_size,
                              uint8_t *dst, size_t dst_cap, size_t *out_size)
{
    return exrqoi__deflate_at(ctx, ctx->zip_level, src, src_size, dst, dst_cap, out_size);
}

exrqoi_result exrqoi__deflate_at(exrqoi__codec_ctx *ctx, int level, const uint8_t *src, size_t src_size,
                                 uint8_t *dst, size_t dst_cap, size_t *out_size)
{
    EXRQOI_TRY(need_deflater(ctx, level));
    size_t n = libdeflate_zlib_compress(ctx->deflater, src, src_size, dst, dst_cap);
    if (n == 0)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_BUFFER_TOO_SMALL,
                            "deflate output exceeds %zu bytes", dst_cap);
    *out_size = n;
    return EXRQOI_OK;
}

exrqoi_result exrqoi__decompress_block(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *block,
                                       const uint8_t *src, size_t src_size, uint8_t *dst)
{
    if (src_size == block->unpacked_size) {
        if (src_size) memcpy(dst, src, src_size);
        return EXRQOI_OK;
    }
    const exrqoi__codec *c = exrqoi__codec_get(block->compression);
    if (!c || !c->decompress)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_UNSUPPORTED_COMPRESSION,
                            "compression %d is not supported", (int)block->compression);
    if (block->compression == EXRQOI_COMPRESSION_NONE)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_BAD_CHUNK,
                            "uncompressed chunk holds %zu bytes, %zu expected", src_size,
                            block->unpacked_size);
    return c->decompress(ctx, block, src, src_size, dst);
}

static exrqoi_result unsupported_write(exrqoi__codec_ctx *ctx, exrqoi_compression c)
{
    return exrqoi__fail(&ctx->err, EXRQOI_ERR_UNSUPPORTED_COMPRESSION, "writing %s compression is not supported",
                        exrqoi_compression_name(c) ? exrqoi_compression_name(c) : "unknown");
}

size_t exrqoi__compress_bound(const exrqoi__block_layout *block)
{
    const exrqoi__codec *c = exrqoi__codec_get(block->compression);
    if (!c || !c->compress || !c->bound) return 0;
    if (block->compression == EXRQOI_COMPRESSION_NONE || block->unpacked_size == 0) return 1;
    return c->bound(block);
}

exrqoi_result exrqoi__compress_block_to(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *block,
                                        const uint8_t *src, uint8_t *dst, size_t dst_cap, size_t *out_size,
                                        bool *raw)
{
    const exrqoi__codec *c = exrqoi__codec_get(block->compression);
    if (!c || !c->compress || !c->bound) return unsupported_write(ctx, block->compression);
    *raw = true;
    *out_size = block->unpacked_size;
    if (block->compression == EXRQOI_COMPRESSION_NONE || block->unpacked_size == 0) return EXRQOI_OK;
    size_t n = 0;
    EXRQOI_TRY(c->compress(ctx, block, src, dst, dst_cap, &n));
    if (n < block->unpacked_size) {
        *raw = false;
        *out_size = n;
    }
    return EXRQOI_OK;
}

exrqoi_result exrqoi__compress_block(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *block,
                                     const uint8_t *src, const uint8_t **out, size_t *out_size)
{
    size_t cap = exrqoi__compress_bound(block);
    if (!cap) return unsupported_write(ctx, block->compression);
    void *dst = NULL;
    if (block->compression != EXRQOI_COMPRESSION_NONE && block->unpacked_size)
        EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_SLOTS - 1, cap, &dst));
    bool raw;
    EXRQOI_TRY(exrqoi__compress_block_to(ctx, block, src, (uint8_t *)dst, cap, out_size, &raw));
    *out = raw ? src : (const uint8_t *)dst;
    return EXRQOI_OK;
}

bool exrqoi__codec_has_segments(exrqoi_compression c)
{
    return c == EXRQOI_COMPRESSION_NONE || c == EXRQOI_COMPRESSION_ZIP || c == EXRQOI_COMPRESSION_ZIPS ||
           c == EXRQOI_COMPRESSION_RLE;
}

exrqoi_result exrqoi__decompress_block_segments(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *block,
                                                const uint8_t *src, size_t src_size,
                                                const exrqoi__segment *seg, size_t nseg)
{
    size_t total = 0;
    for (size_t s = 0; s < nseg; s++)
        if (exrqoi__add_size(total, seg[s].len, &total)) break;
    if (total != block->unpacked_size)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                            "segments cover %zu bytes of a %zu byte block", total, block->unpacked_size);
    if (src_size == block->unpacked_size) {
        for (size_t s = 0; s < nseg; s++) {
            if (seg[s].dst && seg[s].len) memcpy(seg[s].dst, src, seg[s].len);
            src += seg[s].len;
        }
        return EXRQOI_OK;
    }
    switch (block->compression) {
    case EXRQOI_COMPRESSION_ZIP:
    case EXRQOI_COMPRESSION_ZIPS:
        return exrqoi__zip_decompress_segments(ctx, src, src_size, total, seg, nseg);
    case EXRQOI_COMPRESSION_RLE:
        return exrqoi__rle_decompress_segments(ctx, src, src_size, total, seg, nseg);
    case EXRQOI_COMPRESSION_NONE:
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_BAD_CHUNK,
                            "uncompressed chunk holds %zu bytes, %zu expected", src_size,
                            block->unpacked_size);
    default:
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_UNSUPPORTED_COMPRESSION,
                            "compression %d has no segment decoder", (int)block->compression);
    }
}
