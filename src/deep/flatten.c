/*
 * Flattening deep pixels as InterpretingDeepPixels.rst defines it: make the
 * pixel tidy (split volume samples where other samples begin or end,
 * merge samples that then coincide), then composite front to back.
 *
 * Instead of materialising the tidy sample list (which can hold O(n^2)
 * pieces), the pixel is swept once over the sorted distinct depths
 * ("breakpoints"). At breakpoint d: the point samples at d are merged and
 * composited, then the pieces of all volume samples covering
 * [d, next breakpoint) are merged and composited. That is exactly the
 * tidy list in sorted order (at equal Z a point sample sorts before a
 * volume sample, since its ZBack <= Z < the volume's ZBack).
 *
 * All arithmetic is in double, with the document's log1p/expm1 forms so
 * that tiny alphas keep their colour.
 */
#include "common/internal.h"

#include <float.h>
#include <math.h>

#include "common/half.h"
#include "exrqoi/deep.h"

typedef struct rec {
    double z, zb, a;
    size_t idx; /* index into the caller's arrays */
    int vol;    /* volume sample: zb > z */
} rec;

#define ALIGN8(n) (((n) + 7u) & ~(size_t)7u)

static bool add_sz(size_t *acc, size_t n, size_t size)
{
    size_t b;
    if (exrqoi__mul_size(n, size, &b)) return true;
    b = ALIGN8(b);
    return exrqoi__add_size(*acc, b, acc);
}

size_t exrqoi_deep_flatten_work_size(size_t n, int ncolor)
{
    size_t s = 0, n2;
    if (ncolor < 0 || exrqoi__mul_size(n, 2, &n2)) return 0;
    if (add_sz(&s, n, sizeof(rec)) || add_sz(&s, n, sizeof(rec)) || /* records + sort aux */
        add_sz(&s, n2, sizeof(double)) || add_sz(&s, n2, sizeof(double)) || /* breakpoints */
        add_sz(&s, n, sizeof(size_t)) ||                                     /* active volumes */
        add_sz(&s, (size_t)ncolor, 4 * sizeof(double)))
        return 0;
    return s ? s : 8;
}

static bool rec_less(const rec *x, const rec *y)
{
    return x->z < y->z || (x->z == y->z && x->zb < y->zb);
}

/* Stable bottom-up merge sort (insertion-sorted runs of 8), one per element
 * type; a macro so that each keeps its comparison inlined. */
#define DEFINE_MERGE_SORT(fname, T, LESS)                                                       \
    static void fname(T *v, T *aux, size_t n)                                                   \
    {                                                                                           \
        for (size_t lo = 0; lo < n; lo += 8) {                                                  \
            size_t hi = lo + 8 < n ? lo + 8 : n;                                                \
            for (size_t i = lo + 1; i < hi; i++) {                                              \
                T t = v[i];                                                                     \
                size_t j = i;                                                                   \
                while (j > lo && LESS(&t, &v[j - 1])) {                                         \
                    v[j] = v[j - 1];                                                            \
                    j--;                                                                        \
                }                                                                               \
                v[j] = t;                                                                       \
            }                                                                                   \
        }                                                                                       \
        for (size_t width = 8; width < n; width *= 2) {                                         \
            for (size_t lo = 0; lo < n; lo += 2 * width) {                                      \
                size_t mid = lo + width < n ? lo + width : n;                                   \
                size_t hi = lo + 2 * width < n ? lo + 2 * width : n;                            \
                size_t i = lo, j = mid, k = lo;                                                 \
                while (i < mid && j < hi) aux[k++] = LESS(&v[j], &v[i]) ? v[j++] : v[i++];      \
                while (i < mid) aux[k++] = v[i++];                                              \
                while (j < hi) aux[k++] = v[j++];                                               \
            }                                                                                   \
            memcpy(v, aux, n * sizeof *v);                                                      \
        }                                                                                       \
    }
