/* Deep region reads into the caller's layout (exrqoi/deep_read.h).
 *
 * Every chunk the region touches is handled by one worker on its own:
 * read the chunk, decode its count table into a chunk-local buffer, and
 * either copy the region's counts out, or check them against the
 * caller's, decode the sample data into chunk-local arrays (only the
 * channels some slice wants) and copy each region pixel's samples to the
 * pointer the caller gave for it. Chunk-local buffers live in the
 * worker's `unpacked` buffer and are bounded by max_alloc_bytes shared
 * among the workers, as for flat reads. */
#include "deep/deep_chunk.h"
#include "block/lines.h"
#include "chunk/reader_impl.h"
#include "read/job.h"
#include "common/half.h"
#include "exrqoi/deep_read.h"

#include <math.h>
#include <stdatomic.h>

/* A slice matched to a channel of the part (chan -1: filled). */
typedef struct dslot {
    const exrqoi_deep_slice *s;
    int chan;
    uint8_t fill[4]; /* the fill value in the slice's type */
} dslot;

typedef struct region_job {
    exrqoi_reader *r;
    int part;
    const exrqoi__part *p;
    exrqoi_box2i reg;
    uint64_t first_tx, first_ty, ntx; /* the region's chunk grid */
    const exrqoi__level *level;       /* tiled parts */
    exrqoi__deep_chunk_layout base;
    /* counts: output of the counts call, the caller's sizing for the region call */
    uint32_t *counts_out;
    const uint32_t *counts_in;
    ptrdiff_t cxs, cys;
    const dslot *slots;
    int nslots;
    const bool *wanted; /* per part channel: some slice reads it */
    bool any_channel;   /* some slice reads a channel of the part */
    void **dst;         /* nworkers * nchan chunk-local channel arrays */
    exrqoi__worker *workers;
    int nworkers;
    exrqoi__job_status st;
} region_job;

/* ---- sample conversion ---------------------------------------------------- */

/* n native samples of type st (contiguous) to dst of type dt, stride ds.
 * Same-type and half<->float copies are done here; the rest go through
 * the flat reader's conversion so rules (saturation, NaN) stay one. */
/* One sample from half to float, or from float to half. */
static inline void half_float(const uint8_t *src, bool half_to_float, uint8_t *dst)
{
    if (half_to_float) {
        uint16_t h;
        memcpy(&h, src, 2);
        float f = exrqoi__h2f(h);
        memcpy(dst, &f, 4);
    } else {
        float f;
        memcpy(&f, src, 4);
        uint16_t h = exrqoi__f2h(f);
        memcpy(dst, &h, 2);
    }
}

static void put_samples(const uint8_t *src, exrqoi_pixel_type st, uint8_t *dst, exrqoi_pixel_type dt,
                        ptrdiff_t ds, size_t n)
{
    size_t ss = (size_t)exrqoi_pixel_type_size(st);
    if (st == dt) {
        if (ds == (ptrdiff_t)ss) {
            memcpy(dst, src, n * ss);
        } else {
            for (size_t i = 0; i < n; i++, src += ss, dst += ds) memcpy(dst, src, ss);
        }
        return;
    }
    bool half_to_float = st == EXRQOI_PIXEL_HALF && dt == EXRQOI_PIXEL_FLOAT;
    if (half_to_float || (st == EXRQOI_PIXEL_FLOAT && dt == EXRQOI_PIXEL_HALF)) {
        for (size_t i = 0; i < n; i++, src += ss, dst += ds) half_float(src, half_to_float, dst);
        return;
    }
    exrqoi__convert_samples(src, st, (ptrdiff_t)ss, dst, dt, ds, n);
}

/* ---- one chunk --------------------------------------------------------------- */

static size_t align8(size_t v) { return (v + 7) & ~(size_t)7; }

/* The part of the chunk window inside the region. */
static void clip(const exrqoi_box2i *a, const exrqoi_box2i *b, exrqoi_box2i *out)
{
    out->min.x = a->min.x > b->min.x ? a->min.x : b->min.x;
    out->min.y = a->min.y > b->min.y ? a->min.y : b->min.y;
    out->max.x = a->max.x < b->max.x ? a->max.x : b->max.x;
    out->max.y = a->max.y < b->max.y ? a->max.y : b->max.y;
}

