/*
 * The reversible 5/3 synthesis and the inverse RCT for one coefficient
 * width, included by htj2k_dec_wavelet.c once per width with
 *   COEF   the coefficient type (int32_t or int64_t)
 *   UCOEF  its unsigned twin (the arithmetic wraps through it: hostile
 *          coefficients may not overflow into UB)
 *   SFX(n) the name suffix of the instance
 *   VERT_ROW(r, a, b, n, hi)  the vertical lifting of one row (see
 *          vert_row_c below), which may be a SIMD kernel
 *   VERT_PAIR(lo, hi, below, above, n)  VERT_ROW(lo, hi, below, n, 0)
 *          then VERT_ROW(hi, above, lo, n, 1), possibly in one pass
 *   HOR_EVEN(o, l, h, n)  HOR_SR of a row starting at an even position
 *          (horizontal_even below, or a SIMD kernel)
 * No include guard: meant to be included more than once.
 */

static inline COEF SFX(add)(COEF a, COEF b) { return (COEF)((UCOEF)a + (UCOEF)b); }
static inline COEF SFX(sub)(COEF a, COEF b) { return (COEF)((UCOEF)a - (UCOEF)b); }
/* arithmetic shift = floor division by a power of two */
static inline COEF SFX(fsh)(COEF v, int s) { return v >> s; }

/* One row of VER_SR: the even (low-pass) step r -= floor((a + b + 2) / 4)
 * or, with hi, the odd step r += floor((a + b) / 2); a and b are the rows
 * above and below (mirrored at the ends). */
static inline void SFX(vert_row_c)(COEF *restrict r, const COEF *a, const COEF *b, size_t n, int hi)
{
    if (hi)
        for (size_t i = 0; i < n; i++) r[i] = SFX(add)(r[i], SFX(fsh)(SFX(add)(a[i], b[i]), 1));
    else
        for (size_t i = 0; i < n; i++) r[i] = SFX(sub)(r[i], SFX(fsh)(SFX(add)(SFX(add)(a[i], b[i]), 2), 2));
}

/* HOR_SR of one row read straight from its low (l) and high (h) bands:
 * the lifting steps of exrqoi__htj2k_idwt53_line without interleaving
 * first, each high-pass sample finished as soon as the low-pass sample
 * after it is. par: parity of the row's first position; n >= 2. */
static inline COEF SFX(lift_lo)(COEF l, COEF ha, COEF hb) { return SFX(sub)(l, SFX(fsh)(SFX(add)(SFX(add)(ha, hb), 2), 2)); }
static inline COEF SFX(lift_hi)(COEF h, COEF la, COEF lb) { return SFX(add)(h, SFX(fsh)(SFX(add)(la, lb), 1)); }

static void SFX(horizontal_even)(COEF *o, const COEF *l, const COEF *h, uint32_t n)
{
    /* L0 H0 L1 H1 ...: high j sits between lows j and j + 1 */
    const uint32_t hw = n / 2;
    COEF prev = SFX(lift_lo)(l[0], h[0], h[0]);
    o[0] = prev;
    uint32_t j = 0;
    for (; 2 * j + 3 < n; j++) {
        const COEF next = SFX(lift_lo)(l[j + 1], h[j], h[j + 1]);
        o[2 * j + 2] = next;
        o[2 * j + 1] = SFX(lift_hi)(h[j], prev, next);
        prev = next;
    }
    for (; j < hw; j++) {
        COEF next = prev;
        if (2 * j + 2 < n) {
            next = SFX(lift_lo)(l[j + 1], h[j], h[j]);
            o[2 * j + 2] = next;
        }
        o[2 * j + 1] = SFX(lift_hi)(h[j], prev, next);
        prev = next;
    }
}

static void SFX(horizontal_odd)(COEF *o, const COEF *l, const COEF *h, uint32_t n)
{
    /* H0 L0 H1 L1 ...: high j sits between lows j - 1 and j */
    const uint32_t hw = (n + 1) / 2;
    COEF prev = SFX(lift_lo)(l[0], h[0], n > 2 ? h[1] : h[0]);
    o[1] = prev;
    o[0] = SFX(lift_hi)(h[0], prev, prev);
    uint32_t j = 1;
    for (; 2 * j + 2 < n; j++) {
        const COEF next = SFX(lift_lo)(l[j], h[j], h[j + 1]);
        o[2 * j + 1] = next;
        o[2 * j] = SFX(lift_hi)(h[j], prev, next);
        prev = next;
    }
    for (; j < hw; j++) {
        COEF next = prev;
        if (2 * j + 1 < n) {
            next = SFX(lift_lo)(l[j], h[j], h[j]);
            o[2 * j + 1] = next;
        }
        o[2 * j] = SFX(lift_hi)(h[j], prev, next);
        prev = next;
    }
}

