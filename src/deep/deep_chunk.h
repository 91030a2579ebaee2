/*
 * Decoding and encoding of one deep chunk (a deep scanline block or a deep
 * tile) covering width x height pixels. Pure functions: the chunk leader
 * (part number, y or tile coordinates) is parsed / written by the chunk
 * layer; these see only what follows it.
 *
 * File layout after the leader (all little-endian):
 *   uint64 packed size of the sample count table
 *   uint64 packed size of the sample data
 *   uint64 unpacked size of the sample data
 *   packed sample count table
 *   packed sample data
 * The count table unpacks to width*height int32: for each line, for each
 * pixel, the number of samples of that pixel plus all pixels left of it
 * in the same line (the sum restarts at 0 on every line; OpenEXRCore's
 * unpack_sample_table resets it per line too). The sample data unpacks
 * to: for each line, for each channel in channel-list order, for each
 * pixel of the line, that pixel's samples (channel type size each).
 * Compressions: NONE, RLE, ZIPS, ZIP (ZIP decode only); the stored-raw
 * rule (packed size == unpacked size) applies to both parts.
 *
 * Scratch: decoding uses ctx scratch slot 2 (count table, then the
 * sample decoders' segment list; slot 1 for sample data unpacked through
 * scratch: short lines, big-endian hosts); encoding uses 1, 2 and 3 (its output). exrqoi__decompress_bytes /
 * exrqoi__compress_bytes use 0 and the last slot.
 */
#ifndef EXRQOI_DEEP_CHUNK_H
#define EXRQOI_DEEP_CHUNK_H

#include "codec/codec.h"
#include "common/internal.h"
#include "exrqoi/part.h"

/* Bytes of the three sizes that follow the chunk leader. */
#define EXRQOI__DEEP_SIZES_BYTES 24

typedef struct exrqoi__deep_chunk_layout {
    int32_t width, height; /* pixels of the chunk, clipped to the data window / level */
    int nchan;
    const exrqoi_pixel_type *types; /* nchan sample types, channel-list order */
    exrqoi_compression compression;
    /* Deep tiled parts: tile x_size * y_size * 4, the count-table size
     * OpenEXR's writer uses for edge tiles whose table it stores raw
     * (the entries past width*height are filler). 0 for scanline parts. */
    uint64_t full_table_size;
} exrqoi__deep_chunk_layout;

/* What every chunk of a deep part shares (exrqoi__deep_layout_of adds the size). */
static inline void exrqoi__deep_base_layout(const exrqoi_part_info *pi, int32_t nch,
                                            const exrqoi_pixel_type *types, exrqoi__deep_chunk_layout *base)
{
    base->nchan = nch;
    base->types = types;
    base->compression = pi->compression;
    if (pi->tiled) base->full_table_size = (uint64_t)pi->tiles.x_size * pi->tiles.y_size * 4;
}

/* The layout of the chunk covering `win`. */
static inline void exrqoi__deep_layout_of(const exrqoi__deep_chunk_layout *base, const exrqoi_box2i *win,
                                          exrqoi__deep_chunk_layout *out)
{
    *out = *base;
    out->width = win->max.x - win->min.x + 1;
    out->height = win->max.y - win->min.y + 1;
}

/* Index of the chunk's first pixel in a level's row-major arrays. */
static inline size_t exrqoi__deep_pixel_index(const exrqoi_box2i *lwin, const exrqoi_box2i *win, size_t width)
{
    return (size_t)((int64_t)win->min.y - lwin->min.y) * width + (size_t)((int64_t)win->min.x - lwin->min.x);
}

typedef struct exrqoi__deep_chunk_sizes {
    uint64_t packed_table;  /* packed size of the sample count table */
    uint64_t packed_data;   /* packed size of the sample data */
    uint64_t unpacked_data; /* unpacked size of the sample data */
} exrqoi__deep_chunk_sizes;

/* Reads the three sizes from `p` (EXRQOI__DEEP_SIZES_BYTES bytes). */
EXRQOI_INTERNAL void exrqoi__deep_sizes_read(const uint8_t *p, exrqoi__deep_chunk_sizes *s);
/* Writes them (EXRQOI__DEEP_SIZES_BYTES bytes). */
EXRQOI_INTERNAL void exrqoi__deep_sizes_write(uint8_t *p, const exrqoi__deep_chunk_sizes *s);

/* Sum of the channels' sample sizes (bytes of one sample in every
 * channel); 0 when a type is invalid or nchan < 0. */
EXRQOI_INTERNAL size_t exrqoi__deep_bytes_per_sample(int nchan, const exrqoi_pixel_type *types);

/* Unpacks and validates the count table (`table`: sizes->packed_table
 * bytes) and writes per-pixel counts: counts[y*counts_stride + x] for the
 * chunk's pixel (x, y). Point `counts` into the image's count array at the
 * chunk's first pixel with counts_stride = image width, or at a buffer of
 * width*height with stride = width. *out_total (may be NULL) = samples in
 * the chunk.
 * Before anything else is trusted it checks: sizes within
 * limits->max_chunk_size; every cumulative entry >= 0 and not below its
 * left neighbour (EXRQOI_ERR_BAD_SAMPLES); every pixel count <=
 * max_deep_samples_per_pixel and the chunk total <= max_deep_samples_total
 * (EXRQOI_ERR_LIMIT); total * bytes_per_sample == sizes->unpacked_data,
 * overflow-checked (EXRQOI_ERR_BAD_SAMPLES). The caller still checks
 * the part-wide total against the limit.
 * Table size rules (as OpenEXR reads them): an uncompressed table longer
 * than width*height*4 (deep tiled NONE edge tiles) is read for its first
 * width*height entries; shorter (including 0), it is zero-filled; for a
 * compressed part a table of size 0 means all counts 0, and a table of
 * exactly layout->full_table_size bytes is raw filler as above.
 * limits may be NULL (defaults). counts is written even on failure. */
