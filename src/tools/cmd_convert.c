/* exrqoi convert: EXR -> EXR (every part, level, channel and attribute;
 * chunks copied as stored unless --compression or --lenient), EXR -> QOI,
 * QOI -> EXR, QOI -> QOI, and with PNG or camera raw on one side through
 * convert_formats.c; one file (IN OUT) or many (IN... -o DIR), in
 * parallel, with a progress bar on a terminal.
 *
 * Nothing is read before the command line and the outputs have been
 * checked: the output format must be known, no output may be an input or
 * a directory, and no two outputs of a batch may share a name. */
#define _GNU_SOURCE 1
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "io/platform.h"
#include "tools/sys.h"

#include "tools/convert_formats.h"
#include "tools/opts.h"
#include "tools/progress.h"

static const char *const fmt_names[] = {"exr", "qoi", "png", NULL};
static const tool_fmt fmt_values[] = {FMT_EXR, FMT_QOI, FMT_PNG};
static const char *const bits_names[] = {"8", "16", NULL};
static const char *const primaries_names[] = {"rec709", "aces", NULL};
static const char *const tone_names[] = {"clamp", "reinhard", "aces", NULL};

/* Copies every chunk as stored: exact whatever the codec. */
static exrqoi_result copy_chunks(exrqoi_reader *r, const char *out, const exrqoi_write_options *wo)
{
    int np = exrqoi_reader_part_count(r);
    exrqoi_header *h = calloc((size_t)np, sizeof *h);
    if (!h) return EXRQOI_ERR_OUT_OF_MEMORY;
    for (int k = 0; k < np; k++) h[k] = *exrqoi_reader_header(r, k);
    exrqoi_writer *w;
    exrqoi_result rv = tool_dst_writer(out, h, np, wo, &w);
    free(h);
    if (rv) return rv;
    for (int k = 0; k < np && !rv; k++) {
        exrqoi_part_info pi;
        exrqoi_reader_part_info(r, k, &pi);
        for (uint64_t i = 0; i < pi.chunk_count && !rv; i++) {
            exrqoi_chunk_info ci;
            void *data;
            size_t size;
            rv = exrqoi_reader_read_raw_chunk(r, k, i, &ci, &data, &size);
            if (!rv) rv = exrqoi_writer_write_raw_chunk(w, k, &ci, data, size);
            exrqoi_free(NULL, data);
        }
    }
    if (!rv) rv = exrqoi_writer_finish(w);
    exrqoi_writer_close(w);
    return rv;
}

/* Deep data can be stored with none, rle or zips only: deep parts take
 * the requested codec when it is one of these and zips (lossless, the
 * deflate one deep data allows) otherwise, so a multipart file converted
 * to piz, dwaa, ... gets it on its flat parts and stays valid. */
static exrqoi_compression deep_codec(exrqoi_compression c)
{
    return c == EXRQOI_COMPRESSION_NONE || c == EXRQOI_COMPRESSION_RLE ? c : EXRQOI_COMPRESSION_ZIPS;
}

exrqoi_result tool_set_compression(exrqoi_image *img, exrqoi_compression c)
{
    exrqoi_result rv = EXRQOI_OK;
    for (int32_t k = 0; k < img->part_count && !rv; k++) {
        exrqoi_part_type t = img->parts[k].type;
        bool deep = t == EXRQOI_PART_DEEP_SCANLINE || t == EXRQOI_PART_DEEP_TILED;
        rv = exrqoi_header_set_compression(&img->parts[k].header, deep ? deep_codec(c) : c);
    }
    return rv;
}

static exrqoi_result recode(exrqoi_reader *r, const char *out, exrqoi_compression c,
                            const exrqoi_write_options *wo)
{
    exrqoi_image img;
    exrqoi_result rv = exrqoi_reader_read_image(r, &img);
    if (rv) return rv;
    rv = tool_set_compression(&img, c);
    if (!rv) rv = tool_dst_image(out, &img, wo);
    exrqoi_image_free(&img);
    return rv;
}

