/* htj2k_seeds OUT_DIR FILE... : writes the HTJ2K chunks of the given EXR
 * files into OUT_DIR, as seeds for fuzz_htj2k (run_fuzz.sh): up to 24 per
 * part, of at most 16 KiB: small inputs keep each run of the sanitized
 * fuzzer well inside its timeout on a loaded machine (the small files'
 * chunks, e.g. of 1x1, 17x33 or 1000x3 images, cover the codestream
 * features; a 122 KB chunk timed out under ASan+UBSan). */
#define SEED_MAX_BYTES 16384u
#include <stdio.h>
#include <stdlib.h>

#include "exrqoi/read.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: htj2k_seeds OUT_DIR FILE...\n");
        return 2;
    }
    int written = 0;
    for (int f = 2; f < argc; f++) {
        exrqoi_reader *r = NULL;
        if (exrqoi_reader_open(exrqoi_source_path(argv[f]), NULL, &r) != EXRQOI_OK) continue;
        for (int p = 0; p < exrqoi_reader_part_count(r); p++) {
            exrqoi_part_info pi;
            if (exrqoi_reader_part_info(r, p, &pi) != EXRQOI_OK) continue;
            if (pi.compression != EXRQOI_COMPRESSION_HTJ2K256 && pi.compression != EXRQOI_COMPRESSION_HTJ2K32)
                continue;
            int kept = 0;
            for (uint64_t i = 0; i < pi.chunk_count && kept < 24; i++) {
                exrqoi_chunk_info ci;
                void *data = NULL;
                size_t n = 0;
                if (exrqoi_reader_read_raw_chunk(r, p, i, &ci, &data, &n) == EXRQOI_OK && n > 8 &&
                    n <= SEED_MAX_BYTES && ((const unsigned char *)data)[0] == 0x48) {
                    char path[4096];
                    snprintf(path, sizeof path, "%s/chunk_%d_%d_%llu", argv[1], f - 1, p, (unsigned long long)i);
                    FILE *o = fopen(path, "wb");
                    if (o) {
                        if (fwrite(data, 1, n, o) == n) written++, kept++;
                        fclose(o);
                    }
                }
                exrqoi_free(NULL, data);
            }
        }
        exrqoi_reader_close(r);
    }
    printf("htj2k_seeds: %d chunks\n", written);
    return written > 0 ? 0 : 1;
}
