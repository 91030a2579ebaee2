/* Evidence before allocation: a read that is about to allocate output
 * larger than the file's own size can justify first checks that every
 * chunk it needs is in the file and can decode to its block, so a small
 * file declaring a huge image fails before the big allocation. */
#include "chunk/reader_impl.h"

exrqoi_result exrqoi__chunk_evidence(const exrqoi_reader *r, int part, const exrqoi_chunk_info *ci, bool strict,
                                     exrqoi__err *err)
{
    const exrqoi__part *p = &r->parts[part];
    exrqoi_compression c = p->info.compression;
    exrqoi__err why;
    memset(&why, 0, sizeof why);
    exrqoi_result rv = EXRQOI_OK;
    if (p->deep) {
        uint64_t w = (uint64_t)((int64_t)ci->window.max.x - ci->window.min.x + 1);
        uint64_t h = (uint64_t)((int64_t)ci->window.max.y - ci->window.min.y + 1);
        uint64_t table = w * h * 4, packed = ci->packed_count_table_size;
        /* short raw tables are zero-filled when read (as OpenEXR does):
         * evidence of their own bytes only, so taken only while small */
        bool short_raw = packed < table && (packed == 0 || c == EXRQOI_COMPRESSION_NONE);
        if (short_raw && (strict || table > EXRQOI__DEEP_ZERO_FILL_MAX))
            rv = exrqoi__fail(&why, EXRQOI_ERR_CORRUPT, "the sample count table holds %llu of its %llu bytes",
                              (unsigned long long)packed, (unsigned long long)table);
        else if (!short_raw && packed < table)
            rv = exrqoi__check_expansion(c, NULL, packed, table, &why);
        if (rv == EXRQOI_OK) rv = exrqoi__check_expansion(c, NULL, ci->packed_size, ci->unpacked_size, &why);
    } else {
        rv = exrqoi__check_expansion(c, NULL, ci->packed_size, ci->unpacked_size, &why);
    }
    if (rv == EXRQOI_OK) return EXRQOI_OK;
    return exrqoi__fail(err, rv, "part %d, chunk %llu at byte %llu: %s", part, (unsigned long long)ci->index,
                        (unsigned long long)ci->file_offset, why.msg);
}

bool exrqoi__output_justified(const exrqoi_reader *r, uint64_t bytes)
{
    if (bytes <= EXRQOI__EVIDENCE_FREE_BYTES) return true;
    if (r->src.size == UINT64_MAX) return false;
    uint64_t most;
    return !exrqoi__mul_u64(r->src.size, EXRQOI__EVIDENCE_FILE_RATIO, &most) && bytes <= most;
}

exrqoi_result exrqoi__region_evidence(exrqoi_reader *r, int part, int lx, int ly, const exrqoi_box2i *region,
                                      uint64_t out_bytes, exrqoi__err *err)
{
    if (exrqoi__output_justified(r, out_bytes)) return EXRQOI_OK;
    if (part < 0 || part >= r->nparts) return EXRQOI_OK; /* the read itself says what is wrong */
    const exrqoi__part *p = &r->parts[part];
    const exrqoi__level *L = exrqoi__part_level(p, lx, ly);
    if (!L) return EXRQOI_OK;
    exrqoi_box2i reg = region ? *region : L->window;
    if (reg.min.x < L->window.min.x || reg.min.y < L->window.min.y || reg.max.x > L->window.max.x ||
        reg.max.y > L->window.max.y || reg.min.x > reg.max.x || reg.min.y > reg.max.y)
        return EXRQOI_OK;
    uint64_t first, ncols, nrows, stride;
    if (p->info.tiled) {
        const exrqoi_tiledesc *t = &p->info.tiles;
        uint64_t tx0 = (uint64_t)((int64_t)reg.min.x - L->window.min.x) / t->x_size;
        uint64_t ty0 = (uint64_t)((int64_t)reg.min.y - L->window.min.y) / t->y_size;
        ncols = (uint64_t)((int64_t)reg.max.x - L->window.min.x) / t->x_size - tx0 + 1;
        nrows = (uint64_t)((int64_t)reg.max.y - L->window.min.y) / t->y_size - ty0 + 1;
        stride = (uint64_t)L->tiles_x;
        first = L->first_chunk + ty0 * stride + tx0;
    } else {
        uint64_t lpc = (uint64_t)p->info.lines_per_chunk;
        first = (uint64_t)((int64_t)reg.min.y - p->info.data_window.min.y) / lpc;
        nrows = (uint64_t)((int64_t)reg.max.y - p->info.data_window.min.y) / lpc - first + 1;
        ncols = 1;
        stride = 1;
    }
    for (uint64_t y = 0; y < nrows; y++) {
        for (uint64_t x = 0; x < ncols; x++) {
            exrqoi_chunk_info ci;
            uint64_t off;
            uint64_t index = first + y * stride + x;
            EXRQOI_TRY(exrqoi__read_chunk_leader(r, part, index, &ci, &off, err));
            EXRQOI_TRY(exrqoi__chunk_evidence(r, part, &ci, true, err));
        }
    }
    return EXRQOI_OK;
}
