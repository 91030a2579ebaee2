/* exrqoi convert, EXR side: picking the colour that becomes QOI (the
 * library's RGBA selection, --channels, deep parts composited first) and
 * lenient salvage of damaged files (EXR -> QOI and EXR -> EXR). */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "tools/convert.h"

static bool is_deep(exrqoi_part_type t)
{
    return t == EXRQOI_PART_DEEP_SCANLINE || t == EXRQOI_PART_DEEP_TILED;
}

/* Lists filled chunks of one part/level in the report. */
static void report_filled(conv_report *rep, int part, int lx, int ly, const uint64_t *list, size_t n)
{
    if (!n) return;
    rep->filled += n;
    tool_buf_printf(&rep->text, "  part %d level %d,%d: %zu chunk(s) filled:", part, lx, ly, n);
    for (size_t i = 0; i < n && i < 16; i++) tool_buf_printf(&rep->text, " %llu", (unsigned long long)list[i]);
    if (n > 16) tool_buf_printf(&rep->text, " ... and %zu more", n - 16);
    tool_buf_printf(&rep->text, "\n");
}

/* --part N|NAME, or -1 when not given. */
static exrqoi_result resolve_part(exrqoi_reader *r, const conv_opts *o, int *part, tool_msg *msg)
{
    *part = -1;
    if (!o->part) return EXRQOI_OK;
    bool digits = o->part[0] != 0;
    for (const char *c = o->part; *c; c++) digits &= isdigit((unsigned char)*c) != 0;
    int np = exrqoi_reader_part_count(r);
    if (digits) {
        long v = strtol(o->part, NULL, 10);
        if (v >= np) {
            snprintf(msg->text, sizeof msg->text, "no part %s (the file has %d)", o->part, np);
            return EXRQOI_ERR_NOT_FOUND;
        }
        *part = (int)v;
        return EXRQOI_OK;
    }
    *part = exrqoi_reader_find_part(r, o->part);
    if (*part < 0) {
        snprintf(msg->text, sizeof msg->text, "no part named '%s'", o->part);
        return EXRQOI_ERR_NOT_FOUND;
    }
    return EXRQOI_OK;
}

/* The names --channels (or the defaults) map to R, G, B, A. */
typedef struct chan_map {
    char names[4][320];
    int count; /* 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA */
} chan_map;

static bool has_channel(const exrqoi_part_info *pi, const char *name)
{
    for (int32_t c = 0; c < pi->channel_count; c++)
        if (!strcmp(pi->channels[c].name, name)) return true;
    return false;
}

static exrqoi_result parse_channels(const conv_opts *o, const exrqoi_part_info *pi, bool deep, chan_map *m,
                                    tool_msg *msg)
{
    memset(m, 0, sizeof *m);
    const char *spec = o->channels;
    char layer[256] = "";
    size_t n = spec ? strlen(spec) : 0;
    if (spec && n >= 2 && !strcmp(spec + n - 2, ".*")) {
        snprintf(layer, sizeof layer, "%.*s.", (int)(n - 2), spec);
        spec = NULL;
    } else if (!spec && o->select.layer && o->select.layer[0]) {
        snprintf(layer, sizeof layer, "%s.", o->select.layer);
    }
    if (deep) layer[0] = 0; /* the composite is plain R, G, B, A, Z */
    if (!spec) {
        static const char *const rgba[] = {"R", "G", "B", "A"};
        char y[300];
        snprintf(y, sizeof y, "%sY", layer);
        if (!deep && has_channel(pi, y) && !has_channel(pi, "R")) {
            snprintf(m->names[0], sizeof m->names[0], "%s", y);
            m->count = 1;
            char a[300];
            snprintf(a, sizeof a, "%sA", layer);
            if (has_channel(pi, a)) snprintf(m->names[m->count++], sizeof m->names[0], "%s", a);
            return EXRQOI_OK;
        }
        for (int c = 0; c < 4; c++) snprintf(m->names[c], sizeof m->names[c], "%s%s", layer, rgba[c]);
        char a[300];
        snprintf(a, sizeof a, "%sA", layer);
        m->count = deep || has_channel(pi, a) ? 4 : 3;
        return EXRQOI_OK;
    }
    for (const char *s = spec;;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        if (m->count == 4 || len == 0 || len >= sizeof m->names[0]) {
            snprintf(msg->text, sizeof msg->text,
                     "--channels '%s': give 1 to 4 channel names separated by commas", spec);
            return EXRQOI_ERR_INVALID_ARGUMENT;
        }
        memcpy(m->names[m->count], s, len);
        m->names[m->count][len] = 0;
        m->count++;
        if (!comma) break;
        s = comma + 1;
    }
    if (!m->count) {
        snprintf(msg->text, sizeof msg->text, "--channels: no channel named");
        return EXRQOI_ERR_INVALID_ARGUMENT;
    }
    return EXRQOI_OK;
}

