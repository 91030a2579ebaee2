/* exrqoi_bench: the same work done by libexrqoi and by the reference
 * implementations, side by side in one process, runs interleaved (one
 * warm-up, then the median of --runs). Prints times and the speed ratio
 * ours/theirs (> 1 means libexrqoi is faster). Also checks that every
 * engine decoded the same samples and that QOI encodes are byte-identical.
 * See docs/benchmarks.md. */
#define _POSIX_C_SOURCE 200809L
#include <libdeflate.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifndef _WIN32
#include <sys/resource.h>
#endif

#include "bench_internal.h"
#include "exrqoi/exrqoi.h"

#ifndef BENCH_HAVE_CPP
int bench_cpp_available(void) { return 0; }
int bench_cpp_set_threads(int threads) { (void)threads; return 0; }
int bench_cpp_decode(const bench_plan *p, char *err, size_t errlen)
{
    (void)p;
    snprintf(err, errlen, "built without C++");
    return 1;
}
int bench_cpp_encode(const bench_plan *p, int comp, size_t *out_size, void **bytes, char *err, size_t errlen)
{
    (void)p;
    (void)comp;
    (void)out_size;
    (void)bytes;
    snprintf(err, errlen, "built without C++");
    return 1;
}
#endif

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
    double tmp[256];
    if (n > 256) n = 256;
    memcpy(tmp, v, sizeof(double) * (size_t)n);
    qsort(tmp, (size_t)n, sizeof *tmp, cmp_double);
    return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

static unsigned char *load_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) != 0) {
        fclose(f);
        return NULL;
    }
    long n = ftell(f);
    rewind(f);
    unsigned char *d = n > 0 ? malloc((size_t)n) : NULL;
    if (!d || fread(d, 1, (size_t)n, f) != (size_t)n) {
        free(d);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *size = (size_t)n;
    return d;
}

/* ---- the plan: destination buffers shared by every engine ------------- */

static int32_t first_sampled(int32_t v, int32_t s)
{
    int32_t m = ((v % s) + s) % s;
    return m ? v + (s - m) : v;
}

static void plan_free(bench_plan *p)
{
    for (int i = 0; i < p->nlevels; i++) {
        for (int c = 0; c < p->levels[i].nchan; c++) {
            free(p->levels[i].chans[c].name);
            free(p->levels[i].chans[c].data);
        }
        free(p->levels[i].chans);
    }
    free(p->levels);
    for (int i = 0; i < p->ndeep; i++) {
        bench_deep *D = &p->deep[i];
        for (int c = 0; c < D->nchan; c++) {
            if (D->names) free(D->names[c]);
            if (D->samples) free(D->samples[c]);
        }
        free(D->names);
        free(D->types);
        free(D->sizes);
        free(D->samples);
        free(D->counts);
    }
    free(p->deep);
    memset(p, 0, sizeof *p);
}

/* A deep level's destination arrays, sized from our own read of it. */
static int plan_deep(exrqoi_reader *r, const exrqoi_part_info *pi, int part, int lx, int ly, bench_plan *p)
{
    exrqoi_deep_image img;
    if (exrqoi_reader_read_deep(r, part, lx, ly, &img)) return 1;
    bench_deep *nd = realloc(p->deep, sizeof *nd * (size_t)(p->ndeep + 1));
    if (!nd) {
        exrqoi_deep_image_free(&img);
        return 1;
    }
    p->deep = nd;
    bench_deep *D = &nd[p->ndeep++];
    memset(D, 0, sizeof *D);
    exrqoi_box2i w;
    exrqoi_reader_level_window(r, part, lx, ly, &w);
    D->part = part;
    D->lx = lx;
    D->ly = ly;
    D->tiled = pi->tiled;
    D->minx = w.min.x;
    D->miny = w.min.y;
    D->width = img.width;
    D->height = img.height;
    D->total = img.total_samples;
    size_t n = (size_t)img.channel_count ? (size_t)img.channel_count : 1;
    D->names = calloc(n, sizeof *D->names);
    D->types = calloc(n, sizeof *D->types);
    D->sizes = calloc(n, sizeof *D->sizes);
    D->samples = calloc(n, sizeof *D->samples);
    D->counts = malloc(((size_t)img.width * (size_t)img.height + 1) * 4);
    int bad = !D->names || !D->types || !D->sizes || !D->samples || !D->counts;
    for (int c = 0; c < img.channel_count && !bad; c++, D->nchan++) {
        D->names[c] = strdup(img.channels[c].name);
        D->types[c] = (int)img.channels[c].type;
        D->sizes[c] = exrqoi_pixel_type_size(img.channels[c].type);
        D->samples[c] = malloc((size_t)D->total * (size_t)D->sizes[c] + 1);
        bad = !D->names[c] || !D->samples[c];
        p->mbytes += (double)D->total * D->sizes[c] / 1e6;
    }
    p->mpix += (double)img.width * img.height / 1e6;
    exrqoi_deep_image_free(&img);
    return bad;
}

