/* exrqoi flatten: composites every deep part into a flat image.
 *
 * Each deep part (its full-resolution level for deep tiled parts) becomes
 * a flat scanline part, ZIP-compressed, with the same data and display
 * windows and the other attributes kept: premultiplied R, G, B, A as half
 * (the usual storage of display-referred colour) and Z as float (depth
 * needs float's range and precision; +infinity where a pixel has no
 * samples). Compositing is exrqoi_deep_flatten_image: depth from "Z"
 * (required) and "ZBack", alpha from "A", colour from "R", "G", "B".
 * Flat parts are copied through with all their levels. */
#include <stdlib.h>
#include <string.h>

#include "tools/tool.h"

static bool is_deep(exrqoi_part_type t)
{
    return t == EXRQOI_PART_DEEP_SCANLINE || t == EXRQOI_PART_DEEP_TILED;
}

static void free_flat_part(exrqoi_image_part *P)
{
    for (int32_t l = 0; l < P->level_count; l++) {
        for (int32_t c = 0; c < P->levels[l].channel_count; c++) {
            free(P->levels[l].channels[c].name);
            free(P->levels[l].channels[c].data);
        }
        free(P->levels[l].channels);
    }
    free(P->levels);
    exrqoi_header_free(&P->header);
}

static exrqoi_result flat_header(const exrqoi_header *in, exrqoi_header *out)
{
    exrqoi_result rv = exrqoi_header_copy(out, in);
    if (rv) return rv;
    /* what made the part deep or tiled goes; the writer redoes the rest */
    static const char *const drop[] = {"type", "tiles", "version", "chunkCount", "channels"};
    for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++) exrqoi_header_remove(out, drop[i]);
    const exrqoi_attribute *lo = exrqoi_header_find(out, "lineOrder");
    if (lo && lo->v.u8 == EXRQOI_LINE_ORDER_RANDOM)
        rv = exrqoi_header_set_line_order(out, EXRQOI_LINE_ORDER_INCREASING);
    if (!rv) rv = exrqoi_header_set_compression(out, EXRQOI_COMPRESSION_ZIP);
    static const char *const rgba[] = {"A", "B", "G", "R"};
    for (int c = 0; c < 4 && !rv; c++) rv = exrqoi_header_add_channel(out, rgba[c], EXRQOI_PIXEL_HALF, 1, 1, 0);
    if (!rv) rv = exrqoi_header_add_channel(out, "Z", EXRQOI_PIXEL_FLOAT, 1, 1, 0);
    return rv;
}

/* Builds the flat part for deep part `in` (level 0 of it). */
static exrqoi_result flatten_part(const exrqoi_image_part *in, int index, exrqoi_image_part *out,
                                  tool_msg *msg)
{
    const exrqoi_image_level *L0 = &in->levels[0];
    const exrqoi_deep_image *d = &L0->deep;
    size_t npix = (size_t)d->width * (size_t)d->height;
    float *rgba = malloc(npix * 4 * sizeof(float) + 1);
    float *z = malloc(npix * sizeof(float) + 1);
    exrqoi_result rv = (rgba && z) ? EXRQOI_OK : EXRQOI_ERR_OUT_OF_MEMORY;
    if (!rv) {
        rv = exrqoi_deep_flatten_image(d, rgba, z);
        if (rv == EXRQOI_ERR_NOT_FOUND)
            snprintf(msg->text, sizeof msg->text, "part %d has no Z channel: it cannot be flattened", index);
    }
    if (!rv) rv = flat_header(&in->header, &out->header);
    out->type = EXRQOI_PART_SCANLINE;
    out->levels = rv ? NULL : calloc(1, sizeof *out->levels);
    if (!rv && !out->levels) rv = EXRQOI_ERR_OUT_OF_MEMORY;
    if (!rv) {
        out->level_count = 1;
        exrqoi_image_level *L = &out->levels[0];
        L->window = L0->window;
        L->channels = calloc(5, sizeof *L->channels);
        if (!L->channels) rv = EXRQOI_ERR_OUT_OF_MEMORY;
        else L->channel_count = 5;
        /* channel-list order; rgba[] holds R, G, B, A per pixel */
        static const char *const names[5] = {"A", "B", "G", "R", "Z"};
        static const int src_of[4] = {3, 2, 1, 0};
        for (int c = 0; c < 5 && !rv; c++) {
            exrqoi_image_channel *ch = &L->channels[c];
            ch->type = c < 4 ? EXRQOI_PIXEL_HALF : EXRQOI_PIXEL_FLOAT;
            ch->x_sampling = ch->y_sampling = 1;
            ch->width = d->width;
            ch->height = d->height;
            ch->name = malloc(2);
            if (ch->name) memcpy(ch->name, names[c], 2);
            ch->data = malloc(npix * (c < 4 ? 2 : 4) + 1);
            if (!ch->name || !ch->data) {
                rv = EXRQOI_ERR_OUT_OF_MEMORY;
                break;
            }
            if (c < 4) {
                uint16_t *h = (uint16_t *)ch->data;
                for (size_t i = 0; i < npix; i++) h[i] = exrqoi_float_to_half(rgba[4 * i + (size_t)src_of[c]]);
            } else {
                memcpy(ch->data, z, npix * sizeof(float));
            }
        }
    }
    free(rgba);
    free(z);
    return rv;
}

