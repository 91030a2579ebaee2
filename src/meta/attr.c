/* Attribute values: parsing from file bytes, serialising back, deep copies.
 * Every count read from a file is bounded by the bytes actually present
 * before anything is allocated for it. */
#include "meta/attr.h"

#include <stdio.h>

static const char *const k_type_names[EXRQOI_ATTR_TYPE_COUNT] = {
    NULL,          "box2i",  "box2f",        "bytes",    "chlist",   "chromaticities",
    "compression", "double", "envmap",       "float",    "floatvector", "int",
    "keycode",     "lineOrder", "m33f",      "m33d",     "m44f",     "m44d",
    "preview",     "rational", "string",     "stringvector", "tiledesc", "timecode",
    "v2i",         "v2f",    "v2d",          "v3i",      "v3f",      "v3d",
    "deepImageState"};

/* Value size of the fixed-size types; 0 for variable-size ones. */
static size_t fixed_size(exrqoi_attr_type t)
{
    switch (t) {
    case EXRQOI_ATTR_BOX2I:
    case EXRQOI_ATTR_BOX2F: return 16;
    case EXRQOI_ATTR_CHROMATICITIES: return 32;
    case EXRQOI_ATTR_COMPRESSION:
    case EXRQOI_ATTR_ENVMAP:
    case EXRQOI_ATTR_LINEORDER:
    case EXRQOI_ATTR_DEEP_IMAGE_STATE: return 1;
    case EXRQOI_ATTR_DOUBLE: return 8;
    case EXRQOI_ATTR_FLOAT:
    case EXRQOI_ATTR_INT: return 4;
    case EXRQOI_ATTR_KEYCODE: return 28;
    case EXRQOI_ATTR_M33F: return 36;
    case EXRQOI_ATTR_M33D: return 72;
    case EXRQOI_ATTR_M44F: return 64;
    case EXRQOI_ATTR_M44D: return 128;
    case EXRQOI_ATTR_RATIONAL:
    case EXRQOI_ATTR_TIMECODE:
    case EXRQOI_ATTR_V2I:
    case EXRQOI_ATTR_V2F: return 8;
    case EXRQOI_ATTR_TILEDESC: return 9;
    case EXRQOI_ATTR_V2D: return 16;
    case EXRQOI_ATTR_V3I:
    case EXRQOI_ATTR_V3F: return 12;
    case EXRQOI_ATTR_V3D: return 24;
    default: return 0;
    }
}

const char *exrqoi_attr_type_name(exrqoi_attr_type t)
{
    if ((unsigned)t >= EXRQOI_ATTR_TYPE_COUNT) return NULL;
    return k_type_names[t];
}

exrqoi_attr_type exrqoi_attr_type_from_name(const char *name)
{
    if (!name) return EXRQOI_ATTR_OPAQUE;
    for (int i = 1; i < EXRQOI_ATTR_TYPE_COUNT; i++)
        if (strcmp(name, k_type_names[i]) == 0) return (exrqoi_attr_type)i;
    return EXRQOI_ATTR_OPAQUE;
}

/* ---- little-endian cursors ---------------------------------------------- */

static int32_t get_i32(const uint8_t **p)
{
    int32_t v = (int32_t)exrqoi__le32(*p);
    *p += 4;
    return v;
}
static uint32_t get_u32(const uint8_t **p)
{
    uint32_t v = exrqoi__le32(*p);
    *p += 4;
    return v;
}
static float get_f32(const uint8_t **p)
{
    float v = exrqoi__lef32(*p);
    *p += 4;
    return v;
}
static double get_f64(const uint8_t **p)
{
    double v = exrqoi__lef64(*p);
    *p += 8;
    return v;
}
static void put_i32(uint8_t **p, int32_t v)
{
    exrqoi__put32(*p, (uint32_t)v);
    *p += 4;
}
static void put_u32(uint8_t **p, uint32_t v)
{
    exrqoi__put32(*p, v);
    *p += 4;
}
static void put_f32(uint8_t **p, float v)
{
    exrqoi__putf32(*p, v);
    *p += 4;
}
static void put_f64(uint8_t **p, double v)
{
    exrqoi__putf64(*p, v);
    *p += 8;
}
static void put_bytes(uint8_t **p, const void *src, size_t n)
{
    /* A caller-built value may lack its buffer; zeros keep the size promise. */
    if (n && src)
        memcpy(*p, src, n);
    else if (n)
        memset(*p, 0, n);
    *p += n;
}

/* ---- freeing ------------------------------------------------------------ */

