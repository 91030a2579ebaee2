/* Inputs, outputs and interruption of the exrqoi tool (see files.h). */
#define _GNU_SOURCE 1
#include "tools/files.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/platform.h"
#include "tools/sys.h"

enum { STDIN_FD = 0, STDOUT_FD = 1 };

/* Input read into memory (standard input, pipes) stops here: the
 * library's own default allocation limit for one read. */
#define TOOL_MAX_STREAM_BYTES ((uint64_t)16 << 30)

/* Camera raw files LibRaw reads, by extension. */
static const char *const raw_exts[] = {
    ".dng", ".cr2", ".cr3", ".crw", ".nef", ".nrw", ".arw", ".srf", ".sr2", ".raf", ".orf", ".rw2", ".rwl",
    ".pef", ".srw", ".3fr", ".fff", ".iiq", ".mos", ".mef", ".erf", ".kdc", ".dcr", ".x3f", ".raw"};

static bool ends_with(const char *s, const char *ext)
{
    size_t n = strlen(s), e = strlen(ext);
    return n >= e && !strcasecmp(s + n - e, ext);
}

tool_fmt tool_fmt_of_name(const char *path)
{
    if (ends_with(path, ".exr")) return FMT_EXR;
    if (ends_with(path, ".qoi")) return FMT_QOI;
    if (ends_with(path, ".png")) return FMT_PNG;
    for (size_t i = 0; i < sizeof raw_exts / sizeof raw_exts[0]; i++)
        if (ends_with(path, raw_exts[i])) return FMT_RAW;
    return FMT_NONE;
}

size_t tool_fmt_ext_len(const char *name)
{
    if (tool_fmt_of_name(name) == FMT_NONE) return 0;
    return strlen(strrchr(name, '.'));
}

const char *tool_fmt_name(tool_fmt f)
{
    switch (f) {
    case FMT_EXR: return "exr";
    case FMT_QOI: return "qoi";
    case FMT_PNG: return "png";
    case FMT_RAW: return "raw";
    default: return "unknown";
    }
}

const char *tool_fmt_not_exr_qoi(tool_fmt f)
{
    if (f == FMT_PNG) return "a PNG file, not an EXR or QOI file (exrqoi convert reads it)";
    if (f == FMT_RAW) return "a camera raw file, not an EXR or QOI file (exrqoi convert reads it)";
    return "not an EXR or QOI file";
}

/* By content; camera raw files have no one signature (most are TIFF
 * containers), so their extension names them too. */
static tool_fmt fmt_of_bytes(const unsigned char *b, size_t n, const char *name)
{
    if (n >= 4 && b[0] == 0x76 && b[1] == 0x2f && b[2] == 0x31 && b[3] == 0x01) return FMT_EXR;
    if (n >= 4 && !memcmp(b, "qoif", 4)) return FMT_QOI;
    if (n >= 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8)) return FMT_PNG;
    if (tool_fmt_of_name(name) == FMT_RAW) return FMT_RAW;
    if (n >= 4 && (!memcmp(b, "II*\0", 4) || !memcmp(b, "MM\0*", 4))) return FMT_RAW;
    return FMT_NONE;
}

static bool read_all(int fd, void **data, size_t *size, char *why, size_t why_size)
{
    size_t cap = 1 << 16, len = 0;
    unsigned char *d = malloc(cap);
    if (!d) {
        snprintf(why, why_size, "out of memory");
        return false;
    }
    for (;;) {
        if (len == cap) {
            if ((uint64_t)cap * 2 > TOOL_MAX_STREAM_BYTES) {
                snprintf(why, why_size, "more than %llu bytes of streamed input",
                         (unsigned long long)TOOL_MAX_STREAM_BYTES);
                free(d);
                return false;
            }
            unsigned char *nd = realloc(d, cap * 2);
            if (!nd) {
                snprintf(why, why_size, "out of memory");
                free(d);
                return false;
            }
            d = nd;
            cap *= 2;
        }
        int64_t n = exrqoi__os_read(fd, d + len, cap - len);
        if (n < 0) {
            snprintf(why, why_size, "cannot read: %s", strerror(errno));
            free(d);
            return false;
        }
        if (n == 0) break;
        len += (size_t)n;
    }
    *data = d;
    *size = len;
    return true;
}

