/*
 * exrqoi/meta.h - EXR metadata: attribute values, headers, channels.
 *
 * A header is an ordered list of attributes (file order). The library owns
 * the memory inside a header it gives you; exrqoi_header_free releases it.
 * Headers you build yourself start from exrqoi_header_init.
 *
 * Thread safety: a header may be read from several threads at once; it must
 * not be modified while another thread uses it.
 */
#ifndef EXRQOI_META_H
#define EXRQOI_META_H

#include "exrqoi/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct exrqoi_v2i { int32_t x, y; } exrqoi_v2i;
typedef struct exrqoi_v2f { float x, y; } exrqoi_v2f;
typedef struct exrqoi_v2d { double x, y; } exrqoi_v2d;
typedef struct exrqoi_v3i { int32_t x, y, z; } exrqoi_v3i;
typedef struct exrqoi_v3f { float x, y, z; } exrqoi_v3f;
typedef struct exrqoi_v3d { double x, y, z; } exrqoi_v3d;
typedef struct exrqoi_box2i { exrqoi_v2i min, max; } exrqoi_box2i; /**< inclusive */
typedef struct exrqoi_box2f { exrqoi_v2f min, max; } exrqoi_box2f;
typedef struct exrqoi_m33f { float m[9]; } exrqoi_m33f;   /**< row-major, as stored */
typedef struct exrqoi_m33d { double m[9]; } exrqoi_m33d;
typedef struct exrqoi_m44f { float m[16]; } exrqoi_m44f;
typedef struct exrqoi_m44d { double m[16]; } exrqoi_m44d;

typedef struct exrqoi_chromaticities {
    float red_x, red_y, green_x, green_y, blue_x, blue_y, white_x, white_y;
} exrqoi_chromaticities;

typedef struct exrqoi_keycode {
    int32_t film_mfc_code, film_type, prefix, count, perf_offset, perfs_per_frame, perfs_per_count;
} exrqoi_keycode;

typedef struct exrqoi_rational { int32_t num; uint32_t denom; } exrqoi_rational;
typedef struct exrqoi_timecode { uint32_t time_and_flags, user_data; } exrqoi_timecode;

/** Tile description. In the file the mode byte is level_mode | rounding_mode << 4. */
typedef struct exrqoi_tiledesc {
    uint32_t x_size, y_size;
    uint8_t level_mode;    /**< exrqoi_level_mode */
    uint8_t rounding_mode; /**< exrqoi_rounding_mode */
} exrqoi_tiledesc;

typedef struct exrqoi_preview {
    uint32_t width, height;
    uint8_t *rgba; /**< width*height*4 bytes, owned by the attribute */
} exrqoi_preview;

/** A string with its length (may hold NUL bytes); str is also NUL-terminated. */
typedef struct exrqoi_string { int32_t length; char *str; } exrqoi_string;
typedef struct exrqoi_stringvector { int32_t count; exrqoi_string *strings; } exrqoi_stringvector;
typedef struct exrqoi_floatvector { int32_t count; float *values; } exrqoi_floatvector;

/** The "bytes" attribute type (OpenEXR 3.3): a type hint and raw bytes. */
typedef struct exrqoi_bytes {
    uint32_t hint_length;
    char *type_hint; /**< NUL-terminated copy */
    size_t size;
    uint8_t *data;
} exrqoi_bytes;

/** Bytes of an attribute whose type this library does not know; written back unchanged. */
typedef struct exrqoi_opaque { size_t size; uint8_t *data; } exrqoi_opaque;

typedef struct exrqoi_channel {
    char *name;
    exrqoi_pixel_type type;
    uint8_t p_linear;
    int32_t x_sampling, y_sampling;
} exrqoi_channel;

/** Channel list; kept sorted by name bytes, as the format requires. */
typedef struct exrqoi_chlist { int32_t count; exrqoi_channel *entries; } exrqoi_chlist;

