/* exrqoi hash for deep parts: placeholder until deep reading lands. */
#include "tools/tool.h"

exrqoi_result exrqoi_tool_hash_deep_level(exrqoi_reader *r, int part, const exrqoi_part_info *pi,
                                          int lx, int ly, tool_buf *out)
{
    (void)r; (void)part; (void)pi; (void)lx; (void)ly; (void)out;
    return EXRQOI_ERR_UNSUPPORTED;
}
