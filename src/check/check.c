/* exrqoi_check_*: reads and decodes every chunk of every part and lists
 * the damaged ones, without stopping at the first. */
#include "block/lines.h"
#include "chunk/reader.h"
#include "deep/deep_chunk.h"
#include "exrqoi/check.h"

#include <stdio.h>

/* Buffers reused from chunk to chunk. */
typedef struct check_ctx {
    exrqoi_reader *r;
    exrqoi_check_report *rep;
    exrqoi__codec_ctx codec;
    void *packed, *unpacked, *counts, *offsets;
    size_t packed_cap, unpacked_cap, counts_cap, offsets_cap;
    void *chan_data[64];
    size_t chan_cap[64];
    exrqoi_result first; /* code of the first problem */
} check_ctx;

static exrqoi_check_kind kind_of(exrqoi_result rv)
{
    switch (rv) {
    case EXRQOI_ERR_BAD_OFFSETS: return EXRQOI_CHECK_MISSING;
    case EXRQOI_ERR_TRUNCATED: return EXRQOI_CHECK_TRUNCATED;
    case EXRQOI_ERR_BAD_CHUNK: return EXRQOI_CHECK_BAD_LEADER;
    case EXRQOI_ERR_LIMIT: return EXRQOI_CHECK_LIMIT;
    case EXRQOI_ERR_UNSUPPORTED:
    case EXRQOI_ERR_UNSUPPORTED_COMPRESSION: return EXRQOI_CHECK_UNSUPPORTED;
    default: return EXRQOI_CHECK_CORRUPT;
    }
}

const char *exrqoi_check_kind_name(exrqoi_check_kind kind)
{
    switch (kind) {
    case EXRQOI_CHECK_UNREADABLE: return "unreadable";
    case EXRQOI_CHECK_MISSING: return "missing";
    case EXRQOI_CHECK_TRUNCATED: return "truncated";
    case EXRQOI_CHECK_BAD_LEADER: return "bad leader";
    case EXRQOI_CHECK_CORRUPT: return "corrupt";
    case EXRQOI_CHECK_LIMIT: return "over limit";
    case EXRQOI_CHECK_UNSUPPORTED: return "unsupported";
    default: return "unknown";
    }
}

static exrqoi_result add_problem(exrqoi_check_report *rep, const exrqoi_check_problem *pb)
{
    if (rep->problem_count >= EXRQOI_CHECK_MAX_PROBLEMS) {
        rep->problems_dropped++;
        return EXRQOI_OK;
    }
    const exrqoi_allocator *a = rep->alloc.alloc ? &rep->alloc : NULL;
    /* grow by doubling; the array is small next to the file */
    size_t n = rep->problem_count;
    if ((n & (n - 1)) == 0) {
        size_t cap = n ? n * 2 : 1;
        exrqoi_check_problem *np =
            (exrqoi_check_problem *)exrqoi__alloc(a, cap * sizeof *np);
        if (!np) return EXRQOI_ERR_OUT_OF_MEMORY;
        if (n) memcpy(np, rep->problems, n * sizeof *np);
        exrqoi__free(a, rep->problems);
        rep->problems = np;
    }
    rep->problems[n] = *pb;
    rep->problem_count = n + 1;
    return EXRQOI_OK;
}