static void free_value(const exrqoi_allocator *al, exrqoi_attribute *a)
{
    switch (a->type) {
    case EXRQOI_ATTR_BYTES:
        exrqoi__free(al, a->v.bytes.type_hint);
        exrqoi__free(al, a->v.bytes.data);
        break;
    case EXRQOI_ATTR_CHLIST:
        if (a->v.chlist.entries)
            for (int32_t i = 0; i < a->v.chlist.count; i++)
                exrqoi__free(al, a->v.chlist.entries[i].name);
        exrqoi__free(al, a->v.chlist.entries);
        break;
    case EXRQOI_ATTR_FLOATVECTOR: exrqoi__free(al, a->v.floatvector.values); break;
    case EXRQOI_ATTR_PREVIEW: exrqoi__free(al, a->v.preview.rgba); break;
    case EXRQOI_ATTR_STRING: exrqoi__free(al, a->v.string.str); break;
    case EXRQOI_ATTR_STRINGVECTOR:
        if (a->v.stringvector.strings)
            for (int32_t i = 0; i < a->v.stringvector.count; i++)
                exrqoi__free(al, a->v.stringvector.strings[i].str);
        exrqoi__free(al, a->v.stringvector.strings);
        break;
    case EXRQOI_ATTR_OPAQUE: exrqoi__free(al, a->v.opaque.data); break;
    default: break;
    }
    memset(&a->v, 0, sizeof a->v);
}

void exrqoi_attribute_free(const exrqoi_allocator *allocator, exrqoi_attribute *a)
{
    if (!a) return;
    free_value(allocator, a);
    exrqoi__free(allocator, a->name);
    exrqoi__free(allocator, a->type_name);
    memset(a, 0, sizeof *a);
}

/* ---- parsing ------------------------------------------------------------ */

typedef struct parse_ctx {
    const exrqoi_allocator *al;
    const char *name;
    const char *type_name;
    exrqoi__err *err;
} parse_ctx;

