/* exrqoi convert with a QOI side: EXR -> QOI, QOI -> EXR, QOI -> QOI, for
 * one file (IN OUT) or many (IN... -o DIR) converted in parallel on the
 * worker pool, with a progress bar on a terminal and a summary line. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "thread/pool.h"
#include "tools/convert_formats.h"
#include "tools/tool.h"

int exrqoi_tool_convert_qoi(int argc, char **argv);

typedef enum fmt { FMT_NONE, FMT_EXR, FMT_QOI, FMT_PNG } fmt;

static fmt fmt_of(const char *path)
{
    size_t n = strlen(path);
    if (n >= 4 && !strcasecmp(path + n - 4, ".exr")) return FMT_EXR;
    if (n >= 4 && !strcasecmp(path + n - 4, ".qoi")) return FMT_QOI;
    if (n >= 4 && !strcasecmp(path + n - 4, ".png")) return FMT_PNG;
    return FMT_NONE;
}

typedef struct opts {
    exrqoi_exr_to_qoi_options e2q;
    char *part_name;
    exrqoi_compression comp;
    int threads;
    fmt to; /* -o mode target, FMT_NONE = the other format */
    tool_formats_options formats; /* PNG and camera raw sides */
} opts;

typedef struct item {
    const char *in;
    char *out;
    exrqoi_result rv;
    tool_msg msg;
} item;

typedef struct batch {
    item *items;
    size_t count;
    const opts *o;
    int inner_threads;
    pthread_mutex_t lock;
    size_t done, failed;
    bool progress;
} batch;

static exrqoi_result convert_one(const opts *o, item *it, int threads)
{
    if (tool_formats_handles(tool_format_of(it->in), tool_format_of(it->out))) {
        tool_formats_options f = o->formats;
        f.e2q = o->e2q;
        f.comp = o->comp;
        f.threads = threads;
        return tool_formats_convert(&f, it->in, it->out, &it->msg);
    }
    fmt fi = fmt_of(it->in), fo = fmt_of(it->out);
    if (fi == FMT_EXR && fo == FMT_QOI) {
        exrqoi_read_options ro;
        memset(&ro, 0, sizeof ro);
        ro.threads = threads;
        ro.on_message = tool_on_message;
        ro.user = &it->msg;
        exrqoi_exr_to_qoi_options e = o->e2q;
        e.qoi.on_message = tool_on_message;
        e.qoi.message_user = &it->msg;
        return exrqoi_convert_exr_to_qoi(it->in, it->out, &ro, &e);
    }
    if (fi == FMT_QOI && fo == FMT_EXR) {
        exrqoi_write_options wo;
        memset(&wo, 0, sizeof wo);
        wo.threads = threads;
        wo.on_message = tool_on_message;
        wo.user = &it->msg;
        exrqoi_qoi_to_exr_options q;
        memset(&q, 0, sizeof q);
        q.has_compression = 1;
        q.compression = o->comp;
        q.write = &wo;
        q.qoi.on_message = tool_on_message;
        q.qoi.message_user = &it->msg;
        return exrqoi_convert_qoi_to_exr(it->in, it->out, &q);
    }
    if (fi == FMT_QOI && fo == FMT_QOI) {
        exrqoi_qoi_options qo;
        memset(&qo, 0, sizeof qo);
        qo.struct_size = sizeof qo;
        qo.on_message = tool_on_message;
        qo.message_user = &it->msg;
        exrqoi_qoi_desc d;
        void *px;
        exrqoi_result rv = exrqoi_qoi_decode_file(it->in, &qo, &d, &px, NULL);
        if (rv) return rv;
        rv = exrqoi_qoi_encode_file(px, &d, &qo, it->out);
        exrqoi_free(NULL, px);
        return rv;
    }
    snprintf(it->msg.text, sizeof it->msg.text,
             "cannot convert %s to %s (use .exr, .qoi, .png or camera raw; EXR to EXR takes "
             "one IN OUT pair)",
             fi == FMT_EXR ? "EXR" : fi == FMT_QOI ? "QOI" : "an unknown format",
             fo == FMT_EXR ? "EXR" : fo == FMT_QOI ? "QOI" : "an unknown format");
    return EXRQOI_ERR_UNSUPPORTED;
}

static void draw_progress(const batch *b)
{
    int width = 30, filled = (int)(b->count ? b->done * (size_t)width / b->count : 0);
    char bar[64];
    for (int i = 0; i < width; i++) bar[i] = i < filled ? '#' : '.';
    bar[width] = 0;
    fprintf(stderr, "\r[%s] %zu/%zu", bar, b->done, b->count);
    if (b->failed) fprintf(stderr, " (%zu failed)", b->failed);
    fflush(stderr);
}

