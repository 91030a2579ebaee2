/*
 * B44 and B44A (32 lines per chunk). The chunk holds the channels one after
 * the other, each as a whole plane: half channels cut into 4x4 blocks (the
 * right column and bottom row repeated to pad partial blocks), each block
 * packed to 14 bytes, or to 3 when all 16 values are equal (B44A only);
 * uint and float channels as their raw little-endian samples.
 *
 * A 14-byte block: the first value t0 (16 bits), then sixteen 6-bit fields
 * big-endian: the shift, then 15 differences biased by 32 (three down the
 * first column, then for each next column one per row). Values are first
 * mapped to an ordered form t (sign-magnitude to offset), Inf/NaN to 0.
 */
#include "codec/b44_tables.h"
#include "codec/codec.h"

enum { B44_BIAS = 0x20, B44_FLAT_MARK = 13 << 2 };

/* ---- layout ------------------------------------------------------------ */

/* Offsets into the unpacked buffer of every sampled line of every channel:
 * lines[first[c] + j] is where line j of channel c starts. Checks the
 * layout against block->unpacked_size so nothing later can overrun. */
typedef struct b44_lines {
    const size_t *first; /* nchan entries */
    const size_t *lines;
} b44_lines;

static exrqoi_result map_lines(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                               b44_lines *out)
{
    if (b->nchan < 0 || b->height < 0 || (b->nchan > 0 && !b->chans))
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT, "invalid B44 block layout");
    size_t n = (size_t)b->nchan;
    size_t total_lines = 0;
    for (size_t c = 0; c < n; c++) {
        const exrqoi__chan_layout *ch = &b->chans[c];
        if (ch->height < 0 || ch->width < 0 || ch->y_sampling < 1 ||
            ch->size != (ch->type == EXRQOI_PIXEL_HALF ? 2 : 4))
            return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                                "invalid layout of channel %zu in B44 block", c);
        total_lines += (size_t)ch->height;
    }
    /* first[n + 1], cursor[n], lines[total_lines] */
    size_t bytes;
    if (exrqoi__mul_size(2 * n + 1 + total_lines, sizeof(size_t), &bytes))
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_OUT_OF_MEMORY, "B44 layout too large");
    void *mem;
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, 1, bytes, &mem));
    size_t *first = (size_t *)mem, *cursor = first + n + 1, *lines = cursor + n;
    first[0] = 0;
    for (size_t c = 0; c < n; c++) {
        cursor[c] = first[c];
        first[c + 1] = first[c] + (size_t)b->chans[c].height;
    }

    size_t pos = 0;
    for (int32_t yy = 0; yy < b->height; yy++) {
        int32_t y = b->y + yy;
        for (size_t c = 0; c < n; c++) {
            const exrqoi__chan_layout *ch = &b->chans[c];
            if (exrqoi__mod(y, ch->y_sampling) != 0) continue;
            if (cursor[c] == first[c + 1])
                return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                                    "channel %zu has more sampled lines than its height", c);
            size_t row, next;
            if (exrqoi__mul_size((size_t)ch->width, ch->size, &row) ||
                exrqoi__add_size(pos, row, &next) || next > b->unpacked_size)
                return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                                    "B44 block layout exceeds its unpacked size");
            lines[cursor[c]++] = pos;
            pos = next;
        }
    }
    if (pos != b->unpacked_size)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                            "B44 block layout covers %zu of %zu bytes", pos, b->unpacked_size);
    for (size_t c = 0; c < n; c++)
        if (cursor[c] != first[c + 1])
            return exrqoi__fail(&ctx->err, EXRQOI_ERR_INVALID_ARGUMENT,
                                "channel %zu has fewer sampled lines than its height", c);
    out->first = first;
    out->lines = lines;
    return EXRQOI_OK;
}

/* ---- one 4x4 block ---------------------------------------------------- */

