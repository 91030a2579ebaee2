/* Chunk offset tables: read, validate, and rebuild by scanning the chunks
 * when a table is damaged or incomplete (an interrupted write), as
 * OpenEXR does. */
#include "chunk/reader_impl.h"

/* Size of a chunk's leader for the part. */
static size_t leader_size(const exrqoi_reader *r, const exrqoi__part *p)
{
    size_t n = (r->version & EXRQOI_VERSION_FLAG_MULTIPART) ? 4 : 0;
    n += p->info.tiled ? 16 : 4;
    n += p->deep ? 24 : 4;
    return n;
}

/* Parses a leader at `off`: fills which chunk it claims to be. */
static exrqoi_result parse_leader(exrqoi_reader *r, uint64_t off, int *part_out, uint64_t *index,
                                  uint64_t *total_size, exrqoi_chunk_info *ci, exrqoi__err *err,
                                  int expect_part)
{
    uint8_t b[48];
    int part = expect_part;
    size_t at = 0;
    bool multi = (r->version & EXRQOI_VERSION_FLAG_MULTIPART) != 0;
    if (multi) {
        EXRQOI_TRY(exrqoi__source_read(&r->src, off, b, 4, err));
        int32_t pn = (int32_t)exrqoi__le32(b);
        if (pn < 0 || pn >= r->nparts)
            return exrqoi__fail(err, EXRQOI_ERR_BAD_CHUNK, "chunk at byte %llu names part %d of %d",
                                (unsigned long long)off, pn, r->nparts);
        if (expect_part >= 0 && pn != expect_part)
            return exrqoi__fail(err, EXRQOI_ERR_BAD_CHUNK,
                                "chunk at byte %llu belongs to part %d, expected part %d",
                                (unsigned long long)off, pn, expect_part);
        part = pn;
        at = 4;
    }
    if (part < 0) part = 0;
    const exrqoi__part *p = &r->parts[part];
    size_t ls = leader_size(r, p);
    EXRQOI_TRY(exrqoi__source_read(&r->src, off, b, ls, err));
    memset(ci, 0, sizeof *ci);
    ci->part = part;
    ci->file_offset = off;
    uint64_t idx;
    if (!p->info.tiled) {
        int32_t y = (int32_t)exrqoi__le32(b + at);
        at += 4;
        int64_t rel = (int64_t)y - p->info.data_window.min.y;
        if (rel < 0 || y > p->info.data_window.max.y || rel % p->info.lines_per_chunk)
            return exrqoi__fail(err, EXRQOI_ERR_BAD_CHUNK,
                                "part %d: chunk at byte %llu starts at invalid scanline %d", part,
                                (unsigned long long)off, y);
        idx = (uint64_t)(rel / p->info.lines_per_chunk);
    } else {
        int32_t tx = (int32_t)exrqoi__le32(b + at), ty = (int32_t)exrqoi__le32(b + at + 4);
        int32_t lx = (int32_t)exrqoi__le32(b + at + 8), ly = (int32_t)exrqoi__le32(b + at + 12);
        at += 16;
        const exrqoi__level *L = exrqoi__part_level(p, lx, ly);
        if (!L || tx < 0 || ty < 0 || tx >= L->tiles_x || ty >= L->tiles_y)
            return exrqoi__fail(err, EXRQOI_ERR_BAD_CHUNK,
                                "part %d: chunk at byte %llu names invalid tile (%d, %d) of level (%d, %d)",
                                part, (unsigned long long)off, tx, ty, lx, ly);
        idx = L->first_chunk + (uint64_t)ty * (uint64_t)L->tiles_x + (uint64_t)tx;
    }
    uint64_t payload;
    if (!p->deep) {
        int32_t sz = (int32_t)exrqoi__le32(b + at);
        if (sz < 0)
            return exrqoi__fail(err, EXRQOI_ERR_BAD_CHUNK, "part %d: chunk at byte %llu has negative size %d",
                                part, (unsigned long long)off, sz);
        ci->packed_size = (uint64_t)sz;
        payload = (uint64_t)sz;
    } else {
        ci->packed_count_table_size = exrqoi__le64(b + at);
        ci->packed_size = exrqoi__le64(b + at + 8);
        ci->unpacked_size = exrqoi__le64(b + at + 16);
        if (exrqoi__add_u64(ci->packed_count_table_size, ci->packed_size, &payload))
            return exrqoi__fail(err, EXRQOI_ERR_BAD_CHUNK, "part %d: chunk at byte %llu has invalid sizes",
                                part, (unsigned long long)off);
        if (ci->unpacked_size > r->limits.max_chunk_size)
            return exrqoi__fail(err, EXRQOI_ERR_LIMIT,
                                "part %d: deep chunk at byte %llu unpacks to %llu bytes, over the limit",
                                part, (unsigned long long)off, (unsigned long long)ci->unpacked_size);
    }
    if (payload > r->limits.max_chunk_size)
        return exrqoi__fail(err, EXRQOI_ERR_LIMIT, "part %d: chunk at byte %llu is %llu bytes, over the limit",
                            part, (unsigned long long)off, (unsigned long long)payload);
    uint64_t end = off + ls + payload;
    if (end < off || (r->src.size != UINT64_MAX && end > r->src.size))
        return exrqoi__fail(err, EXRQOI_ERR_TRUNCATED,
                            "part %d: chunk at byte %llu (%llu bytes) runs past the end of the file",
                            part, (unsigned long long)off, (unsigned long long)payload);
    ci->index = idx;
    EXRQOI_TRY(exrqoi__part_chunk_window(p, idx, &ci->window, &ci->tile_x, &ci->tile_y, &ci->level_x,
                                         &ci->level_y));
    if (!p->deep) {
        uint64_t us;
        EXRQOI_TRY(exrqoi__part_unpacked_size(p, &ci->window, &us));
        ci->unpacked_size = us;
    }
    *part_out = part;
    *index = idx;
    *total_size = ls + payload;
    return EXRQOI_OK;
}

