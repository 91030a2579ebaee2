/* The reference QOI codec (Debian's libqoi-dev /usr/include/qoi.h),
 * compiled here and nowhere else. */
#define QOI_IMPLEMENTATION
#include <qoi.h>

#include <stdlib.h>

#include "bench_internal.h"

void *bench_qoiref_decode(const void *data, int size, unsigned *w, unsigned *h, int *channels)
{
    qoi_desc d;
    void *px = qoi_decode(data, size, &d, 0);
    if (!px) return NULL;
    *w = d.width;
    *h = d.height;
    *channels = d.channels;
    return px;
}

void *bench_qoiref_encode(const void *pixels, unsigned w, unsigned h, int channels, int colorspace,
                          int *out_len)
{
    qoi_desc d = {w, h, (unsigned char)channels, (unsigned char)colorspace};
    return qoi_encode(pixels, &d, out_len);
}

void bench_qoiref_free(void *p) { free(p); }
