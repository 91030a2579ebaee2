/* Reading a size the file declared into memory that grows as the bytes
 * arrive: for sources of unknown size (callbacks, pipes) a declared size
 * is no evidence, so it must not size an allocation on its own. */
#include "io/stream.h"

exrqoi_result exrqoi__source_read_grow(exrqoi__source *s, const exrqoi_allocator *a, uint64_t offset,
                                       void **buf, size_t *cap, size_t n, exrqoi__err *err)
{
    size_t have = 0;
    for (;;) {
        size_t next = n;
        if (s->size == UINT64_MAX) {
            /* double what has arrived, from one step */
            size_t step = have > EXRQOI__SOURCE_STEP ? have : EXRQOI__SOURCE_STEP;
            if (n - have > step) next = have + step;
        }
        if (exrqoi__reserve(a, buf, cap, next ? next : 1) != EXRQOI_OK)
            return exrqoi__fail(err, EXRQOI_ERR_OUT_OF_MEMORY, "cannot allocate %zu bytes", next);
        if (next > have)
            EXRQOI_TRY(exrqoi__source_read(s, offset + have, (uint8_t *)*buf + have, next - have, err));
        have = next;
        if (have == n) return EXRQOI_OK;
    }
}