exrqoi_result exrqoi__read_chunk_leader(exrqoi_reader *r, int part, uint64_t index,
                                        exrqoi_chunk_info *ci, uint64_t *data_off, exrqoi__err *err)
{
    const exrqoi__part *p = &r->parts[part];
    if (index >= p->info.chunk_count)
        return exrqoi__fail(err, EXRQOI_ERR_NOT_FOUND, "part %d has no chunk %llu", part,
                            (unsigned long long)index);
    uint64_t off = p->offsets[index];
    if (off == 0)
        return exrqoi__fail(err, EXRQOI_ERR_BAD_OFFSETS, "part %d: chunk %llu is missing from the file",
                            part, (unsigned long long)index);
    int got_part;
    uint64_t got_index, total;
    EXRQOI_TRY(parse_leader(r, off, &got_part, &got_index, &total, ci, err, part));
    if (got_index != index)
        return exrqoi__fail(err, EXRQOI_ERR_BAD_CHUNK,
                            "part %d: chunk %llu at byte %llu holds the data of chunk %llu", part,
                            (unsigned long long)index, (unsigned long long)off,
                            (unsigned long long)got_index);
    *data_off = off + leader_size(r, p);
    return EXRQOI_OK;
}

exrqoi_result exrqoi__read_chunk_leader_quick(exrqoi_reader *r, int part, uint64_t index,
                                              const int32_t want[4], uint64_t *packed_size,
                                              uint64_t *data_off, exrqoi__err *err)
{
    const exrqoi__part *p = &r->parts[part];
    uint64_t off = index < p->info.chunk_count ? p->offsets[index] : 0;
    size_t ls = leader_size(r, p);
    uint8_t b[48];
    const uint8_t *lp = NULL;
    if (off && !p->deep) {
        if (r->src.mem) {
            if (off <= r->src.size && ls <= r->src.size - off) lp = r->src.mem + off;
        } else if (exrqoi__source_read(&r->src, off, b, ls, NULL) == EXRQOI_OK) {
            lp = b;
        }
    }
    if (lp) {
        bool multi = (r->version & EXRQOI_VERSION_FLAG_MULTIPART) != 0;
        const uint8_t *q = lp;
        bool ok = !multi || (int32_t)exrqoi__le32(q) == part;
        q += multi ? 4 : 0;
        int ncoord = p->info.tiled ? 4 : 1;
        for (int k = 0; k < ncoord; k++) ok = ok && (int32_t)exrqoi__le32(q + 4 * k) == want[k];
        int32_t sz = (int32_t)exrqoi__le32(q + 4 * ncoord);
        uint64_t end = off + ls + (uint64_t)sz;
        if (ok && sz >= 0 && (uint64_t)sz <= r->limits.max_chunk_size &&
            (r->src.size == UINT64_MAX || end <= r->src.size)) {
            *packed_size = (uint64_t)sz;
            *data_off = off + ls;
            return EXRQOI_OK;
        }
    }
    /* anything unusual: the full check says what is wrong */
    exrqoi_chunk_info ci;
    EXRQOI_TRY(exrqoi__read_chunk_leader(r, part, index, &ci, data_off, err));
    *packed_size = ci.packed_size;
    return EXRQOI_OK;
}

