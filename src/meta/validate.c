/* Turns a parsed header into validated part facts (exrqoi__part): the
 * required attributes per part type, windows, channels, tiles, levels and
 * the chunk count, with errors naming the part and the attribute. */
#include "codec/codec.h"
#include "meta/part.h"

#include <math.h>

#define LARGE_COORD (INT32_MAX / 2) /* OpenEXR's bound on window coordinates */

static const exrqoi_attribute *get(const exrqoi__part *p, const char *name, exrqoi_attr_type type,
                                   int index, bool *wrong_type)
{
    const exrqoi_attribute *a = exrqoi_header_find(&p->header, name);
    *wrong_type = false;
    (void)index;
    if (a && a->type != type) {
        *wrong_type = true;
        return NULL;
    }
    return a;
}

#define REQUIRE(var, nm, ty, required)                                                          \
    do {                                                                                        \
        bool wt_;                                                                               \
        var = get(p, nm, ty, index, &wt_);                                                      \
        if (wt_)                                                                                \
            return exrqoi__fail(err, EXRQOI_ERR_BAD_ATTRIBUTE,                                  \
                                "part %d: attribute '%s' has type '%s', expected '%s'", index, \
                                nm, exrqoi_header_find(&p->header, nm)->type_name,              \
                                exrqoi_attr_type_name(ty));                                     \
        if (!var && (required))                                                                 \
            return exrqoi__fail(err, EXRQOI_ERR_MISSING_ATTRIBUTE,                              \
                                "part %d: required attribute '%s' missing", index, nm);         \
    } while (0)

static bool window_ok(const exrqoi_box2i *b)
{
    return b->min.x <= b->max.x && b->min.y <= b->max.y && b->min.x > -LARGE_COORD &&
           b->min.y > -LARGE_COORD && b->max.x < LARGE_COORD && b->max.y < LARGE_COORD;
}

