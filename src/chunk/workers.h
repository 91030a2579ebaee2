/* Per worker-slot state of the parallel drivers (flat and deep, reading
 * and writing): codec scratch plus packed/unpacked chunk buffers, and a
 * slot the flat read driver fills on first use with its own state (freed
 * through the function it leaves beside it, so that this module needs no
 * knowledge of the drivers above it). */
#ifndef EXRQOI_WORKERS_H
#define EXRQOI_WORKERS_H

#include "codec/codec.h"

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
} exrqoi__worker;

/* n workers with their codec contexts initialised; NULL when out of memory. */
EXRQOI_INTERNAL exrqoi__worker *exrqoi__workers_new(const exrqoi_allocator *a, int n);
/* Frees n workers (NULL: nothing) with their buffers and driver state. */
EXRQOI_INTERNAL void exrqoi__workers_free(const exrqoi_allocator *a, exrqoi__worker *w, int n);

#endif
