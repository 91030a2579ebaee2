/* OpenEXR HTJ2K chunk encoder: channel map, sample conversion (NLT type
 * 3, unsigned level shift, RCT), forward reversible 5/3 wavelet, code
 * blocks, packets and the codestream headers, in the order and with the
 * parameters OpenEXR 3.4 writes through OpenJPH (facts from OpenEXR's
 * internal_ht.cpp / internal_ht_common.cpp and ITU-T T.800 / T.814). */
#include "codec/htj2k_enc.h"

#include <strings.h>

#define LEVELS 5
#define NBANDS (1 + 3 * LEVELS)
#define CB_W 128
#define CB_H 32
#define MAX_COMPS 16384
#define MAX_PRECINCT 32768 /* default precinct size: one per resolution up to this width */

typedef struct comp_info {
    int file;        /* file channel index */
    int w, h;        /* component size */
    int xs, ys;      /* sampling */
    int bits;        /* 16 or 32 */
    int is_signed;   /* half, float */
    int kmax[NBANDS]; /* magnitude bit planes per band, LL first */
    int64_t *plane;   /* 32-bit components */
    int32_t *plane32; /* 16-bit components */
    size_t row0;      /* its first entry in the row offsets */
    int rows;         /* rows found so far */
} comp_info;

typedef struct quant {
    int guard;
    int exp[NBANDS];
} quant;

/* ---- channel map -------------------------------------------------------- */

typedef struct rgb_match {
    const char *suffix[3];
    int index[3];
    const char *prefix;
    size_t prefix_len;
    int have_prefix;
} rgb_match;

/* OpenEXR's make_channel_map: R, G, B (or red, green, blue) matched on
 * the whole name or the part after the last '.', ignoring case, with one
 * prefix per triplet; the codestream puts them first when all three have
 * one type and sampling. Returns whether they were found. */
static int channel_map(const exrqoi__block_layout *b, int *map)
{
    rgb_match m[2] = {{{"r", "g", "b"}, {-1, -1, -1}, NULL, 0, 0},
                      {{"red", "green", "blue"}, {-1, -1, -1}, NULL, 0, 0}};
    for (int i = 0; i < b->nchan; i++) {
        const char *name = b->chans[i].name ? b->chans[i].name : "";
        const char *dot = strrchr(name, '.');
        const char *suffix = dot ? dot + 1 : name;
        size_t prefix_len = dot ? (size_t)(dot - name) : 0;
        for (int j = 0; j < 2; j++) {
            if (m[j].have_prefix &&
                (m[j].prefix_len != prefix_len || strncmp(m[j].prefix, name, prefix_len) != 0))
                continue;
            int hit = 0;
            for (int k = 0; k < 3 && !hit; k++)
                if (strcasecmp(suffix, m[j].suffix[k]) == 0 && m[j].index[k] < 0) {
                    m[j].index[k] = i;
                    hit = 1;
                }
            if (hit) {
                m[j].prefix = name;
                m[j].prefix_len = prefix_len;
                m[j].have_prefix = 1;
                break;
            }
        }
    }
    int rgb = 0, r = -1, g = -1, bl = -1;
    for (int j = 0; j < 2 && !rgb; j++) {
        r = m[j].index[0];
        g = m[j].index[1];
        bl = m[j].index[2];
        if (r < 0 || g < 0 || bl < 0) continue;
        const exrqoi__chan_layout *c = b->chans;
        rgb = c[r].type == c[g].type && c[r].type == c[bl].type && c[r].x_sampling == c[g].x_sampling &&
              c[r].x_sampling == c[bl].x_sampling && c[r].y_sampling == c[g].y_sampling &&
              c[r].y_sampling == c[bl].y_sampling;
    }
    if (!rgb) {
        for (int i = 0; i < b->nchan; i++) map[i] = i;
        return 0;
    }
    map[0] = r;
    map[1] = g;
    map[2] = bl;
    int next = 3;
    for (int i = 0; i < b->nchan; i++)
        if (i != r && i != g && i != bl) map[next++] = i;
    return 1;
}

/* ---- quantization (reversible: exponents only) -------------------------- */

/* OpenJPH's reversible exponents: B bits (+1 under the RCT) plus the
 * rounded-up log2 of the 5/3 synthesis gain of the band, which for five
 * levels is 2 for LL5 and for level 1's bands and 3 for levels 2 to 5;
 * guard bits grow so that no exponent passes 31. */
