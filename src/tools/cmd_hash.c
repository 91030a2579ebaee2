/* exrqoi hash: the canonical content listing (shared/spec/canonical-hash.md)
 * of EXR files, and a listing of the same kind for QOI files. */
#include <stdlib.h>
#include <string.h>

#include "tools/files.h"
#include "tools/opts.h"
#include "tools/progress.h"
#include "tools/tool.h"

/* The listing's CRCs are over the samples as little-endian bytes; in
 * memory they are in host order. */
uint32_t exrqoi_tool_crc_le(uint32_t crc, const void *data, size_t n, size_t size)
{
    const uint16_t one = 1;
    uint8_t little;
    memcpy(&little, &one, 1);
    if (little) return exrqoi_crc32(crc, data, n * size);
    uint8_t buf[4096];
    const uint8_t *src = (const uint8_t *)data;
    size_t per = sizeof buf / size;
    for (size_t i = 0; i < n; i += per) {
        size_t k = n - i < per ? n - i : per;
        for (size_t j = 0; j < k; j++)
            for (size_t b = 0; b < size; b++) buf[j * size + b] = src[(i + j) * size + size - 1 - b];
        crc = exrqoi_crc32(crc, buf, k * size);
    }
    return crc;
}

static const char *type_str(exrqoi_pixel_type t)
{
    return t == EXRQOI_PIXEL_HALF ? "half" : t == EXRQOI_PIXEL_FLOAT ? "float" : "uint";
}

static const char *part_type_str(const exrqoi_part_info *pi)
{
    if (pi->type_name) return pi->type_name;
    return pi->tiled ? "tiledimage" : "scanlineimage";
}

static const char *levels_str(const exrqoi_part_info *pi)
{
    if (!pi->tiled) return "-";
    static const char *const names[3][2] = {
        {"single", "single"}, {"mipmap_down", "mipmap_up"}, {"ripmap_down", "ripmap_up"}};
    return names[pi->tiles.level_mode % 3][pi->tiles.rounding_mode & 1];
}

static const char *line_order_str(exrqoi_line_order o)
{
    return o == EXRQOI_LINE_ORDER_INCREASING ? "increasing"
           : o == EXRQOI_LINE_ORDER_DECREASING ? "decreasing"
                                               : "random";
}

/* CRC of each channel of one flat level, printed as chan lines. The level
 * is read in bands of whole chunk rows, so memory stays bounded whatever
 * size the header claims, and each channel's CRC runs on across bands. */
static exrqoi_result hash_flat_level(exrqoi_reader *r, int part, const exrqoi_part_info *pi, int lx,
                                     int ly, tool_buf *out)
{
    exrqoi_box2i win;
    exrqoi_result rv = exrqoi_reader_level_window(r, part, lx, ly, &win);
    if (rv) return rv;
    int n = pi->channel_count;
    int64_t width = (int64_t)win.max.x - win.min.x + 1;
    /* bytes of one row over all channels (upper bound, ignoring subsampling) */
    int64_t row_bytes = 0;
    for (int c = 0; c < n; c++) row_bytes += width * exrqoi_pixel_type_size(pi->channels[c].type);
    int64_t unit = pi->tiled ? (int64_t)pi->tiles.y_size : pi->lines_per_chunk;
    int64_t band = unit;
    while (band * row_bytes < ((int64_t)16 << 20) && band < (int64_t)1 << 20) band += unit;

    exrqoi_slice *slices = calloc((size_t)n + 1, sizeof *slices);
    void **bufs = calloc((size_t)n + 1, sizeof *bufs);
    uint64_t *counts = calloc((size_t)n + 1, sizeof *counts);
    uint32_t *crcs = calloc((size_t)n + 1, sizeof *crcs);
    if (!slices || !bufs || !counts || !crcs) rv = EXRQOI_ERR_OUT_OF_MEMORY;
    for (int64_t y0 = win.min.y; y0 <= win.max.y && !rv; y0 += band) {
        exrqoi_box2i reg = win;
        reg.min.y = (int32_t)y0;
        reg.max.y = (int32_t)(y0 + band - 1 < win.max.y ? y0 + band - 1 : win.max.y);
        for (int c = 0; c < n && !rv; c++) {
            const exrqoi_channel *ch = &pi->channels[c];
            int32_t cols, rows;
            exrqoi_sample_extent(&reg, ch->x_sampling, ch->y_sampling, &cols, &rows);
            size_t sz = (size_t)exrqoi_pixel_type_size(ch->type);
            size_t bytes = (size_t)cols * (size_t)rows * sz;
            if (!bufs[c]) {
                /* the first band is the largest but for subsampling rounding: add a row */
                bufs[c] = malloc(bytes + (size_t)cols * sz + 1);
                if (!bufs[c]) {
                    rv = EXRQOI_ERR_OUT_OF_MEMORY;
                    break;
                }
            }
            counts[c] += (uint64_t)cols * (uint64_t)rows;
            slices[c].name = ch->name;
            slices[c].type = ch->type;
            slices[c].base = bufs[c];
            slices[c].x_stride = (ptrdiff_t)sz;
            slices[c].y_stride = (ptrdiff_t)(sz * (size_t)cols);
        }
        if (!rv) rv = exrqoi_reader_read_region(r, part, lx, ly, &reg, slices, n);
        for (int c = 0; c < n && !rv; c++) {
            const exrqoi_channel *ch = &pi->channels[c];
            int32_t cols, rows;
            exrqoi_sample_extent(&reg, ch->x_sampling, ch->y_sampling, &cols, &rows);
            crcs[c] = exrqoi_tool_crc_le(crcs[c], bufs[c], (size_t)cols * (size_t)rows,
                                         (size_t)exrqoi_pixel_type_size(ch->type));
        }
    }
    for (int c = 0; c < n && !rv; c++) {
        const exrqoi_channel *ch = &pi->channels[c];
        tool_buf_printf(out, "chan %d %d %d ", part, lx, ly);
        tool_escape(out, ch->name);
        tool_buf_printf(out, " %s %d %d samples=%llu crc32=%08x\n", type_str(ch->type), ch->x_sampling,
                        ch->y_sampling, (unsigned long long)counts[c], crcs[c]);
    }
    for (int c = 0; c < n; c++) free(bufs ? bufs[c] : NULL);
    free(bufs);
    free(slices);
    free(counts);
    free(crcs);
    return rv;
}

