/* Mipmap/ripmap levels from level 0 by box filtering. */
#include "common/half.h"
#include "exrqoi/image.h"
#include "meta/part.h"

#include <math.h>

static double sample_get(const void *data, exrqoi_pixel_type t, size_t i)
{
    switch (t) {
    case EXRQOI_PIXEL_HALF: return exrqoi__h2f(((const uint16_t *)data)[i]);
    case EXRQOI_PIXEL_FLOAT: return ((const float *)data)[i];
    default: return ((const uint32_t *)data)[i];
    }
}

static void sample_put(void *data, exrqoi_pixel_type t, size_t i, double v)
{
    switch (t) {
    case EXRQOI_PIXEL_HALF: ((uint16_t *)data)[i] = exrqoi__f2h((float)v); break;
    case EXRQOI_PIXEL_FLOAT: ((float *)data)[i] = (float)v; break;
    default: ((uint32_t *)data)[i] = (uint32_t)(v + 0.5); break;
    }
}

static exrqoi_result build_level(const exrqoi_image_level *src, exrqoi_image_level *dst, int32_t w,
                                 int32_t h, const exrqoi_allocator *a)
{
    dst->channels = (exrqoi_image_channel *)exrqoi__calloc(a, (size_t)(src->channel_count ? src->channel_count : 1),
                                                           sizeof(exrqoi_image_channel));
    if (!dst->channels) return EXRQOI_ERR_OUT_OF_MEMORY;
    dst->channel_count = src->channel_count;
    int64_t bx = (int64_t)1 << (dst->lx < 62 ? dst->lx : 62), by = (int64_t)1 << (dst->ly < 62 ? dst->ly : 62);
    for (int32_t c = 0; c < src->channel_count; c++) {
        const exrqoi_image_channel *sc = &src->channels[c];
        exrqoi_image_channel *dc = &dst->channels[c];
        dc->name = exrqoi__strdup(a, sc->name);
        dc->type = sc->type;
        dc->x_sampling = dc->y_sampling = 1;
        dc->width = w;
        dc->height = h;
        dc->data = exrqoi__calloc(a, (size_t)w * (size_t)h, (size_t)exrqoi_pixel_type_size(sc->type));
        if (!dc->name || !dc->data) return EXRQOI_ERR_OUT_OF_MEMORY;
        for (int32_t y = 0; y < h; y++) {
            int64_t y0 = y * by, y1 = y0 + by;
            if (y1 > sc->height) y1 = sc->height;
            if (y0 >= y1) y0 = y1 - 1;
            for (int32_t x = 0; x < w; x++) {
                int64_t x0 = x * bx, x1 = x0 + bx;
                if (x1 > sc->width) x1 = sc->width;
                if (x0 >= x1) x0 = x1 - 1;
                double sum = 0;
                for (int64_t yy = y0; yy < y1; yy++)
                    for (int64_t xx = x0; xx < x1; xx++)
                        sum += sample_get(sc->data, sc->type, (size_t)(yy * sc->width + xx));
                sample_put(dc->data, dc->type, (size_t)y * (size_t)w + (size_t)x,
                           sum / (double)((y1 - y0) * (x1 - x0)));
            }
        }
    }
    return EXRQOI_OK;
}

exrqoi_result exrqoi_image_part_build_levels(exrqoi_image_part *P, const exrqoi_allocator *a)
{
    if (!P || P->level_count < 1) return EXRQOI_ERR_INVALID_ARGUMENT;
    const exrqoi_attribute *t = exrqoi_header_find(&P->header, "tiles");
    if (!t || t->type != EXRQOI_ATTR_TILEDESC || P->type != EXRQOI_PART_TILED)
        return EXRQOI_ERR_INVALID_ARGUMENT;
    exrqoi_tiledesc td = t->v.tiledesc;
    const exrqoi_image_level *L0 = &P->levels[0];
    int32_t w = L0->window.max.x - L0->window.min.x + 1, h = L0->window.max.y - L0->window.min.y + 1;
    for (int32_t c = 0; c < L0->channel_count; c++)
        if (L0->channels[c].width != w || L0->channels[c].height != h) return EXRQOI_ERR_INVALID_ARGUMENT;
    int32_t nx, ny, n;
    if (td.level_mode == EXRQOI_LEVEL_ONE) {
        nx = ny = n = 1;
    } else if (td.level_mode == EXRQOI_LEVEL_MIPMAP) {
        nx = ny = n = exrqoi__level_count(w > h ? w : h, td.rounding_mode);
    } else if (td.level_mode == EXRQOI_LEVEL_RIPMAP) {
        nx = exrqoi__level_count(w, td.rounding_mode);
        ny = exrqoi__level_count(h, td.rounding_mode);
        n = nx * ny;
    } else {
        return EXRQOI_ERR_INVALID_ARGUMENT;
    }
    exrqoi_image_level *levels = (exrqoi_image_level *)exrqoi__calloc(a, (size_t)n, sizeof *levels);
    if (!levels) return EXRQOI_ERR_OUT_OF_MEMORY;
    levels[0] = *L0;
    exrqoi_result rv = EXRQOI_OK;
    for (int32_t l = 1; l < n && !rv; l++) {
        exrqoi_image_level *D = &levels[l];
        D->lx = td.level_mode == EXRQOI_LEVEL_RIPMAP ? l % nx : l;
        D->ly = td.level_mode == EXRQOI_LEVEL_RIPMAP ? l / nx : l;
        int32_t lw = exrqoi__level_size(w, D->lx, td.rounding_mode);
        int32_t lh = exrqoi__level_size(h, D->ly, td.rounding_mode);
        D->window.min = L0->window.min;
        D->window.max.x = L0->window.min.x + lw - 1;
        D->window.max.y = L0->window.min.y + lh - 1;
        rv = build_level(L0, D, lw, lh, a);
    }
    /* release the old levels 1.. and keep level 0's storage */
    for (int32_t l = 1; l < P->level_count; l++) {
        exrqoi_image_level *O = &P->levels[l];
        for (int32_t c = 0; c < O->channel_count; c++) {
            exrqoi__free(a, O->channels[c].name);
            exrqoi__free(a, O->channels[c].data);
        }
        exrqoi__free(a, O->channels);
        exrqoi_deep_image_free(&O->deep);
    }
    if (rv) {
        for (int32_t l = 1; l < n; l++) {
            for (int32_t c = 0; c < levels[l].channel_count; c++) {
                exrqoi__free(a, levels[l].channels[c].name);
                exrqoi__free(a, levels[l].channels[c].data);
            }
            exrqoi__free(a, levels[l].channels);
        }
        exrqoi__free(a, P->levels);
        P->levels = (exrqoi_image_level *)exrqoi__calloc(a, 1, sizeof *levels);
        if (P->levels) P->levels[0] = levels[0];
        P->level_count = P->levels ? 1 : 0;
        exrqoi__free(a, levels);
        return rv;
    }
    exrqoi__free(a, P->levels);
    P->levels = levels;
    P->level_count = n;
    return EXRQOI_OK;
}
