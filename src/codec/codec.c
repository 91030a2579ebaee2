/* The codec registry: one line per codec, the lookups every other layer
 * uses, and the rules common to all codecs (stored raw, maximum
 * expansion, which codecs deep data may use). */
#include "codec/codec.h"
#include "codec/seg_cursor.h"

#include <strings.h>

/* The registry. Adding a codec is its file, defining its record
 * exrqoi__codec_<name>, and one line here: X(ID, name) for
 * EXRQOI_COMPRESSION_<ID>. */
#define EXRQOI__CODECS(X)                                                                                    \
    X(NONE, none)                                                                                            \
    X(RLE, rle)                                                                                              \
    X(ZIPS, zips)                                                                                            \
    X(ZIP, zip)                                                                                              \
    X(PIZ, piz)                                                                                              \
    X(PXR24, pxr24)                                                                                          \
    X(B44, b44)                                                                                              \
    X(B44A, b44a)                                                                                            \
    X(DWAA, dwaa)                                                                                            \
    X(DWAB, dwab)                                                                                            \
    X(HTJ2K256, htj2k256)                                                                                    \
    X(HTJ2K32, htj2k32)

#define EXRQOI__CODEC_DECLARE(ID, name) EXRQOI_INTERNAL extern const exrqoi__codec exrqoi__codec_##name;
#define EXRQOI__CODEC_ENTRY(ID, name) [EXRQOI_COMPRESSION_##ID] = &exrqoi__codec_##name,
EXRQOI__CODECS(EXRQOI__CODEC_DECLARE)
static const exrqoi__codec *const k_codecs[EXRQOI_COMPRESSION_COUNT] = {EXRQOI__CODECS(EXRQOI__CODEC_ENTRY)};

const exrqoi__codec *exrqoi__codec_get(exrqoi_compression c)
{
    if ((unsigned)c >= EXRQOI_COMPRESSION_COUNT) return NULL;
    return k_codecs[c];
}

const char *exrqoi_compression_name(exrqoi_compression c)
{
    const exrqoi__codec *k = exrqoi__codec_get(c);
    return k ? k->name : NULL;
}

exrqoi_result exrqoi_compression_from_name(const char *name, exrqoi_compression *out)
{
    if (!name || !out) return EXRQOI_ERR_INVALID_ARGUMENT;
    for (int i = 0; i < EXRQOI_COMPRESSION_COUNT; i++) {
        if (k_codecs[i] && strcasecmp(name, k_codecs[i]->name) == 0) {
            *out = (exrqoi_compression)i;
            return EXRQOI_OK;
        }
    }
    return EXRQOI_ERR_NOT_FOUND;
}

int exrqoi_compression_lines(exrqoi_compression c)
{
    const exrqoi__codec *k = exrqoi__codec_get(c);
    return k ? k->lines_per_chunk : 0;
}

bool exrqoi__codec_deep_capable(exrqoi_compression c)
{
    const exrqoi__codec *k = exrqoi__codec_get(c);
    return k && (k->flags & EXRQOI__CODEC_DEEP);
}

bool exrqoi__codec_deep_writable(exrqoi_compression c)
{
    const exrqoi__codec *k = exrqoi__codec_get(c);
    return k && (k->flags & EXRQOI__CODEC_DEEP_WRITE);
}

uint32_t exrqoi__codec_speed(exrqoi_compression c)
{
    const exrqoi__codec *k = exrqoi__codec_get(c);
    return k && k->speed ? k->speed : 250;
}

bool exrqoi__codec_has_segments(exrqoi_compression c)
{
    const exrqoi__codec *k = exrqoi__codec_get(c);
    return k && k->decompress_segments;
}

bool exrqoi__codec_segments_pay(exrqoi_compression c, bool tiled)
{
    const exrqoi__codec *k = exrqoi__codec_get(c);
    return k && k->decompress_segments && !(tiled && (k->flags & EXRQOI__CODEC_TILES_UNPACKED));
}

static const char *name_or_unknown(exrqoi_compression c)
{
    return exrqoi_compression_name(c) ? exrqoi_compression_name(c) : "unknown";
}

exrqoi_result exrqoi__check_expansion(exrqoi_compression c, const exrqoi__block_layout *block,
                                      uint64_t packed_size, uint64_t unpacked_size, exrqoi__err *err)
{
    if (packed_size == unpacked_size) return EXRQOI_OK; /* stored raw */
    const exrqoi__codec *k = exrqoi__codec_get(c);
    if (!k || !k->max_unpacked) return EXRQOI_OK; /* no bound known: the decoder decides */
    uint64_t most = k->max_unpacked(block, packed_size);
    if (unpacked_size <= most) return EXRQOI_OK;
    if (c == EXRQOI_COMPRESSION_NONE)
        return exrqoi__fail(err, EXRQOI_ERR_BAD_CHUNK, "uncompressed chunk holds %llu bytes, %llu expected",
                            (unsigned long long)packed_size, (unsigned long long)unpacked_size);
    return exrqoi__fail(err, EXRQOI_ERR_CORRUPT,
                        "%llu bytes of %s data cannot decode to the %llu bytes the header implies "
                        "(at most %llu)",
                        (unsigned long long)packed_size, k->name, (unsigned long long)unpacked_size,
                        (unsigned long long)most);
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
    EXRQOI_TRY(exrqoi__check_expansion(block->compression, block, src_size, block->unpacked_size, &ctx->err));
    return c->decompress(ctx, block, src, src_size, dst);
}