static exrqoi_result hash_level(exrqoi_reader *r, int part, const exrqoi_part_info *pi, int lx, int ly,
                                tool_buf *out)
{
    if (pi->type == EXRQOI_PART_DEEP_SCANLINE || pi->type == EXRQOI_PART_DEEP_TILED)
        return exrqoi_tool_hash_deep_level(r, part, pi, lx, ly, out);
    return hash_flat_level(r, part, pi, lx, ly, out);
}

/* QOI: "qoi" with the header, then the CRC-32 of the decoded pixels
 * (width*height*channels bytes, rows top to bottom). */
static exrqoi_result hash_qoi(const tool_src *s, tool_buf *out, tool_msg *msg)
{
    exrqoi_qoi_options qo = EXRQOI_QOI_OPTIONS_INIT;
    qo.struct_size = sizeof qo;
    qo.on_message = tool_on_message;
    qo.message_user = msg;
    exrqoi_qoi_desc d;
    void *px = NULL;
    exrqoi_result rv = tool_src_decode_qoi(s, &qo, &d, &px);
    if (rv) return rv;
    size_t n = (size_t)d.width * d.height * d.channels;
    tool_buf_printf(out, "qoi width=%u height=%u channels=%u colorspace=%u\n", d.width, d.height, d.channels,
                    d.colorspace);
    tool_buf_printf(out, "pixels samples=%zu crc32=%08x\n", n, exrqoi_crc32(0, px, n));
    exrqoi_free(NULL, px);
    return EXRQOI_OK;
}

static exrqoi_result hash_file(const tool_src *s, int threads, tool_buf *out, tool_msg *msg)
{
    if (s->fmt == FMT_QOI) return hash_qoi(s, out, msg);
    if (s->fmt != FMT_EXR) {
        snprintf(msg->text, sizeof msg->text, "%s", tool_fmt_not_exr_qoi(s->fmt));
        return EXRQOI_ERR_BAD_MAGIC;
    }
    exrqoi_read_options o = EXRQOI_READ_OPTIONS_INIT;
    o.threads = threads;
    o.on_message = tool_on_message;
    o.message_user = msg;
    exrqoi_reader *r;
    exrqoi_result rv = tool_src_open_exr(s, &o, &r);
    if (rv) return rv;
    int np = exrqoi_reader_part_count(r);
    for (int k = 0; k < np && !rv; k++) {
        exrqoi_part_info pi;
        rv = exrqoi_reader_part_info(r, k, &pi);
        if (rv) break;
        int nlevels = pi.tiled ? (pi.tiles.level_mode == EXRQOI_LEVEL_RIPMAP
                                      ? pi.num_x_levels * pi.num_y_levels
                                      : pi.num_x_levels)
                               : 1;
        tool_buf_printf(out, "part %d name=", k);
        if (pi.name)
            tool_escape(out, pi.name);
        else
            tool_buf_printf(out, "-");
        tool_buf_printf(out, " type=");
        tool_escape(out, part_type_str(&pi));
        tool_buf_printf(out,
                        " compression=%s dataWindow=%d,%d,%d,%d displayWindow=%d,%d,%d,%d "
                        "lineOrder=%s channels=%d levels=%s\n",
                        exrqoi_compression_name(pi.compression), pi.data_window.min.x,
                        pi.data_window.min.y, pi.data_window.max.x, pi.data_window.max.y,
                        pi.display_window.min.x, pi.display_window.min.y, pi.display_window.max.x,
                        pi.display_window.max.y, line_order_str(pi.line_order), pi.channel_count,
                        levels_str(&pi));
        for (int l = 0; l < nlevels && !rv; l++) {
            int lx = l, ly = l;
            if (!pi.tiled) lx = ly = 0;
            else if (pi.tiles.level_mode == EXRQOI_LEVEL_RIPMAP) {
                lx = l % pi.num_x_levels;
                ly = l / pi.num_x_levels;
            }
            rv = hash_level(r, k, &pi, lx, ly, out);
        }
    }
    exrqoi_reader_close(r);
    return rv;
}

