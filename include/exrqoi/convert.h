/*
 * exrqoi/convert.h - conversion between EXR (scene-linear, premultiplied
 * half/float) and QOI (8-bit sRGB or linear, straight alpha).
 *
 * EXR -> QOI: the colour of a part/layer/view is read over the display
 * window (exrqoi/rgba.h; pixels outside the data window are transparent,
 * or black without alpha), un-premultiplied, converted from the file's
 * chromaticities to Rec. 709/sRGB primaries, scaled by 2^exposure, passed
 * through a tone curve and encoded to 8 bits with the sRGB transfer
 * function (or kept linear). 3 channels without alpha, 4 with.
 *
 * QOI -> EXR: 8-bit values are decoded to linear (sRGB curve, or /255 for
 * colorspace 1), multiplied by alpha and written as half R,G,B(,A) with
 * a chromaticities attribute (Rec. 709).
 *
 * With default options QOI -> EXR -> QOI gives back every pixel (fully
 * transparent pixels come back as 0,0,0,0) for sRGB QOI images.
 *
 * See docs/convert.md for the details of the colour pipeline.
 */
#ifndef EXRQOI_CONVERT_H
#define EXRQOI_CONVERT_H

#include "exrqoi/common.h"
#include "exrqoi/qoi.h"
#include "exrqoi/read.h"
#include "exrqoi/rgba.h"
#include "exrqoi/write.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum exrqoi_tonemap {
    EXRQOI_TONEMAP_CLAMP = 0,    /**< clamp to [0,1] */
    EXRQOI_TONEMAP_REINHARD = 1, /**< x / (1 + x) */
    EXRQOI_TONEMAP_ACES = 2      /**< Narkowicz's ACES filmic fit */
} exrqoi_tonemap;

/** Name on the command line ("clamp", "reinhard", "aces") or NULL. */
EXRQOI_API const char *exrqoi_tonemap_name(exrqoi_tonemap t);
/** Parses a tone curve name; EXRQOI_ERR_NOT_FOUND if unknown. */
EXRQOI_API exrqoi_result exrqoi_tonemap_from_name(const char *name, exrqoi_tonemap *out);

/** EXR -> QOI options. Initialise with EXRQOI_EXR_TO_QOI_OPTIONS_INIT (a
 * struct_size of 0 is EXRQOI_ERR_INVALID_ARGUMENT); NULL = all defaults. */
typedef struct exrqoi_exr_to_qoi_options {
    size_t struct_size; /**< sizeof(exrqoi_exr_to_qoi_options) of the caller's build */
    /** Part, layer and view (NULL = defaults; its type and display_window
     * are ignored: the conversion always covers the display window in
     * float). */
    const exrqoi_rgba_read_options *select;
    float exposure;         /**< stops (EV), applied before the tone curve */
    exrqoi_tonemap tonemap; /**< default clamp */
    int linear;             /**< non-zero: no sRGB curve; QOI colorspace 1 */
    const exrqoi_qoi_options *qoi; /**< encoder options (allocator, pool, fsync); NULL = defaults */
} exrqoi_exr_to_qoi_options;

/** All defaults: exposure 0, clamp, sRGB. */
#define EXRQOI_EXR_TO_QOI_OPTIONS_INIT \
    {sizeof(exrqoi_exr_to_qoi_options), NULL, 0.0f, EXRQOI_TONEMAP_CLAMP, 0, NULL}

/** Converts the selected colour of an open reader to 8-bit pixels:
 * *pixels (allocated with the reader's allocator; free with exrqoi_free)
 * holds desc->width*desc->height*desc->channels bytes. */
EXRQOI_API exrqoi_result exrqoi_exr_to_qoi_pixels(exrqoi_reader *r,
                                                  const exrqoi_exr_to_qoi_options *opts,
                                                  exrqoi_qoi_desc *desc, void **pixels,
                                                  size_t *size);

/** The same pipeline ending in 16-bit samples (for 16-bit PNG output):
 * code = round(65535 * oetf(tone(...))) (or round(65535 * tone(...))
 * when opts->linear), alpha round(65535 * a), computed from the float
 * samples (never through 8 bits). *pixels (reader's allocator; free with
 * exrqoi_free) holds desc->width*desc->height*desc->channels uint16_t in
 * host byte order; *size (may be NULL) is its size in bytes. The QOI
 * encoder options in opts are ignored. */
EXRQOI_API exrqoi_result exrqoi_exr_to_pixels16(exrqoi_reader *r,
                                                const exrqoi_exr_to_qoi_options *opts,
                                                exrqoi_qoi_desc *desc, uint16_t **pixels,
                                                size_t *size);

/** The pixel part of exrqoi_exr_to_qoi_pixels over colour the caller
 * already has: width*height pixels of premultiplied linear float
 * R,G,B,A (4 floats each, packed rows) with the given chromaticities
 * (NULL = Rec. 709) are un-premultiplied, converted to Rec. 709, exposed,
 * tone-mapped and encoded to 8 bits; `alpha` non-zero keeps A (4
 * channels), else 3. opts->select is ignored. *pixels is allocated with
 * `allocator` (free with exrqoi_free); rows run on `pool` (NULL = this
 * thread). Used for deep images composited with exrqoi_deep_flatten_image
 * and for channels the caller picked. */
