/* Fuzz target: every decompressor on raw chunk bytes. The first bytes pick
 * the codec and a small block layout (fuzz_layout.h); the rest is the
 * packed chunk. The output buffer is exactly the unpacked size. */
#include <stdlib.h>

#include "fuzz_layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_layout L;
    if (!fuzz_make_layout(data, size, EXRQOI_COMPRESSION_COUNT, &L)) return 0;
    const uint8_t *src = data + FUZZ_LAYOUT_BYTES;
    size_t n = size - FUZZ_LAYOUT_BYTES;
    /* exact-size copy of the packed bytes so overreads are caught */
    uint8_t *packed = (uint8_t *)malloc(n ? n : 1);
    uint8_t *dst = (uint8_t *)malloc(L.block.unpacked_size ? L.block.unpacked_size : 1);
    if (packed && dst) {
        if (n) memcpy(packed, src, n);
        exrqoi__codec_ctx ctx;
        exrqoi__codec_ctx_init(&ctx, NULL);
        (void)exrqoi__decompress_block(&ctx, &L.block, packed, n, dst);
        /* a second call on the same context: scratch reuse must be safe */
        (void)exrqoi__decompress_block(&ctx, &L.block, packed, n / 2, dst);
        exrqoi__codec_ctx_free(&ctx);
    }
    free(packed);
    free(dst);
    return 0;
}
