/* PNG reading and writing with libspng (see png_io.h). */
#include "tools/png_io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

bool tool_png_sniff(const void *data, size_t size)
{
    return data && size >= sizeof png_signature && memcmp(data, png_signature, 8) == 0;
}

#if EXRQOI_HAVE_PNG

#include <spng.h>

bool tool_png_available(void) { return true; }

/* libspng's error codes grouped into ours; the text is spng_strerror's. */
static exrqoi_result map_spng(int e)
{
    switch (e) {
    case SPNG_EMEM: return EXRQOI_ERR_OUT_OF_MEMORY;
    case SPNG_EUSER_WIDTH:
    case SPNG_EUSER_HEIGHT:
    case SPNG_ECHUNK_LIMITS:
    case SPNG_EOVERFLOW: return EXRQOI_ERR_LIMIT;
    case SPNG_ESIGNATURE: return EXRQOI_ERR_BAD_MAGIC;
    case SPNG_EIO: return EXRQOI_ERR_READ;
    case SPNG_EOF:
    case SPNG_EIDAT_TOO_SHORT: return EXRQOI_ERR_TRUNCATED;
    case SPNG_EIDAT_STREAM:
    case SPNG_EZLIB:
    case SPNG_EFILTER:
    case SPNG_ECHUNK_CRC: return EXRQOI_ERR_CORRUPT;
    default: return EXRQOI_ERR_BAD_HEADER;
    }
}

static exrqoi_result spng_fail(char *msg, size_t msg_size, int e, const char *what)
{
    return tool_fail(msg, msg_size, map_spng(e), "PNG: %s: %s", what, spng_strerror(e));
}

static bool name_says_srgb(const char *name)
{
    /* the usual names of the sRGB profile ("sRGB", "sRGB IEC61966-2.1", ...) */
    return strncmp(name, "sRGB", 4) == 0 || strncmp(name, "srgb", 4) == 0;
}

static void read_color(spng_ctx *ctx, tool_color_info *ci)
{
    memset(ci, 0, sizeof *ci);
    uint8_t intent;
    if (spng_get_srgb(ctx, &intent) == 0) {
        ci->srgb = true;
        ci->srgb_intent = intent;
    }
    uint32_t g;
    if (spng_get_gama_int(ctx, &g) == 0 && g > 0) {
        ci->has_gamma = true;
        ci->gamma = g / 100000.0;
    }
    struct spng_chrm c;
    if (spng_get_chrm(ctx, &c) == 0) {
        ci->has_chroma = true;
        ci->chroma.red_x = (float)c.red_x;
        ci->chroma.red_y = (float)c.red_y;
        ci->chroma.green_x = (float)c.green_x;
        ci->chroma.green_y = (float)c.green_y;
        ci->chroma.blue_x = (float)c.blue_x;
        ci->chroma.blue_y = (float)c.blue_y;
        ci->chroma.white_x = (float)c.white_point_x;
        ci->chroma.white_y = (float)c.white_point_y;
    }
    struct spng_iccp icc;
    if (spng_get_iccp(ctx, &icc) == 0) {
        ci->has_icc = true;
        memcpy(ci->icc_name, icc.profile_name, sizeof ci->icc_name);
        ci->icc_name[sizeof ci->icc_name - 1] = '\0';
        ci->icc_is_srgb = name_says_srgb(ci->icc_name);
    }
}

