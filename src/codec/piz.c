/* PIZ: placeholder until the codec lands. */
#include "codec/codec.h"

static exrqoi_result piz_decompress(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                    const uint8_t *src, size_t n, uint8_t *dst)
{
    (void)b; (void)src; (void)n; (void)dst;
    return exrqoi__fail(&ctx->err, EXRQOI_ERR_UNSUPPORTED_COMPRESSION, "piz compression is not supported yet");
}
const exrqoi__codec exrqoi__codec_piz = {EXRQOI_COMPRESSION_PIZ, "piz", 32, piz_decompress, NULL, NULL};
