/* RGBA reading: picks part, layer and view, then reads R,G,B,A (or gray Y,
 * or luminance/chroma converted like OpenEXR's RgbaInputFile). */
#include "chunk/reader.h"
#include "common/half.h"
#include "exrqoi/rgba.h"
#include "image/rgba_yca.h"

#include <stdio.h>

#define PREFIX_MAX 512

static const char *str_attr(const exrqoi_header *h, const char *name)
{
    const exrqoi_attribute *a = exrqoi_header_find(h, name);
    return a && a->type == EXRQOI_ATTR_STRING ? a->v.string.str : NULL;
}

static const exrqoi_channel *find_channel(const exrqoi_part_info *pi, const char *prefix,
                                          const char *name)
{
    size_t pl = strlen(prefix);
    for (int32_t i = 0; i < pi->channel_count; i++) {
        const char *n = pi->channels[i].name;
        if (strncmp(n, prefix, pl) == 0 && strcmp(n + pl, name) == 0) return &pi->channels[i];
    }
    return NULL;
}

static int found_bits(const exrqoi_part_info *pi, const char *prefix)
{
    static const char *names[] = {"R", "G", "B", "A", "Y"};
    int bits = 0;
    for (int i = 0; i < 5; i++)
        if (find_channel(pi, prefix, names[i])) bits |= 1 << i;
    if (find_channel(pi, prefix, "RY") || find_channel(pi, prefix, "BY")) bits |= EXRQOI_RGBA_C;
    return bits;
}

static bool make_prefix(char *out, const char *layer, const char *view)
{
    int n = snprintf(out, PREFIX_MAX, "%s%s%s%s", layer ? layer : "", layer ? "." : "",
                     view ? view : "", view ? "." : "");
    return n >= 0 && n < PREFIX_MAX;
}

/* Prefix of the layer/view in part `part`; false if it has no colour there. */
static bool part_prefix(const exrqoi_reader *r, int part, const char *layer, const char *view,
                        char *prefix, int *bits)
{
    exrqoi_part_info pi;
    if (exrqoi_reader_part_info(r, part, &pi) != EXRQOI_OK) return false;
    const exrqoi_header *h = exrqoi_reader_header(r, part);
    const exrqoi_attribute *mv = exrqoi_header_find(h, "multiView");
    if (mv && mv->type == EXRQOI_ATTR_STRINGVECTOR && mv->v.stringvector.count > 0) {
        const char *def = mv->v.stringvector.strings[0].str;
        bool is_default = !view || strcmp(view, def) == 0;
        if (!view) view = def;
        if (!is_default) {
            bool listed = false;
            for (int32_t i = 0; i < mv->v.stringvector.count; i++)
                listed |= strcmp(mv->v.stringvector.strings[i].str, view) == 0;
            if (!listed) return false;
        }
        /* the default view's channels usually carry no view name */
        if (is_default && make_prefix(prefix, layer, NULL) && (*bits = found_bits(&pi, prefix)))
            return true;
        /* OpenEXR: a layer named like the default view means no prefix */
        if (is_default && layer && strcmp(layer, def) == 0 && make_prefix(prefix, NULL, NULL) &&
            (*bits = found_bits(&pi, prefix)))
            return true;
        return make_prefix(prefix, layer, view) && (*bits = found_bits(&pi, prefix));
    }
    const char *pv = str_attr(h, "view");
    if (view && (!pv || strcmp(pv, view) != 0)) return false;
    return make_prefix(prefix, layer, NULL) && (*bits = found_bits(&pi, prefix));
}

typedef struct selection {
    exrqoi_rgba_info info;
    char prefix[PREFIX_MAX];
} selection;

