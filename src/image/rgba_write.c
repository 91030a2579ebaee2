/* RGBA writing: interleaved half or float R,G,B,A -> half or float
 * R,G,B(,A) EXR. */
#include "common/internal.h"
#include "io/stream.h"
#include "exrqoi/rgba.h"

static bool reserved_name(const char *n)
{
    static const char *names[] = {"channels", "compression", "dataWindow", "displayWindow",
                                  "lineOrder", "tiles", "type", "chunkCount", "version", "name"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(n, names[i]) == 0) return true;
    return false;
}

static exrqoi_result build_header(exrqoi_header *h, int32_t width, int32_t height,
                                  const exrqoi_rgba_write_options *o)
{
    const exrqoi_allocator *al = o->write ? o->write->allocator : NULL;
    EXRQOI_TRY(exrqoi_header_init_image(h, al, width, height, o->compression));
    exrqoi_result rv = EXRQOI_OK;
    static const char *names[4] = {"R", "G", "B", "A"};
    int nch = o->channels == 3 ? 3 : 4;
    for (int c = 0; c < nch && !rv; c++)
        rv = exrqoi_header_add_channel(h, names[c],
                                       o->channel_type == EXRQOI_PIXEL_FLOAT ? EXRQOI_PIXEL_FLOAT
                                                                             : EXRQOI_PIXEL_HALF,
                                       1, 1, 0);
    if (!rv && o->write_chromaticities)
        rv = exrqoi_header_set_chromaticities(h, o->chromaticities);
    if (!rv && o->extra)
        for (int32_t i = 0; i < o->extra->count && !rv; i++)
            if (!reserved_name(o->extra->attrs[i].name))
                rv = exrqoi_header_set(h, &o->extra->attrs[i]);
    if (rv) exrqoi_header_free(h);
    return rv;
}

static exrqoi_result write_pixels(exrqoi_writer *w, int32_t width, int32_t height,
                                  const void *pixels, size_t stride,
                                  const exrqoi_rgba_write_options *o)
{
    exrqoi_pixel_type t = o->input_type == EXRQOI_PIXEL_HALF ? EXRQOI_PIXEL_HALF : EXRQOI_PIXEL_FLOAT;
    size_t ts = t == EXRQOI_PIXEL_HALF ? 2 : 4;
    size_t row;
    if (exrqoi__mul_size((size_t)width, 4 * ts, &row)) return EXRQOI_ERR_LIMIT;
    if (stride == 0) stride = row;
    if (stride < row) return EXRQOI_ERR_INVALID_ARGUMENT;
    (void)height;
    static const char *names[4] = {"R", "G", "B", "A"};
    exrqoi_slice s[4];
    int nch = o->channels == 3 ? 3 : 4;
    for (int c = 0; c < nch; c++) {
        s[c].name = names[c];
        s[c].type = t;
        s[c].base = (void *)((const uint8_t *)pixels + (size_t)c * ts);
        s[c].x_stride = (ptrdiff_t)(4 * ts);
        s[c].y_stride = (ptrdiff_t)stride;
        s[c].fill = 0.0;
    }
    return exrqoi_writer_write_region(w, 0, 0, 0, NULL, s, nch);
}

static exrqoi_result check_args(int32_t width, int32_t height, const void *pixels,
                                const exrqoi_rgba_write_options *o)
{
    if (width <= 0 || height <= 0 || !pixels) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (o->channels != 0 && o->channels != 3 && o->channels != 4) return EXRQOI_ERR_INVALID_ARGUMENT;
    if ((unsigned)o->compression >= EXRQOI_COMPRESSION_COUNT) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (o->channel_type != EXRQOI_PIXEL_UINT && o->channel_type != EXRQOI_PIXEL_HALF &&
        o->channel_type != EXRQOI_PIXEL_FLOAT)
        return EXRQOI_ERR_INVALID_ARGUMENT;
    return EXRQOI_OK;
}

/* The caller's options over the defaults, the DEFAULT values resolved. */
static exrqoi_result resolve_opts(const exrqoi_rgba_write_options *opts, exrqoi_rgba_write_options *o)
{
    exrqoi_rgba_write_options def = EXRQOI_RGBA_WRITE_OPTIONS_INIT;
    *o = def;
    EXRQOI_TRY(exrqoi__options_copy(o, sizeof *o, opts));
    if (o->compression == EXRQOI_COMPRESSION_DEFAULT) o->compression = EXRQOI_COMPRESSION_NONE;
    if (o->input_type == EXRQOI_PIXEL_DEFAULT) o->input_type = EXRQOI_PIXEL_FLOAT;
    if (o->channel_type == EXRQOI_PIXEL_DEFAULT) o->channel_type = EXRQOI_PIXEL_HALF;
    if (o->input_type != EXRQOI_PIXEL_HALF && o->input_type != EXRQOI_PIXEL_FLOAT)
        return EXRQOI_ERR_INVALID_ARGUMENT;
    if (o->channel_type != EXRQOI_PIXEL_HALF && o->channel_type != EXRQOI_PIXEL_FLOAT)
        return EXRQOI_ERR_INVALID_ARGUMENT;
    return EXRQOI_OK;
}

exrqoi_result exrqoi_rgba_write(exrqoi_sink sink, int32_t width, int32_t height, const void *pixels,
                                size_t stride, const exrqoi_rgba_write_options *opts)
{
    EXRQOI_TRY(exrqoi__sink_check(&sink, NULL));
    if (sink.kind == EXRQOI_SINK_MEMORY) {
        *sink.data = NULL;
        *sink.size = 0;
    }
    exrqoi_rgba_write_options o;
    EXRQOI_TRY(resolve_opts(opts, &o));
    EXRQOI_TRY(check_args(width, height, pixels, &o));
    exrqoi_header h;
    EXRQOI_TRY(build_header(&h, width, height, &o));
    exrqoi_writer *w;
    exrqoi_result rv = exrqoi_writer_open(sink, &h, 1, o.write, &w);
    exrqoi_header_free(&h);
    if (rv) return rv;
    rv = write_pixels(w, width, height, pixels, stride, &o);
    if (!rv) rv = exrqoi_writer_finish(w);
    exrqoi_writer_close(w);
    return rv;
}
