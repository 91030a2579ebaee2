/*
 * PXR24 (16 lines per chunk): line by line, channel by channel, each
 * sample is replaced by its difference to the previous sample of the same
 * line and channel, and the differences are split into byte planes (most
 * significant first): 2 planes for half, 4 for uint, 3 for float, whose
 * value is first cut to 24 bits. The whole is then zlib-deflated. Half and
 * uint are lossless; float keeps sign, exponent and 15 mantissa bits.
 */
#include "codec/codec.h"

/* OpenEXR's float -> 24 bits: round the mantissa to 15 bits (ties away
 * from zero), NaN keeps its top payload bits (forced non-zero), and a
 * round-up that would overflow to Inf truncates instead. */
static inline uint32_t float24(uint32_t f)
{
    uint32_t s = f & 0x80000000u, e = f & 0x7f800000u, m = f & 0x007fffffu, i;
    if (e == 0x7f800000u) {
        if (m) {
            m >>= 8;
            i = (e >> 8) | m | (m == 0);
        } else {
            i = e >> 8;
        }
    } else {
        i = ((e | m) + (m & 0x80u)) >> 8;
        if (i >= 0x7f8000u) i = (e | m) >> 8;
    }
    return (s >> 8) | i;
}

/* Bytes of the pre-deflate stream, checked against the unpacked size. */
static exrqoi_result plane_size(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                size_t *out)
{
    size_t planes = 0, raw = 0;
    for (int c = 0; c < b->nchan; c++) {
        const exrqoi__chan_layout *ch = &b->chans[c];
        if (ch->width < 0 || ch->height < 0 || ch->y_sampling < 1 ||
            ch->size != (ch->type == EXRQOI_PIXEL_HALF ? 2 : 4) ||
            ch->type > EXRQOI_PIXEL_FLOAT)
            return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                                "invalid layout of channel %d in PXR24 block", c);
        size_t n = (size_t)ch->width * (size_t)ch->height;
        raw += n * ch->size;
        planes += n * (ch->type == EXRQOI_PIXEL_FLOAT ? 3u : ch->size);
    }
    if (raw != b->unpacked_size)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                            "PXR24 block layout covers %zu of %zu bytes", raw, b->unpacked_size);
    *out = planes;
    return EXRQOI_OK;
}

/* Rebuilds the unpacked lines from the byte planes in `in` (`avail` bytes). */
static exrqoi_result pxr24_unplane(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                   const uint8_t *in, size_t avail, uint8_t *dst)
{
    uint8_t *out = dst, *end = dst + b->unpacked_size;
    const uint8_t *in_end = in + avail;
    for (int32_t yy = 0; yy < b->height; yy++) {
        int32_t y = b->y + yy;
        for (int c = 0; c < b->nchan; c++) {
            const exrqoi__chan_layout *ch = &b->chans[c];
            if (exrqoi__mod(y, ch->y_sampling) != 0) continue;
            size_t w = (size_t)ch->width;
            size_t nplanes = ch->type == EXRQOI_PIXEL_FLOAT ? 3 : ch->size;
            if ((size_t)(end - out) < w * ch->size || (size_t)(in_end - in) < w * nplanes)
                return exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT,
                                    "PXR24 data too short for line %d", (int)y);
            const uint8_t *p0 = in, *p1 = in + w, *p2 = in + 2 * w, *p3 = in + 3 * w;
            uint32_t v = 0;
            switch (ch->type) {
            case EXRQOI_PIXEL_HALF:
                for (size_t x = 0; x < w; x++) {
                    v += ((uint32_t)p0[x] << 8) | p1[x];
                    exrqoi__put16(out + 2 * x, (uint16_t)v);
                }
                break;
            case EXRQOI_PIXEL_UINT:
                for (size_t x = 0; x < w; x++) {
                    v += ((uint32_t)p0[x] << 24) | ((uint32_t)p1[x] << 16) |
                         ((uint32_t)p2[x] << 8) | p3[x];
                    exrqoi__put32(out + 4 * x, v);
                }
                break;
            default: /* float */
                for (size_t x = 0; x < w; x++) {
                    v += ((uint32_t)p0[x] << 24) | ((uint32_t)p1[x] << 16) |
                         ((uint32_t)p2[x] << 8);
                    exrqoi__put32(out + 4 * x, v);
                }
                break;
            }
            in += w * nplanes;
            out += w * ch->size;
        }
    }
    if (out != end)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                            "PXR24 block layout does not match its unpacked size");
    return EXRQOI_OK;
}

