/* exrqoi info: every part's header, typed, like OpenEXR's exrheader; the
 * header of a QOI file. --json prints one array for all files. */
#include <stdlib.h>
#include <string.h>

#include "tools/attr_print.h"
#include "tools/files.h"
#include "tools/opts.h"
#include "tools/sys.h"
#include "tools/tool.h"

static const char *type_names[] = {"scanlineimage", "tiledimage", "deepscanline", "deeptile"};

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void print_text(const char *path, exrqoi_reader *r)
{
    int np = exrqoi_reader_part_count(r);
    uint32_t v = exrqoi_reader_version(r);
    printf("\nfile %s:\n\n", path);
    printf("file format version: %u, flags 0x%x\n", v & 0xff, v & ~0xffu);
    for (int k = 0; k < np; k++) {
        const exrqoi_header *h = exrqoi_reader_header(r, k);
        exrqoi_part_info pi;
        exrqoi_reader_part_info(r, k, &pi);
        if (np > 1) printf("\n part %d:\n", k);
        for (int32_t i = 0; i < h->count; i++) exrqoi_tool_print_attr(stdout, &h->attrs[i]);
        printf("type (derived): %s\n", type_names[pi.type]);
        printf("chunks: %llu%s\n", (unsigned long long)pi.chunk_count,
               pi.offsets_rebuilt ? " (offset table rebuilt from the chunks)" : "");
    }
}

static void print_json(const char *path, exrqoi_reader *r)
{
    int np = exrqoi_reader_part_count(r);
    uint32_t v = exrqoi_reader_version(r);
    printf("{\"file\":");
    json_str(stdout, path);
    printf(",\"format\":\"exr\",\"version\":%u,\"flags\":%u,\"parts\":[", v & 0xff, v & ~0xffu);
    for (int k = 0; k < np; k++) {
        const exrqoi_header *h = exrqoi_reader_header(r, k);
        exrqoi_part_info pi;
        exrqoi_reader_part_info(r, k, &pi);
        printf("%s{\"index\":%d,\"type\":\"%s\",\"chunks\":%llu,\"offsets_rebuilt\":%s,\"attributes\":[",
               k ? "," : "", k, type_names[pi.type], (unsigned long long)pi.chunk_count,
               pi.offsets_rebuilt ? "true" : "false");
        for (int32_t i = 0; i < h->count; i++) {
            if (i) putchar(',');
            exrqoi_tool_print_attr_json(stdout, &h->attrs[i]);
        }
        printf("]}");
    }
    printf("]}");
}

static const char *qoi_space(const exrqoi_qoi_desc *d)
{
    return d->colorspace == EXRQOI_QOI_LINEAR ? "linear" : "srgb";
}

/* QOI: the header is all there is to say without decoding. */
static exrqoi_result print_qoi(const tool_src *s, bool json, const char *sep, tool_msg *msg)
{
    unsigned char head[EXRQOI_QOI_HEADER_SIZE];
    size_t got = 0;
    if (s->in_memory) {
        got = s->size < sizeof head ? s->size : sizeof head;
        memcpy(head, s->data, got);
    } else {
        FILE *f = tool_sys_fopen_read(s->name);
        if (f) {
            got = fread(head, 1, sizeof head, f);
            fclose(f);
        }
    }
    exrqoi_qoi_desc d;
    exrqoi_result rv = exrqoi_qoi_read_header(head, got, NULL, &d);
    if (rv) {
        snprintf(msg->text, sizeof msg->text, "bad QOI header (%s)", exrqoi_strerror(rv));
        return rv;
    }
    printf("%s", sep);
    if (json) {
        printf("{\"file\":");
        json_str(stdout, s->name);
        printf(",\"format\":\"qoi\",\"width\":%u,\"height\":%u,\"channels\":%u,\"colorspace\":\"%s\"}",
               d.width, d.height, d.channels, qoi_space(&d));
    } else {
        printf("\nfile %s:\n\nformat: QOI\nwidth: %u\nheight: %u\nchannels: %u (%s)\n"
               "colorspace: %u (%s)\n",
               s->name, d.width, d.height, d.channels, d.channels == 4 ? "RGBA" : "RGB", d.colorspace,
               d.colorspace == EXRQOI_QOI_LINEAR ? "all channels linear" : "sRGB with linear alpha");
    }
    return EXRQOI_OK;
}

int cmd_info(int argc, char **argv)
{
    static const char about[] =
        "Prints every part's header of an EXR file (each attribute, typed), or the\n"
        "header of a QOI file. Errors go to stderr; the other files are still shown.";
    int json = 0, json_lines = 0;
    const tool_opt opts[] = {
        TOOL_OPT_JSON(&json),
        TOOL_OPT_JSON_LINES(&json_lines),
    };
    const tool_cmd cmd = {"info", "FILE...", about, opts, TOOL_OPT_COUNT(opts)};
    const char **pos;
    int npos, status;
    if (!tool_parse_json_inputs(&cmd, argc, argv, &pos, &npos, &status, &json, &json_lines)) return status;
    int shown = 0;
    if (json) printf("[");
    for (int i = 0; i < npos; i++) {
        tool_msg msg = {{0}};
        tool_src s;
        char why[300];
        exrqoi_result rv = EXRQOI_OK;
        if (!tool_src_open(&s, pos[i], why, sizeof why)) {
            fprintf(stderr, "exrqoi info: %s: %s\n", pos[i], why);
            status = TOOL_FAILED;
            continue;
        }
        const char *sep = json && shown ? ",\n" : "";
        if (s.fmt == FMT_QOI) {
            rv = print_qoi(&s, json || json_lines, sep, &msg);
        } else if (s.fmt == FMT_EXR) {
            exrqoi_read_options o = EXRQOI_READ_OPTIONS_INIT;
            o.on_message = tool_on_message;
            o.message_user = &msg;
            o.threads = 1;
            exrqoi_reader *r;
            rv = tool_src_open_exr(&s, &o, &r);
            if (!rv) {
                printf("%s", sep);
                if (json || json_lines) print_json(pos[i], r);
                else print_text(pos[i], r);
                exrqoi_reader_close(r);
            }
        } else {
            snprintf(msg.text, sizeof msg.text, "%s", tool_fmt_not_exr_qoi(s.fmt));
            rv = EXRQOI_ERR_BAD_MAGIC;
        }
        tool_src_close(&s);
        if (rv) {
            fprintf(stderr, "exrqoi info: %s: %s\n", pos[i], tool_error_text(&msg, rv));
            status = TOOL_FAILED;
            continue;
        }
        if (json_lines) printf("\n");
        shown++;
    }
    if (json) printf("]\n");
    free(pos);
    return status;
}