/* Names the channels a part has, for "no channel X" messages. */
static void list_channels(const exrqoi_part_info *pi, bool deep, char *out, size_t size)
{
    size_t used = 0;
    out[0] = 0;
    if (deep) {
        snprintf(out, size, "R, G, B, A, Z (the composite)");
        return;
    }
    for (int32_t c = 0; c < pi->channel_count && used + 1 < size; c++)
        used += (size_t)snprintf(out + used, size - used, "%s%s", c ? ", " : "", pi->channels[c].name);
}

/* Flat part: each named channel as float over the data window, leniently
 * when asked. planes[c] holds width*height floats. */
static exrqoi_result read_flat_planes(exrqoi_reader *r, int part, const exrqoi_part_info *pi, const chan_map *m,
                                      const conv_opts *o, float **planes, conv_report *rep, tool_msg *msg)
{
    size_t w = (size_t)((int64_t)pi->data_window.max.x - pi->data_window.min.x + 1);
    size_t h = (size_t)((int64_t)pi->data_window.max.y - pi->data_window.min.y + 1);
    exrqoi_slice s[4];
    memset(s, 0, sizeof s);
    for (int c = 0; c < m->count; c++) {
        const exrqoi_channel *ch = NULL;
        for (int32_t k = 0; k < pi->channel_count; k++)
            if (!strcmp(pi->channels[k].name, m->names[c])) ch = &pi->channels[k];
        bool optional_alpha = !o->channels && c == 3;
        if (!ch && !optional_alpha && !(!o->channels && c < 3)) {
            char have[400];
            list_channels(pi, false, have, sizeof have);
            snprintf(msg->text, sizeof msg->text, "part %d has no channel '%.200s' (it has %.300s)", part, m->names[c], have);
            return EXRQOI_ERR_NOT_FOUND;
        }
        if (ch && (ch->x_sampling != 1 || ch->y_sampling != 1)) {
            snprintf(msg->text, sizeof msg->text, "channel '%s' is sub-sampled: read it without --channels/--lenient",
                     m->names[c]);
            return EXRQOI_ERR_UNSUPPORTED;
        }
        s[c].name = m->names[c];
        s[c].type = EXRQOI_PIXEL_FLOAT;
        s[c].base = planes[c];
        s[c].x_stride = sizeof(float);
        s[c].y_stride = (ptrdiff_t)(w * sizeof(float));
        s[c].fill = c == 3 ? 1.0 : 0.0; /* a missing alpha is opaque, as RGBA reading has it */
    }
    (void)h;
    if (!o->channels && !has_channel(pi, m->names[0]) && !has_channel(pi, m->names[1]) &&
        !has_channel(pi, m->names[2]) && (m->count < 4 || !has_channel(pi, m->names[3]))) {
        snprintf(msg->text, sizeof msg->text, "part %d has no colour channel (R, G, B, A or Y%s): pick some with --channels",
                 part, o->select.layer ? " of the layer" : "");
        return EXRQOI_ERR_NOT_FOUND;
    }
    if (!o->lenient) return exrqoi_reader_read_region(r, part, 0, 0, NULL, s, m->count);
    uint64_t *list = NULL;
    size_t n = 0;
    exrqoi_result rv = exrqoi_reader_read_region_lenient(r, part, 0, 0, NULL, s, m->count, &list, &n);
    if (!rv) report_filled(rep, part, 0, 0, list, n);
    exrqoi_free(NULL, list);
    return rv;
}

