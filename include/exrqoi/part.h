/*
 * exrqoi/part.h - what reading and writing share: the validated facts of
 * a part, where a channel's samples are in memory (slices), and the
 * description of one chunk.
 */
#ifndef EXRQOI_EXRQOI_PART_H
#define EXRQOI_EXRQOI_PART_H

#include "exrqoi/common.h"
#include "exrqoi/meta.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What a part's header means, decoded and validated. Pointers point into
 * the reader and live as long as it. */
typedef struct exrqoi_part_info {
    exrqoi_part_type type;
    const char *name;            /**< "name" attribute or NULL */
    const char *type_name;       /**< "type" attribute or NULL */
    exrqoi_compression compression;
    exrqoi_box2i data_window;
    exrqoi_box2i display_window;
    exrqoi_line_order line_order;
    int32_t channel_count;
    const exrqoi_channel *channels; /**< sorted by name */
    int tiled;                   /**< tiled or deep tiled */
    exrqoi_tiledesc tiles;       /**< valid when tiled */
    int32_t num_x_levels, num_y_levels; /**< 1,1 unless mip/ripmapped */
    int32_t lines_per_chunk;     /**< scanline parts */
    uint64_t chunk_count;
    int offsets_rebuilt;         /**< the offset table was damaged and rebuilt by scanning */
    int32_t deep_version;        /**< "version" attribute of deep parts, else 0 */
} exrqoi_part_info;

/** Number of samples of a channel with sampling (xs, ys) inside the window:
 * the sampled columns (x mod xs == 0) and rows (y mod ys == 0). */
EXRQOI_API void exrqoi_sample_extent(const exrqoi_box2i *window, int32_t x_sampling,
                                     int32_t y_sampling, int32_t *columns, int32_t *rows);

/** Where one channel's samples go in memory (reading) or come from
 * (writing). The sample of pixel (x, y) lives at
 *   base + i * x_stride + j * y_stride
 * where i and j count the channel's sampled columns and rows from the
 * region's min corner (for unsampled channels i = x - min.x, j = y - min.y).
 * Strides are in bytes and may be negative. */
typedef struct exrqoi_slice {
    const char *name;       /**< channel name */
    exrqoi_pixel_type type; /**< type in memory; converted from/to the file's type */
    void *base;
    ptrdiff_t x_stride;
    ptrdiff_t y_stride;
    double fill;            /**< value for a channel the part lacks (reading) */
} exrqoi_slice;

/** Raw chunk access (no decompression). Chunk indices are file-table
 * order: scanline parts top to bottom; tiled parts level by level (ripmap:
 * ly outer, lx inner), tiles row by row. */
typedef struct exrqoi_chunk_info {
    int part;
    uint64_t index;
    uint64_t file_offset;   /**< where the chunk starts (its leader) */
    exrqoi_box2i window;    /**< pixels the chunk covers */
    int32_t tile_x, tile_y, level_x, level_y; /**< tiled parts */
    uint64_t packed_size;   /**< bytes of (flat) pixel data or deep sample data */
    uint64_t unpacked_size; /**< bytes once decompressed */
    uint64_t packed_count_table_size; /**< deep parts */
} exrqoi_chunk_info;

#ifdef __cplusplus
}
#endif
#endif /* EXRQOI_EXRQOI_PART_H */
