/* exrqoi bench: times decoding (and optionally encoding) of files held in
 * memory with this library. One warm-up run, then the median of --runs.
 * Destination buffers are allocated once outside the timed region so the
 * numbers measure decoding, not page faults (tests/bench does the same for
 * OpenEXR). */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>

#include "tools/sys.h"

#include "tools/opts.h"
#include "tools/tool.h"

#define BENCH_MAX_ENCODE 16

typedef struct bench_opts {
    int threads; /* 0 = all cores */
    int runs;
    int json;
    int nencode;
    exrqoi_compression encode[BENCH_MAX_ENCODE];
} bench_opts;

static double now_ms(void)
{
    return tool_sys_now_ms();
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static unsigned char *load_file(const char *path, size_t *size)
{
    bool std_in = !strcmp(path, "-");
    FILE *f = std_in ? stdin : tool_sys_fopen_read(path);
    if (!f) return NULL;
    unsigned char *d = NULL;
    size_t cap = 0, len = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 1 << 20;
            unsigned char *n = realloc(d, cap);
            if (!n) {
                free(d);
                if (!std_in) fclose(f);
                return NULL;
            }
            d = n;
        }
        size_t got = fread(d + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    int bad = ferror(f);
    if (!std_in) fclose(f);
    if (bad) {
        free(d);
        return NULL;
    }
    *size = len;
    return d;
}

static void report(const bench_opts *o, const char *file, const char *op, const char *codec,
                   double ms, double mpix, double mbytes, uint64_t bytes)
{
    double s = ms / 1e3;
    if (o->json) {
        printf("{\"file\":\"");
        for (const char *p = file; *p; p++) {
            if (*p == '"' || *p == '\\') putchar('\\');
            if ((unsigned char)*p < 0x20)
                printf("\\u%04x", (unsigned char)*p);
            else
                putchar(*p);
        }
        printf("\",\"op\":\"%s\",\"codec\":\"%s\",\"threads\":%d,\"runs\":%d,\"median_ms\":%.4f,"
               "\"mpix_per_s\":%.3f,\"mb_per_s\":%.3f,\"bytes\":%llu}\n",
               op, codec, o->threads, o->runs, ms, s > 0 ? mpix / s : 0, s > 0 ? mbytes / s : 0,
               (unsigned long long)bytes);
    } else {
        printf("%-40s %-6s %-6s thr=%-2d %10.3f ms %9.2f Mpix/s %9.2f MB/s %10llu bytes\n", file,
               op, codec, o->threads, ms, s > 0 ? mpix / s : 0, s > 0 ? mbytes / s : 0,
               (unsigned long long)bytes);
    }
    fflush(stdout);
}

/* ---- EXR ---------------------------------------------------------------- */

typedef struct bench_level {
    int part, lx, ly;
    int nslices;
    exrqoi_slice *slices;
} bench_level;

typedef struct exr_plan {
    bench_level *levels;
    int nlevels;
    exrqoi_region_request *reqs; /* one per flat level: read as one job */
    int *deep_levels; /* part, lx, ly triples */
    exrqoi_deep_image *deep_imgs; /* one per deep level, reused by every run like the flat slices */
    int ndeep;
    double mpix, mbytes; /* per full read */
} exr_plan;

static void plan_free(exr_plan *p)
{
    for (int i = 0; i < p->nlevels; i++) {
        for (int s = 0; s < p->levels[i].nslices; s++) {
            free(p->levels[i].slices[s].base);
            free((char *)(uintptr_t)p->levels[i].slices[s].name);
        }
        free(p->levels[i].slices);
    }
    free(p->levels);
    free(p->reqs);
    free(p->deep_levels);
    for (int i = 0; p->deep_imgs && i < p->ndeep; i++) exrqoi_deep_image_free(&p->deep_imgs[i]);
    free(p->deep_imgs);
    memset(p, 0, sizeof *p);
}

/* Allocates the destination of every level of every flat part once. */
static exrqoi_result plan_make(exrqoi_reader *r, exr_plan *plan)
{
    memset(plan, 0, sizeof *plan);
    int np = exrqoi_reader_part_count(r);
    for (int part = 0; part < np; part++) {
        exrqoi_part_info pi;
        exrqoi_result rv = exrqoi_reader_part_info(r, part, &pi);
        if (rv) return rv;
        for (int ly = 0; ly < pi.num_y_levels; ly++) {
            for (int lx = 0; lx < pi.num_x_levels; lx++) {
                exrqoi_box2i w;
                if (exrqoi_reader_level_window(r, part, lx, ly, &w) != EXRQOI_OK) continue;
                double px = ((double)w.max.x - w.min.x + 1) * ((double)w.max.y - w.min.y + 1);
                plan->mpix += px / 1e6;
                if (pi.type == EXRQOI_PART_DEEP_SCANLINE || pi.type == EXRQOI_PART_DEEP_TILED) {
                    int *d = realloc(plan->deep_levels, sizeof(int) * 3 * (size_t)(plan->ndeep + 1));
                    if (!d) return EXRQOI_ERR_OUT_OF_MEMORY;
                    plan->deep_levels = d;
                    d[plan->ndeep * 3] = part;
                    d[plan->ndeep * 3 + 1] = lx;
                    d[plan->ndeep * 3 + 2] = ly;
                    plan->ndeep++;
                    continue;
                }
                bench_level *nl = realloc(plan->levels, sizeof *nl * (size_t)(plan->nlevels + 1));
                if (!nl) return EXRQOI_ERR_OUT_OF_MEMORY;
                plan->levels = nl;
                bench_level *L = &nl[plan->nlevels++];
                L->part = part;
                L->lx = lx;
                L->ly = ly;
                L->nslices = 0;
                L->slices = calloc((size_t)(pi.channel_count ? pi.channel_count : 1), sizeof *L->slices);
                if (!L->slices) return EXRQOI_ERR_OUT_OF_MEMORY;
                for (int c = 0; c < pi.channel_count; c++) {
                    const exrqoi_channel *ch = &pi.channels[c];
                    int32_t cols, rows;
                    exrqoi_sample_extent(&w, ch->x_sampling, ch->y_sampling, &cols, &rows);
                    size_t sz = (size_t)exrqoi_pixel_type_size(ch->type);
                    size_t bytes = (size_t)cols * (size_t)rows * sz;
                    exrqoi_slice *s = &L->slices[L->nslices++];
                    /* own copy: the plan outlives the reader it was made from */
                    s->name = strdup(ch->name);
                    s->type = ch->type;
                    s->base = calloc(bytes ? bytes : 1, 1); /* calloc+touch: fault pages in now */
                    if (!s->base || !s->name) return EXRQOI_ERR_OUT_OF_MEMORY;
                    memset(s->base, 0, bytes);
                    s->x_stride = (ptrdiff_t)sz;
                    s->y_stride = (ptrdiff_t)(sz * (size_t)cols);
                    plan->mbytes += (double)bytes / 1e6;
                }
            }
        }
    }
    plan->reqs = calloc((size_t)(plan->nlevels ? plan->nlevels : 1), sizeof *plan->reqs);
    plan->deep_imgs = calloc((size_t)(plan->ndeep ? plan->ndeep : 1), sizeof *plan->deep_imgs);
    if (!plan->reqs || !plan->deep_imgs) return EXRQOI_ERR_OUT_OF_MEMORY;
    for (int i = 0; i < plan->nlevels; i++) {
        const bench_level *L = &plan->levels[i];
        plan->reqs[i].part = L->part;
        plan->reqs[i].lx = L->lx;
        plan->reqs[i].ly = L->ly;
        plan->reqs[i].slices = L->slices;
        plan->reqs[i].slice_count = L->nslices;
    }
    return EXRQOI_OK;
}

static exrqoi_result exr_decode_once(const unsigned char *data, size_t size,
                                     const exrqoi_read_options *ro, exr_plan *plan)
{
    exrqoi_reader *r;
    exrqoi_result rv = exrqoi_reader_open(exrqoi_source_memory(data, size), ro, &r);
    if (rv) return rv;
    /* every flat level of every part as one parallel job */
    rv = exrqoi_reader_read_regions(r, plan->reqs, (size_t)plan->nlevels);
    for (int i = 0; i < plan->ndeep && !rv; i++)
        rv = exrqoi_reader_read_deep_reuse(r, plan->deep_levels[i * 3], plan->deep_levels[i * 3 + 1],
                                           plan->deep_levels[i * 3 + 2], &plan->deep_imgs[i]);
    exrqoi_reader_close(r);
    return rv;
}

static int bench_exr(const bench_opts *o, exrqoi_pool *pool, const char *path,
                     const unsigned char *data, size_t size)
{
    tool_msg msg;
    memset(&msg, 0, sizeof msg);
    exrqoi_read_options ro = EXRQOI_READ_OPTIONS_INIT;
    ro.pool = pool;
    ro.threads = o->threads;
    ro.on_message = tool_on_message;
    ro.message_user = &msg;
    exrqoi_reader *r;
    exrqoi_result rv = exrqoi_reader_open(exrqoi_source_memory(data, size), &ro, &r);
    if (rv) {
        fprintf(stderr, "%s: %s\n", path, tool_error_text(&msg, rv));
        return 1;
    }
    exr_plan plan;
    rv = plan_make(r, &plan);
    exrqoi_part_info pi0;
    const char *codec = "?";
    if (exrqoi_reader_part_info(r, 0, &pi0) == EXRQOI_OK && exrqoi_compression_name(pi0.compression))
        codec = exrqoi_compression_name(pi0.compression);
    exrqoi_reader_close(r);
    double *t = calloc((size_t)o->runs, sizeof *t);
    if (!t) rv = EXRQOI_ERR_OUT_OF_MEMORY;
    for (int i = -1; i < o->runs && !rv; i++) {
        double t0 = now_ms();
        rv = exr_decode_once(data, size, &ro, &plan);
        if (i >= 0) t[i] = now_ms() - t0;
    }
    if (rv) {
        fprintf(stderr, "%s: decode: %s\n", path, tool_error_text(&msg, rv));
        free(t);
        plan_free(&plan);
        return 1;
    }
    double mpix = plan.mpix, mbytes = plan.mbytes;
    /* deep levels: their samples and counts, as the last run left them */
    for (int i = 0; i < plan.ndeep; i++) {
        const exrqoi_deep_image *d = &plan.deep_imgs[i];
        mbytes += (double)d->width * (double)d->height * (double)sizeof *d->counts / 1e6;
        for (int c = 0; c < d->channel_count; c++)
            mbytes += (double)d->total_samples * (double)exrqoi_pixel_type_size(d->channels[c].type) / 1e6;
    }
    report(o, path, "decode", codec, median(t, o->runs), mpix, mbytes, size);
    plan_free(&plan);

    int bad = 0;
    if (o->nencode) {
        exrqoi_image img;
        r = NULL;
        rv = exrqoi_reader_open(exrqoi_source_memory(data, size), &ro, &r);
        if (!rv) rv = exrqoi_reader_read_image(r, &img);
        exrqoi_reader_close(r);
        if (rv) {
            fprintf(stderr, "%s: %s\n", path, tool_error_text(&msg, rv));
            free(t);
            return 1;
        }
        exrqoi_write_options wo = EXRQOI_WRITE_OPTIONS_INIT;
        wo.pool = pool;
        wo.threads = o->threads;
        wo.on_message = tool_on_message;
        wo.message_user = &msg;
        for (int e = 0; e < o->nencode; e++) {
            rv = EXRQOI_OK;
            for (int p = 0; p < img.part_count && !rv; p++)
                rv = exrqoi_header_set_compression(&img.parts[p].header, o->encode[e]);
            size_t out_size = 0;
            for (int i = -1; i < o->runs && !rv; i++) {
                void *out = NULL;
                double t0 = now_ms();
                rv = exrqoi_image_write(exrqoi_sink_memory(&out, &out_size), &img, &wo);
                if (i >= 0) t[i] = now_ms() - t0;
                exrqoi_free(NULL, out);
            }
            const char *cn = exrqoi_compression_name(o->encode[e]);
            if (rv) {
                fprintf(stderr, "%s: encode %s: %s\n", path, cn, tool_error_text(&msg, rv));
                memset(&msg, 0, sizeof msg);
                bad = 1;
                continue;
            }
            report(o, path, "encode", cn, median(t, o->runs), mpix, mbytes, out_size);
        }
        exrqoi_image_free(&img);
    }
    free(t);
    return bad;
}

/* ---- QOI ---------------------------------------------------------------- */

static int bench_qoi(const bench_opts *o, exrqoi_pool *pool, const char *path,
                     const unsigned char *data, size_t size)
{
    (void)pool; /* the default (serial) encoder is the one comparable to qoi.h */
    tool_msg msg;
    memset(&msg, 0, sizeof msg);
    exrqoi_qoi_options qo = EXRQOI_QOI_OPTIONS_INIT;
    qo.on_message = tool_on_message;
    qo.message_user = &msg;
    double *t = calloc((size_t)o->runs, sizeof *t);
    if (!t) return 1;
    exrqoi_qoi_desc desc;
    void *pixels = NULL;
    size_t psize = 0;
    exrqoi_result rv = EXRQOI_OK;
    for (int i = -1; i < o->runs && !rv; i++) {
        exrqoi_free(NULL, pixels);
        pixels = NULL;
        double t0 = now_ms();
        rv = exrqoi_qoi_decode(exrqoi_source_memory(data, size), &qo, &desc, &pixels, &psize);
        if (i >= 0) t[i] = now_ms() - t0;
    }
    if (rv) {
        fprintf(stderr, "%s: %s\n", path, tool_error_text(&msg, rv));
        free(t);
        return 1;
    }
    double mpix = (double)desc.width * desc.height / 1e6, mbytes = (double)psize / 1e6;
    report(o, path, "decode", "qoi", median(t, o->runs), mpix, mbytes, size);
    size_t out_size = 0;
    for (int i = -1; i < o->runs && !rv; i++) {
        void *out = NULL;
        double t0 = now_ms();
        rv = exrqoi_qoi_encode(exrqoi_sink_memory(&out, &out_size), pixels, &desc, &qo);
        if (i >= 0) t[i] = now_ms() - t0;
        exrqoi_free(NULL, out);
    }
    if (rv)
        fprintf(stderr, "%s: encode: %s\n", path, tool_error_text(&msg, rv));
    else
        report(o, path, "encode", "qoi", median(t, o->runs), mpix, mbytes, out_size);
    exrqoi_free(NULL, pixels);
    free(t);
    return rv != EXRQOI_OK;
}

static int add_codecs(bench_opts *o, const char *list, const tool_cmd *cmd)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", list);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (o->nencode == BENCH_MAX_ENCODE) return tool_usage_error(cmd, "--encode: at most %d codecs", BENCH_MAX_ENCODE);
        if (exrqoi_compression_from_name(tok, &o->encode[o->nencode]) != EXRQOI_OK)
            return tool_usage_error(cmd, "--encode: unknown codec '%s'", tok);
        o->nencode++;
    }
    return TOOL_OK;
}

