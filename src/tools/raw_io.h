/* Camera raw files (DNG and what LibRaw reads) for the tool.
 *
 * LibRaw unpacks the sensor data and reads the metadata; the rest is done
 * here in float so that nothing clips: black level subtracted and scaled
 * so that 1.0 is the sensor's white level, white balance (as shot, or the
 * caller's multipliers) normalised so that green is 1 (the other channels
 * go above 1.0 where the sensor saturated: highlights are not clipped),
 * bilinear demosaicing (the average of the 3x3 neighbours of each missing
 * colour, 5x5 where a CFA has none there), then the camera matrix LibRaw
 * derives from the file (for DNG, ColorMatrix as dcraw does it) to linear
 * Rec. 709, or on to ACES AP0 (Bradford from D65 to the ACES white). No
 * tone curve, no gamma, no auto-brightness. The orientation the file
 * records is applied.
 *
 * Nothing here prints (LibRaw's data-error messages are captured):
 * failures return an exrqoi_result and a sentence in msg. Built without
 * LibRaw, every call fails with EXRQOI_ERR_UNSUPPORTED and says so. */
#ifndef EXRQOI_TOOL_RAW_IO_H
#define EXRQOI_TOOL_RAW_IO_H

#include "tools/tool_image.h"

bool tool_raw_available(void);

typedef enum tool_raw_primaries {
    TOOL_RAW_REC709 = 0, /* linear Rec. 709 / sRGB primaries, D65 */
    TOOL_RAW_ACES = 1    /* ACES AP0 (ACES2065-1), ACES white */
} tool_raw_primaries;

typedef struct tool_raw_options {
    tool_raw_primaries primaries;
    /* true: these R, G, B multipliers instead of the as-shot ones (only
     * their ratios matter: they are normalised to G = 1) */
    bool has_wb;
    float wb[3];
    /* max_width, max_height, max_pixels, max_alloc_bytes; NULL = defaults */
    const exrqoi_limits *limits;
} tool_raw_options;

/* What a compositor wants to keep. Numbers are 0 and strings empty when
 * the file does not say. */
typedef struct tool_raw_meta {
    char make[64], model[64], lens[128];
    float iso;           /* ISO speed */
    float exposure_time; /* seconds */
    float aperture;      /* f-number */
    float focal_length;  /* mm */
    float wb[3];         /* the multipliers used (G = 1) */
    exrqoi_chromaticities chroma; /* of the output pixels */
} tool_raw_meta;

/* Decodes a camera raw file to scene-linear float RGB (TOOL_SAMPLE_F32,
 * 3 channels). opts may be NULL (as shot, Rec. 709, default limits). */
exrqoi_result tool_raw_read_path(const char *path, const tool_raw_options *opts, tool_image *out,
                                 tool_raw_meta *meta, char *msg, size_t msg_size);
/* The same from memory (data must stay valid during the call). */
exrqoi_result tool_raw_read_mem(const void *data, size_t size, const tool_raw_options *opts,
                                tool_image *out, tool_raw_meta *meta, char *msg,
                                size_t msg_size);

#endif