static exrqoi_result unsupported_write(exrqoi__codec_ctx *ctx, exrqoi_compression c)
{
    return exrqoi__fail(&ctx->err, EXRQOI_ERR_UNSUPPORTED_COMPRESSION, "writing %s compression is not supported",
                        name_or_unknown(c));
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
        EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_PACKED, cap, &dst));
    bool raw;
    EXRQOI_TRY(exrqoi__compress_block_to(ctx, block, src, (uint8_t *)dst, cap, out_size, &raw));
    *out = raw ? src : (const uint8_t *)dst;
    return EXRQOI_OK;
}

exrqoi_result exrqoi__decompress_block_segments(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *block,
                                                const uint8_t *src, size_t src_size,
                                                const exrqoi__segment *seg, size_t nseg)
{
    if (!seg_cover(seg, nseg, block->unpacked_size))
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                            "segments do not cover the %zu bytes of the block", block->unpacked_size);
    return exrqoi__decompress_block_covered(ctx, block, src, src_size, seg, nseg);
}

bool exrqoi__segments_cover(const exrqoi__segment *seg, size_t nseg, size_t n)
{
    return seg_cover(seg, nseg, n);
}

exrqoi_result exrqoi__decompress_block_covered(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *block,
                                               const uint8_t *src, size_t src_size, const exrqoi__segment *seg,
                                               size_t nseg)
{
    const size_t total = block->unpacked_size;
    if (src_size == total) {
        seg_cursor sc = {seg, nseg, 0, 0};
        seg_scatter(&sc, src, total);
        return EXRQOI_OK;
    }
    if (block->compression != EXRQOI_COMPRESSION_NONE)
        EXRQOI_TRY(exrqoi__check_expansion(block->compression, block, src_size, total, &ctx->err));
    const exrqoi__codec *k = exrqoi__codec_get(block->compression);
    if (block->compression == EXRQOI_COMPRESSION_NONE)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_BAD_CHUNK,
                            "uncompressed chunk holds %zu bytes, %zu expected", src_size,
                            block->unpacked_size);
    if (!k || !k->decompress_segments)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_UNSUPPORTED_COMPRESSION,
                            "compression %d has no segment decoder", (int)block->compression);
    return k->decompress_segments(ctx, block, src, src_size, seg, nseg);
}

/* ---- byte streams (deep data) -------------------------------------------- */

static exrqoi_result not_deep(exrqoi__codec_ctx *ctx, exrqoi_compression c)
{
    return exrqoi__fail(&ctx->err, EXRQOI_ERR_UNSUPPORTED_COMPRESSION, "%s compression is not valid for deep data",
                        name_or_unknown(c));
}

exrqoi_result exrqoi__decompress_bytes(exrqoi__codec_ctx *ctx, exrqoi_compression c, const uint8_t *src,
                                       size_t src_size, uint8_t *dst, size_t dst_size)
{
    if (src_size == dst_size) {
        if (dst_size) memcpy(dst, src, dst_size);
        return EXRQOI_OK;
    }
    const exrqoi__codec *k = exrqoi__codec_get(c);
    if (!k || !(k->flags & EXRQOI__CODEC_DEEP)) return not_deep(ctx, c);
    if (!k->decode_bytes) /* NONE: the bytes are stored */
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_BAD_CHUNK, "uncompressed deep data holds %zu bytes, %zu expected",
                            src_size, dst_size);
    EXRQOI_TRY(exrqoi__check_expansion(c, NULL, src_size, dst_size, &ctx->err));
    return k->decode_bytes(ctx, src, src_size, dst, dst_size);
}

exrqoi_result exrqoi__compress_bytes(exrqoi__codec_ctx *ctx, exrqoi_compression c, const uint8_t *src,
                                     size_t src_size, const uint8_t **out, size_t *out_size)
{
    const exrqoi__codec *k = exrqoi__codec_get(c);
    if (!k || !(k->flags & EXRQOI__CODEC_DEEP)) return not_deep(ctx, c);
    *out = src;
    *out_size = src_size;
    if (!k->encode_bytes) return EXRQOI_OK; /* NONE */
    size_t cap = k->bound_bytes(src_size), n = 0;
    void *dst = NULL;
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_PACKED, cap, &dst));
    EXRQOI_TRY(k->encode_bytes(ctx, src, src_size, (uint8_t *)dst, cap, &n));
    if (n < src_size) {
        *out = (const uint8_t *)dst;
        *out_size = n;
    }
    return EXRQOI_OK;
}