static exrqoi_result setup_levels(exrqoi__part *p, int index, const exrqoi_limits *limits,
                                  exrqoi__err *err)
{
    exrqoi_part_info *i = &p->info;
    const exrqoi_allocator *a = &p->header.alloc;
    const exrqoi_allocator *alloc = a->alloc ? a : NULL;
    int64_t w = (int64_t)i->data_window.max.x - i->data_window.min.x + 1;
    int64_t h = (int64_t)i->data_window.max.y - i->data_window.min.y + 1;

    if (!i->tiled) {
        i->num_x_levels = i->num_y_levels = 1;
        p->nlevels = 1;
        p->levels = (exrqoi__level *)exrqoi__calloc(alloc, 1, sizeof(exrqoi__level));
        if (!p->levels) return exrqoi__fail(err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
        p->levels[0].window = i->data_window;
        p->levels[0].tiles_x = 1;
        p->levels[0].tiles_y = (int32_t)((h + i->lines_per_chunk - 1) / i->lines_per_chunk);
        i->chunk_count = (uint64_t)p->levels[0].tiles_y;
        return EXRQOI_OK;
    }
    const exrqoi_tiledesc *t = &i->tiles;
    int rm = t->rounding_mode;
    switch (t->level_mode) {
    case EXRQOI_LEVEL_ONE: i->num_x_levels = i->num_y_levels = 1; break;
    case EXRQOI_LEVEL_MIPMAP:
        i->num_x_levels = i->num_y_levels = exrqoi__level_count((int32_t)(w > h ? w : h), rm);
        break;
    default:
        i->num_x_levels = exrqoi__level_count((int32_t)w, rm);
        i->num_y_levels = exrqoi__level_count((int32_t)h, rm);
        break;
    }
    p->nlevels = t->level_mode == EXRQOI_LEVEL_RIPMAP ? i->num_x_levels * i->num_y_levels
                                                     : i->num_x_levels;
    p->levels = (exrqoi__level *)exrqoi__calloc(alloc, (size_t)p->nlevels, sizeof(exrqoi__level));
    if (!p->levels) return exrqoi__fail(err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    uint64_t chunks = 0;
    for (int32_t k = 0; k < p->nlevels; k++) {
        exrqoi__level *L = &p->levels[k];
        if (t->level_mode == EXRQOI_LEVEL_RIPMAP) {
            L->lx = k % i->num_x_levels;
            L->ly = k / i->num_x_levels;
        } else {
            L->lx = L->ly = k;
        }
        int32_t lw = exrqoi__level_size((int32_t)w, L->lx, rm);
        int32_t lh = exrqoi__level_size((int32_t)h, L->ly, rm);
        L->window.min = i->data_window.min;
        L->window.max.x = (int32_t)(i->data_window.min.x + (int64_t)lw - 1);
        L->window.max.y = (int32_t)(i->data_window.min.y + (int64_t)lh - 1);
        L->tiles_x = (int32_t)(((int64_t)lw + t->x_size - 1) / t->x_size);
        L->tiles_y = (int32_t)(((int64_t)lh + t->y_size - 1) / t->y_size);
        L->first_chunk = chunks;
        chunks += (uint64_t)L->tiles_x * (uint64_t)L->tiles_y;
    }
    i->chunk_count = chunks;
    (void)limits;
    (void)index;
    return EXRQOI_OK;
}

exrqoi_result exrqoi__part_setup(exrqoi__part *p, int index, uint32_t version, bool strict,
                                 const exrqoi_limits *limits, exrqoi__err *err)
{
    exrqoi_part_info *i = &p->info;
    memset(i, 0, sizeof *i);
    bool multipart = (version & EXRQOI_VERSION_FLAG_MULTIPART) != 0;
    bool nonimage = (version & EXRQOI_VERSION_FLAG_NON_IMAGE) != 0;
    const exrqoi_attribute *channels, *compression, *dw, *dispw, *lo, *par, *swc, *sww, *name, *type,
        *tiles, *chunk_count, *ver;

    REQUIRE(channels, "channels", EXRQOI_ATTR_CHLIST, true);
    REQUIRE(compression, "compression", EXRQOI_ATTR_COMPRESSION, true);
    REQUIRE(dw, "dataWindow", EXRQOI_ATTR_BOX2I, true);
    REQUIRE(dispw, "displayWindow", EXRQOI_ATTR_BOX2I, strict);
    REQUIRE(lo, "lineOrder", EXRQOI_ATTR_LINEORDER, strict);
    REQUIRE(par, "pixelAspectRatio", EXRQOI_ATTR_FLOAT, strict);
    REQUIRE(swc, "screenWindowCenter", EXRQOI_ATTR_V2F, strict);
    REQUIRE(sww, "screenWindowWidth", EXRQOI_ATTR_FLOAT, strict);
    REQUIRE(name, "name", EXRQOI_ATTR_STRING, multipart);
    REQUIRE(type, "type", EXRQOI_ATTR_STRING, multipart || nonimage);
    REQUIRE(chunk_count, "chunkCount", EXRQOI_ATTR_INT, strict && multipart);
    REQUIRE(ver, "version", EXRQOI_ATTR_INT, false);
    (void)swc;

    /* part type: the type attribute, else the version flags */
    if (type) {
        const char *s = type->v.string.str;
        if (strcmp(s, "scanlineimage") == 0)
            i->type = EXRQOI_PART_SCANLINE;
        else if (strcmp(s, "tiledimage") == 0)
            i->type = EXRQOI_PART_TILED;
        else if (strcmp(s, "deepscanline") == 0)
            i->type = EXRQOI_PART_DEEP_SCANLINE;
        else if (strcmp(s, "deeptile") == 0)
            i->type = EXRQOI_PART_DEEP_TILED;
        else
            return exrqoi__fail(err, EXRQOI_ERR_UNSUPPORTED,
                                "part %d: unknown part type '%s'", index, s);
        i->type_name = s;
        if (!multipart && (version & EXRQOI_VERSION_FLAG_TILED) &&
            i->type != EXRQOI_PART_TILED && strict)
            return exrqoi__fail(err, EXRQOI_ERR_BAD_ATTRIBUTE,
                                "part %d: type '%s' contradicts the tiled flag", index, s);
    } else {
        i->type = (version & EXRQOI_VERSION_FLAG_TILED) ? EXRQOI_PART_TILED : EXRQOI_PART_SCANLINE;
    }
    p->deep = i->type == EXRQOI_PART_DEEP_SCANLINE || i->type == EXRQOI_PART_DEEP_TILED;
    i->tiled = i->type == EXRQOI_PART_TILED || i->type == EXRQOI_PART_DEEP_TILED;
    i->name = name ? name->v.string.str : NULL;

    /* compression */
    if (compression->v.u8 >= EXRQOI_COMPRESSION_COUNT)
        return exrqoi__fail(err, EXRQOI_ERR_UNSUPPORTED_COMPRESSION,
                            "part %d: unknown compression %d", index, compression->v.u8);
    i->compression = (exrqoi_compression)compression->v.u8;
    if (p->deep && !exrqoi__codec_deep_capable(i->compression))
        return exrqoi__fail(err, EXRQOI_ERR_UNSUPPORTED_COMPRESSION,
                            "part %d: %s compression is not valid for deep data", index,
                            exrqoi_compression_name(i->compression));
    i->lines_per_chunk = exrqoi_compression_lines(i->compression);

    /* windows */
    i->data_window = dw->v.box2i;
    if (!window_ok(&i->data_window))
        return exrqoi__fail(err, EXRQOI_ERR_BAD_ATTRIBUTE,
                            "part %d: invalid dataWindow (%d %d) - (%d %d)", index,
                            i->data_window.min.x, i->data_window.min.y, i->data_window.max.x,
                            i->data_window.max.y);
    i->display_window = dispw ? dispw->v.box2i : i->data_window;
    if (!window_ok(&i->display_window))
        return exrqoi__fail(err, EXRQOI_ERR_BAD_ATTRIBUTE,
                            "part %d: invalid displayWindow (%d %d) - (%d %d)", index,
                            i->display_window.min.x, i->display_window.min.y,
                            i->display_window.max.x, i->display_window.max.y);
    uint64_t w = (uint64_t)((int64_t)i->data_window.max.x - i->data_window.min.x + 1);
    uint64_t h = (uint64_t)((int64_t)i->data_window.max.y - i->data_window.min.y + 1);
    if (w > limits->max_width || h > limits->max_height || w * h > limits->max_pixels)
        return exrqoi__fail(err, EXRQOI_ERR_LIMIT,
                            "part %d: data window %llu x %llu exceeds the image size limits", index,
                            (unsigned long long)w, (unsigned long long)h);

    if (lo) {
        if (lo->v.u8 > EXRQOI_LINE_ORDER_RANDOM)
            return exrqoi__fail(err, EXRQOI_ERR_BAD_ATTRIBUTE,
                                "part %d: invalid lineOrder %d", index, lo->v.u8);
        i->line_order = (exrqoi_line_order)lo->v.u8;
    }
    if (strict && par) {
        float f = par->v.f;
        if (!isnormal(f) || f < 1e-6f || f > 1e6f)
            return exrqoi__fail(err, EXRQOI_ERR_BAD_ATTRIBUTE,
                                "part %d: invalid pixelAspectRatio %g", index, (double)f);
    }
    if (strict && sww && sww->v.f < 0.f)
        return exrqoi__fail(err, EXRQOI_ERR_BAD_ATTRIBUTE,
                            "part %d: invalid screenWindowWidth %g", index, (double)sww->v.f);

    /* channels */
    i->channel_count = channels->v.chlist.count;
    i->channels = channels->v.chlist.entries;
    if (i->channel_count <= 0 && !p->deep && strict)
        return exrqoi__fail(err, EXRQOI_ERR_BAD_ATTRIBUTE, "part %d: no channels", index);
    for (int32_t c = 0; c < i->channel_count; c++) {
        const exrqoi_channel *ch = &i->channels[c];
        if ((unsigned)ch->type > EXRQOI_PIXEL_FLOAT)
            return exrqoi__fail(err, EXRQOI_ERR_BAD_ATTRIBUTE,
                                "part %d: channel '%s' has invalid type %d", index, ch->name,
                                (int)ch->type);
        if (ch->x_sampling < 1 || ch->y_sampling < 1)
            return exrqoi__fail(err, EXRQOI_ERR_BAD_ATTRIBUTE,
                                "part %d: channel '%s' has invalid sampling %d %d", index, ch->name,
                                ch->x_sampling, ch->y_sampling);
        if ((i->tiled || p->deep) && (ch->x_sampling != 1 || ch->y_sampling != 1))
            return exrqoi__fail(err, EXRQOI_ERR_BAD_ATTRIBUTE,
                                "part %d: channel '%s' is subsampled in a %s part", index, ch->name,
                                i->tiled ? "tiled" : "deep");
        if (exrqoi__mod(i->data_window.min.x, ch->x_sampling) ||
            exrqoi__mod(i->data_window.min.y, ch->y_sampling) || w % (uint64_t)ch->x_sampling ||
            h % (uint64_t)ch->y_sampling)
            return exrqoi__fail(err, EXRQOI_ERR_BAD_ATTRIBUTE,
                                "part %d: data window does not fit channel '%s' sampling %d %d",
                                index, ch->name, ch->x_sampling, ch->y_sampling);
        if (c > 0 && strcmp(i->channels[c - 1].name, ch->name) >= 0 && strict)
            return exrqoi__fail(err, EXRQOI_ERR_BAD_ATTRIBUTE,
                                "part %d: channel list not sorted or has duplicates at '%s'", index,
                                ch->name);
    }

    /* tiles */
    if (i->tiled) {
        REQUIRE(tiles, "tiles", EXRQOI_ATTR_TILEDESC, true);
        i->tiles = tiles->v.tiledesc;
        if (i->tiles.x_size == 0 || i->tiles.y_size == 0 || i->tiles.x_size > INT32_MAX / 4 ||
            i->tiles.y_size > INT32_MAX / 4)
            return exrqoi__fail(err, EXRQOI_ERR_BAD_ATTRIBUTE, "part %d: invalid tile size %u x %u",
                                index, i->tiles.x_size, i->tiles.y_size);
        if (i->tiles.level_mode > EXRQOI_LEVEL_RIPMAP || i->tiles.rounding_mode > EXRQOI_ROUND_UP)
            return exrqoi__fail(err, EXRQOI_ERR_BAD_ATTRIBUTE,
                                "part %d: invalid tile level mode %d / rounding mode %d", index,
                                i->tiles.level_mode, i->tiles.rounding_mode);
    }

    if (ver) i->deep_version = ver->v.i;
    if (p->deep && ver && ver->v.i != 1)
        return exrqoi__fail(err, EXRQOI_ERR_UNSUPPORTED, "part %d: deep data version %d is not supported",
                            index, ver->v.i);

    EXRQOI_TRY(setup_levels(p, index, limits, err));
    if (chunk_count && (chunk_count->v.i < 0 || (uint64_t)chunk_count->v.i != i->chunk_count)) {
        return exrqoi__fail(err, EXRQOI_ERR_BAD_ATTRIBUTE,
                            "part %d: chunkCount %d does not match the %llu chunks the header implies",
                            index, chunk_count->v.i, (unsigned long long)i->chunk_count);
    }
    return EXRQOI_OK;
}

void exrqoi__part_free(exrqoi__part *p)
{
    const exrqoi_allocator *a = p->header.alloc.alloc ? &p->header.alloc : NULL;
    exrqoi__free(a, p->levels);
    exrqoi__free(a, p->offsets);
    exrqoi_header_free(&p->header);
    memset(p, 0, sizeof *p);
}
