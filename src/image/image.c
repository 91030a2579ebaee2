/* Whole-file read and write on top of the reader and writer. */
#include "chunk/reader.h"
#include "exrqoi/image.h"

static const exrqoi_allocator *img_alloc(const exrqoi_image *img)
{
    return img->alloc.alloc ? &img->alloc : NULL;
}

static void level_free(const exrqoi_allocator *a, exrqoi_image_level *L)
{
    for (int32_t c = 0; c < L->channel_count; c++) {
        exrqoi__free(a, L->channels[c].name);
        exrqoi__free(a, L->channels[c].data);
    }
    exrqoi__free(a, L->channels);
    exrqoi_deep_image_free(&L->deep);
}

void exrqoi_image_free(exrqoi_image *img)
{
    if (!img) return;
    const exrqoi_allocator *a = img_alloc(img);
    for (int32_t k = 0; k < img->part_count; k++) {
        exrqoi_image_part *P = &img->parts[k];
        for (int32_t l = 0; l < P->level_count; l++) level_free(a, &P->levels[l]);
        exrqoi__free(a, P->levels);
        exrqoi_header_free(&P->header);
    }
    exrqoi__free(a, img->parts);
    exrqoi_allocator keep = img->alloc;
    memset(img, 0, sizeof *img);
    img->alloc = keep;
}

/* (lx, ly) of the l-th level in canonical order. */
static void level_coords(const exrqoi_part_info *pi, int32_t l, int *lx, int *ly)
{
    if (!pi->tiled) {
        *lx = *ly = 0;
    } else if (pi->tiles.level_mode == EXRQOI_LEVEL_RIPMAP) {
        *lx = l % pi->num_x_levels;
        *ly = l / pi->num_x_levels;
    } else {
        *lx = *ly = l;
    }
}

static int32_t level_total(const exrqoi_part_info *pi)
{
    if (!pi->tiled) return 1;
    return pi->tiles.level_mode == EXRQOI_LEVEL_RIPMAP ? pi->num_x_levels * pi->num_y_levels
                                                       : pi->num_x_levels;
}

/* Allocates a flat level's channels and describes them as slices (in
 * `slices`, room for the part's channels). `budget` counts the sample bytes
 * of the whole image read so far: the limit is on one read call, not one
 * level. */
static exrqoi_result alloc_flat_level(exrqoi_reader *r, int part, const exrqoi_part_info *pi,
                                      exrqoi_image_level *L, const exrqoi_allocator *a, uint64_t *budget,
                                      exrqoi_slice *slices)
{
    int32_t n = pi->channel_count;
    /* the level's chunks must be in the file before the memory they fill is taken */
    uint64_t level_bytes = 0;
    for (int32_t c = 0; c < n; c++) {
        int32_t cw, chh;
        exrqoi_sample_extent(&L->window, pi->channels[c].x_sampling, pi->channels[c].y_sampling, &cw, &chh);
        level_bytes += (uint64_t)cw * (uint64_t)chh * (uint64_t)exrqoi_pixel_type_size(pi->channels[c].type);
    }
    EXRQOI_TRY(exrqoi__region_evidence(r, part, L->lx, L->ly, NULL, *budget + level_bytes,
                                       exrqoi__reader_err(r)));
    L->channels = (exrqoi_image_channel *)exrqoi__calloc(a, (size_t)(n ? n : 1), sizeof(exrqoi_image_channel));
    if (!L->channels) return EXRQOI_ERR_OUT_OF_MEMORY;
    L->channel_count = n;
    for (int32_t c = 0; c < n; c++) {
        const exrqoi_channel *ch = &pi->channels[c];
        exrqoi_image_channel *ic = &L->channels[c];
        ic->type = ch->type;
        ic->x_sampling = ch->x_sampling;
        ic->y_sampling = ch->y_sampling;
        exrqoi_sample_extent(&L->window, ch->x_sampling, ch->y_sampling, &ic->width, &ic->height);
        size_t sz = (size_t)exrqoi_pixel_type_size(ch->type), bytes;
        if (exrqoi__mul_size((size_t)ic->width * (size_t)ic->height, sz, &bytes)) return EXRQOI_ERR_LIMIT;
        *budget += bytes;
        if (!exrqoi__budget_fits(exrqoi__reader_limits(r), 1, *budget))
            return exrqoi__fail(exrqoi__reader_err(r), EXRQOI_ERR_LIMIT, "part %d needs more than %llu bytes", part,
                                (unsigned long long)exrqoi__reader_limits(r)->max_alloc_bytes);
        ic->name = exrqoi__strdup(a, ch->name);
        ic->data = exrqoi__alloc(a, bytes);
        if (!ic->name || !ic->data) return EXRQOI_ERR_OUT_OF_MEMORY;
        slices[c].name = ch->name;
        slices[c].type = ch->type;
        slices[c].base = ic->data;
        slices[c].x_stride = (ptrdiff_t)sz;
        slices[c].y_stride = (ptrdiff_t)(sz * (size_t)ic->width);
        slices[c].fill = 0;
    }
    return EXRQOI_OK;
}

