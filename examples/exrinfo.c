/*
 * exrinfo - opens EXR files and prints every part's header: the decoded
 * summary (window, compression, channels, chunks) and each attribute with
 * its type. A starting point to copy: open, walk the parts, close.
 *
 *   exrinfo FILE.exr...
 */
#include <stdio.h>

#include <exrqoi/exrqoi.h>

static const char *pixel_type_name(exrqoi_pixel_type t)
{
    switch (t) {
    case EXRQOI_PIXEL_UINT: return "uint";
    case EXRQOI_PIXEL_HALF: return "half";
    case EXRQOI_PIXEL_FLOAT: return "float";
    }
    return "?";
}

/* Values of the common scalar types; the rest show only their type. */
static void print_value(const exrqoi_attribute *a)
{
    switch (a->type) {
    case EXRQOI_ATTR_INT: printf(" %d", (int)a->v.i); break;
    case EXRQOI_ATTR_FLOAT: printf(" %g", (double)a->v.f); break;
    case EXRQOI_ATTR_DOUBLE: printf(" %g", a->v.d); break;
    case EXRQOI_ATTR_STRING: printf(" \"%s\"", a->v.string.str); break;
    case EXRQOI_ATTR_BOX2I:
        printf(" (%d %d) - (%d %d)", (int)a->v.box2i.min.x, (int)a->v.box2i.min.y,
               (int)a->v.box2i.max.x, (int)a->v.box2i.max.y);
        break;
    case EXRQOI_ATTR_V2F: printf(" (%g %g)", (double)a->v.v2f.x, (double)a->v.v2f.y); break;
    default: break;
    }
}

static int print_file(const char *path)
{
    exrqoi_reader *r;
    exrqoi_result rv = exrqoi_reader_open(exrqoi_source_path(path), NULL, &r);
    if (rv != EXRQOI_OK) {
        /* the reader is NULL on failure; the code says what went wrong */
        fprintf(stderr, "%s: %s\n", path, exrqoi_strerror(rv));
        return 1;
    }
    int parts = exrqoi_reader_part_count(r);
    printf("file %s: %d part%s\n", path, parts, parts == 1 ? "" : "s");
    for (int p = 0; p < parts; p++) {
        exrqoi_part_info info;
        rv = exrqoi_reader_part_info(r, p, &info);
        if (rv != EXRQOI_OK) {
            fprintf(stderr, "%s part %d: %s (%s)\n", path, p, exrqoi_strerror(rv),
                    exrqoi_reader_error(r));
            exrqoi_reader_close(r);
            return 1;
        }
        printf("part %d%s%s: %dx%d, %s, %s, %llu chunks\n", p, info.name ? " " : "",
               info.name ? info.name : "",
               (int)(info.data_window.max.x - info.data_window.min.x + 1),
               (int)(info.data_window.max.y - info.data_window.min.y + 1),
               info.tiled ? "tiled" : "scanline", exrqoi_compression_name(info.compression),
               (unsigned long long)info.chunk_count);
        for (int32_t c = 0; c < info.channel_count; c++)
            printf("  channel %s %s\n", info.channels[c].name,
                   pixel_type_name(info.channels[c].type));
        const exrqoi_header *h = exrqoi_reader_header(r, p);
        for (int32_t i = 0; i < h->count; i++) {
            const exrqoi_attribute *a = &h->attrs[i];
            printf("  %s (%s)", a->name, a->type_name);
            print_value(a);
            printf("\n");
        }
    }
    exrqoi_reader_close(r);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE.exr...\n", argv[0]);
        return 2;
    }
    int status = 0;
    for (int i = 1; i < argc; i++)
        status |= print_file(argv[i]);
    return status;
}