/* Deep part: composited (R, G, B, A, Z planes over the data window). */
static exrqoi_result read_deep_planes(exrqoi_reader *r, int part, const exrqoi_part_info *pi, const chan_map *m,
                                      const conv_opts *o, float **planes, conv_report *rep, tool_msg *msg)
{
    exrqoi_deep_image img;
    memset(&img, 0, sizeof img);
    exrqoi_result rv;
    if (o->lenient) {
        uint64_t *list = NULL;
        size_t n = 0;
        rv = exrqoi_reader_read_deep_lenient(r, part, 0, 0, &img, &list, &n);
        if (!rv) report_filled(rep, part, 0, 0, list, n);
        exrqoi_free(NULL, list);
    } else {
        rv = exrqoi_reader_read_deep(r, part, 0, 0, &img);
    }
    if (rv) return rv;
    size_t npix = (size_t)img.width * (size_t)img.height;
    float *rgba = malloc(npix * 4 * sizeof(float) + 1), *z = malloc(npix * sizeof(float) + 1);
    rv = rgba && z ? exrqoi_deep_flatten_image(&img, rgba, z) : EXRQOI_ERR_OUT_OF_MEMORY;
    if (rv == EXRQOI_ERR_NOT_FOUND)
        snprintf(msg->text, sizeof msg->text, "deep part %d has no Z channel: it cannot be composited", part);
    for (int c = 0; c < m->count && !rv; c++) {
        static const char *const names = "RGBAZ";
        const char *at = m->names[c][0] && !m->names[c][1] ? strchr(names, m->names[c][0]) : NULL;
        if (!at) {
            char have[100];
            list_channels(pi, true, have, sizeof have);
            snprintf(msg->text, sizeof msg->text, "deep part %d: no channel '%s' (it has %s)", part, m->names[c], have);
            rv = EXRQOI_ERR_NOT_FOUND;
            break;
        }
        int k = (int)(at - names);
        for (size_t i = 0; i < npix; i++) planes[c][i] = k < 4 ? rgba[4 * i + (size_t)k] : z[i];
    }
    free(rgba);
    free(z);
    exrqoi_deep_image_free(&img);
    return rv;
}

/* The generic way: planes of the chosen channels, placed in the display
 * window (transparent, or black without alpha, outside the data window). */
static exrqoi_result generic_to_display(exrqoi_reader *r, int part, const conv_opts *o, int bits,
                                        exrqoi_qoi_desc *d, void **px, conv_report *rep, tool_msg *msg)
{
    exrqoi_part_info pi;
    exrqoi_result rv = exrqoi_reader_part_info(r, part, &pi);
    if (rv) return rv;
    bool deep = is_deep(pi.type);
    chan_map m;
    rv = parse_channels(o, &pi, deep, &m, msg);
    if (rv) return rv;
    const exrqoi_box2i dw = pi.data_window, disp = pi.display_window;
    size_t w = (size_t)((int64_t)dw.max.x - dw.min.x + 1), h = (size_t)((int64_t)dw.max.y - dw.min.y + 1);
    size_t ow = (size_t)((int64_t)disp.max.x - disp.min.x + 1), oh = (size_t)((int64_t)disp.max.y - disp.min.y + 1);
    if (w * h > ((size_t)1 << 31) || ow * oh > ((size_t)1 << 31)) {
        snprintf(msg->text, sizeof msg->text, "image too large for QOI conversion");
        return EXRQOI_ERR_LIMIT;
    }
    float *planes[4] = {NULL, NULL, NULL, NULL};
    float *out = calloc(ow * oh * 4 + 1, sizeof(float));
    if (!out) rv = EXRQOI_ERR_OUT_OF_MEMORY;
    for (int c = 0; c < m.count && !rv; c++)
        if (!(planes[c] = malloc(w * h * sizeof(float) + 1))) rv = EXRQOI_ERR_OUT_OF_MEMORY;
    if (!rv)
        rv = deep ? read_deep_planes(r, part, &pi, &m, o, planes, rep, msg)
                  : read_flat_planes(r, part, &pi, &m, o, planes, rep, msg);
    bool alpha = m.count == 2 || m.count == 4;
    for (size_t oy = 0; oy < oh && !rv; oy++) {
        int64_t y = disp.min.y + (int64_t)oy;
        for (size_t ox = 0; ox < ow; ox++) {
            int64_t x = disp.min.x + (int64_t)ox;
            float *p = out + (oy * ow + ox) * 4;
            if (y < dw.min.y || y > dw.max.y || x < dw.min.x || x > dw.max.x) continue;
            size_t i = (size_t)(y - dw.min.y) * w + (size_t)(x - dw.min.x);
            if (m.count <= 2) {
                p[0] = p[1] = p[2] = planes[0][i];
                p[3] = m.count == 2 ? planes[1][i] : 1.0f;
            } else {
                for (int c = 0; c < m.count; c++) p[c] = planes[c][i];
                if (m.count == 3) p[3] = 1.0f;
            }
        }
    }
    const exrqoi_attribute *ca = exrqoi_header_find(exrqoi_reader_header(r, part), "chromaticities");
    const exrqoi_chromaticities *chroma = ca ? &ca->v.chromaticities : NULL;
    if (!rv && bits == 16)
        rv = exrqoi_float_rgba_to_pixels16(out, (int32_t)ow, (int32_t)oh, alpha, chroma, &o->e2q, NULL, NULL, d,
                                           (uint16_t **)px, NULL);
    else if (!rv)
        rv = exrqoi_float_rgba_to_qoi_pixels(out, (int32_t)ow, (int32_t)oh, alpha, chroma, &o->e2q, NULL, NULL, d,
                                             px, NULL);
    for (int c = 0; c < 4; c++) free(planes[c]);
    free(out);
    return rv;
}

