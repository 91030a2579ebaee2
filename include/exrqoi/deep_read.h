/*
 * exrqoi/deep_read.h - reading deep pixels into the caller's own layout.
 *
 * exrqoi_reader_read_deep returns a whole level as an exrqoi_deep_image
 * (exrqoi_reader_read_deep_reuse into the memory of an earlier one,
 * exrqoi_reader_read_deep_lenient also from a damaged file). The region
 * calls instead read any sub-rectangle of a
 * level of a deep scanline or deep tiled part straight into memory the
 * caller laid out, in the manner of OpenEXR's DeepFrameBuffer:
 *
 *   1. exrqoi_reader_read_deep_counts: the sample count of every pixel
 *      of the region;
 *   2. the caller makes room for each pixel's samples (one array per
 *      pixel, or one contiguous buffer; anything goes) and stores, per
 *      channel, a pointer per pixel to that room;
 *   3. exrqoi_reader_read_deep_region: the samples, converted to the
 *      types the caller asks for.
 *
 * Only the chunks the region touches are decoded, in parallel on the
 * reader's worker pool. Step 3 decodes the counts again and checks them
 * against the caller's (the ones it sized its memory for), so a wrong or
 * stale count array is an error, never a write past a pixel's room.
 *
 * Thread safety: as for the other reading calls (one reader may serve
 * several threads at once).
 */
#ifndef EXRQOI_DEEP_READ_H
#define EXRQOI_DEEP_READ_H

#include "exrqoi/common.h"
#include "exrqoi/deep.h"
#include "exrqoi/read.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Reads level (lx, ly) of a deep part into *out (initialised here). */
EXRQOI_API exrqoi_result exrqoi_reader_read_deep(exrqoi_reader *r, int part, int lx, int ly,
                                                 exrqoi_deep_image *out);

/** exrqoi_reader_read_deep that reuses the memory of an earlier result,
 * for callers that read deep levels again and again (frames of a
 * sequence, views, levels): *img is zero-initialised or holds an image an
 * earlier exrqoi_reader_read_deep / exrqoi_reader_read_deep_reuse
 * returned with this reader's allocator (any part, level or file). Its
 * counts/offsets are kept when they have room for the level's pixels and
 * the channel names are the same, and each channel's sample array is
 * kept when its `capacity` holds the new samples; everything else is
 * replaced. Kept memory is not shrunk. The contents after success are
 * exactly what exrqoi_reader_read_deep gives (arrays may be larger than
 * total_samples values; pixel_capacity / capacity say how large). On
 * failure *img is either as it was or freed: safe to pass again or to
 * free with exrqoi_deep_image_free. Reusing memory saves the allocation
 * and the first-touch page faults of fresh arrays on every read. */
EXRQOI_API exrqoi_result exrqoi_reader_read_deep_reuse(exrqoi_reader *r, int part, int lx, int ly,
                                                       exrqoi_deep_image *img);

/** Reads a whole level of a deep part like exrqoi_reader_read_deep, but
 * a chunk that is missing, truncated or corrupt (or over a limit) does
 * not fail the read: its pixels get no samples, and its chunk index is
 * listed in *filled (sorted; allocated with the reader's allocator, free
 * with exrqoi_free; NULL when none) with *filled_count entries. The
 * samples of every intact chunk are exactly what exrqoi_reader_read_deep
 * gives. Errors only for invalid arguments, lack of memory and the
 * allocation limit. Free *out with exrqoi_deep_image_free. */
EXRQOI_API exrqoi_result exrqoi_reader_read_deep_lenient(exrqoi_reader *r, int part, int lx, int ly,
                                                         exrqoi_deep_image *out, uint64_t **filled,
                                                         size_t *filled_count);

/** Reads the sample counts of the pixels of `region` (NULL = the whole
 * level; it must lie inside the level's window) of level (lx, ly) of a
 * deep part. The count of pixel (x, y) is stored as a uint32_t at
 *   base + (x - region.min.x) * x_stride + (y - region.min.y) * y_stride
 * (strides in bytes, may be negative). Deep scanline parts have only
 * level (0, 0). Counts are validated as exrqoi_reader_read_deep does
 * (limits.max_deep_samples_per_pixel, per-chunk totals). */
EXRQOI_API exrqoi_result exrqoi_reader_read_deep_counts(exrqoi_reader *r, int part, int lx, int ly,
                                                        const exrqoi_box2i *region, uint32_t *base,
                                                        ptrdiff_t x_stride, ptrdiff_t y_stride);

/** Where one channel's deep samples go.
 *
 * `base` addresses an array of `void *`, one per pixel of the region:
 * the pointer for pixel (x, y) is read from
 *   base + (x - region.min.x) * x_stride + (y - region.min.y) * y_stride
 * (bytes). It points at the caller's room for that pixel's samples of
 * this channel: sample k goes to pointer + k * sample_stride (bytes, may
 * be negative). A NULL pixel pointer skips the pixel. */
typedef struct exrqoi_deep_slice {
    const char *name;       /**< channel name */
    exrqoi_pixel_type type; /**< type in memory, converted from the file's as the flat reader does */
    void *base;             /**< array of per-pixel pointers (see above) */
    ptrdiff_t x_stride;     /**< bytes between the pointers of horizontally adjacent pixels */
    ptrdiff_t y_stride;     /**< bytes between the pointers of vertically adjacent pixels */
    ptrdiff_t sample_stride; /**< bytes between consecutive samples of one pixel */
    double fill;            /**< value of every sample of a channel the part lacks */
} exrqoi_deep_slice;

/** Reads the samples of `region` (NULL = the whole level) of level
 * (lx, ly) of a deep part into the slices.
 *
 * `counts` (with its strides, laid out as for exrqoi_reader_read_deep_counts)
 * are the counts the caller sized its memory for; they must equal the
 * file's (the call decodes the file's counts itself and compares:
 * a difference is EXRQOI_ERR_INVALID_ARGUMENT, naming the pixel). Each
 * pixel receives exactly its count of samples per slice.
 *
 * On failure some pixels may have been written (each with its full
 * count); none beyond its room. */
EXRQOI_API exrqoi_result exrqoi_reader_read_deep_region(exrqoi_reader *r, int part, int lx, int ly,
                                                        const exrqoi_box2i *region,
                                                        const uint32_t *counts,
                                                        ptrdiff_t counts_x_stride,
                                                        ptrdiff_t counts_y_stride,
                                                        const exrqoi_deep_slice *slices,
                                                        int slice_count);

#ifdef __cplusplus
}
#endif
#endif /* EXRQOI_DEEP_READ_H */