static exrqoi_result grow(check_ctx *c, void **p, size_t *cap, size_t size)
{
    if (exrqoi__reserve(exrqoi__reader_alloc(c->r), p, cap, size) != EXRQOI_OK)
        return exrqoi__fail(&c->codec.err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    return EXRQOI_OK;
}

/* Pointer to the chunk's packed bytes (memory sources: no copy). */
static exrqoi_result load(check_ctx *c, uint64_t off, uint64_t n, const uint8_t **out,
                          exrqoi__err *err)
{
    exrqoi_reader *r = c->r;
    if (!exrqoi__budget_fits(exrqoi__reader_limits(r), 1, n) || n > SIZE_MAX)
        return exrqoi__fail(err, EXRQOI_ERR_LIMIT, "chunk of %llu bytes over the allocation limit",
                            (unsigned long long)n);
    return exrqoi__chunk_payload(r, off, n, &c->packed, &c->packed_cap, out, err);
}

static exrqoi_result check_flat(check_ctx *c, const exrqoi__part *p, const exrqoi_chunk_info *ci,
                                uint64_t off, exrqoi__err *err)
{
    exrqoi__chan_layout local[16];
    exrqoi__chan_layout *chans = local;
    int n = p->info.channel_count;
    if (n > 16) {
        chans = (exrqoi__chan_layout *)exrqoi__calloc(exrqoi__reader_alloc(c->r), (size_t)n, sizeof *chans);
        if (!chans) return exrqoi__fail(err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    }
    exrqoi__block_layout bl;
    exrqoi_result rv = exrqoi__block_layout_for(p, &ci->window, chans, &bl);
    if (rv == EXRQOI_OK && bl.unpacked_size > exrqoi__reader_limits(c->r)->max_chunk_size)
        rv = exrqoi__fail(err, EXRQOI_ERR_LIMIT, "unpacks to %zu bytes, over the chunk size limit",
                          bl.unpacked_size);
    if (rv == EXRQOI_OK) rv = exrqoi__check_expansion(bl.compression, &bl, ci->packed_size, bl.unpacked_size, err);
    const uint8_t *packed = NULL;
    if (rv == EXRQOI_OK) rv = load(c, off, ci->packed_size, &packed, err);
    if (rv == EXRQOI_OK && ci->packed_size != bl.unpacked_size) {
        rv = grow(c, &c->unpacked, &c->unpacked_cap, bl.unpacked_size);
        if (rv == EXRQOI_OK) {
            exrqoi__err_clear(&c->codec.err);
            rv = exrqoi__decompress_block(&c->codec, &bl, packed, (size_t)ci->packed_size,
                                          (uint8_t *)c->unpacked);
            if (rv != EXRQOI_OK)
                exrqoi__fail(err, rv, "%s data: %s", exrqoi_compression_name(bl.compression),
                             c->codec.err.msg[0] ? c->codec.err.msg : exrqoi_strerror(rv));
        }
    }
    if (chans != local) exrqoi__free(exrqoi__reader_alloc(c->r), chans);
    return rv;
}

static exrqoi_result check_deep(check_ctx *c, const exrqoi__part *p, const exrqoi_chunk_info *ci,
                                uint64_t off, exrqoi__err *err)
{
    exrqoi_reader *r = c->r;
    int n = p->info.channel_count;
    if (n > 64) return exrqoi__fail(err, EXRQOI_ERR_UNSUPPORTED, "more than 64 deep channels");
    exrqoi_pixel_type types[64];
    for (int k = 0; k < n; k++) types[k] = p->info.channels[k].type;
    exrqoi__deep_chunk_layout L;
    memset(&L, 0, sizeof L);
    L.width = ci->window.max.x - ci->window.min.x + 1;
    L.height = ci->window.max.y - ci->window.min.y + 1;
    L.nchan = n;
    L.types = types;
    L.compression = p->info.compression;
    if (p->info.tiled)
        L.full_table_size = (uint64_t)p->info.tiles.x_size * p->info.tiles.y_size * 4u;
    exrqoi__deep_chunk_sizes sz = {ci->packed_count_table_size, ci->packed_size, ci->unpacked_size};
    const uint8_t *bytes = NULL;
    /* the leader's three sizes are part of the leader (already read) */
    EXRQOI_TRY(load(c, off, ci->packed_count_table_size + ci->packed_size, &bytes, err));
    size_t pixels = (size_t)L.width * (size_t)L.height;
    size_t cb, ob;
    if (exrqoi__mul_size(pixels, 4, &cb) || exrqoi__mul_size(pixels + 1, 8, &ob) ||
        !exrqoi__budget_fits(exrqoi__reader_limits(r), 1, cb + ob))
        return exrqoi__fail(err, EXRQOI_ERR_LIMIT, "deep chunk of %zu pixels over the limits", pixels);
    EXRQOI_TRY(grow(c, &c->counts, &c->counts_cap, cb));
    EXRQOI_TRY(grow(c, &c->offsets, &c->offsets_cap, ob));
    uint32_t *counts = (uint32_t *)c->counts;
    uint64_t *offs = (uint64_t *)c->offsets;
    uint64_t total = 0;
    exrqoi__err_clear(&c->codec.err);
    exrqoi_result rv = exrqoi__deep_decode_counts(&c->codec, exrqoi__reader_limits(r), &L, &sz, bytes, counts,
                                                  (size_t)L.width, &total);
    if (rv != EXRQOI_OK)
        return exrqoi__fail(err, rv, "sample count table: %s",
                            c->codec.err.msg[0] ? c->codec.err.msg : exrqoi_strerror(rv));
    offs[0] = 0;
    for (size_t i = 0; i < pixels; i++) offs[i + 1] = offs[i] + counts[i];
    void *dst[64];
    uint64_t need = 0;
    for (int k = 0; k < n; k++) need += total * (uint64_t)exrqoi_pixel_type_size(types[k]);
    if (!exrqoi__budget_fits(exrqoi__reader_limits(r), 1, need) || need > SIZE_MAX)
        return exrqoi__fail(err, EXRQOI_ERR_LIMIT, "deep chunk samples need %llu bytes, over the limit",
                            (unsigned long long)need);
    for (int k = 0; k < n; k++) {
        EXRQOI_TRY(grow(c, &c->chan_data[k], &c->chan_cap[k],
                        (size_t)total * (size_t)exrqoi_pixel_type_size(types[k])));
        dst[k] = c->chan_data[k];
    }
    exrqoi__err_clear(&c->codec.err);
    rv = exrqoi__deep_decode_samples(&c->codec, exrqoi__reader_limits(r), &L, &sz,
                                     bytes + ci->packed_count_table_size, counts, (size_t)L.width,
                                     offs, (size_t)L.width, dst, total);
    if (rv != EXRQOI_OK)
        return exrqoi__fail(err, rv, "sample data: %s",
                            c->codec.err.msg[0] ? c->codec.err.msg : exrqoi_strerror(rv));
    return EXRQOI_OK;
}

static exrqoi_result check_chunk(check_ctx *c, int part, uint64_t index)
{
    exrqoi_reader *r = c->r;
    const exrqoi__part *p = exrqoi__reader_part(r, part);
    exrqoi__err err;
    memset(&err, 0, sizeof err);
    exrqoi_chunk_info ci;
    uint64_t off = 0;
    exrqoi_result rv = exrqoi__read_chunk_leader(r, part, index, &ci, &off, &err);
    if (rv == EXRQOI_OK) rv = exrqoi__chunk_evidence(r, part, &ci, false, &err);
    if (rv == EXRQOI_OK)
        rv = p->deep ? check_deep(c, p, &ci, off, &err) : check_flat(c, p, &ci, off, &err);
    if (rv == EXRQOI_OK) {
        c->rep->chunks_ok++;
        return EXRQOI_OK;
    }
    if (rv == EXRQOI_ERR_OUT_OF_MEMORY) return rv;
    exrqoi_check_problem pb;
    memset(&pb, 0, sizeof pb);
    pb.kind = kind_of(rv);
    pb.code = rv;
    pb.part = part;
    pb.chunk = index;
    (void)exrqoi__part_chunk_window(p, index, &pb.window, &pb.tile_x, &pb.tile_y, &pb.level_x,
                                    &pb.level_y);
    pb.file_offset = p->offsets[index];
    snprintf(pb.reason, sizeof pb.reason, "%s", err.msg[0] ? err.msg : exrqoi_strerror(rv));
    if (!c->first) c->first = rv;
    return add_problem(c->rep, &pb);
}

static void report_init(exrqoi_check_report *rep, const exrqoi_allocator *a)
{
    memset(rep, 0, sizeof *rep);
    if (a) rep->alloc = *a;
}

exrqoi_result exrqoi_check_reader(exrqoi_reader *r, exrqoi_check_report *rep)
{
    if (!rep) return EXRQOI_ERR_INVALID_ARGUMENT;
    report_init(rep, r ? exrqoi__reader_alloc(r) : NULL);
    if (!r) return EXRQOI_ERR_INVALID_ARGUMENT;
    check_ctx c;
    memset(&c, 0, sizeof c);
    c.r = r;
    c.rep = rep;
    exrqoi__codec_ctx_init(&c.codec, exrqoi__reader_alloc(r));
    rep->part_count = exrqoi_reader_part_count(r);
    exrqoi_result rv = EXRQOI_OK;
    for (int k = 0; k < exrqoi_reader_part_count(r) && rv == EXRQOI_OK; k++) {
        const exrqoi__part *p = exrqoi__reader_part(r, k);
        rep->chunk_count += p->info.chunk_count;
        if (p->info.offsets_rebuilt) rep->offsets_rebuilt = 1;
        for (uint64_t i = 0; i < p->info.chunk_count && rv == EXRQOI_OK; i++) rv = check_chunk(&c, k, i);
    }
    exrqoi__codec_ctx_free(&c.codec);
    exrqoi__free(exrqoi__reader_alloc(r), c.packed);
    exrqoi__free(exrqoi__reader_alloc(r), c.unpacked);
    exrqoi__free(exrqoi__reader_alloc(r), c.counts);
    exrqoi__free(exrqoi__reader_alloc(r), c.offsets);
    for (int k = 0; k < 64; k++) exrqoi__free(exrqoi__reader_alloc(r), c.chan_data[k]);
    if (rv != EXRQOI_OK) return exrqoi__fail(exrqoi__reader_err(r), rv, "check: out of memory");
    return c.first;
}

/* The file could not be opened: one problem for the whole file. */
static exrqoi_result unreadable(exrqoi_check_report *rep, exrqoi_result code, const char *msg)
{
    exrqoi_check_problem pb;
    memset(&pb, 0, sizeof pb);
    pb.kind = EXRQOI_CHECK_UNREADABLE;
    pb.code = code;
    pb.part = -1;
    snprintf(pb.reason, sizeof pb.reason, "%s", msg[0] ? msg : exrqoi_strerror(code));
    (void)add_problem(rep, &pb);
    return code;
}

typedef struct first_msg {
    char text[512];
    exrqoi_message_fn chain;
    void *chain_user;
} first_msg;

static void keep_first(void *user, exrqoi_result code, const char *message)
{
    first_msg *m = (first_msg *)user;
    if (!m->text[0]) snprintf(m->text, sizeof m->text, "%s", message);
    if (m->chain) m->chain(m->chain_user, code, message);
}

exrqoi_result exrqoi_check(exrqoi_source source, const exrqoi_read_options *opts,
                           exrqoi_check_report *rep)
{
    if (!rep) return EXRQOI_ERR_INVALID_ARGUMENT;
    exrqoi_read_options o = EXRQOI_READ_OPTIONS_INIT;
    if (exrqoi__source_check(&source, NULL) != EXRQOI_OK ||
        exrqoi__options_copy(&o, sizeof o, opts) != EXRQOI_OK) {
        memset(rep, 0, sizeof *rep);
        return EXRQOI_ERR_INVALID_ARGUMENT;
    }
    report_init(rep, o.allocator);
    first_msg m;
    memset(&m, 0, sizeof m);
    m.chain = o.on_message;
    m.chain_user = o.message_user;
    o.on_message = keep_first;
    o.message_user = &m;
    exrqoi_reader *r = NULL;
    exrqoi_result rv = exrqoi_reader_open(source, &o, &r);
    if (rv != EXRQOI_OK) return unreadable(rep, rv, m.text);
    /* messages of the check itself go to the caller only */
    exrqoi__reader_err(r)->on_message = m.chain;
    exrqoi__reader_err(r)->user = m.chain_user;
    rv = exrqoi_check_reader(r, rep);
    exrqoi_reader_close(r);
    return rv;
}

void exrqoi_check_report_free(exrqoi_check_report *report)
{
    if (!report) return;
    exrqoi__free(report->alloc.alloc ? &report->alloc : NULL, report->problems);
    memset(report, 0, sizeof *report);
}
