/* Reading whole deep levels (exrqoi_reader_read_deep; the writing half is
 * src/write/deep_write.c).
 *
 * Reading runs in two passes, as OpenEXR does: first every chunk's count
 * table is decoded on the worker pool straight into the image's counts
 * (each chunk owns a disjoint rectangle of them), each chunk also summing
 * its lines. Between the passes only those line sums (one per line and
 * tile column) are turned into starting offsets, so the serial part stays
 * small; once the part-wide total is checked, the sample arrays are
 * allocated and every chunk writes its pixels' offsets and decodes its
 * sample data, again in parallel. Counts, offsets and samples are each
 * written in full by the passes, so none is zero-filled first. */
#include "deep/deep_chunk.h"
#include "deep/deep_image.h"
#include "exrqoi/image.h"
#include "chunk/reader_impl.h"
#include "read/job.h"

#include <stdatomic.h>

/* What pass 1 learnt about a chunk, reused by pass 2. */
typedef struct chunk_ref {
    uint64_t file_offset; /* the leader */
    uint64_t data_off; /* first byte after the leader: the packed count table */
    exrqoi__deep_chunk_sizes sizes;
    exrqoi_box2i window;
} chunk_ref;

typedef struct read_job {
    exrqoi_reader *r;
    int part;
    uint64_t first_chunk;
    exrqoi_box2i lwin; /* the level's window */
    size_t width;      /* stride of counts/offsets: the level's width */
    exrqoi__deep_chunk_layout base;
    chunk_ref *refs;
    uint64_t *totals;
    /* per line of the level and tile column: the line's sample count in
     * that chunk after pass 1, its first sample's offset after the scan */
    uint64_t *lines;
    size_t tiles_x;   /* columns of `lines`: 1 for scanline parts */
    int32_t tile_w;   /* tile x_size; 0 for scanline parts */
    exrqoi_deep_image *img;
    void **dst;
    exrqoi__worker *workers;
    int pass;
    exrqoi__job_status st;
} read_job;

/* Index of the chunk's first line in read_job.lines. */
static size_t line_index(const read_job *j, const exrqoi_box2i *win)
{
    size_t tx = j->tile_w > 0 ? (size_t)(((int64_t)win->min.x - j->lwin.min.x) / j->tile_w) : 0;
    return (size_t)((int64_t)win->min.y - j->lwin.min.y) * j->tiles_x + tx;
}

static exrqoi_result read_counts(read_job *j, size_t item, exrqoi__worker *wk, exrqoi__err *err)
{
    uint64_t index = j->first_chunk + item;
    exrqoi_chunk_info ci;
    uint64_t off;
    EXRQOI_TRY(exrqoi__read_chunk_leader(j->r, j->part, index, &ci, &off, err));
    EXRQOI_TRY(exrqoi__chunk_evidence(j->r, j->part, &ci, false, err));
    chunk_ref *ref = &j->refs[item];
    ref->file_offset = ci.file_offset;
    ref->data_off = off;
    ref->sizes.packed_table = ci.packed_count_table_size;
    ref->sizes.packed_data = ci.packed_size;
    ref->sizes.unpacked_data = ci.unpacked_size;
    ref->window = ci.window;
    exrqoi__deep_chunk_layout L;
    exrqoi__deep_layout_of(&j->base, &ci.window, &L);
    const uint8_t *table = NULL;
    EXRQOI_TRY(exrqoi__worker_payload(j->r, wk, off, ref->sizes.packed_table, &table, err));
    uint32_t *counts = j->img->counts + exrqoi__deep_pixel_index(&j->lwin, &ci.window, j->width);
    exrqoi__err_clear(&wk->codec.err);
    /* the line sums come out of the same walk that validates the table */
    exrqoi_result rv = exrqoi__deep_decode_counts_lines(&wk->codec, &j->r->limits, &L, &ref->sizes, table, counts,
                                                        j->width, j->lines + line_index(j, &ci.window), j->tiles_x,
                                                        &j->totals[item]);
    if (rv)
        return exrqoi__fail(err, rv, "part %d, chunk %llu at byte %llu: %s", j->part,
                            (unsigned long long)index, (unsigned long long)ci.file_offset,
                            wk->codec.err.msg[0] ? wk->codec.err.msg : exrqoi_strerror(rv));
    return EXRQOI_OK;
}

