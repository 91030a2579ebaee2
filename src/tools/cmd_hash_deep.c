/* exrqoi hash for deep parts: the counts and deepchan lines of the
 * canonical listing (shared/spec/canonical-hash.md). */
#include <string.h>

#include "tools/tool.h"

static const char *type_str(exrqoi_pixel_type t)
{
    return t == EXRQOI_PIXEL_HALF ? "half" : t == EXRQOI_PIXEL_FLOAT ? "float" : "uint";
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
                    (unsigned long long)img.total_samples, exrqoi_tool_crc_le(0, img.counts, npix, 4));
    for (int32_t c = 0; c < img.channel_count; c++) {
        const exrqoi_deep_channel *ch = &img.channels[c];
        size_t sz = (size_t)exrqoi_pixel_type_size(ch->type);
        tool_buf_printf(out, "deepchan %d %d %d ", part, lx, ly);
        tool_escape(out, ch->name);
        tool_buf_printf(out, " %s samples=%llu crc32=%08x\n", type_str(ch->type),
                        (unsigned long long)img.total_samples,
                        exrqoi_tool_crc_le(0, ch->samples, (size_t)img.total_samples, sz));
    }
    exrqoi_deep_image_free(&img);
    return EXRQOI_OK;
}
