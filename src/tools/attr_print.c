/* Attribute values as text (exrheader's layout) and as JSON. */
#include "tools/attr_print.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <math.h>

/* ---- names of enumerated values ----------------------------------------- */

static const char *line_order_text(uint8_t v)
{
    switch (v) {
    case 0: return "increasing y";
    case 1: return "decreasing y";
    case 2: return "random y";
    default: return NULL;
    }
}

static const char *line_order_json(uint8_t v)
{
    switch (v) {
    case 0: return "increasing_y";
    case 1: return "decreasing_y";
    case 2: return "random_y";
    default: return NULL;
    }
}

static const char *envmap_text(uint8_t v)
{
    switch (v) {
    case 0: return "latitude-longitude map";
    case 1: return "cube-face map";
    default: return NULL;
    }
}

static const char *envmap_json(uint8_t v)
{
    switch (v) {
    case 0: return "latlong";
    case 1: return "cube";
    default: return NULL;
    }
}

static const char *deep_state_name(uint8_t v)
{
    switch (v) {
    case 0: return "messy";
    case 1: return "sorted";
    case 2: return "non_overlapping";
    case 3: return "tidy";
    default: return NULL;
    }
}

static const char *pixel_type_text(exrqoi_pixel_type t)
{
    switch (t) {
    case EXRQOI_PIXEL_UINT: return "32-bit unsigned integer";
    case EXRQOI_PIXEL_HALF: return "16-bit floating-point";
    case EXRQOI_PIXEL_FLOAT: return "32-bit floating-point";
    default: return NULL;
    }
}

static const char *pixel_type_json(exrqoi_pixel_type t)
{
    switch (t) {
    case EXRQOI_PIXEL_UINT: return "uint";
    case EXRQOI_PIXEL_HALF: return "half";
    case EXRQOI_PIXEL_FLOAT: return "float";
    default: return NULL;
    }
}

static const char *level_mode_text(uint8_t v)
{
    switch (v) {
    case EXRQOI_LEVEL_ONE: return "single level";
    case EXRQOI_LEVEL_MIPMAP: return "mip-map";
    case EXRQOI_LEVEL_RIPMAP: return "rip-map";
    default: return NULL;
    }
}

static const char *level_mode_json(uint8_t v)
{
    switch (v) {
    case EXRQOI_LEVEL_ONE: return "one_level";
    case EXRQOI_LEVEL_MIPMAP: return "mipmap";
    case EXRQOI_LEVEL_RIPMAP: return "ripmap";
    default: return NULL;
    }
}

static const char *rounding_json(uint8_t v)
{
    switch (v) {
    case EXRQOI_ROUND_DOWN: return "down";
    case EXRQOI_ROUND_UP: return "up";
    default: return NULL;
    }
}

/* Timecode fields in the file's TV60 packing (SMPTE 12M), BCD coded. */
typedef struct tc_fields {
    int hours, minutes, seconds, frame;
    int drop_frame, color_frame, field_phase, bgf0, bgf1, bgf2;
} tc_fields;

static int bcd(uint32_t v) { return (int)((v & 0xf) + 10 * ((v >> 4) & 0xf)); }

static tc_fields timecode_fields(uint32_t t)
{
    tc_fields f;
    f.frame = bcd(t & 0x3f);
    f.drop_frame = (int)((t >> 6) & 1);
    f.color_frame = (int)((t >> 7) & 1);
    f.seconds = bcd((t >> 8) & 0x7f);
    f.field_phase = (int)((t >> 15) & 1);
    f.minutes = bcd((t >> 16) & 0x7f);
    f.bgf0 = (int)((t >> 23) & 1);
    f.hours = bcd((t >> 24) & 0x3f);
    f.bgf1 = (int)((t >> 30) & 1);
    f.bgf2 = (int)((t >> 31) & 1);
    return f;
}

/* ---- text --------------------------------------------------------------- */

static void text_matrix_f(FILE *f, const float *m, int n)
{
    fputs(":\n   (", f);
    for (int r = 0; r < n; r++) {
        if (r) fputs("\n    ", f);
        for (int c = 0; c < n; c++) fprintf(f, c ? " %g" : "%g", (double)m[r * n + c]);
    }
    fputc(')', f);
}

