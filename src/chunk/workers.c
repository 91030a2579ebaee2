/* Per worker-slot state: made and freed here, filled by the drivers. */
#include "chunk/workers.h"

exrqoi__worker *exrqoi__workers_new(const exrqoi_allocator *a, int n)
{
    exrqoi__worker *w = (exrqoi__worker *)exrqoi__calloc(a, (size_t)n, sizeof *w);
    if (!w) return NULL;
    for (int i = 0; i < n; i++) exrqoi__codec_ctx_init(&w[i].codec, a);
    return w;
}

void exrqoi__workers_free(const exrqoi_allocator *a, exrqoi__worker *w, int n)
{
    if (!w) return;
    for (int i = 0; i < n; i++) {
        exrqoi__codec_ctx_free(&w[i].codec);
        exrqoi__free(a, w[i].packed);
        exrqoi__free(a, w[i].unpacked);
        if (w[i].flat && w[i].flat_free) w[i].flat_free(a, w[i].flat);
    }
    exrqoi__free(a, w);
}

void exrqoi__workers_lend(exrqoi__worker *w, int n, exrqoi__pool_lease *lease)
{
    if (!w || !lease) return;
    for (int i = 0; i < n; i++) {
        w[i].row = exrqoi__pool_lease_row(lease, i);
        if (!w[i].row) continue;
        size_t caps[EXRQOI__SCRATCH_BUFFERS];
        for (int k = 0; k < EXRQOI__SCRATCH_BUFFERS; k++) caps[k] = exrqoi__pool_row_cap(w[i].row, k);
        exrqoi__codec_scratch_lend(&w[i].codec, exrqoi__pool_row_scratch, w[i].row, caps);
    }
}

void exrqoi__workers_unlend(exrqoi__worker *w, int n)
{
    if (!w) return;
    for (int i = 0; i < n; i++) {
        w[i].row = NULL;
        exrqoi__codec_scratch_unlend(&w[i].codec);
    }
}

uint8_t *exrqoi__worker_buffer(const exrqoi_allocator *a, exrqoi__worker *w, bool packed, size_t size, size_t keep)
{
    if (w->row)
        return (uint8_t *)exrqoi__pool_row_reserve(
            w->row, packed ? EXRQOI__WORKER_SLOT_PACKED : EXRQOI__WORKER_SLOT_UNPACKED, size, keep);
    uint8_t **buf = packed ? &w->packed : &w->unpacked;
    size_t *cap = packed ? &w->packed_cap : &w->unpacked_cap;
    void *b = *buf;
    exrqoi_result rv = exrqoi__reserve(a, &b, cap, size);
    *buf = (uint8_t *)b;
    return rv == EXRQOI_OK ? *buf : NULL;
}