/* Caller memory of pixel (x, y) for an array laid out from the region's min corner. */
static uint8_t *at_pixel(const void *base, const exrqoi_box2i *reg, int32_t x, int32_t y, ptrdiff_t xs,
                         ptrdiff_t ys)
{
    return (uint8_t *)(uintptr_t)base + ((int64_t)x - reg->min.x) * xs + ((int64_t)y - reg->min.y) * ys;
}

/* Compares the caller's counts of the clipped pixels with the file's. */
static exrqoi_result check_counts(const region_job *j, const exrqoi_box2i *win, const exrqoi_box2i *c,
                                  const uint32_t *counts, size_t cw, uint64_t *sum, exrqoi__err *err)
{
    *sum = 0;
    for (int32_t y = c->min.y; y <= c->max.y; y++) {
        const uint32_t *fc = counts + (size_t)(y - win->min.y) * cw + (size_t)(c->min.x - win->min.x);
        const uint8_t *p = at_pixel(j->counts_in, &j->reg, c->min.x, y, j->cxs, j->cys);
        for (int32_t x = c->min.x; x <= c->max.x; x++, fc++, p += j->cxs) {
            uint32_t v;
            memcpy(&v, p, 4);
            if (v != *fc)
                return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT,
                                    "part %d pixel (%d, %d): the counts given say %u samples, the file has %u",
                                    j->part, x, y, v, *fc);
            *sum += v;
        }
    }
    return EXRQOI_OK;
}

/* Copies the clipped pixels' samples out of the chunk-local arrays. */
static void copy_samples(const region_job *j, const exrqoi_box2i *win, const exrqoi_box2i *c,
                         const uint32_t *counts, const uint64_t *offsets, size_t cw, void *const *dst)
{
    for (int s = 0; s < j->nslots; s++) {
        const dslot *sl = &j->slots[s];
        const exrqoi_deep_slice *ds = sl->s;
        exrqoi_pixel_type ft = sl->chan >= 0 ? j->base.types[sl->chan] : ds->type;
        size_t fsize = (size_t)exrqoi_pixel_type_size(ft);
        size_t vsize = (size_t)exrqoi_pixel_type_size(ds->type);
        const uint8_t *src = sl->chan >= 0 ? (const uint8_t *)dst[sl->chan] : NULL; /* NULL: fill */
        for (int32_t y = c->min.y; y <= c->max.y; y++) {
            size_t i = (size_t)(y - win->min.y) * cw + (size_t)(c->min.x - win->min.x);
            const uint8_t *pp = at_pixel(ds->base, &j->reg, c->min.x, y, ds->x_stride, ds->y_stride);
            for (int32_t x = c->min.x; x <= c->max.x; x++, i++, pp += ds->x_stride) {
                void *px;
                memcpy(&px, pp, sizeof px);
                uint32_t n = counts[i];
                if (!px || !n) continue;
                if (src) {
                    put_samples(src + (size_t)offsets[i] * fsize, ft, (uint8_t *)px, ds->type,
                                ds->sample_stride, n);
                } else {
                    uint8_t *d = (uint8_t *)px;
                    for (uint32_t k = 0; k < n; k++, d += ds->sample_stride) memcpy(d, sl->fill, vsize);
                }
            }
        }
    }
}

