/* Test helper: a codec block layout for a pixel rectangle, built by hand
 * so codec tests need no EXR part. */
#ifndef EXRQOI_TEST_CODEC_BLOCK_H
#define EXRQOI_TEST_CODEC_BLOCK_H

#include "codec/codec.h"

typedef struct chan_spec {
    uint8_t type;
    uint8_t p_linear;
    int32_t xs, ys;
} chan_spec;

/* Fills *b (channels in cl) for the rectangle (x, y, w, h). */
static inline void make_block(exrqoi__block_layout *b, exrqoi__chan_layout *cl, const chan_spec *cs,
                              int n, int32_t x, int32_t y, int32_t w, int32_t h,
                              exrqoi_compression comp)
{
    size_t total = 0;
    for (int c = 0; c < n; c++) {
        cl[c].name = "c";
        cl[c].type = cs[c].type;
        cl[c].size = cs[c].type == EXRQOI_PIXEL_HALF ? 2 : 4;
        cl[c].p_linear = cs[c].p_linear;
        cl[c].x_sampling = cs[c].xs;
        cl[c].y_sampling = cs[c].ys;
        cl[c].width = exrqoi__count_sampled(x, x + w - 1, cs[c].xs);
        cl[c].height = exrqoi__count_sampled(y, y + h - 1, cs[c].ys);
        total += (size_t)cl[c].width * cl[c].height * cl[c].size;
    }
    memset(b, 0, sizeof *b);
    b->x = x;
    b->y = y;
    b->width = w;
    b->height = h;
    b->nchan = n;
    b->chans = cl;
    b->unpacked_size = total;
    b->compression = comp;
}

#endif
