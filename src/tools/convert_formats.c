/* Conversions with a PNG or camera raw side; see convert_formats.h.
 *
 * Rules (docs/convert.md):
 *  PNG -> QOI: 8-bit pixels as they are (RGB, or RGBA when the PNG has
 *    alpha or tRNS; gray is replicated); 16-bit samples rounded to 8 bits
 *    (round(v * 255 / 65535)). Colorspace byte 1 (linear) when gAMA says
 *    1.0, else 0 (sRGB).
 *  QOI -> PNG: the same pixels, 8-bit (or 16-bit with --bits 16: v * 257,
 *    exact), with sRGB or linear chunks from the colorspace byte.
 *  EXR / camera raw -> PNG: the EXR -> QOI pipeline, 8- or 16-bit.
 *  PNG -> EXR: decoded to scene-linear with the PNG's transfer (sRGB
 *    chunk, gAMA, or sRGB by default), premultiplied, half for 8-bit and
 *    float for 16-bit sources, with the PNG's cHRM (else Rec. 709) as
 *    chromaticities.
 *  camera raw -> EXR: float R,G,B, chromaticities of the chosen primaries,
 *    the camera's metadata as standard attributes. */
#define _POSIX_C_SOURCE 200809L
#include "tools/convert_formats.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/png_io.h"

/* Evaluate, return the error if it failed. */
#define TOOL_TRY(expr)                                                                        \
    do {                                                                                      \
        exrqoi_result tool_rv_ = (expr);                                                      \
        if (tool_rv_ != EXRQOI_OK) return tool_rv_;                                           \
    } while (0)

bool conv_formats_handles(tool_fmt in, tool_fmt out)
{
    if (out == FMT_RAW || out == FMT_NONE || in == FMT_NONE) return false;
    return in == FMT_PNG || in == FMT_RAW || out == FMT_PNG;
}

bool conv_format_available(tool_fmt f, char *msg, size_t msg_size)
{
    /* the stubs of a build without the library say what is missing */
    if (f == FMT_PNG && !tool_png_available()) {
        tool_png_read_mem("", 0, NULL, NULL, NULL, NULL, msg, msg_size);
        return false;
    }
    if (f == FMT_RAW && !tool_raw_available()) {
        tool_raw_read_mem("", 0, NULL, NULL, NULL, msg, msg_size);
        return false;
    }
    return true;
}

static exrqoi_result fail(tool_msg *m, exrqoi_result code, const char *fmt, ...)
    TOOL_PRINTF(3, 4);
static exrqoi_result fail(tool_msg *m, exrqoi_result code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->text, sizeof m->text, fmt, ap);
    va_end(ap);
    return code;
}

/* What every conversion here needs. */
typedef struct ctx {
    const conv_opts *o;
    const tool_src *s;
    const char *out;
    int threads;
    conv_report *rep;
    tool_msg *m;
} ctx;

static exrqoi_result write_png(const ctx *c, const tool_image *img, bool linear)
{
    void *png;
    size_t size;
    exrqoi_result rv = tool_png_write_mem(img, linear ? TOOL_PNG_LINEAR : TOOL_PNG_SRGB, -1, &png, &size,
                                          c->m->text, sizeof c->m->text);
    if (rv) return rv;
    rv = tool_dst_bytes(c->out, png, size, c->m->text, sizeof c->m->text);
    free(png);
    return rv;
}

/* The tool's limits are the library's defaults (NULL), as for EXR and QOI. */
static exrqoi_result read_png(const ctx *c, tool_image *img, tool_color_info *ci)
{
    exrqoi_result rv = c->s->in_memory ? tool_png_read_mem(c->s->data, c->s->size, NULL, img, ci, NULL,
                                                           c->m->text, sizeof c->m->text)
                                       : tool_png_read_path(c->s->name, NULL, img, ci, NULL, c->m->text,
                                                            sizeof c->m->text);
    if (rv) return rv;
    const char *warn = tool_color_warning(ci);
    if (warn) fprintf(stderr, "exrqoi convert: warning: %s: %s\n", c->s->name, warn);
    return EXRQOI_OK;
}

static void qoi_options(const ctx *c, exrqoi_qoi_options *qo)
{
    memset(qo, 0, sizeof *qo);
    qo->struct_size = sizeof *qo;
    qo->on_message = tool_on_message;
    qo->message_user = c->m;
}