typedef struct item {
    const char *in;
    char *out;
    tool_fmt to;
    uint64_t bytes; /* input size, for the progress bar */
    exrqoi_result rv;
    bool salvaged; /* --lenient filled something */
    tool_msg msg;
    conv_report rep;
} item;

static exrqoi_result convert_one(const conv_opts *o, item *it, int threads)
{
    tool_src s;
    char why[300];
    if (!tool_src_open(&s, it->in, why, sizeof why)) {
        snprintf(it->msg.text, sizeof it->msg.text, "%s", why);
        return EXRQOI_ERR_OPEN;
    }
    tool_fmt to = it->to != FMT_NONE ? it->to : s.fmt == FMT_QOI || s.fmt == FMT_RAW ? FMT_EXR : FMT_QOI;
    exrqoi_result rv = EXRQOI_OK;
    exrqoi_read_options ro = EXRQOI_READ_OPTIONS_INIT;
    ro.threads = threads;
    ro.on_message = tool_on_message;
    ro.message_user = &it->msg;
    exrqoi_write_options wo = EXRQOI_WRITE_OPTIONS_INIT;
    wo.threads = threads;
    wo.zip_level = o->zip_level;
    wo.dwa_level = o->dwa_level;
    wo.on_message = tool_on_message;
    wo.message_user = &it->msg;
    exrqoi_qoi_options qo = EXRQOI_QOI_OPTIONS_INIT;
    qo.struct_size = sizeof qo;
    qo.on_message = tool_on_message;
    qo.message_user = &it->msg;
    tool_signals_track(it->out);
    if (s.fmt == FMT_NONE) {
        snprintf(it->msg.text, sizeof it->msg.text, "not an EXR, QOI, PNG or camera raw file");
        rv = EXRQOI_ERR_BAD_MAGIC;
    } else if (conv_formats_handles(s.fmt, to)) {
        rv = conv_formats(o, &s, to, it->out, threads, &it->rep, &it->msg);
    } else if (s.fmt == FMT_EXR) {
        exrqoi_reader *r = NULL;
        rv = tool_src_open_exr(&s, &ro, &r);
        if (!rv && to == FMT_EXR) {
            if (o->lenient) rv = conv_exr_lenient(r, o, it->out, &wo, &it->rep, &it->msg);
            else if (o->compression >= 0) rv = recode(r, it->out, (exrqoi_compression)o->compression, &wo);
            else rv = copy_chunks(r, it->out, &wo);
        } else if (!rv) {
            exrqoi_qoi_desc d;
            void *px = NULL;
            rv = conv_exr_to_display(r, o, 8, &d, &px, &it->rep, &it->msg);
            if (!rv) rv = tool_dst_qoi(it->out, px, &d, &qo);
            exrqoi_free(NULL, px);
        }
        exrqoi_reader_close(r);
    } else {
        exrqoi_qoi_desc d;
        void *px = NULL;
        rv = tool_src_decode_qoi(&s, &qo, &d, &px);
        if (!rv && to == FMT_QOI) {
            rv = tool_dst_qoi(it->out, px, &d, &qo);
        } else if (!rv) {
            size_t n = (size_t)d.width * d.height;
            uint16_t *half = d.width > INT32_MAX || d.height > INT32_MAX || n > SIZE_MAX / 8
                                 ? NULL
                                 : malloc(n * 8);
            rv = half ? exrqoi_qoi_pixels_to_half(px, &d, half) : EXRQOI_ERR_OUT_OF_MEMORY;
            exrqoi_rgba_write_options rw = EXRQOI_RGBA_WRITE_OPTIONS_INIT;
            rw.write = &wo;
            rw.compression = o->compression >= 0 ? (exrqoi_compression)o->compression : EXRQOI_COMPRESSION_ZIP;
            rw.channels = d.channels;
            rw.input_type = EXRQOI_PIXEL_HALF;
            rw.write_chromaticities = 1;
            rw.chromaticities = exrqoi_chromaticities_rec709();
            if (!rv) rv = tool_dst_rgba(it->out, (int32_t)d.width, (int32_t)d.height, half, &rw);
            free(half);
        }
        exrqoi_free(NULL, px);
    }
    tool_signals_untrack(it->out);
    tool_src_close(&s);
    it->salvaged = !rv && it->rep.filled > 0;
    return rv;
}

