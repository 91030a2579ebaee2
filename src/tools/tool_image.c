/* Shared helpers of the tool's image file formats. */
#include "tools/tool_image.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

exrqoi_result tool_fail(char *msg, size_t msg_size, exrqoi_result code, const char *fmt, ...)
{
    if (msg && msg_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, msg_size, fmt, ap);
        va_end(ap);
    }
    return code;
}

void tool_limits_resolve(const exrqoi_limits *limits, exrqoi_limits *out)
{
    exrqoi_limits_default(out);
    if (!limits || !limits->struct_size) return;
    /* a field of 0 means the default, as in the library */
    if (limits->max_width) out->max_width = limits->max_width;
    if (limits->max_height) out->max_height = limits->max_height;
    if (limits->max_pixels) out->max_pixels = limits->max_pixels;
    if (limits->max_alloc_bytes) out->max_alloc_bytes = limits->max_alloc_bytes;
    if (limits->max_attribute_size) out->max_attribute_size = limits->max_attribute_size;
}

void tool_image_free(tool_image *img)
{
    if (!img) return;
    free(img->pixels);
    memset(img, 0, sizeof *img);
}

exrqoi_result tool_image_check_size(uint32_t width, uint32_t height, int channels,
                                    tool_sample sample, const exrqoi_limits *limits,
                                    size_t *bytes, char *msg, size_t msg_size)
{
    exrqoi_limits lim;
    tool_limits_resolve(limits, &lim);
    if (width == 0 || height == 0)
        return tool_fail(msg, msg_size, EXRQOI_ERR_BAD_HEADER, "image of %ux%u pixels",
                         (unsigned)width, (unsigned)height);
    if (width > lim.max_width || height > lim.max_height)
        return tool_fail(msg, msg_size, EXRQOI_ERR_LIMIT,
                         "image of %ux%u pixels exceeds the limit of %ux%u", (unsigned)width,
                         (unsigned)height, (unsigned)lim.max_width, (unsigned)lim.max_height);
    uint64_t px = (uint64_t)width * height;
    if (px > lim.max_pixels)
        return tool_fail(msg, msg_size, EXRQOI_ERR_LIMIT,
                         "image of %llu pixels exceeds the limit of %llu", (unsigned long long)px,
                         (unsigned long long)lim.max_pixels);
    /* px < 2^48 and channels * bytes per sample <= 16: no overflow */
    uint64_t n = px * (uint64_t)channels * (uint64_t)(sample / 8);
    if (n > lim.max_alloc_bytes || n > SIZE_MAX)
        return tool_fail(msg, msg_size, EXRQOI_ERR_LIMIT,
                         "image needs %llu bytes, over the limit of %llu", (unsigned long long)n,
                         (unsigned long long)lim.max_alloc_bytes);
    *bytes = (size_t)n;
    return EXRQOI_OK;
}

tool_transfer tool_color_transfer(const tool_color_info *ci, double *gamma)
{
    if (gamma) *gamma = 1.0 / 2.2;
    if (ci->srgb || (ci->has_icc && ci->icc_is_srgb)) return TOOL_TRANSFER_SRGB;
    if (ci->has_gamma && !ci->has_icc && ci->gamma > 0) {
        /* gAMA stores gamma * 100000 as an integer: 1.0 is exactly linear */
        if (fabs(ci->gamma - 1.0) < 0.5e-5) return TOOL_TRANSFER_LINEAR;
        if (gamma) *gamma = ci->gamma;
        return TOOL_TRANSFER_GAMMA;
    }
    return TOOL_TRANSFER_SRGB;
}

const char *tool_color_warning(const tool_color_info *ci)
{
    if (ci->has_icc && !ci->icc_is_srgb && !ci->srgb)
        return "the image has an ICC profile that is not sRGB; it is not applied (the pixels "
               "are taken as sRGB)";
    return NULL;
}
