/* Y/RY/BY -> RGBA as OpenEXR's RgbaInputFile computes it. Every value it
 * stores in an Rgba (half) is rounded to half here at the same step, and
 * every float expression keeps OpenEXR's operation order, so the results
 * agree bit for bit. Arrays hold floats that are exactly half values. */
#include "image/rgba_yca.h"

#include "common/half.h"

/* Round to half and back: what storing into an Rgba channel does. */
static inline float q(float x)
{
    return exrqoi__h2f(exrqoi__f2h(x));
}

bool exrqoi__yca_weights(const exrqoi_chromaticities *c, float yw[3])
{
    /* OpenEXR's RGBtoXYZ(c, 1): only the Y column is needed. */
    const float Y = 1.0f;
    if (!(c->white_y != 0.0f)) return false;
    float X = c->white_x * Y / c->white_y;
    float Z = (1 - c->white_x - c->white_y) * Y / c->white_y;
    float d = c->red_x * (c->blue_y - c->green_y) + c->blue_x * (c->green_y - c->red_y) +
              c->green_x * (c->red_y - c->blue_y);
    float srn = (X * (c->blue_y - c->green_y) -
                 c->green_x * (Y * (c->blue_y - 1) + c->blue_y * (X + Z)) +
                 c->blue_x * (Y * (c->green_y - 1) + c->green_y * (X + Z)));
    float sgn = (X * (c->red_y - c->blue_y) +
                 c->red_x * (Y * (c->blue_y - 1) + c->blue_y * (X + Z)) -
                 c->blue_x * (Y * (c->red_y - 1) + c->red_y * (X + Z)));
    float sbn = (X * (c->green_y - c->red_y) -
                 c->red_x * (Y * (c->green_y - 1) + c->green_y * (X + Z)) +
                 c->green_x * (Y * (c->red_y - 1) + c->red_y * (X + Z)));
    if (!(d != 0.0f)) return false;
    float m01 = (srn / d) * c->red_y;
    float m11 = (sgn / d) * c->green_y;
    float m21 = (sbn / d) * c->blue_y;
    float sum = m01 + m11 + m21;
    if (!(sum != 0.0f)) return false;
    yw[0] = m01 / sum;
    yw[1] = m11 / sum;
    yw[2] = m21 / sum;
    for (int i = 0; i < 3; i++)
        if (yw[i] != yw[i] || yw[i] - yw[i] != 0.0f) return false; /* NaN or inf */
    return yw[1] != 0.0f;
}

/* Taps of the chroma reconstruction filter at offsets -13, -11, ..., 13
 * (skipping 0), in OpenEXR's summation order. */
static const float k_taps[14] = {0.002128f,  -0.007540f, 0.019597f,  -0.043159f, 0.087929f,
                                 -0.186077f, 0.627123f,  0.627123f,  -0.186077f, 0.087929f,
                                 -0.043159f, 0.019597f,  -0.007540f, 0.002128f};