static void run_item(void *ctx, size_t i, int worker)
{
    (void)worker;
    batch *b = (batch *)ctx;
    item *it = &b->items[i];
    it->rv = convert_one(b->o, it, b->inner_threads);
    pthread_mutex_lock(&b->lock);
    b->done++;
    if (it->rv) {
        b->failed++;
        if (b->progress) fprintf(stderr, "\r\033[K");
        fprintf(stderr, "error: %s -> %s: %s\n", it->in, it->out,
                tool_error_text(&it->msg, it->rv));
    }
    if (b->progress) draw_progress(b);
    pthread_mutex_unlock(&b->lock);
}

static int usage(FILE *f)
{
    fprintf(f,
            "usage: exrqoi convert IN OUT [options]\n"
            "       exrqoi convert IN... -o DIR [--to qoi|exr] [options]\n"
            "  The direction follows the extensions: .exr, .qoi and .png both ways, camera\n"
            "  raw (.dng, .cr2, .nef, .arw, ...) as input.\n"
            "  With -o every input is converted into DIR (same name; EXR for QOI and camera\n"
            "  raw inputs, QOI for the others, unless --to says otherwise), in parallel.\n"
            "EXR -> QOI:\n"
            "  --part N|NAME       part to read (default: the first with colour)\n"
            "  --layer NAME        layer, e.g. diffuse for diffuse.R/G/B/A\n"
            "  --view NAME         view of a multi-view file (default: the default view)\n"
            "  --exposure EV       exposure change in stops (default 0)\n"
            "  --tonemap clamp|reinhard|aces   tone curve (default clamp)\n"
            "  --linear            no sRGB curve; write a linear QOI (colorspace 1)\n"
            "  (the same for EXR and camera raw -> PNG)\n"
            "  --bits 8|16         PNG output: bits per sample (default 8)\n"
            "QOI, PNG, camera raw -> EXR:\n"
            "  --compression NAME  none|rle|zips|zip|piz|pxr24|b44|b44a|dwaa|dwab (default zip)\n"
            "  --half, --float     EXR sample type (default: half from 8-bit sources, float\n"
            "                      from 16-bit PNG and camera raw)\n"
            "Camera raw:\n"
            "  --primaries rec709|aces   output primaries (default rec709)\n"
            "  --wb R,G,B          white balance multipliers (default: as shot)\n"
            "Both:\n"
            "  --threads N         threads (default: all cores)\n");
    return f == stdout ? 0 : 2;
}

static char *out_name(const char *in, const char *dir, fmt to)
{
    const char *base = strrchr(in, '/');
    base = base ? base + 1 : in;
    size_t bl = strlen(base);
    if (fmt_of(base) != FMT_NONE) {
        bl -= 4;
    } else if (tool_format_of(base) == TOOL_FORMAT_RAW) {
        const char *dot = strrchr(base, '.');
        bl = (size_t)(dot - base);
    }
    size_t n = strlen(dir) + bl + 8;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%.*s%s", dir, (int)bl, base,
                 to == FMT_EXR ? ".exr" : to == FMT_PNG ? ".png" : ".qoi");
    return s;
}

static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0) return false;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static bool parse_float(const char *s, float *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno) return false;
    *out = (float)v;
    return true;
}

