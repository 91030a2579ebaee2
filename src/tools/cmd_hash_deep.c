/* exrqoi hash for deep parts: the counts and deepchan lines of the
 * canonical listing (shared/spec/canonical-hash.md). */
#include <string.h>

#include "tools/tool.h"

static const char *type_str(exrqoi_pixel_type t)
{
    return t == EXRQOI_PIXEL_HALF ? "half" : t == EXRQOI_PIXEL_FLOAT ? "float" : "uint";
}

/* CRC of n values of `size` bytes as little-endian bytes. */
static uint32_t crc_le(const void *data, size_t n, size_t size)
{
    const uint16_t one = 1;
    uint8_t little;
    memcpy(&little, &one, 1);
    if (little) return exrqoi_crc32(0, data, n * size);
    uint8_t buf[4096];
    const uint8_t *src = (const uint8_t *)data;
    uint32_t crc = 0;
    size_t per = sizeof buf / size;
    for (size_t i = 0; i < n; i += per) {
        size_t k = n - i < per ? n - i : per;
        for (size_t j = 0; j < k; j++)
            for (size_t b = 0; b < size; b++) buf[j * size + b] = src[(i + j) * size + size - 1 - b];
        crc = exrqoi_crc32(crc, buf, k * size);
    }
    return crc;
}

exrqoi_result exrqoi_tool_hash_deep_level(exrqoi_reader *r, int part, const exrqoi_part_info *pi,
                                          int lx, int ly, tool_buf *out)
{
    (void)pi;
    exrqoi_deep_image img;
    exrqoi_result rv = exrqoi_reader_read_deep(r, part, lx, ly, &img);
    if (rv) return rv;
    size_t npix = (size_t)img.width * (size_t)img.height;
    tool_buf_printf(out, "counts %d %d %d pixels=%zu total=%llu crc32=%08x\n", part, lx, ly, npix,
                    (unsigned long long)img.total_samples, crc_le(img.counts, npix, 4));
    for (int32_t c = 0; c < img.channel_count; c++) {
        const exrqoi_deep_channel *ch = &img.channels[c];
        size_t sz = (size_t)exrqoi_pixel_type_size(ch->type);
        tool_buf_printf(out, "deepchan %d %d %d ", part, lx, ly);
        tool_escape(out, ch->name);
        tool_buf_printf(out, " %s samples=%llu crc32=%08x\n", type_str(ch->type),
                        (unsigned long long)img.total_samples,
                        crc_le(ch->samples, (size_t)img.total_samples, sz));
    }
    exrqoi_deep_image_free(&img);
    return EXRQOI_OK;
}