static void text_matrix_d(FILE *f, const double *m, int n)
{
    fputs(":\n   (", f);
    for (int r = 0; r < n; r++) {
        if (r) fputs("\n    ", f);
        for (int c = 0; c < n; c++) fprintf(f, c ? " %g" : "%g", m[r * n + c]);
    }
    fputc(')', f);
}

static void text_enum(FILE *f, const char *name, const char *fallback, unsigned v)
{
    if (name)
        fprintf(f, ": %s", name);
    else
        fprintf(f, ": %s%u", fallback, v);
}

static void text_value(FILE *f, const exrqoi_attribute *a)
{
    switch (a->type) {
    case EXRQOI_ATTR_BOX2I:
        fprintf(f, ": (%d %d) - (%d %d)", (int)a->v.box2i.min.x, (int)a->v.box2i.min.y,
                (int)a->v.box2i.max.x, (int)a->v.box2i.max.y);
        break;
    case EXRQOI_ATTR_BOX2F:
        fprintf(f, ": (%g %g) - (%g %g)", (double)a->v.box2f.min.x, (double)a->v.box2f.min.y,
                (double)a->v.box2f.max.x, (double)a->v.box2f.max.y);
        break;
    case EXRQOI_ATTR_BYTES:
        fprintf(f, ": %zu bytes, type hint \"", a->v.bytes.size);
        if (a->v.bytes.type_hint) fwrite(a->v.bytes.type_hint, 1, a->v.bytes.hint_length, f);
        fputc('"', f);
        break;
    case EXRQOI_ATTR_CHLIST:
        fputc(':', f);
        for (int32_t i = 0; i < a->v.chlist.count; i++) {
            const exrqoi_channel *c = &a->v.chlist.entries[i];
            const char *t = pixel_type_text(c->type);
            fprintf(f, "\n    %s, ", c->name);
            if (t)
                fputs(t, f);
            else
                fprintf(f, "type %d", (int)c->type);
            fprintf(f, ", sampling %d %d", (int)c->x_sampling, (int)c->y_sampling);
            if (c->p_linear) fputs(", plinear", f);
        }
        break;
    case EXRQOI_ATTR_CHROMATICITIES: {
        const exrqoi_chromaticities *c = &a->v.chromaticities;
        fprintf(f, ":\n    red   (%g %g)\n    green (%g %g)\n    blue  (%g %g)\n    white (%g %g)",
                (double)c->red_x, (double)c->red_y, (double)c->green_x, (double)c->green_y,
                (double)c->blue_x, (double)c->blue_y, (double)c->white_x, (double)c->white_y);
        break;
    }
    case EXRQOI_ATTR_COMPRESSION:
        text_enum(f, exrqoi_compression_name((exrqoi_compression)a->v.u8), "compression ", a->v.u8);
        break;
    case EXRQOI_ATTR_DOUBLE: fprintf(f, ": %g", a->v.d); break;
    case EXRQOI_ATTR_ENVMAP: text_enum(f, envmap_text(a->v.u8), "map type ", a->v.u8); break;
    case EXRQOI_ATTR_FLOAT: fprintf(f, ": %g", (double)a->v.f); break;
    case EXRQOI_ATTR_FLOATVECTOR:
        fputc(':', f);
        for (int32_t i = 0; i < a->v.floatvector.count; i++)
            fprintf(f, " %g", (double)a->v.floatvector.values[i]);
        break;
    case EXRQOI_ATTR_INT: fprintf(f, ": %d", (int)a->v.i); break;
    case EXRQOI_ATTR_KEYCODE: {
        const exrqoi_keycode *k = &a->v.keycode;
        fprintf(f,
                ":\n    film manufacturer code %d\n    film type code %d\n    prefix %d\n"
                "    count %d\n    perf offset %d\n    perfs per frame %d\n    perfs per count %d",
                (int)k->film_mfc_code, (int)k->film_type, (int)k->prefix, (int)k->count,
                (int)k->perf_offset, (int)k->perfs_per_frame, (int)k->perfs_per_count);
        break;
    }
    case EXRQOI_ATTR_LINEORDER: text_enum(f, line_order_text(a->v.u8), "", a->v.u8); break;
    case EXRQOI_ATTR_M33F: text_matrix_f(f, a->v.m33f.m, 3); break;
    case EXRQOI_ATTR_M33D: text_matrix_d(f, a->v.m33d.m, 3); break;
    case EXRQOI_ATTR_M44F: text_matrix_f(f, a->v.m44f.m, 4); break;
    case EXRQOI_ATTR_M44D: text_matrix_d(f, a->v.m44d.m, 4); break;
    case EXRQOI_ATTR_PREVIEW:
        fprintf(f, ": %u by %u pixels", (unsigned)a->v.preview.width, (unsigned)a->v.preview.height);
        break;
    case EXRQOI_ATTR_RATIONAL:
        fprintf(f, ": %d/%u (%g)", (int)a->v.rational.num, (unsigned)a->v.rational.denom,
                (double)a->v.rational.num / (double)a->v.rational.denom);
        break;
    case EXRQOI_ATTR_STRING:
        fputs(": \"", f);
        if (a->v.string.str && a->v.string.length > 0)
            fwrite(a->v.string.str, 1, (size_t)a->v.string.length, f);
        fputc('"', f);
        break;
    case EXRQOI_ATTR_STRINGVECTOR:
        fputc(':', f);
        for (int32_t i = 0; i < a->v.stringvector.count; i++) {
            const exrqoi_string *s = &a->v.stringvector.strings[i];
            fputs("\n    \"", f);
            if (s->str && s->length > 0) fwrite(s->str, 1, (size_t)s->length, f);
            fputc('"', f);
        }
        break;
    case EXRQOI_ATTR_TILEDESC: {
        const exrqoi_tiledesc *t = &a->v.tiledesc;
        const char *lm = level_mode_text(t->level_mode);
        fputs(":\n    ", f);
        if (lm)
            fputs(lm, f);
        else
            fprintf(f, "level mode %d", (int)t->level_mode);
        fprintf(f, "\n    tile size %u by %u pixels", (unsigned)t->x_size, (unsigned)t->y_size);
        if (t->level_mode != EXRQOI_LEVEL_ONE) {
            fputs("\n    level sizes rounded ", f);
            if (t->rounding_mode == EXRQOI_ROUND_DOWN)
                fputs("down", f);
            else if (t->rounding_mode == EXRQOI_ROUND_UP)
                fputs("up", f);
            else
                fprintf(f, "mode %d", (int)t->rounding_mode);
        }
        break;
    }
    case EXRQOI_ATTR_TIMECODE: {
        tc_fields t = timecode_fields(a->v.timecode.time_and_flags);
        fprintf(f,
                ":\n    time %02d:%02d:%02d:%02d\n"
                "    drop frame %d, color frame %d, field/phase %d\n"
                "    bgf0 %d, bgf1 %d, bgf2 %d\n    user data 0x%x",
                t.hours, t.minutes, t.seconds, t.frame, t.drop_frame, t.color_frame,
                t.field_phase, t.bgf0, t.bgf1, t.bgf2, (unsigned)a->v.timecode.user_data);
        break;
    }
    case EXRQOI_ATTR_V2I: fprintf(f, ": (%d %d)", (int)a->v.v2i.x, (int)a->v.v2i.y); break;
    case EXRQOI_ATTR_V2F:
        fprintf(f, ": (%g %g)", (double)a->v.v2f.x, (double)a->v.v2f.y);
        break;
    case EXRQOI_ATTR_V2D: fprintf(f, ": (%g %g)", a->v.v2d.x, a->v.v2d.y); break;
    case EXRQOI_ATTR_V3I:
        fprintf(f, ": (%d %d %d)", (int)a->v.v3i.x, (int)a->v.v3i.y, (int)a->v.v3i.z);
        break;
    case EXRQOI_ATTR_V3F:
        fprintf(f, ": (%g %g %g)", (double)a->v.v3f.x, (double)a->v.v3f.y, (double)a->v.v3f.z);
        break;
    case EXRQOI_ATTR_V3D:
        fprintf(f, ": (%g %g %g)", a->v.v3d.x, a->v.v3d.y, a->v.v3d.z);
        break;
    case EXRQOI_ATTR_DEEP_IMAGE_STATE:
        text_enum(f, deep_state_name(a->v.u8), "state ", a->v.u8);
        break;
    case EXRQOI_ATTR_OPAQUE: fprintf(f, ": %zu bytes", a->v.opaque.size); break;
    default: break;
    }
}

