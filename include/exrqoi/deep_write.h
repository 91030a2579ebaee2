/*
 * exrqoi/deep_write.h - writing deep pixels: a whole level of a deep
 * scanline or deep tiled part from an exrqoi_deep_image.
 *
 * Thread safety: as for the other writing calls (one writer is used by one
 * thread at a time).
 */
#ifndef EXRQOI_DEEP_WRITE_H
#define EXRQOI_DEEP_WRITE_H

#include "exrqoi/common.h"
#include "exrqoi/deep.h"
#include "exrqoi/write.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Writes level (lx, ly) of a deep part from `img` (its size must be the
 * level's, its channels the part's, by name). */
EXRQOI_API exrqoi_result exrqoi_writer_write_deep(exrqoi_writer *w, int part, int lx, int ly,
                                                  const exrqoi_deep_image *img);

#ifdef __cplusplus
}
#endif
#endif /* EXRQOI_DEEP_WRITE_H */
