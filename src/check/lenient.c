/* exrqoi_reader_read_region_lenient: a region read that survives damaged
 * chunks by filling their pixels. Whole reads go the fast (parallel) way;
 * only when that fails is the region read chunk by chunk. */
#include "block/lines.h"
#include "chunk/reader.h"
#include "exrqoi/check.h"

/* A data problem a lenient read fills over; anything else stops it. */
static bool fillable(exrqoi_result rv)
{
    return rv != EXRQOI_ERR_OUT_OF_MEMORY && rv != EXRQOI_ERR_INVALID_ARGUMENT &&
           rv != EXRQOI_ERR_NOT_FOUND && rv != EXRQOI_ERR_THREAD &&
           rv != EXRQOI_ERR_BUFFER_TOO_SMALL && rv != EXRQOI_ERR_BAD_STATE;
}

/* Writes every slice's fill value over the part of `region` inside `win`,
 * honouring each channel's sampling for the slice's indexing. */
static exrqoi_result fill_window(exrqoi_reader *r, const exrqoi__part *p, const exrqoi_box2i *win,
                                 const exrqoi_box2i *region, const exrqoi_slice *slices, int n)
{
    exrqoi__slot local[16];
    exrqoi__slot *slots = local;
    if (n > 16) {
        slots = (exrqoi__slot *)exrqoi__calloc(r->alloc, (size_t)n, sizeof *slots);
        if (!slots) return exrqoi__fail(&r->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    }
    for (int s = 0; s < n; s++) {
        slots[s].slice = &slices[s];
        slots[s].chan = -1; /* -1 = "write the fill value" */
        slots[s].xs = slots[s].ys = 1;
        for (int32_t c = 0; c < p->info.channel_count; c++)
            if (strcmp(p->info.channels[c].name, slices[s].name) == 0) {
                slots[s].xs = p->info.channels[c].x_sampling;
                slots[s].ys = p->info.channels[c].y_sampling;
                break;
            }
    }
    exrqoi__fill_slices(win, region, slots, n);
    if (slots != local) exrqoi__free(r->alloc, slots);
    return EXRQOI_OK;
}

exrqoi_result exrqoi_reader_read_region_lenient(exrqoi_reader *r, int part, int lx, int ly,
                                                const exrqoi_box2i *region,
                                                const exrqoi_slice *slices, int slice_count,
                                                uint64_t **filled, size_t *filled_count)
{
    if (filled) *filled = NULL;
    if (filled_count) *filled_count = 0;
    if (!r) return EXRQOI_ERR_INVALID_ARGUMENT;
    exrqoi_result rv = exrqoi_reader_read_region(r, part, lx, ly, region, slices, slice_count);
    if (rv == EXRQOI_OK || !fillable(rv)) return rv;
    /* arguments were accepted (else rv would not be fillable): read chunk by chunk */
    const exrqoi__part *p = &r->parts[part];
    const exrqoi__level *L = exrqoi__part_level(p, lx, ly);
    exrqoi_box2i reg = region ? *region : L->window;
    uint64_t x0 = 0, x1 = 0, y0, y1;
    if (p->info.tiled) {
        x0 = (uint64_t)((int64_t)reg.min.x - L->window.min.x) / p->info.tiles.x_size;
        x1 = (uint64_t)((int64_t)reg.max.x - L->window.min.x) / p->info.tiles.x_size;
        y0 = (uint64_t)((int64_t)reg.min.y - L->window.min.y) / p->info.tiles.y_size;
        y1 = (uint64_t)((int64_t)reg.max.y - L->window.min.y) / p->info.tiles.y_size;
    } else {
        y0 = (uint64_t)((int64_t)reg.min.y - L->window.min.y) / (uint64_t)p->info.lines_per_chunk;
        y1 = (uint64_t)((int64_t)reg.max.y - L->window.min.y) / (uint64_t)p->info.lines_per_chunk;
    }
    uint64_t *list = NULL;
    size_t count = 0, cap = 0;
    /* per slice: its channel's sampling, and a shifted copy */
    size_t per = sizeof(exrqoi_slice) + 2 * sizeof(int32_t);
    uint8_t *mem = (uint8_t *)exrqoi__calloc(r->alloc, (size_t)slice_count + 1, per);
    if (!mem) return exrqoi__fail(&r->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    exrqoi_slice *shifted = (exrqoi_slice *)mem;
    int32_t *xs = (int32_t *)(mem + ((size_t)slice_count + 1) * sizeof(exrqoi_slice));
    int32_t *ys = xs + slice_count + 1;
    for (int k = 0; k < slice_count; k++) {
        xs[k] = ys[k] = 1;
        for (int32_t c = 0; c < p->info.channel_count; c++)
            if (strcmp(p->info.channels[c].name, slices[k].name) == 0) {
                xs[k] = p->info.channels[c].x_sampling;
                ys[k] = p->info.channels[c].y_sampling;
                break;
            }
    }
    rv = EXRQOI_OK;
    for (uint64_t cy = y0; cy <= y1 && rv == EXRQOI_OK; cy++) {
        for (uint64_t cx = x0; cx <= x1 && rv == EXRQOI_OK; cx++) {
            uint64_t index = p->info.tiled ? L->first_chunk + cy * (uint64_t)L->tiles_x + cx : cy;
            exrqoi_box2i win, part_reg;
            rv = exrqoi__part_chunk_window(p, index, &win, NULL, NULL, NULL, NULL);
            if (rv != EXRQOI_OK) break;
            part_reg.min.x = win.min.x > reg.min.x ? win.min.x : reg.min.x;
            part_reg.min.y = win.min.y > reg.min.y ? win.min.y : reg.min.y;
            part_reg.max.x = win.max.x < reg.max.x ? win.max.x : reg.max.x;
            part_reg.max.y = win.max.y < reg.max.y ? win.max.y : reg.max.y;
            /* slices are indexed from the region's corner: shift each base
             * to the chunk share's corner (in the channel's sampled units) */
            for (int k = 0; k < slice_count; k++) {
                shifted[k] = slices[k];
                int64_t di = exrqoi__count_sampled(reg.min.x, part_reg.min.x - 1, xs[k]);
                int64_t dj = exrqoi__count_sampled(reg.min.y, part_reg.min.y - 1, ys[k]);
                shifted[k].base = (uint8_t *)slices[k].base + di * slices[k].x_stride +
                                  dj * slices[k].y_stride;
            }
            exrqoi_result cr =
                exrqoi_reader_read_region(r, part, lx, ly, &part_reg, shifted, slice_count);
            if (cr == EXRQOI_OK) continue;
            if (!fillable(cr)) {
                rv = cr;
                break;
            }
            rv = fill_window(r, p, &win, &reg, slices, slice_count);
            if (rv != EXRQOI_OK) break;
            if (count == cap) {
                void *nl = list;
                size_t ncap = cap * sizeof *list;
                if (exrqoi__reserve(r->alloc, &nl, &ncap, (count + 1) * sizeof *list) != EXRQOI_OK) {
                    rv = exrqoi__fail(&r->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
                    break;
                }
                list = (uint64_t *)nl;
                cap = ncap / sizeof *list;
            }
            list[count++] = index;
        }
    }
    exrqoi__free(r->alloc, mem);
    if (rv != EXRQOI_OK || !filled) {
        exrqoi__free(r->alloc, list);
        list = NULL;
    }
    if (rv == EXRQOI_OK) {
        if (filled) *filled = list;
        if (filled_count) *filled_count = count;
    }
    return rv;
}