/* Walks chunks front to back from the end of the tables, filling offsets
 * that are missing or invalid. Stops at the first unreadable leader. */
static void rebuild(exrqoi_reader *r)
{
    uint64_t off = r->chunks_start;
    exrqoi__err scratch;
    memset(&scratch, 0, sizeof scratch);
    for (;;) {
        if (r->src.size != UINT64_MAX && off >= r->src.size) break;
        int part;
        uint64_t idx, total;
        exrqoi_chunk_info ci;
        if (parse_leader(r, off, &part, &idx, &total, &ci, &scratch, -1) != EXRQOI_OK) break;
        exrqoi__part *p = &r->parts[part];
        uint64_t cur = p->offsets[idx];
        if (cur < r->chunks_start || (r->src.size != UINT64_MAX && cur >= r->src.size) || cur == 0) {
            p->offsets[idx] = off;
            p->info.offsets_rebuilt = 1;
        }
        off += total;
    }
}

exrqoi_result exrqoi__read_offsets(exrqoi_reader *r, exrqoi__err *err)
{
    bool damaged = false;
    uint64_t tables = 0; /* bytes of all tables: one allocation budget for the open */
    for (int k = 0; k < r->nparts; k++) {
        exrqoi__part *p = &r->parts[k];
        uint64_t n = p->info.chunk_count;
        uint64_t bytes = n * 8;
        if (r->src.size != UINT64_MAX && (p->table_pos > r->src.size || bytes > r->src.size - p->table_pos))
            return exrqoi__fail(err, EXRQOI_ERR_TRUNCATED,
                                "part %d: the offset table (%llu chunks) runs past the end of the file",
                                k, (unsigned long long)n);
        tables += bytes;
        if (!exrqoi__budget_fits(&r->limits, 1, tables) || bytes > SIZE_MAX)
            return exrqoi__fail(err, EXRQOI_ERR_LIMIT, "part %d: offset table of %llu chunks is too large",
                                k, (unsigned long long)n);
        void *tb = NULL;
        size_t tcap = 0;
        exrqoi_result rv = exrqoi__source_read_grow(&r->src, r->alloc, p->table_pos, &tb, &tcap, (size_t)bytes, err);
        p->offsets = (uint64_t *)tb;
        if (rv) return rv;
        for (uint64_t i = 0; i < n; i++) {
            uint64_t o = exrqoi__le64(&p->offsets[i]);
            if (o < r->chunks_start || (r->src.size != UINT64_MAX && o >= r->src.size)) {
                damaged = true;
                o = 0;
            }
            p->offsets[i] = o;
        }
    }
    if (damaged) {
        rebuild(r);
        if (r->strict) {
            for (int k = 0; k < r->nparts; k++)
                for (uint64_t i = 0; i < r->parts[k].info.chunk_count; i++)
                    if (!r->parts[k].offsets[i])
                        return exrqoi__fail(err, EXRQOI_ERR_BAD_OFFSETS,
                                            "part %d: offset table damaged, chunk %llu cannot be found",
                                            k, (unsigned long long)i);
        }
    }
    return EXRQOI_OK;
}
