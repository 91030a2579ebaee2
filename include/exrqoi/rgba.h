/*
 * exrqoi/rgba.h - RGBA convenience API: read the colour of one part (or of
 * one layer and view of it) as interleaved R,G,B,A, and write such pixels
 * as a plain RGB(A) half EXR.
 *
 * Reading follows OpenEXR's RgbaInputFile:
 *   - R, G, B, A channels (with an optional layer prefix "diffuse.");
 *     a missing colour channel reads as 0, a missing A as 1;
 *   - a Y channel without RY/BY is a gray image (Y goes to R, G and B);
 *     when Y is present, R/G/B are ignored, as RgbaInputFile does;
 *   - luminance/chroma images (Y, RY, BY, RY/BY sampled 2x2) are converted
 *     to RGB with the file's chromaticities exactly as RgbaInputFile does:
 *     horizontal and vertical chroma reconstruction filters, YCA -> RGB
 *     with the chromaticities' luminance weights, then its saturation fix,
 *     all rounded through half at the same steps, so the values are
 *     OpenEXR's bit for bit.
 * EXR colour is premultiplied by alpha; these calls do not change that.
 *
 * Thread safety: the read calls only read the reader (which may be shared);
 * everything else is reentrant.
 */
#ifndef EXRQOI_RGBA_H
#define EXRQOI_RGBA_H

#include "exrqoi/common.h"
#include "exrqoi/meta.h"
#include "exrqoi/read.h"
#include "exrqoi/write.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Which channels a selection found (bits of exrqoi_rgba_info.found). */
enum {
    EXRQOI_RGBA_R = 1,
    EXRQOI_RGBA_G = 2,
    EXRQOI_RGBA_B = 4,
    EXRQOI_RGBA_A = 8,
    EXRQOI_RGBA_Y = 16,
    EXRQOI_RGBA_C = 32 /**< RY and/or BY: a luminance/chroma image */
};

/** What to read. Initialise with EXRQOI_RGBA_READ_OPTIONS_INIT (a
 * struct_size of 0 is EXRQOI_ERR_INVALID_ARGUMENT); NULL options = all
 * defaults. */
typedef struct exrqoi_rgba_read_options {
    size_t struct_size; /**< sizeof(exrqoi_rgba_read_options) of the caller's build */
    /** Part index, used when part_name is NULL and no view picks a part. */
    int part;
    /** Part by its "name" attribute (NULL = use `part` or `view`). */
    const char *part_name;
    /** Layer: "diffuse" reads diffuse.R, diffuse.G, ... (NULL or "" = none). */
    const char *layer;
    /** View of a multi-view file (NULL = the default view). In a multipart
     * file it picks the first part whose "view" attribute matches (and that
     * holds the layer's colour channels); in a single-part file with a
     * "multiView" attribute it picks channels named layer.view.R (or
     * layer.R for the default view, the first one listed). */
    const char *view;
    /** EXRQOI_PIXEL_FLOAT, EXRQOI_PIXEL_HALF, or EXRQOI_PIXEL_DEFAULT
     * (= FLOAT); EXRQOI_PIXEL_UINT is EXRQOI_ERR_INVALID_ARGUMENT. */
    exrqoi_pixel_type type;
    /** 0: the pixels cover the data window. Non-zero: they cover the
     * display window, and pixels outside the data window are 0,0,0,0. */
    int display_window;
} exrqoi_rgba_read_options;

/** All defaults: part 0, no layer, the default view, float, data window. */
#define EXRQOI_RGBA_READ_OPTIONS_INIT \
    {sizeof(exrqoi_rgba_read_options), 0, NULL, NULL, NULL, EXRQOI_PIXEL_DEFAULT, 0}

/** What a selection resolved to. Strings point into the reader. */
typedef struct exrqoi_rgba_info {
    int part;                      /**< part index read */
    int found;                     /**< EXRQOI_RGBA_* bits of the channels present */
    exrqoi_box2i window;           /**< the pixels delivered (data or display window) */
    exrqoi_box2i data_window;
    exrqoi_box2i display_window;
    int32_t width, height;         /**< of window */
    exrqoi_chromaticities chromaticities; /**< the file's, or Rec. 709 */
    int has_chromaticities;        /**< the part has a chromaticities attribute */
    exrqoi_pixel_type type;        /**< type of the delivered samples */
} exrqoi_rgba_info;

