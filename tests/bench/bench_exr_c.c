/* OpenEXR's C core API decoding every chunk of every flat level of a file
 * held in memory into the plan's buffers, on `threads` pthreads (the core
 * library has no pool of its own; contexts are safe for concurrent chunk
 * reads). */
#include "bench_internal.h"

#include <openexr.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct c_item {
    int level;
    int a, b; /* scanline: y, unused; tiled: tx, ty */
} c_item;

typedef struct c_job {
    const bench_plan *p;
    exr_context_t ctx;
    c_item *items;
    size_t count;
    atomic_size_t next;
    atomic_int failed;
    char err[256];
} c_job;

typedef struct mem_src {
    const unsigned char *d;
    size_t n;
} mem_src;

static int64_t mem_read(exr_const_context_t ctx, void *user, void *buf, uint64_t sz, uint64_t off,
                        exr_stream_error_func_ptr_t error_cb)
{
    (void)ctx;
    (void)error_cb;
    const mem_src *m = (const mem_src *)user;
    if (off >= m->n) return 0;
    uint64_t k = m->n - off < sz ? m->n - off : sz;
    memcpy(buf, m->d + off, (size_t)k);
    return (int64_t)k;
}

static int64_t mem_size(exr_const_context_t ctx, void *user)
{
    (void)ctx;
    return (int64_t)((const mem_src *)user)->n;
}

/* Failures are reported once by the driver, not by OpenEXR on stderr. */
static void quiet(exr_const_context_t ctx, exr_result_t code, const char *msg)
{
    (void)ctx;
    (void)code;
    (void)msg;
}

static int32_t first_sampled(int32_t v, int32_t s)
{
    int32_t m = ((v % s) + s) % s;
    return m ? v + (s - m) : v;
}

static void set_pointers(const bench_level *L, exr_decode_pipeline_t *d, int32_t x0, int32_t y0)
{
    for (int c = 0; c < d->channel_count; c++) {
        exr_coding_channel_info_t *ci = &d->channels[c];
        const bench_chan *bc = NULL;
        for (int k = 0; k < L->nchan; k++)
            if (!strcmp(L->chans[k].name, ci->channel_name)) bc = &L->chans[k];
        if (!bc) {
            ci->decode_to_ptr = NULL;
            continue;
        }
        int32_t row = (first_sampled(y0, bc->ys) - first_sampled(L->miny, bc->ys)) / bc->ys;
        int32_t col = (first_sampled(x0, bc->xs) - first_sampled(L->minx, bc->xs)) / bc->xs;
        ci->decode_to_ptr = bc->data + (ptrdiff_t)row * bc->ystride + (ptrdiff_t)col * bc->xstride;
        ci->user_pixel_stride = (int32_t)bc->xstride;
        ci->user_line_stride = (int32_t)bc->ystride;
        ci->user_bytes_per_element = (int16_t)bc->size;
        ci->user_data_type = (uint16_t)bc->type;
    }
}

static void *c_worker(void *arg)
{
    c_job *j = (c_job *)arg;
/* OpenEXR main's initializer names only its first fields */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
    exr_decode_pipeline_t d = EXR_DECODE_PIPELINE_INITIALIZER;
#pragma GCC diagnostic pop
    int cur_part = -1;
    exr_result_t rv = EXR_ERR_SUCCESS;
    for (;;) {
        if (atomic_load(&j->failed)) break;
        size_t i = atomic_fetch_add(&j->next, 1);
        if (i >= j->count) break;
        const c_item *it = &j->items[i];
        const bench_level *L = &j->p->levels[it->level];
        exr_chunk_info_t ci;
        int32_t x0, y0;
        if (L->tiled) {
            uint32_t tw, th;
            rv = exr_get_tile_descriptor(j->ctx, L->part, &tw, &th, NULL, NULL);
            if (!rv) rv = exr_read_tile_chunk_info(j->ctx, L->part, it->a, it->b, L->lx, L->ly, &ci);
            x0 = L->minx + it->a * (int32_t)tw;
            y0 = L->miny + it->b * (int32_t)th;
        } else {
            rv = exr_read_scanline_chunk_info(j->ctx, L->part, it->a, &ci);
            x0 = L->minx;
            y0 = ci.start_y;
        }
        if (rv) break;
        if (cur_part != L->part) {
            if (cur_part >= 0) exr_decoding_destroy(j->ctx, &d);
            rv = exr_decoding_initialize(j->ctx, L->part, &ci, &d);
            if (rv) break;
            cur_part = L->part;
            set_pointers(L, &d, x0, y0);
            rv = exr_decoding_choose_default_routines(j->ctx, L->part, &d);
        } else {
            rv = exr_decoding_update(j->ctx, L->part, &ci, &d);
            if (!rv) set_pointers(L, &d, x0, y0);
        }
        if (!rv) rv = exr_decoding_run(j->ctx, L->part, &d);
        if (rv) break;
    }
    if (cur_part >= 0) exr_decoding_destroy(j->ctx, &d);
    if (rv) {
        int expected = 0;
        if (atomic_compare_exchange_strong(&j->failed, &expected, 1))
            snprintf(j->err, sizeof j->err, "%s", exr_get_default_error_message(rv));
    }
    return NULL;
}

