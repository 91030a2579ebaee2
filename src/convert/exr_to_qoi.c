/* EXR -> QOI: RGBA read over the display window, then per pixel:
 * un-premultiply, primaries to Rec. 709, exposure, tone curve, 8-bit
 * encode (sRGB or linear). The same pipeline ends in a 16-bit encode for
 * 16-bit outputs (PNG), straight from float. Rows are converted in
 * parallel on the reader's pool. */
#include "chunk/reader.h"
#include "convert/colormath.h"
#include "exrqoi/convert.h"

#include <math.h>

const char *exrqoi_tonemap_name(exrqoi_tonemap t)
{
    switch (t) {
    case EXRQOI_TONEMAP_CLAMP: return "clamp";
    case EXRQOI_TONEMAP_REINHARD: return "reinhard";
    case EXRQOI_TONEMAP_ACES: return "aces";
    }
    return NULL;
}

exrqoi_result exrqoi_tonemap_from_name(const char *name, exrqoi_tonemap *out)
{
    if (!name || !out) return EXRQOI_ERR_INVALID_ARGUMENT;
    for (int t = 0; t <= EXRQOI_TONEMAP_ACES; t++)
        if (strcmp(name, exrqoi_tonemap_name((exrqoi_tonemap)t)) == 0) {
            *out = (exrqoi_tonemap)t;
            return EXRQOI_OK;
        }
    return EXRQOI_ERR_NOT_FOUND;
}

typedef struct job {
    const float *src; /* width*4 floats per row */
    void *dst;        /* uint8_t or uint16_t samples */
    bool wide;        /* 16-bit output */
    uint32_t width;
    int channels;
    bool matrix;
    double m[9];
    float scale;
    exrqoi_tonemap tone;
    bool linear;
    exrqoi__srgb8_encoder enc;
} job;

static inline float tone(exrqoi_tonemap t, float x)
{
    switch (t) {
    case EXRQOI_TONEMAP_REINHARD: return exrqoi__tone_reinhard(x);
    case EXRQOI_TONEMAP_ACES: return exrqoi__tone_aces(x);
    default: return exrqoi__tone_clamp(x);
    }
}

static void convert_row(void *ctx, size_t y, int worker)
{
    (void)worker;
    const job *j = (const job *)ctx;
    const float *s = j->src + y * (size_t)j->width * 4;
    size_t first = y * (size_t)j->width * (size_t)j->channels;
    uint8_t *d8 = (uint8_t *)j->dst + (j->wide ? 0 : first);
    uint16_t *d16 = (uint16_t *)j->dst + (j->wide ? first : 0);
    for (uint32_t x = 0; x < j->width; x++, s += 4) {
        float rgb[3] = {s[0], s[1], s[2]};
        float a = s[3];
        if (j->channels == 4) exrqoi__unpremultiply(rgb, a);
        if (j->matrix) exrqoi__mat3_apply(j->m, rgb, rgb);
        if (j->wide) {
            for (int c = 0; c < 3; c++) {
                float v = tone(j->tone, rgb[c] * j->scale);
                d16[c] = j->linear ? exrqoi__unorm_encode16(v) : exrqoi__srgb_encode16(v);
            }
            if (j->channels == 4) d16[3] = exrqoi__unorm_encode16(a);
            d16 += j->channels;
            continue;
        }
        for (int c = 0; c < 3; c++) {
            float v = tone(j->tone, rgb[c] * j->scale);
            d8[c] = j->linear ? exrqoi__unorm_encode8(v) : exrqoi__srgb8_encode_fast(&j->enc, v);
        }
        if (j->channels == 4) d8[3] = exrqoi__unorm_encode8(a);
        d8 += j->channels;
    }
}

static bool is_rec709(const exrqoi_chromaticities *c)
{
    exrqoi_chromaticities r = exrqoi_chromaticities_rec709();
    return memcmp(c, &r, sizeof r) == 0;
}

/* The per-pixel part of the pipeline over a float R,G,B,A buffer, to 8-bit
 * (bytes_per_sample 1) or 16-bit samples; errors are recorded in `err`
 * (may be NULL). */
