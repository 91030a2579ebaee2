/*
 * Fuzz target: round trips. The first bytes pick a codec and a block
 * layout (fuzz_layout.h), the rest (repeated as needed) is the image.
 * Lossless codecs must give back the same bytes; lossy ones (B44, B44A,
 * DWAA, DWAB, PXR24 on float channels) must at least decode what they
 * encoded. A first byte of 10 modulo 11 round-trips the bytes as a QOI image
 * instead (the codec is the first byte modulo the codec count).
 */
#include <stdlib.h>

#include "exrqoi/qoi.h"
#include "fuzz_layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fill(uint8_t *dst, size_t n, const uint8_t *src, size_t m)
{
    for (size_t i = 0; i < n; i++) dst[i] = m ? src[i % m] : (uint8_t)(i * 151u);
}

static void qoi_round_trip(const uint8_t *data, size_t size)
{
    if (size < 3) return;
    exrqoi_qoi_desc d;
    d.width = 1u + data[0] % 64;
    d.height = 1u + data[1] % 64;
    d.channels = (data[2] & 1) ? 4 : 3;
    d.colorspace = (data[2] >> 1) & 1;
    size_t n = (size_t)d.width * d.height * d.channels;
    uint8_t *px = (uint8_t *)malloc(n);
    if (!px) return;
    fill(px, n, data + 3, size - 3);
    void *enc = NULL, *dec = NULL;
    size_t enc_size = 0, dec_size = 0;
    if (exrqoi_qoi_encode(exrqoi_sink_memory(&enc, &enc_size), px, &d, NULL) != EXRQOI_OK) __builtin_trap();
    exrqoi_qoi_desc d2;
    if (exrqoi_qoi_decode(exrqoi_source_memory(enc, enc_size), NULL, &d2, &dec, &dec_size) != EXRQOI_OK) __builtin_trap();
    if (dec_size != n || memcmp(dec, px, n) != 0 || d2.width != d.width || d2.height != d.height ||
        d2.channels != d.channels)
        __builtin_trap();
    exrqoi_free(NULL, enc);
    exrqoi_free(NULL, dec);
    free(px);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 1 && data[0] % 11 == 10) {
        qoi_round_trip(data + 1, size - 1);
        return 0;
    }
    fuzz_layout L;
    if (!fuzz_make_layout(data, size, EXRQOI_COMPRESSION_COUNT, &L)) return 0;
    size_t n = L.block.unpacked_size;
    uint8_t *img = (uint8_t *)malloc(n ? n : 1);
    uint8_t *back = (uint8_t *)malloc(n ? n : 1);
    if (!img || !back) goto out;
    fill(img, n, data + FUZZ_LAYOUT_BYTES, size - FUZZ_LAYOUT_BYTES);
    exrqoi__codec_ctx enc, dec;
    exrqoi__codec_ctx_init(&enc, NULL);
    exrqoi__codec_ctx_init(&dec, NULL);
    const uint8_t *packed = NULL;
    size_t packed_size = 0;
    exrqoi_result rv = exrqoi__compress_block(&enc, &L.block, img, &packed, &packed_size);
    if (rv == EXRQOI_ERR_UNSUPPORTED_COMPRESSION) goto done; /* codec not built yet */
    if (rv != EXRQOI_OK) __builtin_trap();
    /* decode from an exact-size copy */
    uint8_t *copy = (uint8_t *)malloc(packed_size ? packed_size : 1);
    if (!copy) goto done;
    if (packed_size) memcpy(copy, packed, packed_size);
    rv = exrqoi__decompress_block(&dec, &L.block, copy, packed_size, back);
    free(copy);
    if (rv != EXRQOI_OK) __builtin_trap();
    bool has_float = false;
    for (int k = 0; k < L.block.nchan; k++) has_float |= L.chans[k].type == EXRQOI_PIXEL_FLOAT;
    switch (L.block.compression) {
    case EXRQOI_COMPRESSION_PXR24:
        if (has_float) break;
        /* fall through */
    case EXRQOI_COMPRESSION_NONE:
    case EXRQOI_COMPRESSION_RLE:
    case EXRQOI_COMPRESSION_ZIPS:
    case EXRQOI_COMPRESSION_ZIP:
    case EXRQOI_COMPRESSION_PIZ:
    case EXRQOI_COMPRESSION_HTJ2K256:
    case EXRQOI_COMPRESSION_HTJ2K32:
        if (memcmp(img, back, n) != 0) __builtin_trap();
        break;
    default: break;
    }
done:
    exrqoi__codec_ctx_free(&enc);
    exrqoi__codec_ctx_free(&dec);
out:
    free(img);
    free(back);
    return 0;
}