static int make_items(c_job *j)
{
    size_t cap = 64, n = 0;
    c_item *items = malloc(cap * sizeof *items);
    if (!items) return 1;
    for (int l = 0; l < j->p->nlevels; l++) {
        const bench_level *L = &j->p->levels[l];
        int32_t stepx = 1, stepy;
        if (L->tiled) {
            uint32_t tw, th;
            if (exr_get_tile_descriptor(j->ctx, L->part, &tw, &th, NULL, NULL)) goto bad;
            stepx = (int32_t)tw;
            stepy = (int32_t)th;
        } else if (exr_get_scanlines_per_chunk(j->ctx, L->part, &stepy)) {
            goto bad;
        }
        int32_t nx = L->tiled ? (L->maxx - L->minx + stepx) / stepx : 1;
        /* scanline chunks are aligned to the data window's min y */
        for (int32_t y = L->miny, ty = 0; y <= L->maxy; y += stepy, ty++) {
            for (int32_t tx = 0; tx < nx; tx++) {
                if (n == cap) {
                    c_item *g = realloc(items, 2 * cap * sizeof *items);
                    if (!g) goto bad;
                    items = g;
                    cap *= 2;
                }
                items[n].level = l;
                items[n].a = L->tiled ? tx : y;
                items[n].b = ty;
                n++;
            }
        }
    }
    j->items = items;
    j->count = n;
    return 0;
bad:
    free(items);
    return 1;
}

const char *bench_openexr_version(char *buf, size_t len)
{
    int maj = 0, min = 0, patch = 0;
    const char *extra = NULL;
    exr_get_library_version(&maj, &min, &patch, &extra);
    snprintf(buf, len, "%d.%d.%d%s", maj, min, patch, extra ? extra : "");
    return buf;
}

int bench_c_decode(const bench_plan *p, int threads, char *err, size_t errlen)
{
    mem_src src = {p->file, p->file_size};
    exr_context_initializer_t init = EXR_DEFAULT_CONTEXT_INITIALIZER;
    init.user_data = &src;
    init.read_fn = mem_read;
    init.size_fn = mem_size;
    init.error_handler_fn = quiet;
    c_job j;
    memset(&j, 0, sizeof j);
    j.p = p;
    if (exr_start_read(&j.ctx, "memory", &init) != EXR_ERR_SUCCESS) {
        snprintf(err, errlen, "exr_start_read failed");
        return 1;
    }
    if (make_items(&j)) {
        exr_finish(&j.ctx);
        snprintf(err, errlen, "chunk list failed");
        return 1;
    }
    atomic_init(&j.next, 0);
    atomic_init(&j.failed, 0);
    pthread_t th[64];
    int extra = threads > 1 ? (threads > 64 ? 63 : threads - 1) : 0;
    int started = 0;
    for (; started < extra; started++)
        if (pthread_create(&th[started], NULL, c_worker, &j)) break;
    c_worker(&j); /* the caller works too, as ours does */
    for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
    free(j.items);
    exr_finish(&j.ctx);
    if (atomic_load(&j.failed)) {
        snprintf(err, errlen, "%s", j.err);
        return 1;
    }
    return 0;
}
