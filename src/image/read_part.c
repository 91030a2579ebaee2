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

typedef struct read_job {
    exrqoi_reader *r;
    int part;
    const exrqoi__part *p;
    exrqoi_box2i region;
    const exrqoi__slot *slots;
    int nslots;
    uint64_t first_tx, first_ty, ntx; /* chunk grid of the region */
    const exrqoi__level *level;
    uint64_t first_chunk;
    exrqoi__worker *workers;
    int nworkers; /* slots in use: the call's memory is shared by them */
    exrqoi__job_status st;
} read_job;

/* Reads and decompresses chunk `index`; *block points at the unpacked bytes
 * (the worker's buffer, or the packed bytes themselves when stored raw
 * and zero-copy). */
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
        *block = packed; /* stored raw: no copy */
        return EXRQOI_OK;
    }
    /* worker state is written only when it changes: neighbouring workers'
     * state may share its cache lines */
    if (w->codec.err.msg[0] || w->codec.err.code) exrqoi__err_clear(&w->codec.err);
    exrqoi_result rv;
    exrqoi__segment seg[MAX_SEGMENTS];
    size_t nseg;
    if (direct && exrqoi__codec_has_segments(bl->compression) &&
        exrqoi__block_segments(bl, direct->region, direct->slots, direct->nslots, seg, MAX_SEGMENTS,
                               &nseg)) {
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

static void read_one(void *ctx, size_t item, int worker)
{
    read_job *j = (read_job *)ctx;
    uint64_t cx = j->first_tx + item % j->ntx;
    uint64_t cy = j->first_ty + item / j->ntx;
    uint64_t index = j->level ? j->first_chunk + cy * (uint64_t)j->level->tiles_x + cx : cy;
    exrqoi__chan_layout chans_local[64];
    exrqoi__chan_layout *chans = chans_local;
    int n = j->p->info.channel_count;
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
        direct_dst direct = {&j->region, j->slots, j->nslots};
        rv = decode_chunk(j->r, j->part, index, &j->workers[worker], j->nworkers, WORK_BLOCKS, chans,
                          &direct, &bl, &block, &err);
        if (rv == EXRQOI_OK) {
            if (block) exrqoi__block_to_slices(&bl, block, &j->region, j->slots, j->nslots);
            exrqoi_box2i win = {{bl.x, bl.y}, {bl.x + bl.width - 1, bl.y + bl.height - 1}};
            exrqoi__fill_slices(&win, &j->region, j->slots, j->nslots);
        }
    }
    if (chans != chans_local) exrqoi__free(j->r->alloc, chans);
    if (rv) exrqoi__job_fail(&j->st, &j->r->err, rv, err.msg);
}

