/* exrqoi convert: what the conversion of one file needs (cmd_convert.c
 * runs files, convert_exr.c does the EXR side). */
#ifndef EXRQOI_TOOL_CONVERT_H
#define EXRQOI_TOOL_CONVERT_H

#include "tools/files.h"
#include "tools/raw_io.h"
#include "tools/tool.h"

typedef struct conv_opts {
    exrqoi_exr_to_qoi_options e2q; /* its select is set from `select` where it is used */
    exrqoi_rgba_read_options select;
    const char *part;     /* index or name */
    const char *channels; /* --channels */
    int tonemap;
    int compression;      /* an exrqoi_compression, or -1 = keep (EXR -> EXR) / zip */
    int zip_level;
    float dwa_level;
    int lenient;
    int threads;
    int bits;                   /* PNG output: 8 or 16 bits per sample */
    exrqoi_pixel_type exr_type; /* PNG/raw -> EXR: half, float, or 0 = by source */
    tool_raw_options raw;       /* camera raw: primaries, white balance */
} conv_opts;

/* Damage a lenient read filled over, for the report on stderr. */
typedef struct conv_report {
    tool_buf text;   /* one line per filled part/level */
    uint64_t filled; /* chunks filled */
} conv_report;

/* Selected EXR colour -> 8-bit (QOI, PNG) or 16-bit (PNG; uint16_t)
 * display pixels: flat parts with the library's RGBA selection, or
 * --channels, deep parts composited first; with --lenient damaged chunks
 * are filled (and reported). */
exrqoi_result conv_exr_to_display(exrqoi_reader *r, const conv_opts *o, int bits, exrqoi_qoi_desc *d,
                                  void **px, conv_report *rep, tool_msg *msg);
/* EXR -> EXR decoding every part leniently (damaged chunks filled: flat
 * pixels 0, deep pixels without samples), then written as `out`. */
exrqoi_result conv_exr_lenient(exrqoi_reader *r, const conv_opts *o, const char *out,
                               const exrqoi_write_options *wo, conv_report *rep, tool_msg *msg);

/* Gives every part codec c (deep parts: c if none/rle/zips, else zips). */
exrqoi_result tool_set_compression(exrqoi_image *img, exrqoi_compression c);

#endif
