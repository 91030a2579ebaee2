/* C-only pieces of the side-by-side benchmark. */
#ifndef EXRQOI_BENCH_INTERNAL_H
#define EXRQOI_BENCH_INTERNAL_H

#include "bench.h"

/* OpenEXR C core decode on `threads` threads (bench_exr_c.c). */
int bench_c_decode(const bench_plan *p, int threads, char *err, size_t errlen);

/* Reference qoi.h (bench_qoi_ref.c): decode to the file's channels, encode. */
void *bench_qoiref_decode(const void *data, int size, unsigned *w, unsigned *h, int *channels);
void *bench_qoiref_encode(const void *pixels, unsigned w, unsigned h, int channels, int colorspace,
                          int *out_len);
void bench_qoiref_free(void *p);

#endif
