/* A part's header decoded into what the pipeline needs: windows, channels,
 * levels and the chunk layout. Built once at open (or before writing) and
 * immutable afterwards. */
#ifndef EXRQOI_PART_H
#define EXRQOI_PART_H

#include "common/internal.h"
#include "exrqoi/meta.h"
#include "exrqoi/read.h"

typedef struct exrqoi__level {
    int32_t lx, ly;
    exrqoi_box2i window; /* starts at the data window's min corner */
    int32_t tiles_x, tiles_y;
    uint64_t first_chunk; /* index of the level's first chunk */
} exrqoi__level;

typedef struct exrqoi__part {
    exrqoi_header header;
    exrqoi_part_info info; /* public view; pointers into header */
    bool deep;
    int32_t nlevels;       /* single: 1; mipmap: num_x_levels; ripmap: nx*ny */
    exrqoi__level *levels; /* ripmap: index ly*nx + lx */
    uint64_t *offsets;     /* chunk offset table (chunk_count entries) */
    uint64_t table_pos;    /* where the part's offset table sits in the file */
} exrqoi__part;

/* Decodes and validates the part's header (already parsed into
 * p->header) for `version` flags; fills p->info, p->levels. `index` and
 * `multipart` only shape error messages and required attributes. */
EXRQOI_INTERNAL exrqoi_result exrqoi__part_setup(exrqoi__part *p, int index, uint32_t version,
                                                 bool strict, const exrqoi_limits *limits,
                                                 exrqoi__err *err);
EXRQOI_INTERNAL void exrqoi__part_free(exrqoi__part *p);

/* Level helpers (OpenEXR's rounding rules). */
EXRQOI_INTERNAL int32_t exrqoi__level_count(int32_t size, int rounding);
EXRQOI_INTERNAL int32_t exrqoi__level_size(int32_t size, int32_t level, int rounding);
EXRQOI_INTERNAL const exrqoi__level *exrqoi__part_level(const exrqoi__part *p, int lx, int ly);

/* Pixel window of chunk `index` and, for tiled parts, its coordinates. */
EXRQOI_INTERNAL exrqoi_result exrqoi__part_chunk_window(const exrqoi__part *p, uint64_t index,
                                                        exrqoi_box2i *win, int32_t *tx, int32_t *ty,
                                                        int32_t *lx, int32_t *ly);
/* The chunks covering `reg` (inside level L's window): tile columns
 * first_tx.. (ntx of them) and rows first_ty.. (nty), or for scanline
 * parts chunk rows (first_tx = 0, ntx = 1). Chunk indices are
 * L->first_chunk + ty * L->tiles_x + tx (tiled) or ty (scanline). */
typedef struct exrqoi__chunk_grid {
    uint64_t first_tx, first_ty, ntx, nty;
} exrqoi__chunk_grid;
EXRQOI_INTERNAL void exrqoi__chunk_grid_of(const exrqoi__part *p, const exrqoi__level *L, const exrqoi_box2i *reg,
                                           exrqoi__chunk_grid *g);
/* Bytes of the unpacked block for a flat chunk window. */
EXRQOI_INTERNAL exrqoi_result exrqoi__part_unpacked_size(const exrqoi__part *p, const exrqoi_box2i *win,
                                                         uint64_t *size);

#endif
