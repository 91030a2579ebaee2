/* Internal deep image allocation for readers that write every entry
 * themselves, so the arrays are not zero-filled first. */
#ifndef EXRQOI_DEEP_IMAGE_H
#define EXRQOI_DEEP_IMAGE_H

#include "common/internal.h"

#include "exrqoi/deep.h"

/* exrqoi_deep_image_init with counts and offsets left unset: the caller
 * writes all width*height counts and width*height+1 offsets. */
EXRQOI_INTERNAL exrqoi_result exrqoi__deep_image_init_unset(exrqoi_deep_image *img,
                                                           const exrqoi_allocator *allocator,
                                                           int32_t width, int32_t height,
                                                           int32_t channel_count,
                                                           const char *const *names,
                                                           const exrqoi_pixel_type *types);

/* Like exrqoi__deep_image_init_unset, but *img is zeroed or an image
 * from an earlier read: when its allocator, channel names and pixel room
 * suit, its arrays are kept (channel sample arrays too, through
 * exrqoi__deep_image_alloc_samples_unset), else it is freed and set up
 * anew. */
EXRQOI_INTERNAL exrqoi_result exrqoi__deep_image_reuse(exrqoi_deep_image *img, const exrqoi_allocator *allocator,
                                                      int32_t width, int32_t height, int32_t channel_count,
                                                      const char *const *names,
                                                      const exrqoi_pixel_type *types);

/* Allocates every channel's img->total_samples samples without zeroing
 * them (an array whose capacity suffices is kept) (offsets and total_samples already set by the caller, who writes
 * every sample). EXRQOI_ERR_LIMIT when the size does not fit. */
EXRQOI_INTERNAL exrqoi_result exrqoi__deep_image_alloc_samples_unset(exrqoi_deep_image *img);

#endif
