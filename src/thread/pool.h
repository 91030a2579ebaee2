/* A small pthread pool offering one operation: a parallel for-loop.
 * It knows nothing of EXR. */
#ifndef EXRQOI_POOL_H
#define EXRQOI_POOL_H

#include "common/internal.h"

#include <stdatomic.h>

/* Body of a parallel loop: handles item `index` on worker slot `worker`
 * (0 <= worker < width), so per-worker scratch can be indexed without locks.
 * Errors are recorded by the body in its own context. */
typedef void (*exrqoi__job_fn)(void *ctx, size_t index, int worker);

/* Number of worker slots a loop on `pool` limited to `max_threads`
 * (0 = the pool's size) uses. A NULL pool gives 1. */
EXRQOI_INTERNAL int exrqoi__pool_width(const exrqoi_pool *pool, int max_threads);

/* Runs fn(ctx, i, worker) for every i in [0, count), the calling thread
 * taking part as worker 0, and returns when all have finished. Items are
 * taken in increasing order, in batches of consecutive items that shrink
 * to single items towards the end. A NULL pool or width 1 runs serially.
 * If *stop (optional) becomes non-zero, no further item is started. */
EXRQOI_INTERNAL void exrqoi__pool_for(exrqoi_pool *pool, int max_threads, size_t count,
                                      exrqoi__job_fn fn, void *ctx, atomic_int *stop);

/* Grows the grow-only buffer *buf (*cap bytes, from allocator `a`) to at
 * least `size` bytes, with headroom for chunks of slightly varying size;
 * its first `keep` bytes (<= *cap) survive, the rest is undefined. With
 * nothing to keep the old block is freed first (lower peak). Returns the
 * buffer, or NULL when out of memory (then *buf is NULL and *cap 0 unless
 * something was kept, which stays). The one rule for the pool's kept buffers
 * and codec scratch (codec/services.h). */
EXRQOI_INTERNAL void *exrqoi__scratch_grow(const exrqoi_allocator *a, void **buf, size_t *cap, size_t size,
                                           size_t keep);

/* Scratch memory the pool keeps from job to job, so that a caller who
 * keeps its pool (and passes it to every reader and writer) does not
 * fault fresh memory in on every write: glibc returns large blocks to the
 * kernel when they are freed, and a VM pays ~9 us per page touched again.
 * The pool holds leases; a lease is a set of rows, a row EXRQOI__POOL_SLOTS
 * grow-only buffers allocated with the pool's allocator, all freed by
 * exrqoi_pool_close. A lease belongs to its taker until given back
 * (several callers may run jobs on one pool at once, each with its own
 * lease); one row is used by one thread at a time (a loop's worker slot,
 * or one item of a batch), so scratch takes no lock. */
#define EXRQOI__POOL_SLOTS 8
typedef struct exrqoi__pool_lease exrqoi__pool_lease;

/* A lease of at least `rows` rows: the one given back last (its memory is
 * the warmest), grown when it has fewer rows. NULL for a NULL pool or when
 * out of memory (callers then allocate as they would without a pool). */
EXRQOI_INTERNAL exrqoi__pool_lease *exrqoi__pool_lease_take(exrqoi_pool *pool, int rows);
/* Returns a lease to its pool (NULL: nothing); its buffers stay allocated. */
EXRQOI_INTERNAL void exrqoi__pool_lease_give(exrqoi_pool *pool, exrqoi__pool_lease *lease);
/* Row `row` of a lease, for exrqoi__pool_row_scratch. */
EXRQOI_INTERNAL void *exrqoi__pool_lease_row(exrqoi__pool_lease *lease, int row);
/* Buffer `slot` of a row with at least `size` bytes (contents undefined
 * when it had to grow, else kept), its capacity in *cap (optional); NULL
 * when out of memory or `slot` is out of range. Same signature as
 * exrqoi__codec_ctx.scratch_fn. */
EXRQOI_INTERNAL void *exrqoi__pool_row_scratch(void *row, int slot, size_t size, size_t *cap);
/* Capacity of buffer `slot` of a row now (0: none). */
EXRQOI_INTERNAL size_t exrqoi__pool_row_cap(const void *row, int slot);
/* The same, keeping the first `keep` bytes of the buffer's contents when
 * it has to grow (exrqoi__scratch_grow). */
EXRQOI_INTERNAL void *exrqoi__pool_row_reserve(void *row, int slot, size_t size, size_t keep);
/* exrqoi__pool_row_scratch of row `worker` of `lease`. */
EXRQOI_INTERNAL void *exrqoi__pool_scratch(exrqoi__pool_lease *lease, int worker, int slot, size_t size);

#endif
