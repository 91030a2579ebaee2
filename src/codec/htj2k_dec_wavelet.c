/*
 * Reversible 5/3 inverse wavelet (T.800 Annex F: 2D_SR = interleave,
 * HOR_SR on every row, then VER_SR on every column, with whole-sample
 * symmetric extension) and the inverse reversible colour transform
 * (T.800 Annex G.2). Positions are absolute, so odd origins and sizes
 * put the low-pass samples where the standard says.
 */
#include "codec/htj2k_dec.h"

#define ADD exrqoi__htj2k_add
#define SUB exrqoi__htj2k_sub

/* arithmetic shift = floor division by a power of two */
static inline int64_t floor_shift(int64_t v, int s) { return v >> s; }

void exrqoi__htj2k_idwt53_line(int64_t *x, size_t n, size_t step, uint32_t first)
{
    if (n == 0) return;
    if (n == 1) {
        if (first & 1) x[0] = floor_shift(x[0], 1);
        return;
    }
    const size_t par = first & 1; /* index of the first low-pass sample is par */
    /* even positions: X(2n) = Y(2n) - floor((Y(2n-1) + Y(2n+1) + 2) / 4);
     * the ends mirror (whole-sample symmetric extension) */
    size_t k = par;
    if (k == 0) {
        x[0] = SUB(x[0], floor_shift(ADD(ADD(x[step], x[step]), 2), 2));
        k = 2;
    }
    for (; k + 1 < n; k += 2)
        x[k * step] = SUB(x[k * step], floor_shift(ADD(ADD(x[(k - 1) * step], x[(k + 1) * step]), 2), 2));
    if (k < n) x[k * step] = SUB(x[k * step], floor_shift(ADD(ADD(x[(k - 1) * step], x[(k - 1) * step]), 2), 2));
    /* odd positions: X(2n+1) = Y(2n+1) + floor((X(2n) + X(2n+2)) / 2) */
    k = 1 - par;
    if (k == 0) {
        x[0] = ADD(x[0], floor_shift(ADD(x[step], x[step]), 1));
        k = 2;
    }
    for (; k + 1 < n; k += 2) x[k * step] = ADD(x[k * step], floor_shift(ADD(x[(k - 1) * step], x[(k + 1) * step]), 1));
    if (k < n) x[k * step] = ADD(x[k * step], floor_shift(ADD(x[(k - 1) * step], x[(k - 1) * step]), 1));
}

/* VER_SR done a row at a time (the same arithmetic as the line version,
 * in an order that walks memory forwards). */
static void vertical(int64_t *out, uint32_t rw, uint32_t rh, uint32_t y0)
{
    if (rh == 0 || rw == 0) return;
    if (rh == 1) {
        if (y0 & 1)
            for (uint32_t i = 0; i < rw; i++) out[i] = floor_shift(out[i], 1);
        return;
    }
    const size_t par = y0 & 1;
    for (size_t k = par; k < rh; k += 2) {
        int64_t *r = out + k * rw;
        const int64_t *a = k > 0 ? r - rw : r + rw;
        const int64_t *b = k + 1 < rh ? r + rw : r - rw;
        for (uint32_t i = 0; i < rw; i++) r[i] = SUB(r[i], floor_shift(ADD(ADD(a[i], b[i]), 2), 2));
    }
    for (size_t k = 1 - par; k < rh; k += 2) {
        int64_t *r = out + k * rw;
        const int64_t *a = k > 0 ? r - rw : r + rw;
        const int64_t *b = k + 1 < rh ? r + rw : r - rw;
        for (uint32_t i = 0; i < rw; i++) r[i] = ADD(r[i], floor_shift(ADD(a[i], b[i]), 1));
    }
}

static inline uint32_t ceil_half(uint32_t v) { return (uint32_t)(((uint64_t)v + 1) >> 1); }

/* HOR_SR of one row read straight from its low (l) and high (h) bands:
 * the lifting steps of exrqoi__htj2k_idwt53_line without interleaving
 * first, each high-pass sample finished as soon as the low-pass sample
 * after it is. par: parity of the row's first position; n >= 2. */
