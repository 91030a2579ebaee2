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

/** EXR -> QOI options. Zero-initialise; NULL = all defaults. */
typedef struct exrqoi_exr_to_qoi_options {
    /** Part, layer and view (its type and display_window are ignored:
     * the conversion always covers the display window in float). */
    exrqoi_rgba_read_options select;
    float exposure;         /**< stops (EV), applied before the tone curve */
    exrqoi_tonemap tonemap; /**< default clamp */
    int linear;             /**< non-zero: no sRGB curve; QOI colorspace 1 */
    exrqoi_qoi_options qoi; /**< encoder options (allocator, pool, fsync) */
} exrqoi_exr_to_qoi_options;

/** Converts the selected colour of an open reader to 8-bit pixels:
 * *pixels (allocated with the reader's allocator; free with exrqoi_free)
 * holds desc->width*desc->height*desc->channels bytes. */
EXRQOI_API exrqoi_result exrqoi_exr_to_qoi_pixels(exrqoi_reader *r,
                                                  const exrqoi_exr_to_qoi_options *opts,
                                                  exrqoi_qoi_desc *desc, void **pixels,
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

/** Converts the EXR file `in` to the QOI file `out` (written atomically). */
EXRQOI_API exrqoi_result exrqoi_convert_exr_to_qoi(const char *in, const char *out,
                                                   const exrqoi_read_options *read_opts,
                                                   const exrqoi_exr_to_qoi_options *opts);

/** QOI -> EXR options. Zero-initialise; NULL = all defaults. */
typedef struct exrqoi_qoi_to_exr_options {
    int has_compression;            /**< 0: ZIP */
    exrqoi_compression compression; /**< used when has_compression */
    const exrqoi_write_options *write; /**< allocator, pool, threads, zip level */
    exrqoi_qoi_options qoi;         /**< decoder options (allocator, limits) */
} exrqoi_qoi_to_exr_options;

/** Converts 8-bit QOI pixels (desc->channels per pixel, packed rows) to
 * premultiplied linear half R,G,B,A (4 samples per pixel, alpha 1 for RGB
 * input) in `out`, which holds width*height*4 samples. */
EXRQOI_API exrqoi_result exrqoi_qoi_pixels_to_half(const void *pixels, const exrqoi_qoi_desc *desc,
                                                   uint16_t *out);

/** Converts the QOI file `in` to the EXR file `out` (written atomically). */
EXRQOI_API exrqoi_result exrqoi_convert_qoi_to_exr(const char *in, const char *out,
                                                   const exrqoi_qoi_to_exr_options *opts);

#ifdef __cplusplus
}
#endif
#endif