static exrqoi_result select_part(const exrqoi_reader *r, const exrqoi_rgba_read_options *o,
                                 selection *sel, exrqoi__err *err)
{
    memset(sel, 0, sizeof *sel);
    const char *layer = o->layer && o->layer[0] ? o->layer : NULL;
    const char *view = o->view && o->view[0] ? o->view : NULL;
    int np = exrqoi_reader_part_count(r);
    int part = -1, bits = 0;
    if (o->part_name) {
        part = exrqoi_reader_find_part(r, o->part_name);
        if (part < 0) return exrqoi__fail(err, EXRQOI_ERR_NOT_FOUND, "no part named '%s'", o->part_name);
    } else if (o->part != 0) {
        part = o->part;
        if (part < 0 || part >= np)
            return exrqoi__fail(err, EXRQOI_ERR_NOT_FOUND, "no part %d (the file has %d)", part, np);
    }
    if (part >= 0) {
        if (!part_prefix(r, part, layer, view, sel->prefix, &bits))
            return exrqoi__fail(err, EXRQOI_ERR_NOT_FOUND, "part %d has no colour channels%s%s%s%s",
                                part, layer ? " in layer " : "", layer ? layer : "",
                                view ? " of view " : "", view ? view : "");
    } else {
        /* Multipart views: the view of part 0 is the default view; parts
         * without a view attribute are tried last when no view was asked. */
        const char *want = view;
        if (!want && np > 1) want = str_attr(exrqoi_reader_header(r, 0), "view");
        for (int pass = 0; pass < 2 && part < 0; pass++) {
            for (int k = 0; k < np && part < 0; k++) {
                const char *pv = str_attr(exrqoi_reader_header(r, k), "view");
                if (np > 1 && want && pass == 0 && (!pv || strcmp(pv, want) != 0)) continue;
                if (part_prefix(r, k, layer, np > 1 ? NULL : view, sel->prefix, &bits)) part = k;
            }
            if (view) break;
        }
        if (part < 0)
            return exrqoi__fail(err, EXRQOI_ERR_NOT_FOUND, "no part has colour channels%s%s%s%s",
                                layer ? " in layer " : "", layer ? layer : "",
                                view ? " of view " : "", view ? view : "");
    }
    exrqoi_part_info pi;
    EXRQOI_TRY(exrqoi_reader_part_info(r, part, &pi));
    if (pi.type == EXRQOI_PART_DEEP_SCANLINE || pi.type == EXRQOI_PART_DEEP_TILED)
        return exrqoi__fail(err, EXRQOI_ERR_UNSUPPORTED, "part %d is deep", part);
    exrqoi_rgba_info *in = &sel->info;
    in->part = part;
    in->found = bits;
    in->data_window = pi.data_window;
    in->display_window = pi.display_window;
    in->window = o->display_window ? pi.display_window : pi.data_window;
    in->width = in->window.max.x - in->window.min.x + 1;
    in->height = in->window.max.y - in->window.min.y + 1;
    in->type = o->type == EXRQOI_PIXEL_HALF ? EXRQOI_PIXEL_HALF : EXRQOI_PIXEL_FLOAT;
    const exrqoi_attribute *ca = exrqoi_header_find(exrqoi_reader_header(r, part), "chromaticities");
    if (ca && ca->type == EXRQOI_ATTR_CHROMATICITIES) {
        in->chromaticities = ca->v.chromaticities;
        in->has_chromaticities = 1;
    } else {
        in->chromaticities = exrqoi_chromaticities_rec709();
    }
    /* the interleaved layout needs full-resolution colour channels */
    static const char *full[] = {"R", "G", "B", "A", "Y"};
    for (int i = 0; i < 5; i++) {
        const exrqoi_channel *c = find_channel(&pi, sel->prefix, full[i]);
        if (c && (c->x_sampling != 1 || c->y_sampling != 1))
            return exrqoi__fail(err, EXRQOI_ERR_UNSUPPORTED, "channel %s%s is subsampled",
                                sel->prefix, full[i]);
    }
    if (bits & EXRQOI_RGBA_C) {
        static const char *chroma[] = {"RY", "BY"};
        for (int i = 0; i < 2; i++) {
            const exrqoi_channel *c = find_channel(&pi, sel->prefix, chroma[i]);
            if (c && (c->x_sampling != 2 || c->y_sampling != 2))
                return exrqoi__fail(err, EXRQOI_ERR_UNSUPPORTED,
                                    "channel %s%s is not sampled 2x2", sel->prefix, chroma[i]);
        }
        const exrqoi_box2i *dw = &pi.data_window;
        if ((dw->min.x & 1) || (dw->min.y & 1) || ((dw->max.x - dw->min.x) & 1) == 0 ||
            ((dw->max.y - dw->min.y) & 1) == 0)
            return exrqoi__fail(err, EXRQOI_ERR_UNSUPPORTED,
                                "luminance/chroma data window not aligned to the 2x2 sampling");
    }
    return EXRQOI_OK;
}

