/*
 * fuzz_layout.h - turns the first bytes of a fuzz input into a small but
 * valid block layout (compression, size, origin, channels, types,
 * sampling) obeying the constraints a real part guarantees: sampled
 * channels have even origin and size.
 */
#ifndef EXRQOI_FUZZ_LAYOUT_H
#define EXRQOI_FUZZ_LAYOUT_H

#include "codec/codec.h"
#include "exrqoi/read.h"

#define FUZZ_LAYOUT_BYTES 6

typedef struct fuzz_layout {
    exrqoi__chan_layout chans[4];
    exrqoi__block_layout block;
} fuzz_layout;

static const char *const k_fuzz_names[3][4] = {
    {"A", "B", "G", "R"}, {"A", "BY", "RY", "Y"}, {"Z", "a.b", "m", "x"}};

/* Returns 0 when there are too few bytes. `ncodecs` limits the choice. */
static int fuzz_make_layout(const uint8_t *d, size_t n, int ncodecs, fuzz_layout *L)
{
    if (n < FUZZ_LAYOUT_BYTES) return 0;
    memset(L, 0, sizeof *L);
    exrqoi_compression c = (exrqoi_compression)(d[0] % ncodecs);
    int lpc = exrqoi_compression_lines(c);
    int nchan = 1 + (d[3] & 3);
    bool sampled = (d[3] & 4) != 0;
    int32_t w = 1 + d[1] % 48;
    int32_t h = 1 + d[2] % lpc;
    int32_t x = (int32_t)(d[3] >> 4) - 8;
    int32_t y = (int32_t)(d[5] & 31) - 16;
    if (sampled) {
        x &= ~1;
        w += w & 1;
        if (lpc > 1) {
            y &= ~1;
            h += h & 1;
            if (h > lpc) h = lpc;
        }
    }
    const char *const *names = k_fuzz_names[(d[5] >> 5) % 3];
    exrqoi_box2i win = {{x, y}, {x + w - 1, y + h - 1}};
    size_t total = 0;
    for (int k = 0; k < nchan; k++) {
        exrqoi__chan_layout *ch = &L->chans[k];
        ch->name = names[k];
        ch->type = (uint8_t)(((d[4] >> (2 * k)) & 3) % 3);
        ch->size = (uint8_t)exrqoi_pixel_type_size((exrqoi_pixel_type)ch->type);
        ch->p_linear = (uint8_t)((d[5] >> 4) & 1);
        ch->x_sampling = ch->y_sampling = (sampled && k == nchan - 1 && nchan > 1) ? 2 : 1;
        exrqoi_sample_extent(&win, ch->x_sampling, ch->y_sampling, &ch->width, &ch->height);
        total += (size_t)ch->width * (size_t)ch->height * ch->size;
    }
    L->block.x = x;
    L->block.y = y;
    L->block.width = w;
    L->block.height = h;
    L->block.nchan = nchan;
    L->block.chans = L->chans;
    L->block.unpacked_size = total;
    L->block.compression = c;
    return 1;
}

#endif
