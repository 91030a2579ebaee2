/* exrqoi_reader_read_region_lenient and exrqoi_reader_read_deep_lenient:
 * reads that survive damaged chunks by filling their pixels (flat: the
 * slices' fill values; deep: no samples). Whole reads go the fast
 * (parallel) way; only when that fails is the level read chunk by chunk. */
#include "block/lines.h"
#include "chunk/reader.h"
#include "exrqoi/check.h"
#include "exrqoi/deep.h"
#include "exrqoi/deep_read.h"
#include "exrqoi/image.h"

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
        slots = (exrqoi__slot *)exrqoi__calloc(exrqoi__reader_alloc(r), (size_t)n, sizeof *slots);
        if (!slots) return exrqoi__fail(exrqoi__reader_err(r), EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    }
    exrqoi__match_slices(&p->info, slices, n, slots);
    for (int s = 0; s < n; s++) slots[s].chan = -1; /* -1 = "write the fill value" */
    exrqoi__fill_slices(win, region, slots, n);
    if (slots != local) exrqoi__free(exrqoi__reader_alloc(r), slots);
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
    const exrqoi__part *p = exrqoi__reader_part(r, part);
    const exrqoi__level *L = exrqoi__part_level(p, lx, ly);
    exrqoi_box2i reg = region ? *region : L->window;
    exrqoi__chunk_grid g;
    exrqoi__chunk_grid_of(p, L, &reg, &g);
    uint64_t x0 = g.first_tx, x1 = g.first_tx + g.ntx - 1, y0 = g.first_ty, y1 = g.first_ty + g.nty - 1;
    uint64_t *list = NULL;
    size_t count = 0, cap = 0;
    /* per slice: its channel's sampling, and a shifted copy */
    size_t per = sizeof(exrqoi_slice) + 2 * sizeof(int32_t);
    uint8_t *mem = (uint8_t *)exrqoi__calloc(exrqoi__reader_alloc(r), (size_t)slice_count + 1, per);
    if (!mem) return exrqoi__fail(exrqoi__reader_err(r), EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    exrqoi_slice *shifted = (exrqoi_slice *)mem;
    int32_t *xs = (int32_t *)(mem + ((size_t)slice_count + 1) * sizeof(exrqoi_slice));
    int32_t *ys = xs + slice_count + 1;
    for (int k = 0; k < slice_count; k++) {
        int32_t c = exrqoi__slice_channel(&p->info, slices[k].name);
        xs[k] = c < 0 ? 1 : p->info.channels[c].x_sampling;
        ys[k] = c < 0 ? 1 : p->info.channels[c].y_sampling;
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
                if (exrqoi__reserve(exrqoi__reader_alloc(r), &nl, &ncap, (count + 1) * sizeof *list) != EXRQOI_OK) {
                    rv = exrqoi__fail(exrqoi__reader_err(r), EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
                    break;
                }
                list = (uint64_t *)nl;
                cap = ncap / sizeof *list;
            }
            list[count++] = index;
        }
    }
    exrqoi__free(exrqoi__reader_alloc(r), mem);
    if (rv != EXRQOI_OK || !filled) {
        exrqoi__free(exrqoi__reader_alloc(r), list);
        list = NULL;
    }
    if (rv == EXRQOI_OK) {
        if (filled) *filled = list;
        if (filled_count) *filled_count = count;
    }
    return rv;
}

/* Chunk indices of level (lx, ly) of part p, in order. */
static uint64_t level_chunks(const exrqoi__part *p, const exrqoi__level *L)
{
    if (p->info.tiled) return (uint64_t)L->tiles_x * (uint64_t)L->tiles_y;
    int64_t h = (int64_t)L->window.max.y - L->window.min.y + 1;
    return (uint64_t)((h + p->info.lines_per_chunk - 1) / p->info.lines_per_chunk);
}