/** Resolves part, layer, view and channels without reading pixels.
 * EXRQOI_ERR_NOT_FOUND if the part, view or layer does not exist or has no
 * R, G, B, A, Y, RY or BY channel; EXRQOI_ERR_UNSUPPORTED for deep parts
 * and chroma channels not sampled 2x2. */
EXRQOI_API exrqoi_result exrqoi_rgba_select(const exrqoi_reader *r,
                                            const exrqoi_rgba_read_options *opts,
                                            exrqoi_rgba_info *info);

/** Reads into the caller's buffer: info->height rows of info->width pixels
 * of 4 samples (R,G,B,A) of 2 (half) or 4 (float) bytes, rows `stride`
 * bytes apart (0 = tightly packed), `size` bytes in all. `info` may be
 * NULL; when given it receives the selection. */
EXRQOI_API exrqoi_result exrqoi_rgba_read(exrqoi_reader *r, const exrqoi_rgba_read_options *opts,
                                          exrqoi_rgba_info *info, void *pixels, size_t stride,
                                          size_t size);

/** Like exrqoi_rgba_read into a tightly packed buffer allocated with the
 * reader's allocator (free with exrqoi_free). */
EXRQOI_API exrqoi_result exrqoi_rgba_read_alloc(exrqoi_reader *r,
                                                const exrqoi_rgba_read_options *opts,
                                                exrqoi_rgba_info *info, void **pixels,
                                                size_t *size);

/** How to write. Initialise with EXRQOI_RGBA_WRITE_OPTIONS_INIT (a
 * struct_size of 0 is EXRQOI_ERR_INVALID_ARGUMENT); NULL options = all
 * defaults. */
typedef struct exrqoi_rgba_write_options {
    size_t struct_size; /**< sizeof(exrqoi_rgba_write_options) of the caller's build */
    /** Allocator, pool, threads, zip level, messages (NULL = defaults). */
    const exrqoi_write_options *write;
    /** File compression (EXRQOI_COMPRESSION_DEFAULT = NONE). */
    exrqoi_compression compression;
    /** Channels written: 4 = R,G,B,A (default, also for 0), 3 = R,G,B
     * (the input's alpha is ignored). */
    int channels;
    /** Type of the input samples: EXRQOI_PIXEL_HALF (bits) or
     * EXRQOI_PIXEL_FLOAT (also EXRQOI_PIXEL_DEFAULT); floats are rounded
     * to the channel type. */
    exrqoi_pixel_type input_type;
    /** Non-zero: write a chromaticities attribute with `chromaticities`. */
    int write_chromaticities;
    exrqoi_chromaticities chromaticities;
    /** Extra attributes to copy into the header (NULL = none); the
     * channel list, windows and compression are always this call's. */
    const exrqoi_header *extra;
    /** Type of the file's channels: EXRQOI_PIXEL_HALF (also
     * EXRQOI_PIXEL_DEFAULT) or EXRQOI_PIXEL_FLOAT (keeps 16-bit sources
     * exact). */
    exrqoi_pixel_type channel_type;
} exrqoi_rgba_write_options;

/** All defaults: no compression, R,G,B,A, float input, half channels. */
#define EXRQOI_RGBA_WRITE_OPTIONS_INIT                                                       \
    {sizeof(exrqoi_rgba_write_options), NULL, EXRQOI_COMPRESSION_DEFAULT, 0,                 \
     EXRQOI_PIXEL_DEFAULT, 0, {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f}, NULL,       \
     EXRQOI_PIXEL_DEFAULT}

/** Writes width*height pixels of 4 interleaved samples (R,G,B,A), rows
 * `stride` bytes apart (0 = tightly packed), as a half (or float, see
 * channel_type) R,G,B(,A) EXR with data and display window
 * (0,0)-(width-1,height-1), to `sink` (a path atomically; a memory sink's
 * buffer is allocated with opts->write's allocator). */
EXRQOI_API exrqoi_result exrqoi_rgba_write(exrqoi_sink sink, int32_t width, int32_t height,
                                           const void *pixels, size_t stride,
                                           const exrqoi_rgba_write_options *opts);

#ifdef __cplusplus
}
#endif
#endif
