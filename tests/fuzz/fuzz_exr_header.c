/* Fuzz target: the header parser alone (magic, version, attributes, part
 * validation, offset tables), plus the accessors over what it built. */
#include <string.h>

#include "exrqoi/exrqoi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    exrqoi_limits lim;
    exrqoi_limits_default(&lim);
    lim.max_alloc_bytes = (uint64_t)256 << 20;
    lim.max_attribute_size = 1u << 20;
    exrqoi_read_options o = EXRQOI_READ_OPTIONS_INIT;
    o.limits = &lim;
    o.threads = 1;
    /* both modes: strict rejects more, lenient reaches other paths */
    for (int strict = 0; strict < 2; strict++) {
        o.strict = strict;
        exrqoi_reader *r = NULL;
        if (exrqoi_reader_open(exrqoi_source_memory(data, size), &o, &r) != EXRQOI_OK) continue;
        int np = exrqoi_reader_part_count(r);
        for (int k = 0; k < np; k++) {
            const exrqoi_header *h = exrqoi_reader_header(r, k);
            exrqoi_header copy;
            if (h && exrqoi_header_copy(&copy, h) == EXRQOI_OK) exrqoi_header_free(&copy);
            exrqoi_part_info pi;
            if (exrqoi_reader_part_info(r, k, &pi) != EXRQOI_OK) continue;
            for (int32_t c = 0; c < pi.channel_count; c++) (void)strlen(pi.channels[c].name);
            exrqoi_box2i w;
            (void)exrqoi_reader_level_window(r, k, pi.num_x_levels - 1, pi.num_y_levels - 1, &w);
            if (pi.chunk_count) {
                exrqoi_chunk_info ci;
                (void)exrqoi_reader_chunk_info(r, k, pi.chunk_count - 1, &ci);
            }
        }
        exrqoi_reader_close(r);
    }
    return 0;
}
