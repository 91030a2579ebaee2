/* C-only pieces of the side-by-side benchmark. */
#ifndef EXRQOI_BENCH_INTERNAL_H
#define EXRQOI_BENCH_INTERNAL_H

#include "bench.h"

/* OpenEXR C core decode on `threads` threads (bench_exr_c.c). */
int bench_c_decode(const bench_plan *p, int threads, char *err, size_t errlen);
/* The OpenEXR this program is linked with, e.g. "3.1.5" (run_bench.sh tells
 * the engines of exrqoi_bench and exrqoi_bench_main apart by it). */
const char *bench_openexr_version(char *buf, size_t len);

/* Reference qoi.h (bench_qoi_ref.c): decode to the file's channels, encode. */
void *bench_qoiref_decode(const void *data, int size, unsigned *w, unsigned *h, int *channels);
void *bench_qoiref_encode(const void *pixels, unsigned w, unsigned h, int channels, int colorspace,
                          int *out_len);
void bench_qoiref_free(void *p);
/* The allocator of both QOI codecs in the benchmark (an exrqoi_allocator's
 * functions): keeps freed blocks for reuse until bench_qoi_release_kept. */
void *bench_qoi_alloc(void *user, size_t size);
void bench_qoi_free(void *user, void *p);
void bench_qoi_release_kept(void);

#endif