static void rev_quant(int bits, int rct, quant *q)
{
    int B = bits + (rct ? 1 : 0), mx = 0;
    int bx[NBANDS];
    bx[0] = B + 2;
    for (int d = LEVELS, s = 1; d > 0; d--)
        for (int k = 0; k < 3; k++) bx[s++] = B + (d == 1 ? 2 : 3);
    for (int s = 0; s < NBANDS; s++)
        if (bx[s] > mx) mx = bx[s];
    q->guard = mx - 31 > 1 ? mx - 31 : 1;
    for (int s = 0; s < NBANDS; s++) q->exp[s] = bx[s] - q->guard;
}

/* ---- forward reversible 5/3 (T.800 F.4.8.2) ----------------------------- */

/* fwd53_row_T: one row of n samples, predict (high, odd samples) then
 * update (low, even samples) with symmetric extension at both ends,
 * written straight to the split layout (ceil(n/2) low, then floor(n/2)
 * high) via tmp.
 * fwd53_2d_T: vertical then horizontal, as the decoder undoes horizontal
 * then vertical; the low band stays at the top left (Mallat layout). The
 * vertical step works on whole rows: high rows go to tmp, low rows move
 * up in place (row i is free once rows 2i-1 and 2i are used), then the
 * high rows come back below them.
 * T is int64_t, for 32-bit components; 16-bit ones (int32_t samples)
 * go through htj2k_enc_dwt.c's SIMD paths, which give the same integers. */
#define HTJ2K_FWD53(T)                                                                                        \
    static void fwd53_row_##T(T *x, int n, T *tmp)                                                           \
    {                                                                                                         \
        if (n < 2) return;                                                                                    \
        const int nl = (n + 1) / 2, nh = n / 2;                                                               \
        T *hi = tmp + nl;                                                                                     \
        for (int i = 0; i < nh; i++) {                                                                        \
            T r = 2 * i + 2 < n ? x[2 * i + 2] : x[2 * i];                                                    \
            hi[i] = x[2 * i + 1] - ((x[2 * i] + r) >> 1);                                                     \
        }                                                                                                     \
        for (int i = 0; i < nl; i++) {                                                                        \
            T dl = i > 0 ? hi[i - 1] : hi[0], dr = i < nh ? hi[i] : hi[nh - 1];                               \
            tmp[i] = x[2 * i] + ((dl + dr + 2) >> 2);                                                         \
        }                                                                                                     \
        memcpy(x, tmp, (size_t)n * sizeof(T));                                                                \
    }                                                                                                         \
    static void fwd53_2d_##T(T *p, int w, int h, T *tmp)                                                     \
    {                                                                                                         \
        int cw = w, ch = h;                                                                                   \
        for (int d = 0; d < LEVELS; d++) {                                                                    \
            if (ch > 1) {                                                                                     \
                const int nl = (ch + 1) / 2, nh = ch / 2;                                                     \
                const size_t rw = (size_t)w, cwz = (size_t)cw;                                                \
                for (int i = 0; i < nh; i++) {                                                                \
                    const T *up = p + (size_t)(2 * i) * rw, *mid = up + rw;                                   \
                    const T *dn = 2 * i + 2 < ch ? mid + rw : up;                                             \
                    T *out = tmp + (size_t)i * cwz;                                                           \
                    for (int x = 0; x < cw; x++) out[x] = mid[x] - ((up[x] + dn[x]) >> 1);                    \
                }                                                                                             \
                for (int i = 0; i < nl; i++) {                                                                \
                    const T *dl = tmp + (size_t)(i > 0 ? i - 1 : 0) * cwz;                                    \
                    const T *dr = tmp + (size_t)(i < nh ? i : nh - 1) * cwz;                                  \
                    const T *src = p + (size_t)(2 * i) * rw;                                                  \
                    T *dst = p + (size_t)i * rw;                                                              \
                    for (int x = 0; x < cw; x++) dst[x] = src[x] + ((dl[x] + dr[x] + 2) >> 2);                \
                }                                                                                             \
                for (int i = 0; i < nh; i++)                                                                  \
                    memcpy(p + (size_t)(nl + i) * rw, tmp + (size_t)i * cwz, cwz * sizeof(T));                \
            }                                                                                                 \
            if (cw > 1)                                                                                       \
                for (int y = 0; y < ch; y++) fwd53_row_##T(p + (size_t)y * (size_t)w, cw, tmp);               \
            cw = (cw + 1) / 2;                                                                                \
            ch = (ch + 1) / 2;                                                                                \
        }                                                                                                     \
    }

/* fwd_rct_T: the reversible colour transform (T.800 G.2) in place on
 * three planes of n samples of 32-bit components (16-bit ones go through
 * htj2k_enc_simd.c). */
