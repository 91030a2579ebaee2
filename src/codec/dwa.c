/* DWAA/DWAB: placeholder until the codec lands. */
#include "codec/codec.h"

static exrqoi_result dwa_decompress(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                    const uint8_t *src, size_t n, uint8_t *dst)
{
    (void)b; (void)src; (void)n; (void)dst;
    return exrqoi__fail(&ctx->err, EXRQOI_ERR_UNSUPPORTED_COMPRESSION, "%s compression is not supported yet",
                        exrqoi_compression_name(b->compression));
}
const exrqoi__codec exrqoi__codec_dwaa = {EXRQOI_COMPRESSION_DWAA, "dwaa", 32, dwa_decompress, NULL, NULL};
const exrqoi__codec exrqoi__codec_dwab = {EXRQOI_COMPRESSION_DWAB, "dwab", 256, dwa_decompress, NULL, NULL};