typedef enum exrqoi_attr_type {
    EXRQOI_ATTR_OPAQUE = 0, /**< unknown type, kept as bytes */
    EXRQOI_ATTR_BOX2I, EXRQOI_ATTR_BOX2F, EXRQOI_ATTR_BYTES, EXRQOI_ATTR_CHLIST,
    EXRQOI_ATTR_CHROMATICITIES, EXRQOI_ATTR_COMPRESSION, EXRQOI_ATTR_DOUBLE, EXRQOI_ATTR_ENVMAP,
    EXRQOI_ATTR_FLOAT, EXRQOI_ATTR_FLOATVECTOR, EXRQOI_ATTR_INT, EXRQOI_ATTR_KEYCODE,
    EXRQOI_ATTR_LINEORDER, EXRQOI_ATTR_M33F, EXRQOI_ATTR_M33D, EXRQOI_ATTR_M44F, EXRQOI_ATTR_M44D,
    EXRQOI_ATTR_PREVIEW, EXRQOI_ATTR_RATIONAL, EXRQOI_ATTR_STRING, EXRQOI_ATTR_STRINGVECTOR,
    EXRQOI_ATTR_TILEDESC, EXRQOI_ATTR_TIMECODE, EXRQOI_ATTR_V2I, EXRQOI_ATTR_V2F, EXRQOI_ATTR_V2D,
    EXRQOI_ATTR_V3I, EXRQOI_ATTR_V3F, EXRQOI_ATTR_V3D, EXRQOI_ATTR_DEEP_IMAGE_STATE,
    EXRQOI_ATTR_TYPE_COUNT
} exrqoi_attr_type;

typedef struct exrqoi_attribute {
    char *name;
    char *type_name; /**< type as written in the file ("box2i", or a custom name) */
    exrqoi_attr_type type;
    union {
        uint8_t u8; /**< compression, envmap, lineOrder, deepImageState */
        int32_t i;
        float f;
        double d;
        exrqoi_box2i box2i;
        exrqoi_box2f box2f;
        exrqoi_bytes bytes;
        exrqoi_chlist chlist;
        exrqoi_chromaticities chromaticities;
        exrqoi_floatvector floatvector;
        exrqoi_keycode keycode;
        exrqoi_m33f m33f;
        exrqoi_m33d m33d;
        exrqoi_m44f m44f;
        exrqoi_m44d m44d;
        exrqoi_preview preview;
        exrqoi_rational rational;
        exrqoi_string string;
        exrqoi_stringvector stringvector;
        exrqoi_tiledesc tiledesc;
        exrqoi_timecode timecode;
        exrqoi_v2i v2i;
        exrqoi_v2f v2f;
        exrqoi_v2d v2d;
        exrqoi_v3i v3i;
        exrqoi_v3f v3f;
        exrqoi_v3d v3d;
        exrqoi_opaque opaque;
    } v;
} exrqoi_attribute;

/** Type name as stored in files ("box2i", "chlist", ...); NULL for OPAQUE/unknown. */
EXRQOI_API const char *exrqoi_attr_type_name(exrqoi_attr_type t);
/** Type from its file name; EXRQOI_ATTR_OPAQUE when unknown. */
EXRQOI_API exrqoi_attr_type exrqoi_attr_type_from_name(const char *name);

/** An ordered attribute list. Zero-initialise or call exrqoi_header_init. */
typedef struct exrqoi_header {
    int32_t count;
    int32_t capacity;
    exrqoi_attribute *attrs; /**< file order */
    exrqoi_allocator alloc;  /**< used for everything inside; zero = malloc */
} exrqoi_header;

/** Empties *h and sets its allocator (NULL = malloc). */
EXRQOI_API void exrqoi_header_init(exrqoi_header *h, const exrqoi_allocator *allocator);
/** Frees everything inside *h (not h itself) and leaves it empty. NULL is fine. */
EXRQOI_API void exrqoi_header_free(exrqoi_header *h);
/** Deep copy of src into dst (dst is initialised with src's allocator first). */
EXRQOI_API exrqoi_result exrqoi_header_copy(exrqoi_header *dst, const exrqoi_header *src);
/** The attribute called `name`, or NULL. */
EXRQOI_API const exrqoi_attribute *exrqoi_header_find(const exrqoi_header *h, const char *name);
/** Adds or replaces attribute `a->name` with a deep copy of *a (type_name
 * may be NULL for known types). Replacing keeps the attribute's position. */
