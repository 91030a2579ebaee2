/* Opening a reader: headers, offset tables, worker state; accessors and
 * raw chunk access. */
#include "chunk/reader_impl.h"

static void reader_free(exrqoi_reader *r)
{
    if (!r) return;
    for (int k = 0; k < r->nparts; k++) exrqoi__part_free(&r->parts[k]);
    exrqoi__free(r->alloc, r->parts);
    exrqoi__workers_free(r->alloc, r->workers, r->nworkers);
    exrqoi__free(r->alloc, r->cache.data);
    if (r->own_pool) exrqoi_pool_close(r->pool);
    exrqoi__source_close(&r->src);
    pthread_mutex_destroy(&r->lock);
    exrqoi_allocator a = r->alloc_store;
    bool has = r->alloc != NULL;
    exrqoi__free(has ? &a : NULL, r);
}

static exrqoi_result reader_new(const exrqoi_read_options *opts, exrqoi_reader **out)
{
    exrqoi_read_options ro = EXRQOI_READ_OPTIONS_INIT;
    EXRQOI_TRY(exrqoi__options_copy(&ro, sizeof ro, opts));
    const exrqoi_read_options *o = &ro;
    const exrqoi_allocator *a = o ? o->allocator : NULL;
    exrqoi_reader *r = (exrqoi_reader *)exrqoi__calloc(a, 1, sizeof *r);
    if (!r) return EXRQOI_ERR_OUT_OF_MEMORY;
    if (a) {
        r->alloc_store = *a;
        r->alloc = &r->alloc_store;
    }
    if (exrqoi__limits_resolve(o->limits, &r->limits) != EXRQOI_OK) {
        exrqoi__free(a, r);
        return EXRQOI_ERR_INVALID_ARGUMENT; /* limits not initialised */
    }
    r->strict = o && o->strict;
    r->threads = o ? o->threads : 0;
    r->pool = o ? o->pool : NULL;
    if (o) {
        r->err.on_message = o->on_message;
        r->err.user = o->message_user;
    }
    r->src.fd = -1;
    r->cache.index = UINT64_MAX;
    if (pthread_mutex_init(&r->lock, NULL) != 0) {
        exrqoi__free(a, r);
        return EXRQOI_ERR_THREAD;
    }
    *out = r;
    return EXRQOI_OK;
}

static exrqoi_result reader_finish_open(exrqoi_reader *r, exrqoi_reader **out)
{
    exrqoi__parsed_file f = {0};
    exrqoi_result rv = exrqoi__read_headers(&r->src, r->alloc, &r->limits, r->strict, &f, &r->err);
    r->version = f.version; /* the reader owns the parts, whatever the result */
    r->nparts = f.nparts;
    r->parts = f.parts;
    r->chunks_start = f.chunks_start;
    if (rv == EXRQOI_OK) rv = exrqoi__read_offsets(r, &r->err);
    if (rv != EXRQOI_OK) {
        reader_free(r);
        return rv;
    }
    *out = r;
    return EXRQOI_OK;
}

exrqoi_result exrqoi_reader_open(exrqoi_source source, const exrqoi_read_options *opts,
                                 exrqoi_reader **out)
{
    if (!out) return EXRQOI_ERR_INVALID_ARGUMENT;
    *out = NULL;
    exrqoi_reader *r;
    EXRQOI_TRY(reader_new(opts, &r));
    exrqoi_result rv = exrqoi__source_open(&r->src, &source, &r->err);
    if (rv != EXRQOI_OK) {
        reader_free(r);
        return rv;
    }
    return reader_finish_open(r, out);
}

void exrqoi_reader_close(exrqoi_reader *r) { reader_free(r); }

const exrqoi_allocator *exrqoi__reader_alloc(const exrqoi_reader *r) { return r->alloc; }
const exrqoi_limits *exrqoi__reader_limits(const exrqoi_reader *r) { return &r->limits; }
exrqoi__err *exrqoi__reader_err(exrqoi_reader *r) { return &r->err; }
exrqoi__source *exrqoi__reader_source(exrqoi_reader *r) { return &r->src; }

void exrqoi__reader_err_init(const exrqoi_reader *r, exrqoi__err *err)
{
    memset(err, 0, sizeof *err);
    err->on_message = r->err.on_message;
    err->user = r->err.user;
}

void exrqoi__reader_threading(const exrqoi_reader *r, exrqoi_pool **pool, int *threads)
{
    *pool = r->pool;
    *threads = r->threads;
}

const exrqoi__part *exrqoi__reader_part(const exrqoi_reader *r, int part)
{
    return part >= 0 && part < r->nparts ? &r->parts[part] : NULL;
}

const char *exrqoi_reader_error(const exrqoi_reader *r) { return r ? r->err.msg : ""; }
uint32_t exrqoi_reader_version(const exrqoi_reader *r) { return r ? r->version : 0; }
int exrqoi_reader_part_count(const exrqoi_reader *r) { return r ? r->nparts : 0; }

const exrqoi_header *exrqoi_reader_header(const exrqoi_reader *r, int part)
{
    if (!r || part < 0 || part >= r->nparts) return NULL;
    return &r->parts[part].header;
}

int exrqoi_reader_find_part(const exrqoi_reader *r, const char *name)
{
    if (!r || !name) return -1;
    for (int k = 0; k < r->nparts; k++)
        if (r->parts[k].info.name && strcmp(r->parts[k].info.name, name) == 0) return k;
    return -1;
}

exrqoi_result exrqoi_reader_part_info(const exrqoi_reader *r, int part, exrqoi_part_info *out)
{
    if (!r || !out) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (part < 0 || part >= r->nparts) return EXRQOI_ERR_NOT_FOUND;
    *out = r->parts[part].info;
    return EXRQOI_OK;
}

