/* NONE: chunks hold the unpacked bytes; the dispatcher's stored-raw rule
 * does all the work, so a size mismatch reaching here is an error. */
#include "codec/record.h"

static exrqoi_result none_decompress(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                     const uint8_t *src, size_t n, uint8_t *dst)
{
    (void)src;
    (void)dst;
    return exrqoi__fail(&ctx->err, EXRQOI_ERR_BAD_CHUNK,
                        "uncompressed chunk holds %zu bytes, %zu expected", n, b->unpacked_size);
}

static size_t none_bound(const exrqoi__block_layout *b) { return b->unpacked_size; }

static exrqoi_result none_compress(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                   const uint8_t *src, uint8_t *dst, size_t cap, size_t *out)
{
    (void)ctx;
    if (cap < b->unpacked_size) return EXRQOI_ERR_BUFFER_TOO_SMALL;
    if (b->unpacked_size) memcpy(dst, src, b->unpacked_size);
    *out = b->unpacked_size;
    return EXRQOI_OK;
}

/* Only the stored-raw rule applies: n bytes are n bytes. */
static uint64_t none_max_unpacked(const exrqoi__block_layout *b, uint64_t n)
{
    (void)b;
    return n;
}

/* Only reached with sizes that differ: the same error as none_decompress. */
static exrqoi_result none_decompress_segments(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                              const uint8_t *src, size_t n, const exrqoi__segment *seg, size_t nseg)
{
    (void)seg;
    (void)nseg;
    return none_decompress(ctx, b, src, n, NULL);
}

/* Deep data: stored bytes need no byte coder (codec.c's byte dispatch). */
const exrqoi__codec exrqoi__codec_none = {
    .id = EXRQOI_COMPRESSION_NONE, .name = "none", .lines_per_chunk = 1, .flags = EXRQOI__CODEC_DEEP | EXRQOI__CODEC_DEEP_WRITE, .speed = 8000,
    .decompress = none_decompress, .bound = none_bound, .compress = none_compress, .max_unpacked = none_max_unpacked,
    .decompress_segments = none_decompress_segments};