/* The caller's options over the defaults, EXRQOI_PIXEL_DEFAULT resolved. */
static exrqoi_result resolve_opts(const exrqoi_rgba_read_options *opts, exrqoi_rgba_read_options *o,
                                  exrqoi__err *err)
{
    exrqoi_rgba_read_options def = EXRQOI_RGBA_READ_OPTIONS_INIT;
    *o = def;
    if (exrqoi__options_copy(o, sizeof *o, opts) != EXRQOI_OK)
        return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT,
                            "RGBA options not initialised (EXRQOI_RGBA_READ_OPTIONS_INIT)");
    if (o->type == EXRQOI_PIXEL_DEFAULT) o->type = EXRQOI_PIXEL_FLOAT;
    if (o->type != EXRQOI_PIXEL_FLOAT && o->type != EXRQOI_PIXEL_HALF)
        return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT, "RGBA type %d is not half or float",
                            (int)o->type);
    return EXRQOI_OK;
}

exrqoi_result exrqoi_rgba_select(const exrqoi_reader *r, const exrqoi_rgba_read_options *opts,
                                 exrqoi_rgba_info *info)
{
    if (!r || !info) return EXRQOI_ERR_INVALID_ARGUMENT;
    selection sel;
    exrqoi__err err;
    exrqoi__reader_err_init(r, &err);
    exrqoi_rgba_read_options o;
    EXRQOI_TRY(resolve_opts(opts, &o, &err));
    EXRQOI_TRY(select_part(r, &o, &sel, &err));
    *info = sel.info;
    return EXRQOI_OK;
}

static void set_slice(exrqoi_slice *s, const char *name, exrqoi_pixel_type t, void *base,
                      ptrdiff_t xs, ptrdiff_t ys, double fill)
{
    s->name = name;
    s->type = t;
    s->base = base;
    s->x_stride = xs;
    s->y_stride = ys;
    s->fill = fill;
}

/* Luminance/chroma: decode the whole data window (the filters reach across
 * it), convert, then copy the part inside the requested window. */
static exrqoi_result read_yca(exrqoi_reader *r, const selection *sel, uint8_t *pixels,
                              size_t stride, const exrqoi_box2i *isect)
{
    const exrqoi_rgba_info *in = &sel->info;
    const exrqoi_allocator *al = exrqoi__reader_alloc(r);
    int32_t w = in->data_window.max.x - in->data_window.min.x + 1;
    int32_t h = in->data_window.max.y - in->data_window.min.y + 1;
    size_t n, cn, bytes;
    if (exrqoi__mul_size((size_t)w, (size_t)h, &n)) return EXRQOI_ERR_LIMIT;
    cn = n / 4;
    /* Y, A, RY, BY planes and the RGBA result, all half */
    if (exrqoi__mul_size(n, 2 + 2 + 8, &bytes) || exrqoi__add_size(bytes, cn * 4, &bytes) ||
        !exrqoi__budget_fits(exrqoi__reader_limits(r), 1, bytes))
        return exrqoi__fail(exrqoi__reader_err(r), EXRQOI_ERR_LIMIT, "luminance/chroma image too large");
    EXRQOI_TRY(exrqoi__region_evidence(r, in->part, 0, 0, NULL, bytes, exrqoi__reader_err(r)));
    uint16_t *mem = (uint16_t *)exrqoi__alloc(al, bytes);
    if (!mem) return EXRQOI_ERR_OUT_OF_MEMORY;
    uint16_t *py = mem, *pa = py + n, *pry = pa + n, *pby = pry + cn, *out = pby + cn;
    char names[4][PREFIX_MAX + 4];
    static const char *suffix[4] = {"Y", "A", "RY", "BY"};
    for (int i = 0; i < 4; i++) snprintf(names[i], sizeof names[i], "%s%s", sel->prefix, suffix[i]);
    exrqoi_slice s[4];
    /* OpenEXR's fills: Y 0.5, A 1, chroma 0 */
    set_slice(&s[0], names[0], EXRQOI_PIXEL_HALF, py, 2, (ptrdiff_t)w * 2, 0.5);
    set_slice(&s[1], names[1], EXRQOI_PIXEL_HALF, pa, 2, (ptrdiff_t)w * 2, 1.0);
    set_slice(&s[2], names[2], EXRQOI_PIXEL_HALF, pry, 2, (ptrdiff_t)(w / 2) * 2, 0.0);
    set_slice(&s[3], names[3], EXRQOI_PIXEL_HALF, pby, 2, (ptrdiff_t)(w / 2) * 2, 0.0);
    exrqoi_result rv = exrqoi_reader_read_region(r, in->part, 0, 0, NULL, s, 4);
    float yw[3];
    if (rv == EXRQOI_OK && !exrqoi__yca_weights(&in->chromaticities, yw))
        rv = exrqoi__fail(exrqoi__reader_err(r), EXRQOI_ERR_BAD_ATTRIBUTE, "degenerate chromaticities");
    if (rv == EXRQOI_OK) rv = exrqoi__yca_to_rgba(al, w, h, py, pa, pry, pby, yw, out);
    if (rv == EXRQOI_OK) {
        for (int32_t y = isect->min.y; y <= isect->max.y; y++) {
            const uint16_t *src = out + ((size_t)(y - in->data_window.min.y) * (size_t)w +
                                         (size_t)(isect->min.x - in->data_window.min.x)) * 4;
            uint8_t *dst = pixels + (size_t)(y - in->window.min.y) * stride;
            size_t cnt = (size_t)(isect->max.x - isect->min.x + 1) * 4;
            size_t x0 = (size_t)(isect->min.x - in->window.min.x) * 4;
            if (in->type == EXRQOI_PIXEL_HALF) {
                memcpy((uint16_t *)(void *)dst + x0, src, cnt * 2);
            } else {
                float *d = (float *)(void *)dst + x0;
                for (size_t i = 0; i < cnt; i++) d[i] = exrqoi__h2f(src[i]);
            }
        }
    }
    exrqoi__free(al, mem);
    return rv;
}