static exrqoi_result bad(const parse_ctx *c, const char *fmt, ...) EXRQOI_PRINTF(2, 3);
static exrqoi_result bad(const parse_ctx *c, const char *fmt, ...)
{
    char detail[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return exrqoi__fail(c->err, EXRQOI_ERR_BAD_ATTRIBUTE, "attribute '%s' (%s): %s", c->name,
                        c->type_name, detail);
}

static exrqoi_result oom(const parse_ctx *c)
{
    return exrqoi__fail(c->err, EXRQOI_ERR_OUT_OF_MEMORY, "attribute '%s' (%s): out of memory",
                        c->name, c->type_name);
}

static void parse_fixed(exrqoi_attribute *a, const uint8_t *p)
{
    switch (a->type) {
    case EXRQOI_ATTR_BOX2I:
        a->v.box2i.min.x = get_i32(&p);
        a->v.box2i.min.y = get_i32(&p);
        a->v.box2i.max.x = get_i32(&p);
        a->v.box2i.max.y = get_i32(&p);
        break;
    case EXRQOI_ATTR_BOX2F:
        a->v.box2f.min.x = get_f32(&p);
        a->v.box2f.min.y = get_f32(&p);
        a->v.box2f.max.x = get_f32(&p);
        a->v.box2f.max.y = get_f32(&p);
        break;
    case EXRQOI_ATTR_CHROMATICITIES: {
        exrqoi_chromaticities *c = &a->v.chromaticities;
        c->red_x = get_f32(&p);
        c->red_y = get_f32(&p);
        c->green_x = get_f32(&p);
        c->green_y = get_f32(&p);
        c->blue_x = get_f32(&p);
        c->blue_y = get_f32(&p);
        c->white_x = get_f32(&p);
        c->white_y = get_f32(&p);
        break;
    }
    case EXRQOI_ATTR_COMPRESSION:
    case EXRQOI_ATTR_ENVMAP:
    case EXRQOI_ATTR_LINEORDER:
    case EXRQOI_ATTR_DEEP_IMAGE_STATE: a->v.u8 = p[0]; break;
    case EXRQOI_ATTR_DOUBLE: a->v.d = get_f64(&p); break;
    case EXRQOI_ATTR_FLOAT: a->v.f = get_f32(&p); break;
    case EXRQOI_ATTR_INT: a->v.i = get_i32(&p); break;
    case EXRQOI_ATTR_KEYCODE: {
        exrqoi_keycode *k = &a->v.keycode;
        k->film_mfc_code = get_i32(&p);
        k->film_type = get_i32(&p);
        k->prefix = get_i32(&p);
        k->count = get_i32(&p);
        k->perf_offset = get_i32(&p);
        k->perfs_per_frame = get_i32(&p);
        k->perfs_per_count = get_i32(&p);
        break;
    }
    case EXRQOI_ATTR_M33F:
        for (int i = 0; i < 9; i++) a->v.m33f.m[i] = get_f32(&p);
        break;
    case EXRQOI_ATTR_M33D:
        for (int i = 0; i < 9; i++) a->v.m33d.m[i] = get_f64(&p);
        break;
    case EXRQOI_ATTR_M44F:
        for (int i = 0; i < 16; i++) a->v.m44f.m[i] = get_f32(&p);
        break;
    case EXRQOI_ATTR_M44D:
        for (int i = 0; i < 16; i++) a->v.m44d.m[i] = get_f64(&p);
        break;
    case EXRQOI_ATTR_RATIONAL:
        a->v.rational.num = get_i32(&p);
        a->v.rational.denom = get_u32(&p);
        break;
    case EXRQOI_ATTR_TILEDESC:
        a->v.tiledesc.x_size = get_u32(&p);
        a->v.tiledesc.y_size = get_u32(&p);
        /* Values outside the enums are kept so they round-trip; the header
         * validation decides whether they are acceptable. */
        a->v.tiledesc.level_mode = (uint8_t)(p[0] & 0xf);
        a->v.tiledesc.rounding_mode = (uint8_t)(p[0] >> 4);
        break;
    case EXRQOI_ATTR_TIMECODE:
        a->v.timecode.time_and_flags = get_u32(&p);
        a->v.timecode.user_data = get_u32(&p);
        break;
    case EXRQOI_ATTR_V2I:
        a->v.v2i.x = get_i32(&p);
        a->v.v2i.y = get_i32(&p);
        break;
    case EXRQOI_ATTR_V2F:
        a->v.v2f.x = get_f32(&p);
        a->v.v2f.y = get_f32(&p);
        break;
    case EXRQOI_ATTR_V2D:
        a->v.v2d.x = get_f64(&p);
        a->v.v2d.y = get_f64(&p);
        break;
    case EXRQOI_ATTR_V3I:
        a->v.v3i.x = get_i32(&p);
        a->v.v3i.y = get_i32(&p);
        a->v.v3i.z = get_i32(&p);
        break;
    case EXRQOI_ATTR_V3F:
        a->v.v3f.x = get_f32(&p);
        a->v.v3f.y = get_f32(&p);
        a->v.v3f.z = get_f32(&p);
        break;
    case EXRQOI_ATTR_V3D:
        a->v.v3d.x = get_f64(&p);
        a->v.v3d.y = get_f64(&p);
        a->v.v3d.z = get_f64(&p);
        break;
    default: break;
    }
}

/* Channel entry after the name: int32 type, uint8 pLinear, 3 reserved,
 * int32 xSampling, int32 ySampling. */
#define CHANNEL_FIXED_BYTES 16

static exrqoi_result parse_chlist(const parse_ctx *c, const uint8_t *d, size_t size,
                                  exrqoi_chlist *out)
{
    /* First pass validates and counts; each entry takes at least 18 bytes,
     * so the count is bounded by the size. */
    size_t pos = 0, count = 0;
    for (;;) {
        if (pos >= size) return bad(c, "channel list lacks its terminating NUL");
        const uint8_t *nul = memchr(d + pos, 0, size - pos);
        if (!nul) return bad(c, "channel name at byte %zu is not NUL-terminated", pos);
        size_t len = (size_t)(nul - (d + pos));
        if (len == 0) {
            if (pos + 1 != size)
                return bad(c, "%zu bytes after the channel list terminator", size - pos - 1);
            break;
        }
        const char *chname = (const char *)(d + pos);
        pos += len + 1;
        if (size - pos < CHANNEL_FIXED_BYTES)
            return bad(c, "channel '%.*s' truncated (%zu of %d bytes)", (int)(len > 64 ? 64 : len),
                       chname, size - pos, CHANNEL_FIXED_BYTES);
        const uint8_t *p = d + pos;
        int32_t type = get_i32(&p);
        p += 4;
        int32_t xs = get_i32(&p);
        int32_t ys = get_i32(&p);
        if (type < 0 || type > 2)
            return bad(c, "channel '%.*s' has invalid pixel type %d", (int)(len > 64 ? 64 : len),
                       chname, (int)type);
        if (xs < 1 || ys < 1)
            return bad(c, "channel '%.*s' has invalid sampling %d %d", (int)(len > 64 ? 64 : len),
                       chname, (int)xs, (int)ys);
        pos += CHANNEL_FIXED_BYTES;
        count++;
    }
    if (count > INT32_MAX) return bad(c, "too many channels");
    out->count = 0;
    out->entries = NULL;
    if (count == 0) return EXRQOI_OK;
    out->entries = (exrqoi_channel *)exrqoi__calloc(c->al, count, sizeof(exrqoi_channel));
    if (!out->entries) return oom(c);
    pos = 0;
    for (size_t i = 0; i < count; i++) {
        size_t len = strlen((const char *)(d + pos));
        exrqoi_channel *ch = &out->entries[i];
        ch->name = exrqoi__strndup(c->al, (const char *)(d + pos), len);
        if (!ch->name) return oom(c); /* caller frees the partial list */
        out->count = (int32_t)(i + 1);
        const uint8_t *p = d + pos + len + 1;
        ch->type = (exrqoi_pixel_type)get_i32(&p);
        ch->p_linear = p[0];
        p += 4;
        ch->x_sampling = get_i32(&p);
        ch->y_sampling = get_i32(&p);
        pos += len + 1 + CHANNEL_FIXED_BYTES;
    }
    return EXRQOI_OK;
}

static exrqoi_result parse_stringvector(const parse_ctx *c, const uint8_t *d, size_t size,
                                        exrqoi_stringvector *out)
{
    /* Each string takes at least its 4-byte length, which bounds the count. */
    size_t pos = 0, count = 0;
    while (pos < size) {
        if (size - pos < 4)
            return bad(c, "%zu stray bytes where a string length was expected", size - pos);
        int32_t len = (int32_t)exrqoi__le32(d + pos);
        pos += 4;
        if (len < 0 || (size_t)len > size - pos)
            return bad(c, "string %zu has length %d, only %zu bytes left", count, (int)len,
                       size - pos);
        pos += (size_t)len;
        count++;
    }
    if (count > INT32_MAX) return bad(c, "too many strings");
    out->count = 0;
    out->strings = NULL;
    if (count == 0) return EXRQOI_OK;
    out->strings = (exrqoi_string *)exrqoi__calloc(c->al, count, sizeof(exrqoi_string));
    if (!out->strings) return oom(c);
    pos = 0;
    for (size_t i = 0; i < count; i++) {
        int32_t len = (int32_t)exrqoi__le32(d + pos);
        pos += 4;
        out->strings[i].str = exrqoi__strndup(c->al, (const char *)(d + pos), (size_t)len);
        if (!out->strings[i].str) return oom(c);
        out->strings[i].length = len;
        out->count = (int32_t)(i + 1);
        pos += (size_t)len;
    }
    return EXRQOI_OK;
}

static exrqoi_result parse_value(const parse_ctx *c, const uint8_t *d, size_t size,
                                 exrqoi_attribute *a)
{
    size_t fs = fixed_size(a->type);
    if (fs) {
        if (size != fs) return bad(c, "size %zu, expected %zu", size, fs);
        parse_fixed(a, d);
        return EXRQOI_OK;
    }
    switch (a->type) {
    case EXRQOI_ATTR_BYTES: {
        if (size < 4) return bad(c, "size %zu, expected at least 4", size);
        uint32_t hint = exrqoi__le32(d);
        if (hint > size - 4)
            return bad(c, "type hint length %u exceeds the %zu bytes left", (unsigned)hint,
                       size - 4);
        exrqoi_bytes *b = &a->v.bytes;
        b->hint_length = hint;
        b->type_hint = exrqoi__strndup(c->al, (const char *)(d + 4), hint);
        if (!b->type_hint) return oom(c);
        b->size = size - 4 - hint;
        if (b->size) {
            b->data = (uint8_t *)exrqoi__alloc(c->al, b->size);
            if (!b->data) return oom(c);
            memcpy(b->data, d + 4 + hint, b->size);
        }
        return EXRQOI_OK;
    }
    case EXRQOI_ATTR_CHLIST: return parse_chlist(c, d, size, &a->v.chlist);
    case EXRQOI_ATTR_FLOATVECTOR: {
        if (size % 4) return bad(c, "size %zu, expected a multiple of 4", size);
        size_t n = size / 4;
        if (n > INT32_MAX) return bad(c, "too many values");
        if (n) {
            a->v.floatvector.values = (float *)exrqoi__alloc(c->al, size);
            if (!a->v.floatvector.values) return oom(c);
            const uint8_t *p = d;
            for (size_t i = 0; i < n; i++) a->v.floatvector.values[i] = get_f32(&p);
        }
        a->v.floatvector.count = (int32_t)n;
        return EXRQOI_OK;
    }
    case EXRQOI_ATTR_PREVIEW: {
        if (size < 8) return bad(c, "size %zu, expected at least 8", size);
        uint32_t w = exrqoi__le32(d), h = exrqoi__le32(d + 4);
        uint64_t px, bytes, total;
        if (exrqoi__mul_u64(w, h, &px) || exrqoi__mul_u64(px, 4, &bytes) ||
            exrqoi__add_u64(bytes, 8, &total) || total != (uint64_t)size)
            return bad(c, "size %zu does not match a %u x %u preview", size, (unsigned)w,
                       (unsigned)h);
        a->v.preview.width = w;
        a->v.preview.height = h;
        if (bytes) {
            a->v.preview.rgba = (uint8_t *)exrqoi__alloc(c->al, (size_t)bytes);
            if (!a->v.preview.rgba) return oom(c);
            memcpy(a->v.preview.rgba, d + 8, (size_t)bytes);
        }
        return EXRQOI_OK;
    }
    case EXRQOI_ATTR_STRING:
        if (size > INT32_MAX) return bad(c, "size %zu too large for a string", size);
        a->v.string.str = exrqoi__strndup(c->al, (const char *)d, size);
        if (!a->v.string.str) return oom(c);
        a->v.string.length = (int32_t)size;
        return EXRQOI_OK;
    case EXRQOI_ATTR_STRINGVECTOR: return parse_stringvector(c, d, size, &a->v.stringvector);
    default: /* EXRQOI_ATTR_OPAQUE */
        a->v.opaque.size = size;
        if (size) {
            a->v.opaque.data = (uint8_t *)exrqoi__alloc(c->al, size);
            if (!a->v.opaque.data) return oom(c);
            memcpy(a->v.opaque.data, d, size);
        }
        return EXRQOI_OK;
    }
}

exrqoi_result exrqoi__attr_parse(const exrqoi_allocator *alloc, const exrqoi_limits *limits,
                                 const char *name, const char *type_name, const uint8_t *data,
                                 size_t size, exrqoi_attribute *out, exrqoi__err *err)
{
    if (!out) return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT, "attribute output is NULL");
    memset(out, 0, sizeof *out);
    if (!name || !type_name || (!data && size))
        return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT, "attribute name, type or data is NULL");

    exrqoi_limits lim;
    if (exrqoi__limits_resolve(limits, &lim) != EXRQOI_OK)
        return exrqoi__fail(err, EXRQOI_ERR_INVALID_ARGUMENT, "limits not initialised (EXRQOI_LIMITS_INIT)");
    if (size > lim.max_attribute_size)
        return exrqoi__fail(err, EXRQOI_ERR_LIMIT,
                            "attribute '%s' (%s): size %zu exceeds the limit of %u bytes", name,
                            type_name, size, (unsigned)lim.max_attribute_size);

    parse_ctx c = {alloc, name, type_name, err};
    exrqoi_attribute a;
    memset(&a, 0, sizeof a);
    a.type = exrqoi_attr_type_from_name(type_name);
    exrqoi_result r = parse_value(&c, data, size, &a);
    if (r == EXRQOI_OK) {
        a.name = exrqoi__strdup(alloc, name);
        a.type_name = exrqoi__strdup(alloc, type_name);
        if (!a.name || !a.type_name) r = oom(&c);
    }
    if (r != EXRQOI_OK) {
        exrqoi_attribute_free(alloc, &a);
        return r;
    }
    *out = a;
    return EXRQOI_OK;
}