int exrqoi_tool_convert_qoi(int argc, char **argv)
{
    opts o;
    memset(&o, 0, sizeof o);
    o.comp = EXRQOI_COMPRESSION_ZIP;
    const char *dir = NULL;
    const char **pos = calloc((size_t)argc, sizeof *pos);
    int npos = 0;
    if (!pos) return 1;
    int status = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            free(pos);
            return usage(stdout);
        } else if (!strcmp(a, "-o") && has) {
            dir = argv[++i];
        } else if (!strcmp(a, "--part") && has) {
            const char *p = argv[++i];
            bool digits = *p != 0;
            for (const char *c = p; *c; c++) digits &= isdigit((unsigned char)*c) != 0;
            if (digits)
                o.e2q.select.part = atoi(p);
            else
                o.e2q.select.part_name = p;
        } else if (!strcmp(a, "--layer") && has) {
            o.e2q.select.layer = argv[++i];
        } else if (!strcmp(a, "--view") && has) {
            o.e2q.select.view = argv[++i];
        } else if (!strcmp(a, "--exposure") && has) {
            if (!parse_float(argv[++i], &o.e2q.exposure)) {
                fprintf(stderr, "error: bad exposure '%s'\n", argv[i]);
                goto out;
            }
        } else if (!strcmp(a, "--tonemap") && has) {
            if (exrqoi_tonemap_from_name(argv[++i], &o.e2q.tonemap)) {
                fprintf(stderr, "error: unknown tone curve '%s'\n", argv[i]);
                goto out;
            }
        } else if (!strcmp(a, "--linear")) {
            o.e2q.linear = 1;
        } else if (!strcmp(a, "--compression") && has) {
            if (exrqoi_compression_from_name(argv[++i], &o.comp)) {
                fprintf(stderr, "error: unknown compression '%s'\n", argv[i]);
                goto out;
            }
        } else if (!strcmp(a, "--threads") && has) {
            o.threads = atoi(argv[++i]);
        } else if (!strcmp(a, "--bits") && has) {
            const char *b = argv[++i];
            if (strcmp(b, "8") && strcmp(b, "16")) {
                fprintf(stderr, "error: --bits takes 8 or 16\n");
                goto out;
            }
            o.formats.bits = atoi(b);
        } else if (!strcmp(a, "--half") || !strcmp(a, "--float")) {
            o.formats.exr_type = a[2] == 'h' ? EXRQOI_PIXEL_HALF : EXRQOI_PIXEL_FLOAT;
        } else if (!strcmp(a, "--primaries") && has) {
            const char *p = argv[++i];
            if (!strcasecmp(p, "rec709") || !strcasecmp(p, "srgb")) {
                o.formats.raw.primaries = TOOL_RAW_REC709;
            } else if (!strcasecmp(p, "aces") || !strcasecmp(p, "ap0")) {
                o.formats.raw.primaries = TOOL_RAW_ACES;
            } else {
                fprintf(stderr, "error: --primaries takes rec709 or aces\n");
                goto out;
            }
        } else if (!strcmp(a, "--wb") && has) {
            float *w = o.formats.raw.wb;
            char tail;
            const char *v = argv[++i];
            if (sscanf(v, "%f,%f,%f%c", &w[0], &w[1], &w[2], &tail) != 3 || !(w[0] > 0) ||
                !(w[1] > 0) || !(w[2] > 0)) {
                fprintf(stderr, "error: --wb takes three positive numbers R,G,B\n");
                goto out;
            }
            o.formats.raw.has_wb = true;
        } else if (!strcmp(a, "--to") && has) {
            const char *t = argv[++i];
            o.to = !strcasecmp(t, "qoi")   ? FMT_QOI
                   : !strcasecmp(t, "exr") ? FMT_EXR
                   : !strcasecmp(t, "png") ? FMT_PNG
                                           : FMT_NONE;
            if (o.to == FMT_NONE) {
                fprintf(stderr, "error: --to takes qoi, exr or png\n");
                goto out;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "error: unknown option '%s'\n", a);
            usage(stderr);
            goto out;
        } else {
            pos[npos++] = a;
        }
    }
    if (npos == 0 || (!dir && npos != 2)) {
        if (!dir && npos > 2) fprintf(stderr, "error: several inputs need -o DIR\n");
        usage(stderr);
        goto out;
    }

    size_t count = dir ? (size_t)npos : 1;
    item *items = calloc(count, sizeof *items);
    if (!items) {
        status = 1;
        goto out;
    }
    status = 0;
    if (dir) {
        if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "error: %s: %s\n", dir, strerror(errno));
            free(items);
            status = 1;
            goto out;
        }
        for (size_t k = 0; k < count; k++) {
            fmt fi = fmt_of(pos[k]);
            bool raw = tool_format_of(pos[k]) == TOOL_FORMAT_RAW;
            fmt to = o.to != FMT_NONE ? o.to : fi == FMT_QOI || raw ? FMT_EXR : FMT_QOI;
            items[k].in = pos[k];
            items[k].out = out_name(pos[k], dir, to);
        }
    } else {
        items[0].in = pos[0];
        items[0].out = strdup(pos[1]);
    }
    for (size_t k = 0; k < count; k++) {
        if (!items[k].out) {
            fprintf(stderr, "error: out of memory\n");
            status = 1;
            goto free_items;
        }
        if (same_file(items[k].in, items[k].out)) {
            fprintf(stderr, "error: %s: input and output are the same file\n", items[k].out);
            status = 1;
            goto free_items;
        }
    }

    batch b;
    memset(&b, 0, sizeof b);
    b.items = items;
    b.count = count;
    b.o = &o;
    b.progress = count > 1 && isatty(STDERR_FILENO);
    pthread_mutex_init(&b.lock, NULL);
    exrqoi_pool *pool = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (count > 1 && exrqoi_pool_create(o.threads, NULL, &pool) != EXRQOI_OK) pool = NULL;
    /* one file uses every thread itself; a sequence spreads files over them */
    b.inner_threads = count > 1 ? 1 : o.threads;
    if (b.progress) draw_progress(&b);
    exrqoi__pool_for(pool, 0, count, run_item, &b, NULL);
    exrqoi_pool_destroy(pool);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    pthread_mutex_destroy(&b.lock);
    if (b.progress) fprintf(stderr, "\r\033[K");
    if (count > 1)
        fprintf(stderr, "converted %zu of %zu files (%zu failed) in %.2f s\n", b.done - b.failed,
                count, b.failed,
                (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9);
    status = b.failed ? 1 : 0;
free_items:
    for (size_t k = 0; k < count; k++) free(items[k].out);
    free(items);
out:
    free(pos);
    return status;
}