/* Shared by the memory and file readers once the source is set. */
static exrqoi_result decode(spng_ctx *ctx, const exrqoi_limits *limits, tool_image *out,
                            tool_color_info *color, tool_png_source *src, char *msg,
                            size_t msg_size)
{
    exrqoi_limits lim;
    tool_limits_resolve(limits, &lim);
    /* libspng's own limits are below 2^31 */
    uint32_t lw = lim.max_width > 0x7fffffffu ? 0x7fffffffu : lim.max_width;
    uint32_t lh = lim.max_height > 0x7fffffffu ? 0x7fffffffu : lim.max_height;
    int e = spng_set_image_limits(ctx, lw, lh);
    if (!e) e = spng_set_chunk_limits(ctx, lim.max_attribute_size, lim.max_attribute_size);
    if (e) return spng_fail(msg, msg_size, e, "setting limits");

    struct spng_ihdr ihdr;
    e = spng_get_ihdr(ctx, &ihdr);
    if (e) return spng_fail(msg, msg_size, e, "header");
    struct spng_trns trns;
    /* this reads the chunks before the image: their errors come first */
    e = spng_get_trns(ctx, &trns);
    bool has_trns = e == 0;
    if (e && e != SPNG_ECHUNKAVAIL) return spng_fail(msg, msg_size, e, "chunks");
    bool alpha = ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE_ALPHA ||
                 ihdr.color_type == SPNG_COLOR_TYPE_TRUECOLOR_ALPHA || has_trns;
    bool wide = ihdr.bit_depth == 16;
    tool_sample sample = wide ? TOOL_SAMPLE_U16 : TOOL_SAMPLE_U8;
    int channels = alpha ? 4 : 3;
    size_t bytes, decoded;
    exrqoi_result rv = tool_image_check_size(ihdr.width, ihdr.height, 4, sample, limits, &bytes,
                                             msg, msg_size);
    if (rv) return rv;
    int fmt = wide ? SPNG_FMT_RGBA16 : SPNG_FMT_RGBA8;
    e = spng_decoded_image_size(ctx, fmt, &decoded);
    if (e) return spng_fail(msg, msg_size, e, "image size");
    if (decoded != bytes)
        return tool_fail(msg, msg_size, EXRQOI_ERR_BAD_HEADER, "PNG: unexpected decoded size");
    void *px = malloc(bytes);
    if (!px)
        return tool_fail(msg, msg_size, EXRQOI_ERR_OUT_OF_MEMORY,
                         "PNG: out of memory for %zu bytes", bytes);
    e = spng_decode_image(ctx, px, bytes, fmt, SPNG_DECODE_TRNS);
    /* the chunks after the image up to IEND: a file cut short or damaged
     * there is reported too, not half-read in silence */
    if (!e) e = spng_decode_chunks(ctx);
    if (e) {
        free(px);
        return spng_fail(msg, msg_size, e, "image data");
    }
    if (!alpha) {
        /* RGBA -> RGB in place, front to back */
        size_t n = (size_t)ihdr.width * ihdr.height;
        if (wide) {
            uint16_t *p = (uint16_t *)px;
            for (size_t i = 0; i < n; i++) memmove(p + i * 3, p + i * 4, 3 * sizeof *p);
        } else {
            uint8_t *p = (uint8_t *)px;
            for (size_t i = 0; i < n; i++) memmove(p + i * 3, p + i * 4, 3);
        }
        bytes = bytes / 4 * 3;
        void *shrunk = realloc(px, bytes);
        if (shrunk) px = shrunk;
    }
    read_color(ctx, color);
    if (src) {
        src->color_type = ihdr.color_type;
        src->bit_depth = ihdr.bit_depth;
        src->interlaced = ihdr.interlace_method != 0;
        src->has_trns = has_trns;
    }
    out->width = ihdr.width;
    out->height = ihdr.height;
    out->channels = channels;
    out->sample = sample;
    out->pixels = px;
    out->size = bytes;
    return EXRQOI_OK;
}

exrqoi_result tool_png_read_mem(const void *data, size_t size, const exrqoi_limits *limits,
                                tool_image *out, tool_color_info *color, tool_png_source *src,
                                char *msg, size_t msg_size)
{
    if (!data || !out || !color)
        return tool_fail(msg, msg_size, EXRQOI_ERR_INVALID_ARGUMENT, "PNG: bad argument");
    memset(out, 0, sizeof *out);
    if (!tool_png_sniff(data, size))
        return tool_fail(msg, msg_size, size < 8 ? EXRQOI_ERR_TRUNCATED : EXRQOI_ERR_BAD_MAGIC,
                         "not a PNG file (no PNG signature)");
    spng_ctx *ctx = spng_ctx_new(0);
    if (!ctx) return tool_fail(msg, msg_size, EXRQOI_ERR_OUT_OF_MEMORY, "PNG: out of memory");
    int e = spng_set_png_buffer(ctx, data, size);
    exrqoi_result rv = e ? spng_fail(msg, msg_size, e, "input")
                         : decode(ctx, limits, out, color, src, msg, msg_size);
    spng_ctx_free(ctx);
    return rv;
}

exrqoi_result tool_png_read_path(const char *path, const exrqoi_limits *limits, tool_image *out,
                                 tool_color_info *color, tool_png_source *src, char *msg,
                                 size_t msg_size)
{
    if (!path || !out || !color)
        return tool_fail(msg, msg_size, EXRQOI_ERR_INVALID_ARGUMENT, "PNG: bad argument");
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) return tool_fail(msg, msg_size, EXRQOI_ERR_OPEN, "%s: %s", path, strerror(errno));
    uint8_t sig[8];
    size_t got = fread(sig, 1, sizeof sig, f);
    exrqoi_result rv;
    if (!tool_png_sniff(sig, got)) {
        rv = tool_fail(msg, msg_size, got < 8 ? EXRQOI_ERR_TRUNCATED : EXRQOI_ERR_BAD_MAGIC,
                       "not a PNG file (no PNG signature)");
    } else if (fseek(f, 0, SEEK_SET) != 0) {
        rv = tool_fail(msg, msg_size, EXRQOI_ERR_READ, "%s: %s", path, strerror(errno));
    } else {
        spng_ctx *ctx = spng_ctx_new(0);
        if (!ctx) {
            rv = tool_fail(msg, msg_size, EXRQOI_ERR_OUT_OF_MEMORY, "PNG: out of memory");
        } else {
            int e = spng_set_png_file(ctx, f);
            rv = e ? spng_fail(msg, msg_size, e, "input")
                   : decode(ctx, limits, out, color, src, msg, msg_size);
            spng_ctx_free(ctx);
        }
    }
    fclose(f);
    return rv;
}

