/* Reading pixels: find the chunks a region needs, decode them on the
 * worker pool (each worker reads, decompresses and scatters its own
 * chunks), keep the last single decoded chunk for line-by-line callers. */
#include "block/lines.h"
#include "chunk/reader_impl.h"
#include "read/job.h"

#include <stdatomic.h>

/* Segment lists longer than this take the unpacked-buffer path (a DWAB
 * chunk of 256 lines with 8 channels needs 2048; the lists live on the
 * heap, so pool and caller threads alike need no stack for them). */
#define MAX_SEGMENTS 8192

/* What the flat read driver keeps per worker across a call's chunks.
 * Chunks of the full chunk shape (not clipped by the level's edge) of an
 * unsubsampled part share one block layout, and those lying inside the
 * region share a segment list up to each channel's offset, so neither is
 * worked out per chunk. Reset at the start of every call. */
struct exrqoi__flat_state {
    const exrqoi__part *lay_part; /* part whose full-shape layout `chans` holds; NULL = none */
    size_t lay_size;
    exrqoi__chan_layout *chans, *edge; /* full-shape layout; any other chunk's */
    size_t chans_cap, edge_cap;        /* bytes */
    const void *tmpl_req;              /* request the template was planned for; NULL = none */
    int32_t tx, ty;                    /* the template chunk's top-left pixel */
    size_t ntmpl;
    exrqoi__segment *tmpl, *seg;       /* the template; a chunk's own list */
    int16_t *chan_of;                  /* channel of each template segment, -1 = unwanted */
    size_t tmpl_size;                  /* unpacked bytes of the template chunk */
    bool tmpl_covers;                  /* the template's lengths sum to tmpl_size */
    bool seg_lens_tmpl;                /* `seg` holds the template's lengths */
    size_t tmpl_cap, seg_cap, chan_cap; /* bytes */
    ptrdiff_t ystride[64];             /* template channels' destination line strides */
};

static void flat_state_free(const exrqoi_allocator *a, struct exrqoi__flat_state *f)
{
    if (!f) return;
    exrqoi__free(a, f->chans);
    exrqoi__free(a, f->edge);
    exrqoi__free(a, f->tmpl);
    exrqoi__free(a, f->seg);
    exrqoi__free(a, f->chan_of);
    exrqoi__free(a, f);
}

/* Unpacked-block-sized buffers one worker may hold for a chunk: its
 * unpacked buffer (grown by doubling) and codec scratch (PIZ/DWA keep about
 * two blocks). The single-chunk path adds the cache copy. */
#define WORK_BLOCKS 4u

/* Where a chunk may be decoded straight to (see exrqoi__block_segments). */
typedef struct direct_dst {
    const exrqoi_box2i *region;
    const exrqoi__slot *slots;
    int nslots;
} direct_dst;

/* Rows ahead whose destination lines raw_to_slices asks the cache for:
 * tile rows land a slice's y_stride apart, a pattern the hardware
 * prefetchers do not follow (GoldenGate_none: 0.60 -> 0.47 ms). */
#define PF_ROWS 4

/* Copies a block in the unpacked layout (stored raw in the file, or a
 * decoded block) to the slices when no channel is subsampled and every
 * slot takes its channel's type with packed samples (x_stride = sample
 * size): one memcpy per line and channel, nothing worked out per line.
 * Returns false otherwise. */
