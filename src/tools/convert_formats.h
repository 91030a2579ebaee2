/* exrqoi convert with a PNG or camera raw side: the conversions between
 * PNG, camera raw, EXR and QOI, on top of png_io.h, raw_io.h and the
 * library's conversion pipeline (include/exrqoi/convert.h). The option
 * parsing and output-path safety live in the command (cmd_convert.c,
 * convert_qoi.c); these functions take parsed options and paths. */
#ifndef EXRQOI_TOOL_CONVERT_FORMATS_H
#define EXRQOI_TOOL_CONVERT_FORMATS_H

#include "tools/raw_io.h"
#include "tools/tool.h"

typedef enum tool_format {
    TOOL_FORMAT_NONE = 0,
    TOOL_FORMAT_EXR,
    TOOL_FORMAT_QOI,
    TOOL_FORMAT_PNG,
    TOOL_FORMAT_RAW /* input only */
} tool_format;

/* From the file name's extension (case-insensitive): .exr, .qoi, .png,
 * and the camera raw extensions LibRaw reads (.dng, .cr2, .cr3, .nef,
 * .arw, .raf, .orf, .rw2, .pef, ...). */
tool_format tool_format_of(const char *path);
const char *tool_format_name(tool_format f);

typedef struct tool_formats_options {
    exrqoi_exr_to_qoi_options e2q; /* EXR (and raw) -> QOI/PNG: selection, exposure, tone, linear */
    exrqoi_compression comp;       /* -> EXR */
    int bits;                      /* PNG output: 8 (default, also 0) or 16 */
    /* -> EXR sample type: 0 = half from 8-bit sources, float from 16-bit
     * and camera raw ones; or EXRQOI_PIXEL_HALF / EXRQOI_PIXEL_FLOAT */
    exrqoi_pixel_type exr_type;
    tool_raw_options raw;          /* camera raw: primaries, white balance */
    const exrqoi_limits *limits;   /* NULL = defaults */
    int threads;
} tool_formats_options;

/* True if this pair is handled here (either side PNG or camera raw). */
bool tool_formats_handles(tool_format in, tool_format out);

/* Converts `in` to `out` (written atomically). Failures put a sentence in
 * msg; warnings (e.g. an ICC profile not applied) go to stderr prefixed
 * with the input's name. */
exrqoi_result tool_formats_convert(const tool_formats_options *o, const char *in, const char *out,
                                   tool_msg *msg);

#endif