typedef struct batch {
    item *items;
    size_t count;
    const conv_opts *o;
    int inner_threads;
    bool verbose, stdout_out;
    pthread_mutex_t lock;
    size_t started, done, failed, salvaged;
    tool_progress progress;
} batch;

static void print_result(batch *b, item *it)
{
    if (it->rv) {
        tool_progress_clear(&b->progress);
        fprintf(stderr, "exrqoi convert: %s -> %s: %s\n", it->in, it->out, tool_error_text(&it->msg, it->rv));
        return;
    }
    if (it->rep.filled) {
        tool_progress_clear(&b->progress);
        fprintf(stderr, "exrqoi convert: %s: damaged, salvaged into %s (%llu chunk(s) filled):\n%s", it->in,
                it->out, (unsigned long long)it->rep.filled, it->rep.text.data ? it->rep.text.data : "");
    }
    if (b->verbose) {
        tool_progress_clear(&b->progress);
        fprintf(stderr, "converted %s -> %s\n", it->in, it->out);
    }
}

static void run_item(void *ctx, size_t i, int worker)
{
    (void)worker;
    batch *b = (batch *)ctx;
    item *it = &b->items[i];
    pthread_mutex_lock(&b->lock);
    b->started++;
    pthread_mutex_unlock(&b->lock);
    it->rv = convert_one(b->o, it, b->inner_threads);
    pthread_mutex_lock(&b->lock);
    b->done++;
    if (it->rv) b->failed++;
    if (it->salvaged) b->salvaged++;
    print_result(b, it);
    tool_progress_update(&b->progress, b->done, it->bytes);
    pthread_mutex_unlock(&b->lock);
    tool_buf_free(&it->rep.text);
}

static void summary(const batch *b, const char *how)
{
    if (b->count < 2 && !how) return;
    fprintf(stderr, "exrqoi convert: %s%sconverted %zu of %zu file(s)", how ? how : "", how ? ": " : "",
            b->done - b->failed, b->count);
    if (b->failed) fprintf(stderr, ", %zu failed", b->failed);
    if (b->salvaged) fprintf(stderr, ", %zu salvaged from damage", b->salvaged);
    if (how && b->started > b->done) fprintf(stderr, ", %zu abandoned", b->started - b->done);
    if (how && b->count > b->started) fprintf(stderr, ", %zu not started", b->count - b->started);
    fprintf(stderr, "\n");
}

static void on_signal(void *user, int sig)
{
    batch *b = (batch *)user;
    pthread_mutex_lock(&b->lock);
    tool_progress_clear(&b->progress);
    char how[64];
    snprintf(how, sizeof how, "interrupted (%s)", tool_sys_signal_name(sig));
    summary(b, how);
    /* the lock stays held: nothing more is reported */
}

/* DIR/<input name without its format extension>.<format> */
static char *out_name(const char *in, const char *dir, tool_fmt to, int number)
{
    const char *base = strrchr(in, '/');
    base = base ? base + 1 : in;
    size_t bl = strlen(base);
    bl -= tool_fmt_ext_len(base);
    size_t n = strlen(dir) + bl + 32;
    char *s = malloc(n);
    if (!s) return NULL;
    if (number)
        snprintf(s, n, "%s/%.*s-%d.%s", dir, (int)bl, base, number, tool_fmt_name(to));
    else
        snprintf(s, n, "%s/%.*s.%s", dir, (int)bl, base, tool_fmt_name(to));
    return s;
}

static int cmp_out(const void *a, const void *b)
{
    return strcmp((*(item *const *)a)->out, (*(item *const *)b)->out);
}

