/* exrqoi info: every part's header, typed, like OpenEXR's exrheader. */
#include <stdlib.h>
#include <string.h>

#include "tools/attr_print.h"
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

static void print_json(const char *path, exrqoi_reader *r, bool first)
{
    int np = exrqoi_reader_part_count(r);
    uint32_t v = exrqoi_reader_version(r);
    (void)first;
    printf("{\"file\":");
    json_str(stdout, path);
    printf(",\"version\":%u,\"flags\":%u,\"parts\":[", v & 0xff, v & ~0xffu);
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
    printf("]}\n");
}

int cmd_info(int argc, char **argv)
{
    bool json = false;
    int status = 0, files = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = true;
        if (!strcmp(argv[i], "--help")) {
            printf("usage: exrqoi info [--json] FILE...\n");
            return 0;
        }
    }
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1] == '-') continue;
        files++;
        tool_msg msg = {{0}};
        exrqoi_read_options o;
        memset(&o, 0, sizeof o);
        o.on_message = tool_on_message;
        o.user = &msg;
        o.threads = 1;
        exrqoi_reader *r;
        exrqoi_result rv = exrqoi_reader_open_path(argv[i], &o, &r);
        if (rv) {
            fprintf(stderr, "error: %s: %s\n", argv[i], tool_error_text(&msg, rv));
            status = 1;
            continue;
        }
        if (json)
            print_json(argv[i], r, files == 1);
        else
            print_text(argv[i], r);
        exrqoi_reader_close(r);
    }
    if (!files) {
        fprintf(stderr, "usage: exrqoi info [--json] FILE...\n");
        return 2;
    }
    return status;
}