/* Field k (0..15) of the 96-bit big-endian string after t0: k = 0 is the
 * shift, k = 1 + i is difference i. Differences 0..2 run down column 0;
 * difference 3 + 4 * (col - 1) + row links (row, col - 1) to (row, col). */
static inline void unpack14(const uint8_t *b, uint16_t s[16])
{
    uint64_t hi = ((uint64_t)b[2] << 40) | ((uint64_t)b[3] << 32) | ((uint64_t)b[4] << 24) |
                  ((uint64_t)b[5] << 16) | ((uint64_t)b[6] << 8) | b[7];
    uint64_t lo = ((uint64_t)b[8] << 40) | ((uint64_t)b[9] << 32) | ((uint64_t)b[10] << 24) |
                  ((uint64_t)b[11] << 16) | ((uint64_t)b[12] << 8) | b[13];
    uint32_t shift = (uint32_t)(hi >> 42); /* < 13: larger means a flat block */
    uint32_t bias = (uint32_t)B44_BIAS << shift;
    uint32_t r[15];
    for (int i = 0; i < 7; i++) r[i] = (uint32_t)(hi >> (36 - 6 * i)) & 63u;
    for (int i = 7; i < 15; i++) r[i] = (uint32_t)(lo >> (42 - 6 * (i - 7))) & 63u;

    /* all sums modulo 2^16, as OpenEXR's 16-bit arithmetic */
    uint32_t t[16];
    t[0] = ((uint32_t)b[0] << 8) | b[1];
    t[4] = t[0] + (r[0] << shift) - bias;
    t[8] = t[4] + (r[1] << shift) - bias;
    t[12] = t[8] + (r[2] << shift) - bias;
    for (int col = 1; col < 4; col++)
        for (int row = 0; row < 4; row++)
            t[4 * row + col] = t[4 * row + col - 1] + (r[3 + 4 * (col - 1) + row] << shift) - bias;
    for (int i = 0; i < 16; i++) {
        uint32_t v = t[i] & 0xffffu;
        s[i] = (uint16_t)((v & 0x8000u) ? (v & 0x7fffu) : (~v & 0xffffu));
    }
}

static inline uint16_t flat_value(const uint8_t *b)
{
    uint32_t v = ((uint32_t)b[0] << 8) | b[1];
    return (uint16_t)((v & 0x8000u) ? (v & 0x7fffu) : (~v & 0xffffu));
}

/* x / 2^shift rounded to nearest, ties to even. */
static inline int32_t round_shift(int32_t x, uint32_t shift)
{
    if (shift == 0) return x;
    int32_t q = x >> shift;
    int32_t rem = x & ((1 << shift) - 1);
    int32_t half = 1 << (shift - 1);
    return q + (rem > half || (rem == half && (q & 1)));
}

/* Packs s (already through the pLinear transfer if any); returns 3 or 14. */
static int pack_block(const uint16_t s[16], uint8_t *b, int flat_ok, int exact_max)
{
    int32_t t[16], tmax = 0;
    for (int i = 0; i < 16; i++) {
        uint32_t v = s[i];
        if ((v & 0x7c00u) == 0x7c00u)
            t[i] = 0x8000;
        else if (v & 0x8000u)
            t[i] = (int32_t)(~v & 0xffffu);
        else
            t[i] = (int32_t)(v | 0x8000u);
        if (t[i] > tmax) tmax = t[i];
    }

    int32_t d[16], r[15];
    uint32_t shift = 0;
    for (;;) {
        for (int i = 0; i < 16; i++) d[i] = round_shift(tmax - t[i], shift);
        r[0] = d[0] - d[4] + B44_BIAS;
        r[1] = d[4] - d[8] + B44_BIAS;
        r[2] = d[8] - d[12] + B44_BIAS;
        for (int col = 1; col < 4; col++)
            for (int row = 0; row < 4; row++)
                r[3 + 4 * (col - 1) + row] = d[4 * row + col - 1] - d[4 * row + col] + B44_BIAS;
        int ok = 1;
        for (int i = 0; i < 15; i++) ok &= (r[i] >= 0) & (r[i] <= 63);
        if (ok) break;
        shift++; /* the range of t bounds this at 11 */
    }

    if (flat_ok) {
        int flat = 1;
        for (int i = 0; i < 15; i++) flat &= r[i] == B44_BIAS;
        if (flat) {
            b[0] = (uint8_t)(t[0] >> 8);
            b[1] = (uint8_t)t[0];
            b[2] = 0xfc;
            return 3;
        }
    }

    /* exact_max: choose t0 so that the largest value decodes exactly */
    uint32_t t0 = exact_max ? ((uint32_t)(tmax - (d[0] << shift)) & 0xffffu) : (uint32_t)t[0];
    uint64_t hi = (uint64_t)shift << 42, lo = 0;
    for (int i = 0; i < 7; i++) hi |= (uint64_t)r[i] << (36 - 6 * i);
    for (int i = 7; i < 15; i++) lo |= (uint64_t)r[i] << (42 - 6 * (i - 7));
    b[0] = (uint8_t)(t0 >> 8);
    b[1] = (uint8_t)t0;
    for (int i = 0; i < 6; i++) {
        b[2 + i] = (uint8_t)(hi >> (40 - 8 * i));
        b[8 + i] = (uint8_t)(lo >> (40 - 8 * i));
    }
    return 14;
}