static int plan_make(exrqoi_reader *r, const unsigned char *file, size_t size, bench_plan *p)
{
    memset(p, 0, sizeof *p);
    p->file = file;
    p->file_size = size;
    p->nparts = exrqoi_reader_part_count(r);
    for (int part = 0; part < p->nparts; part++) {
        exrqoi_part_info pi;
        if (exrqoi_reader_part_info(r, part, &pi)) return 1;
        if (part == 0) p->compression = (int)pi.compression;
        if (pi.type == EXRQOI_PART_DEEP_SCANLINE || pi.type == EXRQOI_PART_DEEP_TILED) {
            p->has_deep = 1;
            for (int ly = 0; ly < pi.num_y_levels; ly++)
                for (int lx = 0; lx < pi.num_x_levels; lx++) {
                    exrqoi_box2i w;
                    if (exrqoi_reader_level_window(r, part, lx, ly, &w) != EXRQOI_OK) continue;
                    if (plan_deep(r, &pi, part, lx, ly, p)) return 1;
                }
            continue;
        }
        for (int ly = 0; ly < pi.num_y_levels; ly++) {
            for (int lx = 0; lx < pi.num_x_levels; lx++) {
                exrqoi_box2i w;
                if (exrqoi_reader_level_window(r, part, lx, ly, &w) != EXRQOI_OK) continue;
                bench_level *nl = realloc(p->levels, sizeof *nl * (size_t)(p->nlevels + 1));
                if (!nl) return 1;
                p->levels = nl;
                bench_level *L = &nl[p->nlevels++];
                memset(L, 0, sizeof *L);
                L->part = part;
                L->lx = lx;
                L->ly = ly;
                L->tiled = pi.tiled;
                L->minx = w.min.x;
                L->miny = w.min.y;
                L->maxx = w.max.x;
                L->maxy = w.max.y;
                p->mpix += ((double)w.max.x - w.min.x + 1) * ((double)w.max.y - w.min.y + 1) / 1e6;
                L->chans = calloc((size_t)(pi.channel_count ? pi.channel_count : 1), sizeof *L->chans);
                if (!L->chans) return 1;
                for (int c = 0; c < pi.channel_count; c++) {
                    const exrqoi_channel *ch = &pi.channels[c];
                    bench_chan *bc = &L->chans[L->nchan++];
                    bc->name = strdup(ch->name);
                    bc->type = (int)ch->type;
                    bc->size = exrqoi_pixel_type_size(ch->type);
                    bc->xs = ch->x_sampling;
                    bc->ys = ch->y_sampling;
                    exrqoi_sample_extent(&w, bc->xs, bc->ys, &bc->cols, &bc->rows);
                    size_t bytes = (size_t)bc->cols * (size_t)bc->rows * (size_t)bc->size;
                    bc->data = calloc(bytes ? bytes : 1, 1);
                    if (!bc->name || !bc->data) return 1;
                    memset(bc->data, 0, bytes);
                    bc->xstride = bc->size;
                    bc->ystride = (ptrdiff_t)bc->size * bc->cols;
                    bc->origin = bc->data - (ptrdiff_t)(first_sampled(w.min.x, bc->xs) / bc->xs) * bc->xstride -
                                 (ptrdiff_t)(first_sampled(w.min.y, bc->ys) / bc->ys) * bc->ystride;
                    p->mbytes += (double)bytes / 1e6;
                }
            }
        }
    }
    return 0;
}

uint32_t bench_plan_crc(const bench_plan *p)
{
    uint32_t crc = 0;
    for (int i = 0; i < p->nlevels; i++)
        for (int c = 0; c < p->levels[i].nchan; c++) {
            const bench_chan *bc = &p->levels[i].chans[c];
            crc = exrqoi_crc32(crc, bc->data, (size_t)bc->cols * (size_t)bc->rows * (size_t)bc->size);
        }
    for (int i = 0; i < p->ndeep; i++) {
        const bench_deep *D = &p->deep[i];
        crc = exrqoi_crc32(crc, D->counts, (size_t)D->width * (size_t)D->height * 4);
        for (int c = 0; c < D->nchan; c++) crc = exrqoi_crc32(crc, D->samples[c], (size_t)D->total * (size_t)D->sizes[c]);
    }
    return crc;
}

void bench_plan_clear(const bench_plan *p)
{
    for (int i = 0; i < p->nlevels; i++)
        for (int c = 0; c < p->levels[i].nchan; c++) {
            const bench_chan *bc = &p->levels[i].chans[c];
            memset(bc->data, 0, (size_t)bc->cols * (size_t)bc->rows * (size_t)bc->size);
        }
    for (int i = 0; i < p->ndeep; i++) {
        const bench_deep *D = &p->deep[i];
        memset(D->counts, 0, (size_t)D->width * (size_t)D->height * 4);
        for (int c = 0; c < D->nchan; c++) memset(D->samples[c], 0, (size_t)D->total * (size_t)D->sizes[c]);
    }
}

/* ---- engines ------------------------------------------------------------ */

typedef struct ctx {
    const bench_plan *p;
    /* our decode: one request per level, slices from the plan */
    exrqoi_region_request *reqs;
    exrqoi_slice *slices;
    size_t nreqs;
    int threads;
    exrqoi_pool *pool;
    /* our deep reads: one image per deep level, kept between runs */
    exrqoi_deep_image *dimg;
    int checking; /* the output-checking warm-up: ours copies its deep images into the plan */
    /* encode */
    exrqoi_image *img;
    int comp;
    size_t out_size;
    void *out_copy; /* when keep_out: a copy of the last write (malloc'ed) */
    int keep_out;
    /* libdeflate ceiling */
    const unsigned char **chunk;
    void **chunk_owned; /* the raw chunk buffer entry i frees, or NULL */
    size_t *chunk_size, *chunk_unpacked;
    size_t nchunks, chunk_cap, max_unpacked;
    /* inflate + copy ceiling: each chunk's pixels and plan level (-1: none) */
    exrqoi_box2i *chunk_win;
    int *chunk_level;
    int copy_ok; /* every chunk has a level and no channel is subsampled */
    /* memcpy baseline */
    unsigned char *copy_src, *copy_dst;
    size_t copy_bytes;
    char err[512];
} ctx;

/* Our deep image into the plan's arrays, for the output check. */
static void copy_deep(const bench_deep *D, const exrqoi_deep_image *img)
{
    if (img->width != D->width || img->height != D->height || img->total_samples != D->total) return;
    memcpy(D->counts, img->counts, (size_t)D->width * (size_t)D->height * 4);
    for (int c = 0; c < D->nchan && c < img->channel_count; c++)
        memcpy(D->samples[c], img->channels[c].samples, (size_t)D->total * (size_t)D->sizes[c]);
}