/* ---- serialising -------------------------------------------------------- */

static size_t nonneg(int32_t v) { return v > 0 ? (size_t)v : 0; }

size_t exrqoi__attr_value_size(const exrqoi_attribute *a)
{
    size_t fs = fixed_size(a->type);
    if (fs) return fs;
    size_t n = 0;
    switch (a->type) {
    case EXRQOI_ATTR_BYTES: return 4 + (size_t)a->v.bytes.hint_length + a->v.bytes.size;
    case EXRQOI_ATTR_CHLIST:
        for (int32_t i = 0; i < a->v.chlist.count; i++)
            n += strlen(a->v.chlist.entries[i].name) + 1 + CHANNEL_FIXED_BYTES;
        return n + 1;
    case EXRQOI_ATTR_FLOATVECTOR: return 4 * nonneg(a->v.floatvector.count);
    case EXRQOI_ATTR_PREVIEW:
        return 8 + (size_t)a->v.preview.width * a->v.preview.height * 4;
    case EXRQOI_ATTR_STRING: return nonneg(a->v.string.length);
    case EXRQOI_ATTR_STRINGVECTOR:
        for (int32_t i = 0; i < a->v.stringvector.count; i++)
            n += 4 + nonneg(a->v.stringvector.strings[i].length);
        return n;
    case EXRQOI_ATTR_OPAQUE: return a->v.opaque.size;
    default: return 0;
    }
}