/* ---- codec entry points ------------------------------------------------- */

static exrqoi_result corrupt(exrqoi__codec_ctx *ctx, size_t c, const char *what)
{
    return exrqoi__fail(&ctx->err, EXRQOI_ERR_CORRUPT, "B44 data ends inside %s of channel %zu",
                        what, c);
}

static exrqoi_result b44_decompress(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                    const uint8_t *src, size_t n, uint8_t *dst)
{
    b44_lines L;
    EXRQOI_TRY(map_lines(ctx, b, &L));
    size_t pos = 0;
    for (size_t c = 0; c < (size_t)b->nchan; c++) {
        const exrqoi__chan_layout *ch = &b->chans[c];
        const size_t *lines = L.lines + L.first[c];
        size_t nx = (size_t)ch->width, ny = (size_t)ch->height;
        if (nx == 0 || ny == 0) continue;
        if (ch->type != EXRQOI_PIXEL_HALF) {
            size_t row = nx * ch->size;
            for (size_t j = 0; j < ny; j++) {
                if (n - pos < row) return corrupt(ctx, c, "the raw samples");
                memcpy(dst + lines[j], src + pos, row);
                pos += row;
            }
            continue;
        }
        const uint16_t *log_table = ch->p_linear ? exrqoi__b44_log_table() : NULL;
        for (size_t y = 0; y < ny; y += 4) {
            size_t rows = ny - y < 4 ? ny - y : 4;
            uint8_t *row_ptr[4];
            for (size_t k = 0; k < rows; k++) row_ptr[k] = dst + lines[y + k];
            for (size_t x = 0; x < nx; x += 4) {
                uint16_t s[16];
                if (n - pos < 3) return corrupt(ctx, c, "a block");
                if (src[pos + 2] >= B44_FLAT_MARK) {
                    uint16_t v = flat_value(src + pos);
                    for (int i = 0; i < 16; i++) s[i] = v;
                    pos += 3;
                } else {
                    if (n - pos < 14) return corrupt(ctx, c, "a block");
                    unpack14(src + pos, s);
                    pos += 14;
                }
                if (log_table)
                    for (int i = 0; i < 16; i++) s[i] = log_table[s[i]];
                size_t cols = nx - x < 4 ? nx - x : 4;
                for (size_t k = 0; k < rows; k++) {
                    uint8_t *p = row_ptr[k] + 2 * x;
                    for (size_t i = 0; i < cols; i++) exrqoi__put16(p + 2 * i, s[4 * k + i]);
                }
            }
        }
    }
    /* bytes after the last block are ignored, as OpenEXR does */
    return EXRQOI_OK;
}