static void SFX(horizontal)(COEF *o, const COEF *l, const COEF *h, uint32_t n, uint32_t par, int path)
{
    (void)path;
    if (n == 1)
        o[0] = par ? SFX(fsh)(h[0], 1) : l[0];
    else if (par)
        SFX(horizontal_odd)(o, l, h, n);
    else
        HOR_EVEN(o, l, h, n);
}

/* 2D_SR in one sweep down the rows: each row's HOR_SR just before the
 * first vertical step that reads it, each high-pass row's VER_SR step as
 * soon as the low-pass rows on both sides have theirs. Every step reads
 * the same values as a whole HOR_SR pass followed by a whole even-row and
 * a whole odd-row VER_SR pass (a low-pass step reads high-pass rows not
 * yet lifted, a high-pass step low-pass rows already lifted), but the
 * rows it touches stay in L1 instead of the level streaming through
 * memory three times. */
/* Rows t0 <= t < t1 of the sweep (the whole 2D_SR when t0 = 0, t1 = rh;
 * consecutive calls over 0..rh give the same values): afterwards rows
 * below t1 - 2 are final, and all rows once t1 = rh. Row t is at row
 * t & rmask of out (UINT32_MAX: every row in place; a ring of rows, a
 * power of two of them, otherwise). */
static void SFX(idwt53_2d_rows)(COEF *out, uint32_t x0, uint32_t y0, uint32_t rw, uint32_t rh, const COEF *ll,
                                const COEF *hl, const COEF *lh, const COEF *hh, int path, uint32_t t0, uint32_t t1,
                                uint32_t rmask)
{
    const uint32_t x1 = x0 + rw;
    const uint32_t lw = ceil_half(x1) - ceil_half(x0), hw = x1 / 2 - x0 / 2;
    const uint32_t lo_y0 = ceil_half(y0), hi_y0 = y0 / 2;
    const uint32_t par = x0 & 1;
    if (rw == 0 || rh == 0) return;
#define ROW(k) (out + (size_t)((uint32_t)(k) & rmask) * rw)
    /* VER_SR of one row k from the rows above and below, mirrored at the ends */
#define VSTEP(k, hi) VERT_ROW(ROW(k), ROW((k) > 0 ? (k) - 1 : (k) + 1), ROW((k) + 1 < rh ? (k) + 1 : (k) - 1), rw, hi)
    const uint32_t vpar = y0 & 1; /* the first low-pass row */
    if (t1 > rh) t1 = rh;
    for (uint32_t t = t0; t < t1; t++) {
        const uint32_t Y = y0 + t;
        const COEF *lrow, *hrow;
        if ((Y & 1) == 0) {
            lrow = ll + (size_t)(Y / 2 - lo_y0) * lw;
            hrow = hl + (size_t)(Y / 2 - lo_y0) * hw;
        } else {
            lrow = lh + (size_t)(Y / 2 - hi_y0) * lw;
            hrow = hh + (size_t)(Y / 2 - hi_y0) * hw;
        }
        SFX(horizontal)(ROW(t), lrow, hrow, rw, par, path);
        if (rh == 1) {
            if (y0 & 1)
                for (uint32_t i = 0; i < rw; i++) out[i] = SFX(fsh)(out[i], 1);
            return;
        }
        /* with row t, low-pass row t - 1 has both neighbours, and then
         * high-pass row t - 2 both lifted neighbours */
        if (t >= 1 && ((t - 1) & 1) == vpar) {
            if (t >= 3) { /* no mirror: both steps in one pass */
                VERT_PAIR(ROW(t - 1), ROW(t - 2), ROW(t), ROW(t - 3), rw);
            } else {
                VSTEP(t - 1, 0);
                if (t >= 2) VSTEP(t - 2, 1);
            }
        }
    }
    if (t1 < rh) return;
    /* the last row (mirrored) and the high-pass row before it */
    const uint32_t e = rh - 1;
    if ((e & 1) == vpar) {
        VSTEP(e, 0);
        VSTEP(e - 1, 1);
    } else {
        VSTEP(e, 1);
    }
#undef VSTEP
#undef ROW
}

static void SFX(idwt53_2d)(COEF *out, uint32_t x0, uint32_t y0, uint32_t rw, uint32_t rh, const COEF *ll,
                           const COEF *hl, const COEF *lh, const COEF *hh, int path)
{
    SFX(idwt53_2d_rows)(out, x0, y0, rw, rh, ll, hl, lh, hh, path, 0, rh, UINT32_MAX);
}

static void SFX(inverse_rct)(COEF *c0, COEF *c1, COEF *c2, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const COEF y = c0[i], cb = c1[i], cr = c2[i];
        const COEF g = SFX(sub)(y, SFX(fsh)(SFX(add)(cb, cr), 2));
        c0[i] = SFX(add)(cr, g);
        c1[i] = g;
        c2[i] = SFX(add)(cb, g);
    }
}
