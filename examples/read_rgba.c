/* read_rgba: reads an EXR's colour as float RGBA through the RGBA API and
 * prints a few pixels.   usage: read_rgba IN.exr [LAYER] [VIEW] */
#include <stdio.h>
#include <string.h>

#include <exrqoi/exrqoi.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: read_rgba IN.exr [LAYER] [VIEW]\n");
        return 2;
    }
    exrqoi_rgba_read_options o = EXRQOI_RGBA_READ_OPTIONS_INIT;
    o.type = EXRQOI_PIXEL_FLOAT;
    o.layer = argc > 2 ? argv[2] : NULL;
    o.view = argc > 3 ? argv[3] : NULL;
    exrqoi_rgba_info info;
    void *data;
    exrqoi_reader *r;
    exrqoi_result rv = exrqoi_reader_open(exrqoi_source_path(argv[1]), NULL, &r);
    if (rv == EXRQOI_OK) {
        rv = exrqoi_rgba_read_alloc(r, &o, &info, &data, NULL);
        exrqoi_reader_close(r);
    }
    if (rv != EXRQOI_OK) {
        fprintf(stderr, "read_rgba: %s: %s\n", argv[1], exrqoi_strerror(rv));
        return 1;
    }
    const float *px = data;
    printf("part %d, %d x %d pixels at (%d,%d), channels:%s%s%s%s%s%s\n", info.part, info.width,
           info.height, info.window.min.x, info.window.min.y,
           info.found & EXRQOI_RGBA_R ? " R" : "", info.found & EXRQOI_RGBA_G ? " G" : "",
           info.found & EXRQOI_RGBA_B ? " B" : "", info.found & EXRQOI_RGBA_A ? " A" : "",
           info.found & EXRQOI_RGBA_Y ? " Y" : "", info.found & EXRQOI_RGBA_C ? " RY/BY" : "");
    /* the corners and the centre */
    int xs[5] = {0, info.width - 1, info.width / 2, 0, info.width - 1};
    int ys[5] = {0, 0, info.height / 2, info.height - 1, info.height - 1};
    for (int i = 0; i < 5; i++) {
        const float *p = px + ((size_t)ys[i] * (size_t)info.width + (size_t)xs[i]) * 4;
        printf("(%d,%d): R %g G %g B %g A %g\n", xs[i] + info.window.min.x,
               ys[i] + info.window.min.y, p[0], p[1], p[2], p[3]);
    }
    exrqoi_free(NULL, data);
    return 0;
}
