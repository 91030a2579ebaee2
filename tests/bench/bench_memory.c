/* Peak memory of reading a whole file into the library's own image:
 * prints the decoded size, the growth of the process's peak resident size
 * while reading, and the ratio. Run it on one file per process (the peak
 * is process-wide). Not a test: docs/benchmarks.md reports its numbers.
 *   exrqoi_bench_memory FILE [THREADS] */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "exrqoi/exrqoi.h"

static long peak_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE [THREADS]\n", argv[0]);
        return 2;
    }
    exrqoi_read_options o = EXRQOI_READ_OPTIONS_INIT;
    o.threads = argc > 2 ? atoi(argv[2]) : 0;
    exrqoi_pool *pool = NULL;
    /* the pool's thread stacks are the same for any file: count them in the baseline */
    if (exrqoi_pool_open(o.threads, NULL, &pool) != EXRQOI_OK) return 1;
    o.pool = pool;
    long before = peak_kib();
    exrqoi_image img;
    exrqoi_result rv = exrqoi_image_read(exrqoi_source_path(argv[1]), &o, &img);
    long after = peak_kib();
    if (rv) {
        fprintf(stderr, "error: %s\n", exrqoi_strerror(rv));
        exrqoi_pool_close(pool);
        return 1;
    }
    unsigned long long decoded = 0;
    for (int32_t p = 0; p < img.part_count; p++)
        for (int32_t l = 0; l < img.parts[p].level_count; l++) {
            const exrqoi_image_level *L = &img.parts[p].levels[l];
            for (int32_t c = 0; c < L->channel_count; c++)
                decoded += (unsigned long long)L->channels[c].width * (unsigned long long)L->channels[c].height *
                           (unsigned long long)exrqoi_pixel_type_size(L->channels[c].type);
            decoded += L->deep.total_samples * 4 + (unsigned long long)L->deep.width * L->deep.height * 12;
        }
    double grown = (double)(after - before) * 1024.0;
    printf("%-40s decoded %10.1f KiB  peak growth %10.1f KiB  ratio %.3f  over %+.1f KiB\n", argv[1],
           (double)decoded / 1024.0, grown / 1024.0, decoded ? grown / (double)decoded : 0.0,
           (grown - (double)decoded) / 1024.0);
    exrqoi_image_free(&img);
    exrqoi_pool_close(pool);
    return 0;
}
