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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/stream.h"
#include "tools/png_io.h"

static const char *const raw_exts[] = {
    ".dng", ".cr2", ".cr3", ".crw", ".nef", ".nrw", ".arw", ".srf", ".sr2", ".raf", ".orf",
    ".rw2", ".rwl", ".pef", ".srw", ".3fr", ".fff", ".iiq", ".mos", ".mef", ".erf", ".kdc",
    ".dcr", ".x3f", ".raw"};

static bool ends_with(const char *s, const char *ext)
{
    size_t n = strlen(s), e = strlen(ext);
    return n >= e && strcasecmp(s + n - e, ext) == 0;
}

tool_format tool_format_of(const char *path)
{
    if (ends_with(path, ".exr")) return TOOL_FORMAT_EXR;
    if (ends_with(path, ".qoi")) return TOOL_FORMAT_QOI;
    if (ends_with(path, ".png")) return TOOL_FORMAT_PNG;
    for (size_t i = 0; i < sizeof raw_exts / sizeof raw_exts[0]; i++)
        if (ends_with(path, raw_exts[i])) return TOOL_FORMAT_RAW;
    return TOOL_FORMAT_NONE;
}

const char *tool_format_name(tool_format f)
{
    switch (f) {
    case TOOL_FORMAT_EXR: return "EXR";
    case TOOL_FORMAT_QOI: return "QOI";
    case TOOL_FORMAT_PNG: return "PNG";
    case TOOL_FORMAT_RAW: return "camera raw";
    default: return "an unknown format";
    }
}

bool tool_formats_handles(tool_format in, tool_format out)
{
    if (out == TOOL_FORMAT_RAW || out == TOOL_FORMAT_NONE || in == TOOL_FORMAT_NONE) return false;
    return in == TOOL_FORMAT_PNG || in == TOOL_FORMAT_RAW || out == TOOL_FORMAT_PNG;
}

static exrqoi_result fail(tool_msg *m, exrqoi_result code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static exrqoi_result fail(tool_msg *m, exrqoi_result code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->text, sizeof m->text, fmt, ap);
    va_end(ap);
    return code;
}

/* A whole file from memory, atomically (temporary file renamed over). */
static exrqoi_result write_file(const char *path, const void *data, size_t size, tool_msg *m)
{
    exrqoi__sink s;
    exrqoi__err err;
    memset(&err, 0, sizeof err);
    exrqoi_result rv = exrqoi__sink_open_path(&s, path, NULL, &err);
    if (!rv) rv = exrqoi__sink_write(&s, data, size, &err);
    if (!rv) rv = exrqoi__sink_commit(&s, false, &err);
    if (rv) {
        exrqoi__sink_abort(&s);
        snprintf(m->text, sizeof m->text, "%s", err.msg[0] ? err.msg : exrqoi_strerror(rv));
    }
    return rv;
}

static exrqoi_result write_png(const tool_image *img, bool linear, const char *out, tool_msg *m)
{
    void *png;
    size_t size;
    exrqoi_result rv = tool_png_write_mem(img, linear ? TOOL_PNG_LINEAR : TOOL_PNG_SRGB, -1, &png,
                                          &size, m->text, sizeof m->text);
    if (rv) return rv;
    rv = write_file(out, png, size, m);
    free(png);
    return rv;
}

static exrqoi_result read_png(const tool_formats_options *o, const char *in, tool_image *img,
                              tool_color_info *ci, tool_msg *m)
{
    exrqoi_result rv = tool_png_read_path(in, o->limits, img, ci, NULL, m->text, sizeof m->text);
    if (rv) return rv;
    const char *warn = tool_color_warning(ci);
    if (warn) fprintf(stderr, "warning: %s: %s\n", in, warn);
    return EXRQOI_OK;
}

