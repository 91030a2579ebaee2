/* The writer object (shared by the flat and deep writing paths). */
#ifndef EXRQOI_WRITER_H
#define EXRQOI_WRITER_H

#include "chunk/workers.h"
#include "io/stream.h"
#include "meta/part.h"
#include "thread/pool.h"
#include "exrqoi/write.h"

/* A chunk held in memory when the output cannot seek. */
typedef struct exrqoi__held_chunk {
    int part;
    uint64_t index;
    uint8_t *bytes; /* leader + payload */
    size_t size;
} exrqoi__held_chunk;

struct exrqoi_writer {
    exrqoi_allocator alloc_store;
    const exrqoi_allocator *alloc;
    exrqoi__err err;
    exrqoi__sink sink;
    int nparts;
    exrqoi__part *parts; /* offsets[] = 0 until the chunk is written */
    uint32_t version;
    uint64_t header_end;   /* first byte of the offset tables */
    uint64_t chunks_start; /* first byte after the tables */
    bool hold;             /* non-seekable output: chunks kept until finish */
    exrqoi__held_chunk *held;
    size_t nheld, held_cap;
    uint8_t *header_bytes; /* serialised magic+headers (kept for held output) */
    size_t header_size;
    exrqoi_pool *pool;
    bool own_pool;
    int threads;
    int zip_level;
    float dwa_level;
    exrqoi_progress_fn progress;
    void *progress_user;
    uint64_t chunks_done, chunks_total;
    bool finished, failed;
    exrqoi__worker *workers;
    int nworkers;
};

/* Leader bytes for a chunk of part `part` into buf (<= 48 bytes). */
EXRQOI_INTERNAL size_t exrqoi__chunk_leader(const exrqoi_writer *w, int part, const exrqoi_chunk_info *ci,
                                            uint8_t *buf);
/* Appends a finished chunk (leader + payload pieces) to the output and
 * records its offset. */
EXRQOI_INTERNAL exrqoi_result exrqoi__writer_emit(exrqoi_writer *w, int part, uint64_t index,
                                                  const uint8_t *leader, size_t leader_size,
                                                  const uint8_t *a, size_t na, const uint8_t *b,
                                                  size_t nb);
EXRQOI_INTERNAL exrqoi_pool *exrqoi__writer_pool(exrqoi_writer *w);
EXRQOI_INTERNAL exrqoi_result exrqoi__writer_workers(exrqoi_writer *w, int n);
/* A lease of `rows` rows (>= width) of the pool's scratch cache with the
 * first `width` workers' codec scratch routed to rows 0..width-1, or NULL
 * (no pool, out of memory: the workers keep their own scratch). Undo with
 * exrqoi__writer_unlease before the call that took it returns. */
EXRQOI_INTERNAL exrqoi__pool_lease *exrqoi__writer_lease(exrqoi_writer *w, exrqoi_pool *pool, int width,
                                                         int rows);
EXRQOI_INTERNAL void exrqoi__writer_unlease(exrqoi_writer *w, exrqoi_pool *pool, exrqoi__pool_lease *lease,
                                            int width);

#endif