/* Names the outputs of a batch; colliding names fail (or are numbered). */
static int name_outputs(item *items, size_t count, const char *dir, tool_fmt want, int number)
{
    for (size_t k = 0; k < count; k++) {
        tool_fmt to = want;
        if (to == FMT_NONE) {
            tool_fmt in = tool_fmt_of_name(items[k].in);
            to = in == FMT_QOI || in == FMT_RAW ? FMT_EXR : FMT_QOI;
        }
        items[k].to = to;
        items[k].out = out_name(items[k].in, dir, to, 0);
        if (!items[k].out) return TOOL_FAILED;
        for (int n = 1; number; n++) {
            size_t j = 0;
            while (j < k && strcmp(items[j].out, items[k].out)) j++;
            if (j == k) break;
            free(items[k].out);
            items[k].out = out_name(items[k].in, dir, to, n);
            if (!items[k].out) return TOOL_FAILED;
        }
    }
    item **sorted = malloc(count * sizeof *sorted);
    if (!sorted) return TOOL_FAILED;
    for (size_t k = 0; k < count; k++) sorted[k] = &items[k];
    qsort(sorted, count, sizeof *sorted, cmp_out);
    int status = TOOL_OK;
    for (size_t k = 1; k < count; k++)
        if (!strcmp(sorted[k]->out, sorted[k - 1]->out)) {
            fprintf(stderr, "exrqoi convert: %s and %s would both be written to %s (use --number)\n",
                    sorted[k - 1]->in, sorted[k]->in, sorted[k]->out);
            status = TOOL_FAILED;
        }
    free(sorted);
    return status;
}

