/* B44/B44A: placeholder until the codec lands. */
#include "codec/codec.h"

static exrqoi_result b44_decompress(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                    const uint8_t *src, size_t n, uint8_t *dst)
{
    (void)b; (void)src; (void)n; (void)dst;
    return exrqoi__fail(&ctx->err, EXRQOI_ERR_UNSUPPORTED_COMPRESSION, "%s compression is not supported yet",
                        exrqoi_compression_name(b->compression));
}
const exrqoi__codec exrqoi__codec_b44 = {EXRQOI_COMPRESSION_B44, "b44", 32, b44_decompress, NULL, NULL};
const exrqoi__codec exrqoi__codec_b44a = {EXRQOI_COMPRESSION_B44A, "b44a", 32, b44_decompress, NULL, NULL};