static bool raw_to_slices(const exrqoi__block_layout *bl, const uint8_t *src, const direct_dst *d)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return false; /* file samples are little-endian: they need swapping */
#endif
    if (bl->nchan > 64) return false;
    uint8_t *base[64]; /* destination of the block's first wanted sample on its first line, or NULL */
    for (int c = 0; c < bl->nchan; c++) {
        if (bl->chans[c].x_sampling != 1 || bl->chans[c].y_sampling != 1) return false;
        base[c] = NULL;
    }
    const exrqoi_box2i *reg = d->region;
    int32_t x0 = bl->x, y0 = bl->y;
    int32_t rx0 = reg->min.x > x0 ? reg->min.x : x0;
    int32_t rx1 = reg->max.x < x0 + bl->width - 1 ? reg->max.x : x0 + bl->width - 1;
    int32_t ry0 = reg->min.y > y0 ? reg->min.y : y0;
    int32_t ry1 = reg->max.y < y0 + bl->height - 1 ? reg->max.y : y0 + bl->height - 1;
    if (rx0 > rx1 || ry0 > ry1) return true;
    ptrdiff_t ystride[64];
    for (int s = 0; s < d->nslots; s++) {
        int c = d->slots[s].chan;
        if (c < 0) continue;
        const exrqoi_slice *sl = d->slots[s].slice;
        if (c >= bl->nchan || base[c] || (int)sl->type != bl->chans[c].type ||
            sl->x_stride != (ptrdiff_t)bl->chans[c].size)
            return false;
        base[c] = (uint8_t *)sl->base + ((int64_t)rx0 - reg->min.x) * sl->x_stride +
                  ((int64_t)ry0 - reg->min.y) * sl->y_stride;
        ystride[c] = sl->y_stride;
    }
    size_t line = 0; /* bytes of one line of all channels */
    for (int c = 0; c < bl->nchan; c++) line += (size_t)bl->width * bl->chans[c].size;
    src += (size_t)(ry0 - y0) * line;
    int32_t rows = ry1 - ry0 + 1;
    for (int32_t j = 0; j < rows; j++) {
        const uint8_t *s = src;
        for (int c = 0; c < bl->nchan; c++) {
            size_t sz = bl->chans[c].size;
            if (base[c]) {
                size_t n = (size_t)(rx1 - rx0 + 1) * sz;
                uint8_t *dst = base[c] + (ptrdiff_t)j * ystride[c];
                if (j + PF_ROWS < rows) {
                    uint8_t *ahead = dst + (ptrdiff_t)PF_ROWS * ystride[c];
                    for (size_t k = 0; k < n; k += 64) __builtin_prefetch(ahead + k, 1);
                    __builtin_prefetch(ahead + n - 1, 1);
                }
                memcpy(dst, s + (size_t)(rx0 - x0) * sz, n);
            }
            s += (size_t)bl->width * sz;
        }
        src += line;
    }
    return true;
}

/* Reads and decompresses chunk `index` of block layout `bl`, whose packed
 * bytes (packed_size of them) start at file offset `off`; *block points
 * at the unpacked bytes (the worker's buffer, or the packed bytes
 * themselves when stored raw and zero-copy), or is NULL when the chunk
 * went straight to the slices of `direct`: stored raw, or decoded through
 * `seg` (NULL: not planned; `covered`: its lengths are known to sum to
 * the block's size). */