/* Sets up every part and level; flat levels get their memory and a
 * request each (in `*reqs`, with their slices in `*slices`), deep levels
 * are read here. */
static exrqoi_result read_all(exrqoi_reader *r, exrqoi_image *out, const exrqoi_allocator *a)
{
    int np = out->part_count;
    /* count flat levels and their channels first: one allocation each */
    size_t nreq = 0, nslice = 0;
    for (int k = 0; k < np; k++) {
        exrqoi_part_info pi;
        EXRQOI_TRY(exrqoi_reader_part_info(r, k, &pi));
        if (pi.type == EXRQOI_PART_DEEP_SCANLINE || pi.type == EXRQOI_PART_DEEP_TILED) continue;
        size_t nl = (size_t)level_total(&pi), ns;
        if (exrqoi__mul_size(nl, (size_t)pi.channel_count, &ns) || exrqoi__add_size(nslice, ns, &nslice) ||
            exrqoi__add_size(nreq, nl, &nreq))
            return EXRQOI_ERR_LIMIT;
    }
    size_t rq_bytes, sl_bytes;
    if (exrqoi__mul_size(nreq ? nreq : 1, sizeof(exrqoi_region_request), &rq_bytes) ||
        exrqoi__mul_size(nslice ? nslice : 1, sizeof(exrqoi_slice), &sl_bytes))
        return EXRQOI_ERR_LIMIT;
    exrqoi_region_request *reqs = (exrqoi_region_request *)exrqoi__calloc(a, 1, rq_bytes);
    exrqoi_slice *slices = (exrqoi_slice *)exrqoi__calloc(a, 1, sl_bytes);
    exrqoi_result rv = (!reqs || !slices) ? EXRQOI_ERR_OUT_OF_MEMORY : EXRQOI_OK;
    size_t ri = 0, si = 0;
    uint64_t budget = 0;
    for (int k = 0; k < np && !rv; k++) {
        exrqoi_image_part *P = &out->parts[k];
        exrqoi_part_info pi;
        rv = exrqoi_reader_part_info(r, k, &pi);
        if (rv) break;
        rv = exrqoi_header_copy(&P->header, exrqoi_reader_header(r, k));
        if (rv) break;
        P->type = pi.type;
        int32_t nl = level_total(&pi);
        P->levels = (exrqoi_image_level *)exrqoi__calloc(a, (size_t)nl, sizeof(exrqoi_image_level));
        if (!P->levels) {
            rv = EXRQOI_ERR_OUT_OF_MEMORY;
            break;
        }
        P->level_count = nl;
        bool deep = pi.type == EXRQOI_PART_DEEP_SCANLINE || pi.type == EXRQOI_PART_DEEP_TILED;
        for (int32_t l = 0; l < nl && !rv; l++) {
            exrqoi_image_level *L = &P->levels[l];
            level_coords(&pi, l, &L->lx, &L->ly);
            rv = exrqoi_reader_level_window(r, k, L->lx, L->ly, &L->window);
            if (rv) break;
            if (deep) {
                rv = exrqoi_reader_read_deep(r, k, L->lx, L->ly, &L->deep);
                continue;
            }
            rv = alloc_flat_level(r, k, &pi, L, a, &budget, slices + si);
            if (rv) break;
            reqs[ri].part = k;
            reqs[ri].lx = L->lx;
            reqs[ri].ly = L->ly;
            reqs[ri].region = NULL;
            reqs[ri].slices = slices + si;
            reqs[ri].slice_count = pi.channel_count;
            ri++;
            si += (size_t)pi.channel_count;
        }
    }
    /* every flat level of every part: one parallel job */
    if (!rv) rv = exrqoi_reader_read_regions(r, reqs, ri);
    exrqoi__free(a, reqs);
    exrqoi__free(a, slices);
    return rv;
}

