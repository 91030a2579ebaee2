/*
 * exrqoi/deep.h - deep images in memory, and flattening them.
 *
 * A deep image (or one level of a deep tiled part) stores, for every
 * pixel, any number of samples; all channels of a pixel have the same
 * number. In memory:
 *
 *   counts[i]      samples of pixel i (i = y*width + x, row-major, top
 *                  row first, relative to the data window's min corner)
 *   offsets[i]     index of pixel i's first sample in every channel array
 *                  (offsets[0] = 0, offsets[i+1] = offsets[i] + counts[i],
 *                  offsets[width*height] = total_samples)
 *   channels[c].samples
 *                  total_samples values of the channel's type (half as
 *                  uint16_t bits, float, uint32_t), pixel after pixel in
 *                  the order above, each pixel's samples in stored order.
 *
 * This is the order the canonical hash ("counts", "deepchan") covers.
 *
 * Thread safety: plain data; an image may be read from several threads,
 * and flatten calls on different outputs may run at once.
 */
#ifndef EXRQOI_DEEP_H
#define EXRQOI_DEEP_H

#include "exrqoi/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One channel of a deep image. */
typedef struct exrqoi_deep_channel {
    char *name;             /**< owned by the image */
    exrqoi_pixel_type type; /**< sample type in `samples` */
    void *samples;          /**< total_samples values (uint16_t, float or uint32_t); NULL until allocated */
    size_t capacity;        /**< bytes allocated at `samples` (0: unknown, never reused) */
} exrqoi_deep_channel;

/** A deep image level. Zero-initialise, then exrqoi_deep_image_init. */
typedef struct exrqoi_deep_image {
    int32_t width, height;
    uint32_t *counts;       /**< width*height per-pixel sample counts */
    uint64_t *offsets;      /**< width*height+1 cumulative offsets (see top of file) */
    uint64_t total_samples; /**< offsets[width*height] */
    int32_t channel_count;
    exrqoi_deep_channel *channels; /**< channel_count entries, in channel-list order */
    exrqoi_allocator alloc;        /**< used for everything inside; zero = malloc */
    size_t pixel_capacity; /**< pixels `counts` has room for (`offsets`: one more); 0: unknown */
} exrqoi_deep_image;

/** Sets up an image of width x height pixels (each >= 0) with the given
 * channels (names are copied; types must be UINT, HALF or FLOAT). counts
 * and offsets are allocated and zeroed; no sample arrays yet. On failure
 * *img is left empty (safe to free). */
EXRQOI_API exrqoi_result exrqoi_deep_image_init(exrqoi_deep_image *img,
                                                const exrqoi_allocator *allocator, int32_t width,
                                                int32_t height, int32_t channel_count,
                                                const char *const *names,
                                                const exrqoi_pixel_type *types);

/** After img->counts is filled: computes offsets and total_samples and
 * (re)allocates every channel's sample array (contents zeroed).
 * EXRQOI_ERR_LIMIT when the total exceeds `max_total_samples` (0 = no
 * limit beyond size_t overflow). */
EXRQOI_API exrqoi_result exrqoi_deep_image_alloc_samples(exrqoi_deep_image *img,
                                                         uint64_t max_total_samples);

/** Frees everything inside *img (not img itself) and zeroes it. NULL is fine. */
EXRQOI_API void exrqoi_deep_image_free(exrqoi_deep_image *img);

/** Index of the channel whose full name is `name`, or -1. */
EXRQOI_API int32_t exrqoi_deep_image_find_channel(const exrqoi_deep_image *img, const char *name);

/* ------------------------------------------------------------------ */
/* Flattening (InterpretingDeepPixels.rst, "Flattening an Image")       */
/* ------------------------------------------------------------------ */

/** Bytes of work memory exrqoi_deep_flatten_pixel needs for a pixel of
 * `n` samples and `ncolor` colour channels (0 on size_t overflow). */
EXRQOI_API size_t exrqoi_deep_flatten_work_size(size_t n, int ncolor);

/** Composites one deep pixel front to back as the OpenEXR document
 * defines it: the pixel is made tidy (volume samples split at every other
 * sample's front and back, coincident samples merged) and the result is
 * composited with "over".
 *
 * n samples; z[i] front depth, zback[i] back depth (NULL: all samples are
 * point samples; zback[i] <= z[i] is a point sample too), alpha[i]
 * (NULL: every sample opaque), color[c][i] for c < ncolor (premultiplied
 * by alpha, as EXR stores it). Samples may be in any order. Alpha is
 * clamped to [0,1] (NaN counts as 0); samples whose z is NaN are ignored;
 * a sample with an infinite front or back is treated as a point sample.
 *
 * Outputs: out_color[ncolor], *out_alpha, and *out_z = front of the
 * nearest sample with non-zero alpha (or of the nearest sample when all
 * alphas are zero; +infinity for n == 0). out_color / out_z may be NULL.
 * `work` must hold exrqoi_deep_flatten_work_size(n, ncolor) bytes,
 * aligned for double. */
EXRQOI_API exrqoi_result exrqoi_deep_flatten_pixel(size_t n, const float *z, const float *zback,
                                                   const float *alpha, int ncolor,
                                                   const float *const *color, void *work,
                                                   size_t work_size, float *out_color,
                                                   float *out_alpha, float *out_z);

/** Flattens a whole deep image. Depth comes from the channel named "Z"
 * (required, else EXRQOI_ERR_NOT_FOUND) and "ZBack" (optional); alpha
 * from "A" (absent: every sample opaque); colour from "R", "G", "B"
 * (absent: 0). Only these exact names are used (layers are ignored).
 * Writes width*height values, row-major, into each non-NULL output:
 * rgba (4 floats per pixel, premultiplied) and z (see
 * exrqoi_deep_flatten_pixel). Work memory comes from the image's allocator. */
EXRQOI_API exrqoi_result exrqoi_deep_flatten_image(const exrqoi_deep_image *img, float *rgba,
                                                   float *z);

#ifdef __cplusplus
}
#endif
#endif /* EXRQOI_DEEP_H */