#define HTJ2K_FWD_RCT(T)                                                   \
    static void fwd_rct_##T(T *r, T *g, T *bl, size_t n)                  \
    {                                                                      \
        for (size_t i = 0; i < n; i++) {                                   \
            T R = r[i], G = g[i], B = bl[i];                               \
            r[i] = (R + 2 * G + B) >> 2;                                   \
            g[i] = B - G;                                                  \
            bl[i] = R - G;                                                 \
        }                                                                  \
    }
HTJ2K_FWD_RCT(int64_t)

HTJ2K_FWD53(int64_t)

/* ---- bands and code blocks ---------------------------------------------- */

typedef struct band {
    int x0, y0, w, h; /* in the component's Mallat layout */
    int s;            /* index into kmax: 0 LL, then HL, LH, HH from level 5 down */
} band;

/* The bands of resolution r (0 = LL5) of a w x h component. */
static int res_bands(int w, int h, int r, band *out)
{
    int lw[LEVELS + 1], lh[LEVELS + 1];
    lw[0] = w;
    lh[0] = h;
    for (int d = 1; d <= LEVELS; d++) {
        lw[d] = (lw[d - 1] + 1) / 2;
        lh[d] = (lh[d - 1] + 1) / 2;
    }
    if (r == 0) {
        out[0] = (band){0, 0, lw[LEVELS], lh[LEVELS], 0};
        return 1;
    }
    int d = LEVELS + 1 - r;
    int pw = lw[d - 1], ph = lh[d - 1], l_w = lw[d], l_h = lh[d];
    int s = 1 + 3 * (r - 1);
    out[0] = (band){l_w, 0, pw - l_w, l_h, s};           /* HL */
    out[1] = (band){0, l_h, l_w, ph - l_h, s + 1};       /* LH */
    out[2] = (band){l_w, l_h, pw - l_w, ph - l_h, s + 2}; /* HH */
    return 3;
}

static int cdiv(int a, int b) { return (a + b - 1) / b; }

/* ---- packet header bits (T.800 B.10, with 0xFF stuffing) ----------------- */

typedef struct bitw {
    uint8_t *buf;
    size_t pos, cap;
    int avail;
    unsigned tmp;
    int overflow;
} bitw;

static inline void bw_bit(bitw *w, unsigned bit)
{
    w->tmp |= (bit & 1) << --w->avail;
    if (w->avail == 0) {
        if (w->pos < w->cap)
            w->buf[w->pos++] = (uint8_t)w->tmp;
        else
            w->overflow = 1;
        w->avail = w->tmp == 0xFF ? 7 : 8;
        w->tmp = 0;
    }
}

static inline void bw_bits(bitw *w, uint32_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) bw_bit(w, v >> i);
}

static void bw_end(bitw *w)
{
    if (w->avail < 8) {
        if (w->pos < w->cap)
            w->buf[w->pos++] = (uint8_t)w->tmp;
        else
            w->overflow = 1;
    }
}

/* A coded code block: where its bytes are in the arena. */
typedef struct cblk {
    size_t off;
    uint32_t len; /* 0: not included */
    uint8_t mmsb;
} cblk;

/* Tag trees of one band: inclusion (0 included, 1 not) and missing MSBs,
 * level 0 the code blocks, each level up the minimum of 2x2 children. */
typedef struct tagtree {
    int levels;
    int lw[17], lh[17];
    size_t lofs[18];
} tagtree;

static void tt_shape(tagtree *t, int w, int h)
{
    int lev = 1, cw = w, ch = h;
    while (cw > 1 || ch > 1) {
        cw = (cw + 1) / 2;
        ch = (ch + 1) / 2;
        lev++;
    }
    t->levels = lev;
    cw = w;
    ch = h;
    t->lofs[0] = 0;
    for (int l = 0; l < lev; l++) {
        t->lw[l] = cw;
        t->lh[l] = ch;
        t->lofs[l + 1] = t->lofs[l] + (size_t)cw * (size_t)ch;
        cw = (cw + 1) / 2;
        ch = (ch + 1) / 2;
    }
}

/* node (x, y) of level l, or the virtual 0 above the root */
static inline int tt_val(const tagtree *t, const uint8_t *v, int l, int x, int y)
{
    if (l >= t->levels) return 0;
    return v[t->lofs[l] + (size_t)y * (size_t)t->lw[l] + (size_t)x];
}