exrqoi_result conv_exr_to_display(exrqoi_reader *r, const conv_opts *o, int bits, exrqoi_qoi_desc *d,
                                  void **px, conv_report *rep, tool_msg *msg)
{
    int part;
    exrqoi_result rv = resolve_part(r, o, &part, msg);
    if (rv) return rv;
    exrqoi_part_info pi;
    if (part < 0 && !o->select.view) {
        /* default: the first part with colour (or the first deep part) */
        int np = exrqoi_reader_part_count(r);
        for (int k = 0; k < np && part < 0; k++) {
            exrqoi_part_info ki;
            if (exrqoi_reader_part_info(r, k, &ki)) continue;
            static const char *const colour[] = {"R", "G", "B", "Y", "A"};
            for (int c = 0; c < 5 && part < 0; c++)
                if (is_deep(ki.type) || has_channel(&ki, colour[c])) part = k;
        }
    }
    bool deep = part >= 0 && !exrqoi_reader_part_info(r, part, &pi) && is_deep(pi.type);
    if (!deep && !o->channels && !o->lenient) {
        exrqoi_exr_to_qoi_options e = o->e2q;
        exrqoi_rgba_read_options sel = o->select;
        if (part >= 0) sel.part = part;
        e.select = &sel;
        if (bits == 16) return exrqoi_exr_to_pixels16(r, &e, d, (uint16_t **)px, NULL);
        return exrqoi_exr_to_qoi_pixels(r, &e, d, px, NULL);
    }
    if (o->select.view && part < 0) {
        snprintf(msg->text, sizeof msg->text, "--view with --channels/--lenient or deep parts: pick the part with --part");
        return EXRQOI_ERR_UNSUPPORTED;
    }
    return generic_to_display(r, part < 0 ? 0 : part, o, bits, d, px, rep, msg);
}

/* ---- EXR -> EXR, lenient -------------------------------------------------- */

static void level_coords(const exrqoi_part_info *pi, int l, int32_t *lx, int32_t *ly)
{
    *lx = *ly = 0;
    if (!pi->tiled) return;
    if (pi->tiles.level_mode == EXRQOI_LEVEL_RIPMAP) {
        *lx = l % pi->num_x_levels;
        *ly = l / pi->num_x_levels;
    } else {
        *lx = *ly = l;
    }
}

static int level_total(const exrqoi_part_info *pi)
{
    if (!pi->tiled) return 1;
    return pi->tiles.level_mode == EXRQOI_LEVEL_RIPMAP ? pi->num_x_levels * pi->num_y_levels : pi->num_x_levels;
}

