/* write_tiled_mipmap: writes a tiled, mipmapped EXR (64x64 tiles, PIZ)
 * whose level 0 is a procedural RGBA image; the smaller levels are made by
 * the library's box filter.
 *
 *   write_tiled_mipmap OUT.exr [WIDTH HEIGHT]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exrqoi/exrqoi.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s OUT.exr [WIDTH HEIGHT]\n", argv[0]);
        return 2;
    }
    int32_t w = argc > 3 ? atoi(argv[2]) : 300, h = argc > 3 ? atoi(argv[3]) : 200;
    if (w < 1 || h < 1) return 2;

    /* one part with level 0 filled; channels are stored in name order */
    exrqoi_image img;
    memset(&img, 0, sizeof img);
    img.part_count = 1;
    img.parts = calloc(1, sizeof *img.parts);
    exrqoi_image_part *part = &img.parts[0];
    part->type = EXRQOI_PART_TILED;
    part->level_count = 1;
    part->levels = calloc(1, sizeof *part->levels);
    exrqoi_result rv = exrqoi_header_init_image(&part->header, NULL, w, h, EXRQOI_COMPRESSION_PIZ);
    exrqoi_tiledesc tiles = {64, 64, EXRQOI_LEVEL_MIPMAP, EXRQOI_ROUND_DOWN};
    if (!rv) rv = exrqoi_header_set_tiles(&part->header, tiles);
    static const char *const names[4] = {"A", "B", "G", "R"};
    exrqoi_image_level *L = &part->levels[0];
    L->window.max.x = w - 1;
    L->window.max.y = h - 1;
    L->channel_count = 4;
    L->channels = calloc(4, sizeof *L->channels);
    for (int c = 0; c < 4 && !rv; c++) {
        rv = exrqoi_header_add_channel(&part->header, names[c], EXRQOI_PIXEL_HALF, 1, 1, 0);
        exrqoi_image_channel *ch = &L->channels[c];
        ch->name = malloc(2);
        memcpy(ch->name, names[c], 2);
        ch->type = EXRQOI_PIXEL_HALF;
        ch->x_sampling = ch->y_sampling = 1;
        ch->width = w;
        ch->height = h;
        uint16_t *px = malloc((size_t)w * (size_t)h * 2);
        for (int32_t y = 0; y < h; y++)
            for (int32_t x = 0; x < w; x++) {
                float v = c == 0 ? 1.0f
                                 : 0.5f + 0.5f * sinf((float)(x * (c + 1)) * 0.05f) * cosf((float)y * 0.07f);
                px[(size_t)y * (size_t)w + (size_t)x] = exrqoi_float_to_half(v);
            }
        ch->data = px;
    }
    if (!rv) rv = exrqoi_image_part_build_levels(part, NULL);
    if (!rv) rv = exrqoi_image_write(exrqoi_sink_path(argv[1]), &img, NULL);
    if (rv) fprintf(stderr, "error: %s\n", exrqoi_strerror(rv));
    else printf("wrote %s: %d levels\n", argv[1], part->level_count);
    exrqoi_image_free(&img);
    return rv ? 1 : 0;
}
