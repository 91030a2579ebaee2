/* read_levels: reads every level of every flat part of an EXR file as
 * float with one exrqoi_reader_read_regions call, then prints each
 * level's size and each channel's mean. One call means one parallel job:
 * the small levels of a mipmap do not each pay a thread fork/join.
 *
 *   read_levels FILE.exr [THREADS]
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exrqoi/exrqoi.h>

typedef struct level {
    int part, lx, ly;
    exrqoi_box2i window;
    int channels;
    exrqoi_slice *slices; /* one per channel, float, packed */
    size_t samples;       /* per channel (all channels sampled 1x1 here) */
} level;

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE.exr [THREADS]\n", argv[0]);
        return 2;
    }
    exrqoi_read_options opts = EXRQOI_READ_OPTIONS_INIT;
    opts.threads = argc > 2 ? atoi(argv[2]) : 0;
    exrqoi_reader *r = NULL;
    exrqoi_result rv = exrqoi_reader_open(exrqoi_source_path(argv[1]), &opts, &r);
    if (rv) {
        fprintf(stderr, "%s: %s\n", argv[1], exrqoi_strerror(rv));
        return 1;
    }

    /* list the levels; a ripmap has num_x_levels * num_y_levels of them */
    level *lv = NULL;
    size_t n = 0, cap = 0;
    for (int p = 0; p < exrqoi_reader_part_count(r) && !rv; p++) {
        exrqoi_part_info info;
        rv = exrqoi_reader_part_info(r, p, &info);
        if (rv || info.type == EXRQOI_PART_DEEP_SCANLINE || info.type == EXRQOI_PART_DEEP_TILED) continue;
        bool rip = info.tiled && info.tiles.level_mode == EXRQOI_LEVEL_RIPMAP;
        for (int ly = 0; ly < info.num_y_levels && !rv; ly++)
            for (int lx = 0; lx < info.num_x_levels && !rv; lx++) {
                if (!rip && lx != ly) continue; /* mipmap levels are (l, l) */
                if (n == cap) {
                    cap = cap ? 2 * cap : 16;
                    level *grown = realloc(lv, cap * sizeof *lv);
                    if (!grown) {
                        rv = EXRQOI_ERR_OUT_OF_MEMORY;
                        break;
                    }
                    lv = grown;
                }
                level *L = &lv[n];
                memset(L, 0, sizeof *L);
                L->part = p;
                L->lx = lx;
                L->ly = ly;
                rv = exrqoi_reader_level_window(r, p, lx, ly, &L->window);
                if (rv) break;
                n++;
                int32_t w = L->window.max.x - L->window.min.x + 1;
                int32_t h = L->window.max.y - L->window.min.y + 1;
                L->samples = (size_t)w * (size_t)h;
                L->slices = calloc((size_t)info.channel_count, sizeof *L->slices);
                if (!L->slices) {
                    rv = EXRQOI_ERR_OUT_OF_MEMORY;
                    break;
                }
                for (int c = 0; c < info.channel_count; c++) {
                    /* subsampled channels are skipped: their sample grid is smaller */
                    if (info.channels[c].x_sampling != 1 || info.channels[c].y_sampling != 1) continue;
                    exrqoi_slice *s = &L->slices[L->channels];
                    s->name = info.channels[c].name;
                    s->type = EXRQOI_PIXEL_FLOAT;
                    s->base = malloc(L->samples * sizeof(float));
                    s->x_stride = sizeof(float);
                    s->y_stride = (ptrdiff_t)w * (ptrdiff_t)sizeof(float);
                    L->channels++;
                    if (!s->base) rv = EXRQOI_ERR_OUT_OF_MEMORY;
                }
            }
    }

    /* one request per level, all decoded together */
    exrqoi_region_request *req = n ? calloc(n, sizeof *req) : NULL;
    if (!rv && n && !req) rv = EXRQOI_ERR_OUT_OF_MEMORY;
    for (size_t i = 0; i < n && !rv; i++) {
        req[i].part = lv[i].part;
        req[i].lx = lv[i].lx;
        req[i].ly = lv[i].ly;
        req[i].region = NULL; /* the whole level */
        req[i].slices = lv[i].slices;
        req[i].slice_count = lv[i].channels;
    }
    if (!rv) rv = exrqoi_reader_read_regions(r, req, n);
    if (rv) {
        const char *detail = exrqoi_reader_error(r);
        fprintf(stderr, "%s: %s%s%s\n", argv[1], exrqoi_strerror(rv), detail && *detail ? ": " : "",
                detail ? detail : "");
    }

    for (size_t i = 0; i < n && !rv; i++) {
        const level *L = &lv[i];
        printf("part %d level (%d,%d) %dx%d:", L->part, L->lx, L->ly, L->window.max.x - L->window.min.x + 1,
               L->window.max.y - L->window.min.y + 1);
        for (int c = 0; c < L->channels; c++) {
            const float *v = (const float *)L->slices[c].base;
            double sum = 0;
            for (size_t k = 0; k < L->samples; k++) sum += v[k];
            printf(" %s=%.4g", L->slices[c].name, L->samples ? sum / (double)L->samples : 0.0);
        }
        printf("\n");
    }

    for (size_t i = 0; i < n; i++) {
        for (int c = 0; c < lv[i].channels; c++) free(lv[i].slices[c].base);
        free(lv[i].slices);
    }
    free(lv);
    free(req);
    exrqoi_reader_close(r);
    return rv ? 1 : 0;
}