static exrqoi_result do_chunk(region_job *j, size_t item, int worker, exrqoi__err *err)
{
    exrqoi_reader *r = j->r;
    exrqoi__worker *wk = &j->workers[worker];
    uint64_t cx = j->first_tx + item % j->ntx, cy = j->first_ty + item / j->ntx;
    uint64_t index = j->level ? j->level->first_chunk + cy * (uint64_t)j->level->tiles_x + cx : cy;
    exrqoi_chunk_info ci;
    uint64_t off;
    EXRQOI_TRY(exrqoi__read_chunk_leader(r, j->part, index, &ci, &off, err));
    EXRQOI_TRY(exrqoi__chunk_evidence(r, j->part, &ci, false, err));
    const exrqoi_box2i *win = &ci.window;
    exrqoi__deep_chunk_layout L = j->base;
    L.width = win->max.x - win->min.x + 1;
    L.height = win->max.y - win->min.y + 1;
    size_t cw = (size_t)L.width, npix = cw * (size_t)L.height; /* a tile or a few lines: fits */
    exrqoi__deep_chunk_sizes sizes = {ci.packed_count_table_size, ci.packed_size, ci.unpacked_size};
    bool samples = j->counts_in != NULL;
    size_t nch = (size_t)(j->base.nchan > 0 ? j->base.nchan : 0);

    /* budget, before anything is allocated: packed bytes (file sources),
     * counts, offsets, the table and sample data unpacked in codec
     * scratch, and the kept channels (at most the unpacked data) */
    uint64_t fetched = 0, need = 0, share = exrqoi__budget(&r->limits, j->nworkers);
    bool over = exrqoi__add_u64(sizes.packed_table, samples ? sizes.packed_data : 0, &fetched) ||
                exrqoi__add_u64(r->src.mem ? 0 : fetched, (uint64_t)npix * 8 + 8, &need);
    if (samples && !over)
        over = exrqoi__add_u64(need, (uint64_t)npix * 8 + 8, &need) ||
               exrqoi__add_u64(need, sizes.unpacked_data, &need) ||
               exrqoi__add_u64(need, sizes.unpacked_data, &need) ||
               exrqoi__add_u64(need, (uint64_t)nch * 8, &need);
    if (over || need > share || need > SIZE_MAX)
        return exrqoi__fail(err, EXRQOI_ERR_LIMIT,
                            "part %d chunk %llu: reading it on %d thread(s) needs more than the "
                            "max_alloc_bytes limit of %llu",
                            j->part, (unsigned long long)index, j->nworkers,
                            (unsigned long long)r->limits.max_alloc_bytes);

    const uint8_t *packed = NULL;
    EXRQOI_TRY(exrqoi__worker_payload(r, wk, off, fetched, &packed, err));

    size_t counts_bytes = align8(npix * 4), offsets_bytes = samples ? (npix + 1) * 8 : 0;
    uint8_t *ub = exrqoi__worker_buffer(r->alloc, wk, false, counts_bytes + offsets_bytes, 0);
    if (!ub) return exrqoi__fail(err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    uint32_t *counts = (uint32_t *)(void *)ub;
    uint64_t total = 0;
    exrqoi__err_clear(&wk->codec.err);
    exrqoi_result rv = exrqoi__deep_decode_counts(&wk->codec, &r->limits, &L, &sizes, packed, counts, cw, &total);
    if (rv) goto codec_fail;

    exrqoi_box2i c;
    clip(win, &j->reg, &c);
    if (!samples) {
        for (int32_t y = c.min.y; y <= c.max.y; y++) {
            const uint32_t *fc = counts + (size_t)(y - win->min.y) * cw + (size_t)(c.min.x - win->min.x);
            uint8_t *p = at_pixel(j->counts_out, &j->reg, c.min.x, y, j->cxs, j->cys);
            for (int32_t x = c.min.x; x <= c.max.x; x++, fc++, p += j->cxs) memcpy(p, fc, 4);
        }
        return EXRQOI_OK;
    }
    uint64_t in_region;
    EXRQOI_TRY(check_counts(j, win, &c, counts, cw, &in_region, err));
    if (!in_region) return EXRQOI_OK;
    if (!j->any_channel) { /* only fills: the sample data is not needed */
        copy_samples(j, win, &c, counts, NULL, cw, NULL);
        return EXRQOI_OK;
    }

    /* chunk-local arrays: offsets, then every wanted channel's samples
     * (total * bytes per sample <= unpacked_data, within the budget) */
    void **dst = j->dst + (size_t)worker * nch;
    size_t bytes = counts_bytes + offsets_bytes;
    for (size_t k = 0; k < nch; k++)
        if (j->wanted[k]) bytes += align8((size_t)total * (size_t)exrqoi_pixel_type_size(j->base.types[k]));
    ub = exrqoi__worker_buffer(r->alloc, wk, false, bytes, counts_bytes);
    if (!ub) return exrqoi__fail(err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    counts = (uint32_t *)(void *)ub; /* growing may have moved it */
    uint64_t *offsets = (uint64_t *)(void *)(ub + counts_bytes);
    offsets[0] = 0;
    for (size_t i = 0; i < npix; i++) offsets[i + 1] = offsets[i] + counts[i];
    size_t next = counts_bytes + offsets_bytes;
    for (size_t k = 0; k < nch; k++) {
        dst[k] = NULL;
        if (!j->wanted[k]) continue;
        dst[k] = ub + next;
        next += align8((size_t)total * (size_t)exrqoi_pixel_type_size(j->base.types[k]));
    }
    exrqoi__err_clear(&wk->codec.err);
    rv = exrqoi__deep_decode_samples(&wk->codec, &r->limits, &L, &sizes, packed + sizes.packed_table, counts,
                                     cw, offsets, cw, dst, total);
    if (rv) goto codec_fail;
    copy_samples(j, win, &c, counts, offsets, cw, dst);
    return EXRQOI_OK;

codec_fail:
    return exrqoi__fail(err, rv, "part %d, chunk %llu at byte %llu: %s", j->part, (unsigned long long)index,
                        (unsigned long long)ci.file_offset,
                        wk->codec.err.msg[0] ? wk->codec.err.msg : exrqoi_strerror(rv));
}

static void chunk_one(void *ctx, size_t item, int worker)
{
    region_job *j = (region_job *)ctx;
    exrqoi__err err;
    memset(&err, 0, sizeof err);
    exrqoi_result rv = do_chunk(j, item, worker, &err);
    if (rv) exrqoi__job_fail(&j->st, &j->r->err, rv, err.msg);
}

/* ---- driver ------------------------------------------------------------------ */

/* Part, level and region checks shared by both calls; fills the job's
 * geometry. Returns the number of chunks in *count. */
static exrqoi_result setup(region_job *j, exrqoi_reader *r, int part, int lx, int ly,
                           const exrqoi_box2i *region, uint64_t *count)
{
    memset(j, 0, sizeof *j);
    exrqoi__job_status_init(&j->st);
    const exrqoi__level *L;
    exrqoi_box2i reg;
    EXRQOI_TRY(exrqoi__region_check(r, part, lx, ly, region, true, &L, &reg));
    const exrqoi__part *p = &r->parts[part];
    j->r = r;
    j->part = part;
    j->p = p;
    j->reg = reg;
    if (p->info.tiled) {
        j->level = L;
        j->base.full_table_size = (uint64_t)p->info.tiles.x_size * p->info.tiles.y_size * 4;
    }
    exrqoi__chunk_grid g;
    exrqoi__chunk_grid_of(p, L, &reg, &g);
    j->first_tx = g.first_tx;
    j->first_ty = g.first_ty;
    j->ntx = g.ntx;
    uint64_t nty = g.nty;
    j->base.nchan = p->info.channel_count;
    j->base.compression = p->info.compression;
    *count = j->ntx * nty; /* within the part's chunk count */
    return EXRQOI_OK;
}

/* Runs the chunks on the pool with the reader's worker slots, or a
 * temporary set when another thread is using them; each slot gets room
 * for `nchan` channel pointers. A single chunk runs on the calling thread. */
static exrqoi_result run(region_job *j, uint64_t count, size_t nchan)
{
    exrqoi_reader *r = j->r;
    exrqoi_pool *pool = count > 1 ? exrqoi__reader_pool(r) : NULL;
    int width = exrqoi__pool_width(pool, r->threads);
    exrqoi__lease lease;
    exrqoi__lease_acquire(r, width, &lease);
    j->workers = lease.workers;
    j->nworkers = width;
    exrqoi_result rv = EXRQOI_OK;
    j->dst = (void **)exrqoi__calloc(r->alloc, (size_t)width * (nchan ? nchan : 1), sizeof *j->dst);
    if (!j->workers || !j->dst) {
        rv = exrqoi__fail(&r->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    } else {
        exrqoi__pool_for(pool, r->threads, (size_t)count, chunk_one, j, &j->st.stop);
        rv = exrqoi__job_result(&j->st);
    }
    exrqoi__lease_release(r, &lease);
    exrqoi__free(r->alloc, j->dst);
    j->dst = NULL;
    return rv;
}

/* Channel types of the part, in channel-list order. */
static exrqoi_pixel_type *part_types(exrqoi_reader *r, const exrqoi__part *p)
{
    int32_t n = p->info.channel_count;
    exrqoi_pixel_type *t = (exrqoi_pixel_type *)exrqoi__calloc(r->alloc, n > 0 ? (size_t)n : 1, sizeof *t);
    if (t)
        for (int32_t c = 0; c < n; c++) t[c] = p->info.channels[c].type;
    return t;
}

exrqoi_result exrqoi_reader_read_deep_counts(exrqoi_reader *r, int part, int lx, int ly,
                                             const exrqoi_box2i *region, uint32_t *base, ptrdiff_t x_stride,
                                             ptrdiff_t y_stride)
{
    if (!r) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (!base) return exrqoi__fail(&r->err, EXRQOI_ERR_INVALID_ARGUMENT, "no memory given for the counts");
    region_job j;
    uint64_t count;
    EXRQOI_TRY(setup(&j, r, part, lx, ly, region, &count));
    exrqoi_pixel_type *types = part_types(r, j.p);
    if (!types) return exrqoi__fail(&r->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    j.base.types = types;
    j.counts_out = base;
    j.cxs = x_stride;
    j.cys = y_stride;
    exrqoi_result rv = run(&j, count, 0);
    exrqoi__free(r->alloc, types);
    return rv;
}

exrqoi_result exrqoi_reader_read_deep_region(exrqoi_reader *r, int part, int lx, int ly,
                                             const exrqoi_box2i *region, const uint32_t *counts,
                                             ptrdiff_t counts_x_stride, ptrdiff_t counts_y_stride,
                                             const exrqoi_deep_slice *slices, int slice_count)
{
    if (!r) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (slice_count < 0 || (slice_count > 0 && !slices))
        return exrqoi__fail(&r->err, EXRQOI_ERR_INVALID_ARGUMENT, "no slices given");
    if (!counts)
        return exrqoi__fail(&r->err, EXRQOI_ERR_INVALID_ARGUMENT,
                            "the sample counts the memory was sized for are required");
    region_job j;
    uint64_t count;
    EXRQOI_TRY(setup(&j, r, part, lx, ly, region, &count));
    const exrqoi__part *p = j.p;
    for (int s = 0; s < slice_count; s++) {
        const exrqoi_deep_slice *sl = &slices[s];
        if (!sl->name || (unsigned)sl->type > EXRQOI_PIXEL_FLOAT || !sl->base)
            return exrqoi__fail(&r->err, EXRQOI_ERR_INVALID_ARGUMENT, "deep slice %d is incomplete", s);
    }
    if (slice_count == 0) return EXRQOI_OK;

    size_t nch = (size_t)(p->info.channel_count > 0 ? p->info.channel_count : 0);
    exrqoi_pixel_type *types = part_types(r, p);
    dslot *slots = (dslot *)exrqoi__calloc(r->alloc, (size_t)slice_count, sizeof *slots);
    bool *wanted = (bool *)exrqoi__calloc(r->alloc, nch ? nch : 1, sizeof *wanted);
    exrqoi_result rv = EXRQOI_OK;
    if (!types || !slots || !wanted) rv = exrqoi__fail(&r->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    for (int s = 0; s < slice_count && !rv; s++) {
        slots[s].s = &slices[s];
        slots[s].chan = (int)exrqoi__slice_channel(&p->info, slices[s].name);
        if (slots[s].chan >= 0) {
            wanted[slots[s].chan] = true;
            j.any_channel = true;
        }
        exrqoi__fill_value(slots[s].fill, slices[s].type, slices[s].fill);
    }
    if (!rv) {
        j.base.types = types;
        j.counts_in = counts;
        j.cxs = counts_x_stride;
        j.cys = counts_y_stride;
        j.slots = slots;
        j.nslots = slice_count;
        j.wanted = wanted;
        rv = run(&j, count, nch);
    }
    exrqoi__free(r->alloc, types);
    exrqoi__free(r->alloc, slots);
    exrqoi__free(r->alloc, wanted);
    return rv;
}