static exrqoi_result png_to_qoi(const ctx *c)
{
    tool_image img;
    tool_color_info ci;
    TOOL_TRY(read_png(c, &img, &ci));
    size_t n = (size_t)img.width * img.height * (size_t)img.channels;
    if (img.sample == TOOL_SAMPLE_U16) {
        /* round(v * 255 / 65535), in place front to back */
        const uint16_t *s = (const uint16_t *)img.pixels;
        uint8_t *d = (uint8_t *)img.pixels;
        for (size_t i = 0; i < n; i++) d[i] = (uint8_t)(((uint32_t)s[i] * 255u + 32767u) / 65535u);
        img.sample = TOOL_SAMPLE_U8;
    }
    exrqoi_qoi_desc d = {img.width, img.height, (uint8_t)img.channels,
                         tool_color_transfer(&ci, NULL) == TOOL_TRANSFER_LINEAR ? EXRQOI_QOI_LINEAR
                                                                                : EXRQOI_QOI_SRGB};
    exrqoi_qoi_options qo;
    qoi_options(c, &qo);
    exrqoi_result rv = tool_dst_qoi(c->out, img.pixels, &d, &qo);
    tool_image_free(&img);
    return rv;
}

static exrqoi_result qoi_to_png(const ctx *c)
{
    exrqoi_qoi_options qo;
    qoi_options(c, &qo);
    exrqoi_qoi_desc d;
    void *px;
    TOOL_TRY(tool_src_decode_qoi(c->s, &qo, &d, &px));
    size_t size = (size_t)d.width * d.height * d.channels;
    tool_image img = {d.width, d.height, d.channels, TOOL_SAMPLE_U8, px, size};
    exrqoi_result rv = EXRQOI_OK;
    if (c->o->bits == 16) {
        uint16_t *w = size <= SIZE_MAX / 2 ? malloc(size * 2) : NULL;
        if (!w) {
            exrqoi_free(NULL, px);
            return fail(c->m, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
        }
        for (size_t i = 0; i < size; i++) w[i] = (uint16_t)(((const uint8_t *)px)[i] * 257u);
        tool_image wide = {d.width, d.height, d.channels, TOOL_SAMPLE_U16, w, size * 2};
        rv = write_png(c, &wide, d.colorspace == EXRQOI_QOI_LINEAR);
        free(w);
    } else {
        rv = write_png(c, &img, d.colorspace == EXRQOI_QOI_LINEAR);
    }
    exrqoi_free(NULL, px);
    return rv;
}

static void reader_options(const ctx *c, exrqoi_read_options *ro)
{
    const exrqoi_read_options def = EXRQOI_READ_OPTIONS_INIT;
    *ro = def;
    ro->threads = c->threads;
    ro->on_message = tool_on_message;
    ro->message_user = c->m;
}

/* The EXR -> display pipeline (selection, --channels, deep, --lenient) on
 * an open reader, to a PNG of o->bits. */
static exrqoi_result reader_to_png(const ctx *c, exrqoi_reader *r, const conv_opts *o)
{
    exrqoi_qoi_desc d;
    void *px = NULL;
    int bits = c->o->bits == 16 ? 16 : 8;
    exrqoi_result rv = conv_exr_to_display(r, o, bits, &d, &px, c->rep, c->m);
    if (rv) return rv;
    size_t size = (size_t)d.width * d.height * d.channels * (size_t)(bits / 8);
    tool_image img = {d.width, d.height, d.channels, bits == 16 ? TOOL_SAMPLE_U16 : TOOL_SAMPLE_U8, px, size};
    rv = write_png(c, &img, d.colorspace == EXRQOI_QOI_LINEAR);
    exrqoi_free(NULL, px);
    return rv;
}

static exrqoi_result exr_to_png(const ctx *c)
{
    exrqoi_read_options ro;
    reader_options(c, &ro);
    exrqoi_reader *r;
    TOOL_TRY(tool_src_open_exr(c->s, &ro, &r));
    exrqoi_result rv = reader_to_png(c, r, c->o);
    exrqoi_reader_close(r);
    return rv;
}

static exrqoi_result write_exr(const ctx *c, const tool_image *img, const void *rgba, exrqoi_pixel_type in_type,
                               exrqoi_pixel_type file_type, const exrqoi_chromaticities *chroma,
                               const exrqoi_header *extra)
{
    exrqoi_write_options wo = EXRQOI_WRITE_OPTIONS_INIT;
    wo.threads = c->threads;
    wo.zip_level = c->o->zip_level;
    wo.dwa_level = c->o->dwa_level;
    wo.on_message = tool_on_message;
    wo.message_user = c->m;
    exrqoi_rgba_write_options rw = EXRQOI_RGBA_WRITE_OPTIONS_INIT;
    rw.write = &wo;
    rw.compression = c->o->compression >= 0 ? (exrqoi_compression)c->o->compression : EXRQOI_COMPRESSION_ZIP;
    rw.channels = img->channels;
    rw.input_type = in_type;
    rw.channel_type = file_type;
    rw.write_chromaticities = 1;
    rw.chromaticities = *chroma;
    rw.extra = extra;
    if (img->width > INT32_MAX || img->height > INT32_MAX) return fail(c->m, EXRQOI_ERR_LIMIT, "image too large for EXR");
    return tool_dst_rgba(c->out, (int32_t)img->width, (int32_t)img->height, rgba, &rw);
}

static exrqoi_result png_to_exr(const ctx *c)
{
    tool_image img;
    tool_color_info ci;
    TOOL_TRY(read_png(c, &img, &ci));
    double gamma;
    tool_transfer t = tool_color_transfer(&ci, &gamma);
    exrqoi_display_desc dd;
    memset(&dd, 0, sizeof dd);
    dd.width = img.width;
    dd.height = img.height;
    dd.channels = img.channels;
    dd.bits = img.sample == TOOL_SAMPLE_U16 ? 16 : 8;
    dd.transfer = t == TOOL_TRANSFER_LINEAR  ? EXRQOI_TRANSFER_LINEAR
                  : t == TOOL_TRANSFER_GAMMA ? EXRQOI_TRANSFER_GAMMA
                                             : EXRQOI_TRANSFER_SRGB;
    dd.gamma = gamma;
    exrqoi_pixel_type et = c->o->exr_type;
    exrqoi_pixel_type ft = et == EXRQOI_PIXEL_HALF || et == EXRQOI_PIXEL_FLOAT ? et
                           : dd.bits == 16                                      ? EXRQOI_PIXEL_FLOAT
                                                                                : EXRQOI_PIXEL_HALF;
    size_t n = (size_t)img.width * img.height * 4, bytes = n * (ft == EXRQOI_PIXEL_FLOAT ? 4 : 2);
    size_t ignore;
    exrqoi_result rv = tool_image_check_size(img.width, img.height, 4,
                                             ft == EXRQOI_PIXEL_FLOAT ? TOOL_SAMPLE_F32 : TOOL_SAMPLE_U16, NULL,
                                             &ignore, c->m->text, sizeof c->m->text);
    void *lin = rv ? NULL : malloc(bytes);
    if (!rv && !lin) rv = fail(c->m, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    if (!rv) rv = exrqoi_display_to_linear(img.pixels, &dd, ft, lin);
    /* an sRGB chunk or ICC profile means sRGB primaries, whatever cHRM says */
    exrqoi_chromaticities chroma = exrqoi_chromaticities_rec709();
    if (ci.has_chroma && !ci.srgb && !ci.has_icc) chroma = ci.chroma;
    if (!rv) rv = write_exr(c, &img, lin, ft, ft, &chroma, NULL);
    free(lin);
    tool_image_free(&img);
    return rv;
}

/* Camera metadata as OpenEXR's standard attributes. */
static exrqoi_result raw_attributes(const tool_raw_meta *meta, exrqoi_header *h)
{
    exrqoi_header_init(h, NULL);
    exrqoi_result rv = EXRQOI_OK;
    if (!rv && meta->make[0]) rv = exrqoi_header_set_string(h, "cameraMake", meta->make);
    if (!rv && meta->model[0]) rv = exrqoi_header_set_string(h, "cameraModel", meta->model);
    if (!rv && meta->lens[0]) rv = exrqoi_header_set_string(h, "lensModel", meta->lens);
    if (!rv && meta->iso > 0) rv = exrqoi_header_set_float(h, "isoSpeed", meta->iso);
    if (!rv && meta->exposure_time > 0) rv = exrqoi_header_set_float(h, "expTime", meta->exposure_time);
    if (!rv && meta->aperture > 0) rv = exrqoi_header_set_float(h, "aperture", meta->aperture);
    if (!rv && meta->focal_length > 0) rv = exrqoi_header_set_float(h, "nominalFocalLength", meta->focal_length);
    return rv;
}

static exrqoi_result raw_convert(const ctx *c, tool_fmt to)
{
    tool_raw_options ro = c->o->raw;
    ro.limits = NULL;
    tool_image img;
    tool_raw_meta meta;
    exrqoi_result rv = c->s->in_memory
                           ? tool_raw_read_mem(c->s->data, c->s->size, &ro, &img, &meta, c->m->text, sizeof c->m->text)
                           : tool_raw_read_path(c->s->name, &ro, &img, &meta, c->m->text, sizeof c->m->text);
    if (rv) return rv;
    /* R,G,B floats -> R,G,B,A for the RGBA writer */
    size_t n = (size_t)img.width * img.height, ignore;
    rv = tool_image_check_size(img.width, img.height, 4, TOOL_SAMPLE_F32, NULL, &ignore, c->m->text,
                               sizeof c->m->text);
    float *rgba = rv ? NULL : malloc(n * 4 * sizeof *rgba);
    if (!rv && !rgba) rv = fail(c->m, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    if (!rv) {
        const float *s = (const float *)img.pixels;
        for (size_t i = 0; i < n; i++) {
            memcpy(rgba + i * 4, s + i * 3, 3 * sizeof *s);
            rgba[i * 4 + 3] = 1.0f;
        }
    }
    tool_image dims = {img.width, img.height, 3, TOOL_SAMPLE_F32, NULL, 0};
    tool_image_free(&img);
    if (rv) return rv;
    if (to == FMT_EXR) {
        exrqoi_header attrs;
        rv = raw_attributes(&meta, &attrs);
        exrqoi_pixel_type ft = c->o->exr_type == EXRQOI_PIXEL_HALF ? EXRQOI_PIXEL_HALF : EXRQOI_PIXEL_FLOAT;
        if (!rv) rv = write_exr(c, &dims, rgba, EXRQOI_PIXEL_FLOAT, ft, &meta.chroma, &attrs);
        exrqoi_header_free(&attrs);
        free(rgba);
        return rv;
    }
    /* -> QOI / PNG: through an in-memory float EXR, so that the one EXR ->
     * display pipeline (primaries, exposure, tone curve) applies */
    exrqoi_rgba_write_options rw = EXRQOI_RGBA_WRITE_OPTIONS_INIT;
    rw.channels = 3;
    rw.input_type = EXRQOI_PIXEL_FLOAT;
    rw.channel_type = EXRQOI_PIXEL_FLOAT;
    rw.write_chromaticities = 1;
    rw.chromaticities = meta.chroma;
    void *exr;
    size_t exr_size;
    rv = exrqoi_rgba_write(exrqoi_sink_memory(&exr, &exr_size), (int32_t)dims.width, (int32_t)dims.height, rgba, 0, &rw);
    free(rgba);
    if (rv) return rv;
    exrqoi_read_options rdo;
    reader_options(c, &rdo);
    exrqoi_reader *r;
    rv = exrqoi_reader_open(exrqoi_source_memory(exr, exr_size), &rdo, &r);
    if (!rv) {
        /* the EXR made here has one part of R,G,B: no EXR selection applies */
        conv_opts o = *c->o;
        exrqoi_rgba_read_options no_select = EXRQOI_RGBA_READ_OPTIONS_INIT;
        o.select = no_select;
        o.part = NULL;
        o.channels = NULL;
        o.lenient = 0;
        if (to == FMT_PNG) {
            rv = reader_to_png(c, r, &o);
        } else {
            exrqoi_qoi_desc d;
            void *px = NULL;
            rv = conv_exr_to_display(r, &o, 8, &d, &px, c->rep, c->m);
            exrqoi_qoi_options qo;
            qoi_options(c, &qo);
            if (!rv) rv = tool_dst_qoi(c->out, px, &d, &qo);
            exrqoi_free(NULL, px);
        }
        exrqoi_reader_close(r);
    }
    exrqoi_free(NULL, exr);
    return rv;
}

exrqoi_result conv_formats(const conv_opts *o, const tool_src *s, tool_fmt to, const char *out, int threads,
                           conv_report *rep, tool_msg *msg)
{
    ctx c = {o, s, out, threads, rep, msg};
    tool_fmt fi = s->fmt;
    if (!conv_formats_handles(fi, to))
        return fail(msg, EXRQOI_ERR_UNSUPPORTED, "cannot convert %s to %s", tool_fmt_name(fi), tool_fmt_name(to));
    /* say what this build lacks before reading anything */
    if (!conv_format_available(fi, msg->text, sizeof msg->text) ||
        !conv_format_available(to, msg->text, sizeof msg->text))
        return EXRQOI_ERR_UNSUPPORTED;
    if (fi == FMT_RAW) return raw_convert(&c, to);
    if (fi == FMT_PNG && to == FMT_QOI) return png_to_qoi(&c);
    if (fi == FMT_PNG && to == FMT_EXR) return png_to_exr(&c);
    if (fi == FMT_QOI && to == FMT_PNG) return qoi_to_png(&c);
    if (fi == FMT_EXR && to == FMT_PNG) return exr_to_png(&c);
    /* PNG -> PNG: re-encoded, same pixels and colour chunks' meaning */
    tool_image img;
    tool_color_info ci;
    TOOL_TRY(read_png(&c, &img, &ci));
    exrqoi_result rv = write_png(&c, &img, tool_color_transfer(&ci, NULL) == TOOL_TRANSFER_LINEAR);
    tool_image_free(&img);
    return rv;
}