static int ours_decode(ctx *c)
{
    exrqoi_read_options ro = EXRQOI_READ_OPTIONS_INIT;
    ro.pool = c->pool;
    ro.threads = c->threads;
    exrqoi_reader *r;
    exrqoi_result rv = exrqoi_reader_open(exrqoi_source_memory(c->p->file, c->p->file_size), &ro, &r);
    if (!rv) {
        /* every level of every part as one parallel job */
        rv = exrqoi_reader_read_regions(r, c->reqs, c->nreqs);
        /* deep levels into the images of the previous run (their memory reused) */
        for (int i = 0; i < c->p->ndeep && !rv; i++) {
            const bench_deep *D = &c->p->deep[i];
            rv = exrqoi_reader_read_deep_reuse(r, D->part, D->lx, D->ly, &c->dimg[i]);
            if (!rv && c->checking) copy_deep(D, &c->dimg[i]);
        }
        if (rv) snprintf(c->err, sizeof c->err, "%s", exrqoi_reader_error(r));
    }
    exrqoi_reader_close(r);
    return rv != EXRQOI_OK;
}

/* Our decode's requests: one per level, slices into the plan's buffers. */
static int make_requests(ctx *c)
{
    const bench_plan *p = c->p;
    size_t ns = 0;
    for (int i = 0; i < p->nlevels; i++) ns += (size_t)p->levels[i].nchan;
    c->reqs = calloc((size_t)(p->nlevels ? p->nlevels : 1), sizeof *c->reqs);
    c->slices = calloc(ns ? ns : 1, sizeof *c->slices);
    if (!c->reqs || !c->slices) return 1;
    size_t at = 0;
    for (int i = 0; i < p->nlevels; i++) {
        const bench_level *L = &p->levels[i];
        exrqoi_region_request *q = &c->reqs[i];
        q->part = L->part;
        q->lx = L->lx;
        q->ly = L->ly;
        q->slices = c->slices + at;
        q->slice_count = L->nchan;
        for (int k = 0; k < L->nchan; k++, at++) {
            exrqoi_slice *sl = &c->slices[at];
            sl->name = L->chans[k].name;
            sl->type = (exrqoi_pixel_type)L->chans[k].type;
            sl->base = L->chans[k].data;
            sl->x_stride = L->chans[k].xstride;
            sl->y_stride = L->chans[k].ystride;
        }
    }
    c->nreqs = (size_t)p->nlevels;
    return 0;
}

static int c_decode(ctx *c) { return bench_c_decode(c->p, c->threads, c->err, sizeof c->err); }
static int cpp_decode(ctx *c) { return bench_cpp_decode(c->p, c->err, sizeof c->err); }

/* The encoders' output: one buffer reserved per write, as the C++
 * engine's stream does (file size * 2 + 4 KiB), so that neither pays for
 * growing it. */
typedef struct mem_out {
    unsigned char *buf;
    size_t cap, pos, len;
} mem_out;

static int mem_out_write(void *user, const void *data, size_t size)
{
    mem_out *m = (mem_out *)user;
    if (size > m->cap - m->pos) {
        size_t cap = m->cap * 2 > m->pos + size ? m->cap * 2 : m->pos + size;
        unsigned char *b = realloc(m->buf, cap);
        if (!b) return -1;
        m->buf = b;
        m->cap = cap;
    }
    memcpy(m->buf + m->pos, data, size);
    m->pos += size;
    if (m->pos > m->len) m->len = m->pos;
    return 0;
}

static int mem_out_seek(void *user, uint64_t offset)
{
    mem_out *m = (mem_out *)user;
    if (offset > m->len) return -1;
    m->pos = (size_t)offset;
    return 0;
}

static int ours_encode(ctx *c)
{
    exrqoi_write_options wo = EXRQOI_WRITE_OPTIONS_INIT;
    /* the pool of this thread count, kept across writes (its scratch too) */
    wo.pool = c->pool;
    wo.threads = c->threads;
    mem_out m = {malloc(c->p->file_size * 2 + 4096), c->p->file_size * 2 + 4096, 0, 0};
    if (!m.buf) return 1;
    exrqoi_output o = {mem_out_write, mem_out_seek, &m};
    exrqoi_result rv = exrqoi_image_write(exrqoi_sink_output(&o), c->img, &wo);
    if (rv) snprintf(c->err, sizeof c->err, "%s", exrqoi_strerror(rv));
    c->out_size = rv ? 0 : m.len;
    if (c->keep_out && !rv) {
        c->out_copy = m.buf; /* the caller frees it */
        return 0;
    }
    free(m.buf);
    return rv != EXRQOI_OK;
}

static int cpp_encode(ctx *c)
{
    return bench_cpp_encode(c->p, c->comp, &c->out_size, c->keep_out ? &c->out_copy : NULL, c->err, sizeof c->err);
}

typedef struct inflate_job {
    ctx *c;
    int copy; /* also copy each inflated chunk into the plan's image */
    atomic_size_t next;
    atomic_int failed;
} inflate_job;

/* Chunk i's inflated bytes, taken as the unpacked layout (each line: every
 * channel's samples in turn), copied line by line into the plan's level:
 * the stores any decoder makes into the caller's image, and nothing else
 * (PXR24 floats keep 3-byte planes: the bytes differ, the stores do not). */
static void copy_chunk(const ctx *c, size_t i, const unsigned char *src)
{
    const bench_level *L = &c->p->levels[c->chunk_level[i]];
    const exrqoi_box2i *w = &c->chunk_win[i];
    for (int32_t y = w->min.y; y <= w->max.y; y++)
        for (int k = 0; k < L->nchan; k++) {
            const bench_chan *bc = &L->chans[k];
            size_t n = (size_t)(w->max.x - w->min.x + 1) * (size_t)bc->size;
            memcpy(bc->origin + (ptrdiff_t)w->min.x * bc->xstride + (ptrdiff_t)y * bc->ystride, src, n);
            src += n;
        }
}

