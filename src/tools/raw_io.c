/* Camera raw reading with LibRaw (see raw_io.h). */
#include "tools/raw_io.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if EXRQOI_HAVE_RAW

#include <libraw/libraw.h>


bool tool_raw_available(void) { return true; }

static exrqoi_result map_libraw(int e)
{
    switch (e) {
    case LIBRAW_FILE_UNSUPPORTED: return EXRQOI_ERR_BAD_MAGIC;
    case LIBRAW_REQUEST_FOR_NONEXISTENT_IMAGE:
    case LIBRAW_NOT_IMPLEMENTED: return EXRQOI_ERR_UNSUPPORTED;
    case LIBRAW_UNSUFFICIENT_MEMORY: return EXRQOI_ERR_OUT_OF_MEMORY;
    case LIBRAW_DATA_ERROR: return EXRQOI_ERR_CORRUPT;
    case LIBRAW_IO_ERROR: return EXRQOI_ERR_READ;
    case LIBRAW_TOO_BIG:
    case LIBRAW_MEMPOOL_OVERFLOW: return EXRQOI_ERR_LIMIT;
    default: return e > 0 ? EXRQOI_ERR_OPEN : EXRQOI_ERR_BAD_HEADER; /* > 0: errno */
    }
}

static exrqoi_result libraw_fail(char *msg, size_t msg_size, int e, const char *what)
{
    return tool_fail(msg, msg_size, map_libraw(e), "camera raw: %s: %s", what,
                     e > 0 ? strerror(e) : libraw_strerror(e));
}

/* LibRaw reports damaged data through callbacks that print by default. */
typedef struct raw_errors {
    int data_errors;
    long first_offset;
    bool memory_error;
} raw_errors;

static void on_data_error(void *user, const char *file, const int offset)
{
    (void)file;
    raw_errors *re = (raw_errors *)user;
    if (re->data_errors++ == 0) re->first_offset = offset;
}

static void on_memory_error(void *user, const char *file, const char *where)
{
    (void)file, (void)where;
    ((raw_errors *)user)->memory_error = true;
}

/* The colour (0 R, 1 G, 2 B) of each visible pixel, second green as G. */
static int cfa_color(libraw_data_t *lr, int row, int col)
{
    int c = libraw_COLOR(lr, row, col);
    return c == 3 ? 1 : c;
}

/* Bilinear demosaic of one pixel's missing colour k: the mean of the
 * pixels of colour k among the neighbours within `radius`. */
static bool neighbour_mean(const float *mono, const uint8_t *cfa, int w, int h, int x, int y,
                           int k, int radius, float *out)
{
    double sum = 0;
    int n = 0;
    for (int dy = -radius; dy <= radius; dy++) {
        int yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (int dx = -radius; dx <= radius; dx++) {
            int xx = x + dx;
            if (xx < 0 || xx >= w) continue;
            size_t i = (size_t)yy * (size_t)w + (size_t)xx;
            if (cfa[i] == k) {
                sum += mono[i];
                n++;
            }
        }
    }
    if (!n) return false;
    *out = (float)(sum / n);
    return true;
}

static void set_meta(libraw_data_t *lr, tool_raw_meta *m)
{
    snprintf(m->make, sizeof m->make, "%s", lr->idata.make);
    snprintf(m->model, sizeof m->model, "%s", lr->idata.model);
    snprintf(m->lens, sizeof m->lens, "%s", lr->lens.Lens);
    m->iso = lr->other.iso_speed;
    m->exposure_time = lr->other.shutter;
    m->aperture = lr->other.aperture;
    m->focal_length = lr->other.focal_len;
}

/* out(r,c) = in(flip_index(r,c)) as dcraw and LibRaw orient their output:
 * bit 4 transposes, bit 2 flips rows, bit 1 flips columns. */