static inline int64_t lift_lo(int64_t l, int64_t ha, int64_t hb) { return SUB(l, floor_shift(ADD(ADD(ha, hb), 2), 2)); }
static inline int64_t lift_hi(int64_t h, int64_t la, int64_t lb) { return ADD(h, floor_shift(ADD(la, lb), 1)); }

static void horizontal_even(int64_t *o, const int64_t *l, const int64_t *h, uint32_t n)
{
    /* L0 H0 L1 H1 ...: high j sits between lows j and j + 1 */
    const uint32_t hw = n / 2;
    int64_t prev = lift_lo(l[0], h[0], h[0]);
    o[0] = prev;
    uint32_t j = 0;
    for (; 2 * j + 3 < n; j++) {
        const int64_t next = lift_lo(l[j + 1], h[j], h[j + 1]);
        o[2 * j + 2] = next;
        o[2 * j + 1] = lift_hi(h[j], prev, next);
        prev = next;
    }
    for (; j < hw; j++) {
        int64_t next = prev;
        if (2 * j + 2 < n) {
            next = lift_lo(l[j + 1], h[j], h[j]);
            o[2 * j + 2] = next;
        }
        o[2 * j + 1] = lift_hi(h[j], prev, next);
        prev = next;
    }
}

static void horizontal_odd(int64_t *o, const int64_t *l, const int64_t *h, uint32_t n)
{
    /* H0 L0 H1 L1 ...: high j sits between lows j - 1 and j */
    const uint32_t hw = (n + 1) / 2;
    int64_t prev = lift_lo(l[0], h[0], n > 2 ? h[1] : h[0]);
    o[1] = prev;
    o[0] = lift_hi(h[0], prev, prev);
    uint32_t j = 1;
    for (; 2 * j + 2 < n; j++) {
        const int64_t next = lift_lo(l[j], h[j], h[j + 1]);
        o[2 * j + 1] = next;
        o[2 * j] = lift_hi(h[j], prev, next);
        prev = next;
    }
    for (; j < hw; j++) {
        int64_t next = prev;
        if (2 * j + 1 < n) {
            next = lift_lo(l[j], h[j], h[j]);
            o[2 * j + 1] = next;
        }
        o[2 * j] = lift_hi(h[j], prev, next);
        prev = next;
    }
}

static void horizontal(int64_t *o, const int64_t *l, const int64_t *h, uint32_t n, uint32_t par)
{
    if (n == 1)
        o[0] = par ? floor_shift(h[0], 1) : l[0];
    else if (par)
        horizontal_odd(o, l, h, n);
    else
        horizontal_even(o, l, h, n);
}

void exrqoi__htj2k_idwt53_2d(int64_t *out, uint32_t x0, uint32_t y0, uint32_t rw, uint32_t rh,
                             const int64_t *ll, const int64_t *hl, const int64_t *lh, const int64_t *hh)
{
    const uint32_t x1 = x0 + rw;
    const uint32_t lw = ceil_half(x1) - ceil_half(x0), hw = x1 / 2 - x0 / 2;
    const uint32_t lo_y0 = ceil_half(y0), hi_y0 = y0 / 2;
    const uint32_t par = x0 & 1;
    if (rw == 0) return;
    for (uint32_t y = 0; y < rh; y++) {
        const uint32_t Y = y0 + y;
        const int64_t *lrow, *hrow;
        if ((Y & 1) == 0) {
            lrow = ll + (size_t)(Y / 2 - lo_y0) * lw;
            hrow = hl + (size_t)(Y / 2 - lo_y0) * hw;
        } else {
            lrow = lh + (size_t)(Y / 2 - hi_y0) * lw;
            hrow = hh + (size_t)(Y / 2 - hi_y0) * hw;
        }
        horizontal(out + (size_t)y * rw, lrow, hrow, rw, par);
    }
    vertical(out, rw, rh, y0);
}

void exrqoi__htj2k_inverse_rct(int64_t *c0, int64_t *c1, int64_t *c2, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const int64_t y = c0[i], cb = c1[i], cr = c2[i];
        const int64_t g = SUB(y, floor_shift(ADD(cb, cr), 2));
        c0[i] = ADD(cr, g);
        c1[i] = g;
        c2[i] = ADD(cb, g);
    }
}