static exrqoi_result note_filled(exrqoi_reader *r, uint64_t **list, size_t *count, size_t *cap, uint64_t index)
{
    if (*count == *cap) {
        void *nl = *list;
        size_t ncap = *cap * sizeof **list;
        if (exrqoi__reserve(exrqoi__reader_alloc(r), &nl, &ncap, (*count + 1) * sizeof **list) != EXRQOI_OK)
            return exrqoi__fail(exrqoi__reader_err(r), EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
        *list = (uint64_t *)nl;
        *cap = ncap / sizeof **list;
    }
    (*list)[(*count)++] = index;
    return EXRQOI_OK;
}

/* Drops the samples of every pixel inside `win` (counts set to 0, the
 * other pixels' samples moved down, offsets rebuilt). */
static void drop_samples(exrqoi_deep_image *img, const exrqoi_box2i *level, const exrqoi_box2i *win)
{
    size_t npix = (size_t)img->width * (size_t)img->height;
    uint64_t at = 0;
    for (size_t i = 0; i < npix; i++) {
        int64_t x = level->min.x + (int64_t)(i % (size_t)img->width);
        int64_t y = level->min.y + (int64_t)(i / (size_t)img->width);
        bool inside = x >= win->min.x && x <= win->max.x && y >= win->min.y && y <= win->max.y;
        uint64_t from = img->offsets[i], n = inside ? 0 : img->counts[i];
        for (int32_t c = 0; c < img->channel_count && n && at != from; c++) {
            size_t sz = (size_t)exrqoi_pixel_type_size(img->channels[c].type);
            uint8_t *s = (uint8_t *)img->channels[c].samples;
            memmove(s + at * sz, s + from * sz, (size_t)n * sz);
        }
        img->counts[i] = (uint32_t)n;
        img->offsets[i] = at;
        at += n;
    }
    img->offsets[npix] = at;
    img->total_samples = at;
}

exrqoi_result exrqoi_reader_read_deep_lenient(exrqoi_reader *r, int part, int lx, int ly,
                                              exrqoi_deep_image *out, uint64_t **filled,
                                              size_t *filled_count)
{
    if (filled) *filled = NULL;
    if (filled_count) *filled_count = 0;
    if (!r || !out) return EXRQOI_ERR_INVALID_ARGUMENT;
    exrqoi_result rv = exrqoi_reader_read_deep(r, part, lx, ly, out);
    if (rv == EXRQOI_OK || !fillable(rv)) return rv;
    /* arguments were accepted: read the counts, then the samples, chunk by chunk */
    const exrqoi__part *p = exrqoi__reader_part(r, part);
    const exrqoi__level *L = exrqoi__part_level(p, lx, ly);
    const exrqoi_box2i lw = L->window;
    int32_t nch = p->info.channel_count;
    const char **names = (const char **)exrqoi__calloc(exrqoi__reader_alloc(r), (size_t)nch + 1, sizeof *names);
    exrqoi_pixel_type *types = (exrqoi_pixel_type *)exrqoi__calloc(exrqoi__reader_alloc(r), (size_t)nch + 1, sizeof *types);
    if (!names || !types) rv = exrqoi__fail(exrqoi__reader_err(r), EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    for (int32_t c = 0; c < nch && names && types; c++) {
        names[c] = p->info.channels[c].name;
        types[c] = p->info.channels[c].type;
    }
    int32_t width = (int32_t)((int64_t)lw.max.x - lw.min.x + 1), height = (int32_t)((int64_t)lw.max.y - lw.min.y + 1);
    if (names && types)
        rv = exrqoi_deep_image_init(out, exrqoi__reader_alloc(r), width, height, nch, names, types);
    exrqoi__free(exrqoi__reader_alloc(r), (void *)names);
    exrqoi__free(exrqoi__reader_alloc(r), types);
    if (rv != EXRQOI_OK) return rv;
    uint64_t nchunks = level_chunks(p, L), *list = NULL;
    size_t count = 0, cap = 0;
    uint8_t *bad = (uint8_t *)exrqoi__calloc(exrqoi__reader_alloc(r), (size_t)nchunks + 1, 1);
    if (!bad) rv = exrqoi__fail(exrqoi__reader_err(r), EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    /* pass 1: counts; a chunk whose counts do not read keeps 0 samples */
    for (uint64_t k = 0; k < nchunks && rv == EXRQOI_OK; k++) {
        uint64_t index = p->info.tiled ? L->first_chunk + k : k;
        exrqoi_box2i win;
        rv = exrqoi__part_chunk_window(p, index, &win, NULL, NULL, NULL, NULL);
        if (rv != EXRQOI_OK) break;
        uint32_t *base = out->counts + (size_t)(win.min.y - lw.min.y) * (size_t)width + (size_t)(win.min.x - lw.min.x);
        exrqoi_result cr = exrqoi_reader_read_deep_counts(r, part, lx, ly, &win, base, 4, (ptrdiff_t)width * 4);
        if (cr == EXRQOI_OK) continue;
        if (!fillable(cr)) {
            rv = cr;
            break;
        }
        for (int32_t y = win.min.y; y <= win.max.y; y++)
            memset(out->counts + (size_t)(y - lw.min.y) * (size_t)width + (size_t)(win.min.x - lw.min.x), 0,
                   (size_t)(win.max.x - win.min.x + 1) * 4);
        bad[k] = 1;
        rv = note_filled(r, &list, &count, &cap, index);
    }
    if (rv == EXRQOI_OK) {
        /* the counts may claim anything within the per-pixel limit: the
         * samples stay within max_alloc_bytes */
        uint64_t bytes_per_sample = 0;
        for (int32_t c = 0; c < nch; c++) bytes_per_sample += (uint64_t)exrqoi_pixel_type_size(out->channels[c].type);
        rv = exrqoi_deep_image_alloc_samples(out, exrqoi__budget_count(exrqoi__reader_limits(r), bytes_per_sample ? bytes_per_sample : 1));
        if (rv != EXRQOI_OK) exrqoi__fail(exrqoi__reader_err(r), rv, "deep samples of part %d exceed the allocation limit", part);
    }
    /* pass 2: samples of the chunks whose counts read */
    void **ptrs = NULL;
    size_t ptrs_cap = 0;
    exrqoi_deep_slice *slices = rv ? NULL : (exrqoi_deep_slice *)exrqoi__calloc(exrqoi__reader_alloc(r), (size_t)nch + 1, sizeof *slices);
    if (!rv && !slices) rv = exrqoi__fail(exrqoi__reader_err(r), EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    for (uint64_t k = 0; k < nchunks && rv == EXRQOI_OK; k++) {
        if (bad[k]) continue;
        uint64_t index = p->info.tiled ? L->first_chunk + k : k;
        exrqoi_box2i win;
        rv = exrqoi__part_chunk_window(p, index, &win, NULL, NULL, NULL, NULL);
        if (rv != EXRQOI_OK) break;
        size_t cw = (size_t)(win.max.x - win.min.x + 1), ch = (size_t)(win.max.y - win.min.y + 1);
        size_t need = cw * ch * (size_t)(nch ? nch : 1) * sizeof(void *);
        void *np = ptrs;
        if (exrqoi__reserve(exrqoi__reader_alloc(r), &np, &ptrs_cap, need) != EXRQOI_OK) {
            rv = exrqoi__fail(exrqoi__reader_err(r), EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
            break;
        }
        ptrs = (void **)np;
        for (int32_t c = 0; c < nch; c++) {
            size_t sz = (size_t)exrqoi_pixel_type_size(out->channels[c].type);
            void **pc = ptrs + (size_t)c * cw * ch;
            for (size_t y = 0; y < ch; y++)
                for (size_t x = 0; x < cw; x++) {
                    size_t i = ((size_t)(win.min.y - lw.min.y) + y) * (size_t)width + (size_t)(win.min.x - lw.min.x) + x;
                    pc[y * cw + x] = (uint8_t *)out->channels[c].samples + out->offsets[i] * sz;
                }
            slices[c].name = out->channels[c].name;
            slices[c].type = out->channels[c].type;
            slices[c].base = pc;
            slices[c].x_stride = sizeof(void *);
            slices[c].y_stride = (ptrdiff_t)(cw * sizeof(void *));
            slices[c].sample_stride = (ptrdiff_t)sz;
        }
        const uint32_t *cbase = out->counts + (size_t)(win.min.y - lw.min.y) * (size_t)width + (size_t)(win.min.x - lw.min.x);
        exrqoi_result cr = exrqoi_reader_read_deep_region(r, part, lx, ly, &win, cbase, 4, (ptrdiff_t)width * 4,
                                                          slices, nch);
        if (cr == EXRQOI_OK) continue;
        if (!fillable(cr)) {
            rv = cr;
            break;
        }
        drop_samples(out, &lw, &win);
        rv = note_filled(r, &list, &count, &cap, index);
    }
    exrqoi__free(exrqoi__reader_alloc(r), ptrs);
    exrqoi__free(exrqoi__reader_alloc(r), slices);
    exrqoi__free(exrqoi__reader_alloc(r), bad);
    if (rv != EXRQOI_OK) {
        exrqoi_deep_image_free(out);
        exrqoi__free(exrqoi__reader_alloc(r), list);
        return rv;
    }
    /* chunks were noted in two passes: sort the list */
    for (size_t i = 1; i < count; i++)
        for (size_t j = i; j > 0 && list[j - 1] > list[j]; j--) {
            uint64_t t = list[j];
            list[j] = list[j - 1];
            list[j - 1] = t;
        }
    if (filled) *filled = list;
    else exrqoi__free(exrqoi__reader_alloc(r), list);
    if (filled_count) *filled_count = count;
    return EXRQOI_OK;
}