static exrqoi_result read_plain(exrqoi_reader *r, const selection *sel, uint8_t *pixels,
                                size_t stride, const exrqoi_box2i *isect)
{
    const exrqoi_rgba_info *in = &sel->info;
    size_t ts = in->type == EXRQOI_PIXEL_HALF ? 2 : 4;
    uint8_t *base = pixels + (size_t)(isect->min.y - in->window.min.y) * stride +
                    (size_t)(isect->min.x - in->window.min.x) * 4 * ts;
    char names[4][PREFIX_MAX + 4];
    exrqoi_slice s[4];
    int ns = 0;
    bool gray = (in->found & EXRQOI_RGBA_Y) != 0;
    static const char *rgba[4] = {"R", "G", "B", "A"};
    for (int c = 0; c < 4; c++) {
        if (gray && (c == 1 || c == 2)) continue;
        snprintf(names[ns], sizeof names[ns], "%s%s", sel->prefix, gray && c == 0 ? "Y" : rgba[c]);
        set_slice(&s[ns], names[ns], in->type, base + (size_t)c * ts, (ptrdiff_t)(4 * ts),
                  (ptrdiff_t)stride, c == 3 ? 1.0 : 0.0);
        ns++;
    }
    EXRQOI_TRY(exrqoi_reader_read_region(r, in->part, 0, 0, isect, s, ns));
    if (gray) {
        size_t cols = (size_t)(isect->max.x - isect->min.x + 1);
        for (int32_t y = isect->min.y; y <= isect->max.y; y++) {
            uint8_t *p = base + (size_t)(y - isect->min.y) * stride;
            for (size_t x = 0; x < cols; x++, p += 4 * ts) {
                memcpy(p + ts, p, ts);
                memcpy(p + 2 * ts, p, ts);
            }
        }
    }
    return EXRQOI_OK;
}

static exrqoi_result checked_size(const exrqoi_rgba_info *in, size_t *row, size_t *total)
{
    size_t ts = in->type == EXRQOI_PIXEL_HALF ? 2 : 4;
    if (in->width <= 0 || in->height <= 0) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (exrqoi__mul_size((size_t)in->width, 4 * ts, row) ||
        exrqoi__mul_size(*row, (size_t)in->height, total))
        return EXRQOI_ERR_LIMIT;
    return EXRQOI_OK;
}

