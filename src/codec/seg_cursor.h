/* A cursor over exrqoi__segment lists (codec.h), walked one unpacked
 * line at a time by codecs that decode straight into the caller's memory
 * (PXR24, DWA, B44) and by stored-raw blocks. */
#ifndef EXRQOI_SEG_CURSOR_H
#define EXRQOI_SEG_CURSOR_H

#include "codec/record.h"

typedef struct seg_cursor {
    const exrqoi__segment *seg;
    size_t nseg, i, off;
} seg_cursor;

static inline void seg_skip_empty(seg_cursor *sc)
{
    while (sc->i < sc->nseg && sc->off == sc->seg[sc->i].len) {
        sc->i++;
        sc->off = 0;
    }
}

/* The next `n` bytes: a single destination (NULL: not wanted) when one
 * segment holds them all; else returns false and leaves the cursor. A
 * segment used up moves the cursor on at once: the next call's skip then
 * finds the live segment on its first test (one segment a line is usual). */
static inline bool seg_whole(seg_cursor *sc, size_t n, uint8_t **dst)
{
    /* the usual case first (tiles: each line its own segment), with no
     * loop: the cursor at the start of a segment of exactly n bytes */
    if (sc->off == 0 && sc->i < sc->nseg && sc->seg[sc->i].len == n && n) {
        *dst = sc->seg[sc->i++].dst;
        return true;
    }
    seg_skip_empty(sc);
    if (sc->i >= sc->nseg || sc->seg[sc->i].len - sc->off < n) return false;
    const exrqoi__segment *g = &sc->seg[sc->i];
    *dst = g->dst ? g->dst + sc->off : NULL;
    sc->off += n;
    if (sc->off == g->len) {
        sc->i++;
        sc->off = 0;
    }
    return true;
}

/* Copies the next `n` bytes from `line` to wherever the segments put
 * them (the segments must cover them); line == NULL only moves past. */
static inline void seg_scatter(seg_cursor *sc, const uint8_t *line, size_t n)
{
    while (n) {
        seg_skip_empty(sc);
        const exrqoi__segment *g = &sc->seg[sc->i];
        size_t take = g->len - sc->off < n ? g->len - sc->off : n;
        if (g->dst && line) memcpy(g->dst + sc->off, line, take);
        sc->off += take;
        if (line) line += take;
        n -= take;
    }
}

/* Whether the segments' lengths sum to exactly n. */
static inline bool seg_cover(const exrqoi__segment *seg, size_t nseg, size_t n)
{
    size_t total = 0;
    for (size_t k = 0; k < nseg; k++)
        if (exrqoi__add_size(total, seg[k].len, &total)) return false;
    return total == n;
}

#endif
