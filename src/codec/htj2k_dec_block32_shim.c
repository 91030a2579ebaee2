/*
 * TEMPORARY (branch htcoef): exrqoi__htj2k_decode_block32 through the
 * 64-bit block decoder, until htblock's 32-bit decoder lands in
 * htj2k_dec_block.c; delete this file (and its line in
 * src/sources.cmake) at the merge.
 */
#include "codec/htj2k_dec.h"

exrqoi_result exrqoi__htj2k_decode_block32(exrqoi__htj2k_block_scratch *s, const exrqoi__htj2k_cblk *cb,
                                           int32_t *out, size_t stride, exrqoi__err *err)
{
    int64_t tmp[EXRQOI__HTJ2K_CB_MAX_AREA];
    if ((size_t)cb->width * cb->height > EXRQOI__HTJ2K_CB_MAX_AREA)
        return exrqoi__fail(err, EXRQOI_ERR_CORRUPT, "HTJ2K code-block of %ux%u", cb->width, cb->height);
    EXRQOI_TRY(exrqoi__htj2k_decode_block(s, cb, tmp, cb->width, err));
    for (uint32_t y = 0; y < cb->height; y++)
        for (uint32_t x = 0; x < cb->width; x++) {
            const int64_t v = tmp[(size_t)y * cb->width + x];
            if (v < INT32_MIN || v > INT32_MAX)
                return exrqoi__fail(err, EXRQOI_ERR_CORRUPT, "HTJ2K code-block coefficient out of 32-bit range");
            out[(size_t)y * stride + x] = (int32_t)v;
        }
    return EXRQOI_OK;
}