exrqoi_result exrqoi_reader_level_window(const exrqoi_reader *r, int part, int lx, int ly,
                                         exrqoi_box2i *out)
{
    if (!r || !out) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (part < 0 || part >= r->nparts) return EXRQOI_ERR_NOT_FOUND;
    const exrqoi__level *L = exrqoi__part_level(&r->parts[part], lx, ly);
    if (!L) return EXRQOI_ERR_NOT_FOUND;
    *out = L->window;
    return EXRQOI_OK;
}

exrqoi_result exrqoi_reader_scanline_chunk(const exrqoi_reader *r, int part, int32_t y, uint64_t *index)
{
    if (!r || !index) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (part < 0 || part >= r->nparts) return EXRQOI_ERR_NOT_FOUND;
    const exrqoi_part_info *i = &r->parts[part].info;
    if (i->tiled) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (y < i->data_window.min.y || y > i->data_window.max.y) return EXRQOI_ERR_NOT_FOUND;
    *index = (uint64_t)(((int64_t)y - i->data_window.min.y) / i->lines_per_chunk);
    return EXRQOI_OK;
}

exrqoi_result exrqoi_reader_tile_chunk(const exrqoi_reader *r, int part, int tx, int ty, int lx, int ly,
                                       uint64_t *index)
{
    if (!r || !index) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (part < 0 || part >= r->nparts) return EXRQOI_ERR_NOT_FOUND;
    const exrqoi__part *p = &r->parts[part];
    if (!p->info.tiled) return EXRQOI_ERR_INVALID_ARGUMENT;
    const exrqoi__level *L = exrqoi__part_level(p, lx, ly);
    if (!L || tx < 0 || ty < 0 || tx >= L->tiles_x || ty >= L->tiles_y) return EXRQOI_ERR_NOT_FOUND;
    *index = L->first_chunk + (uint64_t)ty * (uint64_t)L->tiles_x + (uint64_t)tx;
    return EXRQOI_OK;
}

exrqoi_result exrqoi_reader_chunk_info(exrqoi_reader *r, int part, uint64_t index, exrqoi_chunk_info *out)
{
    if (!r || !out) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (part < 0 || part >= r->nparts) return EXRQOI_ERR_NOT_FOUND;
    uint64_t data_off;
    return exrqoi__read_chunk_leader(r, part, index, out, &data_off, &r->err);
}

exrqoi_result exrqoi_reader_read_raw_chunk(exrqoi_reader *r, int part, uint64_t index,
                                           exrqoi_chunk_info *info, void **data, size_t *size)
{
    if (!r || !data || !size) return EXRQOI_ERR_INVALID_ARGUMENT;
    *data = NULL;
    *size = 0;
    if (part < 0 || part >= r->nparts) return EXRQOI_ERR_NOT_FOUND;
    exrqoi_chunk_info ci;
    uint64_t off;
    EXRQOI_TRY(exrqoi__read_chunk_leader(r, part, index, &ci, &off, &r->err));
    uint64_t n = ci.packed_size + ci.packed_count_table_size;
    if (n > SIZE_MAX || !exrqoi__budget_fits(&r->limits, 1, n))
        return exrqoi__fail(&r->err, EXRQOI_ERR_LIMIT,
                            "part %d chunk %llu: %llu bytes, over the max_alloc_bytes limit", part,
                            (unsigned long long)index, (unsigned long long)n);
    void *buf = NULL;
    size_t cap = 0;
    exrqoi_result rv = exrqoi__source_read_grow(&r->src, r->alloc, off, &buf, &cap, (size_t)n, &r->err);
    if (rv != EXRQOI_OK) {
        exrqoi__free(r->alloc, buf);
        return rv;
    }
    if (info) *info = ci;
    *data = buf;
    *size = (size_t)n;
    return EXRQOI_OK;
}

exrqoi_result exrqoi__chunk_payload(exrqoi_reader *r, uint64_t off, uint64_t n, void **buf, size_t *cap,
                                    const uint8_t **out, exrqoi__err *err)
{
    if (n > SIZE_MAX) return exrqoi__fail(err, EXRQOI_ERR_LIMIT, "chunk too large for memory");
    if (r->src.mem) {
        *out = r->src.mem + off; /* bounds checked by the leader parser */
        return EXRQOI_OK;
    }
    EXRQOI_TRY(exrqoi__source_read_grow(&r->src, r->alloc, off, buf, cap, (size_t)n, err));
    *out = (const uint8_t *)*buf;
    return EXRQOI_OK;
}

exrqoi_result exrqoi__worker_payload(exrqoi_reader *r, exrqoi__worker *w, uint64_t off, uint64_t n,
                                     const uint8_t **out, exrqoi__err *err)
{
    if (w->row && !r->src.mem && r->src.size != UINT64_MAX && n <= SIZE_MAX) {
        /* a lent worker reads into its row; a source of unknown size keeps
         * the stepwise growth below (no allocation ahead of the data) */
        size_t rcap = n ? (size_t)n : 1; /* the capacity the read below needs: it never grows the row's buffer */
        void *rb = exrqoi__worker_buffer(r->alloc, w, true, rcap, 0);
        if (!rb) return exrqoi__fail(err, EXRQOI_ERR_OUT_OF_MEMORY, "cannot allocate %zu bytes", rcap);
        return exrqoi__chunk_payload(r, off, n, &rb, &rcap, out, err);
    }
    void *pb = w->packed;
    exrqoi_result rv = exrqoi__chunk_payload(r, off, n, &pb, &w->packed_cap, out, err);
    w->packed = (uint8_t *)pb;
    return rv;
}
