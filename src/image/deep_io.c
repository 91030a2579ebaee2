/* Deep levels through the reader and writer.
 *
 * Reading runs in two passes, as OpenEXR does: first every chunk's count
 * table is decoded on the worker pool straight into the image's counts
 * (each chunk owns a disjoint rectangle of them), each chunk also summing
 * its lines. Between the passes only those line sums (one per line and
 * tile column) are turned into starting offsets, so the serial part stays
 * small; once the part-wide total is checked, the sample arrays are
 * allocated and every chunk writes its pixels' offsets and decodes its
 * sample data, again in parallel. Counts, offsets and samples are each
 * written in full by the passes, so none is zero-filled first. Writing
 * encodes a batch of chunks on the pool, then emits the batch in file
 * order. */
#include "deep/deep_chunk.h"
#include "deep/deep_image.h"
#include "exrqoi/image.h"
#include "image/writer.h"
#include "image/job.h"

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

/* Index of the chunk's first pixel in the level's row-major arrays. */
static size_t pixel_index(const exrqoi_box2i *lwin, const exrqoi_box2i *win, size_t width)
{
    return (size_t)((int64_t)win->min.y - lwin->min.y) * width + (size_t)((int64_t)win->min.x - lwin->min.x);
}

/* Index of the chunk's first line in read_job.lines. */
static size_t line_index(const read_job *j, const exrqoi_box2i *win)
{
    size_t tx = j->tile_w > 0 ? (size_t)(((int64_t)win->min.x - j->lwin.min.x) / j->tile_w) : 0;
    return (size_t)((int64_t)win->min.y - j->lwin.min.y) * j->tiles_x + tx;
}

/* What every chunk of a deep part shares (chunk_layout adds the size). */
static void base_layout(const exrqoi_part_info *pi, int32_t nch, const exrqoi_pixel_type *types,
                        exrqoi__deep_chunk_layout *base)
{
    base->nchan = nch;
    base->types = types;
    base->compression = pi->compression;
    if (pi->tiled) base->full_table_size = (uint64_t)pi->tiles.x_size * pi->tiles.y_size * 4;
}

static void chunk_layout(const exrqoi__deep_chunk_layout *base, const exrqoi_box2i *win,
                         exrqoi__deep_chunk_layout *out)
{
    *out = *base;
    out->width = win->max.x - win->min.x + 1;
    out->height = win->max.y - win->min.y + 1;
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
    chunk_layout(&j->base, &ci.window, &L);
    const uint8_t *table = NULL;
    EXRQOI_TRY(exrqoi__worker_payload(j->r, wk, off, ref->sizes.packed_table, &table, err));
    uint32_t *counts = j->img->counts + pixel_index(&j->lwin, &ci.window, j->width);
    exrqoi__err_clear(&wk->codec.err);
    exrqoi_result rv = exrqoi__deep_decode_counts(&wk->codec, &j->r->limits, &L, &ref->sizes, table,
                                                  counts, j->width, &j->totals[item]);
    if (rv)
        return exrqoi__fail(err, rv, "part %d, chunk %llu at byte %llu: %s", j->part,
                            (unsigned long long)index, (unsigned long long)ci.file_offset,
                            wk->codec.err.msg[0] ? wk->codec.err.msg : exrqoi_strerror(rv));
    size_t cw = (size_t)L.width, li = line_index(j, &ci.window);
    for (int32_t y = 0; y < L.height; y++) {
        const uint32_t *c = counts + (size_t)y * j->width;
        uint64_t t = 0;
        for (size_t x = 0; x < cw; x++) t += c[x];
        j->lines[li + (size_t)y * j->tiles_x] = t;
    }
    return EXRQOI_OK;
}