exrqoi_result exrqoi_reader_read_image(exrqoi_reader *r, exrqoi_image *out)
{
    if (!r || !out) return EXRQOI_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    const exrqoi_allocator *ra = exrqoi__reader_alloc(r);
    if (ra) out->alloc = *ra;
    const exrqoi_allocator *a = img_alloc(out);
    int np = exrqoi_reader_part_count(r);
    out->parts = (exrqoi_image_part *)exrqoi__calloc(a, (size_t)(np ? np : 1), sizeof(exrqoi_image_part));
    if (!out->parts) return EXRQOI_ERR_OUT_OF_MEMORY;
    out->part_count = np;
    exrqoi_result rv = read_all(r, out, a);
    if (rv) exrqoi_image_free(out);
    return rv;
}

exrqoi_result exrqoi_image_read(exrqoi_source source, const exrqoi_read_options *opts,
                                exrqoi_image *out)
{
    exrqoi_reader *r;
    EXRQOI_TRY(exrqoi_reader_open(source, opts, &r));
    exrqoi_result rv = exrqoi_reader_read_image(r, out);
    exrqoi_reader_close(r);
    return rv;
}

exrqoi_result exrqoi_writer_write_image(exrqoi_writer *w, const exrqoi_image *img)
{
    if (!w || !img) return EXRQOI_ERR_INVALID_ARGUMENT;
    const exrqoi_allocator *a = img_alloc(img);
    for (int32_t k = 0; k < img->part_count; k++) {
        const exrqoi_image_part *P = &img->parts[k];
        bool deep = P->type == EXRQOI_PART_DEEP_SCANLINE || P->type == EXRQOI_PART_DEEP_TILED;
        for (int32_t l = 0; l < P->level_count; l++) {
            const exrqoi_image_level *L = &P->levels[l];
            exrqoi_result rv;
            if (deep) {
                rv = exrqoi_writer_write_deep(w, k, L->lx, L->ly, &L->deep);
            } else {
                int32_t n = L->channel_count;
                exrqoi_slice *s = (exrqoi_slice *)exrqoi__calloc(a, (size_t)(n ? n : 1), sizeof *s);
                if (!s) return EXRQOI_ERR_OUT_OF_MEMORY;
                for (int32_t c = 0; c < n; c++) {
                    const exrqoi_image_channel *ic = &L->channels[c];
                    size_t sz = (size_t)exrqoi_pixel_type_size(ic->type);
                    s[c].name = ic->name;
                    s[c].type = ic->type;
                    s[c].base = ic->data;
                    s[c].x_stride = (ptrdiff_t)sz;
                    s[c].y_stride = (ptrdiff_t)(sz * (size_t)ic->width);
                }
                rv = exrqoi_writer_write_region(w, k, L->lx, L->ly, NULL, s, n);
                exrqoi__free(a, s);
            }
            if (rv) return rv;
        }
    }
    return EXRQOI_OK;
}

static exrqoi_header *headers_of(const exrqoi_image *img)
{
    /* the writer copies headers: a shallow array of structs is enough */
    exrqoi_header *h = (exrqoi_header *)exrqoi__calloc(img_alloc(img), (size_t)(img->part_count ? img->part_count : 1),
                                                       sizeof *h);
    if (!h) return NULL;
    for (int32_t k = 0; k < img->part_count; k++) h[k] = img->parts[k].header;
    return h;
}

exrqoi_result exrqoi_image_write(exrqoi_sink sink, const exrqoi_image *img,
                                 const exrqoi_write_options *opts)
{
    EXRQOI_TRY(exrqoi__sink_check(&sink, NULL));
    if (sink.kind == EXRQOI_SINK_MEMORY) {
        *sink.data = NULL;
        *sink.size = 0;
    }
    if (!img) return EXRQOI_ERR_INVALID_ARGUMENT;
    exrqoi_header *h = headers_of(img);
    if (!h) return EXRQOI_ERR_OUT_OF_MEMORY;
    exrqoi_writer *w;
    exrqoi_result rv = exrqoi_writer_open(sink, h, img->part_count, opts, &w);
    exrqoi__free(img_alloc(img), h);
    if (rv) return rv;
    rv = exrqoi_writer_write_image(w, img);
    if (!rv) rv = exrqoi_writer_finish(w);
    exrqoi_writer_close(w);
    return rv;
}
