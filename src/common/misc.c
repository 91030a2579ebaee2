/* Version, limits, enumeration names and the CRC used by the hash listing. */
#include "common/internal.h"

#include <libdeflate.h>
#include <strings.h>

#include "io/platform.h"

const char *exrqoi_version_string(void) { return EXRQOI_VERSION_STRING; }
uint32_t exrqoi_version_number(void) { return EXRQOI_VERSION_NUMBER; }

void exrqoi_limits_default(exrqoi_limits *l)
{
    if (!l) return;
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

void exrqoi__limits_resolve(const exrqoi_limits *in, exrqoi_limits *out)
{
    exrqoi_limits d;
    exrqoi_limits_default(&d);
    if (!in) {
        *out = d;
        return;
    }
    *out = *in;
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
}

static const char *const k_comp_names[EXRQOI_COMPRESSION_COUNT] = {
    "none", "rle", "zips", "zip", "piz", "pxr24", "b44", "b44a", "dwaa", "dwab", "htj2k256", "htj2k32"};
static const int k_comp_lines[EXRQOI_COMPRESSION_COUNT] = {1, 1, 1, 16, 32, 16, 32, 32, 32, 256, 256, 32};

const char *exrqoi_compression_name(exrqoi_compression c)
{
    if ((unsigned)c >= EXRQOI_COMPRESSION_COUNT) return NULL;
    return k_comp_names[c];
}

exrqoi_result exrqoi_compression_from_name(const char *name, exrqoi_compression *out)
{
    if (!name || !out) return EXRQOI_ERR_INVALID_ARGUMENT;
    for (int i = 0; i < EXRQOI_COMPRESSION_COUNT; i++) {
        if (strcasecmp(name, k_comp_names[i]) == 0) {
            *out = (exrqoi_compression)i;
            return EXRQOI_OK;
        }
    }
    return EXRQOI_ERR_NOT_FOUND;
}

int exrqoi_compression_lines(exrqoi_compression c)
{
    if ((unsigned)c >= EXRQOI_COMPRESSION_COUNT) return 0;
    return k_comp_lines[c];
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

int exrqoi_cpu_count(void)
{
    return exrqoi__os_cpu_count();
}

uint32_t exrqoi__crc32(uint32_t crc, const void *data, size_t len)
{
    return libdeflate_crc32(crc, data, len);
}

uint32_t exrqoi_crc32(uint32_t crc, const void *data, size_t len)
{
    return libdeflate_crc32(crc, data, len);
}