static exrqoi_result float_to_display(const float *rgba, int32_t width, int32_t height, int alpha,
                                      const exrqoi_chromaticities *chroma,
                                      const exrqoi_exr_to_qoi_options *o, size_t bytes_per_sample,
                                      const exrqoi_allocator *alloc, exrqoi_pool *pool, int threads,
                                      exrqoi__err *err, exrqoi_qoi_desc *desc, void **pixels,
                                      size_t *size)
{
    if ((unsigned)o->tonemap > EXRQOI_TONEMAP_ACES || !isfinite(o->exposure))
        return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT, "bad tone curve or exposure");
    if (width <= 0 || height <= 0)
        return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT, "empty image");
    job *j = (job *)exrqoi__alloc(alloc, sizeof *j);
    void *out = NULL;
    exrqoi_result rv = EXRQOI_OK;
    size_t n = 0;
    int channels = alpha ? 4 : 3;
    if (!j ||
        exrqoi__mul_size((size_t)width * (size_t)height, (size_t)channels * bytes_per_sample, &n) ||
        !(out = exrqoi__alloc(alloc, n))) {
        rv = exrqoi__fail(err, EXRQOI_ERR_OUT_OF_MEMORY, "out of memory");
        goto done;
    }
    memset(j, 0, sizeof *j);
    j->src = rgba;
    j->dst = out;
    j->wide = bytes_per_sample == 2;
    j->width = (uint32_t)width;
    j->channels = channels;
    j->scale = exrqoi__exposure_scale(o->exposure);
    j->tone = o->tonemap;
    j->linear = o->linear != 0;
    if (!j->linear && !j->wide) exrqoi__srgb8_encoder_init(&j->enc);
    if (chroma && !is_rec709(chroma)) {
        exrqoi__chroma c;
        memcpy(&c, chroma, sizeof c);
        if (!exrqoi__chroma_to_rec709(&c, j->m)) {
            rv = exrqoi__fail(err, EXRQOI_ERR_BAD_ATTRIBUTE, "degenerate chromaticities");
            goto done;
        }
        j->matrix = true;
    }
    exrqoi__pool_for(pool, threads, (size_t)height, convert_row, j, NULL);
    desc->width = (uint32_t)width;
    desc->height = (uint32_t)height;
    desc->channels = (uint8_t)channels;
    desc->colorspace = j->linear ? EXRQOI_QOI_LINEAR : EXRQOI_QOI_SRGB;
    *pixels = out;
    out = NULL;
    if (size) *size = n;
done:
    exrqoi__free(alloc, out);
    exrqoi__free(alloc, j);
    return rv;
}

static exrqoi_result float_rgba_to_display(const float *rgba, int32_t width, int32_t height,
                                           int alpha, const exrqoi_chromaticities *chromaticities,
                                           const exrqoi_exr_to_qoi_options *opts,
                                           size_t bytes_per_sample, const exrqoi_allocator *allocator,
                                           exrqoi_pool *pool, exrqoi_qoi_desc *desc, void **pixels,
                                           size_t *size)
{
    if (!rgba || !desc || !pixels) return EXRQOI_ERR_INVALID_ARGUMENT;
    *pixels = NULL;
    exrqoi_exr_to_qoi_options o = EXRQOI_EXR_TO_QOI_OPTIONS_INIT;
    EXRQOI_TRY(exrqoi__options_copy(&o, sizeof o, opts));
    return float_to_display(rgba, width, height, alpha, chromaticities, &o, bytes_per_sample,
                            allocator, pool, 0, NULL, desc, pixels, size);
}

exrqoi_result exrqoi_float_rgba_to_qoi_pixels(const float *rgba, int32_t width, int32_t height, int alpha,
                                              const exrqoi_chromaticities *chromaticities,
                                              const exrqoi_exr_to_qoi_options *opts,
                                              const exrqoi_allocator *allocator, exrqoi_pool *pool,
                                              exrqoi_qoi_desc *desc, void **pixels, size_t *size)
{
    return float_rgba_to_display(rgba, width, height, alpha, chromaticities, opts, 1, allocator,
                                 pool, desc, pixels, size);
}

exrqoi_result exrqoi_float_rgba_to_pixels16(const float *rgba, int32_t width, int32_t height,
                                            int alpha, const exrqoi_chromaticities *chromaticities,
                                            const exrqoi_exr_to_qoi_options *opts,
                                            const exrqoi_allocator *allocator, exrqoi_pool *pool,
                                            exrqoi_qoi_desc *desc, uint16_t **pixels, size_t *size)
{
    if (!pixels) return EXRQOI_ERR_INVALID_ARGUMENT;
    void *px = NULL;
    exrqoi_result rv = float_rgba_to_display(rgba, width, height, alpha, chromaticities, opts, 2,
                                             allocator, pool, desc, &px, size);
    *pixels = (uint16_t *)px;
    return rv;
}

