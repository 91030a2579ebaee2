/* Fuzz target: the EXR reader end to end (every part, every level, every
 * chunk, raw chunks too), from memory, and exrqoi_check. */
#include "../hardening/read_all.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hard_opts o;
    memset(&o, 0, sizeof o);
    o.threads = 1;
    o.raw_chunks = 1;
    o.max_level_bytes = (uint64_t)64 << 20;
    int skipped = 0;
    (void)hard_read_exr(data, size, &o, &skipped);
    /* the chunk-by-chunk check walks the same data another way */
    exrqoi_limits lim;
    hard_default_limits(&lim);
    exrqoi_read_options ro = EXRQOI_READ_OPTIONS_INIT;
    ro.limits = &lim;
    ro.threads = 1;
    exrqoi_check_report rep;
    (void)exrqoi_check(exrqoi_source_memory(data, size), &ro, &rep);
    exrqoi_check_report_free(&rep);
    return 0;
}
