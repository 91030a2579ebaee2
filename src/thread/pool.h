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

#endif