static float *orient(const float *in, int w, int h, int flip, uint32_t *ow, uint32_t *oh)
{
    flip &= 7;
    *ow = (uint32_t)((flip & 4) ? h : w);
    *oh = (uint32_t)((flip & 4) ? w : h);
    if (!flip) return NULL;
    float *out = (float *)malloc((size_t)w * (size_t)h * 3 * sizeof *out);
    if (!out) return NULL;
    for (uint32_t r = 0; r < *oh; r++)
        for (uint32_t c = 0; c < *ow; c++) {
            int row = (int)r, col = (int)c;
            if (flip & 4) {
                int t = row;
                row = col;
                col = t;
            }
            if (flip & 2) row = h - 1 - row;
            if (flip & 1) col = w - 1 - col;
            memcpy(out + ((size_t)r * *ow + c) * 3, in + ((size_t)row * (size_t)w + (size_t)col) * 3,
                   3 * sizeof *out);
        }
    return out;
}

/* After libraw_unpack: black, white balance, demosaic, matrix. */
static exrqoi_result develop(libraw_data_t *lr, const tool_raw_options *o, tool_image *out,
                             tool_raw_meta *meta, char *msg, size_t msg_size)
{
    int e = libraw_raw2image(lr);
    if (e) return libraw_fail(msg, msg_size, e, "unpacking");
    libraw_subtract_black(lr); /* black per channel and pattern; maximum -= black */
    const int w = lr->sizes.iwidth, h = lr->sizes.iheight;
    const unsigned filters = lr->idata.filters;
    if (lr->idata.colors != 3 || !lr->image || w <= 0 || h <= 0)
        return tool_fail(msg, msg_size, EXRQOI_ERR_UNSUPPORTED,
                         "camera raw: %d-colour sensors are not supported (only RGB)",
                         lr->idata.colors);
    if (lr->color.maximum == 0)
        return tool_fail(msg, msg_size, EXRQOI_ERR_BAD_ATTRIBUTE,
                         "camera raw: white level is not above the black level");
    size_t bytes;
    exrqoi_result rv = tool_image_check_size((uint32_t)w, (uint32_t)h, 3, TOOL_SAMPLE_F32,
                                             o->limits, &bytes, msg, msg_size);
    if (rv) return rv;
    const size_t n = (size_t)w * (size_t)h;
    const float scale = 1.0f / (float)lr->color.maximum;

    /* white balance, normalised to green */
    float wb[3];
    const float *mul = o->has_wb ? o->wb : lr->color.cam_mul;
    if (o->has_wb && !(mul[0] > 0 && mul[1] > 0 && mul[2] > 0 && isfinite(mul[0]) &&
                       isfinite(mul[1]) && isfinite(mul[2])))
        return tool_fail(msg, msg_size, EXRQOI_ERR_INVALID_ARGUMENT,
                         "camera raw: white balance multipliers must be positive numbers");
    /* no as-shot balance: the daylight one of the camera matrix, else none */
    if (!(mul[0] > 0 && mul[1] > 0 && mul[2] > 0)) mul = lr->color.pre_mul;
    if (!(mul[0] > 0 && mul[1] > 0 && mul[2] > 0)) {
        static const float one[3] = {1, 1, 1};
        mul = one;
    }
    for (int c = 0; c < 3; c++) wb[c] = mul[c] / mul[1];

    float *rgb = (float *)malloc(bytes);
    float *mono = NULL;
    uint8_t *cfa = NULL;
    if (!rgb) return tool_fail(msg, msg_size, EXRQOI_ERR_OUT_OF_MEMORY, "camera raw: out of memory");
    if (filters) {
        mono = (float *)malloc(n * sizeof *mono);
        cfa = (uint8_t *)malloc(n);
        if (!mono || !cfa) {
            free(rgb), free(mono), free(cfa);
            return tool_fail(msg, msg_size, EXRQOI_ERR_OUT_OF_MEMORY, "camera raw: out of memory");
        }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                size_t i = (size_t)y * (size_t)w + (size_t)x;
                int k = cfa_color(lr, y, x);
                const unsigned short *p = lr->image[i];
                /* the one sample raw2image set; greens may sit in 1 or 3 */
                unsigned v = k == 1 ? (unsigned)p[1] + p[3] : p[k];
                cfa[i] = (uint8_t)k;
                mono[i] = (float)v * scale * wb[k];
            }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                size_t i = (size_t)y * (size_t)w + (size_t)x;
                float *d = rgb + i * 3;
                for (int k = 0; k < 3; k++) {
                    if (cfa[i] == k)
                        d[k] = mono[i];
                    else if (!neighbour_mean(mono, cfa, w, h, x, y, k, 1, &d[k]) &&
                             !neighbour_mean(mono, cfa, w, h, x, y, k, 2, &d[k]))
                        d[k] = 0; /* a CFA without this colour nearby */
                }
            }
        free(mono), free(cfa);
    } else {
        /* linear raw: three colours per pixel already */
        for (size_t i = 0; i < n; i++)
            for (int k = 0; k < 3; k++)
                rgb[i * 3 + k] = (float)lr->image[i][k] * scale * wb[k];
    }

    /* camera RGB -> Rec. 709 (LibRaw's rgb_cam), then -> AP0 if asked */
    double m[9];
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++) m[r * 3 + c] = lr->color.rgb_cam[r][c];
    exrqoi_chromaticities rec709 = exrqoi_chromaticities_rec709();
    exrqoi_chromaticities dst = rec709;
    if (o->primaries == TOOL_RAW_ACES) {
        dst = exrqoi_chromaticities_aces_ap0();
        double to_aces[9], t[9];
        if (exrqoi_chromaticities_matrix(&rec709, &dst, to_aces) != EXRQOI_OK) {
            free(rgb);
            return tool_fail(msg, msg_size, EXRQOI_ERR_INVALID_ARGUMENT, "ACES matrix");
        }
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
                t[r * 3 + c] = to_aces[r * 3] * m[c] + to_aces[r * 3 + 1] * m[3 + c] +
                               to_aces[r * 3 + 2] * m[6 + c];
        memcpy(m, t, sizeof m);
    }
    for (size_t i = 0; i < n; i++) {
        float *p = rgb + i * 3;
        double v0 = p[0], v1 = p[1], v2 = p[2];
        for (int r = 0; r < 3; r++) p[r] = (float)(m[r * 3] * v0 + m[r * 3 + 1] * v1 + m[r * 3 + 2] * v2);
    }

    uint32_t ow, oh;
    float *oriented = orient(rgb, w, h, lr->sizes.flip, &ow, &oh);
    if (lr->sizes.flip & 7) {
        free(rgb);
        if (!oriented)
            return tool_fail(msg, msg_size, EXRQOI_ERR_OUT_OF_MEMORY, "camera raw: out of memory");
        rgb = oriented;
    }
    out->width = ow;
    out->height = oh;
    out->channels = 3;
    out->sample = TOOL_SAMPLE_F32;
    out->pixels = rgb;
    out->size = bytes;
    if (meta) {
        memset(meta, 0, sizeof *meta);
        set_meta(lr, meta);
        memcpy(meta->wb, wb, sizeof wb);
        meta->chroma = dst;
    }
    return EXRQOI_OK;
}

