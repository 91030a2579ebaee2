/* PNG files for the tool, through libspng (docs/building.md says why).
 *
 * Reading gives every PNG kind (gray, gray+alpha, RGB, RGBA, palette with
 * tRNS; 1, 2, 4, 8 and 16 bits; interlaced or not) as RGB or RGBA:
 * 8-bit samples for sources of up to 8 bits (palette entries are 8-bit),
 * 16-bit for 16-bit sources; 4 channels when the source has alpha (an
 * alpha channel or a tRNS chunk), 3 otherwise (gray is replicated). The
 * colour chunks (sRGB, gAMA, cHRM, iCCP) are reported, not applied.
 *
 * Writing takes 8- or 16-bit RGB or RGBA and makes a PNG in memory; the
 * caller writes it out (the tool's safe-output code owns files).
 *
 * Nothing here prints: failures return an exrqoi_result and a sentence in
 * msg. Built without libspng, every call fails with EXRQOI_ERR_UNSUPPORTED
 * and says so. */
#ifndef EXRQOI_TOOL_PNG_IO_H
#define EXRQOI_TOOL_PNG_IO_H

#include "tools/tool_image.h"

/* Whether this build has PNG support. */
bool tool_png_available(void);

/* True if data starts with the PNG signature (8 bytes). */
bool tool_png_sniff(const void *data, size_t size);

/* What the file says about itself, besides the pixels. */
typedef struct tool_png_source {
    int color_type;  /* 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA */
    int bit_depth;   /* 1, 2, 4, 8 or 16 */
    bool interlaced; /* Adam7 */
    bool has_trns;
} tool_png_source;

/* Decodes a PNG held in memory. limits: max_width, max_height, max_pixels,
 * max_alloc_bytes (decoded image) and max_attribute_size (one chunk, and
 * all kept ancillary chunks together); NULL = the library's defaults.
 * src may be NULL. On failure *out is zeroed. */
exrqoi_result tool_png_read_mem(const void *data, size_t size, const exrqoi_limits *limits,
                                tool_image *out, tool_color_info *color, tool_png_source *src,
                                char *msg, size_t msg_size);

/* The same from a file (read as a stream, never wholly in memory). */
exrqoi_result tool_png_read_path(const char *path, const exrqoi_limits *limits, tool_image *out,
                                 tool_color_info *color, tool_png_source *src, char *msg,
                                 size_t msg_size);

typedef enum tool_png_encoding {
    TOOL_PNG_SRGB = 0,  /* sRGB chunk (perceptual) + gAMA 1/2.2 + cHRM Rec. 709 */
    TOOL_PNG_LINEAR = 1 /* gAMA 1.0 + cHRM Rec. 709 */
} tool_png_encoding;

/* Encodes an 8- or 16-bit RGB/RGBA image (straight alpha) to PNG in
 * memory: *png is malloc'd, *png_size bytes. level: zlib level 0..9, or
 * -1 for libspng's default. */
exrqoi_result tool_png_write_mem(const tool_image *img, tool_png_encoding encoding, int level,
                                 void **png, size_t *png_size, char *msg, size_t msg_size);

#endif
