/* QOI -> EXR, and display-referred 8/16-bit pixels (PNG) in general:
 * code -> linear float -> premultiplied -> half or float R,G,B,A.
 * Premultiplication happens in float and is rounded to half once, which
 * is what keeps QOI -> EXR -> QOI exact (see tests/unit/test_convert.c). */
#include "common/half.h"
#include "convert/colormath.h"
#include "exrqoi/convert.h"
#include "io/stream.h"

/* One decoded value per code; 8-bit codes through a table. */
typedef struct decoder {
    exrqoi_transfer transfer;
    uint32_t max;
    double exponent; /* 1 / gamma */
    float lut[256], alpha[256];
} decoder;

static float decode_code(const decoder *d, uint32_t code)
{
    if (d->max == 255) return d->lut[code];
    switch (d->transfer) {
    case EXRQOI_TRANSFER_SRGB: return exrqoi__srgb_decode_code(code, d->max);
    case EXRQOI_TRANSFER_GAMMA: return exrqoi__gamma_decode_code(code, d->max, d->exponent);
    default: return (float)((double)code / d->max);
    }
}

exrqoi_result exrqoi_display_to_linear(const void *pixels, const exrqoi_display_desc *desc,
                                       exrqoi_pixel_type out_type, void *out)
{
    if (!pixels || !desc || !out || (desc->channels != 3 && desc->channels != 4) ||
        (desc->bits != 8 && desc->bits != 16) || desc->width == 0 || desc->height == 0 ||
        (out_type != EXRQOI_PIXEL_HALF && out_type != EXRQOI_PIXEL_FLOAT) ||
        (unsigned)desc->transfer > EXRQOI_TRANSFER_GAMMA ||
        (desc->transfer == EXRQOI_TRANSFER_GAMMA && !(desc->gamma > 0 && desc->gamma <= 10)))
        return EXRQOI_ERR_INVALID_ARGUMENT;
    size_t n;
    if (exrqoi__mul_size(desc->width, desc->height, &n)) return EXRQOI_ERR_LIMIT;
    decoder d;
    d.transfer = desc->transfer;
    d.max = desc->bits == 8 ? 255 : 65535;
    d.exponent = desc->transfer == EXRQOI_TRANSFER_GAMMA ? 1.0 / desc->gamma : 1.0;
    if (desc->bits == 8) {
        if (desc->transfer == EXRQOI_TRANSFER_SRGB)
            exrqoi__srgb_decode_table(d.lut);
        else if (desc->transfer == EXRQOI_TRANSFER_GAMMA)
            for (uint32_t i = 0; i < 256; i++)
                d.lut[i] = exrqoi__gamma_decode_code(i, 255, d.exponent);
        else
            for (int i = 0; i < 256; i++) d.lut[i] = (float)(i / 255.0);
        for (int i = 0; i < 256; i++) d.alpha[i] = (float)(i / 255.0);
    }
    const int c = desc->channels;
    const uint8_t *s8 = (const uint8_t *)pixels;
    const uint16_t *s16 = (const uint16_t *)pixels;
    uint16_t *h = (uint16_t *)out;
    float *f = (float *)out;
    for (size_t i = 0; i < n; i++) {
        float v[4];
        if (desc->bits == 8) {
            const uint8_t *p = s8 + i * (size_t)c;
            v[3] = c == 4 ? d.alpha[p[3]] : 1.0f;
            for (int k = 0; k < 3; k++) v[k] = d.lut[p[k]] * v[3];
        } else {
            const uint16_t *p = s16 + i * (size_t)c;
            v[3] = c == 4 ? (float)(p[3] / 65535.0) : 1.0f;
            for (int k = 0; k < 3; k++) v[k] = decode_code(&d, p[k]) * v[3];
        }
        if (out_type == EXRQOI_PIXEL_HALF)
            for (int k = 0; k < 4; k++) h[i * 4 + k] = exrqoi__f2h(v[k]);
        else
            memcpy(f + i * 4, v, sizeof v);
    }
    return EXRQOI_OK;
}

exrqoi_result exrqoi_qoi_pixels_to_half(const void *pixels, const exrqoi_qoi_desc *desc,
                                        uint16_t *out)
{
    if (!desc) return EXRQOI_ERR_INVALID_ARGUMENT;
    exrqoi_display_desc dd;
    memset(&dd, 0, sizeof dd);
    dd.width = desc->width;
    dd.height = desc->height;
    dd.channels = desc->channels;
    dd.bits = 8;
    dd.transfer = desc->colorspace == EXRQOI_QOI_LINEAR ? EXRQOI_TRANSFER_LINEAR
                                                        : EXRQOI_TRANSFER_SRGB;
    return exrqoi_display_to_linear(pixels, &dd, EXRQOI_PIXEL_HALF, out);
}

exrqoi_result exrqoi_convert_qoi_to_exr(exrqoi_source in, exrqoi_sink out,
                                        const exrqoi_qoi_to_exr_options *opts)
{
    exrqoi_qoi_to_exr_options def = EXRQOI_QOI_TO_EXR_OPTIONS_INIT;
    exrqoi_qoi_options qo = EXRQOI_QOI_OPTIONS_INIT;
    EXRQOI_TRY(exrqoi__options_copy(&def, sizeof def, opts));
    EXRQOI_TRY(exrqoi__options_copy(&qo, sizeof qo, def.qoi));
    EXRQOI_TRY(exrqoi__source_check(&in, NULL));
    EXRQOI_TRY(exrqoi__sink_check(&out, NULL));
    const exrqoi_qoi_to_exr_options *o = &def;
    const exrqoi_allocator *al = qo.allocator;
    exrqoi_qoi_desc desc;
    void *px;
    size_t npx;
    EXRQOI_TRY(exrqoi_qoi_decode(in, &qo, &desc, &px, &npx));
    exrqoi_result rv = EXRQOI_OK;
    size_t n, bytes;
    if (desc.width > INT32_MAX || desc.height > INT32_MAX ||
        exrqoi__mul_size(desc.width, desc.height, &n) || exrqoi__mul_size(n, 8, &bytes)) {
        exrqoi__free(al, px);
        return EXRQOI_ERR_LIMIT;
    }
    uint16_t *half = (uint16_t *)exrqoi__alloc(al, bytes);
    if (!half) {
        exrqoi__free(al, px);
        return EXRQOI_ERR_OUT_OF_MEMORY;
    }
    rv = exrqoi_qoi_pixels_to_half(px, &desc, half);
    exrqoi__free(al, px);
    if (rv == EXRQOI_OK) {
        exrqoi_rgba_write_options wo = EXRQOI_RGBA_WRITE_OPTIONS_INIT;
        wo.write = o->write;
        wo.compression =
            o->compression == EXRQOI_COMPRESSION_DEFAULT ? EXRQOI_COMPRESSION_ZIP : o->compression;
        wo.channels = desc.channels;
        wo.input_type = EXRQOI_PIXEL_HALF;
        wo.write_chromaticities = 1;
        wo.chromaticities = exrqoi_chromaticities_rec709();
        rv = exrqoi_rgba_write(out, (int32_t)desc.width, (int32_t)desc.height, half, 0, &wo);
    }
    exrqoi__free(al, half);
    return rv;
}