EXRQOI_API exrqoi_result exrqoi_header_set(exrqoi_header *h, const exrqoi_attribute *a);
/** Removes `name`; EXRQOI_ERR_NOT_FOUND if absent. */
EXRQOI_API exrqoi_result exrqoi_header_remove(exrqoi_header *h, const char *name);
/** Frees the contents of one attribute (used for attributes you filled yourself). */
EXRQOI_API void exrqoi_attribute_free(const exrqoi_allocator *allocator, exrqoi_attribute *a);

/* Typed setters: add or replace one attribute of the standard type for
 * the value (int, float, double, string, box2i, v2f) or of the named
 * standard attribute (compression, lineOrder, tiles, chromaticities).
 * They return EXRQOI_ERR_INVALID_ARGUMENT for a NULL header or name or an
 * out-of-range enumeration value, EXRQOI_ERR_OUT_OF_MEMORY if the
 * allocator fails; the header is unchanged on failure. */
EXRQOI_API exrqoi_result exrqoi_header_set_int(exrqoi_header *h, const char *name, int32_t v);
EXRQOI_API exrqoi_result exrqoi_header_set_float(exrqoi_header *h, const char *name, float v);
EXRQOI_API exrqoi_result exrqoi_header_set_double(exrqoi_header *h, const char *name, double v);
EXRQOI_API exrqoi_result exrqoi_header_set_string(exrqoi_header *h, const char *name, const char *v);
EXRQOI_API exrqoi_result exrqoi_header_set_box2i(exrqoi_header *h, const char *name, exrqoi_box2i v);
EXRQOI_API exrqoi_result exrqoi_header_set_v2f(exrqoi_header *h, const char *name, exrqoi_v2f v);
EXRQOI_API exrqoi_result exrqoi_header_set_compression(exrqoi_header *h, exrqoi_compression c);
EXRQOI_API exrqoi_result exrqoi_header_set_line_order(exrqoi_header *h, exrqoi_line_order o);
EXRQOI_API exrqoi_result exrqoi_header_set_tiles(exrqoi_header *h, exrqoi_tiledesc t);
EXRQOI_API exrqoi_result exrqoi_header_set_chromaticities(exrqoi_header *h, exrqoi_chromaticities c);
/** Adds a channel to the "channels" attribute (creating it), keeping it sorted. */
EXRQOI_API exrqoi_result exrqoi_header_add_channel(exrqoi_header *h, const char *name,
                                                   exrqoi_pixel_type type, int32_t x_sampling,
                                                   int32_t y_sampling, int p_linear);

/** Fills a header with the attributes every EXR part needs: channels
 * (empty), compression, dataWindow and displayWindow (0,0)-(w-1,h-1),
 * lineOrder increasing, pixelAspectRatio 1, screenWindowCenter (0,0),
 * screenWindowWidth 1. */
EXRQOI_API exrqoi_result exrqoi_header_init_image(exrqoi_header *h, const exrqoi_allocator *allocator,
                                                  int32_t width, int32_t height,
                                                  exrqoi_compression compression);

/** Standard chromaticities of Rec. ITU-R BT.709 (OpenEXR's default). */
EXRQOI_API exrqoi_chromaticities exrqoi_chromaticities_rec709(void);
/** ACES AP0 primaries with the ACES white point (SMPTE ST 2065-1). */
EXRQOI_API exrqoi_chromaticities exrqoi_chromaticities_aces_ap0(void);
/** Row-major 3x3 matrix taking linear RGB with chromaticities `src` to
 * linear RGB with chromaticities `dst`, through XYZ, with a Bradford
 * adaptation when the white points differ (the conversion the EXR -> QOI
 * pipeline applies to Rec. 709). EXRQOI_ERR_INVALID_ARGUMENT for NULL
 * arguments or degenerate chromaticities. */
EXRQOI_API exrqoi_result exrqoi_chromaticities_matrix(const exrqoi_chromaticities *src,
                                                      const exrqoi_chromaticities *dst,
                                                      double matrix[9]);

#ifdef __cplusplus
}
#endif
#endif