static exrqoi_result decode_chunk(exrqoi_reader *r, int part, uint64_t index, uint64_t packed_size,
                                  uint64_t off, exrqoi__worker *w, int nworkers, unsigned blocks,
                                  const exrqoi__block_layout *bl, const direct_dst *direct,
                                  const exrqoi__segment *seg, size_t nseg, bool covered, const uint8_t **block,
                                  exrqoi__err *err)
{
    if (bl->unpacked_size > r->limits.max_chunk_size)
        return exrqoi__fail(err, EXRQOI_ERR_LIMIT, "part %d chunk %llu unpacks to %llu bytes, over the limit",
                            part, (unsigned long long)index, (unsigned long long)bl->unpacked_size);
    /* evidence before allocation: the packed bytes must be able to hold the block */
    exrqoi__err why;
    why.on_message = NULL;
    why.msg[0] = 0;
    if (exrqoi__check_expansion(bl->compression, bl, packed_size, bl->unpacked_size, &why) != EXRQOI_OK)
        return exrqoi__fail(err, why.code, "part %d, chunk %llu at byte %llu: %s", part, (unsigned long long)index,
                            (unsigned long long)r->parts[part].offsets[index], why.msg);
    /* max_alloc_bytes bounds the whole call: every worker's share */
    uint64_t need = (r->src.mem ? 0 : packed_size) + (uint64_t)blocks * bl->unpacked_size;
    if (!exrqoi__budget_fits(&r->limits, nworkers, need))
        return exrqoi__fail(err, EXRQOI_ERR_LIMIT,
                            "part %d chunk %llu: reading it on %d thread(s) needs about %llu bytes, "
                            "over the max_alloc_bytes limit of %llu",
                            part, (unsigned long long)index, nworkers,
                            (unsigned long long)need * (uint64_t)(nworkers > 0 ? nworkers : 1),
                            (unsigned long long)r->limits.max_alloc_bytes);
    const uint8_t *packed;
    EXRQOI_TRY(exrqoi__worker_payload(r, w, off, packed_size, &packed, err));
    if (packed_size == bl->unpacked_size) {
        /* stored raw: no decompression, and straight to the slices when it can */
        *block = direct && raw_to_slices(bl, packed, direct) ? NULL : packed;
        return EXRQOI_OK;
    }
    /* worker state is written only when it changes: neighbouring workers'
     * state may share its cache lines */
    if (w->codec.err.msg[0] || w->codec.err.code) exrqoi__err_clear(&w->codec.err);
    exrqoi_result rv;
    if (seg) {
        /* straight into the caller's slices: no unpacked buffer, no copy */
        rv = covered ? exrqoi__decompress_block_covered(&w->codec, bl, packed, (size_t)packed_size, seg, nseg)
                     : exrqoi__decompress_block_segments(&w->codec, bl, packed, (size_t)packed_size, seg, nseg);
        *block = NULL;
    } else {
        uint8_t *ub = exrqoi__worker_buffer(r->alloc, w, false, bl->unpacked_size, 0);
        if (!ub) return exrqoi__fail(err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
        rv = exrqoi__decompress_block(&w->codec, bl, packed, (size_t)packed_size, ub);
        *block = ub;
    }
    if (rv != EXRQOI_OK)
        return exrqoi__fail(err, rv, "part %d, chunk %llu at byte %llu (%s): %s", part,
                            (unsigned long long)index, (unsigned long long)r->parts[part].offsets[index],
                            exrqoi_compression_name(bl->compression),
                            w->codec.err.msg[0] ? w->codec.err.msg : exrqoi_strerror(rv));
    return EXRQOI_OK;
}

/* One region request resolved: its part, region, slots and chunk grid,
 * and where its chunks start among all the call's chunks. */
typedef struct req_plan {
    int part;
    const exrqoi__part *p;
    exrqoi_box2i region;
    const exrqoi__slot *slots;
    int nslots;
    const exrqoi__level *level; /* tiled parts; NULL for scanline parts */
    uint64_t first_tx, first_ty, ntx; /* chunk grid of the region */
    uint64_t count;                   /* chunks */
    uint64_t first_item;
    bool plain;    /* no channel is subsampled */
    bool segments; /* chunks may be decoded straight into the slices */
    bool fill;     /* some slot has no channel */
} req_plan;

/* Chunk index of the k-th chunk of a request. */
static uint64_t plan_chunk(const req_plan *q, uint64_t k)
{
    uint64_t cx = q->first_tx + k % q->ntx;
    uint64_t cy = q->first_ty + k / q->ntx;
    return q->level ? q->level->first_chunk + cy * (uint64_t)q->level->tiles_x + cx : cy;
}

typedef struct read_job {
    exrqoi_reader *r;
    const req_plan *reqs;
    size_t nreqs;
    exrqoi__worker *workers;
    int nworkers; /* slots in use: the call's memory is shared by them */
    exrqoi__job_status st;
} read_job;

/* The block layout of a chunk covering `win`; `full`: the chunk has the
 * part's full chunk shape, so (unsubsampled) its layout is the cached one
 * moved to the chunk's position. */
static exrqoi_result chunk_layout(exrqoi_reader *r, struct exrqoi__flat_state *f, const req_plan *q,
                                  const exrqoi_box2i *win, bool full, exrqoi__block_layout *bl,
                                  exrqoi__err *err)
{
    const exrqoi__part *p = q->p;
    bool keep = full && q->plain;
    if (keep && f->lay_part == p) {
        bl->x = win->min.x;
        bl->y = win->min.y;
        bl->width = win->max.x - win->min.x + 1;
        bl->height = win->max.y - win->min.y + 1;
        bl->nchan = p->info.channel_count;
        bl->chans = f->chans;
        bl->unpacked_size = f->lay_size;
        bl->compression = p->info.compression;
        bl->tiled = (uint8_t)(p->info.tiled != 0);
        return EXRQOI_OK;
    }
    size_t bytes = (size_t)p->info.channel_count * sizeof(exrqoi__chan_layout);
    void *c = keep ? f->chans : f->edge;
    if (exrqoi__reserve(r->alloc, &c, keep ? &f->chans_cap : &f->edge_cap, bytes) != EXRQOI_OK)
        return exrqoi__fail(err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    if (keep) {
        f->chans = (exrqoi__chan_layout *)c;
        f->lay_part = NULL;
    } else {
        f->edge = (exrqoi__chan_layout *)c;
    }
    EXRQOI_TRY(exrqoi__block_layout_for(p, win, (exrqoi__chan_layout *)c, bl));
    if (keep) {
        f->lay_part = p;
        f->lay_size = bl->unpacked_size;
    }
    return EXRQOI_OK;
}

/* Room for n segments in *buf (bytes in *cap), and n channel marks when
 * chan_of is given. */
static bool seg_room(exrqoi_reader *r, exrqoi__segment **buf, size_t *cap, size_t n)
{
    void *b = *buf;
    if (exrqoi__reserve(r->alloc, &b, cap, n * sizeof(exrqoi__segment)) != EXRQOI_OK) return false;
    *buf = (exrqoi__segment *)b;
    return true;
}

/* The segment list taking chunk `bl` straight into the request's slices,
 * or NULL when it cannot (see exrqoi__block_segments). Full-shape chunks
 * lying inside the region reuse the worker's template: the same list
 * with each channel's destinations moved by the chunk's offset from the
 * template chunk. Its lengths are the template's, checked once: *covered
 * says so. */
static const exrqoi__segment *chunk_segments(exrqoi_reader *r, struct exrqoi__flat_state *f,
                                             const req_plan *q, const exrqoi__block_layout *bl, bool full,
                                             size_t *nseg, bool *covered)
{
    *covered = false;
    const exrqoi_box2i *reg = &q->region;
    int nchan = bl->nchan;
    if (nchan > 64) return NULL;
    bool inside = bl->x >= reg->min.x && bl->y >= reg->min.y &&
                  (int64_t)bl->x + bl->width - 1 <= reg->max.x && (int64_t)bl->y + bl->height - 1 <= reg->max.y;
    bool tmpl = full && inside && q->plain;
    if (tmpl && f->tmpl_req == (const void *)q) {
        ptrdiff_t off[64];
        ptrdiff_t dx = (ptrdiff_t)bl->x - f->tx, dy = (ptrdiff_t)bl->y - f->ty;
        for (int c = 0; c < nchan; c++) off[c] = dx * (ptrdiff_t)bl->chans[c].size + dy * f->ystride[c];
        const exrqoi__segment *t = f->tmpl;
        exrqoi__segment *o = f->seg;
        size_t n = f->ntmpl;
        /* only the destinations move from chunk to chunk */
        if (!f->seg_lens_tmpl)
            for (size_t i = 0; i < n; i++) o[i].len = t[i].len;
        f->seg_lens_tmpl = true;
        for (size_t i = 0; i < n; i++) {
            int c = f->chan_of[i];
            o[i].dst = c >= 0 ? t[i].dst + off[c] : NULL;
        }
        *nseg = n;
        *covered = f->tmpl_covers && bl->unpacked_size == f->tmpl_size;
        return o;
    }
    f->seg_lens_tmpl = false;
    /* a line of a channel takes at most 3 segments */
    size_t want = (size_t)bl->height * (size_t)nchan * 3 + 1;
    if (want > MAX_SEGMENTS) want = MAX_SEGMENTS;
    if (!seg_room(r, &f->seg, &f->seg_cap, want)) return NULL;
    if (!tmpl) return exrqoi__block_segments(bl, reg, q->slots, q->nslots, f->seg, want, nseg) ? f->seg : NULL;
    f->tmpl_req = NULL;
    void *co = f->chan_of;
    if (!seg_room(r, &f->tmpl, &f->tmpl_cap, want) ||
        exrqoi__reserve(r->alloc, &co, &f->chan_cap, want * sizeof(int16_t)) != EXRQOI_OK)
        return NULL;
    f->chan_of = (int16_t *)co;
    if (!exrqoi__block_segments_chans(bl, reg, q->slots, q->nslots, f->tmpl, f->chan_of, want, &f->ntmpl))
        return NULL;
    for (int c = 0; c < nchan; c++) f->ystride[c] = 0;
    for (int s = 0; s < q->nslots; s++)
        if (q->slots[s].chan >= 0) f->ystride[q->slots[s].chan] = q->slots[s].slice->y_stride;
    f->tmpl_req = q;
    f->tx = bl->x;
    f->ty = bl->y;
    f->tmpl_size = bl->unpacked_size;
    f->tmpl_covers = exrqoi__segments_cover(f->tmpl, f->ntmpl, bl->unpacked_size);
    *nseg = f->ntmpl;
    *covered = f->tmpl_covers;
    return f->tmpl;
}

/* Reads the k-th chunk of request q into its slices on worker w. */
static exrqoi_result read_planned(exrqoi_reader *r, const req_plan *q, uint64_t k, exrqoi__worker *w,
                                  int nworkers, exrqoi__err *err)
{
    struct exrqoi__flat_state *f = w->flat;
    if (!f) {
        f = (struct exrqoi__flat_state *)exrqoi__calloc(r->alloc, 1, sizeof *f);
        if (!f) return exrqoi__fail(err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
        w->flat = f;
        w->flat_free = flat_state_free;
    }
    const exrqoi__part *p = q->p;
    uint64_t cx = q->first_tx, cy = q->first_ty + k;
    if (q->ntx > 1) {
        cx += k % q->ntx;
        cy = q->first_ty + k / q->ntx;
    }
    /* the chunk's window and leader coordinates, from the plan's grid */
    exrqoi_box2i win;
    int32_t want[4] = {0, 0, 0, 0};
    uint64_t index;
    bool full = true;
    if (q->level) {
        const exrqoi__level *L = q->level;
        const exrqoi_tiledesc *t = &p->info.tiles;
        int64_t x0 = (int64_t)L->window.min.x + (int64_t)cx * t->x_size;
        int64_t y0 = (int64_t)L->window.min.y + (int64_t)cy * t->y_size;
        int64_t x1 = x0 + t->x_size - 1, y1 = y0 + t->y_size - 1;
        if (x1 > L->window.max.x) {
            x1 = L->window.max.x;
            full = false;
        }
        if (y1 > L->window.max.y) {
            y1 = L->window.max.y;
            full = false;
        }
        win.min.x = (int32_t)x0;
        win.min.y = (int32_t)y0;
        win.max.x = (int32_t)x1;
        win.max.y = (int32_t)y1;
        want[0] = (int32_t)cx;
        want[1] = (int32_t)cy;
        want[2] = L->lx;
        want[3] = L->ly;
        index = L->first_chunk + cy * (uint64_t)L->tiles_x + cx;
    } else {
        const exrqoi_box2i *dw = &p->info.data_window;
        int64_t y0 = (int64_t)dw->min.y + (int64_t)cy * p->info.lines_per_chunk;
        int64_t y1 = y0 + p->info.lines_per_chunk - 1;
        if (y1 > dw->max.y) {
            y1 = dw->max.y;
            full = false;
        }
        win.min.x = dw->min.x;
        win.max.x = dw->max.x;
        win.min.y = (int32_t)y0;
        win.max.y = (int32_t)y1;
        want[0] = (int32_t)y0;
        index = cy;
    }
    uint64_t packed_size, off;
    EXRQOI_TRY(exrqoi__read_chunk_leader_quick(r, q->part, index, want, &packed_size, &off, err));
    exrqoi__block_layout bl;
    EXRQOI_TRY(chunk_layout(r, f, q, &win, full, &bl, err));
    const exrqoi__segment *seg = NULL;
    size_t nseg = 0;
    bool covered = false;
    if (q->segments && packed_size != bl.unpacked_size) seg = chunk_segments(r, f, q, &bl, full, &nseg, &covered);
    direct_dst direct = {&q->region, q->slots, q->nslots};
    const uint8_t *block;
    EXRQOI_TRY(decode_chunk(r, q->part, index, packed_size, off, w, nworkers, WORK_BLOCKS, &bl, &direct, seg,
                            nseg, covered, &block, err));
    /* a decoded block has the stored-raw layout: the prefetching copy
     * scatters it too (GoldenGate_b44a 2 threads: 1.33 -> 1.06 ms) */
    if (block && !raw_to_slices(&bl, block, &direct))
        exrqoi__block_to_slices(&bl, block, &q->region, q->slots, q->nslots);
    if (q->fill) exrqoi__fill_slices(&win, &q->region, q->slots, q->nslots);
    return EXRQOI_OK;
}

static void read_one(void *ctx, size_t item, int worker)
{
    read_job *j = (read_job *)ctx;
    /* the request holding this item: the last one starting at or before it */
    size_t lo = 0, hi = j->nreqs - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        if (j->reqs[mid].first_item <= item)
            lo = mid;
        else
            hi = mid - 1;
    }
    const req_plan *q = &j->reqs[lo];
    exrqoi__err err;
    /* the 512-byte message needs no clearing per chunk */
    err.code = EXRQOI_OK;
    err.on_message = NULL;
    err.user = NULL;
    err.msg[0] = 0;
    exrqoi_result rv = read_planned(j->r, q, (uint64_t)item - q->first_item, &j->workers[worker], j->nworkers,
                                    &err);
    if (rv) exrqoi__job_fail(&j->st, &j->r->err, rv, err.msg);
}

static exrqoi_result match_slots(const exrqoi__part *p, const exrqoi_slice *slices, int n,
                                 exrqoi__slot *slots, exrqoi__err *err)
{
    for (int s = 0; s < n; s++) {
        const exrqoi_slice *sl = &slices[s];
        if (!sl->name || (unsigned)sl->type > EXRQOI_PIXEL_FLOAT || !sl->base)
            return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT, "slice %d is incomplete", s);
    }
    exrqoi__match_slices(&p->info, slices, n, slots);
    return EXRQOI_OK;
}

/* Checks a request and works out its chunk grid; `slots` has room for its
 * slices. Failures are recorded in `err`. */
static exrqoi_result plan_request(exrqoi_reader *r, const exrqoi_region_request *rq, exrqoi__slot *slots,
                                  req_plan *q, exrqoi__err *err)
{
    if (rq->slice_count < 0 || (rq->slice_count > 0 && !rq->slices))
        return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT, "%d slices at %p", rq->slice_count,
                            (const void *)rq->slices);
    const exrqoi__level *L;
    exrqoi_box2i reg;
    EXRQOI_TRY(exrqoi__region_check_err(r, err, rq->part, rq->lx, rq->ly, rq->region, false, &L, &reg));
    const exrqoi__part *p = &r->parts[rq->part];
    memset(q, 0, sizeof *q);
    q->part = rq->part;
    q->p = p;
    q->region = reg;
    q->slots = slots;
    q->nslots = rq->slice_count;
    if (rq->slice_count == 0) return EXRQOI_OK; /* nothing to read: count 0 */
    EXRQOI_TRY(match_slots(p, rq->slices, rq->slice_count, slots, err));
    q->plain = true;
    for (int32_t c = 0; c < p->info.channel_count; c++)
        if (p->info.channels[c].x_sampling != 1 || p->info.channels[c].y_sampling != 1) q->plain = false;
    for (int s = 0; s < rq->slice_count; s++)
        if (slots[s].chan < 0) q->fill = true;
    q->segments = exrqoi__codec_segments_pay(p->info.compression, p->info.tiled);
    if (p->info.tiled) q->level = L;
    exrqoi__chunk_grid g;
    exrqoi__chunk_grid_of(p, L, &reg, &g);
    q->first_tx = g.first_tx;
    q->first_ty = g.first_ty;
    q->ntx = g.ntx;
    q->count = g.ntx * g.nty;
    return EXRQOI_OK;
}