static void json_str(const char *s, size_t n)
{
    putchar('"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c < 0x20 || c >= 0x7f) printf("\\u%04x", c);
        else putchar(c);
    }
    putchar('"');
}

/* {"file":..., "lines":[...]}: the listing, one string per line. */
static void print_json(const char *path, const tool_buf *b)
{
    printf("{\"file\":");
    json_str(path, strlen(path));
    printf(",\"lines\":[");
    size_t at = 0;
    for (int first = 1; at < b->len; first = 0) {
        const char *nl = memchr(b->data + at, '\n', b->len - at);
        size_t len = nl ? (size_t)(nl - (b->data + at)) : b->len - at;
        if (!first) putchar(',');
        json_str(b->data + at, len);
        at += len + 1;
    }
    printf("]}");
}

int cmd_hash(int argc, char **argv)
{
    static const char about[] =
        "Prints the canonical content listing of each EXR file (every part, level and\n"
        "channel with a CRC-32 of its samples) or QOI file (header and a CRC-32 of the\n"
        "decoded pixels). A file is listed only when all of it was read.";
    int threads = 0, json = 0, json_lines = 0, verbose = 0;
    const tool_opt opts[] = {
        TOOL_OPT_JSON(&json),
        TOOL_OPT_JSON_LINES(&json_lines),
        TOOL_OPT_THREADS(&threads),
        {"verbose", 'v', OPT_FLAG, NULL, 0, 0, NULL, NULL, "a line on stderr per file hashed", &verbose},
    };
    const tool_cmd cmd = {"hash", "FILE...", about, opts, TOOL_OPT_COUNT(opts)};
    const char **pos;
    int npos, status;
    if (!tool_parse_json_inputs(&cmd, argc, argv, &pos, &npos, &status, &json, &json_lines)) return status;
    tool_progress bar;
    uint64_t total = 0;
    for (int i = 0; i < npos; i++) total += tool_file_size(pos[i]);
    tool_progress_init(&bar, npos > 1, (size_t)npos, total);
    int shown = 0;
    if (json) printf("[");
    for (int i = 0; i < npos; i++) {
        tool_buf out = {0};
        tool_msg msg = {{0}};
        tool_src s;
        char why[300];
        exrqoi_result rv = EXRQOI_ERR_OPEN;
        if (tool_src_open(&s, pos[i], why, sizeof why)) rv = hash_file(&s, threads, &out, &msg);
        else snprintf(msg.text, sizeof msg.text, "%s", why);
        tool_src_close(&s);
        tool_progress_clear(&bar);
        if (rv) {
            fprintf(stderr, "exrqoi hash: %s: %s\n", pos[i], tool_error_text(&msg, rv));
            status = TOOL_FAILED;
        } else if (json || json_lines) {
            if (json && shown) printf(",\n");
            print_json(pos[i], &out);
            if (json_lines) printf("\n");
            shown++;
        } else if (out.len) {
            fwrite(out.data, 1, out.len, stdout);
        }
        if (verbose) fprintf(stderr, "hashed %s%s\n", pos[i], rv ? ": failed" : "");
        fflush(stdout);
        tool_buf_free(&out);
        tool_progress_update(&bar, (size_t)i + 1, tool_file_size(pos[i]));
    }
    tool_progress_clear(&bar);
    if (json) printf("]\n");
    free(pos);
    return status;
}