int cmd_bench(int argc, char **argv)
{
    static const char about[] =
        "Times decoding every part, level and channel of each file (read into memory\n"
        "first): one warm-up run, then the median of --runs. QOI files time QOI decode\n"
        "and encode.";
    bench_opts o;
    memset(&o, 0, sizeof o);
    o.runs = 5;
    const char *encode = NULL;
    const tool_opt opts[] = {
        TOOL_OPT_THREADS(&o.threads),
        {"runs", 0, OPT_INT, "N", 1, 1000, NULL, "5", "timed runs (the median is shown)", &o.runs},
        {"encode", 0, OPT_STRING, "CODEC[,CODEC...]", 0, 0, NULL, "none",
         "also time writing the decoded image with each codec", &encode},
        {"json", 0, OPT_FLAG, NULL, 0, 0, NULL, NULL, "JSON output", &o.json},
    };
    const tool_cmd cmd = {"bench", "FILE...", about, opts, TOOL_OPT_COUNT(opts)};
    const char **files;
    int nfiles, status;
    if (!tool_parse_inputs(&cmd, argc, argv, &files, &nfiles, &status)) return status;
    if (encode && (status = add_codecs(&o, encode, &cmd)) != TOOL_OK) {
        free(files);
        return status;
    }
    if (o.threads == 0) o.threads = exrqoi_cpu_count();
    exrqoi_pool *pool = NULL;
    if (o.threads > 1 && exrqoi_pool_open(o.threads, NULL, &pool) != EXRQOI_OK) {
        fprintf(stderr, "exrqoi bench: cannot create %d threads\n", o.threads);
        free((void *)files);
        return 1;
    }
    int bad = 0;
    for (int f = 0; f < nfiles; f++) {
        size_t size = 0;
        unsigned char *data = load_file(files[f], &size);
        if (!data) {
            fprintf(stderr, "exrqoi bench: %s: cannot read\n", files[f]);
            bad = 1;
            continue;
        }
        if (size >= 4 && !memcmp(data, "qoif", 4))
            bad |= bench_qoi(&o, pool, files[f], data, size);
        else
            bad |= bench_exr(&o, pool, files[f], data, size);
        free(data);
    }
    exrqoi_pool_close(pool);
    free((void *)files);
    return bad ? TOOL_FAILED : TOOL_OK;
}
