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