static exrqoi_result read_flat_level_lenient(exrqoi_reader *r, int part, const exrqoi_part_info *pi,
                                             exrqoi_image_level *L, conv_report *rep)
{
    int32_t n = pi->channel_count;
    L->channels = calloc((size_t)n + 1, sizeof *L->channels);
    exrqoi_slice *s = calloc((size_t)n + 1, sizeof *s);
    exrqoi_result rv = L->channels && s ? EXRQOI_OK : EXRQOI_ERR_OUT_OF_MEMORY;
    if (L->channels) L->channel_count = n;
    for (int32_t c = 0; c < n && !rv; c++) {
        const exrqoi_channel *ch = &pi->channels[c];
        exrqoi_image_channel *ic = &L->channels[c];
        ic->type = ch->type;
        ic->x_sampling = ch->x_sampling;
        ic->y_sampling = ch->y_sampling;
        exrqoi_sample_extent(&L->window, ch->x_sampling, ch->y_sampling, &ic->width, &ic->height);
        size_t sz = (size_t)exrqoi_pixel_type_size(ch->type);
        ic->name = strdup(ch->name);
        ic->data = calloc((size_t)ic->width * (size_t)ic->height + 1, sz);
        if (!ic->name || !ic->data) {
            rv = EXRQOI_ERR_OUT_OF_MEMORY;
            break;
        }
        s[c].name = ch->name;
        s[c].type = ch->type;
        s[c].base = ic->data;
        s[c].x_stride = (ptrdiff_t)sz;
        s[c].y_stride = (ptrdiff_t)(sz * (size_t)ic->width);
    }
    uint64_t *list = NULL;
    size_t nf = 0;
    if (!rv) rv = exrqoi_reader_read_region_lenient(r, part, L->lx, L->ly, NULL, s, n, &list, &nf);
    if (!rv) report_filled(rep, part, L->lx, L->ly, list, nf);
    exrqoi_free(NULL, list);
    free(s);
    return rv;
}

static void free_image(exrqoi_image *img)
{
    for (int32_t k = 0; k < img->part_count; k++) {
        exrqoi_image_part *P = &img->parts[k];
        for (int32_t l = 0; l < P->level_count; l++) {
            exrqoi_image_level *L = &P->levels[l];
            for (int32_t c = 0; c < L->channel_count; c++) {
                free(L->channels[c].name);
                free(L->channels[c].data);
            }
            free(L->channels);
            exrqoi_deep_image_free(&L->deep);
        }
        free(P->levels);
        exrqoi_header_free(&P->header);
    }
    free(img->parts);
    memset(img, 0, sizeof *img);
}

exrqoi_result conv_exr_lenient(exrqoi_reader *r, const conv_opts *o, const char *out,
                               const exrqoi_write_options *wo, conv_report *rep, tool_msg *msg)
{
    (void)msg;
    exrqoi_image img;
    memset(&img, 0, sizeof img);
    int np = exrqoi_reader_part_count(r);
    img.parts = calloc((size_t)np + 1, sizeof *img.parts);
    exrqoi_result rv = img.parts ? EXRQOI_OK : EXRQOI_ERR_OUT_OF_MEMORY;
    if (img.parts) img.part_count = np;
    for (int k = 0; k < np && !rv; k++) {
        exrqoi_image_part *P = &img.parts[k];
        exrqoi_part_info pi;
        rv = exrqoi_reader_part_info(r, k, &pi);
        if (!rv) rv = exrqoi_header_copy(&P->header, exrqoi_reader_header(r, k));
        if (rv) break;
        P->type = pi.type;
        int nl = level_total(&pi);
        P->levels = calloc((size_t)nl, sizeof *P->levels);
        if (!P->levels) {
            rv = EXRQOI_ERR_OUT_OF_MEMORY;
            break;
        }
        P->level_count = nl;
        for (int l = 0; l < nl && !rv; l++) {
            exrqoi_image_level *L = &P->levels[l];
            level_coords(&pi, l, &L->lx, &L->ly);
            rv = exrqoi_reader_level_window(r, k, L->lx, L->ly, &L->window);
            if (rv) break;
            if (is_deep(pi.type)) {
                uint64_t *list = NULL;
                size_t nf = 0;
                rv = exrqoi_reader_read_deep_lenient(r, k, L->lx, L->ly, &L->deep, &list, &nf);
                if (!rv) report_filled(rep, k, L->lx, L->ly, list, nf);
                exrqoi_free(NULL, list);
            } else {
                rv = read_flat_level_lenient(r, k, &pi, L, rep);
            }
        }
    }
    if (!rv && o->compression >= 0) rv = tool_set_compression(&img, (exrqoi_compression)o->compression);
    if (!rv) rv = tool_dst_image(out, &img, wo);
    free_image(&img);
    return rv;
}
