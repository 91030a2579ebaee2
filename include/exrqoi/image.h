/*
 * exrqoi/image.h - whole files in memory: one call reads every part, level
 * and channel of a file into an owned structure; one call writes such a
 * structure back. Built on the reader and writer; read it as a recipe.
 */
#ifndef EXRQOI_IMAGE_H
#define EXRQOI_IMAGE_H

#include "exrqoi/common.h"
#include "exrqoi/deep.h"
#include "exrqoi/deep_read.h"
#include "exrqoi/deep_write.h"
#include "exrqoi/meta.h"
#include "exrqoi/read.h"
#include "exrqoi/write.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One channel of a flat level: width*height samples of `type`, row-major,
 * where width/height count the channel's sampled columns/rows. */
typedef struct exrqoi_image_channel {
    char *name;
    exrqoi_pixel_type type;
    int32_t x_sampling, y_sampling;
    int32_t width, height;
    void *data; /**< uint16_t (half bits), float or uint32_t */
} exrqoi_image_channel;

typedef struct exrqoi_image_level {
    int32_t lx, ly;
    exrqoi_box2i window;
    int32_t channel_count;            /**< flat parts */
    exrqoi_image_channel *channels;   /**< flat parts, channel-list order */
    exrqoi_deep_image deep;           /**< deep parts */
} exrqoi_image_level;

typedef struct exrqoi_image_part {
    exrqoi_header header;
    exrqoi_part_type type;
    int32_t level_count; /**< canonical order: mipmap l=0..; ripmap ly outer, lx inner */
    exrqoi_image_level *levels;
} exrqoi_image_part;

typedef struct exrqoi_image {
    int32_t part_count;
    exrqoi_image_part *parts;
    exrqoi_allocator alloc; /**< zero = malloc */
} exrqoi_image;

/** Reads every part, level and channel of the file `source` holds into
 * *out (zeroed first; allocated with opts->allocator). */
EXRQOI_API exrqoi_result exrqoi_image_read(exrqoi_source source, const exrqoi_read_options *opts,
                                           exrqoi_image *out);
/** Reads everything from an open reader into *out (zeroed first). */
EXRQOI_API exrqoi_result exrqoi_reader_read_image(exrqoi_reader *r, exrqoi_image *out);
/** Writes `img` to `sink` (a path atomically: temporary file, then
 * rename; a memory sink's buffer is allocated with opts->allocator). */
EXRQOI_API exrqoi_result exrqoi_image_write(exrqoi_sink sink, const exrqoi_image *img,
                                            const exrqoi_write_options *opts);
/** Writes every level of every part of `img` into an open writer whose
 * headers are the image's (does not finish the writer). */
EXRQOI_API exrqoi_result exrqoi_writer_write_image(exrqoi_writer *w, const exrqoi_image *img);
/** Frees everything inside *img and zeroes it. NULL is fine. */
EXRQOI_API void exrqoi_image_free(exrqoi_image *img);

/** Builds every level of a tiled mipmap or ripmap flat part from its
 * level (0,0) by box filtering: each sample of level (lx, ly) is the mean
 * of the 2^lx x 2^ly level-0 samples it covers (clipped at the edges),
 * computed in double and rounded to the channel's type (half: nearest
 * even; uint: nearest). part->header must hold the tiles attribute and
 * part->levels[0] level (0,0); the other levels are (re)made with the
 * image's allocator `allocator` (NULL = malloc). */
EXRQOI_API exrqoi_result exrqoi_image_part_build_levels(exrqoi_image_part *part,
                                                        const exrqoi_allocator *allocator);

#ifdef __cplusplus
}
#endif
#endif