static void serialize_fixed(const exrqoi_attribute *a, uint8_t *p)
{
    switch (a->type) {
    case EXRQOI_ATTR_BOX2I:
        put_i32(&p, a->v.box2i.min.x);
        put_i32(&p, a->v.box2i.min.y);
        put_i32(&p, a->v.box2i.max.x);
        put_i32(&p, a->v.box2i.max.y);
        break;
    case EXRQOI_ATTR_BOX2F:
        put_f32(&p, a->v.box2f.min.x);
        put_f32(&p, a->v.box2f.min.y);
        put_f32(&p, a->v.box2f.max.x);
        put_f32(&p, a->v.box2f.max.y);
        break;
    case EXRQOI_ATTR_CHROMATICITIES: {
        const exrqoi_chromaticities *c = &a->v.chromaticities;
        put_f32(&p, c->red_x);
        put_f32(&p, c->red_y);
        put_f32(&p, c->green_x);
        put_f32(&p, c->green_y);
        put_f32(&p, c->blue_x);
        put_f32(&p, c->blue_y);
        put_f32(&p, c->white_x);
        put_f32(&p, c->white_y);
        break;
    }
    case EXRQOI_ATTR_COMPRESSION:
    case EXRQOI_ATTR_ENVMAP:
    case EXRQOI_ATTR_LINEORDER:
    case EXRQOI_ATTR_DEEP_IMAGE_STATE: p[0] = a->v.u8; break;
    case EXRQOI_ATTR_DOUBLE: put_f64(&p, a->v.d); break;
    case EXRQOI_ATTR_FLOAT: put_f32(&p, a->v.f); break;
    case EXRQOI_ATTR_INT: put_i32(&p, a->v.i); break;
    case EXRQOI_ATTR_KEYCODE: {
        const exrqoi_keycode *k = &a->v.keycode;
        put_i32(&p, k->film_mfc_code);
        put_i32(&p, k->film_type);
        put_i32(&p, k->prefix);
        put_i32(&p, k->count);
        put_i32(&p, k->perf_offset);
        put_i32(&p, k->perfs_per_frame);
        put_i32(&p, k->perfs_per_count);
        break;
    }
    case EXRQOI_ATTR_M33F:
        for (int i = 0; i < 9; i++) put_f32(&p, a->v.m33f.m[i]);
        break;
    case EXRQOI_ATTR_M33D:
        for (int i = 0; i < 9; i++) put_f64(&p, a->v.m33d.m[i]);
        break;
    case EXRQOI_ATTR_M44F:
        for (int i = 0; i < 16; i++) put_f32(&p, a->v.m44f.m[i]);
        break;
    case EXRQOI_ATTR_M44D:
        for (int i = 0; i < 16; i++) put_f64(&p, a->v.m44d.m[i]);
        break;
    case EXRQOI_ATTR_RATIONAL:
        put_i32(&p, a->v.rational.num);
        put_u32(&p, a->v.rational.denom);
        break;
    case EXRQOI_ATTR_TILEDESC:
        put_u32(&p, a->v.tiledesc.x_size);
        put_u32(&p, a->v.tiledesc.y_size);
        p[0] = (uint8_t)((a->v.tiledesc.level_mode & 0xf) | (a->v.tiledesc.rounding_mode << 4));
        break;
    case EXRQOI_ATTR_TIMECODE:
        put_u32(&p, a->v.timecode.time_and_flags);
        put_u32(&p, a->v.timecode.user_data);
        break;
    case EXRQOI_ATTR_V2I:
        put_i32(&p, a->v.v2i.x);
        put_i32(&p, a->v.v2i.y);
        break;
    case EXRQOI_ATTR_V2F:
        put_f32(&p, a->v.v2f.x);
        put_f32(&p, a->v.v2f.y);
        break;
    case EXRQOI_ATTR_V2D:
        put_f64(&p, a->v.v2d.x);
        put_f64(&p, a->v.v2d.y);
        break;
    case EXRQOI_ATTR_V3I:
        put_i32(&p, a->v.v3i.x);
        put_i32(&p, a->v.v3i.y);
        put_i32(&p, a->v.v3i.z);
        break;
    case EXRQOI_ATTR_V3F:
        put_f32(&p, a->v.v3f.x);
        put_f32(&p, a->v.v3f.y);
        put_f32(&p, a->v.v3f.z);
        break;
    case EXRQOI_ATTR_V3D:
        put_f64(&p, a->v.v3d.x);
        put_f64(&p, a->v.v3d.y);
        put_f64(&p, a->v.v3d.z);
        break;
    default: break;
    }
}

