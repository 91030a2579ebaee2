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

#include "io/platform.h"

#include "tools/files.h"
#include "tools/opts.h"
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

/* OUT must say it is an EXR (or be standard output, a pipe or a device). */
static bool exr_output(const char *out)
{
    exrqoi__file_info st;
    return tool_fmt_of_name(out) == FMT_EXR || tool_is_stdout(out) ||
           (exrqoi__os_info(out, &st) == 0 && st.kind == EXRQOI__FILE_OTHER);
}

static void on_signal(void *user, int sig)
{
    (void)user;
    fprintf(stderr, "exrqoi flatten: interrupted by signal %d: nothing written\n", sig);
}

int cmd_flatten(int argc, char **argv)
{
    int threads = 0;
    const tool_opt opts[] = {
        TOOL_OPT_THREADS(&threads),
    };
    const tool_cmd cmd = {"flatten", "IN OUT",
                          "Composites every deep part into a flat scanline part (ZIP): R, G, B, A as\n"
                          "half (premultiplied), Z as float (nearest non-transparent depth, +inf for\n"
                          "empty pixels). Flat parts are copied unchanged. OUT is an EXR (.exr, or '-'\n"
                          "for standard output); it may not be IN.",
                          opts, TOOL_OPT_COUNT(opts)};
    const char *pos[2] = {NULL, NULL};
    const char **posv = calloc((size_t)argc + 1, sizeof *posv);
    if (!posv) return TOOL_FAILED;
    int npos, status = tool_parse(&cmd, argc, argv, posv, &npos);
    if (status < 0) status = TOOL_OK;
    else if (!status && npos != 2) status = tool_usage_error(&cmd, "needs IN and OUT");
    else if (!status && !exr_output(posv[1]))
        status = tool_usage_error(&cmd, "'%s': the output is an EXR: name it .exr (or '-')", posv[1]);
    if (!status && npos == 2) {
        pos[0] = posv[0];
        pos[1] = posv[1];
    }
    free(posv);
    if (status || npos != 2) return status;
    const char *in = pos[0], *out = pos[1];
    if (!tool_check_output("flatten", out, &in, 1)) return TOOL_FAILED;
    tool_signals_start(on_signal, NULL);
    tool_msg msg = {{0}};
    exrqoi_read_options ro = EXRQOI_READ_OPTIONS_INIT;
    ro.threads = threads;
    ro.on_message = tool_on_message;
    ro.message_user = &msg;
    exrqoi_image img;
    tool_src src;
    char why[300];
    if (!tool_src_open(&src, in, why, sizeof why)) {
        fprintf(stderr, "exrqoi flatten: %s: %s\n", in, why);
        return TOOL_FAILED;
    }
    exrqoi_reader *r = NULL;
    exrqoi_result rv = src.fmt == FMT_EXR ? tool_src_open_exr(&src, &ro, &r) : EXRQOI_ERR_BAD_MAGIC;
    if (src.fmt != FMT_EXR) snprintf(msg.text, sizeof msg.text, "not an EXR file");
    if (!rv) rv = exrqoi_reader_read_image(r, &img);
    exrqoi_reader_close(r);
    tool_src_close(&src);
    if (rv) {
        fprintf(stderr, "exrqoi flatten: %s: %s\n", in, tool_error_text(&msg, rv));
        return TOOL_FAILED;
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
        exrqoi_write_options wo = EXRQOI_WRITE_OPTIONS_INIT;
        wo.threads = threads;
        wo.on_message = tool_on_message;
        wo.message_user = &msg;
        tool_signals_track(out);
        rv = tool_dst_image(out, &flat, &wo);
        tool_signals_untrack(out);
    }
    for (int32_t k = 0; k < made && flat.parts; k++)
        if (is_deep(img.parts[k].type)) free_flat_part(&flat.parts[k]);
    free(flat.parts);
    exrqoi_image_free(&img);
    tool_signals_stop();
    if (rv) {
        fprintf(stderr, "exrqoi flatten: %s: %s\n", out, tool_error_text(&msg, rv));
        return TOOL_FAILED;
    }
    return TOOL_OK;
}