static inline int32_t clampi(int32_t v, int32_t lo, int32_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Horizontal reconstruction of one chroma row (cw samples) to w values.
 * Beyond the ends OpenEXR pads with the first and the last sample. */
static void recon_horiz(const uint16_t *c, int32_t cw, int32_t w, float *out)
{
    for (int32_t x = 0; x < w; x++) {
        if ((x & 1) == 0) {
            out[x] = exrqoi__h2f(c[x >> 1]);
            continue;
        }
        float s = 0.0f;
        for (int t = 0; t < 14; t++) {
            int32_t off = 2 * t - 13; /* -13..-1, 1..13 */
            int32_t idx = clampi((x + off + 14) / 2 - 7, 0, cw - 1);
            float v = exrqoi__h2f(c[idx]) * k_taps[t];
            s = t == 0 ? v : s + v;
        }
        out[x] = q(s);
    }
}

typedef struct yca_ctx {
    int32_t w, h, ch; /* ch = chroma rows */
    const uint16_t *y, *a;
    const float *hr, *hb; /* horizontally reconstructed chroma, ch rows of w */
    float yw[3];
    float *vr, *vb;       /* one row of vertical reconstruction */
} yca_ctx;

/* Row OpenEXR's readYCAScanLine delivers for line L (clamped). */
static int32_t clamp_line(const yca_ctx *c, int32_t L)
{
    if (L < 0) return 0;
    if (L > c->h - 1) return c->h - 2;
    return L;
}

/* YCA -> RGBA of one pixel (OpenEXR's YCAtoRGBA), into 4 floats. */
static inline void yca_pixel(const float yw[3], float ry, float Y, float by, float A, float *o)
{
    if (ry == 0 && by == 0) {
        o[0] = o[1] = o[2] = Y;
    } else {
        float r = (ry + 1) * Y;
        float b = (by + 1) * Y;
        float g = (Y - r * yw[0] - b * yw[2]) / yw[1];
        o[0] = q(r);
        o[1] = q(g);
        o[2] = q(b);
    }
    o[3] = A;
}

/* RGB of line L before the saturation fix, into row (w*4 floats). */
static void rgb_line(yca_ctx *c, int32_t L, float *row)
{
    int32_t cl = clamp_line(c, L);
    const uint16_t *yr = c->y + (size_t)cl * (size_t)c->w;
    const uint16_t *ar = c->a + (size_t)cl * (size_t)c->w;
    const float *r, *b;
    if ((L & 1) == 0) {
        /* even lines hold chroma (cl is even too) */
        r = c->hr + (size_t)(cl >> 1) * (size_t)c->w;
        b = c->hb + (size_t)(cl >> 1) * (size_t)c->w;
    } else {
        const float *rs[14], *bs[14];
        for (int t = 0; t < 14; t++) {
            int32_t off = 2 * t - 13; /* -13..-1, 1..13 */
            int32_t s = clampi(clamp_line(c, L + off) >> 1, 0, c->ch - 1);
            rs[t] = c->hr + (size_t)s * (size_t)c->w;
            bs[t] = c->hb + (size_t)s * (size_t)c->w;
        }
        for (int32_t x = 0; x < c->w; x++) {
            float sr = rs[0][x] * k_taps[0], sb = bs[0][x] * k_taps[0];
            for (int t = 1; t < 14; t++) {
                sr = sr + rs[t][x] * k_taps[t];
                sb = sb + bs[t][x] * k_taps[t];
            }
            c->vr[x] = q(sr);
            c->vb[x] = q(sb);
        }
        r = c->vr;
        b = c->vb;
    }
    for (int32_t x = 0; x < c->w; x++)
        yca_pixel(c->yw, r[x], exrqoi__h2f(yr[x]), b[x], exrqoi__h2f(ar[x]), row + 4 * x);
}

/* std::max / std::min as OpenEXR calls them (NaN behaviour included). */
static inline float smax(float a, float b) { return (a < b) ? b : a; }
static inline float smin(float a, float b) { return (b < a) ? b : a; }

static inline float saturation(const float *p)
{
    float mx = smax(p[0], smax(p[1], p[2]));
    float mn = smin(p[0], smin(p[1], p[2]));
    return mx > 0 ? 1 - mn / mx : 0;
}

static void desaturate(const float *in, float f, const float yw[3], float *out)
{
    float mx = smax(in[0], smax(in[1], in[2]));
    out[0] = q(smax(mx - (mx - in[0]) * f, 0.0f));
    out[1] = q(smax(mx - (mx - in[1]) * f, 0.0f));
    out[2] = q(smax(mx - (mx - in[2]) * f, 0.0f));
    out[3] = in[3];
    float yin = in[0] * yw[0] + in[1] * yw[1] + in[2] * yw[2];
    float yout = out[0] * yw[0] + out[1] * yw[1] + out[2] * yw[2];
    if (yout > 0) {
        out[0] = q(out[0] * (yin / yout));
        out[1] = q(out[1] * (yin / yout));
        out[2] = q(out[2] * (yin / yout));
    }
}

/* OpenEXR's fixSaturation over rows above (ra), current (rc), below (rb). */
static void fix_saturation(const float yw[3], int32_t n, const float *ra, const float *rc,
                           const float *rb, uint16_t *out)
{
    float a2 = saturation(ra), a1 = a2;
    float b2 = saturation(rb), b1 = b2;
    for (int32_t i = 0; i < n; i++) {
        float a0 = a1, b0 = b1;
        a1 = a2;
        b1 = b2;
        if (i < n - 1) {
            a2 = saturation(ra + 4 * (i + 1));
            b2 = saturation(rb + 4 * (i + 1));
        }
        float smean = smin(1.0f, 0.25f * (a0 + a2 + b0 + b2));
        const float *in = rc + 4 * i;
        float o[4] = {in[0], in[1], in[2], in[3]};
        float s = saturation(in);
        if (s > smean) {
            float smx = smin(1.0f, 1 - (1 - smean) * 0.25f);
            if (s > smx) desaturate(in, smx / s, yw, o);
        }
        for (int k = 0; k < 4; k++) out[4 * i + k] = exrqoi__f2h(o[k]);
    }
}

exrqoi_result exrqoi__yca_to_rgba(const exrqoi_allocator *alloc, int32_t w, int32_t h,
                                  const uint16_t *y, const uint16_t *a, const uint16_t *ry,
                                  const uint16_t *by, const float yw[3], uint16_t *out)
{
    if (w <= 0 || h <= 0 || (w & 1) || (h & 1)) return EXRQOI_ERR_UNSUPPORTED;
    int32_t cw = w / 2, ch = h / 2;
    size_t plane, rows;
    if (exrqoi__mul_size((size_t)w, (size_t)ch, &plane)) return EXRQOI_ERR_LIMIT;
    if (exrqoi__mul_size((size_t)w, 4 * 3 + 2, &rows)) return EXRQOI_ERR_LIMIT;
    size_t total;
    if (exrqoi__mul_size(plane, 2, &total) || exrqoi__add_size(total, rows, &total) ||
        exrqoi__mul_size(total, sizeof(float), &total))
        return EXRQOI_ERR_LIMIT;
    float *mem = (float *)exrqoi__alloc(alloc, total);
    if (!mem) return EXRQOI_ERR_OUT_OF_MEMORY;
    float *hr = mem, *hb = mem + plane;
    float *ring = hb + plane;
    yca_ctx c = {w, h, ch, y, a, hr, hb, {yw[0], yw[1], yw[2]}, ring + 12 * (size_t)w,
                 ring + 13 * (size_t)w};
    for (int32_t s = 0; s < ch; s++) {
        recon_horiz(ry + (size_t)s * (size_t)cw, cw, w, hr + (size_t)s * (size_t)w);
        recon_horiz(by + (size_t)s * (size_t)cw, cw, w, hb + (size_t)s * (size_t)w);
    }
    /* rolling rows: RGB of lines yy-1, yy, yy+1 */
    float *rw[3] = {ring, ring + 4 * (size_t)w, ring + 8 * (size_t)w};
    rgb_line(&c, -1, rw[0]);
    rgb_line(&c, 0, rw[1]);
    for (int32_t yy = 0; yy < h; yy++) {
        rgb_line(&c, yy + 1, rw[2]);
        fix_saturation(c.yw, w, rw[0], rw[1], rw[2], out + (size_t)yy * (size_t)w * 4);
        float *t = rw[0];
        rw[0] = rw[1];
        rw[1] = rw[2];
        rw[2] = t;
    }
    exrqoi__free(alloc, mem);
    return EXRQOI_OK;
}