static void *inflate_worker(void *arg)
{
    inflate_job *j = (inflate_job *)arg;
    ctx *c = j->c;
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    unsigned char *buf = malloc(c->max_unpacked ? c->max_unpacked : 1);
    if (!d || !buf) atomic_store(&j->failed, 1);
    for (;;) {
        if (atomic_load(&j->failed)) break;
        size_t i = atomic_fetch_add(&j->next, 1);
        if (i >= c->nchunks) break;
        size_t got;
        if (libdeflate_zlib_decompress(d, c->chunk[i], c->chunk_size[i], buf, c->chunk_unpacked[i], &got) !=
            LIBDEFLATE_SUCCESS)
            atomic_store(&j->failed, 1);
        else if (j->copy)
            copy_chunk(c, i, buf);
    }
    free(buf);
    if (d) libdeflate_free_decompressor(d);
    return NULL;
}

/* libdeflate inflating the file's ZIP/ZIPS/PXR24 chunks into one reused
 * buffer, with `copy` each chunk then copied into the image. */
static int inflate_chunks(ctx *c, int copy)
{
    inflate_job j;
    j.c = c;
    j.copy = copy;
    atomic_init(&j.next, 0);
    atomic_init(&j.failed, 0);
    pthread_t th[64];
    int extra = c->threads > 1 ? (c->threads > 64 ? 63 : c->threads - 1) : 0, started = 0;
    for (; started < extra; started++)
        if (pthread_create(&th[started], NULL, inflate_worker, &j)) break;
    inflate_worker(&j);
    for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
    if (atomic_load(&j.failed)) snprintf(c->err, sizeof c->err, "inflate failed");
    return atomic_load(&j.failed);
}

/* libdeflate alone (no predictor, no interleave or plane rebuild, no
 * scatter): the ceiling for those codecs' decoding, which never writes
 * the image. */
static int inflate_only(ctx *c) { return inflate_chunks(c, 0); }

/* inflate_only plus the image stores every decoder makes (a plain copy of
 * each chunk line to the caller's layout): the ceiling of a decoder whose
 * un-predict/rebuild cost nothing. On tiled files the short strided lines
 * make these stores cost more per byte than on scanline files. */
static int inflate_copy(ctx *c) { return inflate_chunks(c, 1); }

typedef struct copy_part {
    unsigned char *dst;
    const unsigned char *src;
    size_t n;
} copy_part;

static void *copy_worker(void *arg)
{
    copy_part *p = (copy_part *)arg;
    memcpy(p->dst, p->src, p->n);
    return NULL;
}

/* The decoded byte count copied once, split over the threads (threads
 * created per run, as the exr-c engine does): the memory-speed ceiling. */
static int memcpy_only(ctx *c)
{
    int nt = c->threads > 1 ? (c->threads > 64 ? 64 : c->threads) : 1;
    copy_part parts[64];
    pthread_t th[64];
    size_t per = c->copy_bytes / (size_t)nt;
    for (int i = 0; i < nt; i++) {
        parts[i].dst = c->copy_dst + (size_t)i * per;
        parts[i].src = c->copy_src + (size_t)i * per;
        parts[i].n = i == nt - 1 ? c->copy_bytes - (size_t)i * per : per;
    }
    int started = 0;
    for (int i = 1; i < nt; i++, started++)
        if (pthread_create(&th[i], NULL, copy_worker, &parts[i])) break;
    copy_worker(&parts[0]);
    for (int i = started + 1; i < nt; i++) copy_worker(&parts[i]); /* threads that did not start */
    for (int i = 1; i <= started; i++) pthread_join(th[i], NULL);
    /* keep the copy observable */
    return c->copy_dst[c->copy_bytes / 2] != c->copy_src[c->copy_bytes / 2];
}

typedef int (*engine_fn)(ctx *);

typedef struct engine {
    const char *name;
    engine_fn fn;
    int enabled;
    int ok;
    double t[256];
    uint32_t crc;
} engine;

/* Warm-up (checking the output), then `runs` interleaved timed rounds. */
static void run_engines(ctx *c, engine *e, int ne, int runs, int check_crc)
{
    for (int k = 0; k < ne; k++) {
        if (!e[k].enabled) continue;
        if (check_crc) bench_plan_clear(c->p);
        c->err[0] = 0;
        c->checking = check_crc;
        e[k].ok = e[k].fn(c) == 0;
        c->checking = 0;
        if (!e[k].ok && c->threads <= 1) fprintf(stderr, "  %s failed: %s\n", e[k].name, c->err);
        if (check_crc && e[k].ok) e[k].crc = bench_plan_crc(c->p);
    }
    for (int r = 0; r < runs; r++) {
        for (int k = 0; k < ne; k++) {
            if (!e[k].enabled || !e[k].ok) continue;
            double t0 = now_ms();
            if (e[k].fn(c)) e[k].ok = 0;
            e[k].t[r] = now_ms() - t0;
        }
    }
}

static const char *short_name(const char *path)
{
    const char *s = strrchr(path, '/');
    if (!s) return path;
    const char *s2 = s;
    while (s2 > path && s2[-1] != '/') s2--;
    return s2 > path ? s2 : s + 1;
}

/* ---- EXR ----------------------------------------------------------------- */

static int is_dwa(int compression)
{
    return compression == EXRQOI_COMPRESSION_DWAA || compression == EXRQOI_COMPRESSION_DWAB;
}

/* One zlib stream to inflate (`owner`: the buffer to free with it, or
 * NULL when an earlier entry frees it); 1 when out of memory. */
static int push_chunk(ctx *c, const unsigned char *src, size_t n, size_t unpacked, const exrqoi_box2i *win,
                      int level, void *owner)
{
    if (c->nchunks == c->chunk_cap) {
        size_t cap = c->chunk_cap ? c->chunk_cap * 2 : 256;
        const unsigned char **chunk = realloc((void *)c->chunk, cap * sizeof *chunk);
        if (chunk) c->chunk = chunk;
        void **owned = realloc(c->chunk_owned, cap * sizeof *owned);
        if (owned) c->chunk_owned = owned;
        size_t *sz = realloc(c->chunk_size, cap * sizeof *sz);
        if (sz) c->chunk_size = sz;
        size_t *un = realloc(c->chunk_unpacked, cap * sizeof *un);
        if (un) c->chunk_unpacked = un;
        exrqoi_box2i *w = realloc(c->chunk_win, cap * sizeof *w);
        if (w) c->chunk_win = w;
        int *lv = realloc(c->chunk_level, cap * sizeof *lv);
        if (lv) c->chunk_level = lv;
        if (!chunk || !owned || !sz || !un || !w || !lv) return 1;
        c->chunk_cap = cap;
    }
    size_t i = c->nchunks++;
    c->chunk[i] = src;
    c->chunk_owned[i] = owner;
    c->chunk_size[i] = n;
    c->chunk_unpacked[i] = unpacked;
    c->chunk_win[i] = *win;
    c->chunk_level[i] = level;
    if (unpacked > c->max_unpacked) c->max_unpacked = unpacked;
    return 0;
}

