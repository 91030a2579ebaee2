/* The reader object shared by the chunk, block and image layers. */
#ifndef EXRQOI_READER_H
#define EXRQOI_READER_H

#include "codec/codec.h"
#include "io/stream.h"
#include "meta/part.h"
#include "thread/pool.h"

#include <pthread.h>

/* One decoded chunk kept so that line-by-line reads decode it once. */
typedef struct exrqoi__chunk_cache {
    int part;
    uint64_t index; /* UINT64_MAX = empty */
    uint8_t *data;
    size_t size, cap;
} exrqoi__chunk_cache;

/* The flat read driver's per-worker state (src/image/read_part.c). */
struct exrqoi__flat_state;

/* Per worker-slot state: codec scratch plus packed/unpacked chunk buffers. */
typedef struct exrqoi__worker {
    exrqoi__codec_ctx codec;
    uint8_t *packed;
    size_t packed_cap;
    uint8_t *unpacked;
    size_t unpacked_cap;
    struct exrqoi__flat_state *flat; /* made on first use by the flat read driver */
} exrqoi__worker;

EXRQOI_INTERNAL exrqoi__worker *exrqoi__workers_new(const exrqoi_allocator *a, int n);
EXRQOI_INTERNAL void exrqoi__workers_free(const exrqoi_allocator *a, exrqoi__worker *w, int n);

struct exrqoi_reader {
    exrqoi_allocator alloc_store;
    const exrqoi_allocator *alloc; /* NULL or &alloc_store */
    exrqoi_limits limits;
    bool strict;
    exrqoi__source src;
    uint32_t version;
    int nparts;
    exrqoi__part *parts;
    uint64_t chunks_start; /* first byte after all offset tables */
    exrqoi_pool *pool;
    bool own_pool;
    int threads;
    exrqoi__err err;
    /* per worker-slot state; guarded by `lock`: a call that finds it
     * taken (another thread reading) makes a temporary set */
    pthread_mutex_t lock;
    exrqoi__worker *workers;
    int nworkers;
    exrqoi__chunk_cache cache;
};

/* Reads a chunk's leader and validates it against the part. On success
 * *data_off is where the packed bytes start. */
EXRQOI_INTERNAL exrqoi_result exrqoi__read_chunk_leader(exrqoi_reader *r, int part, uint64_t index,
                                                        exrqoi_chunk_info *ci, uint64_t *data_off,
                                                        exrqoi__err *err);
/* The read driver's check of a flat chunk's leader: it must name `part`
 * (multi-part files) and the chunk's coordinates `want` (scanline: its
 * first y; tiled: tx, ty, lx, ly), which the caller worked out from its
 * chunk grid, so nothing is derived here; anything else goes through
 * exrqoi__read_chunk_leader for its error. Sets the packed size and
 * where the packed bytes start. */
EXRQOI_INTERNAL exrqoi_result exrqoi__read_chunk_leader_quick(exrqoi_reader *r, int part, uint64_t index,
                                                              const int32_t want[4], uint64_t *packed_size,
                                                              uint64_t *data_off, exrqoi__err *err);
EXRQOI_INTERNAL exrqoi_result exrqoi__read_offsets(exrqoi_reader *r, exrqoi__err *err);
EXRQOI_INTERNAL exrqoi_result exrqoi__read_headers(exrqoi_reader *r, exrqoi__err *err);

#endif