static exrqoi_result read_samples(read_job *j, size_t item, exrqoi__worker *wk, exrqoi__err *err)
{
    uint64_t index = j->first_chunk + item;
    const chunk_ref *ref = &j->refs[item];
    exrqoi__deep_chunk_layout L;
    chunk_layout(&j->base, &ref->window, &L);
    const uint8_t *data = NULL;
    EXRQOI_TRY(exrqoi__worker_payload(j->r, wk, ref->data_off + ref->sizes.packed_table, ref->sizes.packed_data, &data, err));
    size_t at = pixel_index(&j->lwin, &ref->window, j->width);
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
    exrqoi_result rv = exrqoi__deep_decode_samples(&wk->codec, &j->r->limits, &L, &ref->sizes, data,
                                                   j->img->counts + at, j->width, j->img->offsets + at,
                                                   j->width, j->dst, j->img->total_samples);
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

exrqoi_result exrqoi_reader_read_deep(exrqoi_reader *r, int part, int lx, int ly, exrqoi_deep_image *out)
{
    if (!r || !out) return EXRQOI_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (r->alloc) out->alloc = *r->alloc;
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
    uint64_t fixed = (uint64_t)w * (uint64_t)h * 12 + 8 + nchunks * (sizeof(chunk_ref) + 8) + nlines * 8;
    if (nchunks > SIZE_MAX / (sizeof(chunk_ref) + 8) || nlines > SIZE_MAX / 8 ||
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
    uint64_t *lines = (uint64_t *)exrqoi__calloc(a, nlines ? (size_t)nlines : 1, sizeof *lines);
    exrqoi_result rv = EXRQOI_OK;
    if (!names || !types || !dst || !refs || !totals || !lines)
        rv = exrqoi__fail(&r->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    for (int32_t c = 0; c < nch && !rv; c++) {
        names[c] = pi->channels[c].name;
        types[c] = pi->channels[c].type;
    }
    if (!rv) {
        rv = exrqoi__deep_image_init_unset(out, a, w, h, nch, names, types);
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
        base_layout(pi, nch, types, &j.base);
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

/* ------------------------------------------------------------------ */
/* Writing                                                              */
/* ------------------------------------------------------------------ */

typedef struct witem {
    uint64_t index;
    exrqoi_chunk_info ci; /* window, tile coordinates and the three sizes */
    uint8_t *payload;     /* packed count table + packed sample data */
    size_t cap, size;
} witem;

typedef struct write_job {
    exrqoi_writer *w;
    int part;
    const exrqoi_deep_image *img;
    exrqoi_box2i lwin;
    size_t width;
    exrqoi__deep_chunk_layout base;
    const void *const *src;
    witem *items;
    exrqoi__job_status st;
} write_job;

static void encode_one(void *ctx, size_t k, int worker)
{
    write_job *j = (write_job *)ctx;
    witem *it = &j->items[k];
    exrqoi__worker *wk = &j->w->workers[worker];
    exrqoi__deep_chunk_layout L;
    chunk_layout(&j->base, &it->ci.window, &L);
    size_t at = pixel_index(&j->lwin, &it->ci.window, j->width);
    const uint8_t *out;
    size_t out_size;
    exrqoi__deep_chunk_sizes s;
    exrqoi__err err;
    memset(&err, 0, sizeof err);
    exrqoi__err_clear(&wk->codec.err);
    exrqoi_result rv = exrqoi__deep_encode_chunk(&wk->codec, &L, j->img->counts + at, j->width,
                                                 j->img->offsets + at, j->width, j->src,
                                                 j->img->total_samples, &out, &out_size, &s);
    if (rv) {
        exrqoi__fail(&err, rv, "part %d chunk %llu: %s", j->part, (unsigned long long)it->index,
                     wk->codec.err.msg[0] ? wk->codec.err.msg : exrqoi_strerror(rv));
    } else {
        /* the encoder leads with the three sizes; the chunk leader writes
         * them from ci, so only what follows them is kept */
        size_t n = out_size - EXRQOI__DEEP_SIZES_BYTES;
        void *pb = it->payload;
        if (exrqoi__reserve(j->w->alloc, &pb, &it->cap, n)) {
            rv = exrqoi__fail(&err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
        } else {
            it->payload = (uint8_t *)pb;
            if (n) memcpy(it->payload, out + EXRQOI__DEEP_SIZES_BYTES, n);
            it->size = n;
            it->ci.packed_count_table_size = s.packed_table;
            it->ci.packed_size = s.packed_data;
            it->ci.unpacked_size = s.unpacked_data;
        }
    }
    if (rv) exrqoi__job_fail(&j->st, &j->w->err, rv, err.msg);
}

static const char *type_name(exrqoi_pixel_type t)
{
    return t == EXRQOI_PIXEL_HALF ? "half" : t == EXRQOI_PIXEL_FLOAT ? "float" : t == EXRQOI_PIXEL_UINT ? "uint" : "invalid";
}

/* The image must be the level's size, its offsets the prefix sums of its
 * counts (the encoder trusts them), and every part channel it provides of
 * the part's type. Channels it lacks are written as zeros (*zeros). */
static exrqoi_result match_image(exrqoi_writer *w, int part, const exrqoi_part_info *pi,
                                 const exrqoi__level *L, const exrqoi_deep_image *img,
                                 const void **src, void **zeros)
{
    int32_t lw = L->window.max.x - L->window.min.x + 1, lh = L->window.max.y - L->window.min.y + 1;
    if (img->width != lw || img->height != lh)
        return exrqoi__fail(&w->err, EXRQOI_ERR_INVALID_ARGUMENT,
                            "part %d level (%d, %d) is %d x %d, the deep image %d x %d", part, L->lx, L->ly,
                            lw, lh, img->width, img->height);
    size_t npix = (size_t)lw * (size_t)lh;
    if (!img->counts || !img->offsets)
        return exrqoi__fail(&w->err, EXRQOI_ERR_INVALID_ARGUMENT, "deep image has no counts or offsets");
    uint64_t sum = 0;
    for (size_t i = 0; i < npix; i++) {
        if (img->offsets[i] != sum) break;
        sum += img->counts[i];
    }
    if (img->offsets[npix] != sum || sum != img->total_samples)
        return exrqoi__fail(&w->err, EXRQOI_ERR_INVALID_ARGUMENT,
                            "deep image offsets do not match its counts (call exrqoi_deep_image_alloc_samples)");
    bool missing = false;
    for (int32_t c = 0; c < pi->channel_count; c++) {
        const exrqoi_channel *ch = &pi->channels[c];
        int32_t k = exrqoi_deep_image_find_channel(img, ch->name);
        src[c] = NULL;
        if (k < 0) {
            missing = true;
            continue;
        }
        if (img->channels[k].type != ch->type)
            return exrqoi__fail(&w->err, EXRQOI_ERR_INVALID_ARGUMENT,
                                "deep channel '%s' is %s in the image but %s in part %d", ch->name,
                                type_name(img->channels[k].type), type_name(ch->type),
                                part);
        if (!img->channels[k].samples && img->total_samples)
            return exrqoi__fail(&w->err, EXRQOI_ERR_INVALID_ARGUMENT, "deep channel '%s' has no samples",
                                ch->name);
        src[c] = img->channels[k].samples;
    }
    if (missing) {
        size_t bytes;
        if (img->total_samples > SIZE_MAX / 4 || exrqoi__mul_size((size_t)img->total_samples, 4, &bytes))
            return exrqoi__fail(&w->err, EXRQOI_ERR_LIMIT, "deep image too large");
        *zeros = exrqoi__calloc(w->alloc, bytes ? bytes : 1, 1);
        if (!*zeros) return exrqoi__fail(&w->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
        for (int32_t c = 0; c < pi->channel_count; c++)
            if (!src[c]) src[c] = *zeros;
    }
    return EXRQOI_OK;
}

exrqoi_result exrqoi_writer_write_deep(exrqoi_writer *w, int part, int lx, int ly, const exrqoi_deep_image *img)
{
    if (!w || !img) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (w->finished || w->failed) return exrqoi__fail(&w->err, EXRQOI_ERR_BAD_STATE, "writer is finished");
    if (part < 0 || part >= w->nparts) return exrqoi__fail(&w->err, EXRQOI_ERR_NOT_FOUND, "no part %d", part);
    const exrqoi__part *p = &w->parts[part];
    const exrqoi_part_info *pi = &p->info;
    if (!p->deep)
        return exrqoi__fail(&w->err, EXRQOI_ERR_INVALID_ARGUMENT, "part %d is flat: use the region writer", part);
    const exrqoi__level *L = exrqoi__part_level(p, lx, ly);
    if (!L) return exrqoi__fail(&w->err, EXRQOI_ERR_NOT_FOUND, "part %d has no level (%d, %d)", part, lx, ly);
    if (!exrqoi__codec_deep_writable(pi->compression))
        return exrqoi__fail(&w->err, EXRQOI_ERR_UNSUPPORTED_COMPRESSION,
                            "part %d: deep data can be written with none, rle or zips, not %s", part,
                            exrqoi_compression_name(pi->compression));

    int32_t nch = pi->channel_count;
    size_t nc = nch > 0 ? (size_t)nch : 1;
    const void **src = (const void **)exrqoi__calloc(w->alloc, nc, sizeof *src);
    exrqoi_pixel_type *types = (exrqoi_pixel_type *)exrqoi__calloc(w->alloc, nc, sizeof *types);
    void *zeros = NULL;
    witem *items = NULL;
    size_t batch = 0;
    exrqoi_result rv = EXRQOI_OK;
    if (!src || !types) rv = exrqoi__fail(&w->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    if (!rv) rv = match_image(w, part, pi, L, img, src, &zeros);
    for (int32_t c = 0; c < nch && !rv; c++) types[c] = pi->channels[c].type;

    uint64_t first = pi->tiled ? L->first_chunk : 0;
    uint64_t total = pi->tiled ? (uint64_t)L->tiles_x * (uint64_t)L->tiles_y : pi->chunk_count;
    for (uint64_t i = 0; i < total && !rv; i++)
        if (p->offsets[first + i])
            rv = exrqoi__fail(&w->err, EXRQOI_ERR_BAD_STATE, "part %d: chunk %llu was already written", part,
                              (unsigned long long)(first + i));

    exrqoi_pool *pool = NULL;
    if (!rv) {
        pool = exrqoi__writer_pool(w);
        int width = exrqoi__pool_width(pool, w->threads);
        rv = exrqoi__writer_workers(w, width);
        batch = (size_t)width * 4;
        if (batch > total) batch = (size_t)total;
        if (!rv) {
            items = (witem *)exrqoi__calloc(w->alloc, batch ? batch : 1, sizeof *items);
            if (!items) rv = exrqoi__fail(&w->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
        }
    }
    bool decreasing = !pi->tiled && pi->line_order == EXRQOI_LINE_ORDER_DECREASING;
    /* argument errors above leave the writer usable; a failure from here
     * on may have emitted part of the level */
    bool started = !rv;
    for (uint64_t done = 0; !rv && done < total;) {
        size_t n = (size_t)(total - done < batch ? total - done : batch);
        for (size_t k = 0; k < n && !rv; k++) {
            uint64_t seq = decreasing ? total - 1 - (done + k) : done + k;
            witem *it = &items[k];
            it->index = first + seq;
            memset(&it->ci, 0, sizeof it->ci);
            rv = exrqoi__part_chunk_window(p, it->index, &it->ci.window, &it->ci.tile_x, &it->ci.tile_y,
                                           &it->ci.level_x, &it->ci.level_y);
        }
        if (rv) break;
        write_job j;
        memset(&j, 0, sizeof j);
        j.w = w;
        j.part = part;
        j.img = img;
        j.lwin = L->window;
        j.width = (size_t)img->width;
        base_layout(pi, nch, types, &j.base);
        j.src = src;
        j.items = items;
        exrqoi__job_status_init(&j.st);
        exrqoi__pool_for(pool, w->threads, n, encode_one, &j, &j.st.stop);
        rv = exrqoi__job_result(&j.st);
        if (rv) break;
        for (size_t k = 0; k < n && !rv; k++) {
            uint8_t leader[48];
            size_t ls = exrqoi__chunk_leader(w, part, &items[k].ci, leader);
            rv = exrqoi__writer_emit(w, part, items[k].index, leader, ls, items[k].payload, items[k].size,
                                     NULL, 0);
        }
        done += n;
        if (!rv && w->progress && w->progress(w->progress_user, w->chunks_done, w->chunks_total))
            rv = exrqoi__fail(&w->err, EXRQOI_ERR_ABORTED, "write aborted by the progress callback");
    }
    if (items)
        for (size_t k = 0; k < batch; k++) exrqoi__free(w->alloc, items[k].payload);
    exrqoi__free(w->alloc, items);
    exrqoi__free(w->alloc, zeros);
    exrqoi__free(w->alloc, (void *)src);
    exrqoi__free(w->alloc, types);
    if (rv && started) w->failed = true;
    return rv;
}
