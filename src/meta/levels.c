/* Level counts and sizes for mipmaps and ripmaps, as OpenEXR computes them. */
#include "meta/part.h"

/* floor(log2(size)) or ceil(log2(size)) */
static int32_t round_log2(uint32_t x, int rounding)
{
    int32_t y = 0;
    if (rounding == EXRQOI_ROUND_DOWN) {
        while (x > 1) {
            y++;
            x >>= 1;
        }
    } else {
        bool inexact = false;
        while (x > 1) {
            if (x & 1) inexact = true;
            y++;
            x >>= 1;
        }
        if (inexact) y++;
    }
    return y;
}

int32_t exrqoi__level_count(int32_t size, int rounding)
{
    return round_log2((uint32_t)size, rounding) + 1;
}

int32_t exrqoi__level_size(int32_t size, int32_t level, int rounding)
{
    if (level >= 31) return 1;
    int32_t b = (int32_t)1 << level;
    int32_t s = size / b;
    if (rounding == EXRQOI_ROUND_UP && s * b < size) s++;
    return s < 1 ? 1 : s;
}

const exrqoi__level *exrqoi__part_level(const exrqoi__part *p, int lx, int ly)
{
    const exrqoi_part_info *i = &p->info;
    if (lx < 0 || ly < 0) return NULL;
    if (!i->tiled || i->tiles.level_mode == EXRQOI_LEVEL_ONE) {
        return (lx == 0 && ly == 0) ? &p->levels[0] : NULL;
    }
    if (i->tiles.level_mode == EXRQOI_LEVEL_MIPMAP) {
        if (lx != ly || lx >= p->nlevels) return NULL;
        return &p->levels[lx];
    }
    if (lx >= i->num_x_levels || ly >= i->num_y_levels) return NULL;
    return &p->levels[(size_t)ly * (size_t)i->num_x_levels + (size_t)lx];
}

void exrqoi__chunk_grid_of(const exrqoi__part *p, const exrqoi__level *L, const exrqoi_box2i *reg,
                           exrqoi__chunk_grid *g)
{
    if (p->info.tiled) {
        const exrqoi_tiledesc *t = &p->info.tiles;
        g->first_tx = (uint64_t)((int64_t)reg->min.x - L->window.min.x) / t->x_size;
        g->first_ty = (uint64_t)((int64_t)reg->min.y - L->window.min.y) / t->y_size;
        g->ntx = (uint64_t)((int64_t)reg->max.x - L->window.min.x) / t->x_size - g->first_tx + 1;
        g->nty = (uint64_t)((int64_t)reg->max.y - L->window.min.y) / t->y_size - g->first_ty + 1;
    } else {
        uint64_t lpc = (uint64_t)p->info.lines_per_chunk;
        g->first_tx = 0;
        g->ntx = 1;
        g->first_ty = (uint64_t)((int64_t)reg->min.y - p->info.data_window.min.y) / lpc;
        g->nty = (uint64_t)((int64_t)reg->max.y - p->info.data_window.min.y) / lpc - g->first_ty + 1;
    }
}

exrqoi_result exrqoi__part_chunk_window(const exrqoi__part *p, uint64_t index, exrqoi_box2i *win,
                                        int32_t *tx, int32_t *ty, int32_t *lx, int32_t *ly)
{
    const exrqoi_part_info *i = &p->info;
    if (index >= i->chunk_count) return EXRQOI_ERR_NOT_FOUND;
    if (!i->tiled) {
        int64_t y0 = (int64_t)i->data_window.min.y + (int64_t)index * i->lines_per_chunk;
        int64_t y1 = y0 + i->lines_per_chunk - 1;
        if (y1 > i->data_window.max.y) y1 = i->data_window.max.y;
        win->min.x = i->data_window.min.x;
        win->max.x = i->data_window.max.x;
        win->min.y = (int32_t)y0;
        win->max.y = (int32_t)y1;
        if (tx) *tx = 0;
        if (ty) *ty = 0;
        if (lx) *lx = 0;
        if (ly) *ly = 0;
        return EXRQOI_OK;
    }
    /* levels are few (< 32*32): a linear search is fine */
    for (int32_t k = p->nlevels - 1; k >= 0; k--) {
        const exrqoi__level *L = &p->levels[k];
        if (index < L->first_chunk) continue;
        uint64_t rel = index - L->first_chunk;
        int32_t cx = (int32_t)(rel % (uint64_t)L->tiles_x);
        int32_t cy = (int32_t)(rel / (uint64_t)L->tiles_x);
        int64_t x0 = (int64_t)L->window.min.x + (int64_t)cx * i->tiles.x_size;
        int64_t y0 = (int64_t)L->window.min.y + (int64_t)cy * i->tiles.y_size;
        int64_t x1 = x0 + i->tiles.x_size - 1, y1 = y0 + i->tiles.y_size - 1;
        if (x1 > L->window.max.x) x1 = L->window.max.x;
        if (y1 > L->window.max.y) y1 = L->window.max.y;
        win->min.x = (int32_t)x0;
        win->min.y = (int32_t)y0;
        win->max.x = (int32_t)x1;
        win->max.y = (int32_t)y1;
        if (tx) *tx = cx;
        if (ty) *ty = cy;
        if (lx) *lx = L->lx;
        if (ly) *ly = L->ly;
        return EXRQOI_OK;
    }
    return EXRQOI_ERR_NOT_FOUND;
}

exrqoi_result exrqoi__part_unpacked_size(const exrqoi__part *p, const exrqoi_box2i *win, uint64_t *size)
{
    uint64_t total = 0;
    for (int32_t c = 0; c < p->info.channel_count; c++) {
        const exrqoi_channel *ch = &p->info.channels[c];
        int32_t cols, rows;
        /* run for every chunk leader: no call and no divisions when unsampled */
        if (ch->x_sampling == 1 && ch->y_sampling == 1) {
            cols = win->max.x < win->min.x ? 0 : win->max.x - win->min.x + 1;
            rows = win->max.y < win->min.y ? 0 : win->max.y - win->min.y + 1;
        } else {
            exrqoi_sample_extent(win, ch->x_sampling, ch->y_sampling, &cols, &rows);
        }
        uint64_t n;
        uint64_t size = ch->type == EXRQOI_PIXEL_HALF ? 2 : (uint64_t)exrqoi_pixel_type_size(ch->type);
        if (exrqoi__mul_u64((uint64_t)cols * (uint64_t)rows, size, &n) ||
            exrqoi__add_u64(total, n, &total))
            return EXRQOI_ERR_LIMIT;
    }
    *size = total;
    return EXRQOI_OK;
}

void exrqoi_sample_extent(const exrqoi_box2i *w, int32_t xs, int32_t ys, int32_t *columns, int32_t *rows)
{
    if (xs < 1) xs = 1;
    if (ys < 1) ys = 1;
    if (columns) *columns = exrqoi__count_sampled(w->min.x, w->max.x, xs);
    if (rows) *rows = exrqoi__count_sampled(w->min.y, w->max.y, ys);
}