/* open: a function that hands the source to LibRaw. */
static exrqoi_result read_raw(int (*open)(libraw_data_t *, const void *, size_t), const void *src,
                              size_t size, const tool_raw_options *opts, tool_image *out,
                              tool_raw_meta *meta, char *msg, size_t msg_size)
{
    tool_raw_options def;
    memset(&def, 0, sizeof def);
    const tool_raw_options *o = opts ? opts : &def;
    memset(out, 0, sizeof *out);
    libraw_data_t *lr = libraw_init(0);
    if (!lr) return tool_fail(msg, msg_size, EXRQOI_ERR_OUT_OF_MEMORY, "camera raw: out of memory");
    raw_errors re = {0, 0, false};
    libraw_set_dataerror_handler(lr, on_data_error, &re);
    libraw_set_memerror_handler(lr, on_memory_error, &re);
    exrqoi_limits lim;
    exrqoi_limits_default(&lim);
    if (o->limits && o->limits->max_alloc_bytes) lim.max_alloc_bytes = o->limits->max_alloc_bytes;
    uint64_t mb = lim.max_alloc_bytes >> 20;
    lr->params.max_raw_memory_mb = mb < 1 ? 1 : mb > 0xffffffffu ? 0xffffffffu : (unsigned)mb;

    exrqoi_result rv;
    int e = open(lr, src, size);
    if (e) {
        rv = libraw_fail(msg, msg_size, e, "opening");
        goto done;
    }
    /* the visible image and the raw buffer, before LibRaw allocates them */
    size_t ignore;
    rv = tool_image_check_size(lr->sizes.width, lr->sizes.height, 3, TOOL_SAMPLE_F32, o->limits,
                               &ignore, msg, msg_size);
    if (!rv)
        rv = tool_image_check_size(lr->sizes.raw_width, lr->sizes.raw_height, 4, TOOL_SAMPLE_U16,
                                   o->limits, &ignore, msg, msg_size);
    if (rv) goto done;
    e = libraw_unpack(lr);
    if (e) {
        rv = libraw_fail(msg, msg_size, e, "reading the sensor data");
        goto done;
    }
    if (re.data_errors) {
        rv = tool_fail(msg, msg_size, EXRQOI_ERR_CORRUPT,
                       "camera raw: sensor data damaged (first error at byte %ld)",
                       re.first_offset);
        goto done;
    }
    rv = develop(lr, o, out, meta, msg, msg_size);
done:
    if (!rv && re.memory_error) {
        tool_image_free(out);
        rv = tool_fail(msg, msg_size, EXRQOI_ERR_OUT_OF_MEMORY, "camera raw: out of memory");
    }
    libraw_close(lr);
    return rv;
}