EXRQOI_API exrqoi_result exrqoi_float_rgba_to_qoi_pixels(const float *rgba, int32_t width, int32_t height,
                                                         int alpha,
                                                         const exrqoi_chromaticities *chromaticities,
                                                         const exrqoi_exr_to_qoi_options *opts,
                                                         const exrqoi_allocator *allocator,
                                                         exrqoi_pool *pool, exrqoi_qoi_desc *desc,
                                                         void **pixels, size_t *size);

/** exrqoi_float_rgba_to_qoi_pixels ending in 16-bit samples, as
 * exrqoi_exr_to_pixels16 does (for 16-bit PNG output of deep images and
 * picked channels). */
EXRQOI_API exrqoi_result exrqoi_float_rgba_to_pixels16(const float *rgba, int32_t width, int32_t height,
                                                       int alpha,
                                                       const exrqoi_chromaticities *chromaticities,
                                                       const exrqoi_exr_to_qoi_options *opts,
                                                       const exrqoi_allocator *allocator,
                                                       exrqoi_pool *pool, exrqoi_qoi_desc *desc,
                                                       uint16_t **pixels, size_t *size);

/** Converts the EXR `in` holds to a QOI written to `out` (a path
 * atomically; a memory sink's buffer is allocated with opts->qoi's
 * allocator). */
EXRQOI_API exrqoi_result exrqoi_convert_exr_to_qoi(exrqoi_source in, exrqoi_sink out,
                                                   const exrqoi_read_options *read_opts,
                                                   const exrqoi_exr_to_qoi_options *opts);

/** QOI -> EXR options. Initialise with EXRQOI_QOI_TO_EXR_OPTIONS_INIT (a
 * struct_size of 0 is EXRQOI_ERR_INVALID_ARGUMENT); NULL = all defaults. */
typedef struct exrqoi_qoi_to_exr_options {
    size_t struct_size; /**< sizeof(exrqoi_qoi_to_exr_options) of the caller's build */
    exrqoi_compression compression;    /**< EXRQOI_COMPRESSION_DEFAULT = ZIP */
    const exrqoi_write_options *write; /**< allocator, pool, threads, zip level; NULL = defaults */
    const exrqoi_qoi_options *qoi;     /**< decoder options (allocator, limits); NULL = defaults */
} exrqoi_qoi_to_exr_options;

/** All defaults: ZIP. */
#define EXRQOI_QOI_TO_EXR_OPTIONS_INIT \
    {sizeof(exrqoi_qoi_to_exr_options), EXRQOI_COMPRESSION_DEFAULT, NULL, NULL}

/** Converts 8-bit QOI pixels (desc->channels per pixel, packed rows) to
 * premultiplied linear half R,G,B,A (4 samples per pixel, alpha 1 for RGB
 * input) in `out`, which holds width*height*4 samples
 * (exrqoi_display_to_linear for 8-bit sRGB or linear pixels). */
EXRQOI_API exrqoi_result exrqoi_qoi_pixels_to_half(const void *pixels, const exrqoi_qoi_desc *desc,
                                                   uint16_t *out);

/** How display-referred integer samples encode light. */
typedef enum exrqoi_transfer {
    EXRQOI_TRANSFER_SRGB = 0,   /**< the sRGB curve (IEC 61966-2-1) */
    EXRQOI_TRANSFER_LINEAR = 1, /**< code / max */
    EXRQOI_TRANSFER_GAMMA = 2   /**< (code / max)^(1/gamma), gamma as PNG's gAMA */
} exrqoi_transfer;

/** Display-referred pixels: 8- or 16-bit, RGB or RGBA (straight alpha),
 * interleaved, packed rows (PNG or QOI pixels). */
typedef struct exrqoi_display_desc {
    uint32_t width;  /**< > 0 */
    uint32_t height; /**< > 0 */
    int channels;    /**< 3 or 4 */
    int bits;        /**< 8 (uint8_t) or 16 (uint16_t, host byte order) */
    exrqoi_transfer transfer;
    /** EXRQOI_TRANSFER_GAMMA only: encoded = linear^gamma, in (0, 10]
     * (0.45455 for a "2.2" image) */
    double gamma;
} exrqoi_display_desc;

/** Decodes display-referred pixels to scene-linear premultiplied R,G,B,A
 * (4 samples per pixel, alpha 1 without alpha), of type `out_type`
 * (EXRQOI_PIXEL_HALF: uint16_t half bits, or EXRQOI_PIXEL_FLOAT), in
 * `out`, which holds width*height*4 samples. Colour is decoded in double,
 * rounded to float, multiplied by alpha in float and, for half, rounded
 * once more: 8-bit sources survive half, and 16-bit sources float,
 * exactly through exrqoi_exr_to_qoi_pixels / exrqoi_exr_to_pixels16
 * (fully transparent pixels come back as 0). The primaries are not
 * touched: write the source's chromaticities with the EXR. */
EXRQOI_API exrqoi_result exrqoi_display_to_linear(const void *pixels,
                                                  const exrqoi_display_desc *desc,
                                                  exrqoi_pixel_type out_type, void *out);

/** Converts the QOI `in` holds to a half R,G,B(,A) EXR written to `out`
 * (a path atomically; a memory sink's buffer is allocated with
 * opts->write's allocator). */
EXRQOI_API exrqoi_result exrqoi_convert_qoi_to_exr(exrqoi_source in, exrqoi_sink out,
                                                   const exrqoi_qoi_to_exr_options *opts);

#ifdef __cplusplus
}
#endif
#endif
