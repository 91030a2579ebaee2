/* Headers: ordered attribute lists with typed setters and channel helpers. */
#include "meta/attr.h"

/* A zero allocator struct means malloc/free. */
static const exrqoi_allocator *hal(const exrqoi_header *h)
{
    return h->alloc.alloc ? &h->alloc : NULL;
}

void exrqoi_header_init(exrqoi_header *h, const exrqoi_allocator *allocator)
{
    if (!h) return;
    memset(h, 0, sizeof *h);
    if (allocator && allocator->alloc) h->alloc = *allocator;
}

void exrqoi_header_free(exrqoi_header *h)
{
    if (!h) return;
    const exrqoi_allocator *al = hal(h);
    for (int32_t i = 0; i < h->count; i++) exrqoi_attribute_free(al, &h->attrs[i]);
    exrqoi__free(al, h->attrs);
    h->attrs = NULL;
    h->count = 0;
    h->capacity = 0;
}

static int32_t find_index(const exrqoi_header *h, const char *name)
{
    for (int32_t i = 0; i < h->count; i++)
        if (h->attrs[i].name && strcmp(h->attrs[i].name, name) == 0) return i;
    return -1;
}

static exrqoi_result grow(exrqoi_header *h, int32_t need)
{
    if (need <= h->capacity) return EXRQOI_OK;
    int32_t cap = h->capacity ? h->capacity : 16;
    while (cap < need) {
        if (cap > INT32_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    const exrqoi_allocator *al = hal(h);
    exrqoi_attribute *n = (exrqoi_attribute *)exrqoi__calloc(al, (size_t)cap, sizeof *n);
    if (!n) return EXRQOI_ERR_OUT_OF_MEMORY;
    if (h->count) memcpy(n, h->attrs, (size_t)h->count * sizeof *n);
    exrqoi__free(al, h->attrs);
    h->attrs = n;
    h->capacity = cap;
    return EXRQOI_OK;
}

exrqoi_result exrqoi_header_copy(exrqoi_header *dst, const exrqoi_header *src)
{
    if (!dst || !src || dst == src) return EXRQOI_ERR_INVALID_ARGUMENT;
    exrqoi_header_init(dst, hal(src));
    exrqoi_result r = grow(dst, src->count);
    for (int32_t i = 0; r == EXRQOI_OK && i < src->count; i++) {
        r = exrqoi__attr_copy(hal(dst), &dst->attrs[i], &src->attrs[i]);
        if (r == EXRQOI_OK) dst->count = i + 1;
    }
    if (r != EXRQOI_OK) exrqoi_header_free(dst);
    return r;
}

const exrqoi_attribute *exrqoi_header_find(const exrqoi_header *h, const char *name)
{
    if (!h || !name) return NULL;
    int32_t i = find_index(h, name);
    return i < 0 ? NULL : &h->attrs[i];
}

exrqoi_result exrqoi_header_set(exrqoi_header *h, const exrqoi_attribute *a)
{
    if (!h || !a || !a->name || !a->name[0]) return EXRQOI_ERR_INVALID_ARGUMENT;
    const exrqoi_allocator *al = hal(h);
    int32_t i = find_index(h, a->name);
    if (i < 0 && h->count == INT32_MAX) return EXRQOI_ERR_LIMIT;
    /* Copy before growing: `a` may point into this very header, and a
     * failure must leave the header as it was. */
    exrqoi_attribute copy;
    EXRQOI_TRY(exrqoi__attr_copy(al, &copy, a));
    if (i < 0) {
        exrqoi_result r = grow(h, h->count + 1);
        if (r != EXRQOI_OK) {
            exrqoi_attribute_free(al, &copy);
            return r;
        }
    }
    if (i >= 0) {
        exrqoi_attribute_free(al, &h->attrs[i]);
        h->attrs[i] = copy;
    } else {
        h->attrs[h->count++] = copy;
    }
    return EXRQOI_OK;
}

exrqoi_result exrqoi_header_remove(exrqoi_header *h, const char *name)
{
    if (!h || !name) return EXRQOI_ERR_INVALID_ARGUMENT;
    int32_t i = find_index(h, name);
    if (i < 0) return EXRQOI_ERR_NOT_FOUND;
    exrqoi_attribute_free(hal(h), &h->attrs[i]);
    memmove(&h->attrs[i], &h->attrs[i + 1], (size_t)(h->count - i - 1) * sizeof h->attrs[0]);
    h->count--;
    memset(&h->attrs[h->count], 0, sizeof h->attrs[0]);
    return EXRQOI_OK;
}

/* ---- typed setters ------------------------------------------------------ */

static exrqoi_result set_typed(exrqoi_header *h, const char *name, exrqoi_attribute *a,
                               exrqoi_attr_type type)
{
    if (!h || !name) return EXRQOI_ERR_INVALID_ARGUMENT;
    /* The copy made by header_set only reads these pointers. */
    a->name = (char *)name;
    a->type_name = NULL;
    a->type = type;
    return exrqoi_header_set(h, a);
}

/* The setters of one plain value: the value goes into its field of the union. */
#define HEADER_SETTER(suffix, value_type, field, attr_type)                                        \
    exrqoi_result exrqoi_header_set_##suffix(exrqoi_header *h, const char *name, value_type v)     \
    {                                                                                              \
        exrqoi_attribute a = {0};                                                                  \
        a.v.field = v;                                                                             \
        return set_typed(h, name, &a, attr_type);                                                  \
    }
HEADER_SETTER(int, int32_t, i, EXRQOI_ATTR_INT)
HEADER_SETTER(float, float, f, EXRQOI_ATTR_FLOAT)
HEADER_SETTER(double, double, d, EXRQOI_ATTR_DOUBLE)
HEADER_SETTER(box2i, exrqoi_box2i, box2i, EXRQOI_ATTR_BOX2I)
HEADER_SETTER(v2f, exrqoi_v2f, v2f, EXRQOI_ATTR_V2F)
#undef HEADER_SETTER

exrqoi_result exrqoi_header_set_string(exrqoi_header *h, const char *name, const char *v)
{
    if (!v) return EXRQOI_ERR_INVALID_ARGUMENT;
    size_t len = strlen(v);
    if (len > INT32_MAX) return EXRQOI_ERR_INVALID_ARGUMENT;
    exrqoi_attribute a = {0};
    a.v.string.length = (int32_t)len;
    a.v.string.str = (char *)v;
    return set_typed(h, name, &a, EXRQOI_ATTR_STRING);
}

exrqoi_result exrqoi_header_set_compression(exrqoi_header *h, exrqoi_compression c)
{
    if ((unsigned)c >= EXRQOI_COMPRESSION_COUNT) return EXRQOI_ERR_INVALID_ARGUMENT;
    exrqoi_attribute a = {0};
    a.v.u8 = (uint8_t)c;
    return set_typed(h, "compression", &a, EXRQOI_ATTR_COMPRESSION);
}

exrqoi_result exrqoi_header_set_line_order(exrqoi_header *h, exrqoi_line_order o)
{
    if ((unsigned)o > EXRQOI_LINE_ORDER_RANDOM) return EXRQOI_ERR_INVALID_ARGUMENT;
    exrqoi_attribute a = {0};
    a.v.u8 = (uint8_t)o;
    return set_typed(h, "lineOrder", &a, EXRQOI_ATTR_LINEORDER);
}

exrqoi_result exrqoi_header_set_tiles(exrqoi_header *h, exrqoi_tiledesc t)
{
    if (t.x_size == 0 || t.y_size == 0 || t.level_mode > EXRQOI_LEVEL_RIPMAP ||
        t.rounding_mode > EXRQOI_ROUND_UP)
        return EXRQOI_ERR_INVALID_ARGUMENT;
    exrqoi_attribute a = {0};
    a.v.tiledesc = t;
    return set_typed(h, "tiles", &a, EXRQOI_ATTR_TILEDESC);
}

exrqoi_result exrqoi_header_set_chromaticities(exrqoi_header *h, exrqoi_chromaticities c)
{
    exrqoi_attribute a = {0};
    a.v.chromaticities = c;
    return set_typed(h, "chromaticities", &a, EXRQOI_ATTR_CHROMATICITIES);
}

/* ---- channels ----------------------------------------------------------- */

exrqoi_result exrqoi_header_add_channel(exrqoi_header *h, const char *name, exrqoi_pixel_type type,
                                        int32_t x_sampling, int32_t y_sampling, int p_linear)
{
    if (!h || !name || !name[0] || (unsigned)type > EXRQOI_PIXEL_FLOAT || x_sampling < 1 ||
        y_sampling < 1)
        return EXRQOI_ERR_INVALID_ARGUMENT;
    const exrqoi_allocator *al = hal(h);
    int32_t ai = find_index(h, "channels");
    if (ai >= 0 && h->attrs[ai].type != EXRQOI_ATTR_CHLIST) return EXRQOI_ERR_TYPE_MISMATCH;

    /* Insert before the first greater name; a list read from a file may be
     * unsorted, so duplicates are checked against every entry. */
    int32_t n = ai >= 0 ? h->attrs[ai].v.chlist.count : 0;
    const exrqoi_channel *old = ai >= 0 ? h->attrs[ai].v.chlist.entries : NULL;
    int32_t pos = n;
    for (int32_t i = 0; i < n; i++) {
        int c = strcmp(old[i].name, name);
        if (c == 0) return EXRQOI_ERR_INVALID_ARGUMENT;
        if (c > 0 && pos == n) pos = i;
    }
    if (n == INT32_MAX) return EXRQOI_ERR_LIMIT;

    char *nm = exrqoi__strdup(al, name);
    exrqoi_channel *entries =
        (exrqoi_channel *)exrqoi__calloc(al, (size_t)n + 1, sizeof(exrqoi_channel));
    if (!nm || !entries) {
        exrqoi__free(al, nm);
        exrqoi__free(al, entries);
        return EXRQOI_ERR_OUT_OF_MEMORY;
    }
    if (ai < 0) {
        exrqoi_attribute a = {0};
        exrqoi_result r = set_typed(h, "channels", &a, EXRQOI_ATTR_CHLIST);
        if (r != EXRQOI_OK) {
            exrqoi__free(al, nm);
            exrqoi__free(al, entries);
            return r;
        }
        ai = find_index(h, "channels");
    }
    exrqoi_chlist *cl = &h->attrs[ai].v.chlist;
    if (pos) memcpy(entries, cl->entries, (size_t)pos * sizeof *entries);
    if (n > pos) memcpy(entries + pos + 1, cl->entries + pos, (size_t)(n - pos) * sizeof *entries);
    entries[pos].name = nm;
    entries[pos].type = type;
    entries[pos].p_linear = p_linear ? 1 : 0;
    entries[pos].x_sampling = x_sampling;
    entries[pos].y_sampling = y_sampling;
    exrqoi__free(al, cl->entries);
    cl->entries = entries;
    cl->count = n + 1;
    return EXRQOI_OK;
}

/* ---- whole headers ------------------------------------------------------ */

exrqoi_result exrqoi_header_init_image(exrqoi_header *h, const exrqoi_allocator *allocator,
                                       int32_t width, int32_t height,
                                       exrqoi_compression compression)
{
    if (!h) return EXRQOI_ERR_INVALID_ARGUMENT;
    exrqoi_header_init(h, allocator);
    if (width < 1 || height < 1 || (unsigned)compression >= EXRQOI_COMPRESSION_COUNT)
        return EXRQOI_ERR_INVALID_ARGUMENT;

    exrqoi_box2i win = {{0, 0}, {width - 1, height - 1}};
    exrqoi_attribute ch = {0};
    exrqoi_v2f center = {0.0f, 0.0f};
    /* Alphabetical, the order OpenEXR writes them in. */
    exrqoi_result r = set_typed(h, "channels", &ch, EXRQOI_ATTR_CHLIST);
    if (r == EXRQOI_OK) r = exrqoi_header_set_compression(h, compression);
    if (r == EXRQOI_OK) r = exrqoi_header_set_box2i(h, "dataWindow", win);
    if (r == EXRQOI_OK) r = exrqoi_header_set_box2i(h, "displayWindow", win);
    if (r == EXRQOI_OK) r = exrqoi_header_set_line_order(h, EXRQOI_LINE_ORDER_INCREASING);
    if (r == EXRQOI_OK) r = exrqoi_header_set_float(h, "pixelAspectRatio", 1.0f);
    if (r == EXRQOI_OK) r = exrqoi_header_set_v2f(h, "screenWindowCenter", center);
    if (r == EXRQOI_OK) r = exrqoi_header_set_float(h, "screenWindowWidth", 1.0f);
    if (r != EXRQOI_OK) exrqoi_header_free(h);
    return r;
}

exrqoi_chromaticities exrqoi_chromaticities_rec709(void)
{
    exrqoi_chromaticities c = {0.6400f, 0.3300f, 0.3000f, 0.6000f,
                               0.1500f, 0.0600f, 0.3127f, 0.3290f};
    return c;
}