/* The pipeline from an EXR to 8-bit (bytes_per_sample 1) or 16-bit samples. */
static exrqoi_result exr_to_display(exrqoi_reader *r, const exrqoi_exr_to_qoi_options *opts,
                                    size_t bytes_per_sample, exrqoi_qoi_desc *desc, void **pixels,
                                    size_t *size)
{
    if (!r || !desc || !pixels) return EXRQOI_ERR_INVALID_ARGUMENT;
    *pixels = NULL;
    exrqoi_exr_to_qoi_options def = EXRQOI_EXR_TO_QOI_OPTIONS_INIT;
    exrqoi_rgba_read_options ro = EXRQOI_RGBA_READ_OPTIONS_INIT;
    if (exrqoi__options_copy(&def, sizeof def, opts) != EXRQOI_OK ||
        exrqoi__options_copy(&ro, sizeof ro, def.select) != EXRQOI_OK)
        return exrqoi__fail(exrqoi__reader_err(r), EXRQOI_ERR_INVALID_ARGUMENT,
                            "conversion options not initialised (..._OPTIONS_INIT)");
    const exrqoi_exr_to_qoi_options *o = &def;
    if ((unsigned)o->tonemap > EXRQOI_TONEMAP_ACES || !isfinite(o->exposure))
        return exrqoi__fail(exrqoi__reader_err(r), EXRQOI_ERR_INVALID_ARGUMENT, "bad tone curve or exposure");
    ro.type = EXRQOI_PIXEL_FLOAT;
    ro.display_window = 1;
    exrqoi_rgba_info info;
    float *rgba;
    size_t rgba_size;
    EXRQOI_TRY(exrqoi_rgba_read_alloc(r, &ro, &info, (void **)&rgba, &rgba_size));
    exrqoi_pool *pool;
    int threads;
    exrqoi__reader_threading(r, &pool, &threads);
    exrqoi_result rv = float_to_display(rgba, info.width, info.height,
                                        (info.found & EXRQOI_RGBA_A) != 0, &info.chromaticities, o,
                                        bytes_per_sample, exrqoi__reader_alloc(r), pool, threads,
                                        exrqoi__reader_err(r),
                                        desc, pixels, size);
    exrqoi__free(exrqoi__reader_alloc(r), rgba);
    return rv;
}

exrqoi_result exrqoi_exr_to_qoi_pixels(exrqoi_reader *r, const exrqoi_exr_to_qoi_options *opts,
                                       exrqoi_qoi_desc *desc, void **pixels, size_t *size)
{
    return exr_to_display(r, opts, 1, desc, pixels, size);
}

exrqoi_result exrqoi_exr_to_pixels16(exrqoi_reader *r, const exrqoi_exr_to_qoi_options *opts,
                                     exrqoi_qoi_desc *desc, uint16_t **pixels, size_t *size)
{
    if (!pixels) return EXRQOI_ERR_INVALID_ARGUMENT;
    void *px = NULL;
    exrqoi_result rv = exr_to_display(r, opts, 2, desc, &px, size);
    *pixels = (uint16_t *)px;
    return rv;
}

exrqoi_result exrqoi_convert_exr_to_qoi(exrqoi_source in, exrqoi_sink out,
                                        const exrqoi_read_options *read_opts,
                                        const exrqoi_exr_to_qoi_options *opts)
{
    exrqoi_exr_to_qoi_options o = EXRQOI_EXR_TO_QOI_OPTIONS_INIT;
    EXRQOI_TRY(exrqoi__options_copy(&o, sizeof o, opts));
    EXRQOI_TRY(exrqoi__source_check(&in, NULL));
    EXRQOI_TRY(exrqoi__sink_check(&out, NULL));
    exrqoi_reader *r;
    EXRQOI_TRY(exrqoi_reader_open(in, read_opts, &r));
    exrqoi_qoi_desc desc;
    void *px;
    exrqoi_result rv = exrqoi_exr_to_qoi_pixels(r, opts, &desc, &px, NULL);
    if (rv == EXRQOI_OK) {
        rv = exrqoi_qoi_encode(out, px, &desc, o.qoi);
        exrqoi__free(exrqoi__reader_alloc(r), px);
    }
    exrqoi_reader_close(r);
    return rv;
}
