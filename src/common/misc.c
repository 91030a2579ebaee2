/* Version, limits, pixel type sizes and the CRC used by the hash listing
 * (compression names and lines per chunk come from the codec registry). */
#include "common/internal.h"

#include <libdeflate.h>

const char *exrqoi_version_string(void) { return EXRQOI_VERSION_STRING; }
uint32_t exrqoi_version_number(void) { return EXRQOI_VERSION_NUMBER; }

void exrqoi_limits_default(exrqoi_limits *l)
{
    if (!l) return;
    l->struct_size = sizeof *l;
    l->max_width = 1u << 24;
    l->max_height = 1u << 24;
    l->max_pixels = (uint64_t)1 << 30;
    l->max_alloc_bytes = (uint64_t)4 << 30; /* a 16k x 16k RGBA float image: docs/security.md */
    l->max_attribute_size = 64u << 20;
    l->max_chunk_size = (uint64_t)2 << 30;
    l->max_deep_samples_per_pixel = 1u << 24;
    l->max_deep_samples_total = (uint64_t)1 << 32;
    l->max_parts = 1u << 16;
    l->max_attributes = 1u << 16;
    l->max_qoi_pixels = 400000000u;
}

exrqoi_result exrqoi__limits_resolve(const exrqoi_limits *in, exrqoi_limits *out)
{
    exrqoi_limits d;
    exrqoi_limits_default(&d);
    if (!in) {
        *out = d;
        return EXRQOI_OK;
    }
    /* an older caller's struct is shorter: the fields it lacks stay 0 */
    memset(out, 0, sizeof *out);
    const exrqoi_result rv = exrqoi__options_copy(out, sizeof *out, in);
    if (rv != EXRQOI_OK) {
        *out = d;
        return rv;
    }
#define EXRQOI_DEF(f) if (!out->f) out->f = d.f
    EXRQOI_DEF(max_width);
    EXRQOI_DEF(max_height);
    EXRQOI_DEF(max_pixels);
    EXRQOI_DEF(max_alloc_bytes);
    EXRQOI_DEF(max_attribute_size);
    EXRQOI_DEF(max_chunk_size);
    EXRQOI_DEF(max_deep_samples_per_pixel);
    EXRQOI_DEF(max_deep_samples_total);
    EXRQOI_DEF(max_parts);
    EXRQOI_DEF(max_attributes);
    EXRQOI_DEF(max_qoi_pixels);
#undef EXRQOI_DEF
    return EXRQOI_OK;
}

int exrqoi_pixel_type_size(exrqoi_pixel_type t)
{
    switch (t) {
    case EXRQOI_PIXEL_HALF: return 2;
    case EXRQOI_PIXEL_UINT:
    case EXRQOI_PIXEL_FLOAT: return 4;
    default: return 0;
    }
}

uint32_t exrqoi__crc32(uint32_t crc, const void *data, size_t len)
{
    return libdeflate_crc32(crc, data, len);
}

uint32_t exrqoi_crc32(uint32_t crc, const void *data, size_t len)
{
    return libdeflate_crc32(crc, data, len);
}

exrqoi_result exrqoi__options_copy(void *dst, size_t full, const void *src)
{
    if (!src) return EXRQOI_OK;
    size_t n;
    memcpy(&n, src, sizeof n);
    if (n == 0) return EXRQOI_ERR_INVALID_ARGUMENT;
    if (n > full) n = full;
    memcpy(dst, src, n);
    /* the size field stays the library's own */
    memcpy(dst, &full, sizeof full);
    return EXRQOI_OK;
}