EXRQOI_INTERNAL exrqoi_result exrqoi__deep_decode_counts(exrqoi__codec_ctx *ctx,
                                                        const exrqoi_limits *limits,
                                                        const exrqoi__deep_chunk_layout *layout,
                                                        const exrqoi__deep_chunk_sizes *sizes,
                                                        const uint8_t *table, uint32_t *counts,
                                                        size_t counts_stride, uint64_t *out_total);

/* exrqoi__deep_decode_counts that also stores each line's sample total
 * at lines[y*lines_stride] (lines may be NULL), so callers need no second
 * walk over the counts. */
EXRQOI_INTERNAL exrqoi_result exrqoi__deep_decode_counts_lines(exrqoi__codec_ctx *ctx,
                                                              const exrqoi_limits *limits,
                                                              const exrqoi__deep_chunk_layout *layout,
                                                              const exrqoi__deep_chunk_sizes *sizes,
                                                              const uint8_t *table, uint32_t *counts,
                                                              size_t counts_stride, uint64_t *lines,
                                                              size_t lines_stride, uint64_t *out_total);

/* Unpacks the sample data (`data`: sizes->packed_data bytes) and scatters
 * it into per-channel arrays: dst[c] is channel c's whole array (native
 * uint16_t / float / uint32_t, dst_samples values each), and the samples
 * of the chunk's line y go to dst indices offsets[y*offsets_stride] and
 * up, pixel after pixel (a line's pixels are adjacent in memory in both
 * layouts below). For an image: counts = img->counts + y0*W + x0,
 * offsets = img->offsets + y0*W + x0, both strides W. For a chunk-local
 * buffer: cumulative offsets over the chunk (width*height+1) and stride
 * width. counts are the ones exrqoi__deep_decode_counts produced; they are
 * re-checked against sizes->unpacked_data, and every line against
 * dst_samples, so inconsistent arguments give an error, never an
 * out-of-bounds write. dst[c] may be NULL to skip a channel. */
EXRQOI_INTERNAL exrqoi_result exrqoi__deep_decode_samples(exrqoi__codec_ctx *ctx,
                                                         const exrqoi_limits *limits,
                                                         const exrqoi__deep_chunk_layout *layout,
                                                         const exrqoi__deep_chunk_sizes *sizes,
                                                         const uint8_t *data,
                                                         const uint32_t *counts,
                                                         size_t counts_stride,
                                                         const uint64_t *offsets,
                                                         size_t offsets_stride, void *const *dst,
                                                         uint64_t dst_samples);

/* exrqoi__deep_decode_samples for a caller that already knows where each
 * line's samples go: the chunk's line y fills indices starts[y*stride]
 * up to (not including) starts[y*stride + 1] of every channel array (a
 * whole level's line starts, in row-major order, give exactly that; the
 * entry after the last line holds the end). The per-pixel counts are not
 * needed; the sums are checked against sizes->unpacked_data and
 * dst_samples as there. Both decoders unpack straight into dst when the
 * lines are long enough (the codec's predictor writes there; no
 * intermediate sample buffer). */
EXRQOI_INTERNAL exrqoi_result exrqoi__deep_decode_lines(exrqoi__codec_ctx *ctx, const exrqoi_limits *limits,
                                                       const exrqoi__deep_chunk_layout *layout,
                                                       const exrqoi__deep_chunk_sizes *sizes,
                                                       const uint8_t *data, const uint64_t *starts,
                                                       size_t starts_stride, void *const *dst,
                                                       uint64_t dst_samples);

/* The reverse of both: builds the chunk payload that follows the leader
 * (the three sizes, the packed count table, the packed sample data) from
 * counts / offsets / src laid out as for exrqoi__deep_decode_samples
 * (src[c] holds src_samples values of channel c, native byte order).
 * Compression NONE, RLE or ZIPS (anything else: EXRQOI_ERR_UNSUPPORTED_
 * COMPRESSION); packed parts that would not shrink are stored raw. Tables
 * have width*height entries, except for clipped deep tiles
 * (layout->full_table_size > width*height*4): with NONE the table is
 * zero-padded to full_table_size bytes (OpenEXR 3.1's reader rejects
 * anything else), compressed ones avoid the sizes either OpenEXR reader
 * would misread as raw (see table_for_tile in deep_chunk.c). *out points into ctx
 * scratch slot 3 and stays valid until the next call on ctx; *out_size =
 * EXRQOI__DEEP_SIZES_BYTES + packed_table + packed_data. sizes_out may be
 * NULL. A line whose cumulative count exceeds INT32_MAX is
 * EXRQOI_ERR_LIMIT. */
EXRQOI_INTERNAL exrqoi_result exrqoi__deep_encode_chunk(exrqoi__codec_ctx *ctx,
                                                       const exrqoi__deep_chunk_layout *layout,
                                                       const uint32_t *counts, size_t counts_stride,
                                                       const uint64_t *offsets,
                                                       size_t offsets_stride,
                                                       const void *const *src, uint64_t src_samples,
                                                       const uint8_t **out, size_t *out_size,
                                                       exrqoi__deep_chunk_sizes *sizes_out);

#endif