exrqoi_result tool_png_write_mem(const tool_image *img, tool_png_encoding encoding, int level,
                                 void **png, size_t *png_size, char *msg, size_t msg_size)
{
    if (!img || !png || !png_size || !img->pixels || (img->channels != 3 && img->channels != 4) ||
        (img->sample != TOOL_SAMPLE_U8 && img->sample != TOOL_SAMPLE_U16) || level < -1 ||
        level > 9)
        return tool_fail(msg, msg_size, EXRQOI_ERR_INVALID_ARGUMENT, "PNG: bad image to write");
    *png = NULL;
    *png_size = 0;
    if (img->width == 0 || img->height == 0 || img->width > 0x7fffffffu ||
        img->height > 0x7fffffffu)
        return tool_fail(msg, msg_size, EXRQOI_ERR_LIMIT,
                         "PNG: %ux%u pixels cannot be written (1 to 2^31-1 each way)",
                         (unsigned)img->width, (unsigned)img->height);
    size_t n = (size_t)img->width * img->height * (size_t)img->channels;
    size_t bytes = n * (size_t)(img->sample / 8);
    if (img->size < bytes)
        return tool_fail(msg, msg_size, EXRQOI_ERR_INVALID_ARGUMENT, "PNG: image buffer too small");

    /* SPNG_FMT_PNG: PNG's layout with 16-bit samples in host order, as ours */
    const void *data = img->pixels;
    spng_ctx *ctx = spng_ctx_new(SPNG_CTX_ENCODER);
    if (!ctx) return tool_fail(msg, msg_size, EXRQOI_ERR_OUT_OF_MEMORY, "PNG: out of memory");
    struct spng_ihdr ihdr;
    memset(&ihdr, 0, sizeof ihdr);
    ihdr.width = img->width;
    ihdr.height = img->height;
    ihdr.bit_depth = (uint8_t)img->sample;
    ihdr.color_type = img->channels == 4 ? SPNG_COLOR_TYPE_TRUECOLOR_ALPHA
                                         : SPNG_COLOR_TYPE_TRUECOLOR;
    /* cHRM of Rec. 709 / sRGB, in units of 1/100000 */
    struct spng_chrm_int chrm = {31270, 32900, 64000, 33000, 30000, 60000, 15000, 6000};
    int e = spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1);
    if (!e && level >= 0) e = spng_set_option(ctx, SPNG_IMG_COMPRESSION_LEVEL, level);
    if (!e) e = spng_set_ihdr(ctx, &ihdr);
    /* the sRGB chunk with the gAMA and cHRM that PNG recommends beside it,
     * for readers that do not know sRGB */
    if (!e && encoding == TOOL_PNG_SRGB) e = spng_set_srgb(ctx, 0);
    if (!e) e = spng_set_gama_int(ctx, encoding == TOOL_PNG_SRGB ? 45455 : 100000);
    if (!e) e = spng_set_chrm_int(ctx, &chrm);
    if (!e) e = spng_encode_image(ctx, data, bytes, SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE);
    exrqoi_result rv = EXRQOI_OK;
    if (e) {
        rv = spng_fail(msg, msg_size, e, "encoding");
    } else {
        size_t len = 0;
        void *buf = spng_get_png_buffer(ctx, &len, &e);
        if (!buf)
            rv = spng_fail(msg, msg_size, e ? e : SPNG_EMEM, "encoding");
        else {
            *png = buf; /* allocated by libspng's default allocator: malloc */
            *png_size = len;
        }
    }
    spng_ctx_free(ctx);
    return rv;
}

#else /* built without libspng */

bool tool_png_available(void) { return false; }

#define NO_PNG "this exrqoi was built without PNG support (libspng; configure with libspng-dev installed)"

exrqoi_result tool_png_read_mem(const void *data, size_t size, const exrqoi_limits *limits,
                                tool_image *out, tool_color_info *color, tool_png_source *src,
                                char *msg, size_t msg_size)
{
    (void)data, (void)size, (void)limits, (void)color, (void)src;
    if (out) memset(out, 0, sizeof *out);
    return tool_fail(msg, msg_size, EXRQOI_ERR_UNSUPPORTED, "%s", NO_PNG);
}

exrqoi_result tool_png_read_path(const char *path, const exrqoi_limits *limits, tool_image *out,
                                 tool_color_info *color, tool_png_source *src, char *msg,
                                 size_t msg_size)
{
    (void)path, (void)limits, (void)color, (void)src;
    if (out) memset(out, 0, sizeof *out);
    return tool_fail(msg, msg_size, EXRQOI_ERR_UNSUPPORTED, "%s", NO_PNG);
}

exrqoi_result tool_png_write_mem(const tool_image *img, tool_png_encoding encoding, int level,
                                 void **png, size_t *png_size, char *msg, size_t msg_size)
{
    (void)img, (void)encoding, (void)level;
    if (png) *png = NULL;
    if (png_size) *png_size = 0;
    return tool_fail(msg, msg_size, EXRQOI_ERR_UNSUPPORTED, "%s", NO_PNG);
}

#endif
