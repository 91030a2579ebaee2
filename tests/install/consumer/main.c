/* A program outside the tree that uses only the installed public API:
 * writes a small RGBA image into memory, reads it back, checks a pixel. */
#include <stdio.h>
#include <string.h>

#include <exrqoi/exrqoi.h>

int main(void)
{
    float px[4 * 4 * 4];
    for (int i = 0; i < 16; i++) {
        px[i * 4 + 0] = (float)i / 16.0f;
        px[i * 4 + 1] = 0.5f;
        px[i * 4 + 2] = 0.25f;
        px[i * 4 + 3] = 1.0f;
    }
    exrqoi_rgba_write_options wo = EXRQOI_RGBA_WRITE_OPTIONS_INIT;
    wo.compression = EXRQOI_COMPRESSION_PIZ;
    void *file = NULL;
    size_t size = 0;
    exrqoi_result rv = exrqoi_rgba_write(exrqoi_sink_memory(&file, &size), 4, 4, px, 0, &wo);
    if (rv) {
        fprintf(stderr, "write: %s\n", exrqoi_strerror(rv));
        return 1;
    }
    exrqoi_reader *r;
    rv = exrqoi_reader_open(exrqoi_source_memory(file, size), NULL, &r);
    float back[4 * 4] = {0};
    exrqoi_slice s = {"R", EXRQOI_PIXEL_FLOAT, back, 4, 16, 0.0};
    if (!rv) rv = exrqoi_reader_read_region(r, 0, 0, 0, NULL, &s, 1);
    exrqoi_reader_close(r);
    exrqoi_free(NULL, file);
    if (rv || back[5] != 5.0f / 16.0f) {
        fprintf(stderr, "read back failed: %s\n", exrqoi_strerror(rv));
        return 1;
    }
    printf("exrqoi %s ok\n", exrqoi_version_string());
    return 0;
}
