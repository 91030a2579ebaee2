/* read_deep: reads the sample counts and the Z and A samples of a deep
 * part into the program's own layout (one contiguous float buffer per
 * channel) and prints a summary.   usage: read_deep IN.exr [PART] */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exrqoi/exrqoi.h>

static int fail(exrqoi_reader *r, const char *what, exrqoi_result rv)
{
    fprintf(stderr, "read_deep: %s: %s (%s)\n", what, exrqoi_strerror(rv), r ? exrqoi_reader_error(r) : "");
    exrqoi_reader_close(r);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: read_deep IN.exr [PART]\n");
        return 2;
    }
    exrqoi_reader *r = NULL;
    exrqoi_result rv = exrqoi_reader_open(exrqoi_source_path(argv[1]), NULL, &r);
    if (rv) return fail(r, argv[1], rv);

    /* the given part, or the first deep one */
    int part = argc > 2 ? atoi(argv[2]) : -1;
    exrqoi_part_info pi;
    for (int k = 0; part < 0 && k < exrqoi_reader_part_count(r); k++)
        if (exrqoi_reader_part_info(r, k, &pi) == EXRQOI_OK &&
            (pi.type == EXRQOI_PART_DEEP_SCANLINE || pi.type == EXRQOI_PART_DEEP_TILED))
            part = k;
    if (part < 0) {
        fprintf(stderr, "read_deep: %s has no deep part\n", argv[1]);
        exrqoi_reader_close(r);
        return 1;
    }
    rv = exrqoi_reader_part_info(r, part, &pi);
    if (rv) return fail(r, "part", rv);
    exrqoi_box2i win = pi.data_window;
    size_t w = (size_t)(win.max.x - win.min.x + 1), h = (size_t)(win.max.y - win.min.y + 1);
    size_t npix = w * h;

    /* 1. counts of the whole level, row-major */
    uint32_t *counts = malloc(npix * sizeof *counts);
    if (!counts) return fail(r, "counts", EXRQOI_ERR_OUT_OF_MEMORY);
    rv = exrqoi_reader_read_deep_counts(r, part, 0, 0, NULL, counts, sizeof(uint32_t), (ptrdiff_t)(w * sizeof(uint32_t)));
    if (rv) {
        free(counts);
        return fail(r, "sample counts", rv);
    }
    size_t total = 0, empty = 0;
    uint32_t thickest = 0;
    for (size_t i = 0; i < npix; i++) {
        total += counts[i];
        empty += counts[i] == 0;
        if (counts[i] > thickest) thickest = counts[i];
    }

    /* 2. one contiguous buffer per channel, and per pixel a pointer to
     *    the pixel's first sample in it */
    float *zbuf = malloc((total ? total : 1) * sizeof(float));
    float *abuf = malloc((total ? total : 1) * sizeof(float));
    void **zptr = malloc(npix * sizeof(void *));
    void **aptr = malloc(npix * sizeof(void *));
    if (!zbuf || !abuf || !zptr || !aptr) {
        free(counts), free(zbuf), free(abuf), free(zptr), free(aptr);
        return fail(r, "buffers", EXRQOI_ERR_OUT_OF_MEMORY);
    }
    for (size_t i = 0, at = 0; i < npix; at += counts[i], i++) {
        zptr[i] = zbuf + at;
        aptr[i] = abuf + at;
    }

    /* 3. the samples, as float whatever the file stores; a part without
     *    A reads as opaque */
    exrqoi_deep_slice slices[2] = {
        {"Z", EXRQOI_PIXEL_FLOAT, zptr, sizeof(void *), (ptrdiff_t)(w * sizeof(void *)), sizeof(float), 0.0},
        {"A", EXRQOI_PIXEL_FLOAT, aptr, sizeof(void *), (ptrdiff_t)(w * sizeof(void *)), sizeof(float), 1.0},
    };
    rv = exrqoi_reader_read_deep_region(r, part, 0, 0, NULL, counts, sizeof(uint32_t),
                                        (ptrdiff_t)(w * sizeof(uint32_t)), slices, 2);
    if (rv) {
        free(counts), free(zbuf), free(abuf), free(zptr), free(aptr);
        return fail(r, "samples", rv);
    }

    float zmin = INFINITY, zmax = -INFINITY;
    double asum = 0;
    for (size_t i = 0; i < total; i++) {
        if (zbuf[i] < zmin) zmin = zbuf[i];
        if (zbuf[i] > zmax) zmax = zbuf[i];
        asum += abuf[i];
    }
    printf("part %d: %zu x %zu pixels at (%d,%d), %zu samples\n", part, w, h, win.min.x, win.min.y, total);
    printf("empty pixels %zu, most samples in a pixel %u, mean per pixel %.3f\n", empty, thickest,
           npix ? (double)total / (double)npix : 0.0);
    if (total)
        printf("depth range %g .. %g, mean sample alpha %.4f\n", zmin, zmax, asum / (double)total);
    free(counts), free(zbuf), free(abuf), free(zptr), free(aptr);
    exrqoi_reader_close(r);
    return 0;
}