static void tt_build(const tagtree *t, uint8_t *v)
{
    for (int l = 1; l < t->levels; l++)
        for (int y = 0; y < t->lh[l]; y++)
            for (int x = 0; x < t->lw[l]; x++) {
                int m = 255;
                for (int dy = 0; dy < 2; dy++)
                    for (int dx = 0; dx < 2; dx++) {
                        int cx = 2 * x + dx, cy = 2 * y + dy;
                        if (cx < t->lw[l - 1] && cy < t->lh[l - 1]) {
                            int c = tt_val(t, v, l - 1, cx, cy);
                            if (c < m) m = c;
                        }
                    }
                v[t->lofs[l] + (size_t)y * (size_t)t->lw[l] + (size_t)x] = (uint8_t)m;
            }
}

/* Packet header of one precinct (all of one resolution of one component). */
static void packet_header(bitw *w, int nb, const cblk *const *cbs, const int *nbx,
                          const int *nby, uint8_t *tt_mem)
{
    int started = 0, skipped = 0;
    for (int bi = 0; bi < nb; bi++) {
        int bx = nbx[bi], by = nby[bi];
        if (bx == 0 || by == 0) continue;
        const cblk *cb = cbs[bi];
        int any = 0;
        for (int i = 0; i < bx * by; i++) any |= cb[i].len != 0;
        if (!any) {
            if (started)
                bw_bit(w, 0);
            else
                skipped++;
            continue;
        }
        if (!started) {
            bw_bit(w, 1);
            for (int i = 0; i < skipped; i++) bw_bit(w, 0);
            started = 1;
        }
        tagtree t;
        tt_shape(&t, bx, by);
        size_t n = t.lofs[t.levels];
        uint8_t *inc = tt_mem, *inc_sent = tt_mem + n, *msb = tt_mem + 2 * n, *msb_sent = tt_mem + 3 * n;
        memset(inc_sent, 0, n);
        memset(msb_sent, 0, n);
        for (int i = 0; i < bx * by; i++) {
            inc[i] = cb[i].len ? 0 : 1;
            msb[i] = cb[i].len ? cb[i].mmsb : 0;
        }
        tt_build(&t, inc);
        tt_build(&t, msb);
        for (int y = 0; y < by; y++)
            for (int x = 0; x < bx; x++) {
                const cblk *c = &cb[y * bx + x];
                for (int l = t.levels - 1; l >= 0; l--) {
                    size_t at = t.lofs[l] + (size_t)(y >> l) * (size_t)t.lw[l] + (size_t)(x >> l);
                    int v = inc[at];
                    if (!inc_sent[at]) {
                        bw_bit(w, (unsigned)(1 - (v - tt_val(&t, inc, l + 1, x >> (l + 1), y >> (l + 1)))));
                        inc_sent[at] = 1;
                    }
                    if (v > 0) break;
                }
                if (!c->len) continue;
                for (int l = t.levels - 1; l >= 0; l--) {
                    size_t at = t.lofs[l] + (size_t)(y >> l) * (size_t)t.lw[l] + (size_t)(x >> l);
                    if (msb_sent[at]) continue;
                    int z = msb[at] - tt_val(&t, msb, l + 1, x >> (l + 1), y >> (l + 1));
                    for (int i = 0; i < z; i++) bw_bit(w, 0);
                    bw_bit(w, 1);
                    msb_sent[at] = 1;
                }
                bw_bit(w, 0); /* one coding pass */
                int bits = 32 - __builtin_clz(c->len) - 3;
                if (bits < 0) bits = 0;
                for (int i = 0; i < bits; i++) bw_bit(w, 1); /* Lblock from 3 */
                bw_bit(w, 0);
                bw_bits(w, c->len, bits + 3);
            }
    }
    if (!started) bw_bit(w, 0);
    bw_end(w);
}

/* ---- byte output ---------------------------------------------------------- */

typedef struct out {
    uint8_t *p;
    size_t pos, cap;
    int full;
} out;

static void put(out *o, const void *src, size_t n)
{
    if (o->full || n > o->cap - o->pos) {
        o->full = 1;
        return;
    }
    memcpy(o->p + o->pos, src, n);
    o->pos += n;
}
static void put8(out *o, unsigned v)
{
    uint8_t b = (uint8_t)v;
    put(o, &b, 1);
}
static void put16(out *o, unsigned v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    put(o, b, 2);
}
static void put32(out *o, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    put(o, b, 4);
}

/* ---- the chunk -------------------------------------------------------------- */

size_t exrqoi__htj2k_bound(const exrqoi__block_layout *b) { return b->unpacked_size + 64; }

static exrqoi_result unsupported(exrqoi__codec_ctx *ctx, const char *why)
{
    return exrqoi__fail(&ctx->err, EXRQOI_ERR_UNSUPPORTED, "HTJ2K encoder: %s", why);
}

static size_t align16(size_t n) { return (n + 15) & ~(size_t)15; }