static exrqoi_result read_selected(exrqoi_reader *r, const selection *sel, void *pixels,
                                   size_t stride, size_t size)
{
    const exrqoi_rgba_info *in = &sel->info;
    size_t row, total;
    EXRQOI_TRY(checked_size(in, &row, &total));
    if (!pixels) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (stride == 0) stride = row;
    size_t need;
    if (stride < row || exrqoi__mul_size(stride, (size_t)(in->height - 1), &need) ||
        exrqoi__add_size(need, row, &need))
        return exrqoi__fail(exrqoi__reader_err(r), EXRQOI_ERR_BUFFER_TOO_SMALL, "RGBA stride too small");
    if (size < need)
        return exrqoi__fail(exrqoi__reader_err(r), EXRQOI_ERR_BUFFER_TOO_SMALL,
                            "RGBA buffer of %zu bytes, %zu needed", size, need);
    exrqoi_box2i is = in->window;
    const exrqoi_box2i *dw = &in->data_window;
    if (dw->min.x > is.min.x) is.min.x = dw->min.x;
    if (dw->min.y > is.min.y) is.min.y = dw->min.y;
    if (dw->max.x < is.max.x) is.max.x = dw->max.x;
    if (dw->max.y < is.max.y) is.max.y = dw->max.y;
    bool covered = is.min.x == in->window.min.x && is.min.y == in->window.min.y &&
                   is.max.x == in->window.max.x && is.max.y == in->window.max.y;
    if (!covered)
        for (int32_t y = 0; y < in->height; y++) memset((uint8_t *)pixels + (size_t)y * stride, 0, row);
    if (is.min.x > is.max.x || is.min.y > is.max.y) return EXRQOI_OK;
    if (in->found & EXRQOI_RGBA_C) return read_yca(r, sel, (uint8_t *)pixels, stride, &is);
    return read_plain(r, sel, (uint8_t *)pixels, stride, &is);
}

exrqoi_result exrqoi_rgba_read(exrqoi_reader *r, const exrqoi_rgba_read_options *opts,
                               exrqoi_rgba_info *info, void *pixels, size_t stride, size_t size)
{
    if (!r) return EXRQOI_ERR_INVALID_ARGUMENT;
    exrqoi_rgba_read_options o;
    EXRQOI_TRY(resolve_opts(opts, &o, exrqoi__reader_err(r)));
    selection sel;
    EXRQOI_TRY(select_part(r, &o, &sel, exrqoi__reader_err(r)));
    if (info) *info = sel.info;
    return read_selected(r, &sel, pixels, stride, size);
}

exrqoi_result exrqoi_rgba_read_alloc(exrqoi_reader *r, const exrqoi_rgba_read_options *opts,
                                     exrqoi_rgba_info *info, void **pixels, size_t *size)
{
    if (!r || !pixels) return EXRQOI_ERR_INVALID_ARGUMENT;
    *pixels = NULL;
    exrqoi_rgba_read_options o;
    EXRQOI_TRY(resolve_opts(opts, &o, exrqoi__reader_err(r)));
    selection sel;
    EXRQOI_TRY(select_part(r, &o, &sel, exrqoi__reader_err(r)));
    if (info) *info = sel.info;
    size_t row, total;
    EXRQOI_TRY(checked_size(&sel.info, &row, &total));
    if (!exrqoi__budget_fits(exrqoi__reader_limits(r), 1, total))
        return exrqoi__fail(exrqoi__reader_err(r), EXRQOI_ERR_LIMIT, "RGBA image of %zu bytes exceeds the limit",
                            total);
    /* the chunks under the window come before memory of its size (the
     * rest of a display window is fill: see docs/security.md) */
    exrqoi_box2i isect = sel.info.window;
    const exrqoi_box2i *dw = &sel.info.data_window;
    if (isect.min.x < dw->min.x) isect.min.x = dw->min.x;
    if (isect.min.y < dw->min.y) isect.min.y = dw->min.y;
    if (isect.max.x > dw->max.x) isect.max.x = dw->max.x;
    if (isect.max.y > dw->max.y) isect.max.y = dw->max.y;
    if (isect.min.x <= isect.max.x && isect.min.y <= isect.max.y)
        EXRQOI_TRY(exrqoi__region_evidence(r, sel.info.part, 0, 0, &isect, total, exrqoi__reader_err(r)));
    void *p = exrqoi__alloc(exrqoi__reader_alloc(r), total);
    if (!p) return exrqoi__fail(exrqoi__reader_err(r), EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    exrqoi_result rv = read_selected(r, &sel, p, row, total);
    if (rv != EXRQOI_OK) {
        exrqoi__free(exrqoi__reader_alloc(r), p);
        return rv;
    }
    *pixels = p;
    if (size) *size = total;
    return EXRQOI_OK;
}