void exrqoi_tool_print_attr(FILE *f, const exrqoi_attribute *a)
{
    const char *tn = a->type_name ? a->type_name : exrqoi_attr_type_name(a->type);
    fprintf(f, "%s (type %s)", a->name ? a->name : "", tn ? tn : "?");
    text_value(f, a);
    fputc('\n', f);
}

/* ---- JSON --------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_len(const uint8_t *s, size_t n)
{
    uint8_t c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    /* Reject overlong forms, surrogates and code points past U+10FFFF. */
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* Bytes that are not valid UTF-8 print as the Latin-1 code point of the
 * byte, so the output is always valid JSON. */
static void json_str(FILE *f, const char *str, size_t n)
{
    const uint8_t *s = (const uint8_t *)str;
    fputc('"', f);
    size_t i = 0;
    while (s && i < n) {
        uint8_t c = s[i];
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc(c, f);
            i++;
        } else if (c == '\n') {
            fputs("\\n", f);
            i++;
        } else if (c == '\t') {
            fputs("\\t", f);
            i++;
        } else if (c == '\r') {
            fputs("\\r", f);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(f, "\\u%04x", (unsigned)c);
            i++;
        } else {
            size_t len = utf8_len(s + i, n - i);
            if (len == 0) {
                fprintf(f, "\\u%04x", (unsigned)c);
                i++;
            } else {
                fwrite(s + i, 1, len, f);
                i += len;
            }
        }
    }
    fputc('"', f);
}