static int is_pow2(int v) { return v > 0 && (v & (v - 1)) == 0; }

static int64_t sample_value(const uint8_t *p, int size)
{
    if (size == 2) return (int16_t)(uint16_t)(p[0] | (p[1] << 8));
    return (int32_t)((uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24));
}

/* Row y of component ci from src (row offsets from encode) to integers:
 * half through NLT type 3 (SIMD), float through NLT type 3, uint level
 * shifted. */
static void load_row(int path, const comp_info *ci, const uint8_t *src, const size_t *rowoff, int y)
{
    const uint8_t *sp = src + rowoff[ci->row0 + (size_t)y];
    const size_t at = (size_t)y * (size_t)ci->w;
    if (ci->bits == 16) {
        exrqoi__htj2k_half_nlt(path, sp, ci->plane32 + at, (size_t)ci->w);
        return;
    }
    int64_t *row = ci->plane + at;
    const int64_t nlt = ((int64_t)1 << 31) + 1;
    for (int x = 0; x < ci->w; x++, sp += 4) {
        int64_t v = sample_value(sp, 4);
        if (ci->is_signed)
            row[x] = v >= 0 ? v : -v - nlt;
        else
            row[x] = v - ((int64_t)1 << 31);
    }
}

/* The payload into dst if it takes at most `limit` bytes (*out_size set);
 * otherwise *out_size = 0. */