static int usage(FILE *f)
{
    fprintf(f, "usage: exrqoi flatten IN.exr OUT.exr [--threads N]\n"
               "       Composites every deep part into a flat scanline part (ZIP): R, G, B, A\n"
               "       as half (premultiplied), Z as float (nearest non-transparent depth,\n"
               "       +inf for empty pixels). Flat parts are copied unchanged.\n");
    return f == stdout ? 0 : 2;
}

int cmd_flatten(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    int threads = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help")) return usage(stdout);
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (argv[i][0] == '-' && argv[i][1]) return usage(stderr);
        else if (!in) in = argv[i];
        else if (!out) out = argv[i];
        else return usage(stderr);
    }
    if (!in || !out) return usage(stderr);
    tool_msg msg = {{0}};
    exrqoi_read_options ro;
    memset(&ro, 0, sizeof ro);
    ro.threads = threads;
    ro.on_message = tool_on_message;
    ro.user = &msg;
    exrqoi_image img;
    exrqoi_result rv = exrqoi_image_read_path(in, &ro, &img);
    if (rv) {
        fprintf(stderr, "error: %s: %s\n", in, tool_error_text(&msg, rv));
        return 1;
    }
    /* flat parts are borrowed from img, deep ones replaced by new parts */
    exrqoi_image flat;
    memset(&flat, 0, sizeof flat);
    flat.parts = calloc((size_t)img.part_count + 1, sizeof *flat.parts);
    if (!flat.parts) rv = EXRQOI_ERR_OUT_OF_MEMORY;
    int32_t made = 0;
    /* made: parts set up so far, including a failed one (it may hold allocations) */
    for (int32_t k = 0; k < img.part_count && !rv; k++, made++) {
        if (is_deep(img.parts[k].type)) rv = flatten_part(&img.parts[k], k, &flat.parts[k], &msg);
        else flat.parts[k] = img.parts[k];
    }
    flat.part_count = img.part_count;
    if (!rv) {
        exrqoi_write_options wo;
        memset(&wo, 0, sizeof wo);
        wo.threads = threads;
        wo.on_message = tool_on_message;
        wo.user = &msg;
        rv = exrqoi_image_write_path(out, &flat, &wo);
    }
    for (int32_t k = 0; k < made && flat.parts; k++)
        if (is_deep(img.parts[k].type)) free_flat_part(&flat.parts[k]);
    free(flat.parts);
    exrqoi_image_free(&img);
    if (rv) {
        fprintf(stderr, "error: %s: %s\n", out, tool_error_text(&msg, rv));
        return 1;
    }
    return 0;
}