bool tool_src_open(tool_src *s, const char *name, char *why, size_t why_size)
{
    memset(s, 0, sizeof *s);
    s->name = name;
    bool std_in = !strcmp(name, "-");
    int fd = std_in ? STDIN_FD : exrqoi__os_open_read(name);
    if (fd < 0) {
        snprintf(why, why_size, "cannot open: %s", strerror(errno));
        return false;
    }
    exrqoi__file_info st;
    bool ok = exrqoi__os_info_fd(fd, &st) == 0;
    if (ok && st.kind == EXRQOI__FILE_DIRECTORY) {
        snprintf(why, why_size, "is a directory");
        ok = false;
    } else if (ok && (std_in || st.kind != EXRQOI__FILE_REGULAR)) {
        /* standard input has no name to reopen, even when it is a file */
        s->in_memory = true;
        ok = read_all(fd, &s->data, &s->size, why, why_size);
        if (ok) s->fmt = fmt_of_bytes(s->data, s->size, name);
    } else if (ok) {
        unsigned char magic[8];
        int64_t n = exrqoi__os_pread(fd, magic, sizeof magic, 0);
        s->fmt = fmt_of_bytes(magic, n > 0 ? (size_t)n : 0, name);
    } else {
        snprintf(why, why_size, "cannot read: %s", strerror(errno));
    }
    if (!std_in) exrqoi__os_close(fd);
    if (!ok) {
        free(s->data);
        s->data = NULL;
    }
    return ok;
}

void tool_src_close(tool_src *s)
{
    free(s->data);
    s->data = NULL;
}

exrqoi_result tool_src_open_exr(const tool_src *s, const exrqoi_read_options *ro, exrqoi_reader **r)
{
    if (s->in_memory) return exrqoi_reader_open(exrqoi_source_memory(s->data, s->size), ro, r);
    return exrqoi_reader_open(exrqoi_source_path(s->name), ro, r);
}

exrqoi_result tool_src_decode_qoi(const tool_src *s, const exrqoi_qoi_options *qo, exrqoi_qoi_desc *d,
                                  void **px)
{
    if (s->in_memory) return exrqoi_qoi_decode(exrqoi_source_memory(s->data, s->size), qo, d, px, NULL);
    return exrqoi_qoi_decode(exrqoi_source_path(s->name), qo, d, px, NULL);
}

bool tool_is_stdout(const char *path)
{
    return !strcmp(path, "-");
}

static int stdout_write(void *user, const void *buf, size_t size)
{
    (void)user;
    return exrqoi__os_write(STDOUT_FD, buf, size);
}

static const exrqoi_output stdout_output = {stdout_write, NULL, NULL};

exrqoi_result tool_dst_writer(const char *path, const exrqoi_header *h, int n, const exrqoi_write_options *wo,
                              exrqoi_writer **w)
{
    if (tool_is_stdout(path)) return exrqoi_writer_open(exrqoi_sink_output(&stdout_output), h, n, wo, w);
    return exrqoi_writer_open(exrqoi_sink_path(path), h, n, wo, w);
}

exrqoi_result tool_dst_image(const char *path, const exrqoi_image *img, const exrqoi_write_options *wo)
{
    if (!tool_is_stdout(path)) return exrqoi_image_write(exrqoi_sink_path(path), img, wo);
    exrqoi_header *h = calloc((size_t)img->part_count + 1, sizeof *h);
    if (!h) return EXRQOI_ERR_OUT_OF_MEMORY;
    for (int32_t k = 0; k < img->part_count; k++) h[k] = img->parts[k].header;
    exrqoi_writer *w;
    exrqoi_result rv = tool_dst_writer(path, h, img->part_count, wo, &w);
    free(h);
    if (rv) return rv;
    rv = exrqoi_writer_write_image(w, img);
    if (!rv) rv = exrqoi_writer_finish(w);
    exrqoi_writer_close(w);
    return rv;
}

exrqoi_result tool_dst_qoi(const char *path, const void *px, const exrqoi_qoi_desc *d, const exrqoi_qoi_options *qo)
{
    if (tool_is_stdout(path)) return exrqoi_qoi_encode(exrqoi_sink_output(&stdout_output), px, d, qo);
    return exrqoi_qoi_encode(exrqoi_sink_path(path), px, d, qo);
}

exrqoi_result tool_dst_bytes(const char *path, const void *data, size_t size, char *msg, size_t msg_size)
{
    if (tool_is_stdout(path)) {
        if (stdout_write(NULL, data, size) == 0) return EXRQOI_OK;
        snprintf(msg, msg_size, "cannot write to standard output: %s", strerror(errno));
        return EXRQOI_ERR_WRITE;
    }
    exrqoi_result rv = exrqoi_sink_save(exrqoi_sink_path(path), data, size, NULL);
    if (rv) snprintf(msg, msg_size, "cannot write '%s': %s", path, exrqoi_strerror(rv));
    return rv;
}

exrqoi_result tool_dst_rgba(const char *path, int32_t w, int32_t h, const void *px,
                            const exrqoi_rgba_write_options *o)
{
    if (!tool_is_stdout(path)) return exrqoi_rgba_write(exrqoi_sink_path(path), w, h, px, 0, o);
    void *data;
    size_t size;
    exrqoi_result rv = exrqoi_rgba_write(exrqoi_sink_memory(&data, &size), w, h, px, 0, o);
    if (rv) return rv;
    if (stdout_write(NULL, data, size) != 0) rv = EXRQOI_ERR_WRITE;
    exrqoi_free(o && o->write ? o->write->allocator : NULL, data);
    return rv;
}