static uint64_t le64_at(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

/* A DWA chunk's zlib streams, each an entry: the stored channels, the AC
 * coefficients, the DC ones, the RLE channels (OpenEXR inflates the same
 * streams with the same libdeflate). Takes `data`; 1 when the chunk is
 * malformed, its AC stream is Huffman coded (no inflate-only ceiling
 * then) or memory runs out. */
static int push_dwa_streams(ctx *c, void *data, size_t size)
{
    /* header: version, then the stream sizes (unknown raw/packed, AC, DC,
     * RLE packed/inflated/raw, AC count, DC count, AC coder) */
    enum { VERSION, UNK_RAW, UNK, AC, DC, RLE, RLE_INFLATED, RLE_RAW, AC_COUNT, DC_COUNT, AC_CODER, NFIELDS };
    const unsigned char *s = data;
    uint64_t h[NFIELDS] = {0};
    size_t pos = 8 * NFIELDS;
    int bad = size < pos;
    for (int i = 0; i < NFIELDS && !bad; i++) {
        h[i] = le64_at(s + 8 * i);
        bad = h[i] >> 40 != 0; /* no stream is a TB */
    }
    if (!bad && h[VERSION] == 2) {
        size_t rules = size - pos >= 2 ? (size_t)(s[pos] | s[pos + 1] << 8) : 0;
        bad = rules < 2 || rules > size - pos;
        pos += bad ? 0 : rules;
    }
    if (!bad) bad = h[AC] && h[AC_CODER] != 1;
    const uint64_t packed[4] = {h[UNK], h[AC], h[DC], h[RLE]};
    const uint64_t inflated[4] = {h[UNK_RAW], h[AC_COUNT] * 2, h[DC_COUNT] * 2, h[RLE_INFLATED]};
    const exrqoi_box2i none = {{0, 0}, {-1, -1}};
    void *owner = data;
    for (int k = 0; k < 4 && !bad; k++) {
        if (!packed[k]) continue;
        if (packed[k] > size - pos) {
            bad = 1;
            break;
        }
        if (push_chunk(c, s + pos, (size_t)packed[k], (size_t)inflated[k], &none, -1, owner)) {
            bad = 1;
            break;
        }
        owner = NULL;
        pos += (size_t)packed[k];
    }
    if (owner) exrqoi_free(NULL, owner);
    return bad;
}

static int collect_chunks(exrqoi_reader *r, const bench_plan *p, ctx *c)
{
    /* every chunk of every flat part, if all are ZIP/ZIPS/PXR24 (zlib streams;
     * PXR24's inflate to less than the unpacked size: floats keep 3 bytes)
     * or DWAA/DWAB whose AC streams are deflated (then each stream) */
    for (int part = 0; part < p->nparts; part++) {
        exrqoi_part_info pi;
        if (exrqoi_reader_part_info(r, part, &pi)) return 1;
        if (pi.compression != EXRQOI_COMPRESSION_ZIP && pi.compression != EXRQOI_COMPRESSION_ZIPS &&
            pi.compression != EXRQOI_COMPRESSION_PXR24 && !is_dwa(pi.compression))
            return 1;
        if (pi.type == EXRQOI_PART_DEEP_SCANLINE || pi.type == EXRQOI_PART_DEEP_TILED) return 1;
    }
    c->copy_ok = 1;
    for (int i = 0; i < p->nlevels; i++)
        for (int k = 0; k < p->levels[i].nchan; k++)
            if (p->levels[i].chans[k].xs != 1 || p->levels[i].chans[k].ys != 1) c->copy_ok = 0;
    for (int part = 0; part < p->nparts; part++) {
        exrqoi_part_info pi;
        exrqoi_reader_part_info(r, part, &pi);
        for (uint64_t i = 0; i < pi.chunk_count; i++) {
            exrqoi_chunk_info ci;
            void *data;
            size_t size;
            if (exrqoi_reader_read_raw_chunk(r, part, i, &ci, &data, &size)) return 1;
            if (ci.packed_size == ci.unpacked_size) { /* stored raw */
                exrqoi_free(NULL, data);
                continue;
            }
            int level = -1;
            for (int k = 0; k < p->nlevels; k++)
                if (p->levels[k].part == part && p->levels[k].lx == (pi.tiled ? ci.level_x : 0) &&
                    p->levels[k].ly == (pi.tiled ? ci.level_y : 0))
                    level = k;
            if (level < 0) c->copy_ok = 0;
            if (is_dwa(pi.compression)) {
                c->copy_ok = 0; /* several streams, not the image's bytes */
                if (push_dwa_streams(c, data, size)) return 1;
            } else if (push_chunk(c, data, size, (size_t)ci.unpacked_size, &ci.window, level, data)) {
                exrqoi_free(NULL, data);
                return 1;
            }
        }
    }
    return 0;
}

static void free_chunks(ctx *c)
{
    for (size_t i = 0; i < c->nchunks; i++) exrqoi_free(NULL, c->chunk_owned[i]);
    free(c->chunk_owned);
    c->chunk_owned = NULL;
    c->chunk_cap = 0;
    free((void *)c->chunk);
    free(c->chunk_size);
    free(c->chunk_unpacked);
    free(c->chunk_win);
    free(c->chunk_level);
    c->chunk = NULL;
    c->chunk_size = c->chunk_unpacked = NULL;
    c->chunk_win = NULL;
    c->chunk_level = NULL;
    c->nchunks = 0;
}

/* Minor page faults of the process so far (0 where unknown): each costs
 * ~9 us on the project's VM, so the encode lines report them per write. */
static long minor_faults(void)
{
#ifndef _WIN32
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0) return ru.ru_minflt;
#endif
    return 0;
}

