/* Shared by the read drivers (flat and deep): the reader's lazily made
 * pool, its per-call worker state, and the part/level/region checks every
 * region call starts with. */
#ifndef EXRQOI_JOB_H
#define EXRQOI_JOB_H

#include "chunk/reader.h"
#include "thread/job_status.h"

/* The reader's pool: the caller's, or its own made on first parallel use
 * (NULL when it runs on one thread). */
EXRQOI_INTERNAL exrqoi_pool *exrqoi__reader_pool(exrqoi_reader *r);

/* Per-call worker state: the reader's own set when free, else (another
 * thread is reading) a temporary set made for the call. When the caller
 * gave the reader a pool, the workers' codec scratch and chunk buffers
 * come from a lease of the pool's scratch cache for the call
 * (exrqoi__workers_lend), so a caller who keeps its pool keeps that
 * memory warm across readers; nothing kept after the call (the reader's
 * chunk cache, the flat driver's per-worker state) lives there. */
typedef struct exrqoi__lease {
    exrqoi__worker *workers; /* NULL when out of memory */
    int width;
    bool locked;
    exrqoi__worker *temp;
    exrqoi__pool_lease *scratch; /* the pool's lease lent to the workers, or NULL */
} exrqoi__lease;

EXRQOI_INTERNAL void exrqoi__lease_acquire(exrqoi_reader *r, int width, exrqoi__lease *l);
EXRQOI_INTERNAL void exrqoi__lease_release(exrqoi_reader *r, exrqoi__lease *l);

/* Lends n workers rows of a lease of the caller's pool (NULL when the
 * reader has no pool of the caller's, or out of memory: the workers use
 * their own memory), and gives it back. */
EXRQOI_INTERNAL exrqoi__pool_lease *exrqoi__reader_lend(exrqoi_reader *r, exrqoi__worker *w, int n);
EXRQOI_INTERNAL void exrqoi__reader_unlend(exrqoi_reader *r, exrqoi__worker *w, int n, exrqoi__pool_lease *lease);

/* Checks part, level and region (NULL = the whole level) of a region
 * read; `deep` says which kind of part the call is for. */
EXRQOI_INTERNAL exrqoi_result exrqoi__region_check(exrqoi_reader *r, int part, int lx, int ly,
                                                   const exrqoi_box2i *region, bool deep,
                                                   const exrqoi__level **level, exrqoi_box2i *out);
/* The same, recording a failure in `err` instead of the reader's record. */
EXRQOI_INTERNAL exrqoi_result exrqoi__region_check_err(exrqoi_reader *r, exrqoi__err *err, int part, int lx,
                                                       int ly, const exrqoi_box2i *region, bool deep,
                                                       const exrqoi__level **level, exrqoi_box2i *out);

#endif
