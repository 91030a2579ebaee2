/* Side-by-side benchmark of libexrqoi against OpenEXR (C core and C++
 * APIs), libdeflate and the reference qoi.h. Shared between the C engines
 * and the optional C++ one. Not a test: see docs/benchmarks.md. */
#ifndef EXRQOI_BENCH_H
#define EXRQOI_BENCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One channel of one level: where every engine decodes it to. OpenEXR's
 * convention (sample (x, y) at base + (x/xs)*xstride + (y/ys)*ystride) is
 * reached through `origin`; ours through `data` (first sampled sample). */
typedef struct bench_chan {
    char *name;
    int type;      /* 0 uint, 1 half, 2 float (same values in both libraries) */
    int size;      /* bytes per sample */
    int xs, ys;
    int32_t cols, rows;
    unsigned char *data;
    ptrdiff_t xstride, ystride;
    unsigned char *origin; /* data shifted so OpenEXR's absolute addressing lands in it */
} bench_chan;

typedef struct bench_level {
    int part, lx, ly;
    int tiled;
    int32_t minx, miny, maxx, maxy; /* level window */
    int nchan;
    bench_chan *chans;
} bench_level;

/* One level of a deep part: every engine writes the per-pixel sample
 * counts (row-major over the level) and each channel's samples in file
 * type, pixel after pixel in the same order (the layout of
 * exrqoi_deep_image), into these arrays. */
typedef struct bench_deep {
    int part, lx, ly;
    int tiled;
    int32_t minx, miny, width, height;
    int nchan;
    char **names;
    int *types;             /* as bench_chan.type */
    int *sizes;             /* bytes per sample */
    uint32_t *counts;       /* width*height */
    uint64_t total;         /* samples per channel */
    unsigned char **samples; /* nchan arrays of `total` samples */
} bench_deep;

/* Everything a decode writes; built once per file from our reader. */
typedef struct bench_plan {
    const unsigned char *file;
    size_t file_size;
    int nparts;
    int nlevels;
    bench_level *levels;
    int has_deep;         /* the file has deep parts (read through `deep`) */
    int ndeep;
    bench_deep *deep;     /* every level of every deep part */
    double mpix, mbytes;  /* per full decode */
    int compression;      /* of part 0 */
} bench_plan;

/* Sum of a CRC over every destination buffer (to check engines agree). */
uint32_t bench_plan_crc(const bench_plan *p);
void bench_plan_clear(const bench_plan *p);

/* C++ engine (bench_exr_cpp.cpp); return 0 on success. The C++ engine
 * keeps state between calls in *state (opaque). */
int bench_cpp_available(void);
int bench_cpp_set_threads(int threads);
int bench_cpp_decode(const bench_plan *p, char *err, size_t errlen);
/* Writes the plan's buffers with compression `comp` (all parts); *out_size
 * gets the file size and, when `bytes` is not NULL, *bytes a malloc'ed copy
 * of the file (for the output check; the caller frees it). */
int bench_cpp_encode(const bench_plan *p, int comp, size_t *out_size, void **bytes, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