static exrqoi_result pxr24_decompress(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                      const uint8_t *src, size_t n, uint8_t *dst)
{
    size_t need;
    EXRQOI_TRY(plane_size(ctx, b, &need));
    /* OpenEXR accepts a stream that inflates to more than needed (the
     * excess is ignored), so allow some slack rather than demand equality */
    size_t cap = need + need / 8 + 64;
    void *tmp;
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, 0, cap, &tmp));
    size_t got = 0;
    EXRQOI_TRY(exrqoi__inflate_any(ctx, src, n, (uint8_t *)tmp, cap, &got));
    if (got < need)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT,
                            "PXR24 data inflates to %zu bytes, %zu expected", got, need);
    return pxr24_unplane(ctx, b, (const uint8_t *)tmp, got, dst);
}

/* Fills `planes` (plane_size bytes) from the unpacked lines in `src`. */
static void pxr24_plane(const exrqoi__block_layout *b, const uint8_t *src, uint8_t *planes)
{
    const uint8_t *in = src;
    uint8_t *out = planes;
    for (int32_t yy = 0; yy < b->height; yy++) {
        int32_t y = b->y + yy;
        for (int c = 0; c < b->nchan; c++) {
            const exrqoi__chan_layout *ch = &b->chans[c];
            if (exrqoi__mod(y, ch->y_sampling) != 0) continue;
            size_t w = (size_t)ch->width;
            uint8_t *p0 = out, *p1 = out + w, *p2 = out + 2 * w, *p3 = out + 3 * w;
            uint32_t prev = 0;
            switch (ch->type) {
            case EXRQOI_PIXEL_HALF:
                for (size_t x = 0; x < w; x++) {
                    uint32_t v = exrqoi__le16(in + 2 * x), d = v - prev;
                    prev = v;
                    p0[x] = (uint8_t)(d >> 8);
                    p1[x] = (uint8_t)d;
                }
                out += 2 * w;
                break;
            case EXRQOI_PIXEL_UINT:
                for (size_t x = 0; x < w; x++) {
                    uint32_t v = exrqoi__le32(in + 4 * x), d = v - prev;
                    prev = v;
                    p0[x] = (uint8_t)(d >> 24);
                    p1[x] = (uint8_t)(d >> 16);
                    p2[x] = (uint8_t)(d >> 8);
                    p3[x] = (uint8_t)d;
                }
                out += 4 * w;
                break;
            default: /* float */
                for (size_t x = 0; x < w; x++) {
                    uint32_t v = float24(exrqoi__le32(in + 4 * x)), d = v - prev;
                    prev = v;
                    p0[x] = (uint8_t)(d >> 16);
                    p1[x] = (uint8_t)(d >> 8);
                    p2[x] = (uint8_t)d;
                }
                out += 3 * w;
                break;
            }
            in += w * ch->size;
        }
    }
}

/* Worst case of libdeflate's zlib wrapper for the plane bytes, which never
 * outnumber the unpacked bytes. */
static size_t pxr24_bound(const exrqoi__block_layout *b)
{
    size_t n = b->unpacked_size;
    return n + n / 8 + 64 + 6 * (n / 65535 + 1);
}

static exrqoi_result pxr24_compress(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                    const uint8_t *src, uint8_t *dst, size_t cap, size_t *out)
{
    size_t need;
    EXRQOI_TRY(plane_size(ctx, b, &need));
    /* the line walk below must cover exactly the unpacked bytes */
    size_t lines_bytes = 0;
    for (int32_t yy = 0; yy < b->height; yy++)
        for (int c = 0; c < b->nchan; c++)
            if (exrqoi__mod(b->y + yy, b->chans[c].y_sampling) == 0)
                lines_bytes += (size_t)b->chans[c].width * b->chans[c].size;
    if (lines_bytes != b->unpacked_size)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                            "PXR24 block layout does not match its unpacked size");
    void *tmp;
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, 0, need ? need : 1, &tmp));
    pxr24_plane(b, src, (uint8_t *)tmp);
    int level = ctx->zip_level > 0 ? ctx->zip_level : EXRQOI__PXR24_DEFAULT_LEVEL;
    return exrqoi__deflate_at(ctx, level, (const uint8_t *)tmp, need, dst, cap, out);
}

const exrqoi__codec exrqoi__codec_pxr24 = {EXRQOI_COMPRESSION_PXR24, "pxr24", 16,
                                           pxr24_decompress, pxr24_bound, pxr24_compress};