static void json_cstr(FILE *f, const char *s) { json_str(f, s, s ? strlen(s) : 0); }

static bool json_special(FILE *f, double v)
{
    if (isnan(v)) {
        fputs("\"NaN\"", f);
        return true;
    }
    if (isinf(v)) {
        fputs(v > 0 ? "\"Infinity\"" : "\"-Infinity\"", f);
        return true;
    }
    return false;
}

static void json_f32(FILE *f, float v)
{
    if (!json_special(f, (double)v)) fprintf(f, "%.9g", (double)v);
}

static void json_f64(FILE *f, double v)
{
    if (!json_special(f, v)) fprintf(f, "%.17g", v);
}

/* A JSON array of n numbers: the floats f32, or (f32 NULL) the doubles f64. */
static void json_numbers(FILE *f, const float *f32, const double *f64, size_t n)
{
    fputc('[', f);
    for (size_t i = 0; i < n; i++) {
        if (i) fputc(',', f);
        if (f32)
            json_f32(f, f32[i]);
        else
            json_f64(f, f64[i]);
    }
    fputc(']', f);
}

static void json_f32s(FILE *f, const float *v, size_t n) { json_numbers(f, v, NULL, n); }
static void json_f64s(FILE *f, const double *v, size_t n) { json_numbers(f, NULL, v, n); }

static void json_hex(FILE *f, const uint8_t *d, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; d && i < n; i++) fprintf(f, "%02x", d[i]);
    fputc('"', f);
}

static void json_enum(FILE *f, const char *name, uint8_t v)
{
    if (name)
        json_cstr(f, name);
    else
        fprintf(f, "%u", (unsigned)v);
}

static void json_v2f(FILE *f, float x, float y)
{
    float v[2] = {x, y};
    json_f32s(f, v, 2);
}