void exrqoi__attr_serialize(const exrqoi_attribute *a, uint8_t *dst)
{
    if (fixed_size(a->type)) {
        serialize_fixed(a, dst);
        return;
    }
    uint8_t *p = dst;
    switch (a->type) {
    case EXRQOI_ATTR_BYTES:
        put_u32(&p, a->v.bytes.hint_length);
        put_bytes(&p, a->v.bytes.type_hint, a->v.bytes.hint_length);
        put_bytes(&p, a->v.bytes.data, a->v.bytes.size);
        break;
    case EXRQOI_ATTR_CHLIST:
        for (int32_t i = 0; i < a->v.chlist.count; i++) {
            const exrqoi_channel *ch = &a->v.chlist.entries[i];
            put_bytes(&p, ch->name, strlen(ch->name) + 1);
            put_i32(&p, (int32_t)ch->type);
            p[0] = ch->p_linear;
            p[1] = p[2] = p[3] = 0;
            p += 4;
            put_i32(&p, ch->x_sampling);
            put_i32(&p, ch->y_sampling);
        }
        *p = 0;
        break;
    case EXRQOI_ATTR_FLOATVECTOR:
        for (int32_t i = 0; i < a->v.floatvector.count; i++) put_f32(&p, a->v.floatvector.values[i]);
        break;
    case EXRQOI_ATTR_PREVIEW:
        put_u32(&p, a->v.preview.width);
        put_u32(&p, a->v.preview.height);
        put_bytes(&p, a->v.preview.rgba, (size_t)a->v.preview.width * a->v.preview.height * 4);
        break;
    case EXRQOI_ATTR_STRING: put_bytes(&p, a->v.string.str, nonneg(a->v.string.length)); break;
    case EXRQOI_ATTR_STRINGVECTOR:
        for (int32_t i = 0; i < a->v.stringvector.count; i++) {
            const exrqoi_string *s = &a->v.stringvector.strings[i];
            put_i32(&p, (int32_t)nonneg(s->length));
            put_bytes(&p, s->str, nonneg(s->length));
        }
        break;
    case EXRQOI_ATTR_OPAQUE: put_bytes(&p, a->v.opaque.data, a->v.opaque.size); break;
    default: break;
    }
}

