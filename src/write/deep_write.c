/* Writing whole deep levels (exrqoi_writer_write_deep; the reading half is
 * src/read/deep_level.c): a batch of chunks is encoded on the pool, then
 * the batch is emitted in file order. */
#include "deep/deep_chunk.h"
#include "deep/deep_image.h"
#include "exrqoi/image.h"
#include "thread/job_status.h"
#include "write/writer.h"

#include <stdatomic.h>

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
    exrqoi__deep_layout_of(&j->base, &it->ci.window, &L);
    size_t at = exrqoi__deep_pixel_index(&j->lwin, &it->ci.window, j->width);
    const uint8_t *out;
    size_t out_size;
    exrqoi__deep_chunk_sizes s;
    exrqoi__err err = {0};
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
    exrqoi__pool_lease *lease = NULL; /* the workers' codec scratch, kept by the pool */
    int width = 1;
    if (!rv) {
        pool = exrqoi__writer_pool(w);
        width = exrqoi__pool_width(pool, w->threads);
        rv = exrqoi__writer_workers(w, width);
        if (!rv) lease = exrqoi__writer_lease(w, pool, width, width);
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
        exrqoi__deep_base_layout(pi, nch, types, &j.base);
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
    exrqoi__writer_unlease(w, pool, lease, width);
    if (items)
        for (size_t k = 0; k < batch; k++) exrqoi__free(w->alloc, items[k].payload);
    exrqoi__free(w->alloc, items);
    exrqoi__free(w->alloc, zeros);
    exrqoi__free(w->alloc, (void *)src);
    exrqoi__free(w->alloc, types);
    if (rv && started) w->failed = true;
    return rv;
}
