/* Writing flat pixels: gather each chunk of a region from the slices and
 * compress it on the worker pool, a batch at a time; then emit the batch
 * in file order on the caller's thread. */
#include "block/lines.h"
#include "write/writer.h"
#include "thread/job_status.h"

#include <stdatomic.h>

typedef struct item {
    uint64_t index;
    exrqoi_chunk_info ci;
    uint8_t *unpacked;
    size_t unpacked_cap;
    uint8_t *packed;
    size_t packed_cap, packed_size;
    bool leased; /* the buffers are the pool's (rows after the workers' of the lease) */
} item;

typedef struct write_job {
    exrqoi_writer *w;
    int part;
    const exrqoi__part *p;
    exrqoi_box2i region;
    const exrqoi__slot *slots;
    int nslots;
    item *items;
    exrqoi__pool_lease *lease; /* NULL: items own their buffers */
    int width;                 /* lease rows 0..width-1: workers; width+k: item k */
    bool all_channels; /* every channel of the part has a slot */
    exrqoi__job_status st;
} write_job;

static void compress_one(void *ctx, size_t k, int worker)
{
    write_job *j = (write_job *)ctx;
    exrqoi__err err = {0};
    item *it = &j->items[k];
    exrqoi__worker *wk = &j->w->workers[worker];
    exrqoi__chan_layout chans_local[64];
    exrqoi__chan_layout *chans = chans_local;
    exrqoi_result rv = EXRQOI_OK;
    int n = j->p->info.channel_count;
    if (n > 64) {
        chans = (exrqoi__chan_layout *)exrqoi__calloc(j->w->alloc, (size_t)n, sizeof *chans);
        if (!chans) rv = exrqoi__fail(&err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    }
    exrqoi__block_layout bl;
    if (rv == EXRQOI_OK) rv = exrqoi__block_layout_for(j->p, &it->ci.window, chans, &bl);
    size_t cap = rv == EXRQOI_OK ? exrqoi__compress_bound(&bl) : 0;
    if (rv == EXRQOI_OK && j->lease) {
        /* kept by the pool across writes: no fresh pages per write */
        it->leased = true;
        it->unpacked = (uint8_t *)exrqoi__pool_scratch(j->lease, j->width + (int)k, 0, bl.unpacked_size);
        it->packed = cap ? (uint8_t *)exrqoi__pool_scratch(j->lease, j->width + (int)k, 1, cap) : NULL;
        it->unpacked_cap = it->unpacked ? bl.unpacked_size : 0;
        it->packed_cap = it->packed ? cap : 0;
        if (!it->unpacked || (cap && !it->packed)) rv = exrqoi__fail(&err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    } else if (rv == EXRQOI_OK) {
        void *u = it->unpacked, *pk = it->packed;
        if (exrqoi__reserve(j->w->alloc, &u, &it->unpacked_cap, bl.unpacked_size) ||
            (cap && exrqoi__reserve(j->w->alloc, &pk, &it->packed_cap, cap)))
            rv = exrqoi__fail(&err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
        it->unpacked = (uint8_t *)u;
        it->packed = (uint8_t *)pk;
    }
    if (rv == EXRQOI_OK) {
        /* channels without a slice are written as zeros; the others are
         * overwritten entirely (the region covers whole chunks) */
        if (!j->all_channels) memset(it->unpacked, 0, bl.unpacked_size);
        exrqoi__slices_to_block(&bl, it->unpacked, &j->region, j->slots, j->nslots);
        size_t out_size = 0;
        bool raw = true;
        if (wk->codec.err.msg[0] || wk->codec.err.code) exrqoi__err_clear(&wk->codec.err);
        /* compressed straight into the item: no copy out of codec scratch */
        rv = exrqoi__compress_block_to(&wk->codec, &bl, it->unpacked, it->packed, it->packed_cap, &out_size,
                                       &raw);
        if (rv) {
            exrqoi__fail(&err, rv, "part %d chunk %llu: %s", j->part, (unsigned long long)it->index,
                         wk->codec.err.msg[0] ? wk->codec.err.msg : exrqoi_strerror(rv));
        } else {
            it->packed_size = out_size;
            it->ci.packed_size = out_size;
            it->ci.unpacked_size = raw ? SIZE_MAX /* marker: emit from unpacked */ : bl.unpacked_size;
        }
    }
    if (chans != chans_local) exrqoi__free(j->w->alloc, chans);
    if (rv) exrqoi__job_fail(&j->st, &j->w->err, rv, err.msg);
}

/* Chunks compressed between two emits: several per thread, so that the
 * wait for the batch's slowest chunk idles the others little; with more
 * threads up to 16 each, as long as the batch's buffers (unpacked and
 * packed) stay within BATCH_BYTES. One thread: one chunk, so that every
 * chunk reuses the same two buffers (four of 256 lines each had their
 * own: ~10 MB of fresh memory per write, page faults that cost more than
 * the HTJ2K encode on a VM). */
#define BATCH_BYTES ((uint64_t)64 << 20)
static size_t batch_size(const exrqoi__part *p, int width)
{
    if (width < 2) return 1;
    size_t batch = (size_t)width * 4;
    const exrqoi_part_info *in = &p->info;
    uint64_t px = in->tiled ? (uint64_t)in->tiles.x_size * in->tiles.y_size
                            : (uint64_t)(uint32_t)in->lines_per_chunk *
                                  (uint64_t)((int64_t)in->data_window.max.x - in->data_window.min.x + 1);
    uint64_t bytes = 0;
    for (int32_t c = 0; c < in->channel_count; c++) {
        const exrqoi_channel *ch = &in->channels[c];
        uint64_t xs = ch->x_sampling > 0 ? (uint64_t)ch->x_sampling : 1;
        uint64_t ys = ch->y_sampling > 0 ? (uint64_t)ch->y_sampling : 1;
        bytes += (ch->type == EXRQOI_PIXEL_HALF ? 2u : 4u) * (px / (xs * ys) + 1);
    }
    uint64_t fit = BATCH_BYTES / (2 * bytes + 1);
    uint64_t more = fit < (uint64_t)width * 16 ? fit : (uint64_t)width * 16;
    return more > batch ? (size_t)more : batch;
}

exrqoi_result exrqoi_writer_write_region(exrqoi_writer *w, int part, int lx, int ly,
                                         const exrqoi_box2i *region, const exrqoi_slice *slices,
                                         int slice_count)
{
    if (!w || slice_count < 0 || (slice_count && !slices)) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (w->finished || w->failed) return exrqoi__fail(&w->err, EXRQOI_ERR_BAD_STATE, "writer is finished");
    if (part < 0 || part >= w->nparts) return exrqoi__fail(&w->err, EXRQOI_ERR_NOT_FOUND, "no part %d", part);
    const exrqoi__part *p = &w->parts[part];
    if (p->deep)
        return exrqoi__fail(&w->err, EXRQOI_ERR_INVALID_ARGUMENT, "part %d is deep: use the deep writer", part);
    const exrqoi__level *L = exrqoi__part_level(p, lx, ly);
    if (!L) return exrqoi__fail(&w->err, EXRQOI_ERR_NOT_FOUND, "part %d has no level (%d, %d)", part, lx, ly);
    exrqoi_box2i reg = region ? *region : L->window;

    /* whole chunks only */
    uint64_t first_x, first_y, nx, ny;
    bool aligned;
    if (p->info.tiled) {
        const exrqoi_tiledesc *t = &p->info.tiles;
        int64_t rx0 = (int64_t)reg.min.x - L->window.min.x, ry0 = (int64_t)reg.min.y - L->window.min.y;
        int64_t rx1 = (int64_t)reg.max.x - L->window.min.x, ry1 = (int64_t)reg.max.y - L->window.min.y;
        aligned = rx0 >= 0 && ry0 >= 0 && reg.max.x <= L->window.max.x && reg.max.y <= L->window.max.y &&
                  rx0 <= rx1 && ry0 <= ry1 && rx0 % t->x_size == 0 && ry0 % t->y_size == 0 &&
                  ((rx1 + 1) % t->x_size == 0 || reg.max.x == L->window.max.x) &&
                  ((ry1 + 1) % t->y_size == 0 || reg.max.y == L->window.max.y);
        first_x = aligned ? (uint64_t)rx0 / t->x_size : 0;
        first_y = aligned ? (uint64_t)ry0 / t->y_size : 0;
        nx = aligned ? (uint64_t)rx1 / t->x_size - first_x + 1 : 0;
        ny = aligned ? (uint64_t)ry1 / t->y_size - first_y + 1 : 0;
    } else {
        int32_t lpc = p->info.lines_per_chunk;
        int64_t ry0 = (int64_t)reg.min.y - p->info.data_window.min.y;
        int64_t ry1 = (int64_t)reg.max.y - p->info.data_window.min.y;
        aligned = reg.min.x == L->window.min.x && reg.max.x == L->window.max.x && ry0 >= 0 &&
                  reg.max.y <= L->window.max.y && ry0 <= ry1 && ry0 % lpc == 0 &&
                  ((ry1 + 1) % lpc == 0 || reg.max.y == L->window.max.y);
        first_x = 0;
        nx = 1;
        first_y = aligned ? (uint64_t)ry0 / (uint64_t)lpc : 0;
        ny = aligned ? (uint64_t)ry1 / (uint64_t)lpc - first_y + 1 : 0;
    }
    if (!aligned)
        return exrqoi__fail(&w->err, EXRQOI_ERR_INVALID_ARGUMENT,
                            "region (%d %d) - (%d %d) of part %d is not made of whole chunks", reg.min.x,
                            reg.min.y, reg.max.x, reg.max.y, part);

    exrqoi__slot slots_local[16];
    exrqoi__slot *slots = slots_local;
    if (slice_count > 16) {
        slots = (exrqoi__slot *)exrqoi__calloc(w->alloc, (size_t)slice_count, sizeof *slots);
        if (!slots) return exrqoi__fail(&w->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    }
    for (int s = 0; s < slice_count; s++) {
        slots[s].slice = &slices[s];
        slots[s].chan = -1;
        slots[s].xs = slots[s].ys = 1;
        for (int32_t c = 0; c < p->info.channel_count; c++)
            if (slices[s].name && !strcmp(slices[s].name, p->info.channels[c].name)) {
                slots[s].chan = c;
                slots[s].xs = p->info.channels[c].x_sampling;
                slots[s].ys = p->info.channels[c].y_sampling;
            }
    }

    exrqoi_pool *pool = exrqoi__writer_pool(w);
    int width = exrqoi__pool_width(pool, w->threads);
    exrqoi_result rv = exrqoi__writer_workers(w, width);
    uint64_t total = nx * ny;
    size_t batch = batch_size(p, width);
    if (batch > total) batch = (size_t)total;
    item *items = rv ? NULL : (item *)exrqoi__calloc(w->alloc, batch ? batch : 1, sizeof(item));
    if (!rv && !items) rv = exrqoi__fail(&w->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    /* scratch of the codecs and the batch's buffers from the pool, kept
     * across writes (none without a pool: then as before) */
    exrqoi__pool_lease *lease =
        rv || batch > 65536 ? NULL : exrqoi__writer_lease(w, pool, width, width + (int)(batch ? batch : 1));
    bool decreasing = !p->info.tiled && p->info.line_order == EXRQOI_LINE_ORDER_DECREASING;

    for (uint64_t done = 0; !rv && done < total;) {
        size_t n = (size_t)(total - done < batch ? total - done : batch);
        for (size_t k = 0; k < n; k++) {
            uint64_t seq = decreasing ? total - 1 - (done + k) : done + k;
            uint64_t cx = first_x + seq % nx, cy = first_y + seq / nx;
            uint64_t index = p->info.tiled ? L->first_chunk + cy * (uint64_t)L->tiles_x + cx : cy;
            items[k].index = index;
            memset(&items[k].ci, 0, sizeof items[k].ci);
            rv = exrqoi__part_chunk_window(p, index, &items[k].ci.window, &items[k].ci.tile_x,
                                           &items[k].ci.tile_y, &items[k].ci.level_x, &items[k].ci.level_y);
            if (rv) break;
            if (p->offsets[index]) {
                rv = exrqoi__fail(&w->err, EXRQOI_ERR_BAD_STATE, "part %d: chunk %llu was already written",
                                  part, (unsigned long long)index);
                break;
            }
        }
        if (rv) break;
        write_job j = {.w = w, .part = part, .p = p, .region = reg, .slots = slots,
                       .nslots = slice_count, .items = items, .lease = lease, .width = width,
                       .all_channels = true};
        for (int32_t c = 0; c < p->info.channel_count; c++) {
            bool has = false;
            for (int sl = 0; sl < slice_count && !has; sl++)
                has = slots[sl].chan == c && (unsigned)slices[sl].type <= EXRQOI_PIXEL_FLOAT;
            j.all_channels &= has;
        }
        exrqoi__job_status_init(&j.st);
        exrqoi__pool_for(pool, w->threads, n, compress_one, &j, &j.st.stop);
        rv = exrqoi__job_result(&j.st);
        if (rv) break;
        for (size_t k = 0; k < n && !rv; k++) {
            item *it = &items[k];
            bool raw = it->ci.unpacked_size == SIZE_MAX;
            uint8_t leader[48];
            size_t ls = exrqoi__chunk_leader(w, part, &it->ci, leader);
            rv = exrqoi__writer_emit(w, part, it->index, leader, ls, raw ? it->unpacked : it->packed,
                                     it->packed_size, NULL, 0);
        }
        done += n;
        if (!rv && w->progress && w->progress(w->progress_user, w->chunks_done, w->chunks_total))
            rv = exrqoi__fail(&w->err, EXRQOI_ERR_ABORTED, "write aborted by the progress callback");
    }
    exrqoi__writer_unlease(w, pool, lease, width);
    if (items)
        for (size_t k = 0; k < batch; k++) {
            if (items[k].leased) continue;
            exrqoi__free(w->alloc, items[k].unpacked);
            exrqoi__free(w->alloc, items[k].packed);
        }
    exrqoi__free(w->alloc, items);
    if (slots != slots_local) exrqoi__free(w->alloc, slots);
    if (rv) w->failed = true;
    return rv;
}