/* ---- deep copy ---------------------------------------------------------- */

static void *dup_bytes(const exrqoi_allocator *al, const void *src, size_t n, bool *ok)
{
    if (!n || !src) return NULL;
    void *d = exrqoi__alloc(al, n);
    if (!d) {
        *ok = false;
        return NULL;
    }
    memcpy(d, src, n);
    return d;
}

/* Copies what the value points to; dst->v already holds a shallow copy. */
static exrqoi_result copy_value(const exrqoi_allocator *al, exrqoi_attribute *dst,
                                const exrqoi_attribute *src)
{
    bool ok = true;
    switch (src->type) {
    case EXRQOI_ATTR_BYTES:
        dst->v.bytes.data = NULL;
        dst->v.bytes.type_hint =
            exrqoi__strndup(al, src->v.bytes.type_hint ? src->v.bytes.type_hint : "",
                            src->v.bytes.type_hint ? src->v.bytes.hint_length : 0);
        if (!dst->v.bytes.type_hint) return EXRQOI_ERR_OUT_OF_MEMORY;
        if (!src->v.bytes.type_hint) dst->v.bytes.hint_length = 0;
        dst->v.bytes.data = (uint8_t *)dup_bytes(al, src->v.bytes.data, src->v.bytes.size, &ok);
        if (!src->v.bytes.data) dst->v.bytes.size = 0;
        break;
    case EXRQOI_ATTR_CHLIST: {
        int32_t n = src->v.chlist.count;
        dst->v.chlist.count = 0;
        dst->v.chlist.entries = NULL;
        if (n <= 0 || !src->v.chlist.entries) break;
        dst->v.chlist.entries = (exrqoi_channel *)exrqoi__calloc(al, (size_t)n, sizeof(exrqoi_channel));
        if (!dst->v.chlist.entries) return EXRQOI_ERR_OUT_OF_MEMORY;
        for (int32_t i = 0; i < n; i++) {
            dst->v.chlist.entries[i] = src->v.chlist.entries[i];
            dst->v.chlist.entries[i].name =
                exrqoi__strdup(al, src->v.chlist.entries[i].name ? src->v.chlist.entries[i].name : "");
            if (!dst->v.chlist.entries[i].name) return EXRQOI_ERR_OUT_OF_MEMORY;
            dst->v.chlist.count = i + 1;
        }
        break;
    }
    case EXRQOI_ATTR_FLOATVECTOR: {
        size_t n = nonneg(src->v.floatvector.count);
        dst->v.floatvector.values =
            (float *)dup_bytes(al, src->v.floatvector.values, n * sizeof(float), &ok);
        if (!dst->v.floatvector.values) dst->v.floatvector.count = 0;
        break;
    }
    case EXRQOI_ATTR_PREVIEW: {
        size_t n = (size_t)src->v.preview.width * src->v.preview.height * 4;
        dst->v.preview.rgba = (uint8_t *)dup_bytes(al, src->v.preview.rgba, n, &ok);
        break;
    }
    case EXRQOI_ATTR_STRING: {
        size_t n = src->v.string.str ? nonneg(src->v.string.length) : 0;
        dst->v.string.str = exrqoi__strndup(al, src->v.string.str ? src->v.string.str : "", n);
        dst->v.string.length = (int32_t)n;
        if (!dst->v.string.str) return EXRQOI_ERR_OUT_OF_MEMORY;
        break;
    }
    case EXRQOI_ATTR_STRINGVECTOR: {
        int32_t n = src->v.stringvector.count;
        dst->v.stringvector.count = 0;
        dst->v.stringvector.strings = NULL;
        if (n <= 0 || !src->v.stringvector.strings) break;
        dst->v.stringvector.strings = (exrqoi_string *)exrqoi__calloc(al, (size_t)n, sizeof(exrqoi_string));
        if (!dst->v.stringvector.strings) return EXRQOI_ERR_OUT_OF_MEMORY;
        for (int32_t i = 0; i < n; i++) {
            const exrqoi_string *s = &src->v.stringvector.strings[i];
            size_t len = s->str ? nonneg(s->length) : 0;
            dst->v.stringvector.strings[i].str = exrqoi__strndup(al, s->str ? s->str : "", len);
            if (!dst->v.stringvector.strings[i].str) return EXRQOI_ERR_OUT_OF_MEMORY;
            dst->v.stringvector.strings[i].length = (int32_t)len;
            dst->v.stringvector.count = i + 1;
        }
        break;
    }
    case EXRQOI_ATTR_OPAQUE:
        dst->v.opaque.data = (uint8_t *)dup_bytes(al, src->v.opaque.data, src->v.opaque.size, &ok);
        if (!src->v.opaque.data) dst->v.opaque.size = 0;
        break;
    default: break;
    }
    return ok ? EXRQOI_OK : EXRQOI_ERR_OUT_OF_MEMORY;
}

