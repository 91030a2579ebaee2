/* Fuzz target: the HTJ2K chunk decoder. The input is one HTJ2K chunk as
 * stored in an EXR file (run_fuzz.sh seeds with the chunks of
 * ../shared/corpus/htj2k, extracted by htj2k_seeds). It is decoded under a
 * block layout matching its own codestream (htj2k_layout.h), so damaged
 * codestreams get past the header comparison, and its codestream (or the
 * whole input, when it starts with SOC) is decoded on its own too. */
#include <stdlib.h>

#include "htj2k_layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* exact-size copy so overreads are caught */
    uint8_t *in = (uint8_t *)malloc(size ? size : 1);
    if (!in) return 0;
    if (size) memcpy(in, data, size);
    htj2k_layout L;
    if (htj2k_layout_from_chunk(in, size, EXRQOI_COMPRESSION_HTJ2K32, &L)) {
        uint8_t *dst = (uint8_t *)malloc(L.block.unpacked_size ? L.block.unpacked_size : 1);
        if (dst) {
            exrqoi__codec_ctx ctx;
            exrqoi__codec_ctx_init(&ctx, NULL);
            (void)exrqoi__decompress_block(&ctx, &L.block, in, size, dst);
            exrqoi__codec_ctx_free(&ctx);
        }
        free(dst);
    }
    size_t off = 0;
    if (size >= 6 && exrqoi__htj2k_be16(in) == EXRQOI__HTJ2K_MAGIC) {
        uint32_t plen = exrqoi__htj2k_be32(in + 2);
        off = plen <= size - 6 ? 6 + (size_t)plen : size;
    }
    exrqoi__err err;
    memset(&err, 0, sizeof err);
    exrqoi__htj2k_image img;
    /* a bound on samples keeps each input fast */
    if (exrqoi__htj2k_decode_codestream(NULL, &err, in + off, size - off, NULL, (uint64_t)1 << 22, NULL, &img) ==
        EXRQOI_OK)
        exrqoi__htj2k_image_free(NULL, &img);
    free(in);
    return 0;
}