static exrqoi_result match_slots(exrqoi_reader *r, const exrqoi__part *p, const exrqoi_slice *slices,
                                 int n, exrqoi__slot *slots)
{
    for (int s = 0; s < n; s++) {
        const exrqoi_slice *sl = &slices[s];
        if (!sl->name || (unsigned)sl->type > EXRQOI_PIXEL_FLOAT || !sl->base)
            return exrqoi__fail(&r->err, EXRQOI_ERR_INVALID_ARGUMENT, "slice %d is incomplete", s);
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

exrqoi_result exrqoi_reader_read_region(exrqoi_reader *r, int part, int lx, int ly,
                                        const exrqoi_box2i *region, const exrqoi_slice *slices,
                                        int slice_count)
{
    if (!r || (slice_count > 0 && !slices) || slice_count < 0) return EXRQOI_ERR_INVALID_ARGUMENT;
    const exrqoi__level *L;
    exrqoi_box2i reg;
    EXRQOI_TRY(exrqoi__region_check(r, part, lx, ly, region, false, &L, &reg));
    const exrqoi__part *p = &r->parts[part];
    if (slice_count == 0) return EXRQOI_OK;

    exrqoi__slot slots_local[16];
    exrqoi__slot *slots = slots_local;
    if (slice_count > 16) {
        slots = (exrqoi__slot *)exrqoi__calloc(r->alloc, (size_t)slice_count, sizeof *slots);
        if (!slots) return exrqoi__fail(&r->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    }
    exrqoi_result rv = match_slots(r, p, slices, slice_count, slots);
    if (rv != EXRQOI_OK) goto out;

    read_job j;
    memset(&j, 0, sizeof j);
    j.r = r;
    j.part = part;
    j.p = p;
    j.region = reg;
    j.slots = slots;
    j.nslots = slice_count;
    exrqoi__job_status_init(&j.st);
    uint64_t nty;
    if (p->info.tiled) {
        const exrqoi_tiledesc *t = &p->info.tiles;
        j.level = L;
        j.first_chunk = L->first_chunk;
        j.first_tx = (uint64_t)((int64_t)reg.min.x - L->window.min.x) / t->x_size;
        j.first_ty = (uint64_t)((int64_t)reg.min.y - L->window.min.y) / t->y_size;
        j.ntx = (uint64_t)((int64_t)reg.max.x - L->window.min.x) / t->x_size - j.first_tx + 1;
        nty = (uint64_t)((int64_t)reg.max.y - L->window.min.y) / t->y_size - j.first_ty + 1;
    } else {
        int32_t lpc = p->info.lines_per_chunk;
        j.first_tx = 0;
        j.ntx = 1;
        j.first_ty = (uint64_t)((int64_t)reg.min.y - p->info.data_window.min.y) / (uint64_t)lpc;
        nty = (uint64_t)((int64_t)reg.max.y - p->info.data_window.min.y) / (uint64_t)lpc - j.first_ty + 1;
    }
    uint64_t count = j.ntx * nty;

    /* one chunk: serve it from / store it in the cache */
    if (count == 1) {
        uint64_t index = j.level ? j.first_chunk + j.first_ty * (uint64_t)L->tiles_x + j.first_tx : j.first_ty;
        pthread_mutex_lock(&r->lock);
        if (!r->workers) {
            r->workers = exrqoi__workers_new(r->alloc, 1);
            r->nworkers = r->workers ? 1 : 0;
        }
        if (!r->workers) {
            pthread_mutex_unlock(&r->lock);
            rv = exrqoi__fail(&r->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
            goto out;
        }
        exrqoi__chan_layout chans_local[16];
        exrqoi__chan_layout *chans = chans_local;
        if (p->info.channel_count > 16) {
            chans = (exrqoi__chan_layout *)exrqoi__calloc(r->alloc, (size_t)p->info.channel_count,
                                                          sizeof *chans);
            if (!chans) {
                pthread_mutex_unlock(&r->lock);
                rv = exrqoi__fail(&r->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
                goto out;
            }
        }
        exrqoi__block_layout bl;
        exrqoi_chunk_info ci;
        if (r->cache.part == part && r->cache.index == index) {
            exrqoi_box2i win;
            rv = exrqoi__part_chunk_window(p, index, &win, NULL, NULL, NULL, NULL);
            if (rv == EXRQOI_OK) rv = exrqoi__block_layout_for(p, &win, chans, &bl);
            if (rv == EXRQOI_OK) {
                exrqoi__block_to_slices(&bl, r->cache.data, &reg, slots, slice_count);
                exrqoi__fill_slices(&win, &reg, slots, slice_count);
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
                exrqoi__block_to_slices(&bl, block, &reg, slots, slice_count);
                exrqoi_box2i win = {{bl.x, bl.y}, {bl.x + bl.width - 1, bl.y + bl.height - 1}};
                exrqoi__fill_slices(&win, &reg, slots, slice_count);
            }
        }
        (void)ci;
        if (chans != chans_local) exrqoi__free(r->alloc, chans);
        pthread_mutex_unlock(&r->lock);
        goto out;
    }

    exrqoi_pool *pool = exrqoi__reader_pool(r);
    int width = exrqoi__pool_width(pool, r->threads);
    exrqoi__lease lease;
    exrqoi__lease_acquire(r, width, &lease);
    j.workers = lease.workers;
    j.nworkers = width;
    if (!j.workers) {
        rv = exrqoi__fail(&r->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    } else {
        exrqoi__pool_for(pool, r->threads, (size_t)count, read_one, &j, &j.st.stop);
        rv = exrqoi__job_result(&j.st);
    }
    exrqoi__lease_release(r, &lease);
out:
    if (slots != slots_local) exrqoi__free(r->alloc, slots);
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