static exrqoi_result png_to_qoi(const tool_formats_options *o, const char *in, const char *out,
                                tool_msg *m)
{
    tool_image img;
    tool_color_info ci;
    EXRQOI_TRY(read_png(o, in, &img, &ci, m));
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
    memset(&qo, 0, sizeof qo);
    qo.struct_size = sizeof qo;
    qo.limits = o->limits;
    qo.on_message = tool_on_message;
    qo.message_user = m;
    exrqoi_result rv = exrqoi_qoi_encode_file(img.pixels, &d, &qo, out);
    tool_image_free(&img);
    return rv;
}

static exrqoi_result qoi_to_png(const tool_formats_options *o, const char *in, const char *out,
                                tool_msg *m)
{
    exrqoi_qoi_options qo;
    memset(&qo, 0, sizeof qo);
    qo.struct_size = sizeof qo;
    qo.limits = o->limits;
    qo.on_message = tool_on_message;
    qo.message_user = m;
    exrqoi_qoi_desc d;
    void *px;
    size_t size;
    EXRQOI_TRY(exrqoi_qoi_decode_file(in, &qo, &d, &px, &size));
    tool_image img = {d.width, d.height, d.channels, TOOL_SAMPLE_U8, px, size};
    exrqoi_result rv = EXRQOI_OK;
    if (o->bits == 16) {
        uint16_t *w = malloc(size * 2);
        if (!w) {
            exrqoi_free(NULL, px);
            return fail(m, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
        }
        for (size_t i = 0; i < size; i++) w[i] = (uint16_t)(((const uint8_t *)px)[i] * 257u);
        tool_image wide = {d.width, d.height, d.channels, TOOL_SAMPLE_U16, w, size * 2};
        rv = write_png(&wide, d.colorspace == EXRQOI_QOI_LINEAR, out, m);
        free(w);
    } else {
        rv = write_png(&img, d.colorspace == EXRQOI_QOI_LINEAR, out, m);
    }
    exrqoi_free(NULL, px);
    return rv;
}

/* The EXR -> display pipeline on an open reader, to a PNG. */
static exrqoi_result reader_to_png(const tool_formats_options *o, exrqoi_reader *r,
                                   const char *out, tool_msg *m)
{
    exrqoi_qoi_desc d;
    void *px;
    size_t size;
    exrqoi_result rv;
    tool_sample sample = o->bits == 16 ? TOOL_SAMPLE_U16 : TOOL_SAMPLE_U8;
    if (sample == TOOL_SAMPLE_U16)
        rv = exrqoi_exr_to_pixels16(r, &o->e2q, &d, (uint16_t **)&px, &size);
    else
        rv = exrqoi_exr_to_qoi_pixels(r, &o->e2q, &d, &px, &size);
    if (rv) return rv;
    tool_image img = {d.width, d.height, d.channels, sample, px, size};
    rv = write_png(&img, d.colorspace == EXRQOI_QOI_LINEAR, out, m);
    exrqoi_free(NULL, px);
    return rv;
}

static void reader_options(const tool_formats_options *o, exrqoi_read_options *ro, tool_msg *m)
{
    memset(ro, 0, sizeof *ro);
    ro->threads = o->threads;
    ro->limits = o->limits;
    ro->on_message = tool_on_message;
    ro->user = m;
}

static exrqoi_result exr_to_png(const tool_formats_options *o, const char *in, const char *out,
                                tool_msg *m)
{
    exrqoi_read_options ro;
    reader_options(o, &ro, m);
    exrqoi_reader *r;
    EXRQOI_TRY(exrqoi_reader_open_path(in, &ro, &r));
    exrqoi_result rv = reader_to_png(o, r, out, m);
    exrqoi_reader_close(r);
    return rv;
}

static exrqoi_result write_exr(const tool_formats_options *o, const char *out, const tool_image *img,
                               const void *rgba, exrqoi_pixel_type in_type,
                               exrqoi_pixel_type file_type, const exrqoi_chromaticities *chroma,
                               const exrqoi_header *extra, tool_msg *m)
{
    exrqoi_write_options wo;
    memset(&wo, 0, sizeof wo);
    wo.threads = o->threads;
    wo.on_message = tool_on_message;
    wo.user = m;
    exrqoi_rgba_write_options rw;
    memset(&rw, 0, sizeof rw);
    rw.write = &wo;
    rw.compression = o->comp;
    rw.channels = img->channels;
    rw.input_type = in_type;
    rw.channel_type = file_type;
    rw.write_chromaticities = 1;
    rw.chromaticities = *chroma;
    rw.extra = extra;
    if (img->width > INT32_MAX || img->height > INT32_MAX)
        return fail(m, EXRQOI_ERR_LIMIT, "image too large for EXR");
    return exrqoi_rgba_write_path(out, (int32_t)img->width, (int32_t)img->height, rgba, 0, &rw);
}

static exrqoi_result png_to_exr(const tool_formats_options *o, const char *in, const char *out,
                                tool_msg *m)
{
    tool_image img;
    tool_color_info ci;
    EXRQOI_TRY(read_png(o, in, &img, &ci, m));
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
    exrqoi_pixel_type ft = o->exr_type == EXRQOI_PIXEL_HALF || o->exr_type == EXRQOI_PIXEL_FLOAT
                               ? o->exr_type
                           : dd.bits == 16 ? EXRQOI_PIXEL_FLOAT
                                           : EXRQOI_PIXEL_HALF;
    size_t n = (size_t)img.width * img.height * 4, bytes = n * (ft == EXRQOI_PIXEL_FLOAT ? 4 : 2);
    size_t ignore;
    exrqoi_result rv = tool_image_check_size(img.width, img.height, 4,
                                             ft == EXRQOI_PIXEL_FLOAT ? TOOL_SAMPLE_F32
                                                                      : TOOL_SAMPLE_U16,
                                             o->limits, &ignore, m->text, sizeof m->text);
    void *lin = rv ? NULL : malloc(bytes);
    if (!rv && !lin) rv = fail(m, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
    if (!rv) rv = exrqoi_display_to_linear(img.pixels, &dd, ft, lin);
    /* an sRGB chunk or ICC profile means sRGB primaries, whatever cHRM says */
    exrqoi_chromaticities chroma = exrqoi_chromaticities_rec709();
    if (ci.has_chroma && !ci.srgb && !ci.has_icc) chroma = ci.chroma;
    if (!rv) rv = write_exr(o, out, &img, lin, ft, ft, &chroma, NULL, m);
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
    if (!rv && meta->focal_length > 0)
        rv = exrqoi_header_set_float(h, "nominalFocalLength", meta->focal_length);
    return rv;
}

static exrqoi_result raw_convert(const tool_formats_options *o, tool_format to, const char *in,
                                 const char *out, tool_msg *m)
{
    tool_raw_options ro = o->raw;
    ro.limits = o->limits;
    tool_image img;
    tool_raw_meta meta;
    EXRQOI_TRY(tool_raw_read_path(in, &ro, &img, &meta, m->text, sizeof m->text));
    /* R,G,B floats -> R,G,B,A for the RGBA writer */
    size_t n = (size_t)img.width * img.height, ignore;
    exrqoi_result rv = tool_image_check_size(img.width, img.height, 4, TOOL_SAMPLE_F32, o->limits,
                                             &ignore, m->text, sizeof m->text);
    float *rgba = rv ? NULL : malloc(n * 4 * sizeof *rgba);
    if (!rv && !rgba) rv = fail(m, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
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
    if (to == TOOL_FORMAT_EXR) {
        exrqoi_header attrs;
        rv = raw_attributes(&meta, &attrs);
        exrqoi_pixel_type ft = o->exr_type == EXRQOI_PIXEL_HALF ? EXRQOI_PIXEL_HALF
                                                                 : EXRQOI_PIXEL_FLOAT;
        if (!rv)
            rv = write_exr(o, out, &dims, rgba, EXRQOI_PIXEL_FLOAT, ft, &meta.chroma, &attrs, m);
        exrqoi_header_free(&attrs);
        free(rgba);
        return rv;
    }
    /* -> QOI / PNG: through an in-memory float EXR, so that the one EXR ->
     * display pipeline (primaries, exposure, tone curve) applies */
    exrqoi_rgba_write_options rw;
    memset(&rw, 0, sizeof rw);
    rw.channels = 3;
    rw.input_type = EXRQOI_PIXEL_FLOAT;
    rw.channel_type = EXRQOI_PIXEL_FLOAT;
    rw.write_chromaticities = 1;
    rw.chromaticities = meta.chroma;
    void *exr;
    size_t exr_size;
    rv = exrqoi_rgba_write_memory((int32_t)dims.width, (int32_t)dims.height, rgba, 0, &rw, &exr,
                                  &exr_size);
    free(rgba);
    if (rv) return rv;
    exrqoi_read_options rdo;
    reader_options(o, &rdo, m);
    exrqoi_reader *r;
    rv = exrqoi_reader_open_memory(exr, exr_size, &rdo, &r);
    if (!rv) {
        if (to == TOOL_FORMAT_PNG) {
            rv = reader_to_png(o, r, out, m);
        } else {
            exrqoi_qoi_desc d;
            void *px;
            rv = exrqoi_exr_to_qoi_pixels(r, &o->e2q, &d, &px, NULL);
            if (!rv) {
                exrqoi_qoi_options qo = o->e2q.qoi;
                qo.struct_size = sizeof qo;
                qo.on_message = tool_on_message;
                qo.message_user = m;
                rv = exrqoi_qoi_encode_file(px, &d, &qo, out);
                exrqoi_free(NULL, px);
            }
        }
        exrqoi_reader_close(r);
    }
    exrqoi_free(NULL, exr);
    return rv;
}

exrqoi_result tool_formats_convert(const tool_formats_options *o, const char *in, const char *out,
                                   tool_msg *m)
{
    tool_format fi = tool_format_of(in), fo = tool_format_of(out);
    if (!tool_formats_handles(fi, fo))
        return fail(m, EXRQOI_ERR_UNSUPPORTED, "cannot convert %s to %s", tool_format_name(fi),
                    tool_format_name(fo));
    /* say what this build lacks before reading anything */
    if ((fi == TOOL_FORMAT_PNG || fo == TOOL_FORMAT_PNG) && !tool_png_available())
        return tool_png_read_mem("", 0, NULL, NULL, NULL, NULL, m->text, sizeof m->text);
    if (fi == TOOL_FORMAT_RAW && !tool_raw_available())
        return tool_raw_read_mem("", 0, NULL, NULL, NULL, m->text, sizeof m->text);
    if (fi == TOOL_FORMAT_RAW) return raw_convert(o, fo, in, out, m);
    if (fi == TOOL_FORMAT_PNG && fo == TOOL_FORMAT_QOI) return png_to_qoi(o, in, out, m);
    if (fi == TOOL_FORMAT_PNG && fo == TOOL_FORMAT_EXR) return png_to_exr(o, in, out, m);
    if (fi == TOOL_FORMAT_QOI && fo == TOOL_FORMAT_PNG) return qoi_to_png(o, in, out, m);
    if (fi == TOOL_FORMAT_EXR && fo == TOOL_FORMAT_PNG) return exr_to_png(o, in, out, m);
    /* PNG -> PNG: re-encoded, same pixels and colour chunks' meaning */
    tool_image img;
    tool_color_info ci;
    EXRQOI_TRY(read_png(o, in, &img, &ci, m));
    exrqoi_result rv =
        write_png(&img, tool_color_transfer(&ci, NULL) == TOOL_TRANSFER_LINEAR, out, m);
    tool_image_free(&img);
    return rv;
}
