/* The tool's in-memory image, shared by its file-format modules (PNG,
 * camera raw): interleaved samples, rows top to bottom, no padding. */
#ifndef EXRQOI_TOOL_IMAGE_H
#define EXRQOI_TOOL_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exrqoi/exrqoi.h"
#include "tools/tool.h"

typedef enum tool_sample {
    TOOL_SAMPLE_U8 = 8,    /* uint8_t */
    TOOL_SAMPLE_U16 = 16,  /* uint16_t, host byte order */
    TOOL_SAMPLE_F32 = 32   /* float */
} tool_sample;

typedef struct tool_image {
    uint32_t width, height;
    int channels;       /* 3 (RGB) or 4 (RGBA, straight alpha unless said otherwise) */
    tool_sample sample;
    void *pixels;       /* malloc'd, width*height*channels samples */
    size_t size;        /* bytes of pixels */
} tool_image;

/* Colour information found in a file. PNG: an sRGB chunk overrides gAMA
 * and cHRM, an iCCP chunk overrides both (PNG 3rd edition, 11.3.2). */
typedef struct tool_color_info {
    bool srgb;               /* sRGB chunk present */
    int srgb_intent;         /* its rendering intent (0..3) */
    bool has_gamma;
    double gamma;            /* PNG gAMA: encoded = linear^gamma (0.45455 for 1/2.2) */
    bool has_chroma;
    exrqoi_chromaticities chroma; /* cHRM, in OpenEXR's order */
    bool has_icc;
    bool icc_is_srgb;        /* its name says sRGB (we do not parse profiles) */
    char icc_name[80];       /* NUL-terminated */
} tool_color_info;

/* How the samples of an image with colour info `ci` encode light:
 * TOOL_TRANSFER_SRGB (sRGB chunk, an sRGB-named ICC profile, or nothing
 * said: PNG's default is sRGB), TOOL_TRANSFER_GAMMA (gAMA, `*gamma` set to
 * the file's value) or TOOL_TRANSFER_LINEAR (gAMA of 1.0). */
typedef enum tool_transfer {
    TOOL_TRANSFER_SRGB = 0,
    TOOL_TRANSFER_LINEAR = 1,
    TOOL_TRANSFER_GAMMA = 2
} tool_transfer;
tool_transfer tool_color_transfer(const tool_color_info *ci, double *gamma);

/* NULL if the image's colour is honoured as it is; otherwise a sentence
 * to show the user (an ICC profile that is not sRGB, which we do not
 * apply). */
const char *tool_color_warning(const tool_color_info *ci);

/* width*height*channels*bytes per sample, checked against the limits
 * (max_width, max_height, max_pixels, max_alloc_bytes; NULL = defaults).
 * EXRQOI_OK, or EXRQOI_ERR_LIMIT with a sentence in msg. */
exrqoi_result tool_image_check_size(uint32_t width, uint32_t height, int channels,
                                    tool_sample sample, const exrqoi_limits *limits,
                                    size_t *bytes, char *msg, size_t msg_size);

/* *out = the library's default limits, with each non-zero field of limits
 * (NULL: none) in place of the default, as the library reads them. */
void tool_limits_resolve(const exrqoi_limits *limits, exrqoi_limits *out);

void tool_image_free(tool_image *img);

/* snprintf into msg (if msg_size > 0), returning code: for error paths. */
exrqoi_result tool_fail(char *msg, size_t msg_size, exrqoi_result code, const char *fmt, ...)
    TOOL_PRINTF(4, 5);

#endif
