/* PXR24: placeholder until the codec lands. */
#include "codec/codec.h"

static exrqoi_result pxr24_decompress(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                    const uint8_t *src, size_t n, uint8_t *dst)
{
    (void)b; (void)src; (void)n; (void)dst;
    return exrqoi__fail(&ctx->err, EXRQOI_ERR_UNSUPPORTED_COMPRESSION, "pxr24 compression is not supported yet");
}
const exrqoi__codec exrqoi__codec_pxr24 = {EXRQOI_COMPRESSION_PXR24, "pxr24", 16, pxr24_decompress, NULL, NULL};
