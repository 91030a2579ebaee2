/* exrqoi convert with a PNG or camera raw side: the conversions between
 * PNG, camera raw, EXR and QOI, on top of png_io.h, raw_io.h and the
 * library's conversion pipeline (include/exrqoi/convert.h). The command
 * (cmd_convert.c) parses the options and checks the outputs; these
 * functions read a tool_src and write through files.h's safe outputs. */
#ifndef EXRQOI_TOOL_CONVERT_FORMATS_H
#define EXRQOI_TOOL_CONVERT_FORMATS_H

#include "tools/convert.h"

/* True if the pair in -> out is converted here (either side PNG, or the
 * input camera raw). */
bool conv_formats_handles(tool_fmt in, tool_fmt out);

/* False, with the sentence in msg, when this build lacks the library a
 * format needs (libspng for PNG, LibRaw for camera raw). */
bool conv_format_available(tool_fmt f, char *msg, size_t msg_size);

/* Converts the input s to `out` as format `to`. Failures put a sentence
 * in msg; warnings (e.g. an ICC profile not applied) go to stderr prefixed
 * with the input's name. */
exrqoi_result conv_formats(const conv_opts *o, const tool_src *s, tool_fmt to, const char *out, int threads,
                           conv_report *rep, tool_msg *msg);

#endif