/* A read of a single chunk: served from / stored in the reader's cache,
 * so line-by-line reads decode each chunk once. */
static exrqoi_result read_cached(exrqoi_reader *r, const req_plan *q)
{
    const exrqoi__part *p = q->p;
    int part = q->part;
    uint64_t index = plan_chunk(q, 0);
    exrqoi_result rv = EXRQOI_OK;
    pthread_mutex_lock(&r->lock);
    if (!r->workers) {
        r->workers = exrqoi__workers_new(r->alloc, 1);
        r->nworkers = r->workers ? 1 : 0;
    }
    exrqoi__chan_layout chans_local[16];
    exrqoi__chan_layout *chans = chans_local;
    if (r->workers && p->info.channel_count > 16)
        chans = (exrqoi__chan_layout *)exrqoi__calloc(r->alloc, (size_t)p->info.channel_count, sizeof *chans);
    if (!r->workers || !chans) {
        pthread_mutex_unlock(&r->lock);
        return exrqoi__fail(&r->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    }
    exrqoi__block_layout bl;
    exrqoi__pool_lease *lent = NULL;
    if (r->cache.part == part && r->cache.index == index) {
        exrqoi_box2i win;
        rv = exrqoi__part_chunk_window(p, index, &win, NULL, NULL, NULL, NULL);
        if (rv == EXRQOI_OK) rv = exrqoi__block_layout_for(p, &win, chans, &bl);
        if (rv == EXRQOI_OK) {
            exrqoi__block_to_slices(&bl, r->cache.data, &q->region, q->slots, q->nslots);
            exrqoi__fill_slices(&win, &q->region, q->slots, q->nslots);
        }
    } else {
        const uint8_t *block = NULL;
        r->cache.index = UINT64_MAX;
        exrqoi_chunk_info ci;
        uint64_t off;
        rv = exrqoi__read_chunk_leader(r, part, index, &ci, &off, &r->err);
        if (rv == EXRQOI_OK) rv = exrqoi__block_layout_for(p, &ci.window, chans, &bl);
        /* the decoded block may be the pool's: the cache keeps a copy in its own memory */
        if (rv == EXRQOI_OK) lent = exrqoi__reader_lend(r, r->workers, 1);
        if (rv == EXRQOI_OK)
            rv = decode_chunk(r, part, index, ci.packed_size, off, &r->workers[0], 1, WORK_BLOCKS + 1, &bl, NULL,
                              NULL, 0, false, &block, &r->err);
        if (rv == EXRQOI_OK) {
            void *cd = r->cache.data;
            if (exrqoi__reserve(r->alloc, &cd, &r->cache.cap, bl.unpacked_size) == EXRQOI_OK) {
                r->cache.data = (uint8_t *)cd;
                memcpy(r->cache.data, block, bl.unpacked_size);
                r->cache.size = bl.unpacked_size;
                r->cache.part = part;
                r->cache.index = index;
            }
            exrqoi__block_to_slices(&bl, block, &q->region, q->slots, q->nslots);
            exrqoi_box2i win = {{bl.x, bl.y}, {bl.x + bl.width - 1, bl.y + bl.height - 1}};
            exrqoi__fill_slices(&win, &q->region, q->slots, q->nslots);
        }
    }
    exrqoi__reader_unlend(r, r->workers, 1, lent);
    if (chans != chans_local) exrqoi__free(r->alloc, chans);
    pthread_mutex_unlock(&r->lock);
    return rv;
}

/* Below this much estimated single-thread work (in nanoseconds) a call
 * runs on the calling thread alone: waking a worker and joining it costs
 * about 10-20 us, more than it would save. */
#define SMALL_CALL_NS 30000u

/* Estimated single-thread decode time of a request in ns, saturating at
 * SMALL_CALL_NS (only the comparison with it matters). */
static uint64_t plan_cost_ns(const req_plan *q)
{
    uint64_t w = (uint64_t)((int64_t)q->region.max.x - q->region.min.x + 1);
    uint64_t h = (uint64_t)((int64_t)q->region.max.y - q->region.min.y + 1);
    uint64_t bpp = 0;
    for (int32_t c = 0; c < q->p->info.channel_count && bpp < SMALL_CALL_NS; c++)
        bpp += (uint64_t)exrqoi_pixel_type_size(q->p->info.channels[c].type);
    if (w >= SMALL_CALL_NS || h >= SMALL_CALL_NS || bpp >= SMALL_CALL_NS) return SMALL_CALL_NS;
    uint64_t ns = w * h * bpp * 1000u / exrqoi__codec_speed(q->p->info.compression);
    return ns < SMALL_CALL_NS ? ns : SMALL_CALL_NS;
}

/* Workers whose working sets (WORK_BLOCKS unpacked blocks of the largest
 * full chunk of the call, and its packed bytes) fit max_alloc_bytes
 * together: a call on huge chunks uses fewer threads rather than failing. */
static int workers_that_fit(const exrqoi_reader *r, const req_plan *reqs, size_t nreqs, int width)
{
    uint64_t chunk = 0;
    for (size_t i = 0; i < nreqs; i++) {
        const exrqoi_part_info *pi = &reqs[i].p->info;
        uint64_t bpp = 0;
        for (int32_t c = 0; c < pi->channel_count; c++)
            bpp += (uint64_t)exrqoi_pixel_type_size(pi->channels[c].type);
        uint64_t w = pi->tiled ? (uint64_t)pi->tiles.x_size
                               : (uint64_t)((int64_t)pi->data_window.max.x - pi->data_window.min.x + 1);
        uint64_t h = pi->tiled ? (uint64_t)pi->tiles.y_size : (uint64_t)pi->lines_per_chunk;
        uint64_t n;
        if (exrqoi__mul_u64(w, h, &n) || exrqoi__mul_u64(n, bpp, &n) || n > r->limits.max_chunk_size)
            n = r->limits.max_chunk_size; /* larger chunks fail on their own */
        if (n > chunk) chunk = n;
    }
    uint64_t per = chunk * (WORK_BLOCKS + 1);
    if (per == 0) return width;
    uint64_t fit = exrqoi__budget_count(&r->limits, per);
    if (fit < 1) fit = 1;
    return (uint64_t)width > fit ? (int)fit : width;
}

/* Decodes the chunks of the planned requests (those with count > 0, their
 * first_item set) as one parallel loop. */
static exrqoi_result run_plans(exrqoi_reader *r, const req_plan *reqs, size_t nreqs, uint64_t total,
                               uint64_t cost_ns)
{
    if (total == 0) return EXRQOI_OK;
    if (total == 1) return read_cached(r, &reqs[0]);
    read_job j;
    memset(&j, 0, sizeof j);
    j.r = r;
    j.reqs = reqs;
    j.nreqs = nreqs;
    exrqoi__job_status_init(&j.st);
    exrqoi_pool *pool = cost_ns < SMALL_CALL_NS ? NULL : exrqoi__reader_pool(r);
    int width = exrqoi__pool_width(pool, r->threads);
    if ((uint64_t)width > total) width = (int)total;
    width = workers_that_fit(r, reqs, nreqs, width);
    exrqoi__lease lease;
    exrqoi__lease_acquire(r, width, &lease);
    j.workers = lease.workers;
    j.nworkers = width;
    /* templates are planned for this call's requests */
    for (int i = 0; j.workers && i < width; i++) {
        if (j.workers[i].flat) {
            j.workers[i].flat->tmpl_req = NULL;
            j.workers[i].flat->lay_part = NULL;
        }
    }
    exrqoi_result rv;
    if (!j.workers) {
        rv = exrqoi__fail(&r->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    } else {
        exrqoi__pool_for(pool, width, (size_t)total, read_one, &j, &j.st.stop);
        rv = exrqoi__job_result(&j.st);
    }
    exrqoi__lease_release(r, &lease);
    return rv;
}

exrqoi_result exrqoi_reader_read_region(exrqoi_reader *r, int part, int lx, int ly,
                                        const exrqoi_box2i *region, const exrqoi_slice *slices,
                                        int slice_count)
{
    if (!r || (slice_count > 0 && !slices) || slice_count < 0) return EXRQOI_ERR_INVALID_ARGUMENT;
    exrqoi_region_request rq = {part, lx, ly, region, slices, slice_count};
    exrqoi__slot slots_local[16];
    exrqoi__slot *slots = slots_local;
    if (slice_count > 16) {
        slots = (exrqoi__slot *)exrqoi__calloc(r->alloc, (size_t)slice_count, sizeof *slots);
        if (!slots) return exrqoi__fail(&r->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    }
    req_plan q;
    exrqoi_result rv = plan_request(r, &rq, slots, &q, &r->err);
    if (rv == EXRQOI_OK && q.count) rv = run_plans(r, &q, 1, q.count, plan_cost_ns(&q));
    if (slots != slots_local) exrqoi__free(r->alloc, slots);
    return rv;
}

exrqoi_result exrqoi_reader_read_regions(exrqoi_reader *r, const exrqoi_region_request *requests,
                                         size_t count)
{
    if (!r || (count > 0 && !requests)) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (count == 0) return EXRQOI_OK;
    size_t nslots = 0;
    for (size_t i = 0; i < count; i++) {
        if (requests[i].slice_count < 0 ||
            exrqoi__add_size(nslots, (size_t)requests[i].slice_count, &nslots))
            return exrqoi__fail(&r->err, EXRQOI_ERR_INVALID_ARGUMENT, "request %zu: %d slices", i,
                                requests[i].slice_count);
    }
    size_t plan_bytes_total, slot_bytes;
    if (exrqoi__mul_size(count, sizeof(req_plan), &plan_bytes_total) ||
        exrqoi__mul_size(nslots ? nslots : 1, sizeof(exrqoi__slot), &slot_bytes))
        return exrqoi__fail(&r->err, EXRQOI_ERR_LIMIT, "%zu requests are too many", count);
    req_plan *plans = (req_plan *)exrqoi__alloc(r->alloc, plan_bytes_total);
    exrqoi__slot *slots = (exrqoi__slot *)exrqoi__alloc(r->alloc, slot_bytes);
    exrqoi_result rv = EXRQOI_OK;
    if (!plans || !slots) rv = exrqoi__fail(&r->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    /* every request is checked before any chunk is read */
    size_t used = 0, at = 0;
    uint64_t total = 0, cost_ns = 0;
    for (size_t i = 0; i < count && rv == EXRQOI_OK; i++) {
        exrqoi__err e;
        memset(&e, 0, sizeof e);
        req_plan *q = &plans[used];
        rv = plan_request(r, &requests[i], slots + at, q, &e);
        if (rv != EXRQOI_OK) {
            exrqoi__fail(&r->err, rv, "request %zu: %s", i, e.msg);
            break;
        }
        at += (size_t)requests[i].slice_count;
        if (q->count == 0) continue;
        q->first_item = total;
        if (exrqoi__add_u64(total, q->count, &total) || total > SIZE_MAX) {
            rv = exrqoi__fail(&r->err, EXRQOI_ERR_LIMIT, "request %zu: too many chunks", i);
            break;
        }
        if (cost_ns < SMALL_CALL_NS) cost_ns += plan_cost_ns(q);
        used++;
    }
    if (rv == EXRQOI_OK) rv = run_plans(r, plans, used, total, cost_ns);
    exrqoi__free(r->alloc, plans);
    exrqoi__free(r->alloc, slots);
    return rv;
}

exrqoi_result exrqoi_reader_read_scanlines(exrqoi_reader *r, int part, int32_t y_min, int32_t y_max,
                                           const exrqoi_slice *slices, int slice_count)
{
    if (!r) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (part < 0 || part >= r->nparts) return EXRQOI_ERR_NOT_FOUND;
    exrqoi_box2i reg = r->parts[part].info.data_window;
    reg.min.y = y_min;
    reg.max.y = y_max;
    return exrqoi_reader_read_region(r, part, 0, 0, &reg, slices, slice_count);
}