static double speed(double mbytes, double ms) { return ms > 0 ? mbytes / (ms / 1e3) : 0; }

/* Whether two images hold the same samples (flat parts, level by level,
 * channel by channel). */
static int same_samples(const exrqoi_image *a, const exrqoi_image *b)
{
    if (a->part_count != b->part_count) return 0;
    for (int p = 0; p < a->part_count; p++) {
        const exrqoi_image_part *pa = &a->parts[p], *pb = &b->parts[p];
        if (pa->level_count != pb->level_count) return 0;
        for (int l = 0; l < pa->level_count; l++) {
            const exrqoi_image_level *la = &pa->levels[l], *lb = &pb->levels[l];
            if (la->channel_count != lb->channel_count) return 0;
            for (int k = 0; k < la->channel_count; k++) {
                const exrqoi_image_channel *ca = &la->channels[k], *cb = &lb->channels[k];
                if (ca->type != cb->type || ca->width != cb->width || ca->height != cb->height) return 0;
                size_t n = (size_t)ca->width * (size_t)ca->height * (ca->type == EXRQOI_PIXEL_HALF ? 2u : 4u);
                if (n && memcmp(ca->data, cb->data, n) != 0) return 0;
            }
        }
    }
    return 1;
}

/* Codecs whose files must decode to exactly the image written (PXR24 is
 * lossy for float channels, B44/DWA always). */
static int lossless(int comp)
{
    return comp == EXRQOI_COMPRESSION_NONE || comp == EXRQOI_COMPRESSION_RLE || comp == EXRQOI_COMPRESSION_ZIPS ||
           comp == EXRQOI_COMPRESSION_ZIP || comp == EXRQOI_COMPRESSION_PIZ ||
           comp == EXRQOI_COMPRESSION_HTJ2K256 || comp == EXRQOI_COMPRESSION_HTJ2K32;
}

/* The encoders' check: a lossless file decodes to the image both were
 * given (this caught the C++ encoder writing stale buffers). 1 = same. */
static int decodes_to(const void *file, size_t size, const exrqoi_image *img)
{
    exrqoi_image back;
    if (exrqoi_image_read(exrqoi_source_memory(file, size), NULL, &back)) return 0;
    int same = same_samples(&back, img);
    exrqoi_image_free(&back);
    return same;
}

