/* exrqoi convert: EXR -> EXR (keeping every part, level, channel and
 * attribute). Without --compression the chunks are copied as they are;
 * with it every part is decoded and re-encoded. QOI directions are
 * dispatched to convert_qoi.c by the file extensions. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "tools/convert_formats.h"
#include "tools/tool.h"

static bool has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);
    return n >= e && strcasecmp(path + n - e, ext) == 0;
}

static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0) return false;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Copies every chunk as stored: exact whatever the codec. */
static exrqoi_result copy_chunks(exrqoi_reader *r, const char *out, const exrqoi_write_options *wo)
{
    int np = exrqoi_reader_part_count(r);
    exrqoi_header *h = calloc((size_t)np, sizeof *h);
    if (!h) return EXRQOI_ERR_OUT_OF_MEMORY;
    for (int k = 0; k < np; k++) h[k] = *exrqoi_reader_header(r, k);
    exrqoi_writer *w;
    exrqoi_result rv = exrqoi_writer_open_path(out, h, np, wo, &w);
    free(h);
    if (rv) return rv;
    for (int k = 0; k < np && !rv; k++) {
        exrqoi_part_info pi;
        exrqoi_reader_part_info(r, k, &pi);
        for (uint64_t i = 0; i < pi.chunk_count && !rv; i++) {
            exrqoi_chunk_info ci;
            void *data;
            size_t size;
            rv = exrqoi_reader_read_raw_chunk(r, k, i, &ci, &data, &size);
            if (!rv) rv = exrqoi_writer_write_raw_chunk(w, k, &ci, data, size);
            exrqoi_free(NULL, data);
        }
    }
    if (!rv) rv = exrqoi_writer_finish(w);
    exrqoi_writer_close(w);
    return rv;
}

/* Deep data can be stored with none, rle or zips only: deep parts take
 * the requested codec when it is one of these and zips (lossless, the
 * deflate one deep data allows) otherwise, so a multipart file converted
 * to piz, dwaa, ... gets it on its flat parts and stays valid. */
static exrqoi_compression deep_codec(exrqoi_compression c)
{
    return c == EXRQOI_COMPRESSION_NONE || c == EXRQOI_COMPRESSION_RLE ? c : EXRQOI_COMPRESSION_ZIPS;
}

static exrqoi_result recode(exrqoi_reader *r, const char *out, exrqoi_compression c,
                            const exrqoi_write_options *wo)
{
    exrqoi_image img;
    exrqoi_result rv = exrqoi_image_read(r, &img);
    if (rv) return rv;
    for (int32_t k = 0; k < img.part_count && !rv; k++) {
        exrqoi_part_type t = img.parts[k].type;
        bool deep = t == EXRQOI_PART_DEEP_SCANLINE || t == EXRQOI_PART_DEEP_TILED;
        rv = exrqoi_header_set_compression(&img.parts[k].header, deep ? deep_codec(c) : c);
    }
    if (!rv) rv = exrqoi_image_write_path(out, &img, wo);
    exrqoi_image_free(&img);
    return rv;
}

static int usage(FILE *f)
{
    fprintf(f, "usage: exrqoi convert IN OUT [--compression none|rle|zips|zip|piz|pxr24|b44|b44a|dwaa|dwab]\n"
               "                      [--threads N] [--zip-level N] [--dwa-level F]\n"
               "       EXR -> EXR keeps every part, level, channel and attribute; without\n"
               "       --compression the compressed chunks are copied unchanged. Deep parts\n"
               "       take none, rle or zips; any other codec gives them zips.\n");
    return f == stdout ? 0 : 2;
}

int exrqoi_tool_convert_qoi(int argc, char **argv);

int cmd_convert(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    int threads = 0, zip_level = 0;
    float dwa_level = 0;
    bool have_comp = false;
    exrqoi_compression comp = EXRQOI_COMPRESSION_ZIP;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help")) return usage(stdout);
    }
    /* any QOI, PNG or camera raw side, several inputs or -o: the QOI converter handles it */
    for (int i = 1; i < argc; i++)
        if (has_ext(argv[i], ".qoi") || !strcmp(argv[i], "-o") ||
            tool_format_of(argv[i]) == TOOL_FORMAT_PNG || tool_format_of(argv[i]) == TOOL_FORMAT_RAW)
            return exrqoi_tool_convert_qoi(argc, argv);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--compression") && i + 1 < argc) {
            if (exrqoi_compression_from_name(argv[++i], &comp)) {
                fprintf(stderr, "error: unknown compression '%s'\n", argv[i]);
                return 2;
            }
            have_comp = true;
        } else if (!strcmp(a, "--threads") && i + 1 < argc) {
            threads = atoi(argv[++i]);
        } else if (!strcmp(a, "--zip-level") && i + 1 < argc) {
            zip_level = atoi(argv[++i]);
        } else if (!strcmp(a, "--dwa-level") && i + 1 < argc) {
            dwa_level = (float)atof(argv[++i]);
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "error: unknown option '%s'\n", a);
            return usage(stderr);
        } else if (!in) {
            in = a;
        } else if (!out) {
            out = a;
        } else {
            return exrqoi_tool_convert_qoi(argc, argv);
        }
    }
    if (!in || !out) return usage(stderr);
    if (same_file(in, out)) {
        fprintf(stderr, "error: %s: input and output are the same file\n", out);
        return 1;
    }
    tool_msg msg = {{0}};
    exrqoi_read_options ro;
    memset(&ro, 0, sizeof ro);
    ro.threads = threads;
    ro.on_message = tool_on_message;
    ro.user = &msg;
    exrqoi_write_options wo;
    memset(&wo, 0, sizeof wo);
    wo.threads = threads;
    wo.zip_level = zip_level;
    wo.dwa_level = dwa_level;
    wo.on_message = tool_on_message;
    wo.user = &msg;
    exrqoi_reader *r = NULL;
    exrqoi_result rv = exrqoi_reader_open_path(in, &ro, &r);
    bool opened = rv == EXRQOI_OK;
    if (opened) {
        rv = have_comp ? recode(r, out, comp, &wo) : copy_chunks(r, out, &wo);
        exrqoi_reader_close(r);
    }
    if (rv) {
        /* writer failures are about OUT; everything else about IN */
        bool about_out = rv == EXRQOI_ERR_WRITE || (rv == EXRQOI_ERR_OPEN && opened);
        fprintf(stderr, "error: %s: %s\n", about_out ? out : in, tool_error_text(&msg, rv));
        return 1;
    }
    return 0;
}