int cmd_convert(int argc, char **argv)
{
    static const char about[] =
        "Converts EXR -> EXR (every part, level, channel and attribute kept), EXR -> QOI,\n"
        "QOI -> EXR, QOI -> QOI, and PNG both ways (PNG -> QOI/EXR/PNG, EXR/QOI -> PNG),\n"
        "and camera raw (.dng, .cr2, .cr3, .nef, .arw, .raf, .orf, .rw2, .pef, ...) as\n"
        "input (-> EXR/QOI/PNG). The input's format comes from its content (camera raw:\n"
        "or its extension); the output's from --format or OUT's extension (.exr, .qoi,\n"
        ".png). See docs/convert.md for the conversion rules. '-' is standard input\n"
        "or output. A symbolic link as OUT is written through to its target; a FIFO or\n"
        "device is written in place; a regular file is replaced atomically. No output\n"
        "may be one of the inputs. EXR -> QOI/PNG composites deep parts (as flatten does).";
    conv_opts o;
    memset(&o, 0, sizeof o);
    const exrqoi_exr_to_qoi_options e2q = EXRQOI_EXR_TO_QOI_OPTIONS_INIT;
    const exrqoi_rgba_read_options select = EXRQOI_RGBA_READ_OPTIONS_INIT;
    o.e2q = e2q;
    o.select = select;
    o.compression = -1;
    const char *dir = NULL;
    int fmt = -1, number = 0, verbose = 0, bits = 0, half = 0, full_float = 0, primaries = 0;
    const char *wb = NULL;
    const tool_opt opts[] = {
        {"output-dir", 'o', OPT_STRING, "DIR", 0, 0, NULL, NULL,
         "convert every input into DIR (created if missing), in parallel", &dir},
        {"format", 0, OPT_CHOICE, "FMT", 0, 0, fmt_names,
         "from OUT's extension; with -o: EXR for QOI and camera raw inputs, else QOI", "output format", &fmt},
        {"to", 0, OPT_CHOICE, "FMT", 0, 0, fmt_names, NULL, "the same as --format", &fmt},
        {"number", 0, OPT_FLAG, NULL, 0, 0, NULL, NULL,
         "with -o: number outputs whose names collide (x.qoi, x-1.qoi, ...) instead of failing", &number},
        {"compression", 0, OPT_CODEC, "NAME", 0, 0, NULL,
         "EXR -> EXR: chunks copied as stored; QOI -> EXR: zip",
         "EXR output compression (deep parts get none, rle or zips)", &o.compression},
        {"zip-level", 0, OPT_INT, "N", 0, 12, NULL, "0 = chosen per chunk", "deflate level of zip/zips/pxr24",
         &o.zip_level},
        {"dwa-level", 0, OPT_FLOAT, "F", 0, 1e6, NULL, "0 = the file's, else 45", "DWA quality", &o.dwa_level},
        {"part", 0, OPT_STRING, "N|NAME", 0, 0, NULL, "the first part with colour",
         "EXR -> QOI/PNG: part to read, by index or name", &o.part},
        {"layer", 0, OPT_STRING, "NAME", 0, 0, NULL, "none",
         "EXR -> QOI/PNG: layer, e.g. diffuse for diffuse.R/G/B/A", &o.select.layer},
        {"view", 0, OPT_STRING, "NAME", 0, 0, NULL, "the default view",
         "EXR -> QOI/PNG: view of a multi-view file", &o.select.view},
        {"channels", 0, OPT_STRING, "LIST", 0, 0, NULL, "R,G,B,A (or Y)",
         "EXR -> QOI/PNG: channels that become R,G,B,A: 1 name = gray, 2 = gray+alpha, 3 = RGB, 4 = RGBA; "
         "LAYER.* = that layer's R,G,B,A",
         &o.channels},
        {"exposure", 0, OPT_FLOAT, "EV", -64, 64, NULL, "0", "EXR -> QOI/PNG: exposure change in stops",
         &o.e2q.exposure},
        {"tonemap", 0, OPT_CHOICE, "CURVE", 0, 0, tone_names, "clamp", "EXR -> QOI/PNG: tone curve", &o.tonemap},
        {"linear", 0, OPT_FLAG, NULL, 0, 0, NULL, NULL, "EXR -> QOI/PNG: no sRGB curve; a linear QOI (colorspace 1) or PNG (gAMA 1.0)",
         &o.e2q.linear},
        {"bits", 0, OPT_CHOICE, "N", 0, 0, bits_names, "8",
         "PNG output: bits per sample (16 keeps EXR and camera raw precision)", &bits},
        {"half", 0, OPT_FLAG, NULL, 0, 0, NULL, NULL,
         "PNG/camera raw -> EXR: half samples (default: half from 8-bit PNGs, float from 16-bit PNGs and "
         "camera raw)",
         &half},
        {"float", 0, OPT_FLAG, NULL, 0, 0, NULL, NULL, "PNG/camera raw -> EXR: 32-bit float samples",
         &full_float},
        {"primaries", 0, OPT_CHOICE, "NAME", 0, 0, primaries_names, "rec709",
         "camera raw: output primaries (aces = ACES AP0), written as chromaticities", &primaries},
        {"wb", 0, OPT_STRING, "R,G,B", 0, 0, NULL, "as shot",
         "camera raw: white balance multipliers, each in (0, 10000] (only their ratios matter)", &wb},
        {"lenient", 0, OPT_FLAG, NULL, 0, 0, NULL, NULL,
         "salvage a damaged EXR: intact chunks decoded, damaged ones filled (flat: 0, deep: no samples), "
         "a report on stderr, exit status 1",
         &o.lenient},
        TOOL_OPT_THREADS(&o.threads),
        {"verbose", 'v', OPT_FLAG, NULL, 0, 0, NULL, NULL, "a line on stderr per file converted", &verbose},
    };
    const tool_cmd cmd = {"convert", "IN OUT\nIN... -o DIR", about, opts, TOOL_OPT_COUNT(opts)};
    const char **pos;
    int npos, status;
    if (!tool_parse_inputs(&cmd, argc, argv, &pos, &npos, &status)) return status;
    item *items = NULL;
    size_t count = 0;
    o.e2q.tonemap = (exrqoi_tonemap)o.tonemap;
    o.bits = bits == 1 ? 16 : 8;
    if (half && full_float) {
        status = tool_usage_error(&cmd, "--half and --float exclude each other");
        goto out;
    }
    o.exr_type = half ? EXRQOI_PIXEL_HALF : full_float ? EXRQOI_PIXEL_FLOAT : (exrqoi_pixel_type)0;
    o.raw.primaries = primaries == 1 ? TOOL_RAW_ACES : TOOL_RAW_REC709;
    if (wb) {
        float *w = o.raw.wb;
        char tail;
        if (sscanf(wb, "%f,%f,%f%c", &w[0], &w[1], &w[2], &tail) != 3 || !(w[0] > 0 && w[0] <= 10000) ||
            !(w[1] > 0 && w[1] <= 10000) || !(w[2] > 0 && w[2] <= 10000)) {
            status = tool_usage_error(&cmd, "--wb takes three numbers R,G,B, each in (0, 10000], not '%s'", wb);
            goto out;
        }
        o.raw.has_wb = true;
    }
    tool_fmt want = fmt < 0 ? FMT_NONE : fmt_values[fmt];
    if (dir) {
        if (npos < 1) {
            status = tool_usage_error(&cmd, "no input files");
            goto out;
        }
    } else {
        if (npos != 2) {
            status = npos > 2 ? tool_usage_error(&cmd, "several inputs need -o DIR")
                              : tool_usage_error(&cmd, "needs IN and OUT");
            goto out;
        }
        if (want == FMT_NONE) want = tool_fmt_of_name(pos[1]);
        if (want == FMT_NONE) {
            status = tool_usage_error(&cmd,
                                      "cannot tell the output format of '%s': name it .exr, .qoi or .png, or use --format",
                                      pos[1]);
            goto out;
        }
        if (want == FMT_RAW) {
            status = tool_usage_error(&cmd, "'%s': camera raw is an input format only (write .exr, .qoi or .png)",
                                      pos[1]);
            goto out;
        }
    }
    /* a build without libspng says so before reading anything */
    char why[300];
    if (want == FMT_PNG && !conv_format_available(FMT_PNG, why, sizeof why)) {
        fprintf(stderr, "exrqoi convert: %s\n", why);
        status = TOOL_FAILED;
        goto out;
    }
    count = dir ? (size_t)npos : 1;
    items = calloc(count, sizeof *items);
    status = TOOL_FAILED;
    if (!items) goto out;
    for (size_t k = 0; k < count; k++) {
        items[k].in = pos[k];
        items[k].bytes = tool_file_size(pos[k]);
    }
    if (dir) {
        exrqoi__file_info st;
        if (name_outputs(items, count, dir, want, number)) goto out;
        if (exrqoi__os_info(dir, &st) == 0 && st.kind != EXRQOI__FILE_DIRECTORY) {
            fprintf(stderr, "exrqoi convert: %s: not a directory\n", dir);
            goto out;
        }
        if (exrqoi__os_info(dir, &st) != 0 && tool_sys_mkdir(dir) != 0) {
            fprintf(stderr, "exrqoi convert: %s: %s\n", dir, strerror(errno));
            goto out;
        }
    } else {
        items[0].out = strdup(pos[1]);
        items[0].to = want;
        if (!items[0].out) goto out;
    }
    for (size_t k = 0; k < count; k++)
        if (!tool_check_output("convert", items[k].out, pos, dir ? npos : 1)) goto out;

    batch b;
    memset(&b, 0, sizeof b);
    b.items = items;
    b.count = count;
    b.o = &o;
    b.verbose = verbose != 0;
    pthread_mutex_init(&b.lock, NULL);
    uint64_t total = 0;
    for (size_t k = 0; k < count; k++) total += items[k].bytes;
    tool_progress_init(&b.progress, count > 1, count, total);
    tool_signals_start(on_signal, &b);
    exrqoi_pool *pool = NULL;
    if (count > 1 && exrqoi_pool_open(o.threads, NULL, &pool) != EXRQOI_OK) pool = NULL;
    /* one file uses every thread itself; a sequence spreads files over them */
    b.inner_threads = count > 1 ? 1 : o.threads;
    exrqoi_pool_parallel_for(pool, count, run_item, &b);
    exrqoi_pool_close(pool);
    tool_signals_stop();
    pthread_mutex_lock(&b.lock);
    tool_progress_clear(&b.progress);
    summary(&b, NULL);
    status = b.failed || b.salvaged ? TOOL_FAILED : TOOL_OK;
    pthread_mutex_unlock(&b.lock);
out:
    for (size_t k = 0; items && k < count; k++) free(items[k].out);
    free(items);
    free(pos);
    return status;
}