static int bench_exr(const char *path, const unsigned char *data, size_t size, const int *threads,
                     int nthreads, int runs, const int *enc, int nenc)
{
    exrqoi_reader *r;
    if (exrqoi_reader_open(exrqoi_source_memory(data, size), NULL, &r)) {
        fprintf(stderr, "%s: not readable by libexrqoi\n", path);
        return 1;
    }
    bench_plan plan;
    ctx c;
    memset(&c, 0, sizeof c);
    if (plan_make(r, data, size, &plan)) {
        exrqoi_reader_close(r);
        fprintf(stderr, "%s: out of memory\n", path);
        return 1;
    }
    c.p = &plan;
    c.dimg = calloc((size_t)(plan.ndeep ? plan.ndeep : 1), sizeof *c.dimg);
    if (make_requests(&c) || !c.dimg) {
        exrqoi_reader_close(r);
        fprintf(stderr, "%s: out of memory\n", path);
        return 1;
    }
    int have_chunks = collect_chunks(r, &plan, &c) == 0;
    if (!have_chunks) free_chunks(&c);
    exrqoi_reader_close(r);
    const char *codec = exrqoi_compression_name((exrqoi_compression)plan.compression);
    if (plan.compression == EXRQOI_COMPRESSION_NONE) {
        c.copy_bytes = (size_t)(plan.mbytes * 1e6 + 0.5);
        c.copy_src = malloc(c.copy_bytes + 1);
        c.copy_dst = malloc(c.copy_bytes + 1);
        if (c.copy_src && c.copy_dst) {
            memset(c.copy_src, 1, c.copy_bytes + 1);
            memset(c.copy_dst, 0, c.copy_bytes + 1);
        }
    }
    int bad = 0;
    for (int ti = 0; ti < nthreads; ti++) {
        c.threads = threads[ti];
        /* one pool per thread count for every read and write of ours, as
         * an application keeps its pool (OpenEXR keeps its global one): it
         * also keeps the writers' scratch between writes. 1 thread: a pool
         * that runs on the caller's thread only. */
        c.pool = NULL;
        if (exrqoi_pool_open(c.threads, NULL, &c.pool)) return 1;
        bench_cpp_set_threads(c.threads);
        engine e[6] = {{"ours", ours_decode, 1, 0, {0}, 0},
                       {"exr-c", c_decode, 1, 0, {0}, 0},
                       /* the C++ engine reads flat levels only */
                       {"exr-c++", cpp_decode, bench_cpp_available() && !plan.ndeep, 0, {0}, 0},
                       {"inflate", inflate_only, have_chunks && c.nchunks > 0, 0, {0}, 0},
                       {"memcpy", memcpy_only, c.copy_src && c.copy_dst, 0, {0}, 0},
                       {"inflate+copy", inflate_copy, have_chunks && c.nchunks > 0 && c.copy_ok, 0, {0}, 0}};
        run_engines(&c, e, 3, 0, 1); /* warm-up + output check only */
        run_engines(&c, e, 6, runs, 0);
        double m[6];
        for (int k = 0; k < 6; k++) m[k] = e[k].enabled && e[k].ok ? median(e[k].t, runs) : 0;
        /* OpenEXR 3.1's C core decodes deep chunks without delivering the
         * samples: not a read, so no time is reported for it (0) */
        for (int k = 1; k < 3; k++)
            if (plan.ndeep && e[0].ok && e[k].ok && e[k].crc != e[0].crc) m[k] = 0;
        double best = 0;
        for (int k = 1; k < 3; k++)
            if (m[k] > 0 && (best == 0 || m[k] < best)) best = m[k];
        printf("%-34s %-6s decode thr=%d  ours %8.3f ms (%7.1f MB/s)  exr-c %8.3f  exr-c++ %8.3f  "
               "ours/best %5.2fx",
               short_name(path), codec, c.threads, m[0], speed(plan.mbytes, m[0]), m[1], m[2],
               best > 0 && m[0] > 0 ? best / m[0] : 0);
        if (m[3] > 0) printf("  inflate-only %8.3f ms -> ours at %3.0f%%", m[3], m[0] > 0 ? 100 * m[3] / m[0] : 0);
        if (m[5] > 0)
            printf("  inflate+copy %8.3f ms -> ours at %3.0f%%", m[5], m[0] > 0 ? 100 * m[5] / m[0] : 0);
        if (m[4] > 0) printf("  memcpy %8.3f ms -> ours at %.2fx memcpy time", m[4], m[0] / m[4]);
        for (int k = 1; k < 3; k++)
            if (e[k].enabled && e[k].ok && e[0].ok && e[k].crc != e[0].crc) printf("  [%s OUTPUT DIFFERS]", e[k].name);
        if (plan.has_deep) printf("  (deep: %d level(s), exr-c++ not run)", plan.ndeep);
        printf("\n");
        fflush(stdout);
        if (!e[0].ok) bad = 1;

        if (nenc && !plan.has_deep && e[0].ok) {
            /* the C++ encoder writes from the plan's buffers: our decode
             * again, as the inflate+copy engine left raw inflated bytes
             * there (both encoders must be given the image) */
            bench_plan_clear(c.p);
            if (ours_decode(&c) || bench_plan_crc(c.p) != e[0].crc) {
                fprintf(stderr, "%s: cannot restore the decoded image for the encoders\n", path);
                bad = 1;
                nenc = 0;
            }
        }
        if (nenc && !plan.has_deep) {
            exrqoi_image img;
            if (exrqoi_image_read(exrqoi_source_path(path), NULL, &img)) {
                fprintf(stderr, "%s: image read failed\n", path);
                bad = 1;
            } else {
                c.img = &img;
                for (int k = 0; k < nenc; k++) {
                    c.comp = enc[k];
                    for (int p = 0; p < img.part_count; p++)
                        exrqoi_header_set_compression(&img.parts[p].header, (exrqoi_compression)enc[k]);
                    engine ee[2] = {{"ours", ours_encode, 1, 0, {0}, 0},
                                    {"exr-c++", cpp_encode, bench_cpp_available(), 0, {0}, 0}};
                    size_t sizes[2] = {0, 0};
                    int differs[2] = {0, 0};
                    for (int q = 0; q < 2; q++) {
                        if (!ee[q].enabled) continue;
                        c.err[0] = 0;
                        c.keep_out = lossless(enc[k]);
                        c.out_copy = NULL;
                        ee[q].ok = ee[q].fn(&c) == 0;
                        c.keep_out = 0;
                        sizes[q] = c.out_size;
                        if (ee[q].ok && c.out_copy) differs[q] = !decodes_to(c.out_copy, c.out_size, &img);
                        free(c.out_copy);
                        c.out_copy = NULL;
                        if (!ee[q].ok) fprintf(stderr, "  encode %s failed: %s\n", ee[q].name, c.err);
                    }
                    long faults[2] = {0, 0};
                    for (int rr = 0; rr < runs; rr++)
                        for (int q = 0; q < 2; q++) {
                            if (!ee[q].enabled || !ee[q].ok) continue;
                            long f0 = minor_faults();
                            double t0 = now_ms();
                            ee[q].fn(&c);
                            ee[q].t[rr] = now_ms() - t0;
                            faults[q] += minor_faults() - f0;
                        }
                    double mo = ee[0].ok ? median(ee[0].t, runs) : 0;
                    double mt = ee[1].ok ? median(ee[1].t, runs) : 0;
                    printf("%-34s %-6s encode thr=%d  ours %8.3f ms %9zu B  exr-c++ %8.3f ms %9zu B  "
                           "ours/exr %5.2fx  size ours/exr %.3f  page faults/write ours=%ld exr=%ld",
                           short_name(path), exrqoi_compression_name((exrqoi_compression)enc[k]), c.threads, mo,
                           sizes[0], mt, sizes[1], mo > 0 && mt > 0 ? mt / mo : 0,
                           sizes[1] ? (double)sizes[0] / (double)sizes[1] : 0, runs ? faults[0] / runs : 0,
                           runs ? faults[1] / runs : 0);
                    for (int q = 0; q < 2; q++)
                        if (differs[q]) printf("  [%s ENCODE OUTPUT DIFFERS]", ee[q].name);
                    printf("\n");
                    fflush(stdout);
                }
                exrqoi_image_free(&img);
            }
        }
        exrqoi_pool_close(c.pool);
    }
    free(c.copy_src);
    free(c.copy_dst);
    free_chunks(&c);
    free(c.reqs);
    free(c.slices);
    for (int i = 0; i < plan.ndeep; i++) exrqoi_deep_image_free(&c.dimg[i]);
    free(c.dimg);
    plan_free(&plan);
    return bad;
}

/* ---- QOI ----------------------------------------------------------------- */