static exrqoi_result read_samples(read_job *j, size_t item, exrqoi__worker *wk, exrqoi__err *err)
{
    uint64_t index = j->first_chunk + item;
    const chunk_ref *ref = &j->refs[item];
    exrqoi__deep_chunk_layout L;
    exrqoi__deep_layout_of(&j->base, &ref->window, &L);
    const uint8_t *data = NULL;
    EXRQOI_TRY(exrqoi__worker_payload(j->r, wk, ref->data_off + ref->sizes.packed_table, ref->sizes.packed_data, &data, err));
    size_t at = exrqoi__deep_pixel_index(&j->lwin, &ref->window, j->width);
    size_t cw = (size_t)L.width, li = line_index(j, &ref->window);
    for (int32_t y = 0; y < L.height; y++) {
        const uint32_t *c = j->img->counts + at + (size_t)y * j->width;
        uint64_t *o = j->img->offsets + at + (size_t)y * j->width;
        uint64_t t = j->lines[li + (size_t)y * j->tiles_x];
        for (size_t x = 0; x < cw; x++) {
            o[x] = t;
            t += c[x];
        }
    }
    exrqoi__err_clear(&wk->codec.err);
    /* each line's samples lie between its start and the next line's */
    exrqoi_result rv = exrqoi__deep_decode_lines(&wk->codec, &j->r->limits, &L, &ref->sizes, data, j->lines + li,
                                                 j->tiles_x, j->dst, j->img->total_samples);
    if (rv)
        return exrqoi__fail(err, rv, "part %d, chunk %llu at byte %llu: %s", j->part,
                            (unsigned long long)index,
                            (unsigned long long)ref->file_offset,
                            wk->codec.err.msg[0] ? wk->codec.err.msg : exrqoi_strerror(rv));
    return EXRQOI_OK;
}

static void read_one(void *ctx, size_t item, int worker)
{
    read_job *j = (read_job *)ctx;
    exrqoi__err err;
    memset(&err, 0, sizeof err);
    exrqoi__worker *wk = &j->workers[worker];
    exrqoi_result rv = j->pass == 1 ? read_counts(j, item, wk, &err) : read_samples(j, item, wk, &err);
    if (rv) exrqoi__job_fail(&j->st, &j->r->err, rv, err.msg);
}

/* Runs both passes with the reader's worker slots, or a temporary set
 * when another thread is using them. */