#define DOUBLE_LESS(x, y) (*(x) < *(y))
DEFINE_MERGE_SORT(sort_recs, rec, rec_less)
DEFINE_MERGE_SORT(sort_doubles, double, DOUBLE_LESS)
#undef DOUBLE_LESS
#undef DEFINE_MERGE_SORT

static double clamp_alpha(float a)
{
    if (!(a > 0.0f)) return 0.0; /* also NaN */
    return a >= 1.0f ? 1.0 : (double)a;
}

/* Collects the merge of coincident samples (the document's pairwise
 * formulas, which are associative for alpha < 1: alpha = 1 - prod(1-a_k),
 * colour = alpha / sum(u_k) * sum(c_k * v_k), u_k = -log(1-a_k),
 * v_k = u_k / a_k (1 for a_k = 0)). Opaque members win; several opaque
 * ones average their colours (the n-way form of the (c_i+c_j)/2 rule). */
typedef struct merger {
    size_t count, opaque;
    double sum_u;
    double *sum_cv; /* ncolor: sum of c*v, non-opaque members */
    double *sum_op; /* ncolor: sum of c, opaque members */
    double single_a;
    size_t single_idx;
    double single_x; /* fraction of a volume a single member covers */
} merger;

static void merger_reset(merger *m, int ncolor)
{
    m->count = m->opaque = 0;
    m->sum_u = 0.0;
    for (int c = 0; c < ncolor; c++) m->sum_cv[c] = m->sum_op[c] = 0.0;
}

/* Adds the part of sample (alpha a, colours at idx) that covers fraction
 * x (0 < x <= 1) of its depth range; x = 1 for point samples. */
static void merger_add(merger *m, double a, double x, size_t idx, int ncolor,
                       const float *const *color)
{
    m->count++;
    m->single_a = a;
    m->single_idx = idx;
    m->single_x = x;
    if (a >= 1.0) {
        m->opaque++;
        for (int c = 0; c < ncolor; c++) m->sum_op[c] += (double)color[c][idx];
        return;
    }
    /* c_piece * v_piece = c * x * u / a: the piece's alpha never has to be
     * formed, so nothing is lost to rounding when a is tiny. */
    double u = (a > 0.0) ? -log1p(-a) : 0.0;
    double v = (a > 0.0 && u < a * DBL_MAX) ? u / a : 1.0;
    m->sum_u += x * u;
    double f = x * v;
    for (int c = 0; c < ncolor; c++) m->sum_cv[c] += (double)color[c][idx] * f;
}

/* Merged alpha and colour of the collected members. */
static double merger_result(const merger *m, int ncolor, const float *const *color, double *col)
{
    if (m->opaque) {
        for (int c = 0; c < ncolor; c++) col[c] = m->sum_op[c] / (double)m->opaque;
        return 1.0;
    }
    if (m->count == 1 && m->single_x == 1.0) {
        /* a whole sample on its own: exactly its values */
        for (int c = 0; c < ncolor; c++) col[c] = (double)color[c][m->single_idx];
        return m->single_a;
    }
    double alpha = -expm1(-m->sum_u);
    double w = (m->sum_u > 0.0) ? alpha / m->sum_u : 1.0;
    for (int c = 0; c < ncolor; c++) col[c] = m->sum_cv[c] * w;
    return alpha;
}