static int bench_qoi(const char *path, const unsigned char *data, size_t size, int runs)
{
    /* both codecs allocate through bench_qoi_alloc (see there) */
    const exrqoi_allocator al = {bench_qoi_alloc, bench_qoi_free, NULL};
    exrqoi_qoi_options qo = EXRQOI_QOI_OPTIONS_INIT;
    qo.allocator = &al;
    exrqoi_qoi_desc desc;
    void *ours_px = NULL;
    size_t ours_size = 0;
    if (exrqoi_qoi_decode(exrqoi_source_memory(data, size), &qo, &desc, &ours_px, &ours_size)) {
        fprintf(stderr, "%s: libexrqoi cannot decode it\n", path);
        return 1;
    }
    unsigned w, h;
    int ch;
    void *ref_px = bench_qoiref_decode(data, (int)size, &w, &h, &ch);
    if (!ref_px) {
        fprintf(stderr, "%s: qoi.h cannot decode it\n", path);
        exrqoi_free(&al, ours_px);
        bench_qoi_release_kept();
        return 1;
    }
    int same_pixels = ours_size == (size_t)w * h * (size_t)ch && !memcmp(ours_px, ref_px, ours_size);
    double td[2][256], te[2][256];
    size_t enc_size[2] = {0, 0};
    int same_bytes = 1;
    for (int r = -1; r < runs; r++) {
        double t0 = now_ms();
        void *p1 = NULL;
        exrqoi_qoi_decode(exrqoi_source_memory(data, size), &qo, &desc, &p1, NULL);
        double t1 = now_ms();
        void *p2 = bench_qoiref_decode(data, (int)size, &w, &h, &ch);
        double t2 = now_ms();
        exrqoi_free(&al, p1);
        bench_qoiref_free(p2);
        void *e1 = NULL;
        size_t n1 = 0;
        double t3 = now_ms();
        exrqoi_qoi_encode(exrqoi_sink_memory(&e1, &n1), ours_px, &desc, &qo);
        double t4 = now_ms();
        int n2 = 0;
        void *e2 = bench_qoiref_encode(ref_px, w, h, ch, desc.colorspace, &n2);
        double t5 = now_ms();
        if (!e1 || !e2 || n1 != (size_t)n2 || memcmp(e1, e2, n1)) same_bytes = 0;
        enc_size[0] = n1;
        enc_size[1] = (size_t)n2;
        exrqoi_free(&al, e1);
        bench_qoiref_free(e2);
        if (r >= 0) {
            td[0][r] = t1 - t0;
            td[1][r] = t2 - t1;
            te[0][r] = t4 - t3;
            te[1][r] = t5 - t4;
        }
    }
    double d0 = median(td[0], runs), d1 = median(td[1], runs);
    double e0 = median(te[0], runs), e1 = median(te[1], runs);
    double mb = (double)ours_size / 1e6;
    printf("%-34s qoi    decode thr=1  ours %8.3f ms (%7.1f MB/s)  qoi.h %8.3f ms  ours/ref %5.2fx%s\n",
           short_name(path), d0, speed(mb, d0), d1, d0 > 0 ? d1 / d0 : 0,
           same_pixels ? "" : "  [PIXELS DIFFER]");
    printf("%-34s qoi    encode thr=1  ours %8.3f ms (%7.1f MB/s)  qoi.h %8.3f ms  ours/ref %5.2fx  %zu B%s\n",
           short_name(path), e0, speed(mb, e0), e1, e0 > 0 ? e1 / e0 : 0, enc_size[0],
           same_bytes ? "  identical" : "  [BYTES DIFFER]");
    fflush(stdout);
    exrqoi_free(&al, ours_px);
    bench_qoiref_free(ref_px);
    bench_qoi_release_kept();
    return !same_pixels || !same_bytes;
}

static int usage(void)
{
    fprintf(stderr,
            "usage: exrqoi_bench FILE... [--threads N[,N...]] [--runs N] [--encode CODEC[,CODEC...]]\n"
            "  Decodes each EXR with libexrqoi, OpenEXR's C core and C++ APIs (plus libdeflate\n"
            "  alone on ZIP/ZIPS/PXR24 chunks and memcpy for uncompressed files); QOI files with\n"
            "  libexrqoi and the reference qoi.h. Default: --threads 1,<cores> --runs 7.\n"
            "  libexrqoi reads and writes with one pool per thread count, kept for all of that\n"
            "  count's runs (as OpenEXR keeps its global thread pool), so its scratch persists;\n"
            "  encoders write into a buffer reserved once per write (file size * 2 + 4 KiB).\n");
    return 2;
}

int main(int argc, char **argv)
{
    int threads[8], nthreads = 0, runs = 7, enc[16], nenc = 0;
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    int nfiles = 0;
    if (!files) return 2;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            char *s = argv[++i];
            for (char *t = strtok(s, ","); t && nthreads < 8; t = strtok(NULL, ","))
                threads[nthreads++] = atoi(t) > 0 ? atoi(t) : exrqoi_cpu_count();
        } else if (!strcmp(argv[i], "--runs") && i + 1 < argc) {
            runs = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--encode") && i + 1 < argc) {
            char *s = argv[++i];
            for (char *t = strtok(s, ","); t && nenc < 16; t = strtok(NULL, ",")) {
                exrqoi_compression cc;
                if (exrqoi_compression_from_name(t, &cc)) {
                    free((void *)files);
                    return usage();
                }
                enc[nenc++] = (int)cc;
            }
        } else if (argv[i][0] == '-') {
            free((void *)files);
            return usage();
        } else {
            files[nfiles++] = argv[i];
        }
    }
    if (!nfiles || runs < 1 || runs > 256) {
        free((void *)files);
        return usage();
    }
    if (!nthreads) {
        threads[nthreads++] = 1;
        if (exrqoi_cpu_count() > 1) threads[nthreads++] = exrqoi_cpu_count();
    }
    char oexr[64];
    printf("# exrqoi_bench: libexrqoi %s, OpenEXR %s, runs %d (median), C++ engine %s\n", exrqoi_version_string(),
           bench_openexr_version(oexr, sizeof oexr), runs, bench_cpp_available() ? "on" : "off");
    int bad = 0;
    for (int f = 0; f < nfiles; f++) {
        size_t size = 0;
        unsigned char *data = load_file(files[f], &size);
        if (!data) {
            fprintf(stderr, "%s: cannot read\n", files[f]);
            bad = 1;
            continue;
        }
        if (size >= 4 && !memcmp(data, "qoif", 4))
            bad |= bench_qoi(files[f], data, size, runs);
        else
            bad |= bench_exr(files[f], data, size, threads, nthreads, runs, enc, nenc);
        free(data);
    }
    free((void *)files);
    return bad;
}
