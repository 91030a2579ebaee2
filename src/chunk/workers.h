/* Per worker-slot state of the parallel drivers (flat and deep, reading
 * and writing): codec scratch plus packed/unpacked chunk buffers, and a
 * slot the flat read driver fills on first use with its own state (freed
 * through the function it leaves beside it, so that this module needs no
 * knowledge of the drivers above it). */
#ifndef EXRQOI_WORKERS_H
#define EXRQOI_WORKERS_H

#include "codec/codec.h"
#include "thread/pool.h"

/* The flat read driver's per-worker state (src/read/read_part.c). */
struct exrqoi__flat_state;

typedef struct exrqoi__worker {
    exrqoi__codec_ctx codec;
    uint8_t *packed;
    size_t packed_cap;
    uint8_t *unpacked;
    size_t unpacked_cap;
    struct exrqoi__flat_state *flat; /* made on first use by the flat read driver */
    void (*flat_free)(const exrqoi_allocator *a, struct exrqoi__flat_state *f);
    /* while lent a row of a pool lease (exrqoi__workers_lend): the row its
     * codec scratch and its chunk buffers (exrqoi__worker_buffer) come
     * from instead of packed/unpacked above; NULL = not lent */
    void *row;
} exrqoi__worker;

/* Row slots of a lent worker: codec scratch takes 0 .. EXRQOI__SCRATCH_BUFFERS-1
 * (buffer number = slot), the chunk buffers the next two. */
#define EXRQOI__WORKER_SLOT_UNPACKED EXRQOI__SCRATCH_BUFFERS
#define EXRQOI__WORKER_SLOT_PACKED (EXRQOI__SCRATCH_BUFFERS + 1)
_Static_assert(EXRQOI__WORKER_SLOT_PACKED < EXRQOI__POOL_SLOTS, "a lease row holds a worker's buffers");

/* n workers with their codec contexts initialised; NULL when out of memory. */
EXRQOI_INTERNAL exrqoi__worker *exrqoi__workers_new(const exrqoi_allocator *a, int n);
/* Lends rows 0..n-1 of `lease` to workers 0..n-1 (NULL lease: nothing),
 * and takes them back. Memory a worker gets from its row belongs to the
 * pool: nothing that outlives the call that took the lease may point there. */
EXRQOI_INTERNAL void exrqoi__workers_lend(exrqoi__worker *w, int n, exrqoi__pool_lease *lease);
EXRQOI_INTERNAL void exrqoi__workers_unlend(exrqoi__worker *w, int n);

/* The worker's packed (`packed`) or unpacked chunk buffer with at least
 * `size` bytes, its first `keep` bytes kept; from its row when lent, else
 * its own (grown by doubling with allocator `a`, contents kept). NULL
 * when out of memory. */
EXRQOI_INTERNAL uint8_t *exrqoi__worker_buffer(const exrqoi_allocator *a, exrqoi__worker *w, bool packed,
                                               size_t size, size_t keep);

/* Frees n workers (NULL: nothing) with their buffers and driver state. */
EXRQOI_INTERNAL void exrqoi__workers_free(const exrqoi_allocator *a, exrqoi__worker *w, int n);

#endif