uint64_t tool_file_size(const char *path)
{
    exrqoi__file_info st;
    if (!strcmp(path, "-") || exrqoi__os_info(path, &st) != 0 || st.kind != EXRQOI__FILE_REGULAR) return 0;
    return st.size;
}

bool tool_file_id(const char *path, bool in_side, tool_id *id)
{
    exrqoi__file_info st;
    int rc = !strcmp(path, "-") ? exrqoi__os_info_fd(in_side ? STDIN_FD : STDOUT_FD, &st) : exrqoi__os_info(path, &st);
    if (rc != 0) return false;
    id->dev = st.dev;
    id->ino = st.ino;
    return st.dev || st.ino; /* 0, 0: identity unknown */
}

bool tool_check_output(const char *cmd, const char *out, const char *const *inputs, int n)
{
    exrqoi__file_info st;
    if (!tool_is_stdout(out) && exrqoi__os_info(out, &st) == 0 && st.kind == EXRQOI__FILE_DIRECTORY) {
        fprintf(stderr, "exrqoi %s: %s: is a directory\n", cmd, out);
        return false;
    }
    if (tool_is_stdout(out) && tool_sys_is_terminal(STDOUT_FD)) {
        fprintf(stderr, "exrqoi %s: standard output is a terminal: not writing an image there\n", cmd);
        return false;
    }
    tool_id o, i;
    if (!tool_file_id(out, false, &o)) return true;
    /* a pipe or terminal shared by standard input and output is no file to lose */
    if (tool_is_stdout(out) && exrqoi__os_info_fd(STDOUT_FD, &st) == 0 && st.kind != EXRQOI__FILE_REGULAR)
        return true;
    for (int k = 0; k < n; k++)
        if (tool_file_id(inputs[k], true, &i) && i.dev == o.dev && i.ino == o.ino) {
            fprintf(stderr, "exrqoi %s: %s: the output is the input %s (the same file)\n", cmd, out,
                    inputs[k]);
            return false;
        }
    return true;
}

/* ---- interruption -------------------------------------------------------- */

#define TOOL_MAX_TRACKED 256

static struct {
    void (*report)(void *user, int sig);
    void *user;
    char *tracked[TOOL_MAX_TRACKED];
} sig_state;
static pthread_mutex_t sig_lock = PTHREAD_MUTEX_INITIALIZER;

/* Removes "<target>.tmp<pid>.*" beside the target of `out` (the library's
 * named temporary files, made where unnamed ones are not available). */
static void remove_debris(const char *out)
{
    char *target = exrqoi__os_follow_links(out, NULL);
    if (!target) return;
    char *slash = strrchr(target, '/');
#ifdef _WIN32
    char *back = strrchr(target, '\\');
    if (back && (!slash || back > slash)) slash = back;
#endif
    const char *base = slash ? slash + 1 : target;
    char dir[4096];
    if (slash) snprintf(dir, sizeof dir, "%.*s", (int)(slash - target) + 1, target);
    else dir[0] = 0;
    char prefix[4200];
    snprintf(prefix, sizeof prefix, "%s.tmp%ld.", base, (long)exrqoi__os_pid());
    tool_sys_remove_prefixed(dir, prefix);
    free(target); /* allocated with the default allocator */
}

/* On the interruption's own thread; the process ends when it returns. */
static void on_interrupt(int sig)
{
    pthread_mutex_lock(&sig_lock);
    if (sig_state.report) sig_state.report(sig_state.user, sig);
    for (int i = 0; i < TOOL_MAX_TRACKED; i++)
        if (sig_state.tracked[i]) remove_debris(sig_state.tracked[i]);
}

void tool_signals_start(void (*report)(void *user, int sig), void *user)
{
    sig_state.report = report;
    sig_state.user = user;
    tool_sys_watch_interrupts(on_interrupt);
}

void tool_signals_stop(void)
{
    pthread_mutex_lock(&sig_lock);
    sig_state.report = NULL;
    pthread_mutex_unlock(&sig_lock);
}

void tool_signals_track(const char *out)
{
    if (tool_is_stdout(out)) return;
    pthread_mutex_lock(&sig_lock);
    for (int i = 0; i < TOOL_MAX_TRACKED; i++)
        if (!sig_state.tracked[i]) {
            sig_state.tracked[i] = strdup(out);
            break;
        }
    pthread_mutex_unlock(&sig_lock);
}

void tool_signals_untrack(const char *out)
{
    pthread_mutex_lock(&sig_lock);
    for (int i = 0; i < TOOL_MAX_TRACKED; i++)
        if (sig_state.tracked[i] && !strcmp(sig_state.tracked[i], out)) {
            free(sig_state.tracked[i]);
            sig_state.tracked[i] = NULL;
            break;
        }
    pthread_mutex_unlock(&sig_lock);
}