static size_t b44_bound(const exrqoi__block_layout *b)
{
    size_t total = 64;
    for (int c = 0; c < b->nchan; c++) {
        const exrqoi__chan_layout *ch = &b->chans[c];
        if (ch->width <= 0 || ch->height <= 0) continue;
        size_t nx = (size_t)ch->width, ny = (size_t)ch->height, part;
        if (ch->type == EXRQOI_PIXEL_HALF)
            part = 14 * ((nx + 3) / 4) * ((ny + 3) / 4);
        else
            part = nx * ny * 4;
        if (exrqoi__add_size(total, part, &total)) return SIZE_MAX;
    }
    return total;
}

static exrqoi_result b44_compress_impl(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                       const uint8_t *src, uint8_t *dst, size_t cap,
                                       size_t *out_size, int flat_ok)
{
    if (cap < b44_bound(b))
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_BUFFER_TOO_SMALL,
                            "B44 output buffer of %zu bytes is too small", cap);
    b44_lines L;
    EXRQOI_TRY(map_lines(ctx, b, &L));
    size_t pos = 0;
    for (size_t c = 0; c < (size_t)b->nchan; c++) {
        const exrqoi__chan_layout *ch = &b->chans[c];
        const size_t *lines = L.lines + L.first[c];
        size_t nx = (size_t)ch->width, ny = (size_t)ch->height;
        if (nx == 0 || ny == 0) continue;
        if (ch->type != EXRQOI_PIXEL_HALF) {
            size_t row = nx * ch->size;
            for (size_t j = 0; j < ny; j++) {
                memcpy(dst + pos, src + lines[j], row);
                pos += row;
            }
            continue;
        }
        const uint16_t *exp_table = ch->p_linear ? exrqoi__b44_exp_table() : NULL;
        for (size_t y = 0; y < ny; y += 4) {
            /* pad below by repeating the last line */
            const uint8_t *row_ptr[4];
            for (size_t k = 0; k < 4; k++) row_ptr[k] = src + lines[y + k < ny ? y + k : ny - 1];
            for (size_t x = 0; x < nx; x += 4) {
                uint16_t s[16];
                if (nx - x >= 4) {
                    for (int k = 0; k < 4; k++)
                        for (int i = 0; i < 4; i++)
                            s[4 * k + i] = exrqoi__le16(row_ptr[k] + 2 * (x + (size_t)i));
                } else {
                    /* pad right by repeating the last column */
                    for (int k = 0; k < 4; k++)
                        for (size_t i = 0; i < 4; i++) {
                            size_t xi = x + i < nx ? x + i : nx - 1;
                            s[4 * k + i] = exrqoi__le16(row_ptr[k] + 2 * xi);
                        }
                }
                if (exp_table)
                    for (int i = 0; i < 16; i++) s[i] = exp_table[s[i]];
                pos += (size_t)pack_block(s, dst + pos, flat_ok, !ch->p_linear);
            }
        }
    }
    *out_size = pos;
    return EXRQOI_OK;
}

static exrqoi_result b44_compress(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                  const uint8_t *src, uint8_t *dst, size_t cap, size_t *out)
{
    return b44_compress_impl(ctx, b, src, dst, cap, out, 0);
}

static exrqoi_result b44a_compress(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b,
                                   const uint8_t *src, uint8_t *dst, size_t cap, size_t *out)
{
    return b44_compress_impl(ctx, b, src, dst, cap, out, 1);
}

/* Output can exceed the unpacked size (a 14-byte block may stand for a
 * single 2-byte sample); the dispatcher then stores the chunk raw, which is
 * also what OpenEXR's writers do. */
const exrqoi__codec exrqoi__codec_b44 = {EXRQOI_COMPRESSION_B44, "b44", 32, b44_decompress,
                                         b44_bound, b44_compress};
const exrqoi__codec exrqoi__codec_b44a = {EXRQOI_COMPRESSION_B44A, "b44a", 32, b44_decompress,
                                          b44_bound, b44a_compress};