static exrqoi_result run_read(read_job *j, size_t nchunks)
{
    exrqoi_reader *r = j->r;
    exrqoi_pool *pool = exrqoi__reader_pool(r);
    int width = exrqoi__pool_width(pool, r->threads);
    exrqoi__lease lease;
    exrqoi__lease_acquire(r, width, &lease);
    j->workers = lease.workers;
    exrqoi_result rv = EXRQOI_OK;
    if (!j->workers) rv = exrqoi__fail(&r->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");

    const exrqoi_limits *lim = &r->limits;
    exrqoi_deep_image *img = j->img;
    size_t bps = exrqoi__deep_bytes_per_sample(j->base.nchan, j->base.types);
    if (!rv) {
        j->pass = 1;
        exrqoi__pool_for(pool, r->threads, nchunks, read_one, j, &j->st.stop);
        rv = exrqoi__job_result(&j->st);
    }
    if (!rv) {
        uint64_t total = 0, bytes;
        for (size_t i = 0; i < nchunks; i++)
            if (exrqoi__add_u64(total, j->totals[i], &total)) total = UINT64_MAX;
        if (total > lim->max_deep_samples_total)
            rv = exrqoi__fail(&r->err, EXRQOI_ERR_LIMIT,
                              "part %d: %llu deep samples, over the limit of %llu", j->part,
                              (unsigned long long)total, (unsigned long long)lim->max_deep_samples_total);
        else if (exrqoi__mul_u64(total, (uint64_t)bps, &bytes) || !exrqoi__budget_fits(lim, 1, bytes))
            rv = exrqoi__fail(&r->err, EXRQOI_ERR_LIMIT,
                              "part %d: %llu deep samples need more than the %llu bytes allowed", j->part,
                              (unsigned long long)total, (unsigned long long)lim->max_alloc_bytes);
        else {
            /* line sums to starting offsets, in the image's row-major order */
            size_t nl = (size_t)img->height * j->tiles_x, npix = (size_t)img->width * (size_t)img->height;
            uint64_t at = 0;
            for (size_t i = 0; i < nl; i++) {
                uint64_t t = j->lines[i];
                j->lines[i] = at;
                at += t; /* each line sum <= a chunk total, the sum of those is `total` */
            }
            j->lines[nl] = at; /* where the last line ends */
            img->offsets[npix] = total;
            img->total_samples = total;
            rv = at == total ? exrqoi__deep_image_alloc_samples_unset(img) : EXRQOI_ERR_BAD_SAMPLES;
            if (rv) rv = exrqoi__fail(&r->err, rv, "part %d: cannot allocate %llu deep samples", j->part,
                                      (unsigned long long)total);
        }
    }
    if (!rv) {
        for (int32_t c = 0; c < img->channel_count; c++) j->dst[c] = img->channels[c].samples;
        j->pass = 2;
        exrqoi__pool_for(pool, r->threads, nchunks, read_one, j, &j->st.stop);
        rv = exrqoi__job_result(&j->st);
    }
    exrqoi__lease_release(r, &lease);
    return rv;
}

/* Both public calls; `reuse`: *out holds arrays to keep (see deep_read.h). */
static exrqoi_result read_level(exrqoi_reader *r, int part, int lx, int ly, exrqoi_deep_image *out, bool reuse)
{
    if (!r || !out) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (!reuse) {
        memset(out, 0, sizeof *out);
        if (r->alloc) out->alloc = *r->alloc;
    }
    if (part < 0 || part >= r->nparts) return exrqoi__fail(&r->err, EXRQOI_ERR_NOT_FOUND, "no part %d", part);
    const exrqoi__part *p = &r->parts[part];
    if (!p->deep)
        return exrqoi__fail(&r->err, EXRQOI_ERR_INVALID_ARGUMENT,
                            "part %d holds flat data: use the region reading calls", part);
    const exrqoi__level *L = exrqoi__part_level(p, lx, ly);
    if (!L) return exrqoi__fail(&r->err, EXRQOI_ERR_NOT_FOUND, "part %d has no level (%d, %d)", part, lx, ly);

    const exrqoi_part_info *pi = &p->info;
    int32_t nch = pi->channel_count;
    int32_t w = L->window.max.x - L->window.min.x + 1, h = L->window.max.y - L->window.min.y + 1;
    uint64_t nchunks = pi->tiled ? (uint64_t)L->tiles_x * (uint64_t)L->tiles_y : pi->chunk_count;
    /* counts + offsets + per-chunk bookkeeping, before any of it exists */
    uint64_t tiles_x = pi->tiled ? (uint64_t)(L->tiles_x > 0 ? L->tiles_x : 1) : 1;
    uint64_t nlines = (uint64_t)h * tiles_x;
    uint64_t fixed = (uint64_t)w * (uint64_t)h * 12 + 8 + nchunks * (sizeof(chunk_ref) + 8) + (nlines + 1) * 8;
    if (nchunks > SIZE_MAX / (sizeof(chunk_ref) + 8) || nlines >= SIZE_MAX / 8 ||
        !exrqoi__budget_fits(&r->limits, 1, fixed))
        return exrqoi__fail(&r->err, EXRQOI_ERR_LIMIT, "part %d level (%d, %d) needs more than %llu bytes",
                            part, lx, ly, (unsigned long long)r->limits.max_alloc_bytes);
    /* the counts and offsets are as large as the level: its chunks come first */
    EXRQOI_TRY(exrqoi__region_evidence(r, part, lx, ly, NULL, fixed, &r->err));

    const exrqoi_allocator *a = r->alloc;
    size_t nc = nch > 0 ? (size_t)nch : 1;
    const char **names = (const char **)exrqoi__calloc(a, nc, sizeof *names);
    exrqoi_pixel_type *types = (exrqoi_pixel_type *)exrqoi__calloc(a, nc, sizeof *types);
    void **dst = (void **)exrqoi__calloc(a, nc, sizeof *dst);
    size_t n = (size_t)nchunks;
    chunk_ref *refs = (chunk_ref *)exrqoi__calloc(a, n ? n : 1, sizeof *refs);
    uint64_t *totals = (uint64_t *)exrqoi__calloc(a, n ? n : 1, sizeof *totals);
    uint64_t *lines = (uint64_t *)exrqoi__calloc(a, (size_t)nlines + 1, sizeof *lines);
    exrqoi_result rv = EXRQOI_OK;
    if (!names || !types || !dst || !refs || !totals || !lines)
        rv = exrqoi__fail(&r->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    for (int32_t c = 0; c < nch && !rv; c++) {
        names[c] = pi->channels[c].name;
        types[c] = pi->channels[c].type;
    }
    if (!rv) {
        rv = reuse ? exrqoi__deep_image_reuse(out, a, w, h, nch, names, types)
                   : exrqoi__deep_image_init_unset(out, a, w, h, nch, names, types);
        if (rv) exrqoi__fail(&r->err, rv, "part %d: cannot set up a %d x %d deep image", part, w, h);
    }
    if (!rv) {
        read_job j;
        memset(&j, 0, sizeof j);
        j.r = r;
        j.part = part;
        j.first_chunk = pi->tiled ? L->first_chunk : 0;
        j.lwin = L->window;
        j.width = (size_t)w;
        exrqoi__deep_base_layout(pi, nch, types, &j.base);
        j.refs = refs;
        j.totals = totals;
        j.lines = lines;
        j.tiles_x = (size_t)tiles_x;
        j.tile_w = pi->tiled ? pi->tiles.x_size : 0;
        j.img = out;
        j.dst = dst;
        exrqoi__job_status_init(&j.st);
        rv = run_read(&j, n);
    }
    exrqoi__free(a, (void *)names);
    exrqoi__free(a, types);
    exrqoi__free(a, dst);
    exrqoi__free(a, refs);
    exrqoi__free(a, totals);
    exrqoi__free(a, lines);
    if (rv) exrqoi_deep_image_free(out);
    return rv;
}

exrqoi_result exrqoi_reader_read_deep(exrqoi_reader *r, int part, int lx, int ly, exrqoi_deep_image *out)
{
    return read_level(r, part, lx, ly, out, false);
}

exrqoi_result exrqoi_reader_read_deep_reuse(exrqoi_reader *r, int part, int lx, int ly, exrqoi_deep_image *img)
{
    return read_level(r, part, lx, ly, img, true);
}
