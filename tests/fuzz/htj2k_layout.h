/*
 * htj2k_layout.h - a block layout that matches an HTJ2K chunk's own
 * codestream (channel count from the channel map, sizes and sampling from
 * SIZ, types from precision and signedness: 16-bit signed = half, 32-bit
 * signed = float, 32-bit unsigned = uint), so that damaged variants of
 * real chunks reach the decoder's inner parts instead of failing the
 * header comparison. Shared by fuzz_htj2k.c and test_htj2k.c.
 */
#ifndef EXRQOI_HTJ2K_LAYOUT_H
#define EXRQOI_HTJ2K_LAYOUT_H

#include "codec/htj2k.h"
#include "exrqoi/read.h"

#define HTJ2K_LAYOUT_MAX_CHANS 64

typedef struct htj2k_layout {
    exrqoi__chan_layout chans[HTJ2K_LAYOUT_MAX_CHANS];
    exrqoi__block_layout block;
} htj2k_layout;

/* Returns 0 when the chunk is not shaped like one this helper can match
 * (then the caller can still feed it to the decoder with any layout). */
static int htj2k_layout_from_chunk(const uint8_t *d, size_t n, exrqoi_compression comp, htj2k_layout *L)
{
    static const char *const names[4] = {"R", "G", "B", "A"};
    memset(L, 0, sizeof *L);
    if (n < 8 || exrqoi__htj2k_be16(d) != EXRQOI__HTJ2K_MAGIC) return 0;
    uint32_t plen = exrqoi__htj2k_be32(d + 2);
    if (plen < 2 || plen > n - 6) return 0;
    uint32_t nch = exrqoi__htj2k_be16(d + 6);
    if (nch == 0 || nch > HTJ2K_LAYOUT_MAX_CHANS || 2 + 2 * (size_t)nch > plen) return 0;
    const uint8_t *cs = d + 6 + plen;
    size_t cn = n - 6 - plen;
    if (cn < 42 + 3 * (size_t)nch || exrqoi__htj2k_be16(cs) != EXRQOI__J2K_SOC ||
        exrqoi__htj2k_be16(cs + 2) != EXRQOI__J2K_SIZ)
        return 0;
    const uint8_t *s = cs + 6; /* Rsiz */
    uint32_t x1 = exrqoi__htj2k_be32(s + 2), y1 = exrqoi__htj2k_be32(s + 6);
    uint32_t x0 = exrqoi__htj2k_be32(s + 10), y0 = exrqoi__htj2k_be32(s + 14);
    if (exrqoi__htj2k_be16(s + 34) != nch || x1 <= x0 || y1 <= y0 || x1 - x0 > 4096 || y1 - y0 > 4096) return 0;
    const int32_t w = (int32_t)(x1 - x0), h = (int32_t)(y1 - y0);
    exrqoi_box2i win = {{0, 0}, {w - 1, h - 1}};
    size_t total = 0;
    for (uint32_t i = 0; i < nch; i++) {
        uint32_t f = exrqoi__htj2k_be16(d + 8 + 2 * i);
        if (f >= nch || L->chans[f].size) return 0;
        const uint8_t *c = s + 36 + 3 * i;
        uint32_t depth = (c[0] & 0x7F) + 1, sgn = c[0] >> 7;
        exrqoi__chan_layout *ch = &L->chans[f];
        if (depth == 16 && sgn)
            ch->type = EXRQOI_PIXEL_HALF;
        else if (depth == 32)
            ch->type = (uint8_t)(sgn ? EXRQOI_PIXEL_FLOAT : EXRQOI_PIXEL_UINT);
        else
            return 0;
        if (!c[1] || !c[2]) return 0;
        ch->name = names[f % 4];
        ch->size = (uint8_t)exrqoi_pixel_type_size((exrqoi_pixel_type)ch->type);
        ch->x_sampling = c[1];
        ch->y_sampling = c[2];
        exrqoi_sample_extent(&win, ch->x_sampling, ch->y_sampling, &ch->width, &ch->height);
        total += (size_t)ch->width * (size_t)ch->height * ch->size;
    }
    L->block.width = w;
    L->block.height = h;
    L->block.nchan = (int)nch;
    L->block.chans = L->chans;
    L->block.unpacked_size = total;
    L->block.compression = comp;
    return 1;
}

#endif