exrqoi_result exrqoi_deep_flatten_pixel(size_t n, const float *z, const float *zback,
                                        const float *alpha, int ncolor,
                                        const float *const *color, void *work, size_t work_size,
                                        float *out_color, float *out_alpha, float *out_z)
{
    if (ncolor < 0 || !out_alpha || (n > 0 && !z) || (n > 0 && ncolor > 0 && !color))
        return EXRQOI_ERR_INVALID_ARGUMENT;
    size_t need = exrqoi_deep_flatten_work_size(n, ncolor);
    if (need == 0) return EXRQOI_ERR_LIMIT;
    if (!work || work_size < need) return EXRQOI_ERR_BUFFER_TOO_SMALL;
    for (int c = 0; c < ncolor && n > 0; c++)
        if (!color[c]) return EXRQOI_ERR_INVALID_ARGUMENT;

    uint8_t *p = (uint8_t *)work;
    rec *recs = (rec *)p;
    p += ALIGN8(n * sizeof(rec));
    rec *raux = (rec *)p;
    p += ALIGN8(n * sizeof(rec));
    double *bp = (double *)p;
    p += ALIGN8(2 * n * sizeof(double));
    double *baux = (double *)p;
    p += ALIGN8(2 * n * sizeof(double));
    size_t *active = (size_t *)p;
    p += ALIGN8(n * sizeof(size_t));
    double *acc = (double *)p;
    merger m;
    m.sum_cv = acc + ncolor;
    m.sum_op = acc + 2 * (size_t)ncolor;

    /* samples as records: NaN fronts dropped, non-finite ends are points */
    size_t nr = 0, nb = 0;
    for (size_t i = 0; i < n; i++) {
        double zf = (double)z[i];
        if (isnan(zf)) continue;
        double zb = zback ? (double)zback[i] : zf;
        rec *r = &recs[nr++];
        r->z = zf;
        r->vol = isfinite(zf) && isfinite(zb) && zb > zf;
        r->zb = r->vol ? zb : zf;
        r->a = alpha ? clamp_alpha(alpha[i]) : 1.0;
        r->idx = i;
        bp[nb++] = zf;
        if (r->vol) bp[nb++] = zb;
    }
    sort_recs(recs, raux, nr);
    sort_doubles(bp, baux, nb);
    size_t nu = 0;
    for (size_t i = 0; i < nb; i++)
        if (nu == 0 || bp[i] != bp[nu - 1]) bp[nu++] = bp[i];

    if (out_z) {
        float zf = INFINITY;
        if (nr) {
            zf = (float)recs[0].z;
            for (size_t i = 0; i < nr; i++)
                if (recs[i].a > 0.0) {
                    zf = (float)recs[i].z;
                    break;
                }
        }
        *out_z = zf;
    }

    double acc_a = 0.0;
    double *col = acc + 3 * (size_t)ncolor;
    for (int c = 0; c < ncolor; c++) acc[c] = 0.0;

    size_t ri = 0, nact = 0;
    for (size_t k = 0; k < nu && acc_a < 1.0; k++) {
        double d = bp[k];
        size_t keep = 0;
        for (size_t j = 0; j < nact; j++)
            if (recs[active[j]].zb > d) active[keep++] = active[j];
        nact = keep;

        /* every front is a breakpoint, so the records starting here are next */
        merger_reset(&m, ncolor);
        for (; ri < nr && recs[ri].z == d; ri++) {
            if (recs[ri].vol)
                active[nact++] = ri;
            else
                merger_add(&m, recs[ri].a, 1.0, recs[ri].idx, ncolor, color);
        }
        if (m.count) {
            double a = merger_result(&m, ncolor, color, col);
            for (int c = 0; c < ncolor; c++) acc[c] += (1.0 - acc_a) * col[c];
            acc_a += (1.0 - acc_a) * a;
            if (acc_a >= 1.0) break;
        }

        /* every back is a breakpoint too, so active volumes reach bp[k+1] */
        if (nact && k + 1 < nu) {
            double len = bp[k + 1] - d;
            merger_reset(&m, ncolor);
            for (size_t j = 0; j < nact; j++) {
                const rec *r = &recs[active[j]];
                double x = len / (r->zb - r->z);
                if (x > 1.0) x = 1.0;
                merger_add(&m, r->a, x, r->idx, ncolor, color);
            }
            double a = merger_result(&m, ncolor, color, col);
            for (int c = 0; c < ncolor; c++) acc[c] += (1.0 - acc_a) * col[c];
            acc_a += (1.0 - acc_a) * a;
        }
    }
    if (acc_a > 1.0) acc_a = 1.0;
    *out_alpha = (float)acc_a;
    if (out_color)
        for (int c = 0; c < ncolor; c++) out_color[c] = (float)acc[c];
    return EXRQOI_OK;
}

