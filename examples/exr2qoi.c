/* exr2qoi: EXR -> QOI thumbnail. Reads the display window as float RGBA
 * through the RGBA API, box-filters it down to at most MAXW pixels wide
 * (in linear, premultiplied light, where averaging is correct), then
 * un-premultiplies and encodes 8-bit sRGB.
 *   usage: exr2qoi IN.exr OUT.qoi [MAXW]   (default 256) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exrqoi/exrqoi.h>

static uint8_t srgb8(float v)
{
    if (!(v > 0.0f)) return 0;
    if (v >= 1.0f) return 255;
    double e = v <= 0.0031308 ? v * 12.92 : 1.055 * pow(v, 1.0 / 2.4) - 0.055;
    return (uint8_t)floor(e * 255.0 + 0.5);
}

static uint8_t unorm8(float v)
{
    if (!(v > 0.0f)) return 0;
    return v >= 1.0f ? 255 : (uint8_t)floor(v * 255.0 + 0.5);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: exr2qoi IN.exr OUT.qoi [MAXW]\n");
        return 2;
    }
    int maxw = argc > 3 ? atoi(argv[3]) : 256;
    if (maxw < 1) maxw = 1;
    exrqoi_rgba_read_options o = EXRQOI_RGBA_READ_OPTIONS_INIT;
    o.type = EXRQOI_PIXEL_FLOAT;
    o.display_window = 1;
    exrqoi_rgba_info info;
    void *data;
    exrqoi_reader *r;
    exrqoi_result rv = exrqoi_reader_open(exrqoi_source_path(argv[1]), NULL, &r);
    if (rv == EXRQOI_OK) {
        rv = exrqoi_rgba_read_alloc(r, &o, &info, &data, NULL);
        exrqoi_reader_close(r);
    }
    if (rv != EXRQOI_OK) {
        fprintf(stderr, "exr2qoi: %s: %s\n", argv[1], exrqoi_strerror(rv));
        return 1;
    }
    const float *src = data;
    int f = (info.width + maxw - 1) / maxw; /* integer box size */
    int w = (info.width + f - 1) / f, h = (info.height + f - 1) / f;
    int ch = (info.found & EXRQOI_RGBA_A) ? 4 : 3;
    uint8_t *out = malloc((size_t)w * (size_t)h * (size_t)ch);
    if (!out) {
        exrqoi_free(NULL, data);
        return 1;
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double acc[4] = {0, 0, 0, 0};
            int n = 0;
            for (int j = y * f; j < (y + 1) * f && j < info.height; j++)
                for (int i = x * f; i < (x + 1) * f && i < info.width; i++, n++) {
                    const float *p = src + ((size_t)j * (size_t)info.width + (size_t)i) * 4;
                    for (int c = 0; c < 4; c++) acc[c] += p[c];
                }
            float a = (float)(acc[3] / n);
            uint8_t *d = out + ((size_t)y * (size_t)w + (size_t)x) * (size_t)ch;
            for (int c = 0; c < 3; c++) {
                float v = (float)(acc[c] / n);
                if (ch == 4 && a > 0.0f) v /= a; /* EXR colour is premultiplied */
                d[c] = srgb8(v);
            }
            if (ch == 4) d[3] = unorm8(a);
        }
    exrqoi_qoi_desc desc = {(uint32_t)w, (uint32_t)h, (uint8_t)ch, EXRQOI_QOI_SRGB};
    rv = exrqoi_qoi_encode(exrqoi_sink_path(argv[2]), out, &desc, NULL);
    free(out);
    exrqoi_free(NULL, data);
    if (rv != EXRQOI_OK) {
        fprintf(stderr, "exr2qoi: %s: %s\n", argv[2], exrqoi_strerror(rv));
        return 1;
    }
    printf("%s: %d x %d -> %d x %d\n", argv[2], info.width, info.height, w, h);
    return 0;
}