static void json_value(FILE *f, const exrqoi_attribute *a)
{
    switch (a->type) {
    case EXRQOI_ATTR_BOX2I:
        fprintf(f, "{\"min\":[%d,%d],\"max\":[%d,%d]}", (int)a->v.box2i.min.x,
                (int)a->v.box2i.min.y, (int)a->v.box2i.max.x, (int)a->v.box2i.max.y);
        break;
    case EXRQOI_ATTR_BOX2F:
        fputs("{\"min\":", f);
        json_v2f(f, a->v.box2f.min.x, a->v.box2f.min.y);
        fputs(",\"max\":", f);
        json_v2f(f, a->v.box2f.max.x, a->v.box2f.max.y);
        fputc('}', f);
        break;
    case EXRQOI_ATTR_BYTES:
        fputs("{\"type_hint\":", f);
        json_str(f, a->v.bytes.type_hint, a->v.bytes.type_hint ? a->v.bytes.hint_length : 0);
        fputs(",\"data\":", f);
        json_hex(f, a->v.bytes.data, a->v.bytes.size);
        fputc('}', f);
        break;
    case EXRQOI_ATTR_CHLIST:
        fputc('[', f);
        for (int32_t i = 0; i < a->v.chlist.count; i++) {
            const exrqoi_channel *c = &a->v.chlist.entries[i];
            if (i) fputc(',', f);
            fputs("{\"name\":", f);
            json_cstr(f, c->name);
            fputs(",\"type\":", f);
            const char *t = pixel_type_json(c->type);
            if (t)
                json_cstr(f, t);
            else
                fprintf(f, "%d", (int)c->type);
            fprintf(f, ",\"x_sampling\":%d,\"y_sampling\":%d,\"p_linear\":%s}", (int)c->x_sampling,
                    (int)c->y_sampling, c->p_linear ? "true" : "false");
        }
        fputc(']', f);
        break;
    case EXRQOI_ATTR_CHROMATICITIES: {
        const exrqoi_chromaticities *c = &a->v.chromaticities;
        fputs("{\"red\":", f);
        json_v2f(f, c->red_x, c->red_y);
        fputs(",\"green\":", f);
        json_v2f(f, c->green_x, c->green_y);
        fputs(",\"blue\":", f);
        json_v2f(f, c->blue_x, c->blue_y);
        fputs(",\"white\":", f);
        json_v2f(f, c->white_x, c->white_y);
        fputc('}', f);
        break;
    }
    case EXRQOI_ATTR_COMPRESSION:
        json_enum(f, exrqoi_compression_name((exrqoi_compression)a->v.u8), a->v.u8);
        break;
    case EXRQOI_ATTR_DOUBLE: json_f64(f, a->v.d); break;
    case EXRQOI_ATTR_ENVMAP: json_enum(f, envmap_json(a->v.u8), a->v.u8); break;
    case EXRQOI_ATTR_FLOAT: json_f32(f, a->v.f); break;
    case EXRQOI_ATTR_FLOATVECTOR:
        json_f32s(f, a->v.floatvector.values,
                  a->v.floatvector.count > 0 ? (size_t)a->v.floatvector.count : 0);
        break;
    case EXRQOI_ATTR_INT: fprintf(f, "%d", (int)a->v.i); break;
    case EXRQOI_ATTR_KEYCODE: {
        const exrqoi_keycode *k = &a->v.keycode;
        fprintf(f,
                "{\"film_mfc_code\":%d,\"film_type\":%d,\"prefix\":%d,\"count\":%d,"
                "\"perf_offset\":%d,\"perfs_per_frame\":%d,\"perfs_per_count\":%d}",
                (int)k->film_mfc_code, (int)k->film_type, (int)k->prefix, (int)k->count,
                (int)k->perf_offset, (int)k->perfs_per_frame, (int)k->perfs_per_count);
        break;
    }
    case EXRQOI_ATTR_LINEORDER: json_enum(f, line_order_json(a->v.u8), a->v.u8); break;
    case EXRQOI_ATTR_M33F: json_f32s(f, a->v.m33f.m, 9); break;
    case EXRQOI_ATTR_M33D: json_f64s(f, a->v.m33d.m, 9); break;
    case EXRQOI_ATTR_M44F: json_f32s(f, a->v.m44f.m, 16); break;
    case EXRQOI_ATTR_M44D: json_f64s(f, a->v.m44d.m, 16); break;
    case EXRQOI_ATTR_PREVIEW:
        fprintf(f, "{\"width\":%u,\"height\":%u}", (unsigned)a->v.preview.width,
                (unsigned)a->v.preview.height);
        break;
    case EXRQOI_ATTR_RATIONAL:
        fprintf(f, "{\"num\":%d,\"denom\":%u}", (int)a->v.rational.num,
                (unsigned)a->v.rational.denom);
        break;
    case EXRQOI_ATTR_STRING:
        json_str(f, a->v.string.str, a->v.string.length > 0 ? (size_t)a->v.string.length : 0);
        break;
    case EXRQOI_ATTR_STRINGVECTOR:
        fputc('[', f);
        for (int32_t i = 0; i < a->v.stringvector.count; i++) {
            const exrqoi_string *s = &a->v.stringvector.strings[i];
            if (i) fputc(',', f);
            json_str(f, s->str, s->length > 0 ? (size_t)s->length : 0);
        }
        fputc(']', f);
        break;
    case EXRQOI_ATTR_TILEDESC: {
        const exrqoi_tiledesc *t = &a->v.tiledesc;
        fprintf(f, "{\"x_size\":%u,\"y_size\":%u,\"level_mode\":", (unsigned)t->x_size,
                (unsigned)t->y_size);
        json_enum(f, level_mode_json(t->level_mode), t->level_mode);
        fputs(",\"rounding_mode\":", f);
        json_enum(f, rounding_json(t->rounding_mode), t->rounding_mode);
        fputc('}', f);
        break;
    }
    case EXRQOI_ATTR_TIMECODE: {
        tc_fields t = timecode_fields(a->v.timecode.time_and_flags);
        fprintf(f,
                "{\"time\":\"%02d:%02d:%02d:%02d\",\"drop_frame\":%s,\"time_and_flags\":%u,"
                "\"user_data\":%u}",
                t.hours, t.minutes, t.seconds, t.frame, t.drop_frame ? "true" : "false",
                (unsigned)a->v.timecode.time_and_flags, (unsigned)a->v.timecode.user_data);
        break;
    }
    case EXRQOI_ATTR_V2I: fprintf(f, "[%d,%d]", (int)a->v.v2i.x, (int)a->v.v2i.y); break;
    case EXRQOI_ATTR_V2F: json_v2f(f, a->v.v2f.x, a->v.v2f.y); break;
    case EXRQOI_ATTR_V2D: {
        double v[2] = {a->v.v2d.x, a->v.v2d.y};
        json_f64s(f, v, 2);
        break;
    }
    case EXRQOI_ATTR_V3I:
        fprintf(f, "[%d,%d,%d]", (int)a->v.v3i.x, (int)a->v.v3i.y, (int)a->v.v3i.z);
        break;
    case EXRQOI_ATTR_V3F: {
        float v[3] = {a->v.v3f.x, a->v.v3f.y, a->v.v3f.z};
        json_f32s(f, v, 3);
        break;
    }
    case EXRQOI_ATTR_V3D: {
        double v[3] = {a->v.v3d.x, a->v.v3d.y, a->v.v3d.z};
        json_f64s(f, v, 3);
        break;
    }
    case EXRQOI_ATTR_DEEP_IMAGE_STATE: json_enum(f, deep_state_name(a->v.u8), a->v.u8); break;
    case EXRQOI_ATTR_OPAQUE: json_hex(f, a->v.opaque.data, a->v.opaque.size); break;
    default: fputs("null", f); break;
    }
}

void exrqoi_tool_print_attr_json(FILE *f, const exrqoi_attribute *a)
{
    const char *tn = a->type_name ? a->type_name : exrqoi_attr_type_name(a->type);
    fputs("{\"name\":", f);
    json_cstr(f, a->name);
    fputs(",\"type\":", f);
    json_cstr(f, tn);
    fputs(",\"value\":", f);
    json_value(f, a);
    fputc('}', f);
}