/* One deep channel's samples [first, first+n) as floats. */
static void to_float(const exrqoi_deep_channel *ch, uint64_t first, size_t n, float *out)
{
    switch (ch->type) {
    case EXRQOI_PIXEL_HALF: {
        const uint16_t *s = (const uint16_t *)ch->samples + first;
        for (size_t i = 0; i < n; i++) out[i] = exrqoi__h2f(s[i]);
        break;
    }
    case EXRQOI_PIXEL_UINT: {
        const uint32_t *s = (const uint32_t *)ch->samples + first;
        for (size_t i = 0; i < n; i++) out[i] = (float)s[i];
        break;
    }
    default: memcpy(out, (const float *)ch->samples + first, n * sizeof(float)); break;
    }
}

exrqoi_result exrqoi_deep_flatten_image(const exrqoi_deep_image *img, float *rgba, float *zout)
{
    if (!img || img->width < 0 || img->height < 0 || !img->counts || !img->offsets)
        return EXRQOI_ERR_INVALID_ARGUMENT;
    /* order of the float buffers: Z, ZBack, A, R, G, B */
    static const char *const names[6] = {"Z", "ZBack", "A", "R", "G", "B"};
    const exrqoi_deep_channel *ch[6];
    for (int i = 0; i < 6; i++) {
        int32_t c = exrqoi_deep_image_find_channel(img, names[i]);
        ch[i] = c >= 0 ? &img->channels[c] : NULL;
        if (ch[i] && !ch[i]->samples && img->total_samples) return EXRQOI_ERR_INVALID_ARGUMENT;
    }
    if (!ch[0]) return EXRQOI_ERR_NOT_FOUND;

    size_t npix = (size_t)img->width * (size_t)img->height;
    uint32_t maxn = 0;
    for (size_t i = 0; i < npix; i++)
        if (img->counts[i] > maxn) maxn = img->counts[i];
    size_t wsize = exrqoi_deep_flatten_work_size(maxn, 3);
    size_t per = maxn ? maxn : 1, fbytes;
    /* float buffers: Z, ZBack, A, R, G, B, and zeros for absent colours */
    if (wsize == 0 || exrqoi__mul_size(per, 7 * sizeof(float), &fbytes) ||
        exrqoi__add_size(wsize, fbytes, &fbytes))
        return EXRQOI_ERR_LIMIT;
    void *mem = exrqoi__alloc(&img->alloc, fbytes);
    if (!mem) return EXRQOI_ERR_OUT_OF_MEMORY;
    float *fb = (float *)((uint8_t *)mem + wsize);
    float *buf[7];
    for (int i = 0; i < 7; i++) buf[i] = fb + (size_t)i * per;
    memset(buf[6], 0, per * sizeof(float));
    const float *colors[3];
    for (int j = 0; j < 3; j++) colors[j] = ch[3 + j] ? buf[3 + j] : buf[6];

    exrqoi_result rv = EXRQOI_OK;
    for (size_t i = 0; i < npix; i++) {
        uint64_t first = img->offsets[i];
        size_t n = img->counts[i];
        if (first > img->total_samples || n > img->total_samples - first) {
            rv = EXRQOI_ERR_INVALID_ARGUMENT; /* offsets disagree with the arrays */
            break;
        }
        for (int j = 0; j < 6; j++)
            if (ch[j]) to_float(ch[j], first, n, buf[j]);
        float c3[3], a, zz;
        rv = exrqoi_deep_flatten_pixel(n, buf[0], ch[1] ? buf[1] : NULL, ch[2] ? buf[2] : NULL,
                                       3, colors, mem, wsize, c3, &a, &zz);
        if (rv != EXRQOI_OK) break;
        if (rgba) {
            rgba[4 * i] = c3[0];
            rgba[4 * i + 1] = c3[1];
            rgba[4 * i + 2] = c3[2];
            rgba[4 * i + 3] = a;
        }
        if (zout) zout[i] = zz;
    }
    exrqoi__free(&img->alloc, mem);
    return rv;
}
