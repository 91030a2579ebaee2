/* Opening a writer (headers completed and validated, version flags),
 * emitting chunks, and finishing (offset tables, rename into place). */
#include "write/writer.h"
#include "meta/attr.h"

#include <stdlib.h>

#define EXR_MAGIC 20000630u

static bool name_long(const char *s) { return s && strlen(s) > 31; }

static const char *type_attr_for(const exrqoi_header *h)
{
    const exrqoi_attribute *t = exrqoi_header_find(h, "type");
    if (t && t->type == EXRQOI_ATTR_STRING) return t->v.string.str;
    return exrqoi_header_find(h, "tiles") ? "tiledimage" : "scanlineimage";
}

static exrqoi_result serialise_headers(exrqoi_writer *w)
{
    size_t total = 8;
    for (int k = 0; k < w->nparts; k++) {
        const exrqoi_header *h = &w->parts[k].header;
        for (int32_t i = 0; i < h->count; i++) {
            const exrqoi_attribute *a = &h->attrs[i];
            const char *tn = a->type_name ? a->type_name : exrqoi_attr_type_name(a->type);
            if (!tn) return exrqoi__fail(&w->err, EXRQOI_ERR_INVALID_ARGUMENT,
                                         "part %d: attribute '%s' has no type name", k, a->name);
            size_t vs = exrqoi__attr_value_size(a);
            if (vs > INT32_MAX)
                return exrqoi__fail(&w->err, EXRQOI_ERR_LIMIT, "part %d: attribute '%s' is too large", k,
                                    a->name);
            total += strlen(a->name) + 1 + strlen(tn) + 1 + 4 + vs;
        }
        total += 1;
    }
    if (w->nparts > 1) total += 1;
    uint8_t *buf = (uint8_t *)exrqoi__alloc(w->alloc, total);
    if (!buf) return exrqoi__fail(&w->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    uint8_t *p = buf;
    exrqoi__put32(p, EXR_MAGIC);
    exrqoi__put32(p + 4, w->version);
    p += 8;
    for (int k = 0; k < w->nparts; k++) {
        const exrqoi_header *h = &w->parts[k].header;
        for (int32_t i = 0; i < h->count; i++) {
            const exrqoi_attribute *a = &h->attrs[i];
            const char *tn = a->type_name ? a->type_name : exrqoi_attr_type_name(a->type);
            size_t n = strlen(a->name) + 1;
            memcpy(p, a->name, n);
            p += n;
            n = strlen(tn) + 1;
            memcpy(p, tn, n);
            p += n;
            size_t vs = exrqoi__attr_value_size(a);
            exrqoi__put32(p, (uint32_t)vs);
            p += 4;
            exrqoi__attr_serialize(a, p);
            p += vs;
        }
        *p++ = 0;
    }
    if (w->nparts > 1) *p++ = 0;
    w->header_bytes = buf;
    w->header_size = total;
    return EXRQOI_OK;
}

static int attr_name_cmp(const void *a, const void *b)
{
    return strcmp(((const exrqoi_attribute *)a)->name, ((const exrqoi_attribute *)b)->name);
}

/* OpenEXR writes a header's attributes sorted by name; doing the same makes
 * our files byte-identical to its own where the codec output is. */
static void sort_attrs(exrqoi_header *h)
{
    if (h->count > 1) qsort(h->attrs, (size_t)h->count, sizeof h->attrs[0], attr_name_cmp);
}

/* Adds what the format requires and computes the version flags. */
static exrqoi_result prepare_parts(exrqoi_writer *w, const exrqoi_header *headers, int n)
{
    exrqoi_limits limits;
    (void)exrqoi__limits_resolve(NULL, &limits); /* NULL: the defaults, never fails */
    bool multi = n > 1, any_deep = false, longn = false;
    w->parts = (exrqoi__part *)exrqoi__calloc(w->alloc, (size_t)n, sizeof(exrqoi__part));
    if (!w->parts) return exrqoi__fail(&w->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    w->nparts = n;
    for (int k = 0; k < n; k++) {
        exrqoi__part *p = &w->parts[k];
        /* copied with the writer's allocator, which also frees it */
        exrqoi_header_init(&p->header, w->alloc);
        exrqoi_result rv = EXRQOI_OK;
        for (int32_t i = 0; rv == EXRQOI_OK && i < headers[k].count; i++)
            rv = exrqoi_header_set(&p->header, &headers[k].attrs[i]);
        if (rv) return exrqoi__fail(&w->err, rv, "part %d: cannot copy the header", k);
        const char *type = type_attr_for(&p->header);
        bool deep = !strcmp(type, "deepscanline") || !strcmp(type, "deeptile");
        any_deep |= deep;
        if (multi && !exrqoi_header_find(&p->header, "name"))
            return exrqoi__fail(&w->err, EXRQOI_ERR_MISSING_ATTRIBUTE,
                                "part %d: a multipart file needs a 'name' for every part", k);
        if ((multi || deep) && !exrqoi_header_find(&p->header, "type"))
            EXRQOI_TRY(exrqoi_header_set_string(&p->header, "type", type));
        if (deep && !exrqoi_header_find(&p->header, "version"))
            EXRQOI_TRY(exrqoi_header_set_int(&p->header, "version", 1));
        /* defaults a reader in strict mode requires */
        const exrqoi_attribute *dw = exrqoi_header_find(&p->header, "dataWindow");
        if (dw && !exrqoi_header_find(&p->header, "displayWindow"))
            EXRQOI_TRY(exrqoi_header_set_box2i(&p->header, "displayWindow", dw->v.box2i));
        if (!exrqoi_header_find(&p->header, "lineOrder"))
            EXRQOI_TRY(exrqoi_header_set_line_order(&p->header, EXRQOI_LINE_ORDER_INCREASING));
        if (!exrqoi_header_find(&p->header, "pixelAspectRatio"))
            EXRQOI_TRY(exrqoi_header_set_float(&p->header, "pixelAspectRatio", 1.0f));
        if (!exrqoi_header_find(&p->header, "screenWindowCenter")) {
            exrqoi_v2f c = {0, 0};
            EXRQOI_TRY(exrqoi_header_set_v2f(&p->header, "screenWindowCenter", c));
        }
        if (!exrqoi_header_find(&p->header, "screenWindowWidth"))
            EXRQOI_TRY(exrqoi_header_set_float(&p->header, "screenWindowWidth", 1.0f));
        /* recomputed below: the source's count is stale after a codec change */
        exrqoi_header_remove(&p->header, "chunkCount");
        for (int32_t i = 0; i < p->header.count; i++) {
            const exrqoi_attribute *a = &p->header.attrs[i];
            longn |= name_long(a->name) || name_long(a->type_name);
            if (a->type == EXRQOI_ATTR_CHLIST)
                for (int32_t c = 0; c < a->v.chlist.count; c++) longn |= name_long(a->v.chlist.entries[c].name);
        }
    }
    uint32_t version = 2;
    if (multi) version |= EXRQOI_VERSION_FLAG_MULTIPART;
    if (any_deep) version |= EXRQOI_VERSION_FLAG_NON_IMAGE;
    if (longn) version |= EXRQOI_VERSION_FLAG_LONG_NAMES;
    if (!multi && !any_deep && exrqoi_header_find(&w->parts[0].header, "tiles") &&
        !strcmp(type_attr_for(&w->parts[0].header), "tiledimage"))
        version |= EXRQOI_VERSION_FLAG_TILED;
    w->version = version;
    for (int k = 0; k < n; k++) {
        exrqoi__part *p = &w->parts[k];
        /* multipart and deep parts need chunkCount, known only after setup */
        bool needs_count = multi || (version & EXRQOI_VERSION_FLAG_NON_IMAGE);
        sort_attrs(&p->header);
        exrqoi_result rv = exrqoi__part_setup(p, k, version, !needs_count, &limits, &w->err);
        if (rv) return rv;
        if (needs_count) {
            if (p->info.chunk_count > INT32_MAX)
                return exrqoi__fail(&w->err, EXRQOI_ERR_LIMIT, "part %d has too many chunks", k);
            EXRQOI_TRY(exrqoi_header_set_int(&p->header, "chunkCount", (int32_t)p->info.chunk_count));
            sort_attrs(&p->header);
            /* the header's attribute array may have moved: set up again */
            exrqoi__free(w->alloc, p->levels);
            p->levels = NULL;
            rv = exrqoi__part_setup(p, k, version, true, &limits, &w->err);
            if (rv) return rv;
        }
        p->offsets = (uint64_t *)exrqoi__calloc(w->alloc, (size_t)p->info.chunk_count, 8);
        if (!p->offsets) return exrqoi__fail(&w->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
        w->chunks_total += p->info.chunk_count;
    }
    return EXRQOI_OK;
}

static exrqoi_result writer_new(const exrqoi_write_options *opts, exrqoi_writer **out)
{
    exrqoi_write_options wo = EXRQOI_WRITE_OPTIONS_INIT;
    EXRQOI_TRY(exrqoi__options_copy(&wo, sizeof wo, opts));
    const exrqoi_write_options *o = &wo;
    const exrqoi_allocator *a = o ? o->allocator : NULL;
    exrqoi_writer *w = (exrqoi_writer *)exrqoi__calloc(a, 1, sizeof *w);
    if (!w) return EXRQOI_ERR_OUT_OF_MEMORY;
    if (a) {
        w->alloc_store = *a;
        w->alloc = &w->alloc_store;
    }
    if (o) {
        w->pool = o->pool;
        w->threads = o->threads;
        w->zip_level = o->zip_level;
        w->dwa_level = o->dwa_level;
        w->progress = o->progress;
        w->progress_user = o->progress_user;
        w->err.on_message = o->on_message;
        w->err.user = o->message_user;
    }
    w->sink.fd = -1;
    *out = w;
    return EXRQOI_OK;
}

static exrqoi_result writer_start(exrqoi_writer *w, const exrqoi_header *headers, int n)
{
    if (!headers || n < 1) return exrqoi__fail(&w->err, EXRQOI_ERR_INVALID_ARGUMENT, "no headers given");
    EXRQOI_TRY(prepare_parts(w, headers, n));
    EXRQOI_TRY(serialise_headers(w));
    w->header_end = w->header_size;
    uint64_t pos = w->header_end;
    for (int k = 0; k < n; k++) {
        w->parts[k].table_pos = pos;
        pos += w->parts[k].info.chunk_count * 8;
    }
    w->chunks_start = pos;
    w->hold = !w->sink.seekable;
    if (!w->hold) {
        EXRQOI_TRY(exrqoi__sink_write(&w->sink, w->header_bytes, w->header_size, &w->err));
        /* placeholder tables, patched by finish */
        uint8_t zeros[4096];
        memset(zeros, 0, sizeof zeros);
        uint64_t left = w->chunks_start - w->header_end;
        while (left) {
            size_t k = left > sizeof zeros ? sizeof zeros : (size_t)left;
            EXRQOI_TRY(exrqoi__sink_write(&w->sink, zeros, k, &w->err));
            left -= k;
        }
    }
    return EXRQOI_OK;
}

static exrqoi_result open_common(exrqoi_writer *w, const exrqoi_header *headers, int n, exrqoi_writer **out)
{
    exrqoi_result rv = writer_start(w, headers, n);
    if (rv) {
        exrqoi_writer_close(w);
        return rv;
    }
    *out = w;
    return EXRQOI_OK;
}

exrqoi_result exrqoi_writer_open(exrqoi_sink sink, const exrqoi_header *headers, int part_count,
                                 const exrqoi_write_options *opts, exrqoi_writer **out)
{
    if (!out) return EXRQOI_ERR_INVALID_ARGUMENT;
    *out = NULL;
    exrqoi_writer *w;
    EXRQOI_TRY(writer_new(opts, &w));
    exrqoi_result rv = exrqoi__sink_open(&w->sink, &sink, w->alloc, &w->err);
    if (rv) {
        exrqoi_writer_close(w);
        return rv;
    }
    return open_common(w, headers, part_count, out);
}

exrqoi_result exrqoi_writer_part_info(const exrqoi_writer *w, int part, exrqoi_part_info *out)
{
    if (!w || !out) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (part < 0 || part >= w->nparts) return EXRQOI_ERR_NOT_FOUND;
    *out = w->parts[part].info;
    return EXRQOI_OK;
}

exrqoi_result exrqoi_writer_level_window(const exrqoi_writer *w, int part, int lx, int ly, exrqoi_box2i *out)
{
    if (!w || !out) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (part < 0 || part >= w->nparts) return EXRQOI_ERR_NOT_FOUND;
    const exrqoi__level *L = exrqoi__part_level(&w->parts[part], lx, ly);
    if (!L) return EXRQOI_ERR_NOT_FOUND;
    *out = L->window;
    return EXRQOI_OK;
}

size_t exrqoi__chunk_leader(const exrqoi_writer *w, int part, const exrqoi_chunk_info *ci, uint8_t *b)
{
    const exrqoi__part *p = &w->parts[part];
    size_t n = 0;
    if (w->version & EXRQOI_VERSION_FLAG_MULTIPART) {
        exrqoi__put32(b, (uint32_t)part);
        n = 4;
    }
    if (p->info.tiled) {
        exrqoi__put32(b + n, (uint32_t)ci->tile_x);
        exrqoi__put32(b + n + 4, (uint32_t)ci->tile_y);
        exrqoi__put32(b + n + 8, (uint32_t)ci->level_x);
        exrqoi__put32(b + n + 12, (uint32_t)ci->level_y);
        n += 16;
    } else {
        exrqoi__put32(b + n, (uint32_t)ci->window.min.y);
        n += 4;
    }
    if (p->deep) {
        exrqoi__put64(b + n, ci->packed_count_table_size);
        exrqoi__put64(b + n + 8, ci->packed_size);
        exrqoi__put64(b + n + 16, ci->unpacked_size);
        n += 24;
    } else {
        exrqoi__put32(b + n, (uint32_t)ci->packed_size);
        n += 4;
    }
    return n;
}

exrqoi_result exrqoi__writer_emit(exrqoi_writer *w, int part, uint64_t index, const uint8_t *leader,
                                  size_t leader_size, const uint8_t *a, size_t na, const uint8_t *b,
                                  size_t nb)
{
    exrqoi__part *p = &w->parts[part];
    if (p->offsets[index])
        return exrqoi__fail(&w->err, EXRQOI_ERR_BAD_STATE, "part %d: chunk %llu was already written", part,
                            (unsigned long long)index);
    if (w->hold) {
        size_t total = leader_size + na + nb;
        if (w->nheld == w->held_cap) {
            void *hp = w->held;
            size_t cap_bytes = w->held_cap * sizeof(exrqoi__held_chunk);
            if (exrqoi__reserve(w->alloc, &hp, &cap_bytes, (w->nheld + 1) * sizeof(exrqoi__held_chunk)))
                return exrqoi__fail(&w->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
            w->held = (exrqoi__held_chunk *)hp;
            w->held_cap = cap_bytes / sizeof(exrqoi__held_chunk);
        }
        uint8_t *bytes = (uint8_t *)exrqoi__alloc(w->alloc, total);
        if (!bytes) return exrqoi__fail(&w->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
        memcpy(bytes, leader, leader_size);
        if (na) memcpy(bytes + leader_size, a, na);
        if (nb) memcpy(bytes + leader_size + na, b, nb);
        exrqoi__held_chunk *h = &w->held[w->nheld++];
        h->part = part;
        h->index = index;
        h->bytes = bytes;
        h->size = total;
        p->offsets[index] = 1; /* real offsets are assigned at finish */
    } else {
        uint64_t at = w->sink.pos;
        EXRQOI_TRY(exrqoi__sink_write(&w->sink, leader, leader_size, &w->err));
        if (na) EXRQOI_TRY(exrqoi__sink_write(&w->sink, a, na, &w->err));
        if (nb) EXRQOI_TRY(exrqoi__sink_write(&w->sink, b, nb, &w->err));
        p->offsets[index] = at;
    }
    w->chunks_done++;
    return EXRQOI_OK;
}

exrqoi_pool *exrqoi__writer_pool(exrqoi_writer *w)
{
    if (w->pool) return w->pool;
    int t = w->threads ? w->threads : exrqoi_cpu_count();
    if (t <= 1) return NULL;
    if (exrqoi_pool_open(t, w->alloc, &w->pool) == EXRQOI_OK) w->own_pool = true;
    return w->pool;
}

exrqoi__pool_lease *exrqoi__writer_lease(exrqoi_writer *w, exrqoi_pool *pool, int width, int rows)
{
    if (width > w->nworkers || rows < width) return NULL;
    exrqoi__pool_lease *lease = exrqoi__pool_lease_take(pool, rows);
    exrqoi__workers_lend(w->workers, width, lease);
    return lease;
}

void exrqoi__writer_unlease(exrqoi_writer *w, exrqoi_pool *pool, exrqoi__pool_lease *lease, int width)
{
    if (!lease) return;
    exrqoi__workers_unlend(w->workers, width);
    exrqoi__pool_lease_give(pool, lease);
}

exrqoi_result exrqoi__writer_workers(exrqoi_writer *w, int n)
{
    if (w->nworkers >= n) return EXRQOI_OK;
    exrqoi__workers_free(w->alloc, w->workers, w->nworkers);
    w->workers = exrqoi__workers_new(w->alloc, n);
    w->nworkers = w->workers ? n : 0;
    if (!w->workers) return exrqoi__fail(&w->err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    for (int i = 0; i < n; i++) {
        w->workers[i].codec.zip_level = w->zip_level; /* 0: each codec's default */
        if (w->dwa_level > 0) w->workers[i].codec.dwa_level = w->dwa_level;
    }
    return EXRQOI_OK;
}

exrqoi_result exrqoi_writer_write_raw_chunk(exrqoi_writer *w, int part, const exrqoi_chunk_info *info,
                                            const void *data, size_t size)
{
    if (!w || !info || (!data && size)) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (w->finished || w->failed) return exrqoi__fail(&w->err, EXRQOI_ERR_BAD_STATE, "writer is finished");
    if (part < 0 || part >= w->nparts) return EXRQOI_ERR_NOT_FOUND;
    exrqoi__part *p = &w->parts[part];
    if (info->index >= p->info.chunk_count) return EXRQOI_ERR_NOT_FOUND;
    exrqoi_chunk_info ci;
    memset(&ci, 0, sizeof ci);
    EXRQOI_TRY(exrqoi__part_chunk_window(p, info->index, &ci.window, &ci.tile_x, &ci.tile_y, &ci.level_x,
                                         &ci.level_y));
    if (p->deep) {
        if (info->packed_count_table_size + info->packed_size != size)
            return exrqoi__fail(&w->err, EXRQOI_ERR_INVALID_ARGUMENT, "deep chunk sizes do not add up");
        ci.packed_count_table_size = info->packed_count_table_size;
        ci.packed_size = info->packed_size;
        ci.unpacked_size = info->unpacked_size;
    } else {
        if (size > INT32_MAX) return exrqoi__fail(&w->err, EXRQOI_ERR_LIMIT, "chunk too large");
        ci.packed_size = size;
    }
    uint8_t leader[48];
    size_t ls = exrqoi__chunk_leader(w, part, &ci, leader);
    exrqoi_result rv = exrqoi__writer_emit(w, part, info->index, leader, ls, (const uint8_t *)data, size, NULL, 0);
    if (rv) w->failed = true;
    return rv;
}

static exrqoi_result write_tables(exrqoi_writer *w)
{
    for (int k = 0; k < w->nparts; k++) {
        exrqoi__part *p = &w->parts[k];
        for (uint64_t i = 0; i < p->info.chunk_count; i++)
            if (!p->offsets[i])
                return exrqoi__fail(&w->err, EXRQOI_ERR_BAD_STATE, "part %d: chunk %llu was never written", k,
                                    (unsigned long long)i);
    }
    if (w->hold) {
        /* assign offsets in the order the chunks were given */
        uint64_t pos = w->chunks_start;
        for (size_t i = 0; i < w->nheld; i++) {
            w->parts[w->held[i].part].offsets[w->held[i].index] = pos;
            pos += w->held[i].size;
        }
        EXRQOI_TRY(exrqoi__sink_write(&w->sink, w->header_bytes, w->header_size, &w->err));
    } else {
        EXRQOI_TRY(exrqoi__sink_seek(&w->sink, w->header_end, &w->err));
    }
    uint8_t buf[8 * 512];
    for (int k = 0; k < w->nparts; k++) {
        exrqoi__part *p = &w->parts[k];
        uint64_t i = 0;
        while (i < p->info.chunk_count) {
            size_t n = 0;
            for (; n < 512 && i < p->info.chunk_count; n++, i++) exrqoi__put64(buf + 8 * n, p->offsets[i]);
            EXRQOI_TRY(exrqoi__sink_write(&w->sink, buf, 8 * n, &w->err));
        }
    }
    if (w->hold) {
        for (size_t i = 0; i < w->nheld; i++)
            EXRQOI_TRY(exrqoi__sink_write(&w->sink, w->held[i].bytes, w->held[i].size, &w->err));
    }
    return EXRQOI_OK;
}

exrqoi_result exrqoi_writer_finish(exrqoi_writer *w)
{
    if (!w) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (w->finished || w->failed) return exrqoi__fail(&w->err, EXRQOI_ERR_BAD_STATE, "writer cannot finish");
    exrqoi_result rv = write_tables(w);
    if (rv == EXRQOI_OK) rv = exrqoi__sink_finish(&w->sink, false, &w->err);
    if (rv) {
        w->failed = true;
        return rv;
    }
    w->finished = true;
    return EXRQOI_OK;
}

void exrqoi_writer_close(exrqoi_writer *w)
{
    if (!w) return;
    if (!w->finished) exrqoi__sink_abort(&w->sink);
    else exrqoi__sink_abort(&w->sink); /* frees what is left (nothing on disk) */
    for (int k = 0; k < w->nparts; k++) exrqoi__part_free(&w->parts[k]);
    exrqoi__free(w->alloc, w->parts);
    for (size_t i = 0; i < w->nheld; i++) exrqoi__free(w->alloc, w->held[i].bytes);
    exrqoi__free(w->alloc, w->held);
    exrqoi__free(w->alloc, w->header_bytes);
    exrqoi__workers_free(w->alloc, w->workers, w->nworkers);
    if (w->own_pool) exrqoi_pool_close(w->pool);
    exrqoi_allocator a = w->alloc_store;
    bool has = w->alloc != NULL;
    exrqoi__free(has ? &a : NULL, w);
}

const char *exrqoi_writer_error(const exrqoi_writer *w) { return w ? w->err.msg : ""; }
