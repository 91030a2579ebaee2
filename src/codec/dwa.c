/* DWAA (32 lines per chunk) and DWAB (256 lines): the codec table entries
 * and helpers shared by the DWA decoder and encoder. */
#include "codec/dwa.h"

size_t exrqoi__dwa_row_count(const exrqoi__block_layout *b)
{
    size_t n = 0;
    for (int c = 0; c < b->nchan; c++) n += b->chans[c].height > 0 ? (size_t)b->chans[c].height : 0;
    return n;
}

exrqoi_result exrqoi__dwa_rows(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b, size_t *rows,
                               size_t *first)
{
    size_t k = 0;
    for (int c = 0; c < b->nchan; c++) {
        const exrqoi__chan_layout *ch = &b->chans[c];
        if (ch->width < 0 || ch->height < 0 || ch->y_sampling < 1 || ch->x_sampling < 1 ||
            (ch->size != 2 && ch->size != 4))
            return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                                "bad channel layout for DWA");
        first[c] = k;
        k += (size_t)ch->height;
    }
    size_t off = 0;
    for (int32_t yy = 0; yy < b->height; yy++) {
        int32_t y = b->y + yy;
        for (int c = 0; c < b->nchan; c++) {
            const exrqoi__chan_layout *ch = &b->chans[c];
            if (exrqoi__mod(y, ch->y_sampling) != 0) continue;
            /* count of this channel's lines before y within the block */
            int32_t r = exrqoi__count_sampled(b->y, y - 1, ch->y_sampling);
            if (r >= ch->height)
                return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                                    "channel %d has more lines than its layout says", c);
            rows[first[c] + (size_t)r] = off;
            off += (size_t)ch->width * ch->size;
        }
    }
    if (off != b->unpacked_size)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                            "DWA block layout sums to %zu bytes, %zu expected", off,
                            b->unpacked_size);
    return EXRQOI_OK;
}

static exrqoi_result dwa_decompress(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                    const uint8_t *src, size_t n, uint8_t *dst)
{
    return exrqoi__dwa_decode(ctx, b, src, n, dst);
}

static size_t dwa_bound(const exrqoi__block_layout *b) { return exrqoi__dwa_bound(b); }

static exrqoi_result dwa_compress(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                  const uint8_t *src, uint8_t *dst, size_t cap, size_t *out)
{
    /* OpenEXR codes the AC data of DWAA tiles with zlib, everything else with Huffman */
    int coder = (b->tiled && b->compression == EXRQOI_COMPRESSION_DWAA) ? DWA_AC_DEFLATE : DWA_AC_HUFFMAN;
    return exrqoi__dwa_encode(ctx, b, src, dst, cap, out, coder);
}

/* After the fixed header every part is zlib data at heart: stored
 * channels are zlib (1032:1), RLE channels byte RLE (64:1) under zlib
 * (66048:1), and a lossy 8x8 block is one 2-byte DC value in a zlib
 * stream plus at least one AC code: 64 samples, 128 bytes for HALF
 * (66048:1) and 256 for FLOAT (132096:1). */
#define DWA_RLE_ZLIB_RATIO (64u * EXRQOI__DEFLATE_MAX_RATIO)
#define DWA_DCT_FLOAT_RATIO (128u * EXRQOI__DEFLATE_MAX_RATIO)

static uint64_t dwa_max_unpacked(const exrqoi__block_layout *b, uint64_t n)
{
    if (n <= DWA_HEADER_SIZE) return 0;
    bool has_float = !b;
    for (int c = 0; b && c < b->nchan; c++) has_float |= b->chans[c].type == EXRQOI_PIXEL_FLOAT;
    return exrqoi__sat_mul(n - DWA_HEADER_SIZE, has_float ? DWA_DCT_FLOAT_RATIO : DWA_RLE_ZLIB_RATIO);
}

const exrqoi__codec exrqoi__codec_dwaa = {
    .id = EXRQOI_COMPRESSION_DWAA, .name = "dwaa", .lines_per_chunk = 32,
    .flags = EXRQOI__CODEC_LOSSY | EXRQOI__CODEC_TILES_UNPACKED, .speed = 250, .decompress = dwa_decompress,
    .bound = dwa_bound, .compress = dwa_compress, .max_unpacked = dwa_max_unpacked,
    .decompress_segments = exrqoi__dwa_decompress_segments};
const exrqoi__codec exrqoi__codec_dwab = {
    .id = EXRQOI_COMPRESSION_DWAB, .name = "dwab", .lines_per_chunk = 256,
    .flags = EXRQOI__CODEC_LOSSY | EXRQOI__CODEC_TILES_UNPACKED, .speed = 250, .decompress = dwa_decompress,
    .bound = dwa_bound, .compress = dwa_compress, .max_unpacked = dwa_max_unpacked,
    .decompress_segments = exrqoi__dwa_decompress_segments};
