/* Moving samples between unpacked blocks (file layout, little-endian) and
 * the caller's slices, with type conversion. */
#ifndef EXRQOI_LINES_H
#define EXRQOI_LINES_H

#include "codec/codec.h"
#include "exrqoi/read.h"
#include "meta/part.h"

/* A slice matched to a channel of the part (or to none: fill). */
typedef struct exrqoi__slot {
    const exrqoi_slice *slice;
    int chan;            /* channel index in the part, -1 = missing (fill) */
    int32_t xs, ys;      /* sampling used for the slice's indexing */
} exrqoi__slot;

/* The slice matcher every read driver uses: the index of the part's
 * channel named `name`, or -1 (the slice is filled). */
EXRQOI_INTERNAL int32_t exrqoi__slice_channel(const exrqoi_part_info *pi, const char *name);
/* Slots for `n` slices: each slice's channel (exrqoi__slice_channel) and
 * that channel's sampling (1 x 1 for a filled slice). */
EXRQOI_INTERNAL void exrqoi__match_slices(const exrqoi_part_info *pi, const exrqoi_slice *slices, int n,
                                          exrqoi__slot *slots);
/* The fill rule: a missing channel's samples are the slice's fill value
 * converted to the slice's type (UINT: clamped to 0..2^32-1, NaN is 0);
 * writes 2 or 4 bytes to `dst`. */
EXRQOI_INTERNAL void exrqoi__fill_value(uint8_t *dst, exrqoi_pixel_type t, double v);

/* Builds the block layout of a flat chunk covering `win`. `chans` must
 * have room for the part's channel count. */
EXRQOI_INTERNAL exrqoi_result exrqoi__block_layout_for(const exrqoi__part *p, const exrqoi_box2i *win,
                                                       exrqoi__chan_layout *chans,
                                                       exrqoi__block_layout *out);

/* Copies the samples of `block` (unpacked, covering block layout `bl`)
 * that fall inside `region` into the slots' slices. */
EXRQOI_INTERNAL void exrqoi__block_to_slices(const exrqoi__block_layout *bl, const uint8_t *block,
                                             const exrqoi_box2i *region, const exrqoi__slot *slots,
                                             int nslots);
/* Fills the part of `region` covered by `win` for slots without a channel. */
EXRQOI_INTERNAL void exrqoi__fill_slices(const exrqoi_box2i *win, const exrqoi_box2i *region,
                                         const exrqoi__slot *slots, int nslots);
/* The reverse: gathers the block's samples from slices whose `region`
 * covers the whole block window. */
EXRQOI_INTERNAL void exrqoi__slices_to_block(const exrqoi__block_layout *bl, uint8_t *block,
                                             const exrqoi_box2i *region, const exrqoi__slot *slots,
                                             int nslots);

/* Describes where each byte of the block goes when every slot that takes
 * one of its channels has that channel's type and packed samples
 * (x_stride = sample size), at most one slot per channel: then the block
 * can be decoded straight into the slices (exrqoi__decompress_block_segments).
 * Returns false otherwise, or when more than `cap` segments are needed. */
EXRQOI_INTERNAL bool exrqoi__block_segments(const exrqoi__block_layout *bl, const exrqoi_box2i *region,
                                            const exrqoi__slot *slots, int nslots, exrqoi__segment *seg,
                                            size_t cap, size_t *nseg);
/* The same, also setting chan_of[i] to the channel segment i writes to
 * (-1: unwanted bytes); segments of different channels are never merged. */
EXRQOI_INTERNAL bool exrqoi__block_segments_chans(const exrqoi__block_layout *bl, const exrqoi_box2i *region,
                                                  const exrqoi__slot *slots, int nslots,
                                                  exrqoi__segment *seg, int16_t *chan_of, size_t cap,
                                                  size_t *nseg);

/* Converts n samples between types (src/dst in file layout for file-side
 * pointers is handled by callers; here both are native). */
EXRQOI_INTERNAL void exrqoi__convert_samples(const void *src, exrqoi_pixel_type st, ptrdiff_t sstride,
                                             void *dst, exrqoi_pixel_type dt, ptrdiff_t dstride,
                                             size_t n);

#endif
