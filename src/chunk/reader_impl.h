/* The reader's fields: for the reader's own module (src/chunk) and the
 * read drivers (src/read) only; every other layer uses the accessors of
 * chunk/reader.h. */
#ifndef EXRQOI_READER_IMPL_H
#define EXRQOI_READER_IMPL_H

#include "chunk/reader.h"

#include <pthread.h>

/* One decoded chunk kept so that line-by-line reads decode it once. */
typedef struct exrqoi__chunk_cache {
    int part;
    uint64_t index; /* UINT64_MAX = empty */
    uint8_t *data;
    size_t size, cap;
} exrqoi__chunk_cache;

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

#endif