static exrqoi_result encode(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b, const uint8_t *src, uint8_t *dst,
                            size_t limit, size_t *out_size)
{
    const int nc = b->nchan, W = b->width, H = b->height;
    *out_size = 0;
    if (nc < 1 || nc > MAX_COMPS) return unsupported(ctx, "channel count out of range");
    if (W < 1 || H < 1 || W > MAX_PRECINCT || H > MAX_PRECINCT)
        return unsupported(ctx, "blocks wider or taller than 32768 (one precinct per resolution)");

    /* layout: comps[], map, then the cblk records */
    size_t ncb_total = 0, tt_need = 0;
    for (int i = 0; i < nc; i++) {
        const exrqoi__chan_layout *c = &b->chans[i];
        if (c->type != EXRQOI_PIXEL_HALF && c->type != EXRQOI_PIXEL_FLOAT && c->type != EXRQOI_PIXEL_UINT)
            return unsupported(ctx, "unknown pixel type");
        if (!is_pow2(c->x_sampling) || !is_pow2(c->y_sampling))
            return unsupported(ctx, "sampling factors that are not powers of two");
        if (W % c->x_sampling || H % c->y_sampling || c->width != W / c->x_sampling ||
            c->height != H / c->y_sampling || b->y % c->y_sampling)
            return unsupported(ctx, "a subsampled channel that does not divide the chunk evenly");
        for (int r = 0; r <= LEVELS; r++) {
            band bd[3];
            int nb = res_bands(c->width, c->height, r, bd);
            for (int k = 0; k < nb; k++) {
                size_t n = (size_t)cdiv(bd[k].w, CB_W) * (size_t)cdiv(bd[k].h, CB_H);
                ncb_total += n;
                if (8 * n + 128 > tt_need) tt_need = 8 * n + 128; /* 4 trees of <= 2n + 17 nodes */
            }
        }
    }

    /* one scratch block: comps, map and its inverse, where each component
     * row starts in src, cblk records, tag trees, block work */
    size_t nrows = 0;
    for (int i = 0; i < nc; i++) nrows += (size_t)b->chans[i].height;
    size_t o_map = align16(sizeof(comp_info) * (size_t)nc), o_inv = o_map + align16(sizeof(int) * (size_t)nc);
    size_t o_rows = o_inv + align16(sizeof(int) * (size_t)nc), o_cbs = o_rows + align16(sizeof(size_t) * nrows);
    size_t o_tt = o_cbs + align16(sizeof(cblk) * ncb_total), o_work = o_tt + align16(tt_need);
    size_t meta_size = o_work + EXRQOI__HTJ2K_BLOCK_WORK;
    void *meta_v, *planes_v, *tmp_v, *arena_v;
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_HTJ2K_WORK, meta_size, &meta_v));
    comp_info *comps = (comp_info *)meta_v;
    int *map = (int *)((uint8_t *)meta_v + o_map);
    int *inv = (int *)((uint8_t *)meta_v + o_inv);
    size_t *rowoff = (size_t *)(void *)((uint8_t *)meta_v + o_rows);
    cblk *cbs = (cblk *)((uint8_t *)meta_v + o_cbs);
    uint8_t *tt_mem = (uint8_t *)meta_v + o_tt;
    uint8_t *work = (uint8_t *)meta_v + o_work;

    int rgb = channel_map(b, map);
    int planar = 0;
    for (int i = 0; i < nc; i++) planar |= b->chans[i].x_sampling > 1 || b->chans[i].y_sampling > 1;
    const int rct = rgb && !planar;

    /* Components are converted, transformed and coded one at a time (the
     * RCT's three together), so that one plane (three under the RCT) is
     * reused and stays in cache: 32-bit samples for half channels, 64-bit
     * for float and uint. tmp: the wavelet's high rows and one line. */
    size_t slot = 0, tmp_size = 0, row0 = 0;
    for (int i = 0; i < nc; i++) {
        const exrqoi__chan_layout *c = &b->chans[map[i]];
        comp_info *ci = &comps[i];
        ci->file = map[i];
        inv[map[i]] = i;
        ci->w = c->width;
        ci->h = c->height;
        ci->xs = c->x_sampling;
        ci->ys = c->y_sampling;
        ci->bits = c->type == EXRQOI_PIXEL_HALF ? 16 : 32;
        ci->is_signed = c->type != EXRQOI_PIXEL_UINT;
        ci->row0 = row0;
        ci->rows = 0;
        row0 += (size_t)ci->h;
        const size_t esz = ci->bits == 32 ? sizeof(int64_t) : sizeof(int32_t);
        const size_t w = (size_t)ci->w, h = (size_t)ci->h;
        if (align16(w * h * esz) > slot) slot = align16(w * h * esz);
        if (((h / 2) * w + (w > h ? w : h)) * esz > tmp_size) tmp_size = ((h / 2) * w + (w > h ? w : h)) * esz;
    }
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_HTJ2K_PLANES, slot * (rct ? 3 : 1) + 16, &planes_v));
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_HTJ2K_TMP, tmp_size + 64, &tmp_v));
    /* the code blocks' bytes: we stop once they pass the limit */
    size_t arena_cap = limit + EXRQOI__HTJ2K_BLOCK_MAX;
    EXRQOI_TRY(exrqoi__codec_scratch(ctx, EXRQOI__SCRATCH_HTJ2K_ARENA, arena_cap, &arena_v));
    int64_t *tmp = (int64_t *)tmp_v;
    uint8_t *arena = (uint8_t *)arena_v;
    for (int i = 0; i < nc; i++) {
        uint8_t *pp = (uint8_t *)planes_v + (rct && i < 3 ? (size_t)i * slot : 0);
        comps[i].plane = comps[i].bits == 32 ? (int64_t *)(void *)pp : NULL;
        comps[i].plane32 = comps[i].bits == 16 ? (int32_t *)(void *)pp : NULL;
    }

    /* QCD from component 0; a QCC where depth or signedness differ */
    quant qcd, qc[1];
    rev_quant(comps[0].bits, rct, &qcd);
    int magb = 0;
    for (int i = 0; i < nc; i++) {
        comp_info *ci = &comps[i];
        const quant *q = &qcd;
        if (ci->bits != comps[0].bits || ci->is_signed != comps[0].is_signed) {
            rev_quant(ci->bits, rct && i < 3, &qc[0]);
            q = &qc[0];
        }
        for (int s = 0; s < NBANDS; s++) {
            ci->kmax[s] = q->guard + q->exp[s] - 1;
            if (ci->kmax[s] > magb) magb = ci->kmax[s];
        }
    }

    const int path = exrqoi__htj2k_enc_path(ctx->k.features);
    /* where each component row is in src (file channel rows in line order) */
    {
        size_t at = 0;
        for (int yy = 0; yy < H; yy++) {
            int64_t y = (int64_t)b->y + yy;
            for (int f = 0; f < nc; f++) {
                const exrqoi__chan_layout *c = &b->chans[f];
                if (y % c->y_sampling) continue;
                comp_info *ci = &comps[inv[f]];
                rowoff[ci->row0 + (size_t)ci->rows++] = at;
                at += (size_t)c->width * (ci->bits == 16 ? 2u : 4u);
            }
        }
    }
    if (rct) /* the three planes row by row, each row through the RCT while in cache */
        for (int y = 0; y < comps[0].h; y++) {
            for (int i = 0; i < 3; i++) load_row(path, &comps[i], src, rowoff, y);
            size_t at = (size_t)y * (size_t)comps[0].w;
            if (comps[0].bits == 16)
                exrqoi__htj2k_rct_i32(path, comps[0].plane32 + at, comps[1].plane32 + at, comps[2].plane32 + at,
                                      (size_t)comps[0].w);
            else
                fwd_rct_int64_t(comps[0].plane + at, comps[1].plane + at, comps[2].plane + at, (size_t)comps[0].w);
        }

    /* per component: samples, wavelet, then its code blocks in packet order */
    size_t used = 0, k = 0;
    for (int i = 0; i < nc; i++) {
        comp_info *ci = &comps[i];
        if (!(rct && i < 3))
            for (int y = 0; y < ci->h; y++) load_row(path, ci, src, rowoff, y);
        if (ci->bits == 16)
            exrqoi__htj2k_fwd53_i32(path, ci->plane32, ci->w, ci->h, (int32_t *)(void *)tmp);
        else
            fwd53_2d_int64_t(ci->plane, ci->w, ci->h, tmp);
        for (int r = 0; r <= LEVELS; r++) {
            band bd[3];
            int nb = res_bands(ci->w, ci->h, r, bd);
            for (int bi = 0; bi < nb; bi++) {
                const band *B = &bd[bi];
                int kmax = ci->kmax[B->s];
                for (int y = 0; y < B->h; y += CB_H)
                    for (int x = 0; x < B->w; x += CB_W) {
                        int cw = B->w - x < CB_W ? B->w - x : CB_W, chh = B->h - y < CB_H ? B->h - y : CB_H;
                        size_t at = (size_t)(B->y0 + y) * (size_t)ci->w + (size_t)(B->x0 + x), len;
                        if (ci->bits == 16)
                            len = exrqoi__htj2k_encode_block32_path(path, ci->plane32 + at, (size_t)ci->w, cw, chh,
                                                                    kmax, work, arena + used);
                        else
                            len = exrqoi__htj2k_encode_block(ci->plane + at, (size_t)ci->w, cw, chh, kmax, work,
                                                             arena + used);
                        cbs[k].off = used;
                        cbs[k].len = (uint32_t)len;
                        cbs[k].mmsb = (uint8_t)(kmax - 1);
                        k++;
                        used += len;
                        if (used > limit) return EXRQOI_OK; /* too big */
                    }
            }
        }
    }

    /* main header */
    out o = {dst, 0, limit, 0};
    put16(&o, 0x4854);
    put32(&o, (uint32_t)(2 + 2 * nc));
    put16(&o, (unsigned)nc);
    for (int i = 0; i < nc; i++) put16(&o, (unsigned)map[i]);
    int any_nlt = 0;
    for (int i = 0; i < nc; i++) any_nlt |= comps[i].is_signed;
    put16(&o, 0xFF4F); /* SOC */
    put16(&o, 0xFF51); /* SIZ */
    put16(&o, (unsigned)(38 + 3 * nc));
    put16(&o, any_nlt ? 0xC200 : 0x4000); /* HT; with NLT also Part 2 + NLT */
    put32(&o, (uint32_t)W);
    put32(&o, (uint32_t)H);
    put32(&o, 0);
    put32(&o, 0);
    put32(&o, (uint32_t)W);
    put32(&o, (uint32_t)H);
    put32(&o, 0);
    put32(&o, 0);
    put16(&o, (unsigned)nc);
    for (int i = 0; i < nc; i++) {
        put8(&o, (unsigned)((comps[i].bits - 1) | (comps[i].is_signed ? 0x80 : 0)));
        put8(&o, (unsigned)comps[i].xs);
        put8(&o, (unsigned)comps[i].ys);
    }
    put16(&o, 0xFF50); /* CAP */
    put16(&o, 8);
    put32(&o, 0x00020000);
    put16(&o, (unsigned)(magb <= 8 ? 0 : magb < 28 ? magb - 8 : 13 + (magb >> 2)));
    put16(&o, 0xFF52); /* COD */
    put16(&o, 12);
    put8(&o, 0);      /* default precincts, no SOP/EPH */
    put8(&o, 2);      /* RPCL */
    put16(&o, 1);     /* one layer */
    put8(&o, (unsigned)rct);
    put8(&o, LEVELS);
    put8(&o, 5);      /* 128 wide */
    put8(&o, 3);      /* 32 high */
    put8(&o, 0x40);   /* HT code blocks */
    put8(&o, 1);      /* reversible 5/3 */
    put16(&o, 0xFF5C); /* QCD */
    put16(&o, 3 + NBANDS);
    put8(&o, (unsigned)(qcd.guard << 5));
    for (int s = 0; s < NBANDS; s++) put8(&o, (unsigned)(qcd.exp[s] << 3));
    for (int i = 0; i < nc; i++) {
        if (comps[i].bits == comps[0].bits && comps[i].is_signed == comps[0].is_signed) continue;
        rev_quant(comps[i].bits, rct && i < 3, &qc[0]);
        put16(&o, 0xFF5D); /* QCC */
        put16(&o, (unsigned)(4 + NBANDS + (nc > 256)));
        if (nc > 256)
            put16(&o, (unsigned)i);
        else
            put8(&o, (unsigned)i);
        put8(&o, (unsigned)(qc[0].guard << 5));
        for (int s = 0; s < NBANDS; s++) put8(&o, (unsigned)(qc[0].exp[s] << 3));
    }
    for (int i = 0; i < nc; i++) {
        if (!comps[i].is_signed) continue;
        put16(&o, 0xFF76); /* NLT type 3 */
        put16(&o, 6);
        put16(&o, (unsigned)i);
        put8(&o, (unsigned)((comps[i].bits - 1) | 0x80));
        put8(&o, 3);
    }

    /* packets, RPCL: resolution, then component (one precinct each) */
    size_t sot_at = o.pos;
    put16(&o, 0xFF90);
    put16(&o, 10);
    put16(&o, 0);
    put32(&o, 0); /* Psot, patched below */
    put8(&o, 0);
    put8(&o, 1);
    put16(&o, 0xFF93);
    for (int r = 0; r <= LEVELS && !o.full; r++) {
        size_t kk = 0;
        for (int i = 0; i < nc && !o.full; i++) {
            comp_info *ci = &comps[i];
            /* this component's blocks start after all earlier components' and resolutions' */
            size_t first = kk;
            for (int rr = 0; rr <= LEVELS; rr++) {
                band bd[3];
                int nb = res_bands(ci->w, ci->h, rr, bd);
                size_t here = 0;
                for (int bi = 0; bi < nb; bi++) here += (size_t)cdiv(bd[bi].w, CB_W) * (size_t)cdiv(bd[bi].h, CB_H);
                if (rr < r) first += here;
                kk += here;
            }
            band bd[3];
            int nb = res_bands(ci->w, ci->h, r, bd);
            const cblk *lists[3];
            int nbx[3], nby[3];
            size_t at = first;
            for (int bi = 0; bi < nb; bi++) {
                nbx[bi] = cdiv(bd[bi].w, CB_W);
                nby[bi] = cdiv(bd[bi].h, CB_H);
                if (bd[bi].w == 0 || bd[bi].h == 0) nbx[bi] = nby[bi] = 0;
                lists[bi] = cbs + at;
                at += (size_t)nbx[bi] * (size_t)nby[bi];
            }
            bitw bw = {o.p + o.pos, 0, o.cap - o.pos, 8, 0, 0};
            packet_header(&bw, nb, lists, nbx, nby, tt_mem);
            if (bw.overflow) {
                o.full = 1;
                break;
            }
            o.pos += bw.pos;
            for (size_t j = first; j < at; j++)
                if (cbs[j].len) put(&o, arena + cbs[j].off, cbs[j].len);
        }
    }
    size_t psot = o.pos - sot_at;
    put16(&o, 0xFFD9); /* EOC */
    if (o.full) return EXRQOI_OK; /* too big */
    dst[sot_at + 6] = (uint8_t)(psot >> 24);
    dst[sot_at + 7] = (uint8_t)(psot >> 16);
    dst[sot_at + 8] = (uint8_t)(psot >> 8);
    dst[sot_at + 9] = (uint8_t)psot;
    *out_size = o.pos;
    return EXRQOI_OK;
}

exrqoi_result exrqoi__htj2k_compress(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b, const uint8_t *src,
                                     uint8_t *dst, size_t dst_cap, size_t *out_size)
{
    size_t n = 0, limit = b->unpacked_size - 1 < dst_cap ? b->unpacked_size - 1 : dst_cap;
    *out_size = b->unpacked_size;
    if (b->unpacked_size == 0) return EXRQOI_OK;
    EXRQOI_TRY(encode(ctx, b, src, dst, limit, &n));
    if (n) *out_size = n; /* else not smaller: stored raw, as OpenEXR does */
    return EXRQOI_OK;
}

exrqoi_result exrqoi__htj2k_encode_payload(exrqoi__codec_ctx *ctx, const exrqoi__block_layout *b, const uint8_t *src,
                                           uint8_t *dst, size_t dst_cap, size_t *out_size)
{
    EXRQOI_TRY(encode(ctx, b, src, dst, dst_cap, out_size));
    if (!*out_size)
        return exrqoi__fail(&ctx->err, EXRQOI_ERR_BUFFER_TOO_SMALL, "HTJ2K payload larger than %zu bytes", dst_cap);
    return EXRQOI_OK;
}