exrqoi_result exrqoi__attr_copy(const exrqoi_allocator *alloc, exrqoi_attribute *dst,
                                const exrqoi_attribute *src)
{
    if (!dst || !src) return EXRQOI_ERR_INVALID_ARGUMENT;
    memset(dst, 0, sizeof *dst);
    if (!src->name || (unsigned)src->type >= EXRQOI_ATTR_TYPE_COUNT ||
        (src->type == EXRQOI_ATTR_OPAQUE && (!src->type_name || !src->type_name[0])))
        return EXRQOI_ERR_INVALID_ARGUMENT;
    /* Known types always carry their standard name so the bytes written
     * match the type they are interpreted as. */
    const char *tn = src->type == EXRQOI_ATTR_OPAQUE ? src->type_name : k_type_names[src->type];

    exrqoi_attribute a;
    a.type = src->type;
    a.v = src->v;
    a.name = NULL;
    a.type_name = NULL;
    exrqoi_result r = copy_value(alloc, &a, src);
    if (r == EXRQOI_OK) {
        a.name = exrqoi__strdup(alloc, src->name);
        a.type_name = exrqoi__strdup(alloc, tn);
        if (!a.name || !a.type_name) r = EXRQOI_ERR_OUT_OF_MEMORY;
    }
    if (r != EXRQOI_OK) {
        exrqoi_attribute_free(alloc, &a);
        return r;
    }
    *dst = a;
    return EXRQOI_OK;
}
