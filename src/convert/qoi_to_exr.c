/* QOI -> EXR: 8-bit -> linear float -> premultiplied -> half R,G,B(,A).
 * Premultiplication happens in float and is rounded to half once, which
 * is what keeps QOI -> EXR -> QOI exact (see tests/unit/test_convert.c). */
#include "common/half.h"
#include "convert/colormath.h"
#include "exrqoi/convert.h"

exrqoi_result exrqoi_qoi_pixels_to_half(const void *pixels, const exrqoi_qoi_desc *desc,
                                        uint16_t *out)
{
    if (!pixels || !desc || !out || (desc->channels != 3 && desc->channels != 4) ||
        desc->width == 0 || desc->height == 0)
        return EXRQOI_ERR_INVALID_ARGUMENT;
    size_t n;
    if (exrqoi__mul_size(desc->width, desc->height, &n)) return EXRQOI_ERR_LIMIT;
    float lut[256], alpha[256];
    if (desc->colorspace == EXRQOI_QOI_LINEAR)
        for (int i = 0; i < 256; i++) lut[i] = (float)(i / 255.0);
    else
        exrqoi__srgb_decode_table(lut);
    for (int i = 0; i < 256; i++) alpha[i] = (float)(i / 255.0);
    const uint8_t *s = (const uint8_t *)pixels;
    const int c = desc->channels;
    for (size_t i = 0; i < n; i++, s += c, out += 4) {
        float a = c == 4 ? alpha[s[3]] : 1.0f;
        out[0] = exrqoi__f2h(lut[s[0]] * a);
        out[1] = exrqoi__f2h(lut[s[1]] * a);
        out[2] = exrqoi__f2h(lut[s[2]] * a);
        out[3] = exrqoi__f2h(a);
    }
    return EXRQOI_OK;
}

exrqoi_result exrqoi_convert_qoi_to_exr(const char *in, const char *out,
                                        const exrqoi_qoi_to_exr_options *opts)
{
    if (!in || !out) return EXRQOI_ERR_INVALID_ARGUMENT;
    exrqoi_qoi_to_exr_options def;
    memset(&def, 0, sizeof def);
    const exrqoi_qoi_to_exr_options *o = opts ? opts : &def;
    exrqoi_qoi_options qo = o->qoi;
    if (!qo.struct_size) qo.struct_size = sizeof qo;
    const exrqoi_allocator *al = qo.allocator;
    exrqoi_qoi_desc desc;
    void *px;
    size_t npx;
    EXRQOI_TRY(exrqoi_qoi_decode_file(in, &qo, &desc, &px, &npx));
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
        exrqoi_rgba_write_options wo;
        memset(&wo, 0, sizeof wo);
        wo.write = o->write;
        wo.compression = o->has_compression ? o->compression : EXRQOI_COMPRESSION_ZIP;
        wo.channels = desc.channels;
        wo.input_type = EXRQOI_PIXEL_HALF;
        wo.write_chromaticities = 1;
        wo.chromaticities = exrqoi_chromaticities_rec709();
        rv = exrqoi_rgba_write_path(out, (int32_t)desc.width, (int32_t)desc.height, half, 0, &wo);
    }
    exrqoi__free(al, half);
    return rv;
}
