/* Reading pixels: find the chunks a region needs, decode them on the
 * worker pool (each worker reads, decompresses and scatters its own
 * chunks), keep the last single decoded chunk for line-by-line callers. */
#include "block/lines.h"
#include "chunk/reader.h"
#include "image/job.h"

#include <stdatomic.h>

exrqoi__worker *exrqoi__workers_new(const exrqoi_allocator *a, int n)
{
    exrqoi__worker *w = (exrqoi__worker *)exrqoi__calloc(a, (size_t)n, sizeof *w);
    if (!w) return NULL;
    for (int i = 0; i < n; i++) exrqoi__codec_ctx_init(&w[i].codec, a);
    return w;
}

void exrqoi__workers_free(const exrqoi_allocator *a, exrqoi__worker *w, int n)
{
    if (!w) return;
    for (int i = 0; i < n; i++) {
        exrqoi__codec_ctx_free(&w[i].codec);
        exrqoi__free(a, w[i].packed);
        exrqoi__free(a, w[i].unpacked);
    }
    exrqoi__free(a, w);
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

/* Segments kept on the stack: a 64-line tile of 8 channels needs 512 at
 * most; chunks needing more take the unpacked-buffer path. */
#define MAX_SEGMENTS 512

/* Rows ahead whose destination lines raw_to_slices asks the cache for:
 * tile rows land a slice's y_stride apart, a pattern the hardware
 * prefetchers do not follow (GoldenGate_none: 0.60 -> 0.47 ms). */
#define PF_ROWS 4

/* Copies a stored-raw block straight from the file's bytes to the slices
 * when no channel is subsampled and every slot takes its channel's type
 * with packed samples (x_stride = sample size): one memcpy per line and
 * channel, nothing worked out per line. Returns false otherwise. */
static bool raw_to_slices(const exrqoi__block_layout *bl, const uint8_t *src, const direct_dst *d)
{
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

/* Reads and decompresses chunk `index`; *block points at the unpacked bytes
 * (the worker's buffer, or the packed bytes themselves when stored raw
 * and zero-copy), or is NULL when the chunk went straight to the slices
 * of `direct`. */
static exrqoi_result decode_chunk(exrqoi_reader *r, int part, uint64_t index, exrqoi__worker *w,
                                  int nworkers, unsigned blocks, exrqoi__chan_layout *chans,
                                  const direct_dst *direct, exrqoi__block_layout *bl,
                                  const uint8_t **block, exrqoi__err *err)
{
    const exrqoi__part *p = &r->parts[part];
    exrqoi_chunk_info ci;
    uint64_t off;
    EXRQOI_TRY(exrqoi__read_chunk_leader(r, part, index, &ci, &off, err));
    EXRQOI_TRY(exrqoi__block_layout_for(p, &ci.window, chans, bl));
    if (ci.unpacked_size > r->limits.max_chunk_size)
        return exrqoi__fail(err, EXRQOI_ERR_LIMIT, "part %d chunk %llu unpacks to %llu bytes, over the limit",
                            part, (unsigned long long)index, (unsigned long long)ci.unpacked_size);
    /* max_alloc_bytes bounds the whole call: every worker's share */
    uint64_t need = (r->src.mem ? 0 : ci.packed_size) + (uint64_t)blocks * bl->unpacked_size;
    if (need > r->limits.max_alloc_bytes / (uint64_t)(nworkers > 0 ? nworkers : 1))
        return exrqoi__fail(err, EXRQOI_ERR_LIMIT,
                            "part %d chunk %llu: reading it on %d thread(s) needs about %llu bytes, "
                            "over the max_alloc_bytes limit of %llu",
                            part, (unsigned long long)index, nworkers,
                            (unsigned long long)need * (uint64_t)(nworkers > 0 ? nworkers : 1),
                            (unsigned long long)r->limits.max_alloc_bytes);
    const uint8_t *packed;
    if (r->src.mem) {
        packed = r->src.mem + off; /* bounds checked by the leader parser */
    } else {
        void *pb = w->packed;
        if (exrqoi__reserve(r->alloc, &pb, &w->packed_cap, (size_t)ci.packed_size) != EXRQOI_OK)
            return exrqoi__fail(err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
        w->packed = (uint8_t *)pb;
        EXRQOI_TRY(exrqoi__source_read(&r->src, off, w->packed, (size_t)ci.packed_size, err));
        packed = w->packed;
    }
    if (ci.packed_size == bl->unpacked_size) {
        /* stored raw: no decompression, and straight to the slices when it can */
        *block = direct && raw_to_slices(bl, packed, direct) ? NULL : packed;
        return EXRQOI_OK;
    }
    exrqoi__segment seg[MAX_SEGMENTS];
    size_t nseg;
    bool segs = direct && exrqoi__codec_has_segments(bl->compression) &&
                exrqoi__block_segments(bl, direct->region, direct->slots, direct->nslots, seg, MAX_SEGMENTS,
                                       &nseg);
    /* worker state is written only when it changes: neighbouring workers'
     * state may share its cache lines */
    if (w->codec.err.msg[0] || w->codec.err.code) exrqoi__err_clear(&w->codec.err);
    exrqoi_result rv;
    if (segs) {
        /* straight into the caller's slices: no unpacked buffer, no copy */
        rv = exrqoi__decompress_block_segments(&w->codec, bl, packed, (size_t)ci.packed_size, seg, nseg);
        *block = NULL;
    } else {
        if (w->unpacked_cap < bl->unpacked_size) {
            void *ub = w->unpacked;
            if (exrqoi__reserve(r->alloc, &ub, &w->unpacked_cap, bl->unpacked_size) != EXRQOI_OK)
                return exrqoi__fail(err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
            w->unpacked = (uint8_t *)ub;
        }
        rv = exrqoi__decompress_block(&w->codec, bl, packed, (size_t)ci.packed_size, w->unpacked);
        *block = w->unpacked;
    }
    if (rv != EXRQOI_OK)
        return exrqoi__fail(err, rv, "part %d, chunk %llu at byte %llu (%s): %s", part,
                            (unsigned long long)index, (unsigned long long)ci.file_offset,
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
    uint64_t index = plan_chunk(q, (uint64_t)item - q->first_item);
    exrqoi__chan_layout chans_local[64];
    exrqoi__chan_layout *chans = chans_local;
    int n = q->p->info.channel_count;
    exrqoi__err err;
    /* the 512-byte message needs no clearing per chunk */
    err.code = EXRQOI_OK;
    err.on_message = NULL;
    err.user = NULL;
    err.msg[0] = 0;
    exrqoi_result rv = EXRQOI_OK;
    if (n > 64) {
        chans = (exrqoi__chan_layout *)exrqoi__calloc(j->r->alloc, (size_t)n, sizeof *chans);
        if (!chans) rv = exrqoi__fail(&err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    }
    if (rv == EXRQOI_OK) {
        exrqoi__block_layout bl;
        const uint8_t *block;
        direct_dst direct = {&q->region, q->slots, q->nslots};
        rv = decode_chunk(j->r, q->part, index, &j->workers[worker], j->nworkers, WORK_BLOCKS, chans,
                          &direct, &bl, &block, &err);
        if (rv == EXRQOI_OK) {
            if (block) exrqoi__block_to_slices(&bl, block, &q->region, q->slots, q->nslots);
            exrqoi_box2i win = {{bl.x, bl.y}, {bl.x + bl.width - 1, bl.y + bl.height - 1}};
            exrqoi__fill_slices(&win, &q->region, q->slots, q->nslots);
        }
    }
    if (chans != chans_local) exrqoi__free(j->r->alloc, chans);
    if (rv) exrqoi__job_fail(&j->st, &j->r->err, rv, err.msg);
}

static exrqoi_result match_slots(const exrqoi__part *p, const exrqoi_slice *slices, int n,
                                 exrqoi__slot *slots, exrqoi__err *err)
{
    for (int s = 0; s < n; s++) {
        const exrqoi_slice *sl = &slices[s];
        if (!sl->name || (unsigned)sl->type > EXRQOI_PIXEL_FLOAT || !sl->base)
            return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT, "slice %d is incomplete", s);
        slots[s].slice = sl;
        slots[s].chan = -1;
        slots[s].xs = slots[s].ys = 1;
        for (int32_t c = 0; c < p->info.channel_count; c++) {
            if (strcmp(p->info.channels[c].name, sl->name) == 0) {
                slots[s].chan = c;
                slots[s].xs = p->info.channels[c].x_sampling;
                slots[s].ys = p->info.channels[c].y_sampling;
                break;
            }
        }
    }
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
    uint64_t nty;
    if (p->info.tiled) {
        const exrqoi_tiledesc *t = &p->info.tiles;
        q->level = L;
        q->first_tx = (uint64_t)((int64_t)reg.min.x - L->window.min.x) / t->x_size;
        q->first_ty = (uint64_t)((int64_t)reg.min.y - L->window.min.y) / t->y_size;
        q->ntx = (uint64_t)((int64_t)reg.max.x - L->window.min.x) / t->x_size - q->first_tx + 1;
        nty = (uint64_t)((int64_t)reg.max.y - L->window.min.y) / t->y_size - q->first_ty + 1;
    } else {
        uint64_t lpc = (uint64_t)p->info.lines_per_chunk;
        q->ntx = 1;
        q->first_ty = (uint64_t)((int64_t)reg.min.y - p->info.data_window.min.y) / lpc;
        nty = (uint64_t)((int64_t)reg.max.y - p->info.data_window.min.y) / lpc - q->first_ty + 1;
    }
    q->count = q->ntx * nty;
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
    if (r->cache.part == part && r->cache.index == index) {
        exrqoi_box2i win;
        rv = exrqoi__part_chunk_window(p, index, &win, NULL, NULL, NULL, NULL);
        if (rv == EXRQOI_OK) rv = exrqoi__block_layout_for(p, &win, chans, &bl);
        if (rv == EXRQOI_OK) {
            exrqoi__block_to_slices(&bl, r->cache.data, &q->region, q->slots, q->nslots);
            exrqoi__fill_slices(&win, &q->region, q->slots, q->nslots);
        }
    } else {
        const uint8_t *block;
        r->cache.index = UINT64_MAX;
        rv = decode_chunk(r, part, index, &r->workers[0], 1, WORK_BLOCKS + 1, chans, NULL, &bl, &block,
                          &r->err);
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
    if (chans != chans_local) exrqoi__free(r->alloc, chans);
    pthread_mutex_unlock(&r->lock);
    return rv;
}

/* Below this much estimated single-thread work (in nanoseconds) a call
 * runs on the calling thread alone: waking a worker and joining it costs
 * about 10-20 us, more than it would save. */
#define SMALL_CALL_NS 30000u

/* Rough single-thread decode speed of a codec, unpacked bytes per
 * microsecond (docs/benchmarks.md); only used for the small-call rule. */
static uint64_t codec_speed(exrqoi_compression c)
{
    switch (c) {
    case EXRQOI_COMPRESSION_NONE: return 8000;
    case EXRQOI_COMPRESSION_B44:
    case EXRQOI_COMPRESSION_B44A: return 3000;
    case EXRQOI_COMPRESSION_RLE:
    case EXRQOI_COMPRESSION_PXR24: return 1500;
    case EXRQOI_COMPRESSION_ZIPS:
    case EXRQOI_COMPRESSION_ZIP: return 1000;
    case EXRQOI_COMPRESSION_PIZ: return 700;
    default: return 250; /* DWAA, DWAB */
    }
}

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
    uint64_t ns = w * h * bpp * 1000u / codec_speed(q->p->info.compression);
    return ns < SMALL_CALL_NS ? ns : SMALL_CALL_NS;
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
    exrqoi__lease lease;
    exrqoi__lease_acquire(r, width, &lease);
    j.workers = lease.workers;
    j.nworkers = width;
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