static int open_path(libraw_data_t *lr, const void *path, size_t size)
{
    (void)size;
    return libraw_open_file(lr, (const char *)path);
}

static int open_mem(libraw_data_t *lr, const void *data, size_t size)
{
    /* LibRaw does not write to the buffer; its API lacks the const */
    void *p;
    memcpy(&p, &data, sizeof p);
    return libraw_open_buffer(lr, p, size);
}

exrqoi_result tool_raw_read_path(const char *path, const tool_raw_options *opts, tool_image *out,
                                 tool_raw_meta *meta, char *msg, size_t msg_size)
{
    if (!path || !out)
        return tool_fail(msg, msg_size, EXRQOI_ERR_INVALID_ARGUMENT, "camera raw: bad argument");
    return read_raw(open_path, path, 0, opts, out, meta, msg, msg_size);
}

exrqoi_result tool_raw_read_mem(const void *data, size_t size, const tool_raw_options *opts,
                                tool_image *out, tool_raw_meta *meta, char *msg, size_t msg_size)
{
    if (!data || !out)
        return tool_fail(msg, msg_size, EXRQOI_ERR_INVALID_ARGUMENT, "camera raw: bad argument");
    return read_raw(open_mem, data, size, opts, out, meta, msg, msg_size);
}

#else /* built without LibRaw */

bool tool_raw_available(void) { return false; }

#define NO_RAW "this exrqoi was built without camera raw support (LibRaw; configure with libraw-dev installed)"

exrqoi_result tool_raw_read_path(const char *path, const tool_raw_options *opts, tool_image *out,
                                 tool_raw_meta *meta, char *msg, size_t msg_size)
{
    (void)path, (void)opts, (void)meta;
    if (out) memset(out, 0, sizeof *out);
    return tool_fail(msg, msg_size, EXRQOI_ERR_UNSUPPORTED, "%s", NO_RAW);
}

exrqoi_result tool_raw_read_mem(const void *data, size_t size, const tool_raw_options *opts,
                                tool_image *out, tool_raw_meta *meta, char *msg, size_t msg_size)
{
    (void)data, (void)size, (void)opts, (void)meta;
    if (out) memset(out, 0, sizeof *out);
    return tool_fail(msg, msg_size, EXRQOI_ERR_UNSUPPORTED, "%s", NO_RAW);
}

#endif
